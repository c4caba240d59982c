"""Trust vignettes as structured cases: the "Key dimensions" block parsed into fields.

A vignette is a one-page case study of a trust with the same key dimensions (number of schools
by phase and type, distribution, urban/rural mix, local/central balance, governance,
delegation, how improvement priorities are set, informal/formal evaluation). Every field the
vignette has is kept as written; what cannot be read (an unknown dimension, a line without a
value, a number of schools that does not add up, a field given twice) is kept too, with a
warning that names the field. Nothing is dropped and nothing is guessed: a scale the text does
not place (a vignette that only shows it in a graphic) is "not stated".

The same parser reads the block at ingest (for the passage's filter metadata and the Sources
warnings) and again in `qa/trusts.py` from the vignette passage's text, so both agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .structure import _ends_open

MARKER = "key dimensions"
NOT_STATED = "not stated"

# Canonical field name -> (label people read, pattern that recognises the label as written).
# Order matters: the first pattern that matches a label wins ("Evaluation of school
# improvement" is evaluation, not improvement priorities).
FIELDS: dict[str, tuple[str, re.Pattern]] = {
    "number_of_schools": ("Number of schools",
                          re.compile(r"\b(number|no\.?) of (schools|academies)\b|schools by "
                                     r"(phase|type)|^schools$|^size$", re.I)),
    "evaluation": ("Evaluation of school improvement",
                   re.compile(r"evaluat|informal\s*/\s*formal|formal\s*/\s*informal", re.I)),
    "improvement_priorities": ("Setting improvement priorities",
                               re.compile(r"improvement priorit|setting priorit|priorities|"
                                          r"priority[- ]setting", re.I)),
    "decision_making": ("Local/central decision making",
                        re.compile(r"local\s*(/|vs?\.?|versus|or|and|–|-)\s*central|"
                                   r"central\s*(/|vs?\.?|versus|or|and|–|-)\s*local|"
                                   r"decision[- ]making", re.I)),
    "governance": ("Approach to governance", re.compile(r"governance", re.I)),
    "delegation": ("Model of delegation", re.compile(r"delegation", re.I)),
    "urban_rural": ("Mix of context (urban/rural)",
                    re.compile(r"urban|rural|mix of context|^context$", re.I)),
    "distribution": ("Distribution", re.compile(r"distribution|geograph", re.I)),
    "stage": ("Settled/evolving", re.compile(r"settled|evolving|stage of development", re.I)),
}
# Fields every vignette is expected to have (the synopsis's eight); "stage" is optional.
EXPECTED = [n for n in FIELDS if n != "stage"]

# Scales: field -> (low pole, high pole). Positions 1..5 from low to high.
# Labels as vignettes write them, longest first: how a label with no separator after it is
# told from its value ("Model of delegation earned autonomy").
KNOWN_LABELS = sorted({x.lower() for x in (
    "Number of schools", "Number of academies", "Schools by phase and type", "Distribution",
    "Geographical distribution", "Mix of context", "Urban/rural mix", "Urban/rural",
    "Balance of local/central decision making", "Local/central decision making",
    "Balance of local and central decision making", "Decision making",
    "Approach to governance", "Governance", "Model of delegation", "Delegation",
    "Way of setting school improvement priorities", "Setting school improvement priorities",
    "School improvement priorities", "Setting improvement priorities",
    "Evaluation of school improvement", "Informal/formal evaluation", "Evaluation",
    "Settled/evolving", "Stage of development", "No of schools",
    "No of schools, by phase and type", "Number of schools, by phase and type",
    "Informal or formal approaches to evaluate the effectiveness of school improvement",
    "Informal or formal approaches to evaluation", "No. of schools", "Local/central balance",
    "Balance of local and central decision-making", "Balance of local/central decision-making",
    "Evaluating school improvement", "Mix of context (urban/rural)", "Urban/rural context",
    "Improvement priorities", "Way of setting improvement priorities", "Priority setting",
    "Local vs central", "Scheme of delegation")}, key=len, reverse=True)


def _label_key(text: str) -> str:
    """A label as compared with the known ones: case, bold marks, a bracketed hint, "No.",
    hyphens and a trailing colon aside ("No. of schools:" is "no of schools")."""
    t = text.lower().replace("*", "").replace("_", " ")
    t = re.sub(r"\([^)]*\)", " ", t)
    t = re.sub(r"\bno\.", "no ", t).replace("-", " ").replace("&", " and ")
    t = " ".join(t.split()).strip(" :|–—")
    return t


KNOWN_KEYS = frozenset(_label_key(k) for k in KNOWN_LABELS)


def is_known_label(text: str) -> bool:
    """The text is a dimension's label as vignettes write it, and nothing else."""
    return _label_key(text) in KNOWN_KEYS


