"""`python -m qa.eval_packs`: how good the session packs are, on the labelled sets of issue 22.

For each question of eval/packs.jsonl (the questions of sessions 8.1-8.5, built as the five
session packs), eval/packs_heldout.jsonl (other facilitator questions, one pack),
eval/packs_heldout2.jsonl, packs_heldout3.jsonl and packs_heldout4.jsonl (later sets, one pack per
session they name, with that session's title), it counts:

- pack recall: the expected sections (eval/README.md) quoted under the question, or referred
  back to from it, over all expected sections;
- apparatus as evidence: quotes from the hand-listed apparatus sections (packs_apparatus.jsonl)
  under questions that do not ask about the method;
- bad "In short": answer entries that are a URL, a bare heading, a caption or a fragment.

    python -m qa.eval_packs [--index var/index] [--corpus corpus] [--json] [--show]

Since round 12 of issue 22, packs.jsonl and packs_heldout.jsonl to packs_heldout4.jsonl are all
TUNING sets (their names are historical; labels "tuning", "tuning-h1" to "tuning-h4");
packs_heldout5.jsonl (an independent writer's, round 12) is HELD OUT ("heldout5"): its totals
are printed, never its misses (`--show` lists misses for the tuning sets only).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ingest.normalise import OMISSION, match_key

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "eval"
TUNING = EVAL / "packs.jsonl"
HELDOUT = EVAL / "packs_heldout.jsonl"
HELDOUT2 = EVAL / "packs_heldout2.jsonl"
HELDOUT3 = EVAL / "packs_heldout3.jsonl"
HELDOUT4 = EVAL / "packs_heldout4.jsonl"
# A fifth set by an independent writer (round 12), committed before round 12's code ran on it.
HELDOUT5 = EVAL / "packs_heldout5.jsonl"
APPARATUS = EVAL / "packs_apparatus.jsonl"
# The sets whose misses `--show` may print: the tuning sets (round 10), never the held-out one.
SHOWABLE = ("tuning", "tuning-h1", "tuning-h2", "tuning-h3", "tuning-h4")


def load_cases(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line.strip()]


def _fold(text: str) -> str:
    return match_key(text).casefold()


def in_section(passage, document: str, section: str, part: str | None = None,
               quoted: str | None = None) -> bool:
    """The passage is of `document`, under the heading `section` (in its heading path, or the
    heading printed inside it), and holds the `part` line if one is given; `quoted`: the text
    the pack quotes of it (an excerpt holds only some of its lines), which must hold `part`."""
    if passage.file != document:
        return False
    want = _fold(section)
    path = [_fold(h) for h in passage.section]
    lines = [_fold(line) for line in passage.text.split("\n")]
    # In its heading path, or printed as a line of its own (a heading the chunker did not
    # take as one: "3.3 In successful federations/MATs, the role ..."); the word in running
    # text ("... governance ...") is not the section.
    under = any(h.startswith(want) or (h and want.startswith(h) and len(h) > 12) for h in path) \
        or any(line.startswith(want) for line in lines if line)
    text = passage.text if quoted is None else quoted
    return under and (not part or match_key(part) in match_key(text))


# --- "In short" entries that are not sentences ---------------------------------------------

_URL = re.compile(r"https?://|www\.|\b[a-z0-9]+(?:-[a-z0-9]+){3,}\b", re.IGNORECASE)
_CAPTION = re.compile(r"^(?:graph|graphic|figure|fig\.|table|chart|diagram|image)\s+"
                      r"[A-Z0-9][A-Za-z0-9.]*\b", re.IGNORECASE)
_NUMBERED_HEADING = re.compile(r"^\d+(?:\.\d+)+\s")
_ENDS_SENTENCE = re.compile(r"[.!?…][’”'\")\]]*$")


def bad_in_short(entry: str, headings: set[str]) -> str:
    """Why an "In short" entry is no sentence ("url", "heading", "caption", "fragment"), or
    "". An entry is a sentence, or a list's lead-in with its items on the lines after it."""
    lines = [ln.strip() for ln in entry.split("\n") if ln.strip()]
    if not lines:
        return "fragment"
    first = " ".join(p for p in lines[0].split(OMISSION)).strip()
    has_items = len(lines) > 1
    if _URL.search(entry):
        return "url"
    if _CAPTION.match(first):
        return "caption"
    if not has_items and (_fold(first) in headings or _NUMBERED_HEADING.match(first)):
        return "heading"
    if first[:1].islower() or len(first.split()) < 3:
        return "fragment"
    if not has_items and not _ENDS_SENTENCE.search(first):
        return "heading" if len(first.split()) <= 12 else "fragment"
    return ""


# --- Running the packs ---------------------------------------------------------------------

@dataclass
class Figures:
    expected: int = 0
    found: int = 0
    apparatus: int = 0
    in_short: int = 0
    bad: dict[str, int] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    bad_examples: list[str] = field(default_factory=list)
    apparatus_examples: list[str] = field(default_factory=list)
    # The packs' size, so that recall is not bought by length: questions, quotes (each passage
    # quoted once per pack), "quoted above" referrals and the words quoted, over `packs` packs.
    packs: int = 0
    questions: int = 0
    quotes: int = 0
    referrals: int = 0
    words: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 0.0

    def to_json(self) -> dict:
        return {"expected": self.expected, "found": self.found,
                "recall": round(self.recall, 4), "apparatus_as_evidence": self.apparatus,
                "in_short": self.in_short, "bad_in_short": sum(self.bad.values()),
                "bad_by_kind": self.bad, "packs": self.packs, "questions": self.questions,
                "quotes": self.quotes, "referrals": self.referrals, "words": self.words}

    def size(self) -> str:
        if not self.questions:
            return ""
        return (f"{self.quotes / self.questions:.2f} quotes + "
                f"{self.referrals / self.questions:.2f} referrals a question, "
                f"{self.words / max(1, self.packs):,.0f} words a pack "
                f"({self.quotes} quotes, {self.words:,} words, {self.packs} packs)")


