"""OCR for PDF pages that have no text layer (scans, image-only pages of a mixed PDF), with
Tesseract 5 from Debian (`tesseract-ocr`, `tesseract-ocr-eng`), called as a program.

* A page is OCR'd only when the PDF gives it no text at all. It is rendered with pypdfium2 at
  `OcrSettings.dpi` (200 by default), grey, and handed to `tesseract ... hocr` on stdin, one
  Tesseract thread per page (OMP_THREAD_LIMIT=1), `OcrSettings.workers` pages at a time.
* Tesseract's hOCR gives each line's box and its row height (x_size): lines come back in PDF
  points from the page's top-left corner, as `pdf_layout.Line`s whose size is the row height
  converted to a font size, so the PDF layout pass tells headings from body text by size and
  numbering exactly as it does for a typeset page; boxes highlight OCR'd passages on "Show page".
* Each page's mean word confidence is kept: below `flag_confidence` the page is named in the
  file's warnings; below `min_confidence` its text is not used (a photo, a blank page with
  specks, another language) and the warning says so.
* Results are cached by the file's SHA-256 and the OCR settings (Tesseract version, language,
  dpi) in `cache_dir`, one JSON file per page, so an unchanged scan is never OCR'd twice, even
  when the index is rebuilt in full.
* Everything runs in the reading process (the sandbox): its memory limit covers Tesseract too,
  a page whose rendering would be huge is rendered smaller or skipped, and each page reports
  progress, which is also the sandbox's per-page heartbeat.
* No Tesseract (or OCR turned off): the file keeps the "no text layer ... needs OCR" status,
  with what to install.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

OCR_VERSION = "8"  # bump when what is cached per page changes (6: stroke width per run;
# 7: isolated specks cleaned off the page image before Tesseract reads it; 8: sizes and
# stroke widths measured on the page as scanned, not on the cleaned copy)
INSTALL_HINT = ("install Tesseract to read scans: apt-get install tesseract-ocr tesseract-ocr-eng "
                "(Debian/Ubuntu), then rebuild")
# A line's font size from its words, measured on the page image (grey, so a letter's edge is
# known to a fraction of a pixel): in each word's box the rows where most ink lies are the
# x-height band (the tops and tails of b, d, g, p ... carry less), which specks and skew hardly
# move (words are short). The x-height is about 0.47 of the font size (Times 0.45, Helvetica
# 0.52). A word with no x-height letter ("CPD", "2022") or whose band took in its capitals and
# ascenders ("Geoff": three tall letters of five) is measured from baseline to top instead:
# capitals and ascenders stand about 0.69 of the font size. The line's size is the mean of its
# words' middle half. Tesseract's own row height (x_size) and the word boxes vary too much on
# short lines (a speck above a word makes it taller) to tell a heading from the last line of a
# paragraph.
XHEIGHT = 0.47
CAP_HEIGHT = 0.69
SIZE_FACTOR = 1.0  # measured / true size on the typeset tests (bench/ocr.py prints it)
_X_LETTERS = frozenset("acemnorsuvwxz")
_TALL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789bdfhkl")
# Bold from stroke width: the median width of the ink runs across the middle of the x-height
# band, over the x-height, is about 0.17-0.19 for a regular face and 0.26-0.35 for its bold
# (round 7, the tuned twins' lines); a line whose ratio is this much above the body's is set
# in bold.
BOLD_STEM_RATIO = 1.27
# What a bullet (•) comes out as when Tesseract reads it as a character of its own.
_BULLET_READINGS = {"*", "¢", "°", "+", ".", "·", "•", "©", "®", "«", "»", "e", "o", "-", "–",
                    "@", "oe", "eo"}
OCR_FONT = ""  # OCR'd lines have no font name: typography rules by font never fire on them

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class OcrSettings:
    """How pages without a text layer are read. Part of `ReadLimits` (the reading settings)."""

    enabled: bool = True  # False: scans keep the "needs OCR" status
    lang: str = "eng"  # Tesseract language(s), "eng+fra"
    dpi: int = 200
    psm: int = 3  # Tesseract page segmentation: fully automatic
    workers: int = 2  # pages OCR'd at once, one Tesseract thread each: 2 measured faster than 1
    page_timeout: float = 60.0  # seconds for one page
    max_pages: int = 2000  # pages OCR'd per file at most; the rest are listed as skipped
    max_pixels: int = 40_000_000  # a bigger page is rendered at a lower dpi (A4 at 200 dpi: 3.9 M)
    min_dpi: int = 70  # ... but not below this: such a page is skipped with a warning
    flag_confidence: float = 75.0  # mean word confidence below this: named in the warnings
    min_confidence: float = 45.0  # below this: the page's text is not used
    cache_dir: str = ""  # "" = no cache (build_index puts it in the index folder)


@dataclass
class OcrPage:
    number: int
    lines: list[dict] = field(default_factory=list)  # text, bbox (points), size, block, conf
    confidence: float | None = None  # mean word confidence, 0-100
    words: int = 0
    status: str = "ok"  # ok | blank | low | unreadable | too_large | failed
    note: str = ""


# ----------------------------------------------------------------- settings of the current read

_local = threading.local()


@contextmanager
def using(settings: OcrSettings | None, progress: Progress | None = None):
    """The OCR settings and progress callback for reads in this thread (the sandbox worker and
    the in-process reader set them per file)."""
    old = getattr(_local, "state", None)
    _local.state = (settings or OcrSettings(), progress)
    try:
        yield
    finally:
        _local.state = old


_default_cache = ""  # the OCR cache of the index this process last opened


def remember_cache(folder: Path) -> None:
    """Reads outside a build (checking a quote against its source, `qa show`) use the OCR
    cache of the index that was opened, so a scan is not OCR'd again to check a quote."""
    global _default_cache
    if Path(folder).is_dir():
        _default_cache = str(Path(folder).absolute())


