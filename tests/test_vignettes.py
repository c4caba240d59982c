"""Vignettes as structured cases (ingest/vignettes.py): every key-dimension field kept as
written, school counts as numbers, scales placed only where the text says, warnings that name
the field. The fixtures are written by tests/data/make_vignettes.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ingest import chunk_document, read_document
from ingest.vignettes import (
    NOT_STATED,
    canonical_field,
    parse_key_dimensions_block,
    parse_schools,
    scale_position,
    scale_word,
)

DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(DATA))
import make_vignettes as mv  # noqa: E402


def expected_fields(v) -> dict[str, str]:
    """What the generator wrote, as field name -> value (a field given twice: both, "; ")."""
    out: dict[str, str] = {}
    for label, value in v["dims"]:
        name = canonical_field(label) or f"other:{label}"
        out[name] = f"{out[name]}; {value}" if name in out else value
    return out


def _read(path: Path):
    doc = read_document(path, path.parent, {})
    return doc, chunk_document(doc)


def test_generator_output_is_checked_in_and_reproducible(tmp_path):
    mv.main(["make_vignettes.py", str(tmp_path)])
    for folder in ("vignettes", "vignettes-bad", "vignettes-extra", "vignettes-pdf-ruled"):
        made = sorted(p.name for p in (tmp_path / folder).iterdir())
        assert made == sorted(p.name for p in (DATA / folder).iterdir())
        for name in made:
            assert (tmp_path / folder / name).read_bytes() == (DATA / folder / name).read_bytes(), name


def test_at_least_twelve_vignettes_in_varied_formats():
    assert len(mv.VIGNETTES) >= 12
    assert {v["format"] for v in mv.VIGNETTES} >= {"docx-lines", "docx-table", "pdf-lines",
                                                  "pdf-table", "md-list", "md-table", "txt"}
    sizes = [parse_schools(dict(v["dims"])[mv.N])[0]["total"] for v in mv.VIGNETTES]
    assert min(sizes) <= 2 and max(sizes) >= 16


@pytest.mark.parametrize("v", mv.VIGNETTES, ids=lambda v: v["slug"])
def test_every_field_kept_as_written(v):
    doc, passages = _read(DATA / "vignettes" / mv.file_name(v))
    assert len(passages) == 1 and passages[0].kind == "vignette"
    assert passages[0].key_dimensions == expected_fields(v)
    assert doc.info.title == v["title"]
    assert doc.warnings == []


@pytest.mark.parametrize("text, counts, problem", [
    ("5 (3 primary, 2 secondary)", {"total": 5, "primary": 3, "secondary": 2}, ""),
    ("5 schools - 4 P: 1 S", {"total": 5, "primary": 4, "secondary": 1}, ""),
    ("7 Schools - 0 P: 7 S (4 UTC, 1 SS)",
     {"total": 7, "primary": 0, "secondary": 7, "utc": 4, "studio": 1}, ""),
    ("3 primary schools", {"total": 3, "primary": 3}, ""),
    ("one all-through school", {"total": 1, "all_through": 1}, ""),
    ("4 (4 special)", {"total": 4, "special": 4}, ""),
    ("5 schools - 4 P: 2 S", {"total": 5, "primary": 4, "secondary": 2}, "does not add up"),
    ("see the chart", {}, "could not be read"),
])
def test_number_of_schools_as_numbers(text, counts, problem):
    got, why = parse_schools(text)
    assert got == counts
    assert (problem in why) if problem else why == ""


@pytest.mark.parametrize("name, text, position", [
    ("decision_making", "more local", 2), ("decision_making", "more central", 4),
    ("decision_making", "highly central", 5), ("decision_making", "balanced", 3),
    ("decision_making", "balanced between local and central", 3),
    ("decision_making", "see diagram", None), ("evaluation", "informal", 2),
    ("evaluation", "formal", 4), ("stage", "evolving", 4), ("stage", "settled", 2),
])
def test_scales_are_ordered_and_not_guessed(name, text, position):
    assert scale_position(name, text) == position
    if position is None:
        assert scale_word(name, position) == NOT_STATED


@pytest.mark.parametrize("slug, words", [
    ("missing-field", "no “Evaluation of school improvement” field"),
    ("field-twice", "“Distribution” is given twice"),
    ("not-adding-up", "“Number of schools” does not add up"),
    ("unknown-dimension", "unknown dimension “Trust colour”"),
    ("empty-block", "the block is empty"),
])
def test_bad_vignettes_are_indexed_with_a_warning_naming_the_field(slug, words):
    v = next(x for x in mv.BAD if x["slug"] == slug)
    doc, passages = _read(DATA / "vignettes-bad" / mv.file_name(v))
    assert len(passages) == 1 and passages[0].kind == "vignette"
    assert any(words in w for w in doc.warnings), doc.warnings
    assert passages[0].key_dimensions == expected_fields(v)  # nothing dropped


def test_a_document_that_mentions_key_dimensions_is_not_a_vignette():
    doc, passages = _read(DATA / "vignettes-bad" / "notes-on-comparing-trusts.txt")
    assert all(p.kind != "vignette" for p in passages)
    assert doc.warnings == []


def test_label_and_value_on_separate_lines_and_unlabelled_lines_kept():
    v = parse_key_dimensions_block(["Number of schools", "3 (3 primary)", "Distribution",
                                    "local", "a stray remark", "Model of delegation",
                                    "Mix of context: rural"])
    values = v.values()
    assert values["number_of_schools"] == "3 (3 primary)" and values["distribution"] == "local"
    assert values["other:(unlabelled)"] == "a stray remark"
    assert values["delegation"] == "" and values["urban_rural"] == "rural"
    assert any("“Model of delegation” has no value" in w for w in v.warnings)
    assert any("a stray remark" in w for w in v.warnings)


def test_bad_vignettes_show_their_warnings_in_the_sources_table(tmp_path):
    import shutil

    from index import EmbedSettings, IndexSettings, build_index, load_index
    from ui.sources import source_rows

    corpus = tmp_path / "corpus"
    shutil.copytree(DATA / "vignettes-bad", corpus)
    build_index(corpus, tmp_path / "index", IndexSettings(embed=EmbedSettings(model="fake")))
    rows = {r["file"]: r for r in source_rows(load_index(tmp_path / "index"), corpus)}
    assert len(rows) == len(mv.BAD) + 1 and all(r["indexed"] for r in rows.values())
    assert "“Number of schools” does not add up" in rows["vignette-not-adding-up.txt"]["status"]
    assert "unknown dimension “Trust colour”" in rows["vignette-unknown-dimension.docx"]["status"]
    assert rows["notes-on-comparing-trusts.txt"]["status"] == "indexed"


def test_the_synopsis_template_with_graphical_scales_is_read_without_guessing():
    """The synopsis's annotated example vignette (corpus/) shows most dimensions only as
    graphics: labels with no value, a colour key, footnote markers after "UTC" and "SS"."""
    lines = (DATA.parent.parent / "corpus" / "leadership-of-learning-synopsis.txt").read_text(
        encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == "Key dimensions")
    v = parse_key_dimensions_block(lines[start + 1:start + 30])
    values = v.values()
    assert values["number_of_schools"].startswith("7 Schools - 0 P: 7 S (4 UTC1, 1 SS2)")
    assert v.schools == {"total": 7, "primary": 0, "secondary": 7, "utc": 4, "studio": 1}
    assert values["decision_making"] == "Green = more local Yellow – more central"  # as written
    assert v.scales["decision_making"] is None  # a colour key is not a position
    assert v.scales["evaluation"] is None
    assert any("“Approach to governance” has no value" in w for w in v.warnings)


def test_pdf_vignette_with_a_ruled_key_dimensions_table(tmp_path):
    """Issue 21: Key dimensions as a ruled two-column table (labels down the first column, no
    header row) keep every field: the first row is no header whose label goes on every cell."""
    v = {**next(x for x in mv.VIGNETTES if x["slug"] == "thornwick"), "format": "pdf-ruled"}
    path = tmp_path / mv.file_name(v)
    path.write_bytes(mv._pdf(v))
    doc, passages = _read(path)
    assert len(passages) == 1 and passages[0].kind == "vignette"
    assert passages[0].key_dimensions == expected_fields(v)
    for label, value in v["dims"]:
        assert f"{label}: {value}" in passages[0].text
    from qa.trusts import trust_from_passage  # what `qa trusts` shows: every field

    assert trust_from_passage(passages[0]).fields == expected_fields(v)
