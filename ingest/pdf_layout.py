"""PDF pages as typed blocks: headings from the outline or the typography, paragraphs, list
items, tables as rows, footnotes, each with its page and the boxes of its lines.

pdfminer (through pdfplumber) gives characters with their font, size and position, and groups
them into text boxes in reading order across columns. We build lines from those boxes and decide
what each line *is* from the document itself: the outline (bookmarks) when the PDF has a usable
one, else font size and weight relative to the body text, plus numbering. A line is never a
heading because it is short; a bullet item never is one.

Coordinates are PDF points from the top-left corner of the page (pdfplumber's `top`/`bottom`),
so a page rendered at any scale can draw the boxes.
"""

from __future__ import annotations

import functools
import re
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from .normalise import join_hyphenated, normalise_chars
from .structure import BULLET, Block

# Fonts whose glyphs are pictures: their first character on a line is a bullet, whatever
# Unicode value the font maps it to ("y", "Ê", "¢" in Wingdings).
_SYMBOL_FONT = re.compile(r"wingding|symbol|dingbat|webding|zapf", re.I)
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|[-,]bd\b|\bbd\b|cmbx|cmssbx|lmroman\d*-?bold",
                        re.I)  # (CMBX10: TeX's Computer Modern bold extended)
_ENUMERATOR = re.compile(r"^(?:\d{1,2}[.)]|[a-z][.)]|\((?:[a-z]|[ivx]+|\d{1,2})\)|[ivx]{1,4}[.)])\s+\S")
_SECTION_NUMBER = re.compile(r"^((?:\d{1,2}\.)*\d{1,2}\.?|[IVXLC]{1,5}(?:-[A-Z])?\.?|[A-Z]\.)\s+\S")
_DOT_LEADER = re.compile(
    r"(?:\.\s*){4,}\s*\(?[0-9ivxlc]{1,4}\)?\s*$|\s{2,}\d{1,4}\s*$|\s\|\s\d{1,4}$", re.I)
# "Figure 2", "Table 1.", "Graph A:", "Fig. 3b": the word, then a number or a capital letter
# ("Figures Example" is a title, not a caption).
_CAPTION = re.compile(r"^(?i:Graph|Graphic|Table|Tableau|Figure|Fig\.|Chart|Diagram|Exhibit)"
                      r"\s*(?:\d+(?:\.\d+)*[a-z]?|[A-Z]|[IVXL]+)\b(?![’'])"
                      # a label and its number in brackets, in any script: "[Table 1]",
                      # "[표 1]" (Korean), "【図 2】" (Japanese)
                      r"|^[\[【〔［]\s*[^\W\d_]{1,10}\s*\d{1,3}(?:[.-]\d{1,3})*\s*[\]】〕］]")
_TERMINAL = re.compile(r"[.!?;][’”'\")\]]*$")
_CID = re.compile(r"^\s*\(cid:\d+\)\s*|\(cid:\d+\)")  # glyphs with no Unicode mapping
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[ivxlc]{1,6}$", re.I)

HEADING_MAX_WORDS = 16
HEADING_MAX_CHARS = 140


@dataclass
class Line:
    text: str
    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # median character size
    bold: bool
    box: int  # index of the pdfminer text box it came from (reading order)
    symbol_bullet: bool = False
    font: str = ""  # the font most of its characters are set in (subset prefix dropped)
    gap_above: float = 0.0  # space between this line and the one above it in its box
    # Where its first glyph is printed: a code line's leading spaces are characters in the
    # PDF, so its box starts left of its text and its indentation is measured from here.
    ink_x0: float | None = None
    glyphs: int = 0  # its visible characters, and how many are set in a math font
    math_glyphs: int = 0

    @property
    def bbox(self) -> tuple[int, float, float, float, float]:
        return (self.page, round(self.x0, 1), round(self.top, 1), round(self.x1, 1),
                round(self.bottom, 1))


@dataclass
class Table:
    page: int
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom
    rows: list[list[str]]
    order: float = 0.0  # position in the page's reading order
    header: bool = True  # the first row labels the columns; else labels run down the first


@dataclass
class PageLayout:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # a structure source that failed here


@dataclass
class OutlineEntry:
    level: int  # 1 = top
    title: str
    page: int  # 1-based destination page


# ------------------------------------------------------------------------------ page reading


def _font_name(name: str) -> str:
    return re.sub(r"^[A-Z]{6}\+", "", name or "")


class _FontTraits(NamedTuple):
    name: str  # subset prefix dropped
    bold: bool
    symbol: bool  # a picture or symbol font (bullets, check boxes)
    math: bool
    symbol_math: bool  # Symbol itself: Greek and operators, or a bullet opening a line


@functools.lru_cache(maxsize=4096)
def _font_traits(fontname: str | None) -> _FontTraits:
    """What a font's name says, worked out once per font rather than once per glyph."""
    fontname = fontname or ""
    return _FontTraits(_font_name(fontname), bool(_BOLD_FONT.search(fontname)),
                       bool(_SYMBOL_FONT.search(fontname)), bool(_MATH_FONT.search(fontname)),
                       bool(_SYMBOL_MATH_FONT.search(fontname)))

_MIRROR = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹", strict=True))


def _bidi_class(piece: str) -> str:
    """R (right-to-left letter), L, N (number) or O (neutral) for one glyph's text."""
    for ch in piece:
        c = unicodedata.bidirectional(ch)
        if c in ("R", "AL"):
            return "R"
        if c == "L":
            return "L"
        if c in ("EN", "AN"):
            return "N"
    return "O"


def visual_to_logical(pieces: list[str]) -> list[str]:
    """Glyph texts of a right-to-left line in visual order (left to right on the page) put in
    logical order: the Unicode bidirectional algorithm's reordering for a right-to-left
    paragraph, undone. Latin words and numbers are at level 2 and keep their order; letters
    R/AL, and neutrals not between two Latin letters, are at level 1 and are reversed (a
    mirrored glyph, a bracket, given back as the character it stands for)."""
    kinds = [_bidi_class(p) for p in pieces]
    n = len(kinds)
    for i, k in enumerate(kinds):  # separators and terminators inside a number: the number's
        if k == "O" and 0 < i < n - 1 and kinds[i - 1] == "N" and kinds[i + 1] == "N" \
                and pieces[i] in ".,:/":
            kinds[i] = "n"
        elif k == "O" and pieces[i] in "%‰$€£#+-" and (
                i > 0 and kinds[i - 1] == "N" or i < n - 1 and kinds[i + 1] == "N"):
            kinds[i] = "n"
    kinds = ["N" if k == "n" else k for k in kinds]
    high = [k in ("L", "N") for k in kinds]
    i = 0
    while i < n:  # neutrals take the level of the strong letters on both sides when L (numbers
        if kinds[i] != "O":  # count as R for the neutrals around them, as in the algorithm)
            i += 1
            continue
        j = i
        while j < n and kinds[j] == "O":
            j += 1
        if 0 < i and j < n and kinds[i - 1] == "L" and kinds[j] == "L":
            high[i:j] = [True] * (j - i)
        i = j
    out: list[str] = []
    i = n
    while i > 0:  # the line reversed, each level-2 run back in its own order
        if high[i - 1]:
            j = i
            while j > 0 and high[j - 1]:
                j -= 1
            out.extend(pieces[j:i])
            i = j
        else:
            p = pieces[i - 1]
            out.append(_MIRROR.get(p, p))
            i -= 1
    return out


def _in_visual_order(chars) -> bool:
    """Whether a line's right-to-left letters are mostly right-to-left (two in three of its
    strong letters) and stored from the left, as drawn: then they need putting in logical
    order. Letters stored from the right are in logical order already."""
    if all(ch < "\u0590" for c in chars for ch in c.get_text()):
        return False  # no right-to-left letter below U+0590 (Hebrew is the first)
    rtl = [c for c in chars if _bidi_class(c.get_text()) == "R"]
    ltr = sum(1 for c in chars if _bidi_class(c.get_text()) == "L")
    if len(rtl) < 2 or len(rtl) < 2 * ltr:
        return False
    rightwards = sum(1 for a, b in zip(rtl, rtl[1:], strict=False) if b.x0 > a.x0 + 0.1)
    leftwards = sum(1 for a, b in zip(rtl, rtl[1:], strict=False) if b.x0 < a.x0 - 0.1)
    return rightwards > leftwards


def _line_text(line) -> tuple[str, float, bool, bool, str, int, int]:
    """Text, median size, boldness, leading symbol glyph and main font of a pdfminer line,
    its visible glyphs and how many of them are set in a math font; superscript markers
    dropped."""
    from pdfminer.layout import LTChar

    chars = [c for c in line if isinstance(c, LTChar) and c.get_text().strip()]
    if not chars:
        return "", 0.0, False, False, "", 0, 0
    sizes = [c.size for c in chars]
    median = statistics.median(sizes)
    out = []
    for obj in line:
        t = obj.get_text()
        if isinstance(obj, LTChar) and t.strip() and obj.size < 0.72 * median and (
                t.isdigit() or t in "*†‡§"):
            continue  # a footnote marker set small and raised: not part of the words
        out.append(t)
    if _in_visual_order(chars):  # right-to-left text drawn from the left: logical order
        out = visual_to_logical([t.replace("\n", " ") for t in out])
    text = "".join(out).replace("\n", " ")
    traits = [_font_traits(c.fontname) for c in chars]
    symbol = traits[0].symbol
    bold_chars = sum(len(c.get_text()) for c, f in zip(chars, traits, strict=True) if f.bold)
    fonts = Counter(f.name for f in traits[1:] if not f.symbol) or Counter([traits[0].name])
    font, n = fonts.most_common(1)[0]
    # A Symbol-font glyph opening the line is its bullet; elsewhere Symbol sets Greek and
    # operators, as the math fonts do.
    math = sum(1 for k, f in enumerate(traits) if f.math or (k and f.symbol_math))
    return text, median, bold_chars >= 0.8 * len(chars), symbol, font if n >= 0.8 * len(
        chars[1:] or chars) else "", len(chars), math


