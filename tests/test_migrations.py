"""Schema migrations: an older database is backed up, then upgraded in place."""

from __future__ import annotations

import sqlite3

import pytest

from conftest import SEEDS_DIR
from workbench.errors import StoreError
from workbench.models import Label
from workbench.pipeline import import_paths
from workbench.store import Store
from workbench.store import base as store_module


def _add_reviewed_flag(db) -> None:
    db.execute("ALTER TABLE stories ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0")


def _failing_migration(db) -> None:
    db.execute("ALTER TABLE stories ADD COLUMN half_done INTEGER")
    raise RuntimeError("migration failed half way")


@pytest.fixture
def v1_database(tmp_path):
    path = tmp_path / "old.db"
    with Store.open(path, create=True) as store:
        import_paths(store, [SEEDS_DIR], story="S")
        pair = next(store.candidate_rows(top=1))
        store.record_mark(pair.a.claim.id, pair.b.claim.id, Label.AGREE, "ana")
    return path


def _columns(path, table):
    conn = sqlite3.connect(path)
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def test_an_older_database_is_backed_up_then_upgraded_in_place(v1_database, monkeypatch):
    current = store_module.SCHEMA_VERSION
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(store_module.MIGRATIONS, current, _add_reviewed_flag)
    with Store.open(v1_database) as upgraded:
        assert upgraded.schema_version == current + 1
        assert len(upgraded.current_marks()) == 1  # nothing lost
    assert "reviewed" in _columns(v1_database, "stories")
    backup = v1_database.with_name(f"old.db.v{current}.bak")
    assert backup.exists()
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == current
    assert conn.execute("SELECT count(*) FROM marks").fetchone()[0] == 1
    conn.close()
    assert "reviewed" not in _columns(backup, "stories")


def test_a_failed_migration_leaves_the_database_as_it_was(v1_database, monkeypatch):
    current = store_module.SCHEMA_VERSION
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(store_module.MIGRATIONS, current, _failing_migration)
    with pytest.raises(StoreError, match=r"failed half way.*unchanged"):
        Store.open(v1_database)
    assert "half_done" not in _columns(v1_database, "stories")
    conn = sqlite3.connect(v1_database)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == current
    conn.close()


def test_an_older_database_opened_read_only_is_not_upgraded(v1_database, monkeypatch):
    current = store_module.SCHEMA_VERSION
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(store_module.MIGRATIONS, current, _add_reviewed_flag)
    with pytest.raises(StoreError, match="needs an upgrade"):
        Store.open(v1_database, readonly=True, upgrade=False)
    assert "reviewed" not in _columns(v1_database, "stories")


def _a_version_1_database(path) -> None:
    """A database as workbench 0.1 (schema 1) left it: text-keyed candidates, rank 1..3."""
    import sqlite_utils

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


def test_a_version_1_database_upgrades_to_integer_keyed_candidates(tmp_path):
    path = tmp_path / "v1.db"
    _a_version_1_database(path)
    with Store.open(path) as store:
        assert store.schema_version == store_module.SCHEMA_VERSION
        assert "key" in [r[1] for r in store.db.execute("PRAGMA table_info(claims)")]
        rows = {(r.a.claim.id, r.b.claim.id): (r.rank, r.score) for r in store.candidate_rows()}
        # What the review queue used (rank 1 in each direction) is kept; the rest is left
        # for `workbench align`.
        assert rows == {("A:0-23", "B:0-22"): (1, 88.0), ("B:0-22", "A:0-23"): (1, 87.5)}
        assert [m.id for m in store.current_marks()] == ["m1"]
        assert [c.id for c in store.search_claims("injured")] == ["B:0-22"]  # FTS still valid
        store.add_article(_article("C", "Nine were hurt."), [_span(0, 15)])
        assert [c.id for c in store.search_claims("nine")] == ["C:0-15"]
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert (tmp_path / "v1.db.v1.bak").exists()


def _article(aid: str, text: str):
    from workbench.models import Article

    return Article(id=aid, story_id="s1", source=f"{aid}.txt", text=text)


def _span(start: int, end: int):
    from workbench.models import ClaimSpan

    return ClaimSpan(start, end)


def test_a_read_command_upgrades_an_older_database_and_says_so(tmp_path):
    from click.testing import CliRunner

    from workbench.cli import cli

    path = tmp_path / "v1.db"
    _a_version_1_database(path)
    result = CliRunner().invoke(cli, ["stories", str(path)])
    assert result.exit_code == 0, result.output
    assert "upgraded" in result.output and "v1.db.v1.bak" in result.output
    assert "Story" in result.output
    with Store.open(path, readonly=True) as store:
        assert store.schema_version == store_module.SCHEMA_VERSION
    # --read-only in the review app means nothing is written, not even an upgrade
    other = tmp_path / "other.db"
    _a_version_1_database(other)
    with pytest.raises(StoreError, match="needs an upgrade"):
        Store.open(other, readonly=True, upgrade=False)
