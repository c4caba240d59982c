"""Scale curve: build time, memory, p50 latency and recall@10 at 10k / 100k / 1M passages.

    .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--base /tmp/incr/index]

Vectors are synthetic but built from real all-MiniLM-L6-v2 vectors: the passage and sentence
vectors of an existing index (`--base`, e.g. the SciFact index bench/incremental.py builds),
each synthetic vector = normalise(a + 0.5 b + noise) for two random real vectors a, b and
Gaussian noise (sigma 0.02 per dimension). Queries are real: SciFact's questions embedded with
the same model. Ground truth is exact inner-product search; recall@10 = share of the exact top
10 found in the top 10 of each variant. Each variant is searched as the index searches
(LoadedIndex.dense_scores): one query at a time, k=200 candidates, 2 threads.

BM25 (bm25s, the LexicalIndex scoring): passages are 4 random real SciFact sentences (already
tokenised with index.lexical.tokenize), so vocabulary and lengths are real; latency is one
`get_scores` over all passages for a real query. "rank" is the per-question fusion and top-k
over N passages (qa.search.Searcher.fuse + _top) with the dense and BM25 arrays of that size.

Memory is the growth of this process's resident set while building each index (the index's
own footprint; it is freed before the next one), plus its size on disk. Load is
faiss.read_index with IO_FLAG_MMAP_IFC / IO_FLAG_MMAP (resident growth on load, memory-mapped).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import machine_line  # noqa: E402

K_CANDIDATES = 200  # as LoadedIndex.dense_scores


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def base_vectors(folders: list[str]) -> np.ndarray:
    parts = []
    for folder in folders:
        folder = Path(folder)
        gen = folder / "generations" / (folder / "CURRENT").read_text().strip()
        for name in ("vectors.npy", "sentence_vectors.npy"):
            if (gen / name).exists():
                a = np.load(gen / name)
                if len(a):
                    parts.append(a.astype(np.float32))
    return np.concatenate(parts)


def synth(base: np.ndarray, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    for s in range(0, n, 100_000):
        m = min(100_000, n - s)
        a = base[rng.integers(len(base), size=m)]
        b = base[rng.integers(len(base), size=m)]
        v = a + 0.5 * b + rng.normal(0, 0.02, size=a.shape).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        out[s:s + m] = v
    return out


def query_vectors(n: int) -> tuple[np.ndarray, list[str], float]:
    path = Path("/work/shared/bench/scifact/queries.jsonl")
    qs = [json.loads(line)["text"] for line in path.read_text().splitlines() if line][:n]
    from index import EmbedSettings, make_embedder

    emb = make_embedder(EmbedSettings())
    vecs = emb.embed(qs)
    floor = p50_ms(lambda q: emb.embed([q]), qs[:100])  # one question at a time, as asked
    return vecs, qs, floor


def p50_ms(fn, queries) -> float:
    times = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def recall10(ids: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(a[:10]) & set(b[:10])) / 10 for a, b in zip(ids, truth,
                                                                               strict=True)]))


def timed_build(make):
    gc.collect()
    r0 = rss_mb()
    t = time.perf_counter()
    index = make()
    return index, time.perf_counter() - t, rss_mb() - r0


def disk_mb(index, path: Path) -> float:
    import faiss

    faiss.write_index(index, str(path))
    return path.stat().st_size / 2**20


def load_rss(path: Path, flag_name: str) -> float:
    import faiss

    gc.collect()
    r0 = rss_mb()
    idx = faiss.read_index(str(path), getattr(faiss, flag_name))
    grown = rss_mb() - r0
    del idx
    return grown


def run_size(n: int, base, qv, q_tokens, sent_tokens, vocab, args, rows, bm_rows, rank_rows):
    import faiss

    from index.store import flat_scores
    from qa.search import Searcher, _top

    faiss.omp_set_num_threads(2)
    tmp = Path(args.tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    print(f"\n== {n:,} passages (load {os.getloadavg()[0]:.1f})", flush=True)
    t = time.perf_counter()
    x = synth(base, n, seed=n)
    print(f"synthetic vectors: {time.perf_counter() - t:.1f} s, {x.nbytes / 2**20:.0f} MiB",
          flush=True)
    exact = faiss.IndexFlatIP(x.shape[1])
    exact.add(x)
    _, truth = exact.search(qv, 10)
    del exact
    queries = list(qv[: args.latency_queries])

    # flat as the index serves it: numpy over the memory-mapped vectors, top candidates.
    np.save(tmp / "vectors.npy", x)
    mm = np.load(tmp / "vectors.npy", mmap_mode="r")
    lat = p50_ms(lambda q: _top(flat_scores(mm, q), K_CANDIDATES), queries)
    rows.append((n, "flat (numpy, mmap'd vectors.npy)", 0.0, 0.0, x.nbytes / 2**20, 0.0,
                 lat, 1.0, "exact"))
    print(rows[-1], flush=True)
    mm = None  # noqa: F841

    variants = [("flat (faiss IndexFlatIP)", lambda: _flat(x), {})]
    for m, efc in ((32, 80),) if n < 1_000_000 or not args.hnsw_1m_efc else ((32, args.hnsw_1m_efc),):
        if n > args.hnsw_max:
            continue
        variants.append((f"HNSW32 efC={efc}", lambda m=m, efc=efc: _hnsw(x, m, efc),
                         {"efSearch": [16, 64, 128]}))
    nlist = int(2 * np.sqrt(n))
    variants.append((f"IVF{nlist},Flat", lambda: _ivf(x, nlist, "flat"),
                     {"nprobe": [8, 16, 32, 64, 96, 128]}))
    if n <= args.sq8_max:
        variants.append((f"IVF{nlist},SQ8", lambda: _ivf(x, nlist, "sq8"),
                         {"nprobe": [8, 16, 32, 64]}))
    for name, make, sweep in variants:
        print(f"building {name} ...", flush=True)
        index, secs, grown = timed_build(make)
        size = disk_mb(index, tmp / "v.index")
        flag = "IO_FLAG_MMAP" if "IVF" in name else "IO_FLAG_MMAP_IFC"
        loaded = load_rss(tmp / "v.index", flag)
        settings = [("", None)] if not sweep else [(f"{k}={v}", (k, v)) for k, vals in
                                                   sweep.items() for v in vals]
        for label, kv in settings:
            if kv:
                faiss.ParameterSpace().set_index_parameter(index, kv[0], kv[1])
            _, ids = index.search(qv, K_CANDIDATES)
            rec = recall10(ids, truth)
            lat = p50_ms(lambda q, ix=index: ix.search(q.reshape(1, -1), K_CANDIDATES), queries)
            rows.append((n, name, secs, grown, size, loaded, lat, rec, label))
            print(rows[-1], flush=True)
        index = None
        gc.collect()
    (tmp / "v.index").unlink(missing_ok=True)
    (tmp / "vectors.npy").unlink(missing_ok=True)

    # BM25 over n passages of 4 real sentences each.
    import bm25s

    rng = np.random.default_rng(n + 1)
    t = time.perf_counter()
    pick = rng.integers(len(sent_tokens), size=(n, 4))
    docs = [sent_tokens[a] + sent_tokens[b] + sent_tokens[c] + sent_tokens[d]
            for a, b, c, d in pick.tolist()]
    t_docs = time.perf_counter() - t
    gc.collect()
    r0 = rss_mb()
    t = time.perf_counter()
    retriever = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    retriever.index((docs, dict(vocab)), show_progress=False)
    secs = time.perf_counter() - t
    del docs
    gc.collect()
    grown = rss_mb() - r0
    retriever.save(str(tmp / "bm25"), show_progress=False)
    size = sum(f.stat().st_size for f in (tmp / "bm25").iterdir()) / 2**20
    lat = p50_ms(lambda toks: retriever.get_scores(toks), q_tokens[: args.latency_queries])
    bm_rows.append((n, t_docs, secs, grown, size, lat))
    print(bm_rows[-1], flush=True)

    # Per-question ranking work over n passages: RRF fusion + top k.
    searcher = Searcher(None, None)
    dense = (x[: n] @ qv[0]).astype(np.float32)
    lexical = np.asarray(retriever.get_scores(q_tokens[0]), dtype=np.float32)
    lat = p50_ms(lambda _: _top(searcher.fuse(dense, lexical), 5), range(50))
    old = p50_ms(lambda _: _old_rank(dense, lexical), range(10))
    rank_rows.append((n, lat, old))
    print(rank_rows[-1], flush=True)
    retriever = x = None  # noqa: F841
    gc.collect()


def flat_sweep(base, qv, qs, args) -> None:
    """Exact search as the index serves it (memory-mapped vectors, one matrix-vector product,
    top candidates) against embedding the question, interleaved in one run."""
    from index import EmbedSettings, make_embedder
    from index.store import flat_scores
    from qa.search import _top

    emb = make_embedder(EmbedSettings())
    tmp = Path(args.tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    print("\n| passages | exact search p50 ms | embed p50 ms (same run) | ratio |")
    print("|---|---|---|---|")
    for n in [int(s) for s in args.flat_sweep.split(",")]:
        np.save(tmp / "sweep.npy", synth(base, n, seed=n))
        mm = np.load(tmp / "sweep.npy", mmap_mode="r")
        _top(flat_scores(mm, qv[0]), K_CANDIDATES)  # paged in, as in a warm server
        t_flat, t_emb = [], []
        for q, text in zip(qv[: args.latency_queries], qs, strict=False):
            t = time.perf_counter()
            _top(flat_scores(mm, q), K_CANDIDATES)
            t_flat.append(time.perf_counter() - t)
            t = time.perf_counter()
            emb.embed([text])
            t_emb.append(time.perf_counter() - t)
        f, e = statistics.median(t_flat) * 1000, statistics.median(t_emb) * 1000
        print(f"| {n:,} | {f:.2f} | {e:.2f} | {f / e:.2f} |", flush=True)
        mm = None  # noqa: F841
    (tmp / "sweep.npy").unlink(missing_ok=True)


def rank_only(base, qv, args) -> None:
    """The per-question ranking work over n passages, as Searcher.rank does it after the
    dense and BM25 scores: RRF fusion, then the top k among ranked passages."""
    from qa.search import Searcher, _top

    searcher = Searcher(None, None)
    rng = np.random.default_rng(0)
    print("\n| passages | fusion + top-k p50 ms (now) | before issue 7 (argsort + loop) |")
    print("|---|---|---|")
    for n in [int(s) for s in args.rank_only.split(",")]:
        dense = synth(base, n, seed=n) @ qv[0]
        lexical = np.zeros(n, dtype=np.float32)  # BM25: a few thousand passages match
        hit = rng.choice(n, size=min(n, 5000), replace=False)
        lexical[hit] = rng.gamma(2.0, 2.0, size=len(hit)).astype(np.float32)

        def now(_, dense=dense, lexical=lexical):
            fused = searcher.fuse(dense, lexical)
            ranked = np.flatnonzero(fused > 0)
            return ranked[_top(fused[ranked], 5)]

        print(f"| {n:,} | {p50_ms(now, range(30)):.2f} | "
              f"{p50_ms(lambda _, d=dense, x=lexical: _old_rank(d, x), range(5)):.2f} |", flush=True)


def _old_rank(dense, lexical):
    """The fusion before issue 7 (full argsort + Python loop), for comparison."""
    fused = np.zeros(len(dense))
    for scores, need_positive in ((dense, False), (lexical, True)):
        order = np.argsort(-scores)[:50]
        for rank, i in enumerate(order):
            if need_positive and scores[i] <= 0:
                break
            if np.isfinite(scores[i]):
                fused[i] += 1 / (60 + rank + 1)
    return np.argsort(-fused)[:5]


def _flat(x):
    import faiss

    index = faiss.IndexFlatIP(x.shape[1])
    index.add(x)
    return index


def _hnsw(x, m, efc):
    import faiss

    index = faiss.IndexHNSWFlat(x.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = efc
    index.add(x)
    return index


def _ivf(x, nlist, kind):
    import faiss

    quantizer = faiss.IndexFlatIP(x.shape[1])
    if kind == "flat":
        index = faiss.IndexIVFFlat(quantizer, x.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexIVFScalarQuantizer(quantizer, x.shape[1], nlist,
                                              faiss.ScalarQuantizer.QT_8bit,
                                              faiss.METRIC_INNER_PRODUCT)
    sample = x[np.random.default_rng(0).choice(len(x), size=min(len(x), 40 * nlist),
                                               replace=False)]
    index.cp.niter = 10
    index.train(sample)
    index.add(x)
    index.quantizer_trains_alone = 0
    return index


def sentence_tokens(limit: int):
    from index.lexical import LexicalSettings, tokenize
    from ingest import split_sentences

    settings = LexicalSettings()
    rows = Path("/work/shared/bench/scifact/corpus.jsonl").read_text().splitlines()[:limit]
    vocab: dict[str, int] = {}
    out = []
    for line in rows:
        row = json.loads(line)
        for s in split_sentences(row["text"]):
            toks = tokenize(s, settings)
            if toks:
                out.append([vocab.setdefault(t, len(vocab)) for t in toks])
    return out, vocab, settings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--base", default="/tmp/incr/index,/tmp/idxE")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--latency-queries", type=int, default=100)
    ap.add_argument("--hnsw-max", type=int, default=2_000_000, help="skip HNSW above this")
    ap.add_argument("--hnsw-1m-efc", type=int, default=0,
                    help="efConstruction for HNSW at 1M (default: as below, 80)")
    ap.add_argument("--sq8-max", type=int, default=100_000, help="skip IVF-SQ8 above this")
    ap.add_argument("--flat-sweep", default="",
                    help="only exact search at these sizes vs the embedding floor, e.g. "
                         "10000,25000,50000,100000 (sets exact_search_max)")
    ap.add_argument("--rank-only", default="", help="only the fusion + top-k row, at these sizes")
    ap.add_argument("--tmp", default="/tmp/scale-bench")
    args = ap.parse_args()

    print(machine_line(), flush=True)
    folders = [f for f in args.base.split(",") if (Path(f) / "CURRENT").exists()]
    base = base_vectors(folders)
    print(f"base: {len(base):,} real MiniLM vectors from {folders}", flush=True)
    qv, qs, floor = query_vectors(args.queries)
    print(f"queries: {len(qs)} SciFact questions; embedding one question (the floor), p50 "
          f"{floor:.2f} ms in this run", flush=True)
    sent_tokens, vocab, lex = sentence_tokens(6000)
    from index.lexical import tokenize

    q_tokens = []
    for q in qs:
        toks = [vocab[t] for t in tokenize(q, lex) if t in vocab]
        q_tokens.append(toks or [0])
    print(f"BM25 material: {len(sent_tokens):,} real sentences, vocabulary {len(vocab):,}",
          flush=True)
    if args.flat_sweep:
        flat_sweep(base, qv, qs, args)
        return
    if args.rank_only:
        rank_only(base, qv, args)
        return
    rows, bm_rows, rank_rows = [], [], []
    for n in [int(s) for s in args.sizes.split(",")]:
        run_size(n, base, qv, q_tokens, sent_tokens, vocab, args, rows, bm_rows, rank_rows)

    print("\n| passages | index | build s | build RSS MiB | disk MiB | RSS on mmap load MiB "
          "| search setting | p50 ms (k=200) | recall@10 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n, name, secs, grown, size, loaded, lat, rec, label in rows:
        print(f"| {n:,} | {name} | {secs:.1f} | {grown:.0f} | {size:.0f} | {loaded:.0f} | "
              f"{label or '-'} | {lat:.2f} | {rec:.3f} |")
    print("\n| passages | BM25 (bm25s) make tokens s | index s | RSS MiB | disk MiB "
          "| p50 get_scores ms |")
    print("|---|---|---|---|---|---|")
    for n, td, secs, grown, size, lat in bm_rows:
        print(f"| {n:,} | {td:.1f} | {secs:.1f} | {grown:.0f} | {size:.0f} | {lat:.2f} |")
    print("\n| passages | fusion + top-k p50 ms (now) | before issue 7 (argsort + loop) |")
    print("|---|---|---|")
    for n, lat, old in rank_rows:
        print(f"| {n:,} | {lat:.2f} | {old:.2f} |")


if __name__ == "__main__":
    main()
