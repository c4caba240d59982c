"""Why a session pack misses a section a facilitator expects (issue 22, round 10).

    .venv/bin/python bench/pack_misses.py [--index var/index] [--corpus corpus]

TUNING SETS ONLY (eval/packs.jsonl, packs_heldout.jsonl to packs_heldout4.jsonl, tuning sets
since round 12); the held-out set (packs_heldout5.jsonl) is never read here. The packs are built as `qa.eval_packs` builds
them; for every expected section the pack does not quote or refer to, it prints one line with
the cause and the section's rank (its best passage's, sections counted once) by each signal:

  pack   the pack's own ranking of the question's pool (qa.prep._pick, every section listed)
  full   the same ranking with every passage of the index in the pool
  dense  the first stage's embedding cosine of the whole question
  lex    the index's lexical (BM25) score of the question
  head   the heading's cosine with the question's focus
  title  the pack ranking of the session title joined to the question
  z, z4  its score in the pack's ranking (z units) and the score of the question's
         PER_QUESTION-th section; w: the words of its best passage

and the cause, the first that holds of:

  no passage    no passage of the index is under that heading (chunking / reading)
  filtered      its passages are all apparatus or session outlines (the filters)
  below gate    graded "none" by its own late similarity (the evidence threshold)
  not in pool   not among the question's ranked candidates (RANKED, the focus's own)
  quoted above  quoted under an earlier question of the pack but not referred back to here
  quoted below  quoted under a later question of the pack (a referral cannot point forward)
  budget        in the pool and ranked, but after the question's PER_QUESTION sections
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TUNING_SETS = ("packs.jsonl", "packs_heldout.jsonl", "packs_heldout2.jsonl",
               "packs_heldout3.jsonl", "packs_heldout4.jsonl")
assert "packs_heldout5.jsonl" not in TUNING_SETS  # held out: never read here


def _sections_in_order(hits, key) -> list[tuple]:
    return list(dict.fromkeys(key(h.passage) for h in hits))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, default=ROOT / "var" / "index")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("settings", nargs="*", help="qa.prep constants NAME=VALUE, as in "
                        "bench/pack_sweep.py")
    args = parser.parse_args(argv)

    from index import load_index
    from ingest.roles import poses_questions
    from qa import prep
    from qa.eval_packs import EVAL, in_section, load_cases
    from qa.search import Searcher, embedder_for

    for item in args.settings:
        name, value = item.split("=", 1)
        setattr(prep, name, type(getattr(prep, name))(float(value)))
    index = load_index(args.index)
    searcher = Searcher(index, embedder_for(index))
    sessions = prep.load_sessions(args.corpus / "sessions.toml")
    excluded = lambda p: poses_questions(p.text)  # noqa: E731
    causes: Counter = Counter()
    per_set: dict[str, Counter] = {}
    for name in TUNING_SETS:
        per_set[name] = Counter()
        cases = load_cases(EVAL / name)
        groups: dict[str, list[dict]] = {}
        for c in cases:
            groups.setdefault(c.get("session", name), []).append(c)
        if name == "packs_heldout.jsonl":  # one pack, no session title
            groups = {"": cases}
        for sid, group in groups.items():
            questions = [c["question"] for c in group]
            if name == "packs.jsonl":
                session = prep.find_session(sessions, sid)
                questions, title = session.questions, session.title
            else:
                title = group[0].get("title", "")
            doc = prep.build_pack(searcher, questions, title or "pack", corpus_dir=args.corpus)
            by_heading = {s.heading: s for s in doc.sections}
            quoted_under = {q.passage_id: n for n, s in enumerate(doc.sections)
                            for q in s.quotes}
            printed = {q.passage_id: q.text for s in doc.sections for q in s.quotes}
            order = {s.heading: n for n, s in enumerate(doc.sections)}
            for case in group:
                q = " ".join(case["question"].split())
                here = order.get(q, -1)
                sec = by_heading.get(q)
                ids = [x.passage_id for x in sec.quotes] + list(sec.see_also) if sec else []
                shown = [index.passage(i) for i in ids]
                # the pack's ranking, every section listed
                ranked = prep._pick(searcher, q, 10_000, 15, excluded, questions).hits
                old = prep.RANKED
                prep.RANKED = len(index.passages)
                full = prep._pick(searcher, q, 10_000, 15, excluded, questions).hits
                titled = prep._pick(searcher, f"{title}: {q}" if title else q, 10_000, 15,
                                    excluded, questions).hits
                prep.RANKED = old
                qv = np.asarray(searcher.embed_query(q), dtype=np.float32)
                dense = np.asarray(index.dense_scores(qv))
                lex = np.asarray(index.lexical.scores(searcher.expand(q), len(index.passages)))
                focus = prep.question_focus(q, questions) or q
                head = prep._heading_match(searcher, focus, index.passages)
                for want in case["expected"]:
                    doc_, section, part = want["document"], want["section"], want.get("part")
                    if any(in_section(p, doc_, section, part, printed.get(p.id))
                           for p in shown if p):
                        continue
                    mine = [i for i, p in enumerate(index.passages)
                            if in_section(p, doc_, section, part)]

                    def rank(order_hits, mine=mine) -> str:
                        keys = _sections_in_order(order_hits, prep.section_key)
                        ks = {prep.section_key(index.passages[i]) for i in mine}
                        at = [n for n, k in enumerate(keys, 1) if k in ks]
                        return str(at[0]) if at else "-"

                    def rank_by(values, mine=mine) -> str:
                        order = sorted(range(len(values)), key=lambda i: -values[i])
                        hits = [type("H", (), {"passage": index.passages[i]})() for i in order]
                        return rank(hits)

                    if not mine:
                        cause = "no passage"
                    elif all(prep.is_apparatus(index.passages[i]) or excluded(index.passages[i])
                             for i in mine):
                        cause = "filtered"
                    elif rank(full) == "-":
                        cause = "below gate"
                    elif rank(ranked) == "-":
                        cause = "not in pool"
                    elif any(quoted_under.get(index.passages[i].id, 99) < here for i in mine):
                        cause = "quoted above"
                    elif any(index.passages[i].id in quoted_under for i in mine):
                        cause = "quoted below"
                    else:
                        cause = "budget"
                    causes[cause] += 1
                    per_set[name][cause] += 1
                    ids_mine = {index.passages[i].id for i in mine}
                    best = next((h for h in ranked if h.passage.id in ids_mine), None)
                    # its score (z units, the pack's ranking), the 4th section's, its words
                    z = f"{best.score:5.2f}" if best is not None else "    -"
                    z4 = (f"{ranked[prep.PER_QUESTION - 1].score:5.2f}"
                          if len(ranked) >= prep.PER_QUESTION else "    -")
                    w = len(best.passage.text.split()) if best is not None else 0
                    where = f"{section}{' / ' + part if part else ''}"
                    print(f"{case['id']:7s} {cause:12s} pack {rank(ranked):>2s} "
                          f"full {rank(full):>2s} dense {rank_by(dense):>2s} "
                          f"lex {rank_by(lex):>2s} head {rank_by(head):>2s} "
                          f"title {rank(titled):>2s} z {z} z4 {z4} w {w:3d}  {doc_[:12]}: {where[:60]}")
    for name, c in per_set.items():
        print(f"{name}:", ", ".join(f"{k} {v}" for k, v in c.most_common()) or "none")
    print("causes:", ", ".join(f"{k} {v}" for k, v in causes.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
