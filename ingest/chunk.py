"""Cut a document into quotable passages that follow its structure."""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import asdict, dataclass, field

from .blocks import Block
from .normalise import OMISSION
from .records import Document, Passage
from .roles import assign_roles
from .structure import parse_blocks
from .vignettes import parse_key_dimensions_block, parse_vignette

_ABBREVIATIONS = {"e.g", "i.e", "dr", "mr", "mrs", "ms", "sir", "st", "no", "vs", "cf", "prof", "fig"}
_SENTENCE_END = re.compile(r"(?<=[.!?])[’”'\")\]]*\s+(?=[A-Z‘“\"'(\d])")


@dataclass(frozen=True)
class ChunkSettings:
    """How passages are cut. Part of the index manifest: changing it forces a full rebuild."""

    min_words: int = 40  # smaller sections are merged with the next sibling when they fit
    target_words: int = 150  # a passage closes once it reaches this many words
    max_words: int = 250  # hard ceiling; longer paragraphs split at sentence ends
    vignette_marker: str = "Key dimensions"
    vignette_fields: int = 4  # version of ingest/vignettes.py's parsing: a change re-reads all
    # Each section's heading line opens its first passage, as on the page: it is text people
    # quote and search for ("Q and A session with executive headteachers"), and a heading with
    # nothing under it (a trailing label, a run of table labels) is kept rather than lost.
    heading_lines: bool = True
    # Version of the sentence units (split_sentences, index.build.passage_sentences) whose
    # vectors the index stores: a change re-chunks and re-embeds everything. 2 (issue 18): a
    # bare number, a parenthetical, a clause cut off or a piece under five words joins its
    # sentence, and a sentence a line break cut is one unit.
    sentence_units: int = 2

    def to_json(self) -> dict:
        return asdict(self)


# Pieces a full stop cuts off that are no sentence of their own (issue 18): a bare number or
# enumerator ("4." before a heading's words, "2.1", "iv."), which belongs to what follows, and
# a parenthetical ("(up to 16 schools).") or a clause starting in lower case, which belong to
# what precedes them.
_BARE_NUMBER = re.compile(r"^\(?(?:\d+(?:\.\d+)*|[ivxlc]+|[a-z])[.)]?$", re.IGNORECASE)
_PARENTHETICAL = re.compile(r"^\([^()]*\)[.!?,;:’”'\")\]]*$")
_LOWER_START = re.compile(r"^[‘“\"'(\[]*[a-z]")


def split_sentences(text: str) -> list[str]:
    """Sentence boundaries, careful with abbreviations; never returns an empty string. A bare
    number joins the sentence after it, a parenthetical or a lower-case clause the one before
    it, so that every piece is a whole sentence as written (the text between is kept as is)."""
    spans: list[list[int]] = []  # [start, end) of each piece in `text`
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start:m.start()].rstrip("’”'\")]")
        last = before.rsplit(" ", 1)[-1].rstrip(".").lower()
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            continue
        spans.append([start, m.start()])
        start = m.end()
    spans.append([start, len(text)])
    spans = [sp for sp in spans if text[sp[0]:sp[1]].strip()]
    merged: list[list[int]] = []
    carry: int | None = None  # start of a bare number waiting for its sentence
    for a, b in spans:
        piece = text[a:b].strip()
        if carry is not None:
            a, carry = carry, None
        elif merged and (_PARENTHETICAL.match(piece) or _LOWER_START.match(piece)):
            merged[-1][1] = b
            continue
        if _BARE_NUMBER.match(piece):
            carry = a
            continue
        merged.append([a, b])
    if carry is not None:  # a number with nothing after it stays what it is
        if merged:
            merged[-1][1] = len(text)
        else:
            merged.append([carry, len(text)])
    return [text[a:b].strip() for a, b in merged if text[a:b].strip()]


def passage_id(doc_sha256: str, text: str) -> str:
    """Stable while the document and the passage text are unchanged."""
    return "p" + hashlib.sha256(f"{doc_sha256}\n{text}".encode()).hexdigest()[:15]


@dataclass
class _Unit:
    """Blocks that must stay together: a paragraph, or a list with the sentence introducing it."""

    lines: list[str]
    page_start: int | None
    page_end: int | None
    page_label: str | None
    kind: str  # text | list | table | contents | heading | code
    lead_in: str | None = None
    boxes: list = field(default_factory=list)  # line boxes (page, x0, top, x1, bottom)
    rows: list | None = None  # tables: header row first
    resumes: bool = False  # a later part of a split list: [lead-in, "[…]", items ...]

    @property
    def words(self) -> int:
        return sum(len(line.split()) for line in self.lines)


