"""One forward pass per passage: passage vector, token vectors and sentence vectors (issue 14).

MiniLM's output for a passage is one contextual vector per word piece. sentence-transformers
averages them into the passage vector; late interaction (qa/late.py) keeps them as the token
store; and each sentence's vector can be pooled from the word pieces of its own span, in the
context of the whole passage. So a passage can be encoded once, not three times (passage, each
sentence again, then the passage again in segments for the token store). How index.build uses
this, and what was measured, is in IndexSettings and bench/RESULTS.md ("One-pass indexing").

An input is any text with its sentences' character spans. A text longer than the window is
encoded in segments of at most `window` word pieces, cut where a sentence starts (a sentence
longer than the window is cut where the window ends), so no text falls past the window and
every word piece gets its vector. The inputs' segments are sorted by length before batching, so
a batch pads only to its own longest segment, and the model is called directly on the word-piece
ids (no second tokenisation). Batches run in a fixed shuffled order, so the count of inputs done
grows with the work done and a time-left estimate from it is fair.

Every input gets its outputs, aligned: a sentence with no word piece (an empty span, or text
the tokenizer drops entirely) gets a zero vector, which scores 0 against any question.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .embedder import model_lock

MODEL_WINDOW = 256  # all-MiniLM-L6-v2's max_seq_length, special tokens included


@dataclass(frozen=True)
class PassageInput:
    """What one passage's pass needs: the text encoded and its sentences' character spans.

    `text` is the whole text the model sees; `body_start` is where the passage's own words
    begin (token vectors are kept from there on, not for the title and headings); `spans` are
    (start, end) character offsets into `text`, one per sentence, in sentence order."""

    text: str
    body_start: int
    spans: tuple[tuple[int, int], ...]
    # Optionally, per sentence, the span of its context line (a list's lead-in, the section
    # heading) whose word pieces are pooled with the sentence's; (0, 0) for none.
    context_spans: tuple[tuple[int, int], ...] = ()
    window: int = 0  # word pieces per segment, specials included (0: the encoder's)
    tokens: bool = True  # False: no token vectors wanted (not kept in memory)


@dataclass
class PassageVectors:
    vector: np.ndarray  # float32 [dim], unit length
    tokens: tuple[np.ndarray, np.ndarray]  # float16 [m, dim] unit rows, int64 word-piece ids [m]
    sentences: np.ndarray  # float32 [len(spans), dim]; unit rows, zero where no word piece


@dataclass(frozen=True)
class PassStats:
    """What the pass did: for the build report and bench/build.py."""

    passages: int
    segments: int  # forward-pass inputs (sequences)
    batches: int  # forward passes
    word_pieces: int  # real (unpadded) word pieces encoded, special tokens included
    padded: int  # word-piece slots computed, padding included


def sentence_spans(text: str, sentences: Sequence[str], offset: int = 0
                   ) -> tuple[tuple[int, int], ...]:
    """Character span of each sentence in `text` (found in order; a sentence that is not in
    the text gets an empty span), shifted by `offset`."""
    out: list[tuple[int, int]] = []
    cursor = 0
    for s in sentences:
        at = text.find(s, cursor) if s else -1
        if at < 0 and s:
            at = text.find(s)  # out of order: still the right words
        if at < 0 or not s:
            out.append((offset + cursor, offset + cursor))
            continue
        out.append((offset + at, offset + at + len(s)))
        cursor = at + len(s)
    return tuple(out)


class OnePassEncoder:
    """Encodes passages with the embedder's model, one forward pass per passage segment."""

    def __init__(self, embedder, window: int = MODEL_WINDOW, batch_size: int = 32,
                 shuffle_batches: bool = True, head_apart: bool = False,
                 whole_passage_vector: bool = False):
        self.embedder = embedder
        # False: the passage vector is its first segment's mean, exactly what
        # sentence-transformers gives for the text (truncated at the window); True: the mean
        # over every segment.
        self.whole_passage_vector = whole_passage_vector
        # The title and headings in a segment of their own: the passage's word pieces then
        # see only the passage around them (token vectors, sentence vectors).
        self.head_apart = head_apart
        self.window = window
        self.batch_size = batch_size
        # Batches are length-sorted inside, then run in a fixed shuffled order so that the
        # count of passages done grows with the work done (an honest ETA in the progress).
        self.shuffle_batches = shuffle_batches
        self.fake = not hasattr(embedder, "load")
        self.dim = int(embedder.dim)
        self._tokens = None

    # -- model ---------------------------------------------------------------------------
    def _token_encoder(self):
        if self._tokens is None:
            from .tokens import TokenEncoder

            self._tokens = TokenEncoder(self.embedder)
        return self._tokens

    # -- encoding ------------------------------------------------------------------------
    def encode(self, items: Sequence[PassageInput],
               progress: Callable[[int, int], None] | None = None
               ) -> tuple[list[PassageVectors], PassStats]:
        """Each passage's vectors; `progress(passages done, passages)` after each batch."""
        if self.fake:
            return self._encode_fake(items, progress)
        return self._encode_model(items, progress)

    def _encode_fake(self, items, progress):
        """The hashing embedder has no word pieces: the same outputs from its own pieces (the
        passage vector as embed() gives it, the test stand-in token keys, each sentence its
        words' vector), so that every caller's bookkeeping is exercised without the model."""
        from .tokens import _fake_tokens

        out = []
        total = len(items)
        if progress is not None:
            progress(0, total)
        texts = [it.text for it in items]
        vecs = self.embedder.embed(texts) if texts else np.zeros((0, self.dim), np.float32)
        for n, (it, vec) in enumerate(zip(items, vecs, strict=True), 1):
            sents = [it.text[a:b] for a, b in it.spans]
            svecs = np.zeros((len(sents), self.dim), np.float32)
            real = [i for i, s in enumerate(sents) if re.search(r"[A-Za-z0-9]", s)]
            if real:
                svecs[real] = self.embedder.embed([sents[i] for i in real])
            tokens = _fake_tokens(it.text[it.body_start:] if it.tokens else "")
            out.append(PassageVectors(vec.astype(np.float32), tokens, svecs))
            if progress is not None:
                progress(n, total)
        return out, PassStats(total, total, total, 0, 0)

    def _plan(self, items: Sequence[PassageInput], model):
        """Tokenise every passage; cut it into segments of at most window - 2 word pieces."""
        tok = model.tokenizer
        content = self._token_encoder()._content_ids()
        plans = []
        texts = [it.text for it in items]
        with model_lock(model):  # shared with questions asked during a rebuild
            batch = tok(texts, add_special_tokens=False, truncation=False,
                        return_offsets_mapping=True, return_attention_mask=False,
                        return_token_type_ids=False) if texts else {"input_ids": [],
                                                                    "offset_mapping": []}
        for it, ids, offsets in zip(items, batch["input_ids"], batch["offset_mapping"],
                                    strict=True):
            room = (it.window or self.window) - 2  # [CLS] ... [SEP]
            starts = np.asarray([a for a, _ in offsets], dtype=np.int64)
            ends = np.asarray([b for _, b in offsets], dtype=np.int64)
            # Where each sentence's first word piece is: a segment is cut there if it can be.
            bounds = sorted({int(np.searchsorted(starts, a)) for a, b in it.spans if b > a})
            n = len(ids)
            body = int(np.searchsorted(starts, it.body_start))
            forced = [body] if self.head_apart and 0 < body < n else []
            cuts = [0]
            while True:
                a = cuts[-1]
                ahead = [f for f in forced if f > a]
                if ahead and ahead[0] - a <= room:
                    cuts.append(ahead[0])
                    continue
                if n - a <= room:
                    break
                fits = [b for b in bounds if a < b <= a + room]
                cuts.append(fits[-1] if fits else a + room)
            cuts.append(n)
            segs = [(cuts[k], cuts[k + 1]) for k in range(len(cuts) - 1) if cuts[k + 1] > cuts[k]]
            plans.append((ids, starts, ends, segs or [(0, 0)]))
        return plans, content

    def _encode_model(self, items, progress):
        import torch

        model = self.embedder.load()
        tok = model.tokenizer
        bert = model[0].auto_model
        cls_id, sep_id, pad_id = tok.cls_token_id, tok.sep_token_id, tok.pad_token_id or 0
        plans, content = self._plan(items, model)
        flat = [(i, k) for i, (_, _, _, segs) in enumerate(plans) for k in range(len(segs))]
        seg_len = [plans[i][3][k][1] - plans[i][3][k][0] + 2 for i, k in flat]
        order = sorted(range(len(flat)), key=lambda j: seg_len[j])
        batches = _batches(order, seg_len, self.batch_size)
        if self.shuffle_batches:
            random.Random(len(order)).shuffle(batches)
        remaining = [len(p[3]) for p in plans]
        hidden: list[list[np.ndarray | None]] = [[None] * len(p[3]) for p in plans]
        out: list[PassageVectors | None] = [None] * len(items)
        done = 0
        real = padded = 0
        if progress is not None:
            progress(0, len(items))
        with torch.inference_mode():
            for chunk in batches:
                width = max(seg_len[j] for j in chunk)
                ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
                mask = torch.zeros((len(chunk), width), dtype=torch.long)
                for r, j in enumerate(chunk):
                    i, k = flat[j]
                    a, b = plans[i][3][k]
                    row = [cls_id, *plans[i][0][a:b], sep_id]
                    ids[r, :len(row)] = torch.tensor(row, dtype=torch.long)
                    mask[r, :len(row)] = 1
                real += int(mask.sum())
                padded += mask.numel()
                with model_lock(model):  # one batch at a time, between questions
                    states = bert(input_ids=ids, attention_mask=mask).last_hidden_state.float()
                states = states.numpy()
                for r, j in enumerate(chunk):
                    i, k = flat[j]
                    hidden[i][k] = states[r, :seg_len[j]].copy()
                    remaining[i] -= 1
                    if remaining[i] == 0:
                        out[i] = self._assemble(items[i], plans[i], hidden[i], content)
                        hidden[i] = []
                        done += 1
                if progress is not None:
                    progress(done, len(items))
        for i, value in enumerate(out):  # passages with no word piece at all
            if value is None:
                out[i] = self._assemble(items[i], plans[i], hidden[i], content)
        stats = PassStats(len(items), len(flat), len(batches), real, padded)
        return out, stats

    def _assemble(self, item: PassageInput, plan, pieces, content) -> PassageVectors:
        ids, starts, ends, segs = plan
        dim = self.dim
        pieces = [p for p in pieces if p is not None]
        # The passage vector: mean over the word pieces of its first segment, [CLS] and [SEP]
        # included, as sentence-transformers' mean pooling gives it (whole_passage_vector: of
        # every segment; measured worse on qa.eval's dense-alone hit@1, bench/RESULTS.md).
        pooled = pieces if self.whole_passage_vector else pieces[:1]
        total = sum(len(p) for p in pooled)
        vector = (np.sum([p.sum(axis=0) for p in pooled], axis=0) / total) if total else \
            np.zeros(dim, np.float32)
        vector = _unit(vector.astype(np.float32))
        # Word-piece rows without the specials, in text order.
        body = np.concatenate([p[1:-1] for p in pieces]) if pieces else np.zeros((0, dim))
        body = body[:len(ids)]
        id_arr = np.asarray(ids, dtype=np.int64)
        keep = np.asarray([n for n in range(len(ids)) if item.tokens
                           and starts[n] >= item.body_start and ids[n] in content],
                          dtype=np.int64)
        tvecs = _unit_rows(body[keep]).astype(np.float16) if len(keep) else \
            np.zeros((0, dim), np.float16)
        tokens = (tvecs, id_arr[keep] if len(keep) else np.zeros(0, np.int64))
        svecs = np.zeros((len(item.spans), dim), np.float32)
        def rows(a: int, b: int) -> range:
            if b <= a or not len(ids):
                return range(0)
            lo = int(np.searchsorted(ends, a, side="right"))  # first piece ending after a
            hi = int(np.searchsorted(starts, b, side="left"))  # first piece starting at/after b
            return range(lo, max(lo, hi))

        for s, (a, b) in enumerate(item.spans):
            own = rows(a, b)
            if not len(own):
                continue  # no word piece: a zero vector, left out in effect
            pool = list(own)
            if item.context_spans:
                pool = [*rows(*item.context_spans[s]), *pool]
            svecs[s] = _unit(body[pool].mean(axis=0))
        return PassageVectors(vector, tokens, svecs)


def _batches(order: list[int], lengths: list[int], batch_size: int) -> list[list[int]]:
    """Consecutive runs of the length-sorted inputs: at most batch_size inputs and at most
    batch_size * 64 word-piece slots (padding included), so that a batch of short sentences
    is full and one long passage does not pad a batch of short ones up to its length."""
    budget = batch_size * 64
    out: list[list[int]] = []
    current: list[int] = []
    for j in order:
        if current and (len(current) >= batch_size or
                        (len(current) + 1) * lengths[j] > budget):
            out.append(current)
            current = []
        current.append(j)
    if current:
        out.append(current)
    return out


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return (v / n).astype(np.float32) if n > 0 else np.zeros_like(v, dtype=np.float32)


def _unit_rows(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return (m / np.maximum(norms, 1e-12)).astype(np.float32)