def read_page_layout(page, number: int) -> PageLayout:
    """One pdfplumber page (opened with laparams) as lines in reading order, and its tables."""
    from pdfminer.layout import LTChar, LTTextBox, LTTextLine

    height = float(page.height)
    layout = PageLayout(number, float(page.width), height)
    tables = _find_tables(page, number, layout.notes)
    raw: list[Line] = []
    # pdfminer leaves a line it could not group (a lone bullet set apart from its item) at
    # the page's top level: it is a box of one line.
    boxes = [o if isinstance(o, LTTextBox) else [o] for o in page.layout
             if isinstance(o, LTTextBox | LTTextLine)]
    boxes, gutter = _column_order(boxes, float(page.width), height,
                                  [(t.bbox[0], height - t.bbox[3], t.bbox[2], height - t.bbox[1])
                                   for t in tables])
    for box_index, box in enumerate(boxes):
        in_box: list[Line] = []
        for obj in box:
            if not isinstance(obj, LTTextLine):
                continue
            text, size, bold, symbol, font, glyphs, math = _line_text(obj)
            if _CID.match(text):  # an unmapped glyph opening the line is its bullet
                symbol = True
                text = _CID.sub("• ", text, count=1)
            raw_text = text
            text = " ".join(normalise_chars(_CID.sub("", text)).split())
            if not text and (symbol or len(raw_text.strip()) == 1) and raw_text.strip():
                text = "•"  # a lone picture glyph (Dingbats, a control code): a bullet
                symbol = True
            elif symbol and text and raw_text.strip()[:1] != text[:1]:
                # The picture glyph was a control code normalisation dropped ("\x84They"):
                # the bullet stands for it, so the item's first letter is never taken for it.
                text = "• " + text
            if not text:
                continue
            ink = next((c.x0 for c in obj if isinstance(c, LTChar) and c.get_text().strip()),
                       obj.x0)
            in_box.append(Line(text, number, obj.x0, height - obj.y1, obj.x1, height - obj.y0,
                               size, bold, box_index, symbol, font, ink_x0=ink,
                               glyphs=glyphs, math_glyphs=math))
        raw.extend(_by_baseline(in_box))
    if _right_to_left(raw):
        raw = _rtl_rows(raw)
    lines = _join_rows(_key_value_grid(_attach_bullets(_dedupe(_merge_split_lines(raw)))),
                       gutter)
    for prev, ln in zip([None, *lines], lines, strict=False):
        ln.gap_above = ln.top - prev.bottom if prev is not None and prev.box == ln.box else 99.0
    kept: list[Line] = []
    for ln in lines:
        table = next((t for t in tables if _inside(ln, t.bbox)), None)
        if table is None:
            kept.append(ln)
        elif not table.order:
            table.order = len(kept) + 0.5  # the table stands where its first line stood
    for t in tables:
        if not t.order:
            t.order = sum(1 for ln in kept if ln.top < t.bbox[1]) + 0.5
    layout.lines = kept
    layout.tables = tables
    return layout


def _right_to_left(lines: list[Line]) -> bool:
    """A page whose letters are mostly right-to-left (two in three of its strong letters)."""
    rtl = ltr = 0
    for ln in lines:
        for ch in ln.text:
            c = unicodedata.bidirectional(ch)
            rtl += c in ("R", "AL")
            ltr += c == "L"
    return rtl >= 20 and rtl >= 2 * ltr


