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

    def text(self) -> str:
        who = self.author or "Author not stated"
        year = self.year or "n.d."
        kind = f" [{self.doc_type}]" if self.doc_type else ""
        return f"{who} ({year}). {self.title}.{kind} File: {self.file}."


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


def _see_also_lines(doc: ExportDocument, section: ExportSection) -> list[tuple[str, str, str]]:
    """(citation, passage id, heading it is quoted under) for each of a section's see-also ids."""
    quoted = _quoted_under(doc)
    out = []
    for pid in section.see_also:
        q, heading = quoted.get(pid, (None, ""))
        out.append((q.citation if q else "", pid, heading))
    return out


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
            out += ["**In short:** " + " ".join(f"“{a}”" for a in section.answer), ""]
        for q in section.quotes:
            # One quoted paragraph per line of the passage (a bare ">" between them, or
            # Markdown would run the lines together); list items stay list items.
            lines = [line for line in q.text.split("\n") if line.strip()]
            for i, line in enumerate(lines):
                if i:
                    out.append(">")
                out.append("> " + line)
            note = f" · {q.note}" if q.note else ""
            out += ["", f"— {q.citation} · id `{q.passage_id}`{note}", ""]
        if section.see_also:
            out += ["Also relevant, quoted above:", ""]
            for citation, pid, heading in _see_also_lines(doc, section):
                under = f" (under “{_short(heading)}”)" if heading else ""
                out.append(f"- {citation + ' · ' if citation else ''}id `{pid}`{under}")
            out.append("")
    if doc.warnings:
        out += ["## Left out of this pack", ""]
        out += [f"- {w}" for w in doc.warnings]
        out.append("")
    if doc.references:
        out += ["## References", ""]
        out += [f"{i}. {r.text()}" for i, r in enumerate(doc.references, 1)]
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
            para.add_run(" ".join(f"“{a}”" for a in section.answer))
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
            cite = d.add_paragraph()
            note = f" · {q.note}" if q.note else ""
            run = cite.add_run(f"— {q.citation} · id {q.passage_id}{note}")
            run.font.size = Pt(9)
        if section.see_also:
            d.add_paragraph("Also relevant, quoted above:")
            for citation, pid, heading in _see_also_lines(doc, section):
                under = f" (under “{_short(heading)}”)" if heading else ""
                d.add_paragraph(f"{citation + ' · ' if citation else ''}id {pid}{under}",
                                style="List Bullet")
    if doc.warnings:
        d.add_heading("Left out of this pack", level=1)
        for w in doc.warnings:
            d.add_paragraph(w, style="List Bullet")
    if doc.references:
        d.add_heading("References", level=1)
        for r in doc.references:
            d.add_paragraph(r.text(), style="List Number")
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
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for section in doc.sections:
        for q in section.quotes:
            writer.writerow([section.heading, q.text, q.title,
                             "" if q.page is None else q.page, q.section, q.passage_id,
                             q.citation + (f" ({OCR_NOTE})" if q.note == OCR_NOTE else "")])
        # A passage quoted under an earlier heading is listed again here: in a spreadsheet each
        # question's rows should hold all its evidence.
        quoted = _quoted_under(doc)
        for pid in section.see_also:
            if pid in quoted:
                q, heading = quoted[pid]
                writer.writerow([section.heading, q.text, q.title,
                                 "" if q.page is None else q.page, q.section, q.passage_id,
                                 f"{q.citation} (also under: {heading})"])
        if section.note:
            writer.writerow([section.heading, "", "", "", "", "", section.note])
    for w in doc.warnings:
        writer.writerow(["", "", "", "", "", "", f"Left out: {w}"])
    return buf.getvalue()
