"""Shared fixtures: a copy of the real corpus indexed with the fast, deterministic fake embedder."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/hostile_files.py


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A private copy of the project's corpus (tests may add, edit and delete files)."""
    dest = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", dest)
    return dest


@pytest.fixture
def fake_settings():
    from index import EmbedSettings, IndexSettings

    return IndexSettings(embed=EmbedSettings(model="fake"))


@pytest.fixture
def built(corpus, tmp_path, fake_settings):
    """(corpus_dir, index_dir) with the corpus indexed by the fake embedder."""
    from index import build_index

    index_dir = tmp_path / "index"
    build_index(corpus, index_dir, fake_settings)
    return corpus, index_dir


@pytest.fixture
def searcher(built):
    from qa import Searcher

    return Searcher.open(built[1])
