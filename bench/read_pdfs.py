"""How well PDFs are read: sections right, pages right, headings from the outline, and the
reading cost per page.

    python bench/read_pdfs.py [--realpdfs ../shared/realpdfs] [--out DIR]

Typesets the two seed documents (from their .txt structure) and a fictional report as PDFs
(one with bookmarks, one in two columns), reads and chunks them, and compares every passage
with what was typeset: its section is right when it is the path the passage's text was set
under (a coarser path shared by all its lines counts, as a merged passage is cited by its
common path). Pages are checked against the PDF's own text (pypdf, independent of the reader):
a passage's first words must be on its first page and its last words on its last page.
On the real PDFs it prints pages right and, where the PDF has an outline, how many passages
carry one of its headings as their innermost section. Timings: reading alone per page
(median and total), and page rendering for "Show page".
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from ingest import chunk_document, read_document  # noqa: E402
from ingest.normalise import match_key  # noqa: E402


def page_keys(path: Path) -> list[set[str]]:
    """The words on each page, by PDFium's own text extraction (neither reader's)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        out = []
        for page in pdf:
            text = page.get_textpage().get_text_range()
            out.append(set(_words(text)))
        return out
    finally:
        pdf.close()


def _words(text: str) -> list[str]:
    import re

    from ingest.normalise import normalise_chars

    return [w for w in re.findall(r"\w+", normalise_chars(text).lower()) if len(w) > 1]


def pages_right(passages, keys: list[set[str]]) -> tuple[int, int, list[str]]:
    """A passage's first words are on its first page and its last words on its last page."""
    ok, bad = 0, []
    for p in passages:
        if p.page_start is None:
            continue
        lines = [ln for ln in p.text.split("\n") if ln.strip() and ln != "[…]"]
        if p.kind == "table" and p.rows:  # rows are labelled by their headers: the cells
            lines = [" ".join(p.rows[0]), " ".join(p.rows[-1])]
        first, last = _words(lines[0])[:5], _words(lines[-1])[-5:]
        start_ok = all(w in keys[p.page_start - 1] for w in first)
        end_ok = all(w in keys[(p.page_end or p.page_start) - 1] for w in last)
        if start_ok and end_ok:
            ok += 1
        else:
            bad.append(f"{p.citation}: {lines[0][:60]!r}")
    return ok, len([p for p in passages if p.page_start is not None]), bad


def sections_right(passages, truth, headings=()) -> tuple[int, int, list[str]]:
    """A passage's section is right when every body line in it was typeset under that path or
    below it, and at least one exactly under it. Heading lines are not body text."""
    keyed = [(match_key(t), path) for t, path in truth]
    heading_keys = {match_key(h) for h in headings}

    def path_of(line: str):
        k = match_key(line)
        if len(k) < 8 or k in heading_keys:
            return None
        best, best_ratio = None, 0.0
        for tk, path in keyed:
            if k == tk:
                return path
            if k in tk or tk in k:
                ratio = min(len(k), len(tk)) / max(len(k), len(tk))
                if ratio > best_ratio:
                    best, best_ratio = path, ratio
        return best if best_ratio >= 0.5 else None

    ok, total, bad = 0, 0, []
    for p in passages:
        paths = [q for q in (path_of(ln) for ln in p.text.split("\n")) if q is not None]
        if not paths:
            continue
        total += 1
        if all(q[:len(p.section)] == p.section for q in paths) and any(
                q == p.section for q in paths):
            ok += 1
        else:
            bad.append(f"§ {' › '.join(p.section)} for {p.text.split(chr(10))[0][:60]!r} "
                       f"(set under § {' › '.join(paths[0])})")
    return ok, total, bad


