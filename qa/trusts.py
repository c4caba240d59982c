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
# Read by qa/trust_questions.py (conditions from the question, vocabulary from the data).


@dataclass
class SetAnswer:
    """The trusts a question about the set selects, with why."""

    trusts: list[dict[str, Any]]  # {"name", "matched": {field: value}, "citation", "passage_id"}
    conditions: list[str]  # the conditions read from the question, in words
    message: str = ""  # e.g. why nothing matches
    headline: str = ""  # "Trusts whose mix of context is not rural (11 of 17):"
    count: bool = False  # a "How many trusts ...?" question
    total: int = 0  # trusts indexed
    unread: list[str] = field(default_factory=list)  # parts not read as a condition, as asked
    content: str = ""  # set-plus-content: the part answered from these trusts' passages
    files: list[str] = field(default_factory=list)  # the matching trusts' vignette files
    ignored: list[str] = field(default_factory=list)  # words taken as the question's verb


_VOCABULARY: dict[tuple[str, ...], Any] = {}


def vocabulary(trusts: list[Trust]):
    """The question vocabulary of a trusts table, built once per table (its MiniLM vectors
    too, on first use)."""
    from .trust_questions import Vocabulary

    key = tuple(t.passage_id for t in trusts)
    if key not in _VOCABULARY:
        if len(_VOCABULARY) > 8:
            _VOCABULARY.clear()
        _VOCABULARY[key] = Vocabulary(trusts)
    return _VOCABULARY[key]


def is_set_question(question: str) -> bool:
    from .trust_questions import is_set_question as cue

    return cue(question)


def _recorded_fields_named(unread: list[str], vocab, trusts: list) -> list[tuple[str, int, list[str]]]:
    """The unread phrases that are the label of a field some vignettes record ("religious
    character"), with how many record it and the values they give."""
    labels = {re.sub(r"\s*\(.*?\)", "", c.label).strip().lower(): c.name
              for c in vocab.columns.values()}
    out = []
    for u in unread:
        name = labels.get(" ".join(u.lower().split()))
        if name is None:
            continue
        values = [t.fields[name] for t in trusts if t.fields.get(name)]
        out.append((u, len(values), sorted(set(values), key=str.lower)))
    return out


