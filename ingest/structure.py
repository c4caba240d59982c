"""Rebuild document structure from extracted lines: headings, paragraphs, list items.

Extraction leaves lines broken at the page's width and, in our corpus, blank lines between
every line of some paragraphs. Blank lines are therefore weak evidence; we decide whether a
line continues the one before from punctuation, case and line length instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .blocks import Block  # noqa: F401  (the block model lives in ingest/blocks.py)
from .normalise import join_hyphenated
from .records import Page

BULLET = re.compile(r"^(?:[-–•*·▪●◦➢✓]|o(?=\s+\S)|[a-z]\)|\((?:[a-z]|[ivx]+|\d{1,2})\))\s+")
NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)(?:\.\s*|\s+)(?=[A-Z‘“'\"(])")
NUMBERED_WITH_DOT = re.compile(r"^\d{1,2}\.(?:\d{1,2}\.?)*\s")
SUBNUMBERED = re.compile(r"^\d{1,2}\.\d{1,2}")
URL = re.compile(r"^(https?://|www\.)")
PART = re.compile(r"^(Part|Appendix|Annex|Section|Chapter)\s+([IVXLC]+|\d+|[A-Z])\b(.*)$")
MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+)$")
CAPTION = re.compile(r"^(Graph|Graphic|Table|Figure|Fig\.|Chart|Diagram)\s*[A-Z0-9]+\s*[:.]")
# A caption line: "Graph A: ...", "Table 1. ...", "Figure 2 Growth of ..." (the label, then a
# colon, a stop, a dash, or a capitalised title; "Table 1 shows ..." is a sentence).
CAPTION_LINE = re.compile(r"^(?i:Graph|Graphic|Table|Figure|Fig\.|Chart|Diagram|Exhibit)\s*"
                          r"(?:\d+(?:\.\d+)*[a-z]?|[A-Z]|[IVXL]+)(?:\s*[:.–—-]\s*\S|\s+[A-Z‘“(])")
TERMINAL = re.compile(r"[.!?;:][’”'\")\]]*$")
FUNCTION_WORDS = {
    "a", "an", "and", "as", "at", "be", "by", "for", "from", "in", "into", "is", "of", "on",
    "or", "that", "the", "their", "than", "to", "with", "which", "who", "are", "was", "were",
    "its", "our", "this", "these", "those", "but", "not", "has", "have", "e.g.", "i.e.",
}
HEADING_MAX_WORDS = 12
HEADING_MAX_CHARS = 90


@dataclass
class _Line:
    text: str
    page: int | None
    label: str | None
    blank_before: bool
    blank_after: bool = False
    next_is_bullet: bool = False
    next_starts_upper: bool = False


def _wrap_width(lines: list[str]) -> int:
    """Length above which a line was probably wrapped by the page, not ended by the author."""
    lengths = sorted(len(s) for s in lines if len(s) > 20)
    if not lengths:
        return 60
    p90 = lengths[int(0.9 * (len(lengths) - 1))]
    return max(40, min(85, int(0.8 * p90)))


def _ends_open(line: str) -> bool:
    """The line stops where a sentence cannot: on a function word or a comma."""
    last = line.rsplit(" ", 1)[-1].lower()
    return last in FUNCTION_WORDS or line.endswith((",", "–", "-", "—", "/", "&"))


def _unbalanced(text: str) -> bool:
    return text.count("‘") > text.count("’") or text.count("(") > text.count(")") or (
        text.count("“") > text.count("”")
    )


def parse_blocks(pages: list[Page]) -> list[Block]:
    flat: list[_Line] = []
    blank = True
    for page in pages:
        blank = True  # a page break counts as a blank line
        for raw in page.text.split("\n"):
            s = raw.strip()
            if not s:
                blank = True
                continue
            flat.append(_Line(s, page.number, page.label, blank))
            blank = False
    for here, nxt in zip(flat, flat[1:], strict=False):
        here.blank_after = nxt.blank_before
        here.next_is_bullet = bool(BULLET.match(nxt.text))
        here.next_starts_upper = nxt.text[:1].isupper()
    width = _wrap_width([ln.text for ln in flat])

    blocks: list[Block] = []
    cur: Block | None = None

    def start(kind: str, line: _Line, **kw) -> Block:
        block = Block(kind, [line.text], line.page, line.page, line.label,
                      blank_before=line.blank_before, line_pages=[line.page], **kw)
        blocks.append(block)
        return block

    for line in flat:
        s = line.text
        md = MARKDOWN_HEADING.match(s)
        if md:
            cur = None
            blocks.append(Block("heading", [md.group(2).strip()], line.page, line.page,
                                line.label, level=len(md.group(1)), blank_before=True))
            continue
        if BULLET.match(s):
            cur = start("item", line)
            continue
        if PART.match(s) or NUMBERED_WITH_DOT.match(s) and NUMBERED.match(s):
            # "3.4 Issues ..." always opens a section; "5. Process" unless the line before
            # stopped mid-phrase ("... by the end of / 2022. All schools").
            if cur is None or SUBNUMBERED.match(s) or PART.match(s) or not _ends_open(cur.lines[-1]):
                cur = start("para", line, numbered=True)
                continue
        if CAPTION_LINE.match(s):
            # A caption is a block of its own: never joined to the sentence that follows it.
            cur = start("caption", line)
            continue
        if URL.match(s) or (cur is not None and URL.match(cur.lines[-1])):
            cur = start("para", line)
            continue
        if cur is not None and _continues(cur, line, width):
            prev = cur.lines[-1]
            joined = join_hyphenated(prev, s)
            if joined is not None:
                cur.lines[-1] = joined
            else:
                cur.lines.append(s)
                cur.line_pages.append(line.page)
            cur.page_end = line.page
            continue
        cur = start("para", line)
    return _classify(blocks)


def _continues(cur: Block, line: _Line, width: int) -> bool:
    prev = cur.lines[-1]
    s = line.text
    if cur.kind == "heading" or (cur.numbered and PART.match(cur.lines[0])):
        return False
    if cur.kind == "caption":  # only a wrapped caption's lower-case rest carries on
        return s[:1].islower() and not line.blank_before and not TERMINAL.search(prev)
    if s[:1] in ",;.)":  # the rest of a sentence after a dropped footnote marker
        return True
    if line.next_is_bullet and (cur.kind == "item" or s[:1].isupper()) and (
            prev.endswith(":") or _ends_open(s) or s.endswith(":") or s[:1].isupper()):
        return False  # this line introduces the list that follows
    if _unbalanced(cur.text) and len(cur.lines) < 4:
        return True
    if re.search(r"\w-$", prev) and s[:1].islower():
        return True
    ends_terminal = bool(TERMINAL.search(prev))
    starts_lower = s[:1].islower()
    prev_long = len(prev) >= width
    if cur.kind == "item":
        if ends_terminal or (line.blank_before and s[:1].isupper() and not _ends_open(prev)):
            return False
        # A lower-case line finishes the item unless it introduces the next list ("have", "are").
        return prev_long or _ends_open(prev) or (starts_lower and not line.next_is_bullet)
    heading_like = (s[:1].isupper() or s[:1] in "‘“") and len(s) < 60 and not TERMINAL.search(s)
    if heading_like and not _ends_open(prev) and (
            (line.blank_before and line.blank_after)
            or (TERMINAL.search(prev) and line.next_starts_upper)):
        return False  # a short line standing alone: a heading or a label, not a wrapped line
    if ends_terminal:
        # A sentence ended at the end of a wrapped line: same paragraph unless a gap follows.
        return prev_long and not line.blank_before and not starts_lower
    return starts_lower or prev_long or _ends_open(prev)


def _is_heading_candidate(block: Block) -> bool:
    text = block.text
    if block.kind != "para" or len(block.lines) > 2:
        return False
    if len(text) > HEADING_MAX_CHARS or block.words > HEADING_MAX_WORDS:
        return False
    if CAPTION.match(text) or text.startswith(("http://", "https://", "www.")):
        return False
    if re.search(r"[.,;:]$", text) or text[:1].islower() or text[:1].isdigit():
        return False
    if re.match(r"^[^:]{2,60}:\s+\S", text):  # "Distribution: local" is a field, not a title
        return False
    return any(ch.isalpha() for ch in text)


def _classify(blocks: list[Block]) -> list[Block]:
    """Turn single short lines into headings, unless they introduce a list (then: lead-in)."""
    out: list[Block] = []
    depth = 0  # depth of the innermost numbered/part heading we are in
    for i, block in enumerate(blocks):
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if block.kind == "heading":  # from Markdown / Word styles
            depth = block.level
            out.append(block)
            continue
        if block.numbered:
            text = block.text
            part = PART.match(text)
            if part:
                level = 0 if part.group(1) == "Part" else 1
            else:
                number = NUMBERED.match(text).group(1)
                level = len([p for p in number.split(".") if p])
            depth = level
            title = text.rstrip(":").strip()
            out.append(Block("heading", [title], block.page_start, block.page_end,
                             block.page_label, level=level, numbered=True,
                             source=text if text != title else ""))
            # A numbered sentence ("2.4 It is important to note that ...") is also body text:
            # dropping it would turn the list after it into claims the paper does not make.
            if block.words > 8 or (nxt is not None and nxt.kind == "item"):
                out[-1].echoed = True
                out.append(Block("para", block.lines, block.page_start, block.page_end,
                                 block.page_label, blank_before=True,
                                 line_pages=block.line_pages))
            continue
        if _is_heading_candidate(block) and not (nxt is not None and nxt.kind == "item"):
            out.append(Block("heading", block.lines, block.page_start, block.page_end,
                             block.page_label, level=depth + 1))
            continue
        out.append(block)
    return out