def score_pack(doc, cases: list[dict], index, apparatus: list[dict], figures: Figures) -> None:
    """Add one pack's figures; its sections are its questions, in the cases' order."""
    headings = {_fold(h) for p in index.passages for h in p.section}
    by_heading = {s.heading: s for s in doc.sections}
    # What the pack prints of each passage it quotes (an excerpt, or the whole passage).
    printed = {q.passage_id: q.text for s in doc.sections for q in s.quotes}
    figures.packs += 1
    for s in doc.sections:
        figures.questions += 1
        figures.quotes += len(s.quotes)
        figures.referrals += len(s.see_also)
        figures.words += sum(len(q.text.split()) for q in s.quotes)
    for case in cases:
        section = by_heading.get(" ".join(case["question"].split()))
        passages = []
        if section is not None:
            ids = [q.passage_id for q in section.quotes] + list(section.see_also)
            passages = [p for p in (index.passage(pid) for pid in ids) if p is not None]
        for want in case["expected"]:
            figures.expected += 1
            if any(in_section(p, want["document"], want["section"], want.get("part"),
                              printed.get(p.id))
                   for p in passages):
                figures.found += 1
            else:
                figures.misses.append(f"{case['id']}: {want['section']}"
                                      f"{' / ' + want['part'] if want.get('part') else ''}")
        if section is None:
            continue
        if not case.get("asks_apparatus"):
            for q in section.quotes:
                p = index.passage(q.passage_id)
                if p is not None and any(in_section(p, a["document"], a["section"])
                                         for a in apparatus):
                    figures.apparatus += 1
                    figures.apparatus_examples.append(f"{case['id']}: {p.section_label}")
        for entry in section.answer:
            figures.in_short += 1
            why = bad_in_short(entry, headings)
            if why:
                figures.bad[why] = figures.bad.get(why, 0) + 1
                figures.bad_examples.append(f"{case['id']} [{why}]: {entry[:90]!r}")


def run(searcher, corpus: Path, handout: bool = False) -> dict[str, Figures]:
    from .prep import Session, build_pack, build_session_pack, find_session, load_sessions

    apparatus = load_cases(APPARATUS)
    sessions = load_sessions(corpus / "sessions.toml")
    out = {"tuning": Figures(), "tuning-h1": Figures(), "tuning-h2": Figures(),
           "tuning-h3": Figures(), "tuning-h4": Figures(), "heldout5": Figures()}
    tuning = load_cases(TUNING)
    for sid in dict.fromkeys(c["session"] for c in tuning):
        doc = build_session_pack(searcher, find_session(sessions, sid), corpus_dir=corpus)
        score_pack(doc, [c for c in tuning if c["session"] == sid], searcher.index, apparatus,
                   out["tuning"])
    held = load_cases(HELDOUT)
    doc = build_pack(searcher, [c["question"] for c in held], "Held-out questions",
                     corpus_dir=corpus)
    score_pack(doc, held, searcher.index, apparatus, out["tuning-h1"])
    # The later held-out sets name their sessions: one pack per session, as a facilitator
    # would build it.
    for name, path in (("tuning-h2", HELDOUT2), ("tuning-h3", HELDOUT3), ("tuning-h4", HELDOUT4),
                       ("heldout5", HELDOUT5)):
        if not path.exists():
            del out[name]
            continue
        cases_of_set = load_cases(path)
        for sid in dict.fromkeys(c["session"] for c in cases_of_set):
            cases = [c for c in cases_of_set if c["session"] == sid]
            doc = build_session_pack(searcher, Session(sid, cases[0].get("title", sid),
                                                       [c["question"] for c in cases]),
                                     corpus_dir=corpus)
            score_pack(doc, cases, searcher.index, apparatus, out[name])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.eval_packs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, default=ROOT / "var" / "index")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--show", action="store_true",
                        help="also list the misses, apparatus quotes and bad entries "
                             "(tuning sets only: never for the held-out set)")
    args = parser.parse_args(argv)

    from index import load_index

    from .search import Searcher, embedder_for

    index = load_index(args.index)
    searcher = Searcher(index, embedder_for(index))
    figures = run(searcher, args.corpus)
    if args.json:
        print(json.dumps({k: f.to_json() for k, f in figures.items()}, indent=2))
        return 0
    for name, f in figures.items():
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(f.bad.items())) or "none"
        print(f"{name:9s} pack recall {f.found}/{f.expected} = {f.recall:.1%}; "
              f"apparatus quoted as evidence {f.apparatus}; "
              f"bad In short {sum(f.bad.values())}/{f.in_short} ({kinds})")
        print(f"{'':9s} size: {f.size()}")
        if args.show and name in SHOWABLE:
            for line in (*f.misses, *f.apparatus_examples, *f.bad_examples):
                print("   ", line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
