"""Which reader reads which file type, and the PDF and plain-text readers. Each reader keeps
the contract in ingest/blocks.py: it returns a ReadResult (pages, typed blocks, warnings) or
raises ReadError with a reason a person can act on ("password-protected", "no text layer,
needs OCR", "corrupt: ...")."""

from __future__ import annotations

import re
from pathlib import Path

from .blocks import MIN_TEXT_CHARS, ReadError, ReadResult
from .docx_reader import MAX_DOCX_EXPANDED_BYTES, read_docx
from .html_reader import read_html
from .normalise import clean_lines, decode_text, normalise_chars
from .pptx_reader import read_pptx
from .records import Page

# Names other modules import from here.
__all__ = ["MAX_DOCX_EXPANDED_BYTES", "MIN_TEXT_CHARS", "READER_VERSION", "SUPPORTED_SUFFIXES",
           "SUPPORTED_WORDS", "ReadError", "ReadResult", "decode_text", "read_file"]

# Bump when a reader's output changes: files read by an older version are read again.
READER_VERSION = "18"  # 2: PDFs read as blocks (outline, typography, tables, boxes); 3: OCR;
# 4: Word read from its XML (tables anywhere, text boxes, numbering...), PPTX charts, HTML spans
# 5: passages carry a role, evidence or apparatus (ingest/roles.py)
# 6: PDF code listings as code blocks, tables ruled by horizontal lines only (issue 21)
# 7: text files' numbered sections are passages of their own, however short ("3.3", "3.4")
# 8: scans: OCR sizes from x-height or cap height, bold from stroke width, bullets from the
#    image, section numbers mended (issue 21, item 7); text-layer PDFs read as in 7
# 9: PDF "(1) Title" headings, bracketed captions, bylines, open-sided ruled tables, tables
#    within one column; Word page headers and footers; HTML linked images' alt text (issue 21)
# 10: text files: a blank line and a capital after a list item that does not stop mid-phrase
#     start a new block (the paragraph after a Markdown list is not its last item's)
# 11: scans: stroke width from the median run of ink, so short regular lines are not bold
#     (issue 21 round 7, OCR_VERSION 6)
# 12: PDF lines mostly right-to-left (Arabic, Hebrew) in logical order, not visual; the pieces
#     of a right-to-left line pdfminer cuts at a Latin word joined from the right (issue 21)
# 13 (branch r10-vig): key dimensions whatever the layout (issue 21 item 4, round 10): PDF
#     label beside a value that wraps read in its row; Word tabs and line breaks, HTML <br> kept as columns and
#     lines of the page's text; placeholder PDF metadata titles ("untitled") ignored
# 14 (main): a two-column PDF table whose labels are mostly short is key/value even when one
#     label is the template's dozen words ("Informal or formal approaches to evaluate ...")
# 13-16 (branch r10-21, numbered on it): 13: formulas are blocks of their own: PDF lines in
#     math fonts or symbol runs, Word OMML display equations, HTML MathML (both written out linearly) and <pre> as code (issue 21)
# 14: scans: isolated specks cleaned off the page image before OCR (OCR_VERSION 7)
# 15: Word code (code styles, monospaced runs with code's characters) as code blocks with
#     their indentation; "Listing Number" is no list style (issue 21)
# 16: scans: line sizes and stroke widths measured on the page as scanned (Tesseract still
#     reads the despeckled copy): on the cleaned copy body lines measured smaller, and short
#     regular sans lines ("Process", "Access") became headings (OCR_VERSION 8)
# 17: the two branches above together (both numbered 13-16 apart)
# 18 (branch r12-21, issue 21 round 12): Word equations (OMML): a space where the letters
#     of two runs meet ("A=π r^2", not "A=πr^2"; prose split into runs stays whole, a
#     function name stands apart); PDF borderless key/value tables read by their rows
#     on the page (label and value wraps joined into one "label | value" line, whatever text
#     boxes pdfminer made); a vignette value under its label that stops mid-phrase wraps on;
#     PPTX comments with their author and date ("Comment by Ann Lee (AL), 2025-03-04T09:30:00:");
#     a Word function of a compound argument keeps it whole ("cos((nπx)/L)", not "cos(nπx)/L")

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".txt", ".md", ".pptx", ".html", ".htm")
SUPPORTED_WORDS = "PDF, DOCX, PPTX, HTML, TXT or MD"

PAGES_REPORTED_FROM = 20  # PDFs this long report reading progress page by page


