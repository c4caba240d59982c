"""Issue 21, PDF side: structure that holds on documents typeset in styles the readers were not
written for (the typesetting matrix of tests/typeset.py), page furniture on every kind of page,
code blocks, key/value tables, captions, and structure sources that fail falling back.

The held-out styles (typeset.HELD_OUT) are not used here: they are measured once, at the end,
by bench/structure.py, and reported apart."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from shared_data import DOCLING
from typeset import MATRIX, Element, Style, matrix_documents, typeset

from ingest import chunk_document, read_document

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.structure import heading_keys_of, parse_truth, score  # noqa: E402


def _read(path: Path):
    doc = read_document(path, path.parent, {})
    return doc, chunk_document(doc)


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    out = tmp_path_factory.mktemp("matrix")
    return {m.name: m for m in matrix_documents(out)}


def _score(m):
    doc, passages = _read(m.path)
    return doc, passages, score(m.name, "matrix", passages, parse_truth(m.markdown),
                                heading_keys_of(doc))


@pytest.mark.parametrize("style", [s.name for s in MATRIX])
@pytest.mark.parametrize("seed", ["briefing", "synopsis"])
def test_matrix_structure(matrix, seed, style):
    """Every tuned style: sections right and headings found at 95% or more, table rows whole,
    all the words kept."""
    _doc, _passages, fs = _score(matrix[f"{seed}-{style}"])
    misses = "\n".join(fs.misses[:12])
    assert fs.sections_right >= 0.95 * fs.sections_total, misses
    assert fs.headings_found >= 0.95 * fs.headings_total, misses
    assert fs.rows_whole == fs.rows_total, misses
    assert fs.words_found >= 0.98 * fs.words_total, misses


def test_wrapped_numbered_clause_is_its_section(matrix):
    """The issue's report: level-3 numbered clauses at 12.5 pt bold wrap onto a second line
    starting in lower case; each is the section of the list under it, nested under its "8."."""
    _doc, passages = _read(matrix["briefing-serif-wrapped"].path)
    sections = {tuple(p.section) for p in passages}
    assert ("Part II", "8. Proposed training 1/2 day sessions on",
            "8.5 Setting up a federation/ MAT the mechanics, and first steps") in sections
    wrapped = "2.1 Research evidence suggests that the following conditions are likely to " \
              "result in successful federations/ MATs"
    assert any(p.section[-1:] == [wrapped] for p in passages), sorted(sections)


def test_furniture_never_quoted(matrix):
    """Running heads, "Page N of M" and "10 | Title" footers are not in any passage."""
    import re

    for m in matrix.values():
        _doc, passages = _read(m.path)
        pats = [re.compile(f) for f in m.furniture]
        hits = [ln for p in passages for ln in p.text.split("\n") if any(
            pat.search(ln) for pat in pats)]
        assert not hits, (m.name, hits[:3])


def test_one_odd_line_does_not_disqualify_a_style(tmp_path):
    """A heading style whose one use is a long line starting in lower case (an odd line)
    still sets the other headings."""
    spec = [Element("h", "Alpha section", level=2),
            Element("p", "Body text of the alpha section, long enough to be the body. " * 3),
            Element("h", "a lower-case heading line that runs on", level=2),
            Element("p", "Body of the odd one. " * 5),
            Element("h", "Beta section", level=2),
            Element("p", "Body text of the beta section, long enough to be the body. " * 3)]
    ts = typeset(spec, tmp_path / "odd.pdf", style=Style(head_sizes=(14, 11, 10),
                                                          body_size=10))
    _doc, passages = _read(ts.path)
    sections = [p.section[-1] if p.section else "" for p in passages]
    assert "Alpha section" in sections and "Beta section" in sections, sections


needs_docling = pytest.mark.skipif(DOCLING is None, reason="../shared/docling/ not present")


@needs_docling
def test_docling_page_cut_from_a_paper():
    """One page of an arXiv paper: its one bookmark (the paper's title) gives way to the
    typography, so "5.1 Hyper Parameter Optimization" is a section, and the running head
    "Optimized Table Tokenization ... | 9" is furniture, not a heading."""
    doc, passages = _read(DOCLING / "2305.03393v1-pg9.pdf")
    sections = {p.section_label for p in passages}
    assert {"5.1 Hyper Parameter Optimization", "5.2 Quantitative Results"} <= sections
    assert not any("| 9" in p.text for p in passages)
    assert any("single entry" in w for w in doc.warnings)


@needs_docling
def test_docling_figures_title_and_picture_bullets():
    """"Figures Example" is a title, not a caption; a bullet drawn as a Wingdings control
    code never costs the item its first letter ("They work ...", not "hey work ...")."""
    _doc, passages = _read(DOCLING / "picture_classification.pdf")
    assert {p.section_label for p in passages} == {"Figures Example"}
    _doc, passages = _read(DOCLING / "table_mislabeled_as_picture.pdf")
    text = "\n".join(p.text for p in passages)
    assert "• They work in parallel" in text and "• hey " not in text
    assert "Global Study on Legal Aid" not in text  # the footer "208 | Global Study ..."


def test_captions_are_blocks_of_their_own_in_text():
    """Issue 21/22: "Graph A: ..." in the seed synopsis is a caption, never joined to the
    sentence that follows it; nor are "Figure 2 ..." and "Table 1 ..." lines."""
    from ingest.readers import read_text
    from ingest.structure import parse_blocks

    blocks = parse_blocks(read_text(ROOT / "corpus" / "leadership-of-learning-synopsis.txt").pages)
    graph = next(b for b in blocks if b.text.startswith("Graph A:"))
    assert graph.kind == "caption"
    assert graph.text == ("Graph A: Balance between localisation and centralisation and "
                          "interaction with the size of the trust")
    from ingest.records import Page

    page = Page(number=None, text="The trusts grew quickly in the period.\nFigure 2 Growth of "
                                  "trusts by year\nMost trusts added schools every year.\n"
                                  "Table 1: Schools by phase\nPrimary schools were the most "
                                  "common.")
    kinds = [(b.kind, b.text) for b in parse_blocks([page])]
    assert ("caption", "Figure 2 Growth of trusts by year") in kinds
    assert ("caption", "Table 1: Schools by phase") in kinds
