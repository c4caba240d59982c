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
                               re.compile(r"improvement priorit|setting priorit|priorities", re.I)),
    "decision_making": ("Local/central decision making",
                        re.compile(r"local\s*/\s*central|central\s*/\s*local|decision[- ]making",
                                   re.I)),
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
    "Informal or formal approaches to evaluation")}, key=len, reverse=True)

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
    return line.strip().lstrip("#").strip().strip("*").strip().rstrip(":").lower() == MARKER


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


def _split_label(line: str) -> tuple[str, str, bool]:
    """(label, value, had_separator). "Label: value", "Label | value", "Label – value",
    or a known label followed by its value with no separator (PDF table text)."""
    # A cell boundary (" | ", a tab) outranks a colon inside the value ("4 schools - 3 P: 1").
    for sep in (" | ", "\t", ":", " – ", " — ", " - "):
        label, found, value = line.partition(sep)
        if found and label.strip() and (sep == ":" or canonical_field(label)):
            return label.strip(), value.strip(), True
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
                          r"model|way of|setting|evaluation|governance|delegation|schools,? by|"
                          r"settled|stage|context", low))


def parse_key_dimensions_block(lines: list[str]) -> Vignette:
    """The lines of a "Key dimensions" block (without its heading) as a Vignette."""
    v = Vignette()
    lines = _unlabel_table_rows(lines)
    pending_label: tuple[str, int] | None = None
    rule = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
    cleaned = [(i, _clean_line(x)) for i, x in enumerate(lines)
               # a Markdown table's header row (the line above its rule) names the columns
               if not (i + 1 < len(lines) and rule.match(lines[i + 1]) and "|" in x)]
    cleaned = [(i, x) for i, x in cleaned if x and not is_marker(x)]
    for i, line in cleaned:
        known = _known_prefix(line)
        label, value, had_sep = (known[0], known[1], bool(known[1])) if known else \
            _split_label(line)
        if pending_label is not None:
            # A label wrapped over two lines ("No of schools, by" / "phase and type").
            joined = f"{pending_label[0]} {line.strip()}"
            if any(k.startswith(joined.lower()) for k in KNOWN_LABELS):
                pending_label = (joined, pending_label[1])
                continue
            # The line after a bare label is its value (label and value on separate lines).
            if not (canonical_field(label) and _label_like(label) and (value or not had_sep)):
                _add(v, pending_label[0], line.strip(), pending_label[1])
                pending_label = None
                continue
            _add(v, pending_label[0], "", pending_label[1])
            pending_label = None
        if not value:
            if canonical_field(label) and _label_like(label):
                pending_label = (label, i)
                continue
            # A line that is neither a label nor a value of one: kept, with a warning.
            _add(v, "", line.strip(), i)
            continue
        _add(v, label, value, i)
    if pending_label is not None:
        _add(v, pending_label[0], "", pending_label[1])
    _check(v)
    return v


def _unlabel_table_rows(lines: list[str]) -> list[str]:
    """A two-column table with a header row ("Dimension | This trust") comes out of the PDF and
    Word readers as one line per row with each cell labelled by its header ("Dimension: Number
    of schools; This trust: 6"). In a vignette the columns are label and value, so each such row
    is read back as "Number of schools: 6" and the header line, which names no dimension, goes."""
    out, header = [], None
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 2 and all(cells) and not any(canonical_field(c) for c in cells):
            header = cells
            continue
        if header is not None:
            first, second = f"{header[0]}: ", f"; {header[1]}: "
            if line.startswith(first) and second in line:
                label, _, value = line[len(first):].partition(second)
                out.append(f"{label}: {value}")
                continue
            out.append(" | ".join(header))  # not a header after all: kept as written
            header = None
        out.append(line)
    if header is not None:
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


def find_block(lines: list[str]) -> tuple[int, int] | None:
    """(start, end) of the lines after the "Key dimensions" marker, to the next heading or the
    end; None when there is no marker."""
    for i, line in enumerate(lines):
        if is_marker(line):
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith("#"):
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
