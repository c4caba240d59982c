"""Session prep: evidence packs for the executive-headship training sessions.

A pack takes a session's questions (corpus/sessions.toml) and, for each, quotes the best
passages verbatim with their citations, one per section, plus the extractive
answer sentences and a closing reference list. Before a pack is handed out every quote is
re-checked against the index it came from and against the source file on disk; a quote that no
longer matches is left out, with a warning and a note in the pack.

    sessions = load_sessions(Path("corpus/sessions.toml"))
    doc = build_pack(searcher, sessions[4].questions, "Session 8.5", corpus_dir=Path("corpus"))
    to_docx(doc, Path("pack.docx"))
"""

from __future__ import annotations

import copy
import re
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from index import LoadedIndex
from index.build import LIST_ITEM
from ingest import Passage
from ingest.normalise import OMISSION, match_key, quote_pieces
from ingest.roles import APPARATUS, EVIDENCE, apparatus_reason, poses_questions

from .citations import is_verbatim, source_key
from .export import CitedQuote, ExportDocument, ExportSection, cited_files, references_for
from .search import AnswerSentence, Hit, Searcher

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT / "corpus"
SESSIONS_FILE = "sessions.toml"
NO_EVIDENCE = "No evidence in the corpus."
WEAK_EVIDENCE = ("Weak evidence: these passages touch on the question but may not answer it "
                 "directly.")
NOTHING_LEFT = ("No quotable evidence: what was found for this question no longer matches its "
                "source.")
WEAK_MATCH = "weak match"
MIN_ANSWER_WORDS = 4
DEFAULT_INTRO = (
    "Every quotation below is verbatim from its source and was checked against the source file "
    "when this pack was made. Each is followed by its citation and passage id; "
    "“python -m qa show ID” shows a passage in context. A passage is quoted once, under the "
    "first question it answers; other questions it answers refer to it. Passages that pose "
    "questions rather than answer them (such as the session outlines themselves) are not quoted as "
    "evidence, nor are passages about how a study was done, unless the question asks."
)
# The trainees' copy (`qa prep --handout`): no ids, commands or index names.
HANDOUT_INTRO = (
    "Every quotation below is verbatim from its source and was checked against the source "
    "when this pack was made. Each is followed by where to find it (document, page and "
    "section); the numbers in brackets refer to the list of references at the end. A passage "
    "is quoted once, under the first question it answers; other questions it answers refer "
    "to it."
)


# --- Session definitions -------------------------------------------------------------------

class SessionsError(ValueError):
    """The sessions file is missing or malformed; the message says where and how to fix it."""


@dataclass(frozen=True)
class Session:
    id: str
    title: str
    questions: list[str]
    materials: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def heading(self) -> str:
        return f"Session {self.id}: {self.title}"


_SESSION_KEYS = {"id", "title", "questions", "materials", "source"}


def load_sessions(path: Path) -> list[Session]:
    """Read [[session]] tables from a TOML file. Raises SessionsError with a clear message."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SessionsError(f"sessions file {path} not found") from None
    except OSError as exc:
        raise SessionsError(f"sessions file {path} cannot be read: {exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SessionsError(f"{path}: not UTF-8 text ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SessionsError(f"{path}: not valid TOML: {exc}") from None
    tables = data.get("session")
    if tables is None:
        raise SessionsError(f"{path}: no sessions; each session starts with a [[session]] line")
    if isinstance(tables, dict):
        raise SessionsError(f"{path}: write [[session]] (double brackets) for each session, "
                            "not [session]")
    if not isinstance(tables, list) or not tables:
        raise SessionsError(f"{path}: no sessions; each session starts with a [[session]] line")
    others = sorted(set(data) - {"session"})
    if others:
        raise SessionsError(f"{path}: unexpected top-level key(s) {', '.join(others)}; "
                            "only [[session]] tables are allowed")
    sessions: list[Session] = []
    seen: set[str] = set()
    for n, table in enumerate(tables, 1):
        where = f"{path}: session {n}"
        if not isinstance(table, dict):
            raise SessionsError(f"{where}: expected a [[session]] table")
        sid = table.get("id")
        if isinstance(sid, int | float) and not isinstance(sid, bool):
            raise SessionsError(f'{where}: id must be quoted text, e.g. id = "{sid}" '
                                '(unquoted, 8.10 would read as 8.1)')
        if not isinstance(sid, str) or not sid.strip():
            raise SessionsError(f'{where}: missing id (e.g. id = "8.5")')
        sid = sid.strip()
        where = f"{path}: session {sid}"
        unknown = sorted(set(table) - _SESSION_KEYS)
        if unknown:
            raise SessionsError(f"{where}: unknown key(s) {', '.join(unknown)} "
                                f"(expected {', '.join(sorted(_SESSION_KEYS))})")
        if sid in seen:
            raise SessionsError(f"{where}: id used twice; give each session its own id")
        seen.add(sid)
        title = table.get("title")
        if not isinstance(title, str) or not title.strip():
            raise SessionsError(f'{where}: missing title (e.g. title = "Leadership")')
        questions = _strings(table.get("questions"), where, "questions", required=True)
        dup = next((q for i, q in enumerate(questions) if q in questions[:i]), None)
        if dup:
            raise SessionsError(f"{where}: question listed twice: {dup!r}")
        materials = _strings(table.get("materials", []), where, "materials")
        source = table.get("source", "")
        if not isinstance(source, str):
            raise SessionsError(f"{where}: source must be text")
        sessions.append(Session(sid, " ".join(title.split()), questions, materials,
                                source.strip()))
    return sessions


def _strings(value, where: str, key: str, required: bool = False) -> list[str]:
    if value is None or (required and value == []):
        raise SessionsError(f'{where}: no {key}; add e.g. {key} = ["..."]')
    if not isinstance(value, list):
        raise SessionsError(f'{where}: {key} must be a list of quoted strings, e.g. '
                            f'{key} = ["...", "..."]')
    out = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, str) or not item.strip():
            raise SessionsError(f"{where}: {key} item {i} must be non-empty text, got {item!r}")
        out.append(" ".join(item.split()))
    return out


def find_session(sessions: list[Session], session_id: str) -> Session:
    for s in sessions:
        if s.id == session_id.strip():
            return s
    known = ", ".join(s.id for s in sessions) or "none"
    raise SessionsError(f"no session {session_id!r} (sessions: {known})")


def session_intro(session: Session) -> str:
    parts = []
    if session.source:
        parts.append(f"Questions from: {session.source}.")
    if session.materials:
        parts.append("Materials proposed for the session: " + "; ".join(session.materials) + ".")
    parts.append(DEFAULT_INTRO)
    return "\n\n".join(parts)


# --- Which passages are evidence ----------------------------------------------------------

def is_apparatus(p: Passage) -> bool:
    """Apparatus (ingest/roles.py), by the role the index stored; an index from before issue 22
    has no roles, so the same rules are applied to its passages here."""
    role = getattr(p, "role", EVIDENCE)
    return role == APPARATUS or (role == EVIDENCE and bool(apparatus_reason(p)))


def _level(searcher: Searcher, hit: Hit) -> str:
    """A passage's own evidence level (strong/weak/none), graded as the searcher grades."""
    return searcher.evidence_level([hit])


