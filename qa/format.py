"""What every front end says the same way: the match levels and the score's name (CLI, web
page, `/ask` JSON and exports), the cleaning of a question before it is searched or echoed,
and the plain-text rendering of answers for the terminal."""

from __future__ import annotations

import textwrap
import unicodedata
from dataclasses import dataclass
from typing import Any

from .search import NOT_FOUND, Answer
from .trusts import field_label

# ---- one vocabulary for match levels and scores -----------------------------------------------

# An answer's evidence and each passage's match are graded strong | weak | none on the
# passage's `similarity` (the score the level is graded on); every front end uses these words.
LEVELS = ("strong", "weak", "none")
LEVEL_WORDS = {"strong": "strong match", "weak": "weak match", "none": "no match"}
SCORE_NAME = "similarity"


def passage_level(similarity: float, strong: float, weak: float) -> str:
    """strong | weak | none for one passage, on the searcher's thresholds."""
    if similarity >= strong:
        return "strong"
    if similarity >= weak:
        return "weak"
    return "none"


def score_words(similarity: float) -> str:
    return f"{SCORE_NAME} {similarity:.2f}"


def answer_json(answer: Answer, strong: float, weak: float,
                notice: str = "") -> dict[str, Any]:
    """`Answer.to_json` with each passage's `match` level (strong | weak | none, graded on its
    `similarity` as the page's badges are) and, when the question was cut, the `notice`."""
    data = answer.to_json()
    for passage, hit in zip(data.get("passages", []), answer.hits, strict=False):
        passage["match"] = passage_level(hit.similarity, strong, weak)
    if notice:
        data["notice"] = notice
    return data


# ---- questions ---------------------------------------------------------------------------------

MAX_QUESTION_CHARS = 500


@dataclass(frozen=True)
class Question:
    """A question as searched and echoed: control and format characters gone, whitespace as
    single spaces, at most MAX_QUESTION_CHARS; `notice` says so when it was cut."""
    text: str
    cut_from: int = 0  # its length before it was cut, 0 when it was not

    @property
    def notice(self) -> str:
        if not self.cut_from:
            return ""
        return (f"Your question was {self.cut_from:,} characters long; only its first "
                f"{MAX_QUESTION_CHARS} were searched.")


def clean_question(raw: Any, limit: int = MAX_QUESTION_CHARS) -> Question:
    """The question to search and echo. Control characters (a terminal escape, a NUL, a bidi
    override) are dropped before anything is shown back; line breaks and tabs become spaces."""
    text = "".join(" " if ch.isspace() else ch for ch in str(raw or "")
                   if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    text = " ".join(text.split())
    if len(text) <= limit:
        return Question(text)
    return Question(text[:limit].rstrip(), cut_from=len(text))


# ---- the terminal ------------------------------------------------------------------------------


def answer_text(answer: Answer, notice: str = "", strong: float | None = None,
                weak: float | None = None) -> str:
    """An answer for the terminal; with the searcher's thresholds, each passage's match level
    before its similarity (as on the web page)."""
    lines = [f"Q: {answer.question}", ""]
    if notice:
        lines += [f"Note: {notice}", ""]
    if answer.set_question:
        lines.append(getattr(answer, "trusts_headline", "") or (
            f"Trusts ({len(answer.trusts)}): " + ("; ".join(answer.trust_conditions)
                                                 or "all indexed vignettes")))
        if not answer.trusts and answer.trusts_message != getattr(answer, "trusts_headline", ""):
            lines.append(f"  {answer.trusts_message}")
        for t in answer.trusts:
            # the field's label as the vignettes print it (as the web page shows it), never
            # the table's key ("other:Religious character")
            matched = "; ".join(f"{field_label(k)}: {v}" for k, v in t["matched"].items())
            lines.append(f"  - {t['name']}" + (f" ({matched})" if matched else "")
                         + f" [{t['citation']}, id {t['passage_id']}]")
        lines.append("")
    number = {h.passage.id: i for i, h in enumerate(answer.hits, 1)}
    reason = getattr(answer, "reason", "")
    if not answer.found:
        lines += [f"{NOT_FOUND} " + (f"{reason} " if reason else "") + "The nearest passages "
                  "are listed below, but they do not answer the question.", ""]
    else:
        lines.append(f"Answer (evidence: {LEVEL_WORDS.get(answer.evidence, answer.evidence)}):")
        if reason and answer.evidence == "weak":
            lines.append(f"  Why weak: {reason}")
        for s in answer.sentences:
            refs = "".join(f"[{number[p]}]" for p in s.passage_ids if p in number)
            lines.append(textwrap.fill(f"“{s.display}” {refs}", 100, initial_indent="  ",
                                       subsequent_indent="    "))
            for item in s.items:
                lines.append(textwrap.fill(f"“{item}”", 100, initial_indent="    - ",
                                           subsequent_indent="      "))
            if s.more_items:
                lines.append(f"    … and {s.more_items} more in the passage")
        lines.append("")
    heading = "Nearest passages (not an answer):" if not answer.found else "Passages:"
    lines.append(heading)
    for i, h in enumerate(answer.hits, 1):
        p = h.passage
        level = (f"{LEVEL_WORDS[passage_level(h.similarity, strong, weak)]}, "
                 if strong is not None and weak is not None else "")
        lines.append(f"[{i}] {p.citation}  (id {p.id}, {level}{score_words(h.similarity)})")
        for para in p.text.split("\n"):
            lines.append(textwrap.fill(para, 100, initial_indent="    ", subsequent_indent="    "))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
