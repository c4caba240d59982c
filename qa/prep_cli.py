"""`python -m qa prep`: write an evidence pack for a training session (or any questions).

    python -m qa prep --list
    python -m qa prep --session 8.5 --format docx --out pack.docx
    python -m qa prep --question "How do you carry out due diligence?" --question "..." --out p.md
    python -m qa prep --check pack.md          (re-check a pack written earlier)
    python -m qa prep --session 8.5 --handout --out handout.docx   (the trainees' copy)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from .prep import (
    PER_QUESTION,
    ROOT,
    SESSIONS_FILE,
    SessionsError,
    find_session,
    load_sessions,
)

FORMATS = ("md", "docx", "csv")
_SUFFIX_FORMAT = {".md": "md", ".markdown": "md", ".txt": "md", ".docx": "docx", ".csv": "csv"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m qa prep",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Prepare an evidence pack: for each question of a session the best passages, "
                    "quoted verbatim with citations and passage ids, the answer sentences, and "
                    "the documents cited. Every quote is re-checked against the index and the "
                    "source file before the pack is written; one that fails is left out, with "
                    "a warning here and a note in the pack.",
        epilog=textwrap.dedent("""\
            examples:
              python -m qa prep --list
              python -m qa prep --session 8.5 --format docx --out pack-8.5.docx
              python -m qa prep --question "How do you carry out due diligence?" --format md
              python -m qa prep --check pack-8.5.md
              python -m qa prep --session 8.5 --handout --out handout-8.5.docx

            A handout is the trainees' copy: quotes cited by document, page and section with
            the reference list, and no passage ids, commands or index names. Keep the
            facilitator's copy (without --handout) to re-check the quotes later with --check."""))
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--list", action="store_true", help="list the sessions and their questions")
    what.add_argument("--session", metavar="ID", help="session id, e.g. 8.5 (see --list)")
    what.add_argument("--question", metavar="Q", action="append",
                      help="a question (repeat for several); the pack covers them in order")
    what.add_argument("--check", metavar="PACK", type=Path,
                      help="re-check the quotes of a pack written earlier (.md, .csv or .docx) "
                           "against the current index and sources; exit 1 if any is stale")
    parser.add_argument("--format", choices=FORMATS,
                        help="md, docx or csv (default: from --out's suffix, else md)")
    parser.add_argument("--out", type=Path, metavar="FILE",
                        help='file to write ("-" or none: standard output; needed for docx)')
    parser.add_argument("--index", type=Path, default=None,
                        help="index folder (default: var/index in the project)")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="corpus folder the index was built from; quotes are checked "
                             "against its files (default: corpus/ in the project)")
    parser.add_argument("--sessions", type=Path, default=None,
                        help=f"sessions file (default: {SESSIONS_FILE} in the corpus folder)")
    parser.add_argument("--title", help="pack title (default: the session's, or 'Evidence pack')")
    parser.add_argument("--case-studies", type=int, default=0, metavar="N",
                        help="end the pack with a Case studies section: the N trust vignettes "
                             "most relevant to its questions, with their key dimensions")
    parser.add_argument("--per-question", type=int, default=PER_QUESTION, metavar="N",
                        help="sections listed per question, the best by their own score "
                             f"(default {PER_QUESTION}); past them a few more while their "
                             "scores stay close (qa/prep.py, QUOTE_GAP)")
    parser.add_argument("--handout", action="store_true",
                        help="the trainees' copy: citations by document, page and section "
                             "with the reference list; no passage ids, commands or index "
                             "names")
    return parser


