"""The index folder: generations written aside and switched to atomically.

    INDEX/
      CURRENT             name of the generation being served (replaced by rename)
      build.lock          held while a build runs
      generations/g-*/    manifest.json, passages.jsonl, vectors.npy, faiss.index,
                          bm25/, sentences.json, sentence_vectors.npy,
                          [sentence_vectors_ranking.npy], [token_*.npy]

A build writes a new generation folder, fsyncs it, then renames CURRENT.tmp over CURRENT.
A crash at any point leaves CURRENT naming the previous, complete generation.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from ingest import Passage, file_sha256

from .lexical import LexicalIndex, LexicalSettings

FORMAT_VERSION = 1
KEEP_GENERATIONS = 2
CHECKED_FILES = ("passages.jsonl", "vectors.npy", "faiss.index")
# Per-passage token vectors for late interaction (index.tokens); absent from generations that
# were written without them (too many passages, or before they existed).
TOKEN_FILES = ("token_vectors.npy", "token_keys.npy", "token_offsets.npy")
# Sentence vectors for the first-stage best-sentence score when they are not the answer
# sentences' ones (each sentence embedded on its own; index.build, issue 14).
RANKING_SENTENCES = "sentence_vectors_ranking.npy"


class IndexUnavailable(RuntimeError):
    """No usable index: the message says what to do next."""


@dataclass
class FileRecord:
    """What happened to one corpus file, shown in the Sources table and `--json` output."""

    file: str
    sha256: str
    size: int
    mtime: float
    status: str  # indexed | refused | unsupported
    reason: str = ""  # plain words, for refused files
    reason_code: str = ""
    warnings: list[str] = field(default_factory=list)
    passages: int = 0
    title: str = ""
    short_title: str = ""
    doc_type: str = ""
    author: str = ""
    year: str = ""
    pages: int | None = None
    added: str = ""
    reader_version: str = ""


@dataclass
class Manifest:
    model: dict[str, Any]
    chunker: dict[str, Any]
    lexical: dict[str, Any]
    reader_version: str
    files: dict[str, FileRecord]
    passages: int
    index_type: str = "flat"
    sentences: bool = True
    tokens: dict[str, Any] = field(default_factory=dict)  # token-vector settings (index.build)
    # How the vectors were made (index.build._embedding_config); {} before issue 14.
    embedding: dict[str, Any] = field(default_factory=dict)
    format: int = FORMAT_VERSION
    created: str = ""
    generation: str = ""
    checksums: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        # Shallow conversion (fields are plain JSON values): asdict deep-copies every file
        # record, which cost ~0.3 s per rebuild at 5k files (issue 7).
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["files"] = {k: {f.name: getattr(r, f.name) for f in fields(r)}
                         for k, r in self.files.items()}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        data = dict(data)
        data["files"] = {k: FileRecord(**v) for k, v in data.get("files", {}).items()}
        return cls(**data)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    for p in sorted(path.rglob("*")):
        if p.is_file():
            with p.open("rb") as fh:
                os.fsync(fh.fileno())
    for p in sorted([path, *[q for q in path.rglob("*") if q.is_dir()]]):
        _fsync_dir(p)



def current_generation_name(index_dir: Path) -> str | None:
    try:
        return (Path(index_dir) / "CURRENT").read_text().strip() or None
    except OSError:
        return None


def current_generation(index_dir: Path) -> Path | None:
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        return None
    name = pointer.read_text().strip()
    path = index_dir / "generations" / name
    return path if name and path.is_dir() else None


def read_manifest(index_dir: Path) -> Manifest | None:
    gen = current_generation(index_dir)
    if gen is None:
        return None
    try:
        return Manifest.from_json(json.loads((gen / "manifest.json").read_text()))
    except (OSError, ValueError, TypeError) as exc:
        raise IndexUnavailable(
            f"the index manifest in {gen} is unreadable ({exc}); "
            "rebuild it with: python -m ingest --full"
        ) from exc


@dataclass
class GenerationData:
    """Everything a generation holds, ready to be written."""

    manifest: Manifest
    passages: list[Passage]
    vectors: np.ndarray
    sentences: list[dict[str, Any]]
    sentence_vectors: np.ndarray
    retired: list[dict[str, Any]] = field(default_factory=list)
    glossary: list[dict[str, str]] = field(default_factory=list)  # ingest.glossary entries
    # (vectors float16 [T, dim], keys int64 [T], offsets int64 [passages + 1]): passage i's
    # token vectors are rows offsets[i]:offsets[i + 1]. None: not stored.
    tokens: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    # Row i: sentence i embedded on its own, for the first-stage score. None: the first stage
    # uses sentence_vectors too.
    ranking_sentence_vectors: np.ndarray | None = None


def write_generation(index_dir: Path, data: GenerationData, faiss_index, lexical: LexicalIndex) -> Path:
    """Write a complete generation aside, then switch CURRENT to it atomically."""
    gens = index_dir / "generations"
    gens.mkdir(parents=True, exist_ok=True)
    name = time.strftime("g-%Y%m%d-%H%M%S") + f"-{os.getpid()}-{time.time_ns() % 10**6:06d}"
    tmp = gens / (".tmp-" + name)
    tmp.mkdir()
    with (tmp / "passages.jsonl").open("w", encoding="utf-8") as fh:
        # The same JSON as Passage.to_json() (asdict), without asdict's deep copy (issue 7).
        names = [f.name for f in fields(Passage)]
        for p in data.passages:
            fh.write(json.dumps({n: getattr(p, n) for n in names}, ensure_ascii=False) + "\n")
    np.save(tmp / "vectors.npy", data.vectors.astype(np.float32))
    import faiss

    faiss.write_index(faiss_index, str(tmp / "faiss.index"))
    lexical.save(tmp / "bm25")
    (tmp / "sentences.json").write_text(json.dumps(data.sentences, ensure_ascii=False))
    np.save(tmp / "sentence_vectors.npy", data.sentence_vectors.astype(np.float32))
    with (tmp / "retired.jsonl").open("w", encoding="utf-8") as fh:
        for row in data.retired:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (tmp / "glossary.json").write_text(json.dumps(data.glossary, ensure_ascii=False, indent=1))
    checked = CHECKED_FILES
    if data.ranking_sentence_vectors is not None:
        np.save(tmp / RANKING_SENTENCES, data.ranking_sentence_vectors.astype(np.float32))
        checked += (RANKING_SENTENCES,)
    if data.tokens is not None:
        for fname, array in zip(TOKEN_FILES, data.tokens, strict=True):
            np.save(tmp / fname, array)
        checked += TOKEN_FILES
    data.manifest.generation = name
    data.manifest.created = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    data.manifest.checksums = {f: file_sha256(tmp / f) for f in checked}
    (tmp / "manifest.json").write_text(json.dumps(data.manifest.to_json(), indent=1, ensure_ascii=False))
    _fsync_tree(tmp)
    final = gens / name
    os.rename(tmp, final)
    _fsync_dir(gens)
    pointer_tmp = index_dir / "CURRENT.tmp"
    with pointer_tmp.open("w") as fh:
        fh.write(name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(pointer_tmp, index_dir / "CURRENT")
    _fsync_dir(index_dir)
    prune_generations(index_dir)
    return final


def prune_generations(index_dir: Path, keep: int = KEEP_GENERATIONS) -> None:
    """Delete old generations and abandoned temporary folders, never the current one."""
    gens = index_dir / "generations"
    current = current_generation(index_dir)
    if not gens.exists():
        return
    for tmp in gens.glob(".tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)
    done = sorted((p for p in gens.iterdir() if p.name.startswith("g-")), key=lambda p: p.name)
    for old in done[:-keep]:
        if current is None or old.resolve() != current.resolve():
            shutil.rmtree(old, ignore_errors=True)


class LoadedIndex:
    """A generation loaded for searching. Immutable: a rebuild produces a new one."""

    def __init__(self, folder: Path, manifest: Manifest, passages: list[Passage],
                 vectors: np.ndarray, faiss_index, lexical: LexicalIndex,
                 sentences: list[dict[str, Any]], sentence_vectors: np.ndarray):
        self.folder = folder
        self.manifest = manifest
        self.passages = passages
        self.vectors = vectors
        self._faiss = faiss_index  # None for a flat index until something asks for it
        self.lexical = lexical
        self.sentences = sentences
        self.sentence_vectors = sentence_vectors
        self.by_id = {p.id: i for i, p in enumerate(passages)}
        self._retired: dict[str, dict[str, Any]] | None = None
        self.by_file: dict[str, list[int]] = {}
        for i, p in enumerate(passages):
            self.by_file.setdefault(p.file, []).append(i)
        # Sentences of each passage, for answer extraction without re-splitting at query time.
        self.sentences_of: dict[int, list[int]] = {}
        for j, s in enumerate(sentences):
            row = self.by_id.get(s["pid"])
            if row is not None:
                self.sentences_of.setdefault(row, []).append(j)

    @property
    def faiss(self):
        """The FAISS index. A flat index is searched through the memory-mapped vectors
        (dense_scores), so its faiss.index is only read, memory-mapped, when asked for."""
        if self._faiss is None:
            self._faiss = read_faiss(self.folder / "faiss.index")
        return self._faiss

    @property
    def generation(self) -> str:
        return self.manifest.generation

    @property
    def token_store(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(vectors, keys, offsets) memory-mapped, or None when this generation has none."""
        if not hasattr(self, "_token_store"):
            store = None
            if all((self.folder / f).exists() for f in TOKEN_FILES):
                store = tuple(np.load(self.folder / f, mmap_mode="r") for f in TOKEN_FILES)
                if len(store[2]) != len(self.passages) + 1:
                    store = None  # not this generation's passages: never mix them up
            self._token_store = store
        return self._token_store

    @property
    def ranking_sentence_vectors(self) -> np.ndarray:
        """Sentence vectors for the first-stage best-sentence score: each sentence embedded
        on its own where the generation has them, else the answer sentences' vectors."""
        if not hasattr(self, "_ranking_sentences"):
            path = self.folder / RANKING_SENTENCES
            vecs = np.load(path, mmap_mode="r") if path.exists() else None
            if vecs is None or len(vecs) != len(self.sentence_vectors):
                vecs = self.sentence_vectors  # never rows of other sentences
            self._ranking_sentences = vecs
        return self._ranking_sentences

    def tokens_of(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        """Passage `row`'s token vectors and keys (index.tokens); needs a token store."""
        vecs, keys, offsets = self.token_store
        start, end = int(offsets[row]), int(offsets[row + 1])
        return vecs[start:end], keys[start:end]

    def passage(self, passage_id: str) -> Passage | None:
        i = self.by_id.get(passage_id)
        return None if i is None else self.passages[i]

    def retired(self, passage_id: str) -> dict[str, Any] | None:
        """A passage that was in an earlier generation, with why it is gone."""
        if self._retired is None:
            self._retired = {}
            path = self.folder / "retired.jsonl"
            if path.exists():
                for line in path.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        row = json.loads(line)
                        self._retired[row["id"]] = row
        return self._retired.get(passage_id)

    @property
    def glossary(self) -> list[dict[str, str]]:
        """Terms the corpus defines ({"term", "expansion", "passage_id"}; see ingest.glossary),
        sorted by term. Empty for a generation written before glossaries existed."""
        if getattr(self, "_glossary", None) is None:
            try:
                self._glossary = json.loads((self.folder / "glossary.json").read_text("utf-8"))
            except (OSError, ValueError):
                self._glossary = []
        return self._glossary

    def neighbours(self, passage_id: str, before: int = 1, after: int = 1) -> list[Passage]:
        i = self.by_id.get(passage_id)
        if i is None:
            return []
        row = self.by_file[self.passages[i].file]
        pos = row.index(i)
        return [self.passages[j] for j in row[max(0, pos - before):pos + after + 1]]

    def dense_scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query to every passage (inner product: vectors are unit)."""
        if not self.passages:
            return np.zeros(0, dtype=np.float32)
        if self.manifest.index_type == "flat":
            return flat_scores(self.vectors, query_vector)
        k = min(len(self.passages), 200)
        scores, ids = self.faiss.search(query_vector.reshape(1, -1).astype(np.float32), k)
        out = np.full(len(self.passages), -1.0, dtype=np.float32)
        valid = ids[0] >= 0
        out[ids[0][valid]] = scores[0][valid]
        return out


def flat_scores(vectors: np.ndarray, query_vector: np.ndarray) -> np.ndarray:
    """Exact inner products of the query with every row (memory-mapped is fine).

    einsum runs on the calling thread. `vectors @ q` goes through the BLAS thread pool, and on
    a busy machine waking its second thread cost ~16 ms per call however small the index
    (bench/scale.py --flat-sweep; issue 7), more than embedding the question."""
    return np.einsum("ij,j->i", vectors, np.asarray(query_vector, dtype=np.float32))


def load_index(index_dir: Path | str, verify: bool = True) -> LoadedIndex:
    """Load the current generation; if it is damaged, fall back to the previous one."""
    index_dir = Path(index_dir)
    gen = current_generation(index_dir)
    if gen is None:
        raise IndexUnavailable(
            f"no index in {index_dir}: build one with: python -m ingest --index {index_dir}"
        )
    from ingest.ocr import remember_cache

    remember_cache(index_dir / "ocr-cache")  # quotes from scans are checked without new OCR
    try:
        return _load_generation(gen, verify)
    except IndexUnavailable as first:
        for older in sorted((index_dir / "generations").glob("g-*"), reverse=True):
            if older.name == gen.name:
                continue
            try:
                loaded = _load_generation(older, verify)
            except IndexUnavailable:
                continue
            loaded.fallback_reason = str(first)
            return loaded
        raise


def read_faiss(path: Path):
    """faiss.read_index memory-mapped where FAISS can (IVF lists, flat and HNSW storage), so a
    large index is paged in on demand and shared between processes, not copied into RAM."""
    import faiss

    for flag in ("IO_FLAG_MMAP_IFC", "IO_FLAG_MMAP"):
        if hasattr(faiss, flag):
            try:
                return faiss.read_index(str(path), getattr(faiss, flag))
            except RuntimeError:
                continue  # this index type cannot be memory-mapped: read it whole
    return faiss.read_index(str(path))


def _load_generation(gen: Path, verify: bool) -> LoadedIndex:
    try:
        manifest = Manifest.from_json(json.loads((gen / "manifest.json").read_text()))
    except (OSError, ValueError, TypeError) as exc:
        raise IndexUnavailable(
            f"index generation {gen.name} has an unreadable manifest ({exc}); "
            "rebuild with: python -m ingest --full"
        ) from exc
    if manifest.format != FORMAT_VERSION:
        raise IndexUnavailable(
            f"index generation {gen.name} has format {manifest.format}, this version reads "
            f"{FORMAT_VERSION}; rebuild with: python -m ingest --full"
        )
    if verify:
        for name, digest in manifest.checksums.items():
            path = gen / name
            if not path.exists() or file_sha256(path) != digest:
                raise IndexUnavailable(
                    f"index file {path} is damaged (checksum mismatch); "
                    "rebuild with: python -m ingest --full"
                )
    try:
        passages = [Passage.from_json(json.loads(line))
                    for line in (gen / "passages.jsonl").read_text(encoding="utf-8").splitlines()
                    if line.strip()]
        vectors = np.load(gen / "vectors.npy", mmap_mode="r")
        # Speed (issue 7): a flat index never touches faiss at query time (and `import faiss`
        # is not free), so it is read lazily; an approximate one is needed at once.
        faiss_index = None if manifest.index_type == "flat" else read_faiss(gen / "faiss.index")
        lexical = LexicalIndex.load(gen / "bm25", LexicalSettings(**manifest.lexical))
        sentences = json.loads((gen / "sentences.json").read_text(encoding="utf-8"))
        sentence_vectors = np.load(gen / "sentence_vectors.npy", mmap_mode="r")
    except Exception as exc:
        raise IndexUnavailable(
            f"index generation {gen.name} could not be loaded ({type(exc).__name__}: {exc}); "
            "rebuild with: python -m ingest --full"
        ) from exc
    loaded = LoadedIndex(gen, manifest, passages, vectors, faiss_index, lexical,
                         sentences, sentence_vectors)
    loaded.fallback_reason = ""
    return loaded
