"""Saved web pages (.html, .htm) as typed blocks, with selectolax (lexbor, a C HTML5 parser).

Only the main content is read: <main>, <article> or [role=main] when the page marks it, else
the body; navigation, headers, footers, asides, forms, cookie and consent banners, scripts and
styles are dropped before any text is taken. h1-h6 are the section tree, lists become items
(nested lists one level deeper), tables rows with their header row. The page's <title>, its
canonical URL and its date (article:published_time, <time datetime>, DC.date) are metadata.
Nothing runs and nothing is fetched: the parser only builds a tree, and no URL in the page is
ever opened. Measured against trafilatura (bench/html_extract.py): see the README.
"""

from __future__ import annotations

import re
from pathlib import Path

from .blocks import MIN_TEXT_CHARS, Block, ReadError, ReadResult
from .formulas import mathml_lines
from .normalise import decode_text, normalise_chars
from .records import Page

MAX_HTML_BYTES = 20 * 1024 * 1024
# Deeper element nesting than this is refused: real pages nest a few dozen levels; the parser's
# cost grows with the square of the depth, and the walk below recurses once a level.
MAX_HTML_DEPTH = 400
DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
        "nav", "header", "footer", "aside", "form", "button", "select", "input", "textarea",
        "dialog", "menu", "figure > img", "img", "video", "audio", "link", "meta")
_BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:cookie|consent|gdpr|banner|navbar|nav|menu|breadcrumbs?|sidebar|footer|"
    r"header|masthead|share|social|advert|ads?|promo|newsletter|subscribe|related|comments?|"
    r"skip-link|popup|modal)(?:$|[\s_-])", re.I)
_BLOCK_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre",
               "dd", "dt", "figcaption", "caption", "div", "section", "article", "main", "ul",
               "ol", "dl", "tr", "td", "th", "address", "details", "summary"}
# Named so, an element is never the page's content, even when nothing else is left.
_NEVER_CONTENT = re.compile(r"(?:^|[\s_-])(?:cookie|consent|gdpr|banner|advert|ads?|promo|"
                            r"newsletter|subscribe|popup|modal)(?:$|[\s_-])", re.I)
_DATE = re.compile(r"\b((?:19|20)\d\d)(?:-(\d\d)(?:-(\d\d))?)?")


def _clean(text: str) -> str:
    return " ".join(normalise_chars(text or "").split())


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    bad = sum(1 for b in head if b < 9 or 13 < b < 32)
    return bad > 0.02 * max(1, len(head))


def metadata(tree) -> dict[str, str]:
    def meta(*names: str) -> str:
        for name in names:
            for attr in ("property", "name", "itemprop"):
                node = tree.css_first(f'meta[{attr}="{name}"]')
                if node is not None and _clean(node.attributes.get("content") or ""):
                    return _clean(node.attributes.get("content"))
        return ""

    title_node = tree.css_first("title")
    title = _clean(title_node.text()) if title_node is not None else ""
    title = title or meta("og:title", "twitter:title", "DC.title", "dc.title")
    canonical = tree.css_first('link[rel="canonical"]')
    url = _clean(canonical.attributes.get("href") or "") if canonical is not None else ""
    url = url or meta("og:url")
    if not re.match(r"^https?://", url):
        url = ""
    date = meta("article:published_time", "datePublished", "DC.date", "dc.date", "date",
                "citation_publication_date", "article:modified_time", "dateModified")
    if not date:
        node = tree.css_first("time[datetime]")
        date = _clean(node.attributes.get("datetime") or "") if node is not None else ""
    m = _DATE.search(date)
    return {"title": title, "url": url, "date": m.group(0) if m else "",
            "year": m.group(1) if m else ""}


def _main(tree):
    for selector in ("main", '[role="main"]', "article"):
        nodes = tree.css(selector)
        if nodes:
            return max(nodes, key=lambda n: len(n.text(separator=" ")))
    return tree.body


def _strip(root, names: re.Pattern = _BOILERPLATE) -> None:
    """Drop what is not content: the DROP elements, hidden ones, landmark roles, and elements
    whose id or class `names` matches ("cookie-banner"). A link named only by its image
    keeps the image's alt text, its accessible name, in the image's place."""
    for link in root.css("a"):
        if _clean(link.text(separator=" ", deep=True)):
            continue
        for img in link.css("img"):
            alt = _clean(img.attributes.get("alt") or "")
            if alt:
                img.replace_with(f" {alt} ")
    for selector in DROP:
        for node in root.css(selector):
            node.decompose()
    for node in root.css("[id], [class], [role], [aria-hidden]"):
        attrs = node.attributes
        if node.tag in ("main", "article", "body", "html"):
            continue
        marks = " ".join(filter(None, (attrs.get("id"), attrs.get("class"), attrs.get("role"))))
        if attrs.get("aria-hidden") == "true" or attrs.get("hidden") is not None or (
                marks and names.search(marks)) or attrs.get("role") in (
                "navigation", "banner", "contentinfo", "complementary", "search", "dialog"):
            node.decompose()


