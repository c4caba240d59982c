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
    return " ".join(normalise_chars(text or "").split())


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
        text = _clean("".join(run.text for run in para.runs) or para.text)
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

        title_shape = slide.shapes.title
        title = _clean(title_shape.text_frame.text) if title_shape is not None and \
            title_shape.has_text_frame else ""
        # Every slide opens a section: its title, or "Slide N" when it has none.
        add("heading", title or f"Slide {number}", level=1)
        shapes = sorted((s for s in slide.shapes if title_shape is None
                         or s.shape_id != title_shape.shape_id),
                        key=lambda s: ((s.top or 0), (s.left or 0)))
        for shape in _flatten(shapes):
            if getattr(shape, "has_table", False) and shape.has_table:
                rows = [[_clean(cell.text) for cell in row.cells] for row in shape.table.rows]
                rows = [r for r in rows if any(r)]
                if len(rows) >= 2:
                    add("table", "", rows=rows)
                elif rows:
                    add("para", " | ".join(c for c in rows[0] if c))
                continue
            if not getattr(shape, "has_text_frame", False) or not shape.has_text_frame:
                continue
            for level, text, bullet in _paragraphs(shape.text_frame, _is_body(shape)):
                if bullet:  # the bullet level is kept in the item's `level` (0 = top)
                    add("item", "- " + text, level=level)
                else:
                    add("para", text)
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


def _flatten(shapes):
    """Shapes in reading order, groups opened."""
    for shape in shapes:
        if shape.shape_type is not None and int(shape.shape_type) == 6:  # MSO_SHAPE_TYPE.GROUP
            yield from _flatten(sorted(shape.shapes, key=lambda s: ((s.top or 0), (s.left or 0))))
        else:
            yield shape
