"""Read files in a child process with a time and memory limit, so no file can hang or crash a build.

`make_reader(limits)` returns a reader with the signature of `ingest.read_document`
(path, corpus_dir, catalog, sha256) and a `close()` method. `build_index` uses it by default.

How a file is read:

* Text files (.txt, .md) no larger than `limits.inprocess_max_bytes` are read in the build's
  own process: decoding and normalising a small text file cannot hang or blow up, and a corpus
  of thousands of small notes would otherwise pay a round trip per file.
* Everything else (PDF, Word, large text) goes to a persistent worker process
  (`python -m ingest.sandbox --worker`), one request at a time over a pipe (length-prefixed
  JSON, never pickle). The worker runs with RLIMIT_AS = `limits.memory_mb`, no core dumps,
  network access refused (an audit hook), and dies with its parent (PR_SET_PDEATHSIG). If a
  file takes longer than `limits.timeout` seconds the worker is killed and replaced; if the
  worker dies or runs out of memory, the file is refused with a plain reason and the next file
  gets a fresh worker.

Size policy (the 50 MB text file): a document whose text exceeds `limits.max_text_chars`
(default 5 million characters, about 2,500 printed pages) is refused with the reason
"too large to index ... split it into smaller files". Indexing only its first part would hide
the rest from every search without anyone noticing, and embedding tens of millions of
characters would tie up the machine for hours. A text file whose size in bytes alone proves it
is over the limit (more than 4 bytes per allowed character) is refused without being read.

Refusals have these reason codes besides the readers' own (password, no_text, corrupt, empty,
unsupported): too_large, timeout, memory, crashed. A refused file is not read again until it
changes or the build is run with --full.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import ocr as _ocr
from .blocks import Block, ReadError
from .documents import read_document, relative_name
from .ocr import OcrSettings
from .records import Document, DocumentInfo, Page

DEFAULT_TARGET = "ingest.documents:read_document"
TEXT_SUFFIXES = (".txt", ".md")
_ROOT = Path(__file__).resolve().parent.parent  # the folder that holds the ingest package
_HEADER = struct.Struct(">I")


@dataclass(frozen=True)
class ReadLimits:
    """Limits on reading one file. `sandbox=False` reads everything in-process (tests, benchmarks)
    but still applies the size limit."""

    sandbox: bool = True
    timeout: float = 60.0  # seconds of wall-clock time per file
    memory_mb: int = 2048  # address-space limit of the reading process
    max_text_chars: int = 5_000_000  # about 2,500 pages; larger documents are refused
    inprocess_max_bytes: int = 2 * 1024 * 1024  # .txt/.md up to this size skip the worker
    # Pages without a text layer are read by OCR (ingest/ocr.py); `timeout` then applies to
    # each OCR'd page: every page done restarts the clock.
    ocr: OcrSettings = field(default_factory=OcrSettings)


def _memory_words(mb: int) -> str:
    return f"{mb / 1024:g} GB" if mb >= 1024 else f"{mb} MB"


def _too_large(chars: int, limits: ReadLimits) -> ReadError:
    return ReadError(
        "too_large",
        f"too large to index: {chars / 1e6:.1f} million characters of text (the limit is "
        f"{limits.max_text_chars / 1e6:g} million, about {limits.max_text_chars // 2000:,} pages); "
        "split it into smaller files",
    )


def precheck(path: Path, limits: ReadLimits) -> None:
    """Refuse, without reading it, a text file whose size alone puts it over the limit."""
    if path.suffix.lower() in TEXT_SUFFIXES:
        size = path.stat().st_size
        if size > 4 * limits.max_text_chars:
            raise ReadError(
                "too_large",
                f"too large to index: {size / 2**20:.1f} MB of text (the limit is "
                f"{limits.max_text_chars / 1e6:g} million characters, about "
                f"{limits.max_text_chars // 2000:,} pages); split it into smaller files",
            )


def check_size(doc: Document, limits: ReadLimits) -> Document:
    chars = sum(len(p.text) for p in doc.pages)
    if chars > limits.max_text_chars:
        raise _too_large(chars, limits)
    return doc


def _sub_catalog(path: Path, corpus_dir: Path, catalog: dict) -> dict:
    """The catalog rows `describe` may look up for this file (by relative name or base name)."""
    try:
        rel = relative_name(path, corpus_dir)
    except ValueError:
        rel = path.name
    return {k: catalog[k] for k in (rel, Path(rel).name) if k in catalog}


def doc_to_json(doc: Document) -> dict:
    # Blocks carry reading state (the last line read) that is not part of the record.
    data = {"info": asdict(doc.info), "sha256": doc.sha256,
            "pages": [asdict(p) for p in doc.pages], "warnings": doc.warnings,
            "page_count": doc.page_count, "ocr_pages": doc.ocr_pages}
    data["blocks"] = [b.to_json() for b in doc.blocks] if doc.blocks is not None else None
    return data


def doc_from_json(data: dict) -> Document:
    return Document(
        info=DocumentInfo(**data["info"]),
        sha256=data["sha256"],
        pages=[Page(**p) for p in data["pages"]],
        warnings=list(data.get("warnings") or []),
        page_count=data.get("page_count"),
        ocr_pages=list(data.get("ocr_pages") or []),
        blocks=[Block.from_json(b) for b in data["blocks"]] if data.get("blocks") is not None
        else None,
    )


# ------------------------------------------------------------------------------- the readers


class InProcessReader:
    """`read_document` in this process, with the size limit. For tests and benchmarks."""

    def __init__(self, limits: ReadLimits | None = None):
        self.limits = limits or ReadLimits(sandbox=False)
        self.progress = None  # (stage, done, total), e.g. OCR pages

    def set_progress(self, progress) -> None:
        self.progress = progress

    def __call__(self, path: Path, corpus_dir: Path, catalog: dict,
                 sha256: str | None = None) -> Document:
        precheck(path, self.limits)
        with _ocr.using(self.limits.ocr, self.progress):
            return check_size(read_document(path, corpus_dir, catalog, sha256), self.limits)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class SandboxStats:
    inprocess: int = 0  # small text files read in this process
    sandboxed: int = 0  # files sent to a worker
    workers_started: int = 0
    timeouts: int = 0
    crashes: int = 0  # workers that died (including out of memory at the C level)
    memory_errors: int = 0  # MemoryError caught inside the worker


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            proc.kill()
        except OSError:
            pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    for stream in (proc.stdin, proc.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass


class _WorkerGone(Exception):
    pass


# Seconds a new worker may take to import its reader and say it is ready (not a file's limit).
WORKER_START_TIMEOUT = 120.0


class SandboxReader:
    """Reads files in a persistent, limited child process (see the module docstring)."""

    def __init__(self, limits: ReadLimits | None = None, target: str = DEFAULT_TARGET,
                 extra_paths: tuple[str, ...] = ()):
        self.limits = limits or ReadLimits()
        self.target = target
        self.extra_paths = tuple(str(p) for p in extra_paths)
        self.stats = SandboxStats()
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._finalizer = None
        self.progress = None  # (stage, done, total) from the worker, e.g. OCR pages

    def set_progress(self, progress) -> None:
        self.progress = progress

    # -- worker lifecycle

    def _start(self) -> subprocess.Popen:
        env = dict(os.environ)
        paths = [str(_ROOT), *self.extra_paths]
        if env.get("PYTHONPATH"):
            paths.append(env["PYTHONPATH"])
        env["PYTHONPATH"] = os.pathsep.join(paths)
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = "1"  # thread pools reserve address space the limit would count
        cmd = [sys.executable, "-m", "ingest.sandbox", "--worker",
               "--memory-mb", str(self.limits.memory_mb), "--target", self.target,
               "--parent", str(os.getpid())]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                cwd=str(_ROOT), close_fds=True)
        self.stats.workers_started += 1
        if self._finalizer is not None:
            self._finalizer.detach()
        self._finalizer = weakref.finalize(self, _kill, proc)
        return proc

    def close(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is None:
                return
            try:
                proc.stdin.close()  # EOF: the worker exits on its own
                proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
            _kill(proc)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def worker_pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    # -- reading

    def __call__(self, path: Path, corpus_dir: Path, catalog: dict,
                 sha256: str | None = None) -> Document:
        path, corpus_dir = Path(path), Path(corpus_dir)
        precheck(path, self.limits)
        suffix = path.suffix.lower()
        if (not self.limits.sandbox or suffix in TEXT_SUFFIXES
                and path.stat().st_size <= self.limits.inprocess_max_bytes):
            self.stats.inprocess += 1
            with _ocr.using(self.limits.ocr, self.progress):
                return check_size(read_document(path, corpus_dir, catalog, sha256), self.limits)
        request = {
            "path": str(path.absolute()), "corpus_dir": str(corpus_dir.absolute()),
            "catalog": _sub_catalog(path, corpus_dir, catalog), "sha256": sha256,
            "max_text_chars": self.limits.max_text_chars, "ocr": asdict(self.limits.ocr),
        }
        with self._lock:
            self.stats.sandboxed += 1
            reply = self._exchange(request)
        return self._interpret(reply)

    def _exchange(self, request: dict) -> dict:
        limit = self.limits.timeout
        for attempt in (1, 2):
            if self._proc is None or self._proc.poll() is not None:
                if self._proc is not None:
                    _kill(self._proc)
                self._proc = self._start()
                if not self._ready(self._proc):
                    _kill(self._proc)
                    self._proc = None
                    self.stats.crashes += 1
                    return {"crashed": "the reading process could not be started"}
            proc = self._proc
            try:
                _send(proc.stdin, request)
            except (BrokenPipeError, OSError):
                # The idle worker died (for instance killed from outside): one fresh try.
                _kill(proc)
                self._proc = None
                if attempt == 2:
                    return {"crashed": "the reading process could not be started"}
                continue
            deadline = time.monotonic() + limit
            try:
                while True:
                    reply = _recv(proc.stdout, deadline)
                    if "progress" not in reply:
                        return reply
                    # A page read by OCR: the time limit starts again for the next one.
                    deadline = time.monotonic() + limit
                    if self.progress is not None:
                        self.progress(*reply["progress"])
            except TimeoutError:
                self.stats.timeouts += 1
                _kill(proc)
                self._proc = None
                return {"timeout": limit}
            except _WorkerGone:
                _kill(proc)
                self._proc = None
                self.stats.crashes += 1
                return {"crashed": _describe_exit(proc.returncode)}
        raise AssertionError("unreachable")

    def _ready(self, proc: subprocess.Popen) -> bool:
        """Waits for a new worker's "ready" (its imports done). Starting one is not part of any
        file's time limit: on a loaded machine the imports alone can take longer than the
        limit, and the file read after a killed worker would be refused for it."""
        try:
            return bool(_recv(proc.stdout, time.monotonic() + WORKER_START_TIMEOUT).get("ready"))
        except (TimeoutError, _WorkerGone):
            return False

    def _interpret(self, reply: dict) -> Document:
        if "ok" in reply:
            return doc_from_json(reply["ok"])
        if "read_error" in reply:
            reason, message = reply["read_error"]
            raise ReadError(reason, message)
        if "timeout" in reply:
            raise ReadError(
                "timeout", f"took longer than {reply['timeout']:g} s to read (limit); "
                           "the file may be damaged")
        if "memory" in reply:
            self.stats.memory_errors += 1
            raise ReadError(
                "memory", f"needed more than {_memory_words(self.limits.memory_mb)} of memory "
                          "to read (limit); the file may be damaged or a decompression bomb")
        if "crashed" in reply:
            raise ReadError("crashed", f"the reader crashed on this file ({reply['crashed']}); "
                                       "the file may be damaged")
        raise ReadError("corrupt", f"unreadable: {reply.get('error', 'unknown error')}")


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "no answer from the reading process"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if -code == signal.SIGKILL:
            return f"killed by {name}, probably out of memory"
        return f"killed by {name}"
    return f"the reading process exited with status {code}"


def make_reader(limits: ReadLimits | None = None):
    """The default reader for build_index: sandboxed unless `limits.sandbox` is False."""
    limits = limits or ReadLimits()
    return SandboxReader(limits) if limits.sandbox else InProcessReader(limits)


# ------------------------------------------------------------------------------- the protocol


def _send(stream, message: dict) -> None:
    body = json.dumps(message, ensure_ascii=False).encode("utf-8")
    stream.write(_HEADER.pack(len(body)) + body)
    stream.flush()


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                raise TimeoutError
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise _WorkerGone
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _recv(stream, deadline: float | None) -> dict:
    fd = stream.fileno()
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    return json.loads(_read_exact(fd, size, deadline).decode("utf-8"))


# ------------------------------------------------------------------------------- the worker


def _no_network(event: str, args) -> None:
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                 "socket.sendto", "socket.bind"):
        raise PermissionError("network access is disabled while reading files")


def _harden(memory_mb: int, parent: int) -> None:
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:  # die with the build: PR_SET_PDEATHSIG = 1
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if parent and os.getppid() != parent:
        os._exit(0)  # the parent is already gone
    sys.addaudithook(_no_network)
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # recovery chatter is not for the user


def _resolve(target: str):
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def worker_main(memory_mb: int, target: str, parent: int) -> int:
    # The protocol owns the original stdout; anything printed goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inp = os.fdopen(os.dup(0), "rb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    _harden(memory_mb, parent)
    fn = _resolve(target)
    _preload()
    _send(out, {"ready": True})
    while True:
        try:
            request = _recv(inp, None)
        except _WorkerGone:
            return 0
        reply = _serve(fn, request, out)
        try:
            _send(out, reply)
        except MemoryError:
            reply = None
            _send(out, {"memory": True})
        except BrokenPipeError:
            return 0


# The libraries the readers import when they first need them: imported while the worker starts,
# so the first file a new worker reads does not pay for them inside its time limit.
_PRELOAD = ("pypdf", "pdfplumber", "pdfminer.layout", "ingest.pdf_layout", "ingest.structure",
            "ingest.ocr", "docx", "pptx", "selectolax.lexbor")


def _preload() -> None:
    for name in _PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a missing library fails later, for its own files
            pass


def _serve(fn, request: dict, out=None) -> dict:
    def progress(stage: str, done: int, total: int) -> None:
        if out is not None:
            _send(out, {"progress": [stage, done, total]})

    try:
        settings = OcrSettings(**request["ocr"]) if request.get("ocr") else OcrSettings()
        with _ocr.using(settings, progress):
            doc = fn(Path(request["path"]), Path(request["corpus_dir"]), request["catalog"],
                     request["sha256"])
        chars = sum(len(p.text) for p in doc.pages)
        if chars > request["max_text_chars"]:
            raise _too_large(chars, ReadLimits(max_text_chars=request["max_text_chars"]))
        return {"ok": doc_to_json(doc)}
    except ReadError as exc:
        return {"read_error": [exc.reason, str(exc)]}
    except MemoryError:
        return {"memory": True}
    except RecursionError:
        return {"error": "the file's structure is nested too deeply to read"}
    except Exception as exc:  # a reader bug costs this file only
        return {"error": f"{type(exc).__name__}: {str(exc)[:300]}"}


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ingest.sandbox")
    parser.add_argument("--worker", action="store_true", required=True)
    parser.add_argument("--memory-mb", type=int, default=ReadLimits.memory_mb)
    parser.add_argument("--target", default=DEFAULT_TARGET)
    parser.add_argument("--parent", type=int, default=0)
    args = parser.parse_args(argv)
    return worker_main(args.memory_mb, args.target, args.parent)


if __name__ == "__main__":
    sys.exit(main())
