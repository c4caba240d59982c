"""Crash trials: kill `python -m ingest` with SIGKILL at random moments and check nothing is lost.

    .venv/bin/python bench/crash_trials.py [--trials 30] [--seed 6] [--model fake|minilm] [--json]

Each trial:
  1. records the answers (passage ids, fused scores, similarities, answer sentences) the
     current index gives to a fixed set of questions;
  2. adds new files to the corpus and starts `python -m ingest` in a subprocess;
  3. sends SIGKILL after a random delay (seeded; uniform over 0..1.1x a calibrated build time,
     so kills land in start-up, reading, embedding, writing and, sometimes, after the switch);
  4. checks: no reading process is left behind; the index loads with its checksums verified
     and no fallback; if CURRENT did not move, every answer is identical to before; if it did
     (the build finished first), the new files are in it;
  5. runs the build again to completion: it must succeed (the lock was released), include the
     new files and leave no temporary generation behind.

Exit status 0 when every trial survived. Only processes this script starts are killed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "What is a hard federation?",
    "Should finance be run centrally?",
    "What goes wrong when trusts grow too fast?",
    "How do executive headteachers share leadership across schools?",
    "What does the trust board delegate to local governing bodies?",
]
STAGES = ("reading", "embedding", "indexing")
_EMBEDDERS: dict = {}


def answers(index_dir: Path) -> tuple[str, list]:
    """(generation, answers) from a fresh load of the index, checksums verified."""
    from index import load_index
    from qa.search import Searcher, embedder_for

    idx = load_index(index_dir, verify=True)
    if idx.fallback_reason:
        raise AssertionError(f"index fell back: {idx.fallback_reason}")
    key = idx.manifest.model.get("name")
    if key not in _EMBEDDERS:  # load the real model once, not twice per trial
        _EMBEDDERS[key] = embedder_for(idx)
    searcher = Searcher(idx, _EMBEDDERS[key])
    out = []
    for q in QUESTIONS:
        a = searcher.ask(q)
        out.append({"evidence": a.evidence,
                    "hits": [(h.passage.id, float(h.score), float(h.similarity)) for h in a.hits],
                    "sentences": [s.text for s in a.sentences]})
    return idx.generation, out


def indexed_files(index_dir: Path) -> set[str]:
    from index import load_index

    return set(load_index(index_dir).by_file)


def new_files(corpus: Path, trial: int, rng: random.Random) -> list[str]:
    """One or two new documents per trial: a generated note and, often, a real PDF."""
    names = []
    topics = ["trust boards", "local governing bodies", "central finance teams",
              "executive headteachers", "school improvement partners", "curriculum networks"]
    lines = [f"# Trial {trial} note on {rng.choice(topics)}", ""]
    for n in range(rng.randint(20, 60)):
        t = rng.choice(topics)
        lines.append(f"{n + 1}. In trial {trial}, {t} reviewed how {rng.choice(topics)} "
                     f"share responsibility for pupils, budgets and staff across the group.")
        lines.append("")
    name = f"trial-{trial:03d}.md"
    (corpus / name).write_text("\n".join(lines), encoding="utf-8")
    names.append(name)
    if rng.random() < 0.6:
        pdfs = sorted((ROOT / "tests" / "data" / "badpdfs").glob("good-*.pdf")) + sorted(
            (ROOT / "tests" / "data" / "badpdfs").glob("malformed-*.pdf"))
        src = rng.choice(pdfs)
        name = f"trial-{trial:03d}.pdf"
        data = src.read_bytes() + f"\n% trial {trial}\n".encode()  # new content, not a duplicate
        (corpus / name).write_bytes(data)
        names.append(name)
    return names


def orphans(token: str) -> list[int]:
    """Processes still carrying this run's marker in their environment (ours only)."""
    found = []
    marker = f"MAT_CRASH_TRIAL={token}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if marker in env.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def ingest_cmd(corpus: Path, index_dir: Path, model: str) -> list[str]:
    return [sys.executable, "-m", "ingest", "--corpus", str(corpus), "--index", str(index_dir),
            "--model", model]


def last_stage(stderr: str) -> str:
    seen = [s for s in STAGES if s in stderr]
    if not seen:
        return "start-up"
    return max(seen, key=lambda s: stderr.rfind(s))


