"""PowerPoint (.pptx) as typed blocks, with python-pptx: each slide is a page cited "slide N",
its title the section (a level-1 heading), text frames as paragraphs or list items (bullet
levels kept: a sub-bullet is an item indented under its parent), tables as rows (header row
first), and the speaker notes as part of the slide, marked "Speaker notes:"."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .blocks import MIN_TEXT_CHARS, Block, ReadError, ReadResult
from .normalise import normalise_chars
from .records import Page

MAX_PPTX_EXPANDED_BYTES = 400 * 1024 * 1024  # slides carry pictures: more room than Word
NOTES_LABEL = "Speaker notes:"
COMMENT_LABEL = "Comment:"


def slide_label(number: int) -> str:
    return f"slide {number}"


def check_zip(path: Path, kind: str, required: str, limit: int) -> None:
    """Refuse a file that is not a zip, expands beyond `limit` (zip bomb) or lacks `required`."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            expanded = sum(info.file_size for info in infos)
            if expanded > limit:
                raise ReadError("corrupt", f"refused: the {kind} expands to "
                                           f"{expanded / 2**30:.1f} GB (zip bomb?)")
            packed = sum(info.compress_size for info in infos)
            if packed and expanded / packed > 1000 and expanded > 50 * 1024 * 1024:
                raise ReadError("corrupt", f"refused: the {kind} expands {expanded // packed}-fold "
                                           "(zip bomb?)")
            if required not in zf.namelist():
                raise ReadError("corrupt", f"corrupt {kind}: no {required} inside")
    except zipfile.BadZipFile as exc:
        raise ReadError("corrupt", f"corrupt {kind}: not a zip archive") from exc


def _clean(text: str) -> str:
    # A line break inside a paragraph (a:br) is a vertical tab in python-pptx's text: a space.
    return " ".join(normalise_chars((text or "").replace("\x0b", " ")).split())


def _is_body(shape) -> bool:
    """A body or content placeholder: its paragraphs are bullets unless marked otherwise (the
    bullets come from the slide layout, not from the paragraph)."""
    if not getattr(shape, "is_placeholder", False):
        return False
    try:
        kind = int(shape.placeholder_format.type)
    except Exception:
        return False
    return kind in (2, 7)  # PP_PLACEHOLDER.BODY, OBJECT


def _paragraphs(frame, body: bool = False) -> list[tuple[int, str, bool]]:
    """(level, text, is_bullet) for each non-empty paragraph of a text frame."""
    out = []
    for para in frame.paragraphs:
        text = _clean(para.text)  # runs and line breaks (a run's text has no breaks)
        if not text:
            continue
        ppr = para._p.pPr
        explicit_none = ppr is not None and ppr.find(
            "{http://schemas.openxmlformats.org/drawingml/2006/main}buNone") is not None
        bullet = ppr is not None and any(
            ppr.find(f"{{http://schemas.openxmlformats.org/drawingml/2006/main}}{tag}")
            is not None for tag in ("buChar", "buAutoNum"))
        out.append((para.level, text, bullet or ((body or para.level > 0)
                                                 and not explicit_none)))
    return out


