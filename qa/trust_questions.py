"""Questions about the trusts as a group, read as conditions over the trusts table (issue 19).

"Which trusts are not rural?", "How many trusts have more than ten schools?", "Which is the
smallest rural trust?", "What do the rural trusts say about governance?".

A question becomes conditions (field, operator, value) joined by "and"/"but" (all must hold)
and "or" (either group), with a count ("How many") and superlatives ("the largest", "the most
central"). Nothing here names a trust or a question: the vocabulary is the indexed vignettes'
own — each field's values as written, their numbers and scale positions, each field's label
words, the school types the synopsis writes (P, S, SS, UTC, all-through, through
ingest/vignettes.py's SCHOOL_TYPES) — and, where the words differ, MiniLM similarity between
the question's leftover phrase and the values ("in the countryside" -> rural); a phrase
clearly about a scale takes the pole it lies towards on that scale's axis. Operators apply
over whatever was read, however it was read: not / non- / lacking / other than / excluding,
only (of one kind or several), comparisons (also "smaller than", "N of them", "A or B",
"more A than B"), and / or / but ("or" between two values of one field stays inside its
group). A query with no question frame ("Catholic trusts?", "trusts under 3 schools") is a
set question only when every word of it reads as a condition. Every reading is said in
words, and a part that cannot be read is named, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from ingest.vignettes import SCALES, SCHOOL_TYPES, SUBTYPES, _type_of, field_label

# ---- words -----------------------------------------------------------------------------------

_NUM_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_NUM_WORDS.update({w: 10 * i for i, w in enumerate(
    "thirty forty fifty sixty seventy eighty ninety".split(), start=3)})
_TENS = {"twenty": 20, **{w: n for w, n in _NUM_WORDS.items() if n >= 30}}
GROUP = {"trusts", "trust", "federations", "federation", "mats", "mat", "vignettes",
         "partnerships", "partnership", "multi-academy"}
PLURAL_GROUP = {"trusts", "federations", "mats", "vignettes", "partnerships"}
# Words that carry no condition (question frame, verbs of having, articles).
STOP = set("""a an the of in on at to for from by with without and or but not no nor that which
who whom whose what how many much is are was were be been being do does did have has had
having there their they them it its this these those as than then so such any all some each
every only also just still currently more most less fewer one ones both either neither other
own same please tell me us show list name count give find get trusts trust federations
federation mats mat vignettes vignette partnerships partnership case cases studies study schools
school academies academy where when run runs use uses using used set sets setting rely relies
work works working take takes approach model way ways through via like kind sort type their
our your whose indexed fictional evidence have described include includes including included
contain contains containing hold holds got serve serves serving located based operate operates
operating describe describes led lead leads among within across into out up about over would
could should can may might does tend tends seem seems sample case-study surveyed studied felt
feel feels say says said multi-academy made make makes colleges college area areas settings
part themselves itself ourselves i i'm am we we're looking identify pick point select display
enumerate return highlight running whether you altogether overall numbering
total""".split())
NEGATIONS = {"not", "no", "without", "non", "never", "neither", "nor",
             # verbs of absence: "trusts lacking a secondary school"
             "lack", "lacks", "lacking", "lacked"}
# A question about the research sample (the synopsis's 13 trusts), not the indexed vignettes.
_SAMPLE = re.compile(r"\b(sample|case[- ]stud(?:y|ies)|interviewed|surveyed|studied|felt|"
                     r"feel|feels|this project|the study|the research|the report|the synopsis|"
                     r"the briefing|in england|nationally)\b", re.I)
# "Which trusts", "how many of the trusts", "which urban trusts", "trusts with ...", "is the
# largest trust" (up to three describing words, never a verb: "what do trusts do about
# finance?" is not about the set).
_VERB = (r"(?!(?:do|does|did|are|is|was|were|can|could|should|would|will|must|have|has|had|"
         r"make|makes|help|helps|goes|go|happens|join|joins|grow|grows|"
         # nor a question word or a preposition: "show how trusts ...", "the risks for trusts"
         r"how|why|when|where|for|of|about|to|on|from|by)\b)")
_GROUPS = r"(?:trusts|federations|mats|multi-academy trusts|vignettes|partnerships)"
_EXCLUDING = r"(?:apart from|aside from|except for|other than|excluding|leaving out)"
_SET_CUE = re.compile(
    rf"\b(?:which|what|how many|list|name|show|count)(?: of)?(?: me)?(?: the| all| our)?"
    rf"(?: {_VERB}[a-z][\w/-]*){{0,3}}? {_GROUPS}\b"
    rf"|^(?:and |list |show )?(?:the |all )?{_GROUPS} (?:with|that|which|where|having|whose|in)\b"
    rf"|\b(?:any|are there) {_GROUPS}\b"
    # "Is there a trust running two UTCs?", "Is there any trust with ...": one, if any
    rf"|^(?:is there|are there) (?:a|any|one) (?:trust|federation|mat)\b"
    # "Do any of the trusts ...", "Were any of the trusts ...", "List every trust with ...",
    # "I'm looking for trusts that ...": a request for the set ("did/had any of the trusts"
    # stays the research's past, as the retrieval questions ask it)
    rf"|^(?:do|does|are|is|were|have|has) (?:any|all|none|some) of (?:the |our )?"
    rf"{_GROUPS}\b"
    rf"|^(?:please )?(?:list|name|show(?: me)?|give me|find(?: me)?) (?:every|each|all(?: the)?)"
    rf" (?:trust|federation|mat)\b"
    # "Identify the trusts whose ...", "Find the trusts running ...", "Pick out all trusts
    # with ...": a request for the set, opening the question (up to three describing words)
    rf"|^(?:please |can you |could you )?(?:identify|find(?: me)?|give me|pick out|point out|"
    rf"select|display|enumerate|return|highlight|list|name|show(?: me)?)"
    rf"(?: the| all(?: the)?| every| each| any| our)?(?: {_VERB}[a-z][\w/-]*){{0,3}}? {_GROUPS}\b"
    rf"(?!['’])"  # "Find the trusts' approach to ...": what the trusts do, not which
    rf"|^(?:please )?(?:identify|pick out|point out|select|display|enumerate|highlight)"
    rf" (?:every|each|any) (?:trust|federation|mat)\b"
    rf"|^(?:i'm|i am|we're|we are) looking for (?:the |all |any )?"
    rf"(?:[a-z][\w/-]* ){{0,2}}?{_GROUPS} (?:with|that|which|where|having|whose|in)\b"
    # "Of the urban trusts, which has the fewest schools?", "Among the local trusts, which ..."
    # "For the rural trusts: which ...", "Apart from the regional trusts, which ..."
    rf"|^(?:of|among|amongst|for|{_EXCLUDING}) (?:the |all |our |these )?"
    rf"(?:[a-z][\w/-]* ){{0,3}}?{_GROUPS}[,:]? "
    rf"(?:which|what|how many)\b"
    # "Among the trusts with a special school, which ...": conditions after the group word,
    # then the question
    rf"|^(?:of|among|amongst|{_EXCLUDING}) (?:the |all |our |these )?"
    rf"(?:[a-z][\w/-]* ){{0,3}}?{_GROUPS} "
    rf"[^,?;]{{1,80}},\s*(?:which|what|how many)\b", re.I)
# "Are there any Catholic trusts?": a word before the group word that is one of the vignettes'
# values (checked against the values in `is_set_question`).
_VALUE_CUE = re.compile(rf"\b(?:are there|is there|any)(?: any)? ([a-z][\w-]*(?: [a-z][\w-]*)?)"
                        rf" {_GROUPS}\b", re.I)
# "Which is the largest trust?", "Which trust has the most pupils?": one trust, a superlative.
_SUPERLATIVES = (r"largest|biggest|greatest|smallest|most|fewest|least|highest|lowest|best|"
                 r"worst|earliest|latest|oldest|newest|youngest|tightest|strictest|loosest|longest")
# A scale's poles as adverbs ("centrally", "informally"), from the scales' own words
_POLE_ADVERBS = "|".join(sorted({f"{p}ly" for poles in SCALES.values() for p in poles}))
_ONE_CUE = re.compile(r"(?:\b(?:which|what)(?: is| was)? (?:the )?(?:[a-z][\w-]* ){0,3}trust\b"
                      # "Name the trust with the biggest ...", "Show me the trust that has ..."
                      r"|^(?:please )?(?:name|show(?: me)?|give me|find(?: me)?|tell me) "
                      r"the (?:[a-z][\w-]* ){0,2}trust\b)"
                      # "the smallest trust working in ...": a participle that puts a condition
                      r"(?=\s+(?:is|has|was|had|with|that|by|[a-z]{3,}ing|[a-z]{3,}ed)\b"
                      r"|\s*[?.!]*\s*$"
                      # "Which is the newest trust, the most recently founded?"
                      r"|\s*,"
                      # "which trust runs the most schools": one verb, then the superlative
                      rf"|\s+(?!(?:do|does|did|can|could|should|would|will|must)\b)[a-z]+s\s+"
                      rf"(?:the\s+)?(?:{_SUPERLATIVES})\b"
                      # "which trust evaluates school improvement most informally": one verb,
                      # its object, then "most" / "least" and an adverb
                      rf"|\s+(?!(?:do|does|did|can|could|should|would|will|must)\b)[a-z]+s"
                      rf"(?:\s+[a-z-]+){{0,3}}\s+(?:most|least)\s+(?:{_POLE_ADVERBS})\b)", re.I)
_SUPER_CUE = re.compile(rf"\b(?:{_SUPERLATIVES})\b", re.I)
_CONTENT_FRAME = re.compile(r"^(?:what|how|why|where|when)\s+(?:do|did|are|have)\s+"
                            r"(?:the\s+|our\s+|all\s+|those\s+)?", re.I)
_SUPER = {"largest": "max", "biggest": "max", "greatest": "max", "most": "max", "highest": "max",
          "smallest": "min", "fewest": "min", "least": "min", "lowest": "min",
          "best": "max", "worst": "min",
          # of a scale's pole named after them ("the tightest central control", "the loosest
          # central control"): the most / the least of it
          "tightest": "max", "strictest": "max", "loosest": "min",
          # in time: of a field whose values are years ("founded earliest", "the oldest trust")
          "earliest": "min", "oldest": "min", "latest": "max", "newest": "max",
          "youngest": "max",
          # "the longest-established / longest-running trust": the earliest in time
          "longest": "min"}
_SIZE = {"largest", "biggest", "greatest", "smallest"}  # alone: the number of schools
_IN_TIME = {"earliest", "oldest", "latest", "newest", "youngest", "longest"}
_RECENT = {"recent", "recently", "lately"}  # "most recently": the latest
_CMP = [  # phrase -> operator, longest first
    ("a maximum of", "<="), ("a minimum of", ">="), ("maximum of", "<="), ("minimum of", ">="),
    ("no later than", "<="), ("no earlier than", ">="), ("not more than", "<="),
    ("not less than", ">="), ("not fewer than", ">="),
    ("no fewer than", ">="), ("no less than", ">="), ("no more than", "<="), ("greater than", ">"),
    ("smaller than", "<"), ("larger than", ">"), ("bigger than", ">"), ("higher than", ">"),
    ("lower than", "<"),
    ("earlier than", "<"), ("later than", ">"), ("sooner than", "<"), ("prior to", "<"),
    ("more than", ">"), ("at least", ">="), ("fewer than", "<"), ("less than", "<"),
    ("at most", "<="), ("up to", "<="), ("over", ">"), ("above", ">"), ("under", "<"),
    ("below", "<"), ("exactly", "="), ("only", "="), ("just", "="), ("before", "<"),
    ("after", ">"), ("since", ">="), ("in", "="),
]
_OR_MORE = {"or more": ">=", "or over": ">=", "or later": ">=", "or after": ">=",
            "or above": ">=", "or greater": ">=", "and over": ">=", "and above": ">=",
            "or fewer": "<=", "or less": "<=", "or earlier": "<=", "or before": "<=",
            "or below": "<=", "or under": "<=", "and under": "<=", "and below": "<="}
_MODIFIERS = {"more", "mostly", "largely", "mainly", "very", "highly", "fully", "strongly",
              "tightly", "entirely", "wholly", "tighter", "stricter"}
_STRONG = {"very", "highly", "fully", "strongly", "tightly", "entirely", "wholly"}
# MiniLM cosine a leftover phrase needs to be read as a value, and its lead over the best
# other reading. Set on phrases of our own ("village", "inner city", "decided at the top",
# "coastal", "teaching school"), not on the evaluation questions.
SIMILAR_MIN = 0.5
SIMILAR_MARGIN = 0.06
ABSORB_MIN = 0.7  # "rural areas" read as "rural"
# A field named by words its label lacks ("record a faith" -> Religious character): the
# label's MiniLM similarity, and its lead over the next label ("an Ofsted grade" is 0.41 near
# "Evaluation of school improvement", 0.10 ahead of the next: no field).
LABEL_MIN = 0.4
LABEL_MARGIN = 0.15
# A phrase read as a text field's value must be nearer the value than the field's own name by
# this much; else it is about the field, on either side of it ("secular", "faith-based").
TOPIC_MARGIN = 0.1
# A short leftover (at most FILLER_WORDS words) just before a condition, nearer no value than
# FILLER_MAX, is the verb or hedge that puts the condition: said in the answer, not read.
FILLER_MAX = 0.5
FILLER_WORDS = 2
# A phrase clearly about a scale (SIMILAR_MIN, SIMILAR_MARGIN over every other field) is read
# as the pole it lies towards when its cosine with the scale's axis (low pole -> high pole)
# is at least AXIS_MIN either way.
AXIS_MIN = 0.05
# What each end of the synopsis's scales means in plain words, so that a question which names
# neither pole ("decided by each head") is still near one. Written from the synopsis's own
# account of the scales, not from evaluation questions; a scale no gloss names is read by its
# pole words alone.
SCALE_GLOSSES: dict[str, dict[str, tuple[str, ...]]] = {
    "decision_making": {
        "local": ("decisions are made by each school and its headteacher",),
        "central": ("decisions are made by the trust's central team for all its schools",),
    },
    "evaluation": {
        "informal": ("school improvement is evaluated informally, through conversations "
                     "and visits",),
        "formal": ("school improvement is evaluated formally, with set reviews, data and "
                   "audits",),
    },
    "stage": {
        "settled": ("the trust is settled, established and stable",),
        "evolving": ("the trust is still evolving, changing and growing",),
    },
}


# Everyday place words for the urban/rural values, as glosses MiniLM compares leftover phrases
# with beside the values themselves, and as the words a "mix of A and B" is read from. General
# English, not taken from evaluation questions; used only where a value is written so.
_PLACE_GLOSSES = {"rural": ("villages and the countryside",), "urban": ("towns and cities",)}
_PLACE_WORDS = {"village": "rural", "villages": "rural", "countryside": "rural",
                "country": "rural", "rural": "rural", "hamlet": "rural", "hamlets": "rural",
                "town": "urban", "towns": "urban", "city": "urban", "cities": "urban",
                "urban": "urban", "suburb": "urban", "suburbs": "urban"}
_MIX_WORDS = {"mix", "mixture", "blend", "combination", "both"}
# Nouns a scale's pole describes ("the tightest central control", "more local oversight"):
# read with the pole.
_SCALE_NOUNS = {"control", "oversight", "direction", "management", "grip"}


def _stem(w: str) -> str:
    for suffix in ("ies", "s"):
        if w.endswith(suffix) and len(w) > 3 and not w.endswith("ss"):
            return w[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return w


@dataclass
class Token:
    text: str  # normalised: lower case, number words as digits, "n't" as "not"
    start: int  # span in the question as asked
    end: int
    upper: bool = False  # written in capitals ("SS", "UTCs")


def tokenize(question: str) -> list[Token]:
    out: list[Token] = []
    for m in re.finditer(r"£?\d[\d,]*(?:\.\d+)?|[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]", question):
        raw = m.group(0).replace("’", "'")
        low = raw.lower()
        upper = raw.rstrip("s").isupper()
        if low.endswith("n't") or low == "cannot":
            # "aren't", "doesn't", "haven't", "can't", "won't", "cannot": the verb, then "not"
            cut = 3 if low.endswith("n't") else 3
            verb = _CONTRACTED.get(low, low[:-cut])
            out += [Token(verb, m.start(), m.end() - cut), Token("not", m.end() - cut, m.end())]
            continue
        if low.startswith("non-") and len(low) > 5:
            # "non-rural": "non" (a negation) and the word it negates
            out += [Token("non", m.start(), m.start() + 3),
                    Token(low[4:], m.start() + 4, m.end(), raw[4:].rstrip("s").isupper())]
            continue
        head, _, tail = low.partition("-")
        if tail == "only" and head:
            # "secondary-only": the word, then "only" ("secondary only")
            out += [Token(head, m.start(), m.start() + len(head), raw[:len(head)].isupper()),
                    Token("only", m.start() + len(head) + 1, m.end())]
            continue
        if head in _SUPER and tail and tail[0].isalpha():
            # "longest-established", "best-known": the superlative, then what it is of
            out += [Token(head, m.start(), m.start() + len(head)),
                    Token(tail, m.start() + len(head) + 1, m.end())]
            continue
        if low.endswith("'s"):
            low = low[:-2]
        if low.lstrip("£")[:1].isdigit():
            low = low.lstrip("£").replace(",", "")
        tens, _, unit = low.partition("-")
        if tens in _TENS and 0 < _NUM_WORDS.get(unit, 0) < 10:  # "forty-two"
            low = str(_TENS[tens] + _NUM_WORDS[unit])
        low = str(_NUM_WORDS[low]) if low in _NUM_WORDS else low
        low = "12" if low == "dozen" else low  # "a dozen schools"
        low = "6" if low in ("half-dozen", "half-a-dozen") else low  # "a half-dozen schools"
        out.append(Token(low, m.start(), m.end(), upper))
    # "three thousand", "2 hundred", "two dozen", "half a dozen": one number
    merged: list[Token] = []
    for x in out:
        prev = merged[-1] if merged else None
        dozen = question[x.start:x.end].lower() == "dozen"
        if (dozen and len(merged) >= 2 and merged[-1].text == "a"
                and merged[-2].text == "half"):
            merged[-2:] = [Token("6", merged[-2].start, x.end)]
            continue
        if dozen and prev is not None and _number(prev.text) is not None:
            merged[-1] = Token(_n(_number(prev.text) * 12), prev.start, x.end)
            continue
        if (x.text in _SCALE_WORDS and prev is not None and _number(prev.text) is not None):
            value = _number(prev.text) * _SCALE_WORDS[x.text]
            merged[-1] = Token(_n(value), prev.start, x.end)
            continue
        merged.append(x)
    return merged


_SCALE_WORDS = {"hundred": 100, "thousand": 1000, "million": 1_000_000}


# Contractions whose verb is not the word before "n't".
_CONTRACTED = {"can't": "can", "won't": "will", "shan't": "shall", "cannot": "can",
               "ain't": "are"}
# Words that join two conditions as "and" does ("fewer than 4 primaries as well as a
# secondary", "a sixth form along with a special school", "rural plus formal").
_AND_PHRASES = (("as", "well", "as"), ("along", "with"), ("together", "with"),
                ("in", "addition", "to"), ("plus",))
# Indefinites an exclusion leaves ("somewhere other than ...", "anything but ...").
_INDEFINITES = {"somewhere", "anywhere", "something", "anything", "elsewhere"}
# Words that exclude what follows: the next condition, negated ("other than the rural ones",
# "excluding any with a special school", "urban rather than mixed").
_EXCLUDE_PHRASES = (("other", "than"), ("apart", "from"), ("aside", "from"), ("except", "for"),
                    ("except",), ("excluding",), ("excepting",), ("rather", "than"),
                    ("instead", "of"), ("leaving", "out"), ("not", "counting"),
                    ("outside", "of"), ("outside",))


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def parse_number(value: str) -> float | None:
    """A value that is a number as written ("2,450", "about 3,100 pupils", "2013")."""
    m = re.fullmatch(r"\s*(?:about|around|approximately|c\.|circa|over|under)?\s*£?"
                     r"(\d[\d,]*(?:\.\d+)?)\s*([a-z][a-z ]{0,20})?\s*", value.lower())
    return float(m.group(1).replace(",", "")) if m else None


# ---- the vocabulary: the fields the indexed vignettes have ------------------------------------

@dataclass
class Column:
    """One field of the trusts table as questions see it."""

    name: str  # trusts-table key: a dimension, "other:<label>", or a school kind
    label: str  # as people read it ("Mix of context (urban/rural)", "Pupils on roll")
    kind: str  # "text" | "scale" | "number" | "schools"
    words: set[str] = field(default_factory=set)  # the label's words, stemmed

    def said(self) -> str:
        label = re.sub(r"\s*\([^)]*\)", "", self.label).strip()
        return label[:1].lower() + label[1:] if not label[:2].isupper() else label


class Vocabulary:
    """What questions may name: built once per trusts table from its values."""

    def __init__(self, trusts: list):
        self.trusts = trusts
        names = list(dict.fromkeys(n for t in trusts for n in t.fields
                                   if n != "number_of_schools"))
        self.columns: dict[str, Column] = {}
        for n in names:
            values = [t.fields[n] for t in trusts if t.fields.get(n)]
            if n in SCALES:
                kind = "scale"
            elif values and all(parse_number(v) is not None for v in values):
                kind = "number"
            else:
                kind = "text"
            label = field_label(n)
            words = {_stem(w) for w in re.findall(r"[a-z]+", label.lower())} - STOP
            self.columns[n] = Column(n, label, kind, words)
        # Words of a value ("rural", "local") are values, not field names, even in a label.
        value_words = {w for t in trusts for n, v in t.fields.items()
                       for w in re.findall(r"[a-z]+", v.lower())}
        for c in self.columns.values():
            c.words -= value_words
        self.value_words = value_words
        self.hint_words = {w: c.name for c in self.columns.values() for w in c.words}
        for w, n in _HINTS.items():
            if n in self.columns:
                self.hint_words.setdefault(w, n)
        self.values = {(t.passage_id, n): v.lower() for t in trusts for n, v in t.fields.items()
                       if n in self.columns and self.columns[n].kind != "number"}
        self.written = {part.lower(): part for t in trusts for v in t.fields.values()
                        for part in v.split("; ")}
        self._vectors: Any = None
        self._embedder: Any = None  # whose vectors `_vectors` are (see `readings`)
        self._axes: dict[str, np.ndarray] = {}
        self._topics: dict[str, np.ndarray] = {}
        self._containing: dict[str, set[str]] = {}
        self._readings: list[tuple[str, str, str]] = []  # (field, value or pole, text)
        self._labels: Any = None  # (embedder, field names, label vectors): `label_vectors`

    def fields_containing(self, phrase: str) -> set[str]:
        """The fields some trust's value of which has the phrase (`_contains`), remembered:
        the scan asks the same phrases again when it looks ahead."""
        found = self._containing.get(phrase)
        if found is None:
            found = {n for (_, n), v in self.values.items() if _contains(v, phrase)}
            if len(self._containing) < 20000:
                self._containing[phrase] = found
        return set(found)

    def number(self, t, name: str) -> float | None:
        if name in _SCHOOL_KINDS:
            if not t.schools:
                return None
            return float(t.schools.get(name, 0))
        v = t.fields.get(name)
        return parse_number(v) if v else None

    def column_named(self, words: list[str], synonyms: bool = True) -> Column | None:
        """The numeric field (or school kind) these words name: "pupils", "pupils on roll",
        "sixth form", "founded" (and, with `synonyms`, "established", "students")."""
        if synonyms and " ".join(words) in ("set up", "opened up", "started up"):
            words = ["founded"]
        stems = {_stem(w) for w in words} - STOP
        if not stems:
            return None
        if synonyms:
            stems = {_FIELD_SYNONYMS.get(w, w) for w in stems}
        # "pupil numbers", "the pupil count": the words for a number name no field
        stems = (stems - _COUNT_NOUNS) or stems
        best = None
        for c in self.columns.values():
            if c.kind == "number" and stems <= c.words | _STOP_STEMS:
                if best is None or len(c.words & stems) > len(best.words & stems):
                    best = c
        return best

    def readings(self, embed) -> tuple[list[tuple[str, str, str]], np.ndarray]:
        """Every value a leftover phrase may mean, with its MiniLM vector (computed once per
        embedder: the same table indexed again with another model keeps its passage ids, and
        one model's vectors must never meet another's questions)."""
        embedder = getattr(embed, "__self__", embed)  # a bound `embed` of one embedder object
        if self._vectors is None or self._embedder is not embedder:
            # built whole, then published at once: two first questions at the same time only
            # compute it twice
            readings: list[tuple[str, str, str]] = []
            seen = set()
            for (_, n), v in self.values.items():
                if self.columns[n].kind == "scale":
                    continue
                for part in v.split("; "):
                    if (n, part) not in seen:
                        seen.add((n, part))
                        readings.append((n, part, part))
            for n, part, _ in list(readings):
                for key, glosses in _PLACE_GLOSSES.items():
                    if part == key or key == "mixed" and part.startswith("mixed "):
                        readings += [(n, part, g) for g in glosses]
            for n, (lo, hi) in SCALES.items():
                if n in self.columns:
                    topic = re.sub(r"\s*\([^)]*\)|\b\w+/\w+\b", "",
                                   self.columns[n].label.lower()).strip()
                    for pole in (lo, hi):
                        readings.append((n, pole, f"{pole} {topic}".strip()))
                        for gloss in SCALE_GLOSSES.get(n, {}).get(pole, ()):
                            readings.append((n, pole, gloss))
            texts = [r[2] for r in readings]
            vectors = _unit(embed(texts)) if texts else np.zeros((0, 1), np.float32)
            # each scale's axis: from the mean of its low pole's phrasings to its high pole's
            axes: dict[str, np.ndarray] = {}
            for n, (lo, hi) in SCALES.items():
                ends = [[k for k, r in enumerate(readings) if r[0] == n and r[1] == pole]
                        for pole in (lo, hi)]
                if all(ends):
                    d = vectors[ends[1]].mean(axis=0) - vectors[ends[0]].mean(axis=0)
                    axes[n] = d / max(float(np.linalg.norm(d)), 1e-9)
            # each text field's own name, as a phrase about the field and none of its values
            # ("secular" is about religious character, and is no Catholic)
            text_cols = [c for c in self.columns.values() if c.kind == "text"]
            topics = _unit(embed([re.sub(r"\s*\([^)]*\)", "", c.label).strip().lower()
                                  for c in text_cols])) if text_cols else []
            self._topics = {c.name: topics[k] for k, c in enumerate(text_cols)}
            self._readings, self._axes, self._vectors = readings, axes, vectors
            self._embedder = embedder
        return self._readings, self._vectors

    def label_vectors(self, embed) -> tuple[list[str], np.ndarray]:
        """Every field's label ("Religious character", "Pupils on roll") as a MiniLM vector,
        computed once per embedder (`readings` says why per embedder)."""
        embedder = getattr(embed, "__self__", embed)
        cached = self._labels
        if cached is None or cached[0] is not embedder:
            names = list(self.columns)
            texts = [re.sub(r"\s*\([^)]*\)", "", self.columns[n].label).strip().lower()
                     for n in names]
            cached = (embedder, names, _unit(embed(texts)) if texts
                      else np.zeros((0, 1), np.float32))
            self._labels = cached
        return cached[1], cached[2]

    def topic(self, name: str) -> np.ndarray | None:
        """A text field's label as a vector (after `readings`)."""
        return self._topics.get(name) if self._vectors is not None else None

    def axis(self, name: str) -> np.ndarray | None:
        """A scale's direction from its low pole to its high one (after `readings`)."""
        return self._axes.get(name) if self._vectors is not None else None


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


