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

# A question the warm-up asks of a newly loaded generation before it serves anyone: every stage
# (embedding, BM25, vectors, late interaction, answer sentences) is touched once.
WARM_UP_QUESTION = "How do trusts govern and improve their schools?"


class EvidenceService:
    """The searcher for the current index generation. A new generation (a rebuild here, or a
    `python -m ingest` elsewhere) is loaded and warmed up before the service switches to it:
    requests meanwhile are answered from the previous one, so no request pays for loading."""

    def __init__(self, index_dir: Path, corpus_dir: Path,
                 index_settings: IndexSettings | None = None,
                 search_settings: SearchSettings | None = None):
        self.index_dir = Path(index_dir)
        self.corpus_dir = Path(corpus_dir)
        self.index_settings = index_settings or IndexSettings()
        self.search_settings = search_settings or SearchSettings()
        self._searcher: Searcher | None = None
        self._loaded_for: str | None = None  # the CURRENT name the searcher was loaded for
        self._embedder = None
        self._swap = threading.Lock()
        self._build = threading.Lock()
        self._preparing: threading.Thread | None = None  # loading a newer generation

    @property
    def embed_settings(self) -> EmbedSettings:
        return self.index_settings.embed

    def searcher(self) -> Searcher:
        """The searcher in service. When CURRENT names a newer generation, it is loaded and
        warmed up in the background and this one keeps answering until it is ready; only the
        very first load (nothing to answer from yet) happens here."""
        name = current_generation_name(self.index_dir)
        current = self._searcher
        if current is not None and (name is None or name == self._loaded_for):
            return current
        if current is None:
            with self._swap:
                if self._searcher is None:
                    self._install(self._prepare(name), name)
                return self._searcher
        self._prepare_in_background(name)
        return current

    def _prepare(self, name: str | None) -> Searcher:
        """A searcher for the generation CURRENT names, loaded and warmed up (not yet in
        service). Raises IndexUnavailable when there is no usable index."""
        index = load_index(self.index_dir)
        embedder = self._embedder
        # A new embedder too when the index was built in another precision (fp32/bf16):
        # questions are embedded as its passages were (issue 7).
        if embedder is None or getattr(embedder, "precision", "fp32") != \
                index.manifest.model.get("precision", "fp32"):
            embedder = embedder_for(index, self.embed_settings)
        searcher = Searcher(index, embedder, self.search_settings)
        searcher.warm_up()
        searcher.ask(WARM_UP_QUESTION)
        return searcher

    def _install(self, searcher: Searcher, name: str | None) -> None:
        self._embedder = searcher.embedder
        self._searcher = searcher
        # What was loaded, not what was asked for: another process may have published a
        # newer generation between reading CURRENT and loading it (then loading it again on
        # the next request would be wasted).
        self._loaded_for = getattr(searcher.index, "generation", "") or name

    def _prepare_in_background(self, name: str | None) -> None:
        with self._swap:
            if self._preparing is not None and self._preparing.is_alive():
                return
            self._preparing = threading.Thread(target=self._switch_to, args=(name,),
                                               name="index-switch", daemon=True)
            self._preparing.start()

    def _switch_to(self, name: str | None) -> bool:
        """Load and warm up the generation `name` (CURRENT's), then put it in service; False,
        keeping the one in service, when it cannot be loaded (the build reports why)."""
        try:
            searcher = self._prepare(name)
        except IndexUnavailable:
            with self._swap:
                self._loaded_for = name  # do not retry on every request; a new build will
            return False
        with self._swap:
            self._install(searcher, name)
        return True

    def wait_for_switch(self, timeout: float | None = None) -> None:
        """Wait for a generation being prepared in the background (tests, benchmarks)."""
        thread = self._preparing
        if thread is not None:
            thread.join(timeout)

    def ask(self, question: str, k: int | None = None, filters: Filters | None = None) -> Answer:
        return self.searcher().ask(question, k=k, filters=filters)

    def warm_up(self) -> None:
        self.searcher().warm_up()

    @property
    def building(self) -> bool:
        return self._build.locked()

    def rebuild(self, progress=None, full: bool = False) -> BuildReport:
        """Update the index from the corpus folder; searches continue on the old generation
        until the new one is complete, loaded and warmed up. One rebuild at a time per service
        (and per index folder, through the build lock)."""
        with self._build:
            embedder = self._embedder
            report = build_index(self.corpus_dir, self.index_dir, self.index_settings,
                                 embedder=embedder, full=full, progress=progress)
            if self._searcher is None:
                self.searcher()
            else:
                # Loaded now, not in the next request; one preparation at a time, shared with
                # a request that noticed the new CURRENT first. CURRENT is read again each
                # time: another process may have published a newer generation meanwhile.
                while (name := current_generation_name(self.index_dir)) != self._loaded_for:
                    self._prepare_in_background(name)
                    self.wait_for_switch()
        return report