# --- Building a pack ------------------------------------------------------------------------

ABOUT_THE_STUDY = "about the study, not evidence"  # note on apparatus quoted when asked for
PER_QUESTION = 4  # sections listed per question before the scores decide (QUOTE_GAP)


@dataclass
class _Picked:
    hits: list[Hit]  # best first
    evidence: str
    trusts: str = ""  # a question about the trusts: the conditions and the trusts, in words
    apparatus: list[Hit] = field(default_factory=list)  # asked for: how the study was done
    # Every section of the question's ranking, its best passage (scored), best first; empty
    # when the searcher gives no scores of its own (no late interaction).
    ranking: list[Hit] = field(default_factory=list)
    referrals: int = 0  # referral lines listed past the budget (MORE_REFERRALS)
    excerpts: dict[str, str] = field(default_factory=dict)  # passage id -> its excerpt


def _unspread(searcher: Searcher) -> Searcher:
    """The searcher ranking each question by its passages' own scores: without the spread
    across documents that answers use (SearchSettings.diversity), which would let a weaker
    passage of another document displace a better one. A shallow copy: the model, caches and
    token vectors are shared."""
    if getattr(searcher.settings, "diversity", 0) == 0:
        return searcher
    own = copy.copy(searcher)
    own.settings = replace(searcher.settings, diversity=0.0)
    return own


RANKED = 30  # passages ranked per question before the best evidence is picked


def question_focus(question: str, siblings: list[str]) -> str:
    """What sets a question apart from the other questions of its pack: its words without the
    longest opening and ending it shares with any of them. A session's questions are often
    one frame with a different verb ("What are the best ways to | communicate with | key
    stakeholders, relevant communities and outside agencies in a MAT/federation setting?");
    the frame matches every passage about stakeholders alike. "" when it shares nothing."""
    words = question.split()
    others = [o.split() for o in siblings if " ".join(o.split()) != question]

    def shared(a: list[str], b: list[str]) -> int:
        n = 0
        while n < min(len(a), len(b)) and a[n].lower() == b[n].lower():
            n += 1
        return n

    if not others:
        return ""
    start = max(shared(words, o) for o in others)
    end = max(shared(words[::-1], o[::-1]) for o in others)
    if start == 0 and end == 0 or start + end >= len(words):
        return ""
    return " ".join(words[start:len(words) - end])


# --- Ranking sections for a pack question (issue 22, round 3) -------------------------------
#
# A session's questions are one frame with a different verb; the frame ("... in a
# MAT/federation setting?") matches every passage written in the words of one document alike.
# A pack question's passages are scored by late interaction (qa/late.py) with the question's
# word pieces outside its focus (`question_focus`) weighted FRAME_WEIGHT, so that the frame
# keeps its context without drowning the focus; by the best of their sentences scored the same
# way (a passage answers with one sentence or list item, not with its average); and, a little,
# by their heading's match to the focus. The question's candidates are joined by the focus's
# own (a passage about "plans" the whole question ranks too low to re-score), each graded by
# its own late-interaction similarity to the whole question. One quote per section: a
# section's best passage stands for it, so the four quotes cover four sections.
# Weights chosen on eval/packs.jsonl only (bench/RESULTS.md, "Issue 22, round 3").
FRAME_WEIGHT = 0.25  # weight of a question's word pieces outside its focus
SENTENCE_WEIGHT = 1.0  # best sentence's score beside the passage's (z units)
HEADING_WEIGHT = 0.25  # heading's match to the focus (z units)
# A question lists its best `per_question` sections (a referral to a passage quoted under an
# earlier question of the pack takes a place, as before), then up to REFERRALS more sections
# that come right after them in its own ranking while they are referrals too: one line each,
# no new quote, so the pack quotes exactly what it did and a question no longer loses a
# section only because the ones above it were quoted earlier (bench/RESULTS.md, "Issue 22,
# round 7").
REFERRALS = 1
# Past those, the budget follows the question's scores rather than a count (issue 22, round
# 10; bench/RESULTS.md, "Issue 22, round 10"): a section is listed while its score (the sum
# above, in z units over the question's pool) stays within QUOTE_GAP of the last section the
# budget listed (up to MORE_QUOTES new quotes: a question whose next sections score as well as
# its fourth gets them, one whose scores fall away does not), and a section an earlier question
# quoted is referred back to while its score is at least REFER_FLOOR (up to MORE_REFERRALS
# referral lines: no new quote, no new words). Chosen on the three tuning pack sets together.
QUOTE_GAP = 0.5
MORE_QUOTES = 1
# Round 12 (bench/RESULTS.md, "Issue 22, round 12"), chosen on the five tuning pack sets
# together: the referral floor is 0.5 (was 1.0) and a question has up to 5 referral lines past
# its budget (was 3), to sections quoted under earlier questions here and to sections quoted
# under later ones by `_refer_across`: a referral costs a line, never a quote.
REFER_FLOOR = 0.5
MORE_REFERRALS = 5
# And a short passage is cheap: past the budget, sections still scoring at least SHORT_FLOOR
# are quoted while their words fit in SHORT_WORDS a question (a 33-60-word list such as "3.4
# Issues faced by ..." ranks low by late interaction, which favours long passages, yet costs
# a third of a long quote). SHORT_MIN: the allowance left below which the loop stops for it.
SHORT_FLOOR = 0.75
SHORT_WORDS = 60
SHORT_MIN = 20
# Past all of those, a long section still scoring at least EXCERPT_FLOOR is quoted as an
# EXCERPT rather than whole (issue 22, round 12b; bench/RESULTS.md): the sentences of its
# passage that answer the question, chosen as answers choose them (whole sentences, a list's
# items under their lead-in, `Searcher.answer_sentences` on that passage alone), verbatim, in
# the passage's order, "[…]" marking what is left out, at most EXCERPT_WORDS words, up to
# EXCERPTS a question. A long passage that answers with two of its sentences costs those
# sentences, not 150-230 words. Chosen on the five tuning pack sets together and left one out
# (floor 0: the question's mean score in z units; five; 40 words).
EXCERPT_FLOOR = 0.0
EXCERPTS = 5
EXCERPT_WORDS = 40
_LIST_ITEM = re.compile(r"^\s*(?:[-•▪*–]|o\s|\(?[a-z0-9]\)\s|\d+[.)]\s)")


