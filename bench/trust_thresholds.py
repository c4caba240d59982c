"""Fit the set-question matcher's similarity thresholds on the tuned question files, and
estimate how well they generalise by leaving one file out (issue 19).

    .venv/bin/python bench/trust_thresholds.py [--json]

The thresholds of qa/trust_questions.py that decide when MiniLM similarity reads a phrase as a
value (SIMILAR_MIN, SIMILAR_MARGIN), when a phrase clearly about a scale takes the pole it
lies towards (AXIS_MIN), and when a short leftover before a condition is only its verb or
hedge (FILLER_MAX) are set on a grid. For each setting every tuned file of
`qa.eval_trusts.TUNED_FILES` is scored (exact answers, micro precision, ordinary questions
taken), and so are the retrieval questions of eval/questions.jsonl (none may be taken for a
set question). A setting is admissible on a group of files when every file keeps precision
>= 0.98 and no ordinary question is taken; the best admissible one has the most exact answers
(ties: the one nearest the shipped values). Printed: the setting fitted on all tuned files,
and, for each tuned file, its exact answers under the setting fitted on the other files only
(leave one file out), beside its figure under the shipped values. The held-out files are not
read. The vignettes are indexed with the fake embedder (the trusts table does not depend on
embeddings); phrases are read with the real MiniLM, each text embedded once and remembered.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GRID = {
    "SIMILAR_MIN": [0.45, 0.5, 0.55],
    "SIMILAR_MARGIN": [0.03, 0.045, 0.06, 0.08],
    "AXIS_MIN": [0.03, 0.05, 0.08, 0.12, 9.0],  # 9.0: the axis never decides
    "FILLER_MAX": [0.4, 0.45, 0.5],
}


def memo_embed(embed):
    cache: dict[str, np.ndarray] = {}

    def f(texts):
        new = [t for t in dict.fromkeys(texts) if t not in cache]
        if new:
            for t, v in zip(new, np.asarray(embed(new), dtype=np.float32), strict=True):
                cache[t] = v
        return np.stack([cache[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)

    return f


def score(setting, runs, retrieval, embed):
    from qa import eval_trusts, trust_questions
    from qa.trusts import answer_set_question

    for k, v in setting.items():
        setattr(trust_questions, k, v)
    out = {}
    for name, (trusts, questions) in runs.items():
        r = eval_trusts.evaluate(trusts, questions, embed=embed)
        out[name] = {"exact": r["exact_lists"], "of": r["set_questions"],
                     "precision": r["micro_precision"], "taken": r["taken_for_set_questions"]}
    trusts = runs[next(iter(runs))][0]
    out["retrieval_taken"] = sum(answer_set_question(q, trusts, embed=embed) is not None
                                 for q in retrieval)
    return out


def best(results, files, shipped):
    def admissible(r):
        return r["retrieval_taken"] == 0 and all(
            r[f]["precision"] >= 0.98 and r[f]["taken"] == 0 for f in files)

    def distance(setting):  # in grid steps
        return sum(abs(GRID[k].index(setting[k]) - GRID[k].index(shipped[k])) for k in GRID)

    ok = [(s, r) for s, r in results if admissible(r)]
    return max(ok, key=lambda sr: (sum(sr[1][f]["exact"] for f in files), -distance(sr[0])))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from index import load_index
    from qa import eval_trusts, trust_questions
    from qa.trusts import trust_table

    shipped = {k: getattr(trust_questions, k) for k in GRID}
    embed = memo_embed(eval_trusts.real_embed())
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        tables = {}
        for path in eval_trusts.TUNED_FILES:
            extra = Path(path).resolve() != eval_trusts.DEFAULT_QUESTIONS
            if extra not in tables:
                tables[extra] = trust_table(load_index(
                    eval_trusts.fixture_index(Path(tmp) / f"x{int(extra)}", extra=extra)))
            runs[Path(path).name] = (tables[extra], eval_trusts.load(path))
    retrieval = [json.loads(line)["question"] for line in
                 (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    files = list(runs)
    results = []
    for values in itertools.product(*GRID.values()):
        setting = dict(zip(GRID, values, strict=True))
        results.append((setting, score(setting, runs, retrieval, embed)))
    base = score(shipped, runs, retrieval, embed)
    fitted, fitted_r = best(results, files, shipped)
    loo = {}
    for f in files:
        rest = [g for g in files if g != f]
        s, sr = best(results, rest, shipped)
        r = next(r for t, r in results if t == s)
        # every setting as good on the other files: how far the left-out file could fall
        top = sum(sr[g]["exact"] for g in rest)
        tied = [r2[f]["exact"] for _, r2 in results if r2["retrieval_taken"] == 0 and all(
            r2[g]["precision"] >= 0.98 and r2[g]["taken"] == 0 for g in rest)
            and sum(r2[g]["exact"] for g in rest) == top]
        loo[f] = {"setting": s, **r[f], "tied_settings": len(tied), "tied_min": min(tied),
                  "tied_max": max(tied)}
    for k, v in shipped.items():  # leave the module as it was
        setattr(trust_questions, k, v)
    report = {"shipped": shipped, "shipped_scores": base, "fitted_on_all": fitted,
              "fitted_scores": fitted_r, "leave_one_out": loo, "settings_tried": len(results)}
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print(f"{len(results)} settings tried; shipped {shipped}")
    print(f"fitted on all tuned files: {fitted}")
    print("file                              shipped   fitted-on-all   leave-one-out (setting)")
    tot = [0, 0, 0, 0]
    for f in files:
        a, b, c = base[f], fitted_r[f], loo[f]
        tot = [tot[0] + a["exact"], tot[1] + b["exact"], tot[2] + c["exact"], tot[3] + a["of"]]
        print(f"{f:34} {a['exact']:3}/{a['of']:<3}   {b['exact']:3}/{b['of']:<3}        "
              f"{c['exact']:3}/{c['of']:<3} P {c['precision']:.3f} taken {c['taken']} "
              f"(settings tied on the others: {c['tied_settings']}, this file "
              f"{c['tied_min']}-{c['tied_max']}) {c['setting']}")
    print(f"{'all':34} {tot[0]:3}/{tot[3]:<3}   {tot[1]:3}/{tot[3]:<3}        "
          f"{tot[2]:3}/{tot[3]:<3} ({tot[2] / tot[3]:.3f})")
    print(f"retrieval questions taken for set questions: shipped {base['retrieval_taken']}, "
          f"fitted {fitted_r['retrieval_taken']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
