"""Typeset test PDFs with reportlab, and remember what was typeset where.

A `Spec` is a list of elements: headings (with level), paragraphs, bulleted lists with their
lead-in, tables. `typeset` writes it as a paginated PDF (headings by font size and weight,
optionally bookmarks, optionally a two-column layout) and returns, for every body element, the
section path it was typeset under. Tests and `bench/read_pdfs.py` compare what the reader and
chunker make of the PDF with that truth; pages are checked against the PDF's own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape


@dataclass
class Element:
    kind: str  # h | p | ul | table
    text: str = ""  # heading or paragraph text; a list's lead-in ("" for none)
    level: int = 1  # headings
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # tables: header first
    bookmark: str | None = None  # headings: the outline title, if it differs from the text
    clause: bool = False  # headings: a numbered clause ("2.1 Research evidence suggests ...")


@dataclass
class Typeset:
    path: Path
    truth: list[tuple[str, list[str]]]  # (body text, section path it stands under)
    headings: list[str]


def spec_from_text(path: Path, clauses: bool = False) -> list[Element]:
    """The structure the text reader finds in a .txt seed, as elements to typeset: its headings
    become typeset headings (a numbered sentence kept as body text stays body text). With
    `clauses`, a numbered clause ("2.1 Research evidence suggests ...", "8.5 Setting up ...")
    is typeset as a third-level heading instead, as a report set in Word would have it."""
    from ingest.readers import read_text
    from ingest.structure import parse_blocks

    blocks = parse_blocks(read_text(path).pages)
    out: list[Element] = []
    skip_echo = False
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            if not b.echoed:
                out.append(Element("h", b.text, level=min(3, b.level + 1)))
            elif clauses:
                out.append(Element("h", (b.source or b.text).rstrip(":").strip(),
                                   level=min(3, b.level + 1), clause=True))
                skip_echo = True
            continue
        if skip_echo:
            skip_echo = False
            if b.kind == "para":  # the clause's own line, kept as body text without clauses
                continue
        if b.kind == "item":
            if out and out[-1].kind == "ul" and not out[-1].rows:
                out[-1].items.append(_strip_bullet(b.text))
            else:
                out.append(Element("ul", "", items=[_strip_bullet(b.text)]))
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if nxt is not None and nxt.kind == "item":
            out.append(Element("ul", b.text))
        else:
            out.append(Element("p", b.text))
    return out


def _strip_bullet(text: str) -> str:
    from ingest.structure import BULLET

    return BULLET.sub("", text, count=1)


@dataclass(frozen=True)
class Style:
    """How a document is typeset: fonts, sizes, numbering, columns and page furniture. The
    default is the house style the older tests use."""

    name: str = "house"
    body_font: str = "Helvetica"
    body_size: float = 10
    head_fonts: tuple[str, str, str] = ("Helvetica-Bold", "Helvetica-Bold", "Helvetica-Bold")
    head_sizes: tuple[float, float, float] = (16, 13, 11)
    numbered: bool = True  # headings printed with their numbers ("1. Introduction")
    clauses: bool = False  # numbered clauses typeset as third-level headings
    columns: int = 1
    justify: bool = False
    running_head: str = ""  # "title": the document's title at the top of every page
    footer: str = "title-number"  # title-number | page-of | number-bar | none
    kv_tables: bool = False  # runs of "Label: value" paragraphs as a ruled two-column table
    facts_table: bool = False  # a ruled key/value table of the document's facts up front
    # How tables are ruled: "grid" (every cell boxed), "rows" (a horizontal rule between rows,
    # no vertical lines), "booktabs" (rules above, under the header and below only).
    table_rules: str = "grid"
    held_out: bool = False  # written before the code, never tuned on: reported apart


def typeset(spec: list[Element], path: Path, *, bookmarks: bool = False,
            columns: int | None = None, title: str = "", style: Style | None = None) -> Typeset:
    from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        ListFlowable,
        ListItem,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    style = style or Style()
    columns = columns or style.columns
    size = style.body_size
    body = ParagraphStyle("body", fontName=style.body_font, fontSize=size,
                          leading=round(size * 1.3, 1), spaceAfter=6,
                          alignment=TA_JUSTIFY if style.justify else TA_LEFT)
    heads = {
        level: ParagraphStyle(f"h{level}", fontName=style.head_fonts[level - 1],
                              fontSize=style.head_sizes[level - 1],
                              leading=round(style.head_sizes[level - 1] * 1.22, 1),
                              spaceBefore=10 - 2 * level, spaceAfter=7 - level)
        for level in (1, 2, 3)
    }
    cell = ParagraphStyle("cell", fontName=style.body_font, fontSize=max(8, size - 1),
                          leading=max(8, size - 1) + 2)
    head_title = title or "Typeset test document"

    class Doc(BaseDocTemplate):
        def afterFlowable(self, flowable):
            key = getattr(flowable, "_bookmark", None)
            if key and bookmarks:
                name, text, level = key
                self.canv.bookmarkPage(name)
                self.canv.addOutlineEntry(text, name, level=level - 1, closed=False)

    doc = Doc(str(path), pagesize=A4, title=title or path.stem, leftMargin=2 * cm,
              rightMargin=2 * cm, topMargin=2 * cm, bottomMargin=2 * cm)
    width = (A4[0] - 4 * cm - (columns - 1) * 0.8 * cm) / columns
    frames = [Frame(2 * cm + i * (width + 0.8 * cm), 2 * cm, width, A4[1] - 4 * cm,
                    id=f"col{i}") for i in range(columns)]
    total_pages = [0]  # "Page N of M" needs M: the document is built twice

    def furniture(canvas, document):  # running heads and footers, as reports have
        n = document.page
        canvas.setFont(style.body_font, 8)
        if style.running_head == "title":
            canvas.drawString(2 * cm, A4[1] - 1.2 * cm, head_title)
        if style.footer == "title-number":
            canvas.drawString(2 * cm, 1.2 * cm, head_title)
            canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, str(n))
        elif style.footer == "page-of":
            canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm,
                                   f"Page {n} of {total_pages[0] or '?'}")
        elif style.footer == "number-bar":  # "10 | Title" on even pages, "Title | 11" on odd
            text = f"{n} | {head_title}" if n % 2 == 0 else f"{head_title} | {n}"
            if n % 2 == 0:
                canvas.drawString(2 * cm, 1.2 * cm, text)
            else:
                canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, text)

    doc.addPageTemplates([PageTemplate(id="main", frames=frames, onPage=furniture)])
    story = []
    truth: list[tuple[str, list[str]]] = []
    headings: list[str] = []
    path_stack: list[tuple[int, str]] = []
    levels_seen: list[int] = []

    def ruled(rows: list[list[str]], header: bool):
        table = Table([[Paragraph(escape(c), cell) for c in row] for row in rows],
                      repeatRows=1 if header else 0)
        commands = [("VALIGN", (0, 0), (-1, -1), "TOP")]
        if style.table_rules == "rows":
            commands += [("LINEABOVE", (0, 0), (-1, -1), 0.5, "black"),
                         ("LINEBELOW", (0, -1), (-1, -1), 0.5, "black")]
        elif style.table_rules == "booktabs":
            commands += [("LINEABOVE", (0, 0), (-1, 0), 1, "black"),
                         ("LINEBELOW", (0, -1), (-1, -1), 1, "black")]
            if header:
                commands.append(("LINEBELOW", (0, 0), (-1, 0), 0.5, "black"))
        else:
            commands.append(("GRID", (0, 0), (-1, -1), 0.5, "black"))
        if header:
            commands.append(("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"))
        table.setStyle(TableStyle(commands))
        return table

    for n, el in enumerate(spec):
        if el.kind == "h":
            while path_stack and path_stack[-1][0] >= el.level:
                path_stack.pop()
            text = el.text if style.numbered else unnumbered(el.text)
            title_text = el.bookmark or text
            path_stack.append((el.level, title_text))
            para = Paragraph(escape(text), heads[el.level])
            # Outline levels must not skip: clamp to one below the deepest open level.
            depth = min(el.level, (max(levels_seen) + 1) if levels_seen else 1)
            levels_seen = [lv for lv in levels_seen if lv < depth] + [depth]
            para._bookmark = (f"h{n}", title_text, depth)
            story.append(para)
            headings.append(title_text)
            continue
        section = [t for _, t in path_stack]
        if el.kind == "p":
            story.append(Paragraph(escape(el.text), body))
            truth.append((el.text, section))
        elif el.kind == "ul":
            if el.text:
                story.append(Paragraph(escape(el.text), body))
                truth.append((el.text, section))
            story.append(ListFlowable(
                [ListItem(Paragraph(escape(it), body), leftIndent=14) for it in el.items],
                bulletType="bullet", start="•", leftIndent=14, bulletFontSize=8))
            truth.extend((it, section) for it in el.items)
        elif el.kind == "table":
            header = not el.text.startswith("kv:")
            caption = el.text[3:] if not header else el.text
            if caption:
                story.append(Paragraph(escape(caption), body))
                truth.append((caption, section))
            story.append(ruled(el.rows, header))
            story.append(Spacer(1, 6))
            if header:
                for row in el.rows[1:]:
                    truth.append(("; ".join(f"{h}: {c}" for h, c in zip(el.rows[0], row,
                                                                        strict=False) if c),
                                  section))
            else:
                truth.extend((": ".join(row), section) for row in el.rows)
    if style.footer == "page-of":
        import copy

        first = copy.deepcopy(story)
        doc.build(first)
        total_pages[0] = doc.page
    doc.build(story)
    return Typeset(path, truth, headings)


def unnumbered(text: str) -> str:
    """A heading without its printed number: "2.1 Research ..." -> "Research ..."."""
    import re

    return re.sub(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+", "", text)


# ---------------------------------------------------------------- fixtures the tests share


def report_spec() -> list[Element]:
    """A short fictional trust report: headings at three levels, a long list that crosses a
    page break, a ruled table, prose."""
    filler = ("The trust board reviewed the evidence from each academy and agreed a common "
              "approach to improvement that keeps decisions close to the schools. ")
    spec = [
        Element("h", "Annual review of the Northfield Learning Trust", level=1),
        Element("p", "This review sets out how the trust's seven schools worked together "
                     "during the year and what the board learned from it."),
        Element("h", "1. Governance", level=2),
        Element("p", "Local governing bodies kept substantive delegated powers over "
                     "curriculum and staffing. " + filler * 2),
        Element("h", "1.1 Scheme of delegation", level=3),
        Element("p", "The scheme of delegation was rewritten in the spring term. " + filler),
        Element("h", "2. School improvement", level=2),
        Element("ul", "Peer review found the following strengths across the schools:",
                items=[f"Strength {k}: leaders at every level use assessment information to "
                       f"plan the next steps for pupils in their classes." for k in range(1, 31)]),
        Element("h", "3. Finance", level=2),
        Element("p", "Finance was run centrally, with each head holding a delegated budget "
                     "for resources. " + filler),
        Element("table", "Table 1: Pupils and staff by school", rows=[
            ["School", "Phase", "Pupils", "Staff"],
            ["Ashdown Primary", "Primary", "412", "31"],
            ["Brook Lane Academy", "Secondary", "1,046", "88"],
            ["Castle Mead School", "Special", "96", "40"],
            ["Dale View Primary", "Primary", "230", "19"],
        ]),
        Element("h", "4. Next steps", level=2),
        Element("p", "The board will review the central services offer in the autumn and "
                     "report to members. " + filler * 2),
    ]
    return spec


# ------------------------------------------------------------------- the typesetting matrix
# The two seeds typeset in styles nobody tuned the readers on (issue 21). Ground truth is the
# seeds' own structure, in docling's Markdown form, so bench/structure.py scores them as it
# scores docling's files. The HELD_OUT styles were written before the code that reads them and
# are reported apart: a figure on what the code was tuned on is not evidence.

SEEDS = {
    "briefing": ("federations-and-mats-briefing-paper.txt", "Federations and MATs briefing paper"),
    "synopsis": ("leadership-of-learning-synopsis.txt", "Leadership of Learning synopsis"),
}

MATRIX: list[Style] = [
    # The first report: serif body 11 pt, level 2 at 14 pt bold, numbered level-3
    # clauses at 12.5 pt bold that wrap onto a second line starting in lower case.
    Style("serif-wrapped", body_font="Times-Roman", body_size=11,
          head_fonts=("Times-Bold", "Times-Bold", "Times-Bold"), head_sizes=(16, 14, 12.5),
          clauses=True),
    # Sans, heading sizes close to the body (one point apart), "Page N of M" footers.
    Style("sans-close", body_size=10, head_sizes=(12, 11, 10.5), footer="page-of"),
    # Bold-only headings at body size, serif, a running head with the title on every page.
    Style("bold-body-size", body_font="Times-Roman", body_size=11,
          head_fonts=("Times-Bold", "Times-Bold", "Times-Bold"), head_sizes=(11, 11, 11),
          running_head="title", footer="number-bar"),
    # The second report: two columns, the third level (clauses) bold at body size.
    Style("two-column", body_size=9.5, head_sizes=(13, 11, 9.5), columns=2, clauses=True,
          running_head="title"),
    # Unnumbered headings, serif, running head and "Page N of M" footer.
    Style("unnumbered", body_font="Times-Roman", body_size=10.5,
          head_fonts=("Times-Bold", "Times-Bold", "Times-Bold"), head_sizes=(15, 12.5, 11),
          numbered=False, running_head="title", footer="page-of"),
    # Ruled key/value tables (labels down the first column, no header row), sans.
    Style("kv-table", body_size=10, head_sizes=(14, 12, 10.5), kv_tables=True,
          facts_table=True, footer="number-bar"),
]

HELD_OUT: list[Style] = [
    # Mixed faces: sans bold headings over a serif justified body, level 3 in bold italic at
    # body size, clauses as headings, two columns, "10 | Title" / "Title | 11" footers.
    Style("heldout-mixed-faces", body_font="Times-Roman", body_size=10,
          head_fonts=("Helvetica-Bold", "Helvetica-Bold", "Times-BoldItalic"),
          head_sizes=(14, 11.5, 10), clauses=True, columns=2, justify=True,
          footer="number-bar", held_out=True),
    # Dense: 9 pt sans body, headings 10.5/9.5/9 bold, unnumbered, a facts table and ruled
    # key/value tables, running head and "Page N of M" footer.
    Style("heldout-dense", body_size=9, head_sizes=(10.5, 9.5, 9), numbered=False,
          kv_tables=True, facts_table=True, running_head="title", footer="page-of",
          held_out=True),
    # Written with issue 21's code and rule-table work, before it (branch issue21pdf):
    # Booktabs tables (rules above, below and under a header only, no vertical lines) of facts
    # and fields, sans headings over a serif body, "Page N of M" footers and a running head.
    Style("heldout-booktabs", body_font="Times-Roman", body_size=10.5,
          head_fonts=("Helvetica-Bold", "Helvetica-Bold", "Helvetica-Bold"),
          head_sizes=(13, 11.5, 10.5), kv_tables=True, facts_table=True,
          table_rules="booktabs", running_head="title", footer="page-of", held_out=True),
    # Tables ruled between rows only, a justified sans body, serif bold headings down to body
    # size, numbered clauses as headings, "10 | Title" / "Title | 11" footers.
    Style("heldout-rowrules", body_size=10, justify=True,
          head_fonts=("Times-Bold", "Times-Bold", "Times-Bold"), head_sizes=(14, 12, 10),
          clauses=True, kv_tables=True, facts_table=True, table_rules="rows",
          running_head="title", footer="number-bar", held_out=True),
]


@dataclass
class MatrixDocument:
    name: str  # "<seed>-<style>"
    path: Path
    markdown: str  # ground truth in docling's Markdown form
    furniture: list[str]  # patterns of what the page furniture prints (never in a passage)
    style: Style


_FIELD = re.compile(r"^([A-Z][A-Za-z ]{1,30}):\s+(\S.*)$")


def styled_spec(spec: list[Element], style: Style, facts: list[list[str]]) -> list[Element]:
    """The spec as this style sets it: runs of "Label: value" paragraphs as a ruled
    two-column table, and the document's facts as one up front."""
    out: list[Element] = []
    if style.facts_table and facts:
        out.append(Element("table", "kv:", rows=facts))
    run: Element | None = None  # the key/value table the last field went into
    for el in spec:
        m = _FIELD.match(el.text) if el.kind == "p" and style.kv_tables else None
        if m and not el.text.startswith(("http", "Note")):
            if run is None:
                run = Element("table", "kv:", rows=[])
                out.append(run)
            run.rows.append([m.group(1), m.group(2)])
            continue
        run = None
        out.append(el)
    # A key/value table of one row is a field, not a table: set it back as a paragraph.
    return [Element("p", ": ".join(el.rows[0])) if el.kind == "table" and el.text == "kv:"
            and len(el.rows) == 1 else el for el in out]