def read_file(path: Path) -> ReadResult:
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise ReadError("empty", "empty file (0 bytes)")
    if suffix == ".pdf":
        return read_pdf(path)
    if suffix == ".docx":
        return read_docx(path)
    if suffix in (".txt", ".md"):
        return read_text(path)
    if suffix == ".pptx":
        return read_pptx(path)
    if suffix in (".html", ".htm"):
        return read_html(path)
    raise ReadError("unsupported", f"unsupported file type {suffix or '(none)'}; use "
                                   f"{SUPPORTED_WORDS}")


def _page_from_text(number: int | None, raw: str, label: str | None = None) -> Page:
    lines = clean_lines(normalise_chars(raw).split("\n"))
    return Page(number=number, text="\n".join(lines), label=label)


def read_text(path: Path) -> ReadResult:
    text, warning = decode_text(path.read_bytes())
    page = _page_from_text(None, text)
    if len(page.text.strip()) < MIN_TEXT_CHARS:
        raise ReadError("empty", "no text in the file")
    title = ""
    if path.suffix.lower() == ".md":
        m = re.search(r"^#\s+(.+)$", page.text, re.MULTILINE)
        title = m.group(1).strip() if m else ""
    return ReadResult([page], None, title, [warning] if warning else [])


def read_pdf(path: Path) -> ReadResult:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception as exc:  # missing AES backend, damaged encryption dictionary
                raise ReadError("password", f"password-protected PDF ({exc})") from exc
            if not opened:
                raise ReadError(
                    "password", "password-protected PDF: save an unprotected copy and add that"
                )
        n_pages = len(reader.pages)
    except ReadError:
        raise
    except FileNotDecryptedError as exc:
        raise ReadError("password", "password-protected PDF") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ReadError("corrupt", f"corrupt PDF: {exc}") from exc
    except Exception as exc:
        raise ReadError("corrupt", f"corrupt PDF: {type(exc).__name__}: {exc}") from exc

    labels = _page_labels(reader, n_pages)
    warnings: list[str] = []
    blocks, empty_pages, failed, first_failure, ocr = _pdf_blocks(path, reader, n_pages,
                                                                  warnings)
    if not any(b.lines for b in blocks if not b.synthetic):
        if failed:  # pages that could not be decoded are damage, not a missing text layer
            raise ReadError(
                "corrupt", f"corrupt PDF: {failed} of {n_pages} page(s) could not be read "
                           f"({first_failure})")
        if ocr.tried:
            raise ReadError(
                "ocr_empty", f"no text found: OCR read nothing usable on {ocr.tried} page(s) "
                             "(blank, a photo, handwriting or not in English?)"
                             + "".join(f"; {w}" for w in warnings
                                     if w.startswith(("page ", "OCR could not"))))
        raise ReadError(
            "no_text", f"no text layer in {n_pages} page(s): scanned or image-only, needs OCR"
            + (f" ({ocr.unavailable})" if ocr.unavailable else "")
        )
    from .pdf_layout import page_texts

    for b in blocks:
        b.page_label = labels[b.page_start - 1] if labels and b.page_start and \
            labels[b.page_start - 1] != str(b.page_start) else None
    texts = page_texts(blocks, list(range(1, n_pages + 1)))
    pages = []
    for i in range(n_pages):
        label = labels[i] if labels and labels[i] != str(i + 1) else None
        pages.append(Page(number=i + 1, text=texts.get(i + 1, ""), label=label))
    if empty_pages and ocr.unavailable:
        warnings.append(f"{empty_pages} of {n_pages} pages have no text layer (scanned?) and "
                        f"were not read: {ocr.unavailable}")
    elif empty_pages:
        warnings.append(f"{empty_pages} of {n_pages} pages have no text"
                        + (" (blank, or unreadable by OCR)" if ocr.tried else " layer"))
    if failed:
        warnings.append(f"{failed} of {n_pages} pages could not be read")
    title = ""
    try:
        meta = reader.metadata
        title = str(meta.title).strip() if meta and meta.title else ""
    except Exception:
        title = ""
    if _PLACEHOLDER_TITLE.match(title):
        title = ""  # what the making program wrote, not the document's title: its heading is
    return ReadResult(pages, n_pages, title, warnings, blocks, ocr_pages=ocr.pages)


# A PDF's metadata title that names no document: the tool's default ("untitled", reportlab's
# "(anonymous)"), or the source file's name ("Microsoft Word - draft 3.docx").
_PLACEHOLDER_TITLE = re.compile(
    r"^\s*(\(?(untitled|anonymous|no title|title)\)?( document)?|document\s*\d*|"
    r"(microsoft (word|powerpoint|excel)|word|powerpoint)\s*-.*|"
    r"[^/\\]*\.(docx?|pptx?|odt|rtf|pdf|indd|tex|dvi|pages|key|xlsx?))\s*$", re.I)


