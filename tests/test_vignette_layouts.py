"""Key dimensions read field by field whatever the layout a vignette's author chose (issue 21,
item 4): bold-label lists, a header row over the table, labels as headings with the value on
the next line, labels and values in space-aligned columns, wrapped values, the label column
read before the value column, and the text after the block left out of it. Small typeset
fixtures are written here (python-docx, reportlab) and read as the app reads them."""

from __future__ import annotations

from pathlib import Path

from ingest import chunk_document, read_document
from ingest.vignettes import canonical_field, parse_key_dimensions_block, parse_vignette


def _values(lines: list[str]) -> dict[str, str]:
    return parse_key_dimensions_block(lines).values()


def _read(path: Path):
    doc = read_document(path, path.parent, {})
    return doc, chunk_document(doc)


def test_a_bold_label_is_the_label_whatever_separators_the_value_holds():
    values = _values(["- **Number of schools** – 3 schools - 3 P: 0 S",
                      "- **Distribution** – regional"])
    assert values == {"number_of_schools": "3 schools - 3 P: 0 S", "distribution": "regional"}


def test_the_first_separator_after_a_label_splits_it():
    values = _values(["Number of schools – 9 schools - 6 P: 3 S", "Governance - board: trust"])
    assert values["number_of_schools"] == "9 schools - 6 P: 3 S"
    assert values["governance"] == "board: trust"


def test_label_variants_are_recognised():
    values = _values(["No. of schools: 4", "Urban/rural mix: rural", "Local/central balance: "
                      "more local", "Evaluating school improvement: informal"])
    assert set(values) == {"number_of_schools", "urban_rural", "decision_making", "evaluation"}


def test_a_header_row_naming_the_columns_is_not_a_field():
    values = _values(["Dimension: Description", "Number of schools: 9", "Distribution: local"])
    assert values == {"number_of_schools": "9", "distribution": "local"}


def test_text_after_the_block_is_not_a_field():
    v = parse_key_dimensions_block(["Number of schools: 9", "Distribution: local",
                                    "Written for the layout tuning set.",
                                    "Source: trust annual report, invented for this set."])
    assert v.values() == {"number_of_schools": "9", "distribution": "local"}


def test_columns_separated_by_spaces_and_wrapped_values():
    values = _values(["Number of schools        6 schools - 0 P: 5 S: 1 all-",
                      "                         through",
                      "Approach to governance   trust board, no local governing",
                      "                         bodies",
                      "Pupils on roll           640"])
    assert values == {"number_of_schools": "6 schools - 0 P: 5 S: 1 all-through",
                      "governance": "trust board, no local governing bodies",
                      "other:Pupils on roll": "640"}


def test_a_label_value_line_that_wraps_keeps_its_value_whole():
    values = _values(["Balance of local/central decision making: more", "local",
                      "Approach to governance: trust board with local", "governing bodies"])
    assert values == {"decision_making": "more local",
                      "governance": "trust board with local governing bodies"}


def test_values_on_the_next_line_whatever_words_they_hold():
    values = _values(["Model of delegation", "common scheme of delegation", "Distribution",
                      "local", "Pupils on roll", "4,200"])
    assert values == {"delegation": "common scheme of delegation", "distribution": "local",
                      "other:Pupils on roll": "4,200"}


def test_a_value_under_its_label_holding_a_colon_and_wrapping_stays_whole():
    """Round 12: a value set under its label that holds a colon ("formal: termly data reviews
    ...") is the label's value, not a label of its own, and its wrap onto a line starting in
    lower case is more of it, not an unlabelled line."""
    values = _values(["Model of delegation", "heads hold budgets",
                      "Evaluating school improvement", "formal: termly data reviews and an",
                      "annual external review", "Pupils on roll", "4,200"])
    assert values == {"delegation": "heads hold budgets",
                      "evaluation": "formal: termly data reviews and an annual external review",
                      "other:Pupils on roll": "4,200"}


def test_the_label_column_read_before_the_value_column_is_paired_in_order():
    values = _values(["Delegation | heads hold budgets", "School improvement", "priorities",
                      "Evaluating school", "improvement", "set by each head with a trust adviser",
                      "informal", "Settled/evolving | settled"])
    assert values == {"delegation": "heads hold budgets",
                      "improvement_priorities": "set by each head with a trust adviser",
                      "evaluation": "informal", "stage": "settled"}


