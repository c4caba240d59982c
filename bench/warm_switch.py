"""After a rebuild, do the first questions pay for loading the new index? (issue 22 item 7)

    .venv/bin/python bench/warm_switch.py [--model minilm|fake] [--load-in-request] [--json]

An EvidenceService (the app's) answers questions one after another on one thread, as a person
would, while the index is rebuilt twice: once by `python -m ingest` in another process (the
service notices the new CURRENT and prepares it in the background) and once by the service's
own `rebuild()` (as the web app's Add documents does). Printed: the median latency before, and
for each switch the latencies of the first five answers from the new generation and the
slowest answer between the new generation being written and being in service.
`--load-in-request`: the behaviour before issue 22, for comparison (the first request that sees
the new CURRENT loads it, without a warm-up, and then answers).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import BASE_QUESTIONS  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="minilm")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--load-in-request", action="store_true",
                        help="the old behaviour: the request that sees a new index loads it")
    args = parser.parse_args(argv)

    from index import EmbedSettings, IndexSettings, build_index, current_generation_name
    from index import load_index as load
    from qa.search import Searcher
    from qa.service import EvidenceService

    class LoadInRequest(EvidenceService):
        """Before issue 22: loaded by the first request after the change, not warmed up."""

        def _prepare(self, name):
            index = load(self.index_dir)
            if self._embedder is None:  # the first load: the model, as before
                return super()._prepare(name)
            return Searcher(index, self._embedder, self.search_settings)

        def _prepare_in_background(self, name):
            with self._swap:
                if name != self._loaded_for:
                    self._install(self._prepare(name), name)

    work = Path(tempfile.mkdtemp(prefix="warm-switch-"))
    corpus, index_dir = work / "corpus", work / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    settings = IndexSettings(embed=EmbedSettings(model=args.model))
    t0 = time.perf_counter()
    build_index(corpus, index_dir, settings)
    kind = LoadInRequest if args.load_in_request else EvidenceService
    service = kind(index_dir, corpus, index_settings=settings)
    service.warm_up()
    ready = time.perf_counter() - t0

    answers: list[tuple[float, float, str]] = []  # (start, seconds, generation)
    stop = threading.Event()

    def ask() -> None:
        n = 0
        while not stop.is_set():
            q = BASE_QUESTIONS[n % len(BASE_QUESTIONS)]
            n += 1
            start = time.perf_counter()
            a = service.ask(q)
            answers.append((start, time.perf_counter() - start, a.generation))

    asker = threading.Thread(target=ask)
    asker.start()
    switches = []
    try:
        time.sleep(5)
        for how, doc in (("python -m ingest (another process)", "vignette-riverbend.txt"),
                         ("service.rebuild() (the web app's)", "vignette-oakmoor.docx")):
            shutil.copy2(ROOT / "tests" / "data" / doc, corpus / doc)
            old = current_generation_name(index_dir)
            began = time.perf_counter()
            if how.startswith("python"):
                env = {**os.environ, "PYTHONPATH": str(ROOT)}
                subprocess.run([sys.executable, "-m", "ingest", "--corpus", str(corpus),
                                "--index", str(index_dir), "--model", args.model, "--json"],
                               cwd=ROOT, env=env, check=True, capture_output=True)
                written = time.perf_counter()
                service.wait_for_switch(120)
                while service.searcher().index.generation == old:
                    time.sleep(0.05)
            else:
                service.rebuild()
                written = time.perf_counter()  # rebuild() returns once the switch is done
            switched = time.perf_counter()
            new = current_generation_name(index_dir)
            time.sleep(4)
            firsts = [round(s * 1000) for _, s, g in answers if g == new][:5]
            waiting = [s for st, s, g in answers if g == old and st >= began]
            # the local baseline: the last ten answers before the build began
            just_before = [s for st, s, g in answers if st < began][-10:]
            switches.append({"how": how, "build_s": round(written - began, 1),
                             "median_10_before_build_ms":
                                 round(statistics.median(just_before) * 1000),
                             "first_5_new_ms": firsts,
                             "slowest_while_building_ms": round(max(waiting, default=0) * 1000),
                             "switch_after_build_s": round(switched - written, 2)})
    finally:
        stop.set()
        asker.join()
    before = [s for st, s, _ in answers[:40]]
    out = {"model": args.model, "load_in_request": args.load_in_request, "ready_s": round(ready, 1),
           "median_before_ms": round(statistics.median(before) * 1000) if before else None,
           "questions": len(answers), "switches": switches}
    shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(out))
    else:
        print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
