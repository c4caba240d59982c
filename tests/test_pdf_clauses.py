"""Issue 21, round 7: headings numbered "(1)", "(2)" and captions labelled in brackets.

A report's third-level headings are often numbered in parentheses and set in the heading
face a little above the body ("(1) Governance and oversight" in a sans over a serif body):
they are headings, not list items. A list numbered the same way in the body's face stays a
list. A caption labelled in brackets ("[Table 1] ...", "[표 1] ..." in a Korean report) is
a caption, not a heading. Docling's normal_4pages.pdf (a Korean policy brief) is read in place
from ../shared/docling when it is there."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_data import DOCLING

from ingest import chunk_document, read_document

PROSE = ("The trust's schools shared one improvement plan and met each half term to compare "
         "their pupils' progress, so that leaders could see where help was needed first. ")


def _read(path: Path):
    doc = read_document(path, path.parent, {})
    return doc, chunk_document(doc)


def _typeset(path: Path, caption: str = "[Table 1] Pupils by phase",
             byline: str | None = None) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    body = ParagraphStyle("body", fontName="Times-Roman", fontSize=11, leading=14,
                          spaceAfter=6)
    h1 = ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=15, leading=19,
                        spaceBefore=10, spaceAfter=8)
    clause = ParagraphStyle("clause", fontName="Helvetica", fontSize=12, leading=15,
                            spaceBefore=8, spaceAfter=4)
    cap = ParagraphStyle("cap", fontName="Helvetica", fontSize=10.5, leading=13,
                         spaceBefore=6, spaceAfter=4)
    item = ParagraphStyle("item", parent=body, leftIndent=18, spaceAfter=2)
    story = []
    if byline:  # a title, its author with a note mark, an abstract
        story = [Paragraph("Federations and trusts: a briefing", ParagraphStyle(
                     "title", fontName="Helvetica-Bold", fontSize=20, leading=24,
                     spaceAfter=10)),
                 Paragraph(byline, ParagraphStyle("by", fontName="Helvetica", fontSize=11,
                                                  leading=14, alignment=2, spaceAfter=10)),
                 Paragraph("Abstract. " + PROSE * 2, body)]
    story += [Paragraph("1 Why trusts form", h1), Paragraph(PROSE * 3, body),
             Paragraph("(1) Governance and oversight", clause), Paragraph(PROSE * 2, body),
             Paragraph("The board's duties were three:", body),
             Paragraph("(a) to set the trust's direction;", item),
             Paragraph("(b) to hold leaders to account;", item),
             Paragraph("(c) to oversee the trust's money.", item),
             Paragraph(PROSE, body),
             Paragraph("(2) Money and shared services", clause), Paragraph(PROSE * 2, body),
             Paragraph(caption, cap),
             Table([["Phase", "Schools"], ["Primary", "12"], ["Secondary", "3"]]),
             Spacer(1, 8), Paragraph(PROSE * 2, body),
             Paragraph("2 What changed", h1), Paragraph(PROSE * 2, body),
             Paragraph("(1) Teaching and the curriculum", clause), Paragraph(PROSE * 3, body)]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def test_parenthesised_numbers_in_heading_type_are_headings(tmp_path):
    doc, passages = _read(_typeset(tmp_path / "clauses.pdf"))
    sections = {tuple(p.section) for p in passages}
    assert ("1 Why trusts form", "(1) Governance and oversight") in sections, sections
    assert ("1 Why trusts form", "(2) Money and shared services") in sections, sections
    assert ("2 What changed", "(1) Teaching and the curriculum") in sections, sections
    # The list in the body's face stays a list: its items are no headings.
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert not any(h.startswith(("(a)", "(b)", "(c)")) for h in headings), headings
    assert any("(b) to hold leaders to account;" in p.text for p in passages)


@pytest.mark.parametrize("caption", ["[Table 1] Pupils by phase", "[Figure 2] Pupils by phase"])
def test_a_caption_labelled_in_brackets_is_no_heading(tmp_path, caption):
    doc, passages = _read(_typeset(tmp_path / "caption.pdf", caption))
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert caption not in headings, headings
    under = next(p for p in passages if caption in p.text or "Primary" in p.text)
    assert tuple(under.section) == ("1 Why trusts form", "(2) Money and shared services"), under.section


def test_an_author_line_with_a_note_mark_is_no_section(tmp_path):
    """A byline under the title ("Jane Smith*", the mark calling the author's affiliation
    note), set in a face of its own once on the first page, is front matter: the abstract
    under it is in the title's section, not the author's."""
    doc, passages = _read(_typeset(tmp_path / "byline.pdf", byline="Jane Smith*"))
    abstract = next(p for p in passages if "Abstract." in p.text)
    assert abstract.section == ["Federations and trusts: a briefing"], abstract.section
    assert "Jane Smith" in "\n".join(p.text for p in passages)  # kept as text
    assert ("1 Why trusts form", "(1) Governance and oversight") in \
        {tuple(p.section[-2:]) for p in passages}


@pytest.mark.skipif(DOCLING is None or not (DOCLING / "normal_4pages.pdf").exists(),
                    reason="../shared/docling/normal_4pages.pdf not present")
def test_docling_korean_brief_numbered_subheadings():
    """normal_4pages.pdf: "(1) 「감염병의 예방 및 관리에 관한 법률」 개정" (page 2) and its
    siblings are set in the heading face (KoPubDotum 12.5 pt over an 11.5 pt KoPubBatang
    body); "[표 1] 감염병예방법 제2조제2호 개정전·후 비교" is the caption of a table."""
    doc, passages = _read(DOCLING / "normal_4pages.pdf")
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    for title in ("(1) 「감염병의 예방 및 관리에 관한 법률」 개정", "(2) 생명보험 표준약관 재해분류표",
                  "(4) 신종위험에 대비한 상품 부족", "(3) 신종위험에 대비하는 보험상품 개발 필요"):
        assert title in headings, headings
    assert not any(h.startswith("[표 1]") for h in headings), headings
    abstract = next(p for p in passages if "관련 규정이 변경되어" in p.text)
    assert abstract.section == ["코로나-19 관련 보험약관상 재해보험금 지급문제 및 개선과제"], \
        abstract.section  # "김 창 호*" (page 1, the author, a note mark after the name) is none
    first = next(p for p in passages if "2020.1.1. 시행된" in p.text)
    assert first.section[-1] == "(1) 「감염병의 예방 및 관리에 관한 법률」 개정", first.section


OPEN_ROWS = [["Area", "Before the change", "After the change"],
             ["Phase", "Primary", "All-through"],
             ["Governance", "A local governing body for each school, meeting every half term "
              "with its own clerk and its own committees", "One board for the trust, with local "
              "committees that advise it and hold no budget of their own at all"],
             ["Finance", "Each school's own budget and its own auditor",
              "A pooled budget: the trust top-slices five per cent for shared services, its "
              "central team, its estates work and its school improvement partners"]]


def _open_sided_table(path: Path) -> Path:
    """A table ruled between rows and between columns, with no rule down its outer edges
    (a filled header band above it), as a policy brief sets its comparison tables."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    body = ParagraphStyle("body", fontName="Times-Roman", fontSize=11, leading=14,
                          spaceAfter=6)
    h1 = ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=15, leading=19,
                        spaceAfter=8)
    cell = ParagraphStyle("cell", fontName="Helvetica", fontSize=9, leading=11)
    table = Table([[Paragraph(c, cell) for c in row] for row in OPEN_ROWS],
                  colWidths=[75, 95, 95])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), "#7bafde"),
                               ("LINEBELOW", (0, 1), (-1, -1), 0.5, "black"),
                               ("LINEAFTER", (0, 0), (-2, -1), 0.5, "black")]))
    story = [Paragraph("1 How the trust changed", h1), Paragraph(PROSE * 2, body), table,
             Paragraph(PROSE * 2, body)]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def _whole(rows, passages) -> list[bool]:
    import re

    def key(text: str) -> str:
        return re.sub(r"[\W_]+", "", text.lower())

    lines = [key(ln) for p in passages for ln in p.text.split("\n")]
    return [any(all(key(c) in ln for c in row) for ln in lines) for row in rows]


