"""Exporting cited quotes: Markdown, Word (python-docx) and CSV.

The web app's basket and the session packs both build an `ExportDocument` and call these
writers, so a quote looks and is cited the same way wherever it is exported.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from index import LoadedIndex
from ingest import Passage

OCR_NOTE = "text read by OCR"  # the quote comes from a scanned page


@dataclass
class CitedQuote:
    passage_id: str
    text: str  # verbatim passage text (lines are paragraphs or list items)
    file: str
    title: str
    citation: str
    page: int | None = None
    section: str = ""
    highlight: list[str] = field(default_factory=list)  # answer sentences within the quote
    note: str = ""  # shown after the citation, e.g. "weak match"
    rows: list[list[str]] = field(default_factory=list)  # a table's cells, header first
    # An excerpt (issue 22): `text` holds the passage's sentences that answer the question,
    # verbatim and in order, "[…]" marking what is left out; else the whole passage.
    excerpt: bool = False

    @classmethod
    def from_passage(cls, p: Passage, highlight: list[str] | None = None) -> CitedQuote:
        return cls(p.id, p.text, p.file, p.title, p.citation, p.page, p.section_label,
                   list(highlight or []), OCR_NOTE if getattr(p, "ocr", False) else "",
                   rows=[list(r) for r in p.rows] if p.kind == "table" else [])

    @property
    def caption_lines(self) -> list[str]:
        """For a table: the lines before its header row (caption, heading)."""
        header = " | ".join(self.rows[0]) if self.rows else ""
        lines = [line for line in self.text.split("\n") if line.strip()]
        return lines[:lines.index(header)] if header in lines else []


@dataclass
class Reference:
    file: str
    title: str
    author: str = ""
    year: str = ""
    doc_type: str = ""

    def text(self, handout: bool = False) -> str:
        """As a reference list gives it; the facilitator's copy also names the file."""
        who = self.author or "Author not stated"
        year = self.year or "n.d."
        kind = f" [{self.doc_type}]" if self.doc_type else ""
        return f"{who} ({year}). {self.title}.{kind}" + ("" if handout else f" File: {self.file}.")


@dataclass
class ExportSection:
    heading: str
    quotes: list[CitedQuote] = field(default_factory=list)
    answer: list[str] = field(default_factory=list)  # extractive answer sentences
    note: str = ""  # e.g. "No evidence in the corpus."
    see_also: list[str] = field(default_factory=list)  # passage ids quoted under another heading


@dataclass
class ExportDocument:
    title: str
    sections: list[ExportSection]
    references: list[Reference] = field(default_factory=list)
    intro: str = ""
    # Problems found when the quotes were checked against their sources (quotes left out and
    # why); printed at the end of the document so nothing is dropped silently.
    warnings: list[str] = field(default_factory=list)
    # A handout for trainees (qa prep --handout): quotes cited by document, page and section
    # with a number into the reference list; no passage ids, commands or file names.
    handout: bool = False


def cite(doc: ExportDocument, q: CitedQuote, code: str = "`") -> str:
    """A quote's citation line: with its passage id for the facilitator, with its reference
    number in a handout."""
    note = f" · {q.note}" if q.note else ""
    if doc.handout:
        number = next((i for i, r in enumerate(doc.references, 1) if r.file == q.file), None)
        return f"{q.citation}{f' [{number}]' if number else ''}{note}"
    return f"{q.citation} · id {code}{q.passage_id}{code}{note}"


def in_short(entries: list[str]) -> str:
    """The "In short" entries in one line: each quoted; a list's lead-in, then its items."""
    out = []
    for entry in entries:
        lead, *items = [line for line in entry.split("\n") if line.strip()]
        out.append(f"“{lead}”" + (" — " + "; ".join(f"“{i}”" for i in items) if items else ""))
    return " ".join(out)


def left_out_lines(doc: ExportDocument) -> list[str]:
    """What was left out when the quotes were checked: every warning for the facilitator; in
    a handout, only how many (the reasons name passage ids and commands)."""
    if not doc.warnings:
        return []
    if doc.handout:
        n = len(doc.warnings)
        return [f"{n} quotation{'s' if n != 1 else ''} or answer sentence{'s' if n != 1 else ''}"
                " no longer matched the sources when this pack was made and "
                f"{'were' if n != 1 else 'was'} left out."]
    return list(doc.warnings)