def prep_main(argv: list[str]) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    corpus = args.corpus or ROOT / "corpus"
    sessions_path = args.sessions or corpus / SESSIONS_FILE
    index_dir = args.index or ROOT / "var" / "index"

    if args.list:
        try:
            sessions = load_sessions(sessions_path)
        except SessionsError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"Sessions in {sessions_path}:\n")
        for s in sessions:
            print(f"{s.id}  {s.title}  ({len(s.questions)} questions)")
            for q in s.questions:
                print(textwrap.fill(q, 100, initial_indent="    - ", subsequent_indent="      "))
            print()
        print("Prepare one with: python -m qa prep --session ID --format md|docx|csv --out FILE")
        return 0

    if args.check:
        return _check(args.check, index_dir, corpus)

    fmt = args.format or _SUFFIX_FORMAT.get(args.out.suffix.lower() if args.out else "", "md")
    to_stdout = args.out is None or str(args.out) == "-"
    if fmt == "docx" and to_stdout:
        parser.error("--format docx needs --out FILE")
    if args.per_question < 1:
        parser.error("--per-question must be at least 1")

    session = None
    if args.session:
        try:
            session = find_session(load_sessions(sessions_path), args.session)
        except SessionsError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    questions = session.questions if session else [q for q in args.question if q.strip()]
    if not questions:
        parser.error("--question must not be empty")

    from index import EmbedderError, IndexUnavailable, load_index

    from .search import Searcher, embedder_for

    started = time.perf_counter()
    try:
        index = load_index(index_dir)
        searcher = Searcher(index, _cached(embedder_for(index), index_dir))
    except (IndexUnavailable, EmbedderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not corpus.is_dir():
        print(f"error: corpus folder {corpus} not found; quotes are checked against their "
              "source files there: pass --corpus DIR (the folder the index was built from)",
              file=sys.stderr)
        return 2

    from .export import to_csv, to_docx, to_markdown
    from .prep import build_pack, build_session_pack

    def warn(msg: str) -> None:
        print(f"warning: left out of the pack: {msg}", file=sys.stderr)

    kwargs = dict(corpus_dir=corpus, per_question=args.per_question, warn=warn,
                  case_studies=max(0, args.case_studies), handout=args.handout)
    if session is not None:
        doc = build_session_pack(searcher, session, **kwargs)
        if args.title:
            doc.title = args.title
    else:
        doc = build_pack(searcher, questions, args.title or "Evidence pack", **kwargs)

    if fmt == "docx":
        _write_atomic(args.out, lambda tmp: to_docx(doc, tmp))
    else:
        text = to_markdown(doc) if fmt == "md" else to_csv(doc)
        if to_stdout:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            newline = "" if fmt == "csv" else None  # csv module already wrote \r\n
            _write_atomic(args.out, lambda tmp: tmp.write_text(text, encoding="utf-8",
                                                               newline=newline))
    quotes = sum(len(s.quotes) for s in doc.sections)
    empty = sum(1 for s in doc.sections if not s.quotes and not s.see_also)
    where = "standard output" if to_stdout and fmt != "docx" else str(args.out)
    print(f"{len(doc.sections)} questions, {quotes} quotes from {len(doc.references)} "
          f"document(s){f', {empty} without evidence' if empty else ''}"
          f"{f', {len(doc.warnings)} left out (see warnings)' if doc.warnings else ''}; "
          f"{fmt} written to {where} in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    return 0


class _QueryVectorCache:
    """Question vectors kept on disk beside the index. A session's questions are prepared
    again and again, and loading the model is nearly all the time a pack takes; the vectors
    depend only on the model (name, weights, precision) and the exact text, so they are keyed
    by both. A cache that cannot be read or written is simply not used."""

    MAX_ENTRIES = 2000

    def __init__(self, inner, folder: Path):
        import hashlib

        self.inner = inner
        model = "|".join(str(x) for x in (getattr(inner, "name", ""), inner.fingerprint(),
                                          getattr(inner, "precision", ""), inner.dim))
        self.path = Path(folder) / f"{hashlib.sha256(model.encode()).hexdigest()[:20]}.json"
        self._vectors: dict[str, list[float]] = {}
        try:
            import json

            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("model") == model:
                self._vectors = data["vectors"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
        self._model = model

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def fingerprint(self) -> str:
        return self.inner.fingerprint()

    def embed(self, texts: list[str], *args, **kwargs):
        import numpy as np

        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            vecs = self.inner.embed(missing, *args, **kwargs)
            for text, vec in zip(missing, vecs, strict=True):
                self._vectors[text] = [float(x) for x in vec]
            self._save()
        return np.array([self._vectors[t] for t in texts], dtype=np.float32).reshape(
            len(texts), self.inner.dim)

    def _save(self) -> None:
        import json

        keep = dict(list(self._vectors.items())[-self.MAX_ENTRIES:])
        try:
            _write_atomic(self.path, lambda tmp: tmp.write_text(
                json.dumps({"model": self._model, "vectors": keep}), encoding="utf-8"))
        except OSError:
            pass


def _cached(embedder, index_dir: Path):
    if getattr(embedder, "name", "") == "fake-hashing":
        return embedder  # instant anyway
    try:
        return _QueryVectorCache(embedder, Path(index_dir) / "query-cache")
    except Exception:  # noqa: BLE001 - a cache must never stop a pack being made
        return embedder


def _write_atomic(path: Path, write) -> None:
    """Write beside the target and rename over it: no half-written pack on failure."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary new file (mkstemp makes it private)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check(pack: Path, index_dir: Path, corpus: Path) -> int:
    from index import IndexUnavailable, load_index

    from .prep import check_saved

    if not pack.is_file():
        print(f"error: {pack} not found", file=sys.stderr)
        return 2
    try:
        index = load_index(index_dir)
    except IndexUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    results = check_saved(pack, index, corpus)
    if not results:
        print(f"error: no quotes with passage ids found in {pack} (a handout has none: "
              "check the facilitator's copy, made without --handout)", file=sys.stderr)
        return 2
    stale = [r for r in results if not r.ok]
    for r in results:
        if not r.ok:
            print(f"STALE  {r.quote.passage_id}  {r.problem}")
        elif r.current_id != r.quote.passage_id:
            print(f"moved  {r.quote.passage_id}  {r.quote.file}: {r.note}; it is passage "
                  f"{r.current_id} now")
        else:
            print(f"ok     {r.quote.passage_id}  {r.quote.file}")
    moved = sum(1 for r in results if r.ok and r.current_id != r.quote.passage_id)
    print(f"\n{len(results) - len(stale)} of {len(results)} quotes still verbatim in the "
          f"current index and sources{f' ({moved} under a new passage id)' if moved else ''}"
          f"{'' if not stale else f'; {len(stale)} stale'}.")
    return 1 if stale else 0
