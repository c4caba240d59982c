"""The warm switch (issue 22 item 7): a rebuilt index generation is loaded and warmed up before
the service switches to it, so no request pays for loading it; meanwhile requests are answered
from the previous generation."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import qa.service as service_module
from index import build_index
from ingest.uploads import store_upload
from qa.service import EvidenceService

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def gated_loads(monkeypatch):
    """load_index that records which thread called it and, once `gate` is cleared, waits for
    it: a slow load, made visible."""
    calls: list[str] = []
    gate = threading.Event()
    gate.set()
    real = service_module.load_index

    def load(index_dir):
        calls.append(threading.current_thread().name)
        assert gate.wait(30), "the test never released the load"
        return real(index_dir)

    monkeypatch.setattr(service_module, "load_index", load)
    return calls, gate


def test_a_generation_built_elsewhere_is_loaded_off_the_request_path(built, fake_settings,
                                                                     gated_loads):
    corpus, index_dir = built
    calls, gate = gated_loads
    service = EvidenceService(index_dir, corpus, index_settings=fake_settings)
    before = service.ask("What is a hard federation?").generation
    assert calls == [threading.current_thread().name]  # the first load: nothing to serve yet
    store_upload(DATA / "vignette-riverbend.txt", "riverbend.txt", corpus)
    build_index(corpus, index_dir, fake_settings)  # `python -m ingest` in another process
    gate.clear()  # the new generation's load now takes as long as the test wants
    answers = [service.ask("What is a hard federation?") for _ in range(3)]
    assert all(a.generation == before for a in answers)  # answered, from the old one
    assert calls[1:] == ["index-switch"]  # loaded once, on its own thread, not per request
    gate.set()
    service.wait_for_switch(30)
    after = service.ask("Riverbend Quarrington fictional trust")
    assert after.generation != before
    assert any(h.passage.file.startswith("uploads/") for h in after.hits)
    assert calls[1:] == ["index-switch"]  # and no request loaded it afterwards either


def test_a_generation_published_during_a_load_is_not_loaded_twice(built, fake_settings,
                                                                  gated_loads):
    """Another process publishes a newer generation while one is being loaded: what was
    loaded (the newer one, CURRENT's at load time) is what the service records, so the next
    request does not load it a second time."""
    corpus, index_dir = built
    calls, gate = gated_loads
    service = EvidenceService(index_dir, corpus, index_settings=fake_settings)
    service.ask("What is a hard federation?")
    store_upload(DATA / "vignette-riverbend.txt", "riverbend.txt", corpus)
    build_index(corpus, index_dir, fake_settings)
    gate.clear()
    service.ask("What is a hard federation?")  # starts loading that generation, held
    (corpus / "note.txt").write_text("A note on governance.\n\nThe trust board met the "
                                     "local governing bodies twice a term.\n", encoding="utf-8")
    build_index(corpus, index_dir, fake_settings)  # a newer one, published meanwhile
    newest = service_module.current_generation_name(index_dir)
    gate.set()
    service.wait_for_switch(30)
    assert service.searcher().index.generation == newest
    service.wait_for_switch(30)
    assert len(calls) == 2, calls  # the first load and one switch, never a reload of it


def test_a_rebuild_ends_when_another_process_publishes_meanwhile(built, fake_settings,
                                                                 gated_loads):
    """The rebuild waits for its generation's switch; if a newer one is published while that
    load is held, the switch serves the newer one and the rebuild still returns."""
    corpus, index_dir = built
    calls, gate = gated_loads
    service = EvidenceService(index_dir, corpus, index_settings=fake_settings)
    service.ask("What is a hard federation?")
    store_upload(DATA / "vignette-riverbend.txt", "riverbend.txt", corpus)
    gate.clear()
    worker = threading.Thread(target=service.rebuild, name="rebuild", daemon=True)
    worker.start()
    for _ in range(400):
        if len(calls) > 1:
            break
        worker.join(0.05)
    assert len(calls) == 2  # the rebuild's switch is loading, held
    (corpus / "note.txt").write_text("A note on governance.\n\nThe trust board met the "
                                     "local governing bodies twice a term.\n", encoding="utf-8")
    build_index(corpus, index_dir, fake_settings)  # `python -m ingest` elsewhere, meanwhile
    gate.set()
    worker.join(60)
    assert not worker.is_alive()
    assert service.searcher().index.generation == \
        service_module.current_generation_name(index_dir)


def test_a_rebuild_switches_only_once_the_new_generation_is_warm(built, fake_settings,
                                                                 gated_loads, monkeypatch):
    corpus, index_dir = built
    calls, gate = gated_loads
    service = EvidenceService(index_dir, corpus, index_settings=fake_settings)
    before = service.searcher().index.generation
    warmed: list[str] = []
    real_prepare = EvidenceService._prepare

    def prepare(self, name):
        searcher = real_prepare(self, name)
        warmed.append(searcher.index.generation)  # warm-up and warm-up question done
        return searcher

    monkeypatch.setattr(EvidenceService, "_prepare", prepare)
    store_upload(DATA / "vignette-riverbend.txt", "riverbend.txt", corpus)
    gate.clear()
    worker = threading.Thread(target=service.rebuild, name="rebuild")
    worker.start()
    try:
        # The build is done and CURRENT names the new generation while its load is held:
        # requests go on being answered from the old one, without loading anything.
        for _ in range(200):
            if len(calls) > 1:
                break
            worker.join(0.05)
        assert len(calls) == 2
        assert service.ask("What is a hard federation?").generation == before
    finally:
        gate.set()
        worker.join(60)
    new = service.searcher().index.generation
    assert new != before and warmed == [new]  # in service only after its warm-up
    assert len(calls) == 2  # one load for the switch, none in the requests
    assert service.ask("What is a hard federation?").generation == new


def test_an_unloadable_new_generation_keeps_the_old_one_in_service(built, fake_settings,
                                                                  monkeypatch):
    from index import IndexUnavailable

    corpus, index_dir = built
    service = EvidenceService(index_dir, corpus, index_settings=fake_settings)
    before = service.searcher().index.generation
    store_upload(DATA / "vignette-riverbend.txt", "riverbend.txt", corpus)
    build_index(corpus, index_dir, fake_settings)
    tried: list[int] = []

    def broken(index_dir):
        tried.append(1)
        raise IndexUnavailable("damaged")

    monkeypatch.setattr(service_module, "load_index", broken)
    service.ask("What is a hard federation?")
    service.wait_for_switch(30)
    assert service.ask("What is a hard federation?").generation == before
    service.wait_for_switch(30)
    assert tried == [1]  # tried once, not again on every request
