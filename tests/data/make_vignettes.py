"""Write the fictional trust vignettes in tests/data/vignettes/ (and the bad-input cases in
tests/data/vignettes-bad/), in the formats facilitators use: Word with label/value lines, Word
with a key-dimensions table, one-page PDF (label/value lines, or a two-column table), Markdown
(a list, or a table) and plain text.

Usage:  .venv/bin/python tests/data/make_vignettes.py [OUTPUT_DIR]

Every trust, school and person here is invented. The tests read VIGNETTES and BAD from this
module and compare what the app shows with what was written. Running the script twice gives
the same bytes (fixed document dates, fixed zip times, reportlab's invariant mode).
"""
from __future__ import annotations

import datetime as _dt
import io
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTICE = ("FICTIONAL TEST DATA: this vignette describes an invented trust for software tests. "
          "It is not research evidence, and no real trust, school or person is described.")

# Labels as the synopsis's vignettes write them.
N, DIST, MIX, BAL, GOV, DEL, PRI, EVAL, STAGE = (
    "Number of schools", "Distribution", "Mix of context",
    "Balance of local/central decision making", "Approach to governance",
    "Model of delegation", "Way of setting school improvement priorities",
    "Evaluation of school improvement", "Settled/evolving")


def _v(slug, fmt, title, paragraphs, dims):
    return {"slug": slug, "format": fmt, "title": title, "paragraphs": paragraphs, "dims": dims}


