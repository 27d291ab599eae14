"""The review app: screens, bindings, workers. No SQL and no matching here.

`make_app` is the one factory the CLI, `workbench serve`, the tests and the benchmark use.
"""

from __future__ import annotations

import getpass
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.events import DeliveryComplete, DeliveryFailed
from textual.notifications import SeverityLevel
from textual.screen import Screen

from workbench.display import safe_text
from workbench.queue import DEFAULT_MIN_SCORE
from workbench.tui.commands import WorkbenchCommands
from workbench.tui.gateway import StoreGateway
from workbench.tui.keys import APP_BINDINGS, KeyNames, config_path, load_keymap
from workbench.tui.messages import MarksChanged, ReviewShown
from workbench.tui.model import Session, StoryDoc
from workbench.tui.screens.modals import HelpScreen
from workbench.tui.screens.review import ReviewScreen
from workbench.tui.screens.stories import StoryListScreen
from workbench.tui.session import ReviewSession
from workbench.tui.state import AppState

REVIEWER_ENV = "WORKBENCH_REVIEWER"
# Live pairing: other processes' marks show up within two seconds; polling
# `PRAGMA data_version` costs no I/O, so once a second is cheap.
POLL_SECONDS = 1.0


def default_reviewer(env: Mapping[str, str] | None = None) -> str:
    return _default_reviewer(os.environ if env is None else env)[0]


def _default_reviewer(env: Mapping[str, str]) -> tuple[str, str]:
    """The name marks go under when --reviewer is not given, and where it comes from."""
    if env.get(REVIEWER_ENV, "").strip():
        return env[REVIEWER_ENV].strip(), f"from ${REVIEWER_ENV}"
    try:
        return getpass.getuser(), "your login name"
    except (OSError, KeyError):  # no login name (some containers)
        return "reviewer", "no login name found"


def reviewer_origin(reviewer: str, env: Mapping[str, str]) -> str | None:
    """Where the reviewer's name came from when it is the default one ("your login
    name"), else None. The CLI passes the default on as if given, so the name decides."""
    name, origin = _default_reviewer(env)
    return origin if reviewer == name else None


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
    reviewer_origin: str | None = None  # "your login name": the reviewer is the default
    screenshots: Path = field(default_factory=Path.cwd)  # where the palette saves them


class WorkbenchApp(App[None]):
    CSS_PATH = "workbench.tcss"
    TITLE = "Workbench"
    BINDINGS = APP_BINDINGS
    COMMANDS = App.COMMANDS | {WorkbenchCommands}

    def __init__(self, config: ReviewConfig, *, clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.config = config
        self.keys = KeyNames(config.keymap)
        self.gateway = StoreGateway.open(config.db_path, readonly=config.readonly)
        self.state = AppState(
            self.gateway,
            config.reviewer,
            min_score=config.min_score,
            readonly=config.readonly,
            clock=clock,
        )
        self.ready = self.state.started  # the first screen is up (tests, benchmark)

    @property
    def reviewer(self) -> str:
        return self.state.reviewer

    @property
    def session(self) -> Session:
        """This run's marks: count and pace."""
        return self.state.session

    @property
    def stories(self) -> dict[str, StoryDoc]:
        """The stories loaded so far."""
        return self.state.stories

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
        self.set_keymap(self.config.keymap)
        for problem in self.config.keymap_problems:
            self.notify(problem, severity="warning", timeout=10, markup=False)
        if self.config.reviewer_origin is not None:
            self.notify(
                f"reviewing as {self.reviewer} ({self.config.reviewer_origin}; "
                "--reviewer to change)",
                timeout=8,
                markup=False,
            )
        self.push_screen(
            StoryListScreen(self.state, self.config.db_path.name, self.review_screen, self.keys)
        )
        self._startup()
        self.set_interval(self.config.poll_seconds, self.poll_changes)

    def review_screen(self, story: str) -> ReviewScreen:
        return ReviewScreen(ReviewSession.review(self.state, story), self.keys, self.config.env)

    @work(exclusive=True, group="startup")
    async def _startup(self) -> None:
        state = self.state
        for warning in await state.open("adjudicate" if self.config.adjudicate else "review"):
            self.notify(warning, severity="warning", timeout=10)
        if state.readonly:
            self.notify(
                f"Read-only database ({state.readonly_reason}): you can look, but marks are "
                "not saved.",
                severity="warning",
                timeout=8,
            )
        if self.config.adjudicate:
            session = ReviewSession.adjudication(state, self.config.story)
            await self.push_screen(ReviewScreen(session, self.keys, self.config.env))
            return
        story = self.config.story or await state.start_story()
        if story is None:
            self.notify("No unmarked pairs left: pick a story to look at again.", timeout=6)
            self.mark_ready()
            return
        await self.push_screen(self.review_screen(story))

    def on_review_shown(self, _: ReviewShown) -> None:
        self.mark_ready()

    def mark_ready(self) -> None:
        self.call_after_refresh(self.ready.set)

    async def action_quit(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, ReviewScreen):
                await screen.settled()
        self.exit()

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit (it copies where text can be selected): say which key does,
        in plain words. Textual's own notice is markup ("[b]ctrl+q[/b]"), which every
        notice here shows as typed."""
        self.notify(
            f"Press {self.keys.first('quit')} to quit (every mark is already saved).",
            title="Do you want to quit?",
        )

    def on_unmount(self) -> None:
        self.gateway.close()  # waits for a mark in flight: it is committed before we go

    # --- screenshots (the command palette's) --------------------------------------------------

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """Into the working folder: Textual's default, ~/Downloads, may not exist."""
        where = path if path is not None else str(self.config.screenshots)
        return super().deliver_screenshot(filename, where, time_format)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot":
                where = self.config.screenshots
                command = command._replace(help=f"Save an SVG of the screen in {where}")
            yield command

    def on_delivery_complete(self, event: DeliveryComplete) -> None:
        if event.name == "screenshot":
            event.prevent_default()  # Textual's own notice reads the path as markup
            self.notify(f"Screenshot saved: {event.path}", title="Screenshot", markup=False)

    def on_delivery_failed(self, event: DeliveryFailed) -> None:
        if event.name == "screenshot":
            event.prevent_default()  # say why, and where it was to go
            self.notify(
                f"Screenshot not saved in {self.config.screenshots}: {event.exception}",
                title="Screenshot",
                severity="error",
                markup=False,
            )

    def action_help(self) -> None:
        screen = self.screen
        if not isinstance(screen, HelpScreen):
            on_screen = screen.on_screen() if isinstance(screen, ReviewScreen) else ()
            self.push_screen(HelpScreen(self.keys, self.config.min_score, on_screen))

    async def poll_changes(self) -> bool:
        """Take in mark rows other processes committed; True if the book changed."""
        try:
            arrived = await self.state.poll()
        except RuntimeError:  # a lane closed while the app exits
            return False
        if arrived is None:
            return False
        for screen in self.screen_stack:
            screen.post_message(MarksChanged(mine_elsewhere=arrived.mine_elsewhere))
        return True


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
    reviewer = reviewer or default_reviewer(env)
    config = ReviewConfig(
        db_path=Path(db_path),
        reviewer=reviewer,
        reviewer_origin=reviewer_origin(reviewer, env),
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
