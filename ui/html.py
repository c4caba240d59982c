"""HTML helpers shared by the tabs: escaping, highlighting, notices, the page's CSS and the
one script the answer and basket HTML run. Every piece of document text is escaped here
before it reaches the page (gr.HTML does not sanitise)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any


def esc(text: Any) -> str:
    """HTML-escape document or user text. `$`, braces and backticks are entity-encoded too, so
    no text can ever be read as template syntax by the front end."""
    out = html.escape(str(text), quote=True)
    return out.replace("$", "&#36;").replace("{", "&#123;").replace("}", "&#125;").replace(
        "`", "&#96;")


def highlight(line: str, sentences: list[str]) -> str:
    """One line of passage text, escaped, with each answer sentence in it wrapped in <mark>."""
    escaped = esc(line)
    # A sentence that runs over a line break is marked on each of its lines.
    parts = {part.strip() for s in sentences if s for part in s.split("\n")}
    for s in sorted({s for s in parts if s}, key=len, reverse=True):
        e = esc(s)
        if e and e in escaped:
            escaped = escaped.replace(e, f"<mark>{e}</mark>")
    return escaped


def paragraphs(text: str, highlights: list[str]) -> str:
    return "".join(f"<p>{highlight(line, highlights)}</p>" for line in text.split("\n")
                   if line.strip())


def render_message(text: str, kind: str = "info") -> str:
    return f'<div class="mx-summary mx-{esc(kind)}" role="status">{esc(text)}</div>'


def spoken(markdown: str) -> str:
    """A Markdown status (the upload and rebuild results) as one plain sentence or a few, for
    the live region a screen reader reads out: no asterisks, list items joined."""
    import re

    lines = [re.sub(r"\*\*|__|`", "", line).strip() for line in str(markdown or "").splitlines()]
    lines = [line[2:].strip() if line.startswith(("- ", "* ")) else line for line in lines]
    return " ".join(line if line.endswith((".", ":", "!", "?", "…")) else line + "."
                    for line in lines if line)


def render_live(text: str) -> str:
    """The live region's content: what happened, in words (its container is a polite status
    region, LIVE_JS)."""
    return f'<p class="mx-live">{esc(text)}</p>' if text else ""


def without_server_paths(text: str, settings) -> str:
    """A message for the page: the server's folders named as the user knows them ("the index
    folder"), not as absolute paths that say how the machine is laid out."""
    for folder, name in ((settings.index_dir, "the index folder"),
                         (settings.corpus_dir, "the corpus folder")):
        for form in {str(Path(folder).resolve()), str(folder)}:
            text = text.replace(form, name)
    return text