def read_timed(path: Path):
    t0 = time.perf_counter()
    doc = read_document(path, path.parent, {})
    elapsed = time.perf_counter() - t0
    return doc, elapsed


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--realpdfs", type=Path, default=ROOT.parent / "shared" / "realpdfs")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--libraries", action="store_true",
                    help="also time the PDF libraries on the real PDFs (text extraction only)")
    args = ap.parse_args(argv)
    from typeset import report_spec, spec_from_text, typeset

    out = args.out or Path(tempfile.mkdtemp(prefix="read-pdfs-"))
    out.mkdir(parents=True, exist_ok=True)
    corpus = ROOT / "corpus"
    made = [
        typeset(spec_from_text(corpus / "federations-and-mats-briefing-paper.txt"),
                out / "briefing-typeset.pdf", title="Federations and MATs briefing paper"),
        typeset(spec_from_text(corpus / "leadership-of-learning-synopsis.txt"),
                out / "synopsis-typeset.pdf", title="Leadership of Learning synopsis"),
        typeset(spec_from_text(corpus / "federations-and-mats-briefing-paper.txt"),
                out / "briefing-bookmarked.pdf", bookmarks=True,
                title="Federations and MATs briefing paper"),
        typeset(report_spec(), out / "report-two-column.pdf", columns=2,
                title="Northfield annual review"),
    ]
    per_page: list[float] = []
    print("| typeset PDF | pages | passages | sections right | pages right | ms/page |")
    print("|---|---:|---:|---:|---:|---:|")
    for ts in made:
        doc, secs = read_timed(ts.path)
        passages = chunk_document(doc)
        s_ok, s_n, s_bad = sections_right(passages, ts.truth, ts.headings)
        p_ok, p_n, p_bad = pages_right(passages, page_keys(ts.path))
        per_page.append(secs / max(1, doc.page_count or 1))
        print(f"| {ts.path.name} | {doc.page_count} | {len(passages)} | {s_ok}/{s_n} "
              f"({s_ok / max(1, s_n):.0%}) | {p_ok}/{p_n} | {1000 * per_page[-1]:.0f} |")
        if args.verbose:
            for line in s_bad + p_bad:
                print("    ", line)
    print()
    print("| real PDF | pages | passages | pages right | outline headings | ms/page |")
    print("|---|---:|---:|---:|---:|---:|")
    real_per_page: list[float] = []
    for path in sorted(args.realpdfs.glob("*.pdf")):
        try:
            doc, secs = read_timed(path)
        except Exception as exc:
            print(f"| {path.name} | - | - | refused: {exc} | | |")
            continue
        passages = chunk_document(doc)
        p_ok, p_n, p_bad = pages_right(passages, page_keys(path))
        outline = outline_titles(path)
        carried = "-"
        if outline:
            hits = sum(1 for p in passages if p.section and p.section[-1] in outline)
            carried = f"{hits}/{len(passages)} ({hits / max(1, len(passages)):.0%})"
        real_per_page.append(secs / max(1, doc.page_count or 1))
        print(f"| {path.name} | {doc.page_count} | {len(passages)} | {p_ok}/{p_n} | {carried} "
              f"| {1000 * real_per_page[-1]:.0f} |")
        if args.verbose:
            for line in p_bad:
                print("    ", line)
    if not real_per_page:
        real_per_page = per_page
    all_pages = per_page + real_per_page
    print(f"\nreading: median {1000 * statistics.median(all_pages):.0f} ms/page over "
          f"{len(all_pages)} PDFs (typeset {1000 * statistics.median(per_page):.0f}, real "
          f"{1000 * statistics.median(real_per_page):.0f})")
    if args.libraries:
        compare_libraries(sorted(args.realpdfs.glob("*.pdf")))
    render_times = time_render(made[0].path)
    if render_times:
        print(f"page render for Show page: median {1000 * statistics.median(render_times):.0f} ms "
              f"(max {1000 * max(render_times):.0f} ms) over {len(render_times)} pages")


def compare_libraries(paths: list[Path]) -> None:
    """Median ms/page of each library's text extraction on the same files, in one run: what
    the choice of pdfplumber (characters with fonts and positions, text boxes, ruled tables)
    costs against plain text."""
    import pdfplumber
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    def pypdf_text(path):
        return [p.extract_text() for p in PdfReader(path).pages]

    def pdfium_text(path):
        pdf = pdfium.PdfDocument(str(path))
        out = [page.get_textpage().get_text_range() for page in pdf]
        pdf.close()
        return out

    def plumber_chars(path):
        with pdfplumber.open(path) as pdf:
            return [len(page.chars) for page in pdf.pages]

    def plumber_layout(path):
        with pdfplumber.open(path, laparams={}) as pdf:
            return [len(page.layout) for page in pdf.pages]

    print("\n| library (text only) | median ms/page | total s |")
    print("|---|---:|---:|")
    for name, fn in [("pypdf extract_text", pypdf_text), ("pypdfium2 text", pdfium_text),
                     ("pdfplumber chars", plumber_chars),
                     ("pdfplumber layout (boxes)", plumber_layout)]:
        per, total = [], 0.0
        for path in paths:
            t0 = time.perf_counter()
            try:
                pages = len(fn(path))
            except Exception:
                continue
            secs = time.perf_counter() - t0
            total += secs
            per.append(secs / max(1, pages))
        print(f"| {name} | {1000 * statistics.median(per):.0f} | {total:.2f} |")


def outline_titles(path: Path) -> set[str]:
    from pypdf import PdfReader

    from ingest.pdf_layout import outline_entries

    reader = PdfReader(path)
    entries, _ = outline_entries(reader, len(reader.pages))
    return {e.title for e in entries}


def time_render(path: Path) -> list[float]:
    try:
        from qa.pages import render_page
    except ImportError:
        return []
    times = []
    from pypdf import PdfReader

    for number in range(1, len(PdfReader(path).pages) + 1):
        t0 = time.perf_counter()
        render_page(path, number, [])
        times.append(time.perf_counter() - t0)
    return times


if __name__ == "__main__":
    main()
