"""Adding a user's file to the corpus, safely.

`store_upload` checks a file someone uploaded (size, extension, and that the content is what the
extension claims), stores it under its content hash in `corpus/uploads/`, and records the name it
was uploaded with, plus an optional title and type, in a sidecar `<stored name>.meta.json` that
ingest reads (see `catalog.read_sidecar`).

The uploaded name is only ever metadata: it is cleaned (control characters, path components and
excess length removed) and never used to build a path. Nothing is written outside
`corpus/uploads/`, and nothing already in the corpus is modified or replaced.

`remove_document` takes a file out of the evidence by moving it (and its sidecar) into
`corpus/.removed/`, with when and by whom; `restore_document` moves it back, byte for byte, so
its passages come back with the same ids. Nothing is ever deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .catalog import DOC_TYPES, SIDECAR_SUFFIX
from .documents import discover, file_sha256
from .readers import MAX_DOCX_EXPANDED_BYTES, SUPPORTED_SUFFIXES

DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
UPLOADS_DIR = "uploads"
MAX_NAME_CHARS = 120
MAX_TITLE_CHARS = 200
_CHUNK = 1 << 20
_INCOMING_PREFIX = ".incoming-"  # hidden from discover(): dot-files are skipped

KIND = {".pdf": "PDF", ".docx": "Word (.docx)", ".txt": "text", ".md": "Markdown",
        ".pptx": "PowerPoint (.pptx)", ".html": "web page (.html)", ".htm": "web page (.htm)"}


@dataclass
class UploadResult:
    status: str  # stored | duplicate | refused
    message: str  # plain words, for the person who uploaded the file
    stored_path: Path | None = None
    sha256: str = ""
    original_name: str = ""  # the cleaned name, as recorded in the sidecar
    existing: Path | None = None  # for a duplicate: the corpus file with the same content

    @property
    def ok(self) -> bool:
        return self.status == "stored"


def clean_text(value: str, limit: int) -> str:
    """One line of printable text: control and format characters removed, spaces collapsed."""
    value = unicodedata.normalize("NFC", str(value or ""))
    value = "".join(" " if ch in "\t\r\n" else ch for ch in value
                    if ch in "\t\r\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    value = " ".join(value.split())
    return value[:limit].rstrip()


def clean_name(original_name: str) -> str:
    """The uploaded file name as safe metadata: last path component only, no control
    characters, at most MAX_NAME_CHARS (the extension kept). Never used as a path."""
    name = clean_text(original_name, 10 * MAX_NAME_CHARS)
    name = re.split(r"[/\\]", name)[-1].strip()  # drop any directory part, POSIX or Windows
    if not name.strip("."):
        return "upload"
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10 and stem:
            name = stem[: MAX_NAME_CHARS - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_NAME_CHARS]
    return name


def _suffix(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ("." + ext.lower()) if dot and stem else ""


def _refused(message: str, sha: str = "", name: str = "") -> UploadResult:
    return UploadResult("refused", message, None, sha, name)


def _office_zip_problem(path: Path, suffix: str, what: str, required: str, max_bytes: int,
                        the_file: str, real: str) -> str:
    """An Office file is a zip: it must open, hold its main part, and not expand to more than
    `max_bytes` (zip bomb), checked from the directory before anything is inflated."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            expanded = sum(i.file_size for i in infos)
    except (zipfile.BadZipFile, OSError, ValueError):
        return f"it is called {suffix} but is not {what} (not a zip archive)"
    if required not in names:
        return f"it is called {suffix} but is not {what} (no {required} inside)"
    if expanded > max_bytes:
        return (f"{the_file} would expand to {_size_words(expanded)}, "
                f"far more than a real {real} (zip bomb?)")
    return ""


