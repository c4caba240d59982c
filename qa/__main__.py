"""`python -m qa`: ask the evidence a question, show a cited passage, prepare a session pack,
or list the trusts. `--help` lists every command from one table, SUBCOMMANDS (keep the lines
below in step with it).

    python -m qa [--index DIR] [--k N] [--json] QUESTION     (QUESTION "-": one per stdin line)
    python -m qa show [--index DIR] [--json] [--page-image FILE.png [--corpus DIR]] ID
    python -m qa prep ...                                      (see `python -m qa prep --help`)
    python -m qa trusts [--index DIR] [--where FIELD=VALUE ...] [--format csv|json]

Exit status: 0 done, 1 not found (show) or a pack check failed, 2 a usage error (an empty
question included) or no index; 141 when the output's reader went away (`| head`), quietly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from pathlib import Path

# The project's own index, wherever the command is run from (as app.py and `qa prep` use).
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INDEX = ROOT / "var" / "index"
CLOSED_PIPE = 141  # what a shell reports for a program ended by SIGPIPE (128 + 13)

# Every subcommand once: (name, arguments, what it does). `--help` and the module docstring's
# usage lines say the same; `main` dispatches on the names.
SUBCOMMANDS = (
    ("QUESTION", "[--index DIR] [--k N] [--json] QUESTION",
     'ask a question: the answer sentences and the cited passages ("-": one question per '
     "line from standard input, answered as text, or as JSON lines with --json)"),
    ("show", "[--index DIR] [--json] [--page-image FILE.png] ID",
     "show a cited passage by id, with its citation and the text around it"),
    ("prep", "--list | --session ID | --question Q ... | --check PACK",
     "prepare an evidence pack for a training session (python -m qa prep --help)"),
    ("trusts", "[--where FIELD=VALUE ...] [--format csv|json]",
     "the indexed trust vignettes side by side, one row per trust"),
)


def subcommands_help() -> str:
    lines = ["commands:"]
    for name, args, what in SUBCOMMANDS:
        head = "python -m qa " + (args if name == "QUESTION" else f"{name} {args}")
        lines.append(f"  {head}")
        lines.append(textwrap.fill(what, 92, initial_indent="      ", subsequent_indent="      "))
    return "\n".join(lines)


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


def run(argv: list[str] | None = None) -> int:
    """`main`, ending quietly when the reader of the output goes away (`| head -1`): no
    BrokenPipeError traceback, exit status 141 as for a program ended by SIGPIPE."""
    try:
        status = main(argv)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at /dev/null so that flush is silent.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return CLOSED_PIPE
    except KeyboardInterrupt:
        return 130


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
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Ask the evidence a question. Prints the answer sentences and the cited "
                    "passages they come from, each with its match level (strong, weak or no "
                    "match) and similarity.",
        epilog=subcommands_help())
    parser.add_argument("question", help='the question; "-" reads one question per line from '
                                         "standard input")
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX,
                        help="index folder (default: var/index in the project)")
    parser.add_argument("--k", type=int, default=5, help="passages to return (default 5)")
    parser.add_argument("--json", action="store_true",
                        help='print JSON (with "-": one JSON object per line)')
    args = parser.parse_args(argv)

    from .format import clean_question

    if args.question != "-" and not clean_question(args.question).text:
        parser.error("the question is empty: ask something, e.g. "
                     'python -m qa "What is a hard federation?"')
    searcher = _open(args.index)
    if searcher is None:
        return 2

    if args.question == "-":
        first = True
        for line in sys.stdin:  # the model loaded once for every line
            question = clean_question(line)
            if question.text:
                _print_answer(searcher, question, args.k, args.json, stream=True,
                              separator=not first)
                first = False
        return 0
    _print_answer(searcher, clean_question(args.question), args.k, args.json)
    return 0


def _print_answer(searcher, question, k: int, as_json: bool, stream: bool = False,
                  separator: bool = False) -> None:
    """One answer: text, or JSON (one object a line when `stream`ing questions from stdin);
    `separator`: a rule before it, between the answers of a stream."""
    from .format import answer_json, answer_text

    if question.notice:
        print(f"note: {question.notice}", file=sys.stderr)
    answer = searcher.ask(question.text, k=k)
    strong, weak = searcher.settings.strong_threshold, searcher.settings.weak_threshold
    if as_json:
        data = answer_json(answer, strong, weak, question.notice)
        print(json.dumps(data, ensure_ascii=False, indent=None if stream else 1), flush=True)
        return
    if separator:
        print("\n" + "-" * 100 + "\n")
    print(answer_text(answer, question.notice, strong, weak), end="", flush=True)


def show_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m qa show",
        description="Show a passage by id, with its citation and the text around it.")
    parser.add_argument("id", help="passage id, as printed in answers and packs")
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX,
                        help="index folder (default: var/index in the project)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--page-image", type=Path, metavar="FILE.png",
                        help="also write the cited PDF page, the passage highlighted, as PNG")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus",
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
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX,
                        help="index folder (default: var/index in the project)")
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
    sys.exit(run())
