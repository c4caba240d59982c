"""Issue 21, item 3: code and formulas in a PDF are blocks of their own (a monospaced face the
body is not set in), kept verbatim in passages with their line breaks and indentation, never
a heading, never cut inside a line. Docling's handbook pages of SQL showed "§ RETURN" and
"§ ELSE 'XXX-XX-XXXX'" as sections."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest import chunk_document, read_document

SQL = """CREATE MASK SSN_MASK ON EMPLOYEES
  FOR COLUMN SSN RETURN
    CASE
      WHEN VERIFY_GROUP_FOR_USER ( SESSION_USER , 'MGR' ) = 1
        THEN SSN
      ELSE 'XXX-XX-XXXX'
    END
  ENABLE;"""

BODY = ("Row and column access control lets a trust's data team decide which staff see which "
        "pupils' records. The rule below masks the national insurance number for everyone "
        "but the managers group, whatever query they run against the table. ")


def _typeset(path: Path, code: str = SQL, code_font: str = "Courier", code_size: float = 9,
             repeat: int = 1) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Preformatted, SimpleDocTemplate

    body = ParagraphStyle("body", fontName="Times-Roman", fontSize=11, leading=14, spaceAfter=6)
    head = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=14, leading=17,
                          spaceBefore=8, spaceAfter=6)
    mono = ParagraphStyle("code", fontName=code_font, fontSize=code_size,
                          leading=code_size * 1.25, leftIndent=12, spaceAfter=8)
    story = [Paragraph("1. Access control", head), Paragraph(BODY * 2, body)]
    for _ in range(repeat):
        story += [Paragraph("The mask is defined as follows:", body), Preformatted(code, mono)]
    story += [Paragraph("The mask applies from the next query on. " + BODY, body),
              Paragraph("2. Auditing", head), Paragraph(BODY, body)]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def _read(path: Path):
    doc = read_document(path, path.parent, {})
    return doc, chunk_document(doc)


@pytest.mark.parametrize("font,size", [("Courier", 9), ("Courier-Bold", 11), ("Courier", 12)])
def test_code_lines_are_never_headings(tmp_path, font, size):
    """Set small, at body size in bold, or bigger than the body: a code line is no section."""
    _doc, passages = _read(_typeset(tmp_path / "code.pdf", code_font=font, code_size=size))
    sections = {s for p in passages for s in p.section}
    assert sections == {"1. Access control", "2. Auditing"}, sections


def test_code_is_a_block_kept_verbatim(tmp_path):
    """One code block, its lines as printed (indentation kept), quoted with its line breaks
    in a passage of the section it stands in."""
    doc, passages = _read(_typeset(tmp_path / "code.pdf"))
    code = [b for b in doc.blocks if b.kind == "code"]
    assert len(code) == 1, [(b.kind, b.text[:40]) for b in doc.blocks]
    assert code[0].lines == SQL.split("\n")
    holder = next(p for p in passages if "CREATE MASK" in p.text)
    assert SQL in holder.text
    assert holder.section == ["1. Access control"]
    # the prose around it is not glued onto the code's lines
    assert "The mask is defined as follows:\nCREATE MASK" in holder.text


def test_long_code_is_split_between_lines_only(tmp_path):
    """A listing longer than a passage (and longer than the prose around it: the body is
    still the prose) is cut between its lines, never inside one."""
    long_sql = "\n".join(f"  INSERT INTO AUDIT_LOG VALUES ( {n} , CURRENT_USER , "
                         f"CURRENT_TIMESTAMP , 'row {n} changed' );" for n in range(60))
    doc, passages = _read(_typeset(tmp_path / "long.pdf", code=long_sql))
    lines = {ln.strip() for ln in long_sql.split("\n")}  # a common indentation is the margin
    found = [ln for p in passages for ln in p.text.split("\n") if "INSERT INTO" in ln]
    assert sorted(found) == sorted(lines)
    assert all(len(p.text.split()) <= 260 for p in passages)


def test_code_twice_in_a_document_and_body_font_mono(tmp_path):
    """Two listings give two code blocks; a document set in a monospaced face throughout has
    no code blocks (its body is not code)."""
    doc, _ = _read(_typeset(tmp_path / "two.pdf", repeat=2))
    assert sum(1 for b in doc.blocks if b.kind == "code") == 2
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    body = ParagraphStyle("body", fontName="Courier", fontSize=10, leading=13, spaceAfter=6)
    path = tmp_path / "typewriter.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build([Paragraph(BODY, body)] * 4)
    doc, _ = _read(path)
    assert not any(b.kind == "code" for b in doc.blocks)