def _rtl_rows(lines: list[Line]) -> list[Line]:
    """A right-to-left page's lines rebuilt along their baselines. pdfminer cuts a line at a
    change of font or direction (a Latin word, a full stop) and puts the pieces in boxes of
    their own, read left to right: pieces of one size that touch on one baseline are joined
    from the right, and the rows are blocks apart where the space between them is wider than
    a line's."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda x: (x.bottom, -x.x1)):
        if rows and abs(ln.bottom - rows[-1][0].bottom) < 1.5:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    out: list[Line] = []
    box = -1
    for row in rows:
        joined: list[Line] = []
        for ln in sorted(row, key=lambda x: -x.x1):
            cur = joined[-1] if joined else None
            if cur is not None and -1 <= cur.x0 - ln.x1 < max(cur.size, 1) \
                    and abs(cur.size - ln.size) < 1:
                longer = cur if len(cur.text) >= len(ln.text) else ln
                cur.bold, cur.font = longer.bold, longer.font
                glue = "" if not any(ch.isalnum() for ch in ln.text) else " "  # "العمل."
                cur.text = f"{cur.text}{glue}{ln.text}"
                cur.x0, cur.ink_x0 = min(cur.x0, ln.x0), min(cur.x0, ln.x0)
                cur.top, cur.bottom = min(cur.top, ln.top), max(cur.bottom, ln.bottom)
                cur.symbol_bullet = cur.symbol_bullet or ln.symbol_bullet
                continue
            joined.append(ln)
        prev = out[-1] if out else None
        first = joined[0]
        if prev is None or first.top - prev.bottom > 0.8 * max(first.size, 1) \
                or abs(first.size - prev.size) >= 1:
            box += 1
        for ln in joined:
            ln.box = box
        out.extend(joined)
    return out


def _by_baseline(lines: list[Line]) -> list[Line]:
    """Lines of one box top to bottom, pieces sharing a baseline left to right."""
    ordered = sorted(lines, key=lambda ln: ln.bottom)
    out: list[Line] = []
    row: list[Line] = []
    for ln in ordered:
        if row and abs(ln.bottom - row[0].bottom) >= 1.5:
            out.extend(sorted(row, key=lambda x: x.x0))
            row = []
        row.append(ln)
    out.extend(sorted(row, key=lambda x: x.x0))
    return out


def _merge_split_lines(lines: list[Line]) -> list[Line]:
    """Justified text with wide gaps comes out as two lines on one baseline: join them."""
    out: list[Line] = []
    for ln in lines:
        prev = out[-1] if out else None
        if prev is not None and prev.box == ln.box and abs(prev.bottom - ln.bottom) < 1.5 \
                and ln.x0 > prev.x0:
            gap = ln.x0 - prev.x1
            if 0 <= gap < 4 * max(prev.size, 1):
                prev.text = f"{prev.text} {ln.text}"
                prev.glyphs += ln.glyphs
                prev.math_glyphs += ln.math_glyphs
                prev.x1 = max(prev.x1, ln.x1)
                prev.top = min(prev.top, ln.top)
                continue
        out.append(ln)
    return out


def _box_extent(box) -> tuple[float, float, float, float, int]:
    """x0, y0, x1, y1 (PDF coordinates, y up) and line count of a pdfminer box (or [line])."""
    obj = box if hasattr(box, "x0") else box[0]
    return obj.x0, obj.y0, obj.x1, obj.y1, len(box) if hasattr(box, "__len__") else 1


def _column_order(boxes: list, width: float, height: float,
                  tables: list[tuple[float, float, float, float]] = ()) -> tuple[
                      list, float | None]:
    """Text boxes in reading order on a page set in two columns: the left column top to
    bottom, then the right, between the full-width boxes that span both (a title, a wide
    table). pdfminer's own order interleaves the columns where short boxes stand side by side
    (two lists). A page is set in columns when a vertical gutter near the middle crosses no
    box and each side holds wrapped paragraphs (boxes of 2+ lines) beside each other; label
    and value rows (single lines) are no columns; the cells of a ruled table (`tables`, in
    PDF coordinates) stand together as one full-width box. Returns (boxes, the gutter's x or
    None). A table inside one half of the page stands in its column."""
    if len(boxes) < 6:
        return boxes, None
    ext = [_box_extent(b) for b in boxes]
    in_table = set()
    for i, e in enumerate(ext):
        cx, cy = (e[0] + e[2]) / 2, (e[1] + e[3]) / 2
        for t in tables:
            if t[0] - 1 <= cx <= t[2] + 1 and t[1] - 1 <= cy <= t[3] + 1:
                if t[2] < 0.5 * width or t[0] > 0.5 * width:
                    # a table inside one column: its cells stand with that column's text
                    ext[i] = (min(e[0], t[0]), e[1], max(e[2], t[2]), e[3], 0)
                else:
                    ext[i] = (min(e[0], t[0], 0.1 * width), e[1],
                              max(e[2], t[2], 0.9 * width), e[3], 0)  # spans both columns,
                    # and is no evidence of any
                in_table.add(i)
    best = None
    for g in range(int(0.3 * width), int(0.7 * width), 3):
        left = [e for e in ext if e[2] <= g]
        right = [e for e in ext if e[0] >= g]
        crossing = [e for e in ext if e[0] < g < e[2] and e[4]]
        if not _holds_prose(left, width) or not _holds_prose(right, width):
            continue
        # side by side: the two columns share most of their height
        lo = max(min(e[1] for e in left), min(e[1] for e in right))
        hi = min(max(e[3] for e in left), max(e[3] for e in right))
        if hi - lo < 0.3 * height:
            continue
        crossing_lines = sum(e[4] for e in crossing if lo < (e[1] + e[3]) / 2 < hi)
        if crossing_lines > 1:
            continue
        score = min(sum(e[4] for e in left), sum(e[4] for e in right))
        # A gutter no line crosses is the gutter; one a line reaches into only if none is
        # clear (a line crossing it is read as spanning both columns).
        if best is None or (crossing_lines, -score) < best[0]:
            best = ((crossing_lines, -score), g)
    if best is None:
        return boxes, None
    g = best[1]
    spanning = sorted((i for i, e in enumerate(ext) if e[0] < g < e[2]), key=lambda i: -ext[i][3])
    bands: list[list[int]] = [[]]
    cuts = [ext[i][3] for i in spanning]  # tops of the spanning boxes, top of page first
    for i in spanning:
        bands.append([i])
    def band_of(e) -> int:
        top = e[3]
        return sum(1 for c in cuts if top < c - 0.5)
    order: list[int] = []
    columns: list[list[list[int]]] = [[[], []] for _ in bands]
    for i, e in enumerate(ext):
        if e[0] < g < e[2]:
            continue
        columns[band_of(e)][0 if e[2] <= g else 1].append(i)
    for k, band in enumerate(bands):
        order.extend(band)
        for col in columns[k]:
            order.extend(sorted(col, key=lambda i: -ext[i][3]))
    return [boxes[i] for i in order], float(g)


def _holds_prose(side: list, width: float) -> bool:
    """Wrapped paragraphs on one side of a gutter: two boxes of 2+ lines, or, where every
    line came out as a box of its own (lines set far apart), six lines of the side's full
    measure (a justified column), which label and value rows are not."""
    if sum(1 for e in side if e[4] >= 2) >= 2:
        return True
    widths = [e[2] - e[0] for e in side if e[4] == 1]
    if len(widths) < 6:
        return False
    measure = max(widths)
    return measure >= 0.25 * width and sum(1 for w in widths if w >= 0.9 * measure) >= 6


_BOXED_NUMBER = re.compile(r"^\d{1,2}\.?$")


def _join_rows(lines: list[Line], gutter: float | None = None) -> list[Line]:
    """Single lines set side by side on one baseline (a label and its value, the cells of an
    unruled table row) are one row of text, read left to right, not two columns; " | "
    stands between the cells, as for the rows of a Word table."""
    size_of_box = Counter(ln.box for ln in lines)
    single = [ln for ln in lines if size_of_box[ln.box] == 1]
    if len(single) < 2:
        return lines
    taken: set[int] = set()
    joined: set[int] = set()
    rows: list[tuple[float, float]] = []  # x of the label and of the value of each row joined
    for ln in sorted(single, key=lambda x: x.x0):
        if id(ln) in taken:
            continue
        for other in sorted(single, key=lambda x: x.x0):
            if other is ln or id(other) in taken or abs(other.bottom - ln.bottom) >= 2:
                continue
            if gutter is not None and ln.x1 <= gutter <= other.x0:
                continue  # side by side in two columns: two texts, not one row
            if other.x0 - ln.x1 >= 0.5 * ln.size:
                # A section number in a box of its own before its title, both in one bold
                # face and size: the heading "5 Conclusions", not the cells of a row.
                numbered = _BOXED_NUMBER.match(ln.text) and ln.bold and other.bold and \
                    abs(ln.size - other.size) < 0.6 and other.text[:1].isalpha() and \
                    other.x0 - ln.x1 < 4 * ln.size
                ln.text = f"{ln.text} {other.text}" if numbered else f"{ln.text} | {other.text}"
                ln.x1 = max(ln.x1, other.x1)
                taken.add(id(other))
                if not numbered:
                    rows.append((ln.x0, other.x0))
                    joined.add(id(ln))
    follow = _wrapped_values(lines, rows, joined | taken, taken, gutter) if rows else {}
    moved = {id(x) for tail in follow.values() for x in tail}
    out: list[Line] = []
    for ln in lines:
        if id(ln) in taken or id(ln) in moved:
            continue
        out.append(ln)
        out.extend(follow.get(id(ln), []))
    return out


def _key_value_grid(lines: list[Line]) -> list[Line]:
    """A borderless two-column table (labels left, values right, both wrapping within their
    column, each row's cells set from its top), read by its rows on the page rather than by
    the text boxes pdfminer makes of it: those group the lines of neighbouring cells (two
    labels one above the other, two rows' values in one box), or the page is taken for two
    columns of text. A row starts where a line of the label column and a line of the value
    column share a baseline; the lines under each, down to the next such pair, are its label's
    and its value's wraps. Each row becomes one line "label | value". Two columns of prose
    are not a grid: their left lines run to the gutter, a label column's mostly end well
    short of the values. Anything that does not fit (a wrap far below the line above it, a
    line between the columns) leaves the lines as they were."""
    if len(lines) < 6:
        return lines
    by_baseline = sorted(lines, key=lambda ln: ln.bottom)
    pairs: Counter = Counter()
    for i, a in enumerate(by_baseline):
        for b in by_baseline[i + 1:]:
            if b.bottom - a.bottom >= 2:
                break
            left, right = (a, b) if a.x0 < b.x0 else (b, a)
            if right.x0 - left.x1 >= 0.5 * left.size and left.page == right.page:
                pairs[(round(left.x0), round(right.x0))] += 1
    if not pairs:
        return lines
    (lx, vx), count = pairs.most_common(1)[0]
    if count < 3:
        return lines

    def column(ln: Line) -> int:  # 0 label, 1 value, -1 neither
        if abs(ln.x0 - lx) < 2 and ln.x1 < vx - 0.3 * ln.size:
            return 0
        if abs(ln.x0 - vx) < 2:
            return 1
        return -1

    def wraps_on(ln: Line, side: int) -> bool:  # the line of its column just above it is
        above = [x for x in by_baseline if column(x) == side and x.bottom < ln.bottom - 2]
        return bool(above) and ln.top - above[-1].bottom <= 0.5 * ln.size  # a line away

    # A row's first lines: a label line and a value line on one baseline, not both the wraps
    # of the cells above them (rows stand further apart than the lines of a cell).
    anchors = {id(a) for i, a in enumerate(by_baseline) if column(a) == 0
               and any(column(b) == 1 and abs(b.bottom - a.bottom) < 2
                       and not (wraps_on(a, 0) and wraps_on(b, 1))
                       for b in by_baseline[max(0, i - 3):i + 4])}
    if len(anchors) < 3:
        return lines
    # The grid: from the first row's baseline down, consecutive lines of the two columns.
    first_bottom = next(ln.bottom for ln in by_baseline if id(ln) in anchors)
    zone: list[Line] = []
    for ln in by_baseline:
        if ln.bottom < first_bottom - 2:
            continue
        if column(ln) < 0 or (zone and ln.top - zone[-1].bottom > 3 * ln.size):
            break
        zone.append(ln)
    heads = [ln for ln in zone if id(ln) in anchors]
    labels = [ln for ln in zone if column(ln) == 0]
    gaps = sorted(vx - ln.x1 for ln in labels)
    if len(heads) < 3 or gaps[len(gaps) // 2] < 2 * labels[0].size:
        return lines
    cells: list[tuple[list[Line], list[Line]]] = [([], []) for _ in heads]
    for ln in zone:
        k = max(i for i, h in enumerate(heads) if h.bottom <= ln.bottom + 2) \
            if heads[0].bottom <= ln.bottom + 2 else -1
        if k < 0:
            return lines
        cells[k][column(ln)].append(ln)
    for head, (lab, val) in zip(heads, cells, strict=True):
        if lab[0] is not head or not val or abs(val[0].bottom - head.bottom) >= 2:
            return lines  # a value not set from its row's top: no such grid
        for part in (lab, val):
            if any(b.top - a.bottom > 1.2 * b.size for a, b in zip(part, part[1:], strict=False)):
                return lines  # a line far below the one above: not its wrap
    texts = [[" ".join(x.text for x in lab), " ".join(x.text for x in val)] for lab, val in cells]
    if all(len(lab) == 1 and len(val) == 1 for lab, val in cells) or \
            not _key_value_rows(texts):
        return lines  # no cell wraps (rows joined as before), or the left cells are no labels
    rows: list[Line] = []
    dropped: set[int] = set()
    for lab, val in cells:
        first, both = lab[0], lab + val
        rows.append(Line(" | ".join(texts[len(rows)]), first.page, first.x0, first.top, max(x.x1 for x in both),
                         max(x.bottom for x in both), first.size, first.bold, first.box,
                         first.symbol_bullet, first.font, ink_x0=first.ink_x0,
                         glyphs=sum(x.glyphs for x in both),
                         math_glyphs=sum(x.math_glyphs for x in both)))
        dropped.update(id(x) for x in both)
    out: list[Line] = []
    for ln in lines:
        if id(ln) not in dropped:
            out.append(ln)
        elif rows:  # the rows stand where the grid's first line stood, top to bottom
            out.extend(rows)
            rows = []
    return out


def _wrapped_values(lines: list[Line], rows: list[tuple[float, float]], used: set[int],
                    taken: set[int], gutter: float | None) -> dict[int, list[Line]]:
    """Label and value rows (`rows`: the x of each row's label and value) where a value wraps
    onto more lines: pdfminer boxes the value's lines together, apart from its label, and they
    would be read after the rows. A single-line label at the rows' label x, beside the first
    line of a box at their value x, is that value's row: the first line joins the label's row
    (`taken` gets it) and the box's other lines follow it. Returns label line id -> lines."""
    size_of_box = Counter(ln.box for ln in lines)
    by_box: dict[int, list[Line]] = {}
    for ln in lines:
        if size_of_box[ln.box] >= 2:
            by_box.setdefault(ln.box, []).append(ln)
    label_xs = {round(x) for x, _ in rows}
    value_xs = [v for _, v in rows]
    out: dict[int, list[Line]] = {}
    for ln in lines:
        if size_of_box[ln.box] != 1 or id(ln) in used or \
                not any(abs(ln.x0 - x) < 2 for x in label_xs):
            continue
        for box in by_box.values():
            first = box[0]
            if id(first) in taken or len(box) > 6 or abs(first.bottom - ln.bottom) >= 2 or \
                    not any(abs(first.x0 - v) < 2 for v in value_xs) or \
                    any(x.x0 < ln.x1 for x in box) or \
                    (gutter is not None and ln.x1 <= gutter <= first.x0):
                continue
            ln.text = f"{ln.text} | {first.text}"
            ln.x1 = max(ln.x1, first.x1)
            taken.add(id(first))
            out[id(ln)] = box[1:]
            break
    return out


_LONE_BULLET = re.compile(r"^(?:[•▪●◦➢✓■□–\-*·]|\d{1,2}[.)]|[a-z][.)])$")


def _attach_bullets(lines: list[Line]) -> list[Line]:
    """A bullet drawn apart from its item's text (its own text box) joins the text on its
    baseline, so the item starts where the bullet does."""
    lone = [ln for ln in lines if ln.symbol_bullet and len(ln.text) <= 2
            or _LONE_BULLET.match(ln.text)]
    if not lone:
        return lines
    dropped = set()
    for b in lone:
        target = min((ln for ln in lines if ln is not b and id(ln) not in dropped
                      and abs((ln.top + ln.bottom) - (b.top + b.bottom)) / 2
                      < 0.45 * max(ln.size, b.size) and 0 <= ln.x0 - b.x1 < 40),
                     key=lambda ln: ln.x0, default=None)
        if target is None:
            continue
        marker = "•" if b.symbol_bullet or not b.text[:1].isalnum() else b.text
        target.text = f"{marker} {target.text}"
        target.x0 = b.x0
        target.symbol_bullet = False
        dropped.add(id(b))
    # A bullet with no text beside it is a picture, not words to quote.
    return [ln for ln in lines if id(ln) not in dropped
            and not ((ln.symbol_bullet or _LONE_BULLET.match(ln.text))
                     and not any(ch.isalnum() for ch in ln.text))]


def _dedupe(lines: list[Line]) -> list[Line]:
    """Characters drawn twice (fake bold by overprinting) give every line twice: keep one."""
    out: list[Line] = []
    for ln in lines:
        if any(abs(o.bottom - ln.bottom) < 1.5 and o.x0 - 1.5 <= ln.x0 and ln.x1 <= o.x1 + 1.5
               and ln.text in o.text for o in out[-6:]):
            continue
        out.append(ln)
    return out


def _inside(ln: Line, bbox) -> bool:
    x0, top, x1, bottom = bbox
    cx, cy = (ln.x0 + ln.x1) / 2, (ln.top + ln.bottom) / 2
    return x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1


def _find_tables(page, number: int, warnings: list[str] | None = None) -> list[Table]:
    """Ruled tables only: a table detector guessing from text alignment finds garbage in
    columns of prose. A candidate must have 2+ rows, 2+ columns and mostly filled cells."""
    if not _has_graphics(page.layout):
        # No line, rectangle or curve drawn: no rule, so no ruled table, and pdfplumber's
        # copy of every character (a third of the reading cost) is not needed.
        return []
    try:
        found = page.find_tables()
    except Exception as exc:  # a detector failure costs the table, never the text
        if warnings is not None:
            warnings.append(f"page {number}: table detection failed ({type(exc).__name__}); "
                            f"its tables read as lines of text")
        return []
    tables = []
    for t in found:
        clean = _clean_rows(t)
        if clean is None:
            continue
        if len(clean) >= 3 and _filled(clean) < 0.75 and _outer_column_empty(clean):
            # Rules between the columns and across the rows, none down the outer edges (a
            # header band filled above them): the outer columns' cells have no left or right
            # edge, so the detector merges them away. The rules' own extent bounds the table.
            closed = _with_outer_edges(page, t)
            if closed is not None and _filled(closed[1]) > _filled(clean):
                t, clean = closed
        if _filled(clean) < 0.5:
            continue
        header = _first_row_is_header(page, t, clean)
        tables.append(Table(number, tuple(float(v) for v in t.bbox), clean, header=header))
    try:
        tables = _rule_tables(page, number, tables)
    except Exception as exc:  # a detector failure costs the table, never the text
        if warnings is not None:
            warnings.append(f"page {number}: reading a table ruled by horizontal lines failed "
                            f"({type(exc).__name__}); it reads as lines of text")
    return tables


def _has_graphics(container) -> bool:
    """Whether a page (pdfminer's layout) draws any line, rectangle or curve, in a figure
    or not: the only objects table rules come from."""
    from pdfminer.layout import LTCurve, LTFigure

    for obj in container:
        if isinstance(obj, LTCurve):  # LTLine and LTRect are curves too
            return True
        if isinstance(obj, LTFigure) and _has_graphics(obj):
            return True
    return False


TABLE_BAND_ROW_MAX_LINES = 3
TABLE_CELL_MAX_WORDS = 60
RULE_MIN_LENGTH = 60.0  # points: shorter strokes are underlines and marks, not table rules


def _clean_rows(t) -> list[list[str]] | None:
    """A detected table's rows, cells normalised, empty rows and columns dropped; None when
    fewer than 2 rows or 2 columns are left (no table)."""
    try:
        rows = t.extract()
    except Exception:
        return None
    clean = []
    for row in rows:
        cells = [" ".join(normalise_chars(c or "").split()) for c in row]
        if any(cells):
            clean.append(cells)
    if len(clean) < 2:
        return None
    width = max(len(r) for r in clean)
    cols = [i for i in range(width) if any(i < len(r) and r[i] for r in clean)]
    if len(cols) < 2:
        return None
    return [[r[i] if i < len(r) else "" for i in cols] for r in clean]


def _filled(rows: list[list[str]]) -> float:
    return sum(1 for r in rows for c in r if c) / (len(rows) * len(rows[0]))


def _outer_column_empty(rows: list[list[str]]) -> bool:
    """The first or last column has text in its first row only (a header band's label)."""
    return any(all(not r[i] for r in rows[1:]) for i in (0, -1))


def _with_outer_edges(page, t):
    """The table found again within its own box with its left and right edges drawn in:
    (table, rows), or None when that gives no fuller table."""
    x0, top, x1, bottom = (float(v) for v in t.bbox)
    try:
        crop = page.crop((max(0.0, x0 - 1), max(0.0, top - 1), min(float(page.width), x1 + 1),
                          min(float(page.height), bottom + 1)))
        again = crop.find_tables({"explicit_vertical_lines": [x0, x1]})
    except Exception:
        return None
    for t2 in again:
        rows = _clean_rows(t2)
        if rows is not None and len(rows) == len(_clean_rows(t) or []) and \
                abs(t2.bbox[1] - top) < 2 and abs(t2.bbox[3] - bottom) < 2:
            return t2, rows
    return None


def _horizontal_rules(page) -> list[tuple[float, float, float]]:
    """Thin horizontal strokes (lines, or rectangles at most 2 pt high, as TeX draws its
    rules) as (y, x0, x1), one per printed rule, top of the page first."""
    found = []
    for obj in list(page.lines) + list(page.rects):
        x0, x1 = float(obj["x0"]), float(obj["x1"])
        top, bottom = float(obj["top"]), float(obj["bottom"])
        if bottom - top <= 2.0 and x1 - x0 >= RULE_MIN_LENGTH:
            found.append(((top + bottom) / 2, x0, x1))
    found.sort()
    out: list[tuple[float, float, float]] = []
    for y, x0, x1 in found:  # a rule drawn twice, or a rectangle's two edges: one rule
        if out and y - out[-1][0] < 2.0 and abs(x0 - out[-1][1]) < 3 and abs(x1 - out[-1][2]) < 3:
            continue
        out.append((y, x0, x1))
    return out


def _word_lines(words: list[dict]) -> list[list[dict]]:
    """Words grouped into printed lines (by baseline), each left to right."""
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(float(w["bottom"])), float(w["x0"]))):
        if lines and abs(float(w["bottom"]) - float(lines[-1][0]["bottom"])) < 2.0:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(ln, key=lambda w: float(w["x0"])) for ln in lines]


