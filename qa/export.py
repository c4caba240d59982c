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

    @classmethod
    def from_passage(cls, p: Passage, highlight: list[str] | None = None) -> CitedQuote:
        return cls(p.id, p.text, p.file, p.title, p.citation, p.page, p.section_label,
                   list(highlight or []))


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
            out += ["> " + line if line else ">" for line in q.text.split("\n")]
            out += ["", f"— {q.citation} · id `{q.passage_id}`", ""]
        if section.see_also:
            out += ["See also: " + ", ".join(f"`{pid}`" for pid in section.see_also)
                    + " (quoted above).", ""]
    if doc.references:
        out += ["## References", ""]
        out += [f"{i}. {r.text()}" for i, r in enumerate(doc.references, 1)]
        out.append("")
    return "\n".join(out)


def to_docx(doc: ExportDocument, path: Path) -> Path:
    import docx
    from docx.shared import Pt

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
            for line in q.text.split("\n"):
                d.add_paragraph(line, style="Quote")
            cite = d.add_paragraph()
            run = cite.add_run(f"— {q.citation} · id {q.passage_id}")
            run.font.size = Pt(9)
        if section.see_also:
            d.add_paragraph("See also: " + ", ".join(section.see_also) + " (quoted above).")
    if doc.references:
        d.add_heading("References", level=1)
        for r in doc.references:
            d.add_paragraph(r.text(), style="List Number")
    path = Path(path)
    d.save(str(path))
    return path


CSV_COLUMNS = ["question", "quote", "title", "page", "section", "id", "citation"]


def to_csv(doc: ExportDocument) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for section in doc.sections:
        for q in section.quotes:
            writer.writerow([section.heading, q.text, q.title,
                             "" if q.page is None else q.page, q.section, q.passage_id,
                             q.citation])
        if not section.quotes and section.note:
            writer.writerow([section.heading, "", "", "", "", "", section.note])
    return buf.getvalue()
