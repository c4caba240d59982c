"""Issue 21, item 4: tables ruled by horizontal rules only (no vertical lines: rules between
rows, or booktabs rules above, under the header and below) are tables, read row by row with
every cell of a row on one line; rules that frame prose are no table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from shared_data import DOCLING

from ingest import chunk_document, read_document

ROWS = [["School", "Phase", "Pupils", "Staff"],
        ["Ashdown Primary", "Primary", "412", "31"],
        ["Brook Lane Academy", "Secondary", "1,046", "88"],
        ["Castle Mead School", "Special", "96", "40"],
        ["Dale View Primary", "Primary", "230", "19"]]

PROSE = ("The trust's schools shared one improvement plan and met each half term to compare "
         "their pupils' progress, so that leaders could see where help was needed first. ")


def _typeset(path: Path, rows: list[list[str]], rules: str, header: bool = True,
             frame_prose: bool = False) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    body = ParagraphStyle("body", fontName="Times-Roman", fontSize=11, leading=14, spaceAfter=6)
    head = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=14, leading=17,
                          spaceAfter=6)
    cell = ParagraphStyle("cell", fontName="Times-Roman", fontSize=10, leading=12)
    bold = ParagraphStyle("cellb", parent=cell, fontName="Times-Bold")
    data = [[Paragraph(c, bold if header and r == 0 else cell) for c in row]
            for r, row in enumerate(rows)]
    table = Table(data, colWidths=[150, 90, 70, 60])
    commands = [("VALIGN", (0, 0), (-1, -1), "TOP")]
    if rules == "rows":
        commands += [("LINEABOVE", (0, 0), (-1, -1), 0.5, "black"),
                     ("LINEBELOW", (0, -1), (-1, -1), 0.5, "black")]
    else:  # booktabs
        commands += [("LINEABOVE", (0, 0), (-1, 0), 1, "black"),
                     ("LINEBELOW", (0, -1), (-1, -1), 1, "black")]
        if header:
            commands.append(("LINEBELOW", (0, 0), (-1, 0), 0.5, "black"))
    table.setStyle(TableStyle(commands))
    story = [Paragraph("1. Schools of the trust", head), Paragraph(PROSE * 2, body), table,
             Paragraph(PROSE, body)]
    if frame_prose:  # prose between two full-width rules, as a boxed summary is set
        rule = Table([[Paragraph(PROSE * 3, body)]], colWidths=[400])
        rule.setStyle(TableStyle([("LINEABOVE", (0, 0), (-1, 0), 1, "black"),
                                  ("LINEBELOW", (0, -1), (-1, -1), 1, "black")]))
        story = [Paragraph("1. Schools of the trust", head), rule, Paragraph(PROSE, body)]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def _read(path: Path):
    doc = read_document(path, path.parent, {})
    return doc, chunk_document(doc)


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _whole(rows, passages) -> list[bool]:
    lines = [_key(ln) for p in passages for ln in p.text.split("\n")]
    return [any(all(_key(c) in ln for c in row) for ln in lines) for row in rows]


@pytest.mark.parametrize("rules", ["rows", "booktabs"])
def test_horizontal_rules_only_make_a_table(tmp_path, rules):
    doc, passages = _read(_typeset(tmp_path / f"{rules}.pdf", ROWS, rules))
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 1, [(b.kind, b.text[:50]) for b in doc.blocks]
    assert tables[0].rows == ROWS
    assert all(_whole(ROWS, passages))
    holder = next(p for p in passages if p.kind == "table")
    assert "School: Brook Lane Academy; Phase: Secondary; Pupils: 1,046; Staff: 88" in holder.text
    assert holder.section == ["1. Schools of the trust"]


def test_a_wrapped_cell_stays_in_its_row(tmp_path):
    """Booktabs rules have no rule between rows: a cell wrapped onto a second line is still
    its row's, not a row of its own."""
    rows = [["Title", "Briefing paper: the efficacy of school federations and multi academy "
                      "trusts, with proposed training for executive headship"],
            ["Type", "briefing"],
            ["Author", "A fictional local authority"]]
    doc, passages = _read(_typeset(tmp_path / "kv.pdf", rows, "booktabs", header=False))
    text = "\n".join(p.text for p in passages)
    assert "Type: briefing" in text and "Author: A fictional local authority" in text
    assert ("Title: Briefing paper: the efficacy of school federations and multi academy "
            "trusts, with proposed training for executive headship") in text


def test_rules_around_prose_are_no_table(tmp_path):
    doc, passages = _read(_typeset(tmp_path / "framed.pdf", ROWS, "booktabs", frame_prose=True))
    assert not any(b.kind == "table" for b in doc.blocks)
    assert any(PROSE.strip() in p.text for p in passages)


@pytest.mark.skipif(DOCLING is None, reason="../shared/docling/ not present")
def test_docling_table_whose_outer_columns_have_no_vertical_rule():
    """2305.03393v1 page 9: the first and last columns stand outside the vertical rules; the
    horizontal rules span them, so they are the table's too: each ruled band is one row."""
    _doc, passages = _read(DOCLING / "2305.03393v1-pg9.pdf")
    rows = [["6", "6", "OTSL HTML", "0.965 0.969", "0.934 0.927", "0.955 0.955", "0.88 0.857",
             "2.73 5.39"],
            ["4", "2", "OTSL HTML", "0.952 0.944", "0.92 0.903", "0.942 0.931", "0.857 0.824",
             "1.22 2"]]
    assert all(_whole(rows, passages)), [p.text for p in passages if p.kind == "table"]
    table = next(p for p in passages if p.kind == "table")
    assert "Inference time (secs)" in table.text and "# enc-layers" in table.text


def test_headings_over_rules_are_no_table(tmp_path):
    """A CV's layout: each section heading set over a rule, dates and places under it. The
    rules stack at one width, but the bands between them are sections, not rows."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "cv.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    y = 760
    for heading, entries in (("Education", [("2018.05 - 2020.05", ""),
                                            ("Northfield College", "Computing (applied) BSc"),
                                            ("2006.01 - 2007.01", ""),
                                            ("Brook Lane School", "A levels")]),
                             ("Training", [("2018.05 - 2019.01", ""),
                                           ("Castle Mead Trust", "Leadership course")]),
                             ("Languages", [("English", "fluent")])):
        c.setFont("Helvetica-Bold", 10.5)  # close to the entries: one size to the eye
        c.drawString(60, y, heading)
        c.line(60, y - 5, 530, y - 5)
        y -= 24
        for left, right in entries:
            c.setFont("Helvetica", 9)
            c.drawString(60, y, left)
            if right:
                c.drawString(300, y, right)
            y -= 16
        y -= 14
    c.save()
    doc, passages = _read(path)
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    assert {"Education", "Training", "Languages"} <= set(headings), headings
    assert any(p.section == ["Training"] and "Castle Mead Trust" in p.text for p in passages)
