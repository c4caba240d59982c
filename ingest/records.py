"""Typed records passed from ingest to index: a read document and the passages cut from it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # records sit below the block model; the name is for type checkers only
    from .blocks import Block


@dataclass(frozen=True)
class DocumentInfo:
    """Who and what a document is: from catalog.csv, an upload's sidecar, or the file itself."""

    file: str  # path relative to the corpus folder, with forward slashes
    title: str
    short_title: str
    author: str = ""
    year: str = ""
    doc_type: str = "report"  # report | briefing | vignette
    original_name: str = ""  # for uploads: the name the user gave; never used as a path
    added: str = ""  # ISO date the file was first indexed or uploaded
    url: str = ""  # saved web pages: the page's canonical URL (never fetched)


@dataclass(frozen=True)
class Page:
    """Normalised text of one page. `number` is 1-based; None for formats without pages."""

    number: int | None
    text: str
    label: str | None = None  # printed page label ("iv", "12") where the PDF defines one


@dataclass
class Document:
    info: DocumentInfo
    sha256: str
    pages: list[Page]
    warnings: list[str] = field(default_factory=list)
    page_count: int | None = None  # pages in the file, including ones with no text
    # The reader's typed blocks (headings, paragraphs, items, tables, footnotes with their
    # pages and line boxes) for formats whose structure the file itself gives (PDF, DOCX).
    # None: the chunker rebuilds structure from the pages' text (.txt, .md).
    blocks: list[Block] | None = None
    ocr_pages: list[int] = field(default_factory=list)  # pages whose text was read by OCR


@dataclass
class Passage:
    """A quotable piece of a document with everything needed to cite it."""

    id: str
    doc_sha256: str
    file: str
    title: str
    short_title: str
    doc_type: str
    ordinal: int  # position within the document, for "show in context"
    text: str  # verbatim (after normalisation); lines are paragraphs or list items
    section: list[str]  # heading path, outermost first
    page_start: int | None = None
    page_end: int | None = None
    page_label: str | None = None
    kind: str = "text"  # text | list | table | contents | footnote | vignette
    key_dimensions: dict[str, str] = field(default_factory=dict)
    # Where its lines are printed: [page, x0, top, x1, bottom] in PDF points from the page's
    # top-left corner, for drawing the cited page with the passage highlighted.
    boxes: list[list[float]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)  # tables: header row, then its rows
    page_end_label: str | None = None  # printed label of the last page, where the PDF has them
    ocr: bool = False  # its text was read by OCR from a scanned page
    # evidence | apparatus (ingest/roles.py): apparatus (how the study was done, about the
    # document, contents, link lists, blank templates, session outlines) is searchable but
    # never an "In short" nor ranked above evidence. An index from before issue 22 has no
    # role: its passages read back as evidence.
    role: str = "evidence"

    @property
    def page(self) -> int | None:
        return self.page_start

    @property
    def section_label(self) -> str:
        return " › ".join(self.section)

    @property
    def citation(self) -> str:
        """How the passage is cited: short title, page (printed label if any), section."""
        parts = [self.short_title]
        if self.page_label and self.page_label.startswith("slide "):  # PowerPoint
            last = f"-{self.page_end}" if self.page_end and self.page_end != self.page_start \
                else ""
            parts.append(f"slide{'s' if last else ''} {self.page_start}{last}")
        elif self.page_start is not None:
            label = self.page_label or str(self.page_start)
            if self.page_end and self.page_end != self.page_start:
                end = self.page_end_label or str(self.page_end)
                if bool(self.page_label) != bool(self.page_end_label):
                    label, end = str(self.page_start), str(self.page_end)  # never mix the two
                parts.append(f"pp. {label}-{end}")
            else:
                parts.append(f"p. {label}")
        if self.section:
            parts.append(f"§ {self.section_label}")
        return ", ".join(parts)

    def embedding_text(self) -> str:
        """Title and heading path go in with the text so a passage keeps its context."""
        head = " › ".join([self.short_title, *self.section])
        return f"{head}\n{self.embedding_body()}"

    def embedding_body(self) -> str:
        """The text the model sees: the omission mark is for readers of the quote and says
        nothing about the subject."""
        return "\n".join(line for line in self.text.split("\n") if line != "[…]")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Passage:
        return cls(**data)
