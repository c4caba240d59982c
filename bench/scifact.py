"""SciFact (BEIR) through the project's own ingest, index and search code.

    python bench/scifact.py --data ../shared/bench/scifact [--run-file FILE] [--split test]
                            [--limit N] [--set NAME=VALUE ...] [--cache DIR]

Each abstract becomes a Document (title from the corpus file, the abstract as its one page)
and goes through the same path as a corpus file after reading: `chunk_document` cuts it into
passages, the passages are embedded with the packaged MiniLM via `Passage.embedding_text`, and
`index.build` / `index.store` write a real index generation (FAISS, BM25, glossary, manifest).
Questions are answered by `qa.search.Searcher` with the shipped settings (no SciFact-trained
component; anything tuned was tuned on qrels/train.tsv, never on test). A document's rank is
the rank of its best passage.

Sentence vectors are not built here (45k sentences would double the embedding time and they
only serve answer sentences and the first-stage best-sentence score). Passage embeddings and
late-interaction token vectors are cached under var/bench/scifact/, keyed by the model weights'
hash and the exact texts, so a second run skips the model work.

Prints nDCG@10 over the queries of the split's qrels (BEIR: test = 300 queries); the last line
is exactly `nDCG@10 0.xxxx`. With --run-file, writes TREC run format (qid Q0 docid rank score
tag), top 100 documents per query.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index import IndexSettings, make_embedder  # noqa: E402
from index.build import _config, build_faiss, lexical_text  # noqa: E402
from index.lexical import LexicalIndex  # noqa: E402
from index.store import GenerationData, Manifest, write_generation  # noqa: E402
from ingest import (  # noqa: E402
    READER_VERSION,
    ChunkSettings,
    Document,
    DocumentInfo,
    Page,
    chunk_document,  # noqa: E402
)
from ingest.glossary import build_glossary  # noqa: E402
from qa.search import Searcher, SearchSettings  # noqa: E402

TAG = "mat-evidence"
DEPTH = 100  # documents per query in the run file


def read_corpus(data: Path, limit: int = 0) -> list[dict]:
    docs = []
    with (data / "corpus.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                docs.append(json.loads(line))
    return docs[:limit] if limit else docs


def read_queries(data: Path) -> dict[str, str]:
    out = {}
    with (data / "queries.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                out[row["_id"]] = row["text"]
    return out


def read_qrels(data: Path, split: str) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for line in (data / "qrels" / f"{split}.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.strip().split("\t")
        if len(parts) != 3 or parts[0] == "query-id":
            continue
        out.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return out


def ndcg_at_10(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> float:
    """Mean nDCG@10 over the qrels' queries (trec_eval / BEIR definition, gain = judgement)."""
    total = 0.0
    for qid, rel in qrels.items():
        ranked = run.get(qid, [])[:10]
        dcg = sum(rel.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked))
        ideal = sorted(rel.values(), reverse=True)[:10]
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
        total += dcg / idcg if idcg else 0.0
    return total / len(qrels) if qrels else 0.0


def passages_of(docs: list[dict], chunk: ChunkSettings):
    """Abstracts through the project's chunker, as a corpus file would be after reading."""
    out = []
    for d in docs:
        text = d["text"]
        sha = hashlib.sha256(f"{d['_id']}\n{d['title']}\n{text}".encode()).hexdigest()
        info = DocumentInfo(file=d["_id"], title=d["title"], short_title=d["title"])
        out.extend(chunk_document(Document(info, sha, [Page(None, text)], page_count=1), chunk))
    return out


def _digest(texts: list[str], salt: str) -> str:
    h = hashlib.sha256(salt.encode())
    for t in texts:
        h.update(t.encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def embed_cached(embedder, texts: list[str], cache: Path, log) -> np.ndarray:
    salt = f"{embedder.fingerprint()}:{getattr(embedder, 'precision', 'fp32')}"
    path = cache / f"passages-{_digest(texts, salt)}.npy"
    if path.exists():
        log(f"passage vectors from cache {path}")
        return np.load(path)
    t0 = time.perf_counter()
    vecs = embedder.embed(texts)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vecs)
    log(f"embedded {len(texts)} passages in {time.perf_counter() - t0:.0f} s")
    return vecs


def build(docs: list[dict], index_dir: Path, cache: Path, log):
    settings = IndexSettings(sentence_vectors=False)
    embedder = make_embedder(settings.embed)
    passages = passages_of(docs, settings.chunk)
    log(f"{len(docs)} abstracts -> {len(passages)} passages")
    matrix = embed_cached(embedder, [p.embedding_text() for p in passages], cache, log)
    faiss_index, index_type = build_faiss(matrix, settings)
    lexical = LexicalIndex.build([lexical_text(p) for p in passages], settings.lexical)
    config = _config(embedder, settings)
    manifest = Manifest(model=config["model"], chunker=config["chunker"],
                        lexical=config["lexical"], reader_version=READER_VERSION, files={},
                        passages=len(passages), index_type=index_type, sentences=False)
    data = GenerationData(manifest, passages, matrix, [], np.zeros((0, matrix.shape[1]),
                                                                   np.float32),
                          glossary=build_glossary(passages))
    write_generation(index_dir, data, faiss_index, lexical)
    return embedder