def current() -> tuple[OcrSettings, Progress | None]:
    return getattr(_local, "state", None) or (OcrSettings(cache_dir=_default_cache), None)


# ------------------------------------------------------------------------------ tesseract

def tesseract_binary() -> str | None:
    return shutil.which("tesseract")


@lru_cache(maxsize=4)
def _version(binary: str) -> str:
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    m = re.search(r"tesseract\s+v?(\d[\w.\-]*)", out.stdout + out.stderr)
    return m.group(1) if m else ""


@lru_cache(maxsize=4)
def _languages(binary: str) -> frozenset[str]:
    try:
        out = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    lines = (out.stdout + "\n" + out.stderr).splitlines()
    return frozenset(s.strip() for s in lines if s.strip() and " " not in s.strip())


def unavailable_reason(settings: OcrSettings) -> str:
    """Why OCR cannot run with these settings ("" when it can)."""
    if not settings.enabled:
        return "OCR is turned off in the reading settings"
    binary = tesseract_binary()
    if binary is None or not _version(binary):
        return "Tesseract is not installed; " + INSTALL_HINT
    missing = [lang for lang in settings.lang.split("+") if lang not in _languages(binary)]
    if missing:
        return (f"Tesseract has no language data for {', '.join(missing)}; install "
                + " ".join(f"tesseract-ocr-{m}" for m in missing))
    return ""


def available(settings: OcrSettings | None = None) -> bool:
    return not unavailable_reason(settings or OcrSettings())


def settings_key(settings: OcrSettings) -> str:
    binary = tesseract_binary() or ""
    raw = f"{OCR_VERSION}|{_version(binary) if binary else ''}|{settings.lang}|{settings.dpi}|" \
          f"{settings.psm}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def run_tesseract(image, settings: OcrSettings) -> str:
    """hOCR of one page image (PIL, mode L). Raises subprocess.TimeoutExpired / RuntimeError."""
    import io

    buf = io.BytesIO()
    image.save(buf, format="PPM")  # uncompressed: cheaper than PNG to write and to read
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    proc = subprocess.run(
        [tesseract_binary() or "tesseract", "stdin", "stdout", "-l", settings.lang,
         "--psm", str(settings.psm), "--dpi", str(settings.dpi), "hocr"],
        input=buf.getvalue(), capture_output=True, timeout=settings.page_timeout, env=env)
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(message[-1][:200] if message else f"exit status {proc.returncode}")
    return proc.stdout.decode("utf-8", "replace")


# --------------------------------------------------------------------------------- parsing

_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_XSIZE = re.compile(r"x_size ([\d.]+)")
_WCONF = re.compile(r"x_wconf (-?\d+)")
_LINE_CLASSES = {"ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat"}


def _title(el, pattern):
    m = pattern.search(el.get("title", ""))
    return m.groups() if m else None


_JUNK = set(".,:;‘’'`\"“”~_^|¦")
_CLITICS = {"s", "t", "ll", "re", "ve", "d", "m"}


def tidy_words(words: list[str]) -> list[str]:
    """What specks and Tesseract's word splitting leave in a line: a lone stop, colon or quote
    between words (punctuation is printed against a word, never on its own), a possessive
    split off its word ("school’ s"), an opening quote that nothing closes."""
    out: list[str] = []
    for w in words:
        if w in _JUNK:
            continue
        if out and w.lower() in _CLITICS and out[-1][-1:] in "’'":
            out[-1] += w
            continue
        out.append(w)
    line = " ".join(out)
    if out and out[0][:1] in "‘“'" and len(out[0]) > 1 and not any(
            c in line[1:] for c in "’”'"):
        out[0] = out[0][1:]
    return out


