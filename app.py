"""The web app: Gradio over `qa`, `index` and `ingest`, composed from one module per tab
(`ui/`: ask, basket, sources, add_documents, glossary, session_prep, trusts) and their shared HTML
helpers (`ui/html.py`). Only composition, login and launch live here.

    python app.py [--index DIR] [--corpus DIR] [--host 127.0.0.1] [--port 7860]
                  [--users FILE] [--audit FILE] [--open] [--max-upload-mb 50]
    python app.py users add NAME --role reader|editor | list | remove NAME | passwd NAME
    python app.py audit [--since DATE]

Accounts (accounts/): readers ask and export; editors also add, remove and restore documents
and rebuild, checked on the server in every handler that changes the corpus. Without accounts
the app is local-only and everyone is an editor. The legacy MAT_EVIDENCE_AUTH="user:password"
and --auth-file (one user:password a line) still work, read as editors, with a warning.
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
# Gradio's queue keeps a record of every event (10,000 by default) and summarises all of them
# with pandas after each one: resident memory rose by ~5 MB per 500 questions under sustained
# use (issue 22). A few hundred records are plenty for its (unused) monitoring summary, which
# is recomputed every 100 events instead of after each.
QUEUE_RECORDS = 200
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", str(QUEUE_RECORDS))
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "100")

import gradio as gr  # noqa: E402 (after the environment above)

from accounts import Access, AuditLog, ClientAddressMiddleware, UsersFileError  # noqa: E402
from accounts.signin import AUTH_MESSAGE  # noqa: E402
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
from ui.html import (  # noqa: E402
    CSS,
    QUIET_STATUS_KEYS_JS,
    esc,
    render_message,
    without_server_paths,
)
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
    "make_access",
    "make_filters", "passage_level", "render_answer", "render_basket", "render_message",
    "render_pack", "render_sources", "shown_passages", "slug", "source_rows", "sources_summary",
    "status_words", "without_server_paths", "write_exports",
]

ROOT = Path(__file__).resolve().parent
AUTH_ENV = "MAT_EVIDENCE_AUTH"
DEFAULT_USERS = ROOT / "var" / "users.json"
DEFAULT_AUDIT = ROOT / "var" / "audit.jsonl"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
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
    sessions: int = 2000  # browser sessions whose server-side state is kept (Gradio: 10,000);
    # the oldest is dropped first; the basket itself lives in the browser (ui/basket.py)
    sessions_file: Path | None = None  # session definitions for the Session prep tab
    users_file: Path | None = None  # accounts (main: var/users.json); none: open, all editors
    audit_file: Path | None = None  # the audit trail (main: var/audit.jsonl); none: not kept
    # The key the basket is kept with in the browser; default: next to the index folder
    # (main: var/browser-state.key), made on first use.
    browser_key_file: Path | None = None

    @property
    def browser_key(self) -> Path:
        return self.browser_key_file or Path(self.index_dir).parent / "browser-state.key"


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


def make_access(settings: AppSettings) -> Access:
    """The accounts for these settings; raises UsersFileError when the users file is unusable."""
    audit = AuditLog(settings.audit_file) if settings.audit_file else None
    return Access(users_file=settings.users_file, legacy=tuple(settings.auth), audit=audit)


def launch_kwargs(settings: AppSettings, access: Access | None = None) -> dict[str, Any]:
    """The safe launch settings, shared by `main` and the tests. With accounts, Gradio's login
    asks `access.check` (scrypt, lockout, audit); the middleware gives it the client address."""
    from starlette.middleware import Middleware

    if access is None and (settings.auth or settings.users_file):
        access = make_access(settings)
    signed_in = access is not None and not access.open
    return dict(
        server_name=settings.host,
        server_port=settings.port,
        share=False,
        auth=access.check if signed_in else None,
        auth_message=AUTH_MESSAGE if signed_in else None,
        app_kwargs={"middleware": [Middleware(ClientAddressMiddleware)]},
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
        state_session_capacity=settings.sessions,
        css=CSS,
        js=QUIET_STATUS_KEYS_JS,
    )


# --------------------------------------------------------------------------------------------
# The app
# --------------------------------------------------------------------------------------------

def build_app(settings: AppSettings, service=None, access: Access | None = None):
    """The app: each tab builds its own blocks and events (ui/); here they are composed, and
    the events that cross tabs (Add to basket, refresh after a rebuild) are wired.
    `demo.access` is what `launch_kwargs` needs for sign-in (None when the app is open)."""
    from qa.service import EvidenceService
    from ui.add_documents import build_status

    service = service or EvidenceService(settings.index_dir, settings.corpus_dir)
    access = access or make_access(settings)
    # Open (no account when it starts): no sign-in, everyone an editor, until a restart.
    access = None if access.open else access
    audit = AuditLog(settings.audit_file) if settings.audit_file else None
    ctx = TabContext(service, settings, access=access, audit=audit)
    private = ctx.private

    with gr.Blocks(title="MAT evidence", analytics_enabled=False,
                   delete_cache=(3600, 24 * 3600)) as demo:
        # Kept in the browser (ui/basket.py): a reload or a restart does not empty it.
        basket_state = gr.BrowserState([], storage_key=basket.STORAGE_KEY,
                                       secret=basket.browser_secret(settings.browser_key))
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

        def api_remove_document(file: str, request: gr.Request = None) -> dict:
            """Take a file out of the evidence (editors only): it is moved to
            corpus/.removed/, and the index rebuilt. Returns the outcome and the build's
            status."""
            result = sources_tab.remove_file(file, request)
            build = (build_status(*add_tab.run_rebuild(request)) if result.ok
                     else {"status": "not needed", "message": "Nothing was removed."})
            return {"file": result.file, "status": result.status, "message": result.message,
                    "build": build}

        # Editors only (checked inside); one at a time with the UI's rebuilds.
        gr.api(add_tab.api_add_documents, api_name="add_documents", concurrency_limit=1,
               concurrency_id="rebuild")
        gr.api(api_remove_document, api_name="remove_document", concurrency_limit=1,
               concurrency_id="rebuild")

        ask_tab.answer.click(ask.on_answer_action, [basket_state, last],
                             [basket_state, basket_tab.html, ask_tab.basket_status],
                             **private).then(
            basket_tab.export_basket, [basket_state, basket_tab.export_title],
            [basket_tab.dl_docx, basket_tab.dl_md], **private)

        views = [*sources_tab.views, *ask_tab.views, *glossary_tab.views, *trusts_tab.views]

        def refresh_views(request: gr.Request):
            index = ctx.current_index()
            editor = ctx.role(request) == "editor"
            return [*sources_tab.refresh(index, editor), *ask_tab.refresh(index),
                    *glossary_tab.refresh(index), *trusts_tab.refresh(ctx)]

        add_tab.wire(refresh_views, views, private)
        sources_tab.wire(add_tab.rebuild, refresh_views, views, private)
        demo.load(refresh_views, None, views, show_progress="hidden", **private)
        demo.load(basket_tab.restore, [basket_state],
                  [basket_state, basket_tab.html, ask_tab.basket_status],
                  show_progress="hidden", **private).then(
            basket_tab.export_basket, [basket_state, basket_tab.export_title],
            [basket_tab.dl_docx, basket_tab.dl_md], show_progress="hidden", **private)
        if not ctx.open:
            def show_for_role(request: gr.Request):
                """Editors see Add documents and the Remove/Restore tools; readers never do
                (and their requests are refused on the server anyway)."""
                editor = ctx.role(request) == "editor"
                return gr.update(visible=editor), gr.update(visible=editor)

            demo.load(show_for_role, None, [add_tab.tab, sources_tab.editor_box],
                      show_progress="hidden", **private)

    demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size,
               api_open=False)
    demo.service = service
    demo.app_settings = settings
    demo.access = access
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


def _admin(argv: list[str]) -> int:
    """`python app.py users ...` and `python app.py audit ...` (accounts/cli.py)."""
    from accounts import cli

    parser = argparse.ArgumentParser(prog="python app.py",
                                     description="Accounts and the audit trail.")
    sub = parser.add_subparsers(dest="command", required=True)
    cli.add_parsers(sub, DEFAULT_USERS, DEFAULT_AUDIT)
    return cli.run(parser.parse_args(argv))


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] in (["users"], ["audit"]):
        sys.exit(_admin(argv))
    parser = argparse.ArgumentParser(
        description="Serve the MAT evidence web app. Also: `python app.py users "
                    "add|list|remove|passwd|role|migrate` and `python app.py audit`.")
    parser.add_argument("--index", type=Path, default=AppSettings.index_dir)
    parser.add_argument("--corpus", type=Path, default=AppSettings.corpus_dir)
    parser.add_argument("--host", default=AppSettings.host,
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--port", type=int, default=AppSettings.port)
    parser.add_argument("--users", type=Path, default=DEFAULT_USERS,
                        help="the accounts file (default var/users.json; `python app.py users "
                             "add NAME --role editor` creates it)")
    parser.add_argument("--audit", type=Path, default=DEFAULT_AUDIT,
                        help="the audit trail (default var/audit.jsonl)")
    parser.add_argument("--open", action="store_true",
                        help="allow --host beyond this machine without accounts (everyone who "
                             "can reach it is an editor)")
    parser.add_argument("--auth-file", type=Path, default=None,
                        help=f"legacy: file of plain user:password lines (read as editors); or "
                             f"set {AUTH_ENV}=user:password. Migrate with `python app.py users "
                             f"migrate --auth-file FILE`")
    parser.add_argument("--max-upload-mb", type=int,
                        default=DEFAULT_MAX_UPLOAD_BYTES // (1024 * 1024))
    args = parser.parse_args(argv)
    try:
        auth = load_auth(os.environ.get(AUTH_ENV), args.auth_file)
    except (OSError, ValueError) as exc:
        parser.error(f"login settings: {exc}")
    settings = AppSettings(args.index, args.corpus, args.host, args.port,
                           max_upload_bytes=max(1, args.max_upload_mb) * 1024 * 1024,
                           auth=tuple(auth), users_file=args.users, audit_file=args.audit)
    try:
        access = make_access(settings)
    except UsersFileError as exc:
        print(f"error: {exc}. The app did not start.", file=sys.stderr)
        sys.exit(2)
    if auth:
        where = " and ".join(w for w in (str(args.auth_file) if args.auth_file else "",
                                         AUTH_ENV if os.environ.get(AUTH_ENV) else "") if w)
        print(f"warning: {where} holds plain-text passwords; its accounts are read as editors. "
              f"Hash them into {args.users} with `python app.py users migrate"
              f"{' --auth-file ' + str(args.auth_file) if args.auth_file else ''} --users "
              f"{args.users}`, then remove the plain ones", file=sys.stderr)
    if access.open and settings.host not in LOOPBACK:
        if not args.open:
            parser.error(f"--host {settings.host} without accounts would let anyone who can "
                         "reach it change the evidence. Add accounts (`python app.py users add "
                         "NAME --role editor`) or pass --open to accept that")
        print(f"warning: --open: serving on {settings.host} without sign-in; everyone who can "
              "reach it is an editor", file=sys.stderr)
    elif access.open:
        print("note: no accounts; local only, and everyone is an editor", file=sys.stderr)
    else:
        roles = [a.role for a in access.accounts().values()]
        print(f"note: sign-in required: {roles.count('editor')} editor(s), "
              f"{roles.count('reader')} reader(s); audit trail in {args.audit}", file=sys.stderr)
    _limit_threads()
    demo = build_app(settings, access=access)
    try:
        demo.service.warm_up()  # load the model now, not on the first question
    except Exception as exc:  # no index yet: the app still starts, to let people add documents
        print(f"note: {exc}", file=sys.stderr)
    demo.launch(**launch_kwargs(settings, demo.access))


if __name__ == "__main__":
    main()