def test_an_unknown_dimension_in_a_table_cell_is_kept_under_its_label():
    assert _values(["Distribution | local", "Year founded | 2014"]) == {
        "distribution": "local", "other:Year founded": "2014"}


def test_labels_set_as_headings_under_the_marker_stay_in_the_block():
    lines = ["# Elm Trust", "A Church of England trust. Governance: foundation members.",
             "## Key dimensions", "### Number of schools", "7 schools - 7 P: 0 S",
             "### Distribution", "local", "### Religious character", "Church of England",
             "Written for the tests."]
    assert parse_vignette(lines).values() == {"number_of_schools": "7 schools - 7 P: 0 S",
                                              "distribution": "local",
                                              "other:Religious character": "Church of England"}


def test_word_vignette_with_labels_as_headings(tmp_path):
    import docx
    d = docx.Document()
    d.add_heading("Elm Church Academies", level=1)
    d.add_paragraph("A trust formed by the diocese; its governance is described below.")
    d.add_heading("Key dimensions", level=2)
    for k, v in [("Number of schools", "7 schools - 7 P: 0 S"), ("Distribution", "local"),
                 ("Religious character", "Church of England")]:
        d.add_heading(k, level=3)
        d.add_paragraph(v)
    d.add_paragraph("Written for the tests.")
    d.save(tmp_path / "vignette-elm.docx")
    doc, passages = _read(tmp_path / "vignette-elm.docx")
    assert passages[0].kind == "vignette" and passages[0].title == "Elm Church Academies"
    assert passages[0].key_dimensions == {"number_of_schools": "7 schools - 7 P: 0 S",
                                          "distribution": "local",
                                          "other:Religious character": "Church of England"}


def test_pdf_borderless_table_with_wrapped_labels(tmp_path):
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    cell = ParagraphStyle("c", fontName="Helvetica", fontSize=9.5, leading=11.5)
    bold = ParagraphStyle("b", parent=cell, fontName="Helvetica-Bold")
    rows = [("No. of schools", "6 schools - 6 P: 0 S"), ("Delegation", "heads hold budgets"),
            ("School improvement priorities", "set by each head with a trust adviser"),
            ("Evaluating school improvement", "informal"), ("Settled/evolving", "settled")]
    t = Table([[Paragraph(k, bold), Paragraph(v, cell)] for k, v in rows],
              colWidths=[30 * mm, 110 * mm])
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#DDE6EE")),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    title = ParagraphStyle("t", fontName="Helvetica-Bold", fontSize=18, leading=22)
    h2 = ParagraphStyle("h", fontName="Helvetica-Bold", fontSize=13, leading=16)
    body = ParagraphStyle("p", fontName="Times-Roman", fontSize=10.5, leading=13.5)
    SimpleDocTemplate(str(tmp_path / "vignette-holly.pdf"), pagesize=A4, invariant=1).build(
        [Paragraph("Holly Primary Trust", title),
         Paragraph("Holly is a trust of small primary schools.", body),
         Paragraph("Key dimensions", h2), t])
    _, passages = _read(tmp_path / "vignette-holly.pdf")
    assert passages[0].key_dimensions == {
        "number_of_schools": "6 schools - 6 P: 0 S", "delegation": "heads hold budgets",
        "improvement_priorities": "set by each head with a trust adviser",
        "evaluation": "informal", "stage": "settled"}
    assert passages[0].page_start == 1


def test_word_tab_between_label_and_value(tmp_path):
    import docx
    d = docx.Document()
    d.add_heading("Fell Trust", level=1)
    d.add_paragraph("Fell is a trust of five schools.")
    d.add_heading("Key dimensions", level=2)
    for k, v in [("Number of schools", "5 schools - 2 P: 3 S"), ("Year founded", "2014")]:
        d.add_paragraph(f"{k}\t{v}")
    d.save(tmp_path / "vignette-fell.docx")
    doc, passages = _read(tmp_path / "vignette-fell.docx")
    assert passages[0].key_dimensions == {"number_of_schools": "5 schools - 2 P: 3 S",
                                          "other:Year founded": "2014"}
    # the passage quotes the line as the block reads it; the page's text agrees with it
    from ingest.normalise import match_key
    assert "Year founded 2014" in passages[0].text
    assert match_key("Year founded 2014") in match_key(doc.pages[0].text)


