"""The Ask tab: a question, its filters and the answer page (numbered answer sentences with
[n] links to their passage cards), and the `/ask` API."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import gradio as gr

from qa.format import LEVEL_WORDS, answer_json, passage_level, score_words

from .basket import basket_add, basket_item, render_basket
from .context import MAX_QUESTION_CHARS, TabContext, question_of
from .html import ACTIONS_JS, esc, paragraphs, render_message

__all__ = ["LEVEL_WORDS", "passage_level"]  # one vocabulary (qa/format.py), re-exported for app

# What the question box accepts; the first MAX_QUESTION_CHARS are searched, with a notice.
PASTE_LIMIT = 40 * MAX_QUESTION_CHARS


def _add_button(pid: str, in_basket: set[str]) -> str:
    if pid in in_basket:
        return '<button class="mx-btn mx-added" disabled>In basket ✓</button>'
    return (f'<button class="mx-btn" data-action="add" data-pid="{esc(pid)}">'
            "Add to basket</button>")


def passage_body(p, highlights: list[str]) -> str:
    """A passage's text; a table as a table (header cells and rows), its caption above."""
    if p.kind != "table" or not p.rows:
        return paragraphs(p.text, highlights)
    header, *rows = p.rows
    caption = p.text.split("\n")[0]
    cap = (f"<caption>{esc(caption)}</caption>" if caption != " | ".join(header)
           and not caption.startswith(f"{header[0]}:") else "")
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="mx-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _page_button(p) -> str:
    """ "Show page" for a passage from a PDF: the page image, drawn on the server."""
    if p.page_start is None or not p.file.lower().endswith(".pdf"):
        return ""
    return (f'<button class="mx-btn" data-action="page" data-pid="{esc(p.id)}">'
            f"Show page</button>")


def render_page_view(passage, corpus_dir) -> str:
    """The cited page as an image in the page (a data: URI: no file route is opened), the
    passage's lines highlighted, with its citation and a close button."""
    import base64

    from qa.pages import PageUnavailable, passage_page

    def head(focus: float = 0.0) -> str:
        return (f'<div class="mx-pageview" role="region" aria-label="Cited page" tabindex="-1" '
                f'id="mx-pageview" data-pid="{esc(passage.id)}" data-focus="{focus}">'
                f'<div class="mx-pageview-head"><strong>{esc(passage.citation)}</strong> '
                '<button class="mx-btn" data-action="close-page">Close page</button></div>')

    try:
        shown = passage_page(passage, corpus_dir)
    except PageUnavailable as exc:
        return head() + f'<p class="mx-note">No page to show: {esc(exc)}</p></div>'
    data = base64.b64encode(shown.png_bytes()).decode("ascii")
    alt = (f"Page {shown.page} of {passage.title}, with the {shown.highlighted} lines of "
           f"passage {passage.id} highlighted")
    return (head(shown.focus) + f'<p class="mx-note">{esc(shown.label)} of {esc(passage.title)} · the cited '
            f"lines are highlighted · passage id {esc(passage.id)}</p>"
            f'<img class="mx-pageimg" alt="{esc(alt)}" src="data:image/png;base64,{data}"></div>')


# Keyboard and screen-reader users land on the page that opened; everyone sees the cited lines
# scrolled into view (the image is the whole page, the lines may be far down it).
PAGE_VIEW_JS = """() => {
  const v = document.querySelector('#mx-pageview');
  if (!v) return;
  v.focus();
  const img = v.querySelector('img');
  const go = () => { v.scrollTop = Math.max(0, img.offsetTop
      + parseFloat(v.dataset.focus || '0') * img.clientHeight - 120); };
  if (img) { img.complete ? go() : img.addEventListener('load', go, {once: true}); }
}"""


def context_block(index, passage, in_basket: set[str], before: int = 1, after: int = 1) -> str:
    """The passages around a cited one, in document order, the cited one marked."""
    if index is None:
        return ""
    around = index.neighbours(passage.id, before, after)
    if len(around) <= 1:
        return ('<details class="mx-context"><summary>Show in context</summary>'
                "<p class=\"mx-note\">This passage is the whole document, or stands alone in "
                "it.</p></details>")
    parts = ['<details class="mx-context"><summary>Show in context</summary>']
    for q in around:
        me = q.id == passage.id
        label = "This passage" if me else ("Before" if q.ordinal < passage.ordinal else "After")
        parts.append(
            f'<div class="mx-ctx{" mx-self" if me else ""}"><div class="mx-ctx-label">{label} · '
            f"{esc(q.citation)}</div>{paragraphs(q.text, [])}"
            + ("" if me else f'<div class="mx-actions">{_add_button(q.id, in_basket)}</div>')
            + "</div>")
    parts.append("</details>")
    return "".join(parts)