def _pdf_blocks(path: Path, reader, n_pages: int, warnings: list[str]):
    """Blocks from the PDF's layout (pdfplumber), page by page; a page whose layout cannot be
    read falls back to pypdf's plain text, so no text is lost; a page with no text at all is
    read by OCR (ingest/ocr.py). Returns (blocks, pages with no text, pages that failed, the
    first failure, the OcrOutcome)."""
    from pypdf.errors import FileNotDecryptedError

    from .pdf_layout import (
        PageLayout,
        layout_blocks,
        outline_entries,
        read_page_layout,
        strip_margins,
    )

    layouts: list[PageLayout] = []
    fallback: dict[int, str] = {}
    failed = 0
    first_failure = ""
    plumber = None
    try:
        import pdfplumber

        plumber = pdfplumber.open(path, password="", laparams={})
        if len(plumber.pages) != n_pages:
            raise ValueError("page count differs from pypdf's")
    except Exception as exc:
        plumber = None
        warnings.append(f"layout unreadable ({type(exc).__name__}): text read without "
                        f"fonts or positions")
    try:
        from .ocr import current as _reading

        # A long PDF reports its pages: the rebuild bar moves, and each page reported restarts
        # the sandbox's time limit, so the limit is per page rather than per document.
        progress = _reading()[1] if n_pages >= PAGES_REPORTED_FROM else None
        for i in range(n_pages):
            number = i + 1
            if progress is not None:
                progress(f"pages {path.name}", i, n_pages)
            if plumber is not None:
                try:
                    page = plumber.pages[i]
                    layouts.append(read_page_layout(page, number))
                    page.close()
                    continue
                except Exception:  # this page's layout: fall back to its plain text
                    pass
            try:
                raw = reader.pages[i].extract_text() or ""
            except FileNotDecryptedError as exc:
                raise ReadError("password", "password-protected PDF") from exc
            except Exception as exc:  # one damaged page should not cost the others
                raw = ""
                failed += 1
                first_failure = first_failure or _page_failure(exc)
            fallback[number] = raw
            layouts.append(PageLayout(number, 612.0, 792.0))
    finally:
        if plumber is not None:
            plumber.close()
    if fallback and plumber is not None and len(fallback) > failed:
        warnings.append(f"{len(fallback) - failed} of {n_pages} pages read without layout "
                        f"(their structure is guessed from the text)")
    from .ocr import ocr_layouts

    # Pages whose layout could not be read are damaged (a decompression bomb, say): never
    # rendered for OCR.
    ocr = ocr_layouts(path, layouts, set(fallback), warnings)
    strip_margins(layouts)
    outline, outline_warnings = outline_entries(reader, n_pages)
    warnings.extend(outline_warnings)
    blocks, structure_warnings = layout_blocks(layouts, outline or None)
    warnings.extend(structure_warnings)
    if fallback:
        blocks = _merge_fallback(blocks, fallback)
    empty = sum(1 for p in layouts if not p.lines and not p.tables
                and not (fallback.get(p.number) or "").strip())
    return blocks, empty, failed, first_failure, ocr


def _merge_fallback(blocks, fallback: dict[int, str]):
    """Pages read as plain text become blocks through the text heuristics, in page order."""
    from .structure import parse_blocks

    extra = {n: parse_blocks([_page_from_text(n, raw)]) for n, raw in fallback.items()
             if raw.strip()}
    out = []
    pending = sorted(extra)
    for b in blocks:
        while pending and b.page_start is not None and pending[0] < b.page_start:
            out.extend(extra[pending.pop(0)])
        out.append(b)
    for n in pending:
        out.extend(extra[n])
    return out


def _page_failure(exc: Exception) -> str:
    from pypdf.errors import LimitReachedError

    if isinstance(exc, LimitReachedError):
        return "its content expands beyond the safe decompression limit (decompression bomb?)"
    if isinstance(exc, MemoryError):
        return "decoding it needs more memory than allowed (decompression bomb?)"
    return f"{type(exc).__name__}: {exc}"[:200]


def _page_labels(reader, n_pages: int) -> list[str] | None:
    try:
        labels = list(reader.page_labels)
    except Exception:
        return None
    if len(labels) != n_pages or labels == [str(i) for i in range(n_pages)]:
        return None  # labels counting from 0 are no printed page numbers
    return labels
