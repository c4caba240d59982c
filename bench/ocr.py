"""OCR speed and quality on this machine: a typeset copy of the briefing paper, scanned (200 dpi,
slightly skewed and speckled; tests/scans.py), read by Tesseract page by page.

    .venv/bin/python bench/ocr.py [--pages 10] [--dpi 200] [--model minilm|fake]

Prints, as JSON: seconds per page with 1 and 2 pages at a time (one Tesseract thread each),
render and Tesseract time per page, word recall against the typeset text, the measured body
size against the typeset 11 pt, and the end-to-end build of a corpus holding only the scan
(sandboxed reading, embedding with --model): cold, unchanged (no-op), and --full (OCR cache).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--model", default="minilm")
    args = parser.parse_args(argv)

    from pypdf import PdfReader, PdfWriter
    from scans import briefing_sections, page_words, scanned_copy, typeset, word_recall, words

    from index import EmbedSettings, IndexSettings, build_index
    from ingest import ocr, read_document
    from ingest.sandbox import ReadLimits

    if not ocr.available():
        print(json.dumps({"error": ocr.unavailable_reason(ocr.OcrSettings())}))
        return 1
    out: dict = {"tesseract": ocr._version(ocr.tesseract_binary()), "dpi": args.dpi}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        full = typeset(tmp / "full.pdf", briefing_sections())
        reader, writer = PdfReader(str(full)), PdfWriter()
        for page in reader.pages[:args.pages]:
            writer.add_page(page)
        src = tmp / "typeset.pdf"
        with open(src, "wb") as fh:
            writer.write(fh)
        scan = scanned_copy(src, tmp / "scan.pdf", dpi=args.dpi)
        n = len(page_words(src))
        out["pages"] = n

        # Reading alone, no cache: 1 and 2 pages at a time.
        render, tess = [], []
        real_render, real_run = ocr._render, ocr.run_tesseract

        def timed_render(*a):
            t = time.perf_counter()
            r = real_render(*a)
            render.append(time.perf_counter() - t)
            return r

        def timed_run(*a):
            t = time.perf_counter()
            r = real_run(*a)
            tess.append(time.perf_counter() - t)
            return r

        ocr._render, ocr.run_tesseract = timed_render, timed_run
        try:
            for workers in (1, 2):
                render.clear()
                tess.clear()
                t0 = time.perf_counter()
                with ocr.using(ocr.OcrSettings(dpi=args.dpi, workers=workers)):
                    doc = read_document(scan, tmp, {})
                seconds = time.perf_counter() - t0
                out[f"workers_{workers}"] = {
                    "seconds": round(seconds, 2), "seconds_per_page": round(seconds / n, 2),
                    "render_s_per_page": round(statistics.mean(render), 3),
                    "tesseract_s_per_page": round(statistics.mean(tess), 2)}
        finally:
            ocr._render, ocr.run_tesseract = real_render, real_run
        expected = page_words(src)
        out["word_recall"] = round(word_recall([w for p in expected for w in p],
                                               [w for p in doc.pages for w in words(p.text)]), 4)
        out["word_recall_worst_page"] = round(min(
            word_recall(e, words(p.text)) for e, p in zip(expected, doc.pages, strict=True)), 4)
        out["headings"] = sum(1 for b in doc.blocks if b.kind == "heading")
        out["warnings"] = doc.warnings

        # End to end: a corpus of the scan alone, read in the sandbox, embedded, indexed.
        corpus = tmp / "corpus"
        corpus.mkdir()
        (corpus / "scan.pdf").write_bytes(scan.read_bytes())
        settings = IndexSettings(embed=EmbedSettings(model=args.model), read=ReadLimits())
        runs = {}
        for label, full_build in (("cold", False), ("unchanged", False), ("full_rebuild", True)):
            t0 = time.perf_counter()
            report = build_index(corpus, tmp / "index", settings, full=full_build)
            runs[label] = {"seconds": round(time.perf_counter() - t0, 2),
                           "passages": report.passages, "changed": report.changed}
        out["build_" + args.model] = runs
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
