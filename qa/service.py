"""A long-lived search service for front ends: one model, the current index generation, and
rebuilds that swap generations under running searches without stopping them."""

from __future__ import annotations

import threading
from pathlib import Path

from index import (
    BuildReport,
    EmbedSettings,
    IndexSettings,
    IndexUnavailable,
    build_index,
    current_generation_name,
    load_index,
)

from .search import Answer, Filters, Searcher, SearchSettings, embedder_for


class EvidenceService:
    def __init__(self, index_dir: Path, corpus_dir: Path,
                 index_settings: IndexSettings | None = None,
                 search_settings: SearchSettings | None = None):
        self.index_dir = Path(index_dir)
        self.corpus_dir = Path(corpus_dir)
        self.index_settings = index_settings or IndexSettings()
        self.search_settings = search_settings or SearchSettings()
        self._searcher: Searcher | None = None
        self._embedder = None
        self._swap = threading.Lock()
        self._build = threading.Lock()

    @property
    def embed_settings(self) -> EmbedSettings:
        return self.index_settings.embed

    def searcher(self) -> Searcher:
        """The searcher for the generation named by CURRENT (reloaded when it changes)."""
        name = current_generation_name(self.index_dir)
        current = self._searcher
        if current is not None and (name is None or current.index.generation == name):
            return current
        with self._swap:
            current = self._searcher
            if current is not None and current.index.generation == name:
                return current
            try:
                index = load_index(self.index_dir)
            except IndexUnavailable:
                if current is not None:
                    return current  # keep serving what we have; the build reports the problem
                raise
            # A new embedder too when the index was built in another precision (fp32/bf16):
            # questions are embedded as its passages were (issue 7).
            if self._embedder is None or getattr(self._embedder, "precision", "fp32") != \
                    index.manifest.model.get("precision", "fp32"):
                self._embedder = embedder_for(index, self.embed_settings)
            self._searcher = Searcher(index, self._embedder, self.search_settings)
            return self._searcher

    def ask(self, question: str, k: int | None = None, filters: Filters | None = None) -> Answer:
        return self.searcher().ask(question, k=k, filters=filters)

    def warm_up(self) -> None:
        self.searcher().warm_up()

    @property
    def building(self) -> bool:
        return self._build.locked()

    def rebuild(self, progress=None, full: bool = False) -> BuildReport:
        """Update the index from the corpus folder; searches continue on the old generation
        until the new one is complete. One rebuild at a time per service (and per index
        folder, through the build lock)."""
        with self._build:
            embedder = self._embedder
            report = build_index(self.corpus_dir, self.index_dir, self.index_settings,
                                 embedder=embedder, full=full, progress=progress)
        self.searcher()  # switch to the new generation now, not on the next question
        return report
