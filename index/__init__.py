"""Index: embedder, FAISS + BM25 stores, manifest, incremental build, atomic swap."""

from .build import (
    LIST_ITEM,
    BuildBusy,
    BuildError,
    BuildReport,
    IndexSettings,
    build_index,
    is_label_line,
    passage_sentences,
)
from .embedder import (
    MINILM_WEIGHTS_SHA256,
    EmbedderError,
    EmbedSettings,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    make_embedder,
)
from .lexical import LexicalSettings, tokenize
from .store import (
    FileRecord,
    IndexUnavailable,
    LoadedIndex,
    Manifest,
    current_generation_name,
    load_index,
    read_manifest,
)

__all__ = [
    "MINILM_WEIGHTS_SHA256", "BuildBusy", "BuildError", "BuildReport", "EmbedSettings",
    "EmbedderError", "FileRecord", "HashingEmbedder", "IndexSettings", "IndexUnavailable",
    "LexicalSettings", "LoadedIndex", "current_generation_name", "Manifest", "SentenceTransformerEmbedder", "build_index",
    "load_index", "make_embedder", "passage_sentences", "read_manifest", "tokenize",
    "LIST_ITEM", "is_label_line",
]
