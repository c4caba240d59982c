"""Full-build benchmark (issue 14): the old three-pass path against the one-pass paths, same run.

    python bench/build.py [--corpora seed,realpdfs,scifact] [--scifact N] [--paths ...]
                          [--data ../shared/bench/scifact] [--pdfs ../shared/realpdfs]

Each measurement is a fresh process (imports and model load included, as a new user meets
them), one after another on the same corpus copy:

  plain   read and chunk the files as the build does, then embed each passage once with plain
          sentence-transformers (`SentenceTransformer.encode`, batch 32): the floor the issue
          measures the build against
  old     the build before issue 14 (IndexSettings(one_pass=False)): passages, each sentence
          with its context line, then the passages again in 64-piece segments for the token
          store, each through sentence-transformers
  new     the build as shipped (IndexSettings()): one length-sorted list of inputs through the
          model directly: each passage once (its vector and pooled answer-sentence vectors),
          its text again in 64-piece segments (token vectors), each sentence on its own
          (first-stage sentence vectors)
  single  one pass per passage only (IndexSettings(token_pass=False,
          ranking_sentences="pooled")): all three kinds of vector from the passage's own pass

Corpora: the seed corpus (corpus/), the PDFs in ../shared/realpdfs/, and SciFact abstracts
written out as .txt files (title line, then the abstract; --scifact N of them, 0 = all 5,183).
Prints one table per corpus: texts embedded (model inputs), forward passes (batches), seconds
in the embedding stage, the process's wall seconds, texts per second, and each path's wall
time against plain. Timings on a shared machine are noisy: compare within one run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PATHS = {
    "old": {"one_pass": False},
    "new": {},
    "single": {"token_pass": False, "ranking_sentences": "pooled"},
}


def child(args) -> int:
    """One measurement, in this (fresh) process; prints one JSON line."""
    started = time.perf_counter()
    from index import EmbedSettings, IndexSettings, build_index

    embed = EmbedSettings(batch_size=args.batch, threads=args.threads)
    if args.path == "plain":
        return _plain(args, embed, started)
    settings = IndexSettings(embed=embed, **PATHS[args.path])
    report = build_index(Path(args.corpus), Path(args.index), settings, full=True)
    out = {"path": args.path, "passages": report.passages, "failed": len(report.failed),
           "build_seconds": round(report.seconds, 2), **report.embedding,
           "wall": round(time.perf_counter() - started, 2)}
    print(json.dumps(out))
    return 0


def _plain(args, embed, started) -> int:
    from index.build import IndexSettings
    from index.embedder import SentenceTransformerEmbedder
    from ingest import chunk_document, discover, file_sha256, load_catalog
    from ingest.sandbox import make_reader

    settings = IndexSettings(embed=embed)
    corpus = Path(args.corpus)
    reader = make_reader(settings.read)
    catalog = load_catalog(corpus)
    texts = []
    try:
        for path in discover(corpus)[0]:
            try:
                doc = reader(path, corpus, catalog, file_sha256(path))
            except Exception:
                continue  # refused files cost the build their reading only
            texts.extend(p.embedding_text() for p in chunk_document(doc, settings.chunk))
    finally:
        reader.close()
    read_done = time.perf_counter()
    model = SentenceTransformerEmbedder(embed).load()
    import torch

    t0 = time.perf_counter()
    with torch.inference_mode():
        model.encode(texts, batch_size=args.batch, show_progress_bar=False)
    seconds = time.perf_counter() - t0
    pieces = sum(min(len(ids), 256) for ids in model.tokenizer(texts)["input_ids"]) if texts else 0
    print(json.dumps({"path": "plain", "passages": len(texts), "texts": len(texts),
                      "forward_passes": math.ceil(len(texts) / args.batch), "word_pieces": pieces,
                      "seconds": round(seconds, 2), "read_seconds": round(read_done - started, 2),
                      "wall": round(time.perf_counter() - started, 2)}))
    return 0


def sweep(args) -> int:
    """Batch size x threads for the shipped embedding stage, in one process (model loaded
    once), on one corpus: the best of `--repeat` runs of each setting."""
    import dataclasses

    import torch

    from index import IndexSettings, make_embedder
    from index.build import Layout, _embed_one_pass
    from ingest import chunk_document, discover, file_sha256, load_catalog
    from ingest.sandbox import make_reader

    corpus = Path(args.corpus) if args.corpus else ROOT / "corpus"
    base = IndexSettings(**PATHS[args.sweep or "new"])
    reader = make_reader(base.read)
    catalog = load_catalog(corpus)
    passages = []
    try:
        for path in discover(corpus)[0]:
            try:
                passages.extend(chunk_document(reader(path, corpus, catalog, file_sha256(path)),
                                               base.chunk))
            except Exception:
                continue
    finally:
        reader.close()
    layout = Layout.fresh(passages)
    embedder = make_embedder(base.embed)
    embedder.load()
    if args.ab:
        return _ab(args, layout, embedder, corpus)
    print(f"sweep: path {args.sweep}, {corpus.name}, {len(passages)} passages, "
          f"{os.cpu_count()} cores; best of {args.repeat}; seconds in the embedding stage\n")
    print("| threads | batch | seconds | texts/s | padded / real word pieces |")
    print("|---:|---:|---:|---:|---:|")
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for batch in (8, 16, 32, 64, 128):
            settings = dataclasses.replace(base, embed=dataclasses.replace(base.embed,
                                                                          batch_size=batch))
            runs = [_embed_one_pass(layout, embedder, settings, lambda *a: None).stats
                    for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["seconds"])
            print(f"| {threads} | {batch} | {best['seconds']:.2f} | "
                  f"{best['texts'] / best['seconds']:.0f} | "
                  f"{best['padded'] / best['word_pieces']:.3f} |", flush=True)
    return 0


def _ab(args, layout, embedder, corpus) -> int:
    """The embedding stage of each path in turn, in one process with the model loaded once,
    `--repeat` rounds: load that comes and goes hits every path alike."""
    from index import IndexSettings
    from index.build import embed_changes

    print(f"A/B: {corpus.name}, {len(layout.passages)} passages, {len(layout.sentences)} "
          f"sentences; seconds in the embedding stage, round by round\n")
    print("| round | " + " | ".join(PATHS) + " |")
    print("|---:|" + "---:|" * len(PATHS))
    stats = {}
    for r in range(1, args.repeat + 1):
        row = []
        for name, overrides in PATHS.items():
            st = embed_changes(layout, embedder, IndexSettings(**overrides), lambda *a: None).stats
            stats[name] = st
            row.append(f"{st['seconds']:.2f}")
        print(f"| {r} | " + " | ".join(row) + " |", flush=True)
    print("\n| path | texts | forward passes | word pieces |\n|---|---:|---:|---:|")
    for name, st in stats.items():
        print(f"| {name} | {st['texts']} | {st['forward_passes']} | {st.get('word_pieces', '')} |")
    return 0


def scifact_corpus(data: Path, dest: Path, limit: int) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    n = 0
    with (data / "corpus.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            d = json.loads(line)
            path = dest / f"{d['_id']}.txt"
            if not path.exists():
                path.write_text(f"{d['title']}\n\n{d['text']}\n", encoding="utf-8")
            n += 1
            if limit and n >= limit:
                break
    return dest


def pdf_corpus(src: Path, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for pdf in sorted(src.glob("*.pdf")):
        if not (dest / pdf.name).exists():
            shutil.copy(pdf, dest / pdf.name)
    return dest


def measure(corpus: Path, work: Path, path: str, batch: int, threads: int) -> dict:
    index = work / f"index-{path}"
    shutil.rmtree(index, ignore_errors=True)
    cmd = [sys.executable, __file__, "--child", path, "--corpus", str(corpus), "--index",
           str(index), "--batch", str(batch), "--threads", str(threads)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    shutil.rmtree(index, ignore_errors=True)
    if r.returncode != 0:
        raise SystemExit(f"{path} on {corpus} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def table(name: str, rows: list[dict]) -> str:
    plain = next((r for r in rows if r["path"] == "plain"), None)
    old = next((r for r in rows if r["path"] == "old"), None)
    out = [f"{name}: {rows[0]['passages']} passages", "",
           "| path | texts embedded | forward passes | word pieces | embed s | process s | "
           "texts/s | x plain (process) | old / this (embed s) | old / this (process) |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        rate = r["texts"] / r["seconds"] if r["seconds"] else 0.0
        vs_plain = f"{r['wall'] / plain['wall']:.2f}" if plain else ""
        vs_old = f"{old['wall'] / r['wall']:.2f}" if old else ""
        vs_old_embed = f"{old['seconds'] / r['seconds']:.2f}" if old and r["seconds"] else ""
        pieces = r.get("word_pieces") or ""
        out.append(f"| {r['path']} | {r['texts']} | {r['forward_passes']} | {pieces} | "
                   f"{r['seconds']:.1f} | {r['wall']:.1f} | {rate:.0f} | {vs_plain} | "
                   f"{vs_old_embed} | {vs_old} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpora", default="seed,realpdfs,scifact")
    parser.add_argument("--paths", default="plain,old,new,single")
    parser.add_argument("--scifact", type=int, default=400, help="abstracts (0: all 5,183)")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "bench" / "scifact")
    parser.add_argument("--pdfs", type=Path, default=ROOT.parent / "shared" / "realpdfs")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "build")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument("--sweep", choices=sorted(PATHS),
                        help="instead: batch size x threads for this path (--corpus DIR)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--ab", action="store_true",
                        help="instead: each path's embedding stage in turn, in one process")
    parser.add_argument("--tables", type=Path, help="instead: print the tables of a --json file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--index", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        args.path = args.child
        return child(args)
    if args.sweep or args.ab:
        return sweep(args)
    if args.tables:  # the tables again, from a --json file
        for name, rows in json.loads(args.tables.read_text()).items():
            print(table(name, rows) + "\n")
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    corpora = {
        "seed": lambda: ROOT / "corpus",
        "realpdfs": lambda: pdf_corpus(args.pdfs, args.work / "realpdfs"),
        "scifact": lambda: scifact_corpus(args.data, args.work / f"scifact-{args.scifact or 'all'}",
                                          args.scifact),
    }
    results = {}
    for name in args.corpora.split(","):
        corpus = corpora[name]()
        rows = []
        for path in args.paths.split(","):
            row = measure(corpus, args.work, path, args.batch, args.threads)
            print(f"  {name} {path}: {json.dumps(row)}", file=sys.stderr, flush=True)
            rows.append(row)
        label = f"scifact ({args.scifact or 5183} abstracts)" if name == "scifact" else name
        results[name] = rows
        print(table(label, rows) + "\n", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
