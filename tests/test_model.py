"""The real embedding model: pinned weights, offline loading, end to end on the seed corpus."""

from __future__ import annotations

import shutil
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