VIGNETTES = [
    _v("harrowfield", "docx-lines", "Harrowfield Academies Trust (fictional)", [
        "Context. Harrowfield is an invented trust of sixteen schools across three market towns "
        "and the villages between them. It grew from one secondary school in ten years.",
        "Governance. A central board sets strategy and a scheme of delegation keeps finance and "
        "human resources with the central team; local governing bodies keep curriculum and "
        "community links. Formal evaluation runs through termly reviews against a dashboard.",
    ], [(N, "16 (11 primary, 4 secondary, 1 special)"), (DIST, "regional"),
        (MIX, "mixed urban and rural"), (BAL, "more central"),
        (GOV, "central board with local governing bodies"),
        (DEL, "central scheme of delegation"),
        (PRI, "trust-wide priorities with school plans"), (EVAL, "formal"),
        (STAGE, "evolving")]),
    _v("larkspur", "docx-table", "Larkspur Federation (fictional)", [
        "Context. Two small village primary schools in the invented Larkspur valley federated "
        "under one executive headteacher when neither could recruit a head.",
        "Governance. The hard federation has a single governing body for both schools. Heads "
        "of school visit each other's classrooms and improvement priorities come from peer "
        "review; evaluation is informal and conversational.",
    ], [(N, "2 (2 primary)"), (DIST, "local"), (MIX, "rural"), (BAL, "more local"),
        (GOV, "hard federation with a single governing body"),
        (DEL, "executive head with heads of school"),
        (PRI, "peer review between the two heads"), (EVAL, "informal")]),
    _v("saltmarsh", "pdf-lines", "Saltmarsh Technical Trust (fictional)", [
        "Context. Saltmarsh is an invented trust of seven secondary-age schools, four of them "
        "university technical colleges and one a studio school, serving an imaginary port city.",
        "Governance. A central board works through advisory boards for each school; a central "
        "school improvement team sets priorities and audits every school each year.",
    ], [(N, "7 Schools - 0 P: 7 S (4 UTC, 1 SS)"), (DIST, "regional"), (MIX, "urban"),
        (BAL, "more central"), (GOV, "central board with advisory boards"),
        (DEL, "tiered delegation by school performance"),
        (PRI, "central school improvement team"), (EVAL, "formal")]),
    _v("kestrel-vale", "md-list", "Kestrel Vale Partnership (fictional)", [
        "Context. Three schools in the invented Kestrel Vale, two primaries and the secondary "
        "their pupils move on to, formed a cross-phase partnership.",
        "Governance. Each school keeps its local governing body, and shared committees cover "
        "the partnership's joint work. Heads set priorities together by peer review.",
    ], [(N, "3 (2 primary, 1 secondary)"), (DIST, "local"), (MIX, "rural"),
        (BAL, "balanced between local and central"),
        (GOV, "local governing bodies with shared committees"), (DEL, "earned autonomy"),
        (PRI, "peer review between heads"), (EVAL, "informal")]),
    _v("brindle-cross", "md-table", "Brindle Cross Multi-Academy Trust (fictional)", [
        "Context. Brindle Cross is an invented trust of twelve schools arranged in three hubs "
        "around an imaginary cathedral city and its suburbs.",
        "Governance. A single trust board governs through hub councils. Priorities come from "
        "peer review across each hub, and the board receives formal evaluations each term.",
    ], [(N, "12 schools: 9 primary, 2 secondary, 1 special"), (DIST, "regional"),
        (MIX, "mixed"), (BAL, "more central"),
        (GOV, "single trust board with hub councils"), (DEL, "hub model"),
        (PRI, "peer review across hubs"), (EVAL, "formal"), (STAGE, "settled")]),
    _v("thornwick", "pdf-table", "Thornwick Learning Partnership (fictional)", [
        "Context. Thornwick is an invented trust of four schools on one side of an imaginary "
        "northern city: three primaries and an all-through school.",
        "Governance. Local governing bodies hold most decisions. Each school writes its own "
        "improvement plan, and heads review one another's plans informally.",
    ], [(N, "4 schools - 3 P: 1 all-through"), (DIST, "local"), (MIX, "urban"),
        (BAL, "more local"), (GOV, "local governing bodies"), (DEL, "earned autonomy"),
        (PRI, "school-led improvement plans"), (EVAL, "informal")]),
    _v("ashgrove", "docx-lines", "Ashgrove Special Schools Trust (fictional)", [
        "Context. Ashgrove is an invented trust of four special schools across an imaginary "
        "county, each serving pupils with complex needs.",
        "Governance. A central board works with one local governing body per school. "
        "Priorities are agreed at termly reviews and evaluated formally.",
    ], [(N, "4 (4 special)"), (DIST, "regional"), (MIX, "mixed"),
        (BAL, "balanced"), (GOV, "central board with local governing bodies"),
        (DEL, "scheme of delegation by function"),
        (PRI, "priorities agreed at termly reviews"), (EVAL, "formal"),
        (STAGE, "settled")]),
    _v("millbeck", "txt", "Millbeck Church Schools Federation (fictional)", [
        "Context. Three invented church primary schools in neighbouring villages share an "
        "executive headteacher but keep their own governing bodies.",
        "Governance. It is a soft federation: each governing body keeps its powers and a joint "
        "committee agrees shared work. Heads set priorities school by school.",
    ], [(N, "3 primary schools"), (DIST, "local"), (MIX, "rural"), (BAL, "more local"),
        (GOV, "soft federation with separate governing bodies"),
        (DEL, "each governing body keeps its powers"),
        (PRI, "school-led improvement plans"), (EVAL, "informal")]),
    _v("penhallow", "pdf-lines", "Penhallow Coast Trust (fictional)", [
        "Context. Penhallow is an invented trust of ten schools strung along an imaginary "
        "coastline, from a harbour town to isolated villages.",
        "Governance. The board works with local governing bodies. Where the trust sits between "
        "local and central decision making is shown in its diagram, not in words.",
    ], [(N, "10 (8 primary, 2 secondary)"), (DIST, "regional"), (MIX, "mixed"),
        (BAL, "see diagram"), (GOV, "central board with local governing bodies"),
        (DEL, "central scheme of delegation"), (PRI, "central school improvement team"),
        (EVAL, "formal")]),
    _v("greyfriars", "md-list", "Greyfriars Urban Academies (fictional)", [
        "Context. Greyfriars is an invented trust of six schools in the centre of an imaginary "
        "city, four primaries and two secondaries, all within two miles.",
        "Governance. A single trust board governs directly with no local governing bodies; "
        "the central team sets priorities and inspects formally.",
    ], [(N, "6 (4 primary, 2 secondary)"), (DIST, "local"), (MIX, "urban"),
        (BAL, "highly central"), (GOV, "single trust board without local governing bodies"),
        (DEL, "central scheme of delegation"), (PRI, "central team sets priorities"),
        (EVAL, "formal"), (STAGE, "evolving")]),
    _v("quillon", "docx-table", "Quillon Federation (fictional)", [
        "Context. An invented primary and the secondary next door federated under one "
        "executive head in an imaginary inner-city neighbourhood.",
        "Governance. A single governing body oversees both; heads of school run the day to day. "
        "Priorities come from peer review and evaluation is informal.",
    ], [(N, "2 (1 primary, 1 secondary)"), (DIST, "local"), (MIX, "urban"),
        (BAL, "balanced"), (GOV, "hard federation with a single governing body"),
        (DEL, "executive head with heads of school"),
        (PRI, "peer review between the two heads"), (EVAL, "informal"),
        (STAGE, "evolving")]),
    _v("fenlow", "txt", "Fenlow Rural Schools Trust (fictional)", [
        "Context. Fenlow is an invented trust of one school that grew to nine small rural "
        "primaries and a secondary across the imaginary fens.",
        "Governance. A central board with cluster councils; improvement priorities come from a "
        "trust-wide review, evaluated formally by the central team.",
    ], [(N, "10 (9 primary, 1 secondary)"), (DIST, "regional"), (MIX, "rural"),
        (BAL, "more central"), (GOV, "central board with cluster councils"),
        (DEL, "central scheme of delegation"),
        (PRI, "trust-wide review"), (EVAL, "formal")]),
]

