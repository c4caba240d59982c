"""Typeset test PDFs with reportlab, and remember what was typeset where.

A `Spec` is a list of elements: headings (with level), paragraphs, bulleted lists with their
lead-in, tables. `typeset` writes it as a paginated PDF (headings by font size and weight,
optionally bookmarks, optionally a two-column layout) and returns, for every body element, the
section path it was typeset under. Tests and `bench/read_pdfs.py` compare what the reader and
chunker make of the PDF with that truth; pages are checked against the PDF's own text.
"""

from __future__ import annotations

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


@dataclass
class Typeset:
    path: Path
    truth: list[tuple[str, list[str]]]  # (body text, section path it stands under)
    headings: list[str]


def spec_from_text(path: Path) -> list[Element]:
    """The structure the text reader finds in a .txt seed, as elements to typeset: its headings
    become typeset headings (a numbered sentence kept as body text stays body text)."""
    from ingest.readers import read_text
    from ingest.structure import parse_blocks

    blocks = parse_blocks(read_text(path).pages)
    out: list[Element] = []
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            if not b.echoed:
                out.append(Element("h", b.text, level=min(3, b.level + 1)))
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


def typeset(spec: list[Element], path: Path, *, bookmarks: bool = False,
            columns: int = 1, title: str = "") -> Typeset:
    from reportlab.lib.enums import TA_LEFT
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

    body = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13,
                          spaceAfter=6, alignment=TA_LEFT)
    heads = {
        1: ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=16, leading=20,
                          spaceBefore=10, spaceAfter=6),
        2: ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=13, leading=16,
                          spaceBefore=8, spaceAfter=4),
        3: ParagraphStyle("h3", fontName="Helvetica-Bold", fontSize=11, leading=14,
                          spaceBefore=6, spaceAfter=3),
    }
    cell = ParagraphStyle("cell", fontName="Helvetica", fontSize=9, leading=11)

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

    def footer(canvas, document):  # a running footer and page number, as reports have
        canvas.setFont("Helvetica", 8)
        canvas.drawString(2 * cm, 1.2 * cm, title or "Typeset test document")
        canvas.drawRightString(A4[0] - 2 * cm, 1.2 * cm, str(document.page))

    doc.addPageTemplates([PageTemplate(id="main", frames=frames, onPage=footer)])
    story = []
    truth: list[tuple[str, list[str]]] = []
    headings: list[str] = []
    path_stack: list[tuple[int, str]] = []
    levels_seen: list[int] = []
    for n, el in enumerate(spec):
        if el.kind == "h":
            while path_stack and path_stack[-1][0] >= el.level:
                path_stack.pop()
            title_text = el.bookmark or el.text
            path_stack.append((el.level, title_text))
            para = Paragraph(escape(el.text), heads[el.level])
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
            data = [[Paragraph(escape(c), cell) for c in row] for row in el.rows]
            table = Table(data, repeatRows=1)
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            if el.text:
                story.append(Paragraph(escape(el.text), body))
                truth.append((el.text, section))
            story.append(table)
            story.append(Spacer(1, 6))
            for row in el.rows[1:]:
                truth.append(("; ".join(f"{h}: {c}" for h, c in zip(el.rows[0], row,
                                                                    strict=False) if c),
                              section))
    doc.build(story)
    return Typeset(path, truth, headings)


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
