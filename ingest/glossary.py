"""A glossary found in the corpus itself: the abbreviations and shorthand its authors define.

Three ways documents define a term, each found with a general rule (nothing here knows the
corpus):

- a long form followed by its acronym in brackets: "local governing bodies (LGBs)",
  "A multi-academy trust (MAT)"; the acronym's letters must match the initials of the words
  before it (Schwartz & Hearst 2003, simplified), so "(see Graph A)" or "(urban/rural)" are not
  taken;
- a long form, then ", or ACRONYM": "we will call them all executive heads, or EHs";
- "(henceforth 'x')" / "(hereafter x)": "Multi-academy trusts (henceforth 'trusts')".

Each entry is {"term", "expansion", "passage_id"}: the short form, what it stands for, and the
passage that defines it (to show users where the definition comes from). The search uses the
entries to expand questions: "Do LGBs still matter?" also searches "local governing bodies".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .records import Passage

_ACRONYM = r"[A-Z][A-Za-z&]{0,1}[A-Z]{1,5}s?"
_BRACKETED = re.compile(r"\((?P<short>" + _ACRONYM + r")\)")
_OR_ACRONYM = re.compile(r",\s+or\s+(?P<short>" + _ACRONYM + r")\b")
_HENCEFORTH = re.compile(
    r"\(\s*(?:henceforth|hereafter|hereinafter)\s*[-–:,]?\s*[‘'“\"]?(?P<short>[^’'”\")]{2,40}?)"
    r"[’'”\"]?\s*\)", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z’'\-/]*")
_STOP = {"a", "an", "the", "of", "and", "or", "for", "to", "in", "on", "with", "by", "our", "their",
         "its", "all", "them", "call", "will", "we", "is", "are", "was", "were", "as", "this",
         "that", "these", "those", "from", "at", "be", "been"}


def _initials_match(short: str, words: list[str]) -> int:
    """How many trailing words spell the acronym (0: no match). Hyphenated and slashed words
    count each part ("multi-academy trust" spells MAT)."""
    letters = short.rstrip("s").upper() if len(short) > 2 and short.endswith("s") else short.upper()
    letters = "".join(ch for ch in letters if ch.isalpha())
    for n in range(1, min(len(words), len(letters) + 3) + 1):
        tail = words[-n:]
        parts = [p for w in tail for p in re.split(r"[-/]", w) if p]
        initials = "".join(p[0].upper() for p in parts if p.lower() not in _STOP)
        if initials == letters and tail[0].lower() not in _STOP:
            return n
    return 0


def _line_before(text: str, end: int) -> str:
    """The text before `end` on the same line (a definition never spans lines)."""
    start = max(text.rfind("\n", 0, end) + 1, end - 120)
    return text[start:end]


def _words_before(text: str, end: int, limit: int = 10) -> list[str]:
    return _WORD.findall(_line_before(text, end))[-limit:]


_PHRASE_STOP = (_STOP - {"and", "or"}) | {"one", "two", "three", "four", "five", "six", "seven"}


def _noun_phrase_before(text: str, end: int) -> str:
    """The words just before a "(henceforth ...)": back to the first function word or number
    ("and"/"or" may join a phrase: "school federations and multi academy trusts")."""
    words = _line_before(text, end).rstrip(" ,;:").split()
    phrase: list[str] = []
    for w in reversed(words):
        bare = w.strip(",;:()‘’'\"").lower()
        if not bare or bare in _PHRASE_STOP or bare.isdigit():
            break
        phrase.insert(0, w.strip(",;:()"))
        if w.endswith((".", ";", ":")) or len(phrase) >= 6:
            break
    return " ".join(phrase).strip(" ,")


def definitions(text: str) -> list[tuple[str, str]]:
    """(term, expansion) pairs defined in one passage's text, in order."""
    out: list[tuple[str, str]] = []
    for pattern in (_BRACKETED, _OR_ACRONYM):
        for m in pattern.finditer(text):
            short = m.group("short")
            words = _words_before(text, m.start())
            n = _initials_match(short, words)
            if n:
                out.append((short, " ".join(words[-n:])))
    for m in _HENCEFORTH.finditer(text):
        short = m.group("short").strip(" -–‘’'\"")
        long = _noun_phrase_before(text, m.start())
        if short and long and short.lower() != long.lower():
            out.append((short, long))
    return out


def build_glossary(passages: Iterable[Passage]) -> list[dict[str, str]]:
    """One entry per term (its first definition in corpus order), sorted by term."""
    seen: dict[str, dict[str, str]] = {}
    for p in passages:
        for term, expansion in definitions(p.text):
            key = _singular(term).lower()
            if key not in seen:
                seen[key] = {"term": term, "expansion": expansion, "passage_id": p.id}
    return sorted(seen.values(), key=lambda e: e["term"].lower())


def _singular(term: str) -> str:
    return term[:-1] if len(term) > 2 and term.endswith("s") and term[-2].isupper() else term


def _pattern(phrase: str, acronym: bool = False) -> re.Pattern:
    """Whole words, hyphen or space alike, optional plural (LGB/LGBs). An acronym must keep
    its capitals ("OR" is not "or", "IS" is not "is"); a long form matches in any case."""
    words = [re.escape(w) for w in re.split(r"[\s\-]+", _singular(phrase).strip()) if w]
    edge = r"A-Za-z0-9\-" if acronym else r"A-Za-z"  # "PD" is not "PD-1"
    return re.compile(rf"(?<![{edge}])" + r"[\s\-]*".join(words) + rf"(?:s|es)?(?![{edge}])",
                      0 if acronym else re.IGNORECASE)


class Expander:
    """Expands questions with a glossary; patterns compiled once, and only the entries that
    share a word with the question are tried (a large corpus can define thousands of terms)."""

    def __init__(self, glossary: list[dict[str, str]]):
        self.entries: list[tuple[str, str, re.Pattern, re.Pattern]] = []
        self.by_word: dict[str, list[int]] = {}
        for entry in glossary:
            term, expansion = entry["term"], entry["expansion"]
            acronym = term.isupper() or (term[:-1].isupper() and term.endswith("s"))
            words = re.split(r"[\s\-]+", expansion.strip().lower())
            if not acronym or not words or not words[0]:
                continue
            n = len(self.entries)
            self.entries.append((term, expansion, _pattern(term, acronym=True),
                                 _pattern(expansion)))
            for key in {_singular(term).lower(), words[0]}:
                self.by_word.setdefault(key, []).append(n)

    def __call__(self, question: str) -> list[str]:
        words = set(re.findall(r"[a-z0-9]+", question.lower()))
        words |= {w[:-1] for w in words if w.endswith("s")} | {w[:-2] for w in words
                                                               if w.endswith("es")}
        found = sorted({n for w in words for n in self.by_word.get(w, [])})
        extra: list[str] = []
        for n in found:
            term, expansion, tp, xp = self.entries[n]
            if tp.search(question) and not xp.search(question):
                extra.append(expansion)
            elif xp.search(question) and not tp.search(question):
                extra.append(term)
        return list(dict.fromkeys(extra))


def expand_query(question: str, glossary: list[dict[str, str]]) -> list[str]:
    """Glossary phrases a question implies but does not say: the expansion of each defined
    acronym it uses, and the acronym of each long form it spells out. Single ordinary words
    ("trusts") are never expanded: they would add noise to every question."""
    return Expander(glossary)(question)
