"""The Session prep tab (qa/prep.py): pick a session, edit its questions, preview the evidence
pack and download it as Word, Markdown or CSV."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from qa.export import opening_words, see_also_label

from .context import MAX_QUESTION_CHARS, TabContext
from .downloads import write_exports
from .html import esc, paragraphs, render_message


def render_pack(doc) -> str:
    """An ExportDocument (a session pack) as escaped HTML, the way the exports lay it out."""
    from qa.export import cite, in_short, left_out_lines

    handout = getattr(doc, "handout", False)
    parts = [f'<div class="mx-pack"><h2>{esc(doc.title)}</h2>']
    if doc.intro:
        parts.append(paragraphs(doc.intro.replace("\n\n", "\n"), []))
    for section in doc.sections:
        parts.append(f'<section class="mx-card"><h3 class="mx-h">{esc(section.heading)}</h3>')
        if section.note:
            parts.append(f'<p class="mx-note"><em>{esc(section.note)}</em></p>')
        if section.answer:
            parts.append(f"<p><strong>In short:</strong> {esc(in_short(section.answer))}</p>")
        for q in section.quotes:
            if handout:
                where = esc(cite(doc, q))
            else:
                note = f" · {esc(q.note)}" if getattr(q, "note", "") else ""
                where = f"{esc(q.citation)} · id <code>{esc(q.passage_id)}</code>{note}"
            parts.append(f'<blockquote class="mx-text">{paragraphs(q.text, q.highlight)}'
                         f'</blockquote><div class="mx-cite">— {where}</div>')
        if section.see_also:
            quoted = {q.passage_id: q for s in doc.sections for q in s.quotes}
            label = see_also_label(doc, section).removeprefix("Also relevant, ").rstrip(":")
            parts.append(f'<p class="mx-note">See also ({esc(label)}): '
                         + "; ".join((esc(quoted[pid].citation) if handout
                                      else f"<code>{esc(pid)}</code>")
                                     + f" “{esc(opening_words(quoted[pid].text, section=quoted[pid].section))}”"
                                     if pid in quoted else f"<code>{esc(pid)}</code>"
                                     for pid in section.see_also) + "</p>")
        parts.append("</section>")
    if doc.references:
        parts.append('<h3 class="mx-h">References</h3><ol>'
                     + "".join(f"<li>{esc(r.text(handout))}</li>" for r in doc.references)
                     + "</ol>")
    warnings = left_out_lines(doc)
    if warnings:
        parts.append('<div class="mx-summary mx-weak"><strong>Left out when checked against '
                     "the sources:</strong><ul>"
                     + "".join(f"<li>{esc(w)}</li>" for w in warnings) + "</ul></div>")
    parts.append("</div>")
    return "".join(parts)


def build(ctx: TabContext) -> bool:
    """The tab, built inside the open gr.Tabs, with its events. False when qa.prep is absent."""
    try:
        from qa import prep
    except ImportError:
        return False
    service, settings, private = ctx.service, ctx.settings, ctx.private
    path = settings.sessions_file or Path(settings.corpus_dir) / prep.SESSIONS_FILE

    def sessions() -> tuple[list, str]:
        try:
            return prep.load_sessions(path), ""
        except prep.SessionsError as exc:
            return [], ctx.for_page(str(exc))

    found, problem = sessions()

    def pick(session_id):
        for session in sessions()[0]:
            if session.id == session_id:
                return "\n".join(session.questions), session.heading + " (evidence pack)"
        return gr.skip(), gr.skip()

    def build(session_id, questions_text, title, case_studies=False, handout=False):
        questions = [" ".join(q.split()) for q in (questions_text or "").splitlines()]
        questions = [q[:MAX_QUESTION_CHARS] for q in questions if q][:30]
        off = gr.DownloadButton(value=None, interactive=False)
        if not questions:
            return (render_message("Write at least one question, one per line.", "notfound"),
                    off, off, off)
        session = next((x for x in sessions()[0] if x.id == session_id), None)
        intro = prep.session_intro(session) if session is not None else None
        title = " ".join((title or "").split())[:200] or "Evidence pack"
        searcher = service.searcher()
        doc = prep.build_pack(searcher, questions, title, intro=intro,
                              corpus_dir=Path(settings.corpus_dir),
                              case_studies=3 if case_studies else 0, handout=bool(handout))
        paths = write_exports(doc, ("docx", "md", "csv"))
        return (render_pack(doc),
                *[gr.DownloadButton(value=str(paths[f]), interactive=True)
                  for f in ("docx", "md", "csv")])

    with gr.Tab("Session prep", id="prep"):
        if problem:
            gr.Markdown(f"The session list could not be read: {esc(problem)}")
        gr.Markdown("Pick a training session, edit its questions (one per line), and make an "
                    "evidence pack: for each question the best passages, quoted verbatim "
                    "and checked against their sources, with a reference list.")
        with gr.Row():
            session_in = gr.Dropdown(choices=[(x.heading, x.id) for x in found],
                                     value=None, label="Session", elem_id="prep-session")
            title_in = gr.Textbox(label="Title of the pack", max_length=200,
                                  elem_id="prep-title")
        questions_in = gr.Textbox(label="Questions (one per line)", lines=6, max_lines=20,
                                  elem_id="prep-questions")
        case_in = gr.Checkbox(label="Add a Case studies section: the three trust vignettes "
                                    "most relevant to these questions, with their key dimensions",
                              value=False, elem_id="prep-cases")
        handout_in = gr.Checkbox(label="Handout for trainees: citations by document, page and "
                                       "section with the reference list; no passage ids (the "
                                       "facilitator's copy, unticked, keeps them)",
                                 value=False, elem_id="prep-handout")
        with gr.Row():
            build_btn = gr.Button("Preview the pack", variant="primary", elem_id="prep-build")
            dl = [gr.DownloadButton(label, interactive=False, elem_id=f"prep-{fmt}")
                  for fmt, label in (("docx", "Word (.docx)"), ("md", "Markdown (.md)"),
                                     ("csv", "Spreadsheet (.csv)"))]
        preview = gr.HTML(elem_id="prep-preview", js_on_load=None)
    session_in.change(pick, [session_in], [questions_in, title_in], **private)
    build_btn.click(build, [session_in, questions_in, title_in, case_in, handout_in],
                    [preview, *dl],
                    concurrency_limit=2, concurrency_id="prep", **private)
    return True