_STOP_STEMS = frozenset(_stem(w) for w in STOP)
_SCHOOL_KINDS = ["total", *SCHOOL_TYPES]
_COUNT_NOUNS = {"number", "count", "total", "figure", "tally"}
# Everyday words for a field's label word: a field labelled "Year founded" is named by
# "established", "set up", "opened" too. Used only where the label word is a field's.
_FIELD_SYNONYMS = {"established": "founded", "formed": "founded", "created": "founded",
                   "opened": "founded", "started": "founded", "begun": "founded",
                   "launched": "founded", "incorporated": "founded", "founding": "founded",
                   "foundation": "founded", "enrolled": "roll", "enrolment": "roll",
                   "enrollment": "roll", "headcount": "pupil", "roll": "roll",
                   "students": "pupil", "student": "pupil", "children": "pupil",
                   "learners": "pupil"}
# Initials in everyday use for a school type, written in capitals ("SEND schools").
_KIND_INITIALS = {"send": "special", "sen": "special", "ap": "alternative_provision"}
# School-type words that are everyday words too: a school type only before "school(s)".
_PLAIN_WORD_TYPES = {"middle", "high"}
# A word that names a dimension points the words around it at that dimension (the
# synopsis's dimensions; other fields' label words are read from the data).
_HINTS = {
    "governance": "governance", "governed": "governance", "board": None,
    "delegation": "delegation", "delegate": "delegation", "delegated": "delegation",
    "evaluation": "evaluation", "evaluate": "evaluation", "evaluated": "evaluation",
    "evaluating": "evaluation", "evaluates": "evaluation", "priorities": "improvement_priorities",
    "priority": "improvement_priorities", "improvement": "improvement_priorities",
    "decision": "decision_making", "decisions": "decision_making", "making": "decision_making",
    "distribution": "distribution", "distributed": "distribution", "spread": "distribution",
    # verbs of where a trust's schools are: "operate locally" is its distribution, not how
    # locally it takes decisions
    "operate": "distribution", "operates": "distribution", "operating": "distribution",
    "operated": "distribution", "based": "distribution", "located": "distribution",
    "cover": "distribution", "covers": "distribution", "covering": "distribution",
    "serve": "distribution", "serves": "distribution", "serving": "distribution",
    "geographically": "distribution",
}
_PLACE_VERBS = {w for w, n in _HINTS.items() if n == "distribution"} - {
    "distribution", "distributed", "spread"}
_HINTS |= {
    "context": "urban_rural", "mix": "urban_rural", "stage": "stage",
}


# ---- conditions ------------------------------------------------------------------------------

@dataclass
class Condition:
    """One condition on a trusts-table field."""

    field: str  # a column name or a school kind ("total", "primary", ...)
    op: str  # "is" (whole value), "has" (value contains), "<", "<=", ">", ">=", "=",
    #          "range" (value: (low, high), both included),
    #          "only" (every school of this kind), "pos" (scale position in `positions`),
    #          "max" / "min" (superlative)
    value: Any = None
    negated: bool = False
    words: str = ""  # the words of the question it was read from
    similar: str = ""  # when read by MiniLM similarity: the question's own words

    def holds(self, t, vocab: Vocabulary) -> bool:
        if self.negated and not self.known(t, vocab):
            # "not founded before 2015", "lack a sixth form", "aren't Catholic": a trust whose
            # vignette does not record the field is not known to be "not" anything
            return False
        hit = self._holds(t, vocab)
        return (not hit) if self.negated else hit

    def known(self, t, vocab: Vocabulary) -> bool:
        """Whether the trust's vignette records what this condition tests."""
        if self.op in ("max", "min"):
            return True
        if self.field in _SCHOOL_KINDS:
            return bool(t.schools)
        if self.op == "pos":
            return t.scales.get(self.field) is not None
        if self.op in ("vs>", "vs<", "vs="):
            return (vocab.number(t, self.field) is not None
                    and vocab.number(t, self.value) is not None)
        if self.op in ("<", "<=", ">", ">=", "=", "range"):
            return vocab.number(t, self.field) is not None
        return bool(t.fields.get(self.field))

    def _holds(self, t, vocab: Vocabulary) -> bool:
        if self.op == "recorded":  # the vignette gives the field, whatever its value
            return bool(t.fields.get(self.field))
        if self.op == "range":  # both ends included
            n = vocab.number(t, self.field)
            return n is not None and self.value[0] <= n <= self.value[1]
        if self.op in ("<", "<=", ">", ">=", "="):
            n = vocab.number(t, self.field)
            if n is None:
                return False
            return {"<": n < self.value, "<=": n <= self.value, ">": n > self.value,
                    ">=": n >= self.value, "=": n == self.value}[self.op]
        if self.op in ("vs>", "vs<", "vs="):  # one count against another field's
            a, b = vocab.number(t, self.field), vocab.number(t, self.value)
            return a is not None and b is not None and (
                a > b if self.op == "vs>" else a < b if self.op == "vs<" else a == b > 0)
        if self.op == "only" and self.value:  # several kinds: every school one of them
            how, kinds = self.value
            counts = [vocab.number(t, k) or 0 for k in kinds]
            total = vocab.number(t, "total")
            return (bool(total) and sum(counts) == total
                    and (how == "any" or all(counts)))
        if self.op == "only":
            n = vocab.number(t, self.field)
            total = vocab.number(t, "total")
            if self.field in SUBTYPES:  # all secondaries are UTCs
                total = vocab.number(t, SUBTYPES[self.field])
            return bool(n) and n == total
        if self.op == "most":  # "most of the schools primaries": more than half of them
            total = vocab.number(t, "total")
            return bool(total) and 2 * (vocab.number(t, self.field) or 0) > total
        if self.op == "pos":
            return t.scales.get(self.field) in self.value
        value = t.fields.get(self.field, "")
        if self.op == "is":
            return any(v.strip().lower() == self.value
                       or v.strip().lower().startswith(self.value + " ") and " " not in self.value
                       for v in value.split("; "))
        if self.op == "has":
            return _contains(value, self.value)
        return True  # max / min are applied to the set, not one trust

    def said(self, vocab: Vocabulary) -> str:
        """The condition in words, as the answer leads with it."""
        no = self.negated
        if self.op in ("vs>", "vs<", "vs="):
            def what(f):
                if f in _SCHOOL_KINDS:
                    return ("" if f == "total" else _KIND_WORDS.get(f, f.replace("_", " "))
                            + " ") + "schools"
                col = vocab.columns.get(f)
                return col.said() if col else f
            if self.op == "vs=":
                return (f"{'not ' if no else ''}with as many {what(self.field)} as "
                        f"{what(self.value)} (and some of each)")
            more = "more" if self.op == "vs>" else "fewer"
            return f"{'not ' if no else ''}with {more} {what(self.field)} than {what(self.value)}"
        if self.field in _SCHOOL_KINDS:
            kind = "" if self.field == "total" else _KIND_WORDS.get(
                self.field, self.field.replace("_", " ")) + " "
            if self.op == "only" and self.value:
                how, kinds = self.value
                said = (" and " if how == "all" else " or ").join(
                    _KIND_WORDS.get(x, x.replace("_", " ")) for x in kinds)
                return f"{'not ' if no else ''}with only {said} schools"
            if self.op == "only":
                return f"{'not ' if no else ''}with only {kind}schools"
            if self.op == "most":
                return (f"{'not ' if no else ''}with more than half of their schools "
                        f"{kind}schools (“most” read as more than half)")
            if self.op in ("max", "min"):
                top = f"among the top {self.value} (ties kept) " if self.value else ""
                return (f"{'not ' if no else ''}{top}with the "
                        f"{'most' if self.op == 'max' else 'fewest'} {kind}schools")
            if self.op == ">=" and self.value == 1 and kind:
                return f"with {'no' if no else 'a'} {kind}school"
            if self.op == "<" and self.value == 1 and kind:
                return f"with {'a' if no else 'no'} {kind}school"
            if self.op == "range":
                lo, hi = self.value
                span = _n(lo) if lo == hi else f"{_n(lo)} to {_n(hi)}"
                via = f" (“{self.similar}” read as {span})" if self.similar else ""
                return f"{'not ' if no else ''}with {span} {kind}schools{via}"
            via = (f" (“{self.similar}” read as {_OP_WORDS[self.op]}{_n(self.value)})"
                   if self.similar else "")
            return (f"{'not ' if no else ''}with {_OP_WORDS[self.op]}{_n(self.value)} "
                    f"{kind}school{'s' if self.value != 1 else ''}{via}")
        col = vocab.columns.get(self.field)
        label = col.said() if col else self.field
        via = f" (“{self.similar}” read as “{self.value}”)" if self.similar else ""
        if self.op == "recorded":
            return f"whose vignette {'does not record' if no else 'records'} {label}"
        if self.op in ("max", "min"):
            top = f"among the top {self.value} (ties kept) " if self.value else ""
            if col and col.kind == "scale":
                pole = SCALES[self.field][1 if self.op == "max" else 0]
                return f"{top}whose {label} is {'not ' if no else ''}the most {pole}{via}"
            return (f"{'not ' if no else ''}{top}with the "
                    f"{'highest' if self.op == 'max' else 'lowest'} {label}")
        if self.op == "range":
            lo, hi = self.value
            span = _n(lo) if lo == hi else f"from {_n(lo)} to {_n(hi)}"
            via = f" (“{self.similar}” read as {span})" if self.similar else ""
            return f"whose {label} is {'not ' if no else ''}{span}{via}"
        if self.op in _OP_WORDS:
            words = {**_OP_WORDS, "<": "less than "}[self.op]
            via = (f" (“{self.similar}” read as {words}{_n(self.value)})" if self.similar
                   else "")
            return f"whose {label} is {'not ' if no else ''}{words}{_n(self.value)}{via}"
        if self.op == "pos":
            lo, hi = SCALES[self.field]
            word = {frozenset({1, 2}): f"more {lo}", frozenset({4, 5}): f"more {hi}",
                    frozenset({5}): f"very {hi}", frozenset({1}): f"very {lo}",
                    frozenset({3}): "balanced"}.get(frozenset(self.value), str(self.value))
            via = f" (“{self.similar}” read as “{word}”)" if self.similar else ""
            return f"whose {label} is {'not ' if no else ''}{word}{via}"
        if self.op == "is":
            value = vocab.written.get(self.value, self.value)
            via = f" (“{self.similar}” read as “{value}”)" if self.similar else ""
            return f"whose {label} is {'not ' if no else ''}{value}{via}"
        return f"whose {label} {'does not mention' if no else 'mentions'} “{self.value}”{via}"


_KIND_WORDS = {"utc": "UTC (university technical college)", "all_through": "all-through",
               "alternative_provision": "alternative provision"}
_OP_WORDS = {"<": "fewer than ", "<=": "at most ", ">": "more than ", ">=": "at least ",
             "=": ""}


def _n(x) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


_WORD = re.compile(r"\d[\d,]*(?:\.\d+)?|[a-z][a-z'’-]*[a-z]|[a-z]")
_NEGATING = ("without", "no", "not", "non", "never")


@lru_cache(maxsize=8192)
def _word_list(text: str, stemmed: bool) -> tuple[str, ...]:
    """A text's words as the question's are read (hyphenated words whole), stemmed or not."""
    words = _WORD.findall(text.lower())
    return tuple(_stem(w) for w in words) if stemmed else tuple(words)


def _contains(value: str, phrase: str) -> bool:
    """The value has the phrase as whole words, and not negated ("without local governing
    bodies" does not have local governing bodies). A phrase of several words matches its
    words' plurals alike ("advisory board" is in "advisory boards"); one word matches as
    written (its variants are tried apart: `_variants`), so "keep" is not "keeps"."""
    stemmed = " " in phrase.strip()
    have, want = _word_list(value, stemmed), _word_list(phrase, stemmed)
    n = len(want)
    if not n:
        return False
    for k in range(len(have) - n + 1):
        if have[k:k + n] == want and (k == 0 or have[k - 1] not in _NEGATING):
            return True
    return False


# ---- reading a question ----------------------------------------------------------------------

@dataclass
class Reading:
    """What a question about the set was read as."""

    groups: list[list[Condition]]  # or-ed groups of and-ed conditions
    count: bool = False  # "How many trusts ...?"
    unread: list[str] = field(default_factory=list)  # parts that are no condition, as asked
    missing_fields: list[str] = field(default_factory=list)  # named fields no vignette has
    content: str = ""  # set-plus-content: the part answered from the passages
    ignored: list[str] = field(default_factory=list)  # verbs that put a condition, not read
    # parts read two ways, each a different list ("the largest trust that is rural or has a
    # UTC": the largest of either, or the largest rural one and every UTC one): not guessed
    ambiguous: list[str] = field(default_factory=list)
    # words no rule reads that change the condition beside them ("nearly", "mostly")
    changing: list[str] = field(default_factory=list)
    # phrases about a field and none of its values ("secular": religious character), with it
    about_field: list[tuple[str, str]] = field(default_factory=list)
    # per word (up to any content part): a condition's, the group word's, or read by
    # similarity; and whether it is a small word that carries no condition
    # a trust named in a comparison whose vignette lacks the field ("more pupils than X")
    not_comparable: list[str] = field(default_factory=list)
    # words read as another spelling ("schoools" as "schools"): said with the answer
    respelled: list[tuple[str, str]] = field(default_factory=list)
    covered: list[bool] = field(default_factory=list, repr=False)
    small: list[bool] = field(default_factory=list, repr=False)


