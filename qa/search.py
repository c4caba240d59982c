"""Answer a question from the index: fuse dense and BM25 rankings, grade the evidence, and
pick the sentences that answer it. Nothing is generated: every sentence is quoted."""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from threading import Lock
from typing import Any

import numpy as np

from index import (
    EmbedSettings,
    HashingEmbedder,
    IndexUnavailable,
    LoadedIndex,
    load_index,
    make_embedder,
)
from ingest import Passage

NOT_FOUND = "Not found in this evidence."


@dataclass(frozen=True)
class SearchSettings:
    k: int = 5
    candidates: int = 50  # from each retriever, before fusion
    fusion: str = "rrf"  # rrf | score
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    # Evidence level from the best passage's cosine similarity to the question; calibrated
    # on eval/questions.jsonl (see bench/RESULTS.md).
    strong_threshold: float = 0.45
    weak_threshold: float = 0.30
    answer_sentences: int = 3
    answer_passages: int = 3  # answer sentences are drawn from this many top passages
    answer_margin: float = 0.08  # a further sentence must score within this of the best
    cache_size: int = 256


@dataclass
class Filters:
    files: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    key_dimensions: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.files or self.doc_types or self.key_dimensions)

    def allows(self, p: Passage) -> bool:
        if self.files and p.file not in self.files:
            return False
        if self.doc_types and p.doc_type not in self.doc_types:
            return False
        for name, value in self.key_dimensions:
            if value and value.lower() not in p.key_dimensions.get(name, "").lower():
                return False
        return True


@dataclass
class Hit:
    passage: Passage
    score: float  # fused score
    similarity: float  # cosine similarity of passage and question
    lexical: float  # BM25 score
    rank: int

    def to_json(self) -> dict[str, Any]:
        p = self.passage
        return {
            "id": p.id, "text": p.text, "document": p.file, "title": p.title,
            "citation": p.citation, "page": p.page, "section": p.section_label,
            "score": round(float(self.score), 4), "similarity": round(float(self.similarity), 4),
            "doc_type": p.doc_type,
        }


@dataclass
class AnswerSentence:
    text: str
    passage_ids: list[str]
    score: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "passage_ids": self.passage_ids}


@dataclass
class Answer:
    question: str
    evidence: str  # strong | weak | none
    sentences: list[AnswerSentence]
    hits: list[Hit]
    seconds: float = 0.0
    generation: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.evidence != "none"

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "evidence": self.evidence,
            "answer": [s.to_json() for s in self.sentences],
            "passages": [h.to_json() for h in self.hits],
        }


def embedder_for(index: LoadedIndex, settings: EmbedSettings | None = None):
    """The embedder the index was built with (a fake-embedder index stays fake)."""
    model = index.manifest.model
    if model.get("name") == HashingEmbedder.name:
        return HashingEmbedder(dim=int(model["dim"]))
    # Questions are embedded in the precision the passages were (fp32 or bf16, per manifest).
    settings = replace(settings or EmbedSettings(), precision=model.get("precision", "fp32"))
    embedder = make_embedder(settings)
    if embedder.fingerprint() != model.get("weights_sha256") or embedder.dim != model.get("dim"):
        raise IndexUnavailable(
            f"the index was built with {model.get('name')} ({model.get('weights_sha256', '')[:12]}), "
            f"not the configured {embedder.name}; rebuild with: python -m ingest --full"
        )
    return embedder


