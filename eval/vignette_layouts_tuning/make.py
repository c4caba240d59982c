"""Write the tuning set of vignette layouts: eval/vignette_layouts_tuning/files/ and truth.json.

    PYTHONPATH=$PWD .venv/bin/python eval/vignette_layouts_tuning/make.py

Twelve invented trusts, each a one-page vignette typeset the way real authors set one: Word
tables with and without a header row (and a merged title row), bold label paragraphs, labels
as headings with the value on the next paragraph, tab-separated lines; PDFs (reportlab) with a
ruled table of wrapped cells, a borderless table with a shaded label column, the block in a
sidebar box with each value on the line below its label, the block in the second of two
columns; HTML <dl>; Markdown bold-label list; plain text in space-aligned columns.

This is the TUNING set (its misses may be read while the reader is tuned); the held-out set is
eval/vignette_layouts/, written by someone else. Every trust, school and person is invented.
truth.json: [{"file", "layout", "title", "fields": {label as printed: value as printed}}].
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
NOTICE = ("Fictional: an invented trust, written to test how vignette layouts are read. No real "
          "trust, school or person is described.")


def T(slug, ext, layout, title, intro, fields, after=""):
    return {"slug": slug, "ext": ext, "layout": layout, "title": title, "intro": intro,
            "fields": fields, "after": after}


CASES = [
    T("brackenridge", "docx", "Word table with a header row (Dimension | Description)",
      "Brackenridge Learning Trust", [
          "Brackenridge grew from a single converter secondary in 2013. Its governance is "
          "described below: the board meets six times a year.",
          "Decision making: the chief executive and the board agree the annual plan."],
      {"Number of schools": "9 schools - 6 P: 3 S",
       "Distribution": "regional (two counties)",
       "Mix of context (urban/rural)": "mixed urban and rural",
       "Balance of local/central decision making": "more central",
       "Approach to governance": "trust board with local governing bodies in every school",
       "Model of delegation": "earned autonomy, set out in a scheme of delegation reviewed "
                              "each year",
       "Way of setting school improvement priorities": "central team with headteachers",
       "Evaluation of school improvement": "formal"}),
    T("copperbeech", "docx", "Word table, no header row, a merged title row across both columns",
      "Copperbeech Schools Partnership", [
          "Copperbeech is a small partnership of village schools that share an executive head."],
      {"No. of schools": "4 schools - 4 P: 0 S",
       "Distribution": "local",
       "Urban/rural mix": "rural",
       "Local/central balance": "more local",
       "Governance": "one local governing body for all four schools",
       "Delegation": "heads of school lead day to day",
       "School improvement priorities": "agreed together by the heads each summer",
       "Evaluating school improvement": "informal, through peer visits",
       "Pupils on roll": "640"}),
    T("dunmere", "docx", "Word paragraphs, each label a bold run then the value (no colon)",
      "Dunmere Academy Trust", [
          "The Dunmere Academy Trust serves a coastal town and its hinterland. Its model of "
          "delegation has changed twice since 2016."],
      {"Number of schools": "12 schools - 8 P: 3 S: 1 special",
       "Distribution": "regional",
       "Mix of context": "mostly urban",
       "Balance of local/central decision making": "balanced",
       "Approach to governance": "board of trustees and three hub councils",
       "Model of delegation": "tiered by school performance",
       "Way of setting school improvement priorities": "trust-wide priorities, school plans",
       "Evaluation of school improvement": "formal reviews each term",
       "Settled/evolving": "evolving"}),
    T("elmstead", "docx", "Word: labels as Heading 3, each value the next paragraph",
      "Elmstead Church Academies", [
          "A Church of England trust formed by the diocese. Governance: foundation members "
          "appoint most trustees."],
      {"Number of schools": "7 schools - 7 P: 0 S",
       "Distribution": "local",
       "Mix of context (urban/rural)": "rural",
       "Balance of local/central decision making": "more local",
       "Approach to governance": "local governing bodies with foundation governors",
       "Model of delegation": "high delegation to headteachers",
       "Way of setting school improvement priorities": "each school sets its own",
       "Evaluation of school improvement": "informal",
       "Religious character": "Church of England"}),
    T("fallowfield", "docx", "Word paragraphs, label TAB value",
      "Fallowfield Education Trust", [
          "Fallowfield was founded by two secondary schools in the same city."],
      {"Number of schools": "5 schools - 2 P: 3 S",
       "Distribution": "local",
       "Mix of context": "urban",
       "Local/central decision making": "more central",
       "Governance": "trust board and an academy committee for each school",
       "Delegation": "scheme of delegation by function",
       "Setting school improvement priorities": "set centrally",
       "Evaluation": "formal",
       "Year founded": "2014"}),
    T("glenholme", "pdf", "PDF ruled table (grid), labels and values wrapping in their cells",
      "Glenholme Multi-Academy Trust", [
          "Glenholme is a trust of primary and secondary schools across a large rural county. "
          "Its approach to governance is set out in its articles and its scheme of delegation, "
          "which trustees review every year."],
      {"Number of schools": "11 schools - 8 P: 3 S",
       "Distribution": "regional, across one large county",
       "Mix of context (urban/rural)": "mixed urban and rural, most schools in market towns "
                                       "and villages",
       "Balance of local/central decision making": "more central",
       "Approach to governance": "trust board, with local governing bodies whose powers are "
                                 "set by the scheme of delegation",
       "Model of delegation": "earned autonomy",
       "Way of setting school improvement priorities": "trust priorities agreed with heads "
                                                        "at an annual conference",
       "Evaluation of school improvement": "formal, with termly reviews against a trust "
                                           "dashboard"}),
    T("hollinsend", "pdf", "PDF borderless table, label column shaded, no header row",
      "Hollinsend Primary Trust", [
          "Hollinsend is a trust of small primary schools. A trust board oversees all of them "
          "and local committees advise the headteachers."],
      {"No. of schools": "6 schools - 6 P: 0 S",
       "Distribution": "local",
       "Urban/rural mix": "urban",
       "Local/central balance": "more local",
       "Governance": "trust board with local committees",
       "Delegation": "heads hold budgets",
       "School improvement priorities": "set by each head with a trust adviser",
       "Evaluating school improvement": "informal",
       "Settled/evolving": "settled"}),
    T("ivygate", "pdf", "PDF sidebar box at the right, each value on the line below its "
      "bold label; main text in the left column",
      "Ivygate Schools Trust", [
          "Ivygate formed in 2015 when three secondary schools in the same town agreed to "
          "share a sixth form. It later took on two primaries. Decisions on finance are made "
          "centrally, while curriculum choices stay with each school.",
          "The trust describes its evaluation as developing: reviews were informal until "
          "2019 and are now moving to a common framework."],
      {"Number of schools": "5 schools - 2 P: 3 S",
       "Distribution": "local",
       "Mix of context": "urban",
       "Balance of local/central decision making": "balanced",
       "Approach to governance": "trust board and local governing bodies",
       "Model of delegation": "finance central, curriculum local",
       "Setting school improvement priorities": "school plans within trust aims",
       "Evaluation of school improvement": "moving from informal to formal"}),
    T("juniper", "pdf", "PDF in two columns, the Key dimensions block in the right column as "
      "'Label: value' lines that wrap",
      "Juniper Vale Academies", [
          "Juniper Vale is a trust of schools spread along a river valley. It began as a "
          "federation of two primaries and converted in 2012. The trust board meets monthly "
          "and each school keeps a local governing body.",
          "Most of its schools are small and rural; two are in the valley's only town. The "
          "central team is small and school improvement is led by a network of specialist "
          "leaders drawn from the schools themselves."],
      {"Number of schools": "8 schools - 7 P: 1 S",
       "Distribution": "regional",
       "Mix of context (urban/rural)": "mostly rural",
       "Balance of local/central decision making": "more local",
       "Approach to governance": "trust board with local governing bodies",
       "Model of delegation": "high delegation to local governing bodies",
       "Way of setting school improvement priorities": "school-led, through a network of "
                                                        "specialist leaders",
       "Evaluation of school improvement": "informal peer review"}),
    T("kingsmead", "html", "HTML definition list (dl/dt/dd) after a heading",
      "Kingsmead Learning Partnership", [
          "Kingsmead is a partnership of schools in one city. Governance and delegation are "
          "set out in its annual report."],
      {"Number of schools": "10 schools - 7 P: 2 S: 1 AP",
       "Distribution": "local",
       "Mix of context": "urban",
       "Balance of local/central decision making": "more central",
       "Approach to governance": "trust board with academy councils",
       "Model of delegation": "common scheme of delegation",
       "Way of setting school improvement priorities": "trust improvement plan",
       "Evaluation of school improvement": "formal",
       "Pupils on roll": "4,200"}),
    T("lowther", "md", "Markdown list of bold labels followed by a dash and the value",
      "Lowther Fells Trust", [
          "Lowther Fells is a trust of very small schools in upland villages; the nearest "
          "two are eleven miles apart."],
      {"Number of schools": "3 schools - 3 P: 0 S",
       "Distribution": "regional",
       "Mix of context (urban/rural)": "rural",
       "Balance of local/central decision making": "more local",
       "Approach to governance": "one governing board for the trust",
       "Model of delegation": "executive head with heads of school",
       "Way of setting school improvement priorities": "agreed by the executive head",
       "Evaluation of school improvement": "informal"}),
    T("marlowe", "txt", "Plain text: labels and values in two columns separated by spaces, "
      "long values wrapping in the value column",
      "Marlowe Park Academy Trust", [
          "Marlowe Park is a trust of secondary schools and one all-through school in the "
          "south of an invented city."],
      {"Number of schools": "6 schools - 0 P: 5 S: 1 all-through",
       "Distribution": "local",
       "Mix of context": "urban",
       "Balance of local/central decision making": "very central",
       "Approach to governance": "trust board, no local governing bodies",
       "Model of delegation": "central scheme of delegation with headteacher authority for "
                              "staffing",
       "Way of setting school improvement priorities": "central team",
       "Evaluation of school improvement": "formal",
       "Settled/evolving": "settled"}),
]


# ---- Word --------------------------------------------------------------------------------

def _docx(case, path: Path) -> None:
    import docx
    from docx.enum.text import WD_BREAK  # noqa: F401
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = docx.Document()
    d.core_properties.title = ""
    d.core_properties.author = "tuning set"
    d.add_heading(case["title"], level=1)
    d.add_paragraph(NOTICE).runs[0].italic = True
    for para in case["intro"]:
        d.add_paragraph(para)
    slug, fields = case["slug"], case["fields"]
    if slug == "brackenridge":
        d.add_heading("Key dimensions", level=2)
        t = d.add_table(rows=1, cols=2)
        t.style = "Table Grid"
        t.rows[0].cells[0].text, t.rows[0].cells[1].text = "Dimension", "Description"
        for c in t.rows[0].cells:
            c.paragraphs[0].runs[0].bold = True
        for k, v in fields.items():
            row = t.add_row().cells
            row[0].text, row[1].text = k, v
    elif slug == "copperbeech":
        t = d.add_table(rows=1, cols=2)
        t.style = "Table Grid"
        merged = t.rows[0].cells[0].merge(t.rows[0].cells[1])
        merged.text = "Key dimensions"
        merged.paragraphs[0].runs[0].bold = True
        for k, v in fields.items():
            row = t.add_row().cells
            row[0].text, row[1].text = k, v
            row[0].paragraphs[0].runs[0].bold = True
            shd = OxmlElement("w:shd")
            shd.set(qn("w:val"), "clear")
            shd.set(qn("w:fill"), "D9E2F3")
            row[0]._tc.get_or_add_tcPr().append(shd)
    elif slug == "dunmere":
        p = d.add_paragraph()
        p.add_run("Key dimensions").bold = True
        for k, v in fields.items():
            p = d.add_paragraph()
            r = p.add_run(k)
            r.bold = True
            p.add_run("  " + v)
    elif slug == "elmstead":
        d.add_heading("Key dimensions", level=2)
        for k, v in fields.items():
            d.add_heading(k, level=3)
            d.add_paragraph(v)
    elif slug == "fallowfield":
        d.add_heading("Key dimensions", level=2)
        for k, v in fields.items():
            p = d.add_paragraph(f"{k}\t{v}")
            p.paragraph_format.tab_stops.add_tab_stop(Pt(200))
    d.add_paragraph("Written for the layout tuning set.")
    d.save(path)


# ---- PDF ---------------------------------------------------------------------------------

def _pdf(case, path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        FrameBreak,
        PageTemplate,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    title = ParagraphStyle("t", fontName="Helvetica-Bold", fontSize=18, leading=22,
                           spaceAfter=8)
    h2 = ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=13, leading=16,
                        spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("b", fontName="Times-Roman", fontSize=10.5, leading=13.5,
                          spaceAfter=6)
    cell = ParagraphStyle("c", fontName="Helvetica", fontSize=9.5, leading=11.5)
    cellb = ParagraphStyle("cb", parent=cell, fontName="Helvetica-Bold")
    note = ParagraphStyle("n", parent=body, fontName="Times-Italic", fontSize=9, leading=11)
    slug, fields = case["slug"], case["fields"]
    story = [Paragraph(case["title"], title), Paragraph(NOTICE, note)]
    story += [Paragraph(p, body) for p in case["intro"]]
    kw = dict(pagesize=A4, invariant=1, title=case["title"], author="tuning set",
              leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm)
    if slug == "glenholme":
        story.append(Paragraph("Key dimensions", h2))
        rows = [[Paragraph(k, cellb), Paragraph(v, cell)] for k, v in fields.items()]
        t = Table(rows, colWidths=[55 * mm, 100 * mm])
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("TOPPADDING", (0, 0), (-1, -1), 3),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]))
        story.append(t)
        SimpleDocTemplate(str(path), **kw).build(story)
    elif slug == "hollinsend":
        story.append(Paragraph("Key dimensions", h2))
        rows = [[Paragraph(k, cellb), Paragraph(v, cell)] for k, v in fields.items()]
        t = Table(rows, colWidths=[50 * mm, 110 * mm])
        t.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#DDE6EE")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("TOPPADDING", (0, 0), (-1, -1), 4),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]))
        story.append(t)
        story.append(Spacer(1, 8))
        story.append(Paragraph("Source: trust annual report, invented for this set.", note))
        SimpleDocTemplate(str(path), **kw).build(story)
    else:
        width, height = A4
        doc = BaseDocTemplate(str(path), **kw)
        top = height - 18 * mm
        head_h = 40 * mm
        if slug == "ivygate":
            main = Frame(20 * mm, 18 * mm, 105 * mm, top - 18 * mm - head_h, id="main")
            side = Frame(132 * mm, 60 * mm, 58 * mm, top - 60 * mm - head_h, id="side",
                         showBoundary=0)
            head = Frame(20 * mm, top - head_h, width - 40 * mm, head_h, id="head")

            def box(canvas, _doc):
                canvas.saveState()
                canvas.setFillColor(colors.HexColor("#EEF2E6"))
                canvas.setStrokeColor(colors.HexColor("#7A8B5C"))
                canvas.rect(130 * mm, 58 * mm, 62 * mm, top - 58 * mm - head_h + 2 * mm,
                            fill=1, stroke=1)
                canvas.restoreState()

            doc.addPageTemplates([PageTemplate("p", [head, main, side], onPage=box)])
            lab = ParagraphStyle("l", fontName="Helvetica-Bold", fontSize=9, leading=11,
                                 spaceBefore=4)
            val = ParagraphStyle("v", fontName="Helvetica", fontSize=9, leading=11)
            flow = story[:2] + [FrameBreak()] + story[2:] + [FrameBreak(),
                                                              Paragraph("Key dimensions", h2)]
            for k, v in fields.items():
                flow += [Paragraph(k, lab), Paragraph(v, val)]
            doc.build(flow)
        else:  # juniper: two columns, block in the right one
            colw = (width - 40 * mm - 8 * mm) / 2
            left = Frame(20 * mm, 18 * mm, colw, top - 18 * mm - head_h, id="l")
            right = Frame(20 * mm + colw + 8 * mm, 18 * mm, colw, top - 18 * mm - head_h,
                          id="r")
            head = Frame(20 * mm, top - head_h, width - 40 * mm, head_h, id="head")
            doc.addPageTemplates([PageTemplate("p", [head, left, right])])
            line = ParagraphStyle("kl", parent=body, fontName="Times-Roman", fontSize=10,
                                  leading=12.5, spaceAfter=3)
            flow = story[:2] + [FrameBreak()] + story[2:] + [FrameBreak(),
                                                              Paragraph("Key dimensions", h2)]
            for k, v in fields.items():
                flow.append(Paragraph(f"<b>{k}:</b> {v}", line))
            doc.build(flow)


# ---- HTML, Markdown, text ----------------------------------------------------------------

def _html(case, path: Path) -> None:
    from html import escape
    rows = "\n".join(f"    <dt>{escape(k)}</dt>\n    <dd>{escape(v)}</dd>"
                     for k, v in case["fields"].items())
    intro = "\n".join(f"  <p>{escape(p)}</p>" for p in case["intro"])
    path.write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(case['title'])}</title></head>
<body>
<nav><a href="/">Home</a> | <a href="/trusts">Trusts</a></nav>
<main>
  <h1>{escape(case['title'])}</h1>
  <p><em>{escape(NOTICE)}</em></p>
{intro}
  <h2>Key dimensions</h2>
  <dl>
{rows}
  </dl>
  <p>Page last updated by the tuning set.</p>
</main>
</body></html>
""", encoding="utf-8")