def _columns(lines: list[list[dict]]) -> list[tuple[float, float]]:
    """Column extents: where the words of all lines stand, the gaps between words of one
    cell (under a space wide) closed; a column gap is wider than that on every line."""
    spans = sorted((float(w["x0"]), float(w["x1"])) for ln in lines for w in ln)
    if not spans:
        return []
    size = statistics.median(float(w["bottom"]) - float(w["top"]) for ln in lines for w in ln)
    cols = [list(spans[0])]
    for x0, x1 in spans[1:]:
        if x0 - cols[-1][1] < 0.6 * size:
            cols[-1][1] = max(cols[-1][1], x1)
        else:
            cols.append([x0, x1])
    return [(a, b) for a, b in cols]


def _cells(lines: list[list[dict]], cols: list[tuple[float, float]]) -> list[str]:
    cells: list[list[str]] = [[] for _ in cols]
    for ln in lines:
        for w in ln:
            cx = (float(w["x0"]) + float(w["x1"])) / 2
            k = min(range(len(cols)), key=lambda i: 0 if cols[i][0] - 1 <= cx <= cols[i][1] + 1
                    else min(abs(cx - cols[i][0]), abs(cx - cols[i][1])))
            cells[k].append(w["text"])
    return [" ".join(normalise_chars(" ".join(c)).split()) for c in cells]


def _rule_tables(page, number: int, tables: list[Table]) -> list[Table]:
    """Tables ruled by horizontal lines only: rules between the rows, or booktabs rules above,
    under the header and below, and no vertical lines for the lattice finder. Rules of one
    width stacked down the page bound bands of text; a band whose words stand in two or more
    columns is part of a table, a band of prose (one column) is not. With rules between the
    rows, each band is a row (a cell may hold two lines); with fewer, each line whose first
    column holds words opens a row and a line without continues the row above (a wrapped
    cell). A lattice table found inside the rules' extent is the same table, missing the
    outer columns the vertical rules do not enclose: it is replaced."""
    rules = _horizontal_rules(page)
    if len(rules) < 2:
        return tables
    groups: list[list[tuple[float, float, float]]] = []
    for r in rules:
        g = next((g for g in groups if abs(g[0][1] - r[1]) < 3 and abs(g[0][2] - r[2]) < 3),
                 None)
        if g is None:
            groups.append([r])
        else:
            g.append(r)
    height = float(page.height)
    out = list(tables)
    for g in groups:
        if len(g) < 2:
            continue
        x0, x1 = min(r[1] for r in g), max(r[2] for r in g)
        bands = []  # (top rule, bottom rule, its lines, tabular)
        for (top, _a, _b), (bottom, _c, _d) in zip(g, g[1:], strict=False):
            if bottom - top > 0.6 * height:
                bands.append((top, bottom, [], False))
                continue
            box = (max(x0 - 1, float(page.bbox[0])), top, min(x1 + 1, float(page.bbox[2])),
                   bottom)
            if any(_overlap(box, t.bbox) and not _within_all(t.bbox, (x0, g[0][0], x1, g[-1][0]))
                   for t in tables):
                bands.append((top, bottom, [], False))  # a lattice table's own rules
                continue
            crop = page.within_bbox(box)
            if hasattr(crop, "dedupe_chars"):  # fake bold: every character drawn twice
                crop = crop.dedupe_chars()
            # Words split where pdfminer splits them for the page's lines (a gap of about
            # a tenth of an em), so a cell reads as the line it replaces.
            lines = _word_lines(crop.extract_words(x_tolerance=1.5))
            bands.append((top, bottom, lines, bool(lines) and _one_size(lines)
                          and len(_columns(lines)) >= 2))
        run: list = []
        for band in [*bands, (0, 0, [], False)]:
            if band[3]:
                run.append(band)
                continue
            if run:
                table = _rule_table(page, number, run, x0, x1)
                if table is not None:
                    out = [t for t in out if not _within(t.bbox, table.bbox)] + [table]
                run = []
    return out