def _boxes(b: Block, first: int = 0, last: int | None = None) -> list:
    """The boxes of lines first..last of a block (all of them by default)."""
    if not b.line_boxes:
        return []
    end = len(b.line_boxes) if last is None else last + 1
    return [box for lb in b.line_boxes[first:end] for box in lb]


SEPARATE_KINDS = ("table", "contents")  # passages of their own, never merged with prose


def _units(blocks: list[Block], settings: ChunkSettings) -> list[_Unit]:
    units: list[_Unit] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        if b.kind == "caption" and i + 1 < len(blocks) and blocks[i + 1].kind == "table":
            units.extend(_table_units(blocks[i + 1], settings, caption=b))
            i += 2
            continue
        if b.kind == "table":
            units.extend(_table_units(b, settings))
            i += 1
            continue
        if b.kind in ("code", "formula"):
            units.extend(_code_units(b, settings))
            i += 1
            continue
        if b.kind == "contents":
            units.append(_Unit(list(b.lines), b.page_start, b.page_end, b.page_label,
                               "contents", boxes=_boxes(b)))
            i += 1
            continue
        if b.kind == "item" or (b.kind == "para" and i + 1 < len(blocks)
                                 and blocks[i + 1].kind == "item"):
            lead = b.text if b.kind == "para" else None
            if lead and len(lead.split()) > settings.min_words:
                # Only the sentence that introduces the list travels with it (and is repeated
                # if the list is split); the rest of a long paragraph stands on its own.
                sentences = split_sentences(lead)
                if len(sentences) > 1:
                    head = " ".join(sentences[:-1])
                    units.extend(_split_para(Block("para", [head], b.page_start, b.page_end,
                                                   b.page_label, line_boxes=b.line_boxes),
                                             settings))
                    lead = sentences[-1]
            j = i + 1 if b.kind == "para" else i
            items = []
            while j < len(blocks) and blocks[j].kind == "item":
                items.append(blocks[j])
                j += 1
            first = b
            last = items[-1] if items else b
            lines = ([lead] if lead else []) + [it.text for it in items]
            boxes = [_boxes(b) if lead else []] + [_boxes(it) for it in items]
            units.extend(_split_list(lines, lead, first, last, settings, boxes))
            i = j
            continue
        units.extend(_split_para(b, settings))
        i += 1
    return units


def _table_units(b: Block, settings: ChunkSettings, caption: Block | None = None) -> list[_Unit]:
    """A table is quoted row by row, each cell with its column header; a long one is split
    between rows, every part opening with the caption (if any) and the header again."""
    from .pdf_layout import table_row_lines

    lines = table_row_lines(b.rows) if b.rows else list(b.lines)
    head = [caption.text] if caption is not None else []
    header, rows = lines[:1], lines[1:]
    head_boxes = (_boxes(caption) if caption is not None else []) + _boxes(b, 0, 0)
    parts: list[list[int]] = [[]]
    for r, row in enumerate(rows):
        words = sum(len(x.split()) for x in head + header) + sum(
            len(rows[k].split()) for k in parts[-1]) + len(row.split())
        if parts[-1] and words > settings.target_words:
            parts.append([])
        parts[-1].append(r)
    out = []
    for part in parts:
        body = [rows[k] for k in part]
        boxes = head_boxes + [box for k in part for box in _boxes(b, k + 1, k + 1)]
        out.append(_Unit(head + header + body, b.page_start, b.page_end, b.page_label, "table",
                         boxes=boxes, rows=[b.rows[0]] + [b.rows[k + 1] for k in part]
                         if b.rows else None))
    return out


def _code_units(b: Block, settings: ChunkSettings) -> list[_Unit]:
    """Code or a formula, verbatim: its lines as printed (indentation kept), never joined
    into sentences; a long listing is cut between lines, never inside one."""
    parts: list[list[int]] = [[]]
    words = 0
    for k, line in enumerate(b.lines):
        n = len(line.split())
        if parts[-1] and words + n > settings.target_words:
            parts.append([])
            words = 0
        parts[-1].append(k)
        words += n
    return [_Unit([b.lines[k] for k in part], b.page_of_line(part[0]),
                  b.page_of_line(part[-1]), b.page_label, "code",
                  boxes=_boxes(b, part[0], part[-1])) for part in parts if part]


