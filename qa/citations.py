"""Citations that stay true: resolve a passage id, and check quotes against the source."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index import LoadedIndex
from ingest import Passage, ReadError, load_catalog, read_document
from ingest.normalise import is_verbatim as quote_is_verbatim
from ingest.normalise import match_key


@dataclass
class Resolution:
    id: str
    status: str  # current | retired | unknown
    passage: Passage | None = None
    context: list[Passage] = field(default_factory=list)
    retired: dict[str, Any] | None = None
    closest: Passage | None = None
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "status": self.status, "message": self.message,
            "passage": self.passage.to_json() | {"citation": self.passage.citation}
            if self.passage else None,
            "context": [p.id for p in self.context],
            "closest": self.closest.to_json() | {"citation": self.closest.citation}
            if self.closest else None,
        }

    def text(self) -> str:
        lines = []
        if self.status == "current":
            p = self.passage
            lines += [f"{p.id}  {p.citation}", f"Document: {p.title} ({p.file})", ""]
            for q in self.context:
                marker = ">>" if q.id == p.id else "  "
                for para in q.text.split("\n"):
                    lines.append(textwrap.fill(para, 100, initial_indent=f"{marker} ",
                                               subsequent_indent=f"{marker} "))
                lines.append("")
        else:
            lines.append(self.message)
            if self.retired:
                lines += ["", "The passage as it was cited:"]
                lines += [textwrap.fill(t, 100, initial_indent="   ", subsequent_indent="   ")
                          for t in self.retired.get("text", "").split("\n")]
            if self.closest:
                c = self.closest
                lines += ["", f"Closest current passage: {c.id}  {c.citation}"]
                lines += [textwrap.fill(t, 100, initial_indent="   ", subsequent_indent="   ")
                          for t in c.text.split("\n")]
        return "\n".join(lines).rstrip() + "\n"


def resolve(index: LoadedIndex, passage_id: str, context: int = 1) -> Resolution:
    passage = index.passage(passage_id)
    if passage is not None:
        return Resolution(passage_id, "current", passage,
                          index.neighbours(passage_id, context, context),
                          message="current")
    row = index.retired(passage_id)
    if row is None:
        return Resolution(passage_id, "unknown",
                          message=f"No passage with id {passage_id} in this index or its history.")
    closest = closest_passage(index, row.get("text", ""), row.get("file", ""))
    when = row.get("retired", "")
    message = (f"Passage {passage_id} is no longer in the index: {row.get('reason', 'it changed')}"
               f"{' (noticed ' + when + ')' if when else ''}. It was cited as "
               f"{row.get('short_title', row.get('file', ''))}, {row.get('file', '')}.")
    return Resolution(passage_id, "retired", retired=row, closest=closest, message=message)


def closest_passage(index: LoadedIndex, text: str, file: str = "") -> Passage | None:
    """The current passage most like `text` (BM25: no model load), preferring its own file."""
    if not index.passages or not text.strip():
        return None
    scores = index.lexical.scores(text, len(index.passages))
    rows = index.by_file.get(file)
    if rows:
        best = max(rows, key=lambda i: scores[i])
        if scores[best] > 0:
            return index.passages[best]
    best = int(np.argmax(scores))
    return index.passages[best] if scores[best] > 0 else None


def source_key(corpus_dir: Path, file: str) -> str | None:
    """The file's current normalised text as a match key, or None if it cannot be read."""
    path = Path(corpus_dir) / file
    if not path.is_file():
        return None
    try:
        doc = read_document(path, Path(corpus_dir), load_catalog(Path(corpus_dir)))
    except ReadError:
        return None
    return match_key("\n".join(page.text for page in doc.pages))


def is_verbatim(quote: str, key: str) -> bool:
    """Every piece of the quote between its "[…]" marks occurs in the source, in order (line
    breaks and hyphens aside)."""
    return quote_is_verbatim(quote, key)
