"""The one package that talks to SQLite (through sqlite-utils): schema, migrations, queries.

`Store` is one connection to one database. Its methods are grouped by what they are about,
one module each: opening and transactions (base), stories/articles/claims (corpus),
candidate pairs and the review queue's rule (candidates), sessions and marks (marks),
merging another database (merge); the database's files on disk (files), the schema and
its migrations (schema), and the rows handed out (rows).
"""

from __future__ import annotations

from workbench.store.base import BUSY_TIMEOUT_S, StoreBase, utc_now
from workbench.store.candidates import CandidateStore, proposed
from workbench.store.corpus import CorpusStore
from workbench.store.marks import MarkStore, standing
from workbench.store.merge import MergeStore
from workbench.store.rows import CandidateRow, ClaimRow, StorySummary
from workbench.store.schema import MIGRATIONS, SCHEMA_VERSION


class Store(CorpusStore, CandidateStore, MarkStore, MergeStore, StoreBase):
    """A workbench database. Open with `Store.open` (or `Store.open_or_create` for a
    command that may create it); close with `close()` or `with`."""


__all__ = [
    "BUSY_TIMEOUT_S",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "CandidateRow",
    "ClaimRow",
    "Store",
    "StorySummary",
    "proposed",
    "standing",
    "utc_now",
]
