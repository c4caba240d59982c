"""Plain-text rendering of answers and passages for the terminal."""

from __future__ import annotations

import textwrap

from .search import NOT_FOUND, Answer


def answer_text(answer: Answer) -> str:
    lines = [f"Q: {answer.question}", ""]
    if answer.set_question:
        lines.append(getattr(answer, "trusts_headline", "") or (
            f"Trusts ({len(answer.trusts)}): " + ("; ".join(answer.trust_conditions)
                                                 or "all indexed vignettes")))
        if not answer.trusts and answer.trusts_message != getattr(answer, "trusts_headline", ""):
            lines.append(f"  {answer.trusts_message}")
        for t in answer.trusts:
            matched = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in t["matched"].items())
            lines.append(f"  - {t['name']}" + (f" ({matched})" if matched else "")
                         + f" [{t['citation']}, id {t['passage_id']}]")
        lines.append("")
    number = {h.passage.id: i for i, h in enumerate(answer.hits, 1)}
    reason = getattr(answer, "reason", "")
    if not answer.found:
        lines += [f"{NOT_FOUND} " + (f"{reason} " if reason else "") + "The nearest passages "
                  "are listed below, but they do not answer the question.", ""]
    else:
        lines.append(f"Answer (evidence: {answer.evidence}):")
        if reason and answer.evidence == "weak":
            lines.append(f"  Weak match: {reason}")
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
        lines.append(f"[{i}] {p.citation}  (id {p.id}, similarity {h.similarity:.2f})")
        for para in p.text.split("\n"):
            lines.append(textwrap.fill(para, 100, initial_indent="    ", subsequent_indent="    "))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