def build_one_pass(docs: list[dict], index_dir: Path, cache: Path, log,
                   overrides: dict | None = None):
    """The build's own embedding stage (index.build.embed_changes, issue 14) with the shipped
    IndexSettings (or `overrides`): passage, token and sentence vectors as a corpus build makes
    and stores them, cached by the exact passages and settings."""
    from index.build import Layout, embed_changes

    settings = dataclasses.replace(IndexSettings(), **(overrides or {}))
    embedder = make_embedder(settings.embed)
    passages = passages_of(docs, settings.chunk)
    log(f"{len(docs)} abstracts -> {len(passages)} passages")
    layout = Layout.fresh(passages)
    config = _config(embedder, settings)
    salt = json.dumps([embedder.fingerprint(), config["embedding"], config["tokens"],
                       getattr(embedder, "precision", "fp32")])
    path = cache / f"build-{_digest([p.embedding_text() for p in passages], salt)}.npz"
    if path.exists():
        z = np.load(path)
        matrix, s_matrix = z["vectors"], z["sentences"]
        ranking = z["ranking"] if "ranking" in z.files else None
        tokens = (z["tvecs"], z["tkeys"], z["toffsets"])
        log(f"vectors from cache {path}")
    else:
        t0 = time.perf_counter()
        vectors = embed_changes(layout, embedder, settings, lambda *a: None)
        matrix, s_matrix, tokens = vectors.passages, vectors.sentences, vectors.tokens
        ranking = vectors.ranking_sentences
        log(f"embedded in {time.perf_counter() - t0:.0f} s (model load included): "
            f"{json.dumps(vectors.stats)}")
        cache.mkdir(parents=True, exist_ok=True)
        extra = {"ranking": ranking} if ranking is not None else {}
        np.savez(path, vectors=matrix, sentences=s_matrix, tvecs=tokens[0], tkeys=tokens[1],
                 toffsets=tokens[2], **extra)
    sentences = layout.sentences if settings.sentence_vectors else []
    faiss_index, index_type = build_faiss(matrix, settings)
    lexical = LexicalIndex.build([lexical_text(p) for p in passages], settings.lexical)
    manifest = Manifest(model=config["model"], chunker=config["chunker"],
                        lexical=config["lexical"], reader_version=READER_VERSION, files={},
                        passages=len(passages), index_type=index_type,
                        sentences=settings.sentence_vectors, tokens=config["tokens"],
                        embedding=config["embedding"])
    data = GenerationData(manifest, passages, matrix, sentences, s_matrix,
                          glossary=build_glossary(passages), tokens=tokens,
                          ranking_sentence_vectors=ranking)
    write_generation(index_dir, data, faiss_index, lexical)
    return embedder


def _token_store(searcher: Searcher, cache: Path) -> Path:
    fp = searcher.embedder.fingerprint()[:16]
    precision = getattr(searcher.embedder, "precision", "fp32")
    return cache / f"tokens-{fp}-{precision}-seg{searcher.late.encoder.segment_tokens}.npz"


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def preload_tokens(searcher: Searcher, queries: list[str], cache: Path, log) -> None:
    """Token vectors for every passage late interaction will read, encoded in one pass rather
    than query by query (the first stage's top `rerank_depth` per query), and kept in a store
    keyed by passage text so that later runs only encode what they have not seen."""
    idx = searcher.index
    s = searcher.settings
    if s.fusion != "late" or s.rerank_depth <= 0:
        return
    first = Searcher(idx, searcher.embedder, dataclasses.replace(s, fusion="zscore"))
    first._cache = searcher._cache
    first._expander = searcher._expander
    rows: set[int] = set()
    for q in queries:
        qvec = searcher.embed_query(q)
        rows.update(idx.by_id[h.passage.id] for h in first.rank(q, qvec, s.rerank_depth, None))
    items = [(idx.passages[i].id, idx.passages[i].text) for i in sorted(rows)]
    path = _token_store(searcher, cache)
    store: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if path.exists():
        z = np.load(path)
        vecs, keys, offsets = z["vecs"], z["keys"], z["offsets"]
        for j, h in enumerate(z["hashes"]):
            store[str(h)] = (vecs[offsets[j]:offsets[j + 1]], keys[offsets[j]:offsets[j + 1]])
    todo = [(pid, text) for pid, text in items if _text_key(text) not in store]
    if todo:
        t0 = time.perf_counter()
        encoded = searcher.late.encoder.encode_passages([t for _, t in todo])
        for (_, text), v in zip(todo, encoded, strict=True):
            store[_text_key(text)] = v
        log(f"token vectors for {len(todo)} passages in {time.perf_counter() - t0:.0f} s")
        hashes = list(store)
        offsets = np.cumsum([0] + [len(store[h][1]) for h in hashes])
        cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, hashes=np.asarray(hashes), offsets=offsets,
                 vecs=np.vstack([store[h][0] for h in hashes]).astype(np.float16),
                 keys=np.concatenate([store[h][1] for h in hashes]))
        tmp.replace(path)
    searcher.late.preload((pid, text, store[_text_key(text)]) for pid, text in items)
    log(f"token vectors ready for {len(items)} passages ({len(items) - len(todo)} from cache)")


