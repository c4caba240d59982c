"""Scanned documents for the OCR tests and bench/ocr.py: PDFs typeset with reportlab, rendered
to images, skewed and speckled a little with Pillow, and saved as image-only PDFs."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

BRIEFING = Path(__file__).resolve().parent.parent / "corpus" / "federations-and-mats-briefing-paper.txt"


def briefing_sections(max_blocks: int | None = None) -> list[tuple[str, list[str]]]:
    """The seed briefing paper as (heading, paragraphs and "- " items), as the text reader
    structures it."""
    from ingest.readers import read_text
    from ingest.structure import parse_blocks

    blocks = parse_blocks(read_text(BRIEFING).pages)[:max_blocks]
    sections: list[tuple[str, list[str]]] = []
    for b in blocks:
        if b.kind == "heading":
            # Long numbered headings ("2.1 Research evidence suggests that ...") would wrap:
            # short ones are what a typeset report prints.
            sections.append((" ".join(b.text.split()[:6]).rstrip(",:;"), []))
            continue
        if not sections:
            sections.append(("Briefing paper", []))
        sections[-1][1].append(b.text)
    return [(h, body) for h, body in sections if body]


def typeset(path: Path, sections: list[tuple[str, list[str]]], body_size: float = 11,
            heading_size: float = 15) -> Path:
    """A plain A4 report: bold headings bigger than the Times body text."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    body = ParagraphStyle("body", fontName="Times-Roman", fontSize=body_size,
                          leading=body_size * 1.3, spaceAfter=body_size * 0.6)
    item = ParagraphStyle("item", parent=body, leftIndent=18, bulletIndent=6)
    head = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=heading_size,
                          leading=heading_size * 1.3, spaceBefore=heading_size * 0.6,
                          spaceAfter=heading_size * 0.4)
    from ingest.structure import BULLET

    story = []
    for heading, paras in sections:
        story.append(Paragraph(_esc(heading), head))
        for p in paras:
            marker = BULLET.match(p)
            if marker:
                story.append(Paragraph(_esc(p[marker.end():]), item, bulletText="•"))
            else:
                story.append(Paragraph(_esc(p), body))
    SimpleDocTemplate(str(path), pagesize=A4, title="Typeset for a test").build(story)
    return path


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def page_words(path: Path) -> list[list[str]]:
    """The words of each page of a typeset PDF (its text layer): what OCR should find."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        out = []
        for page in pdf:
            text = page.get_textpage().get_text_bounded()
            out.append(words(text))
            page.close()
        return out
    finally:
        pdf.close()


def words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", text.lower().replace("-\n", "")) if w]


def scan_images(path: Path, dpi: int = 200, skew: float = 0.7, speckle: float = 0.0004,
                seed: int = 13) -> list:
    """Each page of `path` as a scanner would give it: grey, turned by up to `skew` degrees,
    with black specks on `speckle` of the pixels and a little noise in the paper."""
    import pypdfium2
    from PIL import Image

    rng = random.Random(seed)
    pdf = pypdfium2.PdfDocument(str(path))
    images = []
    try:
        for page in pdf:
            img = page.render(scale=dpi / 72).to_pil().convert("L")
            page.close()
            angle = rng.uniform(-skew, skew)
            img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
            px = img.load()
            w, h = img.size
            for _ in range(int(w * h * speckle)):
                x, y = rng.randrange(w - 2), rng.randrange(h - 2)
                for dx in range(rng.choice((1, 2))):
                    for dy in range(rng.choice((1, 2))):
                        px[x + dx, y + dy] = rng.randrange(0, 90)
            images.append(img)
    finally:
        pdf.close()
    return images


def save_image_pdf(images: list, path: Path, dpi: int = 200) -> Path:
    """An image-only PDF (no text layer), one image per page, as a scanner saves it."""
    import time

    first, rest = images[0], images[1:]
    # A fixed date: the same scan is the same bytes on every run, so an OCR cache keyed by
    # the file's SHA-256 (bench/ocr_twin.py --cache) is hit on the next run.
    when = time.gmtime(1767225600)  # 2026-01-01 00:00 UTC
    first.save(path, "PDF", resolution=dpi, save_all=True, append_images=rest,
               creationDate=when, modDate=when)
    return path


def scanned_copy(src: Path, dst: Path, dpi: int = 200, **kw) -> Path:
    return save_image_pdf(scan_images(src, dpi, **kw), dst, dpi)


def mixed_copy(src: Path, dst: Path, scanned_page: int, dpi: int = 200) -> Path:
    """`src` with one page (1-based) replaced by a scan of itself: a mixed PDF."""
    from pypdf import PdfReader, PdfWriter

    images = scan_images(src, dpi)
    buf = io.BytesIO()
    save_image_pdf([images[scanned_page - 1]], buf, dpi)
    scan = PdfReader(io.BytesIO(buf.getvalue()))
    reader = PdfReader(str(src))
    writer = PdfWriter()
    for i, page in enumerate(reader.pages, 1):
        writer.add_page(scan.pages[0] if i == scanned_page else page)
    with open(dst, "wb") as fh:
        writer.write(fh)
    return dst


def word_recall(expected: list[str], got: list[str]) -> float:
    """Share of the expected words (as a multiset) found in the OCR'd words."""
    from collections import Counter

    want, have = Counter(expected), Counter(got)
    hit = sum(min(n, have[w]) for w, n in want.items())
    return hit / max(1, sum(want.values()))
