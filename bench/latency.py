"""Query latency through the real search path vs embedding the question alone; cold starts.

    .venv/bin/python bench/latency.py [--index DIR] [--rounds 2] [--no-cold]

Warm: one Searcher (model loaded, warmed up). For every question of eval/questions.jsonl,
`--rounds` times, in one run and interleaved (alternating which goes first):
  - embed: `embedder.embed([question])`, the floor;
  - ask:   `Searcher.ask(question)` with the question cache cleared first, so it embeds
           (fusion, evidence level and answer sentences included);
  - cached: `Searcher.ask(question)` again at once (question vector from the cache).
The breakdown times rank (dense + BM25 + best-sentence first stage, late-interaction re-rank),
evidence level and answer sentences with the question vector given.

Cold (fresh processes): `python -m qa QUESTION` (total, and a breakdown measured the same way
in a fresh process), `python -m qa show ID` and `python -m ingest` on the unchanged corpus
(checking that neither imports torch), and `python app.py` until its server answers HTTP
(it loads the model before it listens).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import machine_line  # noqa: E402


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000


def warm(index_dir: Path, rounds: int) -> None:
    from qa.search import Searcher

    questions = [json.loads(line)["question"]
                 for line in (ROOT / "eval" / "questions.jsonl").read_text().splitlines() if line]
    searcher = Searcher.open(index_dir)
    searcher.warm_up()
    emb = searcher.embedder
    for q in questions[:10]:  # kernels warm
        emb.embed([q])
        searcher.ask(q)
    t_embed, t_ask, t_cached = [], [], []
    t_rank, t_evid, t_ans = [], [], []
    for r in range(rounds):
        for i, q in enumerate(questions):
            def do_embed(q=q):
                t = time.perf_counter()
                emb.embed([q])
                t_embed.append(time.perf_counter() - t)

            def do_ask(q=q):
                searcher._cache.clear()  # distinct question: it must be embedded
                t = time.perf_counter()
                searcher.ask(q)
                t_ask.append(time.perf_counter() - t)

            for fn in ((do_embed, do_ask) if (i + r) % 2 == 0 else (do_ask, do_embed)):
                fn()
            t = time.perf_counter()
            searcher.ask(q)
            t_cached.append(time.perf_counter() - t)
            # Breakdown, question vector given.
            qn = " ".join(q.split())
            qvec = searcher.embed_query(qn)
            t0 = time.perf_counter()
            hits = searcher.rank(qn, qvec, searcher.settings.k, None)
            t1 = time.perf_counter()
            level = searcher.evidence_level(hits)
            t2 = time.perf_counter()
            if level != "none":
                searcher.answer_sentences(qvec, qn, hits)
            t3 = time.perf_counter()
            t_rank.append(t1 - t0)
            t_evid.append(t2 - t1)
            t_ans.append(t3 - t2)
    idx = searcher.index
    print(f"index: {index_dir} ({len(idx.passages)} passages, {len(idx.sentences)} sentences, "
          f"type {idx.manifest.index_type}, precision "
          f"{idx.manifest.model.get('precision', 'fp32')}); {len(questions)} eval questions x "
          f"{rounds} rounds")
    print()
    print("| warm, per question | p50 ms | p95 ms | p50 / embed p50 |")
    print("|---|---|---|---|")
    e50 = pct(t_embed, 50)
    for name, xs in (("embed the question alone (floor)", t_embed),
                     ("ask, distinct question (cache cleared)", t_ask),
                     ("ask, repeated question (cached vector)", t_cached),
                     ("  of which rank: first stage + late re-rank", t_rank),
                     ("  of which evidence level", t_evid),
                     ("  of which answer sentences", t_ans)):
        print(f"| {name} | {pct(xs, 50):.2f} | {pct(xs, 95):.2f} | {pct(xs, 50) / e50:.2f}x |")


def fresh(code: str, timeout: float = 600) -> tuple[float, str]:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode not in (0, 1):
        raise RuntimeError(out.stderr[-2000:])
    return time.perf_counter() - t, out.stdout


BREAKDOWN = r"""
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from index import load_index
from qa.search import Searcher, embedder_for
t1 = time.perf_counter()
idx = load_index(Path(sys.argv[1]))
t2 = time.perf_counter()
import torch, sentence_transformers
t3 = time.perf_counter()
emb = embedder_for(idx)
emb.load()
t4 = time.perf_counter()
s = Searcher(idx, emb)
s.ask(sys.argv[2])
t5 = time.perf_counter()
print(json.dumps({"import qa, index (no torch)": t1 - t0, "load index": t2 - t1,
                  "import torch + sentence_transformers": t3 - t2,
                  "load model (weights SHA-256 check + construct)": t4 - t3,
                  "first question (embed + search)": t5 - t4}))
