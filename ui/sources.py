"""The Sources tab: every file in the index with its status in plain words; for editors, Remove
and Restore (nothing is deleted: ingest/uploads.py) and the latest entries of the audit trail."""

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


AUDIT_HEADERS = ["Time (UTC)", "Who", "Action", "File", "Result"]


def render_audit(entries: list[dict]) -> str:
    if not entries:
        return render_message("Nothing recorded yet.")
    head = "".join(f"<th>{h}</th>" for h in AUDIT_HEADERS)
    body = []
    for e in entries:
        who = esc(e.get("user", "")) + (f" <span class=\"mx-note\">{esc(e['role'])}</span>"
                                        if e.get("role") else "")
        where = f" <span class=\"mx-note\">from {esc(e['address'])}</span>" \
            if e.get("address") else ""
        body.append(f"<tr><td data-label=\"Time\">{esc(str(e.get('time', '')).replace('T', ' '))}"
                    f"</td><td data-label=\"Who\">{who}</td>"
                    f"<td data-label=\"Action\">{esc(e.get('action', ''))}</td>"
                    f"<td data-label=\"File\">{esc(e.get('file', ''))}</td>"
                    f"<td data-label=\"Result\">{esc(e.get('result', ''))}{where}</td></tr>")
    return (f'<div class="mx-table-wrap"><table class="mx-sources mx-audit"><thead><tr>{head}'
            f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def removable_choices(index, corpus_dir: Path) -> list[tuple[str, str]]:
    """(label, relative path) for every file of the corpus, titled from the index."""
    from ingest.uploads import corpus_files

    titles = {f: r.title for f, r in index.manifest.files.items()} if index else {}
    out = []
    for rel in corpus_files(corpus_dir):
        title = titles.get(rel) or ""
        out.append((f"{title} ({rel})" if title and title != rel else rel, rel))
    return sorted(out, key=lambda c: c[0].lower())


def restorable_choices(corpus_dir: Path) -> list[tuple[str, str]]:
    from ingest.uploads import removed_documents

    return [(f"{(r.title + ' – ') if r.title else ''}{r.file}, removed {r.removed_at[:16]} "
             f"by {r.removed_by}".replace("T", " "), r.folder)
            for r in removed_documents(corpus_dir)]


@dataclass
class SourcesTab:
    table: Any
    summary: Any
    corpus_dir: Path
    editor_box: Any  # editors only: remove, restore, the audit trail
    remove_choice: Any
    remove_btn: Any
    restore_choice: Any
    restore_btn: Any
    edit_result: Any
    edit_status: Any
    audit_html: Any
    pending: Any  # gr.State: a removal or restore awaits a rebuild
    remove: Any  # handlers
    restore: Any
    remove_file: Any  # (relative path, request) -> MoveResult: role checked, audited
    audit: Any = None

    @property
    def views(self) -> list:
        return [self.table, self.summary, self.remove_choice, self.restore_choice,
                self.audit_html]

    def refresh(self, index, editor: bool = True) -> list:
        """The views' values; the editor-only ones are empty for a reader (the server never
        sends a reader the audit trail or the file list, hidden or not)."""
        rows = [render_sources(source_rows(index, self.corpus_dir)), sources_summary(index)]
        if not editor:
            return [*rows, gr.update(choices=[], value=None), gr.update(choices=[], value=None),
                    ""]
        entries = self.audit.latest(20) if self.audit is not None else []
        return [*rows, gr.update(choices=removable_choices(index, self.corpus_dir), value=None),
                gr.update(choices=restorable_choices(self.corpus_dir), value=None),
                render_audit(entries)]

    def wire(self, rebuild, refresh_views, views: list, private: dict) -> None:
        """Remove and Restore each move the file, then rebuild (editors only, like uploads)
        and refresh every tab."""
        lane = {"concurrency_limit": 1, "concurrency_id": "rebuild"}
        for btn, fn, choice in ((self.remove_btn, self.remove, self.remove_choice),
                                (self.restore_btn, self.restore, self.restore_choice)):
            btn.click(fn, [choice], [self.edit_result, self.pending], concurrency_limit=1,
                      concurrency_id="store", **private).then(
                rebuild, [self.pending], [self.edit_status], show_progress_on=[self.edit_status],
                **lane, **private).then(
                refresh_views, None, views, show_progress="hidden", **private)


def build(ctx: TabContext) -> SourcesTab:
    from ingest.uploads import remove_document, restore_document

    index0 = ctx.current_index()
    corpus_dir = ctx.settings.corpus_dir

    def title_of(rel: str) -> str:
        index = ctx.current_index()
        rec = index.manifest.files.get(rel) if index else None
        return (rec.title if rec else "") or ""

    def remove_file(rel, request):
        ctx.require_editor(request, "remove", file=str(rel or ""))
        result = remove_document(corpus_dir, str(rel or ""), ctx.user(request),
                                 title_of(str(rel or "")))
        ctx.log("remove", request, file=result.file, sha256=result.sha256, result=result.status)
        return result

    def remove(rel, request: gr.Request):
        ctx.require_editor(request, "remove", file=str(rel or ""))
        if not rel:
            return "Choose a document to remove first.", False
        result = remove_file(rel, request)
        if result.ok:
            return f"**Removed:** {esc(result.message)}\n\nRebuilding the index…", True
        return f"**Not removed:** {esc(result.message)}", False

    def restore(folder, request: gr.Request):
        ctx.require_editor(request, "restore", file=str(folder or ""))
        if not folder:
            return "Choose a removed document to restore first.", False
        result = restore_document(corpus_dir, folder, ctx.user(request))
        ctx.log("restore", request, file=result.file, sha256=result.sha256,
                result=result.status)
        if result.ok:
            return f"**Restored:** {esc(result.message)}\n\nRebuilding the index…", True
        return f"**Not restored:** {esc(result.message)}", False

    with gr.Tab("Sources", id="sources"):
        summary_md = gr.Markdown(sources_summary(index0), elem_id="sources-summary")
        sources_html = gr.HTML(render_sources(source_rows(index0, corpus_dir)),
                               elem_id="sources", js_on_load=None)
        with gr.Column(visible=ctx.open, elem_id="editor-tools") as editor_box:
            pending = gr.State(False)
            gr.Markdown("### Remove or restore a document\nA removed document leaves search "
                        "at the next build and is kept (with who removed it and when), so "
                        "Restore brings it back exactly as it was.")
            with gr.Row():
                # Custom values pass Gradio's check so that the handler decides: the role
                # first, then remove_document accepts only files of the corpus.
                remove_dd = gr.Dropdown(choices=[], value=None, label="Document to remove",
                                        allow_custom_value=True, elem_id="remove-choice")
                remove_btn = gr.Button("Remove from the evidence", variant="stop",
                                       elem_id="remove-btn")
            with gr.Row():
                restore_dd = gr.Dropdown(choices=[], value=None,
                                         label="Removed document to restore",
                                         allow_custom_value=True, elem_id="restore-choice")
                restore_btn = gr.Button("Restore", elem_id="restore-btn")
            edit_md = gr.Markdown(elem_id="edit-result")
            edit_status = gr.Markdown(elem_id="edit-rebuild-status", min_height=40)
            gr.Markdown("### Latest changes and sign-ins")
            audit_html = gr.HTML("", elem_id="audit", js_on_load=None)
    return SourcesTab(sources_html, summary_md, corpus_dir, editor_box, remove_dd, remove_btn,
                      restore_dd, restore_btn, edit_md, edit_status, audit_html, pending, remove,
                      restore, remove_file, audit=ctx.audit)