CSS = """
/* WCAG 2.1 AA contrast (4.5:1 for text): the default theme's orange buttons, selected tab,
   placeholders and grey text are darkened. */
:root, .gradio-container {
  --button-primary-background-fill: #b93b0a !important;
  --button-primary-background-fill-hover: #9a3412 !important;
  --button-primary-border-color: #b93b0a !important;
  --button-primary-text-color: #ffffff !important;
  --button-cancel-background-fill: #b91c1c !important;
  --button-cancel-background-fill-hover: #991b1b !important;
  --button-cancel-text-color: #ffffff !important;
  --body-text-color-subdued: #52525b !important;
  --input-placeholder-color: #62626b !important;
  --block-info-text-color: #52525b !important;
  --color-accent: #b93b0a !important;
  --link-text-color: #1d4ed8 !important;
}
.show-api, .show-api *, footer a, .or {color: #52525b !important;}
button[role=tab].selected {color: #b93b0a !important;}
.gradio-container {max-width: 1100px !important; width: 100% !important; margin: 0 auto;}
.mx-table-wrap {overflow-x: auto;}
.mx-sources {width: 100%; border-collapse: collapse; font-size: .95em;}
.mx-sources th, .mx-sources td {text-align: left; vertical-align: top; padding: 8px 10px;
  border-bottom: 1px solid var(--border-color-primary);}
.mx-sources th {font-weight: 600; background: var(--background-fill-secondary);}
.mx-sources .mx-bad {color: #b71c1c;}
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
.mx-card:focus {outline: 3px solid #1565c0; outline-offset: 2px;}
.mx-num {color: var(--body-text-color-subdued);}
.mx-cite {font-size: .92em; margin-top: 2px;}
.mx-meta, .mx-note, .mx-foot, .mx-ctx-label {font-size: .85em; color: var(--body-text-color-subdued);}
.mx-badge {display: inline-block; padding: 0 8px; border-radius: 10px; font-size: .9em;
  border: 1px solid currentColor;}
.mx-badge.mx-strong {color: #1b5e20;} .mx-badge.mx-weak {color: #7a4300;}
.mx-badge.mx-none {color: #b71c1c;}
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
.mx-pageview {position: fixed; top: 0; right: 0; z-index: 1000; width: min(720px, 96vw);
  height: 100vh; overflow: auto; padding: 10px 14px; background: var(--background-fill-primary);
  border-left: 1px solid var(--border-color-primary); box-shadow: -4px 0 16px rgba(0,0,0,.25);}
.mx-pageview-head {display: flex; justify-content: space-between; align-items: center; gap: 8px;
  position: sticky; top: -10px; padding: 6px 0; background: var(--background-fill-primary);}
.mx-pageimg {width: 100%; height: auto; border: 1px solid var(--border-color-primary);
  background: #fff;}
.mx-table {border-collapse: collapse; margin: 6px 0; font-size: .92em;}
.mx-table th, .mx-table td {border: 1px solid var(--border-color-primary); padding: 3px 8px;
  text-align: left; vertical-align: top;}
.mx-basket ol {padding-left: 1.4em;}
.mx-basket blockquote {margin: 6px 0; padding-left: 10px; border-left: 3px solid var(--border-color-primary);}
.mx-examples button {flex: 0 1 auto !important; min-width: 0 !important;}
.mx-trusts th[scope=row] {font-weight: 600; min-width: 14em;}
.mx-trusts td {min-width: 7em;}
.mx-scale {font-size: .85em; color: var(--body-text-color-subdued);}
.mx-vignette summary {cursor: pointer;}
.mx-vignette .mx-text {font-weight: 400; max-width: 40em;}
.mx-charts {display: flex; flex-direction: column; gap: 18px;}
.mx-chart {margin: 0;} .mx-chart img {max-width: 100%; height: auto; background: #fff;}
.mx-chart figcaption {font-size: .9em; margin-top: 4px;}
/* Read out, not shown twice: the upload and rebuild results are on screen above it. */
#add-live {position: absolute !important; width: 1px !important; height: 1px !important;
  overflow: hidden !important; clip-path: inset(50%) !important; white-space: nowrap;
  padding: 0 !important; border: 0 !important; margin: -1px !important;}
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
# [n] move focus to their passage and scroll to it. No other script runs in the page.
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
      // Focus moves to the passage (keyboard and screen-reader users land on it), not only
      // the view.
      if (!card.hasAttribute('tabindex')) card.setAttribute('tabindex', '-1');
      card.focus({preventScroll: true});
      card.scrollIntoView({behavior: 'smooth', block: 'start'});
      card.classList.add('mx-flash');
      setTimeout(() => card.classList.remove('mx-flash'), 1500);
    }
  }
});
"""


# The outcome of an upload or rebuild is announced by our own live region (render_live). Gradio's
# status tracker has one of its own that, when an event completes, reads out an untranslated
# key ("common.complete", "common.error"); such keys are cleared so only words are announced.
# Progress in words ("Embedding passages: 3 / 10") is left as it is.
LIVE_JS = """
element.setAttribute('role', 'status');
element.setAttribute('aria-live', 'polite');
element.setAttribute('aria-atomic', 'true');
"""

QUIET_STATUS_KEYS_JS = """() => {
  const untranslated = /^\\s*common\\.[a-z_]+\\s*$/;
  const clear = (root) => {
    for (const el of root.querySelectorAll('.sr-only[role=status]')) {
      // The text node itself is emptied (not replaced): Gradio writes its next message to it.
      if (untranslated.test(el.textContent || '')) {
        for (const node of el.childNodes) if (node.nodeType === 3) node.data = '';
      }
    }
  };
  new MutationObserver(() => clear(document)).observe(document.body,
      {subtree: true, childList: true, characterData: true});
  clear(document);
}"""
