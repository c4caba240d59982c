"""QA: search (fusion, evidence level), answer sentences, citations, CLI."""

from .search import (
    NOT_FOUND,
    Answer,
    AnswerSentence,
    Filters,
    Hit,
    Searcher,
    SearchSettings,
    embedder_for,
)

__all__ = [
    "NOT_FOUND", "Answer", "AnswerSentence", "Filters", "Hit", "SearchSettings", "Searcher",
    "embedder_for",
]
