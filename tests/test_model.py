"""The real embedding model: pinned weights, offline loading, end to end on the seed corpus."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from index import MINILM_WEIGHTS_SHA256, SentenceTransformerEmbedder, build_index
from index.embedder import minilm_dir, sha256_file

ROOT = Path(__file__).resolve().parent.parent


def test_packaged_weights_match_pinned_sha256():
    weights = minilm_dir() / "model.safetensors"
    assert sha256_file(weights) == MINILM_WEIGHTS_SHA256 == (
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db")


def test_modified_weights_refused(tmp_path):
    from index import EmbedderError, EmbedSettings

    fake = tmp_path / "model"
    shutil.copytree(minilm_dir(), fake)
    with (fake / "model.safetensors").open("r+b") as fh:
        fh.seek(-16, 2)
        fh.write(b"\x00" * 16)
    emb = SentenceTransformerEmbedder(EmbedSettings(model_dir=str(fake)))
    with pytest.raises(EmbedderError, match="do not match"):
        emb.verify()


def test_importing_the_index_package_does_not_import_torch():
    import subprocess
    import sys

    code = "import index, qa, ingest, sys; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


@pytest.mark.model
def test_real_model_end_to_end(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    report = build_index(corpus, tmp_path / "index")
    assert report.passages > 40
    from qa import Searcher

    s = Searcher.open(tmp_path / "index")
    vec = s.embedder.embed(["What is a hard federation?"])
    assert vec.shape == (1, 384) and abs(float(np.linalg.norm(vec)) - 1) < 1e-3
    answer = s.ask("What is a hard federation?")
    top3 = [h.passage.text for h in answer.hits[:3]]
    assert any("a single legal entity with a single governing body" in t for t in top3)
    assert answer.evidence == "strong"
    assert any("single legal entity" in a.text for a in answer.sentences)
    assert s.ask("How do I bake sourdough bread?").evidence == "none"


@pytest.mark.model
def test_the_tokenizer_is_only_used_under_the_models_lock(tmp_path, monkeypatch):
    """A fast tokenizer shared by threads can deadlock (the app hung under ten clients, every
    worker stopped inside it): every path that tokenizes, questions and builds alike, holds
    the model's one lock (index.embedder.model_lock)."""
    from index.embedder import model_lock
    from index.tokens import TokenEncoder
    from qa import Searcher

    embedder = SentenceTransformerEmbedder()
    model = embedder.load()
    lock = model_lock(model)
    assert model_lock(model) is lock
    unlocked: list[str] = []
    cls = type(model.tokenizer)
    for name in ("set_truncation_and_padding", "tokenize", "get_vocab"):
        real = getattr(cls, name)

        def checked(self, *a, _real=real, _name=name, **k):
            if not lock._is_owned():
                unlocked.append(_name)
            return _real(self, *a, **k)

        monkeypatch.setattr(cls, name, checked)
    encoder = TokenEncoder(embedder)
    embedder.embed(["What is a hard federation?"])
    embedder.embed([f"Passage {n} about local governing bodies." for n in range(40)])
    encoder.encode_query("What does the trust board do?")
    encoder.keys("Who keeps the books?")
    encoder.segments("A long line about finance. " * 30)
    encoder.encode(["Two texts", "to encode"])
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "corpus" / "leadership-of-learning-synopsis.txt", corpus)
    build_index(corpus, tmp_path / "index", embedder=embedder)
    from index.store import load_index

    Searcher(load_index(tmp_path / "index"), embedder).ask("How are executive heads trained?")
    assert unlocked == [], sorted(set(unlocked))


@pytest.mark.model
def test_questions_from_many_threads_at_once_all_finish(tmp_path):
    from index.tokens import TokenEncoder

    embedder = SentenceTransformerEmbedder()
    encoder = TokenEncoder(embedder)
    errors: list[str] = []

    def ask(n: int) -> None:
        for i in range(15):
            try:
                if i % 2:
                    encoder.encode_query(f"What does a trust board do about finance {n} {i}?")
                else:
                    embedder.embed([f"How are local governing bodies used {n} {i}?"])
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(repr(exc))

    threads = [threading.Thread(target=ask, args=(n,), daemon=True) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert errors == []