def _size_words(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def sniff(path: Path, suffix: str) -> str:
    """Why the content does not match its extension ("" when it does)."""
    with path.open("rb") as fh:
        head = fh.read(8192)
    if suffix == ".pdf":
        if not head.startswith(b"%PDF-"):
            return "it is called .pdf but is not a PDF (no %PDF- header)"
        return ""
    if suffix == ".docx":
        return _office_zip_problem(path, ".docx", "a Word document", "word/document.xml",
                                   MAX_DOCX_EXPANDED_BYTES, "the Word file", "document")
    if suffix in (".txt", ".md"):
        return _text_problem(path)
    if suffix == ".pptx":
        from .pptx_reader import MAX_PPTX_EXPANDED_BYTES

        return _office_zip_problem(path, ".pptx", "a PowerPoint file", "ppt/presentation.xml",
                                   MAX_PPTX_EXPANDED_BYTES, "the PowerPoint file",
                                   "presentation")
    if suffix in (".html", ".htm"):
        from .html_reader import looks_binary

        if looks_binary(head):
            return f"it is called {suffix} but is binary data, not a web page"
        if not re.search(rb"<\s*(!doctype|html|head|body|title|meta|p|div|h[1-6]|main|article)\b",
                         head + fh_tail(path), re.I):
            return f"it is called {suffix} but has no HTML in it"
        return ""
    return "unsupported file type"


def fh_tail(path: Path) -> bytes:
    """Up to 256 KB after the first 8 KB: a page may open with a long comment or script."""
    with path.open("rb") as fh:
        fh.seek(8192)
        return fh.read(256 * 1024)


def _text_problem(path: Path) -> str:
    """A text file must decode (UTF-8, or Windows-1252 as ingest falls back to) and look like
    text: no NUL bytes, almost no control characters."""
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "it is a UTF-16 text file: save it as UTF-8 and upload it again"
    if b"\x00" in data:
        return "it is called a text file but contains binary data (NUL bytes)"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return "it is not readable text (neither UTF-8 nor Windows-1252)"
    if not text.strip():
        return "the file has no text in it"
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f")
    if controls > max(8, len(text) // 100):
        return "it is called a text file but looks like binary data"
    return ""


def _existing_duplicate(corpus_dir: Path, sha: str, size: int) -> Path | None:
    """A file anywhere in the corpus with this content (only same-size files are hashed)."""
    docs, others = discover(corpus_dir)
    for path in [*docs, *others]:
        try:
            if path.is_symlink() or path.stat().st_size != size:
                continue
            if file_sha256(path) == sha:
                return path
        except OSError:
            continue
    return None


def _uploads_dir(corpus_dir: Path) -> Path:
    """corpus/uploads, created if needed; refused if it is a link or leads out of the corpus."""
    corpus = corpus_dir.resolve(strict=True)
    uploads = corpus / UPLOADS_DIR
    if uploads.is_symlink():
        raise OSError(f"{uploads} is a symbolic link; refusing to write through it")
    uploads.mkdir(exist_ok=True)
    if not uploads.is_dir() or uploads.resolve().parent != corpus:
        raise OSError(f"{uploads} is not a folder inside the corpus")
    return uploads


def _describe_existing(path: Path, corpus_dir: Path) -> str:
    from .catalog import load_catalog, read_sidecar

    side = read_sidecar(path)
    rel = path.relative_to(corpus_dir).as_posix()
    row = load_catalog(corpus_dir).get(rel, {})
    shown = row.get("title") or side.get("title") or side.get("original_name") or rel
    return f"“{shown}”" + (f" ({rel})" if shown != rel else "")


def store_upload(src: Path, original_name: str, corpus_dir: Path, *, title: str = "",
                 doc_type: str = "", max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> UploadResult:
    """Check an uploaded file and add it to corpus/uploads/ under its content hash.

    Returns an UploadResult: "stored" (with the new path), "duplicate" (the same content is
    already in the corpus; nothing written) or "refused" (with the reason in plain words).
    """
    name = clean_name(original_name)
    src = Path(src)
    corpus_dir = Path(corpus_dir)
    suffix = _suffix(name)
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "no extension"
        return _refused(f"“{name}” was not added: {shown} files are not supported. "
                        "Upload a PDF, Word (.docx), PowerPoint (.pptx), web page (.html, "
                        ".htm), text (.txt) or Markdown (.md) file.",
                        name=name)
    doc_type = clean_text(doc_type, 40).lower()
    if doc_type and doc_type not in DOC_TYPES:
        return _refused(f"“{name}” was not added: unknown document type “{doc_type}”; "
                        f"use one of {', '.join(DOC_TYPES)} or leave it blank.", name=name)
    title = clean_text(title, MAX_TITLE_CHARS)
    try:
        if not src.is_file():
            return _refused(f"“{name}” was not added: the upload did not arrive.", name=name)
        size = src.stat().st_size
    except OSError:
        return _refused(f"“{name}” was not added: the upload could not be read.", name=name)
    if size == 0:
        return _refused(f"“{name}” was not added: the file is empty (0 bytes).", name=name)
    if size > max_bytes:
        return _refused(f"“{name}” was not added: it is {_size_words(size)}; the limit is "
                        f"{_size_words(max_bytes)}.", name=name)
    if not corpus_dir.is_dir():
        return _refused(f"“{name}” was not added: the corpus folder does not exist.", name=name)
    try:
        uploads = _uploads_dir(corpus_dir)
    except OSError:
        return _refused(f"“{name}” was not added: the uploads folder cannot be used.", name=name)

    # Copy into a hidden temporary file inside uploads/, hashing as we go, so that what we
    # check is exactly what we store (the source could change under us).
    incoming = uploads / f"{_INCOMING_PREFIX}{secrets.token_hex(8)}"
    digest = hashlib.sha256()
    copied = 0
    try:
        fd = os.open(incoming, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as out, src.open("rb") as fh:
            for chunk in iter(lambda: fh.read(_CHUNK), b""):
                copied += len(chunk)
                if copied > max_bytes:
                    break
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if copied > max_bytes:
            return _refused(f"“{name}” was not added: it is larger than the limit of "
                            f"{_size_words(max_bytes)}.", name=name)
        sha = digest.hexdigest()
        problem = sniff(incoming, suffix)
        if problem:
            return _refused(f"“{name}” was not added: {problem}.", sha, name)
        existing = _existing_duplicate(corpus_dir, sha, copied)
        if existing is not None:
            return UploadResult("duplicate",
                                f"“{name}” is already in the evidence as "
                                f"{_describe_existing(existing, corpus_dir)}; not added again.",
                                None, sha, name, existing)
        target = uploads / f"{sha[:16]}{suffix}"
        if target.exists():  # same content stored by an upload that is not indexed yet
            return UploadResult("duplicate", f"“{name}” has already been uploaded; not added "
                                "again.", None, sha, name, target)
        meta = {"original_name": name, "title": title, "type": doc_type,
                "added": time.strftime("%Y-%m-%d %H:%M")}
        # The sidecar goes first, so a build never sees the document without its metadata.
        sidecar = target.with_name(target.name + SIDECAR_SUFFIX)
        side_tmp = incoming.with_name(incoming.name + ".json")
        side_tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(side_tmp, sidecar)
        try:
            os.link(incoming, target)  # fails if the target exists: never replace a file
        except FileExistsError:
            return UploadResult("duplicate", f"“{name}” has already been uploaded; not added "
                                "again.", None, sha, name, target)
        except OSError:  # a filesystem without hard links
            if target.exists():
                return UploadResult("duplicate", f"“{name}” has already been uploaded; not "
                                    "added again.", None, sha, name, target)
            os.rename(incoming, target)
        return UploadResult("stored", f"Added “{name}” ({_size_words(copied)}).", target, sha,
                            name)
    except OSError as exc:
        why = exc.strerror or "write error"
        return _refused(f"“{name}” was not added: it could not be saved ({why}).", name=name)
    finally:
        incoming.unlink(missing_ok=True)
        incoming.with_name(incoming.name + ".json").unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------
# Removing and restoring: nothing is ever deleted
# --------------------------------------------------------------------------------------------

REMOVED_DIR = ".removed"  # a dot folder: discover() never indexes what is in it
RECORD_NAME = "removal.json"


@dataclass
class Removal:
    """One removed file, kept in corpus/.removed/<folder>/ at its relative path, with its
    sidecar, and this record beside it (removal.json)."""

    folder: str
    file: str  # where it was (and will be restored to), relative to the corpus
    sha256: str
    removed_at: str
    removed_by: str
    title: str = ""
    restored_at: str = ""
    restored_by: str = ""

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class MoveResult:
    status: str  # removed | restored | refused
    message: str  # plain words
    file: str = ""
    sha256: str = ""
    removal: Removal | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("removed", "restored")


def _utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _write_record(folder: Path, removal: Removal) -> None:
    tmp = folder / f".{RECORD_NAME}.{secrets.token_hex(4)}"
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(removal.to_json(), fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, folder / RECORD_NAME)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def corpus_files(corpus_dir: Path) -> list[str]:
    """Every file of the corpus a person may remove (documents and unsupported files), as
    relative paths: the only names `remove_document` accepts."""
    corpus = Path(corpus_dir)
    docs, others = discover(corpus)
    return sorted(p.relative_to(corpus).as_posix() for p in [*docs, *others]
                  if not p.is_symlink())


def remove_document(corpus_dir: Path, rel: str, who: str, title: str = "") -> MoveResult:
    """Move `rel` (and its sidecar) into corpus/.removed/<time>-<random>/, recording when and
    by whom. The next build retires its passages; `restore_document` brings it back."""
    corpus = Path(corpus_dir)
    rel = str(rel or "").strip().lstrip("/")
    if rel not in corpus_files(corpus):
        return MoveResult("refused", f"“{clean_text(rel, 200)}” is not a file of the corpus; "
                          "nothing was removed.", rel)
    src = corpus / rel
    sha = file_sha256(src)
    stamp = _utc_now()
    folder = corpus / REMOVED_DIR / f"{stamp.replace(':', '')}-{secrets.token_hex(3)}"
    removal = Removal(folder.name, rel, sha, stamp, who, title)
    try:
        (corpus / REMOVED_DIR).mkdir(exist_ok=True)
        folder.mkdir()
        _write_record(folder, removal)  # the record first: a moved file always has one
        dest = folder / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.rename(src, dest)
        side = src.with_name(src.name + SIDECAR_SUFFIX)
        if side.is_file() and not side.is_symlink():
            os.rename(side, dest.with_name(dest.name + SIDECAR_SUFFIX))
        _fsync_dir(src.parent)
        _fsync_dir(dest.parent)
    except OSError as exc:
        if src.exists() or not (folder / rel).exists():  # else moved; only the tidy-up failed
            return MoveResult("refused", f"“{rel}” could not be removed "
                              f"({exc.strerror or 'write error'}); nothing was changed.", rel,
                              sha)
    shown = f"“{title}” ({rel})" if title and title != rel else f"“{rel}”"
    return MoveResult("removed", f"Removed {shown}: kept in the corpus's .removed folder; "
                      "Restore brings it back.", rel, sha, removal)


def removed_documents(corpus_dir: Path, include_restored: bool = False) -> list[Removal]:
    """Removed files, newest first."""
    out = []
    base = Path(corpus_dir) / REMOVED_DIR
    if not base.is_dir():
        return out
    for record in base.glob(f"*/{RECORD_NAME}"):
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
            removal = Removal(**{k: str(data.get(k, "")) for k in Removal.__dataclass_fields__})
        except (OSError, ValueError, TypeError):
            continue
        if removal.folder != record.parent.name:
            removal.folder = record.parent.name
        if removal.restored_at and not include_restored:
            continue
        if not (record.parent / removal.file).is_file():
            continue
        out.append(removal)
    out.sort(key=lambda r: (r.removed_at, r.folder), reverse=True)
    return out


def restore_document(corpus_dir: Path, name: str, who: str) -> MoveResult:
    """Move a removed file (named by where it was, or by its .removed folder) back where it was,
    byte for byte, with its sidecar. Refused when something else is there now."""
    corpus = Path(corpus_dir)
    name = str(name or "").strip()
    if name.startswith(f"{REMOVED_DIR}/"):
        name = name.split("/", 2)[1]
    candidates = [r for r in removed_documents(corpus)
                  if name in (r.file, r.folder, f"{r.folder}/{r.file}")]
    if not candidates:
        return MoveResult("refused", f"“{clean_text(name, 200)}” is not among the removed "
                          "documents; nothing was restored.", name)
    removal = candidates[0]
    folder = corpus / REMOVED_DIR / removal.folder
    src = folder / removal.file
    dest = corpus / removal.file
    if dest.exists() or dest.is_symlink():
        return MoveResult("refused", f"“{removal.file}” was not restored: another file is at "
                          "that place now. Move it away first.", removal.file, removal.sha256)
    try:
        if file_sha256(src) != removal.sha256:
            return MoveResult("refused", f"“{removal.file}” was not restored: the kept copy "
                              "does not match the removed file's fingerprint.", removal.file,
                              removal.sha256)
        dest.parent.mkdir(parents=True, exist_ok=True)
        side = src.with_name(src.name + SIDECAR_SUFFIX)
        dest_side = dest.with_name(dest.name + SIDECAR_SUFFIX)
        if side.is_file() and not dest_side.exists():
            os.rename(side, dest_side)  # the sidecar first: a build never sees it without
        os.rename(src, dest)
        _fsync_dir(dest.parent)
        removal.restored_at, removal.restored_by = _utc_now(), who
        _write_record(folder, removal)
    except OSError as exc:
        return MoveResult("refused", f"“{removal.file}” could not be restored "
                          f"({exc.strerror or 'write error'}).", removal.file, removal.sha256)
    shown = f"“{removal.title}” ({removal.file})" if removal.title else f"“{removal.file}”"
    return MoveResult("restored", f"Restored {shown}.", removal.file, removal.sha256, removal)