def _md(case, path: Path) -> None:
    out = [f"# {case['title']}", "", f"*{NOTICE}*", ""]
    for p in case["intro"]:
        out += [p, ""]
    out += ["## Key dimensions", ""]
    out += [f"- **{k}** – {v}" for k, v in case["fields"].items()]
    out += ["", "Written for the layout tuning set.", ""]
    path.write_text("\n".join(out), encoding="utf-8")


def _txt(case, path: Path) -> None:
    import textwrap
    out = [case["title"].upper(), "", NOTICE, ""]
    for p in case["intro"]:
        out += textwrap.wrap(p, 78) + [""]
    out += ["KEY DIMENSIONS", ""]
    width = max(len(k) for k in case["fields"]) + 3
    for k, v in case["fields"].items():
        parts = textwrap.wrap(v, 78 - width)
        out.append(k.ljust(width) + parts[0])
        out += [" " * width + p for p in parts[1:]]
    out += ["", "Written for the layout tuning set.", ""]
    path.write_text("\n".join(out), encoding="utf-8")


def main() -> None:
    FILES.mkdir(parents=True, exist_ok=True)
    truth = []
    for case in CASES:
        name = f"vignette-{case['slug']}.{case['ext']}"
        {"docx": _docx, "pdf": _pdf, "html": _html, "md": _md, "txt": _txt}[case["ext"]](
            case, FILES / name)
        title = case["title"]
        truth.append({"file": name, "layout": case["layout"], "title": title,
                      "fields": case["fields"]})
    (HERE / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n",
                                     encoding="utf-8")
    print(f"{len(truth)} vignettes in {FILES}")


if __name__ == "__main__":
    main()
