"""The Basket tab: passages collected from answers, reordered and exported with citations.

The basket is a list of passage snapshots, so a later rebuild cannot change a collected quote.
It is kept in the browser (gr.BrowserState: the browser's local storage, encrypted with the
app's key in var/browser-state.key), so it survives a reload of the page and a restart of the
app, on this browser and computer only.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from .context import TabContext
from .downloads import write_exports
from .html import ACTIONS_JS, esc, paragraphs

MAX_BASKET = 200
STORAGE_KEY = "mat-evidence-basket"
WHERE_KEPT = ("The basket is kept in this browser, on this computer: it is still here after a "
              "reload or a restart of the app, but not in another browser or on another "
              "computer. Anyone using this browser profile can see it; **Empty the basket** "
              "removes it.")
_ITEM_TEXT_FIELDS = ("id", "text", "file", "title", "citation")


def browser_secret(path: Path) -> str:
    """The key the basket is stored with in the browser: made once, kept in `path` (readable
    by the app's user only), so a basket saved before a restart can still be read after it."""
    path = Path(path)
    try:
        key = path.read_text(encoding="ascii").strip()
        if len(key) >= 32:
            return key
    except (OSError, UnicodeDecodeError):
        pass
    key = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key


def basket_from_browser(value: Any) -> tuple[list[dict], int]:
    """The basket as the browser sent it back: only well-formed items are kept (a passage
    snapshot with its text fields as strings), at most MAX_BASKET; returns (items, how many
    were not usable), so the page can say so."""
    if not isinstance(value, list):
        return [], 0 if value in (None, "", {}) else 1
    items, bad, seen = [], 0, set()
    for it in value:
        if (not isinstance(it, dict) or not all(isinstance(it.get(k), str) and it.get(k)
                                                for k in _ITEM_TEXT_FIELDS)
                or it["id"] in seen or len(items) >= MAX_BASKET):
            bad += 1
            continue
        seen.add(it["id"])
        items.append({**it, "highlight": [h for h in it.get("highlight") or []
                                          if isinstance(h, str)],
                      "question": str(it.get("question") or ""),
                      "section": str(it.get("section") or ""),
                      "doc_type": str(it.get("doc_type") or "")})
    return items, bad


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
    restore: Any = None  # handler at page load: (basket from the browser) -> basket, html, note


def build(ctx: TabContext, basket: gr.BrowserState, status: gr.Markdown) -> BasketTab:
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

    def restore(stored):
        """At page load: the basket the browser kept, checked, shown, and said so."""
        items, bad = basket_from_browser(stored)
        note = basket_note(items)
        if items:
            note = f"{note} Kept in this browser since your last visit."
        if bad:
            note += (f" {bad} stored item{'s' if bad != 1 else ''} could not be read and "
                     f"{'were' if bad != 1 else 'was'} left out.")
        return items, render_basket(items), note

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
        gr.Markdown(WHERE_KEPT, elem_id="basket-where")
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
    return BasketTab(export_title, dl_docx, dl_md, clear_btn, basket_html, export_basket,
                     restore)
