"""Text normalisation: characters, extraction artefacts, repeated headers and footers.

Everything we quote is a substring of the text these functions produce, so they must never
invent words: they only fold equivalent characters, drop artefacts and re-join broken lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# Word processors export bullets as private-use glyphs (Wingdings/Symbol): keep them as bullets.
_PUA_BULLETS = {"\uf0a7", "\uf0b7", "\uf076", "\uf0d8", "\uf0fc", "\uf06e", "\uf0a8", "\uf02d"}
_INVISIBLE = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
_PAGE_OF = re.compile(r"^\s*page\s+\d+\s*(of|/)\s*\d+\s*$", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
_ORDINAL_SUFFIX = re.compile(r"^\s*(st|nd|rd|th)\s*$")
_WS = re.compile(r"\s+")

# Prefixes whose hyphen is part of the word ("non-federated", "cross-phase"): a line break after
# them keeps the hyphen. Other words split at a line end are re-joined without it.
_KEEP_HYPHEN_PREFIXES = {
    "non", "co", "self", "cross", "multi", "anti", "post", "pre", "semi", "well", "long",
    "short", "high", "low", "part", "full", "mid", "inter", "intra", "sub", "re", "ex",
    "all", "top", "day", "one", "two", "three", "four", "five", "large", "small", "half",
    "cluster", "school", "trust", "head", "back", "front", "in", "out", "on", "off",
}


def normalise_chars(text: str) -> str:
    """NFKC (ligatures, full-width forms, non-breaking spaces), no private-use or control chars."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped and stripped[0] in _PUA_BULLETS:
            line = "- " + stripped[1:].lstrip()
        out.append(line)
    text = unicodedata.normalize("NFKC", "\n".join(out))
    kept = []
    for ch in text:
        if ch in _INVISIBLE:
            continue
        cat = unicodedata.category(ch)
        if cat == "Co" or cat == "Cs":  # private use, lone surrogates
            continue
        if cat == "Cc" and ch not in "\n\t":
            continue
        kept.append(" " if ch == "\t" else ch)
    return "".join(kept)


def clean_lines(lines: list[str]) -> list[str]:
    """Drop page numbers and footnotes; rejoin superscripts extraction put on their own line."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        if _PAGE_OF.match(line):
            i += 1
            continue
        if _ORDINAL_SUFFIX.match(line) and out and re.search(r"\d$", out[-1]):
            # "As of 1 / st / September 2016": a superscript ordinal split from its number.
            out[-1] = out[-1] + line.strip()
            nxt = _next_nonblank(lines, i + 1)
            if nxt is not None and lines[nxt].strip()[:1].isalnum():
                out[-1] += " " + lines[nxt].strip()
                i = nxt + 1
            else:
                i += 1
            continue
        if _BARE_NUMBER.match(line):
            # A bare number is a page number, a footnote marker, or (after a blank line and
            # followed at once by a short capitalised line) a footnote: "1 / See References".
            # None of them is text anyone quotes, and left in they break sentences apart.
            after_blank = not out or not out[-1].strip()
            nxt = i + 1 if i + 1 < len(lines) else None
            if (after_blank and nxt is not None and lines[nxt].strip()[:1].isupper()
                    and len(lines[nxt].split()) <= 12):
                i = nxt + 1
                continue
            i += 1
            continue
        out.append(line)
        i += 1
    return out


def _next_nonblank(lines: list[str], start: int) -> int | None:
    for j in range(start, min(len(lines), start + 4)):
        if lines[j].strip():
            return j
    return None


def strip_repeated_margins(pages: list[list[str]], min_pages: int = 3) -> list[list[str]]:
    """Remove running headers/footers: lines repeated at the top or bottom of most pages."""
    if len(pages) < min_pages:
        return pages

    def key(line: str) -> str:
        return re.sub(r"\d+", "#", _WS.sub(" ", line.strip().lower()))

    counts: Counter[str] = Counter()
    for lines in pages:
        nonblank = [ln for ln in lines if ln.strip()]
        margin = {key(ln) for ln in nonblank[:2] + nonblank[-2:]}
        counts.update(margin)
    threshold = max(min_pages, (len(pages) + 1) // 2)
    repeated = {k for k, n in counts.items() if n >= threshold and k}
    if not repeated:
        return pages
    cleaned = []
    for lines in pages:
        nonblank_idx = [i for i, ln in enumerate(lines) if ln.strip()]
        edge = set(nonblank_idx[:2] + nonblank_idx[-2:])
        cleaned.append([ln for i, ln in enumerate(lines) if not (i in edge and key(ln) in repeated)])
    return cleaned


def join_hyphenated(prev: str, nxt: str) -> str | None:
    """If `prev` ends with a word broken by a line-end hyphen, return the joined line."""
    m = re.search(r"(\w+)-$", prev)
    if not m or not nxt[:1].islower():
        return None
    head = m.group(1)
    if "/" in prev.rsplit(" ", 1)[-1]:  # inside a URL or path: the hyphen is real
        return prev + nxt
    if head.lower() in _KEEP_HYPHEN_PREFIXES or head[:1].isupper() or head.isdigit():
        return prev + nxt
    return prev[:-1] + nxt


def match_key(text: str) -> str:
    """What must agree for a quote to count as verbatim: every character but whitespace and
    hyphens (extraction moves line breaks, and rejoining a broken word drops its hyphen)."""
    return re.sub(r"[\s\-]+", "", normalise_chars(text))


OMISSION = "[…]"  # marks words of the source a quote leaves out between two of its pieces


def quote_pieces(quote: str) -> list[str]:
    """The verbatim pieces of a quote, in order: the text between its omission marks."""
    return [p.strip() for p in quote.split(OMISSION) if p.strip()]


def is_verbatim(quote: str, key: str) -> bool:
    """Every piece of the quote occurs in the source (a `match_key`), the pieces in order;
    within a piece each line (paragraph or list item) occurs in the source."""
    pos = 0
    for piece in quote_pieces(quote):
        lines = [match_key(line) for line in piece.split("\n") if line.strip()]
        lines = [k for k in lines if k]
        if not lines:
            continue
        first = key.find(lines[0], pos)
        if first < 0 or not all(k in key for k in lines[1:]):
            return False
        pos = first + len(lines[0])
    return True


def canonical(text: str) -> str:
    """Form used to check that a quote is verbatim: one space for any run of whitespace."""
    return _WS.sub(" ", normalise_chars(text)).strip()


def decode_text(data: bytes) -> tuple[str, str | None]:
    """UTF-8 if it is; otherwise Windows-1252 (what Word and Excel on Windows write)."""
    for encoding in ("utf-8-sig",):
        try:
            return data.decode(encoding), None
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("cp1252"), "not UTF-8: read as Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "not UTF-8: read as Latin-1"
