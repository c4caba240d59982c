"""PDFs read as a person reads them: sections from the outline or the typography, the right
pages, tables as rows, split lists marked, and the cited page drawn with its lines."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typeset import Element, report_spec, spec_from_text, typeset

from ingest import chunk_document, read_document
from ingest.normalise import is_verbatim, match_key

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from read_pdfs import outline_titles, page_keys, pages_right, sections_right  # noqa: E402

REAL = Path(__file__).parent / "data" / "realpdfs"


def _read(path: Path):
    doc = read_document(path, path.parent, {})
    return doc, chunk_document(doc)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    out = tmp_path_factory.mktemp("typeset")
    return {
        "report": typeset(report_spec(), out / "report.pdf", title="Northfield annual review"),
        "two_column": typeset(report_spec(), out / "report-2col.pdf", columns=2),
        "synopsis": typeset(spec_from_text(ROOT / "corpus" / "leadership-of-learning-synopsis.txt"),
                            out / "synopsis.pdf", title="Leadership of Learning synopsis"),
        "bookmarked": typeset(report_spec(), out / "report-bookmarks.pdf", bookmarks=True),
    }


@pytest.mark.parametrize("name", ["report", "two_column", "synopsis", "bookmarked"])
def test_sections_and_pages_are_what_was_typeset(made, name):
    ts = made[name]
    _, passages = _read(ts.path)
    ok, total, bad = sections_right(passages, ts.truth, ts.headings)
    assert total >= 5 and ok / total >= 0.95, bad
    ok, total, bad = pages_right(passages, page_keys(ts.path))
    assert ok == total, bad


def test_headings_come_from_the_font_not_the_line_length(made):
    doc, passages = _read(made["report"].path)
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert headings == made["report"].headings
    # A short bullet item or a short body line is never a heading.
    assert not any(h.startswith("Strength") for h in headings)


def test_bookmarks_give_the_section_tree(made):
    _, passages = _read(made["bookmarked"].path)
    titles = outline_titles(made["bookmarked"].path)
    assert titles == set(made["bookmarked"].headings)
    carried = sum(1 for p in passages if p.section and p.section[-1] in titles)
    assert carried / len(passages) >= 0.9


def test_bookmarks_that_disagree_with_the_text(tmp_path):
    """An outline title the page does not print still opens its section at its page; the
    file's warnings say so, and no text is lost."""
    spec = [Element("h", "Governance", level=1, bookmark="Part A: how the trust is governed"),
            Element("p", "Local governing bodies kept substantive delegated powers over the "
                         "curriculum and the staffing of each school in the trust."),
            Element("h", "Finance", level=1),
            Element("p", "Finance was run centrally, with each head holding a budget.")]
    ts = typeset(spec, tmp_path / "disagree.pdf", bookmarks=True)
    doc, passages = _read(ts.path)
    assert any("not found on their pages" in w for w in doc.warnings)
    by_text = {line[:30]: p.section for p in passages for line in p.text.split("\n")}
    assert by_text["Local governing bodies kept su"] == ["Part A: how the trust is governed"]
    assert by_text["Finance was run centrally, wit"] == ["Finance"]
    # The printed heading is still quotable text.
    assert any("Governance" in p.text.split("\n") for p in passages)


def test_a_table_is_quoted_row_by_row_with_its_headers(made):
    doc, passages = _read(made["report"].path)
    tables = [p for p in passages if p.kind == "table"]
    assert len(tables) == 1
    table = tables[0]
    assert table.text.split("\n")[0] == "Table 1: Pupils and staff by school"
    assert "School: Brook Lane Academy; Phase: Secondary; Pupils: 1,046; Staff: 88" in \
        table.text.split("\n")
    assert table.rows[0] == ["School", "Phase", "Pupils", "Staff"] and len(table.rows) == 5
    source = match_key("\n".join(p.text for p in doc.pages))
    assert is_verbatim(table.text, source)
    assert table.section[-1] == "3. Finance" and table.boxes


def test_a_long_list_split_into_passages_marks_what_it_leaves_out(tmp_path):
    path = typeset(spec_from_text(ROOT / "corpus" / "federations-and-mats-briefing-paper.txt"),
                   tmp_path / "briefing.pdf").path
    doc, passages = _read(path)
    lead = "processes that work best"
    parts = [p for p in passages if p.text.split("\n")[0] == lead]
    assert len(parts) >= 2
    for later in parts[1:]:
        lines = later.text.split("\n")
        assert lines[1] == "[…]" and lines.count(lead) == 1
    source = match_key("\n".join(p.text for p in doc.pages))
    assert all(is_verbatim(p.text, source) for p in parts)
    # A quote with its pieces out of order is not verbatim.
    first, second = parts[0].text.split("\n"), parts[1].text.split("\n")
    assert not is_verbatim(f"{second[-1]}\n[…]\n{first[-1]}", source)


def test_two_columns_are_read_column_by_column(made):
    doc, _ = _read(made["two_column"].path)
    texts = [b.text.lstrip("•- ") for b in doc.blocks if b.kind in ("item", "para")]
    numbers = [int(t.split()[1].rstrip(":")) for t in texts if t.startswith("Strength")]
    assert numbers == list(range(1, 31))


