"""OCR of scanned pages (ingest/ocr.py): scans made here from PDFs typeset here (tests/scans.py),
read through the PDF reader, the sandbox and the build."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from scans import (
    briefing_sections,
    mixed_copy,
    page_words,
    save_image_pdf,
    scanned_copy,
    typeset,
    word_recall,
    words,
)

from ingest import ReadError, chunk_document, ocr, read_document
from ingest.normalise import match_key
from ingest.sandbox import InProcessReader, ReadLimits, SandboxReader

pytestmark = [
    pytest.mark.ocr,
    pytest.mark.skipif(shutil.which("tesseract") is None,
                       reason="tesseract is not installed (apt-get install tesseract-ocr "
                              "tesseract-ocr-eng); make test and .ci/run install it as root"),
]


@pytest.fixture(scope="module")
def briefing(tmp_path_factory):
    """(typeset PDF, its scan, the scan read by OCR, OCR cache folder)."""
    folder = tmp_path_factory.mktemp("scan")
    src = typeset(folder / "briefing-typeset.pdf", briefing_sections())
    scan = scanned_copy(src, folder / "briefing-scan.pdf")
    cache = folder / "ocr-cache"
    with ocr.using(ocr.OcrSettings(cache_dir=str(cache))):
        doc = read_document(scan, folder, {})
    return src, scan, doc, cache


def test_scan_word_recall_at_least_95_percent(briefing):
    src, _, doc, _ = briefing
    expected = page_words(src)
    got = [words(p.text) for p in doc.pages]
    assert len(got) == len(expected) >= 8
    recall = word_recall([w for p in expected for w in p], [w for p in got for w in p])
    assert recall >= 0.95, recall
    for n, (e, g) in enumerate(zip(expected, got, strict=True), 1):  # and on every page
        assert word_recall(e, g) >= 0.88, (n, word_recall(e, g))


def test_scan_is_marked_as_read_by_ocr(briefing):
    _, _, doc, _ = briefing
    n = len(doc.pages)
    assert doc.ocr_pages == list(range(1, n + 1))
    assert f"{n} of {n} pages read by OCR" in doc.warnings
    passages = chunk_document(doc)
    assert passages and all(p.ocr for p in passages)


def _phrases(src: Path) -> list[tuple[int, list[str]]]:
    """(page, six consecutive words) from the middle of each typeset page."""
    out = []
    for n, ws in enumerate(page_words(src), 1):
        ws = [w for w in ws if len(w) > 1]
        for start in range(len(ws) // 3, len(ws) - 6, 7):
            out.append((n, ws[start:start + 6]))
    return out


def test_passages_cite_the_page_their_words_were_printed_on(briefing):
    src, _, doc, _ = briefing
    passages = chunk_document(doc)
    found, wrong = 0, []
    for page, phrase in _phrases(src):
        want = " ".join(phrase)
        hits = [p for p in passages if want in " ".join(w for w in words(p.text) if len(w) > 1)]
        if len(hits) != 1:
            continue  # an OCR slip inside the phrase, or a phrase printed twice
        found += 1
        p = hits[0]
        if not p.page_start <= page <= p.page_end:
            wrong.append((page, p.page_start, p.page_end, want))
    assert found >= 30
    assert not wrong


def test_ocr_boxes_are_where_the_words_were_printed(briefing):
    """Boxes come back in PDF points from the page's top-left: the OCR'd line holding a word
    lies where the typeset PDF printed that word (within the scan's slight skew)."""
    import pdfplumber

    src, _, doc, _ = briefing
    blocks = [b for b in doc.blocks if b.line_boxes]
    checked = 0
    with pdfplumber.open(src) as pdf:
        for n in (1, 4, 7):
            page = pdf.pages[n - 1]
            printed = page.extract_words()
            count = {}
            for w in printed:
                count[w["text"].lower()] = count.get(w["text"].lower(), 0) + 1
            for w in printed:
                text = w["text"].lower()
                if len(text) < 9 or not text.isalpha() or count[text] > 1:
                    continue  # long words printed once on the page
                boxes = [box for b in blocks for line, lb in zip(b.lines, b.line_boxes, strict=False)
                         if text in words(line) for box in lb if box[0] == n]
                if len(boxes) != 1:
                    continue
                _, x0, top, x1, bottom = boxes[0]
                assert 0 <= x0 < x1 <= float(page.width) + 1
                assert x0 - 6 <= w["x0"] and w["x1"] <= x1 + 6, (text, boxes[0], w)
                assert top - 6 <= w["top"] and w["bottom"] <= bottom + 6, (text, boxes[0], w)
                checked += 1
    assert checked >= 10


def test_ocr_headings_found_from_line_heights(briefing):
    """The typeset headings are set bigger than the body: most come back as headings."""
    src, _, doc, _ = briefing
    typeset_headings = {match_key(h)[:25] for h, _ in briefing_sections()}
    ocr_headings = {match_key(b.text)[:25] for b in doc.blocks if b.kind == "heading"}
    found = typeset_headings & ocr_headings
    assert len(found) >= 0.6 * len(typeset_headings), sorted(typeset_headings - ocr_headings)
    body = [b for b in doc.blocks if b.kind == "para" and b.words > 20]
    assert len(body) >= 10  # body text is not taken for headings


def test_mixed_pdf_with_one_scanned_page_loses_no_page(tmp_path):
    sections = briefing_sections(70)
    src = typeset(tmp_path / "typeset.pdf", sections)
    expected = page_words(src)
    assert len(expected) >= 3
    mixed = mixed_copy(src, tmp_path / "mixed.pdf", scanned_page=2)
    with ocr.using(ocr.OcrSettings()):
        doc = read_document(mixed, tmp_path, {})
    assert doc.ocr_pages == [2]
    assert f"1 of {len(expected)} pages read by OCR" in doc.warnings
    for n, e in enumerate(expected, 1):
        assert word_recall(e, words(doc.pages[n - 1].text)) >= (0.93 if n == 2 else 0.99), n
    passages = chunk_document(doc)
    assert {p.ocr for p in passages if p.page_start == p.page_end == 2} == {True}
    assert {p.ocr for p in passages if p.page_end < 2 or p.page_start > 2} == {False}


def test_ocr_off_or_tesseract_missing_keeps_needs_ocr(briefing, monkeypatch):
    _, scan, _, _ = briefing
    with pytest.raises(ReadError) as err, ocr.using(ocr.OcrSettings(enabled=False)):
        read_document(scan, scan.parent, {})
    assert err.value.reason == "no_text"
    assert "needs OCR" in str(err.value) and "turned off" in str(err.value)
    monkeypatch.setattr(ocr, "tesseract_binary", lambda: None)
    with pytest.raises(ReadError) as err:
        InProcessReader()(scan, scan.parent, {})
    assert err.value.reason == "no_text"
    assert "apt-get install tesseract-ocr" in str(err.value)


def test_a_photo_gets_a_plain_reason_not_a_crash():
    path = Path(__file__).parent / "data" / "badpdfs" / "image-only-grayscale_grayscale-image.pdf"
    with SandboxReader() as reader, pytest.raises(ReadError) as err:
        reader(path, path.parent, {})
    assert err.value.reason == "ocr_empty"
    assert "no text found" in str(err.value)


def test_blank_scanned_page_is_named_and_costs_nothing_else(tmp_path):
    from PIL import Image

    src = typeset(tmp_path / "one.pdf", briefing_sections(6))
    from scans import scan_images

    images = scan_images(src)[:1] + [Image.new("L", (1654, 2339), 255)]
    scan = save_image_pdf(images, tmp_path / "with-blank.pdf")
    doc = read_document(scan, tmp_path, {})
    assert doc.ocr_pages == [1]
    assert any("1 of 2 pages have no text" in w for w in doc.warnings), doc.warnings
    assert doc.pages[1].text == ""


def test_huge_page_is_refused_within_limits(tmp_path):
    """A page of 200 x 200 inches would be an 1.6-gigapixel image at 200 dpi: it is not
    rendered at all, and the file is refused with the reason."""
    from reportlab.pdfgen import canvas

    path = tmp_path / "huge.pdf"
    c = canvas.Canvas(str(path), pagesize=(14400, 14400))
    c.rect(100, 100, 14000, 14000, fill=1)
    c.showPage()
    c.save()
    with SandboxReader(ReadLimits(memory_mb=1024)) as reader, pytest.raises(ReadError) as err:
        reader(path, tmp_path, {})
    assert err.value.reason == "ocr_empty"
    assert "too large to OCR" in str(err.value)


def test_low_confidence_page_is_flagged(tmp_path, monkeypatch):
    """Mean word confidence between the two thresholds: the text is kept, the page named."""
    src = typeset(tmp_path / "t.pdf", briefing_sections(6))
    scan = scanned_copy(src, tmp_path / "s.pdf")
    real = ocr.run_tesseract
    # No OCR cache: an index opened by an earlier test leaves its cache as the default for
    # reads outside a build, and a cached page would hide the shaky Tesseract below.
    monkeypatch.setattr(ocr, "_default_cache", "")

    def shaky(image, settings):
        return re.sub(r"x_wconf \d+", "x_wconf 61", real(image, settings))

    monkeypatch.setattr(ocr, "run_tesseract", shaky)
    doc = read_document(scan, tmp_path, {})
    assert any(w.startswith("low OCR confidence on page(s) 1 (61%)") for w in doc.warnings)
    assert doc.ocr_pages == [1] and doc.pages[0].text

    monkeypatch.setattr(ocr, "run_tesseract", lambda image, settings: re.sub(
        r"x_wconf \d+", "x_wconf 20", real(image, settings)))
    with pytest.raises(ReadError) as err:
        read_document(scan, tmp_path, {})
    assert err.value.reason == "ocr_empty"
    assert "OCR could not read page(s) 1 (20%)" in str(err.value)


def test_unchanged_scan_is_never_ocrd_twice(briefing, tmp_path, monkeypatch):
    from index import EmbedSettings, IndexSettings, build_index

    _, scan, _, _ = briefing
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(scan, corpus / "scan.pdf")
    calls = []
    real = ocr.run_tesseract

    def counted(image, settings):
        calls.append(1)
        return real(image, settings)

    monkeypatch.setattr(ocr, "run_tesseract", counted)
    settings = IndexSettings(embed=EmbedSettings(model="fake"), read=ReadLimits(sandbox=False))
    events = []
    first = build_index(corpus, tmp_path / "index", settings,
                        progress=lambda *e: events.append(e))
    pages = len(page_words(briefing[0]))
    assert len(calls) == pages
    assert not first.failed and first.passages > 0
    assert {"file": "scan.pdf", "warning": f"{pages} of {pages} pages read by OCR"} in first.warnings
    ocr_events = [e for e in events if e[0] == "OCR scan.pdf"]
    assert ocr_events[-1][1:] == (pages, pages)
    assert [e[1] for e in ocr_events] == sorted(e[1] for e in ocr_events)

    again = build_index(corpus, tmp_path / "index", settings)
    assert not again.changed and len(calls) == pages  # unchanged corpus: a no-op
    full = build_index(corpus, tmp_path / "index", settings, full=True)
    assert full.passages == first.passages and len(calls) == pages  # read again, not OCR'd

    # Quotes from the scan are checked against its text (from the cache, not a new OCR), and
    # an export says they come from OCR.
    from index import load_index
    from qa.citations import is_verbatim, source_key
    from qa.export import CitedQuote, ExportDocument, ExportSection, to_markdown

    index = load_index(tmp_path / "index")
    key = source_key(corpus, "scan.pdf")
    assert len(calls) == pages
    assert all(is_verbatim(p.text, key) for p in index.passages)
    quote = CitedQuote.from_passage(index.passages[2])
    assert quote.note == "text read by OCR"
    pack = ExportDocument("Pack", [ExportSection("Q", [quote])])
    assert f"{quote.citation} · id `{quote.passage_id}` · text read by OCR" in to_markdown(pack)
    from qa.export import to_csv

    assert f"{quote.citation} (text read by OCR)" in to_csv(pack)


def test_ocr_cache_lives_in_the_index_and_goes_with_the_file(briefing, tmp_path):
    from index import EmbedSettings, IndexSettings, build_index

    _, scan, _, cache = briefing
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(scan, corpus / "scan.pdf")
    shutil.copy(Path(__file__).parent.parent / "corpus" / "leadership-of-learning-synopsis.txt",
                corpus / "notes.txt")
    settings = IndexSettings(embed=EmbedSettings(model="fake"))  # sandboxed, default cache
    build_index(corpus, tmp_path / "index", settings)
    from ingest import file_sha256

    sha = file_sha256(scan)
    assert len(list((tmp_path / "index" / "ocr-cache" / sha[:2] / sha).rglob("*.json"))) == \
        len(page_words(briefing[0]))
    (corpus / "scan.pdf").unlink()
    build_index(corpus, tmp_path / "index", settings)
    assert not (tmp_path / "index" / "ocr-cache" / sha[:2] / sha).exists()


def test_scan_refused_without_tesseract_is_read_once_it_is_installed(briefing, tmp_path,
                                                                      monkeypatch):
    from index import EmbedSettings, IndexSettings, build_index

    _, scan, _, cache = briefing
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(scan, corpus / "scan.pdf")
    shutil.copy(Path(__file__).parent.parent / "corpus" / "leadership-of-learning-synopsis.txt",
                corpus / "notes.txt")
    settings = IndexSettings(embed=EmbedSettings(model="fake"),
                             read=ReadLimits(sandbox=False, ocr=ocr.OcrSettings(
                                 cache_dir=str(cache))))
    with monkeypatch.context() as m:
        m.setattr(ocr, "tesseract_binary", lambda: None)
        report = build_index(corpus, tmp_path / "index", settings)
    assert [f["file"] for f in report.failed] == ["scan.pdf"]
    assert "needs OCR" in report.failed[0]["reason"]
    report = build_index(corpus, tmp_path / "index", settings)  # Tesseract is back
    assert report.updated == ["scan.pdf"] and not report.failed


def test_sandboxed_read_reports_each_ocr_page(tmp_path):
    """In the sandbox, each OCR'd page is reported (the build's progress, and the heartbeat
    that restarts the per-file time limit); a second read comes from the cache."""
    src = typeset(tmp_path / "t.pdf", briefing_sections(40))
    scan = scanned_copy(src, tmp_path / "scan.pdf")
    pages = len(page_words(src))
    limits = ReadLimits(ocr=ocr.OcrSettings(cache_dir=str(tmp_path / "cache")))
    events = []
    with SandboxReader(limits) as reader:
        reader.set_progress(lambda *e: events.append(e))
        doc = reader(scan, tmp_path, {})
        assert events == [("OCR scan.pdf", n, pages) for n in range(pages + 1)]
        events.clear()
        again = reader(scan, tmp_path, {})
    assert not events
    assert [p.text for p in again.pages] == [p.text for p in doc.pages]
    assert doc.ocr_pages == list(range(1, pages + 1))


def _bomb_pdf(path: Path, side: int) -> Path:
    """A one-page PDF whose only content is a side x side grey image, deflated to a few MB:
    decoding it needs side * side bytes."""
    import zlib

    comp = zlib.compressobj(9)
    row = b"\xff" * side
    data = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject "
        b"<< /Im0 5 0 R >> >> /Contents 4 0 R >>",
    ]
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    offsets.append(len(out))
    out += b"4 0 obj\n<< /Length %d >>\nstream\n" % len(content) + content + \
        b"\nendstream\nendobj\n"
    offsets.append(len(out))
    out += (b"5 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace "
            b"/DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
            % (side, side, len(data))) + data + b"\nendstream\nendobj\n"
    xref = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o
                                                          for o in offsets)
    out += b"trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))
    return path


