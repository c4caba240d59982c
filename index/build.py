"""Incremental build: read and embed only what is new or changed, then switch generations."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ingest import (
    READER_VERSION,
    ChunkSettings,
    Document,
    Passage,
    ReadError,
    chunk_document,
    discover,
    file_sha256,
    load_catalog,
    relative_name,
    split_sentences,
)
from ingest.glossary import build_glossary
from ingest.normalise import OMISSION
from ingest.ocr import available as ocr_available
from ingest.ocr import prune_cache as prune_ocr_cache
from ingest.readers import SUPPORTED_WORDS
from ingest.sandbox import ReadLimits, make_reader

from .embedder import Embedder, EmbedSettings, make_embedder, model_lock
from .lexical import LexicalIndex, LexicalSettings
from .onepass import MODEL_WINDOW, OnePassEncoder, PassageInput, sentence_spans
from .store import (
    FORMAT_VERSION,
    FileRecord,
    GenerationData,
    IndexUnavailable,
    LoadedIndex,
    Manifest,
    _load_generation,
    current_generation,
    current_generation_name,
    read_manifest,
    write_generation,
)
from .tokens import SEGMENT_TOKENS, TokenEncoder

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class BuildError(RuntimeError):
    """Nothing usable could be built; the previous index (if any) is still served."""


class BuildBusy(BuildError):
    """Another build holds the lock."""


class IndexWriteError(BuildError, OSError):
    """The new generation could not be written (full disk, read-only folder). CURRENT is
    untouched and the partial generation removed; an OSError too, for callers that catch it."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.errno = code
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class IndexSettings:
    chunk: ChunkSettings = field(default_factory=ChunkSettings)
    lexical: LexicalSettings = field(default_factory=LexicalSettings)
    embed: EmbedSettings = field(default_factory=EmbedSettings)
    sentence_vectors: bool = True  # embed each sentence at index time, for answer extraction
    # Token vectors for late interaction (qa/late.py) are stored at index time up to this many
    # passages (~150 KB each as float16: 20k passages ~3 GB); above it, or at 0, the searcher
    # encodes the few passages it re-ranks when asked (slower first answers; see bench).
    token_vectors_max: int = 20_000
    token_segment: int = SEGMENT_TOKENS  # word pieces per encoded segment (index.tokens)
    # One forward pass per passage gives its vector, its token vectors and its sentences'
    # vectors (index.onepass, issue 14). False: the old way, three separate passes (kept for
    # bench/build.py's comparison).
    one_pass: bool = True
    embed_window: int = MODEL_WINDOW  # word pieces per one-pass segment, specials included
    # Measured on qa.eval (bench/RESULTS.md, "One-pass indexing"): token vectors from the
    # passage's 256-piece pass re-rank worse than from short segments of its own text, and the
    # first-stage best-sentence score is better with each sentence embedded on its own, while
    # answer sentences are chosen better with vectors pooled in context. So by default the
    # passage's text is encoded again in segments of token_segment word pieces (token_pass)
    # and each sentence on its own for ranking; token_pass=False and
    # ranking_sentences="pooled" give the single pass (about 3x less model work).
    token_pass: bool = True
    ranking_sentences: str = "separate"  # separate | pooled
    # Above this many passages, an approximate (IVF) index: measured, see build_faiss.
    exact_search_max: int = 50_000
    lock_timeout: float = 0.0  # seconds to wait for another build; 0 refuses at once
    # Per-file time, memory and size limits; files are read in a child process unless
    # read.sandbox is False (see ingest/sandbox.py).
    read: ReadLimits = field(default_factory=ReadLimits)


@dataclass
class BuildReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[dict[str, str]] = field(default_factory=list)
    unchanged: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    passages: int = 0
    seconds: float = 0.0
    full_rebuild: str = ""  # why everything was re-embedded, when it was
    read_again: str = ""  # why unchanged files were read again (a newer file reader)
    embedded: int = 0  # passages embedded in this build
    embedding: dict[str, Any] = field(default_factory=dict)  # what the model did (bench)
    generation: str = ""
    changed: bool = False
    warnings: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return data


def _config(embedder: Embedder, settings: IndexSettings) -> dict[str, Any]:
    return {
        "model": {"name": embedder.name, "dim": embedder.dim,
                  "weights_sha256": embedder.fingerprint(),
                  # fp32 | bf16: the vectors differ slightly, so the index records which.
                  "precision": getattr(embedder, "precision", "fp32")},
        "chunker": settings.chunk.to_json(),
        "lexical": settings.lexical.to_json(),
        "reader_version": READER_VERSION,
        "sentences": settings.sentence_vectors,
        "tokens": {"segment_tokens": settings.embed_window
                   if settings.one_pass and not settings.token_pass else settings.token_segment,
                   "max_passages": settings.token_vectors_max},
        "embedding": _embedding_config(settings),
    }


def _embedding_config(settings: IndexSettings) -> dict[str, Any]:
    if settings.one_pass:
        return {"method": "one-pass", "window": settings.embed_window,
                "token_pass": settings.token_pass,
                "answer_sentences": "pooled from the passage's word pieces",
                "ranking_sentences": settings.ranking_sentences if settings.sentence_vectors
                else ""}
    return dict(OLD_EMBEDDING)


# What a generation written before issue 14 did (its manifest has no "embedding").
OLD_EMBEDDING = {"method": "separate"}