def _inline_text(node) -> str:
    if node.css_first("math") is None:
        return _clean(node.text(separator=" ", deep=True))
    # An equation inside the text is written out linearly (ingest/formulas.py), not as its
    # elements' text run together ("p N" for p/N).
    parts: list[str] = []
    for c in node.iter(include_text=True):
        if c.tag == "-text":
            parts.append(c.text_content or "")
        elif c.tag == "math":
            parts.append(" " + " ".join(mathml_lines(c)) + " ")
        else:
            parts.append(" " + _inline_text(c) + " ")
    return _clean("".join(parts))


def _display_math(node) -> bool:
    return (node.attributes.get("display") or node.attributes.get("mode") or "") in (
        "block", "display")


def _pre_lines(node) -> list[str]:
    """A <pre>'s lines as printed: line breaks and indentation kept, blank edges dropped."""
    lines = [normalise_chars(ln.expandtabs(4)).rstrip()
             for ln in (node.text(deep=True) or "").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _break_lines(node) -> list[str]:
    """An element's text as the lines its <br> elements part."""
    lines: list[list[str]] = [[]]

    def walk(n) -> None:
        for c in n.iter(include_text=True):
            if c.tag == "br":
                lines.append([])
            elif c.tag == "-text":
                lines[-1].append(c.text_content or "")
            elif c.css_first("br") is not None:
                walk(c)
            else:
                lines[-1].append(c.text(separator=" ", deep=True))

    walk(node)
    return [t for t in (_clean(" ".join(parts)) for parts in lines) if t]


def _walk(node, out: list[tuple], depth: int = 0) -> None:
    """(kind, text or rows, level) in document order."""
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            text = _clean(child.text_content or "")
            if text:
                out.append(("text", text, 0))
            continue
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = _inline_text(child)
            if text:
                out.append(("heading", text, int(tag[1])))
            continue
        if tag in ("ul", "ol"):
            _list(child, out, depth)
            continue
        if tag == "table":
            rows = _table_rows(child)
            if rows:
                out.append(("table", rows, 0))
            caption = child.css_first("caption")
            if caption is not None and _inline_text(caption):
                out.insert(len(out) - (1 if rows else 0), ("caption", _inline_text(caption), 0))
            continue
        if tag == "pre":  # code, or text set out as printed: a block of its own, verbatim
            lines = _pre_lines(child)
            if lines:
                out.append(("code", lines, 0))
            continue
        if tag == "math":
            if _display_math(child):
                lines = mathml_lines(child)
                if lines:
                    out.append(("formula", lines, 0))
            else:
                text = " ".join(mathml_lines(child))
                if text:
                    out.append(("text", text, 0))
            continue
        if tag in ("p", "blockquote", "dd", "dt", "figcaption", "address", "summary"):
            kids = [c for c in child.iter() if c.tag != "-text"]
            if len(kids) == 1 and kids[0].tag == "math" and _display_math(kids[0]) and not \
                    _clean(child.text(deep=False)):
                _walk(child, out, depth)
                continue
            if any(c.tag in ("ul", "ol", "table", "p", "div") for c in child.iter()):
                _walk(child, out, depth)
            elif child.css_first("br") is not None:
                # lines parted by <br> ("<strong>Label</strong><br>value") are lines
                for line in _break_lines(child):
                    out.append(("para", line, 0))
            else:
                text = _inline_text(child)
                if text:
                    out.append(("para", text, 0))
            continue
        if tag == "br":
            out.append(("break", "", 0))
            continue
        if tag in _BLOCK_TAGS:
            _walk(child, out, depth)
            out.append(("break", "", 0))
            continue
        # Inline element (a, em, strong, span ...): its text runs on with the text around it.
        text = _inline_text(child)
        if text:
            out.append(("text", text, 0))


def _table_rows(table) -> list[list[str]]:
    """A table's rows with rowspan and colspan expanded: a spanning cell's text is in every
    row and column it covers, so each row is complete on its own line."""
    rows: list[list[str]] = []
    pending: dict[int, tuple[str, int]] = {}  # column -> (text, rows it still covers)
    for tr in table.css("tr"):
        row: list[str] = []

        def carry(row: list[str]) -> None:
            while len(row) in pending:
                text, left = pending[len(row)]
                row.append(text)
                if left <= 1:
                    del pending[len(row) - 1]
                else:
                    pending[len(row) - 1] = (text, left - 1)

        for cell in tr.iter():
            if cell.tag not in ("td", "th"):
                continue
            carry(row)
            text = _inline_text(cell)
            span_cols = _span(cell.attributes.get("colspan"))
            span_rows = _span(cell.attributes.get("rowspan"))
            for _ in range(span_cols):
                if span_rows > 1:
                    pending[len(row)] = (text, span_rows - 1)
                row.append(text)
        carry(row)
        if any(row):
            rows.append(row)
    if rows:
        width = max(len(r) for r in rows)
        rows = [r + [""] * (width - len(r)) for r in rows]
    return rows


def _span(value: str | None) -> int:
    try:
        n = int((value or "1").strip())
    except ValueError:
        return 1
    return max(1, min(n, 100))  # HTML caps colspan at 1000 and rowspan at 65534; a table of
    # a person's making spans far fewer: a larger one is a hostile page


def _list(node, out: list[tuple], depth: int) -> None:
    """The items of a <ul>/<ol>; a list inside an item is read one level deeper."""
    for li in node.iter():
        if li.tag != "li":
            continue
        own, nested = [], []
        for part in li.iter(include_text=True):
            if part.tag in ("ul", "ol"):
                nested.append(part)
            elif part.tag == "-text":
                own.append(_clean(part.text_content or ""))
            else:
                own.append(_inline_text(part))
        text = " ".join(t for t in own if t)
        if text:
            out.append(("item", text, depth))
        for sub in nested:
            _list(sub, out, depth + 1)


def read_html(path: Path):
    data = path.read_bytes()
    if len(data) > MAX_HTML_BYTES:
        raise ReadError("too_large", f"too large to index: {len(data) / 2**20:.0f} MB of HTML "
                                     f"(the limit is {MAX_HTML_BYTES // 2**20} MB)")
    if looks_binary(data):
        raise ReadError("corrupt", "not a web page: the file is binary, not HTML text")
    text, warning = _decode(data)
    if not re.search(r"<\s*(html|body|head|p|div|h[1-6]|main|article|title)\b", text[:200_000],
                     re.I):
        raise ReadError("corrupt", "not a web page: no HTML tags in the file")
    if nesting_depth(text, stop_above=MAX_HTML_DEPTH) > MAX_HTML_DEPTH:
        raise ReadError("corrupt", f"refused: the web page nests its elements more than "
                                   f"{MAX_HTML_DEPTH} levels deep (a hostile page?)")
    warnings = [warning] if warning else []
    meta, blocks = _content(text, _BOILERPLATE)
    if not any(b.text for b in blocks):
        # Nothing left once elements named like boilerplate are dropped ("nav-header" around
        # the page's only heading): read those too, and say so.
        meta, blocks = _content(text, _NEVER_CONTENT)
        if any(b.text for b in blocks):
            warnings.append("the page's only text is in parts named like navigation or "
                            "headers: read them as its content")
    if sum(len(b.text) for b in blocks) < MIN_TEXT_CHARS:
        raise ReadError("empty", "no main content in the web page (only navigation, scripts "
                                 "or boilerplate)")
    lines = []
    for b in blocks:
        lines.extend(b.lines if b.kind != "heading" else ["#" * b.level + " " + b.text])
        lines.append("")
    result = ReadResult([Page(None, "\n".join(lines).strip())], None, meta["title"], warnings,
                        blocks)
    result.meta = {k: v for k, v in meta.items() if v and k != "title"}
    return result


def _content(text: str, names: re.Pattern) -> tuple[dict[str, str], list[Block]]:
    """The page's metadata and the blocks of its main content."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    meta = metadata(tree)
    root = _main(tree)
    if root is None:
        return meta, []
    _strip(root, names)
    events: list[tuple] = []
    _walk(root, events)
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block("para", [" ".join(para)], None, None))
            para.clear()

    for kind, value, level in events:
        if kind == "text":
            para.append(value)
            continue
        flush()
        if kind == "heading":
            blocks.append(Block("heading", [value], None, None, level=level))
        elif kind == "item":
            blocks.append(Block("item", ["- " + value], None, None, level=level))
        elif kind == "table":
            b = Block("table", [" | ".join(r) for r in value], None, None)
            b.rows = value
            blocks.append(b)
        elif kind in ("para", "caption"):
            blocks.append(Block(kind, [value], None, None))
        elif kind in ("code", "formula"):
            blocks.append(Block(kind, list(value), None, None))
    flush()
    return meta, blocks


_IGNORED_SPANS = re.compile(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|"
                            r"<textarea\b.*?</textarea\s*>", re.S | re.I)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)")
# Elements that never nest (void) or whose end tag may be left out (a <p> or <li> closes at
# the next one): counting them would take a legitimate page for a deep one.
_NOT_NESTING = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "thead",
                "tbody", "tfoot", "option", "optgroup", "colgroup", "caption", "rt", "rp",
                "html", "head", "body"}


def nesting_depth(text: str, stop_above: int | None = None) -> int:
    """How deep the page's elements nest, from its tags alone (one pass, no tree): checked
    before parsing because an HTML5 parser's cost grows with the square of the depth (200,000
    nested <div>s take minutes). Stops counting once deeper than `stop_above`."""
    depth = deepest = 0
    for m in _TAG.finditer(_IGNORED_SPANS.sub("", text)):
        tag = m.group(2).lower()
        if tag in _NOT_NESTING:
            continue
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
            if stop_above is not None and deepest > stop_above:
                break
    return deepest


def _decode(data: bytes) -> tuple[str, str | None]:
    m = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", data[:4096], re.I)
    if m:
        try:
            return data.decode(m.group(1).decode("ascii")), None
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data)
