"""What every screen of one app run shares, as plain Python (no Textual): who reviews, the
database gateway, the marks of the loaded stories, and the stories themselves.

The app owns one `AppState`; each review screen's `ReviewSession` reads and updates it.
Tests build one over a temporary database and drive sessions without the app.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench.models import Mark
from workbench.queue import DEFAULT_MIN_SCORE
from workbench.tui.gateway import StoreGateway
from workbench.tui.model import MarkBook, Session, StoryDoc

if TYPE_CHECKING:  # the aligner (numpy, scipy) loads on the background lane, not at start
    from workbench.align import StoryScorer


@dataclass(frozen=True, slots=True)
class MarksArrived:
    """Other processes' mark rows changed what the book says."""

    mine_elsewhere: bool  # some are this reviewer's, from another session


class AppState:
    def __init__(
        self,
        gateway: StoreGateway,
        reviewer: str,
        *,
        min_score: float = DEFAULT_MIN_SCORE,
        readonly: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.gateway = gateway
        self.reviewer = reviewer
        self.min_score = min_score
        self.clock = clock
        self.book = MarkBook()
        self.stories: dict[str, StoryDoc] = {}
        self.session = Session(started=clock())
        self._counted: set[str] = set()  # ids of this run's mark rows in session.marks
        # each mark of this run -> its pair as it was on screen: an undo shows it that way
        # again (the database keeps pairs in one order)
        self.shown_as: dict[str, tuple[str, str]] = {}
        self.session_id: str | None = None
        self.readonly = readonly
        self.readonly_reason = "opened read-only" if readonly else ""
        self.opened = asyncio.Event()  # session row written, read-only known
        self._rowid: int | None = None
        self._token: int | None = None
        self._polling = False
        # Per story, loaded on the background lane once it is opened: every view's rows
        # (so moving between articles never waits on the database) and the on-demand scorer.
        self._view_rows: dict[str, asyncio.Task[dict[tuple[str, str], list] | None]] = {}
        self._scorers: dict[str, asyncio.Task[StoryScorer]] = {}
        # The first screen is up (the story to resume is open, or there is none): what
        # only the story list needs (its counts) waits for it.
        self.started = asyncio.Event()

    async def open(self, mode: str) -> tuple[str, ...]:
        """Start this run's session row (none on a read-only database); the warnings the
        database gave on opening."""
        opened = await self.gateway.open_session(self.reviewer, mode)
        if opened.readonly:
            self.readonly = True
            self.readonly_reason = opened.readonly_reason
        self.session_id = opened.session_id
        self.opened.set()
        return opened.warnings

    async def start_story(self) -> str | None:
        return await self.gateway.start_story(self.reviewer, min_score=self.min_score)

    async def load_story(self, story: str) -> StoryDoc:
        """A story (by id or name) with its marks in the book; cached for the run."""
        if story in self.stories:
            return self.stories[story]
        loaded = await self.gateway.story(story)
        self.stories[loaded.doc.id] = loaded.doc
        self.book.add_all(loaded.marks)
        if self._rowid is None:
            # Later story loads leave the cursor alone: rows of stories loaded before them
            # between the old cursor and their top must still reach the book by polling.
            self._rowid = loaded.top_rowid
        _long_lived()
        return loaded.doc

    def prefetch(self, story: str) -> None:
        """Start loading a story's views and scorer in the background (once per run)."""
        if story not in self._view_rows:
            self._view_rows[story] = asyncio.ensure_future(self.gateway.view_rows(story))
            self._scorers[story] = asyncio.ensure_future(self.gateway.scorer(story))
            self._view_rows[story].add_done_callback(lambda _: _long_lived())
            self._scorers[story].add_done_callback(lambda _: _long_lived())

    async def prefetched(self, story: str) -> None:
        """Wait until a story's views and scorer are in memory (tests, benchmark)."""
        self.prefetch(story)
        await asyncio.gather(self._view_rows[story], self._scorers[story])

    def view_rows(self, story: str, left: str, right: str) -> list | None:
        """The stored rows between two articles, if the story's rows are in memory (yet:
        a very large story's never are)."""
        task = self._view_rows.get(story)
        if task is None or not task.done() or task.cancelled() or task.exception():
            return None
        views = task.result()
        if views is None:
            return None
        key = (left, right) if left <= right else (right, left)
        return views.get(key, [])

    def on_demand(self, story: str, claim: str, article: str) -> tuple[str, float] | None:
        """The best claim of `article` for `claim`, scored now; None until the story's
        scorer is loaded."""
        task = self._scorers.get(story)
        if task is None or not task.done() or task.cancelled() or task.exception():
            return None
        return task.result().best_in(claim, article)

    def committed(self, mark: Mark) -> None:
        """A mark of this run is in the database: into the book, and counted."""
        self.book.add(mark)
        self.session.marks += 1
        self._counted.add(mark.id)

    def noted(self, mark: Mark) -> None:
        """A note of this run is in the database (a new row, not a new mark)."""
        self.book.add(mark)

    def withdrawn(self, mark: Mark) -> None:
        """An undo of this run is in the database; a mark this run counted is uncounted
        (a note's row never was)."""
        self.book.withdraw(mark.id)
        if mark.id in self._counted:
            self._counted.discard(mark.id)
            self.session.marks -= 1

    def refusal(self) -> str | None:
        """Why nothing can be saved, on a read-only database."""
        if self.readonly:
            return f"Read-only database ({self.readonly_reason}): nothing is saved here."
        return None

    async def poll(self) -> MarksArrived | None:
        """Take in mark rows other processes committed on loaded stories."""
        if self._polling or self._rowid is None:
            return None
        self._polling = True
        try:
            token = await self.gateway.change_token()
            if token == self._token:
                return None
            self._token = token
            top, rows = await self.gateway.marks_after(self._rowid)
            self._rowid = max(self._rowid, top)
            relevant = [m for m in rows if any(d.owns(m.claim_a) for d in self.stories.values())]
            if not self.book.add_all(relevant):
                return None
            return MarksArrived(
                mine_elsewhere=any(
                    m.reviewer == self.reviewer and m.session_id != self.session_id
                    for m in relevant
                )
            )
        finally:
            self._polling = False


def _long_lived() -> None:
    """What was just loaded stays for the run: out of the cyclic garbage collector's reach
    (gc.freeze). Otherwise each full collection walks a large story's rows, views and
    book, about 100 ms every few seconds on a 100-article story, in the middle of a key."""
    gc.freeze()