def truth_markdown(spec: list[Element], style: Style) -> str:
    """The spec in docling's Markdown form: '#' headings, body lines, '|' table rows."""
    md: list[str] = []
    for el in spec:
        if el.kind == "h":
            text = el.text if style.numbered else unnumbered(el.text)
            md += ["#" * (el.level + 1) + " " + text, ""]
        elif el.kind == "p":
            md += [el.text, ""]
        elif el.kind == "ul":
            if el.text:
                md += [el.text, ""]
            md += [f"- {it}" for it in el.items] + [""]
        elif el.kind == "table":
            caption = el.text[3:] if el.text.startswith("kv:") else el.text
            if caption:
                md += [caption, ""]
            rows = el.rows
            md.append("| " + " | ".join(rows[0]) + " |")
            md.append("|" + " - |" * len(rows[0]))
            md += ["| " + " | ".join(r) + " |" for r in rows[1:]] + [""]
    return "\n".join(md)


def seed_facts(file: str) -> list[list[str]]:
    """The catalog's facts about a seed, as label/value rows."""
    import csv

    root = Path(__file__).resolve().parent.parent
    with open(root / "corpus" / "catalog.csv", newline="", encoding="utf-8") as fh:
        row = next((r for r in csv.DictReader(fh) if r["file"] == file), None)
    if row is None:
        return []
    rows = [["Title", row["title"]], ["Short title", row["short_title"]],
            ["Author", row["author"]], ["Type", row["type"]], ["Notes", row["notes"]]]
    return [r for r in rows if r[1]]


def matrix_documents(out_dir: Path, held_out: bool = False,
                     only: str | None = None) -> list[MatrixDocument]:
    """Typeset every seed in every style of the matrix (or the held-out styles)."""
    root = Path(__file__).resolve().parent.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for style in HELD_OUT if held_out else MATRIX:
        for seed, (file, title) in SEEDS.items():
            name = f"{seed}-{style.name}"
            if only and only not in name:
                continue
            spec = styled_spec(spec_from_text(root / "corpus" / file, clauses=style.clauses),
                               style, seed_facts(file))
            path = out_dir / f"{name}.pdf"
            typeset(spec, path, title=title, style=style)
            # What the furniture prints, as patterns over one line of a passage.
            furniture = [rf"^{re.escape(title)}(\s*\|\s*\d+)?$", rf"^\d+\s*\|\s*{re.escape(title)}$",
                         rf"{re.escape(title)}\s*\|\s*\d+", r"\bPage \d+ of \d+\b"]
            out.append(MatrixDocument(name, path, truth_markdown(spec, style), furniture,
                                      style))
    return out