def _own_heading(p: Passage) -> str:
    """The passage's first line when it is a heading of its own (a sub-heading the chunker
    kept inside the section: "processes that work best" under 3.1), else ""."""
    first = next((ln.strip() for ln in p.text.split("\n") if ln.strip()), "")
    if (not first or _LIST_ITEM.match(first) or re.search(r"[.!?:;,]$", first)
            or len(first.split()) > 14):
        return ""
    return first


def section_key(p: Passage) -> tuple:
    """What counts as one section of a pack question's quotes: the document, the heading path
    and the sub-heading the passage opens with, if any."""
    return (p.file, tuple(p.section), _own_heading(p))


def _headings_of(p: Passage) -> list[str]:
    """The passage's section heading and the sub-headings printed in it: short lines, not
    list items or sentences, that open the passage or a list."""
    lines = [ln.strip() for ln in p.text.split("\n") if ln.strip()]
    subs = [ln for i, ln in enumerate(lines[:-1])
            if not _LIST_ITEM.match(ln) and not re.search(r"[.!?:;,]$", ln)
            and len(ln.split()) <= 14 and (i == 0 or _LIST_ITEM.match(lines[i + 1]))]
    return list(dict.fromkeys(h for h in (p.section[-1] if p.section else "", *subs) if h))


def _heading_match(searcher: Searcher, text: str, passages: list[Passage]) -> list[float]:
    """Each passage's best heading cosine with `text` (heading vectors kept on the searcher)."""
    cache = getattr(searcher, "_pack_heading_vectors", None)
    if cache is None:
        cache = {}
        try:
            searcher._pack_heading_vectors = cache
        except AttributeError:  # pragma: no cover - a frozen searcher: computed each time
            pass
    todo = list(dict.fromkeys(h for p in passages for h in _headings_of(p) if h not in cache))
    if todo:
        for h, v in zip(todo, searcher.embedder.embed(todo), strict=True):
            cache[h] = np.asarray(v, dtype=np.float32)
    qv = np.asarray(searcher.embed_query(text), dtype=np.float32)
    return [max((float(cache[h] @ qv) for h in _headings_of(p)), default=0.0) for p in passages]



def focus_weights(searcher: Searcher, qkeys, w: np.ndarray, focus: str) -> np.ndarray:
    """The question's word-piece weights with the pieces outside its focus scaled by
    `FRAME_WEIGHT` (unchanged when there is no focus or it is not a run of the question)."""
    from .search import _find_run

    if not focus:
        return w.copy()
    fkeys = tuple(searcher.late.encoder.keys(focus))
    at = _find_run([int(k) for k in np.asarray(qkeys).tolist()], fkeys, 0) if fkeys else -1
    if at < 0:
        return w.copy()
    inside = np.zeros(len(qkeys), dtype=np.float32)
    inside[at:at + len(fkeys)] = 1.0
    return w * (inside + FRAME_WEIGHT * (1.0 - inside))

def _late_scores(searcher: Searcher, question: str, focus: str, passages: list[Passage]):
    """(whole-question late score, focus-weighted late score, focus-weighted best sentence
    score) per passage, or None when the searcher does not re-rank by late interaction."""
    from .late import LateInteraction

    if getattr(searcher.settings, "fusion", "") != "late" or not passages:
        return None
    searcher._late_setup()
    qv, qkeys, w = searcher.late.query(question)
    if not len(qkeys) or w.sum() <= 0:
        return None
    soft = focus_weights(searcher, qkeys, w, focus)
    rows = [searcher.index.by_id[p.id] for p in passages]
    tokens = searcher._passage_tokens(np.asarray(rows, dtype=np.int64))
    whole = LateInteraction.score((qv, qkeys, w), tokens)
    focused = LateInteraction.score((qv, qkeys, soft), tokens)
    best = np.zeros(len(rows), dtype=np.float32)
    for n, (row, (vecs, keys)) in enumerate(zip(rows, tokens, strict=True)):
        if not len(keys):
            continue
        if qv.shape[1] == 0:  # the test stand-in: a token matches only itself
            sim = (np.asarray(qkeys)[:, None] == np.asarray(keys)[None, :]).astype(np.float32)
        else:
            sim = np.einsum("qd,td->qt", qv, np.asarray(vecs, dtype=np.float32))
        for span in searcher._sentence_spans(row, keys):
            if span is not None and span[1] > span[0]:
                best[n] = max(best[n], float(soft @ sim[:, span[0]:span[1]].max(axis=1))
                              / float(soft.sum()))
    return whole, focused, best


