"""The Sources tab: every file in the index with its status in plain words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from .context import TabContext
from .html import esc, render_message

SOURCE_HEADERS = ["Title", "File", "Type", "Pages", "Passages", "Status", "Added"]


def status_words(rec) -> str:
    """A file's status in plain words, for the Sources table."""
    if rec.status == "indexed":
        if rec.warnings:
            return "indexed (" + "; ".join(rec.warnings) + ")"
        return "indexed"
    if rec.status == "duplicate":
        return f"duplicate: {rec.reason}" if rec.reason else "duplicate"
    if rec.status == "unsupported":
        return "unsupported file type"
    code = rec.reason_code
    if code == "password":
        return "encrypted or password-protected"
    if code == "no_text":  # with what to install when Tesseract is missing (ingest/ocr.py)
        hint = re.search(r"\(([^()]*install[^()]*)\)\s*$", rec.reason or "")
        return "no text layer, needs OCR" + (f" ({hint.group(1)})" if hint else "")
    reason = rec.reason or "unknown reason"
    reason = re.sub(r"^(unreadable|corrupt[^:]*):\s*", "", reason)
    return f"unreadable: {reason}"


def source_rows(index, corpus_dir: Path | None = None) -> list[dict[str, Any]]:
    """One row per file in the manifest: title, file (and the name it was uploaded with),
    type, pages, passages, status in plain words, when it was added."""
    from ingest.catalog import read_sidecar

    if index is None:
        return []
    rows = []
    for rel, rec in index.manifest.files.items():
        side: dict[str, str] = {}
        if corpus_dir is not None:
            try:
                side = read_sidecar(Path(corpus_dir) / rel)
            except (OSError, ValueError):
                side = {}
        rows.append({
            "title": rec.title or side.get("title") or side.get("original_name") or rel,
            "file": rel,
            "uploaded_as": side.get("original_name", ""),
            "type": rec.doc_type or side.get("type", ""),
            "pages": "" if rec.pages is None else str(rec.pages),
            "passages": str(rec.passages) if rec.status == "indexed" else "",
            "status": status_words(rec),
            "indexed": rec.status == "indexed",
            "added": rec.added or side.get("added", ""),
        })
    rows.sort(key=lambda r: (not r["indexed"], r["title"].lower()))
    return rows


def render_sources(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return render_message("No documents are indexed yet. Add some in the Add documents tab.")
    head = "".join(f"<th>{h}</th>" for h in SOURCE_HEADERS)
    body = []
    for r in rows:
        file_cell = (f"{esc(r['uploaded_as'])}<br><span class=\"mx-note\">stored as "
                     f"{esc(r['file'])}</span>" if r["uploaded_as"] else esc(r["file"]))
        status_class = "mx-ok" if r["indexed"] else "mx-bad"
        body.append(
            f"<tr><td data-label=\"Title\">{esc(r['title'])}</td>"
            f"<td data-label=\"File\">{file_cell}</td>"
            f"<td data-label=\"Type\">{esc(r['type'])}</td>"
            f"<td data-label=\"Pages\">{esc(r['pages']) or '–'}</td>"
            f"<td data-label=\"Passages\">{esc(r['passages']) or '–'}</td>"
            f"<td data-label=\"Status\" class=\"{status_class}\">{esc(r['status'])}</td>"
            f"<td data-label=\"Added\">{esc(r['added'])}</td></tr>")
    return (f'<div class="mx-table-wrap"><table class="mx-sources"><thead><tr>{head}</tr>'
            f"</thead><tbody>{''.join(body)}</tbody></table></div>")


def sources_summary(index) -> str:
    if index is None:
        return "No index yet. Add documents, or run `python -m ingest`."
    files = index.manifest.files.values()
    used = sum(1 for r in files if r.status == "indexed")
    not_used = len(index.manifest.files) - used
    created = index.manifest.created[:16].replace("T", " ")
    text = (f"**{used} document{'s' if used != 1 else ''} indexed** "
            f"({len(index.passages)} passages)")
    if not_used:
        text += f"; **{not_used} not used** (see Status)"
    return text + f". Index built {created}."


@dataclass
class SourcesTab:
    table: Any
    summary: Any
    corpus_dir: Path

    @property
    def views(self) -> list:
        return [self.table, self.summary]

    def refresh(self, index) -> list:
        return [render_sources(source_rows(index, self.corpus_dir)), sources_summary(index)]


def build(ctx: TabContext) -> SourcesTab:
    index0 = ctx.current_index()
    corpus_dir = ctx.settings.corpus_dir
    with gr.Tab("Sources", id="sources"):
        summary_md = gr.Markdown(sources_summary(index0), elem_id="sources-summary")
        sources_html = gr.HTML(render_sources(source_rows(index0, corpus_dir)),
                               elem_id="sources", js_on_load=None)
    return SourcesTab(sources_html, summary_md, corpus_dir)