class Searcher:
    """Searches one loaded index generation. Thread-safe; cheap per question."""

    def __init__(self, index: LoadedIndex, embedder, settings: SearchSettings | None = None):
        self.index = index
        self.embedder = embedder
        self.settings = settings or SearchSettings()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = Lock()

    @classmethod
    def open(cls, index_dir: Path, settings: SearchSettings | None = None,
             embed: EmbedSettings | None = None) -> Searcher:
        index = load_index(Path(index_dir))
        return cls(index, embedder_for(index, embed), settings)

    def warm_up(self) -> None:
        """Load the model now, so the first person to ask does not wait for it."""
        self.embed_query("warm up")

    def embed_query(self, question: str) -> np.ndarray:
        key = " ".join(question.lower().split())
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        vec = self.embedder.embed([question])[0]
        with self._lock:
            self._cache[key] = vec
            while len(self._cache) > self.settings.cache_size:
                self._cache.popitem(last=False)
        return vec

    def ask(self, question: str, k: int | None = None, filters: Filters | None = None) -> Answer:
        started = time.perf_counter()
        question = " ".join(question.split())
        k = k or self.settings.k
        if not question:
            return Answer(question, "none", [], [], notes=["empty question"])
        qvec = self.embed_query(question)
        hits = self.rank(question, qvec, k, filters)
        evidence = self.evidence_level(hits)
        # With no real evidence we still list the nearest passages, but quote none as an answer.
        sentences = self.answer_sentences(qvec, question, hits) if evidence != "none" else []
        return Answer(question, evidence, sentences, hits,
                      seconds=time.perf_counter() - started, generation=self.index.generation)

    def rank(self, question: str, qvec: np.ndarray, k: int, filters: Filters | None) -> list[Hit]:
        idx = self.index
        n = len(idx.passages)
        if n == 0:
            return []
        dense = idx.dense_scores(qvec)
        lexical = idx.lexical.scores(question, n)
        allowed = None
        if filters:
            allowed = np.array([filters.allows(p) for p in idx.passages])
            dense = np.where(allowed, dense, -np.inf)
            lexical = np.where(allowed, lexical, 0.0)
        fused = self.fuse(dense, lexical)
        if allowed is not None:
            fused = np.where(allowed, fused, -np.inf)
        # Speed (issue 7): only passages some retriever ranked have a positive fused score;
        # the top k is taken among those (same order, same ties) rather than over all passages.
        ranked = np.flatnonzero(fused > 0)
        top = ranked[_top(fused[ranked], k)] if len(ranked) >= k else _top(fused, k)
        return [Hit(idx.passages[i], float(fused[i]), float(dense[i]), float(lexical[i]), r + 1)
                for r, i in enumerate(top) if np.isfinite(fused[i])]

    def fuse(self, dense: np.ndarray, lexical: np.ndarray) -> np.ndarray:
        s = self.settings
        if s.fusion == "score":
            return s.dense_weight * _minmax(dense) + s.lexical_weight * _minmax(lexical)
        fused = np.zeros(len(dense), dtype=np.float64)
        c = min(s.candidates, len(dense))
        for scores, weight, need_positive in ((dense, s.dense_weight, False),
                                              (lexical, s.lexical_weight, True)):
            # Speed (issue 7): top c by partition, not a full sort, and the RRF sum done in
            # numpy, not a Python loop. Same result: a rank counts only while the score is
            # finite (and positive, for BM25); scores are descending, so the first
            # non-positive BM25 score ends the list as the loop's `break` did.
            order = _top(scores, c)
            top = scores[order]
            keep = np.isfinite(top)
            if need_positive:
                keep &= np.cumprod(top > 0).astype(bool)
            ranks = np.arange(len(order))
            fused[order[keep]] += weight / (s.rrf_k + ranks[keep] + 1)
        return fused

    def evidence_level(self, hits: list[Hit]) -> str:
        if not hits:
            return "none"
        best = max(h.similarity for h in hits)
        if best >= self.settings.strong_threshold:
            return "strong"
        if best >= self.settings.weak_threshold:
            return "weak"
        return "none"

    def answer_sentences(self, qvec: np.ndarray, question: str, hits: list[Hit]) -> list[AnswerSentence]:
        idx = self.index
        q_terms = set(_terms(question))
        candidates: list[tuple[float, str, str]] = []
        top_hits = hits[: self.settings.answer_passages]
        # Speed (issue 7): the similarities of all candidate sentences in one matrix product
        # (one gather from the memory-mapped array, not one read per sentence).
        rows = [j for hit in top_hits for j in idx.sentences_of.get(idx.by_id[hit.passage.id], [])]
        sims = {}
        if rows and len(idx.sentence_vectors):
            sims = dict(zip(rows, (idx.sentence_vectors[np.asarray(rows)] @ qvec).tolist(),
                            strict=True))
        for rank, hit in enumerate(top_hits):
            row = idx.by_id[hit.passage.id]
            for j in idx.sentences_of.get(row, []):
                text = idx.sentences[j]["text"]
                is_label, terms = _sentence_features(text)  # cached: same words, same result
                if is_label:
                    continue
                sim = sims.get(j, 0.0)
                overlap = len(q_terms & terms) / (len(q_terms) or 1)
                # Sentences from higher-ranked passages get a small head start.
                score = sim + 0.15 * overlap - 0.05 * rank
                candidates.append((score, text, hit.passage.id))
        if not candidates:
            return []
        candidates.sort(key=lambda c: -c[0])
        best = candidates[0][0]
        chosen: list[AnswerSentence] = []
        for score, text, pid in candidates:
            shown = _display_sentence(text)
            same = next((s for s in chosen if s.text == shown), None)
            if same is not None:
                if pid not in same.passage_ids:
                    same.passage_ids.append(pid)
                continue
            if len(chosen) >= self.settings.answer_sentences or score < best - self.settings.answer_margin:
                break
            chosen.append(AnswerSentence(shown, [pid], score))
        return chosen


