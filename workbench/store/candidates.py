"""Candidate pairs: for each claim, the claims of other articles the aligner proposes, stored
by integer claim keys (see schema.py), and the one rule for what the review queue holds."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain

import numpy as np

from workbench.models import CandidateBlock, pair_key
from workbench.queue import (
    DEFAULT_ORDER,
    DISCREPANCY_WEIGHT,
    STRONG_DISCREPANCY,
    QueueItem,
    build_queue,
    duplicate_claims,
)
from workbench.store.base import StoreBase
from workbench.store.marks import standing
from workbench.store.rows import CandidateRow, ClaimRow, claim_columns, claim_from_row

_INSERT_CANDIDATES = "INSERT OR REPLACE INTO candidates (a, b, score, rank, discrepancy) VALUES "
_PLAIN_ROW = "(?, ?, ?, 1, 0)"  # rank 1, no discrepancy: three values to bind, not five
_FULL_ROW = "(?, ?, ?, ?, ?)"
_ROWS_PER_STATEMENT = 500


def proposed(k: str = "k", floor: str = ":floor") -> str:
    """SQL condition: candidate row `k` proposes its pair for review (the rule in
    workbench.queue). It does when its candidate is the claim's best in that article and
    reaches the floor, a discrepancy counting towards it; or when the two likely state one
    fact differently: a strong discrepancy is never hidden by the floor. A pair is proposed
    when either of its two rows does. Boilerplate never gets a row (the aligner skips it).
    The one definition: every query and the queue use it."""
    return (
        f"(({k}.rank = 1 AND {k}.score + {DISCREPANCY_WEIGHT} * {k}.discrepancy >= {floor})"
        f" OR {k}.discrepancy >= {STRONG_DISCREPANCY})"
    )


def _story_rows(k: str = "k") -> str:
    """FROM/JOIN clauses for a story's candidate rows: ca/aa the proposing claim and its
    article, cb/ab the candidate and its article."""
    return (
        f"FROM articles aa JOIN claims ca ON ca.article_id = aa.id"
        f" JOIN candidates {k} ON {k}.a = ca.key"
        f" JOIN claims cb ON cb.key = {k}.b JOIN articles ab ON ab.id = cb.article_id"
    )


class CandidateStore(StoreBase):
    # --- writing -----------------------------------------------------------------------------

    def replace_candidates(self, story: str, blocks: Iterable[CandidateBlock]) -> int:
        """Swap a story's candidates for a fresh set (marks are untouched: they name claims).
        The blocks are stored as they come (the aligner may still be scoring the next)."""
        with self.write() as db:
            keys = self.claim_keys(story=story)  # type: ignore[attr-defined]
            db.execute(
                "DELETE FROM candidates WHERE a IN (SELECT c.key FROM claims c"
                " JOIN articles a ON a.id = c.article_id WHERE a.story_id = ?)",
                [story],
            )
            return self._insert_candidates(keys, blocks)

    def update_candidates(self, story: str, blocks: Iterable[CandidateBlock]) -> int:
        """Add or replace the given rows of a story (an incremental re-alignment); rows not
        named stay as they are."""
        with self.write():
            return self._insert_candidates(self.claim_keys(story=story), blocks)  # type: ignore[attr-defined]

    def drop_candidates_of(self, claims: Sequence[str]) -> None:
        """Remove the rows these claims propose (before an incremental update rewrites them)."""
        with self.write() as db:
            for start in range(0, len(claims), 500):
                chunk = list(claims[start : start + 500])
                db.execute(
                    "DELETE FROM candidates WHERE a IN"
                    f" (SELECT key FROM claims WHERE id IN ({', '.join('?' * len(chunk))}))",
                    chunk,
                )

    def _insert_candidates(self, keys: dict[str, int], blocks: Iterable[CandidateBlock]) -> int:
        written = 0
        ids: Sequence[str] | None = None
        key_of = np.empty(0, np.int64)
        for block in blocks:
            if not len(block):
                continue
            if block.ids is not ids:  # the blocks of one story share their id table
                ids = block.ids
                key_of = np.fromiter((keys[x] for x in ids), np.int64, len(ids))
            a = key_of[np.asarray(block.i, dtype=np.int64)]
            b = key_of[np.asarray(block.j, dtype=np.int64)]
            # In key order (each of the two statements below): the rows land next to one
            # another in the B-tree instead of at random.
            order = np.lexsort((b, a))
            a, b = a[order], b[order]
            score = np.asarray(block.score, dtype=np.float64)[order]
            rank = np.asarray(block.rank, dtype=np.int64)[order]
            disc = np.asarray(block.discrepancy, dtype=np.float64)[order]
            plain = (rank == 1) & (disc == 0)  # most rows: a claim's best, no discrepancy
            written += self._insert_rows(_PLAIN_ROW, [a[plain], b[plain], score[plain]])
            other = ~plain
            written += self._insert_rows(
                _FULL_ROW, [a[other], b[other], score[other], rank[other], disc[other]]
            )
        return written

    def _insert_rows(self, row: str, columns: list[np.ndarray]) -> int:
        """INSERT OR REPLACE the rows given as columns, many rows to a statement: binding
        and stepping one statement per row is most of what storing a large story costs."""
        count, width = len(columns[0]), len(columns)
        if not count:
            return 0
        values = list(chain.from_iterable(zip(*(c.tolist() for c in columns), strict=True)))
        limit = self.db.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        per = max(1, min(_ROWS_PER_STATEMENT, limit // width))
        whole = count - count % per
        written = 0
        if whole:
            cursor = self.db.conn.executemany(
                _INSERT_CANDIDATES + ", ".join([row] * per),
                (values[s : s + per * width] for s in range(0, whole * width, per * width)),
            )
            written += cursor.rowcount
        if count > whole:
            cursor = self.db.conn.execute(
                _INSERT_CANDIDATES + ", ".join([row] * (count - whole)), values[whole * width :]
            )
            written += cursor.rowcount
        return written

    # --- reading -----------------------------------------------------------------------------

    def candidate_count(self, *, story: str | None = None, up_to: int | None = None) -> int:
        """Stored candidate rows (of one story), counted up to `up_to` if given (enough to
        tell a story too large for something without counting all of its rows)."""
        rows, params = "SELECT 1 FROM candidates", []
        if story is not None:
            rows, params = f"SELECT 1 {_story_rows()} WHERE aa.story_id = ?", [story]
        if up_to is not None:
            rows, params = rows + " LIMIT ?", [*params, up_to]
        return self.db.execute(f"SELECT count(*) FROM ({rows})", params).fetchone()[0]

    def candidate_rows(
        self,
        *,
        story: str | None = None,
        top: int | None = None,
        min_score: float = 0.0,
        once: bool = False,
    ) -> Iterator[CandidateRow]:
        """Stored candidates, streamed in reading order of the proposing claim. `once`: one
        row per pair, the better of its two directions (a pair is stored both ways when
        each claim is the other's best)."""
        clauses, params = ["k.score >= ?"], [min_score]
        if once:
            clauses.append(
                "NOT EXISTS (SELECT 1 FROM candidates r WHERE r.a = k.b AND r.b = k.a"
                " AND r.score >= ? AND (r.score > k.score OR (r.score = k.score AND r.a < k.a))"
                + (" AND r.rank <= ?" if top else "")
                + ")"
            )
            params.append(min_score)
            if top:
                params.append(top)
        if story:
            clauses.append("aa.story_id = ?")
            params.append(story)
        if top:
            clauses.append("k.rank <= ?")
            params.append(top)
        cursor = self.db.execute(
            f"""
            SELECT aa.story_id, s.name, k.rank, k.score, k.discrepancy,
                   {claim_columns("ca")}, aa.source, {claim_columns("cb")}, ab.source
            {_story_rows()} JOIN stories s ON s.id = aa.story_id
            WHERE {" AND ".join(clauses)}
            ORDER BY s.name, aa.source, aa.id, ca.ordinal, ab.source, ab.id, k.rank, cb.ordinal
            """,
            params,
        )
        for row in cursor:
            sid, sname = row[0], row[1]
            yield CandidateRow(
                story_id=sid,
                story_name=sname,
                a=ClaimRow(claim_from_row(row[5:12]), sid, sname, row[12]),
                b=ClaimRow(claim_from_row(row[13:20]), sid, sname, row[20]),
                rank=row[2],
                score=row[3],
                discrepancy=row[4],
            )

    def queue(self, story: str, *, min_score: float, order: str = DEFAULT_ORDER) -> list[QueueItem]:
        """The story's review queue, in order (workbench.queue): what the review app walks
        and `workbench queue` prints. Kept until the database changes (this connection's
        writes, or another's commit): the app asks for it twice as it opens (where to start,
        then the walk), and a 100-article story proposes some 60,000 pairs."""
        conn = self.db.conn
        # Not inside a transaction: what it changes may yet be rolled back.
        reuse = not conn.in_transaction
        version = (conn.total_changes, self.review_change_token())
        cache_key = (story, min_score, order)
        cached = self._queues.get(cache_key)
        if reuse and cached is not None and cached[0] == version:
            return list(cached[1])
        names: dict[int, str] = {}
        places: dict[int, tuple[int, int]] = {}
        claims = []
        article_at: dict[str, int] = {}
        with self.snapshot():  # the claims and their rows as of one moment
            for key, claim_id, article, ordinal, text in self.db.execute(
                "SELECT c.key, c.id, c.article_id, c.ordinal, c.text FROM claims c"
                " JOIN articles a ON a.id = c.article_id WHERE a.story_id = ?"
                " ORDER BY a.source, a.id, c.ordinal",
                [story],
            ):
                position = article_at.setdefault(article, len(article_at))
                names[key] = claim_id
                places[key] = (position, ordinal)
                claims.append((key, article, text))
            # Integer keys, and the candidates' primary key probed by the story's claims.
            rows = self.db.execute(
                "SELECT k.a, k.b, k.score, k.rank, k.discrepancy FROM candidates k"
                " WHERE k.a IN (SELECT c.key FROM claims c JOIN articles a ON a.id = c.article_id"
                f" WHERE a.story_id = :story) AND {proposed('k')}",
                {"story": story, "floor": min_score},
            ).fetchall()
        # A row whose candidate is no claim of the story (a hand-edited file: the table has
        # no foreign key) proposes nothing.
        rows = [row for row in rows if row[1] in places]
        items = build_queue(
            rows, places.__getitem__, order=order, duplicate_of=duplicate_claims(claims),
            names=names,
        )  # fmt: skip
        if reuse:
            self._queues = {cache_key: (version, tuple(items))}  # one story's: the one open
        return items

    def review_open_counts(
        self, stories: Sequence[str], reviewer: str, *, min_score: float
    ) -> dict[str, tuple[int, int]]:
        """Per story: (pairs in its review queue, of those the ones `reviewer` has a
        standing mark on): the queue's own count, so the story list, the app's header and
        `workbench queue` agree (a repeated headline's pairs are one queue entry)."""
        counts: dict[str, tuple[int, int]] = {}
        for story in stories:
            queued = {pair_key(*item.pair) for item in self.queue(story, min_score=min_score)}
            marked = self.db.execute(
                f"""
                SELECT DISTINCT m.claim_a, m.claim_b FROM marks m
                JOIN claims c ON c.id = m.claim_a JOIN articles ar ON ar.id = c.article_id
                WHERE m.reviewer = :reviewer AND m.action = 'mark' AND ar.story_id = :story
                  AND {standing("m")}
                """,
                {"reviewer": reviewer, "story": story},
            )
            counts[story] = (len(queued), sum(1 for a, b in marked if pair_key(a, b) in queued))
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
        contradictions = self.contradiction_counts(stories)  # type: ignore[attr-defined]
        open_counts = self.review_open_counts(stories, reviewer, min_score=min_score)
        return {
            story: (
                *sizes.get(story, (0, 0)),
                *open_counts[story],
                contradictions.get(story, 0),
            )
            for story in stories
        }

    def review_first_open_story(self, reviewer: str, *, min_score: float) -> str | None:
        """The first story (by name) with a queue pair `reviewer` has not marked, counted
        one story at a time, so a fresh database answers at its first story."""
        for (story,) in self.db.execute("SELECT id FROM stories ORDER BY name").fetchall():
            queued, marked = self.review_open_counts([story], reviewer, min_score=min_score)[story]
            if marked < queued:
                return story
        return None

    def review_view_rows(
        self, left_article: str, right_article: str
    ) -> list[tuple[str, str, int, float, float]]:
        """Every stored candidate between two articles, in both directions:
        (claim, candidate, rank, score, discrepancy). Probes the candidates' primary key
        with the claims of one article, so its cost does not grow with the story."""
        rows = self.db.execute(
            """
            SELECT ca.id, cb.id, k.rank, k.score, k.discrepancy
            FROM claims ca JOIN candidates k ON k.a = ca.key JOIN claims cb ON cb.key = k.b
            WHERE ca.article_id = :left AND cb.article_id = :right
            UNION ALL
            SELECT ca.id, cb.id, k.rank, k.score, k.discrepancy
            FROM claims ca JOIN candidates k ON k.a = ca.key JOIN claims cb ON cb.key = k.b
            WHERE ca.article_id = :right AND cb.article_id = :left
            """,
            {"left": left_article, "right": right_article},
        ).fetchall()
        return [tuple(row) for row in rows]

    def story_view_rows(
        self, story: str
    ) -> dict[tuple[str, str], list[tuple[str, str, int, float, float]]]:
        """Every stored candidate of a story by article pair (ids in sorted order): what
        `review_view_rows` gives, for all views at once (the app holds a story's views in
        memory, so moving between articles never waits on the database)."""
        views: dict[tuple[str, str], list[tuple[str, str, int, float, float]]] = {}
        for a, b, rank, score, disc, article_a, article_b in self.db.execute(
            f"SELECT ca.id, cb.id, k.rank, k.score, k.discrepancy, aa.id, ab.id {_story_rows()}"
            " WHERE aa.story_id = ?",
            [story],
        ):
            key = (article_a, article_b) if article_a <= article_b else (article_b, article_a)
            views.setdefault(key, []).append((a, b, rank, score, disc))
        return views
