"""How long a question about the trusts takes to read and answer, once the model is loaded.

    .venv/bin/python bench/set_questions.py [--rounds 3]

The 17 fictional vignettes (tests/data/vignettes, vignettes-extra, Oakmoor, Riverbend) are
indexed with the fake embedder into a temporary folder (the trusts table does not depend on
embeddings); MiniLM is loaded and the set-question vocabulary's vectors made (what
`Searcher.warm_up` does). Then every question of the tuned files (eval/set_questions.jsonl and
eval/set_questions_heldout.jsonl, _heldout2, _heldout3: `eval_trusts.TUNED_FILES`) is read and answered by `qa.trusts.answer_set_question`
(conditions, MiniLM similarity for leftover phrases, the matching trusts), `--rounds` times.
Printed: median, 95th percentile and maximum milliseconds per question, and the slowest one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import machine_line  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from index import load_index
    from qa import eval_trusts
    from qa.trusts import answer_set_question, trust_table, vocabulary

    with tempfile.TemporaryDirectory() as tmp:
        trusts = trust_table(load_index(eval_trusts.fixture_index(Path(tmp), extra=True)))
    started = time.perf_counter()
    embed = eval_trusts.real_embed()
    embed(["warm up"])
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    vocabulary(trusts).readings(embed)
    vocab_s = time.perf_counter() - started
    questions = list(dict.fromkeys(q.question for path in eval_trusts.TUNED_FILES
                                   for q in eval_trusts.load(path)))
    times: dict[str, list[float]] = {q: [] for q in questions}
    for _ in range(args.rounds):
        for q in questions:
            t0 = time.perf_counter()
            answer_set_question(q, trusts, embed=embed)
            times[q].append((time.perf_counter() - t0) * 1000)
    each = sorted((statistics.median(v), q) for q, v in times.items())
    ms = [m for m, _ in each]
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    print(machine_line())
    print(f"{len(trusts)} trusts, {len(questions)} questions x {args.rounds} rounds; model "
          f"loaded in {loaded:.1f} s, vocabulary vectors in {vocab_s * 1000:.0f} ms")
    print(f"set question answered in: median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, "
          f"max {ms[-1]:.1f} ms (slowest: {each[-1][1]!r})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