def run(searcher: Searcher, queries: dict[str, str], qids: list[str]) -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list[tuple[str, float]]] = {}
    for qid in qids:
        q = " ".join(queries[qid].split())
        qvec = searcher.embed_query(q)
        hits = searcher.rank(q, qvec, 4 * DEPTH, None)
        docs: list[tuple[str, float]] = []
        seen: set[str] = set()
        for h in hits:
            doc = h.passage.file
            if doc not in seen:
                seen.add(doc)
                docs.append((doc, h.score))
            if len(docs) >= DEPTH:
                break
        if len(docs) < DEPTH:
            # The candidates (best 100 per retriever, as passages) can hold fewer than 100
            # documents: the run file still lists 100, the rest by passage cosine, below.
            dense = searcher.index.dense_scores(qvec)
            floor = docs[-1][1] if docs else 0.0
            for i in np.argsort(-dense, kind="stable"):
                doc = searcher.index.passages[i].file
                if doc not in seen:
                    seen.add(doc)
                    floor -= 1.0
                    docs.append((doc, floor))
                    if len(docs) >= DEPTH:
                        break
        out[qid] = docs
    return out


def write_run(path: Path, ranked: dict[str, list[tuple[str, float]]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for qid, docs in ranked.items():
            for rank, (doc, score) in enumerate(docs, 1):
                fh.write(f"{qid} Q0 {doc} {rank} {score:.6f} {TAG}\n")


def _index_overrides(items: list[str]) -> dict:
    out = {}
    for item in items:
        name, _, value = item.partition("=")
        kind = type(getattr(IndexSettings(), name))
        out[name] = value.lower() in ("1", "true", "yes") if kind is bool else kind(value)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="BEIR scifact folder")
    parser.add_argument("--run-file", type=Path, help="write a TREC run (top 100 per query)")
    parser.add_argument("--split", default="test", help="qrels split: test (default) or train")
    parser.add_argument("--limit", type=int, default=0, help="first N abstracts only (smoke)")
    parser.add_argument("--queries", type=int, default=0, help="first N queries only (smoke)")
    parser.add_argument("--cache", type=Path, default=ROOT / "var" / "bench" / "scifact")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a SearchSettings field (tune on --split train only)")
    parser.add_argument("--path", choices=("new", "old"), default="new",
                        help="new: one pass per passage (the build's path, issue 14); old: "
                             "passage vectors, then token vectors for the re-ranked passages")
    parser.add_argument("--index-set", action="append", default=[], metavar="NAME=VALUE",
                        help="new path: override an IndexSettings field (token_pass=false, "
                             "ranking_sentences=pooled, sentence_vectors=false, ...)")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {msg}", file=sys.stderr, flush=True)

    from qa.eval import _parse_set

    settings = _parse_set(args.set, SearchSettings(candidates=DEPTH))
    docs = read_corpus(args.data, args.limit)
    qrels = read_qrels(args.data, args.split)
    queries = read_queries(args.data)
    if args.limit:  # smoke runs: only queries whose relevant documents are indexed
        kept = {d["_id"] for d in docs}
        qrels = {q: r for q, r in qrels.items() if set(r) & kept}
    qids = sorted(qrels, key=lambda q: int(q) if q.isdigit() else q)
    if args.queries:
        qids = qids[: args.queries]
        qrels = {q: qrels[q] for q in qids}
    import tempfile

    with tempfile.TemporaryDirectory(prefix="scifact-index-") as tmp:
        index_dir = Path(tmp)
        if args.path == "new":
            embedder = build_one_pass(docs, index_dir, args.cache, log,
                                      _index_overrides(args.index_set))
        else:
            embedder = build(docs, index_dir, args.cache, log)
        from index import load_index

        searcher = Searcher(load_index(index_dir), embedder, settings)
        searcher.embed_query("warm up")
        searcher._late_setup()  # IDF over the passages (from the token store when it has one)
        if args.path == "old":  # token vectors for the passages late interaction will read
            preload_tokens(searcher, [" ".join(queries[q].split()) for q in qids], args.cache,
                           log)
        t0 = time.perf_counter()
        ranked = run(searcher, queries, qids)
        log(f"{len(qids)} queries in {time.perf_counter() - t0:.1f} s")
    if args.run_file:
        write_run(args.run_file, ranked)
        log(f"run written to {args.run_file}")
    score = ndcg_at_10({q: [d for d, _ in r] for q, r in ranked.items()}, qrels)
    log(f"total {time.perf_counter() - started:.0f} s; split {args.split}, {len(qrels)} queries, "
        f"{len(docs)} abstracts; settings {args.set or 'shipped'}; path {args.path} "
        f"{args.index_set or ''}")
    print(f"nDCG@10 {score:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
