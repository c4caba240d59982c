"""Issue 21, round 9: right-to-left text (Arabic, Hebrew) in logical order.

A PDF whose producer drew right-to-left text glyph by glyph from the left gives it to pdfminer
in visual order: every Arabic word comes out reversed ("ةغلب" for "بلغة"), unsearchable and
unquotable. A line whose letters are mostly right-to-left is put in logical order (the
Unicode bidirectional algorithm's reordering, undone): runs of R/AL letters are reversed, Latin
words and numbers inside them keep their own order. A line already in logical order (its
right-to-left glyphs drawn from the right) is left as it is. Docling's right_to_left_*.pdf are
read in place from ../shared/docling when it is there, against docling's Markdown beside them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from shared_data import DOCLING

from ingest import chunk_document, read_document
from ingest.pdf_layout import _in_visual_order, visual_to_logical


def _logical(visual: str) -> str:
    return "".join(visual_to_logical(list(visual)))


def test_arabic_words_reversed_latin_and_numbers_kept():
    # Logical "بلغة R و Python 3.12" drawn from the left: "Python" leftmost, Arabic reversed.
    assert _logical("3.12 Python و R ةغلب") == "بلغة R و Python 3.12"
    assert _logical("ةغلب 2020 ماع") == "عام 2020 بلغة"
    # a bracket drawn in a right-to-left run is drawn mirrored: "(" on the left closes it
    assert _logical("(ماع) ةغلب") == "بلغة (عام)"
    assert _logical("םולש") == "שלום"


class _Char:
    def __init__(self, text: str, x0: float):
        self.text, self.x0 = text, x0

    def get_text(self) -> str:
        return self.text


def test_line_stored_in_logical_order_is_not_reversed_again():
    word = "بلغة"  # stored first letter first, drawn from the right: logical already
    assert not _in_visual_order([_Char(ch, 100 - 6 * i) for i, ch in enumerate(word)])
    assert _in_visual_order([_Char(ch, 100 + 6 * i) for i, ch in enumerate(word[::-1])])
    latin = "Python and R"  # mostly Latin: left as it is
    assert not _in_visual_order([_Char(ch, 6 * i) for i, ch in enumerate(latin + " وب")])


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


RTL_FILES = sorted(p.name for p in (DOCLING or Path("/nonexistent")).glob("right_to_left_*.pdf")
                   if p.with_suffix(".md").exists())


@pytest.mark.skipif(not RTL_FILES, reason="../shared/docling/right_to_left_*.pdf not present")
@pytest.mark.parametrize("name", RTL_FILES)
def test_docling_right_to_left_words_in_logical_order(name):
    path = DOCLING / name
    doc = read_document(path, path.parent, {})
    passages = chunk_document(doc)
    ours = set(_words(" ".join([p.text for p in passages]
                               + [s for p in passages for s in p.section])))
    truth = [w for w in _words(path.with_suffix(".md").read_text(encoding="utf-8"))
             if any(ord(ch) > 0x590 for ch in w)]
    assert truth
    found = sum(w in ours for w in truth)
    assert found >= 0.9 * len(truth), (found, len(truth))
    # the heading whole, its Latin words where they stand, though pdfminer cut it in four
    headings = [ln[3:].strip() for ln in path.with_suffix(".md").read_text(
        encoding="utf-8").splitlines() if ln.startswith("## ")]
    assert headings and all(h in [b.text for b in doc.blocks if b.kind == "heading"]
                            for h in headings), [b.text for b in doc.blocks][:3]
