"""The web app: Gradio over `qa`. Only wiring and formatting live here.

    python app.py [--index DIR] [--corpus DIR] [--host 127.0.0.1] [--port 7860]
"""

from __future__ import annotations

import argparse
import html
import os
from dataclasses import dataclass
from pathlib import Path

# No telemetry, no update checks: the app runs offline. Set before gradio is imported.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class AppSettings:
    index_dir: Path = ROOT / "var" / "index"
    corpus_dir: Path = ROOT / "corpus"
    host: str = "127.0.0.1"
    port: int = 7860
    k: int = 5


def render_answer(answer) -> str:
    """HTML for an answer: numbered sentences, then cited passage cards. All text escaped."""
    from qa import NOT_FOUND

    number = {h.passage.id: i for i, h in enumerate(answer.hits, 1)}
    parts = []
    if not answer.found:
        parts.append(f'<div class="notfound"><strong>{html.escape(NOT_FOUND)}</strong> '
                     "The nearest passages are shown below, marked, but they do not answer "
                     "the question.</div>")
    else:
        parts.append(f'<div class="answer"><div class="level">Evidence: '
                     f"{html.escape(answer.evidence)}</div><ol>")
        for s in answer.sentences:
            refs = " ".join(f'<a href="#passage-{number[p]}">[{number[p]}]</a>'
                            for p in s.passage_ids if p in number)
            parts.append(f"<li>“{html.escape(s.text)}” {refs}</li>")
        parts.append("</ol></div>")
    highlights = {s.text for s in answer.sentences}
    for i, h in enumerate(answer.hits, 1):
        p = h.passage
        marked = " nearest" if not answer.found else ""
        body = "<br>".join(_highlight(line, highlights) for line in p.text.split("\n"))
        parts.append(
            f'<div class="card{marked}" id="passage-{i}"><div class="cite">[{i}] '
            f"{html.escape(p.citation)}</div><div class=\"meta\">{html.escape(p.title)} · "
            f"similarity {h.similarity:.2f} · id <code>{html.escape(p.id)}</code></div>"
            f'<div class="text">{body}</div></div>')
    return "\n".join(parts)


def _highlight(line: str, sentences: set[str]) -> str:
    escaped = html.escape(line)
    for s in sentences:
        e = html.escape(s)
        if e and e in escaped:
            escaped = escaped.replace(e, f"<mark>{e}</mark>")
    return escaped


def build_app(settings: AppSettings, service=None):
    import gradio as gr

    from qa.service import EvidenceService

    service = service or EvidenceService(settings.index_dir, settings.corpus_dir)

    def ask(question: str) -> str:
        """Answer a question from the evidence; returns HTML."""
        if not question or not question.strip():
            return "<p>Type a question about federations or multi-academy trusts.</p>"
        return render_answer(service.ask(question, k=settings.k))

    with gr.Blocks(title="MAT evidence") as demo:
        gr.Markdown("# MAT evidence\nAsk the research evidence on multi-academy trusts and "
                    "federations. Every answer is quoted from the documents, with its source.")
        question = gr.Textbox(label="Question", placeholder="What is a hard federation?")
        button = gr.Button("Ask", variant="primary")
        output = gr.HTML(elem_id="answer")
        question.submit(ask, question, output, api_name="ask")
        button.click(ask, question, output, api_name=False)
    demo.service = service
    return demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the MAT evidence web app.")
    parser.add_argument("--index", type=Path, default=AppSettings.index_dir)
    parser.add_argument("--corpus", type=Path, default=AppSettings.corpus_dir)
    parser.add_argument("--host", default=AppSettings.host)
    parser.add_argument("--port", type=int, default=AppSettings.port)
    args = parser.parse_args(argv)
    settings = AppSettings(args.index, args.corpus, args.host, args.port)
    demo = build_app(settings)
    demo.service.warm_up()  # load the model now, not on the first question
    demo.queue(default_concurrency_limit=4, max_size=64)
    demo.launch(server_name=settings.host, server_port=settings.port, share=False)


if __name__ == "__main__":
    main()
