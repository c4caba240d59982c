"""Embedding throughput at index time, fp32 vs bf16, and whether bf16 agrees with fp32.

    .venv/bin/python bench/throughput.py [--index DIR] [--scifact N] [--repeats 2]

Texts: every passage and answer sentence of the built index (the real corpus) plus N SciFact
abstracts (title + text) so the batch mix has realistic lengths. For each precision the same
texts are embedded with the index-time batch size; passages/s is the best of `--repeats` runs
(the machine is shared: the best run is the least disturbed one). Both precisions are timed in
the same process, alternating, so their ratio is fair even when absolute figures are noisy.

Agreement: cosine of each bf16 vector with its fp32 vector (min and mean) over the corpus
passages, sentences and the SciFact sample. Ranking change: for every question of
eval/questions.jsonl, the dense top-1 and top-5 passages with fp32 (question and passages) vs
bf16 (question and passages).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import machine_line  # noqa: E402
from index import EmbedSettings, load_index  # noqa: E402
from index.embedder import SentenceTransformerEmbedder  # noqa: E402


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default=str(ROOT / "var" / "index"),
                    help="an index built by `python -m ingest` (default: the one it builds)")
    ap.add_argument("--scifact", type=int, default=1000, help="SciFact abstracts to add")
    ap.add_argument("--data", default="/work/shared/bench/scifact/corpus.jsonl")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()

    idx = load_index(Path(args.index))
    passages = [p.embedding_text() for p in idx.passages]
    from index.build import sentence_embedding_text

    sentences = [sentence_embedding_text(s["text"], s["context"]) for s in idx.sentences]
    extra = []
    if args.scifact and Path(args.data).exists():
        with open(args.data, encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                extra.append(f"{row['title']}\n{row['text']}")
                if len(extra) >= args.scifact:
                    break
    texts = passages + sentences + extra
    questions = [json.loads(line)["question"]
                 for line in (ROOT / "eval" / "questions.jsonl").read_text().splitlines() if line]

    emb = {p: SentenceTransformerEmbedder(EmbedSettings(precision=p)) for p in ("fp32", "bf16")}
    for e in emb.values():
        e.load()
        e.embed(texts[:64])  # warm up kernels
    print(machine_line())
    print(f"texts: {len(passages)} corpus passages + {len(sentences)} sentences + "
          f"{len(extra)} SciFact abstracts = {len(texts)}; torch threads default; "
          f"batch {EmbedSettings().batch_size}")
    best = {p: float("inf") for p in emb}
    vecs = {}
    for _ in range(args.repeats):
        for p, e in emb.items():
            t = time.perf_counter()
            vecs[p] = e.embed(texts)
            best[p] = min(best[p], time.perf_counter() - t)
    rate = {p: len(texts) / best[p] for p in emb}
    # Corpus passages only, too: the figure that matters for this corpus.
    cos = np.sum(_unit(vecs["fp32"]) * _unit(vecs["bf16"]), axis=1)
    n_p = len(passages)
    qv = {p: e.embed(questions) for p, e in emb.items()}
    pv = {p: vecs[p][:n_p] for p in emb}
    top1_changed = top5_changed = 0
    for i in range(len(questions)):
        r32 = np.argsort(-(pv["fp32"] @ qv["fp32"][i]))[:5]
        r16 = np.argsort(-(pv["bf16"] @ qv["bf16"][i]))[:5]
        top1_changed += int(r32[0] != r16[0])
        top5_changed += int(list(r32) != list(r16))
    qcos = np.sum(_unit(qv["fp32"]) * _unit(qv["bf16"]), axis=1)

    print()
    print(f"| precision | texts/s (best of {args.repeats}) | relative |")
    print("|---|---|---|")
    for p in emb:
        print(f"| {p} | {rate[p]:.1f} | {rate[p] / rate['fp32']:.2f}x |")
    print()
    print("| bf16 vs fp32 cosine | min | mean |")
    print("|---|---|---|")
    print(f"| corpus passages ({n_p}) | {cos[:n_p].min():.5f} | {cos[:n_p].mean():.5f} |")
    s = slice(n_p, n_p + len(sentences))
    print(f"| corpus sentences ({len(sentences)}) | {cos[s].min():.5f} | {cos[s].mean():.5f} |")
    if extra:
        e = slice(n_p + len(sentences), None)
        print(f"| SciFact abstracts ({len(extra)}) | {cos[e].min():.5f} | {cos[e].mean():.5f} |")
    print(f"| eval questions ({len(questions)}) | {qcos.min():.5f} | {qcos.mean():.5f} |")
    print()
    print(f"dense ranking over corpus passages, {len(questions)} eval questions: top-1 changed "
          f"for {top1_changed}, top-5 order changed for {top5_changed}")
    verdict = "adopt" if cos[:n_p].min() >= 0.998 else "keep fp32"
    print(f"rule (bf16 only if min passage agreement >= 0.998): {verdict}")
    print(f"python {platform.python_version()}")


if __name__ == "__main__":
    main()