def render_answer(answer, index=None, *, strong: float = 0.45, weak: float = 0.30,
                  in_basket: set[str] | None = None, filtered: bool = False) -> str:
    """HTML for an answer: numbered answer sentences with [n] links, then one card per cited
    passage (title, citation, match level, score, the answer sentence highlighted, the text
    around it). When the evidence is `none`, a plain notice and the nearest passages, folded
    away and marked as not an answer. All text is escaped."""
    from qa import NOT_FOUND

    in_basket = in_basket or set()
    number = {h.passage.id: i for i, h in enumerate(answer.hits, 1)}
    parts = [f'<div class="mx-answer" data-question="{esc(answer.question)}">']
    parts.append(trusts_html(answer))
    if not answer.hits:
        why = ("No passage matches the filters you chose. Clear a filter and ask again."
               if filtered else "The index has no passages yet: add documents first.")
        parts.append(f'<div class="mx-summary mx-notfound" role="status"><strong>'
                     f"{esc(NOT_FOUND)}</strong> {esc(why)}</div></div>")
        return "".join(parts)
    reason = getattr(answer, "reason", "")
    if not answer.found:
        parts.append(
            f'<div class="mx-summary mx-notfound" role="status" id="not-found"><strong>'
            f"{esc(NOT_FOUND)}</strong> " + (f"{esc(reason)} " if reason else "") +
            "The documents in this collection do not answer this "
            "question. The nearest passages are listed below for reference only: they are "
            "not an answer.</div>")
    else:
        weak_note = ("" if answer.evidence == "strong" else
                     '<p class="mx-note">The evidence is thin' +
                     (f" ({esc(reason)})" if reason else "") +
                     ": read the passages before relying on it.</p>")
        parts.append(f'<div class="mx-summary mx-{esc(answer.evidence)}" role="status">'
                     f'<div class="mx-level">Answer from the evidence · '
                     f"{esc(LEVEL_WORDS.get(answer.evidence, answer.evidence))}</div>{weak_note}"
                     '<ol class="mx-sentences">')
        for s in answer.sentences:
            refs = " ".join(
                f'<a class="mx-ref" href="#mx-p{number[p]}" data-ref="mx-p{number[p]}">'
                f"[{number[p]}]</a>" for p in s.passage_ids if p in number)
            parts.append(f"<li>“{esc(s.display)}” {refs}{_items_html(s)}</li>")
        parts.append("</ol></div>")
    highlights = answer_highlights(answer)
    cards = []
    for i, h in enumerate(answer.hits, 1):
        p = h.passage
        level = passage_level(h.similarity, strong, weak)
        cards.append(
            f'<article class="mx-card{" mx-nearest" if not answer.found else ""}" id="mx-p{i}" '
            f'data-pid="{esc(p.id)}">'
            f'<header><span class="mx-num">[{i}]</span> <span class="mx-title">'
            f"{esc(p.title)}</span></header>"
            f'<div class="mx-cite">{esc(p.citation)}</div>'
            + ('<div class="mx-note mx-ocr">text read by OCR</div>' if getattr(p, "ocr", False)
               else "") +
            f'<div class="mx-meta"><span class="mx-badge mx-{level}">{LEVEL_WORDS[level]}</span>'
            f" {score_words(h.similarity)} · {esc(p.doc_type)}</div>"
            f'<div class="mx-text">{passage_body(p, highlights.get(p.id, []))}</div>'
            f"{context_block(index, p, in_basket)}"
            f'<div class="mx-actions">{_add_button(p.id, in_basket)}{_page_button(p)}</div>'
            "</article>")
    if answer.found:
        parts.append('<h2 class="mx-h">Passages</h2>')
        parts.extend(cards)
    else:
        parts.append('<details class="mx-nearest-list"><summary>Show the nearest passages '
                     "(not an answer)</summary>")
        parts.extend(cards)
        parts.append("</details>")
    if answer.seconds:
        parts.append(f'<p class="mx-foot">Searched in {answer.seconds * 1000:.0f} ms.</p>')
    parts.append("</div>")
    return "".join(parts)