def _z(values) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64)
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def _pick(searcher: Searcher, question: str, per_question: int, candidates: int,
          excluded: Callable[[Passage], bool], siblings: list[str] | None = None,
          quoted: set[str] | frozenset[str] = frozenset()) -> _Picked:
    """The question's best evidence, one passage per section, by its own score, above the
    evidence threshold, not spread across documents (a passage of another document is not
    padded in); scored as the notes above `FRAME_WEIGHT` say. `quoted`: the passages quoted
    under earlier questions of the pack, which this one refers back to (`REFERRALS`); past
    the budget, the scores decide (`QUOTE_GAP`, `REFER_FLOOR`).
    Apparatus is quoted only when it is what the question asks for: the searcher ranks it
    first even after putting evidence of similar similarity above it (qa/search.py)."""
    own = _unspread(searcher)
    answer = own.ask(question, k=max(candidates, RANKED))
    trusts = _trusts_note(answer)
    graded = [h for h in answer.hits if not excluded(h.passage) and _level(searcher, h) != "none"]
    if not graded:
        return _Picked([], "none", trusts)
    asked_for = is_apparatus(graded[0].passage)
    apparatus = [h for h in graded if is_apparatus(h.passage)][:2] if asked_for else []
    focus = question_focus(question, siblings or [])
    pool = [h for h in answer.hits if not excluded(h.passage) and not is_apparatus(h.passage)]
    if focus:
        seen = {h.passage.id for h in pool}
        pool += [h for h in own.ask(focus, k=max(candidates, RANKED)).hits
                 if h.passage.id not in seen and not excluded(h.passage)
                 and not is_apparatus(h.passage)]
    scores = _late_scores(searcher, question, focus, [h.passage for h in pool])
    if scores is None:  # no late interaction: the searcher's own order, graded as it grades
        evidence = [h for h in graded if not is_apparatus(h.passage)]
    else:
        whole, focused, best = scores
        heading = _heading_match(searcher, focus or question, [h.passage for h in pool])
        combined = _z(focused) + SENTENCE_WEIGHT * _z(best) + HEADING_WEIGHT * _z(heading)
        # Each graded by its own similarity to the whole question (a passage the search did
        # not re-score carries only the floor of those it did).
        pool = [replace(h, similarity=float(sim), score=float(c))
                for h, sim, c in zip(pool, whole, combined, strict=True)]
        order = sorted(range(len(pool)), key=lambda i: -combined[i])
        evidence = [pool[i] for i in order if _level(searcher, pool[i]) != "none"]
    chosen, sections = [], set()
    most = per_question + max(0, REFERRALS)
    in_run = True  # in the run of referrals right after the budget (REFERRALS)
    quote_floor, more_quotes, more_referrals = -np.inf, 0, 0
    short_left = SHORT_WORDS
    excerpts: dict[str, str] = {}
    for h in evidence:
        key = section_key(h.passage)
        if key in sections:
            continue
        sections.add(key)
        refer = h.passage.id in quoted
        if len(chosen) < per_question or (in_run and refer and len(chosen) < most):
            chosen.append(h)
            continue
        if scores is None:
            break  # no scores of its own to follow: the fixed budget only
        if in_run:
            in_run = False
            quote_floor = chosen[-1].score - QUOTE_GAP if chosen else -np.inf
        if refer and h.score >= REFER_FLOOR and more_referrals < MORE_REFERRALS:
            more_referrals += 1
            chosen.append(h)
        elif not refer and h.score >= quote_floor and more_quotes < MORE_QUOTES:
            more_quotes += 1
            chosen.append(h)
        elif (not refer and h.score >= SHORT_FLOOR
              and len(h.passage.text.split()) <= short_left):
            short_left -= len(h.passage.text.split())
            chosen.append(h)
        elif not refer and h.score >= EXCERPT_FLOOR and len(excerpts) < EXCERPTS:
            text = excerpt(searcher, question, h)
            if text:
                excerpts[h.passage.id] = text
                chosen.append(h)
        if h.score < min(REFER_FLOOR, quote_floor, SHORT_FLOOR, EXCERPT_FLOOR) or (
                more_referrals >= MORE_REFERRALS and more_quotes >= MORE_QUOTES
                and short_left < SHORT_MIN and len(excerpts) >= EXCERPTS):
            break
    ranking = []
    if scores is not None:
        seen_keys: set = set()
        for h in evidence:
            key = section_key(h.passage)
            if key not in seen_keys:
                seen_keys.add(key)
                ranking.append(h)
    return _Picked(chosen, searcher.evidence_level(chosen + apparatus), trusts, apparatus,
                   ranking, more_referrals, excerpts)


def _spans_in(text: str, pieces: list[str]) -> list[tuple[int, int]] | None:
    """Where each of `pieces` (the passage's sentence units, in order) lies in `text`, or
    None when one is not found verbatim after the one before it."""
    out, cursor = [], 0
    for piece in pieces:
        at = text.find(piece, cursor)
        if at < 0:
            return None
        out.append((at, at + len(piece)))
        cursor = at + len(piece)
    return out


def excerpt_text(text: str, spans: list[tuple[int, int]], keep: set[int]) -> str:
    """The units `keep` (indexes into `spans`, in `text`) of a passage, verbatim and in its
    order, with "[…]" wherever words of the passage are left out: inside a line where part of
    it is left out, on a line of its own for whole lines left out. Lines are kept as the passage
    has them, so a list item stays a list item."""
    chosen = sorted(keep)
    out: list[str] = []
    prev_end = 0
    for n, k in enumerate(chosen):
        a, b = spans[k]
        gap = text[prev_end:a]
        if n == 0:
            lines = gap.split("\n")
            if lines[-1].strip():
                out.append(OMISSION + " ")
            elif "".join(lines[:-1]).strip():
                out.append(OMISSION + "\n")
        elif "\n" not in gap:
            out.append(f" {OMISSION} " if gap.strip() else gap)
        else:
            lines = gap.split("\n")
            tail, middle, head = lines[0], lines[1:-1], lines[-1]
            if tail.strip():
                out.append(f" {OMISSION}")
            out.append("\n")
            if "".join(middle).strip() and not tail.strip() and not head.strip():
                out.append(OMISSION + "\n")
            if head.strip():
                out.append(OMISSION + " ")
        out.append(text[a:b])
        prev_end = b
    rest = text[prev_end:]
    if rest.strip():
        lines = rest.split("\n")
        if lines[0].strip():
            out.append(f" {OMISSION}")
        elif "".join(lines[1:]).strip():
            out.append(f"\n{OMISSION}")
    return "".join(out)


_LOWER_START = re.compile(r"^[‘“\"'(\[]*[a-z]")
# Words a phrase does not end with: a line ending in one is cut mid-phrase.
_OPEN_END = frozenset("""a an the and or nor but of to for with within in into on onto at by
from as than that which who whose whom both either their its our your his her is are was were
be been being has have had between across through over under via per""".split())


def _continues_line(before: str, unit: str) -> bool:
    """`unit` carries on `before`, the unit before it, cut by a line break: it opens in lower
    case, is no list item, and `before` ends mid-phrase ("… improves for both" / "the higher
    and lower performing schools"), not a label over a list ("focus on" after an item)."""
    unit, before = unit.strip(), before.strip()
    if not _LOWER_START.match(unit) or LIST_ITEM.match(unit):
        return False
    last = before.split()[-1].lower() if before.split() else ""
    return before.endswith((",", "-", "–")) or last.strip("’”'\")") in _OPEN_END