"""


def cold(index_dir: Path, repeats: int) -> None:
    q = "What is a hard federation?"
    rows = []
    totals = []
    for _ in range(repeats):
        secs, _ = fresh(f"import sys; sys.argv = ['qa', '--index', {str(index_dir)!r}, {q!r}]; "
                        "from qa.__main__ import main; main()")
        totals.append(secs)
    rows.append(("`python -m qa QUESTION` (whole process)", statistics.median(totals), ""))
    parts = []
    for _ in range(repeats):
        _, out = fresh(BREAKDOWN.replace("sys.argv[1]", repr(str(index_dir)))
                       .replace("sys.argv[2]", repr(q)))
        parts.append(json.loads(out.strip().splitlines()[-1]))
    for key in parts[0]:
        rows.append((f"  {key}", statistics.median(p[key] for p in parts), ""))

    from index import load_index

    pid = load_index(index_dir).passages[0].id
    show, show_torch = [], ""
    for _ in range(repeats):
        secs, out = fresh(f"import sys; sys.argv = ['qa', 'show', {pid!r}, '--index', "
                          f"{str(index_dir)!r}]\nfrom qa.__main__ import main\nmain()\n"
                          "print('TORCH', 'torch' in sys.modules, 'faiss' in sys.modules)")
        show.append(secs)
        show_torch = out.strip().splitlines()[-1]
    rows.append(("`python -m qa show ID`", statistics.median(show),
                 _imports(show_torch)))
    ing, ing_torch = [], ""
    for _ in range(repeats):
        secs, out = fresh(f"import sys; sys.argv = ['ingest', '--index', {str(index_dir)!r}]\n"
                          "from ingest.__main__ import main\nmain()\n"
                          "print('TORCH', 'torch' in sys.modules, 'faiss' in sys.modules)")
        ing.append(secs)
        ing_torch = out.strip().splitlines()[-1]
    rows.append(("`python -m ingest` (corpus unchanged)", statistics.median(ing),
                 _imports(ing_torch)))
    app = []
    for _ in range(max(1, repeats // 2)):
        app.append(app_start(index_dir))
    rows.append(("`python app.py` until the server answers (model loaded)",
                 statistics.median(app), ""))
    print()
    print(f"| cold start (fresh process), median of {repeats} | seconds | note |")
    print("|---|---|---|")
    for name, secs, note in rows:
        print(f"| {name} | {secs:.2f} | {note} |")


def _imports(line: str) -> str:
    torch, faiss = line.split()[1:3]
    return f"torch imported: {torch}, faiss imported: {faiss}"


def app_start(index_dir: Path) -> float:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py", "--index", str(index_dir), "--corpus",
                             str(ROOT / "corpus"), "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = t + 300
        while time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    if r.status == 200:
                        return time.perf_counter() - t
            except OSError:
                time.sleep(0.1)
            if proc.poll() is not None:
                raise RuntimeError("app.py exited")
        raise RuntimeError("app.py did not answer within 300 s")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default=str(ROOT / "var" / "index"),
                    help="an index built by `python -m ingest` (default: the one it builds)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--cold-repeats", type=int, default=3)
    ap.add_argument("--no-cold", action="store_true")
    ap.add_argument("--no-warm", action="store_true")
    args = ap.parse_args()
    print(machine_line())
    index_dir = Path(args.index)
    if not args.no_warm:
        warm(index_dir, args.rounds)
    if not args.no_cold:
        cold(index_dir, args.cold_repeats)


if __name__ == "__main__":
    main()
