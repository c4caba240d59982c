"""The web app: Gradio over `qa`, `index` and `ingest`. Only wiring and formatting live here.

    python app.py [--index DIR] [--corpus DIR] [--host 127.0.0.1] [--port 7860]
                  [--auth-file FILE] [--max-upload-mb 50]

Login is optional: MAT_EVIDENCE_AUTH="user:password" or --auth-file (one user:password a line).
Every piece of document text is HTML-escaped here before it reaches the page (gr.HTML does
not sanitise).
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

# No telemetry, no update checks: the app runs offline. Set before gradio is imported.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import gradio as gr  # noqa: E402 (after the environment above)

ROOT = Path(__file__).resolve().parent
AUTH_ENV = "MAT_EVIDENCE_AUTH"
MAX_QUESTION_CHARS = 500
MAX_BASKET = 200
DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # the same as ingest.uploads.DEFAULT_MAX_UPLOAD_BYTES


@dataclass(frozen=True)
class AppSettings:
    index_dir: Path = ROOT / "var" / "index"
    corpus_dir: Path = ROOT / "corpus"
    host: str = "127.0.0.1"
    port: int = 7860
    k: int = 5
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES
    auth: tuple[tuple[str, str], ...] = ()
    concurrency: int = 4  # questions answered at once
    queue_size: int = 64  # waiting requests beyond which people are told the app is busy;
    # 50 people asking at once (bench/load.py) were turned away at 32, none at 64
    sessions_file: Path | None = None  # session definitions for the Session prep tab


# --------------------------------------------------------------------------------------------
# Rendering (pure functions: tested without a browser)
# --------------------------------------------------------------------------------------------

def esc(text: Any) -> str:
    """HTML-escape document or user text. `$`, braces and backticks are entity-encoded too, so
    no text can ever be read as template syntax by the front end."""
    out = html.escape(str(text), quote=True)
    return out.replace("$", "&#36;").replace("{", "&#123;").replace("}", "&#125;").replace(
        "`", "&#96;")


def _highlight(line: str, sentences: list[str]) -> str:
    """One line of passage text, escaped, with each answer sentence in it wrapped in <mark>."""
    escaped = esc(line)
    for s in sorted({s for s in sentences if s}, key=len, reverse=True):
        e = esc(s)
        if e and e in escaped:
            escaped = escaped.replace(e, f"<mark>{e}</mark>")
    return escaped


def _paragraphs(text: str, highlights: list[str]) -> str:
    return "".join(f"<p>{_highlight(line, highlights)}</p>" for line in text.split("\n")
                   if line.strip())


def passage_level(similarity: float, strong: float, weak: float) -> str:
    if similarity >= strong:
        return "strong"
    if similarity >= weak:
        return "weak"
    return "none"


LEVEL_WORDS = {"strong": "strong match", "weak": "partial match", "none": "not a match"}


def _add_button(pid: str, in_basket: set[str]) -> str:
    if pid in in_basket:
        return '<button class="mx-btn mx-added" disabled>In basket ✓</button>'
    return (f'<button class="mx-btn" data-action="add" data-pid="{esc(pid)}">'
            "Add to basket</button>")


def _context_block(index, passage, in_basket: set[str], before: int = 1, after: int = 1) -> str:
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
            f"{esc(q.citation)}</div>{_paragraphs(q.text, [])}"
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
    if not answer.hits:
        why = ("No passage matches the filters you chose. Clear a filter and ask again."
               if filtered else "The index has no passages yet: add documents first.")
        parts.append(f'<div class="mx-summary mx-notfound" role="status"><strong>'
                     f"{esc(NOT_FOUND)}</strong> {esc(why)}</div></div>")
        return "".join(parts)
    if not answer.found:
        parts.append(
            f'<div class="mx-summary mx-notfound" role="status" id="not-found"><strong>'
            f"{esc(NOT_FOUND)}</strong> The documents in this collection do not answer this "
            "question. The nearest passages are listed below for reference only: they are "
            "not an answer.</div>")
    else:
        weak_note = ("" if answer.evidence == "strong" else
                     '<p class="mx-note">The evidence is thin: read the passages before relying '
                     "on it.</p>")
        parts.append(f'<div class="mx-summary mx-{esc(answer.evidence)}" role="status">'
                     f'<div class="mx-level">Answer from the evidence · '
                     f"{esc(LEVEL_WORDS.get(answer.evidence, answer.evidence))}</div>{weak_note}"
                     '<ol class="mx-sentences">')
        for s in answer.sentences:
            refs = " ".join(
                f'<a class="mx-ref" href="#mx-p{number[p]}" data-ref="mx-p{number[p]}">'
                f"[{number[p]}]</a>" for p in s.passage_ids if p in number)
            parts.append(f"<li>“{esc(s.text)}” {refs}{_items_html(s)}</li>")
        parts.append("</ol></div>")
    highlights = _answer_highlights(answer)
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
            f'<div class="mx-meta"><span class="mx-badge mx-{level}">{LEVEL_WORDS[level]}</span>'
            f" relevance {h.similarity:.2f} · {esc(p.doc_type)}</div>"
            f'<div class="mx-text">{_paragraphs(p.text, highlights.get(p.id, []))}</div>'
            f"{_context_block(index, p, in_basket)}"
            f'<div class="mx-actions">{_add_button(p.id, in_basket)}</div></article>')
    if answer.found:
        parts.append('<h3 class="mx-h">Passages</h3>')
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


def _answer_highlights(answer) -> dict[str, list[str]]:
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


def render_message(text: str, kind: str = "info") -> str:
    return f'<div class="mx-summary mx-{esc(kind)}" role="status">{esc(text)}</div>'


def shown_passages(answer, index=None) -> dict[str, dict[str, Any]]:
    """Every passage the page shows for an answer (cited and context), keyed by id, with the
    answer sentences found in it: what "Add to basket" may add."""
    highlights = _answer_highlights(answer)
    shown: dict[str, dict[str, Any]] = {}
    for h in answer.hits:
        around = index.neighbours(h.passage.id, 1, 1) if index is not None else []
        for p in [h.passage, *around]:
            if p.id not in shown:
                shown[p.id] = basket_item(p, answer.question, highlights.get(p.id, []))
    return shown


# --------------------------------------------------------------------------------------------
# The basket: a list of passage snapshots, so a later rebuild cannot change a collected quote
# --------------------------------------------------------------------------------------------

def basket_item(p, question: str = "", highlight: list[str] | None = None) -> dict[str, Any]:
    return {"id": p.id, "text": p.text, "file": p.file, "title": p.title,
            "citation": p.citation, "page": p.page, "section": p.section_label,
            "doc_type": p.doc_type, "question": question, "highlight": list(highlight or [])}


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
            f'<div class="mx-meta">{esc(it["title"])}'
            + (f" · found for “{esc(it['question'])}”" if it.get("question") else "") + "</div>"
            f'<blockquote class="mx-text">{_paragraphs(it["text"], it.get("highlight", []))}'
            "</blockquote>"
            f'<div class="mx-actions">{up}{down}<button class="mx-btn mx-remove" '
            f'data-action="remove" data-pos="{i}" aria-label="Remove passage {i + 1}">Remove'
            "</button></div></li>")
    parts.append("</ol></div>")
    return "".join(parts)


def render_pack(doc) -> str:
    """An ExportDocument (a session pack) as escaped HTML, the way the exports lay it out."""
    parts = [f'<div class="mx-pack"><h2>{esc(doc.title)}</h2>']
    if doc.intro:
        parts.append(_paragraphs(doc.intro.replace("\n\n", "\n"), []))
    for section in doc.sections:
        parts.append(f'<section class="mx-card"><h3 class="mx-h">{esc(section.heading)}</h3>')
        if section.note:
            parts.append(f'<p class="mx-note"><em>{esc(section.note)}</em></p>')
        if section.answer:
            parts.append("<p><strong>In short:</strong> "
                         + " ".join(f"“{esc(a)}”" for a in section.answer) + "</p>")
        for q in section.quotes:
            note = f" · {esc(q.note)}" if getattr(q, "note", "") else ""
            parts.append(f'<blockquote class="mx-text">{_paragraphs(q.text, q.highlight)}'
                         f'</blockquote><div class="mx-cite">— {esc(q.citation)} · id '
                         f"<code>{esc(q.passage_id)}</code>{note}</div>")
        if section.see_also:
            parts.append('<p class="mx-note">See also (quoted above): '
                         + ", ".join(f"<code>{esc(pid)}</code>" for pid in section.see_also)
                         + "</p>")
        parts.append("</section>")
    if doc.references:
        parts.append('<h3 class="mx-h">References</h3><ol>'
                     + "".join(f"<li>{esc(r.text())}</li>" for r in doc.references) + "</ol>")
    warnings = getattr(doc, "warnings", None) or []
    if warnings:
        parts.append('<div class="mx-summary mx-weak"><strong>Left out when checked against '
                     "the sources:</strong><ul>"
                     + "".join(f"<li>{esc(w)}</li>" for w in warnings) + "</ul></div>")
    parts.append("</div>")
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
            it.get("section", ""), list(it.get("highlight", []))))
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


_EXPORT_ROOT: Path | None = None
_EXPORT_LOCK = threading.Lock()


def _export_dir() -> Path:
    """A fresh folder for one export, inside this process's folder in the system temp dir
    (Gradio serves downloads from copies it makes of files there). Old exports are pruned."""
    global _EXPORT_ROOT
    with _EXPORT_LOCK:
        if _EXPORT_ROOT is None or not _EXPORT_ROOT.is_dir():
            _EXPORT_ROOT = Path(tempfile.mkdtemp(prefix="mat-evidence-exports-"))
        cutoff = time.time() - 3600
        for old in _EXPORT_ROOT.iterdir():
            try:
                if old.stat().st_mtime < cutoff:
                    shutil.rmtree(old, ignore_errors=True)
            except OSError:
                pass
        return Path(tempfile.mkdtemp(dir=_EXPORT_ROOT))


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")[:60].strip("-")
    return s or "evidence-basket"


def write_exports(doc, formats: tuple[str, ...] = ("md", "docx")) -> dict[str, Path]:
    from qa.export import to_csv, to_docx, to_markdown

    folder = _export_dir()
    name = slug(doc.title)
    out: dict[str, Path] = {}
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        if fmt == "md":
            path.write_text(to_markdown(doc), encoding="utf-8")
        elif fmt == "docx":
            to_docx(doc, path)
        elif fmt == "csv":
            path.write_text(to_csv(doc), encoding="utf-8")
        out[fmt] = path
    return out


# --------------------------------------------------------------------------------------------
# Sources, filters, glossary, examples
# --------------------------------------------------------------------------------------------

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
    if code == "no_text":
        return "no text layer, needs OCR"
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


DIMENSION_LABELS = {
    "number_of_schools": "Number of schools",
    "distribution": "Distribution",
    "urban_rural": "Mix of context (urban/rural)",
    "decision_making": "Local/central decision making",
    "governance": "Approach to governance",
    "delegation": "Model of delegation",
    "improvement_priorities": "Setting improvement priorities",
    "evaluation": "Evaluation of school improvement",
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


def glossary_rows(index) -> list[list[str]]:
    """Acronyms and their expansions, if the index has a glossary (term, expansion, source)."""
    entries = (getattr(index, "glossary", None) or []) if index is not None else []
    rows = []
    for e in entries:
        get = e.get if isinstance(e, dict) else partial(getattr, e)
        term, expansion, pid = get("term", ""), get("expansion", ""), get("passage_id", "")
        p = index.passage(pid) if pid else None
        rows.append([str(term), str(expansion), p.citation if p is not None else ""])
    rows.sort(key=lambda r: r[0].lower())
    return rows


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


# --------------------------------------------------------------------------------------------
# Login and launch
# --------------------------------------------------------------------------------------------

def _auth_pair(line: str, where: str) -> tuple[str, str]:
    user, sep, password = line.partition(":")
    if not sep or not user.strip() or not password:
        raise ValueError(f"{where}: expected user:password")
    return user.strip(), password


def load_auth(env_value: str | None = None, auth_file: Path | None = None) -> list[tuple[str, str]]:
    """Login pairs from MAT_EVIDENCE_AUTH ("user:password") and/or a file of such lines."""
    pairs: list[tuple[str, str]] = []
    if auth_file is not None:
        for n, line in enumerate(Path(auth_file).read_text(encoding="utf-8").splitlines(), 1):
            line = line.strip()
            if line and not line.startswith("#"):
                pairs.append(_auth_pair(line, f"{auth_file} line {n}"))
        if not pairs:
            raise ValueError(f"{auth_file}: no user:password lines")
    if env_value and env_value.strip():
        pairs.append(_auth_pair(env_value.strip(), AUTH_ENV))
    return pairs


CSS = """
.gradio-container {max-width: 1100px !important; width: 100% !important; margin: 0 auto;}
.mx-table-wrap {overflow-x: auto;}
.mx-sources {width: 100%; border-collapse: collapse; font-size: .95em;}
.mx-sources th, .mx-sources td {text-align: left; vertical-align: top; padding: 8px 10px;
  border-bottom: 1px solid var(--border-color-primary);}
