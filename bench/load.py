"""Load test: many people asking at once through the app's API, also while the index rebuilds.

    .venv/bin/python bench/load.py [--clients 50] [--questions 20] [--model minilm|fake]
                                   [--index DIR] [--json]
    .venv/bin/python bench/load.py --questions 200 --skip-rebuild --skip-busy   # memory, 10,000

The app's resident memory (VmRSS of the server process) is sampled every 500 answered
questions of the steady phase; the growth from 1,000 to the last sample is reported (target
for 10,000 questions: at most 10%).

1. Builds an index of the project corpus (or uses --index), then starts `python app.py` on a
   free port on 127.0.0.1 (the only address this script ever talks to).
2. steady: N gradio_client clients, each asking Q different questions through /ask, all at
   once. Latency is measured per question at the client (queue wait included).
3. rebuild: the same again while `python -m ingest` adds documents to the same index; every
   answer records the generation it came from, and each client must see the old generation
   until the switch and the new one after it.
4. busy: an app with a deliberately small queue (1 worker, 2 waiting) and a service slowed to
   0.5 s a question receives a burst of simultaneous questions: the ones past the limit must
   get a clean "queue is full" refusal (the browser shows "This application is currently
   busy. Please try again."), never another error.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")  # gradio_client otherwise asks huggingface.co
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASE_QUESTIONS = [
    "What is a hard federation?", "What is a soft federation?",
    "Should finance be run centrally?", "Who keeps the books, the trust or the school?",
    "What goes wrong when trusts grow too fast?", "How are local governing bodies used?",
    "What does an executive headteacher do?", "How do trusts improve weak schools?",
    "What is a scheme of delegation?", "How do small rural schools benefit from federation?",
    "What are the risks of centralising the curriculum?", "How do trusts share staff?",
    "What is the role of the trust board?", "How is school improvement organised in a MAT?",
    "What evidence is there that federations raise attainment?",
    "How should trusts evaluate their impact?", "What do headteachers lose when they join a MAT?",
    "How do trusts develop future leaders?", "What is earned autonomy?",
    "How do trusts engage with parents and communities?",
]
TOPICS = ["", " in primary schools", " in secondary schools", " for small trusts",
          " in rural areas", " according to the research", " for governors", " in practice",
          " in the first year", " for a growing trust"]


def questions_for(client: int, n: int) -> list[str]:
    """n questions for one client; different clients ask different mixes (no shared cache)."""
    rng = random.Random(client)
    return [rng.choice(BASE_QUESTIONS).rstrip("?") + rng.choice(TOPICS) + "?" for _ in range(n)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"app.py exited with status {proc.returncode}")
        try:
            if httpx.get(f"{url}/config", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("app.py did not start in time")


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process, MB (Linux /proc); None where it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def memory_summary(samples: dict[int, float]) -> dict:
    """RSS after 1,000 questions and after the last sample, and the growth between them."""
    first = samples.get(1000)
    last_n = max(samples, default=0)
    last = samples.get(last_n)
    growth = (round(100 * (last - first) / first, 1) if first and last and last_n > 1000
              else None)
    return {"rss_mb_every_500": {str(n): v for n, v in sorted(samples.items())},
            "rss_mb_at_1000": first, "questions": last_n, "rss_mb_at_last": last,
            "growth_pct_from_1000": growth}


def run_clients(url: str, clients: int, per_client: int, until: threading.Event | None = None,
                server_pid: int | None = None, stall_seconds: float = 300.0) -> dict:
    """All clients at once, each asking `per_client` questions (and, with `until`, going on
    asking until it is set). Returns latencies, errors and each client's generations; with
    `server_pid`, the server's resident memory after every 500 answered questions."""
    from gradio_client import Client

    barrier = threading.Barrier(clients)
    latencies: list[float] = []
    errors: list[str] = []
    stamps: list[tuple[float, float]] = []  # (start, end) of every request
    generations: list[list[str]] = [[] for _ in range(clients)]
    cancelled: list[str] = []
    memory: dict[int, float] = {}
    lock = threading.Lock()

    def one(n: int) -> None:
        try:
            client = Client(url, verbose=False)
        except Exception as exc:  # noqa: BLE001 - counted as an error
            with lock:
                errors.append(f"connect: {type(exc).__name__}: {exc}")
            barrier.abort()
            return
        try:
            barrier.wait(timeout=300)
        except threading.BrokenBarrierError:
            pass
        asked = 0
        pool = questions_for(n, per_client)
        while asked < per_client or (until is not None and not until.is_set()):
            q = pool[asked % len(pool)]
            asked += 1
            t0 = time.perf_counter()
            try:
                try:
                    data = client.predict(q, api_name="/ask")
                except concurrent.futures.CancelledError:
                    # gradio_client's shared SSE reader closed under this job (a client-side
                    # race); counted, and asked once more as a person would.
                    with lock:
                        cancelled.append(q)
                    data = client.predict(q, api_name="/ask")
                if not isinstance(data, dict) or "passages" not in data:
                    raise ValueError(f"unexpected answer {str(data)[:100]}")
            except Exception as exc:  # noqa: BLE001 - counted as an error
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                continue
            t1 = time.perf_counter()
            with lock:
                latencies.append(t1 - t0)
                stamps.append((t0, t1))
                generations[n].append(data.get("generation", ""))
                last_answer[0] = t1
                if server_pid is not None and len(latencies) % 500 == 0:
                    rss = rss_mb(server_pid)
                    if rss is not None:
                        memory[len(latencies)] = rss
                    print(f"  answered {len(latencies)}, errors {len(errors)}, server "
                          f"{rss if rss is not None else '?'} MB", file=sys.stderr, flush=True)
        client.close()

    def watchdog() -> None:
        # A server that stops answering (it once deadlocked in the tokenizer) would leave
        # every client waiting for ever: say so, with what was measured, and stop.
        while not finished.wait(10):
            if time.perf_counter() - last_answer[0] > stall_seconds:
                print(f"no answer for {stall_seconds:.0f} s after {len(latencies)} answered "
                      f"({len(errors)} errors): the server has stopped answering; memory so "
                      f"far {memory}", file=sys.stderr, flush=True)
                os._exit(3)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    last_answer = [started]
    finished = threading.Event()
    threading.Thread(target=watchdog, daemon=True).start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    finished.set()
    wall = time.perf_counter() - started
    return {"requests": len(latencies) + len(errors), "answered": len(latencies),
            "errors": errors, "client_cancelled_then_retried": len(cancelled),
            "latencies": latencies, "stamps": stamps, "generations": generations,
            "seconds": wall, "memory": memory}