def _first_only(line: list[dict], cols: list[tuple[float, float]]) -> bool:
    cells = _cells([line], cols)
    return bool(cells[0]) and not any(cells[1:])


def _height(line: list[dict]) -> float:
    return statistics.median(float(w["bottom"]) - float(w["top"]) for w in line)


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _within_all(inner, outer) -> bool:
    return outer[0] - 2 <= inner[0] and inner[2] <= outer[2] + 2 and \
        outer[1] - 2 <= inner[1] and inner[3] <= outer[3] + 2


def _one_size(lines: list[list[dict]]) -> bool:
    """A table's cells are set in one size (a bold header too); a band holding a line set
    bigger (a section heading under a rule, as a CV is laid out) is a page's layout."""
    heights = [float(w["bottom"]) - float(w["top"]) for ln in lines for w in ln]
    median = statistics.median(heights)
    return all(0.8 * median <= h <= 1.25 * median for h in heights)


def _within(inner, outer) -> bool:
    cx, cy = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    return outer[0] - 2 <= cx <= outer[2] + 2 and outer[1] - 2 <= cy <= outer[3] + 2


def _rule_table(page, number: int, bands: list, x0: float, x1: float) -> Table | None:
    top, bottom = bands[0][0], bands[-1][1]
    body = bands[1:] if len(bands) > 1 else bands
    cols = _columns([ln for b in body for ln in b[2]])
    if len(cols) < 2:
        return None
    # A heading set over a rule (a CV's "Training" over its line) is the last line of the band
    # above: alone in the first column, bigger than the cells. It stays text.
    last = bands[-1][2]
    if len(last) > 1 and _first_only(last[-1], cols) and _height(last[-1]) > 1.05 * \
            statistics.median(_height(ln) for ln in last[:-1]):
        bottom = min(float(w["top"]) for w in last[-1]) - 0.5
        bands = bands[:-1] + [(bands[-1][0], bottom, last[:-1], True)]
        body = bands[1:] if len(bands) > 1 else bands
    lines = [ln for b in body for ln in b[2]]
    if sum(1 for ln in lines if _first_only(ln, cols)) > len(lines) / 3:
        return None  # labels standing alone, line after line: a page's layout, not rows
    def line_rows(lines) -> list[list[str]]:
        # A line opens a row when it fills two cells or more, or its first (the row's
        # label); a line with one cell further right is a cell wrapped onto the next line.
        groups: list[list] = []
        for ln in lines:
            cells = _cells([ln], cols)
            if cells[0] or sum(1 for c in cells if c) >= 2 or not groups:
                groups.append([ln])
            else:
                groups[-1].append(ln)
        return [_cells(g, cols) for g in groups]

    if len(bands) >= 3:
        # Ruled between the rows: a band of a few lines is one row (cells of two lines, a
        # label centred beside them); a band of many lines holds rows of its own.
        rows = [row for b in bands for row in (
            [_cells(b[2], cols)] if len(b[2]) <= TABLE_BAND_ROW_MAX_LINES else line_rows(b[2]))]
    else:  # booktabs: the header above its rule, the body's rows line by line
        rows = ([_cells(bands[0][2], cols)] if len(bands) > 1 else []) + line_rows(body[0][2])
    rows = [r for r in rows if any(r)]
    # Between two rules only, two lines are as likely a table's header over a body that is
    # no table (its rows as prose) as a table: three rows or more make one.
    if len(rows) < (3 if len(bands) == 1 else 2) or any(len(c.split()) > TABLE_CELL_MAX_WORDS for r in rows for c in r):
        return None  # a paragraph beside a margin note is no cell
    filled = sum(1 for r in rows for c in r if c) / (len(rows) * len(cols))
    if filled < 0.5:
        return None
    bbox = (x0, top, x1, bottom)

    def bold_share(lines) -> float:
        chars = [c for ln in lines for w in ln for c in page.within_bbox(
            (float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"]))).chars
            if c["text"].strip()]
        return sum(1 for c in chars if _BOLD_FONT.search(c.get("fontname") or "")) / max(
            1, len(chars))

    header = not _key_value_rows(rows)
    if len(bands) > 1 and bold_share(bands[0][2]) >= 0.8:
        header = True
    return Table(number, bbox, rows, header=header)


def _first_row_is_header(page, t, rows: list[list[str]]) -> bool:
    """Does the first row label the columns? Set apart in bold from the rows under it, yes.
    Otherwise a two-column table whose first column holds short labels, every row, is a
    key/value table ("Number of schools | 12"): its labels run down the first column."""
    def bold_share(bbox) -> float:
        x0, top, x1, bottom = bbox
        chars = [c for c in page.chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1
                 and top <= (c["top"] + c["bottom"]) / 2 <= bottom and c["text"].strip()]
        return sum(1 for c in chars if _BOLD_FONT.search(c.get("fontname") or "")) / max(
            1, len(chars))

    try:
        first = bold_share(t.rows[0].bbox)
        rest = max((bold_share(r.bbox) for r in t.rows[1:]), default=0.0)
    except Exception:  # no row boxes: decide from the text
        first, rest = 0.0, 0.0
    if first >= 0.8 and rest < 0.6:
        return True
    return not _key_value_rows(rows)


def _key_value_rows(rows: list[list[str]]) -> bool:
    if len(rows) < 2 or any(len(r) != 2 for r in rows):
        return False
    labels = [r[0] for r in rows]
    # Labels are short, but not every one: a template's own label may run to a dozen words
    # ("Informal or formal approaches to evaluate the effectiveness of school improvement").
    # So three in four are short, and none is a sentence.
    short = sum(1 for lb in labels if len(lb) <= 60 and len(lb.split()) <= 8)
    return all(lb and len(lb) <= 120 and len(lb.split()) <= 16 and re.search(r"[^\W\d_]", lb)
               and not lb.endswith((".", ";")) for lb in labels) \
        and short >= 0.75 * len(labels) and sum(1 for r in rows if r[1]) >= 0.5 * len(rows)


# ----------------------------------------------------------------------- running heads, TOC


def _furniture_key(text: str) -> str:
    """What a running head or footer keeps from page to page: its words, not its page number
    or the bars and dashes around it ("10 | Title", "Title | 11", "Page 5 of 9")."""
    return re.sub(r"[\W\d_]+", "", normalise_chars(text).lower())


def _near(a: str, b: str) -> bool:
    """The same furniture read twice by OCR, a character or two apart."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 2 or min(len(a), len(b)) < 6:
        return False
    import difflib

    m = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return m.real_quick_ratio() >= 0.85 and m.quick_ratio() >= 0.85 and \
        len(a) + len(b) - 2 * sum(bl.size for bl in m.get_matching_blocks()) <= 4


# A running head or footer by its form alone ("9 | Title", "Title | 11", "Page 5 of 9"), for
# a page cut from a longer document: where it stands apart at the page's edge.
_RUNNING_LINE = re.compile(r"^\d{1,4}\s*\|\s*\S.{2,}$|^\S.{2,}\s\|\s*\d{1,4}$|"
                           r"^page\s+\d{1,4}\s+of\s+\d{1,4}$", re.I)
FUZZY_FURNITURE_MAX_KEYS = 400  # distinct edge lines compared pairwise (OCR variants)


def strip_margins(pages: list[PageLayout]) -> int:
    """Drop page furniture: running heads and footers (the same words, page numbers and bars
    aside, at the top or bottom of half the pages or more; two pages are enough, and an OCR'd
    page may read them a character or two differently), anything else printed at the same
    place on most pages (side tabs, navigation buttons), and bare page numbers in the margins.
    Returns how many went."""
    def key(text: str) -> str:
        return re.sub(r"\d+", "#", text.lower())

    def edges(p: PageLayout) -> list[Line]:
        by_top = sorted(p.lines, key=lambda ln: ln.top)
        return by_top[:2] + by_top[-2:]

    counts: Counter[str] = Counter()
    exact: Counter[str] = Counter()  # numbers aside only ("ER 29,2" has almost no words)
    by_parity: tuple[Counter[str], Counter[str]] = (Counter(), Counter())  # even, odd pages
    placed_by_parity: tuple[Counter, Counter] = (Counter(), Counter())
    placed: Counter[tuple[str, int]] = Counter()
    for p in pages:
        counts.update({_furniture_key(ln.text) for ln in edges(p)})
        exact.update({key(ln.text) for ln in edges(p)})
        by_parity[p.number % 2].update({key(ln.text) for ln in edges(p)})
        # Only words count as furniture by place: a bullet or a lone digit stands at the same
        # height on many pages of any list-heavy report. In the side margins (a tab with
        # the journal's volume, "ER" over "29,2") anything repeated at one place is.
        here = {(key(ln.text), round(ln.top / 8)) for ln in p.lines
                if sum(ch.isalpha() for ch in ln.text) >= 3
                or (ln.x1 < 0.12 * p.width or ln.x0 > 0.88 * p.width) and len(ln.text) >= 2}
        placed.update(here)
        placed_by_parity[p.number % 2].update(here)
    with_text = sum(1 for p in pages if p.lines)
    # Repeated on most pages (3 or more): furniture wherever it stands at the page's edge.
    strong = {k for k, n in counts.items() if n >= max(3, (with_text + 1) // 2)
              and len(k) >= 3} if with_text >= 3 else set()
    strong_exact = {k for k, n in exact.items() if n >= max(3, (with_text + 1) // 2)} \
        if with_text >= 3 else set()
    # A book's running heads alternate: the journal on even pages, the article on odd ones.
    for parity, seen in enumerate(by_parity):
        n_pages = sum(1 for p in pages if p.lines and p.number % 2 == parity)
        strong_exact |= {k for k, n in seen.items() if n_pages >= 3 and n >= max(
            3, (n_pages + 1) // 2) and sum(ch.isalpha() for ch in k) >= 3}
    # Repeated on fewer (a document of two pages), or only nearly (OCR reads a footer a
    # character or two differently on each page): furniture only where it stands apart in
    # the margin, as running heads and footers do (the end of a paragraph carried over to
    # the top of the next page does not).
    weak_threshold = max(2, (with_text + 1) // 2)
    weak = {k for k, n in counts.items() if n >= weak_threshold and len(k) >= 3} \
        if with_text >= 2 else set()
    if with_text >= 2 and len(counts) <= FUZZY_FURNITURE_MAX_KEYS:
        for k in [k for k, n in counts.items() if n < weak_threshold and len(k) >= 6]:
            if sum(n for other, n in counts.items() if _near(k, other)) >= weak_threshold:
                weak.add(k)
    weak -= strong
    many = len(pages) >= 3
    fixed = {k for k, n in placed.items() if n >= max(3, (len(pages) + 1) // 2)} if many \
        else set()
    for parity, seen in enumerate(placed_by_parity):
        n_pages = sum(1 for p in pages if p.number % 2 == parity)
        fixed |= {k for k, n in seen.items() if n_pages >= 3 and n >= max(3, (n_pages + 1) // 2)}
    dropped = 0
    for p in pages:
        edge = {id(ln) for ln in edges(p)}
        keep = []
        gone_at: list[int] = []  # indices dropped: a table keeps its place among the rest
        for index, ln in enumerate(p.lines):
            k = key(ln.text)
            fk = _furniture_key(ln.text)
            in_margin = ln.top < 0.09 * p.height or ln.bottom > 0.91 * p.height
            furniture = id(ln) in edge and (fk in strong or k in strong_exact or (
                _RUNNING_LINE.match(ln.text) and _stands_apart(ln, p)) or (
                fk in weak and _stands_apart(ln, p)))
            if (furniture or id(ln) in edge and in_margin and _PAGE_NUMBER.match(ln.text)
                    or (k, round(ln.top / 8)) in fixed):
                dropped += 1
                gone_at.append(index)
                continue
            keep.append(ln)
        p.lines = keep
        for t in p.tables:
            t.order -= sum(1 for i in gone_at if i < t.order)
    return dropped


def _stands_apart(ln: Line, p: PageLayout) -> bool:
    """In the outer eighth of the page, with a wide gap between it and the text on the page's
    side of it: where running heads and footers are printed."""
    top_side = ln.top < 0.125 * p.height
    if not top_side and ln.bottom <= 0.875 * p.height:
        return False
    if top_side:
        below = [o.top for o in p.lines if o.top > ln.bottom - 0.5 and o is not ln]
        gap = min(below) - ln.bottom if below else 99.0
    else:
        above = [o.bottom for o in p.lines if o.bottom < ln.top + 0.5 and o is not ln]
        gap = ln.top - max(above) if above else 99.0
    return gap >= 1.4 * max(ln.size, 6.0)


def is_contents_page(p: PageLayout) -> bool:
    """A table of contents: most lines end in a page number, many with dot leaders."""
    lines = [ln for ln in p.lines if len(ln.text) > 3]
    if len(lines) < 4:
        return False
    leaders = sum(1 for ln in lines if _DOT_LEADER.search(ln.text))
    return leaders >= 4 and leaders >= 0.4 * len(lines)


# ---------------------------------------------------------------------------- classification


@dataclass
class Typography:
    body_size: float
    body_bold: bool
    left: float  # most common left edge of body lines
    body_font: str = ""

    @classmethod
    def of(cls, pages: list[PageLayout]) -> Typography:
        sizes: Counter[float] = Counter()
        bold: Counter[bool] = Counter()
        lefts: Counter[int] = Counter()
        fonts: Counter[str] = Counter()
        # Listings in a monospaced face are not the body, however long they run (a handbook
        # page of SQL), unless the whole document is set in one (a typescript).
        mono = sum(len(ln.text) for p in pages for ln in p.lines
                   if ln.font and _MONO_FONT.search(ln.font))
        total = sum(len(ln.text) for p in pages for ln in p.lines)
        skip_mono = total and total - mono >= 0.15 * total

        def body_lines():
            for p in pages:
                for ln in p.lines:
                    if not (skip_mono and ln.font and _MONO_FONT.search(ln.font)):
                        yield ln

        for ln in body_lines():
            sizes[round(ln.size * 2) / 2] += len(ln.text)
        body = sizes.most_common(1)[0][0] if sizes else 10.0
        for ln in body_lines():
            if abs(ln.size - body) < 0.6:
                bold[ln.bold] += len(ln.text)
                lefts[round(ln.x0)] += 1
                fonts[ln.font] += len(ln.text)
        return cls(body, bold.most_common(1)[0][0] if bold else False,
                   lefts.most_common(1)[0][0] if lefts else 0,
                   fonts.most_common(1)[0][0] if fonts else "")

    def heading_style(self, ln: Line) -> tuple[float, str] | None:
        """(size, weight) when the line is set as a heading, else None. The weight is "bold"
        by the font's name, or the font itself when a font of another name (a bold or a
        display face whose name says nothing) sets a whole line standing on its own."""
        size = round(ln.size * 2) / 2
        if ln.size >= self.body_size * 1.12 and ln.size - self.body_size >= 0.9:
            return (size, "bold" if ln.bold else ln.font)
        if ln.size < self.body_size - 0.6:
            return None
        if ln.bold and not self.body_bold:
            return (size, "bold")
        if ln.font and self.body_font and ln.font != self.body_font and not ln.bold \
                and ln.gap_above >= 0.35 * ln.size and not _TERMINAL.search(ln.text):
            return (size, ln.font)
        return None


def _is_bullet(ln: Line) -> bool:
    return ln.symbol_bullet or bool(BULLET.match(ln.text)) or ln.text[:1] in "•▪●◦➢✓■□–"


def _bullet_text(ln: Line) -> str:
    """The item with a plain "• " marker (a symbol font's glyph is a picture, not text)."""
    if ln.symbol_bullet:
        return "• " + ln.text[1:].lstrip()
    if ln.text[:1] in "•▪●◦➢✓■□–" and not BULLET.match(ln.text):
        return "• " + ln.text[1:].lstrip()
    return ln.text


_ABBREVIATION_END = re.compile(r"\b(?:etc|ltd|inc|co|al|cont|no|vol|ed|eds)\.$", re.I)


def _heading_text_ok(text: str) -> bool:
    if len(text) > HEADING_MAX_CHARS or len(text.split()) > HEADING_MAX_WORDS:
        return False
    if _CAPTION.match(text) or text[:1].islower() or text.endswith((",", ";")):
        return False
    if text.endswith(".") and not _SECTION_NUMBER.match(text) and len(text.split()) > 3 \
            and not _ABBREVIATION_END.search(text):
        return False  # a sentence set in bold is emphasis, not a title ("... MATs etc." is one)
    return any(ch.isalpha() for ch in text)


def _section_number(text: str) -> str:
    """"2.3" for "2.3 Issues ...", "" for an unnumbered or Roman-numbered heading."""
    m = _SECTION_NUMBER.match(text)
    number = m.group(1).rstrip(".") if m else ""
    return number if re.fullmatch(r"\d{1,2}(?:\.\d{1,2})*", number) else ""


def _number_depth(text: str) -> int:
    m = _SECTION_NUMBER.match(text)
    if not m:
        return 0
    number = m.group(1).rstrip(".")
    if re.fullmatch(r"[IVXLC]{1,5}(?:-[A-Z])?|[A-Z]", number):
        return 1 + ("-" in number)
    return len(number.split("."))


def _norm_title(text: str) -> str:
    return re.sub(r"[\W_]+", "", normalise_chars(text).lower())


def _unnumbered(text: str) -> str:
    """A heading's text without its section number ("1 Foo" -> "Foo"): bookmarks often omit it."""
    m = _SECTION_NUMBER.match(text)
    return text[m.end(1):].strip() if m else text


def outline_entries(reader, n_pages: int) -> tuple[list[OutlineEntry], list[str]]:
    """The PDF's bookmarks with 1-based destination pages; warnings for the unusable ones."""
    entries: list[OutlineEntry] = []
    skipped = 0
    try:
        outline = reader.outline
    except Exception as exc:
        return [], [f"outline unreadable ({type(exc).__name__}); headings taken from the typography"]

    def walk(items, level):
        nonlocal skipped
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                title = " ".join(normalise_chars(str(item.title or "")).split())
                page = reader.get_destination_page_number(item)
            except Exception:
                skipped += 1
                continue
            if not title or page is None or not 0 <= page < n_pages:
                skipped += 1
                continue
            entries.append(OutlineEntry(level, title, page + 1))

    try:
        walk(outline, 1)
    except Exception:
        entries = []
    warnings = []
    if skipped and entries:
        warnings.append(f"{skipped} outline entries had no title or pointed nowhere: skipped")
    elif skipped:
        warnings.append("the outline has no usable entries (no titles or no destinations); "
                        "headings taken from the typography")
    return entries, warnings


def _match_outline(pages: list[PageLayout], entries: list[OutlineEntry]) -> tuple[
        dict[tuple[int, int], tuple[OutlineEntry, int]], list[OutlineEntry]]:
    """Find each bookmark's title among the lines of its destination page (or the next).
    Returns {(page, line index): (entry, lines spanned)} and the entries not found."""
    by_number = {p.number: p for p in pages}
    found: dict[tuple[int, int], tuple[OutlineEntry, int]] = {}
    missing = []
    for e in entries:
        want = _norm_title(e.title)
        hit = None
        for number in (e.page, e.page + 1):
            p = by_number.get(number)
            if p is None or not want:
                continue
            for i in range(len(p.lines)):
                if (number, i) in found:
                    continue
                acc = ""
                for span in range(1, 4):  # a title may wrap over up to three lines
                    if i + span - 1 >= len(p.lines):
                        break
                    line = p.lines[i + span - 1].text
                    if span == 1 and not want.startswith(_norm_title(line)[:4]):
                        line = _unnumbered(line)
                    acc += _norm_title(line)
                    if acc == want or (len(want) >= 12 and acc.startswith(want)
                                       and len(acc) <= len(want) + 12):
                        hit = (number, i, span)
                        break
                    if not want.startswith(acc):
                        break
                if hit:
                    break
            if hit:
                break
        if hit:
            found[(hit[0], hit[1])] = (e, hit[2])
        else:
            missing.append(e)
    return found, missing


def layout_blocks(pages: list[PageLayout], outline: list[OutlineEntry] | None = None) -> tuple[
        list[Block], list[str]]:
    """Blocks in reading order for the whole document, and warnings about its structure."""
    warnings: list[str] = [n for p in pages for n in p.notes]
    typo = Typography.of(pages)
    outline_hits: dict = {}
    missing: list[OutlineEntry] = []
    if outline and len(outline) == 1 and _heading_levels(pages, typo):
        # One bookmark (the title of the document a page was cut from): no section tree.
        warnings.append("the outline has a single entry; headings taken from the typography")
        outline = None
    if outline:
        outline_hits, missing = _match_outline(pages, outline)
        if not outline_hits:
            warnings.append("no outline title was found on its page; headings taken from the "
                            "typography")
            outline = None
        elif missing:
            warnings.append(f"{len(missing)} of {len(outline)} outline titles were not found on "
                            f"their pages: their sections start at the top of the page")
    styles = _heading_levels(pages, typo) if not outline else {}
    numbered: dict = {}  # "top": the number of the last top-level numbered heading, any style
    blocks: list[Block] = []
    cur: Block | None = None
    code_lines: dict[int, list[Line]] = {}  # a code block's lines, for their indentation
    missing_by_page: dict[int, list[OutlineEntry]] = {}
    for e in missing:
        missing_by_page.setdefault(e.page, []).append(e)

    def new(kind: str, ln: Line, text: str | None = None, **kw) -> Block:
        b = Block(kind, [text if text is not None else ln.text], ln.page, ln.page, None,
                  line_pages=[ln.page], **kw)
        b.line_boxes = [[ln.bbox]]
        b.last_line = ln
        blocks.append(b)
        return b

    for p in pages:
        for e in missing_by_page.get(p.number, []):
            blocks.append(Block("heading", [e.title], p.number, p.number, None, level=e.level,
                                synthetic=True))
            cur = None
        contents = is_contents_page(p)
        table_at = {}
        for t in p.tables:
            table_at.setdefault(int(t.order), []).append(t)
        skip_until = -1
        runs = heading_runs(p, typo) if not outline and not contents else {}
        footnote_zone = 0.75 * p.height
        for i, ln in enumerate(p.lines):
            for t in table_at.pop(i, []):
                blocks.extend(_table_blocks(t))
                cur = None
            if i < skip_until:
                continue
            if outline and (p.number, i) in outline_hits:
                entry, span = outline_hits[(p.number, i)]
                group = p.lines[i:i + span]
                b = new("heading", ln, entry.title, level=entry.level)
                b.line_boxes = [[g.bbox for g in group]]
                b.source = " ".join(g.text for g in group)
                skip_until = i + span
                cur = None
                continue
            if contents:
                if cur is not None and cur.kind == "contents":
                    _append(cur, ln, ln.text, join=False)
                else:
                    cur = new("contents", ln)
                continue
            if _is_formula(ln):
                # A formula: a block of its own, line by line as printed (a display is set
                # centred, so no indentation is kept).
                if cur is not None and cur.kind == "formula" and _code_goes_on(cur.last_line,
                                                                                ln, i):
                    _append(cur, ln, ln.text, join=False)
                else:
                    cur = new("formula", ln)
                continue
            if _is_code(ln, typo):
                # Code: a block of its own, line by line as printed.
                if cur is not None and cur.kind == "code" and _code_goes_on(cur.last_line, ln, i):
                    _append(cur, ln, ln.text, join=False)
                else:
                    cur = new("code", ln)
                    code_lines[id(cur)] = []
                code_lines[id(cur)].append(ln)
                continue
            small = ln.size <= typo.body_size * 0.88 and ln.size < typo.body_size - 0.5
            if small and ln.top >= footnote_zone and (
                    re.match(r"^(\d{1,3}|[*†‡§])\s*\S", ln.text)
                    or (cur is not None and cur.kind == "footnote")):
                if cur is not None and cur.kind == "footnote" and not re.match(
                        r"^\d{1,3}\s+\S", ln.text):
                    _append(cur, ln, ln.text)
                else:
                    cur = new("footnote", ln)
                continue
            run = runs.get(i)
            if run is not None and run.ok and run.style in styles:
                # The style ranks the heading; numbering orders headings set in one style
                # ("2." above "2.3").
                style = run.style
                depth = _number_depth(run.text)
                number = _section_number(run.text)
                if number and depth == 1:
                    numbered["top"] = number
                elif depth > 1 and number and numbered.get("top", "") != number.split(".")[0]:
                    depth = 1  # "2.1" after "1." (no "2." printed): not a part of section 1
                cur = new("heading", ln, run.text, level=styles[style] * 10 + min(depth or 1, 9))
                cur.line_boxes = [[g.bbox for g in p.lines[i:run.end]]]
                cur.last_line = p.lines[run.end - 1]
                cur.style = style
                skip_until = run.end
                continue
            if _is_bullet(ln) or (_ENUMERATOR.match(ln.text) and ln.x0 > typo.left + 2):
                cur = new("item", ln, _bullet_text(ln))
                cur.indent = ln.x0
                continue
            if _CAPTION.match(ln.text) and (cur is None or cur.kind != "para"
                                            or _TERMINAL.search(cur.lines[-1])):
                cur = new("caption", ln)
                continue
            if cur is not None and _continues(cur, ln, typo):
                _append(cur, ln, ln.text)
                continue
            list_goes_on = cur is not None and cur.kind == "item" and ln.x0 > cur.indent + 2 \
                and (ln.page != cur.last_line.page or ln.top - cur.last_line.bottom < 2 * ln.size)
            if list_goes_on:
                # Set at the item's indent after a gap: the next item of the list, whose
                # bullet the PDF draws as a picture (or not at all).
                indent = cur.indent
                cur = new("item", ln)
                cur.indent = indent
                continue
            cur = new("para", ln)
        for rest in table_at.values():
            for t in rest:
                blocks.extend(_table_blocks(t))
                cur = None
    for b in blocks:
        if b.kind == "code" and id(b) in code_lines:
            b.lines = _indented(code_lines[id(b)])
    if not outline and not styles:
        warnings.append("no headings found in the typography (one font size throughout)")
    for b in blocks:
        b.page_start = min((pg for pg in b.line_pages or [] if pg is not None), default=b.page_start)
        b.page_end = max((pg for pg in b.line_pages or [] if pg is not None), default=b.page_end)
    return blocks, warnings


@dataclass
class HeadingRun:
    """Consecutive lines set in one heading style: one heading, wrapped or not."""

    end: int  # index after its last line on the page
    style: tuple[float, str]
    text: str
    ok: bool  # reads as a heading: a short title, or a numbered clause


HEADING_RUN_MAX_LINES = 4
CLAUSE_MAX_WORDS = 40  # "2.1 Research evidence suggests that ... successful federations/ MATs"


def heading_runs(p: PageLayout, typo: Typography) -> dict[int, HeadingRun]:
    """Runs of lines set in a heading style, by the index of their first line. A line joins
    the run above it when it is set in the same style right under it (no paragraph gap, same
    column), whatever its first letter: a wrapped title's second line may start in lower
    case ("result in successful federations/ MATs")."""
    runs: dict[int, HeadingRun] = {}
    lines = p.lines
    i = 0
    while i < len(lines):
        style = typo.heading_style(lines[i])
        if style is None or _is_code(lines[i], typo) or _is_formula(lines[i]) or (
                _is_bullet(lines[i]) and not _clause_heading(lines, i, style, typo)):
            i += 1
            continue
        j = i + 1
        text = lines[i].text
        while j < len(lines) and j - i < HEADING_RUN_MAX_LINES and \
                _wraps_on(lines[j - 1], lines[j], style, typo):
            text = join_hyphenated(text, lines[j].text) or f"{text} {lines[j].text}"
            j += 1
        runs[i] = HeadingRun(j, style, text, _heading_run_ok(text))
        i = j
    return runs


_PAREN_NUMBER = re.compile(r"^\((?:\d{1,2}|[a-zA-Z]|[ivx]{1,4})\)\s+\S")


def _clause_heading(lines: list[Line], i: int, style: tuple[float, str],
                    typo: Typography) -> bool:
    """"(1) Governance and oversight" set in a heading style: a heading numbered in
    parentheses, not a list item, unless its neighbours are items set the same way (a list
    set in a heading face)."""
    if not _PAREN_NUMBER.match(lines[i].text):
        return False
    ln = lines[i]
    for j in (i - 1, i + 1):
        if not 0 <= j < len(lines):
            continue
        o = lines[j]
        above, below = (o, ln) if j < i else (ln, o)
        if o.page == ln.page and abs(o.x0 - ln.x0) < 3 and \
                0 <= below.top - above.bottom < 1.5 * ln.size and \
                _PAREN_NUMBER.match(o.text) and typo.heading_style(o) == style:
            return False  # the next item right under it, at its indent
    return True


def _wraps_on(prev: Line, ln: Line, style: tuple[float, str], typo: Typography) -> bool:
    if ln.page != prev.page or _is_bullet(ln) or ln.top <= prev.top:
        return False
    if ln.top - prev.bottom >= 0.5 * ln.size or ln.x0 > prev.x1 or ln.x1 < prev.x0:
        return False  # a gap (the next heading) or another column
    here = typo.heading_style(ln)
    if here == style:
        return True
    # A display face's wrapped line has no gap above it, so the face alone does not make
    # it a heading style: same size and face as the line above is enough.
    return here is None and round(ln.size * 2) / 2 == style[0] and (
        ln.font == style[1] or style[1] == "bold" and ln.bold)


def _heading_run_ok(text: str) -> bool:
    """A title, or a numbered clause set in heading type (a heading at its depth, however
    long)."""
    if _heading_text_ok(text):
        return True
    if not re.match(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z‘“'\"(]", text):
        return False
    # A numbered sentence ("23. If your country has ... at one time?") is a question or a
    # statement in bold, not a title.
    return len(text.split()) <= CLAUSE_MAX_WORDS and not text.endswith((",", ";", ".", "?", "!"))


def _is_code(ln: Line, typo: Typography) -> bool:
    """A line set in a monospaced face the body is not set in: code or a formula."""
    return bool(ln.font) and bool(_MONO_FONT.search(ln.font)) and not (
        typo.body_font and _MONO_FONT.search(typo.body_font))


# TeX's math fonts (CMMI math italic, CMSY symbols, CMEX large operators, AMS's MSAM/MSBM,
# Euler), the OpenType math faces (Cambria Math, STIX Two Math, Latin Modern Math ...) and
# MathType's.
_MATH_FONT = re.compile(r"cmmi|cmsy|cmex|cmbsy|msam|msbm|eufm|eusm|euex|rsfs|esint|stmary|"
                        r"math|mtmi|mtsy|mtex|mt-extra|txmia|txsy|txex|pxmia|pxsy|pxex", re.I)
_SYMBOL_MATH_FONT = re.compile(r"^symbol|[+]symbol", re.I)
# Relations and large operators: a formula states something with one of them.
_RELATION = re.compile(r"[=<>≤≥≈≠≡∼≃≅∝∑∏∫∮√∂∇∈∉⊂⊆⊃⊇→⇒⇔↦]")
_PROSE_WORD = re.compile(r"[^\W\d_]{4,}")


def _is_formula(ln: Line) -> bool:
    """A display formula: a line set mostly in a math font with little prose beside it, or
    a run of mathematical symbols in the body's own face (a relation or large operator,
    Greek letters, scripts, single-letter variables, no prose)."""
    text = ln.text
    if len(text) > 240 or ln.glyphs < 3 or _is_bullet(ln):
        return False
    prose = len(_PROSE_WORD.findall(text))
    if ln.math_glyphs >= 2 and ln.math_glyphs >= 0.3 * ln.glyphs and (
            prose <= 2 or ln.math_glyphs >= 0.6 * ln.glyphs):
        return True
    if prose or not _RELATION.search(text):
        return False
    symbols = sum(1 for ch in text if unicodedata.category(ch) == "Sm"
                  or "\u0370" <= ch <= "\u03ff" or ch in "²³¹⁰ⁱⁿ⁺⁻₀₁₂₃₄ᵢⱼₖₙ")
    letters = sum(1 for ch in text if ch.isalpha())
    return symbols >= 3 and letters >= 1


def _code_goes_on(last: Line, ln: Line, index: int) -> bool:
    """The next line of the same listing: right under the last (a blank line inside the
    listing is a gap of one line), or at the top of the next page."""
    if ln.page != last.page:
        return index == 0
    return 0 <= ln.top - last.bottom < 2.2 * max(ln.size, 1.0)


def _indented(lines: list[Line]) -> list[str]:
    """A listing's lines with their indentation as printed: a monospaced face's characters
    are 0.6 em wide, so the offset of each line's first glyph from the listing's leftmost one
    is a number of spaces."""
    left = min(ln.ink_x0 if ln.ink_x0 is not None else ln.x0 for ln in lines)
    out = []
    for ln in lines:
        x0 = ln.ink_x0 if ln.ink_x0 is not None else ln.x0
        out.append(" " * max(0, round((x0 - left) / (0.6 * max(ln.size, 1.0)))) + ln.text)
    return out


_MONO_FONT = re.compile(r"courier|mono|consol|menlo|inconsolata|lucidaconsole|cmtt|"
                        r"sourcecodepro|firacode|andalemono", re.I)


_ITALIC_FONT = re.compile(r"italic|oblique|[-,]it\b", re.I)


_NOTE_MARK_END = re.compile(r"\w\s*[*†‡]{1,3}$")


def _heading_levels(pages: list[PageLayout], typo: Typography) -> dict[tuple[float, str], int]:
    """Heading styles ranked by size, then bold before other faces before italic, then by
    first use (a document opens with its top-level headings): the first is level 1. A style
    used for long runs of text (a pull-quote font, a bigger intro) is not a heading style."""
    good: Counter = Counter()
    runs: Counter = Counter()
    first: dict = {}
    pages_of: dict = {}
    titles: dict = {}  # style -> the texts of its runs that read as headings
    first_page = next((p.number for p in pages if p.lines), 1)
    for p in pages:
        if is_contents_page(p):
            continue
        for run in heading_runs(p, typo).values():
            first.setdefault(run.style, len(first))
            runs[run.style] += 1
            good[run.style] += run.ok
            if run.ok:  # a caption in the style ("[표 1] ...") is not where it sets headings
                pages_of.setdefault(run.style, set()).add(p.number)
                titles.setdefault(run.style, []).append(run.text)
    # Decided run by run: a style sets headings when at least half of what it sets reads as
    # one (a short title, or a numbered clause); one odd line does not disqualify it.
    kept = [s for s in runs if good[s] and good[s] >= 0.5 * runs[s]]
    # A byline: a style set several times on the first page and never again (authors under
    # an article's title), while other heading styles go on: front matter, not sections.
    later = {s for s in kept if pages_of[s] - {first_page}}
    if len(pages) >= 3 and later:
        kept = [s for s in kept if not (pages_of[s] == {first_page} and good[s] >= 2)]
    # An author under the title, the mark after the name calling the affiliation note
    # ("Jane Smith*"), in a style that sets nothing else: front matter too.
    if later:
        kept = [s for s in kept if not (pages_of[s] == {first_page} and all(
            _NOTE_MARK_END.search(t) for t in titles[s]))]
    kept.sort(key=lambda s: (-s[0], s[1] != "bold", bool(_ITALIC_FONT.search(s[1])),
                             first[s]))
    return {s: i + 1 for i, s in enumerate(kept)}


def _continues(cur: Block, ln: Line, typo: Typography) -> bool:
    """Does this line carry on the paragraph or list item before it?"""
    if cur.kind not in ("para", "item", "caption"):
        return False
    last: Line = cur.last_line
    prev_text = cur.lines[-1]
    if cur.kind == "item":
        if ln.page != last.page or ln.box != last.box and ln.x0 < cur.indent + 1:
            return not _TERMINAL.search(prev_text) and ln.text[:1].islower()
        # A wrapped item line hangs under the item's text, right of its bullet, at the
        # list's line spacing.
        return ln.x0 > cur.indent + 2 and ln.top - last.bottom < 0.6 * ln.size
    if abs(ln.size - last.size) > 0.9 or ln.bold != last.bold and len(ln.text.split()) < 6:
        return False
    if cur.kind == "caption" and not ln.text[:1].islower() and \
            ln.size >= typo.body_size - 0.5:
        return False  # a caption set at body size ends at its line: what follows is text
    if ln.page != last.page or ln.box != last.box:
        # Across a column or page break only an unfinished sentence carries on.
        return not _TERMINAL.search(prev_text) and not prev_text.endswith(":") and (
            ln.text[:1].islower() or prev_text.endswith((",", "-", "–")))
    gap = ln.top - last.bottom
    if gap > 0.9 * ln.size:
        return False
    if ln.x0 > last.x0 + 6 and _TERMINAL.search(prev_text):
        return False  # an indented first line opens a new paragraph
    return True


def _append(cur: Block, ln: Line, text: str, join: bool = True) -> None:
    joined = join_hyphenated(cur.lines[-1], text) if join else None
    if joined is not None:
        cur.lines[-1] = joined
        cur.line_boxes[-1].append(ln.bbox)
    else:
        cur.lines.append(text)
        cur.line_pages.append(ln.page)
        cur.line_boxes.append([ln.bbox])
    cur.page_end = ln.page
    cur.last_line = ln


def _table_blocks(t: Table) -> list[Block]:
    """A table's blocks: one table block of rows; a key/value table (no header row) as one
    "Label: value" line per row, as a person reads it out."""
    if t.header:
        return [_table_block(t)]
    out = []
    for row in t.rows:
        text = ": ".join(c for c in row if c)
        b = Block("para", [text], t.page, t.page, None, line_pages=[t.page])
        b.line_boxes = [[(t.page, *(round(v, 1) for v in t.bbox))]]
        out.append(b)
    return out


def _table_block(t: Table) -> Block:
    b = Block("table", [" | ".join(r) for r in t.rows], t.page, t.page, None,
              line_pages=[t.page] * len(t.rows))
    b.rows = t.rows
    b.line_boxes = [[(t.page, *(round(v, 1) for v in t.bbox))] for _ in t.rows]
    return b


def page_texts(blocks: list[Block], page_numbers: list[int]) -> dict[int, str]:
    """Each page's text as the blocks give it: what quotes are checked against."""
    out: dict[int, list[str]] = {n: [] for n in page_numbers}
    for b in blocks:
        if b.kind == "table":
            out.setdefault(b.page_start, []).extend(table_row_lines(b.rows))
            continue
        for text, pg in zip(b.lines, b.line_pages or [b.page_start] * len(b.lines), strict=False):
            out.setdefault(pg, []).append(text)
        out.setdefault(b.page_start, []).append("")
    return {n: "\n".join(lines).strip() for n, lines in out.items()}


def table_row_lines(rows: list[list[str]]) -> list[str]:
    """One line per row, each cell labelled by its column header: quotable as a row."""
    header, body = rows[0], rows[1:]
    if not body or not all(header):
        return [" | ".join(c for c in r if c) for r in rows]
    lines = []
    for r in body:
        cells = [f"{h}: {c}" for h, c in zip(header, r, strict=False) if c]
        if cells:
            lines.append("; ".join(cells))
    return [" | ".join(header)] + lines
