"""Section ranking for session packs: which signals find the sections a facilitator expects.

    .venv/bin/python bench/pack_sections.py [--index var/index] [--features A B C]
                                            [--referrals 0 1 2] [--budget 4]

Tuning set only (eval/packs.jsonl; the held-out pack sets are never read here). For every
question of sessions 8.1-8.5, every evidence passage of the index is scored (the pack's pool
is a subset of these), its section (qa.prep.section_key) takes the best of its passages'
scores, and the pack is simulated as qa.prep builds it: sections in order of a weighted sum of
z-scored features, one passage per section (its best by the round-3 passage score), graded
above "none" by its own late similarity, `--budget` a question, then up to `--referrals`
more while they are referrals to a passage quoted under an earlier question of the session.
It prints, per feature, how many expected sections rank in a question's top 4 and top 8
alone, then a grid over the chosen features' weights (0, 0.25, 0.5, 1) and a
leave-one-session-out figure: for each session, the weights best on the other four (ties:
the mean over the tied weights) scored on it.

Features of a section (each the best over its passages unless said):
  A   late interaction, focus-weighted (qa.prep._late_scores, FRAME_WEIGHT)
  B   best sentence's focus-weighted late score
  C   heading's cosine with the focus (qa.prep._heading_match)
  W   late interaction with the whole question
  S   BM25 of the question over the section's text (all its passages), sections as documents
  Sf  the same for the focus
  X   best sentence vector embedded on its own (first stage's) with the focus
  CF  best answer-sentence vector (pooled in its passage) with the focus
  SA  late interaction over the section's tokens together (each word piece's best anywhere in
      the section), focus-weighted
  T2  mean of the two best sentences' focus-weighted late scores
  H5  mean cosine of the passage to its 5 nearest passages (how central it is)
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FEATURES = ("A", "B", "C", "W", "S", "Sf", "X", "CF", "SA", "T2", "H5")


def _z(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def _bm25(query: list[str], docs: list[list[str]], k1: float = 1.2, b: float = 0.75):
    n = len(docs)
    avg = float(np.mean([len(d) for d in docs])) or 1.0
    df: dict[str, int] = defaultdict(int)
    for d in docs:
        for w in set(d):
            df[w] += 1
    out = np.zeros(n)
    for i, d in enumerate(docs):
        for w in set(query):
            tf = d.count(w)
            if tf:
                idf = math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5))
                out[i] += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avg))
    return out


def features(searcher, cases, sessions) -> list[dict]:
    from index.lexical import tokenize
    from ingest.roles import poses_questions
    from qa import prep
    from qa.eval_packs import in_section

    idx = searcher.index
    rows = [i for i, p in enumerate(idx.passages)
            if not prep.is_apparatus(p) and not poses_questions(p.text)]
    passages = [idx.passages[i] for i in rows]
    vectors = np.asarray(idx.vectors, dtype=np.float32)
    near = vectors[rows] @ vectors.T
    for j, i in enumerate(rows):
        near[j, i] = -1.0
    hub5 = np.sort(near, axis=1)[:, -5:].mean(axis=1)
    keys = [prep.section_key(p) for p in passages]
    sections = list(dict.fromkeys(keys))
    members = [[j for j, k in enumerate(keys) if k == s] for s in sections]
    sec_tokens = [tokenize("\n".join(passages[j].text for j in m), idx.lexical.settings)
                  for m in members]
    tokens = searcher._passage_tokens(np.asarray(rows, dtype=np.int64))
    out = []
    for case in cases:
        questions = prep.find_session(sessions, case["session"]).questions
        q = " ".join(case["question"].split())
        focus = prep.question_focus(q, questions)
        whole, focused, best = prep._late_scores(searcher, q, focus, passages)
        heading = np.asarray(prep._heading_match(searcher, focus or q, passages))
        fv = np.asarray(searcher.embed_query(focus or q), dtype=np.float32)
        qv, qkeys, w = searcher.late.query(q)
        soft = prep.focus_weights(searcher, qkeys, w, focus)
        own, pooled, top2 = [], [], []
        for j, row in enumerate(rows):
            js = idx.sentences_of.get(row, [])
            own.append(float((np.asarray(idx.ranking_sentence_vectors[js]) @ fv).max())
                       if js else 0.0)
            pooled.append(float((np.asarray(idx.sentence_vectors[js]) @ fv).max())
                          if js else 0.0)
            vecs, tk = tokens[j]
            sim = np.asarray(qv, dtype=np.float32) @ np.asarray(vecs, dtype=np.float32).T
            per = [float(soft @ sim[:, a:b].max(axis=1) / soft.sum())
                   for span in searcher._sentence_spans(row, tk) if span is not None
                   for a, b in [span] if b > a]
            top2.append(float(np.mean(sorted(per)[-2:])) if per else 0.0)
        sec_late = []
        for m in members:
            allv = np.concatenate([np.asarray(tokens[j][0], dtype=np.float32) for j in m])
            mx = (np.asarray(qv, dtype=np.float32) @ allv.T).max(axis=1)
            sec_late.append(float(soft @ mx / soft.sum()))

        def best_of(x):
            return np.array([max(x[j] for j in m) for m in members])

        f = {"A": best_of(focused), "B": best_of(best), "C": best_of(heading),
             "W": best_of(whole), "X": best_of(own), "CF": best_of(pooled),
             "T2": best_of(top2), "H5": best_of(hub5), "SA": np.array(sec_late),
             "S": _bm25(tokenize(q, idx.lexical.settings), sec_tokens),
             "Sf": _bm25(tokenize(focus or q, idx.lexical.settings), sec_tokens)}
        passage_score = _z(focused) + prep.SENTENCE_WEIGHT * _z(best) \
            + prep.HEADING_WEIGHT * _z(heading)
        weak = searcher.settings.weak_threshold
        quote = []  # each section's passage (row) quoted, or None below the threshold
        for m in members:
            ok = [j for j in m if whole[j] >= weak]
            quote.append(rows[max(ok, key=lambda j: passage_score[j])] if ok else None)
        expected = np.array([[any(in_section(passages[j], e["document"], e["section"],
                                             e.get("part")) for j in m) for m in members]
                             for e in case["expected"]])
        out.append({"id": case["id"], "session": case["session"], "f": f, "quote": quote,
                    "expected": expected})
    return out


def simulate(data, weights: dict[str, float], budget: int = 4, referrals: int = 0):
    """Expected sections found per question by the pack the weights would build."""
    found, quoted, last = [], set(), None
    for d in data:
        if d["session"] != last:
            quoted, last = set(), d["session"]
        score = sum(w * _z(d["f"][k]) for k, w in weights.items() if w)
        chosen = []
        for s in np.argsort(-np.asarray(score), kind="stable"):
            pid = d["quote"][s]
            if pid is None:
                continue
            if len(chosen) >= budget and pid not in quoted:
                break
            chosen.append((s, pid))
            if len(chosen) >= budget + referrals:
                break
        quoted |= {pid for _, pid in chosen}
        found.append(int(d["expected"][:, [s for s, _ in chosen]].any(axis=1).sum()))
    return np.array(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, default=ROOT / "var" / "index")
    parser.add_argument("--features", nargs="+", default=["A", "B", "C"], choices=FEATURES)
    parser.add_argument("--referrals", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--budget", type=int, default=4)
    args = parser.parse_args(argv)

    from index import load_index
    from qa.eval_packs import TUNING, load_cases
    from qa.prep import load_sessions
    from qa.search import Searcher, embedder_for

    index = load_index(args.index)
    searcher = Searcher(index, embedder_for(index))
    data = features(searcher, load_cases(TUNING), load_sessions(ROOT / "corpus" /
                                                                "sessions.toml"))
    total = sum(len(d["expected"]) for d in data)
    print(f"{len(data)} questions, {total} expected sections (eval/packs.jsonl)")
    for k in FEATURES:
        top4 = top8 = 0
        for d in data:
            order = list(np.argsort(-d["f"][k], kind="stable"))
            for e in d["expected"]:
                r = min(order.index(s) for s in np.flatnonzero(e))
                top4 += r < 4
                top8 += r < 8
        print(f"  {k:3s} alone: {top4:2d} in a question's top 4, {top8:2d} in its top 8")
    sessions = np.array([d["session"] for d in data])
    grid = [dict(zip(args.features, ws, strict=True))
            for ws in itertools.product((0, 0.25, 0.5, 1.0), repeat=len(args.features))
            if any(ws)]
    for referrals in args.referrals:
        table = np.array([simulate(data, w, args.budget, referrals) for w in grid])
        sums = table.sum(axis=1)
        held = 0.0
        for s in sorted(set(sessions)):
            train = table[:, sessions != s].sum(axis=1)
            tied = np.flatnonzero(train == train.max())
            held += table[tied][:, sessions == s].sum(axis=1).mean()
        best = int(np.argmax(sums))
        print(f"features {' '.join(args.features)}, budget {args.budget}, referrals "
              f"{referrals}: best {sums[best]}/{total} {grid[best]}; "
              f"leave-one-session-out {held:.1f}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
