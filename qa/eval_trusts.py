"""`python -m qa.eval_trusts`: precision and recall of the trust lists that questions about the
set of trusts return ("Which trusts are rural?").

    python -m qa.eval_trusts [--index DIR] [--questions FILE] [--json]

The questions (eval/set_questions.jsonl) name the trusts each should return, worked out by
hand from the fictional vignettes tests/data/make_vignettes.py writes (plus Oakmoor and
Riverbend); `"expected": null` marks a question that is not about the set and must return no
list. Without --index, those vignettes are indexed into a temporary folder with the fake
embedder (the trust lists do not depend on embeddings).

Reported: micro precision and recall over (question, trust) pairs, the mean per question, how
many lists are exactly right, and how many ordinary questions were wrongly taken for set
questions.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONS = ROOT / "eval" / "set_questions.jsonl"
FIXTURES = ROOT / "tests" / "data"


@dataclass
class SetQuestion:
    id: str
    question: str
    expected: list[str] | None  # None: not a question about the set


def load(path: Path = DEFAULT_QUESTIONS) -> list[SetQuestion]:
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out.append(SetQuestion(d["id"], d["question"], d["expected"]))
    return out


def evaluate(trusts, questions: list[SetQuestion]) -> dict[str, Any]:
    from .trusts import answer_set_question

    rows, tp, fp, fn = [], 0, 0, 0
    precisions, recalls, exact, wrong_set = [], [], 0, 0
    for q in questions:
        found = answer_set_question(q.question, trusts)
        got = None if found is None else [t["name"] for t in found.trusts]
        row = {"id": q.id, "question": q.question, "expected": q.expected, "got": got,
               "conditions": found.conditions if found else [],
               "message": found.message if found else ""}
        rows.append(row)
        if q.expected is None:
            wrong_set += got is not None
            continue
        want, have = set(q.expected), set(got or [])
        hit = len(want & have)
        tp, fp, fn = tp + hit, fp + len(have - want), fn + len(want - have)
        precisions.append(hit / len(have) if have else (1.0 if not want else 0.0))
        recalls.append(hit / len(want) if want else (1.0 if not have else 0.0))
        exact += want == have and got is not None
    set_qs = sum(q.expected is not None for q in questions)
    return {
        "set_questions": set_qs,
        "other_questions": len(questions) - set_qs,
        "micro_precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "micro_recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
        "mean_precision": round(sum(precisions) / len(precisions), 3) if precisions else None,
        "mean_recall": round(sum(recalls) / len(recalls), 3) if recalls else None,
        "exact_lists": exact,
        "taken_for_set_questions": wrong_set,
        "questions": rows,
    }


def fixture_index(folder: Path) -> Path:
    """The fictional vignettes indexed with the fake embedder into `folder`/index."""
    from index import EmbedSettings, IndexSettings, build_index

    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    for f in (FIXTURES / "vignettes").iterdir():
        shutil.copy(f, corpus / f.name)
    for name in ("vignette-oakmoor.docx", "vignette-riverbend.txt"):
        shutil.copy(FIXTURES / name, corpus / name)
    build_index(corpus, folder / "index", IndexSettings(embed=EmbedSettings(model="fake")))
    return folder / "index"


def text_report(report: dict[str, Any]) -> str:
    lines = [f"{report['set_questions']} set questions, {report['other_questions']} others",
             f"precision {report['micro_precision']:.3f}  recall {report['micro_recall']:.3f}  "
             f"(micro, over question-trust pairs)",
             f"mean per question: precision {report['mean_precision']:.3f}  recall "
             f"{report['mean_recall']:.3f}",
             f"exactly right lists: {report['exact_lists']}/{report['set_questions']}",
             f"ordinary questions taken for set questions: "
             f"{report['taken_for_set_questions']}/{report['other_questions']}", ""]
    for r in report["questions"]:
        if r["expected"] is None:
            ok = r["got"] is None
        else:
            ok = r["got"] is not None and set(r["got"]) == set(r["expected"])
        if not ok:
            extra = sorted(set(r["got"] or []) - set(r["expected"] or []))
            missing = sorted(set(r["expected"] or []) - set(r["got"] or []))
            lines.append(f"MISS {r['id']} {r['question']!r}: extra {extra}, missing {missing}"
                         + (f" ({r['message']})" if r["message"] else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.eval_trusts",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, default=None,
                        help="an index holding the fictional vignettes (default: build one)")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    from index import load_index

    from .trusts import trust_table

    with tempfile.TemporaryDirectory() as tmp:
        index_dir = args.index or fixture_index(Path(tmp))
        trusts = trust_table(load_index(index_dir))
    report = evaluate(trusts, load(args.questions))
    print(json.dumps(report, indent=1, ensure_ascii=False) if args.json else text_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
