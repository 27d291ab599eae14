"""Shared fixtures. Tests may read ../shared/data when it exists; the suite passes without it."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "examples" / "seeds"
# FTS5's check of an external-content index against its table (rank 1: the content too):
# raises "database disk image is malformed" when a claim is missing from the index or extra.
FTS_MATCHES_CLAIMS = "INSERT INTO claims_fts (claims_fts, rank) VALUES ('integrity-check', 1)"


def shared_data_dir() -> Path | None:
    """../shared/data beside the repo (or $WORKBENCH_SHARED_DATA), if present."""
    configured = os.environ.get("WORKBENCH_SHARED_DATA")
    candidate = Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


@pytest.fixture
def shared_data() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip("../shared/data is not beside this checkout")
    return path


@pytest.fixture
def seed_texts() -> dict[str, str]:
    """The five real seed articles, by file name, read exactly as import reads them."""
    return {p.name: p.read_bytes().decode("utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))}


def a_version_1_database(path: Path) -> None:
    """A database as workbench 0.1 (schema 1) left it: text-keyed candidates, rank 1..3."""
    from workbench.store.schema import MIGRATIONS as STEPS

    conn = sqlite3.connect(path)
    conn.isolation_level = None
    db = sqlite_utils.Database(conn)
    conn.execute("BEGIN")
    STEPS[0](db)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO stories VALUES ('s1', 'Story', '2026-01-01')")
    for art, text in (
        ("A", "Six were hurt on Monday. Rain fell."),
        ("B", "6 were injured Monday."),
    ):
        conn.execute(
            "INSERT INTO articles VALUES (?, 's1', ?, NULL, NULL, NULL, NULL, ?, 'x', 'now')",
            [art, f"{art}.txt", text],
        )
    claims = [("A:0-23", "A", 0, 23, "Six were hurt on Monday.", 0),
              ("A:24-34", "A", 24, 34, "Rain fell.", 1),
              ("B:0-22", "B", 0, 22, "6 were injured Monday.", 0)]  # fmt: skip
    for cid, art, start, end, text, ordinal in claims:
        conn.execute(
            "INSERT INTO claims VALUES (?, ?, ?, ?, ?, 'claim', ?)",
            [cid, art, start, end, text, ordinal],
        )
    conn.executemany(
        "INSERT INTO candidates VALUES ('s1', ?, ?, ?, ?)",
        [("A:0-23", "B:0-22", 1, 88.0), ("B:0-22", "A:0-23", 1, 87.5),
         ("B:0-22", "A:24-34", 2, 12.0)],
    )  # fmt: skip
    conn.execute(
        "INSERT INTO marks VALUES ('m1', 'p', 'A:0-23', 'B:0-22', 'agree', 'ana', NULL,"
        " '2026-01-01T00:00:00', NULL, 'mark', NULL)"
    )
    conn.execute("COMMIT")
    conn.close()
