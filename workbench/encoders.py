"""Sentence encoders: an optional second opinion on how alike two claims are (pure core).

The aligner's own score is lexical (workbench.align). A database may also be given a
sentence encoder, a model on this machine that maps a claim to a vector: the aligner then
blends the cosine of two claims' vectors into their score (ENCODER_WEIGHT of it), which
finds some restatements that share few words ("won't attend" / "will be traveling
abroad"). Each claim is encoded once; its vector is stored with it (float16, unit length),
so the review app and every view rank as the aligner did without loading the model.

The one encoder shipped is `LocalSentenceTransformer`: a sentence-transformers model in a
local folder (pip install 'workbench[encoders]'). It never downloads anything: a folder
that is not a complete model is refused. Any object with a `name`, a `spec` and an `encode`
method (`SentenceEncoder`) can stand in for it, handed to `pipeline.align_with_encoder`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from workbench.errors import WorkbenchError

# Share of a pair's score that comes from the encoder (the rest is the lexical score). On
# our labelled pairs with all-MiniLM-L6-v2 (benchmarks/bench_quality.py --encoder) it lifts
# same-fact top 1 by 0.02 and contradictions in the top 3 by 0.03; weights of 0.2 to 0.3
# gave the same figures, 0.4 and more lost some again.
ENCODER_WEIGHT = 0.25
VECTOR_DTYPE = np.dtype("<f2")  # how a vector is stored: little-endian float16
_MODEL_FILES = ("modules.json", "config.json")  # what makes a folder a sentence-transformers model
_BATCH = 64


class EncoderError(WorkbenchError):
    """A sentence encoder that cannot be used: the message says which and why, in one line."""


class SentenceEncoder(Protocol):
    """What the aligner needs of an encoder."""

    @property
    def name(self) -> str:
        """Names the model and its weights: vectors stored under another name are redone."""
        ...

    @property
    def spec(self) -> str:
        """What `load_encoder` takes to load it again (stored with the database's choice)."""
        ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), d) float32, each row of unit length (or zero)."""
        ...


class LocalSentenceTransformer:
    """A sentence-transformers model in a local folder, loaded on first use, on the CPU."""

    def __init__(self, folder: str | os.PathLike[str]):
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise EncoderError(f"{folder}: no such folder (a sentence encoder is a model folder)")
        missing = [f for f in _MODEL_FILES if not (path / f).is_file()]
        if missing:
            raise EncoderError(
                f"{folder}: not a sentence-transformers model folder (no {', '.join(missing)})"
            )
        if importlib.util.find_spec("sentence_transformers") is None:
            raise EncoderError(
                f"{folder}: a sentence encoder needs sentence-transformers, which is not"
                " installed (pip install 'workbench[encoders]')"
            )
        self.path = path.resolve()
        self.spec = str(self.path)
        # A digest of its small files: another model, or the same one retrained, is another
        # name (the weights themselves are not read for this); the same model moved to
        # another folder is the same name.
        digest = hashlib.sha256()
        for f in sorted(self.path.rglob("*.json")):
            digest.update(f.relative_to(self.path).as_posix().encode())
            digest.update(f.read_bytes())
        self.name = f"sentence-transformers:{digest.hexdigest()[:12]}"
        self._model = None

    def _loaded(self):
        if self._model is None:
            # Never the network: a model that is not all here fails instead.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # stderr is ours
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise EncoderError(
                    f"{self.path}: a sentence encoder needs sentence-transformers"
                    f" (pip install 'workbench[encoders]'): {exc}"
                ) from None
            try:
                self._model = SentenceTransformer(
                    str(self.path), device="cpu", local_files_only=True
                )
            except Exception as exc:  # whatever the model library raises: one line
                message = " ".join(str(exc).split())[:200]
                raise EncoderError(f"{self.path}: could not load the model: {message}") from None
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = self._loaded().encode(
            list(texts),
            batch_size=_BATCH,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def load_encoder(spec: str) -> SentenceEncoder:
    """The encoder a user names (a model folder); EncoderError if it cannot be one. The
    model itself is loaded when first asked to encode."""
    return LocalSentenceTransformer(spec)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """float32 rows scaled to unit length (a zero row stays zero)."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return np.divide(v, norms, out=np.zeros_like(v), where=norms > 0)


def pack(vector: np.ndarray) -> bytes:
    """A vector as stored with its claim."""
    return np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()


def unpack(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=VECTOR_DTYPE).astype(np.float32)
