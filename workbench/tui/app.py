"""The review app: screens, bindings, workers. No SQL and no matching here.

`make_app` is the one factory the CLI, `workbench serve`, the tests and the benchmark use.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from textual import work
from textual.app import App
from textual.message import Message
from textual.notifications import SeverityLevel

from workbench.display import safe_text
from workbench.models import Mark
from workbench.store import Store
from workbench.tui import tasks
from workbench.tui.commands import WorkbenchCommands
from workbench.tui.db import Database
from workbench.tui.keys import APP_BINDINGS, config_path, load_keymap
from workbench.tui.model import DEFAULT_MIN_SCORE, MarkBook, Session, StoryDoc

REVIEWER_ENV = "WORKBENCH_REVIEWER"
# Live pairing: other processes' marks show up within two seconds; polling
# `PRAGMA data_version` costs no I/O, so once a second is cheap.
POLL_SECONDS = 1.0


def default_reviewer(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    if env.get(REVIEWER_ENV, "").strip():
        return env[REVIEWER_ENV].strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        return "reviewer"


@dataclass
class ReviewConfig:
    db_path: Path
    reviewer: str
    story: str | None = None  # a story's name or id
    adjudicate: bool = False
    min_score: float = DEFAULT_MIN_SCORE
    readonly: bool = False
    keymap: dict[str, str] = field(default_factory=dict)
    keymap_problems: list[str] = field(default_factory=list)
    poll_seconds: float = POLL_SECONDS
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)


class MarksChanged(Message):
    """Mark rows arrived from another process (or this one's undo) for a loaded story."""

    def __init__(self, *, mine_elsewhere: bool = False) -> None:
        super().__init__()
        self.mine_elsewhere = mine_elsewhere


class WorkbenchApp(App[None]):
    CSS_PATH = "workbench.tcss"
    TITLE = "Workbench"
    BINDINGS = APP_BINDINGS
    COMMANDS = App.COMMANDS | {WorkbenchCommands}

    def __init__(self, config: ReviewConfig, *, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.config = config
        self.reviewer = config.reviewer
        self.clock = clock
        self.db = Database(config.db_path, readonly=config.readonly)
        self.book = MarkBook()
        self.stories: dict[str, StoryDoc] = {}
        self.session = Session(started=clock())
        self.session_id: str | None = None
        self.readonly = config.readonly
        self.readonly_reason = "opened read-only" if config.readonly else ""
        self.ready = asyncio.Event()  # the first screen is up (tests, benchmark)
        self.opened = asyncio.Event()  # session row written, read-only known
        self._rowid: int | None = None
        self._token: int | None = None
        self._polling = False
        self._proposed_counts: dict[str, asyncio.Task] = {}

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: messages carry names from files and the
        database (a key map's "[/]", a story called "[b]"), never markup, controls shown.
        Widgets' notify() comes here too, with markup=True by default: it is ignored."""
        super().notify(
            safe_text(message),
            title=safe_text(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # --- start and stop ------------------------------------------------------------------------

    def on_mount(self) -> None:
        from workbench.tui.screens.stories import StoryListScreen

        self.set_keymap(self.config.keymap)
        for problem in self.config.keymap_problems:
            self.notify(problem, severity="warning", timeout=10)
        self.push_screen(StoryListScreen())
        self._startup()
        self.set_interval(self.config.poll_seconds, self.poll_changes)

    @work(exclusive=True, group="startup")
    async def _startup(self) -> None:
        from workbench.tui.screens.review import ReviewScreen

        mode = "adjudicate" if self.config.adjudicate else "review"
        readonly, why, session, warnings = await self.db.interactive.run(
            tasks.open_session, self.reviewer, mode
        )
        for warning in warnings:
            self.notify(warning, severity="warning", timeout=10)
        self.readonly = readonly
        if readonly:
            self.readonly_reason = why
            self.notify(
                f"Read-only database ({why}): you can look, but marks are not saved.",
                severity="warning",
                timeout=8,
            )
        self.session_id = session
        self.opened.set()
        if self.config.adjudicate:
            await self.push_screen(ReviewScreen(self.config.story, adjudicate=True))
            return
        story = self.config.story
        if story is None:
            story = await self.db.interactive.run(
                tasks.find_start_story, self.reviewer, self.config.min_score
            )
        if story is None:
            self.notify("No unmarked pairs left: pick a story to look at again.", timeout=6)
            self.mark_ready()
            return
        await self.push_screen(ReviewScreen(story))

    def mark_ready(self) -> None:
        self.call_after_refresh(self.ready.set)

    async def action_quit(self) -> None:
        from workbench.tui.screens.review import ReviewScreen

        for screen in self.screen_stack:
            if isinstance(screen, ReviewScreen):
                await screen.settled()
        self.exit()

    def on_unmount(self) -> None:
        self.db.close()  # waits for a mark in flight: it is committed before we go

    def action_help(self) -> None:
        from workbench.tui.screens.modals import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # --- shared data -----------------------------------------------------------------------

    async def load_story(self, story: str, *, refresh: bool = False) -> StoryDoc:
        """A story (by id or name) with its marks in the book; cached for the session."""
        if story in self.stories and not refresh:
            return self.stories[story]
        doc, top, marks = await self.db.interactive.run(tasks.load_story, story)
        self.stories[doc.id] = doc
        self.book.add_all(marks)
        if self._rowid is None:
            # Later story loads leave the cursor alone: rows of stories loaded before them
            # between the old cursor and their top must still reach the book by polling.
            self._rowid = top
        return doc

    def proposed_counts(self, story: str) -> asyncio.Task[dict[tuple[str, str], int]]:
        """Proposed pairs per article pair of a story, counted once per session on the
        background lane (seconds on a story of 100 articles: never on the way of a mark)."""
        task = self._proposed_counts.get(story)
        if task is None:
            task = asyncio.ensure_future(
                self.db.background.run(
                    Store.review_proposed_by_articles, story, min_score=self.config.min_score
                )
            )
            self._proposed_counts[story] = task
        return task

    def note_mark(self, mark: Mark) -> None:
        self.book.add(mark)

    async def poll_changes(self) -> bool:
        """Take in mark rows other processes committed; True if the book changed."""
        if self._polling or self._rowid is None:
            return False
        self._polling = True
        try:
            token = await self.db.background.run(Store.review_change_token)
            if token == self._token:
                return False
            self._token = token
            top, rows = await self.db.background.run(_rows_after, self._rowid)
            self._rowid = max(self._rowid, top)
            relevant = [m for m in rows if any(d.owns(m.claim_a) for d in self.stories.values())]
            changed = self.book.add_all(relevant)
            if changed:
                mine_elsewhere = any(
                    m.reviewer == self.reviewer and m.session_id != self.session_id
                    for m in relevant
                )
                for screen in self.screen_stack:
                    screen.post_message(MarksChanged(mine_elsewhere=mine_elsewhere))
            return changed
        except RuntimeError:  # a lane closed while the app exits
            return False
        finally:
            self._polling = False


def _rows_after(store: Store, after: int):
    return store.review_mark_rows(after=after)


def make_app(
    db_path: str | os.PathLike,
    *,
    reviewer: str | None = None,
    story: str | None = None,
    adjudicate: bool = False,
    min_score: float = DEFAULT_MIN_SCORE,
    readonly: bool = False,
    keys: Path | None = None,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], float] = time.monotonic,
    poll_seconds: float = POLL_SECONDS,
) -> WorkbenchApp:
    """The app for one database. `keys` is the key map file (default: $WORKBENCH_CONFIG or
    ~/.config/workbench/keys.toml)."""
    env = os.environ if env is None else env
    keymap, problems = load_keymap(keys if keys is not None else config_path(env))
    config = ReviewConfig(
        db_path=Path(db_path),
        reviewer=reviewer or default_reviewer(env),
        story=story,
        adjudicate=adjudicate,
        min_score=min_score,
        readonly=readonly,
        keymap=keymap,
        keymap_problems=problems,
        poll_seconds=poll_seconds,
        env=env,
    )
    return WorkbenchApp(config, clock=clock)