# Held-out vignettes for the set-question evaluation (qa/eval_trusts.py, issue 19): the
# synopsis's dimensions plus ones no code names (pupils on roll, year founded, religious
# character, sixth forms), so questions about fields only these vignettes have can be asked.
# Written before the matcher that reads them; kept apart so the tuned questions' answers stand.
PUPILS, FOUNDED, FAITH, SIXTH = ("Pupils on roll", "Year founded", "Religious character",
                                 "Sixth forms")
EXTRA = [
    _v("corvid-lane", "md-list", "Corvid Lane Catholic Academy Trust (fictional)", [
        "Context. Corvid Lane is an invented Catholic trust of five schools in one imaginary "
        "cathedral town: four primaries and the secondary most of their pupils move on to.",
        "Governance. A central board works with local governing bodies; the central team sets "
        "priorities and reviews every school formally each term.",
    ], [(N, "5 (4 primary, 1 secondary)"), (DIST, "local"), (MIX, "urban"),
        (BAL, "more central"), (GOV, "central board with local governing bodies"),
        (DEL, "central scheme of delegation"), (PRI, "central team sets priorities"),
        (EVAL, "formal"), (STAGE, "settled"), (PUPILS, "2,450"), (FOUNDED, "2013"),
        (FAITH, "Catholic"), (SIXTH, "1")]),
    _v("heathermoor", "txt", "Heathermoor Schools Trust (fictional)", [
        "Context. Heathermoor is an invented trust of nine schools scattered across imaginary "
        "moorland: seven village primaries, a secondary and a special school.",
        "Governance. A trust board works with local governing bodies, and heads set priorities "
        "by peer review across three clusters; evaluation is informal.",
    ], [(N, "9 (7 primary, 1 secondary, 1 special)"), (DIST, "regional"), (MIX, "rural"),
        (BAL, "more local"), (GOV, "trust board with local governing bodies"),
        (DEL, "earned autonomy"), (PRI, "peer review across clusters"), (EVAL, "informal"),
        (STAGE, "evolving"), (PUPILS, "3,100"), (FOUNDED, "2017"),
        (FAITH, "Church of England")]),
    _v("ironbridge", "docx-table", "Ironbridge Technical Trust (fictional)", [
        "Context. Ironbridge is an invented trust of three secondary-age schools in different "
        "imaginary cities: a university technical college and two studio schools.",
        "Governance. A central board works through advisory boards and runs every school from "
        "the centre; a central school improvement team audits each school twice a year.",
    ], [(N, "3 Schools - 0 P: 3 S (1 UTC, 2 SS)"), (DIST, "national"), (MIX, "urban"),
        (BAL, "very central"), (GOV, "central board with advisory boards"),
        (DEL, "central scheme of delegation"), (PRI, "central school improvement team"),
        (EVAL, "very formal"), (PUPILS, "1,150"), (FOUNDED, "2020"), (FAITH, "none"),
        (SIXTH, "3")]),
]

