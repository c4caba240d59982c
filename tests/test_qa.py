"""Search, evidence levels, answer sentences and the `python -m qa` contracts (fake embedder)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from index import build_index, load_index
from ingest.normalise import match_key
from qa import Filters, Searcher, SearchSettings
from qa.citations import resolve
from qa.format import answer_text

ROOT = Path(__file__).resolve().parent.parent


def test_ask_returns_cited_passages_and_verbatim_answer(searcher):
    answer = searcher.ask("What is a hard federation? single legal entity governing body")
    assert answer.hits and answer.hits[0].rank == 1
    texts = [h.passage.text for h in answer.hits[:3]]
    assert any("a single legal entity with a single governing body" in t for t in texts)
    for s in answer.sentences:
        for pid in s.passage_ids:
            passage = searcher.index.passage(pid)
            assert match_key(s.text) in match_key(passage.text)  # verbatim from its passage
    hit = answer.hits[0]
    assert hit.passage.citation.startswith(hit.passage.short_title)


def test_json_shape(searcher):
    data = searcher.ask("due diligence before joining a trust").to_json()
    assert set(data) == {"question", "evidence", "reason", "answer", "passages", "trusts"}
    assert data["trusts"] == []  # not a question about the trusts as a group
    assert data["evidence"] in {"strong", "weak", "none"}
    p = data["passages"][0]
    assert {"id", "text", "document", "title", "citation", "page", "section", "score"} <= set(p)
    assert p["page"] is None  # the seed documents are text files: no pages
    for a in data["answer"]:
        keys = set(a) - {"items", "more_items", "items_order", "items_skipped", "display"}
        assert keys in ({"text", "passage_ids"},
                        {"text", "passage_ids", "lead_in", "lead_in_gap"})
        assert ("items" in a) == ("more_items" in a) == ("items_order" in a)
        assert ("display" in a) == ("items" in a or "lead_in" in a)


LISTS_DOC = """# Support for leaders

Leaders named many places they turned to for advice and challenge in their first year.

Some of the more unusual support sources cited included

• Twitter and other social media
• External consultants brought in by the board
• Students and their councils

Most leaders met the chair of trustees every fortnight to talk through the hardest decisions.

The trust board set three priorities for the year:

- reading in the early years
- attendance
- staff wellbeing

