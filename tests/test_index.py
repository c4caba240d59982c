"""Incremental builds, manifest, atomic generations and the `python -m ingest --json` contract."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index import (
    BuildBusy,
    BuildError,
    EmbedSettings,
    IndexSettings,
    IndexUnavailable,
    build_index,
    load_index,
    read_manifest,
)
from ingest import ChunkSettings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
PDF = DATA / "badpdfs" / "good-4-pages_pdflatex-4-pages.pdf"


class CountingEmbedder:
    """The fake embedder, counting what it is asked to embed."""

    def __init__(self):
        from index import HashingEmbedder

        self.inner = HashingEmbedder()
        self.name, self.dim = self.inner.name, self.inner.dim
        self.calls = 0
        self.texts = 0
        self.seen: list[str] = []

    def fingerprint(self):
        return self.inner.fingerprint()

    def embed(self, texts, batch_size=32, progress=None):
        self.calls += 1
        self.texts += len(texts)
        self.seen.extend(texts)
        return self.inner.embed(texts, progress=progress)


def test_first_build_manifest(built):
    corpus, index_dir = built
    m = read_manifest(index_dir)
    assert set(m.files) == {"federations-and-mats-briefing-paper.txt",
                            "leadership-of-learning-synopsis.txt"}
    rec = m.files["federations-and-mats-briefing-paper.txt"]
    assert rec.status == "indexed" and len(rec.sha256) == 64 and rec.size > 0
    assert rec.reader_version and rec.title.startswith("Briefing paper")
    assert m.model["name"] == "fake-hashing" and m.model["dim"] == 256
    assert m.chunker == ChunkSettings().to_json()
    assert m.index_type == "flat"
    idx = load_index(index_dir)
    assert len(idx.passages) == m.passages == idx.vectors.shape[0]
    p = idx.passages[0]
    assert p.id and p.file and p.title and p.citation.startswith(p.short_title)


def test_unchanged_rebuild_is_a_noop_without_embedding(built, fake_settings):
    corpus, index_dir = built
    before = (index_dir / "CURRENT").read_text()
    emb = CountingEmbedder()
    report = build_index(corpus, index_dir, fake_settings, embedder=emb)
    assert not report.changed and report.unchanged == 2 and emb.calls == 0
    assert (index_dir / "CURRENT").read_text() == before


def test_added_pdf_is_the_only_file_embedded_and_cites_pages(built, fake_settings):
    corpus, index_dir = built
    shutil.copy(PDF, corpus / "four-pages.pdf")
    emb = CountingEmbedder()
    report = build_index(corpus, index_dir, fake_settings, embedder=emb)
    assert report.added == ["four-pages.pdf"] and report.unchanged == 2
    idx = load_index(index_dir)
    new = [p for p in idx.passages if p.file == "four-pages.pdf"]
    assert report.embedded == len(new)
    # Only the new file's passages and sentences were embedded, each of them.
    sentences = [idx.sentences[j]["text"] for p in new
                 for j in idx.sentences_of.get(idx.by_id[p.id], [])]
    assert emb.seen and all(any(t in p.embedding_text() for p in new)
                            or any(t.endswith(s) for s in sentences) for t in emb.seen)
    assert all(any(p.text in t for t in emb.seen) for p in new)
    assert {p.page for p in new} >= {1, 2}
    assert all(1 <= p.page_start <= p.page_end <= 4 for p in new)
    # Removing it removes its passages.
    (corpus / "four-pages.pdf").unlink()
    report = build_index(corpus, index_dir, fake_settings, embedder=CountingEmbedder())
    assert report.removed == ["four-pages.pdf"]
    assert not any(p.file == "four-pages.pdf" for p in load_index(index_dir).passages)


def test_edited_file_re_embedded_others_reused(built, fake_settings):
    corpus, index_dir = built
    old_ids = {p.id for p in load_index(index_dir).passages}
    path = corpus / "federations-and-mats-briefing-paper.txt"
    path.write_text(path.read_text() + "\n\n9. Postscript\n\nA new closing paragraph about "
                    "trust boards and the duties of their members in the first year.\n")
    emb = CountingEmbedder()
    report = build_index(corpus, index_dir, fake_settings, embedder=emb)
    assert report.updated == [path.name] and report.unchanged == 1
    idx = load_index(index_dir)
    synopsis_ids = {p.id for p in idx.passages if p.file.startswith("leadership")}
    assert synopsis_ids <= old_ids  # untouched document keeps its ids
    synopsis = [p.text for p in idx.passages if p.file.startswith("leadership")]
    assert emb.seen and not any(p in t for p in synopsis for t in emb.seen)
    assert report.embedded == sum(1 for p in idx.passages if p.file == path.name)


def test_renamed_file_not_re_embedded(built, fake_settings):
    corpus, index_dir = built
    ids = {p.id for p in load_index(index_dir).passages}
    (corpus / "leadership-of-learning-synopsis.txt").rename(corpus / "synopsis-renamed.txt")
    emb = CountingEmbedder()
    report = build_index(corpus, index_dir, fake_settings, embedder=emb)
    assert emb.calls == 0
    assert report.renamed == [{"from": "leadership-of-learning-synopsis.txt",
                               "to": "synopsis-renamed.txt"}]
    idx = load_index(index_dir)
    assert {p.id for p in idx.passages} == ids
    assert any(p.file == "synopsis-renamed.txt" for p in idx.passages)


def test_same_content_under_two_names_indexed_once(built, fake_settings):
    corpus, index_dir = built
    shutil.copy(corpus / "leadership-of-learning-synopsis.txt", corpus / "copy.txt")
    report = build_index(corpus, index_dir, fake_settings)
    m = read_manifest(index_dir)
    assert m.files["copy.txt"].status == "duplicate"
    assert any(f["file"] == "copy.txt" for f in report.failed)
    idx = load_index(index_dir)
    assert not any(p.file == "copy.txt" for p in idx.passages)


def test_changed_chunker_setting_forces_full_rebuild(built):
    corpus, index_dir = built
    settings = IndexSettings(embed=EmbedSettings(model="fake"),
                             chunk=ChunkSettings(target_words=120))
    report = build_index(corpus, index_dir, settings)
    assert "chunker" in report.full_rebuild and report.changed
    assert sorted(report.added + report.updated) == sorted(read_manifest(index_dir).files)


def test_bad_files_reported_others_indexed(built, fake_settings):
    corpus, index_dir = built
    (corpus / "empty.txt").write_text("")
    shutil.copy(DATA / "badpdfs" / "encrypted-user-password_libreoffice-writer-password.pdf",
                corpus / "locked.pdf")
    (corpus / "table.xlsx").write_bytes(b"PK\x03\x04 not really")
    report = build_index(corpus, index_dir, fake_settings)
    reasons = {f["file"]: f["reason"] for f in report.failed}
    assert "password-protected" in reasons["locked.pdf"]
    assert "empty" in reasons["empty.txt"]
    assert "unsupported" in reasons["table.xlsx"]
    assert read_manifest(index_dir).files["locked.pdf"].status == "refused"
    assert len(load_index(index_dir).by_file) == 2
    assert (corpus / "locked.pdf").exists()  # nothing the user put in corpus/ is touched


def test_nothing_indexable_is_an_error_and_keeps_previous(built, fake_settings, tmp_path):
    corpus, index_dir = built
    before = (index_dir / "CURRENT").read_text()
    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    (empty / "blank.txt").write_text("   ")
    with pytest.raises(BuildError, match="could be indexed"):
        build_index(empty, index_dir, fake_settings)
    assert (index_dir / "CURRENT").read_text() == before
    load_index(index_dir)


def test_crash_before_switch_leaves_previous_generation(built, fake_settings, monkeypatch):
    corpus, index_dir = built
    before = (index_dir / "CURRENT").read_text()
    answer_before = [p.id for p in load_index(index_dir).passages]
    (corpus / "new.txt").write_text("A new note on trust boards. " * 20)
    import index.store as store

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "_fsync_tree", boom)
    with pytest.raises(OSError):
        build_index(corpus, index_dir, fake_settings)
    assert (index_dir / "CURRENT").read_text() == before
    assert [p.id for p in load_index(index_dir).passages] == answer_before
    monkeypatch.undo()
    report = build_index(corpus, index_dir, fake_settings)
    assert report.added == ["new.txt"]
    assert not list((index_dir / "generations").glob(".tmp-*"))


def _build_new_generation_and_damage(built, fake_settings, file_name: str, offset: int) -> Path:
    """Add a file, build, then overwrite a few bytes of `file_name` in the new generation."""
    corpus, index_dir = built
    (corpus / "new.txt").write_text("A new note on trust boards and their duties. " * 10)
    build_index(corpus, index_dir, fake_settings)
    gen = index_dir / "generations" / (index_dir / "CURRENT").read_text().strip()
    with (gen / file_name).open("r+b") as fh:
        fh.seek(offset)
        fh.write(b"\x00garbage\x00")
    return gen


def test_corrupted_index_file_detected_and_previous_served(built, fake_settings):
    _, index_dir = built
    gen = _build_new_generation_and_damage(built, fake_settings, "vectors.npy", 200)
    idx = load_index(index_dir)
    assert idx.generation != gen.name and "damaged" in idx.fallback_reason
    with pytest.raises(IndexUnavailable, match="damaged"):
        from index.store import _load_generation

        _load_generation(gen, verify=True)


def test_second_build_refused_while_one_holds_the_lock(built, fake_settings):
    corpus, index_dir = built
    from filelock import FileLock

    with FileLock(str(index_dir / "build.lock")):
        with pytest.raises(BuildBusy, match="another build"):
            build_index(corpus, index_dir, fake_settings)


def _run(*args, cwd=ROOT, stdin=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          env=env, input=stdin, timeout=300)


def test_ingest_cli_json_contract(corpus, tmp_path):
    index_dir = tmp_path / "idx"
    (corpus / "locked.pdf").write_bytes(
        (DATA / "badpdfs" / "encrypted-aes256_crazyones-encrypted-256.pdf").read_bytes())
    r = _run("-m", "ingest", "--corpus", str(corpus), "--index", str(index_dir), "--json",
             "--model", "fake")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert list(out)[:7] == ["added", "updated", "removed", "unchanged", "failed", "passages",
                             "seconds"]
    assert sorted(out["added"]) == ["federations-and-mats-briefing-paper.txt",
                                    "leadership-of-learning-synopsis.txt"]
    assert out["failed"][0]["file"] == "locked.pdf" and "password" in out["failed"][0]["reason"]
    assert out["passages"] > 20
    r = _run("-m", "ingest", "--corpus", str(corpus), "--index", str(index_dir), "--json",
             "--model", "fake")
    again = json.loads(r.stdout)
    assert again["added"] == [] and again["unchanged"] == 2 and again["passages"] == out["passages"]
    assert [f["file"] for f in again["failed"]] == ["locked.pdf"]  # still reported


def test_ingest_cli_fails_clearly_when_nothing_usable(tmp_path):
    empty = tmp_path / "c"
    empty.mkdir()
    r = _run("-m", "ingest", "--corpus", str(empty), "--index", str(tmp_path / "i"),
             "--model", "fake")
    assert r.returncode != 0 and "could be indexed" in r.stderr


# --- token vectors for late interaction (index.tokens) --------------------------------------

def test_token_vectors_stored_checksummed_and_reused_for_unchanged_passages(
        built, fake_settings, monkeypatch):
    import index.onepass as onepass

    corpus, index_dir = built
    idx = load_index(index_dir)
    vecs, keys, offsets = idx.token_store
    assert len(offsets) == len(idx.passages) + 1 and offsets[-1] == len(keys) == len(vecs)
    assert {"token_vectors.npy", "token_keys.npy", "token_offsets.npy"} <= set(
        read_manifest(index_dir).checksums)
    before = {p.id: idx.tokens_of(i)[1].tolist() for i, p in enumerate(idx.passages)}
    assert all(before.values())

    encoded: list[str] = []
    real = onepass.OnePassEncoder.encode
    monkeypatch.setattr(onepass.OnePassEncoder, "encode",
                        lambda self, items, progress=None: encoded.extend(
                            it.text[it.body_start:] for it in items) or real(self, items, progress))
    (corpus / "extra.txt").write_text("Trust boards\n\nA short new note about trust boards, "
                                      "their members and how often they meet.\n")
    build_index(corpus, index_dir, fake_settings)
    idx = load_index(index_dir)
    new = [p.text for p in idx.passages if p.file == "extra.txt"]
    # Only the new document was encoded: its passage (twice: whole, and in token segments)
    # and its sentences, each on its own.
    from index.build import sentence_embedding_text

    sentences = {sentence_embedding_text(s["text"], s["context"]) for s in idx.sentences
                 if s["pid"] in {p.id for p in idx.passages if p.file == "extra.txt"}}
    assert new and set(encoded) == set(new) | sentences
    for i, p in enumerate(idx.passages):
        if p.id in before:
            assert idx.tokens_of(i)[1].tolist() == before[p.id]


def test_damaged_token_vectors_are_detected_and_the_previous_generation_served(
        built, fake_settings):
    _, index_dir = built
    gen = _build_new_generation_and_damage(built, fake_settings, "token_keys.npy", 150)
    idx = load_index(index_dir)
    assert idx.generation != gen.name and "damaged" in idx.fallback_reason


def test_searcher_reads_stored_token_vectors_and_encodes_without_them(built, tmp_path):
    """With the store, a question encodes no passage; an index built without it (above
    token_vectors_max) encodes the re-ranked passages on demand and ranks the same."""
    from qa import Searcher

    corpus, index_dir = built
    stored = Searcher.open(index_dir)
    stored.late.encoder.encode_passages = lambda *a, **k: pytest.fail("encoded at query time")
    stored.warm_up()
    plain = tmp_path / "no-tokens"
    build_index(corpus, plain, IndexSettings(embed=EmbedSettings(model="fake"),
                                             token_vectors_max=0))
    assert load_index(plain).token_store is None
    on_demand = Searcher.open(plain)
    for q in ("Who controls finance in a trust?", "What do local governing bodies do?"):
        a, b = stored.ask(q), on_demand.ask(q)
        assert a.hits and [h.passage.id for h in a.hits] == [h.passage.id for h in b.hits]
        assert [h.similarity for h in a.hits] == pytest.approx([h.similarity for h in b.hits])


def test_index_from_before_token_vectors_is_rebuilt_with_them(built, fake_settings):
    corpus, index_dir = built
    gen = index_dir / "generations" / (index_dir / "CURRENT").read_text().strip()
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest.pop("tokens")
    (gen / "manifest.json").write_text(json.dumps(manifest))
    report = build_index(corpus, index_dir, fake_settings)
    assert report.full_rebuild == "the token-vector settings changed"
    assert load_index(index_dir).token_store is not None


def test_a_newer_file_reader_reads_unchanged_files_again_and_says_why(tmp_path, fake_settings,
                                                                      monkeypatch):
    import index.build as build

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "notes.md").write_text("# Notes\n\nFinance was run centrally.\n", encoding="utf-8")
    build_index(corpus, tmp_path / "i", fake_settings)
    again = build_index(corpus, tmp_path / "i", fake_settings)
    assert not again.changed and not again.read_again
    monkeypatch.setattr(build, "READER_VERSION", "99")
    report = build_index(corpus, tmp_path / "i", fake_settings)
    assert report.updated == ["notes.md"] and not report.full_rebuild
    assert report.read_again.startswith("1 unchanged file(s) read again: the file reader changed")
    assert "-> 99" in report.read_again