.mx-sources th {font-weight: 600; background: var(--background-fill-secondary);}
.mx-sources .mx-bad {color: #c62828;}
.mx-answer {font-size: 1rem; line-height: 1.5;}
.mx-summary {padding: 12px 16px; border-radius: 8px; margin: 8px 0 12px;
  border-left: 6px solid #2e7d32; background: rgba(46,125,50,.08);}
.mx-summary.mx-weak {border-left-color: #b26a00; background: rgba(178,106,0,.08);}
.mx-summary.mx-notfound {border-left-color: #c62828; background: rgba(198,40,40,.08);}
.mx-summary.mx-info {border-left-color: #1565c0; background: rgba(21,101,192,.07);}
.mx-level {font-weight: 600; margin-bottom: 4px;}
.mx-sentences {margin: 6px 0 0 1.2em; padding: 0;}
.mx-sentences li {margin: 4px 0;}
.mx-items {margin: 2px 0 0 1.2em; padding: 0; list-style: disc;}
.mx-items li {margin: 2px 0;} .mx-items .mx-more {list-style: none; font-style: italic;}
.mx-ref {font-weight: 600; text-decoration: none; white-space: nowrap;}
.mx-card {border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 12px 16px; margin: 10px 0; background: var(--background-fill-primary);}
.mx-card header {font-weight: 600;}
.mx-num {color: var(--body-text-color-subdued);}
.mx-cite {font-size: .92em; margin-top: 2px;}
.mx-meta, .mx-note, .mx-foot, .mx-ctx-label {font-size: .85em; color: var(--body-text-color-subdued);}
.mx-badge {display: inline-block; padding: 0 8px; border-radius: 10px; font-size: .9em;
  border: 1px solid currentColor;}
.mx-badge.mx-strong {color: #2e7d32;} .mx-badge.mx-weak {color: #b26a00;}
.mx-badge.mx-none {color: #c62828;}
.mx-text p {margin: 6px 0;}
.mx-text mark, .mx-basket mark {background: #ffe98a; color: #111; padding: 0 2px; border-radius: 2px;}
.mx-nearest {opacity: .8; border-style: dashed;}
.mx-context summary, .mx-nearest-list summary {cursor: pointer; font-weight: 600; padding: 6px 0;}
.mx-ctx {border-left: 3px solid var(--border-color-primary); padding: 4px 10px; margin: 6px 0;}
.mx-ctx.mx-self {border-left-color: #1565c0; background: rgba(21,101,192,.05);}
.mx-actions {display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px;}
.mx-btn {border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 6px 12px;
  min-height: 36px; background: var(--button-secondary-background-fill); cursor: pointer;
  color: var(--body-text-color);}
.mx-btn:hover {border-color: var(--color-accent);}
.mx-btn[disabled] {opacity: .7; cursor: default;}
.mx-flash {outline: 3px solid #1565c0; transition: outline .3s;}
.mx-basket ol {padding-left: 1.4em;}
.mx-basket blockquote {margin: 6px 0; padding-left: 10px; border-left: 3px solid var(--border-color-primary);}
.mx-examples button {flex: 0 1 auto !important; min-width: 0 !important;}
@media (max-width: 820px) {
  .gradio-container {padding: 0 6px !important;}
  .mx-card {padding: 10px 12px;}
  .mx-answer {font-size: .98rem;}
}
@media (max-width: 640px) {
  .mx-sources thead {display: none;}
  .mx-sources tr {display: block; border-bottom: 2px solid var(--border-color-primary); padding: 6px 0;}
  .mx-sources td {display: block; border: 0; padding: 2px 8px;}
  .mx-sources td::before {content: attr(data-label) ": "; font-weight: 600;}
}
"""

# Buttons inside the answer and basket HTML report clicks to Python as events with data; links
# [n] scroll to their passage. No other script runs in the page.
ACTIONS_JS = """
element.addEventListener('click', (e) => {
  const btn = e.target.closest('button[data-action]');
  if (btn && element.contains(btn)) {
    e.preventDefault();
    trigger('click', {action: btn.dataset.action || '', pid: btn.dataset.pid || '',
                      pos: btn.dataset.pos || ''});
    if (btn.dataset.action === 'add') { btn.textContent = 'In basket ✓'; btn.disabled = true; }
    return;
  }
  const ref = e.target.closest('a[data-ref]');
  if (ref && element.contains(ref)) {
    e.preventDefault();
    const card = element.querySelector('#' + CSS.escape(ref.dataset.ref));
    if (card) {
      card.scrollIntoView({behavior: 'smooth', block: 'start'});
      card.classList.add('mx-flash');
      setTimeout(() => card.classList.remove('mx-flash'), 1500);
    }
  }
});
"""


def launch_kwargs(settings: AppSettings) -> dict[str, Any]:
    """The safe launch settings, shared by `main` and the tests."""
    return dict(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        auth=list(settings.auth) or None,
        auth_message="Sign in to the MAT evidence app." if settings.auth else None,
        max_file_size=settings.max_upload_bytes,
        allowed_paths=[],
        # Belt and braces: nothing under the index or the corpus is ever served as a file.
        blocked_paths=[str(Path(settings.index_dir).resolve()),
                       str(Path(settings.corpus_dir).resolve())],
        show_error=False,
        ssr_mode=False,
        mcp_server=False,
        enable_monitoring=False,
        run_history=False,
        strict_cors=True,
        pwa=False,
        footer_links=["api"],
        css=CSS,
    )


# --------------------------------------------------------------------------------------------
# The app
# --------------------------------------------------------------------------------------------

def without_server_paths(text: str, settings: AppSettings) -> str:
    """A message for the page: the server's folders named as the user knows them ("the index
    folder"), not as absolute paths that say how the machine is laid out."""
    for folder, name in ((settings.index_dir, "the index folder"),
                         (settings.corpus_dir, "the corpus folder")):
        for form in {str(Path(folder).resolve()), str(folder)}:
            text = text.replace(form, name)
    return text


def build_app(settings: AppSettings, service=None):
    from index import BuildError, IndexUnavailable
    from ingest.uploads import store_upload
    from qa.service import EvidenceService

    service = service or EvidenceService(settings.index_dir, settings.corpus_dir)
    ss = service.search_settings

    def current_index():
        try:
            return service.searcher().index
        except IndexUnavailable:
            return None

    index0 = current_index()
    choices0 = filter_choices(index0)
    glossary0 = glossary_rows(index0)
    dim_names = list(DIMENSION_LABELS)

    # ---- handlers ---------------------------------------------------------------------------

    def _answer(question: str, docs, types, dims: tuple, basket: list[dict]):
        question = " ".join((question or "").split())[:MAX_QUESTION_CHARS]
        if not question:
            return render_message("Type a question about federations or multi-academy trusts, "
                                  "then press Enter."), {}
        filters = make_filters(docs, types, dict(zip(dim_names, dims, strict=False)))
        try:
            searcher = service.searcher()
        except IndexUnavailable as exc:
            return render_message("There is no index to search yet: "
                                  + without_server_paths(str(exc), settings), "notfound"), {}
        answer = searcher.ask(question, k=settings.k, filters=filters or None)
        in_basket = {it["id"] for it in basket or []}
        page = render_answer(answer, searcher.index, strong=ss.strong_threshold,
                             weak=ss.weak_threshold, in_basket=in_basket, filtered=bool(filters))
        damaged = getattr(searcher.index, "fallback_reason", "")
        if damaged:  # the newest index is damaged: say so, and that answers come from the last good one
            page = render_message("Answering from the previous index, because the newest one "
                                  "is damaged: " + without_server_paths(damaged, settings),
                                  "notfound") + page
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
        citation, page, section, score). With evidence "none" the answer is empty and `message` says so."""
        from qa import NOT_FOUND

        question = " ".join(str(question or "").split())[:MAX_QUESTION_CHARS]
        try:
            k = max(1, min(20, int(k)))
        except (TypeError, ValueError):
            k = settings.k
        filters = make_filters(documents, doc_types)
        answer = service.ask(question, k=k, filters=filters or None)
        data = answer.to_json()
        data["found"] = answer.found
        data["message"] = "" if answer.found else NOT_FOUND
        data["generation"] = answer.generation
        data["warning"] = without_server_paths(
            getattr(service.searcher().index, "fallback_reason", ""), settings)
        data["seconds"] = round(answer.seconds, 3)
        return data

    def on_answer_action(basket, last, evt: gr.EventData):
        data = evt._data if isinstance(getattr(evt, "_data", None), dict) else {}
        pid = str(data.get("pid", ""))
        item = (last or {}).get("passages", {}).get(pid)
        if data.get("action") != "add" or item is None:
            return gr.skip(), gr.skip(), gr.skip()
        basket, note = basket_add(basket, item)
        return basket, render_basket(basket), note

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
        doc = basket_document(basket, title, current_index())
        paths = write_exports(doc, ("docx", "md"))
        return (gr.DownloadButton(value=str(paths["docx"]), interactive=True),
                gr.DownloadButton(value=str(paths["md"]), interactive=True))

    def basket_note(basket):
        n = len(basket or [])
        return f"Basket: {n} passage{'s' if n != 1 else ''}." if n else "The basket is empty."

    def refresh_views():
        index = current_index()
        ch = filter_choices(index)
        gl = glossary_rows(index)
        dims = ch["dimensions"]
        updates = [
            render_sources(source_rows(index, settings.corpus_dir)),
            sources_summary(index),
            gr.Dropdown(choices=ch["documents"]),
            gr.Dropdown(choices=ch["types"]),
            gr.Group(visible=bool(dims)),
        ]
        updates += [gr.Dropdown(choices=dims.get(name, []), visible=name in dims)
                    for name in dim_names]
        updates += [gr.Tab(visible=bool(gl)), gl]
        return updates

    def add_files(files, title, doc_type):
        if isinstance(files, str):
            files = [files]
        files = [f for f in (files or []) if f]
        if not files:
            return "Choose one or more files first.", False
        lines, stored = [], False
        single = len(files) == 1
        for f in files:
            path = Path(f)
            result = store_upload(path, path.name, settings.corpus_dir,
                                  title=title if single else "", doc_type=doc_type or "",
                                  max_bytes=settings.max_upload_bytes)
            mark = {"stored": "Added", "duplicate": "Already there",
                    "refused": "Not added"}[result.status]
            lines.append(f"- **{mark}:** {esc(result.message)}")
            stored = stored or result.ok
        if title and not single:
            lines.append("- The title was not used: it applies when one file is added at a time.")
        if stored:
            lines.append("\nRebuilding the index… searches carry on meanwhile.")
        return "\n".join(lines), stored

    stage_words = {"reading": "Reading documents", "model": "Loading the model",
                   "embedding": "Embedding passages and sentences",
                   "token vectors": "Encoding passages for "
                   "re-ranking", "indexing": "Writing the index"}

    def rebuild(needed, progress=gr.Progress()):  # noqa: B008 (how Gradio injects progress)
        if not needed:
            return gr.skip()
        progress(0, desc="Starting")

        from index.progress import TimeLeft, time_left_words

        time_left = TimeLeft()

        def report_progress(stage: str, done: int, total: int) -> None:
            words = stage_words.get(stage, stage)
            left = time_left_words(time_left(stage, done, total))
            words = f"{words}, {left}" if left else words
            if total:
                progress((min(done, total), total), desc=words)
            else:
                progress(0, desc=words)

        try:
            report = service.rebuild(progress=report_progress)
        except BuildError as exc:
            return (f"**Not rebuilt:** {esc(without_server_paths(str(exc), settings))}. "
                    "Searches use the previous index.")
        except Exception as exc:  # never leave the facilitator without an answer
            return (f"**Not rebuilt** ({esc(type(exc).__name__)}). Searches use the previous "
                    "index.")
        index = current_index()
        titles = {f: r.title for f, r in index.manifest.files.items()} if index else {}
        lines = [f"**Index updated** in {report.seconds:.1f} s: {report.passages} passages."]
        if report.added or report.updated:
            names = ", ".join(f"“{esc(titles.get(f) or f)}”" for f in report.added + report.updated)
            lines.append(f"- New or changed: {names}")
        if not report.changed:
            lines.append("- Nothing had changed.")
        for f in report.failed:
            lines.append(f"- Not used: {esc(titles.get(f['file']) or f['file'])}: "
                         f"{esc(f['reason'])}")
        lines.append("\nThe new documents are in Sources and in search.")
        return "\n".join(lines)

    # ---- layout -----------------------------------------------------------------------------

    with gr.Blocks(title="MAT evidence", analytics_enabled=False,
                   delete_cache=(3600, 24 * 3600)) as demo:
        basket = gr.State([])
        last = gr.State({})
        pending = gr.State(False)
        gr.Markdown("# MAT evidence\nAsk the research evidence on multi-academy trusts and "
                    "federations. Every answer is quoted from the documents, with its source.",
                    elem_id="intro")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row(equal_height=True):
                    question = gr.Textbox(label="Question", scale=5, lines=1,
                                          max_length=MAX_QUESTION_CHARS, autofocus=True,
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
                basket_status = gr.Markdown("The basket is empty.", elem_id="basket-note")
            with gr.Tab("Basket", id="basket"):
                export_title = gr.Textbox(label="Title for the export", value="Evidence basket",
                                          max_length=200, elem_id="export-title")
                with gr.Row():
                    dl_docx = gr.DownloadButton("Download Word (.docx)", interactive=False,
                                                elem_id="dl-docx", variant="primary")
                    dl_md = gr.DownloadButton("Download Markdown (.md)", interactive=False,
                                              elem_id="dl-md")
                    clear_btn = gr.Button("Empty the basket", variant="stop", elem_id="clear")
                basket_html = gr.HTML(render_basket([]), elem_id="basket",
                                      js_on_load=ACTIONS_JS)
            with gr.Tab("Sources", id="sources"):
                summary_md = gr.Markdown(sources_summary(index0), elem_id="sources-summary")
                sources_html = gr.HTML(render_sources(source_rows(index0, settings.corpus_dir)),
                                       elem_id="sources", js_on_load=None)
            with gr.Tab("Add documents", id="add"):
                gr.Markdown(
                    "Upload PDF, Word (.docx), text (.txt) or Markdown (.md) files, up to "
                    f"{settings.max_upload_bytes // (1024 * 1024)} MB each. Each file is "
                    "checked, kept under its content fingerprint with the name you gave it, "
                    "and the index is rebuilt; people can keep searching meanwhile. A file "
                    "already in the evidence is reported, not added twice.")
                files_in = gr.File(label="Documents", file_count="multiple",
                                   file_types=[".pdf", ".docx", ".txt", ".md"], type="filepath",
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
            with gr.Tab("Glossary", id="glossary", visible=bool(glossary0)) as glossary_tab:
                gr.Markdown("Acronyms used in the documents, with where each is spelled out.")
                glossary_df = gr.Dataframe(value=glossary0,
                                           headers=["Term", "Meaning", "Where"],
                                           datatype="str", interactive=False, wrap=True,
                                           column_widths=["15%", "30%", "55%"],
                                           elem_id="glossary")
            _session_prep_tab(service, settings, {"api_visibility": "private"})

        # ---- events -------------------------------------------------------------------------
        private = {"api_visibility": "private"}
        ask_inputs = [question, doc_filter, type_filter, basket, *dim_filters]
        question.submit(ask_ui, ask_inputs, [answer_html, last], concurrency_id="ask", **private)
        ask_btn.click(ask_ui, ask_inputs, [answer_html, last], concurrency_id="ask", **private)
        for text, btn in example_btns:
            btn.click(partial(ask_example, text), [doc_filter, type_filter, basket, *dim_filters],
                      [question, answer_html, last], concurrency_id="ask", **private)
        gr.api(api_ask, api_name="ask", concurrency_id="ask")

        answer_html.click(on_answer_action, [basket, last], [basket, basket_html, basket_status],
                          **private).then(
            export_basket, [basket, export_title], [dl_docx, dl_md], **private)
        basket_html.click(on_basket_action, [basket], [basket, basket_html], **private).then(
            export_basket, [basket, export_title], [dl_docx, dl_md], **private).then(
            basket_note, [basket], [basket_status], **private)
        clear_btn.click(clear_basket, None, [basket, basket_html, basket_status], **private).then(
            export_basket, [basket, export_title], [dl_docx, dl_md], **private)
        export_title.blur(export_basket, [basket, export_title], [dl_docx, dl_md], **private)
        export_title.submit(export_basket, [basket, export_title], [dl_docx, dl_md], **private)

        views = [sources_html, summary_md, doc_filter, type_filter, dims_group, *dim_filters,
                 glossary_tab, glossary_df]
        rebuild_lane = {"concurrency_limit": 1, "concurrency_id": "rebuild"}
        add_btn.click(add_files, [files_in, title_in, type_in], [upload_md, pending],
                      concurrency_limit=1, concurrency_id="store", **private).then(
            rebuild, [pending], [rebuild_md], show_progress_on=[rebuild_md], **rebuild_lane,
            **private).then(
            refresh_views, None, views, show_progress="hidden", **private).then(
            lambda: (None, ""), None, [files_in, title_in], show_progress="hidden", **private)
        rebuild_btn.click(lambda: True, None, [pending], **private).then(
            rebuild, [pending], [rebuild_md], show_progress_on=[rebuild_md], **rebuild_lane,
            **private).then(refresh_views, None, views, show_progress="hidden", **private)
        demo.load(refresh_views, None, views, show_progress="hidden", **private)

    demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size,
               api_open=False)
    demo.service = service
    demo.app_settings = settings
    return demo


def _session_prep_tab(service, settings: AppSettings, private: dict) -> bool:
    """The Session prep tab (qa/prep.py): pick a session, edit its questions, preview the
    evidence pack and download it as Word, Markdown or CSV. Built inside the open gr.Tabs."""
    try:
        from qa import prep
    except ImportError:
        return False
    path = settings.sessions_file or Path(settings.corpus_dir) / prep.SESSIONS_FILE

    def sessions() -> tuple[list, str]:
        try:
            return prep.load_sessions(path), ""
        except prep.SessionsError as exc:
            return [], without_server_paths(str(exc), settings)

    found, problem = sessions()

    def pick(session_id):
        for session in sessions()[0]:
            if session.id == session_id:
                return "\n".join(session.questions), session.heading + " (evidence pack)"
        return gr.skip(), gr.skip()

    def build(session_id, questions_text, title):
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
                              corpus_dir=Path(settings.corpus_dir))
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
        with gr.Row():
            build_btn = gr.Button("Preview the pack", variant="primary", elem_id="prep-build")
            dl = [gr.DownloadButton(label, interactive=False, elem_id=f"prep-{fmt}")
                  for fmt, label in (("docx", "Word (.docx)"), ("md", "Markdown (.md)"),
                                     ("csv", "Spreadsheet (.csv)"))]
        preview = gr.HTML(elem_id="prep-preview", js_on_load=None)
    session_in.change(pick, [session_in], [questions_in, title_in], **private)
    build_btn.click(build, [session_in, questions_in, title_in], [preview, *dl],
                    concurrency_limit=2, concurrency_id="prep", **private)
    return True


def _limit_threads() -> None:
    """One query embeds in ~15 ms on one thread; with as many threads as cores on a busy
    machine, OpenMP spinning pushes it to half a second. Use half the cores (at least one)."""
    value = os.environ.get("MAT_EVIDENCE_THREADS", "")
    n = int(value) if value.isdigit() and int(value) > 0 else max(1, (os.cpu_count() or 2) // 2)
    try:
        import torch

        torch.set_num_threads(n)
    except ImportError:
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the MAT evidence web app.")
    parser.add_argument("--index", type=Path, default=AppSettings.index_dir)
    parser.add_argument("--corpus", type=Path, default=AppSettings.corpus_dir)
    parser.add_argument("--host", default=AppSettings.host,
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=AppSettings.port)
    parser.add_argument("--auth-file", type=Path, default=None,
                        help=f"file of user:password lines; or set {AUTH_ENV}=user:password")
    parser.add_argument("--max-upload-mb", type=int,
                        default=DEFAULT_MAX_UPLOAD_BYTES // (1024 * 1024))
    args = parser.parse_args(argv)
    try:
        auth = load_auth(os.environ.get(AUTH_ENV), args.auth_file)
    except (OSError, ValueError) as exc:
        parser.error(f"login settings: {exc}")
    settings = AppSettings(args.index, args.corpus, args.host, args.port,
                           max_upload_bytes=max(1, args.max_upload_mb) * 1024 * 1024,
                           auth=tuple(auth))
    if settings.host not in ("127.0.0.1", "localhost", "::1") and not auth:
        print(f"warning: serving on {settings.host} without a login; set {AUTH_ENV} or "
              "--auth-file so that only your colleagues can use it", file=sys.stderr)
    _limit_threads()
    demo = build_app(settings)
    try:
        demo.service.warm_up()  # load the model now, not on the first question
    except Exception as exc:  # no index yet: the app still starts, to let people add documents
        print(f"note: {exc}", file=sys.stderr)
    demo.launch(**launch_kwargs(settings))


if __name__ == "__main__":
    main()