def _split_para(b: Block, settings: ChunkSettings) -> list[_Unit]:
    if b.words <= settings.max_words:
        return [_Unit([b.text], b.page_start, b.page_end, b.page_label,
                      "footnote" if b.kind == "footnote" else "text", boxes=_boxes(b))]
    # Each piece is cited by the pages its own sentences lie on, not the whole paragraph's.
    text = b.text
    line_starts, pos = [], 0
    for line in b.lines:
        line_starts.append(pos)
        pos += len(line) + 1

    def line_at(offset: int) -> int:
        return bisect.bisect_right(line_starts, offset) - 1

    def page_at(offset: int) -> int | None:
        return b.page_of_line(line_at(offset))

    out: list[_Unit] = []
    current: list[tuple[str, int]] = []  # (sentence, offset)
    cursor = 0

    def close() -> None:
        first, last = current[0], current[-1]
        end_offset = last[1] + len(last[0]) - 1
        start, end = page_at(first[1]), page_at(end_offset)
        out.append(_Unit([" ".join(t for t, _ in current)], start, end, b.page_label, "text",
                         boxes=_boxes(b, line_at(first[1]), line_at(end_offset))))

    for sentence in split_sentences(text):
        offset = text.find(sentence, cursor)
        cursor = max(cursor, offset + len(sentence))
        if current and sum(len(t.split()) for t, _ in current) + len(sentence.split()) > \
                settings.target_words:
            close()
            current = []
        current.append((sentence, max(offset, 0)))
    if current:
        close()
    return out


def _split_list(lines, lead, first: Block, last: Block, settings: ChunkSettings,
                boxes: list[list] | None = None) -> list[_Unit]:
    """`boxes[0]` are the lead-in's boxes, `boxes[k]` item k's."""
    boxes = boxes or [[] for _ in range(len(lines) + (0 if lead else 1))]
    item_boxes = boxes[1:]
    unit = _Unit(lines, first.page_start, last.page_end, first.page_label, "list", lead,
                 boxes=[bx for lb in boxes for bx in lb])
    if unit.words <= settings.max_words:
        return [unit]
    # A long list is split between items; every part repeats the sentence that introduces it,
    # and a part that resumes the list marks the items it leaves out between them.
    items = lines[1:] if lead else lines
    parts: list[list[int]] = [[]]
    for k, item in enumerate(items):
        candidate = ([lead] if lead else []) + [items[j] for j in parts[-1]] + [item]
        if parts[-1] and sum(len(x.split()) for x in candidate) > settings.target_words:
            parts.append([])
        parts[-1].append(k)
    out = []
    for n, part in enumerate(parts):
        head = [lead] + ([OMISSION] if n > 0 else []) if lead else []
        part_boxes = (boxes[0] if lead else []) + [bx for k in part for bx in item_boxes[k]]
        out.append(_Unit(head + [items[k] for k in part], first.page_start, last.page_end,
                         first.page_label, "list", lead, boxes=part_boxes,
                         resumes=bool(lead) and n > 0))
    return out


def is_vignette(doc: Document, settings: ChunkSettings) -> bool:
    if doc.info.doc_type == "vignette":
        return True
    one_page = doc.page_count in (None, 1) and sum(len(p.text.split()) for p in doc.pages) < 700
    marker = settings.vignette_marker.lower()
    return one_page and any(
        line.strip().lower().lstrip("#").strip() == marker
        for p in doc.pages for line in p.text.split("\n")
    )