def is_set_question(question: str, vocab: Vocabulary | None = None) -> bool:
    """A question about the indexed trusts as a group. A word that points at the research
    sample ("nationally", "in the sample") does not, when it is one of the indexed vignettes'
    own values ("operate nationally": a distribution of "national")."""
    q = question or ""
    cue = _SET_CUE.search(q) or _ONE_CUE.search(q) and _SUPER_CUE.search(q)
    values = vocab.value_words if vocab is not None else set()
    if not cue and values:
        # "Are there any Catholic trusts?": the words before "trusts" are values of a field
        m = _VALUE_CUE.search(q)
        cue = m and all({w, *_variants(w)} & values or w in STOP
                        for w in m.group(1).lower().split()) and not all(
                            w in STOP for w in m.group(1).lower().split())
    if not cue:
        return False
    return not _about_sample(q, values)


def _about_sample(q: str, values: set[str]) -> bool:
    return any({w, *_variants(w)}.isdisjoint(values) if len(w.split()) == 1 else True
               for w in (m.group(0).lower() for m in _SAMPLE.finditer(q)))


# A question that opens so is asked in a sentence ("How are rural trusts governed?"); a
# telegraphic query ("Catholic trusts?", "trusts under 3 schools") does not.
_SENTENCE_OPENERS = set("""how why what when where who whom whose which is are was were do does
did can could should would will shall must may might has have had tell explain describe
compare summarise summarize discuss outline give say""".split())
_LEAD = {"the", "all", "any", "our", "those", "these", "a", "an"}
# Frames that only ask for the set, before a telegraphic query ("Which are the rural
# trusts?", "Number of urban trusts"); (words, a count).
_FRAMES = ((("which", "are"), False), (("what", "are"), False), (("which", "were"), False),
           (("what", "were"), False), (("number", "of"), True), (("count", "of"), True),
           (("total", "number", "of"), True), (("show", "me"), False), (("show",), False),
           (("list",), False), (("name",), False), (("find",), False), (("give", "me"), False),
           # "Which trust is Catholic?": one trust asked for, no superlative; the rest must
           # read whole as conditions, as a telegraphic query does
           (("which", "trust", "is"), False), (("which", "trust", "has"), False),
           (("which", "trust", "was"), False), (("which", "trust", "had"), False))


def _telegraphic(tokens: list[Token], vocab: Vocabulary, q: str, embed) -> Reading | None:
    """A query with no question frame ("Catholic trusts?", "regional trusts without any
    secondary schools", "trusts under 3 schools", "Which are the rural trusts?") is about the
    set when it reads whole as conditions on the trusts: it names the trusts, opens (past a
    frame that only asks for the set) on a condition or on the group word, and every other
    word is a condition's or a small word (none left unread, none a verb said and not read,
    no field no vignette has). Anything less is an ordinary question."""
    if not any(x.text in GROUP for x in tokens) or _about_sample(q, vocab.value_words):
        return None
    words = tuple(x.text for x in tokens)
    start, count = next(((len(f), c) for f, c in _FRAMES if words[:len(f)] == f), (0, False))
    first = next((k for k in range(start, len(tokens)) if words[k] not in _LEAD), None)
    if first is None or words[first] in _SENTENCE_OPENERS:
        return None
    reading = _scan(tokens[start:], vocab, q, embed)  # the frame is no condition
    if (reading is None or not any(reading.groups) or reading.unread or reading.ignored
            or reading.missing_fields or len(reading.covered) < len(tokens) - start
            or not reading.covered[first - start]
            or not all(c or sm for c, sm in zip(reading.covered, reading.small, strict=True))):
        return None
    reading.count = count
    return reading


# "Who has the most schools?", "Who's got the fewest pupils?": one trust asked for by "who"
_WHO_FRAMES = (("who", "is", "got"), ("who", "has", "got"), ("who", "have", "got"),
               ("who", "has"), ("who", "have"), ("who", "runs"), ("who", "run"),
               ("who", "is"), ("who", "was"))


def _who_superlative(tokens: list[Token], vocab: Vocabulary, q: str, embed) -> Reading | None:
    """"Who has the most schools?": a superlative after a "who" frame, read as a question
    about the trusts only when everything after the frame reads whole as conditions with a
    superlative among them ("Who is the most senior leader?", "Who has the most
    experience?" stay ordinary: "senior leader", "experience" are no field)."""
    words = tuple(x.text for x in tokens)
    start = next((len(f) for f in _WHO_FRAMES if words[:len(f)] == f), 0)
    if not start or _about_sample(q, vocab.value_words):
        return None
    reading = _scan(tokens[start:], vocab, q, embed)
    if (reading is None or not any(c.op in ("max", "min") for g in reading.groups for c in g)
            or reading.unread or reading.ignored or reading.missing_fields
            or reading.ambiguous or reading.changing
            or len(reading.covered) < len(tokens) - start
            or not all(c or sm for c, sm in zip(reading.covered, reading.small, strict=True))):
        return None
    return reading


_INITIAL_SMALL = {"of", "and", "&", "the", "for", "in"}  # kept as written in an initialism


