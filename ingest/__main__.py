"""`python -m ingest`: build or update the index from the corpus folder;
`python -m ingest restore FILE`: bring back a removed document."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# The project's own folders, wherever the command is run from (as app.py and `qa prep` use).
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "corpus"
DEFAULT_INDEX = ROOT / "var" / "index"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["restore"]:
        return restore_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Build or update the evidence index. Only new or changed files are read "
                    "and embedded; an unchanged corpus is a no-op.")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="documents folder (default: corpus/ in the project)")
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX,
                        help="index folder (default: var/index in the project)")
    parser.add_argument("--full", action="store_true", help="re-read and re-embed everything")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--model", default=None, help="embedding model: minilm (default) or fake")
    parser.add_argument("--wait", type=float, default=0.0,
                        help="seconds to wait if another build is running (default: refuse)")
    args = parser.parse_args(argv)

    from index import BuildError, EmbedderError, EmbedSettings, IndexSettings, build_index

    embed = EmbedSettings(model=args.model) if args.model else EmbedSettings()
    settings = IndexSettings(embed=embed, lock_timeout=args.wait)
    progress = None if args.json else _tqdm_progress()
    try:
        report = build_index(args.corpus, args.index, settings, full=args.full, progress=progress)
    except (BuildError, EmbedderError) as exc:
        if args.json:
            print(json.dumps({"error": str(exc)}))
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if progress is not None:
            progress.close()
    out = report.to_json()
    if args.json:
        keys = ("added", "updated", "removed", "unchanged", "failed", "passages", "seconds")
        print(json.dumps({**{k: out[k] for k in keys},
                          **{k: out[k] for k in out if k not in keys}}, ensure_ascii=False))
        return 0
    _print_report(report)
    return 0


def restore_main(argv: list[str]) -> int:
    """`python -m ingest restore FILE`: bring back a file removed in the web app (or list them)."""
    import getpass

    from accounts.audit import AuditLog
    from ingest.uploads import removed_documents, restore_document

    parser = argparse.ArgumentParser(
        prog="python -m ingest restore",
        description="Move a removed document back from corpus/.removed/ to where it was (byte "
                    "for byte: the next build gives its passages their old ids).")
    parser.add_argument("file", nargs="?", help="where the file was (uploads/ab12.pdf), or its "
                                                ".removed folder; omit to list removed files")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="documents folder (default: corpus/ in the project)")
    parser.add_argument("--audit", type=Path, default=Path("var/audit.jsonl"),
                        help="the audit file (default var/audit.jsonl)")
    args = parser.parse_args(argv)
    if not args.file:
        removed = removed_documents(args.corpus)
        if not removed:
            print("no removed documents")
        for r in removed:
            title = f"  “{r.title}”" if r.title else ""
            print(f"{r.file}{title}  removed {r.removed_at} by {r.removed_by}  "
                  f"(.removed/{r.folder})")
        return 0
    who = f"{getpass.getuser()} (command line)"
    result = restore_document(args.corpus, args.file, who)
    AuditLog(args.audit).append("restore", user=who, role="command line", file=result.file,
                                sha256=result.sha256, result=result.status)
    print(result.message if result.ok else f"error: {result.message}",
          file=sys.stdout if result.ok else sys.stderr)
    if result.ok:
        print(f"run `python -m ingest --corpus {args.corpus}` (or Rebuild in the app) to index "
              "it again")
    return 0 if result.ok else 1


class _tqdm_progress:
    """One progress bar per stage, on stderr, with the count and the time left."""

    def __init__(self):
        from index.progress import TimeLeft

        self.bar = None
        self.stage = None
        self.time_left = TimeLeft()

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        from index.progress import time_left_words

        left = self.time_left(stage, done, total)
        if stage != self.stage:
            self.close()
            self.stage = stage
            if total == 0:
                return
            self.bar = tqdm(total=total, desc=stage, unit="text", file=sys.stderr, leave=True,
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                                       "[{elapsed}{postfix}]")
        if self.bar is not None:
            self.bar.n = done
            words = time_left_words(left)
            self.bar.set_postfix_str(words, refresh=False)
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _print_report(report) -> None:
    if report.full_rebuild:
        print(f"full rebuild: {report.full_rebuild}")
    if report.read_again:
        print(report.read_again)
    if not report.changed:
        print(f"index up to date: {report.unchanged} files unchanged, {report.passages} passages "
              f"({report.seconds:.2f} s)")
    else:
        print(f"indexed {report.passages} passages in {report.seconds:.1f} s "
              f"({report.embedded} embedded; generation {report.generation})")
    for label, files in (("added", report.added), ("updated", report.updated),
                         ("removed", report.removed)):
        for f in files:
            print(f"  {label}: {f}")
    for r in report.renamed:
        print(f"  renamed: {r['from']} -> {r['to']} (not re-embedded)")
    for w in report.warnings:
        print(f"  warning: {w['file']}: {w['warning']}")
    for f in report.failed:
        print(f"  not indexed: {f['file']}: {f['reason']}")


if __name__ == "__main__":
    sys.exit(main())
