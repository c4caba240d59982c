"""Token vectors for late interaction: MiniLM's contextual output for each word piece.

A passage vector is one average over all its words; late interaction (qa/late.py) keeps one
vector per word piece instead, so that each question word can find its best match anywhere in a
passage. These are the vectors sentence-transformers averages into a sentence embedding, so
there is no second model: only a second use of the one the product ships.

Passages are encoded in segments of at most `segment_tokens` word pieces cut at line and
sentence ends, so that no text falls past the model's 256-piece window and each word's vector
reflects its own sentence. The index stores them per passage at build time (index.build,
`IndexSettings.token_vectors_max`) so the query path only encodes the question.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable

import numpy as np

from ingest import split_sentences

from .embedder import model_lock

SEGMENT_TOKENS = 64

_FAKE_WORD = re.compile(r"[a-z0-9]+")
_FAKE_STOP = frozenset(
    "a an and are as at be been but by can could did do does for from had has have how i if in "
    "into is it its may me might must my no not of on or our s should so than that the their "
    "them then there these they this those to us was we were what when where which who why "
    "will with would you your".split())


class TokenEncoder:
    """Token vectors and token keys (word-piece ids) from an embedder's model."""

    def __init__(self, embedder, segment_tokens: int = SEGMENT_TOKENS, batch_size: int = 32):
        self.embedder = embedder
        self.segment_tokens = segment_tokens
        self.batch_size = batch_size
        self.fake = not hasattr(embedder, "load")
        self.dim = int(getattr(embedder, "dim", 0))
        self._model = None
        self._lock = threading.Lock()

    # -- model access --------------------------------------------------------------------
    def _load(self):
        with self._lock:
            if self._model is None:
                self._model = self.embedder.load()
        return self._model

    @property
    def tokenizer(self):
        return self._load().tokenizer

    def keys(self, text: str) -> list[int]:
        """Token keys of a text as the encoder would see them (for document frequencies)."""
        if self.fake:
            return [int(k) for k in _fake_tokens(text)[1]]
        model = self._load()
        with model_lock(model):
            ids = model.tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"]
        return [i for i in ids if i in self._content_ids()]

    def _content_ids(self) -> frozenset[int]:
        cached = getattr(self, "_content", None)
        if cached is None:
            model = self._load()
            with model_lock(model):
                vocab = model.tokenizer.get_vocab()
                special = set(model.tokenizer.all_special_ids)
            cached = frozenset(i for t, i in vocab.items()
                               if i not in special and any(ch.isalnum() for ch in t))
            self._content = cached
        return cached

    # -- encoding ------------------------------------------------------------------------
    def segments(self, text: str) -> list[str]:
        """Lines (and sentences of long lines) packed into segments of <= segment_tokens."""
        if self.fake:
            return [text]
        model = self._load()
        tok = model.tokenizer
        pieces: list[tuple[str, int]] = []
        with model_lock(model):
            for line in text.split("\n"):
                line = line.strip()
                if not line:
                    continue
                n = len(tok.tokenize(line))
                if n > self.segment_tokens:
                    pieces.extend((s, len(tok.tokenize(s))) for s in split_sentences(line))
                else:
                    pieces.append((line, n))
        out: list[str] = []
        current: list[str] = []
        size = 0
        for piece, n in pieces:
            if current and size + n > self.segment_tokens:
                out.append(" ".join(current))
                current, size = [], 0
            current.append(piece)
            size += n
        if current:
            out.append(" ".join(current))
        return out or [text]

    def encode(self, texts: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """(vectors float16 [m, dim] unit rows, keys int64 [m]) for each text's content tokens."""
        if self.fake:
            return [_fake_tokens(t) for t in texts]
        return [tokens for _, tokens in self._forward(texts)]

    def encode_query(self, text: str) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """The question's sentence vector (mean pooled, unit length in float32, as the embedder
        makes it) and its token vectors, from one pass of the model."""
        if self.fake:
            return self.embedder.embed([text])[0], _fake_tokens(text)
        return self._forward([text], with_sentence=True)[0]

    def _forward(self, texts: list[str], with_sentence: bool = False):
        model = self._load()
        with model_lock(model):
            return self._forward_locked(model, texts, with_sentence)

    def _forward_locked(self, model, texts: list[str], with_sentence: bool):
        import torch

        from index.embedder import SINGLE_THREAD_MAX

        tok = model.tokenizer
        content = self._content_ids()
        # A question is too little work to share between threads (see index.embedder).
        single = len(texts) <= SINGLE_THREAD_MAX
        threads = torch.get_num_threads()
        if single:
            torch.set_num_threads(1)
        try:
            with torch.inference_mode():
                embs = model.encode(texts, output_value=None if with_sentence else
                                    "token_embeddings", batch_size=self.batch_size,
                                    convert_to_numpy=False, show_progress_bar=False)
        finally:
            if single:
                torch.set_num_threads(threads)
        limit = model.max_seq_length
        out = []
        for text, emb in zip(texts, embs, strict=True):
            sentence = None
            if with_sentence:
                sentence = emb["sentence_embedding"].float()
                sentence = (sentence / sentence.norm().clamp_min(1e-12)).cpu().numpy()
                emb = emb["token_embeddings"]
            ids = tok(text, truncation=True, max_length=limit)["input_ids"]
            emb = emb[: len(ids)].float()
            keep = [i for i, t in enumerate(ids) if t in content]
            vecs = torch.nn.functional.normalize(emb[keep], dim=1).cpu().numpy()
            tokens = (vecs.astype(np.float16), np.asarray([ids[i] for i in keep], dtype=np.int64))
            out.append((sentence, tokens))
        return out

    def encode_passages(self, texts: list[str],
                        progress: Callable[[int, int], None] | None = None
                        ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each passage's segments encoded (shortest first, in batches) and joined back;
        `progress(segments done, segments in all)` after each batch."""
        segs = [self.segments(t) for t in texts]
        flat = [(i, s) for i, ss in enumerate(segs) for s in ss]
        order = sorted(range(len(flat)), key=lambda j: len(flat[j][1]))
        parts: list[list[tuple[np.ndarray, np.ndarray] | None]] = [[None] * len(ss) for ss in segs]
        position = {}
        for i, ss in enumerate(segs):
            for k in range(len(ss)):
                position[len(position)] = (i, k)
        step = max(self.batch_size * 8, 1)
        if progress is not None:
            progress(0, len(order))
        for start in range(0, len(order), step):
            chunk = order[start:start + step]
            encoded = self.encode([flat[j][1] for j in chunk])
            for j, item in zip(chunk, encoded, strict=True):
                i, k = position[j]
                parts[i][k] = item
            if progress is not None:
                progress(start + len(chunk), len(order))
        out = []
        for pieces in parts:
            vecs = [v for v, _ in pieces if len(v)]
            keys = [k for _, k in pieces if len(k)]
            if vecs:
                out.append((np.vstack(vecs), np.concatenate(keys)))
            else:
                out.append((np.zeros((0, self.dim or 1), np.float16), np.zeros(0, np.int64)))
        return out


def _fake_key(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word[:6].encode(), digest_size=8).digest(), "big") >> 2


def _fake_tokens(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic stand-in for tests (the hashing embedder has no token vectors): content
    word stems as keys, and a token matches only the same stem (vectors of width 0)."""
    keys = [_fake_key(w) for w in _FAKE_WORD.findall(text.lower()) if w not in _FAKE_STOP]
    return np.zeros((len(keys), 0), dtype=np.float16), np.asarray(keys, dtype=np.int64)
