"""The speed-related paths of issue 7 stay correct (no timings here: bench/ measures speed)."""

from __future__ import annotations

import numpy as np

from index import EmbedSettings, IndexSettings, build_index, load_index, read_manifest
from index.lexical import LexicalIndex, LexicalSettings


def test_approximate_index_above_threshold_is_recorded_and_searched(corpus, tmp_path):
    settings = IndexSettings(embed=EmbedSettings(model="fake"), exact_search_max=10)
    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, settings)
    assert read_manifest(index_dir).index_type == "ivf"
    idx = load_index(index_dir)
    from qa.search import Searcher, embedder_for

    answer = Searcher(idx, embedder_for(idx)).ask("What is a hard federation?")
    assert answer.hits and answer.hits[0].similarity > 0


def test_flat_index_does_not_read_faiss_until_asked(built):
    _, index_dir = built
    idx = load_index(index_dir)
    assert idx.manifest.index_type == "flat" and idx._faiss is None
    assert idx.faiss.ntotal == len(idx.passages)
    q = np.asarray(idx.vectors[0])
    assert np.allclose(idx.dense_scores(q), np.asarray(idx.vectors) @ q, atol=1e-5)


def test_bm25_reusing_previous_tokens_scores_the_same(tmp_path):
    texts = ["Federations share one governing body.", "A trust board holds the schools to account",
             "", "Executive headteachers lead several schools in a federation."]
    settings = LexicalSettings()
    first = LexicalIndex.build(texts[:3], settings)
    first.save(tmp_path)
    previous = LexicalIndex.load(tmp_path, settings)
    reused = LexicalIndex.build(texts, settings, previous=previous)
    fresh = LexicalIndex.build(texts, settings)
    for q in ("federation governing body", "trust board schools", "headteachers"):
        assert np.array_equal(reused.scores(q, len(texts)), fresh.scores(q, len(texts)))
    assert set(reused.vocab) == set(fresh.vocab)


def test_top_k_matches_a_stable_sort():
    from qa.search import _top

    rng = np.random.default_rng(0)
    for _ in range(200):
        x = rng.integers(-3, 4, size=int(rng.integers(1, 120))).astype(float)
        x[rng.random(len(x)) < 0.2] = -np.inf
        k = int(rng.integers(1, 30))
        assert list(_top(x, k)) == list(np.argsort(-x, kind="stable")[:k])
