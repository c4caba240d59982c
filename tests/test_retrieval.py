"""Retrieval quality mechanics: chunking defaults, BM25 tokenisation, fusion, evidence levels
and answer sentences. Fast and deterministic: the fake embedder only."""

from __future__ import annotations

from pathlib import Path

from ingest import ChunkSettings, chunk_document, load_catalog, read_document
from ingest.normalise import match_key

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def _passages(settings: ChunkSettings | None = None, with_docs: bool = False):
    out, docs = [], []
    catalog = load_catalog(CORPUS)
    for path in sorted(CORPUS.glob("*.txt")):
        docs.append(read_document(path, CORPUS, catalog))
        out.extend(chunk_document(docs[-1], settings))
    return (out, docs) if with_docs else out


def test_every_line_of_the_corpus_is_in_some_passage():
    """Heading lines open their section's first passage; headings with nothing under them (a
    trailing label, a run of table labels) are kept as text, not lost."""
    passages, docs = _passages(with_docs=True)
    for doc in docs:  # the normalised text: footers and footnotes are already gone
        # in order, so that a line wrapped across two passages still counts
        joined = match_key("".join(p.text for p in passages if p.file == doc.info.file))
        for page in doc.pages:
            for line in page.text.splitlines():
                line = line.strip().rstrip(":")
                if len(line.split()) >= 3 and not line.startswith("http"):
                    assert match_key(line) in joined, line


def test_heading_line_opens_the_first_passage_of_its_section():
    passages = _passages()
    governance = [p for p in passages if p.section[-1:] == ["Governance"]]
    assert governance[0].text.startswith("Governance\nMost of our trusts maintained")
    assert not governance[1].text.startswith("Governance")
    assert all(p.text.count("‘Soft Federation’") <= 1 for p in passages)
    off = _passages(ChunkSettings(heading_lines=False))
    assert not any(p.text.startswith("Governance\n") for p in off)
