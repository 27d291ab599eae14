"""Sessions and marks: append-only rows (undo and adjudication add rows, nothing is deleted),
and the one rule every query uses for what stands."""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Sequence

import sqlite_utils

from workbench.errors import NotFoundError, StoreError
from workbench.models import Label, Mark, MarkAction, pair_id, pair_key
from workbench.store.base import StoreBase, utc_now
from workbench.store.rows import mark_columns, mark_from_row


def standing(m: str = "m") -> str:
    """SQL condition: mark row `m` stands. A reviewer's standing label on a pair is their
    latest row of that kind (a reviewer's mark, or an editor's final) that no undo row
    withdraws. Written as NOT EXISTS probes of the marks_pair and marks_undoes indexes, so a
    query never materialises a window over every mark. The one definition: every query
    that asks what stands uses it (workbench.tui keeps the same rule for its cache)."""
    return f"""({m}.action != 'undo'
        AND NOT EXISTS (SELECT 1 FROM marks u WHERE u.undoes = {m}.id)
        AND NOT EXISTS (
            SELECT 1 FROM marks n
            WHERE n.pair_id = {m}.pair_id AND n.reviewer = {m}.reviewer
              AND n.action = {m}.action AND (n.created_at, n.id) > ({m}.created_at, {m}.id)
              AND NOT EXISTS (SELECT 1 FROM marks u2 WHERE u2.undoes = n.id)))"""


def in_story(m: str = "m", param: str = "?") -> str:
    """SQL condition: mark row `m` belongs to a story (its claim a's story)."""
    return (
        f"{m}.claim_a IN (SELECT c.id FROM claims c JOIN articles a ON a.id = c.article_id"
        f" WHERE a.story_id = {param})"
    )