class _Scanner:
    def __init__(self, tokens: list[Token], vocab: Vocabulary, question: str):
        self.t = tokens
        self.v = vocab
        self.q = question
        self.hints = {vocab.hint_words[x.text] for x in tokens if x.text in vocab.hint_words}
        self.hints |= {vocab.hint_words[_stem(x.text)] for x in tokens
                       if _stem(x.text) in vocab.hint_words}
        # fields named only by a verb of place ("operate"): they give way to a field the
        # question names by its own words ("operate with more local decision making")
        self.weak_hints = self.hints - {
            h for x in tokens if x.text not in _PLACE_VERBS
            for h in (vocab.hint_words.get(x.text), vocab.hint_words.get(_stem(x.text)))}
        self.used = [False] * len(tokens)
        self.groups: list[list[Condition]] = [[]]
        self.atoms: list[tuple[int, int, Condition]] = []  # token span of each condition
        self.missing: list[str] = []
        self.ignored: list[str] = []  # verbs that put a condition, not read
        self.resolved: set[int] = set()  # tokens of leftovers read (or folded) by similarity
        self.negated_at: set[int] = set()  # a leftover starting here follows a negation
        self.pending_or = False  # an "or" read, its second condition not yet
        self.ambiguous: list[str] = []  # parts read two ways (`Reading.ambiguous`)
        self.gaps: list[tuple[int, int]] = []  # words inside a superlative's span, not read
        self.skip: set[int] = set()  # tokens ahead already read ("by number of schools")
        self.embed = None  # MiniLM's embed, when the scan has it (`_recorded_by_similarity`)
        self.scale_read_at: dict[int, Condition] = {}  # a scale position read by similarity

    def words(self, i: int, j: int) -> list[str]:
        return [x.text for x in self.t[i:j]]

    def raw(self, i: int, j: int) -> str:
        return self.q[self.t[i].start:self.t[j - 1].end] if j > i else ""

    def add(self, i: int, j: int, cond: Condition, negate: bool) -> None:
        cond.negated = cond.negated ^ negate
        cond.words = self.raw(i, j)
        if self.pending_or:
            self.pending_or = False
            last = self.groups[-1][-1] if self.groups[-1] else None
            k = i - 1
            while k > 0 and self.t[k].text in ("a", "an", "any"):
                k -= 1
            bare_or = k >= 0 and self.t[k].text == "or"
            if (last is not None and last.negated and not negate and last.op not in ("max", "min")
                    and (bare_or or _one_family(replace_negated(last, False), cond))):
                # "no special or secondary schools", "not urban or rural", "no sixth form or
                # special school" (no verb of its own after "or"): neither
                cond.negated = True
                self.groups[-1].append(cond)
            elif last is not None and _one_family(last, cond):
                # "urban or rural trusts with a sixth form": either value of one field, and
                # the other conditions still apply to both
                self.groups[-1][-1] = _AnyOf([*getattr(last, "conds", [last]), cond])
                self.groups[-1][-1].words = f"{last.words} or {cond.words}"
            else:
                self.groups.append([cond])
        else:
            self.groups[-1].append(cond)
        self.atoms.append((i, j, cond))
        for k in range(i, j):
            self.used[k] = True

    # -- atoms: each returns (end, [conditions]) or None -------------------------------------

    def school_kind(self, i: int) -> tuple[int, str] | None:
        """A school type at i ("special schools", "UTCs", "university technical college",
        "all through school", "SS"), or "schools" for the total."""
        for n in (3, 2, 1):
            if i + n > len(self.t):
                continue
            words = self.words(i, i + n)
            phrase = " ".join(words)
            if len(words[0].rstrip("s")) <= 2 and not self.t[i].upper:
                continue  # "s", "p", "ss", "at" as abbreviations only as written in capitals
            kind = _type_of(phrase)
            if not kind and n == 1 and self.t[i].upper:
                # "SEND schools": the everyday initials of a school type the synopsis spells
                # out (special educational needs and disabilities: special schools)
                kind = _KIND_INITIALS.get(words[0].rstrip("s") if words[0] != "send"
                                          else words[0])
                kind = kind if kind in SCHOOL_TYPES else None
            if kind:
                end = i + n
                school = end < len(self.t) and self.t[end].text in ("school", "schools",
                                                                     "college", "colleges")
                if phrase in _PLAIN_WORD_TYPES and not school:
                    continue  # "a middle line", "high formal": words, not school types
                return end + school, kind
        if i < len(self.t) and self.t[i].text in ("school", "schools", "academies"):
            return i + 1, "total"
        return None

    def comparison(self, i: int) -> tuple[int, str] | None:
        text = " ".join(self.words(i, min(i + 3, len(self.t))))
        for phrase, op in _CMP:
            if text == phrase or text.startswith(phrase + " "):
                return i + len(phrase.split()), op
        return None

    def unit(self, i: int) -> tuple[int, str] | None:
        """What a number counts: a school kind or a numeric field named by its label words."""
        kind = self.school_kind(i)
        if kind:
            return kind
        if self.words(i, i + 2) in (["number", "of"], ["amount", "of"], ["count", "of"]):
            named = self.unit(i + 2)  # "the number of pupils" names pupils
            if named:
                return named
        for n in (3, 2, 1):
            words = self.words(i, min(i + n, len(self.t)))
            if words and words[0] in ("have", "has", "had", "with", "and", "or", "but"):
                break  # "one, have a sixth form": what is counted follows the number
            if len(words) == n and words[-1] not in STOP or n == 1 and words:
                col = self.v.column_named(words)
                if col:
                    return i + n, col.name
        return None

    def number_at(self, i: int) -> tuple[int, float] | None:
        if i < len(self.t):
            x = _number(self.t[i].text)
            if x is not None:
                return i + 1, x
            if self.t[i].text == "single" and i + 1 < len(self.t) and self.unit(i + 1):
                return i + 1, 1.0  # "a single secondary school": one
        return None

    def emphatic(self, i: int) -> int | None:
        """After a negation, words that only stress it before what is counted ("without a
        single secondary", "not one UTC", "not even one special school"): where the counted
        thing starts. Read as a count, "not one UTC" would be "not exactly one", which lists
        trusts with two."""
        for words in (["even", "a", "single"], ["even", "one"], ["a", "single"],
                      ["one", "single"], ["single"], ["one"]):
            k = i + len(words)
            said = [self.q[x.start:x.end].lower() for x in self.t[i:k]]
            if said == words and k < len(self.t) and self.school_kind(k):
                return k
        return None

    def range_at(self, i: int) -> tuple[int, float, float] | None:
        """Two numbers as the ends of a range at i: "between A and B", "from A to B",
        "A to B", "A-B" -> (end, low, high)."""
        t = self.t
        lead = t[i].text in ("between", "from")
        k = i + 1 if lead else i
        a = self.number_at(k)
        if not a:
            return None
        link = self.q[t[k].end:t[k + 1].start].strip() if k + 1 < len(t) else ""
        if link in ("-", "–", "—") and self.number_at(k + 1):
            b = self.number_at(k + 1)
        elif k + 1 < len(t) and (t[k + 1].text == "to" or lead and t[k + 1].text == "and"):
            b = self.number_at(k + 2)
        else:
            return None
        if not b:
            return None
        return b[0], min(a[1], b[1]), max(a[1], b[1])

    def approximate(self, i: int) -> tuple[int, list[Condition]] | None:
        """A number said roughly ("about 5 schools", "around 3,000 pupils", "nearly 10
        schools", "just over 2,000 pupils") or "multiple" ("multiple secondaries"): the range
        it is read as, said in the answer ("about 5" read as 4 to 6). The margin is a tenth of
        the number, at least 1."""
        t = self.t
        w = self.q[t[i].start:t[i].end].lower()
        if w == "multiple":
            u = self.unit(i + 1) if i + 1 < len(t) else None
            if u and (u[1] in _SCHOOL_KINDS or self.v.columns[u[1]].kind == "number"):
                c = Condition(u[1], ">=", 2.0, similar=self.raw(i, i + 1))
                return u[0], [c]
            return None
        k, side = i + 1, _APPROX_SIDES.get(w)
        if w == "just" and i + 1 < len(t):
            side = {"under": "below", "below": "below", "over": "above",
                    "above": "above"}.get(t[i + 1].text)
            k = i + 2
        if side is None or k >= len(t):
            return None
        num = self.number_at(k)
        if not num:
            return None
        end, x = num
        u = self.unit(end)
        field_ = u[1] if u else self._field_before(i)
        if not field_:
            return None
        d = max(1.0, round(0.1 * x))
        lo, hi = {"both": (x - d, x + d), "below": (x - d, x - 1),
                  "above": (x + 1, x + d)}[side]
        c = Condition(field_, "range", (max(lo, 0.0), hi), similar=self.raw(i, end))
        return (u[0] if u else end), [c]

    def numeric(self, i: int) -> tuple[int, list[Condition]] | None:
        t = self.t
        rough = self.approximate(i)
        if rough:
            return rough
        # a range: "between 5 and 8 schools", "from 3 to 5 schools", "3 to 5 schools",
        # "3-5 schools", "founded from 2013 to 2017" (both ends included)
        span = self.range_at(i)
        if span:
            end, lo, hi = span
            u = self.unit(end)
            field_ = u[1] if u else self._field_before(i)
            if field_:
                end = u[0] if u else end
                if end < len(t) and t[end].text in ("inclusive", "inclusively"):
                    end += 1  # "between 2 and 3 schools inclusive": both ends included
                return end, [Condition(field_, "range", (lo, hi))]
            return self._unknown_unit(i, end)
        cmp_ = self.comparison(i)
        j, op = cmp_ if cmp_ else (i, "=")
        if cmp_ and j + 1 < len(t) and t[j].text in ("a", "an") and self.number_at(j + 1):
            j += 1  # "at least a dozen schools"
        num = self.number_at(j)
        if not num:
            return None
        if not cmp_ and num[0] < len(t) and t[num[0]].text in _SUPER:
            return None  # "the three largest trusts": how many the superlative keeps
        j, x = num
        other = self.number_at(j + 1) if self.words(j, j + 1) == ["or"] else None
        if other and not cmp_:
            u = self.unit(other[0])
            if u:  # "5 or 6 schools": either number
                return u[0], [_AnyOf([Condition(u[1], "=", x), Condition(u[1], "=", other[1])])]
        if (not cmp_ and self.q[t[j - 1].start:t[j - 1].end].lower() == "one"
                and not self.unit(j) and not self._field_before(i, peek=True)):
            return None  # "the Catholic one, ...": a pronoun, not a count
        text = " ".join(self.words(j, j + 2))
        for phrase, o in _OR_MORE.items():
            if text == phrase:
                op, j = o, j + 2
        u = self.unit(j)
        if u and u[1] in _SCHOOL_KINDS and i > 0 and t[i - 1].text in ("in", "across", "at"):
            # "a sixth form in more than one school", "peer review across at least three
            # schools": how many of its schools have the thing before, which no vignette
            # records (read as the trust's schools, it dropped the sixth form: every trust)
            a = next((a for a, b, _ in reversed(self.atoms) if b <= i - 1), i - 1)
            self.missing.append(self.raw(a, u[0]))
            for m in range(i - 1, u[0]):
                self.used[m] = True
            return u[0], []
        if u and u[1] in _SCHOOL_KINDS and u[0] < len(t) and self._measure_noun(u[0]):
            # "more than 5 primary school pupils", "over 40 secondary teachers": a count of
            # something in those schools (the noun after the kind), which no vignette
            # records; read as the schools, it listed trusts by their primary schools
            self.missing.append(self.raw(j, u[0] + 1))
            for m in range(i, u[0] + 1):
                self.used[m] = True
            return u[0] + 1, []
        if u:
            end = u[0]
            # "4 schools or fewer", "2,500 pupils or more": the suffix after the unit
            after = " ".join(self.words(end, end + 2))
            if after in _OR_MORE and (not cmp_ or cmp_[1] == "="):
                op, end = _OR_MORE[after], end + 2
            elif (end < len(t) and t[end].text in ("exactly", "precisely")
                  and (not cmp_ or cmp_[1] == "=")):
                end += 1  # "five schools exactly"
            return end, [Condition(u[1], op, x)]
        back = self.words(j, j + 2)
        back_n = 2 if back[:1] == ["of"] and back[1:] in (["them"], ["those"], ["these"]) else (
            1 if back[:1] in (["them"], ["those"]) else 0)
        last = self.atoms[-1][2] if self.atoms else None
        # "at least one secondary and no more than two": a comparison ending the clause, its
        # unit the count just said (unless the next comparison names one)
        bare = cmp_ is not None and (j >= len(t) or t[j].text in ("and", "but", "or")
                                     and not self._next_unit(j))
        if (bare and last is not None and last.field in _SCHOOL_KINDS
                and any(not self.used[m] and self._measure_noun(m)
                        for m in range(self.atoms[-1][1], i))):
            # "secondary school pupils over 500": the noun after the kind is what is
            # counted, not the schools the comparison would otherwise point back to
            a = self.atoms[-1][0]
            self.missing.append(self.raw(a, i))
            for m in range(a, j):
                self.used[m] = True
            del self.atoms[-1]
            for g in self.groups:
                g[:] = [c for c in g if c is not last]
            return j, []
        if (back_n or bare) and last is not None and (last.field in _SCHOOL_KINDS or (
                self.v.columns.get(last.field) and self.v.columns[last.field].kind == "number")):
            # "secondary schools, but no more than two of them": the unit said before
            return j + back_n, [Condition(last.field, op, x)]
        before = self._field_before(i)
        if before:  # "founded before 2015", "founded in 2017 or later"
            return j, [Condition(before, op, x)]
        if j < len(t) and t[j].text in ("and", "but", "or"):
            # "more than 3 but fewer than 8 schools": the unit the next comparison names
            u2 = self._next_unit(j)
            if u2:
                return j, [Condition(u2[1], op, x)]
        if (self.q[t[j - 1].start:t[j - 1].end].lower() == "one"
                and (not cmp_ or cmp_[1] == "=")):
            return None  # "in one region": an article, not a count of something unrecorded
        if cmp_ and cmp_[1] != "=" or j < len(t) and t[j].text not in STOP:
            return self._unknown_unit(i, j)
        return None

    def _measure_noun(self, k: int) -> bool:
        """A plural noun at k after a school kind that is not the kind's own word, no value's
        word and no joining word: what is counted in those schools ("pupils", "teachers",
        "places")."""
        w = self.t[k].text
        return (w.endswith("s") and not w.endswith("ss") and len(w) > 3
                and w not in STOP and w not in GROUP and w not in self.v.value_words
                and self.school_kind(k) is None and _number(w) is None)

    def _next_unit(self, j: int) -> tuple[int, str] | None:
        """The unit of the comparison after the joining word at j, if it names one."""
        t = self.t
        c2 = self.comparison(j + 1)
        n2 = self.number_at(c2[0]) if c2 else None
        return self.unit(n2[0]) if n2 and n2[0] < len(t) else None

    def _field_before(self, i: int, peek: bool = False) -> str | None:
        """The numeric field named just before a comparison ("founded", "pupils of");
        `peek`: without marking its words read."""
        k = i
        while k > 0 and self.t[k - 1].text in ("of", "is", "was", "were", "with", "a", "an",
                                                "the"):
            k -= 1
        for n in (3, 2, 1):
            if k - n >= 0 and not any(self.used[k - n:k]):
                col = self.v.column_named(self.words(k - n, k))
                if col:
                    for m in range(k - n, k):
                        self.used[m] = self.used[m] or not peek
                    return col.name
        return None

    def _unknown_unit(self, i: int, j: int) -> tuple[int, list[Condition]]:
        """A number compared with something no vignette records ("a budget of more than
        £10 million"): the field is named as missing, and nothing matches."""
        k = i
        while k > 0 and self.t[k - 1].text in ("of", "is", "with", "a", "an", "the"):
            k -= 1
        start = k
        while start > 0 and not self.used[start - 1] and self.t[start - 1].text not in STOP:
            start -= 1
        name = self.raw(start, k) if start < k else self.raw(j, min(j + 1, len(self.t)))
        end = min(j + (0 if start < k else 1), len(self.t))
        self.missing.append(name or self.raw(i, j))
        for m in range(start, min(max(end, k), len(self.t))):
            self.used[m] = True
        return end, []

    def same_counts(self, i: int) -> tuple[int, list[Condition]] | None:
        """"the same number of primaries as secondaries", "as many primary schools as
        secondary ones", "equal numbers of primaries and secondaries": one count equal to
        another."""
        words = self.words(i, i + 4)
        if words[:3] in (["same", "number", "of"], ["equal", "number", "of"],
                         ["equal", "numbers", "of"]):
            k, link = i + 3, ("as", "and", "to")
        elif words[:2] == ["as", "many"]:
            k, link = i + 2, ("as",)
        else:
            return None
        a = self.unit(k) if k < len(self.t) else None
        if not a or a[0] >= len(self.t) or self.t[a[0]].text not in link:
            return None
        m = a[0] + 1
        while m < len(self.t) and self.t[m].text in ("the", "their", "its"):
            m += 1
        b = self.unit(m) if m < len(self.t) else None
        if not b or b[1] == a[1]:
            return None
        end = b[0] + (b[0] < len(self.t) and self.t[b[0]].text in ("ones", "one"))
        return end, [Condition(a[1], "vs=", b[1])]

    def between_fields(self, i: int) -> tuple[int, list[Condition]] | None:
        """"more primaries than secondaries", "fewer primary schools than secondary ones":
        one count against another."""
        same = self.same_counts(i)
        if same:
            return same
        op = {"more": ">", "fewer": "<", "less": "<"}.get(self.t[i].text)
        if not op or i + 1 >= len(self.t):
            return None
        a = self.unit(i + 1)
        if not a or a[0] >= len(self.t) or self.t[a[0]].text != "than":
            return None
        num = self.number_at(a[0] + 1)
        if num:  # "fewer pupils than 2,000", "more schools than 8": a comparison
            return num[0], [Condition(a[1], op, num[1])]
        k = a[0] + 1
        while k < len(self.t) and self.t[k].text in ("the", "their", "its"):
            k += 1
        b = self.unit(k) if k < len(self.t) else None
        if not b or b[1] == a[1]:
            return None
        end = b[0] + (b[0] < len(self.t) and self.t[b[0]].text in ("ones", "one"))
        return end, [Condition(a[1], "vs" + op, b[1])]

    def every_school(self, i: int) -> tuple[int, list[Condition]] | None:
        """"schools that are all primary", "every school a primary", "all their schools are
        secondaries": every school of that kind (had been read as "a primary school")."""
        t = self.t
        if t[i].text not in ("all", "every", "each"):
            return None
        j = i + 1
        while j < len(t) and t[j].text in ("of", "the", "their", "its", "one"):
            j += 1
        k = self.school_kind(j) if j < len(t) else None
        if k and k[1] == "total":
            m = k[0]
            while m < len(t) and t[m].text in ("is", "are", "being", "a", "an", "of"):
                m += 1
            k = self.school_kind(m) if m < len(t) else None
            if k and k[1] != "total":
                return k[0], [Condition(k[1], "only")]
            return None
        if t[i].text == "all" and k and k[1] != "total" and not (
                k[0] < len(t) and t[k[0]].text in ("and", "or", "&")):
            return k[0], [Condition(k[1], "only")]
        return None

    def school_type(self, i: int) -> tuple[int, list[Condition]] | None:
        w = self.t[i].text
        if w in ("cross-phase", "single-school"):  # the synopsis's words for a trust's make-up
            return i + 1, ([Condition("primary", ">=", 1), Condition("secondary", ">=", 1)]
                           if w == "cross-phase" else [Condition("total", "=", 1)])
        every = self.every_school(i)
        if every:
            return every
        j, only = i, False
        if self.t[j].text in ("only", "solely", "entirely", "exclusively", "purely", "just",
                              "wholly"):
            # "just secondaries", "wholly primary schools": every school of that kind
            only, j = True, j + 1
            if j < len(self.t) and self.t[j].text == "of":
                j += 1
        elif self.words(j, j + 2) in (["nothing", "but"], ["none", "but"]):
            only, j = True, j + 2
        while j < len(self.t) and self.t[j].text in ("a", "an", "any", "some"):
            j += 1
        if j >= len(self.t):
            return None
        k = self.school_kind(j)
        if not k or k[1] == "total":
            return None
        end = k[0]
        kinds = [k[1]]
        if only:
            # "only UTCs and studio schools", "nothing but primaries or specials": every
            # school is of one of these kinds ("and": each of them there)
            while end + 1 < len(self.t) and self.t[end].text in ("and", "or", "&"):
                m = end + 1
                while m < len(self.t) and self.t[m].text in ("a", "an", "some"):
                    m += 1
                more = self.school_kind(m) if m < len(self.t) else None
                if not more or more[1] == "total" or more[1] in kinds:
                    break
                joiner = self.t[end].text
                kinds.append(more[1])
                end = more[0]
        if len(kinds) > 1:
            kinds = [x for x in kinds if SUBTYPES.get(x) not in kinds]
            return end, [Condition(kinds[0], "only", ("all" if joiner != "or" else "any",
                                                      tuple(kinds)))]
        # "secondary schools and nothing else", "primary schools alone", "... only"
        for tail in (["and", "nothing", "else"], ["and", "no", "others"], ["and", "no", "other"],
                     ["alone"], ["only"], ["exclusively"], ["solely"]):
            if self.words(end, end + len(tail)) == tail:
                only, end = True, end + len(tail)
                if tail[-1] == "other" and end < len(self.t) and self.t[end].text in (
                        "school", "schools", "type", "types", "kind", "kinds"):
                    end += 1
                break
        if (not only and self.words(end, end + 3) in (["or", "anything", "else"],
                                                      ["or", "any", "others"])
                and any(c.op == "only" for _, _, c in self.atoms)):
            # "just secondaries, no primaries or anything else": it restates the "only"
            # already read; alone ("no primaries or anything else") it is not read
            self.skip.update(range(end, end + 3))
        return end, [Condition(k[1], "only" if only else ">=", None if only else 1)]

    def mention(self, i: int) -> tuple[int, list[Condition]] | None:
        """A numeric field named with no number ("a sixth form", "any sixth forms"): more
        than none."""
        if i == 0 or self.t[i - 1].text not in ("a", "an", "any", "some", "have", "has", "with",
                                                 "no"):
            return None
        if self.t[i].text in STOP or self.t[i].text in _SUPER:
            return None  # "has the most pupils" is a superlative, read at "most"
        for n in (3, 2, 1):
            if i + n > len(self.t) or self.t[i + n - 1].text in STOP:
                continue
            # a label's own words only: "have created a team" does not name the year founded
            col = self.v.column_named(self.words(i, i + n), synonyms=False)
            if col is None:
                continue
            k = i + n
            while k < len(self.t) and self.t[k].text in ("of", "is", "in", "was"):
                k += 1
            rough = k + 1 < len(self.t) and self.q[self.t[k].start:self.t[k].end].lower() in (
                *_APPROX_SIDES, "just") and (self.number_at(k + 1) or self.comparison(k + 1))
            if k < len(self.t) and (self.comparison(k) or self.number_at(k)
                                    or self.range_at(k) or rough):
                return None  # "founded before 2015": the comparison reads it
            return i + n, [Condition(col.name, ">", 0)]
        return None

    def atom(self, i: int) -> tuple[int, list[Condition]] | None:
        """Any condition at i, as the scan reads them."""
        return (self.mix(i) or self.between_fields(i) or self.numeric(i)
                or self.school_type(i) or self.superlative(i) or self.mention(i)
                or self.recorded(i) or self.scale(i) or self.initialism(i)
                or self.value_phrase(i))

    def peek(self, i: int) -> bool:
        """Whether a condition starts at i; nothing the reading keeps is changed."""
        kept = (list(self.used), len(self.missing), len(self.ignored), len(self.ambiguous),
                len(self.gaps))
        try:
            return self.atom(i) is not None
        finally:
            self.used = kept[0]
            del self.missing[kept[1]:], self.ignored[kept[2]:], self.ambiguous[kept[3]:]
            del self.gaps[kept[4]:]

    def verb_then_condition(self, i: int) -> int | None:
        """At most two words that name nothing (no value, no field, no operator), then a
        condition: where the condition starts ("lean" in "doesn't lean central")."""
        nonstop = 0
        for k in range(i, min(i + 4, len(self.t))):
            w = self.t[k].text
            if (w in ("and", "or", "but") or w in NEGATIONS or w in self.v.value_words
                    or _is_hint(self.v, w) or w in GROUP or _changes_meaning(self, k)
                    or w in _UNREAD_OPERATORS or _number(w) is not None or self.used[k]):
                return None
            nonstop += w not in STOP
            if nonstop > 2:
                return None
            if k + 1 < len(self.t) and nonstop and self.peek(k + 1):
                return k + 1
        return None

    def recorded(self, i: int) -> tuple[int, list[Condition]] | None:
        """A verb of recording, then a field named by its label's words ("trusts recording a
        religious character", "that state their pupil numbers", "which give a year founded"):
        the vignette records that field, whatever its value."""
        if self.t[i].text not in _RECORD_VERBS:
            return None
        j = i + 1
        while j < len(self.t) and self.t[j].text in ("a", "an", "any", "their", "its", "the"):
            j += 1
        for n in (3, 2, 1):
            if j + n > len(self.t):
                continue
            stems = {_stem(w) for w in self.words(j, j + n)} - STOP
            if not stems or self.t[j + n - 1].text in STOP:
                continue
            # "state their pupil numbers": the words for a number name no field
            stems = (stems - {_stem(w) for w in _COUNT_NOUNS}) or stems
            if any(w in self.v.value_words for w in self.words(j, j + n)):
                return None  # "list the urban trusts": a value, not a field's name
            cols = [c for c in self.v.columns.values()
                    if stems <= {_stem(w) for w in re.findall(r"[a-z]+", c.label.lower())}]
            if len(cols) == 1:
                return j + n, [Condition(cols[0].name, "recorded")]
        return self._recorded_by_similarity(j)

    def _recorded_by_similarity(self, j: int) -> tuple[int, list[Condition]] | None:
        """"trusts that record a faith", "that state a denomination": a field named by words
        its label lacks, read by MiniLM similarity with the fields' labels when one label is
        clearly nearest ("faith" -> Religious character); "record an Ofsted grade" is near
        none clearly, and stays a field no vignette has."""
        if self.embed is None:
            return None
        for n in (3, 2, 1):
            words = self.words(j, j + n)
            if len(words) < n or any(w in STOP or w in self.v.value_words for w in words):
                continue
            names, vectors = self.v.label_vectors(self.embed)
            if len(names) < 2:
                return None
            sims = vectors @ _unit(self.embed([" ".join(words)]))[0]
            order = np.argsort(-sims)
            best, second = float(sims[order[0]]), float(sims[order[1]])
            if best >= LABEL_MIN and best - second >= LABEL_MARGIN:
                return j + n, [Condition(names[int(order[0])], "recorded")]
            return None
        return None

    def superlative(self, i: int) -> tuple[int, list[Condition]] | None:
        found = self._superlative(i)
        if found and found[1] and i > 0 and not self.used[i - 1]:
            top = _number(self.t[i - 1].text)
            if top is not None and top >= 1 and float(top).is_integer():
                # "the three largest trusts", "the 2 smallest rural trusts": the top few
                self.used[i - 1] = True
                for c in found[1]:
                    if c.op in ("max", "min"):
                        c.value = int(top)
        return found

    def _superlative(self, i: int) -> tuple[int, list[Condition]] | None:
        word = self.t[i].text
        if word not in _SUPER:
            return None
        op = _SUPER[word]
        j = i + 1
        if word in ("most", "least") and j < len(self.t) and self.t[j].text == "of":
            # "most of their pupils in secondary schools", "most of its schools": a share,
            # never a superlative (read so, it listed the trust with the most pupils)
            return None
        u = self.unit(j) if j < len(self.t) else None
        if word in _SIZE:
            k = j + (j < len(self.t) and self.t[j].text in GROUP)
            if k < len(self.t) and self.t[k].text == "by":
                # "the biggest trust by number of schools", "the largest by pupils": the size
                # the question measures it by
                k += 1 + (k + 1 < len(self.t) and self.t[k + 1].text == "the")
                by = self.unit(k) if k < len(self.t) else None
                if by:
                    return by[0], [Condition(by[1], op)]
            for k in range(j + 1, min(j + 4, len(self.t) - 1)):
                # "the smallest rural trust by number of schools": the measure said after the
                # conditions between (no small word among them but the group word)
                if self.t[k].text != "by":
                    continue
                if any(x.text in STOP and x.text not in GROUP or x.text in _SUPER or _number(x.text) is not None
                       for x in self.t[j:k]) or not any(x.text in GROUP for x in self.t[j:k]):
                    break
                m = k + 1 + (self.t[k + 1].text == "the")
                by = self.unit(m) if m < len(self.t) else None
                if by:
                    self.skip.update(range(k, by[0]))
                    return j, [Condition(by[1], op)]
                break
            kind = self.school_kind(j) if j < len(self.t) else None
            if kind and self.t[j].text not in ("number", "amount", "count"):
                # "the largest schools", "the smallest primary schools": the size of the
                # schools, which no vignette records (not the trusts with the most schools)
                self.missing.append(f"the size of {self.raw(j, kind[0])}")
                return kind[0], []
            # "the smallest number of pupils" names pupils; alone, the number of schools
            if u and (self.t[j].text in ("number", "amount", "count")
                      or self.v.columns.get(u[1]) is not None):
                return u[0], [Condition(u[1], op)]
            return j, [Condition("total", op)]
        if word in ("most", "least") and j < len(self.t) and self.t[j].text in _RECENT:
            return self.in_time(i, j + 1, "max" if word == "most" else "min")
        if word in _IN_TIME and not u:
            return self.in_time(i, j, op)
        if j >= len(self.t):
            return None
        if u:
            return u[0], [Condition(u[1], op)]
        w = self.t[j].text
        for n, (lo, hi) in SCALES.items():
            if n in self.v.columns and _pole_word(w) in (lo, hi):
                flip = _pole_word(w) == lo
                end = j + 1 + (j + 1 < len(self.t) and self.t[j + 1].text in _SCALE_NOUNS)
                return end, [Condition(n, {"max": "min", "min": "max"}[op] if flip else op)]
        if word in ("most", "least"):
            # "the most rigorous, formal evaluation": a pole one or two words on, past words
            # that are no value and name no field; those words are read by similarity as
            # lying towards that pole, or said as not read (`_resolve`)
            for k in range(j + 1, min(j + 4, len(self.t))):
                between = self.t[j:k]
                if any((x.text in STOP and (x.text != "and" or m == 0))
                       or x.text in self.v.value_words or _is_hint(self.v, x.text)
                       or _number(x.text) is not None for m, x in enumerate(between)):
                    break
                if sum(x.text != "and" for x in between) > 2:
                    break
                pole = _pole_word(self.t[k].text)
                for n, (lo, hi) in SCALES.items():
                    if n in self.v.columns and pole in (lo, hi):
                        end = k + 1 + (k + 1 < len(self.t) and self.t[k + 1].text in _SCALE_NOUNS)
                        self.gaps.append((j, k))
                        return end, [Condition(n, {"max": "min", "min": "max"}[op]
                                               if pole == lo else op)]
        if word in ("most", "least", "tightest", "strictest", "loosest"):
            return None  # "most" on its own: not a superlative we can read
        # "the highest Ofsted rating": a field no vignette records
        k = j
        while k < len(self.t) and self.t[k].text not in STOP:
            k += 1
        if k > j:
            self.missing.append(self.raw(j, k))
            return k, []
        return None

    def in_time(self, i: int, end: int, op: str) -> tuple[int, list[Condition]] | None:
        """A superlative in time ("founded earliest", "the oldest trust", "most recently"):
        over the numeric field whose values are years, the one named just before it when
        it is named ("founded earliest"); none such, the field is named as missing."""
        before = self._field_before(i)
        years = [c.name for c in self.v.columns.values() if c.kind == "number"
                 and all(1800 <= (self.v.number(t, c.name) or 0) <= 2100
                         for t in self.v.trusts if t.fields.get(c.name))]
        if before in years:
            return end, [Condition(before, op)]
        if len(years) == 1:
            return end, [Condition(years[0], op)]
        named = [n for n in years if n in self.hints]
        if len(named) == 1:
            return end, [Condition(named[0], op)]
        if not years:
            self.missing.append(self.raw(i, end))
            return end, []
        return None

    def scale(self, i: int) -> tuple[int, list[Condition]] | None:
        """"more central", "very formal", "locally", "centrally", "balanced": a position on a
        scale, unless a word of the question points at another field whose values have the
        word ("set priorities centrally", "central scheme of delegation")."""
        between = self.poles_named(i + 1) if self.t[i].text == "between" else None
        if between:  # "between local and central": the scale's middle
            return between[0], [Condition(between[1], "pos", {3})]
        j, mod = i, ""
        if self.t[j].text in _MODIFIERS and j + 1 < len(self.t):
            mod, j = self.t[j].text, j + 1
        less = self.t[j].text == "less" and j + 1 < len(self.t)
        j += less
        w = self.t[j].text
        if w in _MIDDLE:
            return self.middle(j)
        base = _pole_word(w)
        opposite = _opposite_pole(w, self.v)
        if less and not opposite:  # "less formally": towards the other pole
            opposite = next(((n, lo if base == hi else hi) for n, (lo, hi) in SCALES.items()
                             if n in self.v.columns and base in (lo, hi)), None)
        elif less:
            return None
        if opposite:  # "decentralised": the other end of the scale
            n, pole = opposite
            lo, hi = SCALES[n]
            pos = ({1} if pole == lo else {5}) if mod in _STRONG else (
                {1, 2} if pole == lo else {4, 5})
            end = j + 1 + (j + 1 < len(self.t) and self.t[j + 1].text in _SCALE_NOUNS)
            return end, [Condition(n, "pos", pos)]
        for n, (lo, hi) in SCALES.items():
            if n not in self.v.columns or base not in (lo, hi):
                continue
            other = [h for h in self.hints if h != n and self.v.columns.get(h)
                     and not (n in self.hints and h in self.weak_hints)
                     and self.v.columns[h].kind == "text"
                     and any(_contains(v, base) for (_, f), v in self.v.values.items() if f == h)]
            if other:
                return None  # read as words in that field's values
            whole = [f for (_, f), v in self.v.values.items() if v == base and f != n]
            names_trust = j + 1 < len(self.t) and self.t[j + 1].text in GROUP
            if whole and not mod and base == w and (n not in self.hints or names_trust):
                # "local" is also a whole value (distribution): read as that, and always when
                # it describes the trusts ("local trusts that leave decisions to schools")
                return None
            if mod in _STRONG:
                pos = {1} if base == lo else {5}
            else:
                pos = {1, 2} if base == lo else {4, 5}
            end = j + 1 + (j + 1 < len(self.t) and self.t[j + 1].text in _SCALE_NOUNS)
            return end, [Condition(n, "pos", pos)]
        return None

    def poles_named(self, k: int) -> tuple[int, str] | None:
        """Both poles of one scale at k ("local and central", "formal or informal") ->
        (end, scale)."""
        if k + 2 >= len(self.t) or self.t[k + 1].text not in ("and", "or"):
            return None
        a, b = _pole_word(self.t[k].text), _pole_word(self.t[k + 2].text)
        for n, poles in SCALES.items():
            if n in self.v.columns and a != b and {a, b} == set(poles):
                return k + 3, n
        return None

    def middle(self, j: int) -> tuple[int, list[Condition]]:
        """A scale's middle ("balanced", "a middle position"), with the restatement of its
        poles after it read with it ("balanced between local and central"). The scale is the
        one whose poles follow, or the one the question names, or the one whose values have
        a middle."""
        end, scale = j + 1, None
        for k in range(j + 1, min(j + 5, len(self.t))):
            found = self.poles_named(k)
            if found:
                if all(x.text in ("between", "of") or x.text not in self.v.value_words
                       and x.text not in self.v.hint_words for x in self.t[j + 1:k]):
                    end, scale = found
                break
        if scale is None:
            have = [n for n in SCALES if n in self.v.columns]
            scale = next((n for n in have if n in self.hints), None) or next(
                (n for n in have if any(t.scales.get(n) == 3 for t in self.v.trusts)),
                "decision_making")
        return end, [Condition(scale, "pos", {3})]

    def mix(self, i: int) -> tuple[int, list[Condition]] | None:
        """"a mix of town and country (areas)", "both urban and rural": the value that is
        written "mixed ..." in a field whose other values are the two places."""
        if self.t[i].text not in _MIX_WORDS:
            return None
        j = i + 1 + (self.words(i + 1, i + 2) == ["of"])
        words = self.words(j, j + 3)
        if len(words) < 3 or words[1] not in ("and", "or", "&"):
            return None
        a, b = _PLACE_WORDS.get(words[0]), _PLACE_WORDS.get(words[2])
        if not a or not b or a == b:
            return None
        fields = sorted({n for (_, n), v in self.v.values.items()
                         if any(p.startswith("mixed") for p in v.split("; "))
                         and any(p in (a, b) for (_, m), w in self.v.values.items() if m == n
                                 for p in w.split("; "))})
        if not fields:
            return None
        end = j + 3
        if end < len(self.t) and self.t[end].text in ("area", "areas", "settings", "setting",
                                                       "locations", "places", "communities"):
            end += 1
        said = self.raw(i, end)
        return end, [_any_of([Condition(f, "is", "mixed", similar=said) for f in fields])]

    def initialism(self, i: int) -> tuple[int, list[Condition]] | None:
        """Capital letters standing for a value's words ("C of E" for "Church of England"):
        the small words kept as written, each other word its first letter. Only a value
        whose initials are exactly these is read."""
        k, key = i, []
        while k < len(self.t):
            raw = self.q[self.t[k].start:self.t[k].end]
            if len(raw) == 1 and raw.isupper():
                key.append(raw.lower())
            elif raw in _INITIAL_SMALL and key and key[-1] not in _INITIAL_SMALL:
                key.append(raw)
            else:
                break
            k += 1
        while key and key[-1] in _INITIAL_SMALL:
            key.pop()
            k -= 1
        if not key and i < len(self.t):
            # one word of capitals ("LGBs", "SLT"): the initials of a run of words inside a
            # value ("central board with local governing bodies"), read as that run when
            # exactly one run of the values has them
            raw = self.q[self.t[i].start:self.t[i].end]
            letters = raw[:-1] if raw.endswith("s") and raw[:-1].isupper() else raw
            if 2 <= len(letters) <= 5 and letters.isupper() and letters.isalpha():
                return self._initials_inside(i, letters.lower())
        if sum(x not in _INITIAL_SMALL for x in key) < 2:
            return None
        found = set()
        for (_, f), v in self.v.values.items():
            if self.v.columns.get(f) is None or self.v.columns[f].kind != "text":
                continue
            for part in v.split("; "):
                words = re.findall(r"[a-z]+", part)
                if [w if w in _INITIAL_SMALL else w[0] for w in words] == key:
                    found.add((f, part))
        if len(found) != 1:
            return None
        f, part = found.pop()
        return k, [Condition(f, "is", part)]

    def _initials_inside(self, i: int, letters: str) -> tuple[int, list[Condition]] | None:
        found: set[tuple[str, str]] = set()
        for (_, f), v in self.v.values.items():
            if self.v.columns.get(f) is None or self.v.columns[f].kind != "text":
                continue
            words = re.findall(r"[a-z]+", v)
            for a in range(len(words) - len(letters) + 1):
                run = words[a:a + len(letters)]
                if "".join(w[0] for w in run) == letters and not any(w in STOP for w in run):
                    found.add((f, " ".join(run)))
        phrases = {p for _, p in found}
        if len(phrases) != 1:
            return None
        phrase = phrases.pop()
        conds = [Condition(f, "has", phrase, words=self.raw(i, i + 1))
                 for f in sorted({f for f, _ in found})]
        return i + 1, [_any_of(conds)]

    def value_phrase(self, i: int) -> tuple[int, list[Condition]] | None:
        """The longest run of words some vignette's value contains ("peer review", "hub
        councils"); a one-word whole value ("rural") is matched as the whole value."""
        values = self.v.values
        for length in range(min(6, len(self.t) - i), 0, -1):
            words = self.words(i, i + length)
            if words[-1] in STOP or words[0] in STOP or words[0] in self.v.hint_words:
                continue
            if _changes_meaning(self, i):
                return None  # "hardly" is not the "hard" of "hard federation"

            if any(self.used[i:i + length]):
                continue
            # a run that ends on a word naming a field ("trust-wide priorities") is a value
            # of that field and its name: the words before it, in that field's values
            # ("trust-wide review", "trust-wide plan set centrally" alike)
            named = self.v.hint_words.get(words[-1]) or self.v.hint_words.get(_stem(words[-1]))
            if length > 1 and named and words[-2] not in STOP:
                shorter = " ".join(words[:-1])
                if any(_contains(v, shorter) for (_, n), v in values.items() if n == named):
                    return i + length, [Condition(named, "has", shorter)]
            # one word stands for its variants too: "centrally" finds "set centrally" and
            # "central team" alike
            conds: list[Condition] = []
            # and a noun stands for the adjective a value is written as ("a whole region":
            # regional, "across the nation": national)
            adjective = [words[0] + "al"] if (length == 1 and len(words[0]) >= 5 and words[0]
                                              + "al" in self.v.value_words) else []
            for phrase in dict.fromkeys([" ".join(words)] + (
                    [v for v in _variants(words[0])] + adjective if length == 1 else [])):
                where = self.v.fields_containing(phrase)
                if not where:
                    continue
                exact = {n for (_, n), v in values.items()
                         if length == 1 and any(p == phrase for p in v.split("; "))}
                # a one-word category ("rural", "mixed") is a value's leading word: "mixed
                # urban and rural" is mixed, and is not rural
                # and a word that describes the trusts ("local trusts") is the field it is a
                # whole value of, whatever else the question names
                names_trust = i + length < len(self.t) and self.t[i + length].text in GROUP
                fields = sorted(exact if names_trust and exact
                                else where & self.hints or exact or where)
                conds += [Condition(f, "is" if f in exact else "has", phrase) for f in fields]
            if any(c.field in self.hints for c in conds):
                # a variant found in the field the question names ("governed centrally":
                # governance's "central board"): the others are other fields' words
                conds = [c for c in conds if c.field in self.hints]
            if (conds and length == 1 and all(c.op == "has" for c in conds)
                    and not any(c.field in self.hints for c in conds)
                    and self.school_kind(i + 1)):
                # one word found inside a longer value, said just before a kind of school
                # ("a single secondary"): it qualifies the schools, it is not that value's
                # word; left for similarity, or said as not read
                return None
            if conds:
                return i + length, [_any_of(conds)]
        return None


