"""Document metadata: catalog.csv for curated documents, a sidecar JSON for uploads."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from .records import DocumentInfo

CATALOG_NAME = "catalog.csv"
SIDECAR_SUFFIX = ".meta.json"
DOC_TYPES = ("report", "briefing", "vignette")


def load_catalog(corpus_dir: Path) -> dict[str, dict[str, str]]:
    path = corpus_dir / CATALOG_NAME
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return {row["file"].strip(): row for row in csv.DictReader(fh) if row.get("file")}


def sidecar_path(doc_path: Path) -> Path:
    return doc_path.with_name(doc_path.name + SIDECAR_SUFFIX)


def read_sidecar(doc_path: Path) -> dict[str, str]:
    path = sidecar_path(doc_path)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: str(v) for k, v in data.items() if isinstance(v, (str, int))}


def title_from_filename(name: str) -> str:
    stem = Path(name).stem
    words = re.sub(r"[_\-]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else name


def describe(rel: str, doc_path: Path, catalog: dict[str, dict[str, str]],
             own_title: str = "", first_heading: str = "") -> DocumentInfo:
    """Catalog first, then an upload's sidecar, then the file's own title, heading or name."""
    row = catalog.get(rel) or catalog.get(Path(rel).name) or {}
    side = read_sidecar(doc_path)
    title = (row.get("title") or side.get("title") or own_title or first_heading
             or title_from_filename(side.get("original_name") or rel)).strip()
    short = (row.get("short_title") or side.get("short_title") or "").strip()
    if not short:
        short = title if len(title) <= 60 else title[:57].rsplit(" ", 1)[0] + "…"
    doc_type = (row.get("type") or side.get("type") or "").strip().lower()
    if doc_type not in DOC_TYPES:
        # An upload is stored under its hash: guess from the name the user gave it.
        name = (side.get("original_name") or rel).lower()
        doc_type = "vignette" if "vignette" in name else "report"
    return DocumentInfo(
        file=rel,
        title=title,
        short_title=short,
        author=(row.get("author") or side.get("author") or "").strip(),
        year=(row.get("year") or side.get("year") or "").strip(),
        doc_type=doc_type,
        original_name=side.get("original_name", ""),
        added=side.get("added", ""),
    )