def chunk_document(doc: Document, settings: ChunkSettings | None = None) -> list[Passage]:
    settings = settings or ChunkSettings()
    blocks = doc.blocks if doc.blocks is not None else parse_blocks(doc.pages)
    firm_sections = doc.blocks is not None
    if is_vignette(doc, settings):
        return assign_roles(_mark_ocr(doc, [_vignette_passage(doc, blocks)]))

    passages: list[Passage] = []
    headings: list[tuple[int, str]] = []
    pending = _Pending()
    carry: list[_Unit] = []  # heading lines waiting for the body under them (heading_lines)
    numbered: set[str] = set()  # headings that carry the document's own numbers ("3.3 ...")

    def heading_unit(event: Block) -> list[_Unit]:
        if not settings.heading_lines or event.echoed:  # an echoed heading is body text already
            return []
        if event.synthetic:  # an outline title the page does not print: not quotable text
            return []
        return [_Unit([event.source or event.text], event.page_start, event.page_end,
                      event.page_label, "heading", boxes=_boxes(event))]

    for event in _events(blocks, settings):
        if isinstance(event, _Unit) and event.kind in SEPARATE_KINDS:
            # A table or a contents list is a passage of its own, cited by its section; the
            # headings waiting for a body open it.
            pending.emit(doc, passages)
            _emit(doc, [*carry, event], [t for _, t in headings], passages)
            carry = []
            continue
        if isinstance(event, _Unit):
            path = [t for _, t in headings]
            lead, carry = carry, []
            if pending.units and pending.words + event.words > settings.max_words:
                pending.emit(doc, passages)
            if pending.section is None:
                pending.section = path
            pending.units.extend(lead)
            prev = pending.units[-1] if pending.units else None
            if (event.resumes and prev is not None and prev.kind == "list"
                    and prev.lead_in == event.lead_in and not lead):
                # The next part of a split list lands in the same passage as the part before
                # it: the items follow on, so neither its repeated lead-in nor a gap mark.
                event = _Unit(event.lines[2:], event.page_start, event.page_end,
                              event.page_label, "list", event.lead_in, boxes=event.boxes)
            pending.units.append(event)
            if pending.words >= settings.target_words:
                pending.emit(doc, passages)
            continue
        # A heading closes the passage, unless what is pending is too small to quote alone
        # and the new section is a sibling or child: then the two share a passage, cited by
        # their common path, with each section's heading line (verbatim text) inside it.
        while headings and headings[-1][0] >= event.level:
            headings.pop()
        headings.append((event.level, event.text))
        if event.numbered:
            numbered.add(event.text)
        if not pending.units:
            carry.extend(heading_unit(event))
            continue
        path = [t for _, t in headings]
        common = _common_prefix(pending.section or [], path)
        # Where the file itself gives the headings (PDF outline or typography, Word styles),
        # sections are never merged: each passage is cited by the heading it stands under.
        # So are two sections the document numbers itself ("3.3 ..." then "3.4 ..."): each
        # number is the citation a reader looks for, however short the section.
        firm = firm_sections or (event.numbered and bool(pending.section)
                                 and pending.section[-1] in numbered)
        sibling_depth = len(pending.section or []) + (1 if firm else -1)
        if pending.words >= settings.min_words or len(common) < sibling_depth:
            if settings.heading_lines:  # headings still waiting for a body travel on with it
                while pending.units and pending.units[-1].kind == "heading":
                    carry.insert(0, pending.units.pop())
            pending.emit(doc, passages)
            carry.extend(heading_unit(event))
            continue
        if len(pending.section) > len(common) and not any(
                u.kind == "heading" and u.lines[0].rstrip(":").strip() == pending.section[-1]
                for u in pending.units) \
                and pending.units[0].lines[0] != pending.section[-1]:
            first = pending.units[0]
            pending.units.insert(0, _Unit([pending.section[-1]], first.page_start,
                                          first.page_start, first.page_label, "heading"))
        pending.section = common
        if not event.echoed and not event.synthetic:
            pending.units.append(_Unit([(event.source if event.line_boxes else "") or event.text],
                                       event.page_start,
                                       event.page_end, event.page_label, "heading",
                                       boxes=_boxes(event)))
    if settings.heading_lines:
        _keep_trailing_headings(pending, carry, headings, passages, settings)
    pending.emit(doc, passages)
    if not passages and any(b.lines for b in blocks if not b.synthetic):
        # Only headings and no body (a one-line PDF): those lines are the text to quote.
        _emit(doc, [_Unit(list(b.lines), b.page_start, b.page_end, b.page_label, "text")
                    for b in blocks if b.lines and not b.synthetic], [], passages)
    # Evidence or apparatus (ingest/roles.py), from the headings and the text as cut.
    return assign_roles(_mark_ocr(doc, _finalise(doc, passages)))


def _mark_ocr(doc: Document, passages: list[Passage]) -> list[Passage]:
    """Passages with text from a page read by OCR say so (cards, exports)."""
    ocr = set(doc.ocr_pages or [])
    for p in passages if ocr else []:
        if p.page_start is not None and ocr.intersection(
                range(p.page_start, (p.page_end or p.page_start) + 1)):
            p.ocr = True
    return passages


def _keep_trailing_headings(pending, carry, headings, passages, settings) -> None:
    """Headings at the very end have no next passage to open: they are kept as text, with the
    last passage when they fit, else on their own."""
    for u in pending.units:
        if u.kind == "heading":
            u.kind = "text"
    if not carry or pending.units:
        return
    words = sum(u.words for u in carry)
    if passages and len(passages[-1].text.split()) + words <= settings.max_words:
        last = passages[-1]
        last.text += "\n" + "\n".join(line for u in carry for line in u.lines)
        ends = [p for u in carry for p in (u.page_start, u.page_end) if p is not None]
        if ends and last.page_end is not None:
            last.page_end = max(last.page_end, *ends)
        return
    pending.units = [_Unit(u.lines, u.page_start, u.page_end, u.page_label, "text") for u in carry]
    pending.section = [t for _, t in headings][:-1]