def trusts_html(answer) -> str:
    """For a question about the trusts as a group: the matching trusts first, each with the
    dimension values that match and its vignette's citation; or why none matches."""
    if not getattr(answer, "set_question", False):
        return ""
    from qa.trusts import field_label

    n = len(answer.trusts)
    on = "; ".join(answer.trust_conditions)
    head = getattr(answer, "trusts_headline", "") or (
        f"{n} trust{'s' if n != 1 else ''} in the indexed vignettes" + (f" where {on}" if on else ""))
    if not answer.trusts:
        return (f'<section class="mx-summary mx-notfound mx-trust-list" aria-label="Trusts">'
                f"<strong>{esc(answer.trusts_message or 'No trust matches.')}</strong></section>")
    rows = []
    for t in answer.trusts:
        matched = "; ".join(f"{esc(field_label(k))}: {esc(v)}" for k, v in t["matched"].items())
        rows.append(f'<li><strong>{esc(t["name"])}</strong>'
                    + (f" — {matched}" if matched else "")
                    + f' <span class="mx-cite">({esc(t["citation"])} · id '
                    f'<code>{esc(t["passage_id"])}</code>)</span></li>')
    return (f'<section class="mx-summary mx-info mx-trust-list" aria-label="Trusts">'
            f'<div class="mx-level">{esc(head)}</div><ul>{"".join(rows)}</ul>'
            '<p class="mx-note">See all of them side by side in the Trusts tab.</p></section>')


def answer_highlights(answer) -> dict[str, list[str]]:
    """Passage id -> the quoted answer pieces (sentences and list items) found in it."""
    highlights: dict[str, list[str]] = {}
    for s in answer.sentences:
        for pid in s.passage_ids:
            highlights.setdefault(pid, []).extend(s.quoted)
    return highlights


def _items_html(sentence) -> str:
    """The list an answer sentence introduces, each item quoted as it stands in the passage."""
    if not sentence.items:
        return ""
    rows = "".join(f"<li>“{esc(item)}”</li>" for item in sentence.items)
    more = (f'<li class="mx-more">… and {sentence.more_items} more in the passage</li>'
            if sentence.more_items else "")
    return f'<ul class="mx-items">{rows}{more}</ul>'


def shown_passages(answer, index=None) -> dict[str, dict[str, Any]]:
    """Every passage the page shows for an answer (cited and context), keyed by id, with the
    answer sentences found in it: what "Add to basket" may add."""
    highlights = answer_highlights(answer)
    shown: dict[str, dict[str, Any]] = {}
    for h in answer.hits:
        around = index.neighbours(h.passage.id, 1, 1) if index is not None else []
        for p in [h.passage, *around]:
            if p.id not in shown:
                shown[p.id] = basket_item(p, answer.question, highlights.get(p.id, []))
    return shown


# ---- filters and examples --------------------------------------------------------------------

DIMENSION_LABELS = {
    "number_of_schools": "Number of schools",
    "distribution": "Distribution",
    "urban_rural": "Mix of context (urban/rural)",
    "decision_making": "Local/central decision making",
    "governance": "Approach to governance",
    "delegation": "Model of delegation",
    "improvement_priorities": "Setting improvement priorities",
    "evaluation": "Evaluation of school improvement",
    "stage": "Settled/evolving",
}


def filter_choices(index) -> dict[str, Any]:
    """Choices for the filters: documents (title, file), types, and the values of each vignette
    key dimension found in the index."""
    if index is None:
        return {"documents": [], "types": [], "dimensions": {}}
    docs: dict[str, str] = {}
    types: set[str] = set()
    dims: dict[str, set[str]] = {}
    for p in index.passages:
        docs.setdefault(p.file, p.title)
        types.add(p.doc_type)
        for name, value in (p.key_dimensions or {}).items():
            if value:
                dims.setdefault(name, set()).add(value)
    return {
        "documents": sorted(((t, f) for f, t in docs.items()), key=lambda x: x[0].lower()),
        "types": sorted(t for t in types if t),
        "dimensions": {k: sorted(v) for k, v in dims.items()},
    }


def make_filters(documents=None, doc_types=None, dimensions: dict[str, str] | None = None):
    from qa import Filters

    def clean(values) -> tuple[str, ...]:
        if not values:
            return ()
        if isinstance(values, str):
            values = [values]
        return tuple(str(v) for v in values if v)

    dims = tuple((k, str(v)) for k, v in (dimensions or {}).items()
                 if k in DIMENSION_LABELS and v)
    return Filters(files=clean(documents), doc_types=clean(doc_types), key_dimensions=dims)


# Themes of the research on MATs and federations; those the index has words for are offered.
EXAMPLE_QUESTIONS = [
    "How much should we delegate to local governing bodies?",
    "Should finance be run centrally?",
    "What is a hard federation?",
    "What goes wrong when trusts grow too fast?",
    "How do trusts spread effective practice between schools?",
    "What skills does an executive headteacher need?",
    "What should a school check before joining a trust?",
]


