"""The trusts side by side (qa/trusts.py): the table against what the vignette generator wrote,
filters, questions about the set, CSV/Word exports with references, the CLI and `/trusts`."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from index import load_index
from qa import eval_trusts
from qa.trusts import (
    WhereError,
    answer_set_question,
    filter_trusts,
    parse_where,
    to_csv,
    to_docx,
    trust_table,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
sys.path.insert(0, str(DATA))
import make_vignettes as mv  # noqa: E402
from test_vignettes import expected_fields  # noqa: E402


@pytest.fixture(scope="module")
def vignette_index(tmp_path_factory) -> Path:
    return eval_trusts.fixture_index(tmp_path_factory.mktemp("trusts"))


@pytest.fixture(scope="module")
def trusts(vignette_index):
    return trust_table(load_index(vignette_index))


def test_every_field_of_every_vignette_is_in_the_table_as_written(trusts):
    by_name = {t.name: t for t in trusts}
    assert len(trusts) == len(mv.VIGNETTES) + 2  # with Oakmoor and Riverbend
    for v in mv.VIGNETTES:
        t = by_name[v["title"]]  # a trust's name is its vignette's title
        assert t.fields == expected_fields(v)
        assert t.file == mv.file_name(v) and t.citation and t.passage_id
    header, *rows = list(csv.reader(io.StringIO(to_csv(trusts))))
    for v in mv.VIGNETTES:
        row = next(r for r in rows if r[0] == v["title"])
        for _label, value in v["dims"]:
            assert value in row, (v["slug"], value)


def test_schools_and_scales_are_numbers(trusts):
    by_slug = {t.file: t for t in trusts}
    salt = by_slug["vignette-saltmarsh.pdf"]
    assert salt.schools == {"total": 7, "primary": 0, "secondary": 7, "utc": 4, "studio": 1}
    assert salt.citation.endswith("p. 1")  # a PDF vignette is cited by page
    assert by_slug["vignette-penhallow.pdf"].scales["decision_making"] is None
    assert by_slug["vignette-penhallow.pdf"].scale_word("decision_making") == "not stated"
    assert by_slug["vignette-greyfriars.md"].scales["decision_making"] == 5


def test_where_filters(trusts):
    big = filter_trusts(trusts, [parse_where("schools>8")])
    assert {t.schools["total"] for t in big} == {10, 12, 16}
    rural_peer = filter_trusts(trusts, [parse_where("Mix of context=rural"),
                                        parse_where("improvement_priorities=peer review")])
    assert sorted(t.file for t in rural_peer) == ["vignette-kestrel-vale.md",
                                                  "vignette-larkspur.docx"]
    not_stated = filter_trusts(trusts, [parse_where("decision_making=not stated")])
    assert [t.file for t in not_stated] == ["vignette-penhallow.pdf"]
    with pytest.raises(WhereError):
        parse_where("colour=teal")
    with pytest.raises(WhereError):
        parse_where("schools>many")


def test_set_questions_list_matching_trusts_with_values_and_citations(trusts):
    found = answer_set_question("Which trusts are rural?", trusts)
    names = {t["name"] for t in found.trusts}
    assert "Oakmoor Federation of Village Schools (fictional)" in names
    assert "Harrowfield Academies Trust (fictional)" not in names  # mixed, not rural
    assert all(t["matched"] == {"urban_rural": "rural"} and t["citation"] and t["passage_id"]
               for t in found.trusts)
    none = answer_set_question("Which trusts are coastal?", trusts)
    assert none.trusts == [] and "coastal" in none.message
    assert answer_set_question("What goes wrong when trusts grow too fast?", trusts) is None


def test_set_question_evaluation_reports_precision_and_recall(trusts):
    report = eval_trusts.evaluate(trusts, eval_trusts.load())
    assert report["set_questions"] >= 15
    assert report["micro_precision"] >= 0.9 and report["micro_recall"] >= 0.9
    assert report["taken_for_set_questions"] == 0
    # The held-out questions are answered over the extra vignettes too, with the model:
    # tests/test_trust_questions.py.


def test_word_export_has_a_reference_for_every_vignette(trusts, vignette_index, tmp_path):
    import docx

    shown = filter_trusts(trusts, [parse_where("distribution=local")])
    path = to_docx(shown, tmp_path / "t.docx", load_index(vignette_index))
    d = docx.Document(str(path))
    table_text = [c.text for row in d.tables[0].rows for c in row.cells]
    paragraphs = [p.text for p in d.paragraphs]
    refs = paragraphs[paragraphs.index("References") + 1:]
    assert len(refs) == len(shown)
    for i, t in enumerate(shown, 1):
        assert any(cell.startswith(f"[{i}] ") and t.citation in cell for cell in table_text)
        assert t.file in refs[i - 1]


def test_cli_trusts_json_and_csv(vignette_index):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "qa", "trusts", "--index",
                               str(vignette_index), *args], capture_output=True, text=True,
                              cwd=ROOT, timeout=120)

    out = run("--where", "urban_rural=urban", "--where", "schools<5")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert sorted(d["name"] for d in data) == ["Quillon Federation (fictional)",
                                               "Thornwick Learning Partnership (fictional)"]
    assert {"name", "file", "citation", "fields", "schools"} <= set(data[0])
    assert data[0]["schools"]["total"] < 5
    rows = list(csv.reader(io.StringIO(run("--format", "csv").stdout)))
    assert len(rows) == len(mv.VIGNETTES) + 3  # header, 12 generated, Oakmoor, Riverbend
    bad = run("--where", "colour=teal")
    assert bad.returncode == 2 and "no dimension" in bad.stderr


# ---- the Trusts tab and the APIs ---------------------------------------------------------------

@pytest.fixture(scope="module")
def demo(vignette_index):
    import app
    from index import EmbedSettings, IndexSettings
    from qa.service import EvidenceService

    corpus = vignette_index.parent / "corpus"
    service = EvidenceService(vignette_index, corpus,
                              index_settings=IndexSettings(embed=EmbedSettings(model="fake")))
    return app.build_app(app.AppSettings(vignette_index, corpus), service)


def _fn(demo, name):
    return next(f.fn for f in demo.fns.values() if getattr(f, "api_name", "") == name)


def test_trusts_api_filters_and_counts(demo):
    data = _fn(demo, "trusts")(where=["governance=single governing body"])
    assert data["total"] == len(mv.VIGNETTES) + 2 and data["shown"] == 2
    assert {t["name"] for t in data["trusts"]} == {"Larkspur Federation (fictional)",
                                                   "Quillon Federation (fictional)"}
    assert _fn(demo, "trusts")(where=["colour=teal"])["message"].startswith("'colour=teal'")
    json.dumps(data)


def test_ask_api_starts_with_the_trusts_for_a_set_question(demo):
    ask = _fn(demo, "ask")
    data = ask("Which trusts have a special school?")
    assert len(data["trusts"]) == 4
    assert all({"name", "matched", "citation", "passage_id"} == set(t) for t in data["trusts"])
    assert ask("What goes wrong when trusts grow too fast?")["trusts"] == []


def test_trusts_tab_table_charts_downloads_and_empty_state(trusts):
    from ui import trusts as tab

    rows = tab.select(trusts, dims={"urban_rural": "rural"}, min_schools="3")
    assert sorted(t.file for t in rows) == ["vignette-fenlow.txt", "vignette-kestrel-vale.md",
                                            "vignette-millbeck.txt", "vignette-oakmoor.docx"]
    page = tab.render_table(rows, len(trusts))
    assert f"4 of {len(trusts)} trusts" in page and page.count("<details") == 4
    assert "Key dimensions" in page  # each row opens its vignette, verbatim
    charts = tab.render_charts(rows)
    assert charts.count("<img ") == 2 and charts.count("data:image/png;base64,") == 2
    assert "4 of 4 trusts shown" in charts
    by_size = tab.select(trusts, sort="total", descending=True)
    assert [t.schools["total"] for t in by_size[:2]] == [16, 12]
    assert "No trust vignettes are indexed yet" in tab.render_table([], 0)


def test_charts_say_how_many_trusts_they_show_and_leave_out_unstated(trusts):
    from ui.charts import profiles, size_against_balance

    a = size_against_balance(trusts)
    assert a.shown == len(trusts) - 1 and a.left_out == ["Penhallow Coast Trust (fictional)"]
    assert a.png.startswith(b"\x89PNG") and "schools" in a.alt
    j = profiles(trusts)
    assert j.shown == len(trusts) and "Average" in j.alt


# ---- session packs: the Case studies section --------------------------------------------------

def test_session_pack_case_studies_carry_key_dimensions_and_citations(vignette_index):
    from qa import Searcher
    from qa.export import to_csv as pack_csv
    from qa.export import to_markdown
    from qa.prep import CASE_STUDIES, build_pack

    searcher = Searcher.open(vignette_index)
    questions = ["How does an executive head lead a hard federation with a single governing "
                 "body?"]
    doc = build_pack(searcher, questions, "Leadership", corpus_dir=vignette_index.parent /
                     "corpus", case_studies=2)
    cases = next(s for s in doc.sections if s.heading == CASE_STUDIES)
    assert 1 <= len(cases.quotes) <= 2 and not doc.warnings
    vignettes = {p.id: p for p in searcher.index.passages if p.kind == "vignette"}
    for q in cases.quotes:
        p = vignettes[q.passage_id]  # a whole vignette, verbatim
        assert q.text == p.text and q.citation == p.citation
        assert "Key dimensions: Number of schools: " + p.key_dimensions["number_of_schools"] \
            in q.note
    md = to_markdown(doc)
    assert f"## {CASE_STUDIES}" in md and cases.quotes[0].citation in md
    assert {r.file for r in doc.references} >= {q.file for q in cases.quotes}
    assert cases.quotes[0].passage_id in pack_csv(doc)
    without = build_pack(searcher, questions, "Leadership",
                         corpus_dir=vignette_index.parent / "corpus")
    assert all(s.heading != CASE_STUDIES for s in without.sections)  # optional


def test_the_tab_shows_every_generated_value_as_written(trusts):
    from ui import trusts as tab
    from ui.html import esc

    page = tab.render_table(trusts, len(trusts))
    for v in mv.VIGNETTES:
        assert esc(v["title"]) in page
        for _label, value in v["dims"]:
            assert f">{esc(value)}<" in page, (v["slug"], value)


def test_a_set_question_without_vignettes_says_so():
    found = answer_set_question("Which trusts are rural?", [])
    assert found.trusts == [] and "No trust vignettes are indexed" in found.message
    assert answer_set_question("What is a hard federation?", []) is None


def test_the_table_sorts_by_any_dimension_with_unstated_values_last(trusts):
    from ui import trusts as tab

    by_balance = tab.select(trusts, sort="decision_making")
    assert by_balance[-1].file == "vignette-penhallow.pdf"  # not stated: last
    assert [t.scales["decision_making"] for t in by_balance[:-1]] == sorted(
        t.scales["decision_making"] for t in by_balance[:-1])
    reverse = tab.select(trusts, sort="decision_making", descending=True)
    assert reverse[0].scales["decision_making"] == 5 and reverse[-1].file == "vignette-penhallow.pdf"
    by_gov = [t.value("governance").lower() for t in tab.select(trusts, sort="governance")]
    assert by_gov == sorted(by_gov)


def test_chart_colours_stand_out_against_white():
    from ui.charts import COLOURS

    def luminance(hex_colour: str) -> float:
        rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        rgb = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]

    assert all(1.05 / (luminance(c) + 0.05) >= 3.0 for c in COLOURS)  # WCAG 1.4.11


@pytest.fixture(scope="module")
def extra_searcher(tmp_path_factory):
    """The vignettes with the three whose fields no code names (tests/data/vignettes-extra)."""
    from qa.search import Searcher, embedder_for

    index = load_index(eval_trusts.fixture_index(tmp_path_factory.mktemp("extra"), extra=True))
    return Searcher(index, embedder_for(index))


def test_the_cli_names_matched_fields_by_their_labels_never_the_table_keys(extra_searcher):
    """A field no code names ("Religious character") is shown by its label as the vignette
    prints it, in the terminal as on the web page, not as the table's key "other:…"."""
    from qa.format import answer_text

    text = answer_text(extra_searcher.ask("Which trusts are Catholic?"))
    assert "Corvid Lane Catholic Academy Trust (fictional)" in text
    assert "(Religious character: Catholic" in text and "other:" not in text


def test_a_recorded_field_named_without_a_value_is_not_said_to_be_unrecorded(extra_searcher):
    """"Which trusts have a religious character?" names a field three vignettes record: the
    answer says so, with their values, and lists no trust; it never says "No vignette
    records" (true only of a field no vignette has, which keeps that message)."""
    answer = extra_searcher.ask("Which trusts have a religious character?")
    assert answer.set_question and not answer.trusts
    assert "No vignette records" not in answer.trusts_message
    assert "recorded by 3 of" in answer.trusts_message
    assert "Catholic" in answer.trusts_message and "Church of England" in answer.trusts_message
    unknown = extra_searcher.ask("Which trusts have an Ofsted grade?")
    assert "No vignette records" in unknown.trusts_message and not unknown.trusts