def _config_change(prev: Manifest, config: dict[str, Any]) -> str:
    if prev.format != FORMAT_VERSION:
        return "the index format changed"
    prev_model = {"precision": "fp32", **prev.model}  # indexes from before it was recorded
    if prev_model["precision"] != config["model"]["precision"] and \
            {**prev_model, "precision": ""} == {**config["model"], "precision": ""}:
        return (f"the embedding precision changed ({prev_model['precision']} -> "
                f"{config['model']['precision']})")
    if prev_model != config["model"]:
        return f"the embedding model changed ({prev.model.get('name')} -> {config['model']['name']})"
    if prev.chunker != config["chunker"]:
        return "the chunker settings changed"
    if prev.lexical != config["lexical"]:
        return "the BM25 settings changed"
    prev_embedding = prev.embedding or OLD_EMBEDDING
    if prev_embedding != config["embedding"]:
        if config["embedding"]["method"] == "one-pass" and prev_embedding["method"] == "separate":
            return ("the index was built the old way (passages, sentences and token vectors "
                    "embedded in three separate passes); it is rebuilt once, in one embedding "
                    "stage")
        return "the embedding settings changed"
    if prev.sentences != config["sentences"]:
        return "the sentence-vector setting changed"
    if prev.tokens != config["tokens"]:
        return "the token-vector settings changed"
    return ""


