"""The Add documents tab: uploads checked and stored under their content hash, then the index
rebuilt with a progress bar while searches carry on. Editors only: the tab is hidden from
readers and every handler (and the `/add_documents` API) checks the role on the server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from .context import TabContext
from .html import LIVE_JS, esc, render_live, spoken

STAGE_WORDS = {"reading": "Reading documents", "model": "Loading the model",
               "embedding": "Embedding passages and sentences",
               "token vectors": "Encoding passages for re-ranking",
               "indexing": "Writing the index"}


@dataclass
class AddDocumentsTab:
    tab: Any  # the gr.Tab, shown to editors only
    files: Any
    title: Any
    doc_type: Any
    add_btn: Any
    rebuild_btn: Any
    upload_result: Any
    rebuild_status: Any
    pending: Any  # gr.State: True when a stored upload awaits a rebuild
    add_files: Any  # handler
    rebuild: Any  # handler, with a progress bar
    api_add_documents: Any  # the `/add_documents` API endpoint
    run_rebuild: Any  # (request, progress=None) -> (report, problem): role checked, audited
    live: Any = None  # gr.HTML, a polite live region: what the upload and rebuild did, in words

    def wire(self, refresh_views, views: list, private: dict) -> None:
        """The upload and rebuild events; after each rebuild every tab's views are refreshed
        (`refresh_views` returns the updates for `views`)."""
        lane = {"concurrency_limit": 1, "concurrency_id": "rebuild"}
        status = self.rebuild_status
        quiet = {"show_progress": "hidden", **private}

        def announce_upload(upload: str, pending: bool) -> str:
            return render_live(spoken(upload))

        def announce_added(upload: str, rebuilt: str, pending: bool) -> str:
            # Without a rebuild (nothing new stored), the rebuild status is an older one.
            words = spoken(upload) + (" " + spoken(rebuilt) if pending else "")
            return render_live(words.strip())

        def announce_rebuild(rebuilt: str) -> str:
            return render_live(spoken(rebuilt))

        self.add_btn.click(self.add_files, [self.files, self.title, self.doc_type],
                           [self.upload_result, self.pending], concurrency_limit=1,
                           concurrency_id="store", **private).then(
            announce_upload, [self.upload_result, self.pending], [self.live], **quiet).then(
            self.rebuild, [self.pending], [status], show_progress_on=[status], **lane,
            **private).then(
            refresh_views, None, views, show_progress="hidden", **private).then(
            # announced once Sources and search show the new documents, as it says
            announce_added, [self.upload_result, status, self.pending], [self.live],
            **quiet).then(
            lambda: (None, ""), None, [self.files, self.title], show_progress="hidden",
            **private)
        self.rebuild_btn.click(lambda: True, None, [self.pending], **private).then(
            self.rebuild, [self.pending], [status], show_progress_on=[status], **lane,
            **private).then(
            refresh_views, None, views, show_progress="hidden", **private).then(
            announce_rebuild, [status], [self.live], **quiet)


def build(ctx: TabContext) -> AddDocumentsTab:
    """The tab's blocks and handlers; `app.py` wires them (`AddDocumentsTab.wire`) once every
    view a rebuild refreshes exists."""
    from index import BuildError
    from ingest.uploads import store_upload

    service, settings = ctx.service, ctx.settings

    def store_files(files, title, doc_type, request) -> list:
        """Store each file (the role is checked first), one audit line each."""
        ctx.require_editor(request, "upload")
        results = []
        single = len(files) == 1
        for f in files:
            path = Path(f)
            result = store_upload(path, path.name, settings.corpus_dir,
                                  title=title if single else "", doc_type=doc_type or "",
                                  max_bytes=settings.max_upload_bytes)
            stored_as = (result.stored_path.relative_to(settings.corpus_dir).as_posix()
                         if result.stored_path else "")
            ctx.log("upload", request, file=stored_as or result.original_name,
                    sha256=result.sha256, result=result.status,
                    name=result.original_name if stored_as else "")
            results.append((result, stored_as))
        return results

    def add_files(files, title, doc_type, request: gr.Request):
        if isinstance(files, str):
            files = [files]
        files = [f for f in (files or []) if f]
        if not files:
            ctx.require_editor(request, "upload")
            return "Choose one or more files first.", False
        lines, stored = [], False
        single = len(files) == 1
        for result, _ in store_files(files, title, doc_type, request):
            mark = {"stored": "Added", "duplicate": "Already there",
                    "refused": "Not added"}[result.status]
            # "Added “x” (12 KB)." begins with its own mark: bold it rather than say it twice.
            rest = result.message.removeprefix(mark + " ")
            lines.append(f"- **{mark}** {esc(rest)}" if rest != result.message
                         else f"- **{mark}:** {esc(result.message)}")
            stored = stored or result.ok
        if title and not single:
            lines.append("- The title was not used: it applies when one file is added at a time.")
        if stored:
            lines.append("\nRebuilding the index… searches carry on meanwhile.")
        return "\n".join(lines), stored

    def run_rebuild(request, report_progress=None):
        """(report, None) or (None, the reason in plain words); one audit line either way."""
        ctx.require_editor(request, "rebuild")
        try:
            report = service.rebuild(progress=report_progress)
        except BuildError as exc:
            ctx.log("rebuild", request, result=f"failed: {ctx.for_page(str(exc))}"[:300])
            return None, ctx.for_page(str(exc))
        except Exception as exc:  # never leave the facilitator without an answer
            ctx.log("rebuild", request, result=f"failed: {type(exc).__name__}")
            return None, type(exc).__name__
        ctx.log("rebuild", request,
                result=(f"ok: {report.passages} passages; {len(report.added)} added, "
                        f"{len(report.updated)} updated, {len(report.removed)} removed, "
                        f"{len(report.failed)} not used"))
        return report, None

    def rebuild(needed, request: gr.Request,
                progress=gr.Progress()):  # noqa: B008 (how Gradio injects progress)
        ctx.require_editor(request, "rebuild")  # first: a reader's replay is refused, not skipped
        if not needed:
            return gr.skip()
        progress(0, desc="Starting")

        from index.progress import TimeLeft, time_left_words

        time_left = TimeLeft()

        def report_progress(stage: str, done: int, total: int) -> None:
            words = STAGE_WORDS.get(stage, stage)
            left = time_left_words(time_left(stage, done, total))
            words = f"{words}, {left}" if left else words
            if stage.startswith("OCR ") and total:  # "OCR page 3 of 9 (scan.pdf)"
                words = f"OCR page {min(done + 1, total)} of {total} ({stage[4:]})"
            elif stage.startswith("pages ") and total:  # "Reading page 40 of 120 (report.pdf)"
                words = f"Reading page {min(done + 1, total)} of {total} ({stage[6:]})"
            if total:
                progress((min(done, total), total), desc=words)
            else:
                progress(0, desc=words)

        report, problem = run_rebuild(request, report_progress)
        if report is None:
            return f"**Not rebuilt:** {esc(problem)}. Searches use the previous index."
        index = ctx.current_index()
        titles = {f: r.title for f, r in index.manifest.files.items()} if index else {}
        lines = [f"**Index updated** in {report.seconds:.1f} s: {report.passages} passages."]
        if report.added or report.updated:
            names = ", ".join(f"“{esc(titles.get(f) or f)}”" for f in report.added + report.updated)
            lines.append(f"- New or changed: {names}")
        if report.removed:
            lines.append(f"- Taken out: {', '.join(esc(f) for f in report.removed)}")
        if not report.changed:
            lines.append("- Nothing had changed.")
        for f in report.failed:
            lines.append(f"- Not used: {esc(titles.get(f['file']) or f['file'])}: "
                         f"{esc(f['reason'])}")
        lines.append("\nThe new documents are in Sources and in search.")
        return "\n".join(lines)

    def api_add_documents(files: list[gr.FileData], title: str = "", doc_type: str = "",
                          request: gr.Request = None) -> dict:
        """Add files to the evidence and rebuild (editors only). Returns each file's outcome
        and the build's status."""
        paths = [received_path(f) for f in (files or [])]
        if not paths:
            ctx.require_editor(request, "upload")
            raise gr.Error("Give one or more files (gradio_client.handle_file).",
                           print_exception=False)
        outcomes = [{"name": r.original_name, "status": r.status, "message": r.message,
                     "stored_as": stored_as, "sha256": r.sha256}
                    for r, stored_as in store_files(paths, title, doc_type, request)]
        build = (build_status(*run_rebuild(request)) if any(o["status"] == "stored"
                                                             for o in outcomes)
                 else {"status": "not needed", "message": "Nothing new was stored."})
        return {"files": outcomes, "build": build}

    with gr.Tab("Add documents", id="add", visible=ctx.open) as tab:
        pending = gr.State(False)
        gr.Markdown(
            "Upload PDF (scans are read by OCR), Word (.docx), PowerPoint (.pptx), saved web "
            "pages (.html), text (.txt) or Markdown (.md) files, up to "
            f"{settings.max_upload_bytes // (1024 * 1024)} MB each. Each file is "
            "checked, kept under its content fingerprint with the name you gave it, "
            "and the index is rebuilt; people can keep searching meanwhile. A file "
            "already in the evidence is reported, not added twice.")
        files_in = gr.File(label="Documents", file_count="multiple",
                           file_types=[".pdf", ".docx", ".pptx", ".html", ".htm", ".txt", ".md"],
                           type="filepath",
                           elem_id="upload")
        with gr.Row():
            title_in = gr.Textbox(label="Title (optional, for a single file)",
                                  max_length=200, elem_id="upload-title")
            type_in = gr.Dropdown(choices=[("(detect)", ""), ("report", "report"),
                                           ("briefing", "briefing"),
                                           ("vignette", "vignette")],
                                  value="", label="Type (optional)",
                                  elem_id="upload-type")
        with gr.Row():
            add_btn = gr.Button("Add to the evidence", variant="primary",
                                elem_id="add-btn")
            rebuild_btn = gr.Button("Rebuild the index now", elem_id="rebuild-btn")
        upload_md = gr.Markdown(elem_id="upload-result")
        rebuild_md = gr.Markdown(elem_id="rebuild-status", min_height=60)
        # What a screen reader announces when the upload and the rebuild are done (the two
        # Markdown blocks above show the same, formatted).
        live = gr.HTML("", elem_id="add-live", js_on_load=LIVE_JS,
                       elem_classes=["mx-live-region"])
    return AddDocumentsTab(tab, files_in, title_in, type_in, add_btn, rebuild_btn, upload_md,
                           rebuild_md, pending, add_files, rebuild, api_add_documents,
                           run_rebuild, live)


def received_path(item) -> str:
    """The server path of a file the API received, only if Gradio's upload folder holds it: a
    request naming any other server file (forged FileData, a bare path) is refused."""
    import gradio as gr
    from gradio.utils import get_upload_folder

    path = item.get("path") if isinstance(item, dict) else getattr(item, "path", item)
    if not isinstance(path, str) or not path:
        raise gr.Error("Not a file.", print_exception=False)
    resolved = Path(path).resolve()
    if not resolved.is_relative_to(Path(get_upload_folder()).resolve()) or \
            not resolved.is_file():
        raise gr.Error("That file was not uploaded to this app.", print_exception=False)
    return str(resolved)


def build_status(report, problem) -> dict:
    """A rebuild's outcome for the API: plain JSON."""
    if report is None:
        return {"status": "not rebuilt", "message": f"{problem}; searches use the previous "
                "index."}
    return {"status": "rebuilt", "passages": report.passages,
            "seconds": round(report.seconds, 2), "added": list(report.added),
            "updated": list(report.updated), "removed": list(report.removed),
            "failed": [dict(f) for f in report.failed],
            "message": f"Index updated: {report.passages} passages."}