def test_a_table_with_no_rule_down_its_outer_edges_keeps_its_outer_columns(tmp_path):
    doc, passages = _read(_open_sided_table(tmp_path / "open.pdf"))
    assert all(_whole(OPEN_ROWS, passages)), [p.text for p in passages]
    assert any(b.kind == "table" and b.rows == OPEN_ROWS for b in doc.blocks), \
        [(b.kind, b.text[:60]) for b in doc.blocks]


@pytest.mark.skipif(DOCLING is None or not (DOCLING / "normal_4pages.pdf").exists(),
                    reason="../shared/docling/normal_4pages.pdf not present")
def test_docling_korean_brief_table_keeps_its_outer_columns():
    """normal_4pages.pdf page 2, [표 1]: vertical rules between the columns only, none down
    the outer edges; the first column (구분: 분류, 분류 기준, 대상 질병, U코드) and the last
    (개정후) are the table's."""
    _doc, passages = _read(DOCLING / "normal_4pages.pdf")
    rows = [["분류", "1군 감염병", "1급 감염병"],
            ["U코드", "◦ 대상질병에 U코드 없음", "중동호흡기증후군(MERS)(U)"]]
    assert all(_whole(rows, passages)), [p.text for p in passages if "감염병" in p.text][:3]
    # Printed in the left column under (1), before (2) opens the right column.
    holder = next(p for p in passages if p.kind == "table" and "1군 감염병" in p.text)
    assert holder.section[-1] == "(1) 「감염병의 예방 및 관리에 관한 법률」 개정", holder.section


