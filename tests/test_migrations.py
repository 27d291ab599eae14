"""Schema migrations: an older database is backed up, then upgraded in place."""

from __future__ import annotations

import sqlite3
import tempfile

import pytest

from conftest import SEEDS_DIR, a_version_1_database
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


def test_an_older_database_is_read_untouched_through_a_private_upgraded_copy(
    v1_database, monkeypatch, tmp_path
):
    # What merge reads its inputs with: the file is never written, even when older.
    current = store_module.SCHEMA_VERSION
    before = v1_database.read_bytes()
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(store_module.MIGRATIONS, current, _add_reviewed_flag)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with Store.open_untouched(v1_database) as store:
        assert store.schema_version == current + 1
        assert "reviewed" in [r[1] for r in store.db.execute("PRAGMA table_info(stories)")]
        assert len(store.current_marks()) == 1
        assert store.path == v1_database and store.readonly
        assert [w for w in store.warnings if "temporary copy" in w]
        assert list(scratch.iterdir())  # the copy
    assert list(scratch.iterdir()) == []
    assert v1_database.read_bytes() == before
    beside = {p.name for p in tmp_path.iterdir()}
    assert beside <= {"old.db", "old.db-wal", "old.db-shm", "scratch"}  # no backup
    assert "reviewed" not in _columns(v1_database, "stories")

    monkeypatch.setitem(store_module.MIGRATIONS, current, _failing_migration)
    with (
        pytest.raises(StoreError, match="failed half way") as info,
        Store.open_untouched(v1_database),
    ):
        pass
    assert str(info.value).startswith(f"{v1_database}:") and "\n" not in str(info.value)
    assert list(scratch.iterdir()) == []
    assert v1_database.read_bytes() == before


def test_a_version_1_database_upgrades_to_integer_keyed_candidates(tmp_path):
    path = tmp_path / "v1.db"
    a_version_1_database(path)
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
    a_version_1_database(path)
    result = CliRunner().invoke(cli, ["stories", str(path)])
    assert result.exit_code == 0, result.output
    assert "upgraded" in result.output and "v1.db.v1.bak" in result.output
    assert "Story" in result.output
    with Store.open(path, readonly=True) as store:
        assert store.schema_version == store_module.SCHEMA_VERSION
    # --read-only in the review app means nothing is written, not even an upgrade
    other = tmp_path / "other.db"
    a_version_1_database(other)
    with pytest.raises(StoreError, match="needs an upgrade"):
        Store.open(other, readonly=True, upgrade=False)
