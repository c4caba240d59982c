"""What every tab is built with: the search service, the app's settings, and the event
options shared by all handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .html import without_server_paths

MAX_QUESTION_CHARS = 500


@dataclass
class TabContext:
    service: Any  # qa.service.EvidenceService
    settings: Any  # app.AppSettings
    # Only `/ask` (and `/trusts`) are API endpoints; every UI handler is private.
    private: dict = field(default_factory=lambda: {"api_visibility": "private"})

    def current_index(self):
        from index import IndexUnavailable

        try:
            return self.service.searcher().index
        except IndexUnavailable:
            return None

    def for_page(self, text: str) -> str:
        return without_server_paths(text, self.settings)


def clean_question(text: Any) -> str:
    return " ".join(str(text or "").split())[:MAX_QUESTION_CHARS]
