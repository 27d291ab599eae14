"""Opening a database, and its transactions: the part of the store every noun builds on.

Guarantees kept here:
- WAL mode, foreign keys on, a busy timeout; writes take the write lock up front
  (BEGIN IMMEDIATE) so two processes queue instead of failing half way.
- One transaction per command: a failure rolls back to the database as it was.
- A file that is refused (not SQLite, another program's database, a newer schema, damaged)
  is never written, not even its header; a newer schema opens read-only.
- Nothing but SQLite opens the database's files while a connection is open (files.guard).
- `open_untouched` reads a database of an older schema without writing it: through an
  upgraded private copy made by SQLite's backup API in a temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

import sqlite_utils

from workbench.display import one_line
from workbench.errors import StoreError
from workbench.store import files
from workbench.store.schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_S = 10.0
# A write lock may be held for a whole import; past the busy timeout we retry a few
# times before telling the user, so a second reviewer never sees "database is locked".
LOCK_RETRIES = 5
# Files that passed `PRAGMA quick_check` in this process (by identity, see files): the
# review app opens one connection per lane, and the check need not run for each.
_CHECKED: set[tuple] = set()


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class StoreBase:
    """A connection to one workbench database. Open with `open` (or `open_or_create` for
    a command that may create it); close with `close()` or `with`."""

    def __init__(self, db: sqlite_utils.Database, path: Path, *, readonly: bool, why: str = ""):
        self.db = db
        self.path = path
        self.readonly = readonly
        self.readonly_reason = why
        self.warnings: tuple[str, ...] = ()  # one line each, for the caller to show
        self._guarded = files.guard(path)
        # What this connection derived and may reuse while the database is unchanged (the
        # review queue: workbench.store.candidates).
        self._queues: dict = {}

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike,
        *,
        create: bool = False,
        readonly: bool = False,
        upgrade: bool = True,
        name: str | os.PathLike | None = None,
        keep_older: bool = False,
        backup: bool = True,
    ) -> Self:
        """Open a workbench database. Nothing is written to a file that is refused (not a
        SQLite file, another program's database, a newer schema, damaged pages): the
        journal mode is switched to WAL only once the file is accepted for writing.

        A database of an older schema is upgraded (after a backup) when it is opened for
        writing, or read-only with `upgrade` while the file may be written: a read command
        on an older database then works, and says so in its warnings. Read-only with
        `keep_older` (and not `upgrade`), it opens as it is, for `open_untouched` to copy.
        `backup=False` upgrades without keeping DB.vN.bak (a private copy). `name` is what
        messages call the file (a new database's draft is called by its final name)."""
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"{path}: is a directory, not a database")
        files.refuse_open_side_file(path)
        exists = path.exists() and path.stat().st_size > 0
        if not exists and not create:
            raise StoreError(f"{path}: no such database (create one with 'workbench import')")
        if not exists and not path.parent.is_dir():
            raise StoreError(f"{path}: no such folder {str(path.parent)!r}")
        unwritable = exists and not os.access(path, os.W_OK)
        if not readonly and unwritable:
            readonly, why = True, "the file is read-only"
        else:
            why = "opened read-only" if readonly else ""
        conn = _connect_checked(path, readonly=readonly, exists=exists, unwritable=unwritable)
        try:
            store = cls(sqlite_utils.Database(conn), path, readonly=readonly, why=why)
        except BaseException:
            conn.close()
            raise
        if name is not None:
            store.path = Path(name)  # the file guarded is still `path`
        try:
            store._accept(
                exists=exists,
                upgrade=upgrade and not unwritable,
                keep_older=keep_older and readonly,
                backup=backup,
            )
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    @contextlib.contextmanager
    def open_or_create(cls, path: str | os.PathLike) -> Iterator[Self]:
        """The database at `path` for writing; if there is none, a new one that appears at
        `path` only when the block succeeds. It is built under a temporary name beside
        `path` and renamed into place after its last commit, so an import or merge that
        fails or is killed never leaves a half-made database under the user's name."""
        path = Path(path)
        if (path.exists() and path.stat().st_size > 0) or path.is_dir():
            with cls.open(path) as store:
                yield store
            return
        if not path.parent.is_dir():
            raise StoreError(f"{path}: no such folder {str(path.parent)!r}")
        files.remove_stale_drafts(path)
        draft = files.draft_path(path)
        store: Self | None = None
        try:
            store = cls.open(draft, create=True, name=path)
            yield store
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            store.close()  # the last connection: SQLite folds the -wal into the file
            store = None
            files.publish_draft(draft, path)
        except BaseException:
            if store is not None:
                store.close()
            files.remove_database_files(draft)
            raise

    @classmethod
    @contextlib.contextmanager
    def open_untouched(cls, path: str | os.PathLike) -> Iterator[Self]:
        """`path` for reading at the current schema, never written: not upgraded in place, no
        backup beside it, nothing but what a read-only connection does to its -wal/-shm. A
        database of an older schema is copied through SQLite's backup API into a temporary
        folder, and the block reads that copy, upgraded (messages still name `path`; the
        copy is deleted afterwards). A damaged file is refused; a newer schema opens as it
        is, read-only, for the caller to refuse."""
        path = Path(path)
        folder: Path | None = None
        try:
            with cls.open(path, readonly=True, upgrade=False, keep_older=True) as original:
                version = original.schema_version
                if version <= SCHEMA_VERSION:
                    original.check_integrity()  # before a damaged file is copied
                if version >= SCHEMA_VERSION:
                    yield original
                    return
                warnings = original.warnings
                folder = Path(tempfile.mkdtemp(prefix="workbench-upgrade-"))
                try:
                    copy = original.backup(folder / "copy.db")
                except (sqlite3.Error, OSError) as exc:
                    raise StoreError(
                        f"{path}: could not copy it to read its schema {version} in a"
                        f" temporary folder ({one_line(str(exc))}); nothing was written"
                    ) from None
            with cls.open(copy, name=path, backup=False) as upgraded:
                upgraded.readonly, upgraded.readonly_reason = True, "a private copy"
                upgraded.warnings = (
                    *warnings,
                    f"{path} is of schema {version}: read through a temporary copy upgraded"
                    f" to schema {SCHEMA_VERSION}; the file itself is left as it is",
                )
                yield upgraded
        finally:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    def _accept(
        self, *, exists: bool, upgrade: bool = False, keep_older: bool = False, backup: bool = True
    ) -> None:
        """Refuse what must not be opened; switch an accepted writable file to WAL."""
        path, db = self.path, self.db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self.readonly = True
            self.readonly_reason = (
                f"made by a newer workbench (schema {version}, this one knows {SCHEMA_VERSION})"
            )
            return
        if version == 0 and exists and db.table_names():
            raise StoreError(f"{path}: a SQLite database, but not a workbench database")
        if 0 < version < SCHEMA_VERSION and self.readonly and upgrade:
            with type(self).open(path):  # a writable connection upgrades it, after a backup
                pass
            self.warnings += (
                f"upgraded {path} to schema {SCHEMA_VERSION}"
                f" (the old file is kept as {path.name}.v{version}.bak)",
            )
            version = db.execute("PRAGMA user_version").fetchone()[0]
        if version < SCHEMA_VERSION and self.readonly and not (keep_older and version > 0):
            raise StoreError(
                f"{path}: needs an upgrade to schema {SCHEMA_VERSION} but is read-only"
            )
        network = files.network_filesystem(path)
        if network:
            self.warnings += (
                f"warning: {path} is on a network file system ({network}), where SQLite's"
                " locks are not to be trusted; work on a local copy if others use it too",
            )
        if self.readonly:
            return
        if exists:
            self.check_integrity()
        _use_wal(self.db.conn)
        if version < SCHEMA_VERSION:
            try:
                self._migrate(version, backup=backup and exists and version > 0)
            except Exception as exc:
                raise StoreError(
                    f"{path}: upgrade from schema {version} failed ({exc}); the database is unchanged"
                ) from exc

    def check_integrity(self) -> None:
        """`PRAGMA quick_check` (once per file and process while it is unchanged): a
        damaged database is refused in one line instead of being read and written."""
        key = files.identity(self.path)
        if key is not None and key in _CHECKED:
            return
        try:
            rows = self.db.execute("PRAGMA quick_check(1)").fetchall()
        except sqlite3.DatabaseError as exc:
            rows = [(str(exc),)]
        if rows != [("ok",)]:
            problem = one_line(rows[0][0]) if rows else "no answer"
            raise StoreError(
                f"{self.path}: the database is damaged ({problem}); nothing was written"
                " (try: sqlite3 DB .recover)"
            )
        if key is not None:
            _CHECKED.add(key)

    def close(self) -> None:
        try:
            self.db.close()
        finally:
            self._guarded.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self, version: int, *, backup: bool) -> None:
        if backup:
            self.backup(self.path.with_name(f"{self.path.name}.v{version}.bak"))
        conn = self.db.conn
        # A migration may rebuild a table others reference (SQLite's 12-step procedure):
        # foreign keys are checked once at the end instead of on every step. The pragma
        # is a no-op inside a transaction, so it is set around it.
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.write():
                # Another process may have upgraded it since `version` was read.
                version = max(version, self.schema_version)
                while version < SCHEMA_VERSION:
                    MIGRATIONS[version](self.db)
                    version += 1
                broken = conn.execute("PRAGMA foreign_key_check").fetchone()
                if broken is not None:
                    raise StoreError(f"a row of {broken[0]} refers to a missing {broken[2]} row")
                # PRAGMA cannot take a parameter; version is our own integer.
                self.db.execute(f"PRAGMA user_version = {int(version)}")
        finally:
            conn.execute("PRAGMA foreign_keys = ON")

    def backup(self, target: Path) -> Path:
        """A consistent copy through SQLite's backup API (safe while others write)."""
        # A name of this process's own: two processes backing up one file must not write
        # (or rename) each other's copy.
        tmp = target.with_name(f"{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        dest = sqlite3.connect(tmp)
        try:
            self.db.conn.backup(dest)
        finally:
            dest.close()
        os.replace(tmp, target)
        return target

    @property
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def review_change_token(self) -> int:
        """`PRAGMA data_version`: changes whenever another connection commits. It costs no
        I/O, so the app polls it to notice other reviewers' marks."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    # --- transactions ----------------------------------------------------------------------

    def _require_writable(self) -> None:
        if self.readonly:
            raise StoreError(
                f"{self.path}: read-only ({self.readonly_reason}); nothing was written"
            )

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """One write transaction: all or nothing. Takes the write lock at once."""
        self._require_writable()
        conn = self.db.conn
        if conn.in_transaction:  # nested: the outer transaction decides
            yield self.db
            return
        _retry_locked(lambda: conn.execute("BEGIN IMMEDIATE"), self.path)
        try:
            try:
                yield self.db
                _retry_locked(lambda: conn.execute("COMMIT"), self.path)
            except sqlite3.OperationalError as exc:
                raise _storage_error(self.path, exc) from None
        except BaseException:
            # Also when COMMIT itself failed: a transaction left open would make every
            # later write() on this connection "nested" and never committed.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Self]:
        """One read transaction: every query in the block sees the same database, whatever
        other processes commit meanwhile (WAL). Inside a transaction already: that one."""
        conn = self.db.conn
        if conn.in_transaction:
            yield self
            return
        conn.execute("BEGIN")
        try:
            yield self
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")  # it only read

    # --- meta ------------------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta"))

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def delete_meta(self, key: str) -> None:
        with self.write() as db:
            db.execute("DELETE FROM meta WHERE key = ?", [key])

    def _index_for_search(self, claims_where: str, params: Sequence[object]) -> None:
        """Add the claims that `claims_where` selects to the full-text index, inside the
        caller's write: the store does it after inserting claims (schema version 3 has no
        per-row trigger, which cost ten times as much). Each claim exactly once."""
        self.db.execute(
            'INSERT INTO claims_fts (rowid, "text") SELECT key, text FROM claims'
            f" WHERE {claims_where}",
            list(params),
        )


# --- connections ---------------------------------------------------------------------------


def _no_wal_content(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size == 0
    except FileNotFoundError:
        return True
    except OSError:
        return False


def _connect_checked(
    path: Path, *, readonly: bool, exists: bool, unwritable: bool
) -> sqlite3.Connection:
    """A connection to `path` that has read the header, so a file that is not SQLite is
    refused here, by SQLite itself: this process never opens the file any other way."""
    # A file we may not write and whose -wal holds nothing is the whole database: read it
    # as immutable, so no -shm is left behind (a read-only -shm would block the next
    # writer after a chmod) and none is needed in a folder we cannot write.
    immutable = readonly and unwritable and _no_wal_content(path)
    if not unwritable:
        files.keep_side_files_writable(path)  # left read-only by a reader, before a writer
    try:
        conn = _connect(path, readonly=readonly, immutable=immutable)
        try:
            conn.execute("PRAGMA user_version").fetchone()
        except BaseException:
            conn.close()
            raise
        if unwritable and not immutable:
            files.keep_side_files_writable(path)  # SQLite made them read-only, like the file
    except sqlite3.DatabaseError as exc:
        if "file is not a database" in str(exc):
            raise StoreError(
                f"{path}: not a SQLite database (corrupt, or another kind of file)"
            ) from None
        retry = (
            isinstance(exc, sqlite3.OperationalError)
            and not immutable
            and readonly
            and exists
            and _no_wal_content(path)
        )
        if not retry:
            raise StoreError(f"{path}: not a usable SQLite database ({exc})") from None
        # A WAL database without its -shm file in a folder we cannot write: SQLite cannot
        # even read it. With no -wal content, the file alone is the whole database.
        return _connect_checked(path, readonly=True, exists=exists, unwritable=True)
    return conn


def _connect(path: Path, *, readonly: bool, immutable: bool = False) -> sqlite3.Connection:
    uri = path.resolve().as_uri()
    if immutable:
        uri += "?mode=ro&immutable=1"
    elif readonly:
        uri += "?mode=ro"
    else:
        uri += "?mode=rwc"
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=True)
    # We issue BEGIN/COMMIT ourselves (StoreBase.write); the driver must not open its own.
    conn.isolation_level = None
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    """WAL, for a file accepted for writing (the switch writes the header)."""
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode.lower() != "wal":
        raise StoreError(f"could not switch the database to WAL mode (got {mode})")
    # In WAL mode NORMAL is durable against a killed process (what we promise);
    # FULL would add an fsync to every mark.
    conn.execute("PRAGMA synchronous = NORMAL")


def _storage_error(path: Path, exc: sqlite3.OperationalError) -> Exception:
    """A failed write as the user should read it: a full disk or an I/O error is one line
    saying that nothing of this change was saved (what was committed before stays)."""
    message = str(exc)
    if "full" in message:
        return StoreError(f"{path}: the disk is full; this change was not saved")
    if "disk I/O error" in message or "readonly" in message:
        return StoreError(f"{path}: could not write ({message}); this change was not saved")
    return exc


def _retry_locked(operation, path: Path) -> None:
    for attempt in range(LOCK_RETRIES):
        try:
            operation()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if attempt == LOCK_RETRIES - 1:
                raise StoreError(
                    f"{path}: the database stayed locked by another process; try again"
                ) from None
            time.sleep(0.05 * (attempt + 1))
