"""Issue 21, item 3: formulas (and code) are blocks of their own, in every format.

A display formula is kept verbatim as its own block: a line of its own in the passage, never a
heading, never glued to the sentence before or after it, and none of its symbols dropped.
- PDF: a line set in math fonts (TeX's CMMI/CMSY/CMEX, Cambria Math, STIX Math ...) or a run
  of mathematical symbols;
- Word: an OMML equation (`m:oMathPara`, or a paragraph holding only `m:oMath`), written out
  in a linear form ("(a+b)/(2c)", "x^2", "√(...)") instead of its runs' text run together;
- HTML: <pre> keeps its line breaks and indentation; MathML <math> is written out linearly.
Typeset here (reportlab with matplotlib's TeX fonts, raw OMML, HTML strings)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ingest import chunk_document, read_document

BODY = ("The trust's central team weighs each school's share of the pooled budget by its pupil "
        "numbers, so that larger schools pay more towards the services every school uses. ")


def _read(path: Path):
    doc = read_document(path, path.parent, {})
    return doc, chunk_document(doc)


def _all_text(passages) -> str:
    return "\n".join(p.text for p in passages)


# ----------------------------------------------------------------------------------- PDF


def _tex_fonts() -> Path:
    matplotlib = pytest.importorskip("matplotlib")
    d = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    if not (d / "cmmi10.ttf").exists():
        pytest.skip("matplotlib's TeX fonts are not installed")
    return d


def _register(names: list[str]) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    d = _tex_fonts()
    for n in names:
        if n not in pdfmetrics.getRegisteredFontNames():
            path = d / f"{n}.ttf"
            if not path.exists():
                pytest.skip(f"{n}.ttf not installed")
            pdfmetrics.registerFont(TTFont(n, str(path)))


def _pdf(path: Path, story_of) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    body_font = getattr(story_of, "body_font", "Times-Roman")
    body = ParagraphStyle("body", fontName=body_font, fontSize=11, leading=14, spaceAfter=6)
    head = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=14, leading=17,
                          spaceBefore=8, spaceAfter=6)
    formula = ParagraphStyle("formula", fontName=body_font, fontSize=11, leading=16,
                             alignment=1, spaceBefore=4, spaceAfter=8)
    story = [Paragraph("1. Funding the centre", head), Paragraph(BODY * 2, body)]
    story += story_of(body, formula)
    story += [Paragraph("2. Reserves", head), Paragraph(BODY, body)]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def _tex(s: str) -> str:
    """A display line as TeX sets it: letters in CMMI10 (math italic), digits, operators and
    brackets in CMR10 (the roman face), words such as 'where' in CMR10 too."""
    out = []
    for ch in s:
        font = "cmmi10" if ch.isalpha() else "cmr10"
        out.append(f'<font name="{font}">{ch}</font>' if ch != " " else " ")
    return "".join(out)


def test_pdf_tex_display_formula_is_a_block_of_its_own(tmp_path):
    _register(["cmmi10", "cmr10"])
    from reportlab.platypus import Paragraph

    def story(body, formula):
        return [Paragraph("Each school's charge is worked out as follows:", body),
                Paragraph(_tex("c = r p + f (1)"), formula),
                Paragraph("where r is the rate per pupil agreed by the board each year. "
                          + BODY, body)]

    doc, passages = _read(_pdf(tmp_path / "tex.pdf", story))
    formulas = [b for b in doc.blocks if b.kind == "formula"]
    assert [b.text for b in formulas] == ["c = r p + f (1)"], [(b.kind, b.text) for b in doc.blocks]
    sections = {s for p in passages for s in p.section}
    assert sections == {"1. Funding the centre", "2. Reserves"}, sections
    holder = next(p for p in passages if "c = r p + f (1)" in p.text)
    lines = holder.text.split("\n")
    assert "c = r p + f (1)" in lines  # a line of its own, glued to neither sentence
    assert holder.section == ["1. Funding the centre"]


def test_pdf_formula_lines_in_a_row_are_one_block(tmp_path):
    _register(["cmmi10", "cmr10"])
    from reportlab.platypus import Paragraph

    def story(body, formula):
        return [Paragraph("The two charges are:", body),
                Paragraph(_tex("a = r p + f"), formula),
                Paragraph(_tex("b = 2 a - k"), formula),
                Paragraph("Both are reviewed in the spring term. " + BODY, body)]

    doc, _ = _read(_pdf(tmp_path / "rows.pdf", story))
    formulas = [b for b in doc.blocks if b.kind == "formula"]
    assert [b.lines for b in formulas] == [["a = r p + f", "b = 2 a - k"]]


def test_pdf_symbol_run_in_the_body_face_is_a_formula(tmp_path):
    """A formula set in the body's own face (a Unicode face with the symbols): a line that
    is mostly mathematical symbols and single letters."""
    _register(["DejaVuSerif"])
    from reportlab.platypus import Paragraph

    def story(body, formula):
        return [Paragraph("The pooled share of school i is bounded:", body),
                Paragraph("∑ s ≤ √(n · α) + β", formula),
                Paragraph("so no school pays more than its cap. " + BODY, body)]

    story.body_font = "DejaVuSerif"
    doc, passages = _read(_pdf(tmp_path / "sym.pdf", story))
    formulas = [b for b in doc.blocks if b.kind == "formula"]
    assert [b.text for b in formulas] == ["∑ s ≤ √(n · α) + β"], [(b.kind, b.text)
                                                                  for b in doc.blocks]
    assert "∑ s ≤ √(n · α) + β" in _all_text(passages).split("\n")


def test_pdf_body_line_with_inline_math_stays_prose(tmp_path):
    """Letters set in math italic inside a sentence do not make the sentence a formula."""
    _register(["cmmi10", "cmr10"])
    from reportlab.platypus import Paragraph

    def story(body, formula):
        return [Paragraph('Let <font name="cmmi10">n</font> be the number of pupils and '
                          '<font name="cmmi10">r</font> the rate agreed for the year, so '
                          "each school knows its charge before the budget is set.", body)]

    doc, _ = _read(_pdf(tmp_path / "inline.pdf", story))
    assert not [b for b in doc.blocks if b.kind == "formula"]


# ---------------------------------------------------------------------------------- Word

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"


def _docx(path: Path, body: str) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml",
                    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Default Extension="rels" ContentType="'
                    'application/vnd.openxmlformats-package.relationships+xml"/><Default '
                    'Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
                    'document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                    'wordprocessingml.document.main+xml"/></Types>')
        zf.writestr("_rels/.rels",
                    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats'
                    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
                    'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
                    ' Target="word/document.xml"/></Relationships>')
        zf.writestr("word/document.xml",
                    f'<?xml version="1.0"?><w:document xmlns:w="{W}" xmlns:m="{M}"><w:body>'
                    f"{body}</w:body></w:document>")
    return path


def _p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def _r(text: str) -> str:
    return f"<m:r><m:t>{text}</m:t></m:r>"


# x = (−b ± √(b² − 4ac)) / 2a, as Word writes it
QUADRATIC = ("<m:oMath>" + _r("x=") + "<m:f><m:num>" + _r("−b±") + "<m:rad><m:radPr><m:degHide "
             'm:val="1"/></m:radPr><m:deg/><m:e><m:sSup><m:e>' + _r("b") + "</m:e><m:sup>"
             + _r("2") + "</m:sup></m:sSup>" + _r("−4ac") + "</m:e></m:rad></m:num><m:den>"
             + _r("2a") + "</m:den></m:f></m:oMath>")


def test_word_display_equation_is_a_formula_block_written_out_linearly(tmp_path):
    body = (_p("The roots are found with the usual formula:")
            + f"<w:p><m:oMathPara>{QUADRATIC}</m:oMathPara></w:p>"
            + _p("where a is never zero."))
    doc, passages = _read(_docx(tmp_path / "eq.docx", body))
    formulas = [b for b in doc.blocks if b.kind == "formula"]
    assert [b.text for b in formulas] == ["x=(−b±√(b^2−4ac))/(2a)"], [
        (b.kind, b.text) for b in doc.blocks]
    lines = _all_text(passages).split("\n")
    i = lines.index("x=(−b±√(b^2−4ac))/(2a)")
    assert lines[i - 1] == "The roots are found with the usual formula:"
    assert lines[i + 1] == "where a is never zero."


def test_word_paragraph_of_only_an_equation_is_a_formula(tmp_path):
    body = _p("The charge:") + f"<w:p>{QUADRATIC}</w:p>" + _p("That is all.")
    doc, _ = _read(_docx(tmp_path / "eq.docx", body))
    assert [b.kind for b in doc.blocks] == ["para", "formula", "para"]


def test_word_equation_structures_keep_every_symbol(tmp_path):
    """Sums with limits, subscripts, delimiters, functions, matrices and equation arrays:
    every m:t character is printed, in a linear form a reader can follow."""
    nary = ('<m:nary><m:naryPr><m:chr m:val="∑"/></m:naryPr><m:sub>' + _r("i=1")
            + "</m:sub><m:sup>" + _r("n") + "</m:sup><m:e><m:sSub><m:e>" + _r("s")
            + "</m:e><m:sub>" + _r("i") + "</m:sub></m:sSub></m:e></m:nary>")
    delim = ('<m:d><m:dPr><m:begChr m:val="["/><m:endChr m:val="]"/></m:dPr><m:e>' + _r("a")
             + "</m:e><m:e>" + _r("b") + "</m:e></m:d>")
    func = "<m:func><m:fName>" + _r("log") + "</m:fName><m:e>" + _r("k") + "</m:e></m:func>"
    matrix = ("<m:m><m:mr><m:e>" + _r("1") + "</m:e><m:e>" + _r("0") + "</m:e></m:mr><m:mr>"
              "<m:e>" + _r("0") + "</m:e><m:e>" + _r("1") + "</m:e></m:mr></m:m>")
    arr = ("<m:eqArr><m:e>" + _r("y=2x") + "</m:e><m:e>" + _r("z=y+1") + "</m:e></m:eqArr>")
    body = (_p("Totals:") + "<w:p><m:oMathPara><m:oMath>" + _r("T=") + nary + _r("+") + delim
            + _r("+") + func + _r("+") + matrix + "</m:oMath></m:oMathPara></w:p>"
            + "<w:p><m:oMathPara><m:oMath>" + arr + "</m:oMath></m:oMathPara></w:p>"
            + _p("End."))
    doc, passages = _read(_docx(tmp_path / "eq.docx", body))
    formulas = [b for b in doc.blocks if b.kind == "formula"]
    assert [b.lines for b in formulas] == [
        ["T=∑_(i=1)^n s_i+[a|b]+log k+[1, 0; 0, 1]"], ["y=2x", "z=y+1"]]
    text = _all_text(passages)
    for line in ("y=2x", "z=y+1"):
        assert line in text.split("\n")


def test_word_runs_of_letters_side_by_side_stay_words_apart(tmp_path):
    """Round 12: two runs (or a run and a script) that meet letter to letter are two symbols,
    as Word shows them ("π r²", "x dx"): a space between them, never one made-up word
    ("πr^2"); letters next to digits or operators are joined as before ("2a", "x="), and so
    are the pieces of prose Word split into runs ("wit" + "h braces")."""
    area = ("<m:oMath>" + _r("A=π") + "<m:sSup><m:e>" + _r("r") + "</m:e><m:sup>" + _r("2")
            + "</m:sup></m:sSup></m:oMath>")
    speed = ("<m:oMath>" + _r("v") + _r("t") + _r("=") + _r("2") + _r("d") + _r("+")
             + "<m:nary><m:e>" + _r("x") + _r("dx") + "</m:e></m:nary></m:oMath>")
    # a word Word split into runs (a language tag on "wit") is one word
    word = ("<m:oMath><m:limLow><m:e>" + _r("x") + "</m:e><m:lim>" + _r("group ") + _r("wit")
            + _r("h braces") + "</m:lim></m:limLow></m:oMath>")
    body = (_p("Three equations:") + f"<w:p><m:oMathPara>{area}</m:oMathPara></w:p>"
            + f"<w:p><m:oMathPara>{speed}</m:oMathPara></w:p>"
            + f"<w:p><m:oMathPara>{word}</m:oMathPara></w:p>" + _p("End."))
    doc, _ = _read(_docx(tmp_path / "eq.docx", body))
    assert [b.text for b in doc.blocks if b.kind == "formula"] == [
        "A=π r^2", "v t=2d+∫ x dx", "x_(group with braces)"]


def test_word_function_of_a_compound_argument_keeps_it_whole(tmp_path):
    """Round 12: cos of a fraction is "cos((nπx)/L)", not "cos(nπx)/L" (which reads as the
    cosine divided by L); a lone symbol stays "log k", a bracketed argument "sin(x)"."""
    cos = ("<m:func><m:fName>" + _r("cos") + "</m:fName><m:e><m:f><m:num>" + _r("nπx")
           + "</m:num><m:den>" + _r("L") + "</m:den></m:f></m:e></m:func>")
    sin = ("<m:func><m:fName>" + _r("sin") + "</m:fName><m:e><m:d><m:e>" + _r("x")
           + "</m:e></m:d></m:e></m:func>")
    log = "<m:func><m:fName>" + _r("log") + "</m:fName><m:e>" + _r("k") + "</m:e></m:func>"
    body = (_p("Terms:") + "<w:p><m:oMathPara><m:oMath>" + _r("y=") + cos + _r("+") + sin
            + _r("+") + _r("a") + log + "</m:oMath></m:oMathPara></w:p>" + _p("End."))
    doc, _ = _read(_docx(tmp_path / "eq.docx", body))
    assert [b.text for b in doc.blocks if b.kind == "formula"] == [
        "y=cos((nπx)/L)+sin(x)+a log k"]  # a function's name apart from the letter before


def test_word_inline_equation_stays_in_its_sentence_written_out(tmp_path):
    body = ('<w:p><w:r><w:t xml:space="preserve">The share is </w:t></w:r><m:oMath>'
            + "<m:f><m:num>" + _r("p") + "</m:num><m:den>" + _r("N") + "</m:den></m:f>"
            + '</m:oMath><w:r><w:t xml:space="preserve"> of the total.</w:t></w:r></w:p>')
    doc, passages = _read(_docx(tmp_path / "inline.docx", body))
    assert [b.kind for b in doc.blocks] == ["para"]
    assert "The share is p/N of the total." in _all_text(passages)


# ---------------------------------------------------------------------------------- HTML


def _html(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "page.html"
    path.write_text(f"<!doctype html><html><head><title>Funding</title></head><body><main>"
                    f"<h1>Funding the centre</h1>{body}</main></body></html>", encoding="utf-8")
    return path


def test_html_pre_keeps_its_lines_and_indentation(tmp_path):
    code = "def charge(rate, pupils):\n    base = rate * pupils\n    return base + FIXED"
    body = (f"<p>{BODY}</p><p>The charge is computed by:</p><pre><code>{code}</code></pre>"
            f"<p>It runs each spring. {BODY}</p>")
    doc, passages = _read(_html(tmp_path, body))
    codes = [b for b in doc.blocks if b.kind == "code"]
    assert [b.lines for b in codes] == [code.split("\n")], [(b.kind, b.text) for b in doc.blocks]
    text = _all_text(passages)
    assert code in text
    assert "It runs each spring." not in text.split("\n")[text.split("\n").index(
        "    return base + FIXED")]
    assert {s for p in passages for s in p.section} == {"Funding the centre"}


MATHML = ('<math display="block"><semantics><mrow><mi>c</mi><mo>=</mo><mfrac><mrow><mi>r</mi>'
          "<mo>+</mo><mi>f</mi></mrow><mi>n</mi></mfrac><mo>+</mo><msup><mi>k</mi><mn>2</mn>"
          "</msup><mo>+</mo><msqrt><mi>m</mi></msqrt></mrow><annotation encoding=\"application/"
          "x-tex\">c = \\frac{r+f}{n} + k^2 + \\sqrt{m}</annotation></semantics></math>")


def test_html_display_mathml_is_a_formula_written_out(tmp_path):
    body = f"<p>{BODY}</p><p>The charge is:</p>{MATHML}<p>for each school.</p>"
    doc, passages = _read(_html(tmp_path, body))
    formulas = [b for b in doc.blocks if b.kind == "formula"]
    assert [b.text for b in formulas] == ["c=(r+f)/n+k^2+√(m)"], [(b.kind, b.text)
                                                                for b in doc.blocks]
    lines = _all_text(passages).split("\n")
    i = lines.index("c=(r+f)/n+k^2+√(m)")
    assert lines[i - 1] == "The charge is:" and lines[i + 1] == "for each school."
    assert "frac" not in _all_text(passages)  # the TeX annotation is not read twice


def test_html_inline_mathml_stays_in_its_sentence(tmp_path):
    body = ("<p>The share is <math><mfrac><mi>p</mi><mi>N</mi></mfrac></math> of the total, "
            "as agreed.</p>")
    doc, passages = _read(_html(tmp_path, body))
    assert "The share is p/N of the total, as agreed." in _all_text(passages)
    assert not [b for b in doc.blocks if b.kind == "formula"]



# ------------------------------------------------------------------------------ Word code

def _mono(text: str, font: str = "Consolas") -> str:
    return (f'<w:p><w:r><w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}"/></w:rPr>'
            f'<w:t xml:space="preserve">{text}</w:t></w:r></w:p>')


def test_word_monospaced_lines_are_one_code_block_with_their_indentation(tmp_path):
    """Consecutive paragraphs set wholly in a monospaced face, with code's characters, are
    one code block, each line's leading spaces kept; prose in a typewriter face and a single
    monospaced word in a sentence stay prose."""
    code = ["def fib(n):", "    a, b = 0, 1", "    for _ in range(n):",
            "        a, b = b, a + b", "    return a"]
    body = (_p("The function:") + "".join(_mono(line) for line in code)
            + _mono("This memo is set in a typewriter face for a vintage look.", "Courier New")
            + '<w:p><w:r><w:t xml:space="preserve">Call the </w:t></w:r><w:r><w:rPr><w:rFonts '
            'w:ascii="Consolas" w:hAnsi="Consolas"/></w:rPr><w:t>printf</w:t></w:r><w:r><w:t '
            'xml:space="preserve"> function.</w:t></w:r></w:p>')
    doc, passages = _read(_docx(tmp_path / "code.docx", body))
    assert [(b.kind, b.lines) for b in doc.blocks] == [
        ("para", ["The function:"]), ("code", code),
        ("para", ["This memo is set in a typewriter face for a vintage look."]),
        ("para", ["Call the printf function."])]
    assert "\n".join(code) in _all_text(passages)


def test_word_code_style_is_code_and_listing_style_is_not_a_list(tmp_path):
    """A paragraph in a code style ("Source Code", "HTML Preformatted") is code whatever its
    font; "Listing Number" and "Source Reference" are not code styles, and "Listing" is not
    a list style."""
    from zipfile import ZipFile

    styles = "".join(f'<w:style w:type="paragraph" w:styleId="{sid}"><w:name w:val="{name}"/>'
                     "</w:style>" for sid, name in (("SourceCode", "Source Code"),
                                                    ("SourceReference", "Source Reference"),
                                                    ("ListingNumber", "Listing Number")))

    def styled(sid: str, text: str) -> str:
        return (f'<w:p><w:pPr><w:pStyle w:val="{sid}"/></w:pPr><w:r><w:t>{text}</w:t></w:r>'
                "</w:p>")

    body = (styled("SourceCode", "import sys") + styled("SourceCode", "print(sys.argv)")
            + styled("SourceReference", "See the original source for details.")
            + styled("ListingNumber", "Listing 3.2"))
    path = _docx(tmp_path / "styles.docx", body)
    with ZipFile(path, "a") as zf:
        zf.writestr("word/styles.xml", f'<?xml version="1.0"?><w:styles xmlns:w="{W}">'
                    f"{styles}</w:styles>")
        zf.writestr("word/_rels/document.xml.rels",
                    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats'
                    '.org/package/2006/relationships"><Relationship Id="rIdS" Type="http://'
                    'schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
                    'Target="styles.xml"/></Relationships>')
    doc, _ = _read(path)
    assert [(b.kind, b.lines) for b in doc.blocks] == [
        ("code", ["import sys", "print(sys.argv)"]),
        ("para", ["See the original source for details."]), ("para", ["Listing 3.2"])]
