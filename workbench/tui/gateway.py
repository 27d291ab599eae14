"""The review app's one way into the database: a typed async method per call it makes.

Each method runs on one of the two lanes of `workbench.tui.db` (a thread that owns its own
Store): `interactive` for what the reviewer waits for (marks, undo, the next view), and
`background` for what may take longer (counts, search, the adjudication queue, polling), so
that it never delays a mark. Calls on one lane run in the order they were made. The methods
only call Store methods and build plain objects (`workbench.tui.model`), so the session and
its tests use them without Textual.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.agreement import Disagreement, Rating, disagreements
from workbench.models import Claim, Label, Mark, MarkAction, Story, pair_key
from workbench.queue import QueueItem
from workbench.store import Store
from workbench.tui.db import Database
from workbench.tui.model import (
    ArticleDoc,
    CandidateRowT,
    Pair,
    StoryDoc,
    StoryProgress,
    ViewData,
)

if TYPE_CHECKING:
    from workbench.align import StoryScorer


@dataclass(frozen=True, slots=True)
class OpenedSession:
    readonly: bool
    readonly_reason: str
    session_id: str | None  # None on a read-only database: no session row is written
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LoadedStory:
    doc: StoryDoc
    top_rowid: int  # the highest marks rowid when read: polling goes on from there
    marks: list[Mark]  # every mark row on the story


@dataclass(frozen=True, slots=True)
class Adjudication:
    queue: list[Disagreement]  # agreement.disagreements: lowest agreement first
    decided: set[Pair]  # pairs (pair_key order) the editor has a standing final on


class StoreGateway:
    def __init__(self, database: Database):
        self.database = database

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False) -> StoreGateway:
        return cls(Database(path, readonly=readonly))

    def close(self) -> None:
        """Waits for a mark in flight: it is committed before the lanes close."""
        self.database.close()

    # --- interactive lane ----------------------------------------------------------------

    async def open_session(self, reviewer: str, mode: str) -> OpenedSession:
        return await self.database.interactive.run(_open_session, reviewer, mode)

    async def start_story(self, reviewer: str, *, min_score: float) -> str | None:
        """Where a reviewer resumes: the story of their latest mark while it still has
        unmarked pairs, else the first story (by name) that has some."""
        return await self.database.interactive.run(_start_story, reviewer, min_score)

    async def story(self, story: str) -> LoadedStory:
        """A story (by id or name) with its articles, claims and every mark row on it."""
        return await self.database.interactive.run(_story, story)

    async def view(
        self, left: ArticleDoc, right: ArticleDoc, proposed: Callable[[Pair], bool]
    ) -> ViewData:
        """The candidates between two articles; `proposed` is the story queue's rule."""
        return await self.database.interactive.run(_view, left, right, proposed)

    async def queue(self, story: str, *, min_score: float, order: str) -> list[QueueItem]:
        """The story's review queue in order (workbench.queue): what the reviewer walks."""
        return await self.database.interactive.run(
            Store.queue, story, min_score=min_score, order=order
        )

    async def record_mark(
        self,
        pair: Pair,
        label: Label,
        reviewer: str,
        *,
        action: MarkAction,
        session_id: str | None,
        note: str | None = None,
    ) -> Mark:
        """The committed mark row."""
        return await self.database.interactive.run(
            Store.record_mark,
            pair[0],
            pair[1],
            label,
            reviewer,
            note=note,
            session_id=session_id,
            action=action,
        )

    async def undo_last(self, reviewer: str, *, session_id: str | None) -> Mark | None:
        """The mark row withdrawn, or None when there was nothing to undo."""
        return await self.database.interactive.run(Store.undo_last, reviewer, session_id=session_id)

    # --- background lane -------------------------------------------------------------------

    async def view_rows(self, story: str) -> dict[tuple[str, str], list[CandidateRowT]] | None:
        """Every stored candidate of a story by article pair: its views, held in memory;
        None for a story with more than VIEWS_IN_MEMORY rows (its views are read as they are
        shown)."""
        return await self.database.background.run(_view_rows, story)

    async def scorer(self, story: str) -> StoryScorer:
        """Scores any claim of the story against an article, for what the stored rows lack."""
        return await self.database.background.run(_scorer, story)

    async def adjudication(self, editor: str, story: str | None) -> Adjudication:
        """The disagreement queue (of one story, or all) and what `editor` has decided."""
        return await self.database.background.run(_adjudication, editor, story)

    async def change_token(self) -> int:
        """Changes when any process commits (PRAGMA data_version): cheap to poll."""
        return await self.database.background.run(Store.review_change_token)

    async def marks_after(self, rowid: int) -> tuple[int, list[Mark]]:
        """Mark rows after `rowid`, and the highest rowid now."""
        return await self.database.background.run(_marks_after, rowid)

    async def stories(self) -> list[Story]:
        return await self.database.background.run(Store.stories)

    async def story_progress(
        self, stories: Sequence[str], reviewer: str, *, min_score: float
    ) -> dict[str, StoryProgress]:
        rows = await self.database.background.run(
            Store.review_progress, list(stories), reviewer, min_score=min_score
        )
        return {story: StoryProgress(*row) for story, row in rows.items()}

    async def search_claims(self, query: str, *, story: str, limit: int) -> list[Claim]:
        return await self.database.background.run(
            Store.search_claims, query, story=story, limit=limit
        )


