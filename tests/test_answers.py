"""Issue 18: whole sentences, one lead-in per list, and a calibrated "Not found"."""

from __future__ import annotations

import pytest

from index import build_index, load_index, passage_sentences
from ingest import Passage, split_sentences
from qa import eval as ev
from qa.format import answer_text
from qa.search import (
    NOT_FOUND,
    OTHER_LANGUAGE,
    AnswerSentence,
    Searcher,
    SearchSettings,
    none_score,
    other_language,
)

# --- whole sentences ---------------------------------------------------------------------------


def test_a_parenthetical_joins_the_sentence_it_follows():
    text = ("Though none of the very large trusts were included in our sample, it did reflect "
            "a wide variation of size.  (up to 16 schools). However, size did not appear to be "
            "a major driver of policy.")
    pieces = split_sentences(text)
    assert pieces == ["Though none of the very large trusts were included in our sample, it did "
                      "reflect a wide variation of size.  (up to 16 schools).",
                      "However, size did not appear to be a major driver of policy."]
    assert all(p in text for p in pieces)  # verbatim: spans and highlights find them


def test_a_bare_number_joins_the_sentence_after_it():
    assert split_sentences("4. Information regarding federations/ MATs etc.") == [
        "4. Information regarding federations/ MATs etc."]
    assert split_sentences("It took 2.1 years. 3. Then it grew.") == [
        "It took 2.1 years.", "3. Then it grew."]


def test_the_abbreviation_rules_still_hold():
    s = "Trusts, e.g. Romero, vary. Sir David Carter wrote it. Ofsted (i.e. inspectors) agreed."
    assert split_sentences(s) == ["Trusts, e.g. Romero, vary.", "Sir David Carter wrote it.",
                                  "Ofsted (i.e. inspectors) agreed."]


def _passage(text: str) -> Passage:
    return Passage(id="p1", doc_sha256="x", file="a.txt", title="A", short_title="A",
                   doc_type="report", ordinal=0, text=text, section=["S"])


def test_stored_sentence_units_are_whole_and_verbatim():
    text = ("The trusts were small. It worked. Most of them had grown from one school over "
            "several years.\n"
            "What evidence there is draws on a few large trusts with dozens of schools and a "
            "specialised\n"
            "‘corporate’ executive team.\n"
            "- a list item stays one unit")
    units = [t for t, _ in passage_sentences(_passage(text))]
    # "It worked." (two words) joins the sentence before it; the sentence a line break cut is
    # one unit, with the break as the passage has it, so its span is found.
    assert units[0] == "The trusts were small. It worked."
    assert units[2].endswith("specialised\n‘corporate’ executive team.")
    assert units[-1] == "- a list item stays one unit"
    assert all(u in text for u in units)
    assert not any(len(u.split()) < 5 for u in units if not u.startswith("-"))


def test_a_changed_sentence_splitter_forces_a_rebuild():
    from ingest import ChunkSettings

    assert ChunkSettings().to_json()["sentence_units"] == 2  # recorded in the manifest


# --- one lead-in per list ----------------------------------------------------------------------

LIST_DOC = """# Findings

There are some things worth noting:

- Almost every executive head had been a head in the same trust before
- Finance was centralised in every trust, and HR in most of them
- Governance kept local governing bodies in most trusts
- Curriculum was left to each school

Leaders met the chair of trustees every fortnight to talk through hard decisions.
"""


def _searcher(tmp_path, fake_settings, text=LIST_DOC, **settings) -> Searcher:
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "findings.md").write_text(text, encoding="utf-8")
    build_index(tmp_path / "c", tmp_path / "i", fake_settings)
    return Searcher(load_index(tmp_path / "i"), Searcher.open(tmp_path / "i").embedder,
                    SearchSettings(**settings))


def test_items_of_one_list_are_shown_once_under_their_lead_in(tmp_path, fake_settings):
    searcher = _searcher(tmp_path, fake_settings, answer_margin=5.0, none_threshold=0.0)
    answer = searcher.ask("Was finance centralised, and did governance keep local bodies?")
    leads = [s for s in answer.sentences if s.text == "There are some things worth noting:"]
    assert len(leads) == 1
    group = leads[0]
    assert group.items_order == "best" and len(group.items) >= 2
    # scored on their own words: the item naming finance and centralised comes first
    assert group.items[0].startswith("Finance was centralised")
    assert group.items_skipped and group.display.endswith("[…]")
    assert not any(s.lead_in for s in answer.sentences)  # no item repeats its lead-in
    data = group.to_json()
    assert data["items"] == group.items and data["items_order"] == "best"
    text = answer_text(answer)
    assert text.count("There are some things worth noting:") == 1 + 1  # answer + passage


def test_no_short_sentence_is_an_answer_alone(tmp_path, fake_settings):
    doc = ("# Notes\n\nWhere are the vignettes?\n\nThe vignettes are not included in this "
           "public version of the report.\n")
    searcher = _searcher(tmp_path, fake_settings, text=doc, none_threshold=0.0)
    answer = searcher.ask("Where are the vignettes?")
    assert answer.sentences and not ev.fragments(answer.sentences)
    assert all(len(s.text.split()) >= 5 for s in answer.sentences)


