"""Merging another workbench database into this one: the union by content-derived id."""

from __future__ import annotations

from workbench.errors import StoreError
from workbench.store.base import StoreBase


class MergeStore(StoreBase):
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

    def merge_from(self, other: StoreBase) -> tuple[dict[str, int], set[str]]:
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
            db.execute("DROP TABLE IF EXISTS temp.merge_new_claims")
            db.execute(
                "CREATE TEMP TABLE merge_new_claims AS SELECT id FROM temp.merge_claims"
                " WHERE id NOT IN (SELECT id FROM main.claims)"
            )
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
            self._index_for_search("id IN (SELECT id FROM temp.merge_new_claims)", [])
            db.execute("DROP TABLE temp.merge_new_claims")
            # Not the other's traits version nor its sentence encoder: they speak for the
            # other's stored traits and vectors (the merged claims bring none), and this
            # database's own must be judged by its own.
            db.conn.executemany(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
                other.db.execute(
                    "SELECT key, value FROM meta"
                    " WHERE key NOT IN ('traits_version', 'encoder', 'encoder_path')"
                ),
            )
            for table, _, _ in self._MERGE_TABLES:
                db.execute(f"DROP TABLE temp.merge_{table}")
        return added, gained

    def _refuse_conflicts(self, other: StoreBase, table: str, columns: tuple[str, ...]) -> None:
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

    def _refuse_resegmented(self, other: StoreBase) -> None:
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