def references_for(index: LoadedIndex, files: list[str]) -> list[Reference]:
    """Catalog details (title, author, year, type) of each cited document, in citation order."""
    refs, seen = [], set()
    for f in files:
        if f in seen:
            continue
        seen.add(f)
        rec = index.manifest.files.get(f)
        if rec is None:
            refs.append(Reference(f, f))
        else:
            refs.append(Reference(f, rec.title or f, rec.author, rec.year, rec.doc_type))
    return refs


def cited_files(doc: ExportDocument) -> list[str]:
    return [q.file for s in doc.sections for q in s.quotes]


def _quoted_under(doc: ExportDocument) -> dict[str, tuple[CitedQuote, str]]:
    """Each quoted passage id with its quote and the heading it is printed under (first wins)."""
    found: dict[str, tuple[CitedQuote, str]] = {}
    for section in doc.sections:
        for q in section.quotes:
            found.setdefault(q.passage_id, (q, section.heading))
    return found


OPENING_WORDS = 8  # words of a quote named in a line referring back to it


def opening_words(text: str, n: int = OPENING_WORDS, section: str = "") -> str:
    """The quote's first `n` words, verbatim, as a referral line names it ("“There is an
    executive lead …”"): several quotes of one section carry the same citation, so the
    citation alone does not say which one is meant. Its opening lines that only repeat the
    headings of `section` (its section label, which the citation shows) are passed over."""
    label = " ".join(section.split()).casefold()
    lines = [ln for ln in text.split("\n") if ln.strip()]
    start = 0
    while (label and start < len(lines) - 1
           and " ".join(lines[start].split()).casefold() in label):
        start += 1
    words = " ".join(lines[start:]).split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def _see_also_lines(doc: ExportDocument, section: ExportSection) -> list[tuple[str, str, str]]:
    """(citation and the quote's opening words, passage id, heading it is quoted under) for
    each of a section's see-also ids."""
    quoted = _quoted_under(doc)
    out = []
    for pid in section.see_also:
        q, heading = quoted.get(pid, (None, ""))
        where = f"{q.citation}: “{opening_words(q.text, section=q.section)}”" if q else ""
        out.append((where, pid, heading))
    return out


def see_also_label(doc: ExportDocument, section: ExportSection) -> str:
    """The line above a section's referrals: "quoted above" while they all point to quotes
    under earlier questions; a referral may also point to a later one (issue 22, round 12)."""
    order = {id(s): n for n, s in enumerate(doc.sections)}
    here = order.get(id(section), len(doc.sections))
    under = {q.passage_id: order[id(s)] for s in doc.sections for q in s.quotes}
    if all(under.get(pid, -1) < here for pid in section.see_also):
        return "Also relevant, quoted above:"
    if all(under.get(pid, -1) > here for pid in section.see_also):
        return "Also relevant, quoted below:"
    return "Also relevant, quoted under other questions:"


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _spans(line: str, highlights: list[str]) -> list[tuple[str, bool]]:
    """The line cut into (text, highlighted) runs; joined back, the text is the line unchanged."""
    marks = [False] * len(line)
    for h in highlights:
        h = h.strip()
        start = line.find(h) if h else -1
        while start >= 0:
            marks[start:start + len(h)] = [True] * len(h)
            start = line.find(h, start + len(h))
    runs: list[tuple[str, bool]] = []
    for ch, mark in zip(line, marks, strict=True):
        if runs and runs[-1][1] == mark:
            runs[-1] = (runs[-1][0] + ch, mark)
        else:
            runs.append((ch, mark))
    return runs


def to_markdown(doc: ExportDocument) -> str:
    out = [f"# {doc.title}", ""]
    if doc.intro:
        out += [doc.intro, ""]
    for section in doc.sections:
        if section.heading:
            out += [f"## {section.heading}", ""]
        if section.note:
            out += [f"*{section.note}*", ""]
        if section.answer:
            out += ["**In short:** " + in_short(section.answer), ""]
        for q in section.quotes:
            # One quoted paragraph per line of the passage (a bare ">" between them, or
            # Markdown would run the lines together); list items stay list items.
            lines = [line for line in q.text.split("\n") if line.strip()]
            for i, line in enumerate(lines):
                if i:
                    out.append(">")
                out.append("> " + line)
            out += ["", f"— {cite(doc, q)}", ""]
        if section.see_also:
            out += [see_also_label(doc, section), ""]
            for citation, pid, heading in _see_also_lines(doc, section):
                under = f" (under “{_short(heading)}”)" if heading else ""
                where = citation if doc.handout else \
                    f"{citation + ' · ' if citation else ''}id `{pid}`"
                out.append(f"- {where}{under}")
            out.append("")
    if doc.warnings:
        out += ["## Left out of this pack", ""]
        out += [f"- {w}" for w in left_out_lines(doc)]
        out.append("")
    if doc.references:
        out += ["## References", ""]
        out += [f"{i}. {r.text(doc.handout)}" for i, r in enumerate(doc.references, 1)]
        out.append("")
    return "\n".join(out)


