"""One-pass indexing (index.onepass, issue 14): aligned outputs for every input, bad input
included; incremental reuse of all three kinds of vector; the old-format rebuild; time left.

The fake embedder runs by default; the real MiniLM runs behind the `model` marker."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index import HashingEmbedder, build_index, load_index, read_manifest
from index.build import passage_input, passage_sentences, sentence_embedding_text
from index.onepass import OnePassEncoder, PassageInput, sentence_spans
from index.progress import TimeLeft, time_left_words
from ingest import Passage

TOPICS = [
    "Bananas ripen faster in a paper bag next to apples",
    "The trust board appointed a chief financial officer last spring",
    "Volcanic eruptions in Iceland disrupted flights across Europe",
    "Pupils in year six sat their reading tests in May",
    "The orchestra rehearsed the second symphony for three hours",
    "Glaciers in the Alps have retreated by several kilometres",
]


def _passage(text: str, section=("Findings",)) -> Passage:
    return Passage(id="p1", doc_sha256="x", file="f.txt", title="A report", short_title="Report",
                   doc_type="report", ordinal=0, text=text, section=list(section))


def _long_text(repeats: int) -> str:
    """Sentences on unrelated topics, in a rotating order, long enough for several windows."""
    lines = []
    for r in range(repeats):
        lines.append(" ".join(f"{TOPICS[(r + k) % len(TOPICS)]} (note {r}.{k})." for k in
                              range(len(TOPICS))))
    return "\n".join(lines)


# --- spans ---------------------------------------------------------------------------------

def test_sentence_spans_follow_the_sentences_in_order_repeats_included():
    text = "Yes. No. Yes. Maybe so."
    spans = sentence_spans(text, ["Yes.", "No.", "Yes.", "Maybe so.", ""], offset=10)
    assert [text[a - 10:b - 10] for a, b in spans[:4]] == ["Yes.", "No.", "Yes.", "Maybe so."]
    assert spans[0] != spans[2]  # the second "Yes." is its own
    assert spans[4][0] == spans[4][1]  # an empty sentence gets an empty span


def test_passage_input_spans_point_at_each_sentence_in_the_embedding_text():
    p = _passage("Heading line\nThe first sentence here. A second one follows.\n- an item\n"
                 "- another item")
    rows = [{"text": t, "context": c} for t, c in passage_sentences(p)]
    item = passage_input(p, rows)
    assert item.text == p.embedding_text() and item.text[item.body_start:] == p.text
    assert [item.text[a:b] for a, b in item.spans] == [r["text"] for r in rows]


# --- fake embedder: bookkeeping ---------------------------------------------------------------

def test_fake_pass_gives_each_input_its_own_aligned_outputs_and_survives_bad_input():
    emb = HashingEmbedder()
    enc = OnePassEncoder(emb)
    good = "Trust boards meet termly. Finance is run centrally."
    items = [
        PassageInput(good, 0, sentence_spans(good, ["Trust boards meet termly.",
                                                    "Finance is run centrally."])),
        PassageInput("…", 0, ((0, 1),)),  # nothing the embedder can use
        PassageInput("", 0, ((0, 0),)),  # empty text, empty sentence
        PassageInput("Ok", 0, ((0, 2), (2, 2))),  # one word; then an empty span
    ]
    out, stats = enc.encode(items)
    assert len(out) == len(items) and stats.passages == len(items)
    assert [len(o.sentences) for o in out] == [2, 1, 1, 2]
    expect = emb.embed(["Trust boards meet termly.", "Finance is run centrally."])
    assert np.allclose(out[0].sentences, expect)
    assert not out[1].sentences.any() and not out[2].sentences.any()
    assert out[3].sentences[0].any() and not out[3].sentences[1].any()
    assert np.isfinite(np.concatenate([o.sentences for o in out])).all()


def test_build_stores_the_ith_sentence_vector_for_the_ith_sentence(built):
    """Fake vectors are each text's own hashing vector, so a row that belongs to another
    sentence (or is shifted by one) does not match."""
    _, index_dir = built
    idx = load_index(index_dir)
    emb = HashingEmbedder()
    texts = [s["text"] for s in idx.sentences]
    assert len(idx.sentence_vectors) == len(texts) == len(idx.ranking_sentence_vectors)
    assert np.allclose(idx.sentence_vectors, emb.embed(texts), atol=1e-6)
    ranking = emb.embed([sentence_embedding_text(s["text"], s["context"]) for s in idx.sentences])
    assert np.allclose(idx.ranking_sentence_vectors, ranking, atol=1e-6)
    assert np.allclose(idx.vectors, emb.embed([p.embedding_text() for p in idx.passages]),
                       atol=1e-6)


def test_unchanged_passages_keep_all_three_kinds_of_vector(built, fake_settings):
    corpus, index_dir = built
    before = load_index(index_dir)
    rows = {p.id: i for i, p in enumerate(before.passages)}
    keep = {p.id: (np.array(before.vectors[i]),
                   np.array(before.sentence_vectors[before.sentences_of[i]]),
                   np.array(before.ranking_sentence_vectors[before.sentences_of[i]]),
                   before.tokens_of(i)[1].tolist()) for p, i in
            ((p, rows[p.id]) for p in before.passages)}
    (corpus / "extra.txt").write_text("Trust boards\n\nA short new note about trust boards.\n")
    report = build_index(corpus, index_dir, fake_settings)
    assert report.embedded == 1 and report.embedding["passages"] == 1
    after = load_index(index_dir)
    for i, p in enumerate(after.passages):
        if p.id in keep:
            vec, sents, ranking, keys = keep[p.id]
            assert np.array_equal(after.vectors[i], vec)
            assert np.array_equal(after.sentence_vectors[after.sentences_of[i]], sents)
            assert np.array_equal(after.ranking_sentence_vectors[after.sentences_of[i]], ranking)
            assert after.tokens_of(i)[1].tolist() == keys


def test_old_format_generation_is_rebuilt_once_and_the_build_says_why(built, fake_settings):
    corpus, index_dir = built
    gen = index_dir / "generations" / (index_dir / "CURRENT").read_text().strip()
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest.pop("embedding")  # as written before issue 14
    (gen / "manifest.json").write_text(json.dumps(manifest))
    report = build_index(corpus, index_dir, fake_settings)
    assert report.changed and "built the old way" in report.full_rebuild
    assert read_manifest(index_dir).embedding["method"] == "one-pass"
    again = build_index(corpus, index_dir, fake_settings)
    assert not again.changed and not again.full_rebuild


def test_switching_to_the_old_path_is_a_full_rebuild_with_a_reason(built, fake_settings):
    from dataclasses import replace

    corpus, index_dir = built
    report = build_index(corpus, index_dir, replace(fake_settings, one_pass=False))
    assert report.changed and report.full_rebuild == "the embedding settings changed"
    assert report.embedding["method"] == "separate"


def test_one_embedding_stage_counts_up_to_its_total(corpus, tmp_path, fake_settings):
    seen: list[tuple[str, int, int]] = []
    build_index(corpus, tmp_path / "i", fake_settings,
                progress=lambda stage, done, total: seen.append((stage, done, total)))
    stages = list(dict.fromkeys(s for s, _, _ in seen))
    assert "embedding" in stages and "token vectors" not in stages
    embedding = [(d, t) for s, d, t in seen if s == "embedding"]
    assert embedding[0][0] == 0 and embedding[-1][0] == embedding[-1][1] > 0
    assert all(a[0] <= b[0] for a, b in zip(embedding, embedding[1:], strict=False))


def test_time_left_from_the_stage_rate():
    now = [0.0]
    left = TimeLeft(clock=lambda: now[0], settle=1.0)
    assert left("embedding", 0, 100) is None
    now[0] = 0.5
    assert left("embedding", 10, 100) is None  # too early to say
    now[0] = 10.0
    assert left("embedding", 50, 100) == pytest.approx(10.0)
    assert left("indexing", 0, 1) is None  # a new stage starts its own clock
    assert time_left_words(10.0) == "about 10 s left"
    assert time_left_words(150) == "about 2 min left" and time_left_words(None) == ""


# --- the real model --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def minilm():
    from index import make_embedder

    return make_embedder()


@pytest.mark.model
def test_real_pass_matches_sentence_transformers_within_the_window(minilm):
    texts = ["Report › Findings\nTrust boards meet termly. Finance is run centrally.",
             "Short."]
    items = [PassageInput(t, 0, ()) for t in texts]
    out, _ = OnePassEncoder(minilm).encode(items)
    expect = minilm.embed(texts)
    for o, e in zip(out, expect, strict=True):
        assert float(o.vector @ e) > 0.999


@pytest.mark.model
def test_real_long_passage_spans_segments_with_aligned_sentences_and_tokens(minilm):
    p = _passage(_long_text(8))
    rows = [{"text": t, "context": c} for t, c in passage_sentences(p)]
    item = passage_input(p, rows)
    enc = OnePassEncoder(minilm)
    (out,), stats = enc.encode([item])
    assert stats.segments >= 3  # longer than the model's window: several segments
    # Token vectors: one per content word piece of the passage's own text, in order.
    tok = minilm.load().tokenizer
    from index.tokens import TokenEncoder

    content = TokenEncoder(minilm)._content_ids()
    ids = tok(p.text, add_special_tokens=False)["input_ids"]
    assert out.tokens[1].tolist() == [i for i in ids if i in content]
    assert len(out.tokens[0]) == len(out.tokens[1])
    # The i-th sentence vector is the i-th sentence's: closest to that sentence embedded on
    # its own among all the passage's sentences on other topics.
    alone = minilm.embed([r["text"] for r in rows])
    sims = out.sentences @ alone.T
    topic = [next(k for k, t in enumerate(TOPICS) if r["text"].startswith(t)) for r in rows]
    for i in range(len(rows)):
        others = [j for j in range(len(rows)) if topic[j] != topic[i]]
        assert sims[i, i] > sims[i, others].max(), i


@pytest.mark.model
def test_real_bad_input_gets_vectors_or_is_left_out_without_misalignment(minilm):
    one_piece = "Hello"
    nothing = "\u200b\u200b"  # zero-width spaces: the tokenizer drops them entirely
    text = f"{nothing}\n{one_piece}\nTrust boards meet termly."
    spans = sentence_spans(text, [nothing, one_piece, "", "Trust boards meet termly."])
    items = [PassageInput(text, 0, spans), PassageInput(nothing, 0, ((0, len(nothing)),)),
             PassageInput("", 0, ())]
    out, _ = OnePassEncoder(minilm).encode(items)
    first = out[0].sentences
    assert first.shape == (4, minilm.dim) and np.isfinite(first).all()
    assert not first[0].any() and not first[2].any()  # no word piece: left out (zero)
    assert np.linalg.norm(first[1]) == pytest.approx(1, abs=1e-5)  # one word piece: a vector
    assert float(first[3] @ minilm.embed(["Trust boards meet termly."])[0]) > 0.5
    for o in out[1:]:  # text that tokenises to nothing, and no text at all
        assert np.isfinite(o.vector).all() and len(o.tokens[1]) == 0
        assert not o.sentences.any()