# A vignette whose key dimensions are a ruled table in a PDF (a grid, each cell boxed, with a
# header row): the layout the issue 19 report says loses its fields when read.
RULED_PDF = _v("wyndham", "pdf-grid", "Wyndham Vale Trust (fictional)", [
    "Context. Wyndham Vale is an invented trust of six schools across an imaginary county: "
    "five primaries and a secondary.",
    "Governance. A central board with local governing bodies; the board receives formal "
    "evaluations each term and takes most decisions centrally.",
], [(N, "6 (5 primary, 1 secondary)"), (DIST, "regional"), (MIX, "mixed"),
    (BAL, "more central"), (GOV, "central board with local governing bodies"),
    (DEL, "central scheme of delegation"), (PRI, "trust-wide plan"), (EVAL, "formal")])

# Bad input: each is indexed with a warning naming the field; nothing is dropped.
BAD = [
    _v("missing-field", "txt", "Wrenfold Trust (fictional)", [
        "Context. An invented trust whose vignette leaves out how it evaluates improvement."],
        [(N, "3 (3 primary)"), (DIST, "local"), (MIX, "rural"), (BAL, "more local"),
         (GOV, "local governing bodies"), (DEL, "earned autonomy"),
         (PRI, "peer review")]),
    _v("field-twice", "md-list", "Doublegate Trust (fictional)", [
        "Context. An invented trust whose vignette gives its distribution twice."],
        [(N, "4 (3 primary, 1 secondary)"), (DIST, "local"), (MIX, "urban"),
         (BAL, "more central"), (GOV, "central board"), (DEL, "central scheme of delegation"),
         (PRI, "central team"), (EVAL, "formal"), (DIST, "regional")]),
    _v("not-adding-up", "txt", "Miscount Academies (fictional)", [
        "Context. An invented trust whose school count does not add up."],
        [(N, "5 schools - 4 P: 2 S"), (DIST, "local"), (MIX, "urban"), (BAL, "more local"),
         (GOV, "local governing bodies"), (DEL, "earned autonomy"), (PRI, "peer review"),
         (EVAL, "informal")]),
    _v("unknown-dimension", "docx-lines", "Tealbrook Trust (fictional)", [
        "Context. An invented trust whose vignette adds a dimension the synopsis does not have."],
        [(N, "2 (2 primary)"), (DIST, "local"), (MIX, "rural"), (BAL, "more local"),
         (GOV, "single governing body"), (DEL, "executive head"), (PRI, "peer review"),
         (EVAL, "informal"), ("Trust colour", "teal")]),
    _v("empty-block", "txt", "Blankmere Trust (fictional)", [
        "Context. An invented trust whose Key dimensions block was left empty."], []),
]

# A short note that merely mentions key dimensions: not a vignette.
NOT_A_VIGNETTE = (
    "Notes on comparing trusts (fictional)\n\n"
    "FICTIONAL TEST DATA. When facilitators compare trusts they look at the key dimensions of "
    "each case: size, governance and how improvement priorities are set. These notes are not a "
    "vignette, and describe no trust.\n")

_FIXED_TIME = _dt.datetime(2024, 1, 1, tzinfo=_dt.UTC)


def _docx(v) -> bytes:
    import docx

    d = docx.Document()
    cp = d.core_properties
    cp.author = cp.last_modified_by = "mat-evidence test fixtures"
    cp.title, cp.created, cp.modified, cp.revision = v["title"], _FIXED_TIME, _FIXED_TIME, 1
    d.add_paragraph(NOTICE)
    d.add_heading(v["title"], level=1)
    for p in v["paragraphs"]:
        d.add_paragraph(p)
    d.add_heading("Key dimensions", level=2)
    if v["format"] == "docx-table":
        table = d.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in v["dims"]:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
    else:
        for label, value in v["dims"]:
            d.add_paragraph(f"{label}: {value}")
    buf = io.BytesIO()
    d.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o644 << 16
            zout.writestr(new, zin.read(info.filename))
    return out.getvalue()