def test_a_table_in_the_left_column_stays_in_its_section(tmp_path):
    """Two columns; a ruled table in the left one, under "(1) ...", and "(2) ..." starting in
    the right column: the table is read where it is printed, in section (1)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        PageTemplate,
        Paragraph,
        Table,
        TableStyle,
    )

    body = ParagraphStyle("body", fontName="Times-Roman", fontSize=10.5, leading=13,
                          spaceAfter=5)
    clause = ParagraphStyle("clause", fontName="Helvetica-Bold", fontSize=12, leading=15,
                            spaceBefore=8, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName="Helvetica", fontSize=8.5, leading=10)
    rows = [["Phase", "Schools", "Pupils"], ["Primary", "12", "3,410"],
            ["Secondary", "3", "2,906"], ["Special", "1", "96"]]
    table = Table([[Paragraph(c, cell) for c in r] for r in rows], colWidths=[80, 70, 70])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    width, height = A4
    frames = [Frame(40, 60, (width - 100) / 2, height - 120, id="left"),
              Frame(60 + (width - 100) / 2, 60, (width - 100) / 2, height - 120, id="right")]
    doc = BaseDocTemplate(str(tmp_path / "cols.pdf"), pagesize=A4,
                          pageTemplates=[PageTemplate("two", frames)])
    story = [Paragraph("(1) Governance and oversight", clause), Paragraph(PROSE * 4, body),
             table, Paragraph(PROSE * 6, body), Paragraph("(2) Money and shared services", clause),
             Paragraph(PROSE * 8, body)]
    doc.build(story)
    d, passages = _read(tmp_path / "cols.pdf")
    holder = next(p for p in passages if "Secondary" in p.text)
    assert holder.section[-1] == "(1) Governance and oversight", (holder.section, holder.text)


def test_two_columns_set_with_open_leading_are_read_column_by_column(tmp_path):
    """Lines set far apart (leading 1.7 times the size) come out of pdfminer one box each: the
    columns are still columns (justified lines of one width on each side), never joined
    across the gutter into rows ("... left line | right line")."""
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    body = ParagraphStyle("body", fontName="Times-Roman", fontSize=10, leading=17,
                          alignment=TA_JUSTIFY, spaceAfter=4)
    clause = ParagraphStyle("clause", fontName="Helvetica-Bold", fontSize=12, leading=17,
                            spaceBefore=8, spaceAfter=4)
    width, height = A4
    frames = [Frame(40, 60, (width - 100) / 2, height - 120, id="left"),
              Frame(60 + (width - 100) / 2, 60, (width - 100) / 2, height - 120, id="right")]
    doc = BaseDocTemplate(str(tmp_path / "open.pdf"), pagesize=A4,
                          pageTemplates=[PageTemplate("two", frames)])
    left = "Each school kept its own governors until the trust's second year. "
    right = "The central team took on payroll, estates and the data returns. "
    doc.build([Paragraph("(1) Governance and oversight", clause), Paragraph(left * 22, body),
               Paragraph("(2) Money and shared services", clause), Paragraph(right * 45, body)])
    _d, passages = _read(tmp_path / "open.pdf")
    text = "\n".join(p.text for p in passages)
    assert " | " not in text, text[:400]
    for p in passages:
        if "central team took on payroll" in p.text:
            assert p.section[-1] == "(2) Money and shared services", p.section
        if "kept its own governors" in p.text:
            assert p.section[-1] == "(1) Governance and oversight", p.section


@pytest.mark.skipif(DOCLING is None or not (DOCLING / "normal_4pages.pdf").exists(),
                    reason="../shared/docling/normal_4pages.pdf not present")
def test_docling_korean_brief_last_page_in_columns():
    """normal_4pages.pdf page 4: every line its own text box; the left column's (1) runs on
    under its heading, not under "5 맺으며" in the right column."""
    _doc, passages = _read(DOCLING / "normal_4pages.pdf")
    holder = next(p for p in passages if "가입한 생명보험약관도" in p.text)
    assert holder.section[-1] == "(1) 「약관규제법」에 따른 보험금 지급 검토 필요", holder.section
    assert "기준으로 재 |" not in holder.text  # a left line joined to a right one


def test_a_section_number_set_in_a_box_of_its_own_opens_its_heading(tmp_path):
    """"5  Conclusions" with the number in a shaded box: two pieces of text on one baseline,
    one heading "5 Conclusions" (not the cells "5 | Conclusions" of a table row)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    body = ParagraphStyle("body", fontName="Times-Roman", fontSize=11, leading=14,
                          spaceAfter=6)
    head = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=14, leading=17)
    story = []
    for number, title in (("4", "What changed"), ("5", "Conclusions")):
        band = Table([[Paragraph(number, head), Paragraph(title, head)]], colWidths=[24, 300])
        band.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, 0), "#1f5f8b"),
                                  ("LEFTPADDING", (1, 0), (1, 0), 12)]))
        story += [band, Paragraph(PROSE * 3, body)]
    SimpleDocTemplate(str(tmp_path / "boxed.pdf"), pagesize=A4).build(story)
    doc, passages = _read(tmp_path / "boxed.pdf")
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert headings == ["4 What changed", "5 Conclusions"], headings


@pytest.mark.skipif(DOCLING is None or not (DOCLING / "normal_4pages.pdf").exists(),
                    reason="../shared/docling/normal_4pages.pdf not present")
def test_docling_korean_brief_boxed_section_numbers():
    doc, _passages = _read(DOCLING / "normal_4pages.pdf")
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert "2 코로나-19 관련 보험 현황" in headings and "5 맺으며" in headings, headings