# What runs on a lane's thread: each takes the lane's Store first.


def _open_session(store: Store, reviewer: str, mode: str) -> OpenedSession:
    if store.readonly:
        return OpenedSession(True, store.readonly_reason, None, store.warnings)
    return OpenedSession(False, "", store.start_session(reviewer, mode), store.warnings)


def _start_story(store: Store, reviewer: str, min_score: float) -> str | None:
    latest = store.review_latest_mark(reviewer)
    if latest is not None:
        story = latest[2]
        proposed, marked = store.review_open_counts([story], reviewer, min_score=min_score)[story]
        if marked < proposed:
            return story
    return store.review_first_open_story(reviewer, min_score=min_score)


# A story with more stored rows than this reads each view as it is shown (a few ms, on the
# interactive lane) instead of holding them all: a 500 x 40 story has 3.6 million (about
# 0.9 GB as Python rows); a 100 x 40 one 162,000.
VIEWS_IN_MEMORY = 1_000_000


def _view_rows(store: Store, story: str) -> dict[tuple[str, str], list[CandidateRowT]] | None:
    if store.candidate_count(story=story, up_to=VIEWS_IN_MEMORY + 1) > VIEWS_IN_MEMORY:
        return None
    return store.story_view_rows(story)


def _story(store: Store, story: str) -> LoadedStory:
    found = store.resolve_story(story)
    articles = store.articles(found.id)
    claims = store.claims(story=found.id)
    top, marks = store.review_mark_rows(story=found.id)
    return LoadedStory(StoryDoc.build(found.id, found.name, articles, claims), top, marks)


def _view(
    store: Store, left: ArticleDoc, right: ArticleDoc, proposed: Callable[[Pair], bool]
) -> ViewData:
    return ViewData.build(left, right, store.review_view_rows(left.id, right.id), proposed)


def _scorer(store: Store, story: str) -> StoryScorer:
    from workbench.align import StoryScorer  # numpy, scipy: on the lane, not at start
    from workbench.pipeline import stored_tokens, stored_vectors

    claims = store.claims(story=story)
    return StoryScorer(
        claims,
        tokens=stored_tokens(store, story),
        vectors=stored_vectors(store, story, claims),
    )


def _adjudication(store: Store, editor: str, story: str | None) -> Adjudication:
    story_id = store.resolve_story(story).id if story else None
    ratings = [
        Rating(pair_key(a, b), reviewer, label, story=story_of)
        for a, b, story_of, reviewer, label in store.review_disagreements(story=story_id)
    ]
    decided = {
        pair_key(m.claim_a, m.claim_b)
        for m in store.current_marks(story=story_id, reviewer=editor, action=MarkAction.FINAL)
    }
    return Adjudication(disagreements(ratings), decided)


def _marks_after(store: Store, rowid: int) -> tuple[int, list[Mark]]:
    return store.review_mark_rows(after=rowid)
