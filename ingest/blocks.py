"""The seam between the format readers and the rest of ingest: the block model every reader
produces and the contract every reader keeps. Readers (ingest/readers.py for PDF and text,
docx_reader, pptx_reader, html_reader) import from here; the chunker imports `Block` from here;
nothing here imports a reader, so no module imports its own importer.

The contract: a reader is a function `Path -> ReadResult` that either returns the file's pages
(normalised text, for display and page citations), its blocks when the format gives its own
structure (headings with levels, paragraphs, list items, tables with cells, captions,
footnotes), and the warnings a person should read (what was skipped or guessed), or raises
`ReadError` with a reason a person can act on. It never loses text silently: anything it
cannot place in a block is either in the pages' text or named in a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .records import Page

MIN_TEXT_CHARS = 1  # "test example" is a real one-line PDF: any text at all counts

# Block kinds: heading | para | item | table | caption | footnote (PDF) | code (PDF, HTML) |
# formula (PDF, Word, HTML): code and formulas are kept verbatim, line by line.


@dataclass
class Block:
    kind: str  # heading | para | item | table | caption | footnote | contents | code | formula
    lines: list[str]
    page_start: int | None
    page_end: int | None
    page_label: str | None = None
    level: int = 0  # headings: 0 = part, 1 = top-level section, ...
    numbered: bool = False
    blank_before: bool = False
    echoed: bool = False  # a numbered heading whose line is also kept as body text
    source: str = ""  # headings: the line as printed, when the title differs ("... on:")
    line_pages: list[int | None] | None = None  # page of each line, for exact citations
    # PDF readers: the boxes (page, x0, top, x1, bottom in points) each line was printed in.
    line_boxes: list[list[tuple]] | None = None
    rows: list[list[str]] | None = None  # tables: the cells, header row first
    synthetic: bool = False  # an outline heading not found in the text, placed at its page
    # Reading state of the PDF layout pass; not part of the record.
    last_line: Any = field(default=None, repr=False, compare=False)
    style: Any = field(default=None, repr=False, compare=False)
    indent: float = field(default=0.0, repr=False, compare=False)

    def to_json(self) -> dict:
        return {"kind": self.kind, "lines": self.lines, "page_start": self.page_start,
                "page_end": self.page_end, "page_label": self.page_label, "level": self.level,
                "numbered": self.numbered, "source": self.source, "line_pages": self.line_pages,
                "line_boxes": self.line_boxes, "rows": self.rows, "synthetic": self.synthetic}

    @classmethod
    def from_json(cls, data: dict) -> Block:
        boxes = data.get("line_boxes")
        return cls(**{**data, "line_boxes": [[tuple(b) for b in lb] for lb in boxes]
                      if boxes else None})

    def page_of_line(self, i: int) -> int | None:
        if self.line_pages and i < len(self.line_pages):
            return self.line_pages[i]
        return self.page_start

    @property
    def text(self) -> str:
        return " ".join(self.lines)

    @property
    def words(self) -> int:
        return len(self.text.split())


class ReadError(Exception):
    """A file that cannot be indexed. `reason` is a short code, str(err) the plain message."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class ReadResult:
    """What every format reader returns."""

    pages: list[Page]
    page_count: int | None
    title: str = ""  # the file's own title metadata, used when the catalog has none
    warnings: list[str] | None = None
    # Typed blocks when the format gives its own structure; None: the chunker rebuilds it
    # from the pages' text (.txt, .md).
    blocks: list[Block] | None = None
    ocr_pages: list[int] | None = None  # pages whose text was read by OCR (ingest/ocr.py)
    meta: dict[str, str] | None = None  # web pages: canonical url, date, year


Reader = Callable[[Path], ReadResult]