def example_questions(index, n: int = 5) -> list[str]:
    if index is None or not index.passages:
        return EXAMPLE_QUESTIONS[:n]
    found = []
    for q in EXAMPLE_QUESTIONS:
        try:
            scores = index.lexical.scores(q, len(index.passages))
        except Exception:
            scores = None
        if scores is None or float(max(scores, default=0.0)) > 0:
            found.append(q)
    return (found or EXAMPLE_QUESTIONS)[:n]


# ---- the tab -----------------------------------------------------------------------------------

@dataclass
class AskTab:
    question: Any
    answer: Any  # gr.HTML with the answer page
    basket_status: Any  # the one-line basket note under the answer
    doc_filter: Any
    type_filter: Any
    dims_group: Any
    dim_filters: list
    api_ask: Any  # the `/ask` endpoint; `app.py` registers it outside the tabs
    page_view: Any = None  # gr.HTML: the cited page of a PDF passage ("Show page")

    @property
    def views(self) -> list:
        """What `refresh` updates, in its order."""
        return [self.doc_filter, self.type_filter, self.dims_group, *self.dim_filters]

    @staticmethod
    def refresh(index) -> list:
        ch = filter_choices(index)
        dims = ch["dimensions"]
        return [gr.Dropdown(choices=ch["documents"]), gr.Dropdown(choices=ch["types"]),
                gr.Group(visible=bool(dims))] + [
            gr.Dropdown(choices=dims.get(name, []), visible=name in dims)
            for name in DIMENSION_LABELS]


