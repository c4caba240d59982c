"""The trusts side by side: one row per indexed vignette, its key dimensions as written, the
number of schools as numbers and the scales as ordered positions; filters; questions about
the set ("Which trusts are rural?"); CSV and Word exports with a reference per vignette.

Built from the index's vignette passages (ingest parsed their key dimensions); the app and
the CLI only show it. A trust's name is its vignette's title; each row cites the vignette.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.vignettes import (
    FIELDS,
    NOT_STATED,
    SCALES,
    SCHOOL_TYPES,
    canonical_field,
    field_label,
    parse_schools,
    scale_position,
    scale_word,
)

# The columns, in the synopsis's order of key dimensions (FIELDS is in label-matching order).
DIMENSIONS = ["number_of_schools", "distribution", "urban_rural", "decision_making",
              "governance", "delegation", "improvement_priorities", "evaluation", "stage"]
assert set(DIMENSIONS) == set(FIELDS)
SCHOOL_COLUMNS = ["total", *SCHOOL_TYPES]


@dataclass
class Trust:
    name: str  # the vignette's title
    file: str
    citation: str
    passage_id: str
    page: int | None
    fields: dict[str, str]  # dimension -> value as written ("other:<label>" for unknown ones)
    schools: dict[str, int] = field(default_factory=dict)
    scales: dict[str, int | None] = field(default_factory=dict)  # 1..5, None: not stated
    text: str = ""  # the vignette passage, verbatim

    def value(self, name: str) -> str:
        return self.fields.get(name, "")

    def scale_word(self, name: str) -> str:
        return scale_word(name, self.scales.get(name))

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "file": self.file, "citation": self.citation,
                "passage_id": self.passage_id, "page": self.page, "fields": dict(self.fields),
                "schools": dict(self.schools),
                "scales": {n: {"position": self.scales.get(n), "word": self.scale_word(n)}
                           for n in SCALES if n in self.fields}}


def trust_from_passage(p) -> Trust:
    fields = dict(p.key_dimensions or {})
    schools = {}
    if fields.get("number_of_schools"):
        schools, _ = parse_schools(fields["number_of_schools"].split("; ")[0])
    scales = {n: scale_position(n, fields[n].split("; ")[0]) for n in SCALES if n in fields}
    return Trust(p.title, p.file, p.citation, p.id, p.page, fields, schools, scales, p.text)


def trust_table(index) -> list[Trust]:
    """Every indexed vignette as a Trust, by name."""
    if index is None:
        return []
    seen: set[str] = set()
    out = []
    for p in index.passages:
        if p.kind == "vignette" and p.file not in seen:
            seen.add(p.file)
            out.append(trust_from_passage(p))
    out.sort(key=lambda t: t.name.lower())
    return out


def columns(trusts: list[Trust]) -> list[str]:
    """The dimension columns the table shows: the known ones any trust has, then the unknown
    ones (kept as written), in order of first appearance."""
    have = {n for t in trusts for n in t.fields}
    known = [n for n in DIMENSIONS if n in have]
    other = list(dict.fromkeys(n for t in trusts for n in t.fields if n not in FIELDS))
    return known + other


# ---- filters --------------------------------------------------------------------------------

_WHERE = re.compile(r"^\s*([^=<>!]+?)\s*(>=|<=|!=|=|>|<)\s*(.*?)\s*$")


@dataclass(frozen=True)
class Where:
    """One condition: a dimension whose value contains `value` (case-insensitive), or a school
    count compared with a number ("schools>5", "special>=1")."""

    field: str
    op: str
    value: str

    def test(self, t: Trust) -> bool:
        if self.field in SCHOOL_COLUMNS:
            if not t.schools or self.field not in t.schools and self.field == "total":
                return False
            n = t.schools.get(self.field, 0)
            want = int(self.value)
            return {"=": n == want, "!=": n != want, ">": n > want, "<": n < want,
                    ">=": n >= want, "<=": n <= want}[self.op]
        have = t.fields.get(self.field, "")
        if self.field in SCALES and self.value.lower() == NOT_STATED:
            hit = t.scales.get(self.field) is None
        else:
            hit = bool(have) and self.value.lower() in have.lower()
        return hit if self.op == "=" else not hit

    def label(self) -> str:
        name = "number of schools" if self.field == "total" else (
            f"{self.field.replace('_', '-')} schools" if self.field in SCHOOL_COLUMNS
            else field_label(self.field))
        return f"{name} {self.op} {self.value}"


class WhereError(ValueError):
    pass


def parse_where(text: str) -> Where:
    """"FIELD=VALUE" (FIELD a dimension's name or label), or "schools>5", "primary>=3"."""
    m = _WHERE.match(text or "")
    if not m:
        raise WhereError(f"{text!r}: expected FIELD=VALUE, or schools>N")
    name, op, value = m.group(1).strip().lower(), m.group(2), m.group(3)
    school = {"schools": "total", "total": "total", "number_of_schools": "total"}.get(
        name.replace(" ", "_"), name.replace(" ", "_").replace("-", "_"))
    if school in SCHOOL_COLUMNS and (op not in ("=", "!=") or value.strip().isdigit()):
        if not value.strip().isdigit():
            raise WhereError(f"{text!r}: {name} is compared with a whole number")
        return Where(school, op, value.strip())
    if op not in ("=", "!="):
        raise WhereError(f"{text!r}: only = and != apply to {name}")
    if name in FIELDS:
        return Where(name, op, value)
    if name.startswith("other:"):
        return Where(m.group(1).strip(), op, value)
    canonical = canonical_field(name)
    if canonical is None:
        raise WhereError(f"{text!r}: no dimension called {name!r}; the dimensions are "
                         + ", ".join(DIMENSIONS) + ", or schools/primary/secondary/... with a "
                         "number")
    return Where(canonical, op, value)


def filter_trusts(trusts: list[Trust], wheres: list[Where]) -> list[Trust]:
    return [t for t in trusts if all(w.test(t) for w in wheres)]


def count_words(shown: int, total: int) -> str:
    return f"{shown} of {total} trust{'s' if total != 1 else ''}"


# ---- exports --------------------------------------------------------------------------------

def table_rows(trusts: list[Trust]) -> tuple[list[str], list[list[str]]]:
    """Header and rows for CSV and Word: name, every dimension as written, the school counts,
    the scale positions, the citation and the file."""
    cols = columns(trusts)
    kinds = [k for k in SCHOOL_COLUMNS if any(k in t.schools for t in trusts)]
    scales = [n for n in SCALES if n in cols]
    header = (["Trust"] + [field_label(c) for c in cols]
              + [("Schools (total)" if k == "total" else f"Schools: {k.replace('_', '-')}")
                 for k in kinds]
              + [f"{field_label(n)} (position 1-5)" for n in scales] + ["Citation", "File"])
    rows = []
    for t in trusts:
        rows.append([t.name] + [t.value(c) for c in cols]
                    + [("" if k not in t.schools else str(t.schools[k])) for k in kinds]
                    + [("" if t.scales.get(n) is None else str(t.scales[n])) for n in scales]
                    + [t.citation, t.file])
    return header, rows


def to_csv(trusts: list[Trust]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    header, rows = table_rows(trusts)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def references(index, trusts: list[Trust]):
    from .export import Reference, references_for

    if index is None:
        return [Reference(t.file, t.name, doc_type="vignette") for t in trusts]
    return references_for(index, [t.file for t in trusts])


def to_docx(trusts: list[Trust], path: Path, index=None, title: str = "Trusts side by side",
            note: str = "") -> Path:
    """The table in Word: one row per trust with a numbered reference to its vignette, and
    the reference list."""
    import docx
    from docx.shared import Pt

    d = docx.Document()
    d.core_properties.title = title
    d.add_heading(title, level=0)
    if note:
        d.add_paragraph(note)
    header, rows = table_rows(trusts)
    header = header[:-2] + ["Source"]
    table = d.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    refs = references(index, trusts)
    number = {r.file: i for i, r in enumerate(refs, 1)}
    for t, row in zip(trusts, rows, strict=True):
        cells = table.add_row().cells
        for cell, text in zip(cells, row[:-2] + [f"[{number[t.file]}] {t.citation}"],
                              strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(8)
    d.add_heading("References", level=1)
    for r in refs:
        d.add_paragraph(r.text(), style="List Number")
    path = Path(path)
    d.save(str(path))
    return path


# ---- questions about the set ------------------------------------------------------------------

_NUM_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_GROUP = r"(?:trusts|federations|mats|multi-academy trusts|vignettes|partnerships|case studies)"
# "Which trusts", "how many of the trusts", "which urban trusts" (up to two describing words,
# never a verb: "what do trusts do about finance?" is not about the set).
_NOT_DESCRIBING = (r"(?!(?:do|does|did|are|is|was|were|can|could|should|would|will|must|"
                   r"have|has|had|make|makes|help|helps|goes|go|happens)\b)")
_SET_CUE = re.compile(
    rf"\b(?:which|what|how many|list|name|show|count)(?: of)?(?: the| all| our)?"
    rf"(?: {_NOT_DESCRIBING}[a-z][\w/-]*){{0,2}}? {_GROUP}\b"
    rf"|^(?:and |list |show )?(?:the |all )?{_GROUP} (?:with|that|which|where|having|whose|in)\b"
    rf"|\b(?:any|are there) {_GROUP}\b", re.I)
_STOP = set("""a an the of in on at to for from by with without and or but not no nor that which
who whom whose what how many much is are was were be been being do does did have has had
having there their they them it its this these those as than then so such any all some each
every only also just still currently more most less fewer one ones both either neither other own same please
tell me us show list name count give find trusts trust federations federation mats mat
vignettes vignette partnerships partnership case cases studies study schools school academies
academy where when run runs use uses using used set sets setting rely relies work works
working take takes approach model way ways through via like kind sort type their our your
whose indexed fictional evidence have described include includes including included contain
contains containing hold holds got serve serves serving located based operate operates
operating describe describes led lead leads among within across into out up about over
would could should can may might does tend tends seem seems sample case-study surveyed
studied felt feel feels say says said""".split())
# A word that names a dimension points the words around it at that dimension.
_HINTS = {
    "governance": "governance", "governed": "governance", "board": None,
    "delegation": "delegation", "delegate": "delegation", "delegated": "delegation",
    "evaluation": "evaluation", "evaluate": "evaluation", "evaluated": "evaluation",
    "evaluating": "evaluation", "priorities": "improvement_priorities",
    "priority": "improvement_priorities", "improvement": "improvement_priorities",
    "decision": "decision_making", "decisions": "decision_making", "making": "decision_making",
    "distribution": "distribution", "distributed": "distribution", "spread": "distribution",
    "context": "urban_rural", "mix": "urban_rural", "stage": "stage",
}
_TYPE_WORDS = {
    "primary": "primary", "primaries": "primary", "secondary": "secondary",
    "secondaries": "secondary", "special": "special", "all-through": "all_through",
    "utc": "utc", "utcs": "utc", "studio": "studio", "nursery": "nursery",
    "alternative provision": "alternative_provision",
}
_CMP = [
    (r"(?:more than|over|greater than|above)", ">"), (r"(?:at least|no fewer than|no less than)",
                                                       ">="),
    (r"(?:fewer than|less than|under|below)", "<"), (r"(?:at most|no more than|up to)", "<="),
    (r"(?:exactly|just|only)", "="),
]


@dataclass
class SetAnswer:
    """The trusts a question about the set selects, with why."""

    trusts: list[dict[str, Any]]  # {"name", "matched": {field: value}, "citation", "passage_id"}
    conditions: list[str]  # the conditions read from the question, in words
    message: str = ""  # e.g. why nothing matches


def _numbers(text: str) -> str:
    return re.sub(r"\b(" + "|".join(_NUM_WORDS) + r")\b", lambda m: _NUM_WORDS[m.group(1)],
                  text)


def is_set_question(question: str) -> bool:
    return bool(_SET_CUE.search(question or ""))


def _school_conditions(q: str) -> tuple[list[Where], str]:
    """School-count conditions in the question, and the question with them cut out."""
    wheres: list[Where] = []
    types = "|".join(sorted((re.escape(w) for w in _TYPE_WORDS), key=len, reverse=True))
    noun = r"(?:schools?|academies|colleges?)"

    def kind(word: str | None) -> str:
        return _TYPE_WORDS[word] if word else "total"

    def cut(m: re.Match) -> str:
        return " " * (m.end() - m.start())

    for words, op in _CMP:
        pat = re.compile(rf"\b{words}\s+(\d+)\s+(?:({types})\s+)?{noun}\b")
        for m in pat.finditer(q):
            wheres.append(Where(kind(m.group(2)), op, m.group(1)))
        q = pat.sub(cut, q)
    pat = re.compile(rf"\b(\d+)\s+or\s+(more|fewer|less)\s+(?:({types})\s+)?{noun}\b")
    for m in pat.finditer(q):
        wheres.append(Where(kind(m.group(3)), ">=" if m.group(2) == "more" else "<=",
                            m.group(1)))
    q = pat.sub(cut, q)
    pat = re.compile(rf"\bbetween\s+(\d+)\s+and\s+(\d+)\s+(?:({types})\s+)?{noun}\b")
    for m in pat.finditer(q):
        wheres += [Where(kind(m.group(3)), ">=", m.group(1)),
                   Where(kind(m.group(3)), "<=", m.group(2))]
    q = pat.sub(cut, q)
    pat = re.compile(rf"\b(\d+)\s+(?:({types})\s+)?{noun}\b")
    for m in pat.finditer(q):
        wheres.append(Where(kind(m.group(2)), "=", m.group(1)))
    q = pat.sub(cut, q)
    pat = re.compile(rf"\b(?:a|an|any|one or more|some)?\s*({types})(?:\s+{noun})?\b")
    for m in pat.finditer(q):
        if m.group(1):
            wheres.append(Where(kind(m.group(1)), ">=", "1"))
    q = pat.sub(cut, q)
    if re.search(r"\bcross[- ]phase\b", q):
        wheres += [Where("primary", ">=", "1"), Where("secondary", ">=", "1")]
        q = re.sub(r"\bcross[- ]phase\b", " ", q)
    if re.search(r"\bsingle[- ]school\b", q):
        wheres.append(Where("total", "=", "1"))
        q = re.sub(r"\bsingle[- ]school\b", " ", q)
    return wheres, q


def _contains(value: str, phrase: str) -> bool:
    """The value has the phrase as whole words, and not negated ("without local governing
    bodies" does not have local governing bodies)."""
    for m in re.finditer(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", value.lower()):
        before = value.lower()[:m.start()].split()
        if not before or before[-1] not in ("without", "no", "not", "non", "never"):
            return True
    return False


def _phrase_holds(t: Trust, name: str, phrase: str, exact: bool) -> bool:
    """A phrase from the question holds for a trust's field: on a scale, a pole word ("local",
    "formal") or "balanced" is a position (so "balanced between local and central" is not
    "local"); where some vignette has the phrase as its whole value ("rural"), only the whole
    value counts ("mixed urban and rural" is not "rural"); otherwise the value contains it."""
    value = t.fields.get(name, "")
    if name in SCALES:
        lo, hi = SCALES[name]
        word = phrase.split()[-1]
        position = t.scales.get(name)
        if word in (lo, hi, "balanced"):
            if position is None:
                return False
            return {lo: position <= 2, hi: position >= 4, "balanced": position == 3}[word]
    if exact:
        return any(v.strip().lower() == phrase for v in value.split("; "))
    return _contains(value, phrase)


def answer_set_question(question: str, trusts: list[Trust]) -> SetAnswer | None:
    """None when the question is not about the trusts as a group. Otherwise the matching
    trusts: every condition (a school count, or words found in the vignettes' own values)
    must hold. Words the vignettes carry no value for make the answer empty, and say so."""
    if not is_set_question(question):
        return None
    if not trusts:
        return SetAnswer([], [], "No trust vignettes are indexed, so the trusts cannot be "
                         "listed; the passages below may still say something about them.")
    q = _numbers(" ".join(question.lower().replace("?", " ").split()))
    wheres, q = _school_conditions(q)
    tokens = re.findall(r"[a-z0-9][a-z0-9'/-]*", q)
    hints = {_HINTS[w] for w in tokens if _HINTS.get(w)}
    values = {(t.passage_id, n): v.lower() for t in trusts for n, v in t.fields.items()
              if n != "number_of_schools"}
    phrase_conditions: list[tuple[str, list[str]]] = []  # phrase, the fields it may match
    unknown: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i] in _STOP or tokens[i] in _HINTS:
            i += 1
            continue
        for length in range(min(6, len(tokens) - i), 0, -1):
            words = tokens[i:i + length]
            if words[-1] in _STOP:
                continue
            phrase = " ".join(words)
            where = {n for (_, n), v in values.items() if _contains(v, phrase)}
            if where:
                # A one-word category ("rural", "local") is matched as the whole value.
                exact = {n for (_, n), v in values.items() if v == phrase and length == 1}
                hinted = where & hints
                fields = sorted(hinted or exact or where)
                phrase_conditions.append((phrase, fields, bool(set(fields) & exact)))
                i += length
                break
        else:
            # "informally" -> "informal", "councils" -> "council", "centralised" -> "central"
            word = tokens[i]
            variants = [word[:-n] for suffix, n in (("ly", 2), ("ised", 4), ("ized", 4),
                                                    ("s", 1)) if word.endswith(suffix)]
            variant = next((v for v in variants if len(v) > 2 and any(
                _contains(value, v) for value in values.values())), None)
            if variant is None:
                unknown.append(word)
            else:
                where = {n for (_, n), v in values.items() if _contains(v, variant)}
                exact = {n for (_, n), v in values.items() if v == variant}
                fields = sorted(where & hints or exact or where)
                phrase_conditions.append((variant, fields, bool(set(fields) & exact)))
            i += 1
    conditions = [w.label() for w in wheres] + [
        f"{' or '.join(field_label(f) for f in fs)} {'is' if exact else 'includes'} “{p}”"
        for p, fs, exact in phrase_conditions]
    if unknown:
        return SetAnswer([], conditions, "No trust matches: the indexed vignettes carry no "
                         "value " + ", ".join(f"“{w}”" for w in unknown) + ".")
    out = []
    for t in trusts:
        if not all(w.test(t) for w in wheres):
            continue
        matched: dict[str, str] = {}
        ok = True
        for phrase, fs, exact in phrase_conditions:
            hit = [f for f in fs if _phrase_holds(t, f, phrase, exact)]
            if not hit:
                ok = False
                break
            for f in hit:
                matched[f] = t.fields[f]
        if not ok:
            continue
        if wheres and "number_of_schools" in t.fields:
            matched["number_of_schools"] = t.fields["number_of_schools"]
        out.append({"name": t.name, "matched": matched, "citation": t.citation,
                    "passage_id": t.passage_id})
    message = "" if out else "No trust in the indexed vignettes matches " + (
        "; ".join(conditions) if conditions else "this question") + "."
    return SetAnswer(out, conditions, message)