def _pdf(v) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(v["title"])
    c.setAuthor("mat-evidence test fixtures")
    width, height = A4
    x, y = 56, height - 60

    def lines(text, font, size, gap=4):
        nonlocal y
        c.setFont(font, size)
        for line in simpleSplit(text, font, size, width - 2 * x):
            c.drawString(x, y, line)
            y -= size + gap
        y -= gap

    lines(NOTICE, "Helvetica-Oblique", 8)
    lines(v["title"], "Helvetica-Bold", 16)
    for p in v["paragraphs"]:
        lines(p, "Helvetica", 10)
    lines("Key dimensions", "Helvetica-Bold", 12)
    if v["format"] == "pdf-ruled":  # a ruled grid of two columns, labels down the first
        c.setFont("Helvetica", 9)
        top = y + 11
        for label, value in v["dims"]:
            c.rect(x, top - 18, 250, 18)
            c.rect(x + 250, top - 18, width - 2 * x - 250, 18)
            c.drawString(x + 4, top - 12, label)
            c.drawString(x + 254, top - 12, value)
            top -= 18
        y = top - 10
    elif v["format"] == "pdf-grid":  # a ruled grid with a header row, every cell boxed
        rows = [("Dimension", "This trust"), *v["dims"]]
        top, step, mid = y + 12, 18, x + 220
        for i, (label, value) in enumerate(rows):
            c.setFont("Helvetica-Bold" if i == 0 else "Helvetica", 9)
            c.drawString(x + 4, top - 13 - i * step, label)
            c.drawString(mid + 4, top - 13 - i * step, value)
        bottom = top - len(rows) * step
        for i in range(len(rows) + 1):
            c.line(x, top - i * step, width - x, top - i * step)
        for xx in (x, mid, width - x):
            c.line(xx, top, xx, bottom)
        y = bottom - 12
    elif v["format"] == "pdf-table":  # two columns, no separator: the label, then the value
        for label, value in v["dims"]:
            c.setFont("Helvetica-Bold", 9)
            c.drawString(x, y, label)
            c.setFont("Helvetica", 9)
            c.drawString(x + 250, y, value)
            c.line(x, y - 4, width - x, y - 4)
            y -= 16
    else:
        for label, value in v["dims"]:
            lines(f"{label}: {value}", "Helvetica", 10, gap=2)
    c.showPage()
    c.save()
    return buf.getvalue()


def _markdown(v) -> str:
    out = [f"# {v['title']}", "", f"*{NOTICE}*", ""]
    for p in v["paragraphs"]:
        out += [p, ""]
    out += ["## Key dimensions", ""]
    if v["format"] == "md-table":
        out += ["| Dimension | This trust |", "|---|---|"]
        out += [f"| {label} | {value} |" for label, value in v["dims"]]
    else:
        out += [f"- **{label}:** {value}" for label, value in v["dims"]]
    return "\n".join(out) + "\n"


def _text(v) -> str:
    out = [NOTICE, v["title"], ""]
    for p in v["paragraphs"]:
        out += [p, ""]
    out += ["Key dimensions"]
    out += [f"{label}: {value}" for label, value in v["dims"]]
    return "\n".join(out) + "\n"


EXTENSIONS = {"docx-lines": "docx", "docx-table": "docx", "pdf-lines": "pdf",
              "pdf-table": "pdf", "pdf-ruled": "pdf", "pdf-grid": "pdf", "md-list": "md",
              "md-table": "md", "txt": "txt"}


def file_name(v) -> str:
    return f"vignette-{v['slug']}.{EXTENSIONS[v['format']]}"


def write(v, folder: Path) -> Path:
    path = folder / file_name(v)
    fmt = v["format"]
    if fmt.startswith("docx"):
        path.write_bytes(_docx(v))
    elif fmt.startswith("pdf"):
        path.write_bytes(_pdf(v))
    elif fmt.startswith("md"):
        path.write_text(_markdown(v), encoding="utf-8")
    else:
        path.write_text(_text(v), encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else HERE
    good, bad = root / "vignettes", root / "vignettes-bad"
    extra, ruled = root / "vignettes-extra", root / "vignettes-pdf-ruled"
    for folder in (good, bad, extra, ruled):
        folder.mkdir(parents=True, exist_ok=True)
    for v in VIGNETTES:
        write(v, good)
    for v in BAD:
        write(v, bad)
    for v in EXTRA:
        write(v, extra)
    write(RULED_PDF, ruled)
    (bad / "notes-on-comparing-trusts.txt").write_text(NOT_A_VIGNETTE, encoding="utf-8")
    print(f"wrote {len(VIGNETTES)} vignettes to {good}, {len(BAD) + 1} bad cases to {bad}, "
          f"{len(EXTRA)} to {extra} and a ruled-table PDF to {ruled}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