def build(ctx: TabContext, basket: gr.State, last: gr.State) -> AskTab:
    """The Ask tab's blocks, its events and the `/ask` API. `last` keeps the passages the
    current answer shows (what Add to basket may add)."""
    service, settings, private = ctx.service, ctx.settings, ctx.private
    ss = service.search_settings
    index0 = ctx.current_index()
    choices0 = filter_choices(index0)
    dim_names = list(DIMENSION_LABELS)

    def _answer(question: str, docs, types, dims: tuple, basket: list[dict]):
        from index import IndexUnavailable

        asked = question_of(question)
        question = asked.text
        if not question:
            return render_message("Type a question about federations or multi-academy trusts, "
                                  "then press Enter."), {}
        filters = make_filters(docs, types, dict(zip(dim_names, dims, strict=False)))
        try:
            searcher = service.searcher()
        except IndexUnavailable as exc:
            return render_message("There is no index to search yet: "
                                  + ctx.for_page(str(exc)), "notfound"), {}
        answer = searcher.ask(question, k=settings.k, filters=filters or None)
        in_basket = {it["id"] for it in basket or []}
        page = render_answer(answer, searcher.index, strong=ss.strong_threshold,
                             weak=ss.weak_threshold, in_basket=in_basket, filtered=bool(filters))
        damaged = getattr(searcher.index, "fallback_reason", "")
        if damaged:  # the newest index is damaged: say so, and that answers come from the last good one
            page = render_message("Answering from the previous index, because the newest one "
                                  "is damaged: " + ctx.for_page(damaged), "notfound") + page
        if asked.notice:  # a question over the limit: say it was cut, above the answer
            page = render_message(asked.notice, "weak") + page
        return page, {"question": question, "passages": shown_passages(answer, searcher.index)}

    def ask_ui(question, docs, types, basket, *dims):
        return _answer(question, docs, types, dims, basket)

    def ask_example(example, docs, types, basket, *dims):
        page, last = _answer(example, docs, types, dims, basket)
        return example, page, last

    def api_ask(question: str, k: int = 5, documents: list[str] | None = None,
                doc_types: list[str] | None = None) -> dict:
        """Answer a question from the evidence. Returns a JSON object: `evidence` (strong, weak
        or none), `found`, `answer` (sentences quoted verbatim, each with the ids of the
        passages it comes from; a sentence that introduces a list also has its `items`, verbatim,
        and `more_items`, how many more the passage holds) and `passages` (id, text, title,
        citation, page, section, `similarity` and its `match`: strong, weak or none; `score`
        is the ranking score that orders them). With evidence "none" the answer is empty and
        `message` says so; `notice` says when a question over 500 characters was cut.
        `reason` says why the evidence is weak or missing ("No passage mentions “France”.", or
        that the evidence is in English). Items of one list chosen as answers come once, under
        their lead-in: `items_order` "best" (best first), `items_skipped` ("[…]" in `display`);
        a chosen lead-in brings its best items, `items_order` "ranked". `follows` marks a
        sentence shown because it follows the one before it in the same paragraph;
        `antecedent` one shown because the next one refers back to it ("They …")."""
        from qa import NOT_FOUND

        asked = question_of(question)
        question = asked.text
        if not question:
            raise gr.Error("The question is empty.", print_exception=False)
        try:
            k = max(1, min(20, int(k)))
        except (TypeError, ValueError):
            k = settings.k
        filters = make_filters(documents, doc_types)
        answer = service.ask(question, k=k, filters=filters or None)
        data = answer_json(answer, ss.strong_threshold, ss.weak_threshold, asked.notice)
        data["found"] = answer.found
        data["message"] = "" if answer.found else NOT_FOUND
        data["generation"] = answer.generation
        data["warning"] = ctx.for_page(getattr(service.searcher().index, "fallback_reason", ""))
        data["seconds"] = round(answer.seconds, 3)
        return data

    with gr.Tab("Ask", id="ask"):
        with gr.Row(equal_height=True):
            question = gr.Textbox(label="Question", scale=5, lines=1,
                                  # longer than searched: the server cuts it, and says so
                                  max_length=PASTE_LIMIT, autofocus=True,
                                  placeholder="How much should we delegate to local "
                                              "governing bodies?",
                                  elem_id="question")
            ask_btn = gr.Button("Ask", variant="primary", scale=1, min_width=90,
                                elem_id="ask-btn")
        with gr.Row(elem_classes=["mx-examples"]):
            example_btns = [(q, gr.Button(q, size="sm", variant="secondary"))
                            for q in example_questions(index0)]
        with gr.Accordion("Filters", open=False, elem_id="filters"):
            with gr.Row():
                doc_filter = gr.Dropdown(choices=choices0["documents"], multiselect=True,
                                         label="Documents", elem_id="filter-docs")
                type_filter = gr.Dropdown(choices=choices0["types"], multiselect=True,
                                          label="Document type", elem_id="filter-types")
            with gr.Group(visible=bool(choices0["dimensions"])) as dims_group:
                gr.Markdown("Vignette key dimensions (only vignettes match these)")
                with gr.Row():
                    dim_filters = [
                        gr.Dropdown(choices=choices0["dimensions"].get(name, []),
                                    label=label, value=None,
                                    visible=name in choices0["dimensions"],
                                    elem_id=f"filter-{name}")
                        for name, label in DIMENSION_LABELS.items()]
        answer_html = gr.HTML(render_message("Ask a question, or try one of the "
                                             "examples above."),
                              elem_id="answer", js_on_load=ACTIONS_JS)
        page_view = gr.HTML("", elem_id="page-view", js_on_load=ACTIONS_JS)
        basket_status = gr.Markdown("The basket is empty.", elem_id="basket-note")

    def show_page(last, evt: gr.EventData):
        """A "Show page" click: only a passage id of the current answer selects the page."""
        data = evt._data if isinstance(getattr(evt, "_data", None), dict) else {}
        action = data.get("action")
        if action == "close-page":
            return ""
        pid = str(data.get("pid", ""))
        if action != "page" or pid not in (last or {}).get("passages", {}):
            return gr.skip()
        index = ctx.current_index()
        passage = index.passage(pid) if index is not None else None
        if passage is None:
            return render_message("That passage is no longer in the index: ask again.",
                                  "notfound")
        return render_page_view(passage, settings.corpus_dir)

    answer_html.click(show_page, [last], [page_view], concurrency_id="page", **private).then(
        None, None, None, js=PAGE_VIEW_JS)
    page_view.click(show_page, [last], [page_view], concurrency_id="page", **private)

    ask_inputs = [question, doc_filter, type_filter, basket, *dim_filters]
    question.submit(ask_ui, ask_inputs, [answer_html, last], concurrency_id="ask", **private)
    ask_btn.click(ask_ui, ask_inputs, [answer_html, last], concurrency_id="ask", **private)
    for text, btn in example_btns:
        btn.click(partial(ask_example, text), [doc_filter, type_filter, basket, *dim_filters],
                  [question, answer_html, last], concurrency_id="ask", **private)
    return AskTab(question, answer_html, basket_status, doc_filter, type_filter, dims_group,
                  dim_filters, api_ask, page_view)


def on_answer_action(basket, last, evt: gr.EventData):
    """An "Add to basket" click in the answer page: the passage snapshot joins the basket."""
    data = evt._data if isinstance(getattr(evt, "_data", None), dict) else {}
    pid = str(data.get("pid", ""))
    item = (last or {}).get("passages", {}).get(pid)
    if data.get("action") != "add" or item is None:
        return gr.skip(), gr.skip(), gr.skip()
    basket, note = basket_add(basket, item)
    return basket, render_basket(basket), note
