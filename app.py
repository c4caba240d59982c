"""The web app: Gradio over `qa`, `index` and `ingest`, composed from one module per tab
(`ui/`: ask, basket, sources, add_documents, glossary, session_prep, trusts) and their shared HTML
helpers (`ui/html.py`). Only composition, login and launch live here.

    python app.py [--index DIR] [--corpus DIR] [--host 127.0.0.1] [--port 7860]
                  [--auth-file FILE] [--max-upload-mb 50]

Login is optional: MAT_EVIDENCE_AUTH="user:password" or --auth-file (one user:password a line).
Every piece of document text is HTML-escaped (ui/html.py `esc`) before it reaches the page
(gr.HTML does not sanitise).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# No telemetry, no update checks: the app runs offline. Set before gradio is imported.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import gradio as gr  # noqa: E402 (after the environment above)

from ui import add_documents, ask, basket, glossary, session_prep, sources, trusts  # noqa: E402
from ui.ask import (  # noqa: E402
    DIMENSION_LABELS,
    EXAMPLE_QUESTIONS,
    LEVEL_WORDS,
    example_questions,
    filter_choices,
    make_filters,
    passage_level,
    render_answer,
    shown_passages,
)
from ui.ask import context_block as _context_block  # noqa: E402
from ui.basket import (  # noqa: E402
    MAX_BASKET,
    basket_add,
    basket_document,
    basket_item,
    basket_move,
    basket_remove,
    render_basket,
)
from ui.context import MAX_QUESTION_CHARS, TabContext  # noqa: E402
from ui.downloads import slug, write_exports  # noqa: E402
from ui.glossary import glossary_rows  # noqa: E402
from ui.html import CSS, esc, render_message, without_server_paths  # noqa: E402
from ui.session_prep import render_pack  # noqa: E402
from ui.sources import (  # noqa: E402
    SOURCE_HEADERS,
    render_sources,
    source_rows,
    sources_summary,
    status_words,
)

# Names other code and the tests import from `app` (they live in ui/).
__all__ = [
    "CSS", "DIMENSION_LABELS", "EXAMPLE_QUESTIONS", "LEVEL_WORDS", "MAX_BASKET",
    "MAX_QUESTION_CHARS", "SOURCE_HEADERS", "AppSettings", "_context_block", "basket_add",
    "basket_document", "basket_item", "basket_move", "basket_remove", "build_app", "esc",
    "example_questions", "filter_choices", "glossary_rows", "launch_kwargs", "load_auth", "main",
    "make_filters", "passage_level", "render_answer", "render_basket", "render_message",
    "render_pack", "render_sources", "shown_passages", "slug", "source_rows", "sources_summary",
    "status_words", "without_server_paths", "write_exports",
]

ROOT = Path(__file__).resolve().parent
AUTH_ENV = "MAT_EVIDENCE_AUTH"
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

def build_app(settings: AppSettings, service=None):
    """The app: each tab builds its own blocks and events (ui/); here they are composed, and
    the events that cross tabs (Add to basket, refresh after a rebuild) are wired."""
    from qa.service import EvidenceService

    service = service or EvidenceService(settings.index_dir, settings.corpus_dir)
    ctx = TabContext(service, settings)
    private = ctx.private

    with gr.Blocks(title="MAT evidence", analytics_enabled=False,
                   delete_cache=(3600, 24 * 3600)) as demo:
        basket_state = gr.State([])
        last = gr.State({})
        gr.Markdown("# MAT evidence\nAsk the research evidence on multi-academy trusts and "
                    "federations. Every answer is quoted from the documents, with its source.",
                    elem_id="intro")
        with gr.Tabs():
            ask_tab = ask.build(ctx, basket_state, last)
            basket_tab = basket.build(ctx, basket_state, ask_tab.basket_status)
            sources_tab = sources.build(ctx)
            add_tab = add_documents.build(ctx)
            glossary_tab = glossary.build(ctx)
            session_prep.build(ctx)
            trusts_tab = trusts.build(ctx)
        # Registered outside gr.Tabs: an API endpoint is not part of any tab.
        gr.api(ask_tab.api_ask, api_name="ask", concurrency_id="ask")
        gr.api(trusts_tab.api_trusts, api_name="trusts", concurrency_id="trusts")

        ask_tab.answer.click(ask.on_answer_action, [basket_state, last],
                             [basket_state, basket_tab.html, ask_tab.basket_status],
                             **private).then(
            basket_tab.export_basket, [basket_state, basket_tab.export_title],
            [basket_tab.dl_docx, basket_tab.dl_md], **private)

        views = [*sources_tab.views, *ask_tab.views, *glossary_tab.views, *trusts_tab.views]

        def refresh_views():
            index = ctx.current_index()
            return [*sources_tab.refresh(index), *ask_tab.refresh(index),
                    *glossary_tab.refresh(index), *trusts_tab.refresh(ctx)]

        add_tab.wire(refresh_views, views, private)
        demo.load(refresh_views, None, views, show_progress="hidden", **private)

    demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size,
               api_open=False)
    demo.service = service
    demo.app_settings = settings
    return demo


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