def _one_family(a: Condition, b: Condition) -> bool:
    """Two conditions an "or" joins into one: values of the same text field, or two school
    kinds present ("a UTC or a studio school"); neither negated nor a superlative."""
    subs = [*getattr(a, "conds", [a]), b]
    if any(c.negated or c.op in ("max", "min") for c in [a, *subs]):
        return False
    if all(c.field in _SCHOOL_KINDS and c.op == ">=" and c.value == 1 for c in subs):
        return True
    return len({c.field for c in subs}) == 1 and all(c.op in ("is", "has") for c in subs)


class _AnyOf(Condition):
    """A phrase found in several fields' values: any of them."""

    def __init__(self, conds: list[Condition]):
        super().__init__(conds[0].field, "any", conds[0].value)
        self.conds = conds

    def _holds(self, t, vocab) -> bool:
        return any(c._holds(t, vocab) for c in self.conds)

    def known(self, t, vocab) -> bool:
        return any(c.known(t, vocab) for c in self.conds)

    def said(self, vocab) -> str:
        inner = " or ".join(replace_negated(c, False).said(vocab) for c in self.conds)
        return f"not ({inner})" if self.negated else inner


class _OtherThan(Condition):
    """Any trust but the one named ("as many schools as Riverbend": the others)."""

    def __init__(self, trust):
        super().__init__("name", "other", trust.name)

    def _holds(self, t, vocab) -> bool:
        return t.name != self.value

    def known(self, t, vocab) -> bool:
        return True

    def said(self, vocab) -> str:
        return "other than " + re.sub(r"\s*[(][^)]*[)]\s*$", "", self.value)


# Group words that are also a kind of trust ("federation", "partnership").
_KIND_GROUPS = {"federation", "federations", "partnership", "partnerships"}


class _KindOf(Condition):
    """A trust of a kind its name or its vignette's values give ("a federation")."""

    def __init__(self, kind: str):
        super().__init__("governance", "kind", kind)

    def _holds(self, t, vocab) -> bool:
        return (self.value in _word_list(t.name.lower(), True)
                or any(_contains(v, self.value) for v in t.fields.values()))

    def known(self, t, vocab) -> bool:
        return True

    def said(self, vocab) -> str:
        return (f"{'not ' if self.negated else ''}called a {self.value} (by name or in "
                f"the vignette's key dimensions)")


def replace_negated(c: Condition, negated: bool) -> Condition:
    return replace(c, negated=negated)


def _any_of(conds: list[Condition]) -> Condition:
    return conds[0] if len(conds) == 1 else _AnyOf(conds)


# The middle of a scale, in the words ingest reads as position 3 (ingest/vignettes.py).
_MIDDLE = {"balanced", "balance", "middle", "midway", "mid-point", "midpoint"}


def _pole_word(w: str) -> str:
    """The adjective a scale's pole is written as, for a word derived from it or it from:
    "centrally", "centralised", "centralisation" -> central; "centre", "center" -> central
    (the noun: -re/-er beside -ral)."""
    base = re.sub(r"(ly|isation|ization|ised|ized|ise|ize)$", "", w) if len(w) > 5 else w
    if base == w and re.fullmatch(r"[a-z]{3,}(?:re|er)", w):
        noun = w[:-2] + "ral"
        if any(noun in poles for poles in SCALES.values()):
            return noun
    return base


_UNDOING = ("de", "un", "dis", "non")


def _opposite_pole(w: str, vocab: Vocabulary) -> tuple[str, str] | None:
    """A pole word with a prefix that undoes it ("decentralised", "unsettled"), on a scale
    with two poles: (scale, the other pole). A word that is itself a pole ("informal") is
    not undone."""
    if any(_pole_word(w) in poles for poles in SCALES.values()):
        return None
    for prefix in _UNDOING:
        rest = w[len(prefix):].lstrip("-")
        if w.startswith(prefix) and len(rest) > 3:
            base = _pole_word(rest)
            for n, (lo, hi) in SCALES.items():
                if n in vocab.columns and base in (lo, hi):
                    return n, hi if base == lo else lo
    return None


def _variants(word: str) -> list[str]:
    """"informally" -> "informal", "councils" -> "council", "centralised" -> "central"."""
    out = []
    for suffix in ("ly", "ised", "ized", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) > 2:
            out.append(word[: -len(suffix)])
    return out


# Verbs that say a vignette records a field ("trusts that state a religious character").
_RECORD_VERBS = {"record", "records", "recording", "recorded", "state", "states", "stating",
                 "stated", "report", "reports", "reporting", "reported", "specify", "specifies",
                 "specifying", "specified", "declare", "declares", "declaring", "declared"}
_INTRODUCE = {"with", "that", "which", "having", "who", "whose", "have", "has", "and"}


def read_question(question: str, vocab: Vocabulary, embed=None) -> Reading | None:
    """None when the question is not about the trusts as a group."""
    q = " ".join((question or "").split())
    # "What's the biggest trust?": the question word and its verb, as the cues read them
    q = re.sub(r"\b(what|which|who)['’]s\b", r"\1 is", q, flags=re.I)
    # "trusts w/ a sixth form": the written abbreviation of "with"
    q = re.sub(r"\bw/(?=\s|$)", "with", q, flags=re.I)
    q = _symbols_as_words(q)
    # "... which ones are there in the group?", "... are in our set?": the trusts asked
    # about, said again at the end; no condition
    q = re.sub(r"\s+(?:in|of|within|from) (?:the|our|this|my) (?:group|set|list|collection)"
               r"(?=\s*[?.!]*\s*$)", "", q, flags=re.I)
    q, left_out = _trusts_left_out(q, vocab)
    q, named = _named_trusts_compared(q, vocab)
    reading = _majority_of_a_kind(q, vocab, embed)
    if reading is None:
        reading = _read_with_preface(q, vocab, embed)
    if left_out and reading is not None and any(reading.groups):
        for g in reading.groups:
            g.extend(_OtherThan(t) for t in left_out)
    if reading is not None and ({"most", "mostly"} & {w.lower() for w in
                                                     reading.changing + reading.unread}):
        reading = _most_as_a_quantity(q, reading, vocab, embed)
    if named and reading is not None:
        _value_of_named_trust(reading, named, vocab)
    if (reading is not None and (reading.missing_fields or reading.unread) and not named
            and not left_out):
        reading = _respelled(question, reading, vocab, embed)
    return reading


_MAJORITY = re.compile(
    r"(?:\b(?:where|in which|whose)\s+)?(?:\b(?:are|have|has|is|with)\s+)?\b(?:(?:(?:most|the majority|more than half|over half)"
    r"\s+of\s+(?:the|their|its|whose)|(?<!the )most)\s+schools(?:\s+(?:are|is|were|being))?"
    r"|(?:the|their|its|whose)\s+schools\s+(?:(?:that|which)\s+)?(?:are|were)\s+"
    r"(?:mostly|mainly|largely|predominantly))\s+([a-z][\w-]*(?:\s+schools?)?)"
    r"(?=\s*(?:$|[?.!,;:]|(?:and|or|but|are|is|have|has|were|say|said|report|think|"
    r"describe|tell|mention|do)\b))",
    re.I)


def _majority_of_a_kind(q: str, vocab: Vocabulary, embed) -> Reading | None:
    """"In which trusts are most of the schools primaries?", "trusts where the majority of
    their schools are secondary", "whose schools are mostly special schools": more than half
    of a trust's schools of that kind (the reading a leader expects of "most", said in the
    answer). The phrase is read as "with <kind>" and that condition made the majority; None
    when it names no kind of school (the question is read as before)."""
    m = _MAJORITY.search(q)
    if not m:
        return None
    kind = m.group(1)
    reading = _read_with_preface(q[:m.start()] + f"with {kind}" + q[m.end():], vocab, embed)
    if reading is None:
        return None
    hits = [(g, k) for g in reading.groups for k, c in enumerate(g)
            if c.field in SCHOOL_TYPES and c.op == ">=" and c.value == 1
            and c.words.lower() == kind.lower()]
    if len(hits) != 1:
        return None
    g, k = hits[0]
    g[k] = replace(g[k], op="most", words=m.group(0).strip())
    return reading


def _one_slip(word: str, known: set[str]) -> str | None:
    """The one known word `word` is a slip of the keys from: a letter typed twice or once
    too often ("schoools", "pupills"), one left out ("primries"), or two neighbours swapped
    ("scholos"); None when no known word or more than one is."""
    near = {word[:k] + word[k + 1:] for k in range(len(word))}
    near |= {word[:k] + word[k + 1] + word[k] + word[k + 2:] for k in range(len(word) - 1)}
    near |= {word[:k] + c + word[k:] for k in range(len(word) + 1)
             for c in "abcdefghijklmnopqrstuvwxyz"}
    found = {w for w in near & known if len(w) >= 5}
    return found.pop() if len(found) == 1 else None


def _respelled(question: str, reading: Reading, vocab: Vocabulary, embed) -> Reading:
    """"Which trust has the fewest schoools?", "trusts with more than 500 pupills": a word of
    six letters or more that no vignette records, one slip of the keys from a word the
    vignettes or the questions' own words use (a value's, a field's, a kind of school, the
    group word), is read as that word when the question then reads whole, and the answer
    says so; otherwise the first reading stands (the word is named as not recorded)."""
    known = set(vocab.value_words) | set(GROUP) | {"school", "schools", "pupils", "pupil"}
    known |= {w for c in vocab.columns.values() for w in re.findall(r"[a-z]+", c.label.lower())}
    known |= {w for t in SCHOOL_TYPES for w in re.findall(r"[a-z]+", t.lower())}
    known |= {w + "s" for w in list(known)} | {"primaries", "secondaries"}
    stems = {_stem(w) for w in known}
    swaps = []
    for m in re.finditer(r"[A-Za-z]{6,}", question):
        w = m.group(0).lower()
        if w in known or _stem(w) in stems or w in STOP:
            continue
        to = _one_slip(w, known)
        if to is not None:
            swaps.append((m.start(), m.end(), m.group(0), to))
    if not swaps:
        return reading
    q = question
    for a, b, _, to in reversed(swaps):
        q = q[:a] + to + q[b:]
    again = read_question(q, vocab, embed)
    if (again is None or not any(again.groups) or again.missing_fields or again.unread
            or again.changing or again.ambiguous or again.about_field):
        return reading
    again.respelled = [(w, to) for _, _, w, to in swaps]
    return again


_MOST_OF = re.compile(r"\b(most(?:\s+of\s+(?:their|the|its|our))?|mostly)\s+(?=([a-z]+)\b)", re.I)


def _most_as_a_quantity(q: str, reading: Reading, vocab: Vocabulary, embed) -> Reading:
    """"Which trusts leave most decisions to their schools?", "trusts that take most of their
    decisions centrally", "which trusts mostly decide locally?": "most" before a plural noun
    (or "mostly" before a verb) asking about trusts in the plural is a quantity, not a
    superlative; the trusts whose scale leans that way. Read so only when, without it, the
    question reads whole and puts a scale whose label has that noun, or whose phrase read by
    similarity has it ("decisions": local/central decision making); otherwise the reading
    with "most" said as not read stands."""
    words = [x.text for x in tokenize(q)]
    if not any(w in PLURAL_GROUP for w in words) or any(w in GROUP - PLURAL_GROUP
                                                        for w in words):
        return reading
    for m in _MOST_OF.finditer(q):
        noun = m.group(2).lower()
        if m.group(1).lower() != "mostly" and not (noun.endswith("s") and noun not in STOP):
            continue
        said = (q[:m.start()] + q[m.end():]).strip()
        again = _read_with_preface(said, vocab, embed)
        if (again is None or not any(again.groups) or again.unread or again.changing
                or again.missing_fields or again.ambiguous or again.about_field):
            continue
        stem = _stem(noun)
        scales = [c for g in again.groups for c in g if c.field in SCALES
                  and c.op == "pos" and not c.negated]
        if m.group(1).lower() == "mostly" or any(
                stem in vocab.columns[c.field].words
                or stem in {_stem(w) for w in re.findall(r"[a-z]+", (c.words or "").lower())}
                for c in scales if c.field in vocab.columns):
            if scales:
                again.ignored.insert(0, m.group(1))
                return again
    return reading


