"""Word, PowerPoint and HTML readers measured against docling's ground truth.

    .venv/bin/python bench/office_recall.py [--file NAME] [--verbose] [--json]

Every X.docx / X.pptx / X.html in ../shared/docling/ with its X.ext.md beside it is read and
chunked through the project's pipeline and scored by bench/structure.py's own scoring (the
same ground-truth parser and the same definitions): per file the share of the ground truth's
words found in the passages (lines that are only navigation links aside), table rows whole
(every cell of a row on one line of one passage), headings found, and files refused.

HELD_OUT names files chosen by name, written down and committed before any reader changed:
they were never looked at while the readers were worked on, and their figures are printed
apart from the tuned ones (a figure on what the code was tuned on is not evidence).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

OFFICE_SUFFIXES = (".docx", ".pptx", ".html", ".htm")

from structure import (  # noqa: E402
    HELD_OUT_ROUND1,
    ROUND7_HELD_OUT,
    docling_files,
    latex_as_shown,
    parse_truth,
    print_set,
    score_file,
    shared_dir,
    split_alternate,
    totals,
)

# HELD_OUT_ROUND1: chosen by name before any reader change (one or two per format), never
# tuned on.
# Round 7 adds the office half of structure.ROUND7_HELD_OUT (chosen blind by the SHA-1 of the
# names, committed before any reader changed); held-out files are reported as totals only.
HELD_OUT_ROUND7 = frozenset(HELD_OUT_ROUND1) | {n for n in ROUND7_HELD_OUT
                                                if n.lower().endswith(OFFICE_SUFFIXES)}
# Round 12 (issue 21, 2026-12-07): those 37 files split in two by structure.split_alternate
# (per format, sorted names, alternate ones), committed before any per-file figure of them was
# printed. The first half (ROUND12_WORKED_ON) is worked on from round 12 and printed per file;
# the second (HELD_OUT) stays held out, totals only. It is the office part of
# structure.DOCLING_HELD_OUT: both split the same names by the same rule.
ROUND12_WORKED_ON, HELD_OUT = split_alternate(HELD_OUT_ROUND7)


def without_latex_markup(markdown: str) -> tuple[str, int]:
    """Docling's LaTeX as the document shows it (structure.latex_as_shown, since round 12:
    before it every command name was taken out, "\\pi" and "\\cos" too)."""
    return latex_as_shown(markdown)


LATEX_REMOVED: dict[str, int] = {}  # file -> LaTeX command names taken out of its truth


def office_scores(only: str | None = None):
    folder = shared_dir() / "docling"
    if not folder.is_dir():
        print(f"(skipped: {folder} not found)", file=sys.stderr)
        return [], []
    tuned, r12, held = [], [], []
    for path, md in docling_files(folder):
        if path.suffix.lower() not in OFFICE_SUFFIXES or (only and only not in path.name):
            continue
        markdown, removed = without_latex_markup(md.read_text(encoding="utf-8"))
        fs = score_file(path, "office", parse_truth(markdown))
        if removed and path.name not in HELD_OUT:
            LATEX_REMOVED[path.name] = removed
        if only and path.name in HELD_OUT:  # one held-out file's figures: never
            continue
        (held if path.name in HELD_OUT else r12 if path.name in ROUND12_WORKED_ON
         else tuned).append(fs)
    return tuned, r12, held


def bomb_seconds() -> tuple[float, str]:
    """Time to refuse the issue's web page of 200,000 nested <div>s (2 MB), and the reason."""
    import tempfile
    import time

    from ingest import ReadError, read_document

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bomb.html"
        path.write_text("<html><body>" + "<div>" * 200_000 + "deep" + "</div>" * 200_000
                        + "</body></html>", encoding="utf-8")
        start = time.perf_counter()
        try:
            read_document(path, path.parent, {})
            reason = "read (not refused)"
        except ReadError as exc:
            reason = str(exc)
        return time.perf_counter() - start, reason


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--file", default=None, help="only files whose name contains this")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--verbose", action="store_true", help="list every miss per file")
    ap.add_argument("--skip-bomb", action="store_true",
                    help="do not time the nesting bomb (minutes on a reader without a limit)")
    args = ap.parse_args(argv)
    tuned, r12, held = office_scores(args.file)
    if args.json:
        print(json.dumps({name: {"totals": {k: v for k, v in totals(s).items()
                                            if not (name == "held_out" and k == "min_recall")},
                                 "files": [
            {**asdict(f), "recall": f.recall} for f in s] if name != "held_out" else []}
            for name, s in (("tuned", tuned), ("round12", r12), ("held_out", held))},
            indent=1))
        return 0
    if not args.skip_bomb:
        seconds, reason = bomb_seconds()
        print(f"nesting bomb (200,000 nested divs, 2 MB): {seconds:.2f} s: {reason}")
    if LATEX_REMOVED:
        print("LaTeX command names left out of docling's equations (markup, not words): "
              + ", ".join(f"{f} {n}" for f, n in sorted(LATEX_REMOVED.items())))
    for name, scores in (("office files (worked on)", tuned),
                         ("office files (worked on from round 12)", r12),
                         ("office files HELD OUT", held)):
        # Held-out files' misses are never listed: they are not to be worked on.
        print_set(name, scores, args.verbose and scores is not held,
                  per_file=scores is not held)
        t = totals(scores)
        if t["words_total"]:
            print(f"\nwords {t['words_found']}/{t['words_total']} "
                  f"({t['words_found'] / t['words_total']:.1%}); refused {t['refused']}; "
                  f"rows {t['rows_whole']}/{t['rows_total']}; headings "
                  f"{t['headings_found']}/{t['headings_total']}; files under 90%: "
                  f"{t['files_recall_below_90'] + t['refused']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