def test_image_decompression_bomb_is_refused_within_the_limits(tmp_path):
    """A 1.6 GB image in a 1.6 MB scan: reading it in a 1 GB sandbox ends with a plain
    refusal (out of memory, or nothing readable), never a hung or crashed build."""
    path = _bomb_pdf(tmp_path / "bomb-scan.pdf", 40_000)
    assert path.stat().st_size < 4 * 1024 * 1024
    with SandboxReader(ReadLimits(memory_mb=1024)) as reader:
        with pytest.raises(ReadError) as err:
            reader(path, tmp_path, {})
        assert err.value.reason in ("memory", "crashed", "ocr_empty"), err.value
        # The worker is replaced if it died: the next PDF reads normally.
        good = Path(__file__).parent / "data" / "badpdfs" / "good-4-pages_pdflatex-4-pages.pdf"
        assert len(reader(good, good.parent, {}).pages) == 4


def test_specks_and_split_words_are_tidied():
    from ingest.ocr import tidy_words

    assert tidy_words("reconcile every school’ s accounts at the : end".split()) == \
        "reconcile every school’s accounts at the end".split()
    assert tidy_words(["‘Governors", "asked", "."]) == ["Governors", "asked"]
    assert tidy_words(["‘Soft", "Federation’"]) == ["‘Soft", "Federation’"]
    assert tidy_words(["costs", "&", "benefits", "-", "2023"]) == ["costs", "&", "benefits",
                                                                  "-", "2023"]


