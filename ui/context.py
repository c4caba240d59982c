"""What every tab is built with: the search service, the app's settings, and the event
options shared by all handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qa.format import MAX_QUESTION_CHARS, Question
from qa.format import clean_question as _clean

from .html import without_server_paths

__all__ = ["EDITORS_ONLY", "MAX_QUESTION_CHARS", "TabContext", "clean_question", "question_of"]
EDITORS_ONLY = ("Only editors can change the evidence: this account is a reader. Ask an editor "
                "to add or remove documents.")


@dataclass
class TabContext:
    service: Any  # qa.service.EvidenceService
    settings: Any  # app.AppSettings
    # Only `/ask` (and `/trusts`) are API endpoints; every UI handler is private.
    private: dict = field(default_factory=lambda: {"api_visibility": "private"})
    access: Any = None  # accounts.Access; None: no accounts, everyone an editor (local only)
    audit: Any = None  # accounts.AuditLog, or None (no audit file)

    # ---- roles: checked on the server by every handler that changes the corpus ----------

    @property
    def open(self) -> bool:
        return self.access is None or self.access.open

    def user(self, request) -> str:
        name = getattr(request, "username", None) if request is not None else None
        return name or ("(no sign-in)" if self.open else "")

    def role(self, request) -> str | None:
        if self.access is None:
            return "editor"
        return self.access.role(getattr(request, "username", None) if request else None)

    def require_editor(self, request, action: str, file: str = "") -> None:
        """Refuse (gr.Error, audited) unless the signed-in account is an editor."""
        role = self.role(request)
        if role == "editor":
            return
        import gradio as gr

        self.log(action, request, file=file, result="refused: not an editor")
        raise gr.Error(EDITORS_ONLY, print_exception=False)

    def log(self, action: str, request, **fields) -> None:
        if self.audit is not None:
            self.audit.append(action, user=self.user(request), role=self.role(request) or "",
                              **fields)

    def current_index(self):
        from index import IndexUnavailable

        try:
            return self.service.searcher().index
        except IndexUnavailable:
            return None

    def for_page(self, text: str) -> str:
        return without_server_paths(text, self.settings)


def question_of(text: Any) -> Question:
    """The question as searched and shown (qa/format.py: control characters dropped, cut at
    MAX_QUESTION_CHARS with a notice)."""
    return _clean(text)


def clean_question(text: Any) -> str:
    return _clean(text).text