# --- "Not found" --------------------------------------------------------------------------------

@pytest.mark.parametrize("question", [
    "Qu'est-ce qu'une fédération d'écoles ?", "Wie viele Schulen hat ein typischer Schulverbund?",
    "什么是多学院信托？", "ما هي صناديق الأكاديميات المتعددة؟"])
def test_another_language_is_recognised(question):
    assert other_language(question)


@pytest.mark.parametrize("question", [
    "What is a hard federation?", "Can dogs eat grapes?", "federation", "LGBs",
    "Co-heads or a single executive head - which works better?"])
def test_english_is_not_taken_for_another_language(question):
    assert not other_language(question)
    assert not other_language("Twitter support sources", known=lambda w: True)


def test_a_question_in_another_language_is_not_found_with_a_note(searcher):
    answer = searcher.ask("Wie viele Schulen hat ein typischer Schulverbund?")
    assert answer.evidence == "none" and answer.hits  # nearest passages still listed
    assert answer.reason == OTHER_LANGUAGE and OTHER_LANGUAGE in answer.notes
    text = answer_text(answer)
    assert NOT_FOUND in text and "English" in text
    assert answer.to_json()["reason"] == OTHER_LANGUAGE


def test_coverage_weighs_the_question_words_the_evidence_holds(searcher):
    assert searcher.coverage("How do I configure a Cisco router?") == 0.0
    assert searcher.coverage("What is a hard federation?") == 1.0
    part = searcher.coverage("What is a hard federation in Zanzibar?")
    assert 0.0 < part < 1.0
    assert searcher.missing_words("What is a hard federation in Zanzibar?") == ["Zanzibar"]


def test_none_rule_combines_similarity_coverage_and_union(searcher):
    s = SearchSettings(none_coverage_weight=1.0, none_union_weight=1.0, none_threshold=0.5)
    assert none_score(0.3, 0.0, 0.3, s) == pytest.approx(0.2)
    assert none_score(0.4, 1.0, 0.7, s) == pytest.approx(0.7)
    hits = searcher.ask("What is a hard federation?").hits
    strict = Searcher(searcher.index, searcher.embedder, s)
    best = max(h.similarity for h in hits[:5])
    assert strict.evidence_level(hits[:5]) != "none" or best < s.weak_threshold
    assert strict.evidence_level(hits[:5], coverage=0.0, union=0.0) == (
        "none" if none_score(best, 0.0, 0.0, s) < 0.5 else strict.evidence_level(hits[:5]))


def test_an_off_topic_question_is_not_found_with_the_missing_words_named(searcher):
    answer = searcher.ask("How do I configure a Cisco router?")
    assert answer.evidence == "none" and answer.hits and not answer.sentences
    assert "Cisco" in answer.reason and NOT_FOUND in answer_text(answer)


@pytest.mark.parametrize("question", ["", "   ", "federation", "federation " * 2000])
def test_empty_one_word_and_very_long_questions_keep_their_behaviour(searcher, question):
    answer = searcher.ask(question)
    if not question.strip():
        assert answer.evidence == "none" and answer.notes == ["empty question"]
    else:
        assert OTHER_LANGUAGE not in answer.notes


# --- the evaluation's new figures ---------------------------------------------------------------

def test_fragments_and_chosen_sentences():
    alone = AnswerSentence("(up to 16 schools).", ["p"])
    group = AnswerSentence("Leadership", ["p"], items=["Leadership is strong"],
                           items_order="best")
    brought = AnswerSentence("The more common features include:", ["p"],
                             items=["A focus on bespoke solutions"])
    assert ev.fragments([alone, group, brought]) == ["(up to 16 schools)."]
    assert ev.chosen_sentences([alone, group, brought]) == [
        "(up to 16 schools).", "Leadership is strong", "The more common features include:"]


def test_none_precision_recall_and_fit():
    def o(i, kind, evidence, conf, cov, union, oos=None):
        return ev.Outcome(i, kind, 1 if kind != "out_of_scope" else None, None, evidence,
                          None, False, conf, 0.0, oos=oos, coverage=cov, union=union)

    rows = [o("a", "direct", "strong", 0.7, 1.0, 0.8), o("b", "paraphrase", "weak", 0.40, 0.9, 0.6),
            o("c", "out_of_scope", "none", 0.42, 0.0, 0.3, "unrelated"),
            o("d", "out_of_scope", "weak", 0.45, 0.5, 0.5, "near"),
            o("e", "out_of_scope", "none", 0.2, 0.0, 0.2, "language")]
    s = ev.none_scores(rows)
    assert s["none_precision"] == 1.0 and s["none_recall"] == pytest.approx(2 / 3)
    assert s["off_topic"] == 2 and s["off_topic_none"] == 2
    assert s["near_topic_grades"] == {"none": 0, "weak": 1, "strong": 0}
    fit = ev.fit_none(rows)
    # "c" outscores "b" on similarity alone; coverage and union put it below
    assert fit["off_topic_below"] == 2
    st = SearchSettings(none_coverage_weight=fit["none_coverage_weight"],
                        none_union_weight=fit["none_union_weight"])
    assert none_score(0.40, 0.9, 0.6, st) > fit["none_threshold"] > none_score(0.42, 0.0, 0.3, st)