def _lock(index_dir: Path, timeout: float):
    from filelock import FileLock, Timeout

    lock = FileLock(str(index_dir / "build.lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout as exc:
        raise BuildBusy(
            "another build of this index is running; wait for it to finish and try again"
        ) from exc
    return lock


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    settings: IndexSettings | None = None,
    embedder: Embedder | None = None,
    full: bool = False,
    progress: Progress | None = None,
    reader: Callable[..., Document] | None = None,
) -> BuildReport:
    """Bring the index in line with the corpus folder. Returns what changed."""
    started = time.perf_counter()
    settings = settings or IndexSettings()
    corpus_dir = Path(corpus_dir)
    index_dir = Path(index_dir)
    if not corpus_dir.is_dir():
        raise BuildError(f"corpus folder {corpus_dir} does not exist")
    index_dir.mkdir(parents=True, exist_ok=True)
    embedder = embedder or make_embedder(settings.embed)
    progress = progress or (lambda stage, done, total: None)
    lock = _lock(index_dir, settings.lock_timeout)
    own_reader = reader is None
    reader = reader or make_reader(_with_ocr_cache(settings.read, index_dir))  # no process yet
    if hasattr(reader, "set_progress"):  # OCR reports its pages ("OCR page 3 of 9")
        reader.set_progress(progress)
    try:
        report = _build_locked(corpus_dir, index_dir, settings, embedder, full, progress, reader)
    finally:
        if own_reader:
            reader.close()
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


def _build_locked(corpus_dir, index_dir, settings, embedder, full, progress, reader) -> BuildReport:
    """The build in its stages: plan the changes, read, lay out (reuse), embed, write."""
    report = BuildReport()
    config = _config(embedder, settings)
    plan = plan_changes(corpus_dir, index_dir, settings, config, full, report)
    if plan.nothing_to_do:
        report.passages = plan.prev_manifest.passages
        report.generation = plan.prev_manifest.generation
        return report  # nothing to do: no model load, no write
    read = read_changes(plan, corpus_dir, settings, reader, progress, report)
    try:
        layout = lay_out(plan, read, index_dir)
    except _CannotReuse as exc:
        # Cannot trust the old vectors: read those files again instead.
        report.full_rebuild = f"the previous index could not be reused ({exc})"
        return _build_locked(corpus_dir, index_dir, settings, embedder, True, progress, reader)
    if not layout.passages:
        reasons = "; ".join(f"{f['file']}: {f['reason']}" for f in report.failed) or "it is empty"
        raise BuildError(f"no document in {corpus_dir} could be indexed ({reasons})")
    vectors = embed_changes(layout, embedder, settings, progress)
    report.embedded = vectors.embedded
    report.embedding = vectors.stats
    folder = write_changes(index_dir, layout, vectors, plan.records, config, settings, progress)
    if not settings.read.ocr.cache_dir:  # the index's own OCR cache: files gone, OCR gone
        prune_ocr_cache(index_dir / "ocr-cache", {r.sha256 for r in plan.records.values()})
    report.passages = len(layout.passages)
    report.generation = folder.name
    report.changed = True
    return report


# -- stage 1: plan -------------------------------------------------------------------------

@dataclass
class BuildPlan:
    """What the corpus holds against the previous generation: what to read, what to keep."""

    records: dict[str, FileRecord]  # every file's record (those to read are filled in later)
    to_read: list[tuple[Path, str, str]]  # (path, relative name, sha256) new or changed
    reused_from: dict[str, str]  # relative name -> previous name whose passages it keeps
    prev_manifest: Manifest | None
    prev_files: dict[str, FileRecord]
    reuse: bool  # the previous generation's vectors can be kept
    nothing_to_do: bool


def plan_changes(corpus_dir: Path, index_dir: Path, settings: IndexSettings,
                 config: dict[str, Any], full: bool, report: BuildReport) -> BuildPlan:
    prev_manifest: Manifest | None = None
    try:
        prev_manifest = read_manifest(index_dir)
    except IndexUnavailable as exc:
        report.full_rebuild = f"the previous index is unreadable ({exc})"
    if prev_manifest is not None and not full:
        report.full_rebuild = _config_change(prev_manifest, config)
    elif full:
        report.full_rebuild = "--full was requested"
    reuse = prev_manifest is not None and not report.full_rebuild
    prev_files = prev_manifest.files if reuse else {}

    doc_paths, unsupported = discover(corpus_dir)
    records: dict[str, FileRecord] = {}
    by_sha_prev: dict[str, FileRecord] = {}
    for rec in prev_files.values():
        if rec.status in ("indexed", "refused"):
            by_sha_prev.setdefault(rec.sha256, rec)

    to_read: list[tuple[Path, str, str]] = []
    reused_from: dict[str, str] = {}
    hashed = []
    for path in doc_paths:
        rel = relative_name(path, corpus_dir)
        stat = path.stat()
        old = prev_files.get(rel)
        if old is not None and old.size == stat.st_size and old.mtime == stat.st_mtime:
            sha = old.sha256  # size and mtime unchanged: trust the recorded hash
        else:
            sha = file_sha256(path)
        hashed.append((path, rel, stat, sha))
    # The same content under two names is indexed once: under the name it already had.
    canonical: dict[str, str] = {}
    for _, rel, _, sha in sorted(hashed, key=lambda h: (h[1] not in prev_files, h[1])):
        canonical.setdefault(sha, rel)
    stale_reader: list[str] = []  # unchanged files last read by an older reader
    for path, rel, stat, sha in hashed:
        old = prev_files.get(rel)
        if canonical[sha] != rel:
            records[rel] = FileRecord(rel, sha, stat.st_size, stat.st_mtime, "duplicate",
                                      reason=f"same content as {canonical[sha]}; indexed once",
                                      reason_code="duplicate")
            continue
        prior = old if old is not None and old.sha256 == sha else by_sha_prev.get(sha)
        if prior is not None and prior.reader_version == READER_VERSION and not (
                prior.status == "refused" and prior.reason_code == "no_text"
                and ocr_available(settings.read.ocr)):  # a scan refused before OCR was there
            # replace(), not FileRecord(**asdict(prior)): asdict deep-copies, and at 5k files
            # that copying was most of an unchanged rebuild's time (issue 7).
            rec = replace(prior, file=rel, size=stat.st_size, mtime=stat.st_mtime)
            records[rel] = rec
            reused_from[rel] = prior.file
            if prior.file != rel:
                report.renamed.append({"from": prior.file, "to": rel})
            elif rec.status == "indexed":
                report.unchanged += 1
            continue
        if prior is not None and prior.reader_version != READER_VERSION:
            stale_reader.append(rel)
        to_read.append((path, rel, sha))
        (report.updated if rel in prev_files else report.added).append(rel)

    for path in unsupported:
        rel = relative_name(path, corpus_dir)
        stat = path.stat()
        records[rel] = FileRecord(rel, "", stat.st_size, stat.st_mtime, "unsupported",
                                  reason=f"unsupported file type {path.suffix or '(none)'}; "
                                         f"use {SUPPORTED_WORDS}",
                                  reason_code="unsupported")
    if stale_reader:
        versions = sorted({prev_files[f].reader_version or "1" for f in stale_reader
                           if f in prev_files})
        report.read_again = (f"{len(stale_reader)} unchanged file(s) read again: the file "
                             f"reader changed (version {', '.join(versions)} -> "
                             f"{READER_VERSION}; PDFs are now read by their layout)")
    renamed_from = {r["from"] for r in report.renamed}
    report.removed = sorted(
        f for f, rec in prev_files.items()
        if f not in records and f not in renamed_from and rec.status != "unsupported"
    )
    # Every file that is not indexed is listed with its reason on every run, not only the
    # first time: nothing drops out of sight.
    for rel, rec in sorted(records.items()):
        if rec.status != "indexed":
            report.failed.append({"file": rel, "reason": rec.reason})

    structural = bool(to_read or report.removed or report.renamed)
    statuses_changed = set(records) != set(prev_files) or any(
        prev_files[f].status != r.status for f, r in records.items() if f in prev_files)
    nothing = bool(reuse and not structural and not statuses_changed
                   and current_generation(index_dir))
    return BuildPlan(records, to_read, reused_from, prev_manifest, prev_files, reuse, nothing)


# -- stage 2: read -------------------------------------------------------------------------

@dataclass
class ReadResult:
    """The passages of each file read in this build (refused files are in plan.records)."""

    passages: dict[str, list[Passage]]


def read_changes(plan: BuildPlan, corpus_dir: Path, settings: IndexSettings, reader,
                 progress: Progress, report: BuildReport) -> ReadResult:
    catalog = load_catalog(corpus_dir)
    records, to_read = plan.records, plan.to_read
    new_passages: dict[str, list[Passage]] = {}
    for n, (path, rel, sha) in enumerate(to_read, 1):
        progress("reading", n - 1, len(to_read))
        stat = path.stat()
        try:
            doc = reader(path, corpus_dir, catalog, sha)
            passages = chunk_document(doc, settings.chunk)
            if not passages:
                raise ReadError("empty", "no text found to index")
        except ReadError as exc:
            records[rel] = FileRecord(rel, sha, stat.st_size, stat.st_mtime, "refused",
                                      reason=str(exc), reason_code=exc.reason,
                                      reader_version=READER_VERSION)
            _refuse(report, rel, str(exc))
            continue
        except Exception as exc:  # a reader bug must cost one file, not the build
            reason = f"unreadable: {type(exc).__name__}: {exc}"
            records[rel] = FileRecord(rel, sha, stat.st_size, stat.st_mtime, "refused",
                                      reason=reason, reason_code="error",
                                      reader_version=READER_VERSION)
            _refuse(report, rel, reason)
            continue
        info = doc.info
        prev_added = plan.prev_files[rel].added if rel in plan.prev_files else ""
        records[rel] = FileRecord(
            rel, sha, stat.st_size, stat.st_mtime, "indexed", warnings=doc.warnings,
            passages=len(passages), title=info.title, short_title=info.short_title,
            doc_type=info.doc_type, author=info.author, year=info.year, pages=doc.page_count,
            added=info.added or prev_added or time.strftime("%Y-%m-%d"),
            reader_version=READER_VERSION)
        for w in doc.warnings:
            report.warnings.append({"file": rel, "warning": w})
        new_passages[rel] = passages
    progress("reading", len(to_read), len(to_read))
    return ReadResult(new_passages)


# -- stage 3: lay out the new generation, reusing what is unchanged -------------------------

class _CannotReuse(Exception):
    pass


@dataclass
class Layout:
    """The new generation's passages and sentences in order, each with the row of its
    vectors in the previous generation (-1: to be embedded now)."""

    passages: list[Passage]
    rows: list[int]  # previous passage row, or -1
    sentences: list[dict[str, Any]]  # {"pid", "text", "context"}
    sentence_rows: list[int]  # previous sentence row, or -1
    sentences_of: list[tuple[int, int]]  # passage i's sentences: sentences[start:end]
    prev: LoadedIndex | None
    retired: list[dict[str, Any]]

    @classmethod
    def fresh(cls, passages: list[Passage]) -> Layout:
        """Every passage and sentence to be embedded now (no previous generation)."""
        sentences: list[dict[str, Any]] = []
        spans: list[tuple[int, int]] = []
        for p in passages:
            start = len(sentences)
            sentences.extend({"pid": p.id, "text": t, "context": c}
                             for t, c in passage_sentences(p))
            spans.append((start, len(sentences)))
        return cls(passages, [-1] * len(passages), sentences, [-1] * len(sentences), spans,
                   None, [])


def lay_out(plan: BuildPlan, read: ReadResult, index_dir: Path) -> Layout:
    prev_gen: LoadedIndex | None = None
    if plan.reuse and plan.reused_from:
        try:
            prev_gen = _load_generation(current_generation(index_dir), verify=True)
        except (IndexUnavailable, TypeError) as exc:
            raise _CannotReuse(str(exc)) from exc
    # Speed (issue 7): for each passage and sentence, the row of its vector in the previous
    # generation (-1: embed it now); the rows are gathered in one go when the vectors are
    # assembled instead of being copied one memory-mapped row at a time.
    passages: list[Passage] = []
    rows: list[int] = []
    sentences: list[dict[str, Any]] = []
    sentence_rows: list[int] = []
    spans: list[tuple[int, int]] = []
    has_svecs = prev_gen is not None and len(prev_gen.sentence_vectors) > 0
    for rel in sorted(plan.records):
        if plan.records[rel].status != "indexed":
            continue
        if rel in read.passages:
            for p in read.passages[rel]:
                start = len(sentences)
                passages.append(p)
                rows.append(-1)
                for text, context in passage_sentences(p):
                    sentences.append({"pid": p.id, "text": text, "context": context})
                    sentence_rows.append(-1)
                spans.append((start, len(sentences)))
            continue
        old_rel = plan.reused_from[rel]
        for i in (prev_gen.by_file.get(old_rel, []) if prev_gen else []):
            p = prev_gen.passages[i]
            if old_rel != rel:
                p = Passage(**{**p.to_json(), "file": rel})
            start = len(sentences)
            passages.append(p)
            rows.append(i)
            for j in prev_gen.sentences_of.get(i, []):
                sentences.append({**prev_gen.sentences[j], "pid": p.id})
                sentence_rows.append(j if has_svecs else -1)
            spans.append((start, len(sentences)))
    retired = _retired(index_dir, passages, plan.records)
    return Layout(passages, rows, sentences, sentence_rows, spans, prev_gen, retired)


# -- stage 4: embed ------------------------------------------------------------------------

@dataclass
class Vectors:
    """The new generation's vectors, reused or embedded in this build."""

    passages: np.ndarray  # float32 [passages, dim]
    sentences: np.ndarray  # float32 [sentences, dim] (0 rows when not kept)
    tokens: tuple[np.ndarray, np.ndarray, np.ndarray] | None  # see GenerationData.tokens
    embedded: int  # passages embedded
    stats: dict[str, Any]  # what the model did (texts, forward passes, seconds)
    ranking_sentences: np.ndarray | None = None  # each sentence embedded on its own


def embed_changes(layout: Layout, embedder: Embedder, settings: IndexSettings,
                  progress: Progress) -> Vectors:
    if settings.one_pass:
        return _embed_one_pass(layout, embedder, settings, progress)
    return _embed_separately(layout, embedder, settings, progress)


def _embed_one_pass(layout: Layout, embedder: Embedder, settings: IndexSettings,
                    progress: Progress) -> Vectors:
    """One forward pass per passage that needs any of its vectors (index.onepass): its vector,
    its answer sentences' vectors pooled from its word pieces and, unless `token_pass`, its
    token vectors. With `token_pass`, the passage's own text again in short segments for the
    token vectors; with ranking_sentences="separate", each new sentence on its own (with its
    context line) for the first-stage score. All of it is one list of inputs, sorted by
    length into batches: one embedding stage. What the previous generation holds for an
    unchanged passage is kept."""
    prev = layout.prev
    passages, sentences = layout.passages, layout.sentences
    dim = embedder.dim
    keep_tokens = 0 < len(passages) <= settings.token_vectors_max
    prev_store = prev.token_store if prev is not None else None
    token_parts: list[tuple[np.ndarray, np.ndarray] | None] = [
        prev.tokens_of(row) if keep_tokens and prev_store is not None and row >= 0 else None
        for row in layout.rows]
    matrix = _gather(prev.vectors if prev else None, layout.rows, dim)
    want_s = settings.sentence_vectors
    s_matrix = (_gather(prev.sentence_vectors if prev else None, layout.sentence_rows, dim)
                if want_s else np.zeros((0, dim), np.float32))
    if settings.ranking_sentences not in ("separate", "pooled"):
        raise BuildError(f"unknown ranking_sentences {settings.ranking_sentences!r}: "
                         "use 'separate' or 'pooled'")
    separate = want_s and settings.ranking_sentences == "separate"
    r_matrix = (_gather(prev.ranking_sentence_vectors if prev else None, layout.sentence_rows,
                        dim) if separate else None)

    work = (any(r < 0 for r in layout.rows) or any(r < 0 for r in layout.sentence_rows)
            or (keep_tokens and any(part is None for part in token_parts)))
    if work and hasattr(embedder, "load"):
        # Loaded before the embedding stage starts, so its time-left estimate is the model's.
        progress("model", 0, 1)
        embedder.load()
        progress("model", 1, 1)
    jobs: list[tuple[str, int, PassageInput]] = []
    segmenter = TokenEncoder(embedder, settings.token_segment)
    for i, p in enumerate(passages):
        a, b = layout.sentences_of[i]
        fresh_s = want_s and any(r < 0 for r in layout.sentence_rows[a:b])
        need_tokens = keep_tokens and token_parts[i] is None
        if layout.rows[i] < 0 or fresh_s or (need_tokens and not settings.token_pass):
            job = passage_input(p, sentences[a:b])
            if settings.token_pass or not need_tokens:
                job = replace(job, tokens=False)
            jobs.append(("passage", i, job))
        if need_tokens and settings.token_pass:
            # The segments the token store always had (index.tokens: lines, and sentences of
            # long lines, packed up to token_segment word pieces), each its own input.
            for seg in segmenter.segments(p.embedding_body()):
                jobs.append(("tokens", i, PassageInput(seg, 0, ())))
    if separate:
        for k, row in enumerate(layout.sentence_rows):
            if row < 0:
                text = sentence_embedding_text(sentences[k]["text"], sentences[k]["context"])
                jobs.append(("sentence", k, PassageInput(text, 0, (), tokens=False)))
    started = time.perf_counter()  # the embedding itself, model load excluded
    progress("embedding", 0, len(jobs))
    encoder = OnePassEncoder(embedder, settings.embed_window, settings.embed.batch_size)
    encoded, stats = encoder.encode([job for _, _, job in jobs],
                                    progress=lambda d, t: progress("embedding", d, t))
    token_pieces: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    for (kind, i, _), out in zip(jobs, encoded, strict=True):
        if kind == "sentence":
            r_matrix[i] = out.vector
        elif kind == "tokens":
            token_pieces.setdefault(i, []).append(out.tokens)
        else:
            if layout.rows[i] < 0:
                matrix[i] = out.vector
            if keep_tokens and token_parts[i] is None and not settings.token_pass:
                token_parts[i] = out.tokens
            if want_s:
                a, b = layout.sentences_of[i]
                fresh = [k for k in range(a, b) if layout.sentence_rows[k] < 0]
                if fresh:
                    s_matrix[fresh] = out.sentences[[k - a for k in fresh]]
    for i, pieces in token_pieces.items():  # a passage's segments, in order
        token_parts[i] = (np.concatenate([v for v, _ in pieces]).astype(np.float16),
                          np.concatenate([k for _, k in pieces]).astype(np.int64))
    tokens = _join_tokens(token_parts) if keep_tokens else None
    kinds = [kind for kind, _, _ in jobs]
    return Vectors(matrix, s_matrix, tokens, sum(1 for i in range(len(passages))
                                                 if layout.rows[i] < 0),
                   {"method": "one-pass", "passages": kinds.count("passage"),
                    "token_segments": kinds.count("tokens"),
                    "sentences": kinds.count("sentence"), "inputs": len(jobs),
                    "texts": stats.segments, "forward_passes": stats.batches,
                    "word_pieces": stats.word_pieces, "padded": stats.padded,
                    "seconds": round(time.perf_counter() - started, 3)},
                   ranking_sentences=r_matrix)


def _embed_separately(layout: Layout, embedder: Embedder, settings: IndexSettings,
                      progress: Progress) -> Vectors:
    """The way before issue 14, kept behind `IndexSettings(one_pass=False)` for bench/build.py:
    passages, then each sentence on its own with its context line, then the passages again
    in segments for the token vectors."""
    prev = layout.prev
    rows, sentence_rows = layout.rows, layout.sentence_rows
    if hasattr(embedder, "load") and (any(r < 0 for r in rows) or any(
            r < 0 for r in sentence_rows)):
        embedder.load()
    started = time.perf_counter()  # the embedding itself, model load excluded
    todo = [i for i, v in enumerate(rows) if v < 0]
    todo_s = [i for i, v in enumerate(sentence_rows) if v < 0] if settings.sentence_vectors else []
    total = len(todo) + len(todo_s)
    done = 0
    progress("embedding", 0, total)

    def tick(n: int) -> None:
        nonlocal done
        done += n
        progress("embedding", done, total)

    matrix = _gather(prev.vectors if prev else None, rows, embedder.dim)
    if todo:
        matrix[todo] = embedder.embed([layout.passages[i].embedding_text() for i in todo],
                                      progress=tick)
    if settings.sentence_vectors and sentence_rows:
        s_matrix = _gather(prev.sentence_vectors if prev else None, sentence_rows, embedder.dim)
    else:
        s_matrix = np.zeros((0, embedder.dim), dtype=np.float32)
    if todo_s:
        s_matrix[todo_s] = embedder.embed(
            [sentence_embedding_text(layout.sentences[i]["text"], layout.sentences[i]["context"])
             for i in todo_s], progress=tick)
    tokens, segments = _token_vectors(layout.passages, rows, prev, embedder, settings, progress)
    seconds = round(time.perf_counter() - started, 3)
    return Vectors(matrix, s_matrix, tokens, len(todo),
                   {"method": "separate", "passages": len(todo), "seconds": seconds,
                    "word_pieces": _word_pieces(embedder, layout, todo, todo_s, settings),
                    "texts": len(todo) + len(todo_s) + segments,
                    # batches of embed.batch_size (the token pass's 256-segment chunks each
                    # split into batches of 32 by sentence-transformers)
                    "forward_passes": sum(-(-n // b) for n, b in (
                        (len(todo), settings.embed.batch_size),
                        (len(todo_s), settings.embed.batch_size)))
                    + sum(-(-min(256, segments - k) // 32) for k in range(0, segments, 256))})


def _word_pieces(embedder, layout: Layout, todo: list[int], todo_s: list[int],
                 settings: IndexSettings) -> int:
    """(old path, for bench/build.py) Word pieces the model saw, specials included, counted
    after the timing: passages and sentences as truncated at 256, the token pass's segments."""
    if not hasattr(embedder, "load"):
        return 0
    model = embedder.load()
    tok = model.tokenizer
    texts = [layout.passages[i].embedding_text() for i in todo] + [
        sentence_embedding_text(layout.sentences[i]["text"], layout.sentences[i]["context"])
        for i in todo_s]
    with model_lock(model):
        n = sum(min(len(ids), 256) for ids in tok(texts)["input_ids"]) if texts else 0
    if 0 < len(layout.passages) <= settings.token_vectors_max:
        encoder = TokenEncoder(embedder, settings.token_segment)
        segs = [seg for i in todo for seg in encoder.segments(layout.passages[i].embedding_body())]
        with model_lock(model):
            n += sum(min(len(ids), 256) for ids in tok(segs)["input_ids"]) if segs else 0
    return n


def passage_input(p: Passage, sentences: list[dict[str, Any]], with_context: bool = False,
                  head: bool = True) -> PassageInput:
    """A passage's one-pass input: its text (the embedding text, title and headings first,
    unless `head` is False) and where each of its sentences is (with its context line's span
    when `with_context`: the nearest earlier occurrence of the context, else none)."""
    text = p.embedding_text() if head else p.embedding_body()
    body_text = p.embedding_body()
    body = len(text) - len(body_text)
    spans = sentence_spans(body_text, [s["text"] for s in sentences], body)
    contexts: tuple[tuple[int, int], ...] = ()
    if with_context:
        found = []
        for s, (a, _) in zip(sentences, spans, strict=True):
            c = s.get("context") or ""
            at = text.rfind(c, 0, a) if c else -1
            found.append((at, at + len(c)) if at >= 0 else (0, 0))
        contexts = tuple(found)
    return PassageInput(text, body, spans, contexts)


# -- stage 5: write the generation ----------------------------------------------------------

def write_changes(index_dir: Path, layout: Layout, vectors: Vectors,
                  records: dict[str, FileRecord], config: dict[str, Any],
                  settings: IndexSettings, progress: Progress) -> Path:
    progress("indexing", 0, 1)
    passages, prev_gen = layout.passages, layout.prev
    faiss_index, index_type = build_faiss(vectors.passages, settings)
    # The previous generation's token ids are reused for unchanged passages (issue 7).
    lexical = LexicalIndex.build([lexical_text(p) for p in passages], settings.lexical,
                                 previous=prev_gen.lexical if prev_gen is not None else None)
    manifest = Manifest(
        model=config["model"], chunker=config["chunker"], lexical=config["lexical"],
        reader_version=READER_VERSION, files=records, passages=len(passages),
        index_type=index_type, sentences=settings.sentence_vectors, tokens=config["tokens"],
        embedding=config["embedding"],
    )
    data = GenerationData(manifest, passages, vectors.passages, layout.sentences,
                          vectors.sentences, layout.retired,
                          glossary=build_glossary(passages), tokens=vectors.tokens,
                          ranking_sentence_vectors=vectors.ranking_sentences)
    serving = current_generation_name(index_dir)
    gens = index_dir / "generations"
    existing = set(os.listdir(gens)) if gens.is_dir() else set()
    try:
        folder = write_generation(index_dir, data, faiss_index, lexical)
    except Exception as exc:
        folder = _write_failed(index_dir, serving, existing, exc)
    progress("indexing", 1, 1)
    return folder


def _with_ocr_cache(limits: ReadLimits, index_dir: Path) -> ReadLimits:
    """OCR results are cached next to the generations, by file hash: an unchanged scan is not
    OCR'd again, even by a full rebuild."""
    if limits.ocr.cache_dir:
        return limits
    return replace(limits, ocr=replace(limits.ocr, cache_dir=str((index_dir / "ocr-cache").absolute())))


def _token_vectors(passages: list[Passage], prev_rows: list[int], prev_gen: LoadedIndex | None,
                   embedder: Embedder, settings: IndexSettings, progress: Progress
                   ) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray] | None, int]:
    """(old path) Each passage's token vectors (index.tokens) for the token store: reused from
    the previous generation for unchanged passages, encoded for the rest. None above
    token_vectors_max. Also returns the number of segments encoded."""
    if not 0 < len(passages) <= settings.token_vectors_max:
        return None, 0
    prev_store = prev_gen.token_store if prev_gen is not None else None
    parts: list[tuple[np.ndarray, np.ndarray] | None] = [
        prev_gen.tokens_of(row) if prev_store is not None and row >= 0 else None
        for row in prev_rows]
    todo = [i for i, part in enumerate(parts) if part is None]
    segments = 0
    if todo:
        encoder = TokenEncoder(embedder, settings.token_segment)

        def count(done: int, total: int) -> None:
            nonlocal segments
            segments = total
            progress("token vectors", done, total)

        encoded = encoder.encode_passages([passages[i].embedding_body() for i in todo], progress=count)
        for i, part in zip(todo, encoded, strict=True):
            parts[i] = part
    return _join_tokens(parts), segments


def _join_tokens(parts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    vecs = [np.asarray(v) for v, _ in parts]
    width = max((v.shape[1] for v in vecs), default=0)
    offsets = np.cumsum([0] + [len(k) for _, k in parts]).astype(np.int64)
    return (np.concatenate(vecs).astype(np.float16) if vecs else np.zeros((0, width), np.float16),
            np.concatenate([np.asarray(k, np.int64) for _, k in parts]), offsets)


def _gather(prev: np.ndarray | None, rows: list[int], dim: int) -> np.ndarray:
    """A float32 matrix with row i = prev[rows[i]] (rows[i] >= 0) or zeros (to be embedded)."""
    src = np.asarray(rows, dtype=np.int64)
    out = np.zeros((len(src), dim), dtype=np.float32)
    have = src >= 0
    if prev is not None and have.any():
        out[have] = prev[src[have]]
    return out


def _refuse(report: BuildReport, rel: str, reason: str) -> None:
    """A file that could not be indexed is listed under `failed` only."""
    report.failed.append({"file": rel, "reason": reason})
    for bucket in (report.added, report.updated):
        if rel in bucket:
            bucket.remove(rel)


MAX_RETIRED = 50_000
_ID_PREFIX = re.compile(r'\{"id": "([^"\\]+)"')


def _retired(index_dir: Path, passages: list[Passage], records: dict[str, FileRecord]) -> list[dict]:
    """Passages cited before but gone now (document edited or removed), so that an old
    citation can say what happened and point to the closest current passage."""
    folder = current_generation(index_dir)
    if folder is None:
        return []
    live = {p.id for p in passages}
    today = time.strftime("%Y-%m-%d")
    out: list[dict] = []
    for name in ("retired.jsonl", "passages.jsonl"):
        try:
            lines = (folder / name).read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for line in lines:
            # Speed (issue 7): passages.jsonl lines start with their id; a live passage (all
            # but the few edited or removed ones) is skipped without parsing its JSON.
            m = _ID_PREFIX.match(line)
            if m and m.group(1) in live:
                continue
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if row.get("id") in live:
                continue
            if name == "passages.jsonl":
                rec = records.get(row.get("file", ""))
                if rec is None or rec.status != "indexed":
                    reason = "the document was removed from the corpus"
                elif rec.sha256 == row.get("doc_sha256"):
                    # Same file, new cut: the words are still there under another passage id.
                    reason = "the passages were re-cut (reader or chunker changed)"
                else:
                    reason = "the document was edited or replaced"
                row = {**row, "retired": today, "reason": reason}
            out.append(row)
    seen: set[str] = set()
    unique = []
    for row in reversed(out):  # newest first wins
        if row["id"] not in seen:
            seen.add(row["id"])
            unique.append(row)
    return list(reversed(unique))[-MAX_RETIRED:]


def lexical_text(p: Passage) -> str:
    """BM25 sees the document title and headings too: they name what a passage is about."""
    return p.embedding_text()


LIST_ITEM = re.compile(r"^(?:[-–•*·▪●◦]|o(?=\s)|[a-z]\))\s+")


def is_label_line(line: str) -> bool:
    """A short line that is not a list item and does not end a sentence: a label or a lead-in
    ("‘Hard Federation’", "focus on", "Some of the more unusual support sources cited included")."""
    return (not LIST_ITEM.match(line) and len(line.split()) <= 12
            and not re.search(r"[.!?]$", line))


def passage_sentences(p: Passage) -> list[tuple[str, str]]:
    """Candidate answer sentences with their context: (sentence, context).

    Each list item and each sentence of each paragraph is a candidate. Its context is the line
    that introduces it (a list's lead-in, a label such as "‘Hard Federation’") or else the
    section heading: "A group of schools formed into a single legal entity" only answers
    "What is a hard federation?" when the model also sees the label above it.
    """
    out: list[tuple[str, str]] = []
    context = p.section[-1] if p.section else p.short_title
    open_prose = False  # the previous line was prose that ended mid-sentence
    for line in p.text.split("\n"):
        line = line.strip()
        if not line:
            continue
        is_item = bool(LIST_ITEM.match(line))
        if line == OMISSION:  # "[…]": words left out, not a sentence; the lead-in still governs
            open_prose = False
            continue
        pieces = [] if is_item else _whole_sentences(line)
        if open_prose and pieces and out and not is_label_line(line) and _continues(pieces[0]):
            # A sentence the line break cut ("... a specialised" / "‘corporate’ executive
            # team."): one unit, spanning the break exactly as the passage has it.
            joined = f"{out[-1][0]}\n{pieces[0]}"
            if joined in p.text:
                out[-1] = (joined, out[-1][1])
                pieces = pieces[1:]
                if not pieces:
                    open_prose = not _ends_sentence(joined)
                    continue
        if is_label_line(line):
            context = line  # a label or lead-in: it introduces what follows
            out.append((line, ""))
            open_prose = False
            continue
        pieces = [line] if is_item else pieces
        for piece in pieces:
            out.append((piece, context))
        open_prose = not is_item and bool(pieces) and len(line.split()) > 12 \
            and not _ends_sentence(pieces[-1])
        if not is_item and pieces and pieces[-1].endswith(":"):
            context = pieces[-1]
    return out


SHORT_SENTENCE = 5  # words: a shorter piece of a line is no answer alone; it joins a neighbour


def _whole_sentences(line: str) -> list[str]:
    """The line's sentences (ingest.split_sentences), a piece under SHORT_SENTENCE words joined
    to the sentence before it (or after it, when it comes first), verbatim as in the line."""
    pieces = split_sentences(line)
    if len(pieces) < 2:
        return pieces
    spans: list[list[int]] = []
    cursor = 0
    for piece in pieces:
        at = line.find(piece, cursor)
        if at < 0:
            return pieces  # not found verbatim: leave the split as it is
        spans.append([at, at + len(piece)])
        cursor = at + len(piece)
    k = 0
    while len(spans) > 1 and k < len(spans):
        a, b = spans[k]
        if len(line[a:b].split()) >= SHORT_SENTENCE:
            k += 1
            continue
        if k > 0:
            spans[k - 1][1] = b
        else:
            spans[1][0] = a
        del spans[k]
    return [line[a:b] for a, b in spans]


def _ends_sentence(text: str) -> bool:
    return bool(re.search(r"[.!?:;][’”'\")\]]*$", text.strip()))


def _continues(piece: str) -> bool:
    """Words that carry on the sentence the previous line left open: a lower-case start."""
    return bool(re.match(r"^[‘“\"'(\[]*[a-z]", piece))


def sentence_embedding_text(sentence: str, context: str) -> str:
    return f"{context}: {sentence}" if context else sentence


def _write_failed(index_dir: Path, serving: str | None, existing: set[str],
                  exc: Exception) -> Path:
    """A write failed. If CURRENT already names the new, complete generation (only tidying
    failed), carry on with it; otherwise remove what this build wrote (it holds the lock, so
    anything new is its own) and explain what to do."""
    now = current_generation_name(index_dir)
    if now and now != serving and (index_dir / "generations" / now).is_dir():
        return index_dir / "generations" / now
    import errno
    import shutil

    try:  # measured before the partial generation is removed and its space freed
        low_space = shutil.disk_usage(index_dir).free < 1024 * 1024
    except OSError:
        low_space = False
    text = str(exc)
    full = (getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or low_space
            or "No space left" in text or ("requested and" in text and "written" in text))
    gens = index_dir / "generations"
    for name in (set(os.listdir(gens)) if gens.is_dir() else set()) - existing:
        if name != serving:
            shutil.rmtree(gens / name, ignore_errors=True)
    try:
        (index_dir / "CURRENT.tmp").unlink()
    except OSError:
        pass
    kept = (f"the index being served ({serving}) is unchanged" if serving
            else "no index was written")
    if full:  # numpy reports a short write ("N requested and M written") without an errno
        raise IndexWriteError(
            errno.ENOSPC, f"the disk is full: the new index could not be written to {index_dir} "
                          f"({exc}); {kept}. Free some disk space and run `python -m ingest` again."
        ) from exc
    raise IndexWriteError(
        getattr(exc, "errno", None) or errno.EIO,
        f"the new index could not be written to {index_dir} ({type(exc).__name__}: {exc}); "
        f"{kept}. Check that the folder is writable and has free space, then run "
        "`python -m ingest` again.",
    ) from exc


def build_faiss(vectors: np.ndarray, settings: IndexSettings):
    """Exact inner-product search up to `settings.exact_search_max` passages, IVF above it.

    Inner product equals cosine similarity here because every vector is L2-normalised.
    The choice comes from bench/scale.py (bench/RESULTS.md, "Scale curve"): exact search
    costs under a quarter of embedding the question up to ~50k passages; above that an
    IVF index with nlist = 2 sqrt(n) and nprobe = 128 keeps recall@10 at 0.98 (100k) and
    0.997 (1M) against exact search in 2-7 ms, builds 8-14x faster than HNSW (whose recall
    fell to 0.83 at 1M with a build of comparable time), and loads memory-mapped. The type
    is recorded in the manifest (`index_type`).
    """
    import faiss

    n, dim = vectors.shape
    data = np.ascontiguousarray(vectors, dtype=np.float32)
    if n <= settings.exact_search_max:
        index = faiss.IndexFlatIP(dim)
        index.add(data)
        return index, "flat"
    nlist = max(1, min(int(2 * np.sqrt(n)), n // IVF_MIN_POINTS_PER_LIST))
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    index.cp.niter = 10
    rng = np.random.default_rng(0)  # a fixed sample: the same vectors give the same index
    sample = data[np.sort(rng.choice(n, size=min(n, 40 * nlist), replace=False))]
    index.train(sample)
    index.add(data)
    index.nprobe = min(nlist, IVF_NPROBE)  # stored in faiss.index
    return index, "ivf"


IVF_NPROBE = 128
IVF_MIN_POINTS_PER_LIST = 39  # FAISS's own floor for training k-means
