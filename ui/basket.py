"""The Basket tab: passages collected from answers, reordered and exported with citations.

The basket is a list of passage snapshots, so a later rebuild cannot change a collected quote.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import gradio as gr

from .context import TabContext
from .downloads import write_exports
from .html import ACTIONS_JS, esc, paragraphs

MAX_BASKET = 200


def basket_item(p, question: str = "", highlight: list[str] | None = None) -> dict[str, Any]:
    return {"id": p.id, "text": p.text, "file": p.file, "title": p.title,
            "citation": p.citation, "page": p.page, "section": p.section_label,
            "doc_type": p.doc_type, "question": question, "highlight": list(highlight or []),
            "ocr": bool(getattr(p, "ocr", False))}


def basket_add(items: list[dict], item: dict) -> tuple[list[dict], str]:
    items = list(items or [])
    if any(x["id"] == item["id"] for x in items):
        return items, "That passage is already in the basket."
    if len(items) >= MAX_BASKET:
        return items, f"The basket is full ({MAX_BASKET} passages). Export it and start another."
    return [*items, item], f"Added to the basket ({len(items) + 1} passages)."


def basket_move(items: list[dict], pos: int, delta: int) -> list[dict]:
    items = list(items or [])
    new = pos + delta
    if 0 <= pos < len(items) and 0 <= new < len(items):
        items[pos], items[new] = items[new], items[pos]
    return items


def basket_remove(items: list[dict], pos: int) -> list[dict]:
    items = list(items or [])
    if 0 <= pos < len(items):
        del items[pos]
    return items


def render_basket(items: list[dict]) -> str:
    if not items:
        return ('<div class="mx-basket mx-empty"><p>The basket is empty. Use '
                "<strong>Add to basket</strong> on any passage in the Ask tab.</p></div>")
    n = len(items)
    parts = [f'<div class="mx-basket"><p class="mx-note">{n} passage{"s" if n != 1 else ""}, '
             "in the order they will be exported.</p><ol>"]
    for i, it in enumerate(items):
        up = (f'<button class="mx-btn" data-action="up" data-pos="{i}" '
              f'aria-label="Move passage {i + 1} up">↑ Up</button>') if i > 0 else ""
        down = (f'<button class="mx-btn" data-action="down" data-pos="{i}" '
                f'aria-label="Move passage {i + 1} down">↓ Down</button>') if i < n - 1 else ""
        parts.append(
            f'<li class="mx-card mx-bitem" data-pid="{esc(it["id"])}">'
            f'<div class="mx-cite">{esc(it["citation"])}</div>'
            + ('<div class="mx-note mx-ocr">text read by OCR</div>' if it.get("ocr") else "") +
            f'<div class="mx-meta">{esc(it["title"])}'
            + (f" · found for “{esc(it['question'])}”" if it.get("question") else "") + "</div>"
            f'<blockquote class="mx-text">{paragraphs(it["text"], it.get("highlight", []))}'
            "</blockquote>"
            f'<div class="mx-actions">{up}{down}<button class="mx-btn mx-remove" '
            f'data-action="remove" data-pos="{i}" aria-label="Remove passage {i + 1}">Remove'
            "</button></div></li>")
    parts.append("</ol></div>")
    return "".join(parts)


def basket_document(items: list[dict], title: str = "", index=None):
    """The basket as an ExportDocument (qa/export.py): quotes verbatim with their citation,
    grouped by the question they were found for, and a reference list."""
    from qa.export import CitedQuote, ExportDocument, ExportSection, Reference, references_for

    title = " ".join((title or "").split())[:200] or "Evidence basket"
    sections: list[ExportSection] = []
    for it in items or []:
        heading = it.get("question") or "Passages"
        if not sections or sections[-1].heading != heading:
            sections.append(ExportSection(heading))
        sections[-1].quotes.append(CitedQuote(
            it["id"], it["text"], it["file"], it["title"], it["citation"], it.get("page"),
            it.get("section", ""), list(it.get("highlight", [])),
            "text read by OCR" if it.get("ocr") else ""))
    files = [it["file"] for it in items or []]
    if index is not None:
        refs = references_for(index, files)
    else:
        refs = []
        for f in dict.fromkeys(files):
            refs.append(Reference(f, f))
    titles = {it["file"]: it["title"] for it in items or []}
    for r in refs:  # a document no longer indexed keeps the title it was collected with
        if r.title == r.file and titles.get(r.file):
            r.title = titles[r.file]
    n = len(items or [])
    intro = (f"{n} passage{'s' if n != 1 else ''} collected from the evidence on "
             f"{time.strftime('%d %B %Y')}. Each quotation is verbatim from the document cited; "
             "the full references are at the end.")
    return ExportDocument(title, sections, refs, intro)


def basket_note(basket):
    n = len(basket or [])
    return f"Basket: {n} passage{'s' if n != 1 else ''}." if n else "The basket is empty."


@dataclass
class BasketTab:
    export_title: Any
    dl_docx: Any
    dl_md: Any
    clear_btn: Any
    html: Any
    export_basket: Any  # handler: (basket, title) -> the two download buttons


def build(ctx: TabContext, basket: gr.State, status: gr.Markdown) -> BasketTab:
    """The tab's blocks and its own events. `basket` is the shared state; `status` is the
    one-line note under the Ask tab's answer."""
    private = ctx.private

    def on_basket_action(basket, evt: gr.EventData):
        data = evt._data if isinstance(getattr(evt, "_data", None), dict) else {}
        try:
            pos = int(data.get("pos", -1))
        except (TypeError, ValueError):
            return gr.skip(), gr.skip()
        action = data.get("action")
        if action == "up":
            basket = basket_move(basket, pos, -1)
        elif action == "down":
            basket = basket_move(basket, pos, +1)
        elif action == "remove":
            basket = basket_remove(basket, pos)
        else:
            return gr.skip(), gr.skip()
        return basket, render_basket(basket)

    def clear_basket():
        return [], render_basket([]), "The basket is empty."

    def export_basket(basket, title):
        if not basket:
            return (gr.DownloadButton(value=None, interactive=False),
                    gr.DownloadButton(value=None, interactive=False))
        doc = basket_document(basket, title, ctx.current_index())
        paths = write_exports(doc, ("docx", "md"))
        return (gr.DownloadButton(value=str(paths["docx"]), interactive=True),
                gr.DownloadButton(value=str(paths["md"]), interactive=True))

    with gr.Tab("Basket", id="basket"):
        export_title = gr.Textbox(label="Title for the export", value="Evidence basket",
                                  max_length=200, elem_id="export-title")
        with gr.Row():
            dl_docx = gr.DownloadButton("Download Word (.docx)", interactive=False,
                                        elem_id="dl-docx", variant="primary")
            dl_md = gr.DownloadButton("Download Markdown (.md)", interactive=False,
                                      elem_id="dl-md")
            clear_btn = gr.Button("Empty the basket", variant="stop", elem_id="clear")
        basket_html = gr.HTML(render_basket([]), elem_id="basket", js_on_load=ACTIONS_JS)

    downloads = [dl_docx, dl_md]
    basket_html.click(on_basket_action, [basket], [basket, basket_html], **private).then(
        export_basket, [basket, export_title], downloads, **private).then(
        basket_note, [basket], [status], **private)
    clear_btn.click(clear_basket, None, [basket, basket_html, status], **private).then(
        export_basket, [basket, export_title], downloads, **private)
    export_title.blur(export_basket, [basket, export_title], downloads, **private)
    export_title.submit(export_basket, [basket, export_title], downloads, **private)
    return BasketTab(export_title, dl_docx, dl_md, clear_btn, basket_html, export_basket)