def test_running_footer_and_page_numbers_are_not_text(made):
    doc, passages = _read(made["report"].path)
    assert not any("Northfield annual review" == line for p in passages
                   for line in p.text.split("\n"))


@pytest.mark.parametrize("path", [
    REAL / "pdffill-demo.pdf",
    # pdflatex: bookmarks "Foo", headings printed "1 Foo", and a contents page
    Path(__file__).parent / "data" / "badpdfs" / "good-4-pages-outline_pdflatex-outline.pdf",
], ids=lambda p: p.name)
def test_real_pdf_with_an_outline(path):
    doc, passages = _read(path)
    titles = outline_titles(path)
    body = [p for p in passages if p.kind != "contents"]
    carried = sum(1 for p in body if p.section and p.section[-1] in titles)
    assert carried / len(body) >= 0.9
    ok, total, bad = pages_right(passages, page_keys(path))
    assert ok == total, bad
    if "pdflatex" in path.name:  # every bookmark is found, numbered heading or not
        assert not any("not found on" in w or "no outline title" in w for w in doc.warnings)
        assert [p.kind for p in passages].count("contents") == 1


def test_real_two_column_journal_pages_and_footnotes():
    path = REAL / "issue-316-example.pdf"
    doc, passages = _read(path)
    ok, total, bad = pages_right(passages, page_keys(path))
    assert ok >= 0.95 * total, bad
    # Its pages are labelled 0, 1, 2 ...: not printed numbers, so pages are cited by number.
    assert all(p.page_label is None for p in passages)
    # Bold and italic headings at the body's size (fonts whose names say neither): the face
    # used first ranks higher, so subsections nest under their sections.
    # The article's title, wrapped onto a second line starting in lower case, is a heading
    # (issue 21: one odd line does not disqualify a heading style); the byline under it is
    # front matter, not sections.
    title = "Shift work interventions for reduced work-family conflict"
    sections = {p.section_label for p in passages}
    assert {f"{title} › Method › Participants", f"{title} › Results › Open text responses",
            f"{title} › Discussion", f"{title} › Abstract"} <= sections
    assert not any("Wilson" in s or "ER 29,2" in s for s in sections)


def test_real_ruled_table_becomes_rows():
    doc, passages = _read(REAL / "table-curves-example.pdf")
    tables = [p for p in passages if p.kind == "table"]
    assert tables and all(len(p.rows) >= 2 for p in tables)


def test_show_page_draws_the_passage_lines(made, tmp_path):
    from qa.pages import PageUnavailable, passage_page, render_page

    path = made["report"].path
    _, passages = _read(path)
    table = next(p for p in passages if p.kind == "table")
    shown = passage_page(table, path.parent)
    assert shown.page == table.page_start and shown.highlighted >= 1
    plain = render_page(path, shown.page, [])
    assert plain.size == shown.image.size
    # Highlighted pixels differ from the plain page inside the boxes, and only there.
    scale = shown.image.size[0] / 595.27
    box = next(b for b in table.boxes if int(b[0]) == shown.page)
    cx, cy = int((box[1] + 3) * scale), int((box[2] + 3) * scale)
    assert shown.image.getpixel((cx, cy)) != plain.getpixel((cx, cy))
    assert shown.image.getpixel((5, 5)) == plain.getpixel((5, 5))
    assert shown.png_bytes().startswith(b"\x89PNG")
    # A text file has no page; a changed file is not drawn with stale boxes.
    from dataclasses import replace
    with pytest.raises(PageUnavailable, match="not from a PDF"):
        passage_page(replace(table, file="notes.txt"), path.parent)
    with pytest.raises(PageUnavailable, match="changed since it was indexed"):
        passage_page(replace(table, doc_sha256="0" * 64), path.parent)
    with pytest.raises(PageUnavailable, match="no longer in the corpus"):
        passage_page(replace(table, file="../../etc/passwd.pdf"), path.parent)


