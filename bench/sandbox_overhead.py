"""What reading in the sandbox costs: the same files read in-process and through the worker.

    .venv/bin/python bench/sandbox_overhead.py [--scifact ../shared/bench/scifact] [--pdfs 300]

* SciFact: every document of corpus.jsonl (5,183) written as a small .txt file, read with
  (a) the plain in-process reader, (b) the default sandboxed reader (small text files stay
  in-process), (c) the sandboxed reader with every file forced through the worker.
* PDFs: N distinct small PDFs (copies of the badpdfs fixtures with a trailing comment) read
  in-process and through the worker.
Only reading is timed (the embedding that follows is the same either way).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(reader, files: list[Path], corpus: Path) -> tuple[float, int]:
    from ingest import ReadError

    refused = 0
    t0 = time.perf_counter()
    for f in files:
        try:
            reader(f, corpus, {}, None)
        except ReadError:
            refused += 1
    return time.perf_counter() - t0, refused


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scifact", type=Path, default=ROOT.parent / "shared" / "bench" / "scifact")
    parser.add_argument("--pdfs", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from ingest import read_document
    from ingest.sandbox import ReadLimits, SandboxReader

    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="sandbox-overhead-") as tmp:
        tmp = Path(tmp)
        corpus = tmp / "scifact"
        corpus.mkdir()
        files = []
        with (args.scifact / "corpus.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                doc = json.loads(line)
                p = corpus / f"{doc['_id']}.txt"
                p.write_text(f"{doc.get('title', '')}\n\n{doc.get('text', '')}\n", encoding="utf-8")
                files.append(p)
        plain, _ = timed(read_document, files, corpus)
        with SandboxReader() as r:
            default, _ = timed(r, files, corpus)
            started = r.stats.workers_started
        with SandboxReader(ReadLimits(inprocess_max_bytes=0)) as r:
            forced, _ = timed(r, files, corpus)
        out["scifact_txt"] = {"files": len(files), "in_process_s": round(plain, 2),
                              "sandbox_default_s": round(default, 2),
                              "workers_started_default": started,
                              "sandbox_forced_s": round(forced, 2),
                              "forced_overhead_ms_per_file":
                                  round((forced - plain) / len(files) * 1000, 2)}

        pdf_dir = tmp / "pdfs"
        pdf_dir.mkdir()
        sources = sorted((ROOT / "tests" / "data" / "badpdfs").glob("good-*.pdf")) + sorted(
            (ROOT / "tests" / "data" / "badpdfs").glob("encoding-*.pdf"))
        pdfs = []
        for i in range(args.pdfs):
            src = sources[i % len(sources)]
            p = pdf_dir / f"doc-{i:04d}.pdf"
            p.write_bytes(src.read_bytes() + f"\n% copy {i}\n".encode())
            pdfs.append(p)
        plain, _ = timed(read_document, pdfs, pdf_dir)
        with SandboxReader() as r:
            sandboxed, _ = timed(r, pdfs, pdf_dir)
        out["pdf"] = {"files": len(pdfs), "in_process_s": round(plain, 2),
                      "sandbox_s": round(sandboxed, 2),
                      "overhead_ms_per_file": round((sandboxed - plain) / len(pdfs) * 1000, 2)}
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(k, v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
