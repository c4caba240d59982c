"""Word (.docx) as typed blocks, read from the document's XML in document order (ingest/ooxml.py),
so nothing Word shows is left out: paragraphs, tables wherever they are (between paragraphs,
nested in a cell, inside content controls; merged cells repeated into every row and column
they cover), text boxes (read once, not again from their fallback copy), content controls,
charts (their data as a table), SmartArt text, equations (written out linearly by
ingest/formulas.py; a display equation is a formula block of its own), code (a code style, or
monospaced runs holding code's characters: one code block, indentation kept), and the
footnotes and endnotes at the end. Transitional and Strict Open XML are read alike.

Headings come from the paragraph's style (Title, Heading N, or any style with an outline
level); automatic numbers are printed as Word prints them ("2.1 Section 2.1", "a) item"); list
paragraphs are items (bullet level kept); a table of at most two columns gives "Label: value"
lines, a wider one a table whose first row is its header. The text of the page headers and
footers (a paper's title, a notice) is read once, before the body, in no section; page
numbers are not text."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .blocks import MIN_TEXT_CHARS, Block, ReadError, ReadResult
from .formulas import omml_lines
from .normalise import clean_lines, normalise_chars
from .ooxml import (
    MAX_XML_DEPTH,
    Numbering,
    Package,
    alternate_choice,
    attr,
    chart_rows,
    child,
    children,
    name,
    smartart_texts,
    texts,
)
from .records import Page

# A .docx is a zip; refuse ones that expand to more than this (zip bombs).
MAX_DOCX_EXPANDED_BYTES = 200 * 1024 * 1024
WHAT = "Word file"

# Inline elements whose text Word does not show: deletions, field codes, properties.
_HIDDEN = {"w:del", "w:moveFrom", "w:delText", "w:instrText", "w:rPr", "w:pPr", "w:sdtPr",
           "w:sdtEndPr", "w:fldChar", "w:footnoteReference", "w:endnoteReference",
           "w:commentReference", "w:annotationRef", "w:footnoteRef", "w:endnoteRef",
           "w:tcPr", "w:trPr", "w:tblPr", "w:tblGrid", "w:bookmarkStart", "w:bookmarkEnd",
           "w:proofErr", "w:lastRenderedPageBreak", "w:sectPr"}
_FOOTNOTE_KINDS = (("footnotes", "w:footnote"), ("endnotes", "w:endnote"))


def _clean(text: str) -> str:
    return " ".join(normalise_chars(text or "").split())


@dataclass
class _Style:
    name: str = ""
    based_on: str = ""
    outline: int | None = None  # outline level (0 = top), when the style sets one
    num_id: str = ""
    ilvl: int | None = None
    font: str = ""  # the Latin face its runs are set in, when the style sets one


# Code: a paragraph in one of Word's code styles, or set wholly in a monospaced face and holding
# code's characters (a typewriter face alone makes no code: "Courier New" prose stays prose).
_CODE_STYLES = {"source code", "code", "code block", "html preformatted", "preformatted text",
                "macro text", "html code"}
_MONO_FONT = re.compile(r"courier|mono|consol|menlo|inconsolata|lucida ?console|cmtt|"
                        r"source ?code|fira ?code|andale ?mono|jetbrains", re.I)
_CODE_CHARS = re.compile(r"[;{}=<>*#\\|]|\w\(|^\s{2,}\S")
# Word's list styles ("List Paragraph", "List Bullet 2"); "Listing Number" is none.
_LIST_STYLE = re.compile(r"\bList\b")


def _num_pr(ppr) -> tuple[str, int | None]:
    numpr = child(ppr, "w:numPr") if ppr is not None else None
    if numpr is None:
        return "", None
    num = child(numpr, "w:numId")
    lvl = child(numpr, "w:ilvl")
    ilvl = attr(lvl, "val") if lvl is not None else None
    return (attr(num, "val", "") or "" if num is not None else "",
            int(ilvl) if ilvl and ilvl.isdigit() else None)


def _outline(ppr) -> int | None:
    node = child(ppr, "w:outlineLvl") if ppr is not None else None
    value = attr(node, "val", "") if node is not None else ""
    return int(value) if value and value.isdigit() else None


class _WordReader:
    def __init__(self, pkg: Package, main: str):
        self.pkg = pkg
        self.main = main
        self.warnings: list[str] = []
        self.styles: dict[str, _Style] = {}
        self.default_style = ""
        for part in pkg.related(main, "styles"):
            for st in children(pkg.xml(part), "w:style"):
                if attr(st, "type") not in (None, "paragraph"):
                    continue
                ppr = child(st, "w:pPr")
                num_id, ilvl = _num_pr(ppr)
                nm = child(st, "w:name")
                based = child(st, "w:basedOn")
                sid = attr(st, "styleId", "") or ""
                self.styles[sid] = _Style(attr(nm, "val", "") if nm is not None else sid,
                                          attr(based, "val", "") if based is not None else "",
                                          _outline(ppr), num_id, ilvl, _run_font(st))
                if attr(st, "default") in ("1", "true", "on"):
                    self.default_style = sid
        numbering = pkg.related(main, "numbering")
        self.numbering = Numbering(pkg.xml(numbering[0]) if numbering else None)

    # ------------------------------------------------------------------------------ styles

    def _chain(self, style_id: str) -> list[_Style]:
        out, seen = [], set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            out.append(self.styles[style_id])
            style_id = self.styles[style_id].based_on
        return out

    def heading_level(self, style_id: str, ppr) -> int:
        outline = _outline(ppr)
        for st in self._chain(style_id):
            if st.name.lower() == "title":
                return 1
            m = re.match(r"(?i)^heading\s*(\d)$", st.name.strip())
            if m:
                return int(m.group(1))
            if outline is None:
                outline = st.outline
        return outline + 1 if outline is not None and outline < 9 else 0

    def is_code_style(self, style_id: str) -> bool:
        return any(st.name.strip().lower() in _CODE_STYLES for st in self._chain(style_id))

    def style_font(self, style_id: str) -> str:
        return next((st.font for st in self._chain(style_id) if st.font), "")

    def all_monospaced(self, p, style_id: str) -> bool:
        """Whether every run of a paragraph that shows text is set in a monospaced face."""
        default = self.style_font(style_id)
        seen = False
        for r in p.iter():
            if name(r) != "w:r" or not "".join(texts(r, "w:t")).strip():
                continue
            seen = True
            if not _MONO_FONT.search(_run_font(r) or default):
                return False
        return seen

    def style_name(self, style_id: str) -> str:
        st = self.styles.get(style_id)
        return st.name if st else style_id

    def numbering_of(self, style_id: str, ppr) -> tuple[str, int]:
        num_id, ilvl = _num_pr(ppr)
        for st in self._chain(style_id):
            if not num_id and st.num_id:
                num_id = st.num_id
            if ilvl is None and st.ilvl is not None:
                ilvl = st.ilvl
        return num_id, ilvl or 0

    # ------------------------------------------------------------------------------- walking

    def body(self, el, out: list[Block], depth: int) -> None:
        """Block-level content (a body, a cell, a text box, a content control) into `out`."""
        _check_depth(depth)
        for c in el:
            n = name(c)
            if n == "w:p":
                self.paragraph(c, out, depth + 1)
            elif n == "w:tbl":
                self.table(c, out, depth + 1)
            elif n == "mc:AlternateContent":
                choice = alternate_choice(c)
                if choice is not None:
                    self.body(choice, out, depth + 1)
            elif n in ("m:oMathPara", "m:oMath"):
                lines = omml_lines(c)
                if lines:
                    out.append(Block("formula", lines, None, None))
            elif n == "w:altChunk":
                self.warnings.append("an embedded document (altChunk) was not read")
            elif n in _HIDDEN:
                continue
            else:  # content controls, custom XML, tracked insertions: their content counts
                self.body(c, out, depth + 1)

    def paragraph(self, p, out: list[Block], depth: int) -> None:
        maths = _display_maths(p)
        if maths:  # a paragraph that is only an equation: a formula block of its own
            lines = [ln for m in maths for ln in omml_lines(m)]
            if lines:
                out.append(Block("formula", lines, None, None))
            return
        ppr = child(p, "w:pPr")
        pstyle = child(ppr, "w:pStyle") if ppr is not None else None
        style_id = (attr(pstyle, "val", "") if pstyle is not None else "") or self.default_style
        pieces: list[str] = []
        extras: list[Block] = []  # text boxes, charts, SmartArt anchored in this paragraph
        self.inline(p, pieces, extras, depth)
        text = _clean("".join(pieces))
        level = self.heading_level(style_id, ppr)
        if text and not level and (self.is_code_style(style_id) or (
                self.all_monospaced(p, style_id) and _CODE_CHARS.search("".join(pieces)))):
            # Code: its line as typed (leading spaces kept), consecutive lines one block.
            line = normalise_chars("".join(pieces).replace("\t", "    ")).rstrip()
            if out and out[-1].kind == "code":
                out[-1].lines.append(line)
            else:
                out.append(Block("code", [line], None, None))
            out.extend(extras)
            return
        num_id, ilvl = self.numbering_of(style_id, ppr)
        label = self.numbering.label(num_id, ilvl) if text else None
        if text:
            if level:
                if label and label[0]:
                    text = f"{label[0]} {text}"
                out.append(Block("heading", [text], None, None, level=level,
                                 numbered=bool(label and label[0])))
            elif label is not None or num_id not in ("", "0") or \
                    _LIST_STYLE.search(self.style_name(style_id)):  # a list item, numbered or not
                number = label[0] if label and not label[1] else ""
                out.append(Block("item", [f"{number} {text}" if number else "- " + text],
                                 None, None, level=ilvl, numbered=bool(number)))
            else:
                block = Block("para", [text], None, None)
                # The lines as printed: a line break parts them ("Pupils on roll<BR>2,100"),
                # a tab parts columns ("Year founded<TAB>2014": two spaces).
                printed = [ln for ln in ("  ".join(c for c in (_clean(x) for x in
                                                             line.split("\t")) if c)
                                         for line in "".join(pieces).split("\n")) if ln]
                if printed != [text]:
                    block.source = "\n".join(printed)
                out.append(block)
        out.extend(extras)

    def inline(self, el, pieces: list[str], extras: list[Block], depth: int) -> None:
        _check_depth(depth)
        for c in el:
            n = name(c)
            if n == "w:t":
                pieces.append(c.text or "")
            elif n in ("w:tab", "w:ptab"):
                pieces.append("\t")  # a space in the text; a column break in the page's lines
            elif n in ("w:br", "w:cr"):
                pieces.append("\n")  # a space in the text; a new line in the page's lines
            elif n == "w:noBreakHyphen":
                pieces.append("-")
            elif n == "w:sym":
                code = attr(c, "char", "") or ""
                try:
                    ch = chr(int(code, 16))
                except ValueError:
                    ch = ""
                if ch and not 0xE000 <= ord(ch) <= 0xF8FF:  # a symbol font's private glyph
                    pieces.append(ch)
            elif n in ("m:oMath", "m:oMathPara"):
                pieces.append(" " + " ".join(omml_lines(c)) + " ")
            elif n == "mc:AlternateContent":
                choice = alternate_choice(c)
                if choice is not None:
                    self.inline(choice, pieces, extras, depth + 1)
            elif n in ("w:drawing", "w:pict", "w:object"):
                self.drawing(c, extras, depth + 1)
            elif n == "w:sdt" and _checkbox(c) is not None:
                pieces.append("[x] " if _checkbox(c) else "[ ] ")  # its state, not a glyph
            elif n in _HIDDEN or not n:
                continue
            else:  # runs, hyperlinks, inline content controls, fields, insertions
                self.inline(c, pieces, extras, depth + 1)

    def drawing(self, el, out: list[Block], depth: int) -> None:
        """What a drawing shows as text: text boxes, a chart's data, SmartArt's nodes."""
        _check_depth(depth)
        for c in el:
            n = name(c)
            if n == "w:txbxContent":
                self.body(c, out, depth + 1)
            elif n == "mc:AlternateContent":
                choice = alternate_choice(c)
                if choice is not None:
                    self.drawing(choice, out, depth + 1)
            elif n == "c:chart":
                self.chart(attr(c, "id", "") or "", out)
            elif n == "dgm:relIds":
                self.smartart(attr(c, "dm", "") or "", out)
            else:
                self.drawing(c, out, depth + 1)

    def _part(self, rid: str) -> str | None:
        rel = self.pkg.rels(self.main).get(rid)
        return rel[1] if rel and self.pkg.has(rel[1]) else None

    def chart(self, rid: str, out: list[Block]) -> None:
        part = self._part(rid)
        if part is None:
            self.warnings.append("a chart whose data is missing from the file was not read")
            return
        title, rows = chart_rows(self.pkg.xml(part))
        if title:
            out.append(Block("caption", [title], None, None))
        if len(rows) >= 2:
            out.append(Block("table", [" | ".join(c for c in r if c) for r in rows], None, None,
                             rows=rows))

    def smartart(self, rid: str, out: list[Block]) -> None:
        part = self._part(rid)
        if part is None:
            return
        for text in smartart_texts(self.pkg.xml(part)):
            out.append(Block("item", ["- " + _clean(text)], None, None))

    def table(self, tbl, out: list[Block], depth: int) -> None:
        rows: list[list[str]] = []
        frames: list[list[Block]] = []  # each row's cells as blocks, for a one-column table
        above: dict[int, str] = {}  # column -> the text of the cell a vertical merge continues
        for tr in _descend(tbl, "w:tr", depth):
            row: list[str] = []
            frame: list[Block] = []
            col = 0
            trpr = child(tr, "w:trPr")
            before = child(trpr, "w:gridBefore") if trpr is not None else None
            skip = attr(before, "val", "0") if before is not None else "0"
            for _ in range(min(int(skip), 64) if skip and skip.isdigit() else 0):
                row.append("")
                col += 1
            for tc in _descend(tr, "w:tc", depth):
                tcpr = child(tc, "w:tcPr")
                span_node = child(tcpr, "w:gridSpan") if tcpr is not None else None
                span_val = attr(span_node, "val", "1") if span_node is not None else "1"
                span = max(1, min(int(span_val), 64)) if span_val and span_val.isdigit() else 1
                vmerge = child(tcpr, "w:vMerge") if tcpr is not None else None
                if vmerge is not None and attr(vmerge, "val") in (None, "continue"):
                    text = above.get(col, "")
                else:
                    inner: list[Block] = []
                    self.body(tc, inner, depth + 1)
                    frame += inner
                    text = " ".join(" ".join(b.text for b in inner).split())  # clean already
                for k in range(span):  # a merged cell's text in every column it covers
                    above[col + k] = text
                    row.append(text)
                col += span
            if any(row):
                rows.append(row)
                frames.append(frame)
        if not rows:
            return
        distinct = [_distinct(r) for r in rows]
        if all(len(r) <= 1 for r in distinct) and any(
                b.kind in ("table", "heading") for frame in frames for b in frame):
            # A one-column table holding tables or headings frames its content (a layout box):
            # what it holds is read as it is, nested tables as tables.
            for frame in frames:
                out.extend(frame)
            return
        if all(len(r) <= 2 for r in distinct):
            for r in distinct:  # a label/value table: one "Label: value" line a row
                out.append(Block("para", [": ".join(r)], None, None))
            return
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
        out.append(Block("table", [" | ".join(_distinct(r)) for r in rows], None, None,
                         rows=rows))

    def page_furniture(self) -> list[Block]:
        """The text of the page headers and footers, each distinct text once (a first-page,
        an odd and an even header often repeat), headers first. A page number (a PAGE field
        Word fills in) is no text; a heading style in a header makes no section."""
        out: list[Block] = []
        seen: set[str] = set()
        for kind in ("header", "footer"):
            for part in sorted(self.pkg.related(self.main, kind)):
                inner: list[Block] = []
                self.body(self.pkg.xml(part), inner, 1)
                for b in inner:
                    key = re.sub(r"\W+", " ", b.text).strip().lower()
                    if not key or _PAGE_NUMBER_ONLY.match(b.text.strip()) or key in seen:
                        continue
                    seen.add(key)
                    if b.kind == "heading":
                        b = Block("para", [b.text], None, None)
                    out.append(b)
        return out

    def notes(self) -> list[Block]:
        out: list[Block] = []
        for kind, tag in _FOOTNOTE_KINDS:
            for part in self.pkg.related(self.main, kind):
                for note in children(self.pkg.xml(part), tag):
                    if attr(note, "type") in ("separator", "continuationSeparator",
                                              "continuationNotice"):
                        continue
                    inner: list[Block] = []
                    self.body(note, inner, 1)
                    text = _clean(" ".join(b.text for b in inner))
                    if text:
                        out.append(Block("footnote", [text], None, None))
        return out


_PAGE_NUMBER_ONLY = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[ivxlc]{1,6}$",
                               re.I)


def _check_depth(depth: int) -> None:
    """Every walk down the XML stops at MAX_XML_DEPTH: a hostile file nests without end."""
    if depth > MAX_XML_DEPTH:
        raise ReadError("corrupt", f"refused: the {WHAT} nests its content more than "
                                   f"{MAX_XML_DEPTH} levels deep (a hostile file?)")


def _descend(el, wanted: str, depth: int):
    """Rows of a table (cells of a row), also when wrapped in a content control or custom
    XML, which Word allows at row and cell level."""
    for c in el:
        n = name(c)
        if n == wanted:
            yield c
        elif n in ("w:sdt", "w:sdtContent", "w:customXml", "w:ins", "w:moveTo"):
            _check_depth(depth)
            yield from _descend(c, wanted, depth + 1)


def _checkbox(sdt) -> bool | None:
    """A checkbox content control's state (True: ticked); None when it is no checkbox."""
    props = child(sdt, "w:sdtPr")
    box = child(props, "w14:checkbox") if props is not None else None
    if box is None:
        return None
    checked = child(box, "w14:checked")
    return checked is not None and attr(checked, "val", "0") in ("1", "true", "on")


