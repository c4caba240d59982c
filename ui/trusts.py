"""The Trusts tab: the indexed vignettes side by side (qa/trusts.py builds the table; this only
shows it), filtered with counts, sortable, each row opening its vignette with its citation,
the two charts, CSV and Word downloads, and the `/trusts` API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from .charts import profiles, size_against_balance
from .context import TabContext
from .downloads import export_dir, slug
from .html import esc, paragraphs, render_message

EMPTY = ("No trust vignettes are indexed yet. A vignette is a one-page case study of a trust "
         "with a “Key dimensions” block (number of schools, distribution, mix of context, "
         "local/central decision making, governance, delegation, how improvement priorities "
         "are set, evaluation), one “Field: value” line or table row per dimension. Add "
         "vignettes in the Add documents tab (type: vignette), or put them in the corpus folder "
         "and run python -m ingest; they then appear here, one row per trust.")
SORTS = [("Trust name", "name"), ("Number of schools", "total"),
         ("Local/central decision making (local → central)", "decision_making"),
         ("Evaluation (informal → formal)", "evaluation"),
         ("Settled/evolving (settled → evolving)", "stage"),
         ("Distribution (A-Z)", "distribution"), ("Mix of context (A-Z)", "urban_rural"),
         ("Approach to governance (A-Z)", "governance"),
         ("Model of delegation (A-Z)", "delegation"),
         ("Setting improvement priorities (A-Z)", "improvement_priorities")]


def _trusts(ctx: TabContext):
    from index import IndexUnavailable

    try:
        searcher = ctx.service.searcher()
    except IndexUnavailable:
        return [], None
    return searcher.trusts(), searcher.index


def dimension_choices(trusts) -> dict[str, list[str]]:
    from qa.trusts import DIMENSIONS

    out: dict[str, set[str]] = {}
    for t in trusts:
        for name in DIMENSIONS:
            if name != "number_of_schools" and t.value(name):
                out.setdefault(name, set()).update(v for v in t.value(name).split("; ") if v)
    return {k: sorted(v, key=str.lower) for k, v in out.items()}


def school_choices(trusts) -> list[tuple[str, str]]:
    """"Any", then every whole number up to the largest trust's number of schools."""
    top = max([t.schools.get("total") or 0 for t in trusts] + [0])
    return [("Any", "")] + [(str(n), str(n)) for n in range(1, top + 1)]


def select(trusts, documents=None, dims: dict[str, str] | None = None,
           min_schools=None, max_schools=None, sort: str = "name", descending: bool = False):
    """The rows the filters keep, in the chosen order."""
    from qa.trusts import Where, filter_trusts

    wheres = []
    for value, op in ((min_schools, ">="), (max_schools, "<=")):
        if value not in (None, ""):
            try:
                wheres.append(Where("total", op, str(int(float(value)))))
            except (TypeError, ValueError):
                pass
    rows = filter_trusts(trusts, wheres)
    # A dropdown offers the values as written, so a choice matches that whole value ("rural"
    # is not "mixed urban and rural").
    for name, value in (dims or {}).items():
        if value:
            rows = [t for t in rows if str(value) in t.value(name).split("; ")]
    if documents:
        keep = {documents} if isinstance(documents, str) else set(documents)
        rows = [t for t in rows if t.file in keep]

    def key(t):
        if sort == "total":
            return (t.schools.get("total") is None, t.schools.get("total") or 0, t.name.lower())
        if sort in ("decision_making", "evaluation", "stage"):
            p = t.scales.get(sort)
            return (p is None, p or 0, t.name.lower())
        if sort != "name":  # a dimension as written, alphabetically; trusts without it last
            return (not t.value(sort), t.value(sort).lower(), t.name.lower())
        return (False, 0, t.name.lower())

    rows.sort(key=key, reverse=descending)
    if descending:  # "not stated" stays last either way
        rows.sort(key=lambda t: key(t)[0])
    return rows