# ------------------------------------------------------ scans read like their text-layer twins
# (issue 21, item 7). Two short reports typeset here (not the matrix styles bench/ocr_twin.py
# measures): headings at three sizes with a numbered clause that wraps, body-size labels set
# in capitals ("CPD", "Ethos & vision"), and bold-only headings at body size.

def _twin_spec():
    from typeset import Element

    filler = ("The trust board reviewed the evidence from each academy and agreed a common "
              "approach to improvement that keeps decisions close to the schools. ")
    return [
        Element("h", "Part I", level=1),
        Element("h", "1. Governance of the Northfield Learning Trust", level=2),
        Element("p", "Local governing bodies kept substantive delegated powers. " + filler * 2),
        Element("h", "1.1 Research evidence suggests that the following conditions are likely "
                     "to result in successful federations and trusts", level=3),
        Element("p", "CPD"),
        Element("p", "Ethos & vision"),
        Element("ul", "What are the best", items=["CPD", "Processes to develop and improve "
                                                  "teaching", "Plans", "Ethos and vision"]),
        Element("p", "Governors and leaders share one ambition for every pupil. " + filler),
        Element("h", "1.2 Scheme of delegation", level=3),
        Element("p", "The scheme of delegation was rewritten in the spring term. " + filler),
        Element("h", "2. School improvement", level=2),
        Element("p", "Geoff Barton"),
        Element("p", "Peer review found strengths in every school of the trust. " + filler * 2),
        Element("h", "2.1 Finance and central services", level=3),
        Element("p", "Finance was run centrally, each head holding a delegated budget. "
                + filler * 2),
        Element("h", "Part II", level=1),
        Element("h", "3. Next steps for the board", level=2),
        Element("p", "The board will review the central services offer in the autumn. "
                + filler * 3),
        Element("p", "Each school will set out its own priorities for the year. " + filler * 6),
        Element("p", "Leaders will report progress against those priorities each term. "
                + filler * 6),
        Element("h", "3.1 Reporting to members", level=3),
        Element("p", "Members will receive the review at the annual meeting. " + filler),
    ]