def excerpt(searcher: Searcher, question: str, hit: Hit, words: int | None = None) -> str:
    """The excerpt of the hit's passage that answers `question` (see EXCERPT_FLOOR): the
    answer sentences the searcher draws from that passage alone, best first while their words
    fit in `words` (EXCERPT_WORDS), each with what governs it (a list item under its lead-in, a
    definition under its label, a sentence opening "They …" after the one it refers back to,
    the rest of a line the line break cut); never a link, heading, caption or fragment. "" when the passage
    has no such sentences, when the whole passage would be kept (quote it whole instead), or
    when it is a table."""
    from .search import _display_sentence

    p = hit.passage
    limit = EXCERPT_WORDS if words is None else words
    extract = getattr(searcher, "answer_sentences", None)
    idx = searcher.index
    row = idx.by_id.get(p.id) if extract is not None else None
    if row is None or p.kind == "table" or getattr(p, "rows", None):
        return ""
    records = [idx.sentences[j] for j in idx.sentences_of.get(row, [])]
    units = [r["text"] for r in records]
    spans = _spans_in(p.text, units)
    if not spans:
        return ""
    shown = [_display_sentence(u) for u in units]
    heading = p.section[-1] if p.section else ""

    def governed(ks: set[int]) -> set[int]:
        """`ks` with the lines that govern them: the lead-in or label a unit is read under
        (its context, when that is a line of this passage before it), and the rest of a
        sentence or item the line break cut ("… improves for both" / "the higher and lower
        performing schools")."""
        out, todo = set(ks), list(ks)
        while todo:
            k = todo.pop()
            ctx = records[k].get("context", "")
            if ctx == heading and not LIST_ITEM.match(units[k].strip()):
                ctx = ""  # a sentence under the section heading: the citation names it
            more = [next((j for j in range(k - 1, -1, -1) if units[j] == ctx), -1)] if ctx \
                else []
            if k + 1 < len(units) and _continues_line(units[k], units[k + 1]):
                more.append(k + 1)
            if k > 0 and _continues_line(units[k - 1], units[k]):
                more.append(k - 1)
            for j in more:
                if j >= 0 and j not in out:
                    out.add(j)
                    todo.append(j)
        return out

    def at(text: str, after: int = -1) -> int:
        want = _display_sentence(text)
        return next((k for k in range(after + 1, len(units)) if shown[k] == want), -1)

    headings = _headings(idx)
    entries = extract(searcher.embed_query(question), question, [hit])
    groups: list[list[AnswerSentence]] = []
    for e in entries:
        if groups and groups[-1][-1].antecedent:
            groups[-1].append(e)  # "They …" stays with the sentence it refers back to
        else:
            groups.append([e])
    keep: set[int] = set()
    used = 0
    for group in groups:
        ks: set[int] = set()
        items_at: list[int] = []  # the group's list items, best first: the last go first
        ok = True
        for e in group:
            items = [i for i in e.items if not _URL.search(i) and not _CAPTION.match(i)]
            if e.items:
                # A list's lead-in with its items: the lead-in may be a label or a heading
                # ("processes that work best"), never a link or a caption.
                ok = bool(items) and not _URL.search(e.text) and not _CAPTION.match(e.text)
            else:
                ok = not not_a_sentence(e.text, headings)
            lead = at(e.lead_in) if e.lead_in else -1
            k = at(e.text, lead)
            if not ok or k < 0 or e.lead_in and lead < 0:
                ok = False
                break
            ks |= {k} | ({lead} if lead >= 0 else set())
            found = [j for j in (at(item, k) for item in items) if j >= 0]
            if e.items and not found:
                ok = False
                break
            items_at += found
        if not ok or not ks:
            continue
        while True:
            with_items = governed(ks | set(items_at))
            cost = sum(len(units[k].split()) for k in with_items - keep)
            if used + cost <= limit or len(items_at) <= 1:
                break
            items_at.pop()  # the item that scored worst
        if used + cost > limit:
            continue
        keep |= with_items
        used += cost
    if not keep:
        return ""
    if len(keep) == len(units):
        return ""
    text = excerpt_text(p.text, spans, keep)
    return text if OMISSION in text and is_verbatim(text, match_key(p.text)) else ""


def _refer_across(rankings: list[tuple[ExportSection, _Picked]]) -> None:
    """Referral lines to sections quoted under another question of the pack, above or below
    (issue 22, round 12): a passage is quoted once, under the first question that lists it,
    and `_pick` can refer back only to what the questions above quoted. Here each question's
    own ranking is read again once the whole pack is known: a section it ranks past its
    budget, with a score of at least REFER_FLOOR, that another question quoted (that passage
    or another passage of the same section) is referred to, best first, until the question
    has MORE_REFERRALS referral lines past its budget. One line each, no new quote."""
    where: dict[tuple, str] = {}  # section -> the passage quoting it (the first)
    for section, picked in rankings:
        ids = {q.passage_id for q in section.quotes}
        for h in picked.hits + picked.apparatus:
            if h.passage.id in ids and not is_apparatus(h.passage):
                where.setdefault(section_key(h.passage), h.passage.id)
    for section, picked in rankings:
        if not picked.ranking or not section.quotes and not section.see_also:
            continue
        room = MORE_REFERRALS - picked.referrals
        mine = {q.passage_id for q in section.quotes} | set(section.see_also)
        mine_keys = {section_key(h.passage) for h in picked.hits}
        for h in picked.ranking:
            if room <= 0 or h.score < REFER_FLOOR:
                break
            key = section_key(h.passage)
            pid = where.get(key)
            if key in mine_keys or pid is None or pid in mine:
                continue
            section.see_also.append(pid)
            mine.add(pid)
            mine_keys.add(key)
            room -= 1


def _trusts_note(answer) -> str:
    """A question about the trusts (qa/trusts.py): what was read and which trusts, cited."""
    if not getattr(answer, "set_question", False):
        return ""
    names = "; ".join(f"{t['name']} ({t['citation']})" for t in answer.trusts)
    head = getattr(answer, "trusts_headline", "") or answer.trusts_message
    return f"{head} {names}".strip() if answer.trusts else head


# --- "In short": whole sentences, one lead-in per list ---------------------------------------

IN_SHORT_ITEMS = 4  # list items shown under a lead-in in the "In short" line
_URL = re.compile(r"https?://|www\.|\b[a-z0-9]+(?:-[a-z0-9]+){3,}\b", re.IGNORECASE)
_CAPTION = re.compile(r"^(?:graph|graphic|figure|fig\.|table|chart|diagram|image|map|photo)"
                      r"\s+[A-Z0-9][A-Za-z0-9.]*\b", re.IGNORECASE)
_NUMBERED = re.compile(r"^\d+(?:\.\d+)*\.?\s")
_SENTENCE_END = re.compile(r"[.!?…][’”'\")\]]*$")


