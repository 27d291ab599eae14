"""Stories, articles and claims: what was imported, verbatim, with exact offsets."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from workbench.errors import NotFoundError
from workbench.models import Article, Claim, ClaimKind, ClaimSpan, Story, claim_id, story_id
from workbench.store.base import StoreBase, utc_now
from workbench.store.rows import ClaimRow, StorySummary, claim_columns, claim_from_row

_ARTICLE_COLUMNS = "id, story_id, source, text, title, outlet, published, url"


class CorpusStore(StoreBase):
    def ensure_story(self, name: str) -> Story:
        story = Story(id=story_id(name), name=name)
        with self.write() as db:
            db.execute(
                "INSERT OR IGNORE INTO stories (id, name, created_at) VALUES (?, ?, ?)",
                [story.id, story.name, utc_now()],
            )
        return story

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

    # --- articles ----------------------------------------------------------------------------

    def find_article(self, article_id: str) -> Article | None:
        row = self.db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        return Article(*row) if row else None

    def articles(self, story: str) -> list[Article]:
        rows = self.db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE story_id = ? ORDER BY source, id",
            [story],
        ).fetchall()
        return [Article(*row) for row in rows]

    def add_article(
        self,
        article: Article,
        spans: Sequence[ClaimSpan],
        norms: Sequence[str] | None = None,
        traits: Sequence[int] | None = None,
    ) -> bool:
        """Store an article and its claims (with their normalised words and traits, when
        given). False (and nothing written) if already there."""
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
                'INSERT INTO claims (id, article_id, start, "end", text, kind, ordinal, norm,'
                " traits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        claim_id(article.id, span.start, span.end),
                        article.id,
                        span.start,
                        span.end,
                        article.text[span.start : span.end],
                        str(span.kind),
                        ordinal,
                        norms[ordinal] if norms is not None else None,
                        traits[ordinal] if traits is not None else None,
                    )
                    for ordinal, span in enumerate(spans)
                ),
            )
            self._index_for_search("article_id = ?", [article.id])
        return True

    # --- claims ------------------------------------------------------------------------------

    def claims(self, *, story: str | None = None, article: str | None = None) -> list[Claim]:
        """Claims in reading order: by story, then article (source, id), then position."""
        where, params = _claim_filter(story, article)
        rows = self.db.execute(
            f"SELECT {claim_columns('c')} FROM claims c JOIN articles a ON a.id = c.article_id"
            f" {where} ORDER BY a.story_id, a.source, a.id, c.ordinal",
            params,
        ).fetchall()
        return [claim_from_row(row) for row in rows]

    def alignable_articles(self, *, story: str) -> dict[str, int]:
        """Article id -> how many of its claims alignment counts (boilerplate left out),
        for the articles of a story that hold some."""
        return dict(
            self.db.execute(
                "SELECT c.article_id, count(*) FROM claims c JOIN articles a"
                " ON a.id = c.article_id WHERE a.story_id = ? AND c.kind != ?"
                " GROUP BY c.article_id",
                [story, ClaimKind.BOILERPLATE.value],
            )
        )

    def claim_keys(self, *, story: str) -> dict[str, int]:
        """Claim id -> its integer key (what candidates are stored by), for one story."""
        return self._claim_column("key", story)

    def claim_norms(self, *, story: str) -> dict[str, str | None]:
        """Claim id -> its stored normalised words (None where not computed yet)."""
        return self._claim_column("norm", story)

    def set_claim_norms(self, norms: Iterable[tuple[str, str]]) -> None:
        """Store (claim id, normalised words) pairs."""
        self._set_claim_column("norm", norms)

    def claim_traits(self, *, story: str) -> dict[str, int | None]:
        """Claim id -> its stored traits (hints.claim_traits; None where not computed yet)."""
        return self._claim_column("traits", story)

    def set_claim_traits(self, traits: Iterable[tuple[str, int]]) -> None:
        """Store (claim id, traits) pairs."""
        self._set_claim_column("traits", traits)

    def clear_claim_traits(self) -> None:
        """Forget every claim's stored traits (they came from other hint rules)."""
        self._clear_claim_column("traits")

    def claim_vectors(self, *, story: str) -> dict[str, bytes | None]:
        """Claim id -> its stored vector from the database's sentence encoder
        (workbench.encoders.pack; None where not computed, and for boilerplate)."""
        return self._claim_column("vector", story)

    def set_claim_vectors(self, vectors: Iterable[tuple[str, bytes]]) -> None:
        """Store (claim id, packed vector) pairs."""
        self._set_claim_column("vector", vectors)

    def encoded_claim_ids(self) -> set[str]:
        """The ids of the claims that have a stored vector."""
        return {row[0] for row in self.db.execute("SELECT id FROM claims WHERE vector IS NOT NULL")}

    def clear_claim_vectors(self) -> None:
        """Forget every claim's vector (they came from another encoder, or none is used)."""
        self._clear_claim_column("vector")

    # Columns read or written per claim of a story: names from this module, never from input.
    _PER_CLAIM = frozenset({"key", "norm", "traits", "vector"})

    def _claim_column(self, column: str, story: str) -> dict:
        """Claim id -> `column`, for one story's claims."""
        if column not in self._PER_CLAIM:
            raise ValueError(column)
        return dict(
            self.db.execute(
                f"SELECT c.id, c.{column} FROM claims c JOIN articles a ON a.id = c.article_id"
                " WHERE a.story_id = ?",
                [story],
            )
        )

    def _set_claim_column(self, column: str, values: Iterable[tuple[str, object]]) -> None:
        if column not in self._PER_CLAIM - {"key"}:
            raise ValueError(column)
        with self.write() as db:
            db.conn.executemany(
                f"UPDATE claims SET {column} = ? WHERE id = ?", ((v, c) for c, v in values)
            )

    def _clear_claim_column(self, column: str) -> None:
        """NULL in `column` for every claim of every story."""
        if column not in self._PER_CLAIM - {"key"}:
            raise ValueError(column)
        with self.write() as db:
            db.execute(f"UPDATE claims SET {column} = NULL WHERE {column} IS NOT NULL")

    def claim_rows(self, *, story: str | None = None) -> Iterator[ClaimRow]:
        """Claims with their story and source, in reading order (streamed)."""
        where, params = _claim_filter(story, None)
        cursor = self.db.execute(
            f"SELECT {claim_columns('c')}, a.story_id, s.name, a.source"
            " FROM claims c JOIN articles a ON a.id = c.article_id"
            " JOIN stories s ON s.id = a.story_id"
            f" {where} ORDER BY s.name, a.source, a.id, c.ordinal",
            params,
        )
        for row in cursor:
            yield ClaimRow(claim_from_row(row[:7]), row[7], row[8], row[9])

    def resolve_claim(self, ref: str) -> str:
        """A claim's id from its id, or from SOURCE:START-END (the article's source as the
        tables show it, and the claim's offsets)."""
        if self.db.execute("SELECT 1 FROM claims WHERE id = ?", [ref]).fetchone():
            return ref
        source, sep, offsets = ref.rpartition(":")
        start, dash, end = offsets.partition("-")
        if not (sep and dash and start.isdigit() and end.isdigit()):
            raise NotFoundError(f"no claim with id {ref!r} (give a claim id or SOURCE:START-END)")
        found = [
            row[0]
            for row in self.db.execute(
                "SELECT c.id FROM claims c JOIN articles a ON a.id = c.article_id"
                ' WHERE a.source = ? AND c.start = ? AND c."end" = ?',
                [source, int(start), int(end)],
            )
        ]
        if not found:
            raise NotFoundError(
                f"no claim at {ref!r} (SOURCE:START-END, as 'workbench claims' shows)"
            )
        if len(found) > 1:
            raise NotFoundError(
                f"{ref!r} names {len(found)} claims (the source is in several stories): give its id"
            )
        return found[0]

    def claim(self, claim: str) -> ClaimRow:
        row = self.db.execute(
            f"SELECT {claim_columns('c')}, a.story_id, s.name, a.source"
            " FROM claims c JOIN articles a ON a.id = c.article_id"
            " JOIN stories s ON s.id = a.story_id WHERE c.id = ?",
            [claim],
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no claim with id {claim!r}")
        return ClaimRow(claim_from_row(row[:7]), row[7], row[8], row[9])

    def search_claims(
        self, query: str, *, story: str | None = None, limit: int = 50
    ) -> list[Claim]:
        """Full-text search (FTS5, porter stemming). The query is quoted word by word,
        so user input is never parsed as FTS syntax; a NUL (pasted text may hold one) ends
        an FTS5 string, so it separates words like a space."""
        words = query.replace("\x00", " ").split()
        terms = " ".join('"' + word.replace('"', '""') + '"' for word in words)
        if not terms:
            return []
        params: list = [terms]
        story_clause = ""
        if story:
            story_clause = " AND a.story_id = ?"
            params.append(story)
        params.append(limit)
        rows = self.db.execute(
            f"SELECT {claim_columns('c')}"
            " FROM claims_fts f JOIN claims c ON c.rowid = f.rowid"
            " JOIN articles a ON a.id = c.article_id"
            f" WHERE claims_fts MATCH ?{story_clause} ORDER BY f.rank LIMIT ?",
            params,
        ).fetchall()
        return [claim_from_row(row) for row in rows]


def _claim_filter(story: str | None, article: str | None) -> tuple[str, list]:
    clauses, params = [], []
    if story:
        clauses.append("a.story_id = ?")
        params.append(story)
    if article:
        clauses.append("c.article_id = ?")
        params.append(article)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params