@dataclass
class _Pending:
    units: list[_Unit] = field(default_factory=list)
    section: list[str] | None = None

    @property
    def words(self) -> int:
        return sum(u.words for u in self.units)

    def emit(self, doc: Document, passages: list[Passage]) -> None:
        _emit(doc, self.units, self.section or [], passages)
        self.units = []
        self.section = None


def _common_prefix(a: list[str], b: list[str]) -> list[str]:
    out = []
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        out.append(x)
    return out


def _events(blocks: list[Block], settings: ChunkSettings) -> list[Block | _Unit]:
    """Headings as they are; runs of body blocks turned into units."""
    events: list[Block | _Unit] = []
    run: list[Block] = []
    for block in blocks:
        if block.kind == "heading":
            events.extend(_units(run, settings))
            run = []
            events.append(block)
        else:
            run.append(block)
    events.extend(_units(run, settings))
    return events


def _emit(doc: Document, units: list[_Unit], section: list[str], passages: list[Passage]) -> None:
    # A trailing heading line with nothing under it belongs to the next passage, not this one.
    while units and units[-1].kind == "heading":
        units = units[:-1]
    if not units:
        return
    lines = [line for u in units for line in u.lines]
    pages = [p for u in units for p in (u.page_start, u.page_end) if p is not None]
    kinds = {u.kind for u in units}
    kind = next((k for k in ("table", "contents") if k in kinds), None) or (
        "list" if "list" in kinds else "text")
    passages.append(Passage(
        id="",
        doc_sha256=doc.sha256,
        file=doc.info.file,
        title=doc.info.title,
        short_title=doc.info.short_title,
        doc_type=doc.info.doc_type,
        ordinal=len(passages),
        text="\n".join(lines),
        section=list(section),
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        page_label=_label_of(doc, min(pages)) if pages else units[0].page_label,
        page_end_label=_label_of(doc, max(pages)) if pages else None,
        kind=kind,
        boxes=[list(b) for u in units for b in u.boxes],
        rows=next((u.rows for u in units if u.rows), None) or [],
    ))


def _label_of(doc: Document, number: int) -> str | None:
    """The printed label of page `number`, where the file defines one."""
    if 1 <= number <= len(doc.pages) and doc.pages[number - 1].number == number:
        return doc.pages[number - 1].label
    return next((p.label for p in doc.pages if p.number == number), None)


def _finalise(doc: Document, passages: list[Passage]) -> list[Passage]:
    seen: dict[str, int] = {}
    for i, p in enumerate(passages):
        p.ordinal = i
        pid = passage_id(doc.sha256, p.text)
        if pid in seen:  # the same words twice in one document: keep both, ids stay distinct
            seen[pid] += 1
            pid = f"{pid}-{seen[pid]}"
        else:
            seen[pid] = 1
        p.id = pid
    return passages


def parse_key_dimensions(lines: list[str]) -> dict[str, str]:
    """A "Key dimensions" block's lines as field name -> value as written (ingest/vignettes.py)."""
    return parse_key_dimensions_block(lines).values()


def _vignette_passage(doc: Document, blocks: list[Block]) -> Passage:
    lines: list[str] = []
    for b in blocks:
        lines.extend(b.lines if b.kind == "item" else [b.text])
    text = "\n".join(lines)
    # The key dimensions are read from the page lines (a table's rows look like headings to
    # the block parser). Every field is kept; what could not be read is said in the file's
    # warnings, which the Sources tab shows.
    case = parse_vignette([line for page in doc.pages for line in page.text.split("\n")])
    doc.warnings.extend(w for w in case.warnings if w not in doc.warnings)
    pages = [p.number for p in doc.pages if p.number is not None]
    passage = Passage(
        id=passage_id(doc.sha256, text),
        doc_sha256=doc.sha256,
        file=doc.info.file,
        title=doc.info.title,
        short_title=doc.info.short_title,
        doc_type="vignette",
        ordinal=0,
        text=text,
        section=[],
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        page_label=doc.pages[0].label if doc.pages else None,
        kind="vignette",
        key_dimensions=case.values(),
    )
    return passage