def render_table(rows, total: int) -> str:
    """The comparison table: one row per trust, a column per dimension as written; the trust's
    name opens its vignette, with the citation."""
    from qa.trusts import columns, count_words
    from qa.trusts import field_label as label

    if not total:
        return render_message(EMPTY)
    count = (f'<p class="mx-count" role="status" id="trusts-count">'
             f"<strong>{esc(count_words(len(rows), total))}</strong> shown.</p>")
    if not rows:
        return count + render_message("No trust matches these filters. Clear a filter to see "
                                      "more.", "notfound")
    cols = columns(rows)
    head = "<th scope=\"col\">Trust</th>" + "".join(
        f'<th scope="col">{esc(label(c))}</th>' for c in cols)
    body = []
    for t in rows:
        scale_notes = {n: t.scale_word(n) for n in t.scales}
        cells = []
        for c in cols:
            value = t.value(c)
            extra = ""
            if c in scale_notes:
                extra = f'<div class="mx-scale">({esc(scale_notes[c])})</div>'
            cells.append(f'<td data-label="{esc(label(c))}">{esc(value) or "–"}{extra}</td>')
        body.append(
            f'<tr data-pid="{esc(t.passage_id)}"><th scope="row" data-label="Trust">'
            f'<details class="mx-vignette"><summary>{esc(t.name)}</summary>'
            f'<div class="mx-cite">{esc(t.citation)} · id <code>{esc(t.passage_id)}</code></div>'
            f'<div class="mx-text">{paragraphs(t.text, [])}</div></details></th>'
            + "".join(cells) + "</tr>")
    return (count + '<div class="mx-table-wrap" role="region" tabindex="0" '
            'aria-label="Trusts side by side (scrolls sideways)">'
            f'<table class="mx-sources mx-trusts"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def render_charts(rows) -> str:
    if not rows:
        return ""
    parts = ['<div class="mx-charts">']
    for i, chart in enumerate((size_against_balance(rows), profiles(rows))):
        note = (f" Not shown: {', '.join(chart.left_out)}." if chart.left_out else "")
        parts.append(
            f'<figure class="mx-chart" id="trust-chart-{i + 1}">'
            f'<img src="{chart.data_uri()}" alt="{esc(chart.alt)}">'
            f"<figcaption>{esc(chart.title)}: {chart.shown} of {len(rows)} trusts shown."
            f"{esc(note)}</figcaption></figure>")
    parts.append("</div>")
    return "".join(parts)


@dataclass
class TrustsTab:
    documents: Any
    dim_filters: dict  # dimension -> gr.Dropdown
    min_schools: Any
    max_schools: Any
    sort: Any
    descending: Any
    table: Any
    charts: Any
    dl_csv: Any
    dl_docx: Any
    show: Any  # handler: filters -> table, charts, downloads
    api_trusts: Any

    @property
    def inputs(self) -> list:
        return [self.documents, *self.dim_filters.values(), self.min_schools, self.max_schools,
                self.sort, self.descending]

    @property
    def views(self) -> list:
        return [self.documents, *self.dim_filters.values(), self.min_schools,
                self.max_schools, self.table, self.charts, self.dl_csv, self.dl_docx]

    def refresh(self, ctx: TabContext) -> list:
        trusts, _ = _trusts(ctx)
        choices = dimension_choices(trusts)
        docs = [(t.name, t.file) for t in trusts]
        out = [gr.Dropdown(choices=docs, value=[])]
        out += [gr.Dropdown(choices=choices.get(n, []), value=None, visible=n in choices)
                for n in self.dim_filters]
        out += [gr.Dropdown(choices=school_choices(trusts), value="")] * 2
        return out + list(self.show(None, *[None] * len(self.dim_filters), "", "", "name",
                                    False))


def build(ctx: TabContext) -> TrustsTab:
    from qa.trusts import DIMENSIONS, WhereError, field_label, filter_trusts, parse_where
    from qa.trusts import to_csv as trusts_csv
    from qa.trusts import to_docx as trusts_docx

    trusts0, _ = _trusts(ctx)
    choices0 = dimension_choices(trusts0)
    names = [n for n in DIMENSIONS if n != "number_of_schools"]

    def show(documents, *args):
        dims = dict(zip(names, args[:len(names)], strict=True))
        min_s, max_s, sort, descending = args[len(names):]
        trusts, index = _trusts(ctx)
        rows = select(trusts, documents, dims, min_s, max_s, sort or "name", bool(descending))
        off = gr.DownloadButton(value=None, interactive=False)
        if not rows:
            return render_table(rows, len(trusts)), render_charts(rows), off, off
        folder = export_dir()
        name = slug("trusts-side-by-side")
        csv_path = folder / f"{name}.csv"
        csv_path.write_text(trusts_csv(rows), encoding="utf-8")
        docx_path = trusts_docx(rows, folder / f"{name}.docx", index,
                                note=f"{len(rows)} of {len(trusts)} trusts, from the indexed "
                                     "vignettes; each row cites its vignette.")
        return (render_table(rows, len(trusts)), render_charts(rows),
                gr.DownloadButton(value=str(csv_path), interactive=True),
                gr.DownloadButton(value=str(docx_path), interactive=True))

    def api_trusts(where: list[str] | None = None) -> dict:
        """The trusts side by side. `where`: conditions such as "urban_rural=rural",
        "governance=single governing body", "schools>5" (all must hold). Returns `total`,
        `shown`, `trusts` (name, file, citation, passage_id, fields as written, schools as
        numbers, scales) and `message` (why nothing is listed, if so)."""
        trusts, _ = _trusts(ctx)
        if isinstance(where, str):
            where = [where]
        try:
            wheres = [parse_where(w) for w in (where or []) if w]
        except WhereError as exc:
            return {"total": len(trusts), "shown": 0, "trusts": [], "message": str(exc)}
        rows = filter_trusts(trusts, wheres)
        message = "" if rows else ("No trust vignettes are indexed." if not trusts else
                                   "No trust matches these conditions.")
        return {"total": len(trusts), "shown": len(rows),
                "trusts": [t.to_json() for t in rows], "message": message}

    with gr.Tab("Trusts", id="trusts"):
        gr.Markdown("## Trusts side by side\nOne row per trust vignette, with its key "
                    "dimensions as the vignette words them. Open a trust's name to read its "
                    "vignette and citation. Filters narrow the table, the charts and the "
                    "downloads.")
        with gr.Accordion("Filters and order", open=True, elem_id="trust-filters"):
            with gr.Row():
                documents = gr.Dropdown(choices=[(t.name, t.file) for t in trusts0],
                                        multiselect=True, label="Trusts (vignettes)",
                                        elem_id="trust-docs")
                min_schools = gr.Dropdown(choices=school_choices(trusts0), value="",
                                          label="At least this many schools",
                                          elem_id="trust-min")
                max_schools = gr.Dropdown(choices=school_choices(trusts0), value="",
                                          label="At most this many schools",
                                          elem_id="trust-max")
            with gr.Row():
                dim_filters = {n: gr.Dropdown(choices=choices0.get(n, []), value=None,
                                              label=field_label(n), visible=n in choices0,
                                              elem_id=f"trust-filter-{n}") for n in names}
            with gr.Row():
                sort = gr.Dropdown(choices=SORTS, value="name", label="Sort by",
                                   elem_id="trust-sort")
                descending = gr.Checkbox(label="Reverse order (largest, most central or Z "
                                               "first)", value=False, elem_id="trust-desc")
        with gr.Row():
            dl_csv = gr.DownloadButton("Download table (.csv)", interactive=False,
                                       elem_id="trust-csv")
            dl_docx = gr.DownloadButton("Download table (Word, .docx)", interactive=False,
                                        elem_id="trust-docx")
        table = gr.HTML(render_table(trusts0, len(trusts0)), elem_id="trust-table")
        gr.Markdown("### Charts", elem_id="trust-charts-heading")
        charts = gr.HTML(render_charts(trusts0), elem_id="trust-charts")

    tab = TrustsTab(documents, dim_filters, min_schools, max_schools, sort, descending, table,
                    charts, dl_csv, dl_docx, show, api_trusts)
    for component in tab.inputs:
        component.input(show, tab.inputs, [table, charts, dl_csv, dl_docx],
                         concurrency_id="trusts", **ctx.private)
    return tab
