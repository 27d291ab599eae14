"""Schema migrations: an older database is backed up, then upgraded in place."""

from __future__ import annotations

import sqlite3

import pytest

from conftest import SEEDS_DIR
from workbench import store as store_module
from workbench.errors import StoreError
from workbench.models import Label
from workbench.pipeline import import_paths
from workbench.store import Store


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
        Store.open(v1_database, readonly=True)
    assert "reviewed" not in _columns(v1_database, "stories")
