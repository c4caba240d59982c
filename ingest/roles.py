"""Evidence or apparatus: what a passage is for (issue 22).

Most passages are evidence: what the research found, what leaders said, what trusts do. Some
are apparatus: how the study was done, what the document is, who wrote it, its contents, a
list of references or links, a blank template, the session outlines that pose the questions.
Apparatus stays searchable ("How was the study done?" is answered from it), but it is never an
answer's "In short", never ranked above evidence of similar similarity, and a pack does not
quote it as evidence; unless the question asks about the study or the document itself
(`asks_about_study`), when it is ranked, and quoted, on its own score.

The role is read from the passage's headings and the shape of its text, never from its
document's name, so it holds for documents added later.

    role_of(passage)      -> "evidence" | "apparatus"
    apparatus_reason(p)   -> why, in words ("" for evidence)
    asks_about_study(q)   -> True when a question asks about the study or document itself
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .records import Passage

EVIDENCE = "evidence"
APPARATUS = "apparatus"
ROLES = (EVIDENCE, APPARATUS)

# Headings that name apparatus (matched on the heading without its number, in lower case).
_APPARATUS_HEADING = re.compile(
    r"^(?:about (?:this|these|the|our) (?:case stud(?:y|ies)|synopsis|report|paper|study|"
    r"research|briefing|booklet|document|project|authors?|survey|sample|data)\b"
    r"|about case studies\b|about the authors?\b|the authors?$|authors?$|contributors\b"
    r"|(?:author )?biograph(?:y|ies)\b|acknowledge?ments?\b|contents$|table of contents\b"
    r"|references$|bibliography\b|further reading\b|useful (?:links|resources)\b"
    r"|sources$|notes on (?:the )?(?:method|sources)\b|glossary$"
    r"|method(?:s|ology)?\b|research (?:design|methods?)\b|data collection\b"
    r"|interviews$|process$|sampling\b|the sample$|how (?:we|this study)\b)")
_NUMBER = re.compile(r"^(?:(?:part|section|chapter|appendix)\s+[\divxlc]+[.:]?\s*|"
                     r"\d+(?:\.\d+)*[.)]?\s+)", re.IGNORECASE)

# Text that speaks about the document itself ("This is a briefing paper, collating ...",
# "This version of the report contains ...", "In this 'Synopsis Only' version ...").
_ABOUT_DOCUMENT = re.compile(
    r"^(?:this (?:is an? |is the )?(?:version of the |public version of the )?"
    r"(?:briefing )?(?:paper|report|synopsis|booklet|document|study|review|guide)\b"
    r"|in this [‘'\"“]?[\w ]*[’'\"”]? ?version of the (?:report|paper|document)\b)",
    re.IGNORECASE)
# Ways of saying how a study was done; two different ones make a passage methodology. Not
# "were interviewed" or "our sample was": a description of who was studied ("13 leaders were
# interviewed from 13 trusts comprising 55 primary schools ...") is evidence about them.
_METHOD_CUES = re.compile(
    r"\b(?:semi-structured|interview framework|interviews? (?:was|were) carried|"
    r"we interviewed|each interview|interview lasting|respondents?\b|"
    r"sample (?:is|was) (?:necessarily|small|opportunistic)|"
    r"representative (?:in|of the sector)|we gave each|anonymous(?:ly)?|"
    r"we were not setting out|we did collate|case study material|"
    r"we (?:organised|summarised|added|focused|asked how|went for|tried)\b)",
    re.IGNORECASE)
_URL = re.compile(r"https?://\S+|www\.\S+")
_SENTENCE_END = re.compile(r"[.!?][’”'\")\]]*$")
_LIST_MARKER = re.compile(r"^(?:[-–•*·▪●◦]|o(?=\s)|[a-z]\)|\d+[.)])\s+")
_INTERROGATIVE = re.compile(
    r"^(?:what|how|why|who|whom|whose|which|when|where|should|would|could|can|do|does|did|is|"
    r"are|will)\b", re.IGNORECASE)


def poses_questions(text: str, share: float = 0.25) -> bool:
    """True for a passage that sets questions rather than answering them, like a session
    outline ("- How do you / o carry out due diligence / ... in a MAT/federation setting?"):
    question blocks (a line opening with a question word, through the line ending in "?")
    make up at least `share` of its text. Such a passage matches its own questions best, but
    quoting it back as the evidence would be circular."""
    lines = [line.strip() for line in text.split("\n")]
    total = sum(len(line) for line in lines) or 1
    covered, i = 0, 0
    while i < len(lines):
        body = _LIST_MARKER.sub("", lines[i])
        if _INTERROGATIVE.match(body) and not body.endswith("."):
            for j in range(i, min(i + 12, len(lines))):
                if lines[j].endswith("?"):
                    covered += sum(len(line) for line in lines[i:j + 1])
                    i = j
                    break
        i += 1
    return covered / total >= share


def _bare(heading: str) -> str:
    return " ".join(_NUMBER.sub("", heading.strip()).lower().split())


def _is_link_list(lines: list[str]) -> bool:
    """Links and programme names, no finished sentence of its own (a reference or link list);
    a passage that only runs on after a link ("... Toolkit, matching focus areas ...") is
    evidence."""
    urls = [ln for ln in lines if _URL.search(ln)]
    if not urls:
        return False
    prose = [ln for ln in lines if not _URL.fullmatch(ln.strip())
             and _SENTENCE_END.search(ln) and len(ln.split()) >= 8]
    return not prose


def _is_blank_template(lines: list[str]) -> bool:
    """A form with labels and no answers: six or more lines, most of them short labels (not
    list items, no sentence end), and no sentence."""
    if len(lines) < 6:
        return False
    labels = [ln for ln in lines if not _LIST_MARKER.match(ln) and len(ln.split()) <= 8
              and not _SENTENCE_END.search(ln)]
    sentences = [ln for ln in lines if _SENTENCE_END.search(ln) and len(ln.split()) >= 6]
    return len(labels) >= 0.7 * len(lines) and not sentences


def apparatus_reason(p: Passage) -> str:
    """Why the passage is apparatus, in words; "" when it is evidence."""
    if p.kind == "vignette" or p.doc_type == "vignette":
        return ""  # a trust's own page: the key dimensions are the evidence
    if p.kind == "contents":
        return "a table of contents"
    for heading in p.section:
        if _APPARATUS_HEADING.match(_bare(heading)):
            return f"under “{heading.strip()}”"
    lines = [ln.strip() for ln in p.text.split("\n") if ln.strip()]
    if poses_questions(p.text):
        return "it poses questions (a session outline)"
    heads = {_bare(h) for h in p.section}
    body = [ln for ln in lines if _bare(ln) not in heads]
    if body and _ABOUT_DOCUMENT.match(body[0]) and len(p.text) < 1200:
        return "it describes the document itself"
    if any(_ABOUT_DOCUMENT.match(ln) for ln in body[:3]) and len(p.text) < 1200:
        return "it describes the document itself"
    if _is_link_list(lines):
        return "a list of links"
    if _is_blank_template(lines):
        return "a blank template"
    cues = {m.group(0).lower() for m in _METHOD_CUES.finditer(p.text)}
    if len(cues) >= 2:
        return "it says how the study was done"
    return ""


# A question about the study or the document itself, in the words of the apparatus kinds
# above: how the study was done (the study, the research, the sample, interviews, respondents,
# method, case studies, researchers), what the document is (the report, paper, synopsis,
# booklet, its version, appendix, foreword, preface), who made it (authors, who wrote,
# commissioned, funded or paid for it), its contents, references and links (further reading,
# where to read or find more) and the session outlines (the proposed training sessions, their
# materials). A word such as "research" or "report" counts when it names the work ("the
# research", "this CUREE report"), not in "does research show ...".
_DOCUMENT_NOUN = (r"(?:study|studies|research|report|paper|briefing|synopsis|booklet|document"
                  r"|documents|survey|project|case stud(?:y|ies)|sample|interviews?|method(?:s|ology)?"
                  r"|authors?|foreword|preface|appendix|references|bibliography|contents|version"
                  r"|training|sessions?|programme|materials)")
_STUDY_QUESTION = re.compile(
    r"\b(?:the|this|these|that|its|their|your|each)\s+(?:[\w’'-]+\s+){0,3}?" + _DOCUMENT_NOUN + r"\b"
    r"|\bcase[\s-]stud(?:y|ies)\b|\bsampl(?:e|es|ed|ing)\b|\binterview(?:s|ed|ees?|ers?)?\b"
    r"|\brespondents?\b|\bmethod(?:s|ology)?\b|\bresearchers?\b|\bauthors?\b"
    r"|\bwho\s+(?:wrote|funded|paid|commissioned|published)\b|\bwritten\s+by\b|\bcommissioned\b"
    r"|\bfurther\s+reading\b|\b(?:read|find\s+out|learn)\s+more\b|\blinks?\b"
    r"|\bforeword\b|\bpreface\b|\bappendix\b|\btemplate\b|\b(?:training\s+)?sessions?\b",
    re.IGNORECASE)


def asks_about_study(question: str) -> bool:
    """True for a question about the study or the document itself ("How was the research
    done?", "Who paid for the CUREE report?", "Why did they pick smaller trusts for the
    sample?", "What does the set-up session cover?"): there the apparatus is the evidence
    and is ranked on its own score (qa/search.py). "Does research show MATs do better?" or
    "What should a trust centralise first?" ask about the evidence."""
    return bool(_STUDY_QUESTION.search(question))


def role_of(p: Passage) -> str:
    return APPARATUS if apparatus_reason(p) else EVIDENCE


def assign_roles(passages: list[Passage]) -> list[Passage]:
    """Set each passage's role (ingest/chunk.py calls this as it cuts a document)."""
    for p in passages:
        p.role = role_of(p)
    return passages