_MARKER = re.compile(r"^(?:[-–•*·▪●◦]|o(?=\s)|[a-z]\))\s+")


def _is_label(text: str) -> bool:
    """A heading or label line ("Types of federation", "Materials"): not an answer."""
    if _MARKER.match(text):
        return len(text.split()) < 3
    return len(text.split()) <= 6 and not re.search(r"[.!?;:]$", text.strip())


def _display_sentence(text: str) -> str:
    """Answer sentences drop the list marker: the words themselves are verbatim."""
    return re.sub(r"^(?:[-–•*·▪●◦]|o(?=\s))\s+", "", text.strip())


_STOP = {"the", "a", "an", "of", "to", "in", "and", "or", "is", "are", "what", "how", "do",
         "does", "should", "we", "i", "it", "for", "on", "be", "can", "who", "which", "when",
         "why", "with", "our", "my", "their", "they", "that", "this", "there", "as", "at", "by"}


def _terms(text: str) -> list[str]:
    return [w[:6] for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP]


@lru_cache(maxsize=65536)
def _sentence_features(text: str) -> tuple[bool, frozenset[str]]:
    """(_is_label(text), set(_terms(text))), cached: the same sentences come up again and
    again as answer candidates, and re-tokenising them was most of a query's own cost."""
    return _is_label(text), frozenset(_terms(text))


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest scores, highest first (ties: lower index first), without
    sorting the whole array: O(n) partition, then a sort of k. Speed only (issue 7)."""
    n = len(scores)
    k = min(k, n)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    neg = -np.asarray(scores)
    if neg.dtype.kind != "f":
        neg = neg.astype(np.float64)
    elif np.isnan(neg).any():
        neg = np.where(np.isnan(neg), np.inf, neg)  # NaN last, as in a sort
    part = np.argpartition(neg, k - 1)[:k] if k < n else np.arange(n)
    # Ties at the cut are resolved towards lower indices, so the result is deterministic.
    cut = neg[part].max()
    better = part[neg[part] < cut]
    part = np.concatenate([better, np.flatnonzero(neg == cut)[: k - len(better)]])
    return part[np.lexsort((part, neg[part]))]


def _minmax(x: np.ndarray) -> np.ndarray:
    finite = np.isfinite(x)
    if not finite.any():
        return np.zeros_like(x, dtype=np.float64)
    lo, hi = x[finite].min(), x[finite].max()
    out = np.zeros_like(x, dtype=np.float64)
    if hi > lo:
        out[finite] = (x[finite] - lo) / (hi - lo)
    out[~finite] = -np.inf
    return out
