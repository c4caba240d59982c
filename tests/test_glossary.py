"""The glossary the corpus defines: extraction rules, storage per generation, query expansion."""

from __future__ import annotations

from index import load_index
from ingest import Passage
from ingest.glossary import build_glossary, definitions, expand_query


def _p(text: str, pid: str = "p1") -> Passage:
    return Passage(pid, "sha", "a.txt", "A", "A", "report", 0, text, [])


def test_acronym_in_brackets_must_spell_the_words_before_it():
    assert definitions("Most of our trusts maintained local governing bodies (LGBs) with powers.") \
        == [("LGBs", "local governing bodies")]
    assert definitions("A multi-academy trust (MAT) is a single entity") == \
        [("MAT", "multi-academy trust")]
    # brackets that are not definitions
    assert definitions("as the chart shows (see Graph A) and (urban/rural) mixes (UK)") == []


def test_or_acronym_and_henceforth_forms():
    assert definitions("we will call them all executive heads, or EHs, for simplicity") == \
        [("EHs", "executive heads")]
    assert definitions("Multi-academy trusts (henceforth ‘trusts’) are the new kids") == \
        [("trusts", "Multi-academy trusts")]
    # a definition never reaches back over a line break
    assert definitions("Jane Smith\nMulti-academy trusts (henceforth ‘trusts’) are new") == \
        [("trusts", "Multi-academy trusts")]


def test_build_glossary_keeps_first_definition_with_its_passage():
    g = build_glossary([_p("local governing bodies (LGBs) matter", "p1"),
                        _p("the local governing body (LGB) again", "p2")])
    assert g == [{"term": "LGBs", "expansion": "local governing bodies", "passage_id": "p1"}]


def test_expand_query_both_ways_and_never_for_plain_words():
    g = [{"term": "LGBs", "expansion": "local governing bodies", "passage_id": "p1"},
         {"term": "trusts", "expansion": "Multi-academy trusts", "passage_id": "p2"}]
    assert expand_query("Do LGBs still matter?", g) == ["local governing bodies"]
    assert expand_query("Does an LGB set budgets?", g) == ["local governing bodies"]
    assert expand_query("How are local governing bodies recruited?", g) == ["LGBs"]
    assert expand_query("Are trusts getting bigger?", g) == []


def test_each_generation_stores_its_glossary(built):
    _, index_dir = built
    idx = load_index(index_dir)
    terms = {e["term"]: e for e in idx.glossary}
    assert terms["LGBs"]["expansion"] == "local governing bodies"
    assert terms["EHs"]["expansion"] == "executive heads"
    assert terms["trusts"]["expansion"] == "Multi-academy trusts"
    # each entry points at the passage that defines it
    for entry in idx.glossary:
        assert entry["term"] in idx.passage(entry["passage_id"]).text