def _distinct(row: list[str]) -> list[str]:
    """A row's non-empty cells, a merged cell once."""
    out: list[str] = []
    for c in row:
        if c and (not out or out[-1] != c):
            out.append(c)
    return out


def _run_font(el) -> str:
    """The Latin face a run (or a style) sets: w:rPr/w:rFonts ascii, else hAnsi."""
    rpr = child(el, "w:rPr")
    fonts = child(rpr, "w:rFonts") if rpr is not None else None
    if fonts is None:
        return ""
    return attr(fonts, "ascii", "") or attr(fonts, "hAnsi", "") or ""


def _display_maths(p) -> list:
    """The equations of a paragraph that holds nothing else a reader sees (an m:oMathPara,
    or m:oMath with no text run beside it); [] for any other paragraph."""
    maths, other = [], False
    for c in p:
        n = name(c)
        if n in ("m:oMathPara", "m:oMath"):
            maths.append(c)
        elif n in ("w:pPr", "w:bookmarkStart", "w:bookmarkEnd", "w:proofErr", "w:permStart",
                   "w:permEnd") or n in _HIDDEN:
            continue
        elif "".join(texts(c, "w:t")).strip() or any(
                name(d) in ("w:drawing", "w:pict", "w:object", "w:tab", "w:sym") for d in c.iter()):
            other = True
    return maths if maths and not other else []


