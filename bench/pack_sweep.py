"""Pack recall on the TUNING pack sets under variants of qa.prep's budget (issue 22, round 12).

    python bench/pack_sweep.py [--index var/index] [NAME=VALUE ...]

Sets each qa.prep constant NAME to VALUE (e.g. REFER_FLOOR=0.5 MORE_REFERRALS=4), builds the
packs as `qa.eval_packs` does for the five tuning sets only (packs_heldout5.jsonl, held out,
is never built or read here), and prints found/expected per set, in all, with each set left
out (the other four), and the packs' size.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, default=ROOT / "var" / "index")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("settings", nargs="*")
    args = parser.parse_args(argv)

    from index import load_index
    from qa import eval_packs, prep
    from qa.search import Searcher, embedder_for

    for item in args.settings:
        name, value = item.split("=", 1)
        old = getattr(prep, name)
        setattr(prep, name, type(old)(float(value)) if not isinstance(old, bool) else
                value.lower() in ("1", "true"))
    eval_packs.HELDOUT5 = ROOT / "eval" / "__never__.jsonl"  # held out: not built here
    index = load_index(args.index)
    figures = eval_packs.run(Searcher(index, embedder_for(index)), args.corpus)
    assert "heldout5" not in figures
    found = sum(f.found for f in figures.values())
    expected = sum(f.expected for f in figures.values())
    words = sum(f.words for f in figures.values())
    packs = sum(f.packs for f in figures.values())
    qs = sum(f.questions for f in figures.values())
    refs = sum(f.referrals for f in figures.values())
    quotes = sum(f.quotes for f in figures.values())
    cells = " ".join(f"{n} {f.found}/{f.expected}" for n, f in figures.items())
    loo = " ".join(f"-{n.removeprefix('tuning-') if n != 'tuning' else 't'} "
                   f"{found - f.found}/{expected - f.expected}" for n, f in figures.items())
    bad = sum(sum(f.bad.values()) for f in figures.values())
    app = sum(f.apparatus for f in figures.values())
    print(f"{' '.join(args.settings) or 'shipped'}: all {found}/{expected} "
          f"= {found / expected:.1%} | {cells} | leave-one-out {loo} | "
          f"{quotes / qs:.2f} quotes + {refs / qs:.2f} refs/q, {words:,} words "
          f"({words / packs:,.0f}/pack) | apparatus {app} bad {bad}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
