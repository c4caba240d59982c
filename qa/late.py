"""Late interaction: token-level MaxSim with the same MiniLM, to re-rank the best candidates.

A passage vector is one average over all its words, so a question that shares two or three
exact ideas with one line of a long passage ("Is it a mistake for the strong school to charge
in and rescue the weak one?" against "Over enthusiasm from the 'stronger' institution to 'help'
the 'weaker' institution") scores no better than a passage that is vaguely about the same topic.
Late interaction (as in ColBERT) keeps one contextual vector per word piece instead: every
question word piece finds its best match anywhere in the passage, and the passage scores the
IDF-weighted mean of those best matches. We use MiniLM's own token outputs (the vectors it
averages into a sentence embedding), so there is no extra model: only a second use of the one
the product ships.

Passages are encoded in segments of at most `segment_tokens` word pieces cut at line and
sentence ends, so that no text falls past the model's 256-piece window and each word's vector
reflects its own sentence (index.tokens). The index stores every passage's token vectors at
build time, so a question costs one pass of the model; for an index without them (very large,
or built before they existed) they are computed on demand for the passages being re-ranked, kept
in memory (float16) by passage id and text, and can be preloaded (`preload`) by a benchmark.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable

import numpy as np

from index.tokens import SEGMENT_TOKENS, TokenEncoder  # noqa: F401 (SEGMENT_TOKENS re-exported)

# The question's "rare" word pieces (score_union_rest_rare): those weighing at least this share
# of its heaviest (round 10; 0.5 fixed before fitting the "none" rule on it).
RARE_SHARE = 0.5


class LateInteraction:
    """Scores passages for a question by IDF-weighted token MaxSim. Thread-safe."""

    def __init__(self, embedder, segment_tokens: int = SEGMENT_TOKENS, cache_size: int = 50_000):
        self.encoder = TokenEncoder(embedder, segment_tokens)
        self.cache_size = cache_size
        self._cache: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()
        self._df: dict[int, int] | None = None
        self._n_docs = 0
        self._queries: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()

    @staticmethod
    def key(passage_id: str, text: str) -> str:
        return passage_id + ":" + hashlib.blake2b(text.encode(), digest_size=8).hexdigest()

    def preload(self, items: Iterable[tuple[str, str, tuple[np.ndarray, np.ndarray]]]) -> None:
        """(passage id, text, (vectors, keys)) computed elsewhere, e.g. a benchmark's cache."""
        with self._lock:
            for pid, text, value in items:
                self._cache[self.key(pid, text)] = value

    def passage_tokens(self, items: list[tuple[str, str]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Token vectors of (passage id, text) pairs, encoding only those not cached."""
        keys = [self.key(pid, text) for pid, text in items]
        with self._lock:
            found = {k: self._cache[k] for k in keys if k in self._cache}
        todo = list(dict.fromkeys(k for k in keys if k not in found))
        if todo:
            texts = {self.key(pid, text): text for pid, text in items}
            fresh = self.encoder.encode_passages([texts[k] for k in todo])
            with self._lock:
                for k, v in zip(todo, fresh, strict=True):
                    self._cache[k] = v
                    found[k] = v
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return [found[k] for k in keys]

    def fit_idf_keys(self, keys_per_passage: Iterable[np.ndarray]) -> None:
        """Document frequency of each token key from stored token keys (one array per passage)."""
        df: dict[int, int] = {}
        passages = 0
        for keys in keys_per_passage:
            passages += 1
            for k in np.unique(np.asarray(keys)).tolist():
                df[k] = df.get(k, 0) + 1
        self._df, self._n_docs = df, passages

    def fit_idf(self, texts: Iterable[str], sample: int = 50_000) -> None:
        """Document frequency of each token key over the passages (a sample of them when the
        index is very large): IDF weights the question's word pieces."""
        df: dict[int, int] = {}
        n = 0
        for n, text in enumerate(texts, 1):
            for k in set(self.encoder.keys(text)):
                df[k] = df.get(k, 0) + 1
            if n >= sample:
                break
        self._df, self._n_docs = df, n

    def weights(self, keys: np.ndarray) -> np.ndarray:
        n = self._n_docs or 1
        df = self._df or {}
        w = np.array([math.log((n + 1) / (df.get(int(k), 0) + 0.5)) for k in keys], dtype=np.float32)
        return np.maximum(w, 0.05)

    def remember_query(self, question: str, tokens: tuple[np.ndarray, np.ndarray]) -> None:
        """Token vectors of a question computed along with its sentence vector."""
        with self._lock:
            self._queries[question] = tokens
            self._queries.move_to_end(question)
            while len(self._queries) > 256:
                self._queries.popitem(last=False)

    def query(self, question: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        with self._lock:
            tokens = self._queries.get(question)
        if tokens is None:
            tokens = self.encoder.encode([question])[0]
            self.remember_query(question, tokens)
        vecs, keys = tokens
        return vecs.astype(np.float32), keys, self.weights(keys)

    @staticmethod
    def score(query: tuple[np.ndarray, np.ndarray, np.ndarray],
              passages: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """IDF-weighted mean, over question tokens, of each token's best cosine in a passage."""
        return LateInteraction.score_and_union(query, passages)[0]

    @staticmethod
    def score_and_union(query: tuple[np.ndarray, np.ndarray, np.ndarray],
                        passages: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, float]:
        """`score`, and the same IDF-weighted mean taken over the passages together: each
        question token's best cosine in any of them. The second says how much of the question
        the candidates speak of at all (qa.search grades "none" on it); it comes from the same
        product, at no extra cost."""
        out, union, _ = LateInteraction.score_union_rest(query, passages)
        return out, union

    @staticmethod
    def score_union_rest(query: tuple[np.ndarray, np.ndarray, np.ndarray],
                         passages: list[tuple[np.ndarray, np.ndarray]]
                         ) -> tuple[np.ndarray, float, float]:
        """`score_and_union`, and the union without its largest term: the IDF-weighted mean
        best match of the question's other tokens once the one that adds most is left out.
        A question that shares one word with the evidence in another sense ("What's the
        capital of Australia?": "capital", from "capitalised upon") has a union carried by
        that word; the rest is low. Same product, no extra cost."""
        return LateInteraction.score_union_rest_rare(query, passages)[:3]

    @staticmethod
    def score_union_rest_rare(query: tuple[np.ndarray, np.ndarray, np.ndarray],
                              passages: list[tuple[np.ndarray, np.ndarray]],
                              share: float = RARE_SHARE
                              ) -> tuple[np.ndarray, float, float, float]:
        """`score_union_rest`, and `rare` (round 10): the IDF-weighted mean best match, in any
        of the passages, of the question's rarest word pieces (those weighing at least `share`
        of the heaviest; `_rare`). An off-topic question that shares its common words with the
        evidence ("Best way to train for a half marathon?") has its rarest word matched by
        nothing. Same product, no extra cost."""
        qv, _, w = query
        out = np.zeros(len(passages), dtype=np.float32)
        if not len(query[1]) or w.sum() <= 0:
            return out, 0.0, 0.0, 0.0
        qkeys = query[1]
        rows = [i for i, (_, pkeys) in enumerate(passages) if len(pkeys)]
        if not rows:
            return out, 0.0, 0.0, 0.0
        if qv.shape[1] == 0:  # the test stand-in: a token matches only itself
            every = np.zeros(len(qkeys), dtype=np.float32)
            for i in rows:
                best = np.isin(qkeys, passages[i][1]).astype(np.float32)
                out[i] = float((w * best).sum() / w.sum())
                every = np.maximum(every, best)
        else:
            # All candidates' tokens in one product, then each passage's best match per
            # question token (maximum over that passage's columns).
            tokens = np.concatenate([passages[i][0] for i in rows]).astype(np.float32, copy=False)
            starts = np.cumsum([0] + [len(passages[i][1]) for i in rows[:-1]])
            best = np.maximum.reduceat(qv @ tokens.T, starts, axis=1)  # [question tokens, rows]
            out[rows] = (w @ best) / w.sum()
            every = best.max(axis=1)
        return out, float((w @ every) / w.sum()), _rest(w, every), _rare(w, every, share)


def _rest(w: np.ndarray, every: np.ndarray) -> float:
    """IDF-weighted mean of `every` without its largest weighted term (0 for one token)."""
    terms = w * every
    top = int(np.argmax(terms))
    left = float(w.sum() - w[top])
    return float((terms.sum() - terms[top]) / left) if len(w) > 1 and left > 0 else 0.0


def _rare(w: np.ndarray, every: np.ndarray, share: float = RARE_SHARE) -> float:
    """IDF-weighted mean of `every` over the question's rarest pieces: those whose weight is
    at least `share` of the largest (0: every piece)."""
    if not len(w):
        return 0.0
    keep = w >= share * float(w.max())
    total = float(w[keep].sum())
    return float((w[keep] * every[keep]).sum() / total) if total > 0 else 0.0