# A trust named after a comparison ("more schools than Larkspur", "founded before the
# Heathermoor trust"): the name, up to its own words and an optional group word after it.
_NAMED_AFTER = r"\b(than|before|after|as)\s+(?:the\s+)?"
_SENTINEL = 987650  # a number no vignette records, put for a named trust while reading


def _trust_name_prefixes(vocab: Vocabulary) -> list[tuple[Any, list[str]]]:
    """Per trust, the ways a question may say its name, as regexes, longest first: the whole
    title, or its first words (the first word one no other trust's title starts with)."""
    cached = getattr(vocab, "_name_prefixes", None)
    if cached is not None:
        return cached
    out = []
    titles = [(t, re.sub(r"\s*\([^)]*\)\s*$", "", t.name).split()) for t in vocab.trusts]
    for t, words in titles:
        if not words or sum(w[0].lower() == words[0].lower()
                            for _, w in titles if w) > 1 or words[0].lower() in STOP:
            continue
        out.append((t, [r"\s+".join(re.escape(w) for w in words[:n])
                        for n in range(len(words), 0, -1)]))
    vocab._name_prefixes = out
    return out


def _trust_name_patterns(vocab: Vocabulary) -> list[tuple[re.Pattern, Any]]:
    """Per trust, its name after "than", "before", "after" or "as", with an optional group
    word."""
    cached = getattr(vocab, "_name_patterns", None)
    if cached is not None:
        return cached
    out = [(re.compile(_NAMED_AFTER + rf"({said})(?:\s+(?:{'|'.join(GROUP)}))?"
                       r"(?:['’]s)?\b", re.I), t)
           for t, prefixes in _trust_name_prefixes(vocab) for said in prefixes]
    vocab._name_patterns = out
    return out


_LEAVING_OUT = (r"(?:other than|apart from|aside from|except for|except|excluding|besides|"
                r"but not|leaving out|not counting)")


def _trusts_left_out(q: str, vocab: Vocabulary) -> tuple[str, list]:
    """"Which rural trusts, except Heathermoor, have a special school?", "Apart from Corvid,
    which trusts are urban?": a trust named after a word of exclusion is left out of the
    list; the words are taken out of the question (read, the exclusion would negate the next
    condition: "except Heathermoor, have a special school" listed the rural trusts without
    one)."""
    left: list = []
    for t, prefixes in _trust_name_prefixes(vocab):
        for said in prefixes:
            m = re.search(rf"(,\s*)?\b{_LEAVING_OUT}\s+(?:the\s+)?{said}"
                          rf"(?:\s+(?:{'|'.join(GROUP)}))?\b(?:['’]s)?(\s*,)?", q, re.I)
            if m:
                joiner = " " if m.start() > 0 and not (m.group(1) and m.group(2)) else ""
                q = (q[:m.start()] + joiner + q[m.end():]).strip()
                q = re.sub(r"\s+([?.!,])", r"\1", q)
                q = q[:1].upper() + q[1:]
                left.append(t)
                break
    return q, left


def _named_trusts_compared(q: str, vocab: Vocabulary) -> tuple[str, list]:
    """"Which trusts have more schools than Larkspur?": each trust named after "than",
    "before" or "after" is put as a number no vignette has, so that the question reads as
    a comparison with a number; `_value_of_named_trust` then puts that trust's own value for
    the field the comparison names."""
    named: list[tuple[int, Any, str]] = []
    for pattern, t in _trust_name_patterns(vocab):
        m = pattern.search(q)
        if m is None:
            continue
        mark = _SENTINEL + len(named)
        start, put = m.start(), f"{m.group(1)} {mark}"
        if m.group(1).lower() == "as":
            # "as many schools as Riverbend", "the same number of primaries as Corvid": the
            # same count (the named trust itself not listed); "such as X" is no comparison
            same = re.search(r"\b(?:as many|the same number of|an equal number of|"
                             r"the same amount of)\s+((?:[a-z][\w-]*\s+){0,2}?[a-z][\w-]*)\s+$",
                             q[:start], re.I)
            if same is None:
                continue
            start, put = same.start(), f"exactly {mark} {same.group(1)}"
        else:
            age = re.search(r"\b(older|younger|newer)\s+$", q[:start], re.I)
            if age and m.group(1).lower() == "than":
                # "older than Heathermoor": founded before it, as "the oldest trust" is
                start = age.start()
                put = (f"founded before {mark}" if age.group(1).lower() == "older"
                       else f"founded after {mark}")
        named.append((mark, t, m.group(0)))
        size = re.search(r"\b(bigger|larger|greater|smaller)\s+$", q[:start], re.I)
        if size and m.group(1).lower() == "than":
            # "bigger than Larkspur": in schools, as "the largest trust" is
            start = size.start()
            put = (f"with fewer schools than {mark}" if size.group(1).lower() == "smaller"
                   else f"with more schools than {mark}")
        q = q[:start] + put + q[m.end():]
    return q, named


def _value_of_named_trust(reading: Reading, named: list, vocab: Vocabulary) -> None:
    """The named trust's value for the field of the comparison read with its mark; a field
    its vignette does not record is said as not read (no trust listed)."""
    marks = {mark: (t, said) for mark, t, said in named}
    found = set()
    for g in reading.groups:
        for c in [x for c0 in g for x in getattr(c0, "conds", [c0])]:
            if c.op in ("<", "<=", ">", ">=", "=") and c.value in marks:
                t, said = marks[c.value]
                found.add(c.value)
                value = vocab.number(t, c.field)
                if value is None:
                    # "more pupils than Larkspur", whose vignette gives no pupil numbers:
                    # nothing to compare with, said so and no trust listed
                    col = vocab.columns.get(c.field)
                    what = col.said() if col else (
                        "schools" if c.field == "total" else f"{c.field} schools")
                    reading.not_comparable.append(f"{t.name}'s vignette does not record "
                                                  f"its {what}")
                    if c in g:
                        g.remove(c)
                    continue
                c.value = value
                c.similar = said
                if c.op == "=" and not any(isinstance(x, _OtherThan) and x.value == t.name
                                           for x in g):
                    g.append(_OtherThan(t))
    for mark, _, said in named:
        if mark not in found:  # read as no comparison: said as not read, never a number
            reading.unread.append(said)

    def unmark(text: str) -> str:
        for mark, _t, said in named:
            text = text.replace(str(mark), said.split(None, 1)[-1])
        return text

    reading.unread = [unmark(u) for u in reading.unread]
    reading.missing_fields = [unmark(u) for u in reading.missing_fields]
    reading.ignored = [unmark(u) for u in reading.ignored]


# After a dash, a question that only points back at what was said before it: "... - which
# are they?", "... - which trusts fit all three?", "... - any?"
_BACK_REFERENCE = re.compile(
    r"^(?:so |and )?(?:(?:which|what)(?: trusts| ones)?(?: are| is| were)?"
    r"(?: they| those| these| it| there)?"
    r"|(?:which|what) (?:trusts|ones) (?:fit|match|meet|qualify|do that|does that)\b[^?]*"
    r"|any(?: of them)?|which ones)\s*[?.!]*\s*$", re.I)


def _conditions_before(first: str, vocab: Vocabulary, embed) -> Reading | None:
    """"I'd like to compare my trust with ones that have no more than two secondary schools",
    "Local, urban and formal in how they evaluate": the part before a question that only
    points back at it, read as the set when it reads whole: from its "trusts/ones that ..."
    on (the words before said as not read), or, naming no trusts, as what trusts are."""
    m = re.search(r"\b(?:trusts|ones|mats|federations)\s+(?:that|which|who|whose|with|having)\b",
                  first, re.I)
    if m:
        said = first[m.start():]
        said = re.sub(r"^ones\b", "trusts", said, flags=re.I)
        tokens = tokenize(said)
        reading = _telegraphic(tokens, vocab, said, embed)
        if reading is not None and first[:m.start()].strip():
            reading.ignored.insert(0, first[:m.start()].strip())
        return reading
    if any(x.text in GROUP for x in tokenize(first)) or _ASKER.match(first):
        return None
    said = f"Which trusts are {first.strip()}?"
    reading = _read_question(said, vocab, embed)
    if (reading is None or not any(reading.groups) or reading.unread or reading.missing_fields
            or reading.changing or reading.ambiguous or reading.about_field):
        return None
    return reading


def _read_with_preface(q: str, vocab: Vocabulary, embed=None) -> Reading | None:
    # "I'm preparing a session on village schools - which trusts are rural?": a clause about
    # the asker, then the question about the set; the clause is said as not read, never
    # taken for conditions on the trusts
    preface = None
    parts = re.split(r"\s+[-–—]\s+|;\s+|:\s+", q, maxsplit=1)
    if len(parts) == 1:
        # "I'm running a session next week. What do the small trusts say about ...?", "I want
        # the trusts that are not urban. Which are they?": a full stop (or "!") between
        # sentences separates as the dash does; the last sentence is the question (a word of
        # three letters or more before the stop, so "e.g." and "St." split nothing)
        stops = list(re.finditer(r"(?<=\w\w\w)[.!]+\s+(?=[A-Z])", q))
        if stops:
            parts = [q[:stops[-1].start()], q[stops[-1].end():]]
    if len(parts) == 2 and _BACK_REFERENCE.match(parts[1].strip()):
        reading = _conditions_before(parts[0], vocab, embed)
        if reading is not None:
            return reading
    if (len(parts) == 2 and (_ASKER.match(parts[0]) or _PURPOSE.match(parts[0])
                             and not any(x.text in GROUP or _condition_word(vocab, x.text)
                                         for x in tokenize(parts[0])))
            and not _ASKER.match(parts[1]) and is_set_question(parts[1], vocab)):
        # (or what the list is for: "For a small-trusts breakout group: which trusts ...?",
        # never when it names the trusts itself: "For the rural trusts: which ...")
        preface, q = parts
    elif (plain := _plain_preface(q, vocab, embed)) and is_set_question(plain[1], vocab):
        # "Splitting the room up for the afternoon session: which trusts ...?", "For the
        # small-trusts breakout, which trusts ...?": any words before a question about the
        # set that name no trust, no value and no field, and change nothing
        preface, q = plain
    elif plain and _CONTENT_FRAME.match(plain[1]):
        reading = _read_question(plain[1], vocab, embed)
        if reading is not None and any(reading.groups) and reading.content:
            reading.ignored.insert(0, plain[0])
            return reading
    elif len(parts) == 2 and _ASKER.match(parts[0]) and _CONTENT_FRAME.match(parts[1]):
        # "I'm running a session on ... - what do the urban trusts say about ...?": the
        # same clause before a set-plus-content question, kept only if that reads as one
        reading = _read_question(parts[1], vocab, embed)
        if reading is not None and any(reading.groups) and reading.content:
            reading.ignored.insert(0, parts[0])
            return reading
    reading = _read_question(q, vocab, embed)
    if reading is not None and preface is not None:
        reading.ignored.insert(0, preface)
    return reading


_PREFACE_SPLIT = re.compile(r"^(.+?)(?:\s+[-–—]\s+|;\s+|:\s+|,\s+)((?:which|what|how many)\b.*)$",
                            re.I | re.S)
# words in a preface that may restrict or change the list ("Not counting ...", "Leaving
# aside ...", "Only ..."): such a preface is never dropped
_PREFACE_CHANGING = {"only", "just", "except", "excluding", "besides", "apart", "aside",
                     "other", "ignoring", "ignore", "leaving", "counting", "discounting",
                     "unlike", "than", "among", "amongst", "between", "instead",
                     "rather", "same", "similar", "like", "those", "these", "them", "they",
                     "ones", "either", "both", "all", "any", "some", "each", "every"}


def _plain_preface(q: str, vocab: Vocabulary, embed) -> tuple[str, str] | None:
    """The words before ":", ";", " - " or ", " and a question about the set ("which ...",
    "what ...", "how many ..."), when they can only be about the asker's purpose: no group
    word standing alone (inside a compound, "small-trusts breakout", it names what the
    breakout is for), no negation, no word that
    restricts or points at trusts, and nothing the scan reads as a condition, by its words or
    by similarity (a value, a field, a number)."""
    m = _PREFACE_SPLIT.match(q.strip())
    if not m:
        return None
    preface, rest = m.group(1).strip(), m.group(2).strip()
    if not (is_set_question(rest, vocab) or _CONTENT_FRAME.match(rest)):
        return None
    words = [x.text for x in tokenize(preface)]
    # (a value's word or a field's: "For the Catholic schools strand", never dropped)
    if (not words or any(w in GROUP or w in NEGATIONS or w in _PREFACE_CHANGING
                         or _condition_word(vocab, w)
                         or w in _CHANGING_WORDS or w[0].isdigit() or w in _NUM_WORDS
                         for w in words)
            or _EXCLUDING_RE.search(preface)):
        return None
    # (read with similarity too: "In the countryside, which trusts ...?" is a condition)
    probe = _read_question(f"Which trusts are {preface}?", vocab, embed)
    if probe is None or any(probe.groups) or probe.about_field or probe.ambiguous:
        return None
    return preface, rest


def _condition_word(vocab: Vocabulary, w: str) -> bool:
    """A word of some trust's value or of a field's name (not a small word)."""
    return w not in STOP and (w in vocab.value_words or _is_hint(vocab, w))


_EXCLUDING_RE = re.compile(rf"\b{_EXCLUDING}\b", re.I)


def _symbols_as_words(q: str) -> str:
    """Comparisons written as symbols or set phrases, in the words the scan reads: "8+
    schools", "> 8", ">= 3", "≤ 2", "less than or equal to 3", "the 2010s" (a decade: its
    first to its last year)."""
    q = re.sub(r"\b(?:less|fewer) than or equal to\b", "at most", q, flags=re.I)
    q = re.sub(r"\b(?:more|greater) than or equal to\b", "at least", q, flags=re.I)
    # "the largest trust in terms of number of schools", "smallest as measured by pupils": the
    # measure of a superlative, said as "by" is (only a few words after the superlative)
    q = re.sub(rf"(\b(?:{_SUPERLATIVES})\b(?:\s+(?!(?:say|says|said|think|thinks|report|reports|tell)\b)"
               rf"[\w-]+){{0,3}}?)\s+(?:in terms of|(?:as |when )?"
               rf"measured by|judged by|going by|according to|on the basis of)(?:\s+the)?\b",
               r"\1 by", q, flags=re.I)
    q = re.sub(r"(\d)\s*\+(?=\s|$|[?.!,])", r"\1 or more", q)
    # "which trust was founded first / last?": the earliest / latest (ending the clause)
    q = re.sub(r"\b(founded|established|set up|formed|created)\s+(first|last)(?=\s*(?:$|[?.!,;]|and\b|or\b))",
               lambda m: f"{m.group(1)} {'earliest' if m.group(2).lower() == 'first' else 'latest'}",
               q, flags=re.I)
    # "over 50% primary schools", "30 per cent": a percentage, said as one word
    q = re.sub(r"(\d)\s*(?:%|per\s*cent\b)", r"\1 percent", q, flags=re.I)
    # "founded in or after 2017", "in or before 2014": the year and its side
    q = re.sub(r"\bin or (after|since|later than|before|earlier than|prior to) (\d{4})\b",
               lambda m: f"in {m.group(2)} or "
               f"{'later' if m.group(1).lower() in ('after', 'since', 'later than') else 'earlier'}",
               q, flags=re.I)
    # a bound after the number and its unit: "3 schools at most", "five primaries at the
    # most", "10 schools max", "2,000 pupils at least", "4 schools minimum": said as "or
    # fewer" / "or more" are (a number, at most three words, then the bound, ending a clause)
    number = rf"(?:\d[\d,]*(?:\.\d+)?|{'|'.join(_NUM_WORDS)})"
    bound = r"\s+(?:at\s+(?:the\s+)?(?:very\s+)?(most|least)|(max|maximum|tops|min|minimum))"
    q = re.sub(rf"\b({number}(?:\s+[a-z][\w-]*){{1,3}}?){bound}(?=\s*(?:$|[?.!,;:]|and\b|or\b|but\b))",
               lambda m: f"{m.group(1)} or "
               f"{'fewer' if (m.group(2) or m.group(3)).lower() in ('most', 'max', 'maximum', 'tops') else 'more'}",
               q, flags=re.I)
    q = re.sub(r"(?:>=|≥|=>)\s*(?=\d)", "at least ", q)
    q = re.sub(r"(?:<=|≤|=<)\s*(?=\d)", "at most ", q)
    q = re.sub(r">\s*(?=\d)", "more than ", q)
    q = re.sub(r"<\s*(?=\d)", "fewer than ", q)
    return re.sub(r"\b(1[89]|20)(\d)0s\b",
                  lambda m: f"from {m.group(1)}{m.group(2)}0 to {m.group(1)}{m.group(2)}9", q)


# What the list is for, before the question: "For a breakout group: ...", "Ahead of our
# governors' day - ..."
_PURPOSE = re.compile(r"^(?:for|ahead of|before|in preparation for|to prepare for|as part of)"
                      r"\s+(?:a|an|my|our|the|this|next|tomorrow's|today's|tomorrow’s|"
                      r"today’s)\b", re.I)
# A clause about the asker: "I'm preparing ...", "We'd like ...", "My trust is ..."
_ASKER = re.compile(r"^(?:i|i'm|i’m|i am|i'd|i’d|i've|i’ve|we|we're|we’re|we'd|we’d|we've|"
                    r"we’ve|my|our)\b", re.I)


def _read_question(q: str, vocab: Vocabulary, embed=None) -> Reading | None:
    frame = _CONTENT_FRAME.match(q)
    tokens = tokenize(q)
    if frame:
        # "What do the rural trusts say about governance?": conditions before (and just after)
        # the group word, the rest is content for the passages.
        k = next((n for n, x in enumerate(tokens) if x.text in PLURAL_GROUP
                  and x.start >= frame.end()), None)
        if k is None or k == 0:
            return None
        head = [x for x in tokens if x.start >= frame.end()]
        reading = _scan(head, vocab, q, embed, stop_at_content=True)
        # "Why do small rural primaries form federations?": the group word ends the question,
        # so there is nothing to answer from the trusts' passages; it is an ordinary question.
        # "What do successful federations do to ...?": the kind the group word names is no
        # condition of its own here, as "What do trusts say about ...?" has none
        if (reading is None or not any(reading.groups)
                or all(isinstance(c, _KindOf) for g in reading.groups for c in g)
                or reading.unread
                or reading.missing_fields or not reading.content):
            # "What do the trusts that share one improvement model say about ...?": a
            # clause after the group word, up to the verb of saying
            # "What are the three largest trusts?": no content after the group word; a
            # question about the set only if it reads whole as conditions
            return (_clause_then_content(tokens, k, frame.end(), vocab, q, embed)
                    or _telegraphic(tokens, vocab, q, embed))
        return reading
    if not is_set_question(q, vocab):
        return _who_superlative(tokens, vocab, q, embed) or _telegraphic(tokens, vocab, q, embed)
    reading = _scan(tokens, vocab, q, embed)
    reading.count = bool(re.search(r"\bhow many\b", q, re.I))
    return reading if reading is not None else Reading([[]])


# Verbs of saying or doing that end the subject of a content question ("What do the trusts
# that ... say about governance?", "How do the trusts in towns and cities talk about ...?"):
# a closed class of English verbs, not a list of the vignettes' words.
_SAYING = {"say", "said", "report", "write", "describe", "tell", "think", "mention", "note",
           "explain", "talk", "speak", "do", "suggest", "claim", "argue", "feel", "reflect",
           "comment", "discuss", "state", "share"}


