"""`python -m qa`: ask the evidence a question, show a cited passage, or prepare a session pack.

    python -m qa [--index DIR] [--k N] [--json] QUESTION     (QUESTION "-": one per stdin line)
    python -m qa show [--index DIR] [--json] [--page-image FILE.png [--corpus DIR]] ID
    python -m qa prep ...                                      (see `python -m qa prep --help`)
    python -m qa trusts [--index DIR] [--where FIELD=VALUE ...] [--format csv|json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_INDEX = Path("var/index")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "show":
        return show_main(argv[1:])
    if argv and argv[0] == "prep":
        from .prep_cli import prep_main

        return prep_main(argv[1:])
    if argv and argv[0] == "trusts":
        return trusts_main(argv[1:])
    return ask_main(argv)


def _open(index_dir: Path):
    from index import EmbedderError, IndexUnavailable

    from .search import Searcher

    try:
        searcher = Searcher.open(index_dir)
    except (IndexUnavailable, EmbedderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
    if getattr(searcher.index, "fallback_reason", ""):
        print(f"warning: {searcher.index.fallback_reason}; answering from the previous "
              f"generation ({searcher.index.generation})", file=sys.stderr)
    return searcher


def ask_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m qa",
        description="Ask the evidence a question. Prints the answer sentences and the cited "
                    "passages they come from. Subcommands: show ID, prep.")
    parser.add_argument("question", help='the question; "-" reads one question per line from stdin')
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="index folder")
    parser.add_argument("--k", type=int, default=5, help="passages to return (default 5)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)

    searcher = _open(args.index)
    if searcher is None:
        return 2
    from .format import answer_text

    if args.question == "-":
        # One JSON object per line, the model loaded once.
        for line in sys.stdin:
            if line.strip():
                answer = searcher.ask(line.strip(), k=args.k)
                print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        return 0
    answer = searcher.ask(args.question, k=args.k)
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=1))
    else:
        print(answer_text(answer))
    return 0


def show_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m qa show",
        description="Show a passage by id, with its citation and the text around it.")
    parser.add_argument("id", help="passage id, as printed in answers and packs")
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="index folder")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--page-image", type=Path, metavar="FILE.png",
                        help="also write the cited PDF page, the passage highlighted, as PNG")
    parser.add_argument("--corpus", type=Path, default=Path("corpus"),
                        help="corpus folder the index was built from (for --page-image)")
    args = parser.parse_args(argv)

    from index import IndexUnavailable, load_index

    from .citations import resolve

    try:
        index = load_index(args.index)
    except IndexUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result = resolve(index, args.id)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    else:
        print(result.text())
    if args.page_image and result.passage is not None:
        from .pages import PageUnavailable, passage_page

        try:
            shown = passage_page(result.passage, args.corpus)
        except PageUnavailable as exc:
            print(f"error: no page image: {exc}", file=sys.stderr)
            return 1
        args.page_image.write_bytes(shown.png_bytes())
        print(f"wrote {args.page_image}: {shown.label} of {result.passage.file}, "
              f"{shown.highlighted} lines highlighted", file=sys.stderr)
    return 0 if result.status != "unknown" else 1


def trusts_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m qa trusts",
        description="The indexed trust vignettes side by side: one row per trust, its key "
                    "dimensions as written, the number of schools as numbers, and a citation.")
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX, help="index folder")
    parser.add_argument("--where", action="append", default=[], metavar="FIELD=VALUE",
                        help="keep trusts whose FIELD contains VALUE (e.g. urban_rural=rural, "
                             "governance='single governing body'), or a school count compared "
                             "with a number (schools>5, special>=1); repeat to combine")
    parser.add_argument("--format", choices=("json", "csv"), default="json")
    args = parser.parse_args(argv)

    from index import IndexUnavailable, load_index

    from .trusts import WhereError, filter_trusts, parse_where, to_csv, trust_table

    try:
        wheres = [parse_where(w) for w in args.where]
    except WhereError as exc:
        parser.error(str(exc))
    try:
        index = load_index(args.index)
    except IndexUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    trusts = trust_table(index)
    if not trusts:
        print("note: no vignettes are indexed; add trust vignettes (one page with a "
              "“Key dimensions” block) to the corpus and run python -m ingest", file=sys.stderr)
    shown = filter_trusts(trusts, wheres)
    if args.format == "csv":
        sys.stdout.write(to_csv(shown))
    else:
        print(json.dumps([t.to_json() for t in shown], ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
