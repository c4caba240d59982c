"""Reading Office Open XML packages (.docx, .pptx) below the level of python-docx/python-pptx:
parts and their relationships, namespaces of both Transitional and Strict Open XML (Strict is
what Word writes when asked for "Strict Open XML": the same elements under
http://purl.oclc.org/ooxml/... names), Word's automatic numbering as Word prints it, and the
parts a text reader otherwise never sees: a chart's data (as a table), SmartArt's text.

Elements are compared by a short prefix and local name ("w:p", "a:t", "c:ser"), whatever
namespace spelling the file uses, so one walker reads both conformance classes.
"""

from __future__ import annotations

import functools
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from .blocks import ReadError

# Deeper nesting than this is refused (libxml2 refuses it too): a hostile file, not a document.
MAX_XML_DEPTH = 256

# namespace URI -> short prefix; Transitional and Strict spellings map to the same prefix.
_PREFIXES = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main": "w",
    "http://purl.oclc.org/ooxml/wordprocessingml/main": "w",
    "http://schemas.openxmlformats.org/drawingml/2006/main": "a",
    "http://purl.oclc.org/ooxml/drawingml/main": "a",
    "http://schemas.openxmlformats.org/drawingml/2006/chart": "c",
    "http://purl.oclc.org/ooxml/drawingml/chart": "c",
    "http://schemas.openxmlformats.org/drawingml/2006/diagram": "dgm",
    "http://purl.oclc.org/ooxml/drawingml/diagram": "dgm",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships": "r",
    "http://purl.oclc.org/ooxml/officeDocument/relationships": "r",
    "http://schemas.openxmlformats.org/officeDocument/2006/math": "m",
    "http://purl.oclc.org/ooxml/officeDocument/math": "m",
    "http://schemas.openxmlformats.org/markup-compatibility/2006": "mc",
    "http://schemas.openxmlformats.org/presentationml/2006/main": "p",
    "http://purl.oclc.org/ooxml/presentationml/main": "p",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingShape": "wps",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup": "wpg",
    "http://schemas.microsoft.com/office/word/2010/wordml": "w14",
    "urn:schemas-microsoft-com:vml": "v",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://schemas.openxmlformats.org/package/2006/relationships": "pr",
}


def name(el) -> str:
    """'w:p' for a paragraph in either conformance class; '' for comments and the like."""
    tag = el.tag
    return _short(tag) if isinstance(tag, str) else ""


@functools.lru_cache(maxsize=4096)
def _short(tag: str) -> str:
    if tag.startswith("{"):
        ns, local = tag[1:].split("}", 1)
        return f"{_PREFIXES.get(ns, ns)}:{local}"
    return tag


def attr(el, local: str, default: str | None = None) -> str | None:
    """An attribute by its local name, whatever its namespace (w:val, r:id, val ...)."""
    for key, value in el.attrib.items():
        if key == local or key.endswith("}" + local):
            return value
    return default


def child(el, wanted: str):
    for c in el:
        if name(c) == wanted:
            return c
    return None


def first_child(el, *wanted: str):
    """The first child named any of `wanted`, in that order of preference (lxml elements with
    no children are false, so `child(a) or child(b)` would be wrong)."""
    for w in wanted:
        c = child(el, w)
        if c is not None:
            return c
    return None


def children(el, wanted: str):
    return [c for c in el if name(c) == wanted]


def alternate_choice(el):
    """mc:AlternateContent holds the same content twice (a modern Choice and an older
    Fallback): read the first Choice only, so a text box is not read twice."""
    for c in el:
        if name(c) == "mc:Choice":
            return c
    return child(el, "mc:Fallback")


def parse_xml(data: bytes, what: str):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():
            raise ReadError("corrupt", f"refused: the {what} nests its XML more than "
                                       f"{MAX_XML_DEPTH} levels deep (a hostile file?)") from exc
        raise ReadError("corrupt", f"corrupt {what}: {exc}") from exc


def texts(el, wanted: str = "a:t") -> list[str]:
    return [t.text or "" for t in el.iter() if name(t) == wanted]


@dataclass
class Package:
    """A zip of parts with relationships between them."""

    zf: zipfile.ZipFile
    what: str  # "Word file", for messages
    _names: set[str] = field(default_factory=set)

    def __post_init__(self):
        self._names = set(self.zf.namelist())

    def has(self, part: str) -> bool:
        return part in self._names

    def read(self, part: str) -> bytes:
        return self.zf.read(part)

    def xml(self, part: str):
        return parse_xml(self.read(part), self.what)

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """rId -> (relationship type, target part) for `part` ("" for the package's own)."""
        folder, base = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", base + ".rels")
        if not self.has(rels_part):
            return {}
        out = {}
        for rel in parse_xml(self.read(rels_part), self.what):
            if attr(rel, "TargetMode") == "External":
                continue
            target = attr(rel, "Target") or ""
            target = target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join(folder, target))
            out[attr(rel, "Id") or ""] = (attr(rel, "Type") or "", target)
        return out

    def related(self, part: str, kind: str) -> list[str]:
        """Targets of `part`'s relationships whose type ends with /kind."""
        return [t for typ, t in self.rels(part).values() if typ.rsplit("/", 1)[-1] == kind
                and self.has(t)]

    def main_part(self, default: str) -> str:
        found = self.related("", "officeDocument")
        return found[0] if found else default

    def title(self) -> str:
        for part in self.related("", "core-properties") or ["docProps/core.xml"]:
            if self.has(part):
                node = next((e for e in self.xml(part).iter() if name(e) == "dc:title"), None)
                if node is not None and (node.text or "").strip():
                    return node.text.strip()
        return ""


