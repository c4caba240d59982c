"""Retrieval quality mechanics: chunking defaults, BM25 tokenisation, fusion, evidence levels
and answer sentences. Fast and deterministic: the fake embedder only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest import ChunkSettings, chunk_document, load_catalog, read_document
from ingest.normalise import match_key

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def _passages(settings: ChunkSettings | None = None, with_docs: bool = False):
    out, docs = [], []
    catalog = load_catalog(CORPUS)
    for path in sorted(CORPUS.glob("*.txt")):
        docs.append(read_document(path, CORPUS, catalog))
        out.extend(chunk_document(docs[-1], settings))
    return (out, docs) if with_docs else out


def test_every_line_of_the_corpus_is_in_some_passage():
    """Heading lines open their section's first passage; headings with nothing under them (a
    trailing label, a run of table labels) are kept as text, not lost."""
    passages, docs = _passages(with_docs=True)
    for doc in docs:  # the normalised text: footers and footnotes are already gone
        # in order, so that a line wrapped across two passages still counts
        joined = match_key("".join(p.text for p in passages if p.file == doc.info.file))
        for page in doc.pages:
            for line in page.text.splitlines():
                line = line.strip().rstrip(":")
                if len(line.split()) >= 3 and not line.startswith("http"):
                    assert match_key(line) in joined, line


def test_heading_line_opens_the_first_passage_of_its_section():
    passages = _passages()
    governance = [p for p in passages if p.section[-1:] == ["Governance"]]
    assert governance[0].text.startswith("Governance\nMost of our trusts maintained")
    assert not governance[1].text.startswith("Governance")
    assert all(p.text.count("‘Soft Federation’") <= 1 for p in passages)
    off = _passages(ChunkSettings(heading_lines=False))
    assert not any(p.text.startswith("Governance\n") for p in off)


# --- late interaction and the hybrid ranking (fake embedder) ----------------------------------

def test_fake_late_interaction_matches_content_words_weighted_by_idf():
    from index import HashingEmbedder
    from qa.late import LateInteraction

    late = LateInteraction(HashingEmbedder())
    texts = ["Finance was centrally controlled.", "Staff appointments were made at school level.",
             "The school improvement priorities were set centrally."]
    late.fit_idf(texts)
    q = late.query("Who controls finance?")
    scores = late.score(q, late.passage_tokens([(f"p{i}", t) for i, t in enumerate(texts)]))
    assert scores.argmax() == 0 and scores[1] == 0.0
    # cached by passage id and text: a second call encodes nothing
    calls = []
    real = late.encoder.encode_passages
    late.encoder.encode_passages = lambda t, **kw: calls.append(t) or real(t, **kw)
    late.passage_tokens([("p0", texts[0])])
    assert calls == []
    late.passage_tokens([("p0", "edited text")])
    assert calls == [["edited text"]]


def test_default_ranking_is_late_interaction_with_evidence_on_its_score(searcher):
    assert searcher.settings.fusion == "late"
    answer = searcher.ask("What is a hard federation?")
    assert "single legal entity" in answer.hits[0].passage.text
    assert answer.confidence == max(h.similarity for h in answer.hits)
    assert answer.evidence != "none"
    none = searcher.ask("How do I bake sourdough bread?")
    assert none.evidence == "none" and none.sentences == [] and none.hits


def test_other_fusions_still_available(searcher):
    from qa import Searcher, SearchSettings

    for fusion in ("rrf", "score", "zscore"):
        s = Searcher(searcher.index, searcher.embedder, SearchSettings(fusion=fusion))
        hits = s.ask("What is a hard federation? single legal entity").hits
        assert hits and all(h.rank == i + 1 for i, h in enumerate(hits))


def test_glossary_expands_the_lexical_query(searcher):
    assert searcher.expand("Do LGBs still matter?") == \
        "Do LGBs still matter? (local governing bodies)"
    assert searcher.expand("What is a hard federation?") == "What is a hard federation?"


def test_filters_apply_to_hybrid_ranking(searcher):
    from qa import Filters

    only = Filters(files=("leadership-of-learning-synopsis.txt",))
    hits = searcher.ask("How is governance organised?", k=8, filters=only).hits
    assert hits and all(h.passage.file == only.files[0] for h in hits)


def test_diversity_interleaves_documents(searcher):
    from dataclasses import replace

    from qa import Searcher

    q = "How do trusts and federations organise governance and local governing bodies?"
    plain = Searcher(searcher.index, searcher.embedder, replace(searcher.settings, diversity=0))
    spread = Searcher(searcher.index, searcher.embedder,
                      replace(searcher.settings, diversity=100.0))
    one = plain.ask(q, k=6).hits
    two = spread.ask(q, k=6).hits
    assert one[0].passage.id == two[0].passage.id  # the best passage stays first
    files = [h.passage.file for h in two[:4]]
    assert files[0] != files[1] and files[2] != files[3]  # then the documents take turns
    assert [h.score for h in two] == sorted((h.score for h in two), reverse=True)


def test_answer_sentences_verbatim_and_from_the_top_passage_first(searcher):
    answer = searcher.ask("What is a hard federation? single legal entity")
    assert answer.sentences
    assert answer.hits[0].passage.id in answer.sentences[0].passage_ids
    for s in answer.sentences:
        for pid in s.passage_ids:
            assert match_key(s.text) in match_key(searcher.index.passage(pid).text)


@pytest.mark.model
def test_real_token_segments_fit_the_window_and_vectors_are_unit():
    from index import make_embedder
    from qa.late import TokenEncoder

    enc = TokenEncoder(make_embedder(), segment_tokens=64)
    text = " ".join(["Most of our trusts maintained local governing bodies (LGBs) with "
                     "substantive delegated powers."] * 12) + "\nGovernance"
    segs = enc.segments(text)
    assert len(segs) > 1 and all(len(enc.tokenizer.tokenize(s)) <= 64 for s in segs)
    (vecs, keys), = enc.encode_passages([text])
    assert len(vecs) == len(keys) > 100
    norms = np.linalg.norm(vecs.astype(np.float32), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-2)


# --- SciFact benchmark smoke test (real model; excluded from `make test`) -----------------------

SCIFACT = ROOT.parent / "shared" / "bench" / "scifact"


@pytest.mark.slow
@pytest.mark.skipif(not (SCIFACT / "corpus.jsonl").exists(), reason="SciFact data not present")
def test_scifact_bench_smoke(tmp_path):
    import subprocess
    import sys

    run = tmp_path / "run.txt"
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "scifact.py"), "--data", str(SCIFACT),
                        "--limit", "150", "--queries", "8", "--run-file", str(run),
                        "--cache", str(tmp_path / "cache")],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    last = r.stdout.strip().splitlines()[-1]
    assert last.startswith("nDCG@10 0.") and len(last) == len("nDCG@10 0.0000")
    assert float(last.split()[1]) > 0.5
    rows = [line.split() for line in run.read_text().splitlines()]
    assert rows and all(len(x) == 6 and x[1] == "Q0" for x in rows)
    by_query: dict[str, list[tuple[int, str, float]]] = {}
    for qid, _, doc, rank, score, _ in rows:
        by_query.setdefault(qid, []).append((int(rank), doc, float(score)))
    assert 1 <= len(by_query) <= 8  # --limit keeps only queries whose documents are indexed
    for ranked in by_query.values():  # 100 distinct documents, ranks 1..100, scores descending
        assert [r for r, _, _ in ranked] == list(range(1, 101))
        assert len({d for _, d, _ in ranked}) == 100
        scores = [x for _, _, x in ranked]
        assert scores == sorted(scores, reverse=True)


def test_question_words_are_stopwords_and_old_indexes_keep_their_list():
    """"What", "does", "should" matched any passage that used them (bm25s's 33-word list kept
    them); the English list drops them. An index built with the old bool setting is still
    queried with the list it was built with, so query and index tokens agree."""
    from index.lexical import LexicalSettings, tokenize

    question = "What does the evidence say schools should do?"
    assert tokenize(question, LexicalSettings()) == ["evid", "say", "school"]
    old = LexicalSettings(stopwords=True)
    assert old.stopwords == "short" and LexicalSettings(stopwords=False).stopwords == ""
    assert {"what", "doe", "should"} <= set(tokenize(question, old))
    assert len(tokenize(question, LexicalSettings(stopwords=""))) == 8
    with pytest.raises(ValueError, match="unknown stopword list"):
        tokenize("some words", LexicalSettings(stopwords="klingon"))
