"""Incremental rebuild cost at 5k documents (SciFact's 5,183 abstracts as .txt files).

    .venv/bin/python bench/incremental.py [--work /tmp/incr] [--no-sentences] [--adds 3]

1. Writes each abstract (but the last `--adds`, held out) as `<id>.txt` (title as first line,
   then the text) into WORK/corpus and builds the index once (timed; reused on later runs
   when WORK/index is already up to date with that corpus).
2. Unchanged rebuild: in-process (model never loaded) and as `python -m ingest` (whole CLI,
   interpreter start and imports included); median of 5.
3. +1 document, `--adds` times: adds one held-out abstract and rebuilds in-process with the
   model already loaded. Its own cost is measured separately in the same run: reading and
   chunking the file and embedding its passages (and sentences). overhead = rebuild - own.
   Target: overhead <= 3 s; unchanged <= 1 s.
4. Removes the added files again (one rebuild, timed) so the next run starts from the same
   state.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import machine_line  # noqa: E402
from index import (  # noqa: E402
    EmbedSettings,
    IndexSettings,
    build_index,
    make_embedder,
    read_manifest,
)
from index.build import passage_sentences, sentence_embedding_text  # noqa: E402
from ingest import chunk_document, file_sha256, load_catalog, read_document  # noqa: E402


def write_corpus(data: Path, folder: Path, hold_out: int) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in data.read_text(encoding="utf-8").splitlines() if line]
    folder.mkdir(parents=True, exist_ok=True)
    keep, held = rows[:-hold_out] if hold_out else rows, rows[-hold_out:] if hold_out else []
    for row in keep:
        path = folder / f"{row['_id']}.txt"
        body = f"{row['title'].strip()}\n\n{row['text'].strip()}\n"
        if not path.exists() or path.read_text(encoding="utf-8") != body:
            path.write_text(body, encoding="utf-8")
    return [(f"{r['_id']}.txt", f"{r['title'].strip()}\n\n{r['text'].strip()}\n") for r in held]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/shared/bench/scifact/corpus.jsonl")
    ap.add_argument("--work", default="/tmp/incr")
    ap.add_argument("--no-sentences", action="store_true",
                    help="IndexSettings(sentence_vectors=False): passages only")
    ap.add_argument("--adds", type=int, default=3)
    ap.add_argument("--model", default="minilm", help="minilm, or fake (the hashing embedder: "
                    "the build's own overhead without the model's cost)")
    ap.add_argument("--precision", default=EmbedSettings().precision, help="fp32 | bf16 | auto")
    args = ap.parse_args()

    work = Path(args.work)
    corpus, index = work / "corpus", work / "index"
    held = write_corpus(Path(args.data), corpus, args.adds)
    for name, _ in held:
        (corpus / name).unlink(missing_ok=True)
    settings = IndexSettings(sentence_vectors=not args.no_sentences,
                             embed=EmbedSettings(model=args.model, precision=args.precision))
    print(machine_line())
    print(f"corpus: {len(list(corpus.glob('*.txt')))} documents in {corpus}; "
          f"sentence vectors {'on' if settings.sentence_vectors else 'off'}; "
          f"model {args.model}, precision {settings.embed.precision}")

    embedder = make_embedder(settings.embed)
    t = time.perf_counter()
    first = build_index(corpus, index, settings)  # its own embedder: a fresh process's cost
    t_first = time.perf_counter() - t
    if first.changed:
        print(f"first build: {t_first:.1f} s, {first.passages} passages, {first.embedded} "
              f"embedded ({first.full_rebuild or 'incremental'})")
    else:
        print(f"first build: reused the existing index ({first.passages} passages); see "
              "RESULTS.md for its build time")

    unchanged, unchanged_cpu = [], []
    for _ in range(5):
        t, c = time.perf_counter(), time.process_time()
        r = build_index(corpus, index, settings, embedder=embedder)
        unchanged.append(time.perf_counter() - t)
        unchanged_cpu.append(time.process_time() - c)
        assert not r.changed
    cli = []
    for _ in range(5):
        t = time.perf_counter()
        # What `python -m ingest` does (interpreter start, imports, build_index), with this
        # bench's settings (the CLI has no switch for sentence vectors).
        code = ("import sys; from index import EmbedSettings, IndexSettings, build_index; "
                f"r = build_index({str(corpus)!r}, {str(index)!r}, IndexSettings("
                f"sentence_vectors={settings.sentence_vectors}, embed=EmbedSettings("
                f"model={args.model!r}, precision={args.precision!r}))); "
                "print(r.changed, 'torch' in sys.modules)")
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
        assert out.split() == ["False", "False"], out  # no change, torch never imported
        cli.append(time.perf_counter() - t)
    print(f"unchanged rebuild: in-process median {statistics.median(unchanged):.3f} s "
          f"(CPU {statistics.median(unchanged_cpu):.3f} s), "
          f"as a fresh process (what `python -m ingest` does) median "
          f"{statistics.median(cli):.3f} s (of 5); torch not imported")

    embedder.embed(["warm the model up"])  # the model is loaded, as in the app
    catalog = load_catalog(corpus)
    try:  # the build reads files in a child process when ingest/sandbox.py is there
        from ingest.sandbox import make_reader

        read = make_reader(settings.read)
    except ImportError:
        read = read_document
    rows = []
    for name, body in held:
        path = corpus / name
        path.write_text(body, encoding="utf-8")
        # The document's own cost: read, chunk, embed its passages (and sentences).
        t0, c0 = time.perf_counter(), time.process_time()
        doc = read(path, corpus, catalog, file_sha256(path))
        passages = chunk_document(doc, settings.chunk)
        t1 = time.perf_counter()
        embedder.embed([p.embedding_text() for p in passages])
        if settings.sentence_vectors:
            embedder.embed([sentence_embedding_text(s, c) for p in passages
                            for s, c in passage_sentences(p)])
        t2, c2 = time.perf_counter(), time.process_time()
        r = build_index(corpus, index, settings, embedder=embedder)
        t3, c3 = time.perf_counter(), time.process_time()
        own, own_cpu = t2 - t0, c2 - c0
        rows.append((name, len(passages), t1 - t0, t2 - t1, t3 - t2, t3 - t2 - own,
                     c3 - c2, (c3 - c2) - own_cpu))
        assert r.added == [name], r.added
    print()
    print("| +1 document | passages | read+chunk s | embed s | rebuild s | overhead s "
          "| rebuild CPU s | overhead CPU s |")
    print("|---|---|---|---|---|---|---|---|")
    for name, n, rd, em, rb, ov, rbc, ovc in rows:
        print(f"| {name} | {n} | {rd:.3f} | {em:.3f} | {rb:.3f} | {ov:.3f} | {rbc:.3f} "
              f"| {ovc:.3f} |")
    print(f"median overhead (rebuild - own read and embed): wall "
          f"{statistics.median(r[5] for r in rows):.3f} s, CPU "
          f"{statistics.median(r[7] for r in rows):.3f} s (target <= 3 s); "
          f"load average now {os.getloadavg()[0]:.1f}")

    for name, _ in held:
        (corpus / name).unlink()
    t = time.perf_counter()
    r = build_index(corpus, index, settings, embedder=embedder)
    print(f"removing the {len(held)} added documents: {time.perf_counter() - t:.3f} s "
          f"({len(r.removed)} removed)")
    m = read_manifest(index)
    print(f"index: {m.passages} passages, type {m.index_type}, generation {m.generation}")


if __name__ == "__main__":
    main()