def _clause_then_content(tokens: list[Token], k: int, start: int, vocab: Vocabulary, q: str,
                         embed) -> Reading | None:
    """"What do the trusts that set priorities through peer review say about
    accountability?", "What do the trusts with a central scheme of delegation say about
    ...?", "What do the trusts in towns and cities say about ...?": the words between the
    group word (at `k`) and the first verb of saying after it are a clause on the trusts,
    read as a set question is (relative clauses, "with" phrases, similarity); the verb and
    what follows are the content. Only when that clause reads whole as conditions: every
    word a condition's or a small word, none unread, no field no vignette has, nothing
    read two ways. Anything less stays an ordinary question."""
    # (the first such verb whose clause reads: "the trusts that do peer review say ...")
    verbs = [m for m in range(k + 2, len(tokens) - 1) if tokens[m].text in _SAYING][:3]
    for v in verbs:
        head = [x for x in tokens[:v] if x.start >= start]
        reading = _scan(head, vocab, q, embed)
        # the one verb of a relative clause just before a condition puts it ("that keep
        # local governing bodies"); a word said as not read elsewhere is not covered ("with
        # strong boards" is no "boards" condition)
        verb_at = {p for p in range(1, len(head) - 1) if reading is not None
                   and head[p - 1].text in ("that", "which", "who")
                   and p + 1 < len(reading.covered) and reading.covered[p + 1]
                   and not reading.small[p + 1]}
        if (reading is None or not any(reading.groups)
                or all(isinstance(c, _KindOf) for g in reading.groups for c in g)
                or reading.unread
                or reading.missing_fields or reading.ambiguous or reading.changing
                or len(reading.covered) < len(head)
                or not all(c or sm or p in verb_at for p, (c, sm) in enumerate(zip(
                    reading.covered, reading.small, strict=True)))):
            continue
        reading.content = q[tokens[v].start:].rstrip("?. ")
        return reading
    return None


def _scan(tokens: list[Token], vocab: Vocabulary, q: str, embed,
          stop_at_content: bool = False) -> Reading | None:
    s = _Scanner(tokens, vocab, q)
    s.embed = embed
    n = len(tokens)
    negate = False
    negate_from = -1  # where the last negation was said
    i = 0
    seen_group = False
    content_from = None
    while i < n:
        w = tokens[i].text
        if i in s.skip:  # read with a condition before it
            s.used[i] = True
            i += 1
            continue
        kind = _stem(w) if w in _KIND_GROUPS else None
        # "Which federations are rural?": the question's only group word is a kind some
        # trusts are called and others not, so it restricts the list as "trusts that are
        # federations" would (said in the answer); "trusts" anywhere keeps it the group word
        only_kind = kind is not None and not seen_group and not any(
            x.text in GROUP and x.text not in _KIND_GROUPS for x in tokens) and not all(
            kind in _word_list(t.name, False) or any(_contains(v, kind)
                                                     for v in t.fields.values())
            for t in vocab.trusts)
        if kind and (negate or seen_group or only_kind) and (
                not stop_at_content or only_kind) and any(
                kind in _word_list(t.name, False) or any(_contains(v, kind)
                                                         for v in t.fields.values())
                for t in vocab.trusts):
            # "trusts other than federations", "Which trusts are federations?": a kind of
            # trust, not the group word, when it follows one or a negation: a trust whose
            # name or values call it so
            s.add(i, i + 1, _KindOf(kind), negate)
            negate = False
            seen_group = seen_group or only_kind
            i += 1
            continue
        if w in GROUP:
            seen_group = True
        if stop_at_content and seen_group and w not in GROUP:
            # after the group word only "with/that have ..." conditions; the rest is content
            if w in _INTRODUCE:
                s.used[i] = True
                i += 1
                continue
            after = tokens[i - 1].text in _INTRODUCE or bool(s.atoms) and s.atoms[-1][1] == i
            found = (s.numeric(i) or s.school_type(i) or s.value_phrase(i)) if after else None
            if not found:
                content_from = i
                break
            for c in found[1]:
                s.add(i, found[0], c, negate)
            negate = False
            i = found[0]
            continue
        exclude = next((len(p) for p in _EXCLUDE_PHRASES
                        if tuple(s.words(i, i + len(p))) == p), 0)
        if exclude:  # "other than", "excluding": the next condition does not hold
            for m in range(i, i + exclude):
                s.used[m] = True
            if i > 0 and tokens[i - 1].text in _INDEFINITES and not s.used[i - 1]:
                # "operate somewhere other than regionally", "anything except rural": the
                # indefinite is what the exclusion leaves, it says nothing of its own
                s.used[i - 1] = True
            m = i + exclude + (i + exclude < n and tokens[i + exclude].text in ("a", "an"))
            counted = s.number_at(m) if m < n else None
            kind = s.school_kind(counted[0]) if counted and counted[0] < n else None
            if kind and i > 0 and s.used[i - 1]:
                # "rural apart from two schools", "urban except for one school": some of the
                # trust's schools are not so (an exception among its schools), or the trusts
                # with that many schools are left out; read two ways, not guessed
                s.ambiguous.append(s.raw(i, kind[0]))
                for x in range(i, kind[0]):
                    s.used[x] = True
                i = kind[0]
                continue
            k = s.school_kind(i + exclude) if i + exclude < n else None
            last = s.atoms[-1] if s.atoms else None
            if (k and k[1] != "total" and last is not None and last[1] == i
                    and last[2].field == "total"
                    and last[2].op in ("<", "<=", ">", ">=", "=", "range")):
                # "more than 3 schools other than primaries": a count of the schools that
                # are not primaries, which no condition here counts (read as the schools
                # and "not only primaries", it listed Corvid, 1 of whose 5 is no primary)
                s.ambiguous.append(s.raw(last[0], k[0]))
                for g in s.groups:
                    g[:] = [c for c in g if c is not last[2]]
                for x in range(i, k[0]):
                    s.used[x] = True
                i = k[0]
                continue
            if i > 0 and tokens[i - 1].text in ("schools", "school", "academies") and k \
                    and k[1] != "total":
                # "schools other than primaries": some school is not one, so not every
                # school is (the trust is not excluded for having primaries)
                s.used[i - 1] = True
                s.add(i, k[0], Condition(k[1], "only"), True)
                i = k[0]
                continue
            negate = True
            i += exclude
            continue
        if w == "not" and i + 1 < n and tokens[i + 1].text == "only" and any(
                x.text == "but" for x in tokens[i + 2:]):
            # "not only rural but also formal": both, the "not" negates nothing
            s.used[i] = s.used[i + 1] = True
            i += 2
            continue
        if negate and w == "both":
            # "don't have both primary and secondary schools": not the two together, which
            # is either one missing; read as a plain negation it would be the first only
            s.ambiguous.append(s.raw(max(i - 1, 0), min(i + 4, n)))
        joiner = next((len(p) for p in _AND_PHRASES
                       if tuple(s.words(i, i + len(p))) == p and s.atoms), 0)
        if joiner:  # "as well as", "along with", "plus" after a condition: "and"
            for m in range(i, i + joiner):
                s.used[m] = True
            i += joiner
            continue
        if (i > 0 and tokens[i - 1].text in GROUP and w.endswith("s") and w not in STOP
                and next((x.text for x in tokens[i + 1:i + 3] if x.text != "the"), "") in _SUPER):
            # "which trust keeps the tightest ...": the verb that puts the superlative
            s.used[i] = True
            s.ignored.append(s.raw(i, i + 1))
            i += 1
            continue
        emphatic = s.emphatic(i) if negate else None
        if emphatic:  # "without a single secondary", "not one UTC": none at all
            for m in range(i, emphatic):
                s.used[m] = True
            i = emphatic
            continue
        found = (s.mix(i) or s.between_fields(i) or s.numeric(i) or s.school_type(i)
                 or s.superlative(i) or s.mention(i) or s.recorded(i))
        if found is None and w in NEGATIONS:
            negate = True  # "nor" too: "neither urban nor rural" is not urban and not rural
            negate_from = i
            s.used[i] = True
            i += 1
            continue
        if found is None:
            found = s.scale(i) or s.initialism(i) or s.value_phrase(i)
        if (found is None and s.q[tokens[i].start:tokens[i].end].lower() == "one"
                and not (i + 1 < n and s.unit(i + 1))):
            # "the one with the fewest schools", "within one area": "one" counts nothing here
            s.used[i] = True
            i += 1
            continue
        if found is None and w in ("and", "but", "or", "nor", "while", "yet"):
            s.used[i] = True
            if w == "or" and s.groups[-1]:
                s.pending_or = True  # a new group, or one field's values joined (`add`)
            i += 1
            continue
        verb_end = s.verb_then_condition(i) if found is None and negate else None
        if verb_end is not None:
            # "doesn't lean central", "aren't generally formal": a verb or hedge between the
            # negation and the condition it negates; said as not read, the negation kept
            for m in range(i, verb_end):
                s.used[m] = True
            s.ignored.append(s.raw(i, verb_end))
            i = verb_end
            continue
        if found is None:
            if negate and w not in STOP and not _is_hint(vocab, w):
                # "not in the countryside": the negation is the leftover's, which similarity
                # may read; it does not pass to a later condition
                s.negated_at.add(i)
                negate = False
            i += 1
            continue
        end, conds = found
        for c in conds:
            s.add(i, end, c, negate)
        for a, b in s.gaps:
            if i <= a and b <= end:
                for m in range(a, b):
                    s.used[m] = False  # left for `_resolve`
        if not conds:
            for m in range(i, end):
                s.used[m] = True
        negate = False
        i = max(end, i + 1)
    unread = _leftovers(s, tokens[:content_from] if content_from is not None else tokens)
    groups = [g for g in s.groups if g]
    if s.pending_or and groups:  # "rural or in the countryside": what similarity reads is
        groups.append([])        # the other group
    reading = Reading(groups or [[]], missing_fields=s.missing, ignored=list(s.ignored),
                      ambiguous=[f"“{x}”" for x in s.ambiguous])
    if content_from is not None:
        reading.content = q[tokens[content_from].start:].rstrip("?. ")
    _resolve(s, unread, reading, embed)
    _most_of_a_pole_read(s, reading)
    reading.groups = [_distinct(g) for g in reading.groups if g] or [[]]
    _more_than_the_other_pole(s, reading)
    upto = content_from if content_from is not None else n
    # (only where the list would otherwise be given: a part not read already lists none)
    changing = [k for k in range(upto) if not s.used[k] and k not in s.resolved
                and _changes_meaning(s, k)
                ] if not reading.unread and not reading.missing_fields else []
    for k in changing:
        said = s.raw(k, k + 2) if s.t[k].text == "used" else s.raw(k, k + 1)
        if said not in reading.changing:
            reading.changing.append(said)
            reading.unread.append(said)
    sups = [any(c.op in ("max", "min") for c in g) for g in reading.groups]
    if len(sups) > 1 and any(sups) and not all(sups):
        # a superlative in one of several "or" groups: over that group or over all of them
        word = next(c.words for g in reading.groups for c in g if c.op in ("max", "min"))
        reading.ambiguous.append(f"“{word}” with “or”")
    upto = content_from if content_from is not None else n
    dropped = [k for k in range(upto) if not (s.used[k] or k in s.resolved)
               and tokens[k].text not in STOP and tokens[k].text not in GROUP]
    # a negation that reached no condition, before words no rule read ("urban trusts with no
    # religious character"): those words carry it, so they are never just dropped
    after_neg = [k for k in dropped if k > negate_from] if negate else []
    absent = _absence_of_field(s, after_neg, True) if (
        after_neg and after_neg == list(range(after_neg[0], after_neg[-1] + 1))
        and len(reading.groups) == 1 and not reading.unread
        and not reading.missing_fields) else None
    if absent is not None:
        # "Which trusts have no religious character?": a field named after a negation, and
        # the vignettes write its absence as one value ("none"): that value
        absent.words = s.raw(negate_from, after_neg[-1] + 1)
        reading.groups[0].append(absent)
        s.resolved.update(after_neg)
        dropped = [k for k in dropped if k not in after_neg]
    elif after_neg and any(reading.groups):
        reading.unread.append(s.raw(after_neg[0], after_neg[-1] + 1))
    if (dropped and not any(reading.groups) and not reading.unread
            and not reading.missing_fields and not reading.ignored):
        # "Which trusts have delegated decision making?": words that name a field and no
        # value; not "all the trusts"
        reading.unread.append(s.raw(dropped[0], dropped[-1] + 1))
    # (a word naming the field of a condition read is covered: "the most formal evaluation")
    fields_read = {x.field for g in reading.groups for c in g for x in getattr(c, "conds", [c])}
    reading.covered = [s.used[k] or k in s.resolved or tokens[k].text in GROUP
                       or _hinted(vocab, tokens[k].text) & fields_read for k in range(upto)]
    reading.small = [tokens[k].text in STOP for k in range(upto)]
    return reading


def _most_of_a_pole_read(s: _Scanner, reading: Reading) -> None:
    """"run most tightly from the centre", "the least hands-off in decision making": "most" or
    "least" just before a phrase read by similarity as one pole of a scale is the
    superlative towards that pole (the most central, the least local), as "the most central"
    is read; before, the "most" was said as not read and no trust listed."""
    at = {a: c for a, _, c in s.atoms} | s.scale_read_at
    for k, w in enumerate(x.text for x in s.t):
        if (w not in ("most", "least") or s.used[k] or k in s.resolved
                or k > 0 and s.t[k - 1].text in NEGATIONS):
            continue
        # past adverbs and small words only ("most tightly from the centre"); not past a
        # noun ("most decisions taken centrally" leans central, it is no superlative)
        m = k + 1
        while (m < len(s.t) and m - k <= 4 and m not in at and not s.used[m]
               and m not in s.resolved and s.t[m].text not in NEGATIONS
               and s.t[m].text != "of"
               and (s.t[m].text in STOP or s.t[m].text.endswith("ly"))):
            m += 1
        cond = at.get(m)
        if (cond is None or cond.negated or cond.op != "pos" or cond.field not in SCALES):
            continue
        group = next((g for g in reading.groups if any(c is cond for c in g)), None)
        if group is None:
            continue
        high = max(cond.value) >= 4
        op = "max" if high == (w == "most") else "min"
        sup = Condition(cond.field, op, words=f"{w} {cond.words}", similar=cond.similar)
        group[next(n for n, c in enumerate(group) if c is cond)] = sup
        for x in range(k, m):
            s.used[x] = True


def _more_than_the_other_pole(s: _Scanner, reading: Reading) -> None:
    """"run more from the centre than locally", "more local than central in decision
    making": a scale's two poles compared with "than" are the first one; the second is not a
    condition of its own (read as one, the two together would list no trust)."""
    for k, x in enumerate(s.t):
        if x.text != "than" or s.used[k] or k in s.resolved:
            continue
        pairs = []
        for g in reading.groups:
            for a in g:
                for b in g:
                    if (a is not b and a.op == b.op == "pos" and a.field == b.field
                            and not a.negated and not b.negated and a.words and b.words
                            and not set(a.value) & set(b.value)
                            and 0 <= s.q.find(a.words) < x.start <= s.q.find(b.words, x.start)):
                        pairs.append((g, a, b))
        if len(pairs) != 1:
            continue
        g, a, b = pairs[0]
        g.remove(b)
        s.used[k] = True
        first = next(m for m, y in enumerate(s.t) if y.end > s.q.find(a.words))
        for m in range(max(first - 3, 0), k):
            if s.t[m].text == "more" and not s.used[m]:
                s.used[m] = True  # "more from the centre": the comparison, read


def _key(c: Condition) -> tuple:
    subs = getattr(c, "conds", None)
    inner = tuple(_key(x) for x in subs) if subs else (c.field, c.op, repr(c.value))
    return (type(c).__name__, inner, c.negated)


def _distinct(group: list[Condition]) -> list[Condition]:
    """A group without a condition said twice ("the oldest trust, the earliest founded")."""
    out: list[Condition] = []
    for c in group:
        same = next((o for o in out if _key(o) == _key(c)), None)
        if same is None:
            out.append(c)
        elif c.words and c.words not in same.words:
            same.words = f"{same.words}, {c.words}"
    return out


def _absence_of_field(s: _Scanner, dropped: list[int], negated: bool = False
                      ) -> Condition | None:
    """The words dropped (or a leftover) are one text field's name, just after "no" /
    "without" ("no religious character", "without a religious character"), and the vignettes
    record that field's absence as exactly one value ("none"): the condition that the field
    is that value. Anything else (words of two fields or of none, no absence value, no
    negation right before): None. `negated`: the scan already gave the words the negation."""
    words = [s.t[k].text for k in range(dropped[0], dropped[-1] + 1)]
    stems = {_stem(w) for w in words if w not in STOP}
    cols = [c for c in s.v.columns.values() if stems and stems <= c.words]
    if len(cols) != 1 or cols[0].kind != "text":
        return None
    name = cols[0].name
    absent = {v for (_, n), v in s.v.values.items() if n == name
              and v.strip() in _ABSENCE_VALUES}
    if len(absent) != 1:
        return None
    if negated:
        return Condition(name, "is", absent.pop(), words=s.raw(dropped[0], dropped[-1] + 1))
    k = dropped[0] - 1
    while k >= 0 and s.t[k].text in ("a", "an", "any"):
        k -= 1
    if k < 0 or s.t[k].text not in ("no", "without") or s.used[k]:
        return None
    absent = {v for (_, n), v in s.v.values.items() if n == name
              and v.strip() in _ABSENCE_VALUES}
    if len(absent) != 1:
        return None
    s.used[k] = True
    return Condition(name, "is", absent.pop(), words=s.raw(k, dropped[-1] + 1))


# Words that put a field's value after its name ("its checking of school improvement is
# informal", "a faith character, whether Catholic or ...").
_NAMING_LINKS = {"is", "are", "was", "were", "whether", "either", "namely", "being", "as",
                 "such", "like", "of", "be"}


def _restates_field(s: _Scanner, i: int, j: int) -> bool:
    """A leftover that names the field of the condition right after it, joined by "is" /
    "whether" / a comma ("whose checking of school improvement is informal", "a faith
    character, whether Catholic or Church of England"): it says which field the value is
    of, so it is read with that condition (which it names), not as a condition of its own."""
    after = next(((a, c) for a, b, c in s.atoms if a >= j), None)
    if after is None:
        return False
    a, cond = after
    gap = [x.text for x in s.t[j:a]]
    raw_gap = s.q[s.t[j - 1].end:s.t[a].start]
    if any(s.used[k] for k in range(j, a)) and not all(x in _NAMING_LINKS for x in gap):
        return False
    if not (set(gap) & _NAMING_LINKS or "," in raw_gap or ":" in raw_gap):
        return False
    if any(w not in STOP and w not in _NAMING_LINKS for w in gap):
        return False
    if any(_changes_meaning(s, k) for k in range(i, j)):
        return False
    fields = {x.field for x in getattr(cond, "conds", [cond])}
    stems = {_stem(w) for w in s.words(i, j)} - STOP
    for f in fields:
        col = s.v.columns.get(f)
        label = {_stem(w) for w in re.findall(r"[a-z]+", col.label.lower())} - STOP if col else set()
        hinted = {_stem(w) for w in s.words(i, j)
                  if s.v.hint_words.get(w) == f or _HINTS.get(w) == f}
        if stems & label or hinted:
            if any(i <= k < j for k in s.negated_at):
                # "except those whose checking of ... is informal": the negation the
                # leftover took is the condition's
                cond.negated = not cond.negated
            cond.words = f"{s.raw(i, j)} {cond.words}"
            s.resolved.update(range(i, j))
            return True
    return False


def _hinted(vocab: Vocabulary, w: str) -> set[str]:
    """The fields a word names ("evaluation", "decisions")."""
    return {f for f in (vocab.hint_words.get(w), vocab.hint_words.get(_stem(w)), _HINTS.get(w))
            if f}


def _is_hint(vocab: Vocabulary, w: str) -> bool:
    """A word naming a field ("decisions"): it does not take a negation from the condition
    after it ("don't take decisions centrally")."""
    return w in vocab.hint_words or _stem(w) in vocab.hint_words or w in _HINTS


def _leftovers(s: _Scanner, tokens: list[Token]) -> list[tuple[int, int]]:
    """Runs of words no condition took, trimmed of words that carry none."""
    spans, i = [], 0
    n = len(tokens)
    def hint(k: int) -> bool:
        w = tokens[k].text
        return w in s.v.hint_words or _stem(w) in s.v.hint_words or w in _HINTS

    while i < n:
        if s.used[i] or tokens[i].text in STOP:
            i += 1
            continue
        if hint(i):
            # a word naming a field starts a leftover only when one follows ("decisions
            # taken by the centre" is read whole)
            k = i + 1
            while k < n and not s.used[k] and (tokens[k].text in STOP or hint(k)):
                k += 1
            if not (k < n and not s.used[k] and tokens[k].text not in ("and", "or", "but")):
                i = k
                continue
        j = min(_run_end(s, i), n)  # `tokens` is the scanner's, or the part before content
        k = j
        while k > i and (tokens[k - 1].text in STOP):
            k -= 1
        spans.append((i, k))
        i = j
    return spans


