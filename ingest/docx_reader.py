"""Word (.docx) as typed blocks: Word's heading styles are the section tree, list paragraphs
items, tables rows (header row first, or "Label: value" lines for two-column tables)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .blocks import MIN_TEXT_CHARS, Block, ReadError, ReadResult
from .normalise import clean_lines, normalise_chars
from .records import Page

# A .docx is a zip; refuse ones that expand to more than this (zip bombs).
MAX_DOCX_EXPANDED_BYTES = 200 * 1024 * 1024


def read_docx(path: Path) -> ReadResult:
    try:
        with zipfile.ZipFile(path) as zf:
            expanded = sum(info.file_size for info in zf.infolist())
            if expanded > MAX_DOCX_EXPANDED_BYTES:
                raise ReadError(
                    "corrupt",
                    f"refused: the Word file expands to {expanded / 2**30:.1f} GB (zip bomb?)",
                )
            if "word/document.xml" not in zf.namelist():
                raise ReadError("corrupt", "corrupt Word file: no word/document.xml inside")
    except zipfile.BadZipFile as exc:
        raise ReadError("corrupt", "corrupt Word file: not a zip archive") from exc

    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as exc:
        raise ReadError("corrupt", f"corrupt Word file: {exc}") from exc

    from .pdf_layout import table_row_lines
    blocks: list[Block] = []
    lines: list[str] = []  # the text as before the block model: vignette fields parse from it
    first_heading = ""

    def add(kind: str, text: str, **kw) -> None:
        text = " ".join(normalise_chars(text).split())
        if text:
            blocks.append(Block(kind, [text], None, None, **kw))

    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(element, document)
            text = para.text.strip()
            if not text:
                continue
            style = (para.style.name if para.style is not None else "") or ""
            level = _heading_level(style)
            if level:  # Word's heading styles are the section tree
                first_heading = first_heading or text
                add("heading", text, level=level)
                lines += ["", "#" * level + " " + text, ""]
            elif "List" in style or para._p.pPr is not None and para._p.pPr.numPr is not None:
                add("item", "- " + text)
                lines.append("- " + text)
            else:
                add("para", text)
                lines += [text, ""]
        elif tag == "tbl":
            rows = []
            for row in Table(element, document).rows:
                cells = []
                for cell in row.cells:
                    value = " ".join(normalise_chars(cell.text).split())
                    if value and (not cells or cells[-1] != value):  # merged cells repeat
                        cells.append(value)
                if cells:
                    rows.append(cells)
            if rows and all(len(r) <= 2 for r in rows):
                for r in rows:  # a label/value table: one "Label: value" line a row
                    add("para", ": ".join(r))
                    lines.append(": ".join(r))
            elif rows:
                width = max(len(r) for r in rows)
                rows = [r + [""] * (width - len(r)) for r in rows]
                blocks.append(Block("table", [" | ".join(c for c in r if c) for r in rows],
                                    None, None, rows=rows))
                lines += table_row_lines(rows)
            lines.append("")
    lines = clean_lines(normalise_chars("\n".join(lines)).split("\n"))
    page = Page(None, "\n".join(lines))
    if len(page.text.strip()) < MIN_TEXT_CHARS:
        raise ReadError("empty", "no text in the Word file")
    title = (document.core_properties.title or "").strip() or first_heading
    return ReadResult([page], None, title, [], blocks)


def _heading_level(style: str) -> int:
    if style == "Title":
        return 1
    m = re.match(r"Heading (\d)", style)
    return int(m.group(1)) if m else 0
