"""The cited page, shown: a PDF page rendered with the passage's lines highlighted.

Only a passage id selects what is drawn: the file comes from the index (a path relative to the
corpus, checked to stay inside it) and must still be the file that was indexed (same SHA-256),
or the boxes would mark the wrong words.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from ingest import Passage, file_sha256

RENDER_DPI = 110  # readable on a screen; a page renders in well under 0.2 s
HIGHLIGHT = (255, 221, 0, 110)  # translucent yellow over the cited lines
OUTLINE = (180, 120, 0, 255)


class PageUnavailable(Exception):
    """No page to show for this passage, with the reason in words."""


@dataclass
class PageImage:
    passage_id: str
    page: int  # 1-based page number in the file
    label: str  # as cited ("p. 4", or the printed label)
    image: object  # PIL.Image.Image
    highlighted: int  # boxes drawn on this page
    focus: float = 0.0  # where the first highlighted line is, as a fraction of the height

    def png_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.image.save(buf, format="PNG", optimize=False)
        return buf.getvalue()


def render_page(pdf_path: Path, page_number: int, boxes: list, dpi: int = RENDER_DPI):
    """Page `page_number` (1-based) of the PDF as an RGB image, the boxes (page, x0, top,
    x1, bottom in points from the top-left) on that page highlighted."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[page_number - 1]
        scale = dpi / 72
        image = page.render(scale=scale).to_pil().convert("RGBA")
        page.close()
    finally:
        pdf.close()
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for box in boxes:
        if int(box[0]) != page_number:
            continue
        x0, top, x1, bottom = (float(v) * scale for v in box[1:5])
        draw.rectangle([x0 - 2, top - 1, x1 + 2, bottom + 1], fill=HIGHLIGHT, outline=OUTLINE)
    return Image.alpha_composite(image, overlay).convert("RGB")


def passage_page(passage: Passage, corpus_dir: Path, page: int | None = None,
                 dpi: int = RENDER_DPI) -> PageImage:
    """The page a passage is cited on (its first, or `page` within its range), highlighted."""
    if not passage.file.lower().endswith(".pdf") or passage.page_start is None:
        raise PageUnavailable("this passage is not from a PDF: it has no page to show")
    corpus = Path(corpus_dir).resolve()
    path = (corpus / passage.file).resolve()
    if not path.is_relative_to(corpus) or not path.is_file():
        raise PageUnavailable(f"{passage.file} is no longer in the corpus folder")
    if file_sha256(path) != passage.doc_sha256:
        raise PageUnavailable(f"{passage.file} has changed since it was indexed: rebuild the "
                              "index to show its pages")
    first, last = passage.page_start, passage.page_end or passage.page_start
    number = page if page is not None and first <= page <= last else first
    image = render_page(path, number, passage.boxes, dpi)
    on_page = [b for b in passage.boxes if int(b[0]) == number]
    label = passage.page_label if number == first and passage.page_label else str(number)
    focus = min(float(b[2]) for b in on_page) * (dpi / 72) / image.height if on_page else 0.0
    return PageImage(passage.id, number, f"p. {label}", image, len(on_page), round(focus, 3))