def _crossing(rows, level: float, first: bool) -> float | None:
    """Where the row profile first (or last) reaches `level`, to a fraction of a row."""
    import numpy as np

    idx = np.nonzero(rows >= level)[0]
    if not len(idx):
        return None
    if first:
        i = int(idx[0])
        return float(i) if i == 0 else i - (rows[i] - level) / max(rows[i] - rows[i - 1], 1e-6)
    i = int(idx[-1])
    if i == len(rows) - 1:
        return float(i + 1)
    return i + (rows[i] - level) / max(rows[i] - rows[i + 1], 1e-6)


def _bullet_box(box, x_height: float, base: float) -> bool:
    """A word box (pixels) Tesseract read as a bullet is one: as big as a bullet for the
    line's x-height (a speck is a pixel or two), above the baseline (a stop sits on it) and
    below the capitals' height."""
    w, h = box[2] - box[0], box[3] - box[1]
    centre = (box[1] + box[3]) / 2
    return 0.25 * x_height <= min(w, h) and max(w, h) <= 1.1 * x_height and \
        base - 1.4 * x_height <= centre <= base - 0.2 * x_height


def _bullet_left_of(dark, box, x_height: float, base: float) -> bool:
    """A bullet printed left of a line's first word (box, pixels) that Tesseract did not read
    (set small, 8 pt beside 11 pt text): one compact round blob of ink, above the baseline and
    below the capitals' height, within three x-heights of the word, with nothing else between it and the word or
    just left of it. Specks (a pixel or two) and stops (on the baseline) are no bullets."""
    import numpy as np

    x0 = box[0]
    left = max(0, int(x0 - 3.2 * x_height))
    top, bottom = max(0, int(base - 1.5 * x_height)), int(base + 0.1 * x_height) + 1
    region = dark[top:bottom, left:max(left, x0 - 1)] > 0.5
    if region.size == 0 or not region.any():
        return False
    cols = np.nonzero(region.any(axis=0))[0]
    rows = np.nonzero(region.any(axis=1))[0]
    # One blob: the inked columns run without a break.
    if cols[-1] - cols[0] + 1 != len(cols):
        return False
    w, h = cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1
    if not (0.25 * x_height <= w <= 0.9 * x_height and 0.25 * x_height <= h <= 0.9 * x_height):
        return False
    if region[:, cols[0]:cols[-1] + 1].sum() < 0.55 * w * h or max(w, h) > 1.6 * min(w, h):
        return False
    centre = top + (rows[0] + rows[-1]) / 2
    if not base - 1.4 * x_height <= centre <= base - 0.2 * x_height:
        return False  # a stop sits on the baseline; a small bullet may be set high
    # Nothing just left of it (the last letter of a line in the column to the left).
    if cols[0] < 0.3 * x_height and left > 0:
        return False
    return True