_INSERT_MARK = (
    "INSERT INTO marks (id, pair_id, claim_a, claim_b, label, reviewer, note, created_at,"
    " session_id, action, undoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class MarkStore(StoreBase):
    # Flat rows for datasets, in this column order (the CSV header of `workbench export`).
    STANDING_ROW_COLUMNS = (
        "story", "a_article", "a_claim", "a_start", "a_end", "a_text",
        "b_article", "b_claim", "b_start", "b_end", "b_text",
        "label", "reviewer", "note", "created_at",
    )  # fmt: skip

    # --- writing ---------------------------------------------------------------------------

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
            _insert_mark(db, mark)
        return mark

    def undo_last(self, reviewer: str, *, session_id: str | None = None) -> Mark | None:
        """Withdraw this reviewer's latest standing mark by appending an undo row.
        Returns the mark that was withdrawn, or None if there is nothing to undo."""
        with self.write() as db:
            row = db.execute(
                f"""
                SELECT {mark_columns("m")} FROM marks m
                WHERE m.reviewer = ? AND {standing("m")}
                ORDER BY m.created_at DESC, m.id DESC LIMIT 1
                """,
                [reviewer],
            ).fetchone()
            if row is None:
                return None
            undone = mark_from_row(row)
            _insert_mark(
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

    def insert_marks(self, marks: Iterable[Mark]) -> int:
        """Append pre-built marks in one transaction (benchmarks, tools). No reviewer or
        claim checks beyond the schema's own constraints: use `record_mark` for user input."""
        with self.write() as db:
            cursor = db.conn.executemany(_INSERT_MARK, map(_mark_params, marks))
            return cursor.rowcount

    # --- reading ---------------------------------------------------------------------------

    def current_marks(
        self,
        *,
        story: str | None = None,
        reviewer: str | None = None,
        action: MarkAction = MarkAction.MARK,
    ) -> list[Mark]:
        """Each reviewer's standing label per pair, oldest first."""
        clauses, params = ["m.action = ?"], [str(action)]
        if reviewer:
            clauses.append("m.reviewer = ?")
            params.append(reviewer)
        if story:
            clauses.append(in_story("m"))
            params.append(story)
        rows = self.db.execute(
            f"SELECT {mark_columns('m')} FROM marks m"
            f" WHERE {' AND '.join(clauses)} AND {standing('m')} ORDER BY m.created_at, m.id",
            params,
        ).fetchall()
        return [mark_from_row(row) for row in rows]

    def marks_log(self) -> list[Mark]:
        """Every row of the marks table, oldest first (undo rows included)."""
        rows = self.db.execute(
            f"SELECT {mark_columns('m')} FROM marks m ORDER BY m.created_at, m.id"
        ).fetchall()
        return [mark_from_row(row) for row in rows]

    def mark_rows_after(
        self, *, story: str | None = None, after: int = 0
    ) -> tuple[int, list[Mark]]:
        """Mark rows (undo rows included) with rowid > `after`, oldest first, limited to one
        story when given; and the highest rowid in the table, to pass as `after` next time.
        Writes are serialised (BEGIN IMMEDIATE), so rowids grow in commit order."""
        clauses, params = ["m.rowid > ?"], [after]
        if story:
            clauses.append(in_story("m"))
            params.append(story)
        # Rows with rowid <= top were committed before top was read, so the second statement
        # sees all of them; anything later has a larger rowid and comes next time.
        top = self.db.execute("SELECT coalesce(max(rowid), 0) FROM marks").fetchone()[0]
        rows = self.db.execute(
            f"SELECT {mark_columns('m')} FROM marks m"
            f" WHERE {' AND '.join(clauses)} AND m.rowid <= ? ORDER BY m.rowid",
            [*params, top],
        ).fetchall()
        return top, [mark_from_row(row) for row in rows]

    review_mark_rows = mark_rows_after

    def latest_mark(self, reviewer: str) -> tuple[str, str, str] | None:
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

    review_latest_mark = latest_mark

    def reviewers(self) -> list[str]:
        """Everyone with a row in the marks table (reviewers and editors), sorted."""
        return [r[0] for r in self.db.execute("SELECT DISTINCT reviewer FROM marks ORDER BY 1")]

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

    def standing_rows_by_pair(
        self, *, story: str | None = None, reviewer: str | None = None
    ) -> Iterator[tuple]:
        """Every standing row, reviewers' marks and editors' finals, grouped by pair (rows
        of one pair come together): STANDING_ROW_COLUMNS, then the action and the row's id.
        What `export --final` decides each pair's label from (workbench.decision)."""
        return iter(
            self._standing_query(
                's.name, aa.source, ca.id, ca.start, ca."end", ca.text,'
                ' ab.source, cb.id, cb.start, cb."end", cb.text,'
                " m.label, m.reviewer, m.note, m.created_at, m.action, m.id",
                story,
                reviewer,
                None,
                order="m.pair_id, m.created_at, m.id",
            )
        )

    def _standing_query(
        self,
        columns: str,
        story: str | None,
        reviewer: str | None,
        action: MarkAction | None,
        *,
        order: str = "m.created_at, m.id",
    ) -> sqlite3.Cursor:
        clauses: list[str] = []
        params: list = []
        if action is not None:
            clauses.append("m.action = ?")
            params.append(str(action))
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
            WHERE {" AND ".join([*clauses, standing("m")])}
            ORDER BY {order}
            """,
            params,
        )

    def disagreement_rows(
        self, *, story: str | None = None
    ) -> list[tuple[str, str, str, str, str]]:
        """Standing reviewer labels on pairs where at least two different labels other than
        'unsure' stand: (claim_a, claim_b, story id, reviewer, label), unsure rows included."""
        story_clause = "AND a.story_id = ?" if story else ""
        rows = self.db.execute(
            f"""
            WITH current AS (
                SELECT m.pair_id, m.claim_a, m.claim_b, m.reviewer, m.label FROM marks m
                WHERE m.action = 'mark' AND {standing("m")}
            ),
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

    review_disagreements = disagreement_rows

    def contradiction_counts(self, stories: Sequence[str]) -> dict[str, int]:
        """Per story: pairs on which anyone's standing label (mark or final) is 'contradict'."""
        if not stories:
            return {}
        marks = ", ".join("?" * len(stories))
        return {
            row[0]: row[1]
            for row in self.db.execute(
                f"""
                SELECT a.story_id, count(DISTINCT m.pair_id) FROM marks m
                JOIN claims c ON c.id = m.claim_a JOIN articles a ON a.id = c.article_id
                WHERE m.label = 'contradict' AND a.story_id IN ({marks}) AND {standing("m")}
                GROUP BY a.story_id
                """,
                list(stories),
            )
        }

    def content_fingerprint(self) -> str:
        """sha256 over the sorted article ids and mark ids: both are content-derived or
        append-only, so equal fingerprints mean the same articles and the same marks."""
        digest = hashlib.sha256()
        for table in ("articles", "marks"):
            digest.update(f"{table}\x1e".encode())
            for (row_id,) in self.db.execute(f"SELECT id FROM {table} ORDER BY id"):
                digest.update(row_id.encode("utf-8"))
                digest.update(b"\x1f")
        return digest.hexdigest()


def _insert_mark(db: sqlite_utils.Database, mark: Mark) -> None:
    db.execute(_INSERT_MARK, _mark_params(mark))


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
