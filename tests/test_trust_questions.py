"""Questions about the trusts in the words people use (qa/trust_questions.py, issue 19):
negation, comparisons, and/or/but, counting, superlatives, abbreviations, fields only some
vignettes have, a field none has, impossible conditions, set-plus-content questions, and the
evaluation. The questions here are the tests' own, not those of eval/set_questions*.jsonl;
the answers were worked out by hand from tests/data/make_vignettes.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index import load_index
from qa import eval_trusts
from qa.trusts import answer_set_question, trust_table

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"

ASH, BRI, FEN, GRE, HAR, KES, LAR, MIL, OAK, PEN, QUI, RIV, SAL, THO, COR, HEA, IRO = (
    "Ashgrove Special Schools Trust (fictional)", "Brindle Cross Multi-Academy Trust (fictional)",
    "Fenlow Rural Schools Trust (fictional)", "Greyfriars Urban Academies (fictional)",
    "Harrowfield Academies Trust (fictional)", "Kestrel Vale Partnership (fictional)",
    "Larkspur Federation (fictional)", "Millbeck Church Schools Federation (fictional)",
    "Oakmoor Federation of Village Schools (fictional)", "Penhallow Coast Trust (fictional)",
    "Quillon Federation (fictional)", "Riverbend Learning Trust (fictional)",
    "Saltmarsh Technical Trust (fictional)", "Thornwick Learning Partnership (fictional)",
    "Corvid Lane Catholic Academy Trust (fictional)", "Heathermoor Schools Trust (fictional)",
    "Ironbridge Technical Trust (fictional)")


@pytest.fixture(scope="module")
def extra_index(tmp_path_factory) -> Path:
    return eval_trusts.fixture_index(tmp_path_factory.mktemp("trustq"), extra=True)


@pytest.fixture(scope="module")
def trusts(extra_index):
    return trust_table(load_index(extra_index))


def names(found) -> set[str]:
    return {t["name"] for t in found.trusts}


@pytest.mark.parametrize("question, expected", [
    ("Which trusts aren't urban?", {ASH, BRI, FEN, HAR, KES, LAR, MIL, OAK, PEN, HEA}),
    ("Which trusts have at least 10 schools or a UTC?", {BRI, FEN, HAR, PEN, SAL, IRO}),
    ("Which trusts have only primaries?", {LAR, MIL}),
    ("Which is the smallest urban trust?", {QUI}),
    ("Which trust has the fewest primary schools?", {ASH, SAL, IRO}),
    ("Which trusts were founded after 2015?", {HEA, IRO}),
    ("Which trusts have 2 SS?", {IRO}),
    ("Which trusts have no more than 1,500 pupils on roll?", {IRO}),
    ("Which trusts are settled but not mixed?", {COR}),
    ("Which rural trusts have no secondary school?", {LAR, MIL}),
    ("Which trusts are neither urban nor rural?", {ASH, BRI, HAR, PEN}),
])
def test_questions_read_as_conditions(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert names(found) == expected, found.headline


@pytest.mark.parametrize("question, expected", [
    # a sample word that is one of the vignettes' values ("national") is a condition
    ("Which trusts work nationally?", {IRO}),
    # a reflexive pronoun carries no condition
    ("Which trusts count themselves as evolving?", {GRE, HAR, HEA, QUI}),
    # "the most" after "has" is a superlative, not "has any pupils on roll"
    ("Which trust has the most pupils on roll?", {HEA}),
    # one word stands for its variants: "centrally" finds "central team" and "set centrally"
    ("Which trusts have improvement priorities set centrally?", {GRE, COR, SAL, PEN, IRO, OAK}),
    # a word describing the trusts is the value it is ("local" distribution), though the
    # question also names decision making
    ("Which local trusts have more local decision making?", {LAR, THO, MIL, RIV}),
])
def test_second_round_of_phrasings(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert names(found) == expected, found.headline


@pytest.mark.parametrize("question, expected", [
    # a range however it is written: "from A to B", "A to B", "A-B" (both ends included)
    ("Which trusts have 9 to 12 schools?", {BRI, PEN, FEN, HEA}),
    ("Which trusts have from 2 to 3 primary schools?", {LAR, KES, THO, MIL, RIV}),
    ("Which trusts were founded 2013-2017?", {COR, HEA}),
    # a phrase of several words finds its words' plurals ("parent advisory councils")
    ("Which trusts have a parent advisory council?", {OAK}),
    # a run that ends on a field's name is that field's value: "central team" in priorities
    ("Which trusts have central team priorities?", {GRE, COR}),
    # a scale's middle, with its poles restated or named apart
    ("Which trusts take a middle line between central and local?", {ASH, KES, QUI}),
    ("Which regional trusts are balanced?", {ASH}),
    # a pole's noun: "the center" is central (US spelling too)
    ("Which urban trusts are run from the center?", {SAL, GRE, COR, IRO}),
])
def test_third_round_of_phrasings(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert names(found) == expected, found.headline


@pytest.mark.parametrize("question, expected", [
    # a comparison suffix after the unit: "or fewer", "and over", "or less"
    ("Which trusts have 3 schools or fewer?", {LAR, KES, MIL, QUI, IRO}),
    ("Which trusts have 9 schools and over?", {HAR, BRI, PEN, FEN, HEA}),
    ("Which trusts have 1,150 pupils or less?", {IRO}),
    # "the number of X" names the field X, also after a size word
    ("Which trust has the largest number of pupils?", {HEA}),
    ("Which trust has the fewest number of sixth forms?", {COR}),
    # superlatives in time over the field whose values are years
    ("Which trust is the newest?", {IRO}),
    ("Which trust was founded most recently?", {IRO}),
    ("Which is the oldest trust?", {COR}),
    # an abbreviation only as written in capitals: "at" is not AT
    ("Which trusts have an AT school?", {THO}),
])
def test_fourth_round_of_phrasings(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert names(found) == expected, found.headline


def test_a_lower_case_abbreviation_is_a_word(trusts):
    found = answer_set_question("Which trusts do things at school level?", trusts)
    assert "all-through" not in found.headline, found.headline


def test_a_superlative_on_a_field_no_vignette_has_says_so(trusts):
    found = answer_set_question("Which trust has the worst exam results?", trusts)
    assert found.trusts == [] and "No vignette records" in found.message, found.message


@pytest.mark.model
def test_a_verb_before_an_only_condition_is_said_not_read(trusts):
    found = answer_set_question("Which trusts consist solely of special schools?", trusts,
                                embed=eval_trusts.real_embed())
    assert names(found) == {ASH}, found.headline
    assert "“consist” is not read as a condition" in found.headline


def test_a_range_is_said_with_both_ends(trusts):
    found = answer_set_question("Which trusts have 9 to 12 schools?", trusts)
    assert found.headline.startswith("Trusts with 9 to 12 schools (4 of 17)"), found.headline
    founded = answer_set_question("Which trusts were founded between 2010 and 2015?", trusts)
    assert founded.headline.startswith("Trusts whose year founded is from 2010 to 2015 (1 of")


@pytest.mark.model
def test_a_verb_before_a_condition_is_said_not_read(trusts):
    embed = eval_trusts.real_embed()
    found = answer_set_question("Which trusts arrange themselves in clusters?", trusts,
                                embed=embed)
    assert names(found) == {HEA, FEN}
    assert "“arrange” is not read as a condition" in found.headline
    # a word near no value and before no condition is still named as not read
    alone = answer_set_question("Which trusts are twinned abroad?", trusts, embed=embed)
    assert alone.trusts == [] and alone.message.startswith("No vignette records")


def test_a_why_question_ending_on_the_group_word_is_answered_from_passages(trusts):
    assert answer_set_question("Why do urban primaries form trusts?", trusts) is None
    assert answer_set_question("How do the rural trusts govern themselves?", trusts) is not None


def test_words_no_value_has_say_no_vignette_records_them(trusts):
    found = answer_set_question("Which trusts are twinned with a school abroad?", trusts)
    assert found.trusts == [] and found.message.startswith("No vignette records “"), found.message


def test_the_answer_leads_with_the_conditions_in_words(trusts):
    found = answer_set_question("Which trusts aren't urban?", trusts)
    assert found.headline == "Trusts whose mix of context is not urban (10 of 17):"
    assert all(t["citation"] and t["passage_id"] for t in found.trusts)
    count = answer_set_question("How many trusts were founded after 2015?", trusts)
    assert count.count and count.headline.startswith("2 of 17 trusts")


def test_a_field_no_vignette_has_and_a_value_none_has_are_named(trusts):
    found = answer_set_question("Which trusts have an Ofsted rating above good?", trusts)
    assert found.trusts == [] and "No vignette records 'Ofsted rating'" in found.message
    value = answer_set_question("Which trusts have a religious character of Methodist?", trusts)
    assert value.trusts == [] and "Methodist" in value.message
    assert "religious character" not in value.message.split("records")[1].split(";")[0]


def test_an_impossible_condition_says_no_trust_matches_with_the_conditions(trusts):
    found = answer_set_question("Which trusts have more than 50 schools?", trusts)
    assert found.trusts == []
    assert found.message == "No trust matches: trusts with more than 50 schools."


def test_without_a_model_a_paraphrase_is_named_not_guessed(trusts):
    found = answer_set_question("Which trusts sit among the fields and farms?", trusts)
    assert found.trusts == [] and "fields and farms" in found.message or "farms" in found.message


def test_ordinary_questions_are_not_set_questions(trusts):
    for q in ["How do trusts set priorities?", "What do successful trusts share?",
              "How many of the sample trusts had a teaching school?",
              "How many trusts felt their approach to delegation was settled?",
              "How many of the case-study trusts were entirely rural?"]:
        assert answer_set_question(q, trusts) is None, q


def test_no_question_of_the_retrieval_eval_is_taken_for_a_set_question(trusts):
    import json

    for line in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)["question"]
        assert answer_set_question(q, trusts) is None, q
        assert answer_set_question(q, []) is None, q


@pytest.mark.model
def test_nor_with_the_model_reading_leftover_phrases(trusts):
    """The app reads leftover phrases with MiniLM: a phrase compared with the values ends at
    the word naming the trusts, so "the two ways trusts used coaching" is not read as a
    condition and the question stays an ordinary one."""
    import json

    embed = eval_trusts.real_embed()
    for line in (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)["question"]
        assert answer_set_question(q, trusts, embed=embed) is None, q


def test_a_set_plus_content_question_searches_those_trusts_only(extra_index):
    from qa import Searcher

    searcher = Searcher.open(extra_index)
    answer = searcher.ask("How do the urban trusts organise governance?", k=5)
    urban = {GRE, QUI, RIV, SAL, THO, COR, IRO}
    assert {t["name"] for t in answer.trusts} == urban
    assert answer.trusts_content and "governance" in answer.trusts_content
    files = {t.file for t in searcher.trusts() if t.name in urban}
    assert answer.hits and {h.passage.file for h in answer.hits} <= files
    # (the fake embedder grades no evidence; with the model the sentences come from these)
    assert all(set(s.passage_ids) <= {h.passage.id for h in answer.hits}
               for s in answer.sentences)
    data = answer.to_json()
    assert data["trusts_headline"].startswith("Trusts whose mix of context is urban (7 of 17)")
    assert data["trusts_content"] == answer.trusts_content
    plain = searcher.ask("How do trusts organise governance?", k=5)
    assert not plain.set_question and plain.trusts == []


def test_tuned_questions_stay_right(trusts):
    base = [t for t in trusts if not t.file.startswith(("vignette-corvid", "vignette-heather",
                                                        "vignette-ironbridge"))]
    report = eval_trusts.evaluate(base, eval_trusts.load())
    assert report["exact_lists"] == report["set_questions"] >= 25
    assert report["taken_for_set_questions"] == 0


@pytest.mark.model
def test_held_out_questions_with_the_model(trusts):
    report = eval_trusts.evaluate(trusts, eval_trusts.load(eval_trusts.HELDOUT_QUESTIONS),
                                  embed=eval_trusts.real_embed())
    assert report["set_questions"] >= 60
    assert report["exact_share"] >= 0.95 and report["micro_precision"] >= 0.98
    assert report["taken_for_set_questions"] == 0


@pytest.mark.model
def test_a_paraphrase_is_read_by_similarity_and_says_so(trusts):
    found = answer_set_question("Which trusts serve villages?", trusts,
                                embed=eval_trusts.real_embed())
    assert names(found) == {FEN, KES, LAR, MIL, OAK, HEA}
    assert "read as “rural”" in found.headline


def test_questions_about_a_pdf_vignette_with_a_ruled_table(tmp_path):
    from index import EmbedSettings, IndexSettings, build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "vignettes-pdf-ruled" / "vignette-wyndham.pdf", corpus)
    shutil.copy(DATA / "vignette-riverbend.txt", corpus)
    build_index(corpus, tmp_path / "index", IndexSettings(embed=EmbedSettings(model="fake")))
    trusts = trust_table(load_index(tmp_path / "index"))
    wyndham = "Wyndham Vale Trust (fictional)"
    assert names(answer_set_question(
        "Which regional trusts evaluate school improvement formally?", trusts)) == {wyndham}
    assert names(answer_set_question("Which trusts take decisions more centrally?",
                                     trusts)) == {wyndham}
    assert names(answer_set_question("Which trusts have more than five schools?",
                                     trusts)) == {wyndham}


@pytest.mark.parametrize("question, expected", [
    # comparison phrasings: "a minimum of", "later than", "no later than"
    ("Which trusts have a minimum of ten schools?", {BRI, FEN, HAR, PEN}),
    ("Which trusts were founded no later than 2013?", {COR}),
    # a field named by an everyday word for its label's ("opened" for founded, "students")
    ("Which trusts were opened later than 2015?", {HEA, IRO}),
    ("Which trusts were set up after 2015?", {HEA, IRO}),
    ("Which trusts have over 2000 students?", {COR, HEA}),
    # "X alone", "nothing but X": only
    ("Which trusts have special schools alone?", {ASH}),
    ("Which trusts have nothing but primary schools?", {LAR, MIL}),
    # "Of/Among the <set>, which ..."
    ("Among the rural trusts, which has the fewest schools?", {LAR}),
    # a value as an adjective before "trusts"
    ("Are there any Catholic academy trusts?", {COR}),
])
def test_fifth_round_of_phrasings(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert names(found) == expected, found.headline


def test_a_label_synonym_is_no_mention_of_the_field(trusts):
    """"have created" names no field: "created" reads the year founded only beside a
    comparison, never as "has a year founded"."""
    found = answer_set_question("Which trusts have created a central team?", trusts)
    assert "founded" not in found.headline, found.headline


def test_a_word_before_trusts_that_is_no_value_is_no_set_question(trusts):
    for q in ["Are there any big trusts?", "Which trust does the most for its pupils?",
              "Are there any good trusts to learn from?"]:
        assert answer_set_question(q, trusts) is None, q


@pytest.mark.model
def test_a_phrase_naming_the_field_beside_a_condition_restates_it(trusts):
    embed = eval_trusts.real_embed()
    found = answer_set_question("Which trusts assess school improvement in a relaxed, "
                                "informal way?", trusts, embed=embed)
    assert names(found) == {HEA, KES, LAR, MIL, OAK, QUI, THO}, found.headline
    # one trust, a verb no value has, then a superlative: the verb is said, not read
    found = answer_set_question("Which trust educates the most pupils?", trusts, embed=embed)
    assert names(found) == {HEA}, found.headline
    assert "“educates” is not read as a condition" in found.headline


NOT_URBAN = {ASH, BRI, FEN, HAR, HEA, KES, LAR, MIL, OAK, PEN}
RURAL = {FEN, HEA, KES, LAR, MIL, OAK}


@pytest.mark.parametrize("question, expected", [
    # contractions read as negation
    ("Which trusts can't be described as urban?", NOT_URBAN),
    ("Which trusts aren't rural?", {ASH, BRI, COR, GRE, HAR, IRO, PEN, QUI, RIV, SAL, THO}),
    # openers that ask for the set
    ("Are any of the trusts rural?", RURAL),
    ("Show me every trust that isn't urban", NOT_URBAN),
    ("We are looking for trusts that are rural.", RURAL),
    ("Name the trust with the largest headcount.", {HEA}),
    # a mix of two places: the "mixed" value
    ("Which trusts serve both urban and rural areas?", {ASH, BRI, HAR, PEN}),
    ("Which trusts have a blend of city and village schools?", {ASH, BRI, HAR, PEN}),
    # loosest / tightest on a scale's pole, with the noun it describes
    ("Which trust has the loosest central control?", {HEA, LAR, MIL, RIV, THO}),
    ("Which trust has the strictest central control?", {GRE, IRO}),
])
def test_sixth_round_of_phrasings(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert names(found) == expected, found.headline


def test_as_well_as_along_with_and_plus_join_like_and(trusts):
    want = names(answer_set_question("Which trusts have a secondary school and a primary "
                                     "school?", trusts))
    assert want and len(want) < len(trusts)
    for joiner in ("as well as", "along with", "plus"):
        q = f"Which trusts have a secondary school {joiner} a primary school?"
        found = answer_set_question(q, trusts)
        assert names(found) == want, (q, found.headline)


def test_past_tense_any_of_the_trusts_stays_an_ordinary_question(trusts):
    """"Did any of the trusts ..." asks about the research, as the retrieval questions do."""
    for q in ["Did any of the trusts have a special school?",
              "Had any of the trusts merged before?",
              "Tell me the trust leaders' views on governance."]:
        assert answer_set_question(q, trusts) is None, q


@pytest.mark.model
def test_place_words_are_read_as_the_context_values(trusts):
    embed = eval_trusts.real_embed()
    for q, want in [("Which trusts have schools in the countryside?", RURAL),
                    ("Which trusts are based in cities?", {COR, GRE, IRO, QUI, RIV, SAL, THO})]:
        found = answer_set_question(q, trusts, embed=embed)
        assert names(found) == want, (q, found.headline)


# ---- round 7: telegraphic queries, exclusions, operators over what is read ---------------------

SPECIAL = {ASH, BRI, HAR, HEA, OAK}
EVERY = {ASH, BRI, FEN, GRE, HAR, KES, LAR, MIL, OAK, PEN, QUI, RIV, SAL, THO, COR, HEA, IRO}
CENTRAL = {BRI, COR, FEN, GRE, HAR, IRO, OAK, SAL}  # decision making at 4 or 5


@pytest.mark.parametrize("question, expected", [
    # telegraphic: no frame, read whole as conditions
    ("Urban trusts with fewer than 5 schools", {IRO, QUI, THO}),
    ("Rural trusts under 4 schools", {KES, LAR, MIL}),
    ("Trusts with a special school?", SPECIAL),
    ("Which are the local trusts?", {COR, GRE, KES, LAR, MIL, QUI, RIV, THO}),
    # exclusions: the next condition, negated
    ("Which trusts, apart from the urban ones, have fewer than 4 schools?", {KES, LAR, MIL}),
    ("List the trusts except for those with a special school", EVERY - SPECIAL),
    ("Regional trusts excluding mixed ones", {FEN, HEA, OAK, SAL}),
    ("Non-rural trusts", EVERY - RURAL),
    ("Which trusts lack a special school?", EVERY - SPECIAL),
    # operators over the conditions read
    ("Which trusts have primary schools, but no more than three of them?",
     {KES, LAR, MIL, QUI, RIV, THO}),
    ("Which trusts have fewer than three thousand pupils?", {COR, IRO}),
    ("Which trusts have only primary or special schools?", {ASH, LAR, MIL}),
    ("Which trusts have nothing but UTCs and studio schools?", {IRO}),
    ("Which trusts have only primary and special schools?", set()),
    ("Which trusts are smaller than 4 schools?", {IRO, KES, LAR, MIL, QUI}),
    ("Urban or rural trusts with a sixth form", {COR, IRO}),
    ("Which trusts have 5 or 6 schools?", {COR, GRE, RIV}),
    ("Which trusts have more primaries than secondaries?", EVERY - {ASH, IRO, QUI, SAL}),
    ("Which trusts have decentralised decision making?", {HEA, LAR, MIL, RIV, THO}),
    # (Penhallow's position is "see diagram", not recorded: since round 8 a negation does not
    # list it)
    ("Which trusts don't take decisions centrally?", EVERY - CENTRAL - {PEN}),
    # a negation before "A or B" of one field is neither; "less" is towards the other pole;
    # a unit said once for two comparisons
    ("Which trusts have no special or secondary schools?", {LAR, MIL, THO}),
    ("Which trusts are not urban or rural?", {ASH, BRI, HAR, PEN}),
    ("Which trusts evaluate school improvement less formally?",
     {HEA, KES, LAR, MIL, OAK, QUI, THO}),
    ("Trusts with more than 3 but fewer than 8 schools", {ASH, COR, GRE, RIV, SAL, THO}),
])
def test_seventh_round_of_forms(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None, question
    assert names(found) == expected, found.headline


def test_a_telegraphic_count(trusts):
    found = answer_set_question("Number of rural trusts", trusts)
    assert found.count and names(found) == RURAL, found.headline


TELEGRAPHIC_ORDINARY = ["Governance in rural trusts", "Rural trusts and their governance",
                        "Describe the rural trusts", "Challenges facing rural trusts",
                        "Trusts", "Lessons from urban trusts"]


def test_a_query_that_does_not_read_whole_is_an_ordinary_question(trusts):
    for q in TELEGRAPHIC_ORDINARY:
        assert answer_set_question(q, trusts) is None, q


def test_words_naming_a_field_and_no_value_are_said_not_all_trusts(trusts):
    found = answer_set_question("Which trusts have delegated decision making?", trusts)
    assert found.trusts == [] and "No vignette records" in found.headline, found.headline


@pytest.mark.model
def test_seventh_round_with_the_model(trusts):
    embed = eval_trusts.real_embed()
    for q in TELEGRAPHIC_ORDINARY:
        assert answer_set_question(q, trusts, embed=embed) is None, q
    for q, want in [("Which trusts are not in the countryside?", EVERY - RURAL),
                    ("Trusts outside cities", EVERY - {COR, GRE, IRO, QUI, RIV, SAL, THO}),
                    ("Trusts with top-down decision making", CENTRAL),
                    ("Which trusts have roughly between 4 and 6 schools?",
                     {ASH, COR, GRE, RIV, THO})]:
        found = answer_set_question(q, trusts, embed=embed)
        assert found is not None and names(found) == want, (q, found and found.headline)
    # a hedge before a condition is said; an operator word we do not read is never dropped
    found = answer_set_question("Which trusts have roughly between 4 and 6 schools?", trusts,
                                embed=embed)
    assert "“roughly” is not read as a condition" in found.headline
    found = answer_set_question("Which trusts besides the urban ones have fewer than five "
                                "schools?", trusts, embed=embed)
    assert found.trusts == [] and "besides" in found.headline, found.headline


def test_threshold_fit_keeps_precision_and_prefers_the_shipped_values():
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import trust_thresholds as tt

    shipped = {k: v[1] for k, v in tt.GRID.items()}
    near = dict(shipped)
    far = {k: v[0] for k, v in tt.GRID.items()}
    greedy = {k: v[-1] for k, v in tt.GRID.items()}

    def r(exact, precision=1.0, taken=0, retrieval=0):
        return {"a": {"exact": exact, "precision": precision, "taken": taken},
                "retrieval_taken": retrieval}

    results = [(far, r(9)), (near, r(9)), (greedy, r(12, precision=0.9))]
    assert tt.best(results, ["a"], shipped)[0] == near  # tie: the nearer; 0.9: not admissible
    results.append((far, r(10)))
    assert tt.best(results, ["a"], shipped)[0] == far
    assert tt.best([(greedy, r(12, retrieval=1)), (far, r(1))], ["a"], shipped)[0] == far


# ---- round 8: the mechanisms that listed wrong trusts, each guarded ---------------------------

@pytest.mark.parametrize("question, expected", [
    # a negation before an emphatic count is "none" (not a negated literal word, nor "not
    # exactly one", which listed trusts with two)
    ("Which trusts are there without a single special school?",
     {COR, FEN, GRE, IRO, KES, LAR, MIL, PEN, QUI, RIV, SAL, THO}),
    ("Which trusts do not have one secondary school?", {ASH, LAR, MIL, THO}),
    ("Which trusts have not even one special school?",
     {COR, FEN, GRE, IRO, KES, LAR, MIL, PEN, QUI, RIV, SAL, THO}),
    # "a single" before what is counted is one
    ("Which trusts have a single secondary school?", {COR, FEN, HEA, KES, OAK, QUI}),
    # a negated superlative is the others, never the extreme
    ("Which rural trusts are not the largest?", {HEA, KES, LAR, MIL, OAK}),
    # "no A or B" with no verb of its own after "or": neither, whatever the two fields
    ("Which trusts have no special school or hub councils?",
     {COR, FEN, GRE, IRO, KES, LAR, MIL, PEN, QUI, RIV, SAL, THO}),
    # a comparison ending the clause counts what was just said
    ("Which trusts have at least one secondary and no more than two?",
     {BRI, COR, FEN, GRE, HEA, KES, OAK, PEN, QUI, RIV}),
])
def test_round8_operators(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


def test_round8_negated_superlative_is_said(trusts):
    found = answer_set_question("Which trusts are not the most central?", trusts)
    assert GRE not in names(found) and IRO not in names(found) and len(names(found)) > 10
    assert "not the most central" in found.headline


@pytest.mark.parametrize("question, word", [
    # (a number said roughly, "about 5 schools", is read as a range since round 10:
    # test_round10_operators; "nearly" before no number still changes the condition)
    ("Which trusts are nearly all primary?", "nearly"),
    ("Which trusts have mostly primary schools?", "mostly"),
    ("Which is the second largest trust?", "second"),
    ("Which trusts used to be local?", "used to"),
    ("Which trusts have fewer secondary schools?", "fewer"),
    ("Which trusts have twice as many primaries as secondaries?", "twice"),
    ("Which trusts hardly evaluate school improvement formally?", "hardly"),
    ("Which trusts are more central than local?", "than"),
])
def test_round8_a_word_that_changes_the_condition_lists_nothing(trusts, question, word):
    found = answer_set_question(question, trusts)
    assert found is not None and found.trusts == [], found.headline
    assert f"“{word}”" in found.headline and "what the question asks" in found.headline


def test_round8_a_superlative_beside_or_is_not_guessed(trusts):
    found = answer_set_question("Which is the largest trust that is rural or has a UTC?", trusts)
    assert found is not None and found.trusts == []
    assert "can be read more than one way" in found.headline
    # one group: the superlative over it, as before
    found = answer_set_question("Which is the largest trust that is not rural?", trusts)
    assert names(found) == {HAR}


def test_round8_tens_in_words(trusts):
    found = answer_set_question("Which trusts have more than forty schools?", trusts)
    assert found.trusts == [] and "No trust matches" in found.headline
    found = answer_set_question("Which trusts have fewer than twenty-five schools?", trusts)
    assert len(found.trusts) == 17


def test_round8_ordinary_words_still_pass(trusts):
    # the guarded words, taken by a rule, are read as before
    for q, want in [("Which trusts have more than 10 schools?", {BRI, HAR}),
                    ("Which trusts have more primary schools than secondary schools?", None)]:
        found = answer_set_question(q, trusts)
        assert found is not None and found.trusts, q
        if want:
            assert names(found) == want


@pytest.mark.model
def test_round8_with_the_model(trusts):
    embed = eval_trusts.real_embed()
    # two phrases read by similarity and joined by "or", negated: neither
    found = answer_set_question("Which trusts are not in towns or cities?", trusts, embed=embed)
    assert names(found) == EVERY - {COR, GRE, IRO, QUI, RIV, SAL, THO}, found.headline
    # a word that changes the condition is never read by similarity ("almost" had been read
    # as religious character "none") nor taken as a hedge
    for q, word in [("Which trusts are almost all primary?", "almost"),
                    ("Which trusts are becoming more centralised?", "becoming")]:
        found = answer_set_question(q, trusts, embed=embed)
        assert found.trusts == [] and f"“{word}”" in found.headline, found.headline
    # "more" in a phrase read on a scale is the scale's
    found = answer_set_question("Which local trusts leave more decisions to their schools?",
                                trusts, embed=embed)
    assert found.trusts, found.headline


@pytest.mark.parametrize("question, expected", [
    # "X-only" is X, then "only"
    ("primary-only trusts", {LAR, MIL}),
    ("Which trusts are secondary-only?", {IRO, SAL}),
    # "what's" is "what is"; a size superlative "by" a count is of that count
    ("What's the smallest trust by number of pupils?", {IRO}),
    ("Which is the largest trust by pupils?", {HEA}),
    # "longest-" before the year founded: the earliest
    ("Which is the longest-established rural trust?", {HEA}),
    # "is there a trust ...": the set, if any
    ("Is there a trust with an all-through school?", {THO}),
    # capital letters standing for one value's words
    ("Which trusts are not C of E?", {COR, IRO}),  # the others record no religious character
])
def test_round8_recall_operators(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


def test_round8_initials_match_one_value_or_none(trusts):
    found = answer_set_question("Which trusts are C of E?", trusts)
    assert names(found) == {HEA} and "Church of England" in found.headline
    # initials no value has are not read as one ("X of Y" stands for nothing here)
    found = answer_set_question("Which trusts are X of Y?", trusts)
    assert found is None or found.trusts == []
    # a superlative "by" something no vignette records says so
    found = answer_set_question("Which is the biggest trust by reputation?", trusts)
    assert found.trusts == [] and "reputation" in found.headline


@pytest.mark.parametrize("question, expected", [
    # "not only A but also B" is both: the "not" negates nothing
    ("Which trusts are not only rural but also formal?", {FEN}),
    # "schools other than primaries": some school is not a primary (not "no primary school")
    ("Which trusts have schools other than primaries?", EVERY - {LAR, MIL}),
])
def test_round8_idioms_of_negation(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


@pytest.mark.parametrize("question, word", [
    ("Which trusts have several special schools?", "several"),
    ("Which trusts have a few secondary schools?", "few"),
    ("Which trusts have lots of primaries?", "lots"),
    ("Which trusts are the least rural?", "least"),  # no scale to be least on
])
def test_round8_vague_counts_and_stray_superlatives_list_nothing(trusts, question, word):
    found = answer_set_question(question, trusts)
    assert found is not None and found.trusts == [] and f"“{word}”" in found.headline


def test_round8_not_both_is_not_guessed(trusts):
    found = answer_set_question("Which trusts don't have both primary and secondary schools?",
                                trusts)
    assert found.trusts == [] and "can be read more than one way" in found.headline
    # "how many" is the count asked for, not a vague one
    found = answer_set_question("How many trusts have more than ten schools?", trusts)
    assert names(found) == {BRI, HAR}


@pytest.mark.model
def test_round8_similarity_never_reads_a_value_of_absence(trusts):
    # "several" and "lots" had been read as religious character "none"
    embed = eval_trusts.real_embed()
    for q in ("Which trusts have several special schools?", "Which trusts have lots of primaries?"):
        found = answer_set_question(q, trusts, embed=embed)
        assert found.trusts == [] and "“none”" not in found.headline, found.headline


def test_round8_the_size_of_schools_is_not_the_number_of_schools(trusts):
    for q in ("Which trusts have the largest schools?",
              "Which trusts have the smallest primary schools?"):
        found = answer_set_question(q, trusts)
        assert found.trusts == [] and "size of" in found.headline, found.headline
    assert names(answer_set_question("Which trust has the largest number of schools?",
                                     trusts)) == {HAR}


@pytest.mark.model
def test_round8_two_values_of_one_field_nearly_as_near_are_not_guessed(trusts):
    # "denominational" is 0.62 to Catholic and 0.58 to Church of England: negated, the
    # reading "not Catholic" had listed the Church of England trust
    found = answer_set_question("Which trusts are non-denominational?", trusts,
                                embed=eval_trusts.real_embed())
    assert found.trusts == [], found.headline
    found = answer_set_question("Which trusts are in the countryside?", trusts,
                                embed=eval_trusts.real_embed())
    assert names(found) == RURAL


def test_round8_a_negation_never_lists_a_trust_that_does_not_record_the_field(trusts):
    # only the three extra vignettes record the year founded and a religious character
    found = answer_set_question("Which trusts were not founded before 2015?", trusts)
    assert names(found) == {HEA, IRO} and "left out" in found.headline, found.headline
    found = answer_set_question("Which trusts aren't Catholic?", trusts)
    assert COR not in names(found) and BRI not in names(found) and names(found)
    # a field every vignette records: as before, nothing left out
    found = answer_set_question("Which trusts are not rural?", trusts)
    assert names(found) == EVERY - RURAL and "left out" not in found.headline


# ---- round 9 ------------------------------------------------------------------------------

@pytest.mark.parametrize("question, expected", [
    # "w/" is "with"
    ("trusts w/ a UTC", {IRO, SAL}),
    ("rural trusts w/ no secondary school", {LAR, MIL}),
    # one trust asked for, no superlative: read whole as conditions, as a telegraphic query
    ("Which trust is Catholic?", {COR}),
    ("Which trust has an all-through school?", {THO}),
    # a superlative trust, then a participle that puts the condition
    ("What is the largest trust operating regionally?", {HAR}),
    # "no <field>": the field's one recorded absence value ("none")
    ("Which trusts have no religious character?", {IRO}),
    ("Which trusts are without a religious character?", {IRO}),
    ("Which urban trusts have no religious character?", {IRO}),
    # one word of capitals: the one run of words inside the values with those initials
    ("Which trusts have LGBs?", {ASH, COR, HAR, HEA, KES, PEN, RIV, THO}),
    # an indefinite before an exclusion is what the exclusion leaves
    ("Which trusts are anything other than rural?", EVERY - RURAL),
])
def test_round9_operators(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


def test_round9_a_lost_negation_never_drops_the_words_after_it(trusts):
    # "no distribution": no vignette writes a distribution of "none"; the urban condition
    # alone would list every urban trust
    found = answer_set_question("Which urban trusts have no distribution?", trusts)
    assert found.trusts == [] and "distribution" in found.headline, found.headline
    # capitals no run of the values has, or only inside a phrase of small words, are not read
    found = answer_set_question("Which trusts have SLTs?", trusts)
    assert found is None or found.trusts == []


def test_round9_one_trust_without_a_superlative_must_read_whole(trusts):
    # a question about the research that names one trust is not a question about the set
    assert answer_set_question("Which trust is the focus of the governance chapter?",
                               trusts) is None
    assert answer_set_question("Which trust was studied in the report?", trusts) is None


@pytest.mark.model
def test_round9_a_negated_phrase_naming_the_field_of_the_next_condition_negates_it(trusts):
    from qa.eval_trusts import real_embed

    embed = real_embed()
    # read apart, "don't check school improvement" (formal) and "in an informal way" gave
    # "formal and not informal"; the phrase names that field, so the two are one, negated
    found = answer_set_question("Which trusts don't check school improvement in an informal "
                                "way?", trusts, embed=embed)
    informal = answer_set_question("Which trusts evaluate school improvement informally?",
                                   trusts, embed=embed)
    assert found.trusts and "not more informal" in found.headline, found.headline
    assert not names(found) & names(informal)


def test_round9_a_clause_about_the_asker_is_said_not_read(trusts):
    found = answer_set_question("We run two village schools ourselves - which trusts have "
                                "only primaries?", trusts)
    assert names(found) == {LAR, MIL}
    assert "“We run two village schools ourselves” is not read" in found.headline
    # a clause not about the asker is not dropped: its words are read, or said as not read
    found = answer_set_question("Governance in villages - which trusts have only primaries?",
                                trusts)
    assert found is None or names(found) != {LAR, MIL} or "not read" in found.headline


@pytest.mark.model
def test_round9_a_phrase_near_a_value_only_through_the_fields_name_is_not_read(trusts):
    from qa.eval_trusts import real_embed

    embed = real_embed()
    # "religious affiliation" is nearest Catholic through "religious", the field's own word;
    # negated it listed the Church of England trust as "not Catholic"
    found = answer_set_question("Which trusts have no religious affiliation?", trusts,
                                embed=embed)
    assert found.trusts == [] and "religious affiliation" in found.headline, found.headline
    # the field's name with one of its values is still read
    found = answer_set_question("Which trusts have a religious character of Catholic?",
                                trusts, embed=embed)
    assert names(found) == {COR}


def test_value_vectors_are_never_shared_between_embedders(trusts):
    """The same trusts table (the same passage ids: a corpus indexed again with another model)
    asked through two embedders of different sizes in turn: each question meets its own
    model's value vectors (a crash, a matmul of 256 against 384, before)."""
    import numpy as np

    def embedder_of(size):
        def embed(texts):
            rows = [np.frombuffer(t.lower().encode().ljust(size, b" ")[:size], np.uint8)
                    for t in texts]
            return np.asarray(rows, np.float32) + 1.0
        return embed

    question = "Which trusts are in the countryside?"
    for embed in (embedder_of(8), embedder_of(16), embedder_of(8)):
        answer_set_question(question, trusts, embed=embed)  # no error: each its own vectors