def not_a_sentence(text: str, headings: set[str], with_items: bool = False) -> str:
    """Why `text` cannot stand as an "In short" entry ("a link", "a caption", "a heading", "a
    fragment"), or "". A lead-in shown with its items need not end a sentence, but must be
    more than a label ("are", "they lead by")."""
    first = " ".join(text.replace(OMISSION, " ").split())
    if _URL.search(first):
        return "a link"
    if _CAPTION.match(first):
        return "a caption"
    if not with_items and (match_key(first).casefold() in headings or _NUMBERED.match(first)):
        return "a heading"
    if first[:1].islower() or len(first.split()) < 3:
        return "a fragment"
    if not with_items and (len(first.split()) < MIN_ANSWER_WORDS
                           or not _SENTENCE_END.search(first)):
        return "a fragment"
    return ""


def _headings(index) -> set[str]:
    cached = getattr(index, "_in_short_headings", None)
    if cached is None:
        cached = {match_key(h).casefold() for p in index.passages for h in p.section}
        try:
            index._in_short_headings = cached
        except AttributeError:  # pragma: no cover - a frozen index: computed each time
            pass
    return cached


def _answer(searcher: Searcher, question: str,
            hits: list[Hit]) -> list[tuple[str, list[str], list[str]]]:
    """The "In short" entries, drawn from the evidence shown for the question: (entry, passage
    ids, the list items it shows). An entry is a whole answer sentence, or a list's lead-in
    with up to IN_SHORT_ITEMS of its items on the lines after it (as answers show them); never
    a link, a heading, a caption or a fragment, and never from apparatus."""
    hits = [h for h in hits if not is_apparatus(h.passage)]
    ids = {h.passage.id for h in hits}
    if not hits:
        return []
    extract = getattr(searcher, "answer_sentences", None)
    if extract is not None:
        sentences = extract(searcher.embed_query(question), question, hits)
    else:  # pragma: no cover - if the searcher stops exposing it, use its own answer
        sentences = searcher.ask(question, k=len(hits)).sentences
    headings = _headings(searcher.index)
    out = []
    for s in sentences:
        pids = [p for p in s.passage_ids if p in ids]
        if not pids:
            continue
        # Items read under their lead-in ("trust staff"), so only links and captions go.
        items = [i for i in s.items if not _URL.search(i) and not _CAPTION.match(i)]
        items = items[:IN_SHORT_ITEMS]
        lead = s.display
        if items and (s.items_skipped or len(items) < len(s.items) or s.more_items):
            lead = lead if lead.endswith(OMISSION) else f"{lead} {OMISSION}"
        if not_a_sentence(lead, headings, with_items=bool(items)):
            continue
        out.append(("\n".join([lead, *items]), pids, items))
    return out


def build_pack(searcher: Searcher, questions: list[str], title: str, *, intro: str | None = None,
               corpus_dir: Path | None = None, per_question: int = PER_QUESTION,
               candidates: int = 15,
               exclude: Callable[[Passage], bool] | None = None,
               warn: Callable[[str], None] | None = None,
               case_studies: int = 0, handout: bool = False) -> ExportDocument:
    """An evidence pack: for each question its best passages (each quoted once in the pack;
    other questions it answers refer to it), the "In short" answer, and the documents cited.

    corpus_dir: the folder the index was built from (default: the project's corpus/); every
    quote is re-checked against it before the pack is returned (see `check_pack`).
    exclude: passages never to quote (default: `poses_questions`, the session outlines).
    warn: called with each problem found by the check (the CLI prints them to stderr); the
    problems are also in `doc.warnings` and noted under the questions concerned.
    case_studies: up to this many trust vignettes, the most relevant to the questions, in a
    closing "Case studies" section, each quoted whole with its key dimensions and citation.
    handout: a copy for trainees: citations by title, page and section with the reference
    list, and no passage ids, commands or index generation (the exports read `doc.handout`)."""
    excluded = exclude or (lambda p: poses_questions(p.text))
    sections: list[ExportSection] = []
    quoted: set[str] = set()  # passages quoted whole
    # Passages quoted as an excerpt, and the question quoting it: a later question that lists
    # the passage in its own right quotes it whole, and the excerpt becomes a referral to it.
    excerpted: dict[str, ExportSection] = {}
    rankings: list[tuple[ExportSection, _Picked]] = []
    for question in questions:
        question = " ".join(question.split())
        if not question:
            continue
        picked = _pick(searcher, question, per_question, candidates, excluded, questions,
                       quoted)
        section = ExportSection(question)
        rankings.append((section, picked))
        if picked.evidence == "none":
            section.note = " ".join(n for n in (picked.trusts, NO_EVIDENCE) if n)
            sections.append(section)
            continue
        shown = picked.hits + picked.apparatus
        if not any(h.passage.id not in quoted for h in shown):
            # Everything it would show is quoted above: add its best evidence not yet quoted,
            # if it has one above the threshold, so each question brings something new.
            more = searcher.ask(question, k=candidates).hits
            extra = next((h for h in more if h.passage.id not in quoted
                          and not excluded(h.passage) and not is_apparatus(h.passage)
                          and _level(searcher, h) != "none"), None)
            if extra is not None:
                if len(picked.hits) >= per_question + max(0, REFERRALS):
                    dropped = picked.hits.pop()  # the last referral makes room for it
                    shown.remove(dropped)
                picked.hits.append(extra)
                shown.append(extra)
        answer = _answer(searcher, question, picked.hits)
        section.answer = [text for text, _, _ in answer]
        for h in shown:
            pid = h.passage.id
            if pid in quoted or pid in picked.excerpts and pid in excerpted:
                if pid not in section.see_also:
                    section.see_also.append(pid)
                continue
            if pid in excerpted:  # quoted whole here: the excerpt above refers to it instead
                earlier = excerpted.pop(pid)
                earlier.quotes = [q for q in earlier.quotes if q.passage_id != pid]
                if pid not in earlier.see_also:
                    earlier.see_also.append(pid)
            if pid in picked.excerpts:
                excerpted[pid] = section
            else:
                quoted.add(pid)
            # A list's lead-in and the items the "In short" line shows are marked in the
            # quote, which holds the whole list.
            highlight = [t for text, ids, items in answer if pid in ids
                         for line in text.split("\n") for t in quote_pieces(line)]
            quote = CitedQuote.from_passage(h.passage, highlight)
            if pid in picked.excerpts:
                quote.text, quote.excerpt = picked.excerpts[pid], True
            if is_apparatus(h.passage):
                quote.note = ABOUT_THE_STUDY
            elif _level(searcher, h) == "weak":
                quote.note = WEAK_MATCH
            section.quotes.append(quote)
        if picked.evidence == "weak":
            section.note = WEAK_EVIDENCE
        if picked.trusts:
            section.note = " ".join(n for n in (picked.trusts, section.note) if n)
        sections.append(section)
    _refer_across(rankings)
    if case_studies > 0:
        sections.append(case_study_section(searcher, questions, case_studies))
    intro = (HANDOUT_INTRO if handout else DEFAULT_INTRO) if intro is None else intro
    if handout:
        intro = intro.replace(DEFAULT_INTRO, HANDOUT_INTRO)
        doc = ExportDocument(title, sections, intro=intro, handout=True)
    else:
        made = (f"Prepared {time.strftime('%Y-%m-%d')} from index generation "
                f"{searcher.index.generation or 'unknown'}.")
        doc = ExportDocument(title, sections, intro=f"{intro}\n\n{made}" if intro else made)
    check_pack(doc, searcher.index, corpus_dir, warn=warn)
    doc.references = references_for(searcher.index, cited_files(doc))
    return doc