def test_printed_page_labels_are_cited_at_both_ends(made, tmp_path):
    """Front matter numbered i, ii: a passage over both pages is cited "pp. i-ii", never a
    label at one end and a page number at the other."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(made["report"].path))
    writer.set_page_label(0, 1, style="/r", start=1)
    path = tmp_path / "labelled.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    _, passages = _read(path)
    across = [p for p in passages if p.page_start == 1 and p.page_end == 2]
    assert across, "the long list crosses the page break"
    assert all(", pp. i-ii" in p.citation for p in across)
    assert all(", p. ii" in p.citation for p in passages if p.page_start == p.page_end == 2)


def _contents_pdf(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica-Bold", 16)
    c.drawString(72, 770, "Contents")
    c.setFont("Helvetica", 10)
    for i, (title, page) in enumerate([("1. Governance", 2), ("2. Finance", 2),
                                       ("3. School improvement", 2), ("4. Next steps", 2)]):
        c.drawString(72, 740 - 16 * i, f"{title} {'.' * 60} {page}")
    c.showPage()
    for i, title in enumerate(["1. Governance", "2. Finance", "3. School improvement",
                               "4. Next steps"]):
        y = 770 - 120 * i
        c.setFont("Helvetica-Bold", 14)
        c.drawString(72, y, title)
        c.setFont("Helvetica", 10)
        c.drawString(72, y - 20, f"The board reviewed {title[3:].lower()} in each school this "
                                 "year and agreed what to do next.")
        c.drawString(72, y - 34, "Its decisions were reported to the members in the summer.")
    c.showPage()
    c.save()
    return path


def test_a_contents_page_is_no_heading_and_no_section(tmp_path):
    doc, passages = _read(_contents_pdf(tmp_path / "with-contents.pdf"))
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert not any("...." in h for h in headings)
    assert "1. Governance" in headings and "4. Next steps" in headings
    contents = [p for p in passages if p.kind == "contents"]
    assert len(contents) == 1 and contents[0].page_start == 1
    body = next(p for p in passages if "reviewed finance" in p.text)
    assert body.section == ["2. Finance"] and body.page_start == 2


def test_footnotes_are_kept_apart_and_markers_dropped(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "footnotes.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 10)
    text = c.beginText(72, 760)
    text.textOut("Most trusts kept local governing bodies with delegated powers")
    text.setRise(4)
    text.setFont("Helvetica", 6)
    text.textOut("1")
    text.setRise(0)
    text.setFont("Helvetica", 10)
    text.textLine(" and reviewed them each year.")
    text.textLine("The board met every half term to hear from the heads.")
    c.drawText(text)
    c.setFont("Helvetica", 7)
    c.drawString(72, 80, "1 Scheme of delegation, revised in 2023.")
    c.showPage()
    c.save()
    doc, passages = _read(path)
    kinds = {b.kind for b in doc.blocks}
    assert "footnote" in kinds
    body = next(b for b in doc.blocks if b.kind == "para")
    assert "delegated powers and reviewed them" in body.text  # the marker is gone
    note = next(b for b in doc.blocks if b.kind == "footnote")
    assert note.text == "1 Scheme of delegation, revised in 2023."
    assert not any("revised in 2023" in line and "reviewed them" in line
                   for p in passages for line in p.text.split("\n"))


def test_a_contents_page_never_outranks_the_sections_it_lists(tmp_path, fake_settings):
    from index import build_index, load_index
    from qa import Searcher, SearchSettings

    corpus = tmp_path / "c"
    corpus.mkdir()
    _contents_pdf(corpus / "review.pdf")
    build_index(corpus, tmp_path / "i", fake_settings)
    index = load_index(tmp_path / "i")
    assert any(p.kind == "contents" for p in index.passages)
    searcher = Searcher(index, Searcher.open(tmp_path / "i").embedder, SearchSettings())
    for question in ("Finance", "School improvement", "Next steps Governance Finance"):
        hits = searcher.ask(question, k=5).hits
        kinds = [h.passage.kind for h in hits]
        assert kinds[0] != "contents"
        if "contents" in kinds:  # below every section passage
            assert kinds[kinds.index("contents"):] == ["contents"]


def test_a_long_list_across_a_page_break_keeps_its_items_and_pages(made):
    doc, passages = _read(made["report"].path)
    items = [b for b in doc.blocks if b.kind == "item"]
    assert len(items) == 30 and all(b.text.startswith("• Strength") for b in items)
    lead = "Peer review found the following strengths across the schools:"
    parts = [p for p in passages if lead in p.text.split("\n")]
    assert len(parts) >= 2 and parts[0].page_start == 1 and parts[-1].page_end == 2
    assert all(p.text.split("\n")[1] == "[…]" for p in parts[1:])
    ok, total, bad = pages_right(parts, page_keys(made["report"].path))
    assert ok == total, bad


def test_a_long_pdf_reports_its_pages_from_the_sandbox(tmp_path):
    """Each page of a long PDF is reported (the rebuild bar moves, and each report restarts
    the sandbox's time limit); a short one reads without reports."""
    from ingest.sandbox import ReadLimits, SandboxReader

    spec = [Element("h", "A long report", level=1)] + [
        Element("p", f"Paragraph {n}: the trust board reviewed the evidence from each academy "
                     "and agreed a common approach to improvement. " * 6) for n in range(140)]
    long_pdf = typeset(spec, tmp_path / "long.pdf").path
    short_pdf = typeset(spec[:4], tmp_path / "short.pdf").path
    reader = SandboxReader(ReadLimits())
    seen: list[tuple] = []
    reader.set_progress(lambda stage, done, total: seen.append((stage, done, total)))
    try:
        doc = reader(long_pdf, tmp_path, {})
        n = doc.page_count
        assert n >= 20
        assert [s for s in seen if s[0] == "pages long.pdf"] == [
            ("pages long.pdf", i, n) for i in range(n)]
        seen.clear()
        reader(short_pdf, tmp_path, {})
        assert not [s for s in seen if s[0].startswith("pages ")]
    finally:
        reader.close()
