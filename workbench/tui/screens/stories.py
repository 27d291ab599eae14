"""The story list: one line a story, its counts computed only for the lines on screen."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ClassVar

from rich.segment import Segment
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from workbench.display import one_line
from workbench.models import Story
from workbench.tui.commands import WorkbenchCommands
from workbench.tui.keys import STORY_LIST_BINDINGS, STORY_LIST_FOOTER, KeyNames
from workbench.tui.layout import display_width
from workbench.tui.messages import MarksChanged
from workbench.tui.model import StoryProgress
from workbench.tui.state import AppState
from workbench.tui.widgets import HeaderBar, KeyBar, plain

# (header, what it counts: the header's second line, width). The claims column leaves
# boilerplate out (what review is about); `workbench stories` counts every claim.
COLUMNS = (
    ("articles", "", 8),
    ("claims", "no boilerplate", 15),
    ("marked/proposed", "", 16),
    ("contra", "", 7),
)
PREFETCH = 40  # rows beyond the visible ones whose counts are fetched with them


class StoryTable(ScrollView, can_focus=False):
    COMPONENT_CLASSES: ClassVar[set[str]] = {"stories--cursor", "stories--done", "stories--pending"}

    def __init__(self, state: AppState, *, id: str | None = None):
        super().__init__(id=id)
        self.state = state
        self.stories: list[Story] = []
        self.progress: dict[str, StoryProgress] = {}
        self.cursor = 0
        self.loaded = False
        self._fetching = False
        self._stale = False
        self._fetched = asyncio.Event()
        self._loaded_event = asyncio.Event()

    def set_stories(self, stories: list[Story]) -> None:
        self.stories = stories
        self.loaded = True
        self._loaded_event.set()
        self.cursor = min(self.cursor, max(len(stories) - 1, 0))
        self.virtual_size = Size(self.scrollable_content_region.width, max(len(stories), 1))
        self.refresh()

    def invalidate(self) -> None:
        """Counts may have changed: fetch the visible ones again (old ones stay meanwhile)."""
        self._stale = True
        self.call_later(self._fetch_visible)

    async def settled(self) -> None:
        """Wait until the counts of every visible row are in (tests, snapshots)."""
        await self._loaded_event.wait()
        while True:
            missing = any(self.stories[i].id not in self.progress for i in self.visible_range())
            if not self._fetching and not self._stale and not missing:
                return
            self._fetched.clear()
            await self._fetch_visible()
            await self._fetched.wait()

    @property
    def current(self) -> Story | None:
        return self.stories[self.cursor] if self.stories else None

    def move(self, delta: int) -> None:
        if not self.stories:
            return
        self.cursor = max(0, min(len(self.stories) - 1, self.cursor + delta))
        height = max(self.scrollable_content_region.height, 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        self.refresh()

    def visible_range(self) -> range:
        top = self.scroll_offset.y
        height = max(self.scrollable_content_region.height, 1)
        return range(top, min(top + height + PREFETCH, len(self.stories)))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not self.stories:
            message = (
                "loading…"
                if not self.loaded
                else "no stories yet (add some with 'workbench import')"
            )
            if y == 0:
                return Strip([Segment(" " + message, base)]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        row = self.scroll_offset.y + y
        if row >= len(self.stories):
            return Strip.blank(width, base)
        story = self.stories[row]
        progress = self.progress.get(story.id)
        if progress is None:
            self.call_later(self._fetch_visible)
        style = base
        if progress is not None and progress.proposed and progress.marked >= progress.proposed:
            style = base + self.get_component_rich_style("stories--done")
        if row == self.cursor:
            style = style + self.get_component_rich_style("stories--cursor")
        return Strip([Segment(_row_text(story, progress, width), style)]).crop_extend(
            0, width, style
        )

    async def _fetch_visible(self) -> None:
        if self._fetching:
            return
        if not self.state.started.is_set():  # the app may open a story over this list
            self._stale = True
            self._after_start()
            return
        if self.screen is not self.app.screen:
            # Under the review screen: counted when the list shows again (on_screen_resume).
            # A recount of a large story costs about a second of CPU, on every poll.
            self._stale = True
            return
        wanted = [
            self.stories[i].id
            for i in self.visible_range()
            if self._stale or self.stories[i].id not in self.progress
        ]
        if not wanted:
            self._stale = False
            self._fetched.set()
            return
        self._fetching = True
        self._stale = False
        self._fetch(wanted)

    @work(group="story-start", exclusive=True)
    async def _after_start(self) -> None:
        await self.state.started.wait()
        self.call_later(self._fetch_visible)

    @work(group="story-counts")
    async def _fetch(self, wanted: list[str]) -> None:
        state = self.state
        try:
            counts = await state.gateway.story_progress(
                wanted, state.reviewer, min_score=state.min_score
            )
        except RuntimeError:  # the app is closing
            return
        finally:
            self._fetching = False
        self.progress.update(counts)
        self._fetched.set()
        self.refresh()
        if any(self.stories[i].id not in self.progress for i in self.visible_range()):
            self.call_later(self._fetch_visible)


def _row_text(story: Story, progress: StoryProgress | None, width: int) -> str:
    numbers = ""
    for (_, _, w), value in zip(COLUMNS, _values(progress), strict=True):
        numbers += value.rjust(w)
    room = max(width - len(numbers) - 2, 8)
    name = one_line(story.name)
    if display_width(name) > room:
        name = name[: room - 1] + "…"
    return " " + name + " " * max(room - display_width(name), 0) + numbers + " "


def _values(progress: StoryProgress | None) -> list[str]:
    if progress is None:
        return ["…", "…", "…", "…"]
    return [
        str(progress.articles),
        str(progress.claims),
        f"{progress.marked}/{progress.proposed}",
        str(progress.contradictions),
    ]


class StoryListScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = STORY_LIST_BINDINGS
    COMMANDS: ClassVar[set] = {WorkbenchCommands}

    def __init__(
        self,
        state: AppState,
        database: str,
        review: Callable[[str], Screen],
        keys: KeyNames,
    ):
        super().__init__()
        self.state = state
        self.database = database  # its name, for the header
        self.review = review  # the review screen of a story id
        self.keys = keys  # as the key map sets them, for the footer

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        yield Static(id="columns")
        yield StoryTable(self.state, id="stories")
        yield KeyBar(self.keys.footer(STORY_LIST_FOOTER), id="footer")

    def on_mount(self) -> None:
        self._load()
        self._show_header()

    def _show_header(self) -> None:
        table = self.query_one(StoryTable)
        n = len(table.stories)
        count = (f"{n} story" if n == 1 else f"{n} stories") if table.loaded else "…"
        left = Content.assemble(
            ("Workbench", "bold"),
            " · ",
            plain(self.database),
            " · reviewer: ",
            plain(self.state.reviewer, "bold"),
        )
        self.query_one(HeaderBar).show(left, Content(count))
        width = max(table.scrollable_content_region.width, 40)
        numbers = "".join(name.rjust(w) for name, _, w in COLUMNS)
        counts = "".join(what.rjust(w) for _, what, w in COLUMNS)
        room = max(width - len(numbers) - 2, 8)
        self.query_one("#columns", Static).update(
            Content.assemble(
                (" " + "story".ljust(room) + numbers, "bold"),
                "\n",
                (" " * (room + 1) + counts, "dim"),
            )
        )

    @work(group="story-list")
    async def _load(self) -> None:
        stories = await self.state.gateway.stories()
        table = self.query_one(StoryTable)
        table.set_stories(stories)
        self._show_header()

    def on_resize(self) -> None:
        self._show_header()

    def on_screen_resume(self) -> None:
        self.query_one(StoryTable).invalidate()

    def on_marks_changed(self, _: MarksChanged) -> None:
        self.query_one(StoryTable).invalidate()

    def action_cursor(self, delta: int) -> None:
        self.query_one(StoryTable).move(delta)

    def action_page(self, delta: int) -> None:
        table = self.query_one(StoryTable)
        table.move(delta * max(table.scrollable_content_region.height - 1, 1))

    def action_open_story(self) -> None:
        story = self.query_one(StoryTable).current
        if story is not None:
            self.app.push_screen(self.review(story.id))