def _known_label_start(text: str) -> bool:
    """The text is the first part of a known label wrapped onto more lines ("School
    improvement" / "priorities")."""
    key = _label_key(text)
    return bool(key) and any(k.startswith(key + " ") for k in KNOWN_KEYS)


# Column names a table's header row gives ("Dimension | Description"): not a field.
_HEADER_WORDS = re.compile(r"^(key )?(dimensions?|descriptions?|features?|values?|details?|"
                           r"characteristics?|aspects?|categor(y|ies)|fields?|items?|"
                           r"(this |the )?trust|notes?|comments?|summary|response|information|"
                           r"labels?|attributes?|headings?|criteri(on|a)|factors?|"
                           r"measures?|indicators?)$", re.I)
# Labels that close a block rather than name a dimension ("Source: annual report.").
_AFTER_BLOCK = re.compile(r"^(sources?|notes?|photo(graph)?s?|images?|figures?|credits?|"
                          r"contact|website|(last )?updated|written by|authors?|dates?|see|"
                          r"references?|disclaimer)$", re.I)

SCALES: dict[str, tuple[str, str]] = {
    "decision_making": ("local", "central"),
    "evaluation": ("informal", "formal"),
    "stage": ("settled", "evolving"),
}
SCALE_WORDS = {1: "very {lo}", 2: "more {lo}", 3: "balanced", 4: "more {hi}", 5: "very {hi}"}

# School types a vignette names, with the words and abbreviations used for them.
# Top-level phases add up to the total; UTCs and studio schools are kinds of secondary school.
SCHOOL_TYPES: dict[str, re.Pattern] = {
    "primary": re.compile(r"^(p|pri|prim|primary|primaries|infants?|juniors?)$", re.I),
    "secondary": re.compile(r"^(s|sec|secondary|secondaries|high)$", re.I),
    "special": re.compile(r"^(special|sp|spec|sen)$", re.I),
    "all_through": re.compile(r"^(all[- ]?through|at)$", re.I),
    "alternative_provision": re.compile(r"^(ap|aps|pru|prus|alternative provision)$", re.I),
    "nursery": re.compile(r"^(nursery|nurseries|n)$", re.I),
    "middle": re.compile(r"^(middle)s?$", re.I),
    "utc": re.compile(r"^(utc|utcs|university technical colleges?)$", re.I),
    "studio": re.compile(r"^(ss|studio|studios|studio schools?)$", re.I),
}
SUBTYPES = {"utc": "secondary", "studio": "secondary"}
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty".split())}
_COUNT = re.compile(r"(\d+|" + "|".join(_NUMBER_WORDS) + r")\s*(?:x\s*)?"
                    r"([A-Za-z][A-Za-z-]*(?:\s+(?:schools?|colleges?|provision|through))?)",
                    re.I)


@dataclass
class VignetteField:
    """One key-dimension line as written, and what it was read as."""

    name: str  # canonical name (FIELDS) or "other:<label as written>" for an unknown one
    label: str  # the label as written in the vignette
    value: str  # the value as written
    line: int  # index of the line within the text it was parsed from