def test_a_header_row_that_labelled_every_row_is_not_kept_as_a_field():
    # a PDF or Word table with a header row: each row's cells come labelled by the header
    lines = ["Dimension | Description",
             "Dimension: Number of schools; Description: 9 schools - 6 P: 3 S",
             "Dimension: Pupils on roll; Description: 2,100"]
    assert _values(lines) == {"number_of_schools": "9 schools - 6 P: 3 S",
                              "other:Pupils on roll": "2,100"}


def test_a_short_note_after_the_block_is_not_a_field():
    assert _values(["Distribution: local", "Governance: trust board", "Updated 2024."]) == {
        "distribution": "local", "governance": "trust board"}


def test_a_pdf_whose_metadata_title_is_a_placeholder_is_named_by_its_heading(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    for placeholder in ("untitled", "Microsoft Word - vignette draft 3.docx"):
        path = tmp_path / "vignette-zeta.pdf"
        c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
        c.setTitle(placeholder)
        c.setFont("Helvetica-Bold", 18)
        c.drawString(50, 790, "Zeta Learning Trust")
        c.setFont("Times-Roman", 11)
        c.drawString(50, 760, "Zeta is a trust of nine schools in one county.")
        c.setFont("Helvetica-Bold", 13)
        c.drawString(50, 730, "Key dimensions")
        c.setFont("Helvetica", 10)
        c.drawString(50, 710, "Number of schools: 9 schools - 6 P: 3 S")
        c.drawString(50, 695, "Distribution: local")
        c.save()
        doc, passages = _read(path)
        assert doc.info.title == "Zeta Learning Trust", placeholder
        assert passages[0].key_dimensions["distribution"] == "local"


def _label_value_pdf(path: Path, rows, value_x: float = 220) -> None:
    """Labels and values drawn at two x positions, no table: a value that wraps is two lines
    at the value's x (pdfminer groups them as one box, apart from the label)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica-Bold", 18)
    c.drawString(50, 790, "Epsilon Trust")
    c.setFont("Times-Roman", 11)
    c.drawString(50, 760, "Epsilon is a trust of nine schools in one county, formed in 2012.")
    c.setFont("Helvetica-Bold", 13)
    c.drawString(50, 730, "Key dimensions")
    y = 705
    for label, value_lines in rows:
        c.setFont("Helvetica-Bold", 10)
        c.drawString(50, y, label)
        c.setFont("Helvetica", 10)
        for k, text in enumerate(value_lines):
            c.drawString(value_x, y - 13 * k, text)
        y -= 13 * len(value_lines) + 6
    c.save()


def test_pdf_label_beside_a_value_that_wraps_is_read_in_its_row(tmp_path):
    rows = [("Number of schools", ["9 schools - 6 P: 3 S"]), ("Distribution", ["regional"]),
            ("Urban/rural mix", ["mixed urban and rural"]),
            ("Governance", ["trust board with local", "governing bodies"]),
            ("Delegation", ["earned autonomy"]), ("Pupils on roll", ["2,100"])]
    _label_value_pdf(tmp_path / "vignette-epsilon.pdf", rows)
    doc, passages = _read(tmp_path / "vignette-epsilon.pdf")
    assert passages[0].key_dimensions == {
        "number_of_schools": "9 schools - 6 P: 3 S", "distribution": "regional",
        "urban_rural": "mixed urban and rural",
        "governance": "trust board with local governing bodies", "delegation": "earned autonomy",
        "other:Pupils on roll": "2,100"}
    lines = [x for x in doc.pages[0].text.split("\n") if x.strip()]
    # read in its row, not after the table; since round 12 the row is one line, its value's
    # wrap joined to it (ingest/pdf_layout.py _key_value_grid)
    assert "Governance | trust board with local governing bodies" in lines


def test_a_markdown_table_whose_header_row_is_a_field_keeps_it():
    assert _values(["| Number of schools | 9 schools - 6 P: 3 S |", "|---|---|",
                    "| Distribution | regional |"]) == {
        "number_of_schools": "9 schools - 6 P: 3 S", "distribution": "regional"}


def test_dot_leaders_between_label_and_value():
    assert _values(["Number of schools ........ 9 schools - 6 P: 3 S",
                    "Pupils on roll ........... 2,100"]) == {
        "number_of_schools": "9 schools - 6 P: 3 S", "other:Pupils on roll": "2,100"}


def test_the_marker_with_words_after_it_opens_the_block():
    lines = ["Theta Trust", "Governance: the board meets monthly and reviews every school.",
             "Key dimensions of the trust", "Number of schools", "9 schools - 6 P: 3 S",
             "Distribution", "regional"]
    v = parse_vignette(lines)
    assert v.values() == {"number_of_schools": "9 schools - 6 P: 3 S", "distribution": "regional"}
    assert not any("no “Key dimensions” block" in w for w in v.warnings)


def test_html_label_and_value_parted_by_a_line_break(tmp_path):
    rows = "".join(f"<p><strong>{k}</strong><br>{v}</p>" for k, v in [
        ("Number of schools", "9 schools - 6 P: 3 S"), ("Distribution", "regional"),
        ("Pupils on roll", "2,100")])
    (tmp_path / "vignette-iota.html").write_text(
        "<html><body><main><h1>Iota Trust</h1><p>Iota is a trust with a long history of "
        f"working together across the county.</p><h2>Key dimensions</h2>{rows}</main>"
        "</body></html>", encoding="utf-8")
    doc, passages = _read(tmp_path / "vignette-iota.html")
    assert passages[0].key_dimensions == {"number_of_schools": "9 schools - 6 P: 3 S",
                                          "distribution": "regional",
                                          "other:Pupils on roll": "2,100"}


def test_word_label_and_value_parted_by_a_line_break(tmp_path):
    import docx
    d = docx.Document()
    d.add_heading("Lambda Trust", level=1)
    d.add_paragraph("Lambda is a trust of nine schools.")
    d.add_heading("Key Dimensions", level=2)
    for k, v in [("Number of schools", "9 schools - 6 P: 3 S"), ("Distribution", "regional"),
                 ("Pupils on roll", "2,100")]:
        p = d.add_paragraph()
        r = p.add_run(k)
        r.bold = True
        r.add_break()
        p.add_run(v)
    d.save(tmp_path / "vignette-lambda.docx")
    doc, passages = _read(tmp_path / "vignette-lambda.docx")
    assert passages[0].key_dimensions == {"number_of_schools": "9 schools - 6 P: 3 S",
                                          "distribution": "regional",
                                          "other:Pupils on roll": "2,100"}
    assert "Pupils on roll 2,100" in passages[0].text  # the block's text as before


def test_a_table_of_two_label_value_pairs_a_row(tmp_path):
    import docx
    pairs = [("Number of schools", "9 schools - 6 P: 3 S"), ("Distribution", "regional"),
             ("Urban/rural mix", "mixed urban and rural"), ("Local/central balance",
                                                            "more central"),
             ("Governance", "trust board"), ("Delegation", "earned autonomy"),
             ("Pupils on roll", "2,100")]
    d = docx.Document()
    d.add_heading("Gamma Trust", level=1)
    d.add_paragraph("Gamma is a trust of nine schools.")
    d.add_heading("Key dimensions", level=2)
    t = d.add_table(rows=0, cols=4)
    for i in range(0, len(pairs), 2):
        cells = t.add_row().cells
        cells[0].text, cells[1].text = pairs[i]
        if i + 1 < len(pairs):
            cells[2].text, cells[3].text = pairs[i + 1]
    d.save(tmp_path / "vignette-gamma.docx")
    _, passages = _read(tmp_path / "vignette-gamma.docx")
    assert passages[0].key_dimensions == {
        "number_of_schools": "9 schools - 6 P: 3 S", "distribution": "regional",
        "urban_rural": "mixed urban and rural", "decision_making": "more central",
        "governance": "trust board", "delegation": "earned autonomy",
        "other:Pupils on roll": "2,100"}


def test_fields_run_together_on_one_line_with_semicolons():
    assert _values(["Number of schools: 9 schools - 6 P: 3 S; Distribution: local; "
                    "Governance: trust board; with local committees"]) == {
        "number_of_schools": "9 schools - 6 P: 3 S", "distribution": "local",
        "governance": "trust board; with local committees"}


def test_a_wrapped_paragraph_after_the_block_is_not_a_field():
    # the next column's prose read after the block (a PDF line holds no full stop)
    lines = ["Number of schools: 9", "Distribution: local",
             "The trust was formed in 2012 when two secondary schools in the",
             "town agreed to share a sixth form and a business manager."]
    assert _values(lines) == {"number_of_schools": "9", "distribution": "local"}


def test_pdf_narrow_sidebar_with_values_wrapping_under_their_labels(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, FrameBreak, PageTemplate, Paragraph

    body = ParagraphStyle("b", fontName="Times-Roman", fontSize=10.5, leading=13.5,
                          spaceAfter=6)
    lab = ParagraphStyle("l", fontName="Helvetica-Bold", fontSize=9, leading=11, spaceBefore=5)
    val = ParagraphStyle("v", fontName="Helvetica", fontSize=9, leading=11)
    doc = BaseDocTemplate(str(tmp_path / "vignette-mu.pdf"), pagesize=A4, invariant=1)
    w, h = A4
    doc.addPageTemplates([PageTemplate("p", [
        Frame(20 * mm, h - 50 * mm, w - 40 * mm, 30 * mm, id="head"),
        Frame(20 * mm, 20 * mm, 110 * mm, h - 75 * mm, id="main"),
        Frame(140 * mm, 20 * mm, 45 * mm, h - 75 * mm, id="side")])])
    fields = [("Number of schools", "5 schools - 2 P: 3 S"), ("Distribution", "local"),
              ("Approach to governance", "trust board and local governing bodies for "
                                         "every school"),
              ("Model of delegation", "finance central, curriculum local")]
    flow = [Paragraph("Mu Schools Trust", ParagraphStyle("t", fontName="Helvetica-Bold",
                                                          fontSize=18, leading=22)),
            FrameBreak()]
    flow += [Paragraph("Mu formed in 2015 when three secondary schools in the same town "
                       "agreed to share a sixth form. " * 3, body), FrameBreak(),
             Paragraph("Key dimensions", ParagraphStyle("h", fontName="Helvetica-Bold",
                                                        fontSize=12, leading=15))]
    for k, v in fields:
        flow += [Paragraph(k, lab), Paragraph(v, val)]
    doc.build(flow)
    _, passages = _read(tmp_path / "vignette-mu.pdf")
    assert passages[0].key_dimensions == {
        "number_of_schools": "5 schools - 2 P: 3 S", "distribution": "local",
        "governance": "trust board and local governing bodies for every school",
        "delegation": "finance central, curriculum local"}


def test_more_natural_label_wordings():
    assert _values(["Local vs central: more central", "Priority setting: by the heads",
                    "Scheme of delegation: earned autonomy"]) == {
        "decision_making": "more central", "improvement_priorities": "by the heads",
        "delegation": "earned autonomy"}
    assert canonical_field("Local v. central") == "decision_making"
    assert canonical_field("Central or local decision-making") == "decision_making"


def test_pdf_ruled_table_with_the_templates_long_label_is_key_value(tmp_path):
    """A ruled label/value grid whose labels are the synopsis's own: "Informal or formal
    approaches to evaluate the effectiveness of school improvement" is eleven words, longer
    than a label was allowed to be, so the first row was taken for a header and every later
    cell came out as "<first value>: <cell>" (the bug issue 21 names for ruled vignettes)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    cell = ParagraphStyle("c", fontName="Helvetica", fontSize=9.5, leading=11.5)
    bold = ParagraphStyle("b", parent=cell, fontName="Helvetica-Bold")
    rows = [("Number of schools", "11 schools - 8 P: 3 S"), ("Distribution", "regional"),
            ("Mix of context (urban/rural)", "mixed urban and rural"),
            ("Balance of local/central decision making", "more central"),
            ("Approach to governance", "one board with local committees"),
            ("Model of delegation", "scheme of delegation"),
            ("Way of setting school improvement priorities", "trust-wide plan"),
            ("Informal or formal approaches to evaluate the effectiveness of school "
             "improvement", "formal")]
    t = Table([[Paragraph(k, bold), Paragraph(v, cell)] for k, v in rows],
              colWidths=[70 * mm, 90 * mm])
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                           ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#E4E4E4")),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    title = ParagraphStyle("t", fontName="Helvetica-Bold", fontSize=18, leading=22)
    h2 = ParagraphStyle("h", fontName="Helvetica-Bold", fontSize=13, leading=16)
    body = ParagraphStyle("p", fontName="Times-Roman", fontSize=10.5, leading=13.5)
    SimpleDocTemplate(str(tmp_path / "vignette-alder.pdf"), pagesize=A4, invariant=1).build(
        [Paragraph("Alder Vale Trust", title),
         Paragraph("Alder Vale is a trust of eleven schools.", body),
         Paragraph("Key dimensions", h2), t])
    _, passages = _read(tmp_path / "vignette-alder.pdf")
    assert passages[0].key_dimensions == {
        "number_of_schools": "11 schools - 8 P: 3 S", "distribution": "regional",
        "urban_rural": "mixed urban and rural", "decision_making": "more central",
        "governance": "one board with local committees", "delegation": "scheme of delegation",
        "improvement_priorities": "trust-wide plan", "evaluation": "formal"}


def _borderless_vignette(path: Path, rows: list[tuple[str, str]], label_width: float) -> Path:
    """A vignette whose key dimensions are a borderless two-column table (no rules, no
    shading): bold labels left, values right, both wrapping within their columns, each row's
    cells set from its top."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    cell = ParagraphStyle("c", fontName="Helvetica", fontSize=9.5, leading=11.5)
    bold = ParagraphStyle("b", parent=cell, fontName="Helvetica-Bold")
    t = Table([[Paragraph(k, bold), Paragraph(v, cell)] for k, v in rows],
              colWidths=[label_width * cm, 7.3 * cm], hAlign="LEFT")
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
    title = ParagraphStyle("t", fontName="Helvetica-Bold", fontSize=18, leading=22)
    h2 = ParagraphStyle("h", fontName="Helvetica-Bold", fontSize=13, leading=16)
    body = ParagraphStyle("p", fontName="Times-Roman", fontSize=10.5, leading=13.5)
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(
        [Paragraph("Rowan Vale Trust", title),
         Paragraph("Rowan Vale is a trust of rural schools in two counties.", body),
         Spacer(1, 10), Paragraph("Key dimensions", h2), t,
         Paragraph("Written for the tests; the trust is invented.", body)])
    return path


ROWAN_ROWS = [
    ("Number of schools", "9 schools - 7 P: 2 S"),
    ("Distribution", "regional (two counties)"),
    ("Mix of context (urban/rural)",
     "mostly rural, with two schools in market towns and one on a coastal estate"),
    ("Approach to governance",
     "a board of trustees with local committees that advise the heads on each plan"),
    ("Way of setting school improvement priorities",
     "priorities agreed by the heads together, with a trust lead who checks each plan"),
    ("Informal or formal approaches to evaluate the effectiveness of school improvement",
     "informal: paired visits between heads and an annual peer review"),
]
ROWAN_FIELDS = {
    "number_of_schools": "9 schools - 7 P: 2 S", "distribution": "regional (two counties)",
    "urban_rural": "mostly rural, with two schools in market towns and one on a coastal estate",
    "governance": "a board of trustees with local committees that advise the heads on each plan",
    "improvement_priorities":
        "priorities agreed by the heads together, with a trust lead who checks each plan",
    "evaluation": "informal: paired visits between heads and an annual peer review"}


def test_pdf_borderless_table_rows_whole_when_values_wrap_and_labels_stack(tmp_path):
    """Round 12: a borderless key/value table read by its rows on the page, not by the text
    boxes pdfminer makes of it. A wide label column: two long labels each on one line stand
    one above the other, their wrapped values in one box beside them ("... with a" / "trust
    lead ..." / "informal: paired visits ..."): each value stays with its own label, and a
    value holding a colon ("informal: paired visits") is no label of its own."""
    path = _borderless_vignette(tmp_path / "vignette-rowan.pdf", ROWAN_ROWS, 10.5)
    _, passages = _read(path)
    assert passages[0].key_dimensions == ROWAN_FIELDS


def test_pdf_borderless_table_rows_whole_when_labels_wrap(tmp_path):
    """The same table with a narrow label column: labels wrap onto two or three lines beside
    values of one or two; the page may look like two columns of text. Every row whole."""
    path = _borderless_vignette(tmp_path / "vignette-rowan.pdf", ROWAN_ROWS, 5.0)
    _, passages = _read(path)
    assert passages[0].key_dimensions == ROWAN_FIELDS
