"""The one module that talks to SQLite (through sqlite-utils): schema, migrations, queries.

Guarantees kept here:
- WAL mode, foreign keys on, a busy timeout; writes take the write lock up front
  (BEGIN IMMEDIATE) so two processes queue instead of failing half way.
- One transaction per command: a failure rolls back to the database as it was.
- A database from a newer workbench is opened read-only and never written.
- Marks are append-only: undo and adjudication are new rows, nothing is deleted.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from workbench import dbfiles as files
from workbench.display import one_line as one_line_of
from workbench.errors import NotFoundError, StoreError
from workbench.hints import find_hints
from workbench.models import (
    Article,
    Candidate,
    Claim,
    ClaimKind,
    ClaimSpan,
    Hint,
    Label,
    Mark,
    MarkAction,
    Story,
    claim_id,
    pair_id,
    pair_key,
    story_id,
)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 10.0
# A write lock may be held for a whole import; past the busy timeout we retry a few
# times before telling the user, so a second reviewer never sees "database is locked".
LOCK_RETRIES = 5
# Files that passed `PRAGMA quick_check` in this process (by identity, see dbfiles): the
# review app opens one connection per lane, and the check need not run for each.
_CHECKED: set[tuple] = set()

_SCHEMA_V1 = """
CREATE TABLE stories (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    story_id TEXT NOT NULL REFERENCES stories(id),
    source TEXT NOT NULL,
    title TEXT,
    outlet TEXT,
    published TEXT,
    url TEXT,
    text TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX articles_story ON articles(story_id, source);
CREATE TABLE claims (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id),
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('claim', 'boilerplate', 'heading')),
    ordinal INTEGER NOT NULL
);
CREATE INDEX claims_article ON claims(article_id, ordinal);
CREATE TABLE candidates (
    story_id TEXT NOT NULL REFERENCES stories(id),
    claim_id TEXT NOT NULL REFERENCES claims(id),
    candidate_id TEXT NOT NULL REFERENCES claims(id),
    rank INTEGER NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (claim_id, candidate_id)
);
CREATE INDEX candidates_story ON candidates(story_id, rank, score, claim_id, candidate_id);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    reviewer TEXT NOT NULL,
    mode TEXT NOT NULL,
    started_at TEXT NOT NULL,
    host TEXT,
    pid INTEGER
);
CREATE TABLE marks (
    id TEXT PRIMARY KEY,
    pair_id TEXT NOT NULL,
    claim_a TEXT NOT NULL REFERENCES claims(id),
    claim_b TEXT NOT NULL REFERENCES claims(id),
    label TEXT CHECK (label IS NULL OR label IN ('agree', 'contradict', 'unrelated', 'unsure')),
    reviewer TEXT NOT NULL,
    note TEXT,
    created_at TEXT NOT NULL,
    session_id TEXT REFERENCES sessions(id),
    action TEXT NOT NULL CHECK (action IN ('mark', 'undo', 'final')),
    undoes TEXT REFERENCES marks(id),
    CHECK (claim_a < claim_b),
    CHECK (action = 'undo' OR label IS NOT NULL)
);
CREATE INDEX marks_pair ON marks(pair_id, reviewer, created_at);
CREATE INDEX marks_reviewer ON marks(reviewer, created_at);
CREATE INDEX marks_undoes ON marks(undoes);
CREATE INDEX marks_claim_a ON marks(claim_a);
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def _migrate_0_to_1(db: sqlite_utils.Database) -> None:
    # sqlite-utils runs a script statement by statement inside an open transaction
    # (plain sqlite3.executescript would commit the migration half way).
    db.executescript(_SCHEMA_V1)
    db["claims"].enable_fts(["text"], create_triggers=True, tokenize="porter")


# MIGRATIONS[n] upgrades a database at user_version n to n + 1. Append, never edit.
MIGRATIONS = {0: _migrate_0_to_1}


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class StorySummary:
    id: str
    name: str
    articles: int
    claims: int


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """A claim with what a listing needs to show it."""

    claim: Claim
    story_id: str
    story_name: str
    source: str


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """A stored candidate with both claims resolved."""

    story_id: str
    story_name: str
    a: ClaimRow
    b: ClaimRow
    rank: int
    score: float

    @property
    def hints(self) -> tuple[Hint, ...]:
        """Where the two claims differ (a -> b), computed on each access: nothing stores
        hints, they are a cheap function of the two sentences."""
        return tuple(find_hints(self.a.claim.text, self.b.claim.text))


