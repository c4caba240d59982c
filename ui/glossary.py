"""The Glossary tab: acronyms the documents spell out, shown when the index has any."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import gradio as gr

from .context import TabContext


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


@dataclass
class GlossaryTab:
    tab: Any
    table: Any

    @property
    def views(self) -> list:
        return [self.tab, self.table]

    @staticmethod
    def refresh(index) -> list:
        rows = glossary_rows(index)
        return [gr.Tab(visible=bool(rows)), rows]


def build(ctx: TabContext) -> GlossaryTab:
    rows0 = glossary_rows(ctx.current_index())
    with gr.Tab("Glossary", id="glossary", visible=bool(rows0)) as glossary_tab:
        gr.Markdown("Acronyms used in the documents, with where each is spelled out.")
        glossary_df = gr.Dataframe(value=rows0, headers=["Term", "Meaning", "Where"],
                                   datatype="str", interactive=False, wrap=True,
                                   column_widths=["15%", "30%", "55%"], elem_id="glossary")
    return GlossaryTab(glossary_tab, glossary_df)