# --------------------------------------------------------------------------- charts, SmartArt


def _points(ref) -> list[tuple[int, str]]:
    """(index, value) of a c:cat / c:val / c:tx reference's cached points."""
    out = []
    for pt in ref.iter():
        if name(pt) == "c:pt":
            v = child(pt, "c:v")
            idx = attr(pt, "idx", "0") or "0"
            out.append((int(idx) if idx.isdigit() else len(out),
                        _number((v.text or "") if v is not None else "")))
    if not out:  # a literal string (c:v straight under c:tx)
        out = [(0, v.text or "") for v in ref.iter() if name(v) == "c:v"]
    return out


def _number(value: str) -> str:
    """A cached value as the chart shows it: 4.4, not 4.4000000000000004."""
    try:
        f = float(value)
    except ValueError:
        return value.strip()
    return f"{f:.15g}" if len(value) > 15 else value.strip()


def chart_rows(root) -> tuple[str, list[list[str]]]:
    """A chart part's (title, rows): a header row ("", series names ...), then one row per
    category with each series' value, as the chart's own cached data holds them."""
    title_node = next((e for e in root.iter() if name(e) == "c:title"), None)
    title = " ".join(" ".join(texts(title_node)).split()) if title_node is not None else ""
    series = []
    categories: dict[int, str] = {}
    for ser in (e for e in root.iter() if name(e) == "c:ser"):
        tx = child(ser, "c:tx")
        label = " ".join(v for _i, v in _points(tx)) if tx is not None else ""
        cat = first_child(ser, "c:cat", "c:xVal")
        val = first_child(ser, "c:val", "c:yVal")
        if cat is not None:
            for i, v in _points(cat):
                categories.setdefault(i, v)
        values = dict(_points(val)) if val is not None else {}
        series.append((label or f"Series {len(series) + 1}", values))
    if not series:
        return title, []
    indices = sorted(set(categories) | {i for _s, vals in series for i in vals})
    rows = [[""] + [s for s, _v in series]]
    for i in indices:
        rows.append([categories.get(i, str(i + 1))] + [vals.get(i, "") for _s, vals in series])
    return title, rows


def smartart_texts(root) -> list[str]:
    """The text of each node of a SmartArt data part, in order."""
    out = []
    for pt in (e for e in root.iter() if name(e) == "dgm:pt"):
        if attr(pt, "type") in ("parTrans", "sibTrans", "pres"):
            continue
        text = " ".join("".join(texts(pt)).split())
        if text:
            out.append(text)
    return out


# ---------------------------------------------------------------------------------- numbering


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    legal: bool = False  # isLgl: every level printed in decimal


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                           (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                           (4, "iv"), (1, "i")):
        while n >= value:
            out += letters
            n -= value
    return out


def _letters(n: int) -> str:
    # Word's letters: a..z, then aa..zz, aaa.. (the letter repeated), not a spreadsheet's "aa, ab"
    if n <= 0:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "none":
        return ""
    return str(n)  # decimal, and formats a reader of English would see as digits anyway


class Numbering:
    """Word's automatic numbers, counted as Word counts them: a list instance (w:num) refers
    to an abstract definition whose levels say the start, the format and the text ("%1.%2"); a
    level counts on until a higher level moves, and a w:num that overrides a start restarts."""

    def __init__(self, root=None):
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        if root is None:
            return
        for ab in children(root, "w:abstractNum"):
            levels = {}
            for lvl in children(ab, "w:lvl"):
                level = _Level()
                for key in ("start", "numFmt", "lvlText"):
                    node = child(lvl, f"w:{key}")
                    if node is None:
                        continue
                    value = attr(node, "val", "") or ""
                    if key == "start":
                        level.start = int(value) if value.lstrip("-").isdigit() else 1
                    elif key == "numFmt":
                        level.fmt = value
                    else:
                        level.text = value
                level.legal = child(lvl, "w:isLgl") is not None
                levels[int(attr(lvl, "ilvl", "0") or 0)] = level
            self.abstract[attr(ab, "abstractNumId", "") or ""] = levels
        for num in children(root, "w:num"):
            ab = child(num, "w:abstractNumId")
            overrides = {}
            for ov in children(num, "w:lvlOverride"):
                start = child(ov, "w:startOverride")
                if start is not None and (attr(start, "val", "") or "").isdigit():
                    overrides[int(attr(ov, "ilvl", "0") or 0)] = int(attr(start, "val"))
            self.nums[attr(num, "numId", "") or ""] = (
                attr(ab, "val", "") if ab is not None else "", overrides)

    def label(self, num_id: str, ilvl: int) -> tuple[str, bool] | None:
        """(the number as printed, whether it is a bullet) for the next paragraph of list
        `num_id` at level `ilvl`; None when the paragraph is not numbered."""
        if num_id in ("", "0") or num_id not in self.nums:
            return None
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for lvl, start in overrides.items():  # a restarted list
                counters[lvl] = start - 1
                for deeper in [k for k in counters if k > lvl]:
                    del counters[deeper]
        level = levels.get(ilvl, _Level())
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level.fmt == "bullet":
            return "", True

        def number(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            lv = levels.get(k, _Level())
            n = counters.get(k, lv.start)
            return format_number(n, "decimal" if level.legal and lv.fmt != "none" else lv.fmt)

        return re.sub(r"%([1-9])", number, level.text).strip(), False
