"""`python -m qa.eval_trusts`: precision, recall and exact answers of the trust lists that
questions about the set of trusts return ("Which trusts are not rural?"), per form of
question, for the tuned and the held-out questions apart.

    python -m qa.eval_trusts [--index DIR] [--questions FILE | --tuned] [--fake] [--json]

eval/set_questions.jsonl (used while writing the matcher) is asked of the fictional vignettes
tests/data/make_vignettes.py writes plus Oakmoor and Riverbend; every other file of those plus
tests/data/vignettes-extra/ (fields no code names). By default every file is run: the tuned
ones (set_questions.jsonl, and set_questions_heldout.jsonl, _heldout2 to _heldout4 and
_heldout6 to _heldout15, held out when written, seen and tuned on since; sets 6 to 15 were
written by people who had seen neither the code nor its output, and each was run before it was
tuned on), then the ones still held out, never tuned on and reported apart:
set_questions_heldout5.jsonl (written before the code that answers it) and
set_questions_heldout16.jsonl (round 12c's independent writer's). `--tuned` runs the
tuned files only (what development may look at). Each names the trusts it should return,
worked out by hand; `"expected": null` marks a question that is not about the set and must
return no list. The vignettes are indexed into a temporary folder
with the fake embedder (the trusts table does not depend on embeddings); leftover phrases are
read by similarity with the real MiniLM model (`--fake`: the fake embedder, so they are not).
Then the retrieval questions of eval/questions*.jsonl (ordinary questions about the research)
are asked of the same table: how many are taken for set questions (none should be), each named.

Reported: micro precision and recall over (question, trust) pairs, the mean per question, how
many answers are exactly right (the list, plus the message a question asks for and the content
part of a set-plus-content question), per form, and how many ordinary questions were wrongly
taken for set questions.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONS = ROOT / "eval" / "set_questions.jsonl"
HELDOUT_QUESTIONS = ROOT / "eval" / "set_questions_heldout.jsonl"
HELDOUT2_QUESTIONS = ROOT / "eval" / "set_questions_heldout2.jsonl"
HELDOUT3_QUESTIONS = ROOT / "eval" / "set_questions_heldout3.jsonl"
HELDOUT4_QUESTIONS = ROOT / "eval" / "set_questions_heldout4.jsonl"
HELDOUT5_QUESTIONS = ROOT / "eval" / "set_questions_heldout5.jsonl"
# Written by someone who had seen neither the matcher's code nor its output (round 4); run
# once on the round-4 matcher (23/32), tuned on since (round 5).
HELDOUT6_QUESTIONS = ROOT / "eval" / "set_questions_heldout6.jsonl"
# Written by another such writer, who had not seen the earlier sets' questions either (round 5);
# run once on the round-5 matcher (23/32), tuned on since (round 6).
HELDOUT7_QUESTIONS = ROOT / "eval" / "set_questions_heldout7.jsonl"
# A third independent writer, who had seen no code, output or earlier questions (round 6); run
# once on the round-6 matcher (15/32), tuned on since (round 7).
HELDOUT8_QUESTIONS = ROOT / "eval" / "set_questions_heldout8.jsonl"
# Two more independent writers, each from table T and the issue only (round 7, 2026-12-04);
# run once on the round-6 and once on the round-7 matcher. Set 9 is tuned on since round 8,
# set 10 since round 9.
HELDOUT9_QUESTIONS = ROOT / "eval" / "set_questions_heldout9.jsonl"
HELDOUT10_QUESTIONS = ROOT / "eval" / "set_questions_heldout10.jsonl"
# A sixth independent writer, from table T and the issue only (round 9); run on the round-8
# (30/42) and round-9 (31/42) matchers, tuned on from round 10.
HELDOUT11_QUESTIONS = ROOT / "eval" / "set_questions_heldout11.jsonl"
# A seventh independent writer, from table T and the issue only (round 10); its first runs were
# on main before (33/42) and after (34/42) round 10's matcher; tuned on from round 11.
HELDOUT12_QUESTIONS = ROOT / "eval" / "set_questions_heldout12.jsonl"
# An eighth independent writer, from table T and the issue only (round 11); its runs: 36/42
# (round 10's matcher) and 37/42 (round 11's); tuned on from round 12.
HELDOUT13_QUESTIONS = ROOT / "eval" / "set_questions_heldout13.jsonl"
# A ninth independent writer, from table T and the issue only (round 12); its runs: 34/42 on
# main before round 12's matcher, 36/42 after; tuned on from round 12b.
HELDOUT14_QUESTIONS = ROOT / "eval" / "set_questions_heldout14.jsonl"
# A tenth independent writer (round 12b); its runs: 38/42 before and after round 12b; tuned on
# from round 12c.
HELDOUT15_QUESTIONS = ROOT / "eval" / "set_questions_heldout15.jsonl"
# Seen during development (the first three held-out sets were, once run): tuned on. Set 11 is
# tuned on from round 10 (its first runs: 30/42 on round 8's matcher, 31/42 on round 9's).
TUNED_FILES = [DEFAULT_QUESTIONS, HELDOUT_QUESTIONS, HELDOUT2_QUESTIONS, HELDOUT3_QUESTIONS,
               HELDOUT4_QUESTIONS, HELDOUT6_QUESTIONS, HELDOUT7_QUESTIONS, HELDOUT8_QUESTIONS,
               HELDOUT9_QUESTIONS, HELDOUT10_QUESTIONS, HELDOUT11_QUESTIONS,
               HELDOUT12_QUESTIONS, HELDOUT13_QUESTIONS, HELDOUT14_QUESTIONS,
               HELDOUT15_QUESTIONS]
# Held out: never run while the matcher is being changed; reported apart.
# An eleventh independent writer, from table T and the issue only (round 12c); committed and
# run on main before round 12c's matcher was.
HELDOUT16_QUESTIONS = ROOT / "eval" / "set_questions_heldout16.jsonl"
HELDOUT_FILES = [HELDOUT5_QUESTIONS, HELDOUT16_QUESTIONS]
# The retrieval questions (ordinary questions about the research, answered from passages):
# none may be taken for a question about the set; reported after the set files.
RETRIEVAL_FILES = sorted((ROOT / "eval").glob("questions*.jsonl"))
FIXTURES = ROOT / "tests" / "data"


@dataclass
class SetQuestion:
    id: str
    question: str
    expected: list[str] | None  # None: not a question about the set
    forms: list[str] = field(default_factory=list)
    message: str = ""  # text the answer must say ("No vignette records")
    content: bool = False  # a set-plus-content question: the answer names its content part


def load(path: Path = DEFAULT_QUESTIONS) -> list[SetQuestion]:
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            forms = d.get("forms") or (["not_set"] if d["expected"] is None else ["tuned"])
            out.append(SetQuestion(d["id"], d["question"], d["expected"], forms,
                                   d.get("message", ""), bool(d.get("content"))))
    return out


def _right(q: SetQuestion, found) -> bool:
    if q.expected is None:
        return found is None
    if found is None or {t["name"] for t in found.trusts} != set(q.expected):
        return False
    if q.message and q.message not in (found.message or found.headline):
        return False
    return not q.content or bool(found.content)


def evaluate(trusts, questions: list[SetQuestion], embed=None) -> dict[str, Any]:
    from .trusts import answer_set_question

    rows, tp, fp, fn = [], 0, 0, 0
    precisions, recalls, exact, wrong_set = [], [], 0, 0
    forms: dict[str, dict[str, int]] = {}
    for q in questions:
        found = answer_set_question(q.question, trusts, embed=embed)
        got = None if found is None else [t["name"] for t in found.trusts]
        right = _right(q, found)
        row = {"id": q.id, "question": q.question, "forms": q.forms, "expected": q.expected,
               "got": got, "right": right, "headline": found.headline if found else "",
               "conditions": found.conditions if found else [],
               "message": found.message if found else ""}
        rows.append(row)
        for f in q.forms:
            c = forms.setdefault(f, {"questions": 0, "exact": 0, "tp": 0, "fp": 0, "fn": 0})
            c["questions"] += 1
            c["exact"] += right
        if q.expected is None:
            wrong_set += got is not None
            continue
        want, have = set(q.expected), set(got or [])
        hit = len(want & have)
        tp, fp, fn = tp + hit, fp + len(have - want), fn + len(want - have)
        for f in q.forms:
            forms[f]["tp"] += hit
            forms[f]["fp"] += len(have - want)
            forms[f]["fn"] += len(want - have)
        precisions.append(hit / len(have) if have else (1.0 if not want else 0.0))
        recalls.append(hit / len(want) if want else (1.0 if not have else 0.0))
        exact += right
    set_qs = sum(q.expected is not None for q in questions)
    per_form = {f: {"questions": c["questions"], "exact": c["exact"],
                    "precision": round(c["tp"] / (c["tp"] + c["fp"]), 3) if c["tp"] + c["fp"]
                    else 1.0,
                    "recall": round(c["tp"] / (c["tp"] + c["fn"]), 3) if c["tp"] + c["fn"]
                    else 1.0}
                for f, c in sorted(forms.items())}
    return {
        "set_questions": set_qs,
        "other_questions": len(questions) - set_qs,
        "micro_precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "micro_recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
        "mean_precision": round(sum(precisions) / len(precisions), 3) if precisions else None,
        "mean_recall": round(sum(recalls) / len(recalls), 3) if recalls else None,
        "exact_lists": exact,
        "exact_share": round(exact / set_qs, 3) if set_qs else 1.0,
        "taken_for_set_questions": wrong_set,
        "forms": per_form,
        "questions": rows,
    }


def fixture_index(folder: Path, extra: bool = False) -> Path:
    """The fictional vignettes indexed with the fake embedder into `folder`/index (with
    `extra`, the held-out vignettes of tests/data/vignettes-extra too)."""
    from index import EmbedSettings, IndexSettings, build_index

    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    folders = [FIXTURES / "vignettes"] + ([FIXTURES / "vignettes-extra"] if extra else [])
    for d in folders:
        for f in d.iterdir():
            shutil.copy(f, corpus / f.name)
    for name in ("vignette-oakmoor.docx", "vignette-riverbend.txt"):
        shutil.copy(FIXTURES / name, corpus / name)
    build_index(corpus, folder / "index", IndexSettings(embed=EmbedSettings(model="fake")))
    return folder / "index"


def text_report(report: dict[str, Any], title: str = "") -> str:
    lines = ([title] if title else []) + [
        f"{report['set_questions']} set questions, {report['other_questions']} others",
        f"precision {report['micro_precision']:.3f}  recall {report['micro_recall']:.3f}  "
        f"(micro, over question-trust pairs)",
        f"mean per question: precision {report['mean_precision']:.3f}  recall "
        f"{report['mean_recall']:.3f}",
        f"exact answers: {report['exact_lists']}/{report['set_questions']} "
        f"({report['exact_share']:.1%})",
        f"ordinary questions taken for set questions: "
        f"{report['taken_for_set_questions']}/{report['other_questions']}",
        "per form: questions, exact, precision, recall"]
    for f, c in report["forms"].items():
        lines.append(f"  {f:17} {c['questions']:3} {c['exact']:3}  {c['precision']:.3f} "
                     f"{c['recall']:.3f}")
    for r in report["questions"]:
        if not r["right"]:
            extra = sorted(set(r["got"] or []) - set(r["expected"] or []))
            missing = sorted(set(r["expected"] or []) - set(r["got"] or []))
            lines.append(f"MISS {r['id']} {r['question']!r}: extra {extra}, missing {missing}"
                         + (f" ({r['headline']})" if r["headline"] else "")
                         + (" (not read as a set question)" if r["got"] is None
                            and r["expected"] is not None else ""))
    return "\n".join(lines) + "\n"


def real_embed():
    """MiniLM's embed function (texts -> unit vectors), loaded offline."""
    from index import EmbedSettings
    from index.embedder import make_embedder

    embedder = make_embedder(EmbedSettings())
    return embedder.embed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.eval_trusts",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, default=None,
                        help="an index holding the fictional vignettes (default: build one)")
    parser.add_argument("--questions", type=Path, default=None,
                        help="one question file (default: the tuned and the held-out files)")
    parser.add_argument("--tuned", action="store_true",
                        help="the tuned files only, not the held-out one")
    parser.add_argument("--fake", action="store_true",
                        help="read leftover phrases with the fake embedder (no MiniLM)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--no-retrieval", action="store_true",
                        help="skip the check that retrieval questions are not taken")
    args = parser.parse_args(argv)

    from index import EmbedSettings, load_index
    from index.embedder import make_embedder

    from .trusts import trust_table

    embed = make_embedder(EmbedSettings(model="fake")).embed if args.fake else real_embed()
    if args.questions:
        runs = [(args.questions, "")]
    else:
        runs = [(p, "tuned") for p in TUNED_FILES] + (
            [] if args.tuned else [(p, "held out, never tuned on") for p in HELDOUT_FILES
                                   if p.exists()])
    reports, titles = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        tables: dict[bool, list] = {}
        for path, status in runs:
            extra = Path(path).resolve() != DEFAULT_QUESTIONS
            if extra not in tables:
                index_dir = args.index or fixture_index(Path(tmp) / f"extra{int(extra)}",
                                                        extra=extra)
                tables[extra] = trust_table(load_index(index_dir))
            name = Path(path).name
            reports[name] = evaluate(tables[extra], load(path), embed=embed)
            reports[name]["status"] = status
            titles[name] = f"== {name}" + (f" ({status})" if status else "") + " =="
        retrieval = {}
        if not args.no_retrieval:
            if True not in tables:
                tables[True] = trust_table(load_index(
                    args.index or fixture_index(Path(tmp) / "extra1", extra=True)))
            retrieval = retrieval_taken(tables[True], embed)
    if args.json:
        print(json.dumps({**reports, "retrieval": retrieval}, indent=1, ensure_ascii=False))
    else:
        for name, report in reports.items():
            print(text_report(report, titles[name]))
        for name, r in retrieval.items():
            print(f"retrieval {name}: {len(r['taken'])}/{r['questions']} taken for set questions")
            for q in r["taken"]:
                print(f"  TAKEN {q}")
    return 0


def retrieval_taken(trusts, embed) -> dict[str, Any]:
    """Per retrieval file (eval/questions*.jsonl): its questions that `answer_set_question`
    takes for questions about the set."""
    from .trusts import answer_set_question

    out = {}
    for path in RETRIEVAL_FILES:
        qs = [json.loads(line)["question"] for line in path.read_text(encoding="utf-8")
              .splitlines() if line.strip()]
        out[path.name] = {"questions": len(qs), "taken": [
            q for q in qs if answer_set_question(q, trusts, embed=embed) is not None]}
    return out


if __name__ == "__main__":
    sys.exit(main())
