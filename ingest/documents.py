"""Find the documents in a corpus folder and read one into a `Document`."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from .catalog import CATALOG_NAME, SIDECAR_SUFFIX, describe
from .readers import SUPPORTED_SUFFIXES, read_file
from .records import Document
from .structure import parse_blocks

# Files in corpus/ that describe the corpus rather than belong to it.
NOT_DOCUMENTS = {CATALOG_NAME, "README.md", "sessions.toml"}


def discover(corpus_dir: Path) -> tuple[list[Path], list[Path]]:
    """(documents to index, other files we will report as unsupported)."""
    docs, skipped = [], []
    for path in sorted(corpus_dir.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(corpus_dir).parts):
            continue
        if path.parent == corpus_dir and path.name in NOT_DOCUMENTS:
            continue
        if path.name.endswith(SIDECAR_SUFFIX):
            continue
        (docs if path.suffix.lower() in SUPPORTED_SUFFIXES else skipped).append(path)
    return docs, skipped


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def relative_name(path: Path, corpus_dir: Path) -> str:
    return path.relative_to(corpus_dir).as_posix()


def read_document(path: Path, corpus_dir: Path, catalog: dict, sha256: str | None = None) -> Document:
    """Read and normalise one file. Raises ReadError with a plain reason if it cannot be used."""
    result = read_file(path)
    blocks = result.blocks if result.blocks is not None else parse_blocks(result.pages)
    first_heading = next((b.text for b in blocks if b.kind == "heading"), "")
    info = describe(relative_name(path, corpus_dir), path, catalog, result.title, first_heading)
    meta = result.meta or {}
    if meta.get("url") or (meta.get("year") and not info.year):
        info = replace(info, url=meta.get("url", ""), year=info.year or meta.get("year", ""))
    return Document(
        info=info,
        sha256=sha256 or file_sha256(path),
        pages=result.pages,
        warnings=list(result.warnings or []),
        page_count=result.page_count,
        blocks=result.blocks,
        ocr_pages=list(result.ocr_pages or []),
    )
