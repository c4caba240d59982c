"""Export files for download: written to a fresh folder in the system temp dir (Gradio serves
downloads from copies it makes of files there), old ones pruned."""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

_EXPORT_ROOT: Path | None = None
_EXPORT_LOCK = threading.Lock()


def export_dir() -> Path:
    """A fresh folder for one export, inside this process's folder in the system temp dir.
    Exports older than an hour are pruned."""
    global _EXPORT_ROOT
    with _EXPORT_LOCK:
        if _EXPORT_ROOT is None or not _EXPORT_ROOT.is_dir():
            _EXPORT_ROOT = Path(tempfile.mkdtemp(prefix="mat-evidence-exports-"))
        cutoff = time.time() - 3600
        for old in _EXPORT_ROOT.iterdir():
            try:
                if old.stat().st_mtime < cutoff:
                    shutil.rmtree(old, ignore_errors=True)
            except OSError:
                pass
        return Path(tempfile.mkdtemp(dir=_EXPORT_ROOT))


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")[:60].strip("-")
    return s or "evidence-basket"


def write_exports(doc, formats: tuple[str, ...] = ("md", "docx")) -> dict[str, Path]:
    """An ExportDocument (qa/export.py) written in each format; returns format -> path."""
    from qa.export import to_csv, to_docx, to_markdown

    folder = export_dir()
    # A handout and the facilitator's copy of one pack must not download under one name:
    # a facilitator who saves both would overwrite one with the other.
    name = slug(doc.title) + ("-handout" if getattr(doc, "handout", False) else "")
    out: dict[str, Path] = {}
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        if fmt == "md":
            path.write_text(to_markdown(doc), encoding="utf-8")
        elif fmt == "docx":
            to_docx(doc, path)
        elif fmt == "csv":
            path.write_text(to_csv(doc), encoding="utf-8")
        out[fmt] = path
    return out