def answer_set_question(question: str, trusts: list[Trust], embed=None) -> SetAnswer | None:
    """None when the question is not about the trusts as a group. Otherwise the matching
    trusts, led by the conditions in words. `embed` (texts -> vectors, MiniLM in the app)
    reads leftover phrases by similarity to the values; without it they are named as not
    read. A field no vignette records, or words no value has, are said, never guessed."""
    from .trust_questions import describe, read_question, select

    if not trusts:
        if not is_set_question(question):
            return None
        message = ("No trust vignettes are indexed, so the trusts cannot be listed; the "
                   "passages below may still say something about them.")
        return SetAnswer([], [], message, headline=message)
    vocab = vocabulary(trusts)
    reading = read_question(question, vocab, embed)
    if reading is None:
        return None
    conditions = [c.said(vocab) for g in reading.groups for c in g]
    said = describe(reading, vocab)
    total = len(trusts)
    answer = SetAnswer([], conditions, count=reading.count, total=total,
                       unread=list(reading.unread), content=reading.content,
                       ignored=list(reading.ignored))
    if reading.missing_fields:
        answer.message = ("No vignette records " + " or ".join(
            f"'{f}'" for f in reading.missing_fields) + ", so no trust is listed"
            + (f" (also read: trusts {said})" if said else "") + ".")
        answer.headline = answer.message
        return answer
    if reading.changing:
        answer.message = (" and ".join(f"“{u}”" for u in reading.changing)
                          + (" change" if len(reading.changing) > 1 else " changes")
                          + " what the question asks and no rule here reads "
                          + ("them" if len(reading.changing) > 1 else "it")
                          + ", so no trust is "
                          "listed" + (f" (read: trusts {said})" if said else "")
                          + "; the passages below may say more.")
        answer.headline = answer.message
        return answer
    if reading.about_field:
        # near a field's name as much as any of its values: which value is not guessed (an
        # antonym, "secular", is near the very value it denies)
        parts = []
        for u, f in reading.about_field:
            values = sorted({t.fields[f] for t in trusts if t.fields.get(f)}, key=str.lower)
            parts.append(f"“{u}” is read as about {vocab.columns[f].said()} (recorded by "
                         f"{sum(bool(t.fields.get(f)) for t in trusts)} of "
                         f"{total} vignettes: {', '.join(values)}), not as one of its values")
        answer.message = ("; ".join(parts) + ", so no trust is listed"
                          + (f" (read: trusts {said})" if said else "")
                          + "; the passages below may say more.")
        answer.unread += [u for u, _ in reading.about_field]
        answer.headline = answer.message
        return answer
    if reading.not_comparable:
        # "more pupils than Larkspur", whose vignette gives no pupil numbers
        answer.message = ("; ".join(reading.not_comparable) + ", so there is nothing to "
                          "compare with and no trust is listed"
                          + (f" (read: trusts {said})" if said else "")
                          + "; the passages below may say more.")
        answer.headline = answer.message
        return answer
    named = _recorded_fields_named(reading.unread, vocab, trusts)
    if named:
        # the words are a field the vignettes do record, with no value to match: saying "No
        # vignette records" would be false
        answer.message = ("; ".join(
            f"“{u}” is recorded by {n} of {total} vignettes ({', '.join(values)}), but the "
            f"question gives no value of it to match" for u, n, values in named)
            + ", so no trust is listed; the passages below may say more.")
        answer.headline = answer.message
        return answer
    if reading.unread:
        # words no value has: the same plain reason as a field no vignette has
        answer.message = ("No vignette records "
                          + " or ".join(f"“{u}”" for u in reading.unread)
                          + ", so no trust is listed"
                          + (f" (read: trusts {said})" if said else "")
                          + "; the passages below may say more.")
        answer.headline = answer.message
        return answer
    if reading.ambiguous:
        answer.message = ("Not read as one list: " + "; ".join(reading.ambiguous)
                          + " can be read more than one way, so no trust is listed"
                          + (f" (read: trusts {said})" if said else "")
                          + "; the passages below may say more.")
        answer.headline = answer.message
        return answer
    chosen = select(trusts, reading, vocab)
    for t in chosen:
        matched: dict[str, str] = {}  # the values the conditions were tested on, as written
        for c in (c for g in reading.groups for c in g):
            for sub in getattr(c, "conds", [c]):
                f = "number_of_schools" if sub.field in SCHOOL_COLUMNS else sub.field
                if t.fields.get(f) and (sub.op in ("max", "min") or c.negated
                                        or sub._holds(t, vocab)):
                    matched[f] = t.fields[f]
        answer.trusts.append({"name": t.name, "matched": matched, "citation": t.citation,
                              "passage_id": t.passage_id})
        answer.files.append(t.file)
    n = len(chosen)
    if not chosen:
        answer.message = "No trust matches: " + (f"trusts {said}" if said else "the question") + "."
        answer.headline = answer.message
    elif not said:
        answer.headline = f"All {count_words(n, total)}:"
    elif reading.count:
        answer.headline = f"{n} of {total} trusts: those {said}."
    else:
        answer.headline = f"Trusts {said} ({n} of {total}):"
    unknown = [t for t in trusts if any(c.negated and not c.known(t, vocab)
                                        for g in reading.groups for c in g)]
    if unknown:  # a negation never lists a trust whose vignette does not record the field
        note = (f"{len(unknown)} trust{'s' if len(unknown) != 1 else ''} whose vignettes do "
                f"not record it left out")
        answer.headline = (answer.headline[:-1] + f"; {note}:" if answer.headline.endswith(":")
                           else answer.headline + f" ({note}.)")
    unstated = {}  # a field a vignette records, but with nothing the condition can test
    for c in (c for g in reading.groups for c in g):
        for sub in getattr(c, "conds", [c]):
            f = "number_of_schools" if sub.field in SCHOOL_COLUMNS else sub.field
            for t in trusts:
                if t.fields.get(f) and not sub.known(t, vocab) and t.name not in unstated:
                    unstated[t.name] = (sub, t.fields[f])
    if unstated:
        note = "; ".join(
            f"{name} records {vocab.columns[sub.field].said() if sub.field in vocab.columns else sub.field}"
            f" as “{value}”, which gives no value to test, so it is not listed"
            for name, (sub, value) in unstated.items())
        answer.headline = (answer.headline[:-1] + f"; {note}:" if answer.headline.endswith(":")
                           else answer.headline + f" ({note}.)")
    if reading.respelled:  # "“schoools” read as “schools”": said, never silently
        note = " and ".join(f"“{w}” read as “{to}”" for w, to in reading.respelled)
        answer.headline = (answer.headline[:-1] + f" ({note}):" if answer.headline.endswith(":")
                           else answer.headline + f" ({note}.)")
    if reading.ignored:  # said, never dropped silently
        note = " and ".join(f"“{w}”" for w in reading.ignored) + (
            " is" if len(reading.ignored) == 1 else " are") + " not read as a condition"
        answer.headline = (answer.headline[:-1] + f"; {note}:" if answer.headline.endswith(":")
                           else answer.headline + f" ({note}.)")
    if reading.content and chosen:
        answer.headline += (f" “{reading.content}” is answered below from these trusts' "
                            "vignettes and the passages that name them.")
    return answer


def passages_about(index, answer: SetAnswer) -> tuple[str, ...]:
    """For a set-plus-content question: the ids of the matching trusts' vignette passages and
    of the passages that name one of them (its name as the vignette's title gives it)."""
    files = set(answer.files)
    names = [re.sub(r"\s*\([^)]*\)\s*$", "", t["name"]).strip().lower()
             for t in answer.trusts]
    names = [n for n in names if len(n) > 3]
    return tuple(p.id for p in index.passages
                 if p.file in files or any(n in p.text.lower() for n in names))