def _measure_word(dark, box, text: str) -> tuple[float, float | None, float] | None:
    """(font size in pixels, stroke width over x-height or None, baseline's y in pixels) of
    the word in `box` (x0, y0, x1, y1) of the page's darkness (0 paper .. 1 ink)."""
    import numpy as np

    x0, y0, x1, y1 = box
    sub = dark[y0:y1 + 1, x0:x1 + 1]
    rows = sub.sum(axis=1).astype(float)
    if rows.size < 3 or rows.max() <= 0:
        return None
    peak = float(rows.max())
    xline, base = _crossing(rows, 0.45 * peak, True), _crossing(rows, 0.45 * peak, False)
    top = _crossing(rows, 0.1 * peak, True)
    if xline is None or base is None or top is None or base <= xline:
        return None
    band, full = base - xline, base - top
    letters = [c for c in text if c.isalnum()]
    small = sum(c in _X_LETTERS for c in letters)
    tall = sum(c in _TALL for c in letters)
    if not small or tall and band > 0.8 * full:
        if not tall:
            return None
        size = full / CAP_HEIGHT
        # Below the middle of the capitals, under the bars of P, R, B and E.
        upper, lower = base - 0.42 * full, base - 0.15 * full
    else:
        size = band / XHEIGHT
        upper, lower = xline + 0.3 * band, base - 0.3 * band
    # Each run of ink across a row of that band is a stroke; its width is the ink in it and
    # in the grey pixel either side. The word's stroke width is the median run's: the bar of
    # an "e", the spine of an "s" or the crossbar of a "4" is one long run among the stems, so
    # a short word rich in them ("Process", "Size", "8.4") is not taken for bold (the mean ink
    # per run of a row was).
    ink = sub > 0.5
    widths = []
    n = sub.shape[1]
    for r in range(int(upper), max(int(lower), int(upper) + 1)):
        if not 0 <= r < sub.shape[0]:
            continue
        edges = np.diff(np.concatenate(([0], ink[r].astype(np.int8), [0])))
        starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
        if len(starts):
            total = np.concatenate(([0.0], np.cumsum(sub[r], dtype=np.float64)))
            widths.append(total[np.minimum(ends + 1, n)] - total[np.maximum(starts - 1, 0)])
    flat = np.sort(np.concatenate(widths)) if widths else None
    stem = float(flat[len(flat) // 2] / (size * XHEIGHT)) if flat is not None else None
    return float(size), stem, float(y0 + base)


_DIGIT_MISREADS = str.maketrans({"S": "5", "s": "5", "B": "8", "O": "0", "o": "0", "l": "1",
                                 "I": "1", "i": "1", "|": "1", "Z": "2", "z": "2", "G": "6"})
_NUMBER_LIKE = re.compile(r"^[\dSsBOoIil|Zz]{1,2}(?:\.[\dSsBOoIil|Zz]{1,2})+\.?$")


_GLUED_NUMBER = re.compile(r"^[‘’'`\"“”*.,]?(\d{1,2}(?:\.\d{1,2})*)\.?([A-Z][a-z]+)$")
_ROMAN_MISREAD = re.compile(r"^[IlV1|XE]{1,4}$")
_PART_WORDS = {"Part", "PART", "Section", "SECTION", "Chapter", "CHAPTER", "Appendix",
               "APPENDIX", "Annex", "ANNEX", "Book", "Volume"}


def mend_section_number(words: list[str], gaps: list[float], x_height: float) -> list[str]:
    """A section number opening a line as Tesseract may read it: split in two at its stop
    ("3." "5", the second part closer than a word space, a third of the x-height), with a
    digit read as a letter ("8.S", "B.5", "2.l") when the rest of it is digits and stops, a
    stray mark before it or the title glued to it ("’2.1.Finance"), a colon for its stop
    before a capitalised title ("2: School"); a Roman number after "Part" with "l" or "1" for
    "I" ("Part Il"). `gaps`: the space in pixels after each word but the last."""
    if len(words) >= 2 and re.fullmatch(r"\d{1,2}\.", words[0]) and \
            re.fullmatch(r"\d{1,2}(?:\.\d{1,2})*\.?", words[1]) and gaps and \
            gaps[0] < 0.33 * x_height:
        words = [words[0] + words[1], *words[2:]]
    elif len(words) >= 3 and re.fullmatch(r"\d{1,2}", words[0]) and \
            re.fullmatch(r"\d{1,2}\.?", words[1]) and words[2][:1].isupper() and gaps and \
            gaps[0] < 0.5 * x_height:
        words = [f"{words[0]}.{words[1].rstrip('.')}", *words[2:]]  # "2 3": its stop lost
    first = words[0] if words else ""
    glued = _GLUED_NUMBER.match(first)
    if glued:
        words = [glued.group(1), glued.group(2), *words[1:]]
    elif re.fullmatch(r"[‘’'`\"“”.,]\d{1,2}(?:\.\d{1,2})*\.?", first):
        words = [first[1:], *words[1:]]
    first = words[0] if words else ""
    if _NUMBER_LIKE.match(first) and any(c.isdigit() for c in first) and not first[0] == ".":
        words = [first.translate(_DIGIT_MISREADS), *words[1:]]
    elif re.fullmatch(r"\d{1,2}[:;]", first) and len(words) >= 2 and words[1][:1].isupper():
        words = [first[:-1] + ".", *words[1:]]
    elif re.fullmatch(r"\d{1,2},\d{1,2}\.?", first) and len(words) >= 2 and \
            words[1][:1].isupper():
        words = [first.replace(",", "."), *words[1:]]
    elif len(words) >= 2 and words[0] in _PART_WORDS and _ROMAN_MISREAD.match(words[1]) and \
            any(c in "Il1|" for c in words[1]):
        words = [words[0], re.sub(r"[l1|E]", "I", words[1]), *words[2:]]
    return words


_NUMBERED_LINE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)(?=\.?\s+[A-Z‘“'\"(])")
# Digits Tesseract reads for one another in section numbers (bold sans "1" as "4" ...).
_DIGIT_CONFUSIONS = {"1": "47", "4": "1", "7": "1", "3": "8", "8": "3", "5": "6", "6": "5"}


def _expected_numbers(last: list[int] | None) -> set[str]:
    if not last:
        return {"1", "1.1"}
    out = {".".join(map(str, last + [1]))}
    for depth in range(len(last)):
        out.add(".".join(map(str, last[:depth] + [last[depth] + 1])))
    return out


def mend_numbering(texts: list[str]) -> list[str]:
    """Section numbers opening lines, in reading order, mended where Tesseract misread a digit
    or two: a number the numbering so far does not expect (after "1.": "1.1", "2." ...) whose
    one expected variant differs from it only by digits OCR confuses ("4.4" for "1.1") is
    that variant. Numbers that fit, or that no confusion explains, are kept."""
    import itertools

    out = []
    last: list[int] | None = None
    for text in texts:
        m = _NUMBERED_LINE.match(text)
        if not m:
            out.append(text)
            continue
        number = m.group(1)
        expected = _expected_numbers(last)
        if number not in expected:
            spots = [i for i, c in enumerate(number) if c in _DIGIT_CONFUSIONS]
            variants = set()
            for k in (1, 2):
                for where in itertools.combinations(spots, k):
                    for subs in itertools.product(*(_DIGIT_CONFUSIONS[number[i]] for i in where)):
                        chars = list(number)
                        for i, c in zip(where, subs, strict=True):
                            chars[i] = c
                        variants.add("".join(chars))
            fits = variants & expected
            if len(fits) == 1:
                number = fits.pop()
                text = number + text[m.end(1):]
        last = [int(x) for x in number.split(".")]
        out.append(text)
    return out


def _median(values: list[float]) -> float:
    """The median; of an even count, the mean of the middle two (a two-word line's stroke
    width is not its wider word's)."""
    v = sorted(values)
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def parse_hocr(hocr: str, to_points: float, number: int, image=None) -> OcrPage:
    """Lines (in reading order) of one page's hOCR; pixel boxes scaled to points. With the
    page image, each line's size is measured from its words' x-height."""
    from .normalise import normalise_chars

    dark = None
    if image is not None:
        import numpy as np

        dark = (255.0 - np.asarray(image, dtype=np.float32)) / 255.0

    page = OcrPage(number)
    try:
        root = ET.fromstring(hocr.encode("utf-8"))
    except ET.ParseError as exc:
        page.status, page.note = "failed", f"unreadable OCR output ({exc})"
        return page
    confs: list[int] = []
    block = 0
    for area in root.iter():
        cls = area.get("class", "")
        if cls == "ocr_carea":
            block += 1
        if cls not in _LINE_CLASSES:
            continue
        words, wconfs, sizes, stems, boxes, bases = [], [], [], [], [], []
        unsure = []  # words Tesseract is unsure of: measured when no other word can be
        for w in area.iter():
            if w.get("class") != "ocrx_word":
                continue
            text = " ".join(normalise_chars("".join(w.itertext())).split())
            conf = _title(w, _WCONF)
            if not text:
                continue
            wconf = int(conf[0]) if conf else 0
            if text in ("|", "||", "|||") and words and words[-1].strip("‘’'`\"“”") in _PART_WORDS:
                text = "I" * len(text)  # "Part I" in a sans face: the I read as a bar
            if not any(c.isalnum() for c in text) and wconf < 50 and text not in "&%£$€" and (
                    words or text not in _BULLET_READINGS):
                continue  # specks read as punctuation (a bullet's reading is judged by its box)
            words.append(text)
            wconfs.append(wconf)
            wbox = _title(w, _BBOX)
            boxes.append(tuple(int(v) for v in wbox) if wbox else None)
            letters = sum(1 for c in text if c.isalnum())
            if dark is not None and wbox and letters >= 2:
                if wconf >= 60:
                    measured = _measure_word(dark, boxes[-1], text)
                    if measured:
                        sizes.append(measured[0])
                        bases.append(measured[2])
                        if measured[1] is not None:
                            stems.append(measured[1])
                else:
                    unsure.append((boxes[-1], text))
        if not sizes:
            for ubox, utext in unsure:
                measured = _measure_word(dark, ubox, utext)
                if measured:
                    sizes.append(measured[0])
                    bases.append(measured[2])
                    if measured[1] is not None:
                        stems.append(measured[1])
        if sizes:
            sizes.sort()
            middle = sizes[len(sizes) // 4:len(sizes) - len(sizes) // 4] or sizes
            height = sum(middle) / len(middle)
        while len(words) >= 2 and words[0] in _JUNK and words[0] not in _BULLET_READINGS:
            del words[0], wconfs[0], boxes[0]  # a speck read as "_" or "~" before the line
        if len(words) >= 2 and words[0] in _BULLET_READINGS:
            measurable = bool(boxes[0] and sizes)
            if measurable and not _bullet_box(boxes[0], height * XHEIGHT,
                                              sorted(bases)[len(bases) // 2]) \
                    or not measurable and wconfs[0] < 50:
                del words[0], wconfs[0], boxes[0]  # a speck or a stop, not the line's bullet
        if len(words) >= 2 and words[0] in _BULLET_READINGS:
            words[0] = "•"  # a bullet, whatever Tesseract took it for
        elif words and dark is not None and sizes and bases and boxes[0] and words[0] != "•" \
                and _bullet_left_of(dark, boxes[0], height * XHEIGHT, sorted(bases)[len(bases) // 2]):
            words.insert(0, "•")
            boxes.insert(0, None)
        elif words and words[0][:1] in "*¢°·©®" and len(words[0]) > 1 and words[0][1:2].isalpha():
            words[0] = words[0][1:]
            words.insert(0, "•")
        if len(words) == len(boxes) and all(boxes[:2]):
            gaps = [b[0] - a[2] for a, b in zip(boxes, boxes[1:], strict=False) if a and b]
            words = mend_section_number(words, gaps, (height if sizes else 30.0) * XHEIGHT)
        words = tidy_words(words)
        box = _title(area, _BBOX)
        if not words or box is None:
            continue
        x0, y0, x1, y1 = (float(v) * to_points for v in box)
        if not sizes:
            xs = _title(area, _XSIZE)
            height = float(xs[0]) if xs else (y1 - y0) / to_points
        else:
            # The line's top and bottom from its baseline and size, as a text layer gives
            # them (a speck above or below a line makes Tesseract's box taller, and the gap
            # between two headings then reads as a wrapped line's).
            bases.sort()
            base = bases[len(bases) // 2] * to_points
            y0, y1 = base - 0.78 * height * to_points, base + 0.22 * height * to_points
        page.lines.append({"text": " ".join(words), "bbox": [round(x0, 1), round(y0, 1),
                                                              round(x1, 1), round(y1, 1)],
                           "size": round(height * to_points * SIZE_FACTOR, 2), "block": block,
                           "conf": round(sum(wconfs) / len(wconfs), 1),
                           "stem": round(_median(stems), 3) if stems else None})
        confs.extend(wconfs)
    page.words = len(confs)
    page.confidence = round(sum(confs) / len(confs), 1) if confs else None
    return page


# ------------------------------------------------------------------------------ the pages

def _render(pdf, index: int, settings: OcrSettings):
    """(grey image, points per pixel) or (None, reason) for a page too large to render."""
    page = pdf[index]
    try:
        width, height = page.get_size()
        scale = settings.dpi / 72.0
        pixels = width * scale * height * scale
        if pixels > settings.max_pixels:
            scale = (settings.max_pixels / (width * height)) ** 0.5
            if scale * 72.0 < settings.min_dpi:
                return None, (f"page is {width / 72:.0f} x {height / 72:.0f} inches: too large "
                              "to OCR")
        image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
    finally:
        page.close()
    return image, 1.0 / scale


SPECK_DARK = 128  # grey levels below this are ink


def despeckle(image):
    """The page image with isolated specks taken off: clusters of at most 4 ink pixels with
    no other ink within two pixels of them (a scanner's dust and noise). Tesseract
    reads them as letters or stops ("day s sessions", "priorities.") and they make a word's
    box taller. Print is never that small and alone at OCR resolutions: a full stop or an i's
    dot is 3 px and more across, a hairline runs on, an ink pixel touching a stroke stays.
    A cluster is isolated when the ink in the 5 x 5 window around one of its pixels is the ink
    in the 3 x 3 window (nothing in the ring between) and is at most 4 pixels."""
    import numpy as np
    from PIL import Image

    a = np.asarray(image)
    dark = (a < SPECK_DARK).astype(np.int32)
    if not dark.any():
        return image
    pad = np.pad(dark, 3)
    c = pad.cumsum(0).cumsum(1)
    c = np.pad(c, ((1, 0), (1, 0)))
    h, w = dark.shape

    def window(r: int):  # ink in the (2r+1) x (2r+1) window around each pixel
        y0, x0, y1, x1 = 3 - r, 3 - r, 3 + r + 1, 3 + r + 1
        return (c[y1:y1 + h, x1:x1 + w] - c[y0:y0 + h, x1:x1 + w]
                - c[y1:y1 + h, x0:x0 + w] + c[y0:y0 + h, x0:x0 + w])

    n3, n5 = window(1), window(2)
    seeds = (dark == 1) & (n3 == n5) & (n5 <= 4)
    if not seeds.any():
        return image
    # A seed's whole cluster lies within its 3 x 3 window: clear that window's ink.
    ys, xs = np.nonzero(seeds)
    out = a.copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            yy, xx = np.clip(ys + dy, 0, h - 1), np.clip(xs + dx, 0, w - 1)
            ink = dark[yy, xx] == 1
            out[yy[ink], xx[ink]] = 255
    return Image.fromarray(out, "L")


def _is_blank(image) -> bool:
    """Nothing darker than paper on more than a few specks' worth of the page."""
    hist = image.histogram()
    dark = sum(hist[:128])
    return dark < 0.0008 * image.width * image.height


def _cache_path(settings: OcrSettings, sha: str, number: int) -> Path | None:
    if not settings.cache_dir or not sha:
        return None
    return Path(settings.cache_dir) / sha[:2] / sha / settings_key(settings) / f"{number}.json"


def _cache_get(path: Path | None) -> OcrPage | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return OcrPage(**data)
    except (OSError, ValueError, TypeError):
        return None


def _cache_put(path: Path | None, page: OcrPage) -> None:
    if path is None or page.status in ("failed", "too_large"):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(asdict(page), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written costs time later, never this read


def prune_cache(folder: Path, keep: set[str]) -> int:
    """Drop the cached OCR of files no longer in the corpus (by SHA-256). Returns how many."""
    folder = Path(folder)
    dropped = 0
    if not folder.is_dir():
        return 0
    for shard in folder.iterdir():
        if not shard.is_dir() or len(shard.name) != 2:
            continue
        for entry in shard.iterdir():
            if entry.is_dir() and entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)
                dropped += 1
    return dropped


def _judge(page: OcrPage, settings: OcrSettings) -> OcrPage:
    if page.status != "ok":
        return page
    if not page.lines:
        page.status = "blank"
    elif page.confidence is not None and page.confidence < settings.min_confidence:
        page.status = "unreadable"
    elif page.confidence is not None and page.confidence < settings.flag_confidence:
        page.status = "low"
    return page


def ocr_pages(path: Path, numbers: list[int], sha: str, settings: OcrSettings,
              progress: Progress | None = None, label: str = "") -> dict[int, OcrPage]:
    """OCR the given 1-based pages of a PDF (cached pages are not OCR'd again)."""
    import pypdfium2

    out: dict[int, OcrPage] = {}
    todo = []
    for n in numbers:
        cached = _cache_get(_cache_path(settings, sha, n))
        if cached is not None:
            out[n] = _judge(cached, settings)
        else:
            todo.append(n)
    total, done = len(numbers), len(out)
    stage = f"OCR {label}".strip()

    def tick() -> None:
        if progress is not None:
            progress(stage, done, total)

    if not todo:
        return out
    tick()
    pdf = pypdfium2.PdfDocument(str(path))
    lock = threading.Lock()

    def work(n: int, image, points: float) -> OcrPage:
        try:
            # Tesseract reads the page with its specks cleaned off; sizes and stroke widths
            # are measured on the page as scanned, what their calibration was fitted on.
            page = parse_hocr(run_tesseract(despeckle(image), settings), points, n, image)
        except subprocess.TimeoutExpired:
            return OcrPage(n, status="failed",
                           note=f"OCR took longer than {settings.page_timeout:g} s")
        except (OSError, RuntimeError) as exc:
            return OcrPage(n, status="failed", note=f"Tesseract failed ({exc})")
        _cache_put(_cache_path(settings, sha, n), page)
        return page

    try:
        workers = max(1, min(settings.workers, len(todo)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending = []

            def collect(fut) -> None:
                nonlocal done
                page = fut.result()
                with lock:
                    out[page.number] = _judge(page, settings)
                    done += 1
                tick()

            for n in todo:
                try:
                    image, points = _render(pdf, n - 1, settings)
                except MemoryError:
                    raise
                except Exception as exc:  # pdfium could not draw it: that page only
                    image, points = None, f"page could not be rendered ({type(exc).__name__})"
                if image is None:
                    out[n] = OcrPage(n, status="too_large", note=str(points))
                    done += 1
                    tick()
                    continue
                if _is_blank(image):
                    page = OcrPage(n, status="blank")
                    _cache_put(_cache_path(settings, sha, n), page)
                    out[n] = page
                    done += 1
                    tick()
                    continue
                pending.append(pool.submit(work, n, image, points))
                del image
                while len(pending) >= workers:  # render no further ahead than the pool
                    collect(pending.pop(0))
            for fut in pending:
                collect(fut)
    finally:
        pdf.close()
    return out


# --------------------------------------------------------------------- into the PDF layout

@dataclass
class OcrOutcome:
    pages: list[int] = field(default_factory=list)  # pages whose text came from OCR
    tried: int = 0  # pages sent to OCR
    unavailable: str = ""  # why nothing was OCR'd, when pages needed it
    unread: list[int] = field(default_factory=list)  # pages OCR could not read


def _body_size(lines) -> float | None:
    sizes: Counter[float] = Counter()
    for ln in lines:
        sizes[round(ln.size * 2) / 2] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else None


def _snap_sizes(lines: list, body: float) -> None:
    """Measured sizes jitter by a point or so; a style is one size. Sizes within 12% of the
    body size become the body size; larger ones are grouped where they run on without a gap of
    more than 5%, and each group takes its median."""
    big = sorted({ln.size for ln in lines if ln.size > body * 1.12})
    groups: list[list[float]] = []
    for size in big:
        if groups and size <= groups[-1][-1] * 1.05:
            groups[-1].append(size)
        else:
            groups.append([size])
    snap = {size: round(g[len(g) // 2], 1) for g in groups for size in g}
    for ln in lines:
        if abs(ln.size - body) <= body * 0.12:
            ln.size = body
        elif ln.size in snap:
            ln.size = snap[ln.size]


def _mark_bold(lines: list, body: float, stems: dict[int, float | None]) -> None:
    """Lines whose strokes are markedly wider than the body text's (for their x-height) are
    set in bold: OCR gives no font, the ink does."""
    body_stems = sorted(stems[id(ln)] for ln in lines if stems.get(id(ln)) and ln.size == body
                        and len(ln.text) >= 20)
    if len(body_stems) < 5:
        return
    regular = body_stems[len(body_stems) // 2]
    for ln in lines:
        stem = stems.get(id(ln))
        ln.bold = bool(stem and stem >= BOLD_STEM_RATIO * regular)


def ocr_layouts(path: Path, layouts: list, skip: set[int], warnings: list[str],
                sha: str | None = None) -> OcrOutcome:
    """Fill in, by OCR, the lines of the pages that have none (pdf_layout.PageLayout; pages in
    `skip` were read as plain text). Adds the file's warnings; returns what was done."""
    from .pdf_layout import Line

    outcome = OcrOutcome()
    empty = [p for p in layouts if not p.lines and not p.tables and p.number not in skip]
    if not empty:
        return outcome
    settings, progress = current()
    reason = unavailable_reason(settings)
    if reason:
        outcome.unavailable = reason
        return outcome
    if len(empty) > settings.max_pages:
        warnings.append(f"{len(empty) - settings.max_pages} scanned pages not OCR'd (more than "
                        f"{settings.max_pages} in one file)")
        empty = empty[:settings.max_pages]
    if sha is None:
        from .documents import file_sha256

        sha = file_sha256(path)
    outcome.tried = len(empty)
    results = ocr_pages(path, [p.number for p in empty], sha, settings, progress, path.name)
    native = _body_size(ln for p in layouts for ln in p.lines)
    low, unreadable, failed = [], [], []
    stems: dict[int, float | None] = {}  # each OCR'd line's stroke width over its x-height
    for p in empty:
        page = results.get(p.number)
        if page is None or page.status in ("blank", "unreadable", "failed", "too_large"):
            outcome.unread.append(p.number)
            if page is not None and page.status == "unreadable":
                unreadable.append(f"{p.number} ({page.confidence:.0f}%)")
            elif page is not None and page.status in ("failed", "too_large"):
                failed.append(f"page {p.number}: {page.note}")
            continue
        if page.status == "low":
            low.append(f"{p.number} ({page.confidence:.0f}%)")
        lines = [Line(d["text"], p.number, d["bbox"][0], d["bbox"][1], d["bbox"][2],
                      d["bbox"][3], d["size"], False, 10_000 + d["block"], font=OCR_FONT)
                 for d in page.lines]
        for ln, d in zip(lines, page.lines, strict=True):
            stems[id(ln)] = d.get("stem")
        # On a mixed PDF the scanned page's body text is taken to be the document's body size:
        # the row-height estimate is close, not exact, and must not make every line a heading.
        scanned = _body_size(lines)
        if native and scanned:
            factor = native / scanned
            if 0.7 < factor < 1.4:
                for ln in lines:
                    ln.size = round(ln.size * factor, 2)
        p.lines = lines
        outcome.pages.append(p.number)
    scanned = [ln for p in empty if p.number in outcome.pages for ln in p.lines]
    for ln, text in zip(scanned, mend_numbering([ln.text for ln in scanned]), strict=True):
        ln.text = text
    body = _body_size(scanned)
    if body:
        _snap_sizes(scanned, body)
        _mark_bold(scanned, body, stems)
    for p in empty:
        lines = p.lines
        for prev, ln in zip([None, *lines], lines, strict=False):
            ln.gap_above = ln.top - prev.bottom if prev is not None and prev.box == ln.box \
                else 99.0
    n = len(layouts)
    if outcome.pages:
        warnings.append(f"{len(outcome.pages)} of {n} pages read by OCR")
    if low:
        warnings.append(f"low OCR confidence on page(s) {', '.join(low)}: check quotes from "
                        f"them against the scan")
    if unreadable:
        warnings.append(f"OCR could not read page(s) {', '.join(unreadable)} (a photo, "
                        f"handwriting or another language?): no text taken from them")
    warnings.extend(failed)
    return outcome