CASE_STUDIES = "Case studies"


def case_study_section(searcher: Searcher, questions: list[str], n: int) -> ExportSection:
    """The trust vignettes most relevant to the questions (each question searched among the
    vignettes only; a vignette's best match over all the questions ranks it), each quoted whole
    with its key dimensions, as written, in the note after its citation."""
    from .search import Filters
    from .trusts import DIMENSIONS, field_label

    only = Filters(doc_types=("vignette",))
    best: dict[str, tuple[float, Hit]] = {}
    for question in questions:
        question = " ".join(question.split())
        if not question:
            continue
        for h in searcher.ask(question, k=10, filters=only).hits:
            if h.passage.kind != "vignette" or _level(searcher, h) == "none":
                continue
            if h.passage.id not in best or h.similarity > best[h.passage.id][0]:
                best[h.passage.id] = (h.similarity, h)
    section = ExportSection(CASE_STUDIES)
    chosen = sorted(best.values(), key=lambda x: -x[0])[:n]
    if not chosen:
        section.note = ("No trust vignette in the index matches these questions."
                        if any(p.kind == "vignette" for p in searcher.index.passages) else
                        "No trust vignettes are indexed.")
        return section
    section.note = ("The trust vignettes most relevant to this session's questions, each with "
                    "its key dimensions as written.")
    for _, h in chosen:
        dims = h.passage.key_dimensions or {}
        order = [d for d in DIMENSIONS if d in dims] + [d for d in dims if d not in DIMENSIONS]
        quote = CitedQuote.from_passage(h.passage)
        quote.note = "Key dimensions: " + "; ".join(
            f"{field_label(d)}: {dims[d] or '(no value)'}" for d in order) if order else \
            "Key dimensions: none given"
        section.quotes.append(quote)
    return section


def build_session_pack(searcher: Searcher, session: Session, **kwargs) -> ExportDocument:
    kwargs.setdefault("intro", session_intro(session))
    return build_pack(searcher, session.questions, session.heading + " (evidence pack)",
                      **kwargs)


# --- Citations that stay true -------------------------------------------------------------

class _Sources:
    """Normalised source text per file, read once per check."""

    def __init__(self, corpus_dir: Path):
        self.corpus_dir = Path(corpus_dir)
        self._keys: dict[str, str | None] = {}

    def key(self, file: str) -> str | None:
        if file not in self._keys:
            self._keys[file] = source_key(self.corpus_dir, file)
        return self._keys[file]


def quote_problem(quote: CitedQuote, index: LoadedIndex | None, sources: _Sources) -> str:
    """Why a quote can no longer be trusted, or "" if it is still verbatim in the index and in
    its source file."""
    if index is not None:
        current = index.passage(quote.passage_id)
        if current is None:
            row = index.retired(quote.passage_id)
            why = row.get("reason", "its text changed") if row else "it is not in this index"
            return f"passage {quote.passage_id} is no longer in the index ({why})"
        if (not is_verbatim(quote.text, match_key(current.text)) if quote.excerpt
                else match_key(current.text) != match_key(quote.text)):
            return f"passage {quote.passage_id} reads differently in the index"
    key = sources.key(quote.file)
    if key is None:
        return (f"its source file {quote.file} cannot be read in {sources.corpus_dir} "
                "(moved, deleted or unreadable)")
    if not is_verbatim(quote.text, key):
        return (f"its text is no longer in {quote.file} (the file changed after it was "
                "indexed; rebuild with: python -m ingest)")
    return ""


def check_pack(doc: ExportDocument, index: LoadedIndex | None, corpus_dir: Path | None = None,
               warn: Callable[[str], None] | None = None) -> list[str]:
    """Re-check every quote and answer sentence of `doc` verbatim against the index and the
    source files in `corpus_dir`; leave out any that fail, note it under its question and in
    `doc.warnings`, and return the new warnings. Nothing is dropped silently."""
    sources = _Sources(DEFAULT_CORPUS if corpus_dir is None else corpus_dir)
    problems: list[str] = []
    dropped: set[str] = set()
    for section in doc.sections:
        kept, notes = [], []
        for q in section.quotes:
            why = quote_problem(q, index, sources)
            if why:
                dropped.add(q.passage_id)
                msg = f"Quote {q.passage_id} ({q.citation}) under “{section.heading}”: {why}."
                problems.append(msg)
                notes.append(f"One quotation ({q.citation}) was left out: it no longer "
                             "matches its source." if doc.handout else
                             f"One quote ({q.passage_id}, {q.citation}) was left out: {why}.")
            else:
                kept.append(q)
        section.quotes = kept
        section.see_also = [pid for pid in section.see_also if pid not in dropped]
        files = {q.file for q in section.quotes} | {
            q.file for s in doc.sections for q in s.quotes if q.passage_id in section.see_also}
        answer = []
        for sentence in section.answer:
            if any((k := sources.key(f)) and is_verbatim(sentence, k) for f in files):
                answer.append(sentence)
            else:
                msg = (f"Answer sentence under “{section.heading}” is no longer verbatim in a "
                       f"cited source: “{sentence}”.")
                problems.append(msg)
                notes.append("Answer sentences that no longer match their source were left "
                             "out.")
        section.answer = answer
        if notes:
            keep = section.note
            if not section.quotes and not section.see_also:
                keep = NOTHING_LEFT
            section.note = " ".join(dict.fromkeys(n for n in [keep, *notes] if n))
    # Dropped quotes may have been referred to under earlier headings too.
    for section in doc.sections:
        section.see_also = [pid for pid in section.see_also if pid not in dropped]
    doc.warnings.extend(problems)
    if warn is not None:
        for msg in problems:
            warn(msg)
    return problems