def _heading_paths(doc) -> list[tuple[str, ...]]:
    """Each heading's path of titles (by the reader's levels), titles as match keys."""
    out, stack = [], []
    for b in doc.blocks:
        if b.kind != "heading":
            continue
        while stack and stack[-1][0] >= b.level:
            stack.pop()
        stack.append((b.level, match_key(b.text)))
        out.append(tuple(t for _, t in stack))
    return out


def _near_path(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    import difflib

    return len(a) == len(b) and all(
        difflib.SequenceMatcher(None, x, y).ratio() >= 0.9 for x, y in zip(a, b, strict=True))


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    """{name: (text-layer reading, OCR reading)} for the two twin reports."""
    from typeset import Style
    from typeset import typeset as typeset_spec

    folder = tmp_path_factory.mktemp("twins")
    styles = {
        "sizes": Style("twin-sizes", body_font="Times-Roman", body_size=11,
                       head_fonts=("Times-Bold",) * 3, head_sizes=(16, 14, 12.5),
                       footer="page-of"),
        "bold": Style("twin-bold", body_size=10, head_sizes=(10, 10, 10),
                      head_fonts=("Helvetica-Bold",) * 3, running_head="title",
                      footer="number-bar"),
    }
    out = {}
    for name, style in styles.items():
        src = folder / f"{name}.pdf"
        typeset_spec(_twin_spec(), src, title="Northfield Learning Trust review", style=style)
        scan = scanned_copy(src, folder / f"{name}-scan.pdf")
        with ocr.using(ocr.OcrSettings(workers=1)):
            out[name] = (read_document(src, folder, {}), read_document(scan, folder, {}))
    return out


@pytest.mark.parametrize("name", ["sizes", "bold"])
def test_scan_headings_are_its_twins_headings(twins, name):
    """The headings of the text-layer reading come back from the scan at the same place in
    the section tree: sizes measured from the words whatever their capitals (a body-size
    "Geoff Barton" is no heading), bold told from stroke width, a wrapped clause one heading.
    One may be lost to a misreading no rule mends (Tesseract reads the bold sans "Part II"
    as "Parti" at 12% confidence); none is made up."""
    text, scan = twins[name]
    want, got = _heading_paths(text), _heading_paths(scan)
    missing = [w for w in want if not any(_near_path(w, g) for g in got)]
    extra = [g for g in got if not any(_near_path(w, g) for w in want)]
    assert len(want) >= 9, want
    assert len(missing) <= 1 and not extra, (missing, extra)


def test_scan_line_sizes_hold_for_short_capitalised_lines(twins):
    """A body-size line of capitals ("CPD", "Geoff Barton") measures the body's size, not its
    capitals' height taken for an x-height: body text, not a heading."""
    labels = ("CPD", "Ethos & vision", "Geoff Barton")
    for name in ("sizes", "bold"):
        _, scan = twins[name]
        body = [ln for b in scan.blocks if b.kind == "para" for ln in b.lines]
        headings = [b.text for b in scan.blocks if b.kind == "heading"]
        for label in labels:
            assert any(ln.startswith(label) for ln in body), (label, headings)
            assert not any(h.startswith(label) for h in headings), (label, headings)


def test_scan_bullets_are_read_and_specks_are_no_bullets(twins):
    """The list's bullets (8 pt, which Tesseract does not read) are found on the page image,
    so its items are items, as on the text layer, "• CPD" among them (no heading); a speck
    before a line's first word is no bullet: no other line is an item."""
    for name in ("sizes", "bold"):
        text, scan = twins[name]
        want = [b.text.split()[:3] for b in text.blocks if b.kind == "item"]
        got = [b.text.split()[:3] for b in scan.blocks if b.kind == "item"]
        assert len(want) == 4
        assert got == want, (name, got)


def test_scan_furniture_goes(twins):
    """The running head and the footers ("Page 1 of 2", "Title | 1") are not quoted, however
    OCR spelled them."""
    for name in ("sizes", "bold"):
        _, scan = twins[name]
        assert len(scan.pages) >= 2
        for p in chunk_document(scan):
            for line in p.text.split("\n"):
                assert not re.search(r"Northfield Learning Trust review|Page \S+ of", line), line


def test_ocr_section_numbers_read_apart_or_misread_are_mended():
    """Tesseract reads "3.5" as two words ("3." "5") or a digit as a letter ("8.S", "B.5"):
    a section number at the start of a line is mended, a number in a sentence is not."""
    from ingest.ocr import mend_section_number

    assert mend_section_number(["3.", "5", "Ethos", "and", "vision"], gaps=[2.0, 9.0, 9.0, 9.0],
                               x_height=14.0) == ["3.5", "Ethos", "and", "vision"]
    assert mend_section_number(["8.S", "Setting", "up"], gaps=[9.0, 9.0], x_height=14.0) == \
        ["8.5", "Setting", "up"]
    assert mend_section_number(["B.5", "Setting", "up"], gaps=[9.0, 9.0], x_height=14.0) == \
        ["8.5", "Setting", "up"]
    assert mend_section_number(["2.l", "Research"], gaps=[9.0], x_height=14.0) == \
        ["2.1", "Research"]
    # A list of figures, a word gap apart, is left as it is; so are words.
    assert mend_section_number(["3.", "5", "schools"], gaps=[9.0, 9.0], x_height=14.0) == \
        ["3.", "5", "schools"]
    assert mend_section_number(["So", "the"], gaps=[9.0], x_height=14.0) == ["So", "the"]
    assert mend_section_number(["BS", "5750"], gaps=[9.0], x_height=14.0) == ["BS", "5750"]
    # A stray quote or speck glued to the number, the title glued to it, a colon for its stop.
    assert mend_section_number(["’2.1.Finance", "and"], gaps=[9.0], x_height=14.0) == \
        ["2.1", "Finance", "and"]
    assert mend_section_number(["2:", "School", "improvement"], gaps=[9.0, 9.0],
                               x_height=14.0) == ["2.", "School", "improvement"]
    assert mend_section_number(["2:", "the", "rest"], gaps=[9.0, 9.0], x_height=14.0) == \
        ["2:", "the", "rest"]
    # A speck before the number read as a stop; the stop itself lost ("2 3", a narrow gap).
    assert mend_section_number([".2.2", "If", "the"], gaps=[9.0, 9.0], x_height=14.0) == \
        ["2.2", "If", "the"]
    assert mend_section_number(["2", "3", "Research"], gaps=[5.0, 9.0], x_height=14.0) == \
        ["2.3", "Research"]
    assert mend_section_number(["2", "3", "schools"], gaps=[5.0, 9.0], x_height=14.0) == \
        ["2", "3", "schools"]
    # Roman numerals after Part / Section / Appendix, "l" and "1" read for "I".
    assert mend_section_number(["Part", "Il"], gaps=[9.0], x_height=14.0) == ["Part", "II"]
    assert mend_section_number(["Part", "lI"], gaps=[9.0], x_height=14.0) == ["Part", "II"]
    assert mend_section_number(["Part", "of", "it"], gaps=[9.0, 9.0], x_height=14.0) == \
        ["Part", "of", "it"]


def test_ocr_misread_section_numbers_follow_the_numbering():
    """A digit misread in a section number ("4.4" for "1.1" in a bold sans heading) is mended
    when the numbering so far expects the number it differs from by that digit; a number that
    fits, or that no misreading explains, is left as read."""
    from ingest.ocr import mend_numbering

    read = ["Part I", "1. Governance of the trust", "4.4. Research evidence suggests",
            "Body text with 4.4 in it.", "1.2 Scheme of delegation", "2. School improvement",
            "2.4 Finance and central services", "3. Next steps", "3.1 Reporting", "3.2 Risks",
            "9.9 Nothing explains this", "3.3 Audit"]
    assert mend_numbering(read) == [
        "Part I", "1. Governance of the trust", "1.1. Research evidence suggests",
        "Body text with 4.4 in it.", "1.2 Scheme of delegation", "2. School improvement",
        "2.1 Finance and central services", "3. Next steps", "3.1 Reporting", "3.2 Risks",
        "9.9 Nothing explains this", "3.3 Audit"]


def test_body_size_labels_of_the_briefing_scan_are_no_headings(briefing):
    """The briefing's one-word labels set at body size ("Individuals", "Leadership", "CPD")
    are body text on the scan as on the page, even when Tesseract is unsure of the word (it is
    measured on the image all the same, not given Tesseract's row height)."""
    _, _, doc, _ = briefing
    headings = {b.text for b in doc.blocks if b.kind == "heading"}
    labels = {"Individuals", "Leadership", "Institutions", "Ethos & vision", "Structure",
              "Process", "CPD"}
    assert not labels & headings, sorted(labels & headings)


def test_short_regular_lines_are_not_read_as_bold(tmp_path):
    """A short line set in the body's regular face ("Process", "8.4 Personalities", "Size",
    a list item whose bullet OCR missed) is not bold on the scan: the stroke width is not
    taken from an "e"'s or an "s"'s bar or a "4"'s crossbar (one long run of ink across the
    x-height's middle), nor from the wider of a two-word line's words. Bold headings at body
    size stay bold, so the scan's headings are the text layer's."""
    from typeset import Element, Style
    from typeset import typeset as typeset_spec

    filler = ("The trust board reviewed the evidence from each academy and agreed a common "
              "approach to improvement that keeps decisions close to the schools. ")
    spec = [Element("h", "1. Governance of the trust", level=2),
            Element("p", "Local governing bodies kept substantive delegated powers. " + filler * 3)]
    for label in ("Process", "8.4 Personalities", "Size", "Assessment of progress and attainment",
                  "Processes and systems", "Access"):
        spec += [Element("p", label), Element("p", filler * 2)]
    spec += [Element("h", "2. School improvement", level=2),
             Element("p", "Peer review found strengths in every school. " + filler * 2)]
    styles = [Style("short-serif", body_font="Times-Roman", body_size=11,
                    head_fonts=("Times-Bold",) * 3, head_sizes=(11, 11, 11), footer="none"),
              Style("short-sans", body_size=10, head_sizes=(10, 10, 10), footer="none")]
    for style in styles:
        src = tmp_path / f"{style.name}.pdf"
        typeset_spec(spec, src, title="Short lines", style=style)
        scan = scanned_copy(src, tmp_path / f"{style.name}-scan.pdf")
        with ocr.using(ocr.OcrSettings(workers=1)):
            text, got = read_document(src, tmp_path, {}), read_document(scan, tmp_path, {})
        want = [match_key(b.text) for b in text.blocks if b.kind == "heading"]
        have = [match_key(b.text) for b in got.blocks if b.kind == "heading"]
        assert len(want) == 2, want
        assert len(have) == len(want) and all(_near_path((w,), (h,)) for w, h in
                                              zip(want, have, strict=True)), (style.name, have)


def test_isolated_specks_are_cleaned_before_ocr_and_print_is_not():
    """A scanner's specks (1-2 pixels, nothing dark beside them) are taken off the page image
    before Tesseract reads it: read as letters ("day s sessions", a speck 2 px high under the
    line) or stops they change a heading's words. Print is left alone: a full stop or an i's
    dot (3 px and more), a hairline's end, a 1-px hairline, pixels touching a stroke."""
    import numpy as np
    from PIL import Image

    a = np.full((60, 60), 255, dtype=np.uint8)
    specks = [(5, 5, 1, 1), (10, 40, 2, 2), (50, 20, 1, 2), (30, 55, 2, 1)]
    for y, x, h, w in specks:
        a[y:y + h, x:x + w] = 40
    a[20:23, 20:23] = 0  # a full stop, 3 x 3
    a[40:52, 40] = 30  # a 1-px hairline
    a[30:34, 5:8] = 0  # a stroke ...
    a[34, 8] = 60  # ... and a pixel touching its corner
    out = np.asarray(ocr.despeckle(Image.fromarray(a, "L")))
    for y, x, h, w in specks:
        assert (out[y:y + h, x:x + w] == 255).all(), (y, x)
    keep = a < 255
    for y, x, h, w in specks:
        keep[y:y + h, x:x + w] = False
    assert (out[keep] == a[keep]).all()

