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
    # Words left out of BM25: "english" is NLTK's 179-word list (bm25s STOPWORDS_EN_PLUS), which
    # drops question words and auxiliaries ("what", "does", "should") that the 33-word "short"
    # list kept and that matched any passage using them; "" keeps every word.
    stopwords: str = "english"
    stem: bool = True
    fold_spelling: bool = True

    def __post_init__(self):
        # Indexes built before the choice of lists recorded a bool: True was the short list.
        if isinstance(self.stopwords, bool):
            object.__setattr__(self, "stopwords", "short" if self.stopwords else "")

    def to_json(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=4)
def _stopwords(which: str) -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_EN_PLUS

    lists = {"": (), "short": STOPWORDS_EN, "english": STOPWORDS_EN_PLUS}
    if which not in lists:
        raise ValueError(f"unknown stopword list {which!r}: use one of {sorted(lists)}")
    return frozenset(lists[which])


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
def _memo(stopwords: str, fold_spelling: bool, stem: bool) -> dict[str, str]:
    return {}


def _one_token(raw: str, settings: LexicalSettings) -> str:
    """The token a raw word becomes ("" when it is a stopword)."""
    t = raw.split("'")[0]
    if t in _stopwords(settings.stopwords):
        return ""
    if settings.fold_spelling:
        t = _fold(t)
    if settings.stem:
        t = _stemmer().stemWord(t)
    return t


def _text_key(text: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def _fold(token: str) -> str:
    if len(token) < _UK_US_MIN_LEN:
        return token
    for pattern, repl in _UK_US:
        new = pattern.sub(repl, token)
        if new != token:
            return new
    return token


TOKENS_FILE = "tokens.npz"  # beside bm25s's files: each passage's token ids, for the next build


class LexicalIndex:
    def __init__(self, retriever, settings: LexicalSettings, folder: Path | None = None,
                 docs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None):
        self.retriever = retriever
        self.settings = settings
        self.vocab = retriever.vocab_dict
        self._folder = folder  # a loaded index: where its TOKENS_FILE is
        self._docs = docs  # (text keys, offsets, token ids in self.vocab), as in TOKENS_FILE

    @classmethod
    def build(cls, texts: list[str], settings: LexicalSettings,
              previous: LexicalIndex | None = None) -> LexicalIndex:
        """BM25 over the texts. With `previous` (the last generation's index), a text it
        already held is not tokenised again: its token ids are reused (speed, issue 7; the
        same scores as tokenising everything, which is what happens without `previous`)."""
        import bm25s

        keys = np.array([_text_key(t) for t in texts], dtype=np.uint64)
        vocab: dict[str, int] = {}
        rows: dict[int, int] = {}
        prev_off = prev_ids = None
        old = previous._load_docs() if previous is not None else None
        if old is not None:
            prev_keys, prev_off, prev_ids = old
            vocab = dict(previous.vocab)
            rows = {int(k): r for r, k in enumerate(prev_keys.tolist())}
        nxt = max(vocab.values(), default=-1) + 1
        parts = []
        for text, key in zip(texts, keys.tolist(), strict=True):
            r = rows.get(key)
            if r is not None:
                parts.append(prev_ids[prev_off[r]:prev_off[r + 1]])
                continue
            ids = []
            for tok in tokenize(text, settings) or ["_empty_"]:
                i = vocab.get(tok)
                if i is None:
                    i = vocab[tok] = nxt
                    nxt += 1
                ids.append(i)
            parts.append(np.asarray(ids, dtype=np.int64))
        lengths = np.array([len(p) for p in parts], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        flat = np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
        # Only the words still in use, numbered 0..n-1, as bm25s numbers them itself.
        used = np.unique(flat)
        remap = np.full(max(nxt, 1), -1, dtype=np.int64)
        remap[used] = np.arange(len(used))
        flat = remap[flat]
        vocab = {t: int(remap[i]) for t, i in vocab.items() if i < nxt and remap[i] >= 0}
        ids_list = flat.tolist()
        corpus_ids = [ids_list[offsets[d]:offsets[d + 1]] for d in range(len(parts))]
        retriever = bm25s.BM25(k1=settings.k1, b=settings.b, method=settings.method)
        retriever.index((corpus_ids, vocab), show_progress=False)
        return cls(retriever, settings, docs=(keys, offsets, flat.astype(np.int32)))

    def _load_docs(self):
        if self._docs is None and self._folder is not None:
            try:
                with np.load(self._folder / TOKENS_FILE) as z:
                    self._docs = (z["keys"], z["offsets"], z["ids"])
            except (OSError, KeyError, ValueError):
                return None  # an index from before the file existed: tokenise everything
        return self._docs

    def save(self, folder: Path) -> None:
        self.retriever.save(str(folder), show_progress=False)
        if self._docs is not None:
            keys, offsets, ids = self._docs
            np.savez(Path(folder) / TOKENS_FILE, keys=keys, offsets=offsets, ids=ids)

    @classmethod
    def load(cls, folder: Path, settings: LexicalSettings, mmap: bool = False) -> LexicalIndex:
        import bm25s

        retriever = bm25s.BM25.load(str(folder), mmap=mmap, show_progress=False)
        return cls(retriever, settings, folder=Path(folder))

    def scores(self, query: str, n_docs: int) -> np.ndarray:
        """BM25 score of every passage for the query (zeros when no query word is known)."""
        tokens = [t for t in tokenize(query, self.settings) if t in self.vocab]
        if not tokens:
            return np.zeros(n_docs, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(tokens), dtype=np.float32)