def summary(result: dict, latencies: list[float] | None = None) -> dict:
    lat = result["latencies"] if latencies is None else latencies
    return {"requests": result["requests"], "answered": result["answered"],
            "errors": len(result["errors"]), "error_samples": sorted(set(result["errors"]))[:5],
            "client_cancelled_then_retried": result["client_cancelled_then_retried"],
            "p50_ms": round(pct(lat, 50) * 1000), "p95_ms": round(pct(lat, 95) * 1000),
            "max_ms": round(max(lat) * 1000) if lat else None,
            "throughput_qps": round(result["answered"] / result["seconds"], 1)}


def add_documents(corpus: Path, n: int = 4) -> list[str]:
    names = []
    for i in range(n):
        src = ROOT / "tests" / "data" / "badpdfs" / ("good-4-pages_pdflatex-4-pages.pdf" if i % 2
                                                    else "good-3-pages-two-column_multicolumn.pdf")
        name = f"load-added-{i}.pdf"
        (corpus / name).write_bytes(src.read_bytes() + f"\n% load {i}\n".encode())
        names.append(name)
    return names


def busy_demo(index_dir: Path, corpus: Path, burst: int = 20) -> dict:
    """A small queue and a slow service: what the people past the limit are told."""
    from gradio_client import Client

    import app
    from qa.service import EvidenceService

    class SlowService(EvidenceService):
        def ask(self, *a, **k):
            time.sleep(0.5)
            return super().ask(*a, **k)

    from index import read_manifest

    embed = read_manifest(index_dir).model.get("name")
    from index import EmbedSettings, IndexSettings

    index_settings = IndexSettings(embed=EmbedSettings(model="fake" if embed == "fake-hashing"
                                                       else "minilm"))
    settings = app.AppSettings(index_dir, corpus, port=free_port(), concurrency=1, queue_size=2)
    service = SlowService(index_dir, corpus, index_settings=index_settings)
    service.warm_up()
    demo = app.build_app(settings, service)
    _, url, _ = demo.launch(**app.launch_kwargs(settings), prevent_thread_lock=True, quiet=True)
    url = url.rstrip("/")
    ask_fn = next(i for i, f in demo.fns.items() if getattr(f, "api_name", None) == "ask")
    outcomes: list[str] = []
    lock = threading.Lock()
    try:
        clients = [Client(url, verbose=False) for _ in range(burst)]
        barrier = threading.Barrier(burst)

        def one(c: Client) -> None:
            barrier.wait()
            try:
                c.predict("What is a hard federation?", api_name="/ask")
                outcome = "answered"
            except Exception as exc:  # noqa: BLE001 - classified below
                text = f"{type(exc).__name__}: {exc}"
                outcome = ("busy: " + text) if "queue is full" in text.lower() else \
                    ("OTHER: " + text)
            with lock:
                outcomes.append(outcome)

        threads = [threading.Thread(target=one, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for c in clients:
            c.close()
        import httpx  # what a browser's queue/join gets while the queue is full

        raw = None
        fillers = [Client(url, verbose=False) for _ in range(4)]
        jobs = [c.submit("What is a soft federation?", api_name="/ask") for c in fillers]
        time.sleep(0.2)
        r = httpx.post(f"{url}/gradio_api/queue/join",
                       json={"data": ["q"], "fn_index": ask_fn, "session_hash": "loadtest",
                             "event_data": None, "trigger_id": None}, timeout=10)
        raw = {"status": r.status_code, "body": r.text[:200]}
        for j in jobs:
            try:
                j.result(timeout=30)
            except Exception:  # noqa: BLE001 - some are refused, as intended
                pass
        for c in fillers:
            c.close()
    finally:
        demo.close(verbose=False)
    return {"burst": burst, "concurrency": 1, "queue_size": 2, "seconds_per_question": 0.5,
            "answered": sum(o == "answered" for o in outcomes),
            "busy": sum(o.startswith("busy") for o in outcomes),
            "other_errors": [o for o in outcomes if o.startswith("OTHER")],
            "busy_message": next((o[6:] for o in outcomes if o.startswith("busy")), ""),
            "http_when_full": raw}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--questions", type=int, default=20, help="per client")
    parser.add_argument("--model", default="minilm", help="minilm (default) or fake")
    parser.add_argument("--index", type=Path, default=None,
                        help="an index to copy instead of building one (its corpus: --corpus)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--skip-busy", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print

    tmp = tempfile.TemporaryDirectory(prefix="load-")
    work = Path(tmp.name)
    corpus, index_dir = work / "corpus", work / "index"
    shutil.copytree(args.corpus, corpus)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ingest = [sys.executable, "-m", "ingest", "--corpus", str(corpus), "--index", str(index_dir),
              "--model", args.model, "--json"]
    if args.index:
        shutil.copytree(args.index, index_dir)
    t0 = time.perf_counter()
    subprocess.run(ingest, cwd=ROOT, env=env, check=True, capture_output=True)
    log(f"index ready ({args.model}) in {time.perf_counter() - t0:.1f} s")

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app_log = (work / "app.log").open("w")
    server = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--index", str(index_dir),
                               "--corpus", str(corpus), "--port", str(port)],
                              cwd=ROOT, env=env, stdout=app_log, stderr=subprocess.STDOUT)
    out: dict = {"clients": args.clients, "questions_per_client": args.questions,
                 "model": args.model, "cpus": os.cpu_count()}
    try:
        wait_ready(url, server)
        log(f"app.py serving on {url}")
        out["rss_mb_before"] = rss_mb(server.pid)
        steady = run_clients(url, args.clients, args.questions, server_pid=server.pid)
        end_rss = rss_mb(server.pid)  # after the last question, whatever the count
        if end_rss is not None and steady["answered"]:
            steady["memory"][steady["answered"]] = end_rss
        out["steady"] = summary(steady)
        out["memory"] = memory_summary(steady["memory"])
        log(f"memory: {out['memory']}")
        log(f"steady: {out['steady']}")

        if not args.skip_rebuild:
            added = add_documents(corpus)
            box: dict = {}

            def rebuild() -> None:
                time.sleep(1.0)  # let every client get going first
                box["start"] = time.perf_counter()
                box["run"] = subprocess.run(ingest, cwd=ROOT, env=env, capture_output=True,
                                            text=True)
                box["end"] = time.perf_counter()

            done = threading.Event()

            def rebuild_then_stop() -> None:
                rebuild()
                time.sleep(2.0)  # a little of the new generation too
                done.set()

            builder = threading.Thread(target=rebuild_then_stop)
            builder.start()
            during = run_clients(url, args.clients, args.questions, until=done)
            builder.join()
            report = json.loads(box["run"].stdout)
            inside = [b - a for a, b in during["stamps"]
                      if a < box["end"] and b > box["start"]]
            seqs = [g for g in during["generations"] if g]
            old = seqs[0][0] if seqs else ""
            new = report.get("generation", "")
            monotonic = all(g == sorted(g, key=lambda x: x == new) for g in seqs)
            out["rebuild"] = {**summary(during, inside),
                              "requests_overlapping_rebuild": len(inside),
                              "rebuild_seconds": round(box["end"] - box["start"], 1),
                              "added": sorted(report.get("added", [])) == sorted(added),
                              "generations_seen": sorted({x for g in seqs for x in g}),
                              "old_then_new_per_client": monotonic,
                              "answered_by_new_generation": sum(x == new for g in seqs
                                                                for x in g),
                              "whole_phase": summary(during)}
            out["rebuild"]["generations_seen_ok"] = set(out["rebuild"]["generations_seen"]) <= {
                old, new}
            log(f"during rebuild: {out['rebuild']}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        app_log.close()
    log_text = (work / "app.log").read_text(errors="replace")
    out["server_log"] = {"tracebacks": log_text.count("Traceback"),
                         "error_lines": [line for line in log_text.splitlines()
                                         if "ERROR" in line or "Exception" in line][:5]}

    if not args.skip_busy:
        out["busy"] = busy_demo(index_dir, corpus)
        log(f"busy: {out['busy']}")
    tmp.cleanup()

    ok = not out["steady"]["errors"] and out["steady"]["answered"] == out["steady"]["requests"]
    if "rebuild" in out:
        r = out["rebuild"]["whole_phase"]
        ok = ok and not r["errors"] and out["rebuild"]["old_then_new_per_client"] and \
            out["rebuild"]["generations_seen_ok"] and out["rebuild"]["added"]
    if "busy" in out:
        ok = ok and out["busy"]["busy"] > 0 and not out["busy"]["other_errors"]
    out["ok"] = ok
    if args.json:
        print(json.dumps(out))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