def to_docx(doc: ExportDocument, path: Path) -> Path:
    import docx
    from docx.shared import Cm, Pt

    d = docx.Document()
    d.core_properties.title = doc.title
    d.add_heading(doc.title, level=0)
    if doc.intro:
        d.add_paragraph(doc.intro)
    for section in doc.sections:
        if section.heading:
            d.add_heading(section.heading, level=1)
        if section.note:
            d.add_paragraph().add_run(section.note).italic = True
        if section.answer:
            para = d.add_paragraph()
            para.add_run("In short: ").bold = True
            para.add_run(in_short(section.answer))
        for q in section.quotes:
            lines = [line for line in q.text.split("\n") if line.strip()]
            if q.rows:  # a table is exported as a table: its caption, then the cells
                lines = q.caption_lines
            for i, line in enumerate(lines):
                para = d.add_paragraph(style="Quote")
                para.paragraph_format.left_indent = Cm(0.75)
                # The citation never starts a page on its own.
                para.paragraph_format.keep_with_next = i == len(lines) - 1
                for text, bold in _spans(line, q.highlight):
                    para.add_run(text).bold = bold or None
            if q.rows:
                _docx_table(d, q.rows)
            cite_para = d.add_paragraph()
            run = cite_para.add_run(f"— {cite(doc, q, code='')}")
            run.font.size = Pt(9)
        if section.see_also:
            d.add_paragraph(see_also_label(doc, section))
            for citation, pid, heading in _see_also_lines(doc, section):
                under = f" (under “{_short(heading)}”)" if heading else ""
                where = citation if doc.handout else \
                    f"{citation + ' · ' if citation else ''}id {pid}"
                d.add_paragraph(f"{where}{under}", style="List Bullet")
    if doc.warnings:
        d.add_heading("Left out of this pack", level=1)
        for w in left_out_lines(doc):
            d.add_paragraph(w, style="List Bullet")
    if doc.references:
        d.add_heading("References", level=1)
        for r in doc.references:
            d.add_paragraph(r.text(doc.handout), style="List Number")
    path = Path(path)
    d.save(str(path))
    return path


def _docx_table(d, rows: list[list[str]]) -> None:
    width = max(len(r) for r in rows)
    table = d.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c in range(width):
            cell = table.cell(r, c)
            cell.text = row[c] if c < len(row) else ""
            if r == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True


CSV_COLUMNS = ["question", "quote", "title", "page", "section", "id", "citation"]


def to_csv(doc: ExportDocument) -> str:
    """One row per quote and question; a handout has no id column."""
    rows: list[list] = [list(CSV_COLUMNS)]
    for section in doc.sections:
        for q in section.quotes:
            rows.append([section.heading, q.text, q.title,
                         "" if q.page is None else q.page, q.section, q.passage_id,
                         q.citation + (f" ({OCR_NOTE})" if q.note == OCR_NOTE else "")])
        # A passage quoted under an earlier heading is listed again here: in a spreadsheet each
        # question's rows should hold all its evidence.
        quoted = _quoted_under(doc)
        for pid in section.see_also:
            if pid in quoted:
                q, heading = quoted[pid]
                rows.append([section.heading, q.text, q.title,
                             "" if q.page is None else q.page, q.section, q.passage_id,
                             f"{q.citation} (also under: {heading})"])
        if section.note:
            rows.append([section.heading, "", "", "", "", "", section.note])
    for w in left_out_lines(doc):
        rows.append(["", "", "", "", "", "", f"Left out: {w}"])
    id_column = CSV_COLUMNS.index("id")
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow(row[:id_column] + row[id_column + 1:] if doc.handout else row)
    return buf.getvalue()