# --- Re-checking a pack written earlier ---------------------------------------------------

_ID = re.compile(r"\bp[0-9a-f]{15}\b")


@dataclass
class SavedQuote:
    passage_id: str
    text: str  # the quote as written in the pack ("" when the format does not keep it)
    file: str = ""


def quotes_in_file(path: Path) -> list[SavedQuote]:
    """The quotes (text and passage id) of a pack written as .md, .csv or .docx."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        import csv

        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        seen, out = set(), []
        for row in rows:
            pid = (row.get("id") or "").strip()
            if pid and pid not in seen:
                seen.add(pid)
                out.append(SavedQuote(pid, row.get("quote") or ""))
        return out
    if suffix == ".docx":
        import docx

        paras = [(p.style.name if p.style is not None else "", p.text)
                 for p in docx.Document(str(path)).paragraphs]
        out, block = [], []
        for style, text in paras:
            if style == "Quote":
                block.append(text)
                continue
            m = _ID.search(text) if block and text.startswith("— ") else None
            if m:
                out.append(SavedQuote(m.group(0), "\n".join(block)))
            block = []
        return out
    # Markdown (and plain text): "> " lines, then "— citation · id `p...`".
    out, block = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(">"):
            text = line[1:].lstrip() if len(line) > 1 else ""
            if text:
                block.append(text)
            continue
        if not line.strip():
            continue
        m = _ID.search(line) if block and line.startswith("— ") else None
        if m:
            out.append(SavedQuote(m.group(0), "\n".join(block)))
        block = []
    return out


@dataclass
class SavedCheck:
    quote: SavedQuote
    problem: str  # "" while the quote still holds
    current_id: str = ""  # the passage that holds the quote now
    note: str = ""  # why current_id differs from the id printed in the pack

    @property
    def ok(self) -> bool:
        return not self.problem


def check_saved(path: Path, index: LoadedIndex, corpus_dir: Path | None = None
                ) -> list[SavedCheck]:
    """Re-check each quote of a pack written earlier against the current index and sources.

    A quote holds while it is verbatim in its source file and in a passage of the index.
    Its id may have changed meanwhile: editing a document gives all its passages new ids (an
    id hashes the document's content and the passage text), and a change to the chunker can
    cut the same text into passages differently. Such a quote still holds, and the passage
    that holds it now is named. A quote whose own words are gone from the source is stale;
    the closest current passage is named."""
    from .citations import resolve

    sources = _Sources(DEFAULT_CORPUS if corpus_dir is None else corpus_dir)
    results = []
    for sq in quotes_in_file(path):
        res = resolve(index, sq.passage_id)
        if res.status == "current":
            p = res.passage
            sq.file = p.file
            why = quote_problem(CitedQuote.from_passage(p), index, sources)
            if not why and sq.text and not _holds(p.text, sq.text):
                why = f"the quote in the pack differs from passage {sq.passage_id}"
            results.append(SavedCheck(sq, why, p.id if not why else ""))
            continue
        if res.status == "unknown":
            results.append(SavedCheck(sq, res.message))
            continue
        row = res.retired or {}
        sq.file = row.get("file", "")
        text = sq.text or row.get("text", "")
        key = sources.key(sq.file) if sq.file else None
        if text and key is not None and is_verbatim(text, key):
            want = match_key(text)
            rows = index.by_file.get(sq.file, [])
            same = next((index.passages[i] for i in rows
                         if match_key(index.passages[i].text) == want), None)
            within = same or next((index.passages[i] for i in rows
                                   if want in match_key(index.passages[i].text)), None)
            if within is not None:
                how = ("its document was re-indexed" if same is not None
                       else "the passage was re-cut and now holds more text")
                results.append(SavedCheck(sq, "", within.id, f"quote unchanged; {how}"))
                continue
            # Cut into smaller passages: each line of the quote is in the document's passages
            # read in order (a long paragraph may now be split between two of them).
            spans = _spanning(index, rows, text)
            if spans:
                results.append(SavedCheck(sq, "", spans[0], "quote unchanged; the passage was "
                                          "re-cut and the quote now spans " + ", ".join(spans)))
                continue
            why = (f"passage {sq.passage_id} is no longer in the index; the quote is still "
                   f"verbatim in {sq.file}, but no current passage holds it.")
        else:
            why = res.message
        if res.closest is not None:
            why += f" Closest current passage: {res.closest.id} ({res.closest.citation})."
        results.append(SavedCheck(sq, why))
    return results


def _holds(passage_text: str, quote: str) -> bool:
    """The passage holds the quote as written in a pack: the whole of it, or (an excerpt,
    "[…]" marking what it leaves out) each of its pieces, in order."""
    key = match_key(passage_text)
    if match_key(quote) in key:
        return True
    return OMISSION in quote and is_verbatim(quote, key)


def _spanning(index: LoadedIndex, rows: list[int], text: str) -> list[str]:
    """Ids of the consecutive passages (of one document, rows in order) that together hold
    every line of `text`, or [] if some line is not held. A heading line counts as held by a
    passage cited under it."""
    keys = [match_key(index.passages[i].text) for i in rows]
    joined, starts = "", []
    for k in keys:
        starts.append(len(joined))
        joined += k

    def holders(piece: str) -> list[str]:
        part = match_key(piece)
        at = joined.find(part) if part else -1
        if at >= 0:
            return [index.passages[i].id for i, s0, k in zip(rows, starts, keys, strict=True)
                    if s0 < at + len(part) and at < s0 + len(k)]
        return [index.passages[i].id for i in rows
                if part in {match_key(h) for h in index.passages[i].section}][:1]

    spans: list[str] = []
    for line in (ln for ln in text.split("\n") if ln.strip()):
        ids = holders(line)
        if not ids:  # a line split at a sentence end, with a heading repeated between
            for sentence in re.split(r"(?<=[.!?])\s+", line):
                found = holders(sentence)
                if not found:
                    return []
                ids += [pid for pid in found if pid not in ids]
        spans += [pid for pid in ids if pid not in spans]
    return spans

