"""Build tests/data/vignette-oakmoor.docx, a fictional trust vignette used as a test fixture.

Usage:  .venv/bin/python tests/data/make_vignette_docx.py [OUTPUT.docx]

Layout (the reader under test must handle all of it):
  paragraph  "FICTIONAL TEST DATA: ..."
  Heading 1  "Oakmoor Federation of Village Schools (fictional)"
  paragraph  "Executive head: ..."
  4 body paragraphs (context / principles / delegation / school improvement)
  Heading 2  "Key dimensions"
  2-column table, no header row, one "Field | value" row per key dimension

Running the script twice gives the same bytes: the core properties and the zip entry
timestamps are fixed.
"""
from __future__ import annotations

import datetime as _dt
import io
import sys
import zipfile
from pathlib import Path

import docx

FICTION_NOTICE = (
    "FICTIONAL TEST DATA: this vignette describes an invented trust for software tests. "
    "It is not research evidence, and no real trust, school or person is described."
)
TITLE = "Oakmoor Federation of Village Schools (fictional)"
EXEC_HEAD = "Executive head: Tobias Fenwright-Lark (fictional)"

PARAGRAPHS = [
    "Context. The Oakmoor Federation of Village Schools is an invented trust of eight schools: "
    "six small primaries, one secondary and one special school. They are spread across about "
    "forty miles of the imaginary Kestle Vale uplands. Most of the primaries have fewer than "
    "ninety pupils, and several have mixed-age classes. Recruitment, transport and the cost of "
    "small sites are constant pressures.",
    "Principles. Mr Fenwright-Lark sums up the federation's logic as \"small schools, one "
    "system\". Schools this small cannot each keep a deputy head, a business manager and a "
    "special educational needs lead, so the federation shares these roles. One common "
    "curriculum means a pupil who moves between villages meets the same sequence of learning.",
    "Delegation and governance. Decision making is more central. A single trust board governs "
    "all eight schools directly. There are no local governing bodies. Instead, each village "
    "has a parent advisory council, which the board consults but which cannot make decisions. "
    "A tight central scheme of delegation keeps finance, staffing and the curriculum with the "
    "executive team. Each head of school concentrates on teaching, pupils and the community.",
    "School improvement. The executive team sets improvement priorities in one trust-wide "
    "plan, after looking at outcomes across the whole federation. Evaluation is deliberately "
    "informal. Heads of school visit one another's classrooms in pairs, talk through what they "
    "saw, and report back at the fortnightly heads' meeting. There are no written audits. "
    "The executive head says this keeps the focus on professional conversation rather than "
    "paperwork, and admits it makes progress harder to show to outsiders.",
]

KEY_DIMENSIONS = [
    ("Number of schools", "8 (6 primary, 1 secondary, 1 special)"),
    ("Distribution", "regional"),
    ("Mix of context", "rural"),
    ("Balance of local/central decision making", "more central"),
    ("Approach to governance", "single trust board with parent advisory councils"),
    ("Model of delegation", "central scheme of delegation"),
    ("Way of setting school improvement priorities", "trust-wide plan set centrally"),
    ("Evaluation of school improvement", "informal"),
]

_FIXED_TIME = _dt.datetime(2024, 1, 1, 0, 0, 0, tzinfo=_dt.UTC)
_FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


def build_document() -> docx.document.Document:
    """Return the Oakmoor vignette as an in-memory python-docx Document."""
    d = docx.Document()
    cp = d.core_properties
    cp.author = "mat-evidence test fixtures"
    cp.last_modified_by = "mat-evidence test fixtures"
    cp.title = TITLE
    cp.comments = "Fictional test data"
    cp.created = _FIXED_TIME
    cp.modified = _FIXED_TIME
    cp.revision = 1

    d.add_paragraph(FICTION_NOTICE)
    d.add_heading(TITLE, level=1)
    d.add_paragraph(EXEC_HEAD)
    for text in PARAGRAPHS:
        d.add_paragraph(text)
    d.add_heading("Key dimensions", level=2)
    table = d.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for field, value in KEY_DIMENSIONS:
        cells = table.add_row().cells
        cells[0].text = field
        cells[1].text = value
    return d


def _normalise_zip(raw: bytes) -> bytes:
    """Rewrite the zip with fixed entry timestamps so the output is byte-reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o644 << 16
            zout.writestr(new, zin.read(info.filename))
    return out.getvalue()


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else Path(__file__).with_name("vignette-oakmoor.docx")
    buf = io.BytesIO()
    build_document().save(buf)
    target.write_bytes(_normalise_zip(buf.getvalue()))
    print(f"wrote {target} ({target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
