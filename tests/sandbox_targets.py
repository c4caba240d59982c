"""Readers that misbehave on purpose, run inside the sandbox worker by tests/test_reliability.py.

`misbehave` dispatches on the file name so one build can hold a hanging file, a crashing file
and a memory hog next to ordinary ones; the others use the real libraries without the guards
ingest puts in front of them, to show the sandbox limits catch what the guards would.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from ingest.documents import read_document


def misbehave(path: Path, corpus_dir: Path, catalog: dict, sha256: str | None = None):
    name = path.name
    if name.startswith("hang"):
        time.sleep(3600)
    if name.startswith("crash"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if name.startswith("hog"):
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    if name.startswith("network"):
        import socket

        socket.create_connection(("127.0.0.1", 9), timeout=1)
    if name.startswith("exit"):
        os._exit(3)
    return read_document(path, corpus_dir, catalog, sha256)


def unguarded_docx(path: Path, corpus_dir: Path, catalog: dict, sha256: str | None = None):
    """python-docx on a zip bomb, without ingest's expanded-size check."""
    import docx

    docx.Document(str(path))
    raise AssertionError("a 2 GiB document.xml should not fit under the test's memory limit")


def uncapped_pdf(path: Path, corpus_dir: Path, catalog: dict, sha256: str | None = None):
    """pypdf with its decompression cap lifted, on the 4 GiB stream bomb."""
    import pypdf

    with pypdf.apply_configuration(zlib_maximum_output_length=1 << 40,
                                   stream_decoding_work_maximum_length=1 << 40):
        return read_document(path, corpus_dir, catalog, sha256)


def paced(path: Path, corpus_dir: Path, catalog: dict, sha256: str | None = None):
    """Pages that take 1 s each, like OCR: "paced-*" reports each page (the heartbeat that
    restarts the time limit), "silent-*" takes as long without a word."""
    from ingest import ocr

    if not path.name.startswith(("paced", "silent")):
        return read_document(path, corpus_dir, catalog, sha256)
    _, progress = ocr.current()
    for n in range(4):
        time.sleep(1.0)
        if path.name.startswith("paced") and progress is not None:
            progress(f"OCR {path.name}", n + 1, 4)
    return read_document(path, corpus_dir, catalog, sha256)