def read_docx(path: Path) -> ReadResult:
    try:
        with zipfile.ZipFile(path) as zf:
            expanded = sum(info.file_size for info in zf.infolist())
            if expanded > MAX_DOCX_EXPANDED_BYTES:
                raise ReadError(
                    "corrupt",
                    f"refused: the Word file expands to {expanded / 2**30:.1f} GB (zip bomb?)",
                )
            pkg = Package(zf, WHAT)
            main = pkg.main_part("word/document.xml")
            if not pkg.has(main):
                raise ReadError("corrupt", "corrupt Word file: no word/document.xml inside")
            root = pkg.xml(main)
            body = child(root, "w:body")
            if body is None:
                raise ReadError("corrupt", "corrupt Word file: the document has no body")
            reader = _WordReader(pkg, main)
            blocks: list[Block] = []
            reader.body(body, blocks, 1)
            # Page headers and footers print on every page: their text is read once, before
            # the body, in no section (a passage of its own when the body opens on a heading).
            blocks = reader.page_furniture() + blocks + reader.notes()
            title = pkg.title()
    except ReadError:
        raise
    except zipfile.BadZipFile as exc:
        raise ReadError("corrupt", "corrupt Word file: not a zip archive") from exc
    except RecursionError as exc:
        raise ReadError("corrupt", "refused: the Word file nests its content too deeply "
                                   "(a hostile file?)") from exc
    except Exception as exc:  # a damaged part: say which error, never crash the build
        raise ReadError("corrupt", f"corrupt Word file: {type(exc).__name__}: {exc}") from exc

    from .pdf_layout import table_row_lines

    lines: list[str] = []  # the text as before the block model: vignette fields parse from it
    for i, b in enumerate(blocks):
        if b.kind == "heading":
            lines += ["", "#" * b.level + " " + b.text, ""]
        elif b.kind == "table" and b.rows:
            lines += table_row_lines(b.rows) + [""]
        elif b.kind == "item":
            lines.append(b.text)
        elif b.kind in ("formula", "code"):
            lines += b.lines + [""]
        else:
            # a tab between label and value stays a column break (two spaces) in the lines
            lines.append(b.source if b.kind == "para" and b.source else b.text)
            next_kind = blocks[i + 1].kind if i + 1 < len(blocks) else ""
            # "Label: value" rows of one table stay on consecutive lines
            if not (next_kind == "para" and ": " in b.text and ": " in blocks[i + 1].text):
                lines.append("")
    lines = clean_lines(normalise_chars("\n".join(lines)).split("\n"))
    page = Page(None, "\n".join(lines))
    if len(page.text.strip()) < MIN_TEXT_CHARS:
        raise ReadError("empty", "no text in the Word file")
    first_heading = next((b.text for b in blocks if b.kind == "heading"), "")
    return ReadResult([page], None, title or first_heading, reader.warnings, blocks)