Those priorities were reviewed each term.
"""


def _lists_searcher(tmp_path, fake_settings, **settings) -> Searcher:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "support.md").write_text(LISTS_DOC, encoding="utf-8")
    build_index(tmp_path / "c", tmp_path / "i", fake_settings)
    return Searcher(load_index(tmp_path / "i"), Searcher.open(tmp_path / "i").embedder,
                    SearchSettings(**settings))


def _sentence(answer, starts: str):
    return next(s for s in answer.sentences if s.text.startswith(starts))


def test_answer_sentence_that_introduces_a_list_brings_the_list(tmp_path, fake_settings):
    # a wide margin: every sentence named below is among the answers, whatever its score;
    # the list in the passage's order (round 7's default ranks the items: tests/test_answers.py)
    searcher = _lists_searcher(tmp_path, fake_settings, answer_margin=5.0,
                               answer_list_order="passage")
    answer = searcher.ask("Which more unusual support sources were cited?")
    lead = _sentence(answer, "Some of the more unusual support sources")
    assert lead.items == ["Twitter and other social media",
                          "External consultants brought in by the board",
                          "Students and their councils"]  # verbatim, in order, markers dropped
    assert lead.more_items == 0
    assert lead.to_json()["items"] == lead.items
    passage = searcher.index.passage(lead.passage_ids[0])
    assert all(match_key(item) in match_key(passage.text) for item in lead.items)
    # (The question names the review too: answer sentences are scored on their own words.)
    answer = searcher.ask("What priorities did the trust board set for the year, and were "
                          "those priorities reviewed?")
    lead = _sentence(answer, "The trust board set three priorities")
    assert lead.items == ["reading in the early years", "attendance", "staff wellbeing"]
    # A sentence followed by more prose introduces nothing, and neither does the last line.
    assert _sentence(answer, "Those priorities were reviewed").items == []
    # A list with a lead-in of its own is not hung under the finished sentence before it.
    answer = searcher.ask("Leaders named many places for advice; which unusual support "
                          "sources were cited included?")
    assert _sentence(answer, "Leaders named many places").items == []
    assert _sentence(answer, "Some of the more unusual support sources").items


def test_a_list_is_shown_once(tmp_path, fake_settings):
    """A heading and the lead-in under it both introduce the same list: whichever is chosen
    first shows it, the other shows no items."""
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "conditions.md").write_text(
        "# Conditions\n\n"
        "Research evidence on the conditions likely to result in successful federations\n\n"
        "Conditions most often named by the leaders we interviewed\n\n"
        "- a track record of success in at least one school\n"
        "- schools close enough to each other to share staff\n", encoding="utf-8")
    build_index(tmp_path / "c", tmp_path / "i", fake_settings)
    searcher = Searcher.open(tmp_path / "i")
    for question in ("conditions most often named by leaders interviewed, research evidence "
                     "on successful federations",  # the lead-in first, then the heading
                     "research evidence on the conditions likely to result in successful "
                     "federations, most often named by the leaders"):  # the heading first
        answer = searcher.ask(question)
        quoted = [t for s in answer.sentences for t in s.quoted]
        assert "a track record of success in at least one school" in quoted
        assert len(quoted) == len(set(quoted)), question


def test_a_list_item_found_elsewhere_does_not_cite_that_passage_for_the_lead_in(
        tmp_path, fake_settings):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "support.md").write_text(LISTS_DOC, encoding="utf-8")
    (tmp_path / "c" / "other.md").write_text(
        "# Other\n\nA different report, on the media leaders follow.\n\n"
        "• Twitter and other social media\n\nNothing else is said.\n", encoding="utf-8")
    build_index(tmp_path / "c", tmp_path / "i", fake_settings)
    searcher = Searcher.open(tmp_path / "i")
    answer = searcher.ask("Which more unusual support sources were cited? Twitter and other "
                          "social media")
    # The item scores best on its own; it is shown under its lead-in, in its place.
    lead = answer.sentences[0]
    assert lead.text == "Some of the more unusual support sources cited included"
    assert "Twitter and other social media" in lead.items
    assert [s.text for s in answer.sentences].count("Twitter and other social media") == 0
    for s in answer.sentences:  # every quote is in every passage it cites
        for pid in s.passage_ids:
            text = match_key(searcher.index.passage(pid).text)
            assert all(match_key(t) in text for t in s.quoted), (s.text, pid)


def test_long_lists_are_cut_and_say_how_many_more(tmp_path, fake_settings):
    searcher = _lists_searcher(tmp_path, fake_settings, answer_list_items=2,
                               answer_list_order="passage")
    lead = _sentence(searcher.ask("What priorities did the trust board set for the year?"),
                     "The trust board set three priorities")
    assert lead.items == ["reading in the early years", "attendance"] and lead.more_items == 1


def test_out_of_scope_question_is_none_with_nearest_passages_marked(searcher):
    strict = Searcher(searcher.index, searcher.embedder,
                      SearchSettings(strong_threshold=0.99, weak_threshold=0.98))
    answer = strict.ask("How do I bake sourdough bread?")
    assert answer.evidence == "none" and not answer.found
    assert answer.hits  # the nearest passages are still listed
    assert answer.sentences == []  # but nothing is presented as an answer


def test_filters_restrict_documents_and_types(searcher):
    only = Filters(files=("leadership-of-learning-synopsis.txt",))
    answer = searcher.ask("governance of trusts", filters=only)
    assert answer.hits and all(h.passage.file == only.files[0] for h in answer.hits)
    answer = searcher.ask("governance", filters=Filters(doc_types=("vignette",)))
    assert answer.hits == []


def test_repeated_question_uses_cache(searcher):
    calls = []
    real = searcher.embedder.embed
    searcher.embedder.embed = lambda texts, **kw: calls.append(texts) or real(texts, **kw)
    searcher.ask("What is a soft federation?")
    searcher.ask("what is a  SOFT federation?")
    assert len(calls) == 1


def test_show_resolves_current_and_retired_ids(built, fake_settings):
    corpus, index_dir = built
    idx = load_index(index_dir)
    target = next(p for p in idx.passages if "Expanding too fast" in p.text)
    other = next(p for p in idx.passages if p.file.startswith("leadership"))
    res = resolve(idx, target.id)
    assert res.status == "current" and target in res.context
    # An unrelated document is added: ids are unchanged.
    (corpus / "note.md").write_text("# Note\n\nTrust boards meet six times a year to review "
                                    "finance, risk and standards across all the schools.\n")
    build_index(corpus, index_dir, fake_settings)
    assert resolve(load_index(index_dir), target.id).status == "current"
    # The source is edited: the id is retired, and show points to the closest passage now.
    path = corpus / target.file
    path.write_text(path.read_text().replace("Expanding too fast", "Growing too quickly"))
    build_index(corpus, index_dir, fake_settings)
    idx = load_index(index_dir)
    res = resolve(idx, target.id)
    assert res.status == "retired" and "edited" in res.message
    assert res.closest is not None and "Growing too quickly" in res.closest.text
    assert resolve(idx, other.id).status == "current"
    assert resolve(idx, "pdoesnotexist").status == "unknown"


def _run(*args, stdin=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          env=env, input=stdin, timeout=300)


def test_qa_cli_json_and_stdin(built):
    _, index_dir = built
    r = _run("-m", "qa", "--index", str(index_dir), "--json", "--k", "3", "What is a MAT?")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["question"] == "What is a MAT?" and len(data["passages"]) == 3
    r = _run("-m", "qa", "--index", str(index_dir), "--json", "-",
             stdin="What is a MAT?\n\nWho governs?\n")
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["question"] for x in lines] == ["What is a MAT?", "Who governs?"]
    assert {p["match"] for x in lines for p in x["passages"]} <= {"strong", "weak", "none"}
    # Without --json, "-" answers in text, one answer after another (issue 22).
    r = _run("-m", "qa", "--index", str(index_dir), "-", stdin="What is a MAT?\nWho governs?\n")
    assert r.returncode == 0 and r.stdout.count("Q: ") == 2 and "similarity" in r.stdout
    assert not r.stdout.lstrip().startswith("{")


def test_qa_cli_human_output_and_show(built):
    _, index_dir = built
    r = _run("-m", "qa", "--index", str(index_dir), "hard federation single legal entity")
    assert r.returncode == 0 and "[1]" in r.stdout and "Federations and MATs briefing paper" in r.stdout
    pid = load_index(index_dir).passages[3].id
    r = _run("-m", "qa", "show", "--index", str(index_dir), pid)
    assert r.returncode == 0 and pid in r.stdout and ">>" in r.stdout


def test_qa_cli_without_index_says_how_to_build(tmp_path):
    r = _run("-m", "qa", "--index", str(tmp_path / "none"), "anything")
    assert r.returncode != 0 and "python -m ingest" in r.stderr


def test_a_list_item_answer_carries_its_lead_in(tmp_path, fake_settings):
    """Shown alone, "Economies of scale are successful" says the opposite of its source: the
    item is quoted after the words that govern it, with "[…]" for the items between."""
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "evidence.md").write_text(
        "# What the research says\n\n"
        "There is not yet compelling evidence to demonstrate that\n\n"
        "- Federations raise attainment in every school\n"
        "- Economies of scale are successful\n\n"
        "Leaders should therefore plan for the long term.\n", encoding="utf-8")
    build_index(tmp_path / "c", tmp_path / "i", fake_settings)
    searcher = Searcher(load_index(tmp_path / "i"), Searcher.open(tmp_path / "i").embedder,
                        SearchSettings())
    answer = searcher.ask("Economies of scale are successful")
    # Shown under its lead-in (issue 18: one lead-in per list), "[…]" for the item left out.
    group = _sentence(answer, "There is not yet compelling evidence to demonstrate that")
    assert group.items[0] == "Economies of scale are successful"
    assert group.items_order == "best" and group.items_skipped
    assert group.display == "There is not yet compelling evidence to demonstrate that […]"
    assert group.to_json()["display"] == group.display
    assert not any(s.text.startswith("Economies") for s in answer.sentences)
    text = answer_text(answer)
    assert "“There is not yet compelling evidence to demonstrate that […]”" in text
    answer_part = text.split("Passages:")[0]
    assert "    - “Economies of scale are successful”" in answer_part
