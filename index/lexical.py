"""BM25 over the passages (bm25s), with tokenisation tuned for English education writing."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# British spellings folded to one form so "organisation" finds "organization" and back.
_UK_US = [
    (re.compile(r"isation(s?)$"), r"ization\1"),
    (re.compile(r"is(e|es|ed|ing)$"), r"iz\1"),
    (re.compile(r"our(s?)$"), r"or\1"),
    (re.compile(r"tre(s?)$"), r"ter\1"),
    (re.compile(r"ogue(s?)$"), r"og\1"),
]
_UK_US_MIN_LEN = 6  # "rise", "tour", "metre" style short words are left alone


@dataclass(frozen=True)
class LexicalSettings:
    k1: float = 1.2
    b: float = 0.75
    method: str = "lucene"
    stopwords: bool = True
    stem: bool = True
    fold_spelling: bool = True

    def to_json(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def tokenize(text: str, settings: LexicalSettings) -> list[str]:
    # Speed (issue 7): every step after the split works on one word alone, so each distinct
    # word is processed once and remembered; re-indexing 5k documents re-tokenised ~1M words
    # through five regexes each, most of a +1-document rebuild. Same tokens as before.
    memo = _memo(settings.stopwords, settings.fold_spelling, settings.stem)
    raws = _TOKEN.findall(text.lower().replace("’", "'"))
    get = memo.get
    toks = [get(raw) for raw in raws]
    if None in toks:
        for i, tok in enumerate(toks):
            if tok is None:
                toks[i] = tok = _one_token(raws[i], settings)
                if len(memo) < _MEMO_MAX:
                    memo[raws[i]] = tok
    return [tok for tok in toks if tok]


_MEMO_MAX = 500_000  # distinct words remembered per settings (a few tens of MB at most)


@lru_cache(maxsize=8)
def _memo(stopwords: bool, fold_spelling: bool, stem: bool) -> dict[str, str]:
    return {}


def _one_token(raw: str, settings: LexicalSettings) -> str:
    """The token a raw word becomes ("" when it is a stopword)."""
    t = raw.split("'")[0]
    if settings.stopwords and t in _stopwords():
        return ""
    if settings.fold_spelling:
        t = _fold(t)
    if settings.stem:
        t = _stemmer().stemWord(t)
    return t


def _fold(token: str) -> str:
    if len(token) < _UK_US_MIN_LEN:
        return token
    for pattern, repl in _UK_US:
        new = pattern.sub(repl, token)
        if new != token:
            return new
    return token


class LexicalIndex:
    def __init__(self, retriever, settings: LexicalSettings):
        self.retriever = retriever
        self.settings = settings
        self.vocab = retriever.vocab_dict

    @classmethod
    def build(cls, texts: list[str], settings: LexicalSettings) -> LexicalIndex:
        import bm25s

        retriever = bm25s.BM25(k1=settings.k1, b=settings.b, method=settings.method)
        corpus_tokens = [tokenize(t, settings) or ["_empty_"] for t in texts]
        retriever.index(corpus_tokens, show_progress=False)
        return cls(retriever, settings)

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, settings: LexicalSettings, mmap: bool = False) -> LexicalIndex:
        import bm25s

        retriever = bm25s.BM25.load(str(folder), mmap=mmap, show_progress=False)
        return cls(retriever, settings)

    def scores(self, query: str, n_docs: int) -> np.ndarray:
        """BM25 score of every passage for the query (zeros when no query word is known)."""
        tokens = [t for t in tokenize(query, self.settings) if t in self.vocab]
        if not tokens:
            return np.zeros(n_docs, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(tokens), dtype=np.float32)
