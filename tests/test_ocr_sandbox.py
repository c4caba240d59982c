"""The sandbox's time limit with OCR: every page reported restarts it, so a long scan is read
page by page within the per-page limit, while a read that reports nothing is still stopped.
(No Tesseract needed: a reader that paces itself like OCR runs in the worker.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import ReadError
from ingest.sandbox import ReadLimits, SandboxReader

TESTS = Path(__file__).resolve().parent
GOOD = TESTS / "data" / "badpdfs" / "good-4-pages_pdflatex-4-pages.pdf"


def test_each_reported_page_restarts_the_time_limit(tmp_path):
    paced = tmp_path / "paced-scan.pdf"
    silent = tmp_path / "silent-scan.pdf"
    for p in (paced, silent):
        p.write_bytes(GOOD.read_bytes())
    events = []
    # 4 pages of 1 s each against a limit of 2.5 s: within it page by page, not in total.
    with SandboxReader(ReadLimits(timeout=2.5), target="sandbox_targets:paced",
                       extra_paths=(str(TESTS),)) as reader:
        reader.set_progress(lambda *e: events.append(e))
        reader(GOOD, GOOD.parent, {})  # the worker is started (and warm) before the clock
        events.clear()
        doc = reader(paced, tmp_path, {})
        assert doc.pages
        assert events == [("OCR paced-scan.pdf", n, 4) for n in (1, 2, 3, 4)]
        with pytest.raises(ReadError) as err:
            reader(silent, tmp_path, {})
        assert err.value.reason == "timeout"
        assert reader.stats.timeouts == 1


def test_starting_a_worker_is_not_part_of_a_files_time_limit(tmp_path):
    # On a loaded machine a new worker's imports can take longer than the limit; the file read
    # after a killed worker was then refused as "took longer than 2 s".
    # the import takes longer than the limit, and the limit leaves the read itself room on a
    # loaded machine (at load 30 a small PDF took more than 1.5 s)
    with SandboxReader(ReadLimits(timeout=5.0), target="slow_start_target:read",
                       extra_paths=(str(TESTS),)) as reader:
        assert reader(GOOD, GOOD.parent, {}).pages
        assert reader.stats.timeouts == 0 and reader.stats.workers_started == 1
