"""Ingest: read files, normalise their text and cut them into cited passages."""

from .catalog import DOC_TYPES, load_catalog
from .chunk import ChunkSettings, chunk_document, parse_key_dimensions, split_sentences
from .documents import discover, file_sha256, read_document, relative_name
from .normalise import canonical
from .readers import READER_VERSION, SUPPORTED_SUFFIXES, ReadError
from .records import Document, DocumentInfo, Page, Passage

__all__ = [
    "DOC_TYPES", "READER_VERSION", "SUPPORTED_SUFFIXES", "ChunkSettings", "Document",
    "DocumentInfo", "Page", "Passage", "ReadError", "canonical", "chunk_document", "discover",
    "file_sha256", "load_catalog", "parse_key_dimensions", "read_document", "relative_name",
    "split_sentences",
]