def read_pptx(path: Path):
    check_zip(path, "PowerPoint file", "ppt/presentation.xml", MAX_PPTX_EXPANDED_BYTES)
    try:
        from pptx import Presentation
        deck = Presentation(str(path))
    except Exception as exc:
        raise ReadError("corrupt", f"corrupt PowerPoint file: {type(exc).__name__}: {exc}"
                        ) from exc
    blocks: list[Block] = []
    pages: list[Page] = []
    warnings: list[str] = []
    for number, slide in enumerate(deck.slides, 1):
        label = slide_label(number)
        lines: list[str] = []

        def add(kind: str, text: str, level: int = 0, rows=None,
                number=number, label=label, lines=lines) -> None:
            b = Block(kind, [text], number, number, label, level=level, line_pages=[number])
            if rows is not None:
                b.rows = rows
                b.lines = [" | ".join(r) for r in rows]
                b.line_pages = [number] * len(rows)
            blocks.append(b)
            lines.extend(b.lines)

        try:
            title_shape = slide.shapes.title
        except Exception:  # a title placeholder python-pptx cannot wrap: read as a shape
            title_shape = None
        title = _clean(title_shape.text_frame.text) if title_shape is not None and \
            title_shape.has_text_frame else ""
        # Every slide opens a section: its title, or "Slide N" when it has none.
        add("heading", title or f"Slide {number}", level=1)
        for shape in _flatten(_shapes(slide, title_shape, label, warnings)):
            try:
                _read_shape(shape, add)
            except Exception as exc:  # one shape python-pptx cannot read: not the whole file
                text = _raw_text(shape._element)
                if text:
                    add("para", text)
                warnings.append(f"{label}: a shape ({_shape_name(shape)}) could not be read "
                                f"({type(exc).__name__}: {str(exc)[:80]})"
                                + ("; its plain text was kept" if text else "; skipped"))
        for byline, text in _comments(slide):
            # "Comment: text", or "Comment by Ann Lee (AL), 2025-03-04T09:30:00: text"
            add("para", f"{COMMENT_LABEL.rstrip(':')} {byline}: {text}" if byline
                else f"{COMMENT_LABEL} {text}")
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            text = _clean(" ".join(p.text for p in notes.paragraphs)) if notes is not None else ""
            if text:
                add("para", f"{NOTES_LABEL} {text}")
        pages.append(Page(number=number, text="\n".join(lines), label=label))
    body = [b for b in blocks if b.kind != "heading" or not b.text.startswith("Slide ")]
    if sum(len(b.text) for b in body) < MIN_TEXT_CHARS:
        raise ReadError("empty", "no text in the PowerPoint file")
    title = ""
    try:
        title = _clean(deck.core_properties.title or "")
    except Exception:
        title = ""
    if not title:
        title = next((b.text for b in blocks if b.kind == "heading"
                      and not b.text.startswith("Slide ")), "")
    return ReadResult(pages, len(pages), title, warnings, blocks)


def _order(shape) -> tuple[int, int]:
    try:
        return (shape.top or 0), (shape.left or 0)
    except Exception:
        return 0, 0


def _shape_name(shape) -> str:
    try:
        return repr(shape.name)
    except Exception:
        return "unnamed"


def _shapes(slide, title_shape, label: str, warnings: list[str]) -> list:
    """The slide's shapes but its title, top to bottom and left to right. A shape element
    python-pptx cannot even wrap is read for its plain text and named in a warning."""
    out = []
    tree = slide.shapes._spTree
    for elm in tree.iter_shape_elms():
        try:
            shape = slide.shapes._shape_factory(elm)
        except Exception as exc:
            text = _raw_text(elm)
            warnings.append(f"{label}: a shape of an unrecognised kind was "
                            + (f"read as plain text ({type(exc).__name__})" if text else
                               f"skipped ({type(exc).__name__})"))
            if text:
                out.append(_RawText(text, 0, 0))
            continue
        if title_shape is not None and shape.shape_id == title_shape.shape_id:
            continue
        try:
            _ = shape.shape_type
        except NotImplementedError:  # python-pptx knows not what it is: its text still counts
            warnings.append(f"{label}: a shape of an unrecognised type ({_shape_name(shape)}) "
                            "was read for its text only")
        out.append(shape)
    return sorted(out, key=_order)


class _RawText:
    """The text of a shape element python-pptx does not know, in place of the shape."""

    def __init__(self, text: str, top: int, left: int):
        self.text, self.top, self.left = text, top, left


def _raw_text(elm) -> str:
    """The text of a shape's paragraphs straight from its XML."""
    from .ooxml import name, texts

    paras = [" ".join("".join(texts(p)).split()) for p in elm.iter() if name(p) == "a:p"]
    return _clean(" ".join(p for p in paras if p))


def _read_shape(shape, add) -> None:
    from pptx.shapes.graphfrm import GraphicFrame

    if isinstance(shape, _RawText):
        add("para", shape.text)
        return
    if isinstance(shape, GraphicFrame) and shape.has_table:
        rows = _table_rows(shape.table)
        if len(rows) >= 2:
            add("table", "", rows=rows)
        elif rows:
            add("para", " | ".join(c for c in rows[0] if c))
        return
    if isinstance(shape, GraphicFrame) and shape.has_chart:
        from .ooxml import chart_rows, parse_xml

        title, rows = chart_rows(parse_xml(shape.chart_part.blob, "PowerPoint chart"))
        if title:
            add("caption", title)
        if len(rows) >= 2:
            add("table", "", rows=rows)
        return
    if isinstance(shape, GraphicFrame):  # SmartArt and other graphics: their text, if any
        for text in _smartart(shape):
            add("item", "- " + text)
        text = _raw_text(shape._element)
        if text:
            add("para", text)
        return
    if not getattr(shape, "has_text_frame", False) or not shape.has_text_frame:
        return
    for level, text, bullet in _paragraphs(shape.text_frame, _is_body(shape)):
        if bullet:  # the bullet level is kept in the item's `level` (0 = top)
            add("item", "- " + text, level=level)
        else:
            add("para", text)


