"""Combine reviewers' databases into one.

Every id is derived from content (stories, articles, claims) or is a uuid (sessions,
marks), so the union by id is exact: merging A then B gives the same content as B then A,
merging again adds nothing, and a row under a known id with other content is a conflict,
refused before anything is written. Inputs are opened read-only and never written (one of
an older schema is read through an upgraded temporary copy).
Candidates are recomputed for the stories that gained articles, with the current aligner.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.errors import StoreError
from workbench.models import ClaimKind
from workbench.store import SCHEMA_VERSION, Store

if TYPE_CHECKING:
    import numpy as np

    from workbench.encoders import SentenceEncoder

TABLES = ("stories", "articles", "claims", "sessions", "marks")


@dataclass
class MergeReport:
    inputs: list[str] = field(default_factory=list)
    added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TABLES, 0))
    realigned: list[str] = field(default_factory=list)  # story ids
    candidates: int = 0
    warnings: list[str] = field(default_factory=list)  # the databases', one line each

    def to_json(self) -> dict:
        return {
            "inputs": self.inputs,
            "added": self.added,
            "realigned_stories": len(self.realigned),
            "candidates": self.candidates,
        }


def merge_databases(
    out: str | os.PathLike,
    inputs: Sequence[str | os.PathLike],
    *,
    top_k: int = 3,
    warn: Callable[[str], None] | None = None,
) -> MergeReport:
    """Merge every input into `out` (created if needed) in one transaction: all or nothing.
    The warnings of each database opened (a network file system, an older schema) are kept in
    the report, and handed to `warn` as they come."""
    out = Path(out)
    if not inputs:
        raise StoreError("merge needs at least one input database")
    _refuse_same_file(out, inputs)
    if not out.parent.is_dir():
        raise StoreError(f"{out.parent}: no such directory; nothing was merged")
    report = MergeReport(inputs=[str(p) for p in inputs])

    def take_warnings(store: Store) -> None:
        for warning in store.warnings:
            report.warnings.append(warning)
            if warn is not None:
                warn(warning)

    # A new OUT appears only once the merge has committed.
    with Store.open_or_create(out) as target:
        take_warnings(target)
        if target.readonly:
            raise StoreError(f"{out}: read-only ({target.readonly_reason}); nothing was merged")
        gained: set[str] = set()
        encoder, ready = _encoded_ahead(target, inputs)
        with target.write():
            for path in inputs:
                with _open_input(path) as source:
                    take_warnings(source)
                    added, stories = target.merge_from(source)
                for table, count in added.items():
                    report.added[table] += count
                gained |= stories
            report.realigned = sorted(gained)
            report.candidates = _realign(target, report.realigned, top_k, encoder, ready)
    return report


@contextlib.contextmanager
def _open_input(path: str | os.PathLike) -> Iterator[Store]:
    # Never written: an older schema is read through an upgraded private copy, and a
    # damaged input is refused before anything is merged.
    with Store.open_untouched(path) as store:
        version = store.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path}: made by a newer workbench (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade before merging"
            )
        yield store


def _encoded_ahead(
    target: Store, inputs: Sequence[str | os.PathLike]
) -> tuple[SentenceEncoder | None, dict[str, np.ndarray]]:
    """OUT's sentence encoder (workbench.encoders; None if it has none) and the vectors of
    the claims the merge may realign that OUT holds none for, encoded before the merge's
    write begins (a reviewer's marks in OUT must not wait for the model)."""
    from workbench.pipeline import database_encoder, encode_ahead

    encoder = database_encoder(target)
    if encoder is None:
        return None, {}
    encoded = target.encoded_claim_ids()
    texts: set[str] = set()
    stories: set[str] = set()
    for path in inputs:
        with _open_input(path) as source:
            stories.update(s.id for s in source.stories())
            texts.update(
                row.claim.text
                for row in source.claim_rows()
                if row.claim.kind != ClaimKind.BOILERPLATE and row.claim.id not in encoded
            )
    # with the claims OUT holds unencoded in the stories that may gain articles
    return encoder, encode_ahead(encoder, texts, stories=sorted(stories), store=target)


def _realign(
    store: Store,
    stories: list[str],
    top_k: int,
    encoder: SentenceEncoder | None,
    ready: dict[str, np.ndarray],
) -> int:
    # Imported here: the aligner pulls in rapidfuzz, which merge needs only at this point.
    from workbench.pipeline import align_stored_stories

    return align_stored_stories(
        store, dict.fromkeys(stories), top_k=top_k, encoder=encoder, ready=ready
    )


def _refuse_same_file(out: Path, inputs: Sequence[str | os.PathLike]) -> None:
    for path in inputs:
        path = Path(path)
        if not path.exists():
            raise StoreError(f"{path}: no such database")
        if out.exists() and os.path.samefile(out, path):
            raise StoreError(f"{path}: is the output database; merge into a new or other file")