def _resolve(s: _Scanner, spans: list[tuple[int, int]], reading: Reading, embed) -> None:
    """Leftover phrases: read as a value by MiniLM similarity when one value is clearly
    nearest ("in the countryside" -> rural), folded into the condition next to them when
    they only restate it ("rural areas"), else named as not read."""
    # a phrase with a word that changes the condition beside it is said by `_scan` instead
    spans = [(i, j) for i, j in spans
             if not any(_changes_meaning(s, x) and s.t[x].text not in _COMPARATIVES
                        for x in range(i, j))]
    if not spans:
        return
    spans = [sp for sp in spans if not _restates_field(s, *sp)]
    if not spans:
        return
    kept = []
    for i, j in spans:
        absent = (_absence_of_field(s, [i, j - 1], True)
                  if any(i <= x < j for x in s.negated_at) else None)
        if absent is not None:  # "no religious character": the field's recorded "none"
            absent.words = f"no {absent.words}"
            reading.groups[-1].append(absent)
            s.resolved.update(range(i, j))
        else:
            kept.append((i, j))
    spans = kept
    texts = []
    fallback: dict[str, str] = {}  # a field's name with a value: the value, when not read
    for i, j in spans:
        text = s.raw(i, j)
        # "an Ofsted grade of outstanding", "Ofsted rating is good": a field no vignette has
        named = re.match(r"(.+?)\s+(?:of|is|are|was|rated|graded|at|above|below|over|under|better than|worse than)\s+(\S.*)", text)
        if named and not _names_field(s.v, named.group(1)):
            reading.missing_fields.append(named.group(1))
        elif named and embed is None:  # a field the vignettes have, a value none of them has
            reading.unread.append(named.group(2))
        else:  # (with the model: unless the whole phrase is near a value, "decisions at
            # school level" -> more local)
            if named:
                fallback[text] = named.group(2)
            texts.append(text)
    spans = [sp for sp, t in zip(spans, [s.raw(i, j) for i, j in spans], strict=True)
             if t in texts]
    if not texts:
        return
    if embed is None:
        reading.unread = texts
        return
    readings, vectors = s.v.readings(embed)
    # a leftover next to a value condition, read together with it
    joined = []
    for i, j in spans:
        near = next((c for a, b, c in s.atoms if (b == i or a == j) and c.op in ("is", "has")),
                    None)
        joined.append(near)
    # one call to the model for everything (each call costs ~10 ms on the test machine)
    nears = [c for c in joined if c is not None]
    # the phrase as compared with the values keeps the small words after it: "leave
    # decisions to their schools" says which way; "leave decisions" alone does not
    said_whole = [s.raw(i, _run_end(s, j)) for i, j in spans]
    queries = said_whole + [f"{c.words} {t}" if c is not None else t
                            for c, t in zip(joined, texts, strict=True)] + [
                                str(c.value) for c in nears]
    qv = _unit(embed(queries))
    m = len(texts)
    target_of = {id(c): qv[2 * m + n] for n, c in enumerate(nears)}
    last: list = []  # the similarity reading just put, and where its phrase ended

    def put(cond: Condition, i: int, j: int) -> None:
        """Put a similarity reading in the last group; two such phrases joined by "or"
        ("not in towns or cities") are one field's values either way, and a negation before
        the first is over both (neither), as `_Scanner.add` does for conditions it reads."""
        group = reading.groups[-1]
        prev = last[-1] if last else None
        between = [x.text for x in s.t[prev[1]:i]] if prev is not None else []
        if (prev is not None and prev[0] in group and "or" in between
                and all(x in STOP for x in between)):
            p = prev[0]
            if p.negated and not cond.negated and _one_family(replace_negated(p, False), cond):
                cond.negated = True  # neither
            elif not p.negated and not cond.negated and _one_family(p, cond):
                merged = _AnyOf([*getattr(p, "conds", [p]), cond])
                merged.words = f"{p.words} or {cond.words}"
                group[group.index(p)] = merged
                last.append((merged, j))
                return
            else:
                # "or" between two conditions of different fields, or a negation whose reach
                # is unclear: not guessed
                reading.ambiguous.append(f"“{p.words} or {cond.words}”")
        group.append(cond)
        last.append((cond, j))

    for k, (text, near) in enumerate(zip(texts, joined, strict=True)):
        comparing = [x for x in range(*spans[k]) if s.t[x].text in _COMPARATIVES]
        if any(_changes_meaning(s, x) for x in range(*spans[k]) if x not in comparing):
            continue  # said as not read by `_scan`
        if any(_number(x.text) is not None for x in s.t[spans[k][0]:spans[k][1]]):
            # a number no comparison took ("fewer schools than 4") is not a value's words
            reading.unread.append(fallback.get(text, text))
            continue
        inside = next((c for a, b, c in s.atoms if a < spans[k][0] and spans[k][1] <= b
                       and c.op in ("max", "min") and c.field in SCALES), None)
        if inside is not None:
            # "the most rigorous, formal evaluation": read with the superlative when the
            # words lie clearly towards its pole on that scale's axis (twice AXIS_MIN: a
            # single word is near few values), else said as not read
            axis = s.v.axis(inside.field)
            towards = float(axis @ qv[k]) if axis is not None else 0.0
            if towards >= 2 * AXIS_MIN if inside.op == "max" else towards <= -2 * AXIS_MIN:
                inside.words = f"{inside.words} ({text} read with it)"
                s.resolved.update(range(*spans[k]))
            else:
                reading.unread.append(text)
            continue
        negated = any(spans[k][0] <= x < spans[k][1] for x in s.negated_at)
        if negated:
            # a negated phrase is read as a condition of its own or not at all: never folded
            # into the condition beside it, nor dropped as a verb (the "not" would be lost)
            near = None
        if near is not None:
            if float(qv[m + k] @ target_of[id(near)]) >= ABSORB_MIN:
                # (not counted as read for a telegraphic query: "challenges facing" is near
                # "rural" only together with "rural")
                near.words = f"{near.words} {text}"
                continue
        if not len(vectors):
            reading.unread.append(fallback.get(text, text))
            continue
        sims = vectors @ qv[k]
        order = np.argsort(-sims)
        best = int(order[0])
        bf, bv, _ = readings[best]
        col = s.v.columns.get(bf)
        stems = {_stem(w) for w in re.findall(r"[a-z]+", text.lower())} - STOP
        value_stems = {_stem(w) for w in re.findall(r"[a-z]+", str(bv).lower())}
        if (col is not None and col.kind == "text" and stems & col.words
                and not stems & value_stems):
            # "no religious affiliation" is nearest Catholic only through the field's own
            # word: it names the field, not one of its values (negated, it listed the Church
            # of England trust as "not Catholic"): not read
            reading.unread.append(fallback.get(text, text))
            continue
        if comparing and bf not in SCALES:
            continue  # "more" beside a value that is no position on a scale: said by `_scan`
        # The values of the best field that are as near as the best (all the "peer review
        # ..." values): read together; the best reading of any other field is the rival.
        close = [o for o in order if readings[o][0] == bf
                 and sims[o] >= sims[best] - SIMILAR_MARGIN / 2]
        rival = next((float(sims[o]) for o in order if readings[o][0] != bf
                      and o not in close), 0.0)
        rival = max([rival] + [float(sims[o]) for o in order if readings[o][0] == bf
                               and o not in close and bf in SCALES])
        # another value of the same field, nearly as near and not read with the best
        # ("denominational": Catholic 0.62, Church of England 0.58): a guess between them,
        # and negated it would list the other; glosses of a value read are no rival
        values_read = {readings[o][1] for o in close}
        rival = max([rival] + [float(sims[o]) for o in order if readings[o][0] == bf
                               and readings[o][1] not in values_read])
        shared = set.intersection(*({w for w in re.findall(r"[a-z]+", str(v).lower())}
                                    for v in values_read)) - STOP if values_read else set()
        if (bf not in SCALES and len(values_read) > 1 and not shared
                and sims[best] >= SIMILAR_MIN and sims[best] - rival >= SIMILAR_MARGIN):
            # two values of one field with no word in common nearly as near ("whole
            # country": regional 0.5, local 0.49): either is a guess, and together they
            # list trusts of both kinds; values that share words ("peer review ...") are one
            # reading
            reading.unread.append(fallback.get(text, text))
            continue
        i, j = spans[k]
        beside = next((c for a, b, c in s.atoms if (b == i or a == j or b == j + 1 == a + 1)
                       and c.field == bf and c.op in ("is", "has", "pos")), None)
        if (beside is not None and not negated and sims[best] >= SIMILAR_MIN
                and (sims[best] - rival < SIMILAR_MARGIN or bf in SCALES and beside.op == "pos")):
            # a phrase nearest the very field of the condition beside it, and no clear value
            # of its own ("check school improvement in a light-touch, informal way"): it names
            # that field, so it restates the condition; on a scale, the pole the question
            # writes out wins over the one the phrase is nearest
            beside.words = f"{text} {beside.words}" if j <= i else f"{beside.words} {text}"
            s.resolved.update(range(i, j))
            continue
        after = next((c for a, b, c in s.atoms if a >= j and c.field == bf
                      and c.op in ("is", "has", "pos") and not c.negated
                      and all(x.text in STOP for x in s.t[j:a])), None)
        if (after is not None and negated and sims[best] >= SIMILAR_MIN
                and (sims[best] - rival < SIMILAR_MARGIN or bf in SCALES and after.op == "pos")
                and sum(c is after for g in reading.groups for c in g) == 1):
            # "don't check school improvement in a formal way": the negated phrase names the
            # field of the condition just after it, so it and that condition are one, and
            # the negation is over both (read apart: formal and not formal, no trust)
            after.words = f"{text} {after.words}"
            after.negated = True
            s.resolved.update(range(i, j))
            continue
        axis = s.v.axis(bf) if bf in SCALES else None
        other = max((float(sims[o]) for o in order if readings[o][0] != bf), default=0.0)
        if (axis is not None and sims[best] >= SIMILAR_MIN and sims[best] - other >= SIMILAR_MARGIN
                and abs(float(axis @ qv[k])) >= AXIS_MIN):
            # clearly about this scale, and clearly towards one end of it: which field by
            # similarity, which pole by the phrase's place along the scale's axis ("devolved
            # decision making" is as near "central" as "local" in similarity, but lies
            # towards "local")
            lo, hi = SCALES[bf]
            c = _condition_for(bf, hi if float(axis @ qv[k]) > 0 else lo, s.v)
            c.similar = c.words = text
            c.negated = negated
            put(c, i, j)
            s.resolved.update(range(i, j))
            s.scale_read_at[i] = c
            continue
        absence = str(bv).strip().lower() in _ABSENCE_VALUES
        if sims[best] >= SIMILAR_MIN and absence:
            # a value that only says "none" is near every word of quantity ("several",
            # "lots", "almost" were read as religious character "none"): never by similarity
            reading.unread.append(fallback.get(text, text))
        elif (sims[best] >= SIMILAR_MIN and sims[best] - rival >= SIMILAR_MARGIN
              and bf not in SCALES and s.v.topic(bf) is not None
              and sims[best] - float(s.v.topic(bf) @ qv[k]) < TOPIC_MARGIN):
            # nearly as near the field's own name as the value ("secular": Catholic 0.66,
            # "religious character" 0.59): about the field, either side of it; an antonym
            # would be read as its opposite, so not read
            reading.about_field.append((text, bf))
        elif sims[best] >= SIMILAR_MIN and sims[best] - rival >= SIMILAR_MARGIN:
            conds = [_condition_for(bf, readings[o][1], s.v) for o in close]
            if bf in SCALES:
                conds = conds[:1]
            for c in conds:
                c.similar = text
                c.words = text
            cond = _any_of(conds)
            cond.negated = negated
            put(cond, i, j)
            s.resolved.update(range(i, j))
            if bf in SCALES:
                s.scale_read_at[i] = cond
        elif sims[best] < FILLER_MAX and not negated and _introduces(s, spans[k]):
            # one word near no value, just before a condition ("organise themselves in
            # hubs", "sit between local and central"): the verb that puts the condition,
            # not one of its own; said in the answer
            reading.ignored.append(text)
        else:
            reading.unread.append(fallback.get(text, text))


# Words that would change what a condition means and that are not read ("besides" may be
# "except" or "as well as"): never taken for a verb that only puts the next condition.
_UNREAD_OPERATORS = {"besides", "beyond", "unlike", "versus", "vs", "barring", "minus", "save",
                     "bar", "sans"}


# Words that change what the condition beside them means and that no rule reads: left out,
# the list would answer another question ("nearly 10 schools" is not "10 schools", "mostly
# primary" is not "a primary school", "the second largest" is not "the largest", "used to
# be local" is not "local"). Where no condition takes them, they are said as not read and
# nothing is listed; they are never read by similarity nor taken for a verb.
_CHANGING_WORDS = {
    # proportion and multiples
    "mostly", "mainly", "largely", "predominantly", "chiefly", "majority", "minority", "half",
    "partly", "partially", "twice", "double", "triple", "times", "proportion", "percent",
    "percentage", "ratio", "share", "fraction",
    # a rate or a sum of counts ("three schools per region", "secondaries and special
    # schools combined"; "over 50% primary schools": "%" is said as "percent"): no count a
    # vignette gives
    "per", "combined",
    # order other than the extreme
    "second", "third", "fourth", "fifth", "penultimate", "runner-up",
    # time and change: a past or future state is not today's
    "formerly", "previously", "originally", "once", "becoming", "become", "becomes",
    "plan", "plans", "planning", "planned", "intend", "intends", "want", "wants", "aim",
    "aims", "hope", "hopes", "future", "soon", "expect", "expects", "expected", "proposed",
    "propose", "proposes", "considering", "will",
    # a comparison that says not with what ("fewer secondary schools"), or whose "than" no
    # rule took ("more central than local")
    "more", "fewer", "less", "than",
    # a superlative no rule took ("the least rural": rural is no scale)
    "most", "least",
    # a vague count ("several special schools", "a few secondaries", "many primaries")
    # an equality no rule took ("the same number of ... as ...")
    "same", "equal", "equally", "identical",
    "several", "few", "many", "multiple", "lots", "lot", "couple", "handful", "numerous",
    "plenty", "various",
    # a negation in all but name ("hardly evaluate formally")
    "hardly", "barely", "scarcely", "rarely", "seldom",
    # an ending or a removal: had it once, may not now ("trusts that abolished local
    # governing bodies" listed the trusts that have them)
    "abolish", "abolished", "abolishes", "abolishing", "scrap", "scrapped", "scraps",
    "scrapping", "dropped", "abandon", "abandoned", "abandons", "abandoning", "removed",
    "removing", "replaced", "replacing", "disband", "disbanded", "dismantle", "dismantled",
    "ditch", "ditched", "stopped", "ceased", "discontinued", "phased", "axed"}
# Words that make a number approximate, and on which side of it they put the range read.
_APPROX_SIDES = {"about": "both", "around": "both", "roughly": "both", "approximately": "both",
                 "circa": "both", "approx": "both", "nearly": "below", "almost": "below"}
# Words that make the number after them approximate ("about 5 schools").
_APPROX_WORDS = {"nearly", "almost", "roughly", "approximately", "around", "about", "circa",
                 "approx", "some"}


_COMPARATIVES = {"more", "fewer", "less"}
_ABSENCE_VALUES = {"none", "no", "nil", "n/a", "not applicable", "unknown", "not known", "-"}  # in a phrase read by similarity: a scale's only


def _changes_meaning(s: _Scanner, k: int) -> bool:
    """Token k, if no condition took it, changes the meaning of the one beside it."""
    w = s.q[s.t[k].start:s.t[k].end].lower()
    if w in ("nearly", "almost"):
        return True
    if w in _APPROX_WORDS:
        return k + 1 < len(s.t) and _number(s.t[k + 1].text) is not None
    if w == "many" and k > 0 and s.t[k - 1].text == "how":
        return False  # "how many trusts": the count asked for
    if w == "used":  # "used to be local"
        return k + 1 < len(s.t) and s.t[k + 1].text == "to"
    if w in ("when", "until", "till") and k > 0:
        # "had more than 8 schools when they were founded", "were local until they
        # merged": a condition at another time than the vignette's today
        return True
    return w in _CHANGING_WORDS


def _introduces(s: _Scanner, span: tuple[int, int]) -> bool:
    """A leftover of at most `FILLER_WORDS` words followed, past small words only, by a
    condition: the verb or hedge that puts it ("organise themselves in hubs", "lean towards
    local decision making", "somewhere between 11 and 20 schools")."""
    i, j = span
    # (words that carry nothing, "cover a whole", are not counted)
    if (not 1 <= sum(x.text not in STOP for x in s.t[i:j]) <= FILLER_WORDS
            or any(x.text in _UNREAD_OPERATORS for x in s.t[i:j])):
        return False
    if j < len(s.t) and s.t[j].text == "than":
        return False  # "smaller than ...": a comparison not read, not a verb
    glued = (i > 0 and s.used[i - 1] and s.t[i - 1].text not in STOP | GROUP
             and s.t[i].text not in STOP)
    k = j
    while (k < len(s.t) and not s.used[k] and s.t[k].text in STOP
           and s.t[k].text not in NEGATIONS | {"and", "or", "but"}):
        k += 1
    # nouns straight after a word a condition took, before a comparison with a number,
    # continue its noun phrase ("a pupil premium rate above 30%", "school meals uptake over
    # 20"): the thing compared is another measure, not the field that word names; never a
    # verb putting the comparison
    return any(a == k and not (glued and c.op in ("<", "<=", ">", ">=", "=", "range"))
               for a, _, c in s.atoms)


def _run_end(s: _Scanner, j: int) -> int:
    """Where the run of words no condition took, which a leftover ends, ends: at a condition,
    a joining word, or the word naming the trusts (what follows that is not the leftover's:
    "the two ways trusts used coaching" compares "two ways", not the coaching)."""
    while (j < len(s.t) and not s.used[j] and s.t[j].text not in ("and", "or", "but")
           and s.t[j].text not in GROUP):
        j += 1
    return j


def _names_field(vocab: Vocabulary, text: str) -> bool:
    words = {_stem(w) for w in re.findall(r"[a-z]+", text.lower())} - STOP
    return bool(words) and any(words <= c.words for c in vocab.columns.values())


def _condition_for(field_: str, value: str, vocab: Vocabulary) -> Condition:
    if field_ in SCALES:
        lo, hi = SCALES[field_]
        return Condition(field_, "pos", {1, 2} if value == lo else {4, 5}, similar="")
    return Condition(field_, "is", value)


# ---- answering -------------------------------------------------------------------------------

def select(trusts: list, reading: Reading, vocab: Vocabulary) -> list:
    """The trusts a reading selects: any group whose conditions all hold; superlatives then
    keep the trusts at the extreme (ties kept) among those with a value."""
    out = []
    for g in reading.groups:
        plain = [c for c in g if c.op not in ("max", "min")]
        sup = [c for c in g if c.op in ("max", "min")]
        chosen = [t for t in trusts if all(c.holds(t, vocab) for c in plain)]
        for c in sup:
            def key(t, c=c):
                if c.field in SCALES:
                    return t.scales.get(c.field)
                return vocab.number(t, c.field)
            known = [t for t in chosen if key(t) is not None]
            if not known:
                chosen = []
                continue
            ranked = sorted({key(t) for t in known}, reverse=c.op == "max")
            keys = sorted((key(t) for t in known), reverse=c.op == "max")
            best = keys[min(int(c.value or 1), len(keys)) - 1] if c.value else ranked[0]
            # "not the largest": the others with a value; never the extreme itself; the top
            # few keep ties at the last place
            chosen = [t for t in known
                      if ((key(t) >= best) if c.op == "max" else (key(t) <= best)) != c.negated]
        out += [t for t in chosen if t not in out]
    return [t for t in trusts if t in out]


def describe(reading: Reading, vocab: Vocabulary) -> str:
    groups = [" and ".join(c.said(vocab) for c in g) for g in reading.groups if g]
    return "; or ".join(groups)