def _no_wal_content(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    try:
        return wal.stat().st_size == 0
    except FileNotFoundError:
        return True
    except OSError:
        return False


class Store:
    """A workbench database. Open with `Store.open` (or `Store.open_or_create` for a command
    that may create it); close with `close()` or `with`."""

    def __init__(self, db: sqlite_utils.Database, path: Path, *, readonly: bool, why: str = ""):
        self.db = db
        self.path = path
        self.readonly = readonly
        self.readonly_reason = why
        self.warnings: tuple[str, ...] = ()  # one line each, for the caller to show
        self._guarded = files.guard(path)

    # --- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | os.PathLike, *, create: bool = False, readonly: bool = False
    ) -> Store:
        """Open a workbench database. Nothing is written to a file that is refused (not a
        SQLite file, another program's database, a newer schema, damaged pages): the
        journal mode is switched to WAL only once the file is accepted for writing."""
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"{path}: is a directory, not a database")
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
        try:
            store._accept(exists=exists)
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    @contextlib.contextmanager
    def open_or_create(cls, path: str | os.PathLike) -> Iterator[Store]:
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
        store: Store | None = None
        try:
            store = cls.open(draft, create=True)
            store.path = path  # what messages name; the file is still the draft
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

    def _accept(self, *, exists: bool) -> None:
        """Refuse what must not be opened; switch an accepted writable file to WAL."""
        path, db = self.path, self.db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self.readonly = True
            self.readonly_reason = (
                f"made by a newer workbench (schema {version}, this one knows {SCHEMA_VERSION})"
            )
            return
        if version == 0 and exists and _has_foreign_tables(db):
            raise StoreError(f"{path}: a SQLite database, but not a workbench database")
        if version < SCHEMA_VERSION and self.readonly:
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
                self._migrate(version, backup=exists and version > 0)
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
            problem = one_line_of(rows[0][0]) if rows else "no answer"
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

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self, version: int, *, backup: bool) -> None:
        if backup:
            self.backup(self.path.with_name(f"{self.path.name}.v{version}.bak"))
        with self.write():
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](self.db)
                version += 1
            # PRAGMA cannot take a parameter; version is our own integer.
            self.db.execute(f"PRAGMA user_version = {int(version)}")

    def backup(self, target: Path) -> Path:
        """A consistent copy through SQLite's backup API (safe while others write)."""
        tmp = target.with_name(target.name + ".tmp")
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

    # --- stories, articles, claims ---------------------------------------------------------

    def ensure_story(self, name: str) -> Story:
        story = Story(id=story_id(name), name=name)
        with self.write() as db:
            db.execute(
                "INSERT OR IGNORE INTO stories (id, name, created_at) VALUES (?, ?, ?)",
                [story.id, story.name, utc_now()],
            )
        return story

    def find_article(self, article_id: str) -> Article | None:
        row = self.db.execute(
            "SELECT id, story_id, source, text, title, outlet, published, url "
            "FROM articles WHERE id = ?",
            [article_id],
        ).fetchone()
        return Article(*row) if row else None

    def add_article(self, article: Article, spans: Sequence[ClaimSpan]) -> bool:
        """Store an article and its claims. False (and nothing written) if already there."""
        with self.write() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO articles (id, story_id, source, title, outlet, published,"
                " url, text, sha256, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    article.id,
                    article.story_id,
                    article.source,
                    article.title,
                    article.outlet,
                    article.published,
                    article.url,
                    article.text,
                    article.sha256,
                    utc_now(),
                ],
            )
            if cursor.rowcount == 0:
                return False
            db.conn.executemany(
                'INSERT INTO claims (id, article_id, start, "end", text, kind, ordinal)'
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        claim_id(article.id, span.start, span.end),
                        article.id,
                        span.start,
                        span.end,
                        article.text[span.start : span.end],
                        str(span.kind),
                        ordinal,
                    )
                    for ordinal, span in enumerate(spans)
                ),
            )
        return True

    def story_summaries(self) -> list[StorySummary]:
        rows = self.db.execute(
            """
            SELECT s.id, s.name,
                   (SELECT count(*) FROM articles a WHERE a.story_id = s.id),
                   (SELECT count(*) FROM claims c JOIN articles a ON a.id = c.article_id
                     WHERE a.story_id = s.id)
            FROM stories s ORDER BY s.name
            """
        ).fetchall()
        return [StorySummary(*row) for row in rows]

    def resolve_story(self, name_or_id: str) -> Story:
        """A story by its name or its id (the CLI accepts either wherever it takes --story)."""
        row = self.db.execute(
            "SELECT id, name FROM stories WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1",
            [name_or_id, name_or_id, name_or_id],
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no story named or with id {name_or_id!r}")
        return Story(*row)

    def stories(self) -> list[Story]:
        return [Story(*r) for r in self.db.execute("SELECT id, name FROM stories ORDER BY name")]

    def articles(self, story: str) -> list[Article]:
        rows = self.db.execute(
            "SELECT id, story_id, source, text, title, outlet, published, url FROM articles"
            " WHERE story_id = ? ORDER BY source, id",
            [story],
        ).fetchall()
        return [Article(*row) for row in rows]

    def claims(self, *, story: str | None = None, article: str | None = None) -> list[Claim]:
        where, params = _claim_filter(story, article)
        rows = self.db.execute(
            'SELECT c.id, c.article_id, c.start, c."end", c.text, c.kind, c.ordinal'
            " FROM claims c JOIN articles a ON a.id = c.article_id"
            f" {where} ORDER BY a.story_id, a.source, a.id, c.ordinal",
            params,
        ).fetchall()
        return [_claim(row) for row in rows]

    def claim_rows(self, *, story: str | None = None) -> Iterator[ClaimRow]:
        """Claims with their story and source, in reading order (streamed)."""
        where, params = _claim_filter(story, None)
        cursor = self.db.execute(
            'SELECT c.id, c.article_id, c.start, c."end", c.text, c.kind, c.ordinal,'
            "       a.story_id, s.name, a.source"
            " FROM claims c JOIN articles a ON a.id = c.article_id"
            " JOIN stories s ON s.id = a.story_id"
            f" {where} ORDER BY s.name, a.source, a.id, c.ordinal",
            params,
        )
        for row in cursor:
            yield ClaimRow(_claim(row[:7]), row[7], row[8], row[9])

    def claim(self, claim: str) -> ClaimRow:
        row = self.db.execute(
            'SELECT c.id, c.article_id, c.start, c."end", c.text, c.kind, c.ordinal,'
            "       a.story_id, s.name, a.source"
            " FROM claims c JOIN articles a ON a.id = c.article_id"
            " JOIN stories s ON s.id = a.story_id WHERE c.id = ?",
            [claim],
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no claim with id {claim!r}")
        return ClaimRow(_claim(row[:7]), row[7], row[8], row[9])

    def search_claims(
        self, query: str, *, story: str | None = None, limit: int = 50
    ) -> list[Claim]:
        """Full-text search (FTS5, porter stemming). The query is quoted word by word,
        so user input is never parsed as FTS syntax."""
        terms = " ".join('"' + word.replace('"', '""') + '"' for word in query.split())
        if not terms:
            return []
        params: list = [terms]
        story_clause = ""
        if story:
            story_clause = " AND a.story_id = ?"
            params.append(story)
        params.append(limit)
        rows = self.db.execute(
            'SELECT c.id, c.article_id, c.start, c."end", c.text, c.kind, c.ordinal'
            " FROM claims_fts f JOIN claims c ON c.rowid = f.rowid"
            " JOIN articles a ON a.id = c.article_id"
            f" WHERE claims_fts MATCH ?{story_clause} ORDER BY f.rank LIMIT ?",
            params,
        ).fetchall()
        return [_claim(row) for row in rows]

    # --- candidates ------------------------------------------------------------------------

    def replace_candidates(self, story: str, candidates: Iterable[Candidate]) -> int:
        """Swap a story's candidates for a fresh set (marks are untouched: they name claims)."""
        with self.write() as db:
            db.execute("DELETE FROM candidates WHERE story_id = ?", [story])
            cursor = db.conn.executemany(
                "INSERT INTO candidates (story_id, claim_id, candidate_id, rank, score)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    (story, c.claim_id, c.candidate_id, c.rank, round(float(c.score), 2))
                    for c in candidates
                ),
            )
            return cursor.rowcount

    def candidate_rows(
        self,
        *,
        story: str | None = None,
        top: int | None = None,
        min_score: float = 0.0,
    ) -> Iterator[CandidateRow]:
        """Stored candidates, streamed in reading order of the proposing claim."""
        clauses, params = ["k.score >= ?"], [min_score]
        if story:
            clauses.append("k.story_id = ?")
            params.append(story)
        if top:
            clauses.append("k.rank <= ?")
            params.append(top)
        cursor = self.db.execute(
            f"""
            SELECT k.story_id, s.name, k.rank, k.score,
                   ca.id, ca.article_id, ca.start, ca."end", ca.text, ca.kind, ca.ordinal,
                   aa.source,
                   cb.id, cb.article_id, cb.start, cb."end", cb.text, cb.kind, cb.ordinal,
                   ab.source
            FROM candidates k
            JOIN stories s ON s.id = k.story_id
            JOIN claims ca ON ca.id = k.claim_id JOIN articles aa ON aa.id = ca.article_id
            JOIN claims cb ON cb.id = k.candidate_id JOIN articles ab ON ab.id = cb.article_id
            WHERE {" AND ".join(clauses)}
            ORDER BY s.name, aa.source, ca.ordinal, ab.source, k.rank
            """,
            params,
        )
        for row in cursor:
            sid, sname = row[0], row[1]
            yield CandidateRow(
                story_id=sid,
                story_name=sname,
                a=ClaimRow(_claim(row[4:11]), sid, sname, row[11]),
                b=ClaimRow(_claim(row[12:19]), sid, sname, row[19]),
                rank=row[2],
                score=row[3],
            )

    # --- sessions and marks ----------------------------------------------------------------

    def start_session(self, reviewer: str, mode: str = "review") -> str:
        session = uuid.uuid4().hex
        with self.write() as db:
            db.execute(
                "INSERT INTO sessions (id, reviewer, mode, started_at, host, pid)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [session, reviewer, mode, utc_now(), socket.gethostname(), os.getpid()],
            )
        return session

    def record_mark(
        self,
        claim_a: str,
        claim_b: str,
        label: Label | str,
        reviewer: str,
        *,
        note: str | None = None,
        session_id: str | None = None,
        action: MarkAction = MarkAction.MARK,
    ) -> Mark:
        """Append one mark and commit it before returning: the caller may then move on."""
        try:
            label = Label(label)
        except ValueError:
            choices = ", ".join(str(x) for x in Label)
            raise NotFoundError(f"unknown label {label!r} (choose from {choices})") from None
        if not reviewer.strip():
            raise StoreError("a mark needs a reviewer name")
        a, b = pair_key(claim_a, claim_b)
        if a == b:
            raise StoreError("a pair needs two different claims")
        with self.write() as db:
            found = {
                row[0]: row[1]
                for row in db.execute(
                    "SELECT id, article_id FROM claims WHERE id IN (?, ?)", [a, b]
                )
            }
            for claim in (a, b):
                if claim not in found:
                    raise NotFoundError(f"no claim with id {claim!r}")
            if found[a] == found[b]:
                raise StoreError("a pair needs claims from two different articles")
            mark = Mark(
                id=uuid.uuid4().hex,
                claim_a=a,
                claim_b=b,
                label=label,
                reviewer=reviewer,
                created_at=utc_now(),
                action=action,
                note=note,
                session_id=session_id,
            )
            self._insert_mark(db, mark)
        return mark

    def undo_last(self, reviewer: str, *, session_id: str | None = None) -> Mark | None:
        """Withdraw this reviewer's latest standing mark by appending an undo row.
        Returns the mark that was withdrawn, or None if there is nothing to undo."""
        with self.write() as db:
            row = db.execute(
                """
                SELECT id, claim_a, claim_b, label, reviewer, created_at, action, note,
                       session_id, undoes
                FROM marks m
                WHERE reviewer = ? AND action IN ('mark', 'final')
                  AND NOT EXISTS (SELECT 1 FROM marks u WHERE u.undoes = m.id)
                ORDER BY created_at DESC, id DESC LIMIT 1
                """,
                [reviewer],
            ).fetchone()
            if row is None:
                return None
            undone = _mark(row)
            self._insert_mark(
                db,
                Mark(
                    id=uuid.uuid4().hex,
                    claim_a=undone.claim_a,
                    claim_b=undone.claim_b,
                    label=None,
                    reviewer=reviewer,
                    created_at=utc_now(),
                    action=MarkAction.UNDO,
                    session_id=session_id,
                    undoes=undone.id,
                ),
            )
        return undone

    @staticmethod
    def _insert_mark(db: sqlite_utils.Database, mark: Mark) -> None:
        db.execute(_INSERT_MARK, _mark_params(mark))

    def current_marks(
        self,
        *,
        story: str | None = None,
        reviewer: str | None = None,
        action: MarkAction = MarkAction.MARK,
    ) -> list[Mark]:
        """Each reviewer's standing label per pair: their latest row not undone."""
        clauses, params = ["m.action = ?"], [str(action)]
        if reviewer:
            clauses.append("m.reviewer = ?")
            params.append(reviewer)
        if story:
            clauses.append(
                "m.claim_a IN (SELECT c.id FROM claims c JOIN articles a ON a.id = c.article_id"
                " WHERE a.story_id = ?)"
            )
            params.append(story)
        rows = self.db.execute(
            f"""
            WITH standing AS (
                SELECT m.*, row_number() OVER (
                    PARTITION BY m.pair_id, m.reviewer ORDER BY m.created_at DESC, m.id DESC
                ) AS recency
                FROM marks m
                WHERE {" AND ".join(clauses)}
                  AND NOT EXISTS (SELECT 1 FROM marks u WHERE u.undoes = m.id)
            )
            SELECT id, claim_a, claim_b, label, reviewer, created_at, action, note,
                   session_id, undoes
            FROM standing WHERE recency = 1 ORDER BY created_at, id
            """,
            params,
        ).fetchall()
        return [_mark(row) for row in rows]

    def marks_log(self) -> list[Mark]:
        """Every row of the marks table, oldest first (undo rows included)."""
        rows = self.db.execute(
            "SELECT id, claim_a, claim_b, label, reviewer, created_at, action, note,"
            " session_id, undoes FROM marks ORDER BY created_at, id"
        ).fetchall()
        return [_mark(row) for row in rows]

    # --- meta ------------------------------------------------------------------------------

    def set_meta(self, key: str, value: str) -> None:
        with self.write() as db:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    # --- team: export, merge, agreement ---------------------------------------------------

    # Columns compared when two databases hold a row under the same id. Import times are
    # left out (they differ legitimately); merge keeps the earliest, so order is irrelevant.
    _MERGE_TABLES: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
        ("stories", ("id", "name"), "created_at"),
        (
            "articles",
            ("id", "story_id", "source", "title", "outlet", "published", "url", "text", "sha256"),
            "imported_at",
        ),
        ("claims", ("id", "article_id", "start", '"end"', "text", "kind", "ordinal"), None),
        ("sessions", ("id", "reviewer", "mode", "started_at", "host", "pid"), None),
        (
            "marks",
            (
                "id",
                "pair_id",
                "claim_a",
                "claim_b",
                "label",
                "reviewer",
                "note",
                "created_at",
                "session_id",
                "action",
                "undoes",
            ),
            None,
        ),
    )

    def reviewers(self) -> list[str]:
        """Everyone with a row in the marks table (reviewers and editors), sorted."""
        return [r[0] for r in self.db.execute("SELECT DISTINCT reviewer FROM marks ORDER BY 1")]

    # Flat rows for datasets, in this column order (the CSV header of `workbench export`).
    STANDING_ROW_COLUMNS = (
        "story", "a_article", "a_claim", "a_start", "a_end", "a_text",
        "b_article", "b_claim", "b_start", "b_end", "b_text",
        "label", "reviewer", "note", "created_at",
    )  # fmt: skip

    def _standing_query(
        self, columns: str, story: str | None, reviewer: str | None, action: MarkAction
    ) -> sqlite3.Cursor:
        # The same standing marks as current_marks() (latest row per pair and reviewer, of
        # this action, not undone), written as NOT EXISTS: it walks the marks_pair index
        # instead of materialising a window over every mark (0.85 s against 1.5 s for
        # 100,000 marks with both claims joined).
        clauses, params = ["m.action = ?"], [str(action)]
        if reviewer:
            clauses.append("m.reviewer = ?")
            params.append(reviewer)
        if story:
            clauses.append("aa.story_id = ?")
            params.append(story)
        return self.db.execute(
            f"""
            SELECT {columns}
            FROM marks m
            JOIN claims ca ON ca.id = m.claim_a JOIN articles aa ON aa.id = ca.article_id
            JOIN stories s ON s.id = aa.story_id
            JOIN claims cb ON cb.id = m.claim_b JOIN articles ab ON ab.id = cb.article_id
            WHERE {" AND ".join(clauses)}
              AND NOT EXISTS (SELECT 1 FROM marks u WHERE u.undoes = m.id)
              AND NOT EXISTS (
                  SELECT 1 FROM marks n
                  WHERE n.pair_id = m.pair_id AND n.reviewer = m.reviewer
                    AND n.action = m.action AND (n.created_at, n.id) > (m.created_at, m.id)
                    AND NOT EXISTS (SELECT 1 FROM marks u2 WHERE u2.undoes = n.id))
            ORDER BY m.created_at, m.id
            """,
            params,
        )

    def standing_rows(
        self,
        *,
        story: str | None = None,
        reviewer: str | None = None,
        action: MarkAction = MarkAction.MARK,
    ) -> Iterator[tuple]:
        """The marks `current_marks` returns, in the same order, as plain tuples in
        STANDING_ROW_COLUMNS order (the story is claim a's), streamed from one cursor: no
        objects per row, so 100,000 marks stream in well under a second."""
        return iter(
            self._standing_query(
                's.name, aa.source, ca.id, ca.start, ca."end", ca.text,'
                ' ab.source, cb.id, cb.start, cb."end", cb.text,'
                " m.label, m.reviewer, m.note, m.created_at",
                story,
                reviewer,
                action,
            )
        )

    def content_fingerprint(self) -> str:
        """sha256 over the sorted article ids and mark ids: both are content-derived or
        append-only, so equal fingerprints mean the same articles and the same marks."""
        import hashlib  # local: this section leaves the module's imports as they were

        digest = hashlib.sha256()
        for table in ("articles", "marks"):
            digest.update(f"{table}\x1e".encode())
            for (row_id,) in self.db.execute(f"SELECT id FROM {table} ORDER BY id"):
                digest.update(row_id.encode("utf-8"))
                digest.update(b"\x1f")
        return digest.hexdigest()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Store]:
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

    def insert_marks(self, marks: Iterable[Mark]) -> int:
        """Append pre-built marks in one transaction (benchmarks, tools). No reviewer or
        claim checks beyond the schema's own constraints: use `record_mark` for user input."""
        with self.write() as db:
            cursor = db.conn.executemany(_INSERT_MARK, map(_mark_params, marks))
            return cursor.rowcount

    def merge_from(self, other: Store) -> tuple[dict[str, int], set[str]]:
        """Add every story, article, claim, session and mark of `other` that this database
        lacks (by id), inside the caller's transaction. `other` is only read.

        Returns the rows added per table and the ids of stories that gained articles (their
        candidates need recomputing). Raises StoreError, writing nothing, when a row under
        an id already here holds different content, or an article here was split into
        different claims (a different segmenter)."""
        added: dict[str, int] = {}
        gained: set[str] = set()
        with self.write() as db:
            # One read transaction on `other`: a reviewer still working in it cannot make
            # the tables disagree (a mark read whose claim was not).
            with other.snapshot():
                for table, columns, stamp in self._MERGE_TABLES:
                    db.execute(f"DROP TABLE IF EXISTS temp.merge_{table}")
                    db.execute(
                        f"CREATE TEMP TABLE merge_{table} AS SELECT * FROM main.{table} WHERE 0"
                    )
                    names = ", ".join(columns + ((stamp,) if stamp else ()))
                    db.conn.executemany(
                        f"INSERT INTO temp.merge_{table} ({names})"
                        f" VALUES ({', '.join('?' * (len(columns) + bool(stamp)))})",
                        other.db.execute(f"SELECT {names} FROM main.{table}"),
                    )
                    db.execute(f"CREATE INDEX temp.merge_{table}_id ON merge_{table}(id)")
            db.execute("CREATE INDEX temp.merge_claims_article ON merge_claims(article_id)")
            for table, columns, _ in self._MERGE_TABLES:
                self._refuse_conflicts(other, table, columns)
            self._refuse_resegmented(other)
            gained = {
                row[0]
                for row in db.execute(
                    "SELECT DISTINCT story_id FROM temp.merge_articles"
                    " WHERE id NOT IN (SELECT id FROM main.articles)"
                )
            }
            for table, columns, stamp in self._MERGE_TABLES:
                added[table] = db.execute(
                    f"SELECT count(*) FROM temp.merge_{table}"
                    f" WHERE id NOT IN (SELECT id FROM main.{table})"
                ).fetchone()[0]
                names = ", ".join(columns + ((stamp,) if stamp else ()))
                # Undo rows point at the marks they withdraw: insert those marks first.
                order = " ORDER BY action = 'undo', created_at, id" if table == "marks" else ""
                upsert = (
                    f" ON CONFLICT(id) DO UPDATE SET {stamp} = min({stamp}, excluded.{stamp})"
                    if stamp
                    else " ON CONFLICT(id) DO NOTHING"
                )
                db.execute(
                    f"INSERT INTO main.{table} ({names}) SELECT {names}"
                    f" FROM temp.merge_{table} WHERE true{order}{upsert}"
                )
            db.conn.executemany(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                other.db.execute("SELECT key, value FROM meta"),
            )
            for table, _, _ in self._MERGE_TABLES:
                db.execute(f"DROP TABLE temp.merge_{table}")
        return added, gained

    def _refuse_conflicts(self, other: Store, table: str, columns: tuple[str, ...]) -> None:
        differs = " OR ".join(f"t.{c} IS NOT m.{c}" for c in columns[1:])
        row = self.db.execute(
            f"SELECT t.id FROM temp.merge_{table} t JOIN main.{table} m ON m.id = t.id"
            f" WHERE {differs} LIMIT 1"
        ).fetchone()
        if row is None:
            return
        names = ", ".join(columns)
        theirs = self.db.execute(f"SELECT {names} FROM temp.merge_{table} WHERE id = ?", row)
        ours = self.db.execute(f"SELECT {names} FROM main.{table} WHERE id = ?", row)
        fields = [
            c.strip('"')
            for c, x, y in zip(columns, theirs.fetchone(), ours.fetchone(), strict=True)
            if x != y
        ]
        raise StoreError(
            f"{other.path}: {table[:-1]} {row[0]!r} differs from the one in {self.path}"
            f" ({', '.join(fields)}); nothing was merged"
        )

    def _refuse_resegmented(self, other: Store) -> None:
        row = self.db.execute(
            """
            SELECT t.id FROM temp.merge_articles t JOIN main.articles m ON m.id = t.id
            WHERE EXISTS (SELECT id FROM temp.merge_claims WHERE article_id = t.id
                          EXCEPT SELECT id FROM main.claims WHERE article_id = t.id)
               OR EXISTS (SELECT id FROM main.claims WHERE article_id = t.id
                          EXCEPT SELECT id FROM temp.merge_claims WHERE article_id = t.id)
            LIMIT 1
            """
        ).fetchone()
        if row is not None:
            raise StoreError(
                f"{other.path}: article {row[0]!r} was split into different claims than in"
                f" {self.path} (another segmenter version?); nothing was merged"
            )

    # --- review app queries -------------------------------------------------------------------
    # For workbench.tui. Each query is bounded by a story, a page of stories, an article pair
    # or a reviewer's marks, so the app never loads a whole database. Rows are plain tuples;
    # the app builds its own objects (workbench/tui/model.py). A pair is *proposed* under the
    # review queue rule documented there: a rank-1 candidate in either direction with a score
    # >= min_score, neither claim boilerplate.

    # Whether pair (p.a, p.b) is proposed: two primary-key probes and two claim lookups.
    _REVIEW_PROPOSED = """
        (EXISTS (SELECT 1 FROM candidates k WHERE k.claim_id = p.a AND k.candidate_id = p.b
                 AND k.rank = 1 AND k.score >= :floor)
         OR EXISTS (SELECT 1 FROM candidates k WHERE k.claim_id = p.b AND k.candidate_id = p.a
                    AND k.rank = 1 AND k.score >= :floor))
        AND (SELECT kind FROM claims WHERE id = p.a) != 'boilerplate'
        AND (SELECT kind FROM claims WHERE id = p.b) != 'boilerplate'"""

    def review_change_token(self) -> int:
        """`PRAGMA data_version`: changes whenever another connection commits. It costs no
        I/O, so the app polls it to notice other reviewers' marks."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def review_proposed_by_articles(
        self, story: str, *, min_score: float
    ) -> dict[tuple[str, str], int]:
        """Proposed pairs of a story counted per article pair (article ids in sorted order).

        A story's candidates are written together (replace_candidates), so they sit in one
        rowid range. Its bounds come from the covering index `candidates_story`, over the
        story's rank-1 rows at or above the floor (the rows wanted: 0.06 s for a story of
        1.2M candidates, against 0.2 s over all its rows). The rows themselves are read by
        scanning that range in table order: going through the covering index returns them
        in score order, so the claim lookups hit pages at random (2.7 s against 1.5 s
        measured on 1.2M rows). `+k.story_id` keeps the planner off the index; the filter
        stays exact whatever the range holds."""
        lo, hi = self.db.execute(
            "SELECT min(rowid), max(rowid) FROM candidates"
            " WHERE story_id = ? AND rank = 1 AND score >= ?",
            [story, min_score],
        ).fetchone()
        if lo is None:
            return {}
        rows = self.db.execute(
            """
            SELECT a1, a2, count(*) FROM (
                SELECT DISTINCT min(k.claim_id, k.candidate_id), max(k.claim_id, k.candidate_id),
                       min(ca.article_id, cb.article_id) AS a1,
                       max(ca.article_id, cb.article_id) AS a2
                FROM candidates k
                JOIN claims ca ON ca.id = k.claim_id JOIN claims cb ON cb.id = k.candidate_id
                WHERE k.rowid BETWEEN :lo AND :hi AND +k.story_id = :story
                  AND k.rank = 1 AND +k.score >= :floor
                  AND ca.kind != 'boilerplate' AND cb.kind != 'boilerplate'
            ) GROUP BY a1, a2
            """,
            {"lo": lo, "hi": hi, "story": story, "floor": min_score},
        ).fetchall()
        return {(row[0], row[1]): row[2] for row in rows}

    def review_proposed_among(
        self, pairs: Iterable[tuple[str, str]], *, min_score: float
    ) -> set[tuple[str, str]]:
        """The pairs (in pair_key order) that are proposed; cheap for a reviewer's marks."""
        found: set[tuple[str, str]] = set()
        todo = list(pairs)
        for start in range(0, len(todo), 400):
            chunk = todo[start : start + 400]
            values = ", ".join(f"(:a{i}, :b{i})" for i in range(len(chunk)))
            params: dict = {"floor": min_score}
            for i, (a, b) in enumerate(chunk):
                params[f"a{i}"], params[f"b{i}"] = a, b
            found.update(
                (row[0], row[1])
                for row in self.db.execute(
                    f"WITH p(a, b) AS (VALUES {values})"
                    f" SELECT p.a, p.b FROM p WHERE {self._REVIEW_PROPOSED}",
                    params,
                )
            )
        return found

    def review_open_counts(
        self, stories: Sequence[str], reviewer: str, *, min_score: float
    ) -> dict[str, tuple[int, int]]:
        """Per story: (pairs proposed, of those the ones `reviewer` has a standing mark on)."""
        counts: dict[str, tuple[int, int]] = {}
        for story in stories:
            proposed = sum(self.review_proposed_by_articles(story, min_score=min_score).values())
            marked = self.db.execute(
                f"""
                WITH p AS (
                    SELECT DISTINCT m.claim_a AS a, m.claim_b AS b FROM marks m
                    JOIN claims c ON c.id = m.claim_a JOIN articles ar ON ar.id = c.article_id
                    WHERE m.reviewer = :reviewer AND m.action = 'mark' AND ar.story_id = :story
                      AND NOT EXISTS (SELECT 1 FROM marks u WHERE u.undoes = m.id)
                )
                SELECT count(*) FROM p WHERE {self._REVIEW_PROPOSED}
                """,
                {"reviewer": reviewer, "story": story, "floor": min_score},
            ).fetchone()[0]
            counts[story] = (proposed, marked)
        return counts

    def review_progress(
        self, stories: Sequence[str], reviewer: str, *, min_score: float
    ) -> dict[str, tuple[int, int, int, int, int]]:
        """Per story: (articles, claims that are not boilerplate, pairs proposed, proposed
        pairs `reviewer` has marked, pairs with a standing 'contradict' from anyone)."""
        if not stories:
            return {}
        marks = ", ".join("?" * len(stories))
        sizes = {
            row[0]: (row[1], row[2])
            for row in self.db.execute(
                f"""
                SELECT a.story_id, count(DISTINCT a.id), count(c.id)
                FROM articles a
                LEFT JOIN claims c ON c.article_id = a.id AND c.kind != 'boilerplate'
                WHERE a.story_id IN ({marks}) GROUP BY a.story_id
                """,
                list(stories),
            )
        }
        # Only pairs that ever got a 'contradict' row are ranked, through the pair index.
        contradictions = {
            row[0]: row[1]
            for row in self.db.execute(
                f"""
                WITH standing AS (
                    SELECT m.pair_id, m.claim_a, m.label, row_number() OVER (
                        PARTITION BY m.pair_id, m.reviewer, m.action
                        ORDER BY m.created_at DESC, m.id DESC
                    ) AS recency
                    FROM marks m
                    WHERE m.action != 'undo'
                      AND m.pair_id IN (SELECT pair_id FROM marks WHERE label = 'contradict')
                      AND NOT EXISTS (SELECT 1 FROM marks u WHERE u.undoes = m.id)
                )
                SELECT a.story_id, count(DISTINCT st.pair_id)
                FROM standing st
                JOIN claims c ON c.id = st.claim_a JOIN articles a ON a.id = c.article_id
                WHERE st.recency = 1 AND st.label = 'contradict' AND a.story_id IN ({marks})
                GROUP BY a.story_id
                """,
                list(stories),
            )
        }
        open_counts = self.review_open_counts(stories, reviewer, min_score=min_score)
        return {
            story: (
                *sizes.get(story, (0, 0)),
                *open_counts[story],
                contradictions.get(story, 0),
            )
            for story in stories
        }

    def review_first_open_story(
        self, reviewer: str, *, min_score: float, batch: int = 50
    ) -> str | None:
        """The first story (by name) with a proposed pair `reviewer` has not marked, looking
        at a batch of stories at a time so a fresh database answers after the first batch."""
        cursor = self.db.execute("SELECT id FROM stories ORDER BY name")
        while chunk := [row[0] for row in cursor.fetchmany(batch)]:
            counts = self.review_open_counts(chunk, reviewer, min_score=min_score)
            for story in chunk:
                proposed, marked = counts[story]
                if marked < proposed:
                    return story
        return None

    def review_view_rows(
        self, left_article: str, right_article: str
    ) -> list[tuple[str, str, int, float]]:
        """Every stored candidate between two articles, in both directions:
        (claim, candidate, rank, score). Probes the candidates' primary key with the
        two articles' claim lists, so its cost does not grow with the story."""
        rows = self.db.execute(
            """
            SELECT k.claim_id, k.candidate_id, k.rank, k.score
            FROM candidates k
            WHERE k.claim_id IN (SELECT id FROM claims WHERE article_id = :left)
              AND k.candidate_id IN (SELECT id FROM claims WHERE article_id = :right)
            UNION ALL
            SELECT k.claim_id, k.candidate_id, k.rank, k.score
            FROM candidates k
            WHERE k.claim_id IN (SELECT id FROM claims WHERE article_id = :right)
              AND k.candidate_id IN (SELECT id FROM claims WHERE article_id = :left)
            """,
            {"left": left_article, "right": right_article},
        ).fetchall()
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    def review_mark_rows(
        self, *, story: str | None = None, after: int = 0
    ) -> tuple[int, list[Mark]]:
        """Mark rows (undo rows included) with rowid > `after`, oldest first, limited to one
        story when given; and the highest rowid in the table, to pass as `after` next time.
        Writes are serialised (BEGIN IMMEDIATE), so rowids grow in commit order."""
        clauses, params = ["m.rowid > ?"], [after]
        if story:
            clauses.append(
                "m.claim_a IN (SELECT c.id FROM claims c JOIN articles a ON a.id = c.article_id"
                " WHERE a.story_id = ?)"
            )
            params.append(story)
        # Rows with rowid <= top were committed before top was read, so the second statement
        # sees all of them; anything later has a larger rowid and comes next time.
        top = self.db.execute("SELECT coalesce(max(rowid), 0) FROM marks").fetchone()[0]
        rows = self.db.execute(
            "SELECT m.id, m.claim_a, m.claim_b, m.label, m.reviewer, m.created_at, m.action,"
            " m.note, m.session_id, m.undoes FROM marks m"
            f" WHERE {' AND '.join(clauses)} AND m.rowid <= ? ORDER BY m.rowid",
            [*params, top],
        ).fetchall()
        return top, [_mark(row) for row in rows]

    def review_latest_mark(self, reviewer: str) -> tuple[str, str, str] | None:
        """(claim_a, claim_b, story id) of the reviewer's most recent row of any kind."""
        row = self.db.execute(
            """
            SELECT m.claim_a, m.claim_b, a.story_id FROM marks m
            JOIN claims c ON c.id = m.claim_a JOIN articles a ON a.id = c.article_id
            WHERE m.reviewer = ? ORDER BY m.created_at DESC, m.id DESC LIMIT 1
            """,
            [reviewer],
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def review_disagreements(
        self, *, story: str | None = None
    ) -> list[tuple[str, str, str, str, str]]:
        """Standing reviewer labels on pairs where at least two different labels other than
        'unsure' stand: (claim_a, claim_b, story id, reviewer, label), unsure rows included."""
        story_clause = "AND a.story_id = ?" if story else ""
        rows = self.db.execute(
            f"""
            WITH standing AS (
                SELECT m.pair_id, m.claim_a, m.claim_b, m.reviewer, m.label, row_number() OVER (
                    PARTITION BY m.pair_id, m.reviewer ORDER BY m.created_at DESC, m.id DESC
                ) AS recency
                FROM marks m
                WHERE m.action = 'mark'
                  AND NOT EXISTS (SELECT 1 FROM marks u WHERE u.undoes = m.id)
            ),
            current AS (SELECT * FROM standing WHERE recency = 1),
            contested AS (
                SELECT pair_id FROM current WHERE label != 'unsure'
                GROUP BY pair_id HAVING count(DISTINCT label) >= 2
            )
            SELECT cur.claim_a, cur.claim_b, a.story_id, cur.reviewer, cur.label
            FROM current cur JOIN contested USING (pair_id)
            JOIN claims c ON c.id = cur.claim_a JOIN articles a ON a.id = c.article_id
            WHERE true {story_clause}
            ORDER BY a.story_id, cur.claim_a, cur.claim_b, cur.reviewer
            """,
            [story] if story else [],
        ).fetchall()
        return [tuple(row) for row in rows]


# --- helpers ----------------------------------------------------------------------------------


def _connect_checked(
    path: Path, *, readonly: bool, exists: bool, unwritable: bool
) -> sqlite3.Connection:
    """A connection to `path` that has read the header, so a file that is not SQLite is
    refused here, by SQLite itself: this process never opens the file any other way."""
    # A file we may not write and whose -wal holds nothing is the whole database: read it
    # as immutable, so no -shm is left behind (a read-only -shm would block the next
    # writer after a chmod) and none is needed in a folder we cannot write.
    immutable = readonly and unwritable and _no_wal_content(path)
    try:
        conn = _connect(path, readonly=readonly, immutable=immutable)
        try:
            conn.execute("PRAGMA user_version").fetchone()
        except BaseException:
            conn.close()
            raise
    except sqlite3.DatabaseError as exc:
        if "file is not a database" in str(exc):
            raise StoreError(
                f"{path}: not a SQLite database (corrupt, or another kind of file)"
            ) from None
        if not isinstance(exc, sqlite3.OperationalError) or immutable:
            raise StoreError(f"{path}: not a usable SQLite database ({exc})") from None
        if not (readonly and exists and _no_wal_content(path)):
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
    conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
    # We issue BEGIN/COMMIT ourselves (Store.write); the driver must not open its own.
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


def _has_foreign_tables(db: sqlite_utils.Database) -> bool:
    return bool(db.table_names())


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


_INSERT_MARK = (
    "INSERT INTO marks (id, pair_id, claim_a, claim_b, label, reviewer, note, created_at,"
    " session_id, action, undoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _mark_params(mark: Mark) -> tuple:
    return (
        mark.id,
        pair_id(mark.claim_a, mark.claim_b),
        mark.claim_a,
        mark.claim_b,
        str(mark.label) if mark.label else None,
        mark.reviewer,
        mark.note,
        mark.created_at,
        mark.session_id,
        str(mark.action),
        mark.undoes,
    )


def _claim_filter(story: str | None, article: str | None) -> tuple[str, list]:
    clauses, params = [], []
    if story:
        clauses.append("a.story_id = ?")
        params.append(story)
    if article:
        clauses.append("c.article_id = ?")
        params.append(article)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _claim(row: Sequence) -> Claim:
    return Claim(
        id=row[0],
        article_id=row[1],
        start=row[2],
        end=row[3],
        text=row[4],
        kind=ClaimKind(row[5]),
        ordinal=row[6],
    )


def _mark(row: Sequence) -> Mark:
    return Mark(
        id=row[0],
        claim_a=row[1],
        claim_b=row[2],
        label=Label(row[3]) if row[3] else None,
        reviewer=row[4],
        created_at=row[5],
        action=MarkAction(row[6]),
        note=row[7],
        session_id=row[8],
        undoes=row[9],
    )