def _smartart(shape) -> list[str]:
    """A SmartArt graphic's node texts: they live in its data part, not in the slide."""
    from .ooxml import attr, name, parse_xml, smartart_texts

    out = []
    for el in shape._element.iter():
        if name(el) != "dgm:relIds":
            continue
        rid = attr(el, "dm", "") or ""
        try:
            part = shape.part.related_part(rid)
        except KeyError:
            continue
        out += smartart_texts(parse_xml(part.blob, "PowerPoint SmartArt"))
    return out


def _table_rows(table) -> list[list[str]]:
    """A table's rows, a merged cell's text in every row and column it covers."""
    grid: dict[tuple[int, int], str] = {}
    n_rows, n_cols = len(table.rows), len(table.columns)
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            if (r, c) in grid:
                continue
            text = _clean(cell.text)
            height = cell.span_height if cell.is_merge_origin else 1
            width = cell.span_width if cell.is_merge_origin else 1
            for dr in range(height):
                for dc in range(width):
                    if r + dr < n_rows and c + dc < n_cols:
                        grid[(r + dr, c + dc)] = text
    rows = [[grid.get((r, c), "") for c in range(n_cols)] for r in range(n_rows)]
    return [r for r in rows if any(r)]


def _comments(slide) -> list[tuple[str, str]]:
    """Reviewers' comments on the slide (legacy p:cm and modern comments alike), each as
    (its byline: "by Name (initials), date", or "" when the file names neither; its text)."""
    from .ooxml import name, parse_xml

    out = []
    try:
        rels = list(slide.part.rels.values())
    except Exception:
        return out
    for rel in rels:
        if "comment" not in rel.reltype.rsplit("/", 1)[-1].lower() or rel.is_external:
            continue
        if "author" in rel.reltype.lower():
            continue
        root = parse_xml(rel.target_part.blob, "PowerPoint comments")
        authors = _comment_authors(slide.part.package)
        for cm in root:
            body = [e for e in cm.iter() if name(e) in ("p:text", "a:t")
                    or name(e).endswith(":text")]
            text = _clean(" ".join(e.text or "" for e in body))
            if not text:
                continue
            # Who wrote it and when, as PowerPoint shows them beside the comment.
            who = authors.get(cm.get("authorId") or "", "")
            when = (cm.get("dt") or cm.get("created") or "").strip()
            out.append((", ".join(x for x in (who and f"by {who}", when) if x), text))
    return out


def _comment_authors(package) -> dict[str, str]:
    """Comment authors by id: "Name (initials)", from ppt/commentAuthors.xml (legacy
    comments) and ppt/authors.xml (modern ones); {} when the file has neither or they do not
    parse."""
    from .ooxml import name, parse_xml

    cached = getattr(package, "_mat_comment_authors", None)
    if cached is not None:
        return cached
    out: dict[str, str] = {}
    try:
        parts = [p for p in package.iter_parts()
                 if str(p.partname).lower().endswith(("/commentauthors.xml", "/authors.xml"))]
        for part in parts:
            for a in parse_xml(part.blob, "PowerPoint comment authors"):
                if not name(a).endswith("uthor") or not a.get("id"):
                    continue
                who, initials = (a.get("name") or "").strip(), (a.get("initials") or "").strip()
                if who:
                    out[a.get("id")] = f"{who} ({initials})" if initials else who
    except Exception:
        out = {}
    try:
        package._mat_comment_authors = out
    except Exception:
        pass
    return out


def _flatten(shapes):
    """Shapes in reading order, groups opened."""
    from pptx.shapes.group import GroupShape

    for shape in shapes:
        if isinstance(shape, GroupShape):
            try:
                inner = sorted(shape.shapes, key=_order)
            except Exception:  # a group holding a shape python-pptx cannot wrap
                yield _RawText(_raw_text(shape._element), 0, 0)
                continue
            yield from _flatten(inner)
        else:
            yield shape