@dataclass
class Vignette:
    fields: list[VignetteField] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    schools: dict[str, int] = field(default_factory=dict)
    scales: dict[str, int | None] = field(default_factory=dict)  # position 1..5, None: not stated

    def values(self) -> dict[str, str]:
        """Field name -> value as written (a field given twice: both values, joined by "; ")."""
        out: dict[str, str] = {}
        for f in self.fields:
            out[f.name] = f"{out[f.name]}; {f.value}" if f.name in out else f.value
        return out

    def labels(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for f in self.fields:
            out.setdefault(f.name, f.label)
        return out


def field_label(name: str) -> str:
    if name in FIELDS:
        return FIELDS[name][0]
    return name.split(":", 1)[1] if name.startswith("other:") else name


def canonical_field(label: str) -> str | None:
    label = " ".join(label.replace("*", "").split()).strip(" -–—:|").strip()
    if not label:
        return None
    for name, (_, pattern) in FIELDS.items():
        if pattern.search(label):
            return name
    return None


def is_marker(line: str) -> bool:
    """The block's heading: "Key dimensions", or a few words more ("Key dimensions of the
    trust", "KEY DIMENSIONS (2023)"), not a sentence that mentions them."""
    text = " ".join(line.strip().lstrip("#").strip().strip("*").strip().rstrip(":").split())
    low = text.lower()
    return low == MARKER or (low.startswith(MARKER + " ") and len(text.split()) <= 6
                             and not text.endswith((".", ",", ";")))


def _clean_line(line: str) -> str:
    """A Markdown list or table line as plain "label: value" text."""
    s = line.strip()
    s = re.sub(r"^([-*•]|\d+[.)])\s+", "", s)
    if s.startswith("|") and s.endswith("|"):
        cells = [c.strip() for c in s.strip("|").split("|")]
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
            return ""  # a Markdown table's rule line
        s = ": ".join(c for c in cells if c) if len(cells) == 2 else " | ".join(cells)
    s = s.replace("**", "").replace("__", "")
    return s.strip()


def _cell_label(label: str) -> bool:
    """A table cell or column that can be a label, named dimension or not ("Year founded")."""
    label = label.strip()
    return bool(label) and len(label) <= 60 and len(label.split()) <= 8 and not \
        label.endswith((".", ";", ",")) and re.search(r"[^\W\d_]", label) is not None


def _split_label(line: str) -> tuple[str, str, bool]:
    """(label, value, had_separator). "Label: value", "Label | value", "Label – value",
    or a known label followed by its value with no separator (PDF table text)."""
    # A cell boundary (" | ", a tab) outranks a colon inside the value ("4 schools - 3 P: 1").
    for sep in (" | ", "\t"):
        label, found, value = line.partition(sep)
        if found and label.strip() and (canonical_field(label) or _cell_label(label)):
            return label.strip(), value.strip(), True
    # Otherwise the first separator that ends a label: "Number of schools – 9 schools - 6 P:
    # 3 S" splits at the dash, "Governance: board - trust" at the colon.
    best: tuple[int, str] | None = None
    for sep in (":", " – ", " — ", " - "):
        at = line.find(sep)
        while at > 0:
            label = line[:at]
            if label.strip() and (sep == ":" or canonical_field(label)):
                if best is None or at < best[0]:
                    best = (at, sep)
                break
            at = line.find(sep, at + 1) if sep != ":" else -1
    if best is not None:
        at, sep = best
        return line[:at].strip(), line[at + len(sep):].strip(), True
    # "Number of schools 5 (3 P, 2 S)" (PDF table text): a label as the synopsis writes it,
    # then its value.
    low = line.lower()
    for known in KNOWN_LABELS:
        if low.startswith(known) and (len(line) == len(known) or line[len(known)] in " \t"):
            return line[:len(known)], line[len(known):].strip(), False
    return line.strip(), "", False


def _known_prefix(line: str) -> tuple[str, str] | None:
    """(label, value) for a label as vignettes write it followed by its value with no separator
    ("Number of schools 7 Schools - 0 P: 7 S (4 UTC, 1 SS)", where the colon is the value's),
    or by a hint in brackets that belongs to the label ("Distribution (local/regional/national)");
    None otherwise."""
    low = line.lower()
    for known in KNOWN_LABELS:
        if not (low.startswith(known) and len(line) > len(known) and line[len(known)] in " \t("):
            continue
        label, rest = line[:len(known)], line[len(known):].strip()
        hint = re.match(r"\([^)]*\)", rest)
        if hint:
            label, rest = f"{label} {hint.group(0)}", rest[hint.end():].strip()
            if not rest or rest[0] in ":|–—-":
                return label, rest.lstrip(":|–—-").strip()
        first = rest.split()[0].lower() if rest.split() else ""
        if first and (first[0].isdigit() or first in _NUMBER_WORDS):
            return label, rest
        return None
    return None


def _label_like(text: str) -> bool:
    """A label names a dimension ("Model of delegation"); it is not itself a value ("rural")."""
    low = text.lower()
    return bool(re.search(r"number|no\.|\bno of\b|distribution|mix|balance|decision|approach|"
                          r"model|way of|setting|evaluation|evaluating|priorities|priority|governance|delegation|schools,? by|"
                          r"settled|stage|context", low))


@dataclass
class _Entry:
    """One line of the block as read: its text, and what its typesetting says about it."""

    i: int
    text: str
    heading: bool = False  # set as a heading under the marker: a label
    indented: bool = False  # begins in the value column of space-aligned text: a continuation
    split: tuple[str, str] | None = None  # (label, value) its typesetting gives (bold, columns)
    after_blank: bool = False  # a blank line stands before it (a new paragraph or block)


def _run_together(line: str) -> list[str]:
    """Fields set one after another on one line ("Number of schools: 9; Distribution: local",
    or a table with the dimensions as its header row, read as "Header: cell; Header: cell")
    as one line each; a semicolon inside a value stays ("trust board; with committees")."""
    parts = line.split("; ")
    if len(parts) < 2:
        return [line]
    out = [parts[0]]
    for part in parts[1:]:
        label = part.partition(":")[0]
        if ":" in part and canonical_field(label) and _label_like(label) and \
                len(label.split()) <= 9:
            out.append(part)
        else:
            out[-1] = f"{out[-1]}; {part}"
    return out if len(out) > 1 and ":" in out[0] else [line]


_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _entries(lines: list[str]) -> list[_Entry]:
    lines = [part for line in lines for part in _run_together(line)]
    out: list[_Entry] = []
    blank = False
    for i, raw in enumerate(lines):
        if not raw.strip():
            blank = True
            continue
        e = _entry(lines, i, raw)
        if e is not None:
            e.after_blank = blank
            out.append(e)
            blank = False
    return _join_wrapped_labels(out)


def _entry(lines: list[str], i: int, raw: str) -> _Entry | None:
    """What one line of the block is, as its typesetting shows; None for no entry."""
    # a Markdown table's header row (the line above its rule) names the columns, unless it is
    # the table's first field (a key/value table given a header row by the syntax)
    if i + 1 < len(lines) and _RULE.match(lines[i + 1]) and "|" in raw:
        cells = [c.strip() for c in raw.strip().strip("|").split("|")]
        if not (len(cells) == 2 and canonical_field(cells[0]) and cells[1]):
            return None
    stripped = raw.strip()
    if not stripped or is_marker(stripped):
        return None
    if re.match(r"#{1,6}\s", stripped):
        text = stripped.lstrip("#").strip().strip("*").strip()
        return _Entry(i, text, heading=True) if text else None
    # "- **Label** – value", "**Label:** value": the bold run is the label.
    bold = re.match(r"^(?:[-*•]\s+|\d+[.)]\s+)?\*\*(.+?)\*\*\s*(.*)$", stripped)
    if bold and _cell_label(bold.group(1).strip(" :–—-")):
        label = bold.group(1).strip(" :–—-").strip()
        value = re.sub(r"^[:|–—-]+\s*", "", bold.group(2).strip()).replace("**", "")
        return _Entry(i, f"{label}: {value}" if value else label, split=(label, value.strip()))
    text = _clean_line(raw)
    if not text or is_marker(text):
        return None
    indent = len(raw) - len(raw.lstrip(" "))
    # Space-aligned columns ("Distribution        local"): two spaces or more between, or
    # dot leaders ("Distribution ........ local").
    cols = re.match(r"^(\S.*?\S)(?:\s*(?:\.{3,}|…+)\s*|\t+| {2,})(\S.*)$", stripped) \
        if "|" not in stripped else None
    if cols and _cell_label(cols.group(1)) and not re.search(r"[:–—]", cols.group(1)):
        return _Entry(i, text, split=(cols.group(1).strip(), cols.group(2).strip()))
    return _Entry(i, text, indented=indent >= 4)


def _join_wrapped_labels(entries: list[_Entry]) -> list[_Entry]:
    """A label wrapped over two or three lines ("Evaluating school" / "improvement") is one."""
    out: list[_Entry] = []
    k = 0
    while k < len(entries):
        e = entries[k]
        if e.split is None and not e.indented and _known_label_start(e.text):
            joined, n = e.text, 0
            for m in range(1, 3):
                if k + m >= len(entries) or entries[k + m].split is not None:
                    break
                cand = f"{joined} {entries[k + m].text.strip()}"
                if not (is_known_label(cand) or _known_label_start(cand)):
                    break
                joined = cand
                if is_known_label(cand):
                    n = m
            if n:
                out.append(_Entry(e.i, " ".join([e.text] + [x.text.strip() for x in
                                                            entries[k + 1:k + n + 1]]),
                                  heading=e.heading, after_blank=e.after_blank))
                k += n + 1
                continue
        out.append(e)
        k += 1
    return out


def _header_row(label: str, value: str) -> bool:
    """A table's header row read as a line ("Dimension: Description"): names columns, no
    dimension."""
    cells = [label.strip(), value.strip()]
    return all(c and len(c.split()) <= 3 and not re.search(r"\d", c) for c in cells) and not \
        any(canonical_field(c) for c in cells) and any(_HEADER_WORDS.match(c) for c in cells)


def _a_sentence(text: str) -> bool:
    """Prose, not a dimension's value: a capital, four words or more, a full stop."""
    t = text.strip()
    return len(t.split()) >= 4 and t[:1].isupper() and t.endswith((".", "!", "?"))


def _is_label_line(label: str, value: str, had_sep: bool) -> bool:
    """A line without a value that names a dimension (the line after it holds the value)."""
    if is_known_label(label):
        return True
    return bool(canonical_field(label)) and _label_like(label) and (value or not had_sep)


def parse_key_dimensions_block(lines: list[str]) -> Vignette:
    """The lines of a "Key dimensions" block (without its heading) as a Vignette.

    Read as a person reads the block, whatever its layout: "Label: value" (or a dash, a cell
    boundary, a tab, space-aligned columns, a bold label); a label on its own line (or set as
    a heading) with its value on the next; a value that wraps onto the next line (starting in
    lower case, or indented into the value column); labels wrapped over lines; a column of
    labels read before the column of their values (paired in order). A header row naming the
    columns is not a field, and prose after the fields (a sentence, a "Source:" line) ends the
    block."""
    v = Vignette()
    entries = _entries(_unlabel_table_rows(_pairs_table(lines)))
    queue: list[tuple[str, int]] = []  # labels read, waiting for their values
    last: VignetteField | None = None  # the field a wrapped value line continues
    next_line_values = 0  # fields whose value was on the line after the label
    last_under = False  # `last`'s value was on the line under its label
    blanks = any(e.after_blank for e in entries)  # blank lines part the block's paragraphs

    def split(e: _Entry) -> tuple[str, str, bool]:
        if e.split is not None:
            return e.split[0], e.split[1], True
        known = _known_prefix(e.text)
        return (known[0], known[1], bool(known[1])) if known else _split_label(e.text)

    def flush() -> None:
        for label, i in queue:
            _add(v, label, "", i)
        queue.clear()

    def takes_value(k: int) -> bool:
        """Is entry k a value (not a label, not prose ending the block)?"""
        e = entries[k]
        if e.heading:
            return False
        label, value, had_sep = split(e)
        if had_sep and value:
            # "7 schools - 7 P: 0 S" is a value with a colon in it; "Pupils on roll: 640" a field
            return not (canonical_field(label) or label[:1].isupper())
        return not (is_known_label(e.text) or (e.text.rstrip().endswith(":")
                                               and canonical_field(label)))

    for k, e in enumerate(entries):
        label, value, had_sep = split(e)
        if not v.fields and not queue and had_sep and _header_row(label, value):
            continue
        if e.heading:
            flush()
            queue.append((e.text.rstrip(":").strip(), e.i))
            last = None
            continue
        if queue and takes_value(k):
            # A column of labels, then the column of their values: paired in order when as
            # many values follow; otherwise the value is the last label's.
            n = 0
            while k + n < len(entries) and takes_value(k + n) and not entries[k + n].indented:
                n += 1
            if len(queue) > 1 and n < len(queue):
                for lb, i in queue[:-1]:
                    _add(v, lb, "", i)
                del queue[:-1]
            lb, i = queue.pop(0)
            _add(v, lb, e.text.strip(), i)
            next_line_values += 1
            # a value under its label wraps on the lines that follow it with no blank line
            # between, where blank lines part the block's paragraphs
            last, last_under = v.fields[-1], True
            continue
        lower_wrap = e.text[:1].islower() and ":" not in e.text
        if last is not None and not queue and not (had_sep and value and canonical_field(label)) \
                and (e.indented or lower_wrap) and \
                not (last_under and (e.after_blank or not blanks)
                     # with no blank lines, a line in lower case under a value set under its
                     # label that stopped mid-phrase ("... reviews and an") is its wrap; any
                     # other line there is the next label, or a stray remark
                     and not (lower_wrap and not e.after_blank and not blanks
                              and _ends_open(last.value) and not canonical_field(e.text))):
            # The value of a "Label: value" line wrapped onto this one.
            joint = "" if re.search(r"[^\W\d_]-$", last.value) else " "
            last.value = f"{last.value}{joint}{e.text.strip()}"
            continue
        last = None
        if v.fields and not queue and (
                (not had_sep and not canonical_field(label) and _a_sentence(e.text)) or
                (not had_sep and not canonical_field(label) and e.text[:1].isupper() and
                 len(e.text.split()) >= 8) or  # a wrapped paragraph's first line
                (had_sep and _AFTER_BLOCK.match(label.strip())) or
                (not had_sep and _AFTER_BLOCK.match(e.text.split()[0]))):
            break  # prose after the block: a sentence, a "Source:" line
        if value:
            flush()
            _add(v, label, value, e.i)
            last, last_under = (v.fields[-1] if had_sep else None), False
            continue
        if _is_label_line(label, value, had_sep) or (had_sep and _cell_label(label)):
            queue.append((label, e.i))
            continue
        # A short line in a block whose values sit under their labels, with a value under it:
        # an unknown dimension's label ("Pupils on roll" / "4,200").
        if next_line_values and _cell_label(label) and label[:1].isupper() and \
                len(label.split()) <= 6 and k + 1 < len(entries) and takes_value(k + 1) and \
                not _a_sentence(entries[k + 1].text):
            queue.append((label, e.i))
            continue
        flush()
        # A line that is neither a label nor a value of one: kept, with a warning.
        _add(v, "", e.text.strip(), e.i)
    flush()
    _check(v)
    return v


def _pair_cells(header: list[str], line: str) -> list[str] | None:
    """A row of a table read with its header row as labels ("H0: a; H1: b; H2: c; H3: d", an
    empty cell left out) as its cells in the header's columns; None when it is not one."""
    cells = [""] * len(header)
    starts: list[tuple[int, int, int]] = []  # (column, where its text starts, its marker's)
    at = 0
    for k, h in enumerate(header):
        if not starts:
            if not line.startswith(f"{h}: "):
                continue  # an empty first cell: the row starts at the next column
            pos, marker = 0, f"{h}: "
        else:
            marker = f"; {h}: "
            pos = line.find(marker, at)
            if pos < 0:
                continue
        starts.append((k, pos + len(marker), pos))
        at = pos + len(marker)
    if not starts:
        return None
    for n, (k, begin, _) in enumerate(starts):
        end = starts[n + 1][2] if n + 1 < len(starts) else len(line)
        cells[k] = line[begin:end].strip()
    return cells


def _pairs_table(lines: list[str]) -> list[str]:
    """A table of two or more label/value pairs a row ("Number of schools | 9 | Distribution |
    local") comes out of the readers with its first row taken for a header: each pair is read
    back as a "Label: value" line, row by row."""
    out: list[str] = []
    k = 0
    while k < len(lines):
        cells = [c.strip() for c in lines[k].strip().strip("|").split(" | ")]
        width = len(cells)
        labels = cells[0::2]
        if width >= 4 and width % 2 == 0 and all(_cell_label(c) for c in labels) and \
                sum(1 for c in labels if canonical_field(c)) >= len(labels) / 2:
            rows = [cells]
            j = k + 1
            while j < len(lines):
                row = _pair_cells(cells, lines[j])
                if row is None:
                    break
                rows.append(row)
                j += 1
            if len(rows) > 1:
                for row in rows:
                    out.extend(f"{row[c]}: {row[c + 1]}" for c in range(0, width, 2)
                               if row[c] or row[c + 1])
                k = j
                continue
        out.append(lines[k])
        k += 1
    return out


def _unlabel_table_rows(lines: list[str]) -> list[str]:
    """A two-column table with a header row ("Dimension | This trust") comes out of the PDF and
    Word readers as one line per row with each cell labelled by its header ("Dimension: Number
    of schools; This trust: 6"). In a vignette the columns are label and value, so each such row
    is read back as "Number of schools: 6" and the header line, which names no dimension, goes."""
    out, header, used = [], None, False
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 2 and all(cells) and not any(canonical_field(c) for c in cells):
            if header is not None and not used:
                out.append(" | ".join(header))
            header, used = cells, False
            continue
        if header is not None:
            first, second = f"{header[0]}: ", f"; {header[1]}: "
            if line.startswith(first) and second in line:
                label, _, value = line[len(first):].partition(second)
                out.append(f"{label}: {value}")
                used = True
                continue
            if not used:
                out.append(" | ".join(header))  # not a header after all: kept as written
            header = None
        out.append(line)
    if header is not None and not used:
        out.append(" | ".join(header))
    return out


def _add(v: Vignette, label: str, value: str, line: int) -> None:
    name = canonical_field(label) if label else None
    if not label:
        v.fields.append(VignetteField("other:(unlabelled)", "(unlabelled)", value, line))
        v.warnings.append(f"key dimensions: a line with no field name was kept as written "
                          f"(“{_short(value)}”)")
        return
    if name is None:
        v.fields.append(VignetteField(f"other:{label}", label, value, line))
        v.warnings.append(f"key dimensions: unknown dimension “{label}” kept as written")
        return
    if any(f.name == name for f in v.fields):
        v.warnings.append(f"key dimensions: “{field_label(name)}” is given twice; both values "
                          "are kept")
    if not value:
        v.warnings.append(f"key dimensions: “{label}” has no value")
    v.fields.append(VignetteField(name, label, value, line))


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _check(v: Vignette) -> None:
    if not v.fields:
        v.warnings.append("key dimensions: the block is empty")
        return
    names = {f.name for f in v.fields}
    for name in EXPECTED:
        if name not in names:
            v.warnings.append(f"key dimensions: no “{field_label(name)}” field")
    values = v.values()
    if "number_of_schools" in values:
        first = next(f.value for f in v.fields if f.name == "number_of_schools")
        v.schools, problem = parse_schools(first)
        if problem:
            v.warnings.append(f"key dimensions: “Number of schools” {problem} "
                              f"(“{_short(first, 60)}”, kept as written)")
    for name in SCALES:
        if name in values:
            first = next(f.value for f in v.fields if f.name == name)
            v.scales[name] = scale_position(name, first)


def parse_schools(text: str) -> tuple[dict[str, int], str]:
    """Number of schools as numbers: {"total", "primary", "secondary", ...} and a problem
    ("" when none). "5 (3 primary, 2 secondary)", "5 schools - 4 P: 1 S",
    "7 Schools - 0 P: 7 S (4 UTC, 1 SS)", "one all-through school"."""
    counts: dict[str, int] = {}
    total: int | None = None
    lead = re.match(r"\s*(\d+|" + "|".join(_NUMBER_WORDS) + r")\b(?:\s*(schools?|academies|"
                    r"in total|total)\b)?", text, re.I)
    rest = text
    if lead and (lead.group(2) or not _type_of(_next_word(text[lead.end():]))):
        total = _number(lead.group(1))
        rest = text[lead.end():]
    for m in _COUNT.finditer(rest):
        kind = _type_of(m.group(2))
        if kind is None:
            continue
        counts[kind] = counts.get(kind, 0) + _number(m.group(1))
    top = {k: n for k, n in counts.items() if k not in SUBTYPES or SUBTYPES[k] not in counts}
    summed = sum(top.values())
    out = dict(counts)
    if total is None and not counts:
        return {}, "could not be read as a number"
    if total is None:
        out["total"] = summed
        return _ordered(out), ""
    out["total"] = total
    if counts and summed != total:
        parts = " + ".join(f"{n} {k.replace('_', '-')}" for k, n in top.items())
        return _ordered(out), f"does not add up ({total} in total, but {parts} = {summed})"
    return _ordered(out), ""


def _ordered(counts: dict[str, int]) -> dict[str, int]:
    order = ["total", *SCHOOL_TYPES]
    return {k: counts[k] for k in order if k in counts}


def _next_word(text: str) -> str:
    m = re.match(r"\s*([A-Za-z][A-Za-z-]*)", text)
    return m.group(1) if m else ""


def _type_of(word: str) -> str | None:
    w = " ".join(word.split()).strip("-")
    base = re.sub(r"\s+(schools?|colleges?)$", "", w, flags=re.I)
    for kind, pattern in SCHOOL_TYPES.items():
        if pattern.match(w) or pattern.match(base):
            return kind
    return None


def _number(token: str) -> int:
    return int(token) if token.isdigit() else _NUMBER_WORDS[token.lower()]


def scale_position(name: str, text: str) -> int | None:
    """Where the text places the trust on a scale, 1 (low pole) to 5 (high pole); None when it
    does not say (a value that only points to a graphic, or names neither pole)."""
    lo, hi = SCALES[name]
    low = text.lower()
    leans = set(re.findall(rf"\b(?:more|mostly|largely|mainly|towards)\s+({lo}|{hi})\b", low))
    if leans == {lo, hi} or re.search(r"\b(green|yellow|amber|red|blue|orange|purple)\s*[=–:-]",
                                      low):
        return None  # a key to a graphic ("Green = more local Yellow – more central")
    has_lo = re.search(rf"\b{lo}\b", low) is not None
    has_hi = re.search(rf"\b{hi}\b", low) is not None
    if re.search(r"\b(balanced?|middle|midway|mid-point|in between|equal|50/50|both)\b", low) or (
            has_lo and has_hi and not re.search(r"\b(more|mostly|largely|mainly|towards)\b",
                                                low)):
        return 3
    strong = re.search(r"\b(very|highly|strongly|fully|wholly|entirely|tightly)\b", low)
    if has_lo and not has_hi:
        return 1 if strong else 2
    if has_hi and not has_lo:
        return 5 if strong else 4
    if has_lo and has_hi:  # "more central than local": the pole the comparison leans to
        lean = re.search(rf"\b(?:more|mostly|largely|mainly|towards)\s+({lo}|{hi})\b", low)
        if lean:
            return 2 if lean.group(1) == lo else 4
    return None


def scale_word(name: str, position: int | None) -> str:
    if position is None:
        return NOT_STATED
    lo, hi = SCALES[name]
    return SCALE_WORDS[position].format(lo=lo, hi=hi)


def _heading_level(line: str) -> int:
    m = re.match(r"\s*(#{1,6})\s", line)
    return len(m.group(1)) if m else 0


def find_block(lines: list[str]) -> tuple[int, int] | None:
    """(start, end) of the lines after the "Key dimensions" marker, to the next heading or the
    end; None when there is no marker. Headings below the marker's level (labels set as
    headings), and headings that are a dimension's label, are inside the block."""
    for i, line in enumerate(lines):
        if is_marker(line):
            level = _heading_level(line)
            j = i + 1
            while j < len(lines):
                sub = _heading_level(lines[j])
                if sub:
                    text = lines[j].strip().lstrip("#").strip().strip("*").strip()
                    if not ((level and sub > level) or is_known_label(text)):
                        break
                j += 1
            return i + 1, j
    return None


def parse_vignette(lines: list[str]) -> Vignette:
    """A vignette's lines (its passage text, or the document's lines): the Key dimensions block
    parsed. Without a marker the whole text is searched for label/value lines of known
    dimensions, and that is said in a warning."""
    span = find_block(lines)
    if span is not None:
        return parse_key_dimensions_block(lines[span[0]:span[1]])
    found = [x for x in lines if ":" in x and canonical_field(x.partition(":")[0])
             and _label_like(x.partition(":")[0]) and len(x.partition(":")[0].split()) <= 9]
    v = parse_key_dimensions_block(found) if found else Vignette()
    v.warnings.insert(0, "no “Key dimensions” block: "
                      + ("the dimension lines found in the text were used" if found else
                         "no key dimensions found"))
    if not found:
        v.warnings = v.warnings[:1]
    return v