# ---- round 10: mechanisms, each in several phrasings of the tests' own --------------------

@pytest.mark.parametrize("question, expected", [
    # a request for the set in the imperative, opening the question
    ("Pick out the trusts with a special school.", {ASH, BRI, HAR, HEA, OAK}),
    ("Identify every trust that has a UTC.", {SAL, IRO}),
    ("Please find the trusts with fewer than 3 schools", {LAR, QUI}),
    ("Give me the trusts with a pupil roll between 1,000 and 2,000.", {IRO}),
    # "Among/Of the trusts <conditions>, which ...": conditions after the group word
    ("Of the trusts with a special school, which are rural?", {HEA, OAK}),
    ("Among trusts recording a religious character, which are not Church of England?",
     {COR, IRO}),
    # a verb of recording, then a field's label: the vignette records it
    ("Which trusts state their pupils on roll?", {COR, HEA, IRO}),
    # one trust asked for, a comma, then the same superlative again: said once
    ("Which is the oldest trust, the earliest founded?", {COR}),
    # "one" counting nothing is an article
    ("Which is the smallest trust, the one with the fewest schools?", {LAR, QUI}),
    # a number said roughly: a range a tenth of it either side (at least 1), said
    ("trusts with about 5 schools", {ASH, COR, GRE, RIV, THO}),
    ("Which trusts have roughly 3,000 pupils?", {HEA}),
    ("Which trusts have nearly 10 schools?", {HEA}),
    ("Which trusts have a pupil roll of around 1,200?", {IRO}),
    # "multiple": at least two
    ("trusts with multiple secondaries", {BRI, GRE, HAR, PEN, RIV, IRO, SAL}),
    ("Which trusts run multiple special schools?", {ASH}),
    # a negation through a verb or hedge to the condition after it
    ("Which trusts don't really lean central?", {ASH, HEA, KES, LAR, MIL, QUI, RIV, THO}),
    ("Which trusts aren't generally formal?", {HEA, KES, LAR, MIL, OAK, QUI, THO}),
    # verbs of place name the distribution ("operate locally" is not local decision making)
    ("Which trusts operate locally?", {COR, GRE, KES, LAR, MIL, QUI, RIV, THO}),
    ("How many trusts are based regionally, in one region?",
     {ASH, BRI, FEN, HAR, HEA, OAK, PEN, SAL}),
    ("Which trusts operate with more local decision making?", {HEA, LAR, MIL, RIV, THO}),
    # a noun for a value written as its adjective
    ("Which urban trusts are spread across the nation?", {IRO}),
    # a field's name restated before its value ("is", "whether", a comma)
    ("Which trusts have a faith character, either Catholic or Church of England?", {COR, HEA}),
    ("Show the trusts whose checking of school improvement is formal.",
     {ASH, BRI, COR, FEN, GRE, HAR, IRO, PEN, RIV, SAL}),
    ("List all trusts apart from those whose checking of school improvement is formal.",
     {HEA, KES, LAR, MIL, OAK, QUI, THO}),
])
def test_round10_operators(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


def test_round10_a_rough_number_says_how_it_was_read(trusts):
    found = answer_set_question("Which trusts have about 5 schools?", trusts)
    assert "“about 5” read as 4 to 6" in found.headline, found.headline
    found = answer_set_question("trusts with multiple secondaries", trusts)
    assert "“multiple” read as at least 2" in found.headline, found.headline


def test_round10_a_restated_field_is_not_taken_with_another_fields_value(trusts):
    # "poor governance" names governance but says no value of it: not read, whatever the
    # condition beside it (joined by "and", not "is")
    found = answer_set_question("Which trusts have poor governance and hub councils?", trusts)
    assert found.trusts == [] and "poor governance" in found.headline, found.headline


@pytest.mark.parametrize("question, expected", [
    # "who" with a superlative, when the rest reads whole as conditions
    ("who's got the most schools?", {HAR}),
    ("Who has the fewest pupils?", {IRO}),
    ("Who runs the most primary schools?", {HAR}),
    # a kind of trust its name or values give, after the group word or a negation
    ("Trusts other than federations", EVERY - {LAR, MIL, OAK, QUI}),
    ("Which trusts are not partnerships?", EVERY - {KES, THO}),
    ("Which rural trusts are federations?", {LAR, MIL, OAK}),
    # the everyday initials of a school type, in capitals
    ("Which trusts run a SEND school?", {ASH, BRI, HAR, HEA, OAK}),
    ("Which trusts have no SEND schools?", EVERY - {ASH, BRI, HAR, HEA, OAK}),
])
def test_round10_who_kinds_and_initials(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


@pytest.mark.parametrize("question", [
    "Who is the most senior leader?", "Who has the most experience of governance?",
    "Who keeps the books, the trust or the school?", "Which trusts send their heads on courses?"])
def test_round10_who_questions_about_people_stay_ordinary_or_list_nothing(trusts, question):
    found = answer_set_question(question, trusts)
    assert found is None or found.trusts == [], found.headline


def test_round10_a_field_recorded_without_a_value_is_said(trusts):
    found = answer_set_question("Which trusts make decisions centrally?", trusts)
    assert PEN not in names(found) and "Penhallow" in found.headline, found.headline
    assert "“see diagram”" in found.headline, found.headline


@pytest.mark.model
def test_round10_with_the_model(trusts):
    embed = eval_trusts.real_embed()
    # an antonym is near the value it denies ("secular": Catholic 0.66): a phrase not clearly
    # nearer a value than the field's own name is about the field, and not read
    for q, word in [("Which trusts are secular?", "secular"),
                    ("Which trusts have a secular character?", "secular")]:
        found = answer_set_question(q, trusts, embed=embed)
        assert found.trusts == [] and word in found.headline, found.headline
    found = answer_set_question("Which trusts are secular?", trusts, embed=embed)
    assert "about religious character" in found.headline, found.headline
    # a value clearly nearer than the field's name is still read
    found = answer_set_question("Which trusts are Anglican?", trusts, embed=embed)
    assert names(found) == {HEA}, found.headline
    # "the most <adjective>, <pole>": read when the adjective lies towards the pole
    found = answer_set_question("Which trust has the most rigorous, formal evaluation?",
                                trusts, embed=embed)
    assert names(found) == {IRO}, found.headline
    found = answer_set_question("Which trust has the most expensive, central decision making?",
                                trusts, embed=embed)
    assert found.trusts == [] and "expensive" in found.headline, found.headline


@pytest.mark.parametrize("question, expected", [
    # one count equal to another (it had listed every trust with both kinds, "number" unread)
    ("Which trusts have the same number of primaries as secondaries?", {QUI}),
    ("Which trusts have as many secondary schools as primary ones?", {QUI}),
    ("Which trusts have equal numbers of primary and secondary schools?", {QUI}),
    # "a dozen" is 12, after a comparison too
    ("Which trusts have at least a dozen schools?", {BRI, HAR}),
    ("Which trusts have a dozen or more schools?", {BRI, HAR}),
    # the words for a number name no field ("pupil numbers")
    ("Which trust is the biggest by pupil numbers?", {HEA}),
    # "exactly" after the unit, "inclusive" after a range
    ("Which trusts have five schools exactly?", {COR, RIV}),
    ("Which trusts have between 2 and 3 schools inclusive?", {IRO, KES, LAR, MIL, QUI}),
])
def test_round10_counts_compared_and_said_otherwise(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


def test_round10_an_equality_no_rule_reads_lists_nothing(trusts):
    found = answer_set_question("Which trusts have the same governance as Brindle Cross?",
                                trusts)
    assert found is None or found.trusts == [], found.headline


@pytest.mark.parametrize("question, expected", [
    # a value after a verb of the request is a value, not a field recorded (it had listed all
    # 17 as "recording mix of context")
    ("Can you list the urban trusts?", {COR, GRE, IRO, QUI, RIV, SAL, THO}),
    # "all"/"every school" before a kind of school: only that kind (had been "a primary")
    ("Which trusts have schools that are all primary?", {LAR, MIL}),
    ("Which trusts have every school a primary?", {LAR, MIL}),
    ("Which trusts' schools are all secondaries?", {IRO, SAL}),
    # "one" as a pronoun is no count ("sixth forms is 1" had been read, and nothing listed)
    ("Which trusts, apart from the Catholic one, have a sixth form?", {IRO}),
    # one trust asked for with a participle in -ed before the superlative
    ("Which trust founded after 2015 has the most pupils?", {HEA}),
])
def test_round10_quantifiers_pronouns_and_frames(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


def test_round10_a_share_of_the_trusts_is_not_the_list(trusts):
    # (answered from the passages, or said: never the list of trusts with one)
    for q in ("What share of trusts have a special school?",
              "Which trusts make up the largest share of rural trusts?"):
        found = answer_set_question(q, trusts)
        assert found is None or found.trusts == [] and "“share”" in found.headline, (
            found.headline)


def test_round10_a_word_found_in_the_named_field_keeps_to_it(trusts):
    # "governed": governance, whose values say "central board"; "centrally" in the
    # priorities ("set centrally") had been added as well, listing Oakmoor and Greyfriars
    found = answer_set_question("Which trusts are governed centrally?", trusts)
    assert names(found) == {ASH, COR, FEN, HAR, IRO, PEN, RIV, SAL}, found.headline


@pytest.mark.model
def test_round10_two_unrelated_values_nearly_as_near_are_not_both_read(trusts):
    # "whole country" was read as regional or local (16 trusts): two values with no word
    # in common, either one a guess
    found = answer_set_question("Which trusts work across the whole country?", trusts,
                                embed=eval_trusts.real_embed())
    assert found.trusts == [] and "whole country" in found.headline, found.headline


@pytest.mark.parametrize("question", [
    "Find the trusts' approach to governance.", "Give me the trusts' views on delegation.",
    "Show how trusts evaluate school improvement.", "Identify the main risks for trusts."])
def test_round10_requests_about_what_trusts_do_stay_ordinary(trusts, question):
    assert answer_set_question(question, trusts) is None


@pytest.mark.parametrize("question, expected", [
    # symbols had been dropped: "8+ schools" and "> 8 schools" were read as exactly 8
    ("Which trusts have 8+ schools?", {BRI, FEN, HAR, HEA, OAK, PEN}),
    ("Which trusts have > 8 schools?", {BRI, FEN, HAR, HEA, PEN}),
    ("Which trusts have >= 9 schools?", {BRI, FEN, HAR, HEA, PEN}),
    ("Which trusts have ≤ 3 schools?", {IRO, KES, LAR, MIL, QUI}),
    ("Which trusts have less than or equal to 3 schools?", {IRO, KES, LAR, MIL, QUI}),
    # "fewer <unit> than N" (had been "is 2000": "No trust matches")
    ("Which trusts have fewer pupils than 2,000?", {IRO}),
    # a decade: its first to its last year
    ("Which trusts were founded in the 2010s?", {COR, HEA}),
    # "in total" says nothing more
    ("Which trusts have more than 8 schools in total?", {BRI, FEN, HAR, HEA, PEN}),
])
def test_round10_comparisons_in_symbols_and_set_phrases(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


@pytest.mark.parametrize("question, expected", [
    # the top few by a superlative, ties at the last place kept (and said)
    ("What are the three largest trusts?", {HAR, BRI, FEN, PEN}),
    ("Which are the two smallest trusts?", {LAR, QUI}),
    # "What are/were the <conditions> trusts?" with nothing after the group word
    ("What are the rural trusts?", {FEN, HEA, KES, LAR, MIL, OAK}),
])
def test_round10_the_top_few(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


def test_round10_the_top_few_say_ties_are_kept(trusts):
    found = answer_set_question("What are the three largest trusts?", trusts)
    assert "top 3 (ties kept)" in found.headline, found.headline
    assert answer_set_question("What are the benefits of rural trusts?", trusts) is None


@pytest.mark.parametrize("question, expected", [
    # "half a dozen", "a half-dozen", "two dozen": numbers said in dozens
    ("Trusts that run less than half a dozen schools", {ASH, COR, IRO, KES, LAR, MIL, QUI, RIV,
                                                        THO}),
    ("trusts with a half-dozen schools or more", {BRI, FEN, GRE, HAR, HEA, OAK, PEN, SAL}),
    ("Which trusts have at least two dozen schools?", set()),
    # the measure of a superlative after the conditions between, or said as "in terms of"
    ("Which is the largest urban trust by pupils on roll?", {COR}),
    ("biggest regional trust by number of secondaries", {SAL}),
    ("Which is the smallest Catholic trust in terms of pupils?", {COR}),
    ("Which trust is largest as measured by the number of schools?", {HAR}),
])
def test_round11_dozens_and_the_measure_of_a_superlative(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


@pytest.mark.parametrize("question, expected", [
    # "just" / "wholly" before a school kind: only that kind (on main "just primaries" listed
    # every trust with a primary school: a wrong list)
    ("Which trusts are just primaries?", {LAR, MIL}),
    ("Which trusts run wholly primary schools?", {LAR, MIL}),
    # "or anything else" restates an "only" already read
    ("Which trusts have only secondary schools, no primaries or any others?", {IRO, SAL}),
    ("trusts running just secondaries, with no primaries or anything else", {IRO, SAL}),
])
def test_round11_just_a_kind_of_school(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


def test_round11_anything_else_alone_is_not_read(trusts):
    found = answer_set_question("Which trusts have no primaries or anything else?", trusts)
    assert found.trusts == [] and "anything else" in found.headline, found.headline


CENTRAL = {BRI, COR, FEN, GRE, HAR, IRO, OAK, SAL}


@pytest.mark.parametrize("question, expected", [
    # a scale's two poles compared with "than": the first pole (read as two conditions, the
    # pair had listed no trust)
    ("Which trusts are run more centrally than locally?", CENTRAL),
    ("Which trusts are more local than central in decision making?", {HEA, LAR, MIL, RIV, THO}),
    ("Which regional trusts take decisions more locally than centrally?", {HEA}),
    ("Which trusts are more formal than informal in evaluating improvement?",
     {ASH, BRI, COR, FEN, GRE, HAR, IRO, PEN, RIV, SAL}),
])
def test_round11_one_pole_more_than_the_other(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


def test_round11_than_between_two_fields_is_still_not_read(trusts):
    found = answer_set_question("Which trusts are more central than rural?", trusts)
    assert found.trusts == [] and "“than”" in found.headline, found.headline


RURAL = {FEN, HEA, KES, LAR, MIL, OAK}


@pytest.mark.parametrize("question, expected", [
    # round 12: a clause after the group word, up to the verb of saying, is the set; the
    # rest is content (on main these were not read as set questions at all)
    ("What do the trusts that have a UTC say about employers?", {IRO, SAL}),
    ("What do the trusts that are rural do about transport?", RURAL),
    ("What do those trusts that use peer review think about inspection?",
     {BRI, HEA, KES, LAR, QUI}),
    ("What do the trusts founded before 2015 say about growth?", {COR}),
    ("What do the trusts that operate regionally say about travel between schools?",
     {ASH, BRI, FEN, HAR, HEA, OAK, PEN, SAL}),
    # an asker's clause before a set-plus-content question
    ("We are planning a governors' day - what do the trusts with a UTC report about "
     "employers?", {IRO, SAL}),
])
def test_round12_clause_after_the_group_word_then_content(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected and found.content, (
        found and found.headline)


@pytest.mark.parametrize("question", [
    # a clause that is no condition on the table keeps the question ordinary
    "What do the trusts that I work with say about governance?",
    "What do trusts that care about wellbeing say about workload?",
    "What did the trusts that grew quickly say about capacity?",
    "What do trusts say about governance?",
])
def test_round12_clause_that_is_no_condition_stays_ordinary(trusts, question):
    assert answer_set_question(question, trusts, embed=eval_trusts.real_embed()) is None


def test_round12_clause_read_by_similarity(trusts):
    found = answer_set_question("How do the trusts in villages talk about isolation?", trusts,
                                embed=eval_trusts.real_embed())
    assert found is not None and names(found) == RURAL and found.content, found and found.headline


@pytest.mark.parametrize("question, expected", [
    # round 12: a field named by words its label lacks, after a verb of recording, read by
    # similarity with the labels (on main: "No vignette records ...", no trust listed)
    ("Which trusts record a religion?", {COR, HEA, IRO}),
    ("Of the trusts that declare a faith, which are not Catholic?", {HEA, IRO}),
])
def test_round12_recorded_field_by_similarity(trusts, question, expected):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and names(found) == expected, found and found.headline


@pytest.mark.parametrize("question", [
    # near no label clearly: still a field no vignette has
    "Which trusts record an Ofsted grade?",
    "Which trusts record a website?",
    "Which trusts state their budget?",
])
def test_round12_recorded_field_near_no_label(trusts, question):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and found.trusts == [] and "No vignette records" in found.headline


@pytest.mark.parametrize("question, expected", [
    # round 12: "most" / "least" before a scale pole read past adverbs: the superlative
    # towards that pole (on main: "most" said as not read, no trust listed)
    ("Which trust is most centrally run?", {GRE, IRO}),
    ("Which trusts are run least tightly from the centre?", {HEA, LAR, MIL, RIV, THO}),
])
def test_round12_most_before_a_scale_pole(trusts, question, expected):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and names(found) == expected, found and found.headline


@pytest.mark.parametrize("question", [
    # "most" past a noun leans, it is no superlative: (round 12b) the trusts that lean
    # central, not only the most central two (Greyfriars, Ironbridge)
    "Which trusts take most of their decisions centrally?",
    "Which trusts take most decisions centrally?",
])
def test_round12_most_past_a_noun_is_not_a_superlative(trusts, question):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and names(found) == {BRI, COR, FEN, GRE, HAR, IRO, OAK, SAL}, (
        found and found.headline)


@pytest.mark.parametrize("question, expected", [
    # round 12: a trust named after "than" / "before" / "after": its own value for the field
    # the comparison names (on main: "No vignette records 'Larkspur'", no trust listed)
    ("Which trusts have more secondary schools than Ironbridge?", {HAR, SAL}),
    ("Which trusts were set up after Corvid Lane?", {HEA, IRO}),
    ("Which trusts are smaller than the Kestrel Vale Partnership?", {LAR, QUI}),
    ("Which trusts have fewer schools than Thornwick?", {IRO, KES, LAR, MIL, QUI}),
])
def test_round12_comparison_with_a_named_trust(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


def test_round12_named_trust_without_the_field(trusts):
    found = answer_set_question("Which trusts have more pupils than Millbeck?", trusts)
    assert found.trusts == [] and "does not record" in found.headline, found.headline
    assert "98765" not in found.headline


@pytest.mark.parametrize("question, expected", [
    # round 12: a kind of trust as the question's only group word restricts the list (on
    # main "Which federations are rural?" listed every rural trust, Fenlow included)
    ("Which federations have more than five schools?", {OAK}),
    ("Which partnerships are rural?", {KES}),
    ("Which federations have a secondary school?", {OAK, QUI}),
    ("How many federations are there?", {LAR, MIL, OAK, QUI}),
])
def test_round12_a_kind_as_the_only_group_word(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


def test_round12_a_kind_alone_makes_no_content_question(trusts):
    # the kind is no condition by itself in a content question, as "trusts" is none
    assert answer_set_question("What do federations say about sharing staff?", trusts) is None
    found = answer_set_question("What do the rural federations say about sharing staff?",
                                trusts)
    assert found is not None and names(found) == {LAR, MIL, OAK} and found.content


@pytest.mark.parametrize("question, expected", [
    # round 12: what the list is for, before the question, is said as not read (on main:
    # "No vignette records ...", no trust listed)
    ("Ahead of our governors' day - which trusts have a special school?",
     {ASH, BRI, HAR, HEA, OAK}),
    ("For a workshop on faith schools: which trusts are Catholic?", {COR}),
    # an exclusion or "for" before the group word, then the question (on main: not read
    # as set questions)
    ("For the rural trusts: which have fewer than five schools?", {KES, LAR, MIL}),
    ("Apart from the rural trusts, which have a special school?", {ASH, BRI, HAR}),
    ("Aside from the trusts with fewer than four schools, which are rural?", {FEN, HEA, OAK}),
    # the set said again at the end
    ("Which trusts are rural in our set?", RURAL),
])
def test_round12_purpose_exclusion_and_the_set_said_again(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


def test_round12_a_purpose_naming_the_trusts_is_not_dropped(trusts):
    # "For a session on rural trusts" may restrict the list: not dropped, not guessed
    found = answer_set_question("For a session on rural trusts: which have fewer than five "
                                "schools?", trusts)
    assert found is None or found.trusts == [], found.headline


def test_round12_relative_clause_verb_before_a_condition(trusts):
    # the one verb of "that keep ..." puts the condition; and a verb that only looks like a
    # verb of saying ("do") is passed over for the clause that reads
    embed = eval_trusts.real_embed()
    found = answer_set_question("What do trusts that keep local governing bodies say about "
                                "accountability?", trusts, embed=embed)
    assert found is not None and len(found.trusts) == 8 and found.content, found.headline
    found = answer_set_question("What do the trusts that do peer review say about "
                                "accountability?", trusts, embed=embed)
    assert found is not None and names(found) == {BRI, HEA, KES, LAR, QUI}, found.headline


@pytest.mark.parametrize("question", [
    # round 12: a verb of ending or removal is no "has" (on main "Which trusts abolished
    # local governing bodies?" listed the trusts that have them: a wrong list)
    "Which trusts abolished local governing bodies?",
    "Which trusts scrapped their local governing bodies?",
])
def test_round12_a_removal_is_not_read_as_having(trusts, question):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and found.trusts == [], found.headline


@pytest.mark.parametrize("question", [
    "What do trusts that abolished local governing bodies say about accountability?",
    "What do trusts with strong boards say about governance?",
])
def test_round12_clause_not_read_whole_stays_ordinary(trusts, question):
    assert answer_set_question(question, trusts, embed=eval_trusts.real_embed()) is None


@pytest.mark.parametrize("question, expected", [
    # round 12: one trust asked for with three describing words, or a verb, its object and
    # "most"/"least" with a scale pole's adverb (on main: not read as set questions)
    ("Which is the least formal urban trust?", {QUI, THO}),
    ("Which trust takes decisions most centrally?", {GRE, IRO}),
    ("Which urban trust makes decisions most locally?", {RIV, THO}),
])
def test_round12_one_trust_with_a_superlative_further_on(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


@pytest.mark.parametrize("question, expected", [
    # round 12: conditions before a dash and a question that only points back at them (on
    # main: not read as set questions)
    ("Rural, with fewer than five schools - which are they?", {KES, LAR, MIL}),
    ("We want trusts with a special school and more than eight schools - any?",
     {BRI, HAR, HEA}),
    ("Urban and Catholic - which ones?", {COR}),
])
def test_round12_conditions_then_a_question_pointing_back(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


@pytest.mark.parametrize("question", [
    "Governance and accountability - which are they?",
    "Something I wonder about - which are they?",
])
def test_round12_a_part_before_the_dash_that_is_no_condition(trusts, question):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is None or found.trusts == [], found.headline


@pytest.mark.parametrize("question, expected", [
    # round 12b: a bound after the number and its unit (on main: "most" said as not read,
    # no trust listed)
    ("Which trusts run 3 schools at the most?", {IRO, KES, LAR, MIL, QUI}),
    ("Trusts with two secondary schools at least?", {BRI, GRE, HAR, IRO, PEN, RIV, SAL}),
    ("Which trusts have four schools at the very most?", {ASH, IRO, KES, LAR, MIL, QUI, THO}),
    ("Which trusts have 15 schools max?",
     {ASH, BRI, COR, FEN, GRE, HEA, IRO, KES, LAR, MIL, OAK, PEN, QUI, RIV, SAL, THO}),
    ("Which rural trusts have eight schools minimum?", {FEN, HEA, OAK}),
])
def test_round12b_a_bound_after_the_number(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


def test_round12b_the_superlative_most_is_no_bound(trusts):
    found = answer_set_question("Which trust has the most primary schools?", trusts)
    assert found is not None and names(found) == {HAR}, found and found.headline


@pytest.mark.parametrize("question, expected", [
    # round 12b: words before ":" / "," / " - " that name no trust, value or field (on main:
    # "No vignette records ...", no trust listed)
    ("Sorting out tomorrow's seminar: which trusts have a UTC?", {IRO, SAL}),
    ("With the spring term in mind, which trusts are urban?",
     {COR, GRE, IRO, QUI, RIV, SAL, THO}),
    ("Thinking ahead to the workshop - how many trusts evaluate informally?",
     {HEA, KES, LAR, MIL, OAK, QUI, THO}),
])
def test_round12b_a_preface_that_names_nothing_is_dropped(trusts, question, expected):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and names(found) == expected, found and found.headline
    assert found.ignored, found.headline  # said as not read


@pytest.mark.parametrize("question, expected", [
    # a preface that is a condition is read as one, never dropped
    ("In the countryside, which trusts have a special school?", {HEA, OAK}),
    ("For rural trusts, which have more than five schools?", {FEN, HEA, OAK}),
])
def test_round12b_a_preface_that_is_a_condition_is_kept(trusts, question, expected):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and names(found) == expected, found and found.headline


@pytest.mark.parametrize("question", [
    # a preface that restricts the list in words no rule reads: never dropped
    "Excluding the ones I have visited, which trusts are rural?",
    "Leaving aside church schools, which trusts are rural?",
])
def test_round12b_a_preface_that_restricts_is_not_dropped(trusts, question):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and found.trusts == [], found.headline


@pytest.mark.parametrize("question, expected", [
    # round 12b: "most" before a plural noun the scale's label or phrase has, asked of
    # trusts in the plural, is a quantity (on main: "most" said as not read, none listed)
    ("Which trusts take most of their decisions centrally?",
     {BRI, COR, FEN, GRE, HAR, IRO, OAK, SAL}),
    ("Which rural trusts make most decisions locally?", {HEA, LAR, MIL}),
    ("Which urban trusts mostly evaluate informally?", {QUI, THO}),
])
def test_round12b_most_as_a_quantity(trusts, question, expected):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and names(found) == expected, found and found.headline


def test_round12b_most_with_one_trust_stays_unread(trusts):
    # "Which trust takes most decisions centrally?" may be the superlative: not guessed
    found = answer_set_question("Which trust makes most decisions centrally?", trusts,
                                embed=eval_trusts.real_embed())
    assert found is not None and found.trusts == [], found.headline


@pytest.mark.parametrize("question", [
    # round 12b: nouns after a field's word and before a number are another measure (on
    # main: a list of the trusts by pupils on roll, a wrong list)
    "Which trusts have a pupil premium rate above 25%?",
    "Which trusts have pupil absence rates over 5?",
    "Trusts with a school meals uptake of more than 40 percent?",
])
def test_round12b_another_measure_before_a_number_lists_none(trusts, question):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and found.trusts == [], found.headline
    assert "No vignette records" in found.headline, found.headline


@pytest.mark.parametrize("question", [
    # round 12b: "most of their ..." is a share, no superlative (on main the first listed
    # the trust with the most pupils: a wrong list)
    "Which trusts have most of their pupils in secondary schools?",
    "Which trust has most of its schools in villages?",
])
def test_round12b_most_of_is_a_share_not_a_superlative(trusts, question):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and found.trusts == [], found.headline


def test_round12b_a_purpose_preface_with_a_value_word_is_read(trusts):
    # "For the Catholic ... strand:" names a value: read as a condition, not dropped
    found = answer_set_question("For the Catholic schools strand: which trusts are urban?",
                                trusts, embed=eval_trusts.real_embed())
    assert found is not None and names(found) == {COR}, found.headline


@pytest.mark.parametrize("question, missing", [
    # round 12b: a noun after a school kind is what is counted in those schools (on main
    # the first listed trusts by their primary schools: a wrong list; the second said "No
    # trust matches: ... more than 500 secondary schools")
    ("Which trusts have more than 5 primary school pupils?", "primary school pupils"),
    ("Which trusts have secondary school places over 400?", "secondary school places"),
    ("Which trusts employ over 30 special school teachers?", "special school teachers"),
])
def test_round12b_a_count_within_a_kind_of_school_is_no_count_of_schools(
        trusts, question, missing):
    found = answer_set_question(question, trusts)
    assert found is not None and found.trusts == [], found.headline
    assert missing in found.headline, found.headline


@pytest.mark.parametrize("question, expected", [
    # guards: the kind's own words and a count pointing back still read
    ("Which trusts have more than five primaries?", {BRI, FEN, HAR, HEA, OAK, PEN}),
    ("Which trusts have secondary schools, but no more than two of them?",
     {BRI, COR, FEN, GRE, HEA, KES, OAK, PEN, QUI, RIV}),
])
def test_round12b_counts_of_schools_still_read(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


@pytest.mark.parametrize("question", [
    # round 12b: a clause at another time than the vignette's today (on main the first
    # listed the trusts with more than 8 schools now: a wrong list)
    "Which trusts had more than 8 schools when they were founded?",
    "Which trusts were rural until they merged?",
])
def test_round12b_a_condition_at_another_time_lists_none(trusts, question):
    found = answer_set_question(question, trusts)
    assert found is not None and found.trusts == [], found.headline


@pytest.mark.parametrize("question, expected", [
    # round 12b: "in or after" / "in or before" a year (on main: "No vignette records
    # 'after 2017'")
    ("Which trusts were founded in or after 2017?", {HEA, IRO}),
    ("Which trusts were set up in or before 2013?", {COR}),
])
def test_round12b_in_or_after_a_year(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


@pytest.mark.parametrize("question, expected", [
    # round 12b: age against a named trust, the same count as a named trust (the named one
    # not listed), and "founded first / last" (on main: not read, no trust listed)
    ("Which trusts are younger than Heathermoor?", {IRO}),
    ("Which trusts are older than the Ironbridge trust?", {COR, HEA}),
    ("Which trusts have as many schools as Ashgrove?", {THO}),
    ("Which trusts have the same number of secondary schools as Quillon?",
     {COR, FEN, HEA, KES, OAK}),
    ("Which trust was set up first?", {COR}),
    ("Which trust was founded last?", {IRO}),
])
def test_round12b_age_and_equal_counts_with_a_named_trust(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


def test_round12b_such_as_a_trust_is_no_comparison(trusts):
    found = answer_set_question("Which trusts, such as Kestrel, are rural?", trusts)
    assert found is None or not any("read as" in c for c in found.conditions), found.headline


@pytest.mark.parametrize("question", [
    # round 12b: rates, percentages, sums and counts of schools having a thing (on main each
    # listed trusts: by schools and region, every trust, ...: wrong lists)
    "Which trusts have more than two schools per county?",
    "Which trusts have a special school in more than one town?",
    "Which trusts have a sixth form in at least two schools?",
    "Which trusts have over 60 per cent secondary schools?",
    "Which trusts have more secondaries than primaries and special schools combined?",
])
def test_round12b_rates_shares_and_sums_list_none(trusts, question):
    found = answer_set_question(question, trusts)
    assert found is not None and found.trusts == [], found.headline


@pytest.mark.parametrize("question", [
    # round 12b: an exception among a trust's schools ("rural apart from two schools") or the
    # trusts with that many schools left out: read two ways, no list (on main the first
    # listed the rural trusts without saying the exclusion; the second left out Larkspur)
    "Which trusts are urban apart from one school?",
    "Which trusts are rural except for two schools?",
])
def test_round12b_an_exception_among_the_schools_is_not_guessed(trusts, question):
    found = answer_set_question(question, trusts)
    assert found is not None and found.trusts == [], found.headline


def test_round12b_an_exclusion_of_trusts_by_count_still_reads(trusts):
    found = answer_set_question("Which trusts, apart from those with 2 schools, are rural?",
                                trusts)
    assert found is not None and names(found) == {FEN, HEA, KES, MIL, OAK}, found.headline


@pytest.mark.parametrize("question, expected", [
    # round 12b: a trust named after a word of exclusion is left out (on main: "No vignette
    # records 'Kestrel'"; the last listed the rural trusts WITHOUT a special school: a wrong
    # list, the exclusion negating the next condition)
    ("Which trusts besides Kestrel are rural?", {FEN, HEA, LAR, MIL, OAK}),
    ("Leaving out Saltmarsh, which trusts have a UTC?", {IRO}),
    ("Which urban trusts, apart from Greyfriars, evaluate formally?", {COR, IRO, RIV, SAL}),
    ("Which rural trusts, except Oakmoor, have a special school?", {HEA}),
])
def test_round12b_a_named_trust_left_out(trusts, question, expected):
    found = answer_set_question(question, trusts)
    assert found is not None and names(found) == expected, found and found.headline


@pytest.mark.parametrize("question", [
    # round 12b: a count of the schools that are not of a kind (on main: the trusts with
    # more than N schools that are not all primaries: a wrong list)
    "Which trusts have more than four schools other than primaries?",
    "Which trusts run at least 2 schools apart from special schools?",
])
def test_round12b_a_count_of_schools_but_a_kind_is_not_guessed(trusts, question):
    found = answer_set_question(question, trusts)
    assert found is not None and found.trusts == [], found.headline


def test_round12b_schools_other_than_a_kind_still_reads(trusts):
    found = answer_set_question("Which trusts have more than 5 schools excluding the rural "
                                "ones?", trusts)
    assert found is not None and names(found) == {BRI, GRE, HAR, PEN, SAL}, found.headline


@pytest.mark.parametrize("question, expected", [
    # round 12c: a sentence about the asker, then the question, split at the full stop as at
    # a dash; a sentence naming the set, then a question pointing back at it
    ("I'm preparing a governors' briefing. Which trusts have a sixth form?", {COR, IRO}),
    ("Our trustees asked me to look into this. What do the trusts founded after 2015 say "
     "about governance?", {HEA, IRO}),
    ("I need the trusts that are neither urban nor rural. Which are they?",
     {ASH, BRI, HAR, PEN}),
])
def test_round12c_a_sentence_before_the_question(trusts, question, expected):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and names(found) == expected, found and found.headline


@pytest.mark.parametrize("question", [
    # a sentence that restricts the set is never dropped silently; a content question after
    # a sentence stays a content question
    "We only care about rural trusts. Which have a special school?",
    "We run a trust of our own. What do trusts say about governance?",
    "I'm new to this. How do trusts decide on delegation?",
])
def test_round12c_a_sentence_before_lists_nothing_wrong(trusts, question):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is None or found.trusts == [], found.headline


@pytest.mark.parametrize("question, expected, said", [
    # round 12c: a word no vignette records, one slip of the keys from a known word (a letter
    # doubled, left out or swapped), read as that word and said so
    ("Which trusts have more than six scholos?", {BRI, FEN, HAR, PEN, SAL, OAK, HEA},
     "“scholos” read as “schools”"),
    ("Which trusts have fewer than 1,000 pupills on roll?", set(), "“pupills” read as"),
    ("Which trusts are nationnal?", {IRO}, "“nationnal” read as “national”"),
])
def test_round12c_a_slip_of_the_keys_is_read_and_said(trusts, question, expected, said):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and said in found.headline, found and found.headline
    if expected:
        assert names(found) == expected, found.headline


def test_round12c_a_word_no_slip_away_is_still_not_recorded(trusts):
    found = answer_set_question("Which trusts have an Ofsted grade of outstanding?", trusts,
                                embed=eval_trusts.real_embed())
    assert found is not None and found.trusts == [] and "read as" not in found.headline


@pytest.mark.parametrize("question, expected", [
    # round 12c: "most of the schools <kind>" is more than half of a trust's schools of that
    # kind, said so (before, "most" was named as not read)
    ("Which trusts have most of their schools being secondaries?", {SAL, IRO}),
    ("Which trusts are the majority of whose schools are special schools?", {ASH}),
    ("Which trusts whose schools are mainly primary are rural?", {FEN, HEA, KES, LAR, MIL, OAK}),
])
def test_round12c_most_of_the_schools_of_a_kind_is_a_majority(trusts, question, expected):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and names(found) == expected, found and found.headline
    assert "more than half" in found.headline


@pytest.mark.parametrize("question", [
    "Which trust has the most schools?",  # still the superlative
    "Which rural trusts have most of their schools in villages?",  # no kind: not guessed
])
def test_round12c_most_schools_without_a_kind_is_no_majority(trusts, question):
    found = answer_set_question(question, trusts, embed=eval_trusts.real_embed())
    assert found is not None and "more than half" not in found.headline


def test_round12c_a_majority_of_a_kind_in_a_content_question(trusts):
    found = answer_set_question("What do trusts whose schools are mostly secondary say about "
                                "the curriculum?", trusts, embed=eval_trusts.real_embed())
    assert found is not None and names(found) == {SAL, IRO} and found.content, found.headline