def run(trials: int, seed: int, model: str, workdir: Path, log=print,
        base_docs: int = 40) -> dict:
    rng = random.Random(seed)
    token = uuid.uuid4().hex
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MAT_CRASH_TRIAL": token,
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    corpus = workdir / "corpus"
    index_dir = workdir / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    for pdf in ("good-4-pages_pdflatex-4-pages.pdf", "good-3-pages-two-column_multicolumn.pdf"):
        shutil.copy(ROOT / "tests" / "data" / "badpdfs" / pdf, corpus / pdf)
    base = random.Random(seed + 1)
    for n in range(base_docs):  # bulk, so writing a generation takes a measurable time
        new_files(corpus, 1000 + n, base)

    started = time.perf_counter()
    r = subprocess.run(ingest_cmd(corpus, index_dir, model), cwd=ROOT, env=env,
                       capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"first build failed: {r.stderr}")
    # Calibrate: incremental builds of the size each trial makes (the slower of two).
    build_seconds = 0.0
    for n in (1, 2):
        new_files(corpus, -n, random.Random(seed + n))
        t0 = time.perf_counter()
        subprocess.run(ingest_cmd(corpus, index_dir, model), cwd=ROOT, env=env, check=True,
                       capture_output=True)
        build_seconds = max(build_seconds, time.perf_counter() - t0)
    log(f"calibration: an incremental build takes {build_seconds:.2f} s ({model} embedder)")

    results = []
    generation, before = answers(index_dir)
    for trial in range(1, trials + 1):
        added = new_files(corpus, trial, rng)
        delay = rng.uniform(0, 1.1 * build_seconds)
        err_path = workdir / f"trial-{trial}.err"
        with err_path.open("w") as err:
            proc = subprocess.Popen(ingest_cmd(corpus, index_dir, model), cwd=ROOT, env=env,
                                    stdout=subprocess.DEVNULL, stderr=err)
            time.sleep(delay)
            finished_first = proc.poll() is not None
            if not finished_first:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        stage = "finished" if finished_first else last_stage(err_path.read_text(errors="replace"))
        problems = []
        deadline = time.monotonic() + 5
        while orphans(token) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = orphans(token)
        if left:
            problems.append(f"processes left behind: {left}")
        # The index being served after the kill.
        try:
            gen_after, after = answers(index_dir)
        except Exception as exc:  # noqa: BLE001 - any failure to load is a lost index
            problems.append(f"index did not load after the kill: {exc}")
            gen_after, after = None, None
        switched = gen_after is not None and gen_after != generation
        if gen_after == generation and after != before:
            problems.append("answers changed although the generation did not")
        if switched and not set(added) <= indexed_files(index_dir):
            problems.append("generation switched without the new files")
        # The next build completes and includes the new files.
        r = subprocess.run(ingest_cmd(corpus, index_dir, model), cwd=ROOT, env=env,
                           capture_output=True, text=True)
        if r.returncode:
            problems.append(f"next build failed: {r.stderr.strip()[-300:]}")
        else:
            missing = set(added) - indexed_files(index_dir)
            if missing:
                problems.append(f"next build is missing {sorted(missing)}")
            if list((index_dir / "generations").glob(".tmp-*")):
                problems.append("a temporary generation was left behind")
        generation, before = answers(index_dir)
        result = {"trial": trial, "delay": round(delay, 3), "killed_in": stage,
                  "switched_before_kill": switched, "problems": problems}
        results.append(result)
        log(f"trial {trial:2d}: kill at {delay:5.2f} s in {stage:10s} "
            f"{'(new generation already served) ' if switched else ''}"
            f"{'OK' if not problems else 'FAILED: ' + '; '.join(problems)}")
    survived = sum(1 for r in results if not r["problems"])
    stages: dict[str, int] = {}
    for r in results:
        stages[r["killed_in"]] = stages.get(r["killed_in"], 0) + 1
    summary = {"trials": trials, "survived": survived, "seed": seed, "model": model,
               "build_seconds": round(build_seconds, 2), "killed_in": stages,
               "switched_before_kill": sum(r["switched_before_kill"] for r in results),
               "seconds": round(time.perf_counter() - started, 1), "results": results}
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--model", default="fake", help="fake (default) or minilm")
    parser.add_argument("--base-docs", type=int, default=40,
                        help="generated documents in the corpus before the trials")
    parser.add_argument("--workdir", type=Path, default=None, help="kept if given")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="crash-trials-")
        workdir = Path(tmp.name)
    else:
        workdir = args.workdir
        workdir.mkdir(parents=True, exist_ok=True)
    try:
        log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
        summary = run(args.trials, args.seed, args.model, workdir, log=log,
                      base_docs=args.base_docs)
    finally:
        if tmp is not None:
            tmp.cleanup()
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{summary['survived']}/{summary['trials']} trials survived "
              f"(killed in: {summary['killed_in']}; the build had already switched generations "
              f"in {summary['switched_before_kill']}) in {summary['seconds']} s")
    return 0 if summary["survived"] == summary["trials"] else 1


if __name__ == "__main__":
    sys.exit(main())
