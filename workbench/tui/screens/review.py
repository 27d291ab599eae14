"""The review screen: two articles side by side, the pair under review, the hints.

What the keys do is `ReviewSession`'s (workbench.tui.session); this screen composes the
widgets, maps keys to session calls and renders the frames the session returns.

Every key that changes what is shown goes through one queue, processed by one worker in
order: a mark is committed (on the interactive lane) before the screen moves on, and a key
typed while a mark is in flight applies to the screen the reviewer will see next, never to
the old one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import subprocess
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen

from workbench.display import hint_sides, one_line, safe_text
from workbench.errors import WorkbenchError
from workbench.models import Label
from workbench.tui.commands import WorkbenchCommands
from workbench.tui.frame import Frame, HeaderView, MarkEntry, NoteDraft, Outcome, PaneView
from workbench.tui.keys import REVIEW_BINDINGS, REVIEW_FOOTER, KeyNames
from workbench.tui.messages import MarksChanged, ReviewShown
from workbench.tui.model import MARKERS, ArticleDoc
from workbench.tui.screens.modals import ArticleViewer, NoteScreen, SearchScreen
from workbench.tui.session import ReviewSession
from workbench.tui.widgets import ArticlePane, HeaderBar, HintStrip, KeyBar, PaneState, plain

LABEL_STYLES = {
    Label.AGREE: "$success",
    Label.CONTRADICT: "$error",
    Label.UNRELATED: "$text-muted",
    Label.UNSURE: "$warning",
}
MARK_KEYS = ("agree", "contradict", "unrelated", "unsure")  # binding ids, and what they mark


class ReviewScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = REVIEW_BINDINGS
    COMMANDS: ClassVar[set] = {WorkbenchCommands}
    AUTO_FOCUS = None

    def __init__(self, session: ReviewSession, keys: KeyNames, env: Mapping[str, str]):
        super().__init__(classes=session.mode.screen_class)
        self.session = session
        self.keys = keys
        self.env = env  # where $EDITOR and $PAGER come from
        self.hide_boilerplate = False
        self._queue: asyncio.Queue[Callable[[], Awaitable[None]]] = asyncio.Queue()
        self._counts_shown: asyncio.Task[None] | None = None
        self._shown = False

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Horizontal(id="panes"):
            yield ArticlePane(id="left", classes="-active")
            yield ArticlePane(id="right")
        yield HintStrip(id="hints")
        yield KeyBar(self.keys.footer(REVIEW_FOOTER), id="footer")

    def on_mount(self) -> None:
        self._process_commands()
        self._enqueue(self._open)

    # --- the command queue -------------------------------------------------------------------

    def _enqueue(self, command: Callable[[], Awaitable[None]]) -> None:
        with contextlib.suppress(NoMatches):  # a brief notice lasts until the next key
            self.query_one(KeyBar).say(None)
        self._queue.put_nowait(command)

    def _run(self, call: Callable[[], Awaitable[Outcome]]) -> None:
        """Queue a session call and show what it returns."""

        async def command() -> None:
            self.show(await call())

        self._enqueue(command)

    @work(exclusive=True, group="review-commands")
    async def _process_commands(self) -> None:
        while True:
            command = await self._queue.get()
            try:
                await command()
            except WorkbenchError as exc:
                self.notify(str(exc), severity="error", timeout=8)
            except RuntimeError as exc:
                if "lane is closed" not in str(exc):
                    raise
            finally:
                self._queue.task_done()

    def show_pair(self, claim_a: str, claim_b: str) -> None:
        """Put a pair of the current story on screen (queued like a key)."""
        self._run(lambda: self.session.show_pair((claim_a, claim_b)))

    async def settled(self) -> None:
        """Wait until every key pressed so far has been acted on, and the story's counts
        are in (tests, benchmark, quit)."""
        await self._queue.join()
        if self._counts_shown is not None:
            await self._counts_shown
            await self._queue.join()

    async def _open(self) -> None:
        self.show(await self.session.open())
        self._counts_shown = asyncio.ensure_future(self._show_counts())

    async def _show_counts(self) -> None:
        await self.session.counted()
        with contextlib.suppress(NoMatches):  # the screen may be closing meanwhile
            self._show_header(self.session.header())

    # --- rendering ---------------------------------------------------------------------------

    def show(self, outcome: Outcome) -> None:
        """Render what a session call returned."""
        if outcome.notice is not None and outcome.notice.brief:
            self.query_one(KeyBar).say(plain(one_line(outcome.notice.text)))
        elif outcome.notice is not None:
            notice = outcome.notice
            self.notify(  # plain text: it may quote a story's name or a file
                notice.text, severity=notice.severity, timeout=notice.timeout, markup=False
            )
        if outcome.frame is not None:
            self.render_frame(outcome.frame, scroll=outcome.scroll)

    def render_frame(self, frame: Frame, *, scroll: bool = True) -> None:
        if frame.message is not None:
            for pane in self.query(ArticlePane):
                pane.show(PaneState(message=frame.message))
            self.query_one(HintStrip).show(plain(frame.message))
        elif frame.left is not None and frame.right is not None:
            self._show_pane("#left", frame.left, frame.articles, scroll)
            self._show_pane("#right", frame.right, frame.articles, scroll)
            self.query_one(HintStrip).show(self.strip_content(frame))
        self._show_header(frame.header)
        if not self._shown:
            self._shown = True
            self.post_message(ReviewShown())

    def _show_pane(self, selector: str, view: PaneView, articles: int, scroll: bool) -> None:
        pane = self.query_one(selector, ArticlePane)
        pane.show(
            PaneState(view.doc, view.current, view.hint_spans, view.markers, self.hide_boilerplate),
            scroll=scroll,
        )
        title_key = (view.doc.id, view.index, articles)
        if getattr(pane, "_title_key", None) != title_key:
            pane._title_key = title_key
            pane.border_title = _pane_title(view.doc, f"{view.index + 1}/{articles}")
        if pane.has_class("-active") != view.active:
            pane.set_class(view.active, "-active")

    def strip_content(self, frame: Frame) -> Content:
        """The hint strip for a frame: where the pair stands, its hints, everybody's marks."""
        strip = frame.strip
        if strip is None:
            keys = self.keys
            return Content(
                f"No claim to pair here: move with {keys.first('cursor-down')}/"
                f"{keys.first('cursor-up')}, or step articles with "
                f"{keys.first('next-article')} {keys.first('prev-article')}."
            )
        parts: list[Content | str | tuple[str, str]] = [
            (strip.position, "bold") if strip.position_bold else strip.position
        ]
        info = strip.info
        if info is not None:
            parts.append(f" · score {info.score:.1f}")  # as the CLI gives it
            if info.rank:
                parts.append(f" · rank {info.rank}")
        else:
            parts.append(" · not among the candidates")
        lines = [Content.assemble(*parts)]
        if info is not None and info.hints:
            hint_parts: list[Content | str | tuple[str, str]] = [("hints: ", "bold")]
            for i, hint in enumerate(info.hints):
                if i:
                    hint_parts.append(" · ")
                left, right = hint_sides(hint.a, hint.b)
                hint_parts.append(f"{hint.kind} ")
                hint_parts.append(plain(left, "$warning-lighten-1 underline"))
                hint_parts.append(" ≠ ")
                hint_parts.append(plain(right, "$warning-lighten-1 underline"))
            lines.append(Content.assemble(*hint_parts))
        elif info is not None:
            lines.append(Content.styled("hints: none (no difference found)", "dim"))
        if strip.entries:
            lines.append(Content(" · ").join(_entry_content(e) for e in strip.entries))
        elif strip.prompt:
            choices = " · ".join(f"{self.keys.first(key)} {key}" for key in MARK_KEYS)
            lines.append(Content.styled(f"not marked yet: {choices}", "dim"))
        return Content("\n").join(lines)

    def on_screen(self) -> list[tuple[str, ArticleDoc]]:
        """The articles in the panes, with where they are ("left 1/5"), for the help."""
        frame = self.session.frame()
        return [
            (f"{side} {pane.index + 1}/{frame.articles}", pane.doc)
            for side, pane in (("left", frame.left), ("right", frame.right))
            if pane is not None
        ]

    def _show_header(self, header: HeaderView) -> None:
        if not self.is_mounted:
            return
        left: list[Content | str | tuple[str, str]] = [("Workbench", "bold")]
        if header.title:
            left.append((f" · {header.title}", "bold $accent"))
        if header.readonly:
            left.append((" · READ-ONLY", "bold $error"))
        left += [" · ", header.role, ": ", plain(header.reviewer, "bold")]
        if header.story is not None:
            left += [" · ", plain(header.story), f" ({header.articles} articles)"]
        right = Content.assemble(
            (header.progress, "bold"),
            f" · session {header.session_marks} · {header.pace:.1f}/min",
        )
        self.query_one(HeaderBar).show(Content.assemble(*left), right)

    # --- actions (each queued) -----------------------------------------------------------------

    def action_mark(self, label: str) -> None:
        self._run(lambda: self.session.mark(Label(label)))

    def action_undo(self) -> None:
        self._run(self.session.undo)

    def action_cursor(self, delta: int) -> None:
        self._run(lambda: self.session.cursor(delta))

    def action_switch_pane(self) -> None:
        self._run(self.session.switch_pane)

    def action_step_article(self, delta: int) -> None:
        self._run(lambda: self.session.step_article(delta))

    def action_step_left(self, delta: int) -> None:
        self._run(lambda: self.session.step_left(delta))

    def action_swap_sides(self) -> None:
        self._run(self.session.swap)

    def action_next_unmarked(self) -> None:
        self._run(self.session.next_unmarked)

    def action_toggle_order(self) -> None:
        self._run(self.session.toggle_order)

    def action_search(self) -> None:
        self._enqueue(self._search)

    def action_note(self) -> None:
        self._enqueue(self._note)

    def action_open_article(self) -> None:
        self._enqueue(self._open_article)

    def action_toggle_boilerplate(self) -> None:
        self._enqueue(self._toggle_boilerplate)

    def action_page(self, delta: int) -> None:
        pane = self.query_one(f"#{self.session.active}", ArticlePane)
        if delta > 0:
            pane.scroll_page_down(animate=False)
        else:
            pane.scroll_page_up(animate=False)

    def action_stories(self) -> None:
        self._enqueue(self._stories)

    def on_marks_changed(self, message: MarksChanged) -> None:
        self._run(lambda: self.session.marks_changed(mine_elsewhere=message.mine_elsewhere))

    # --- what the actions that open another screen or program do ------------------------------

    async def _search(self) -> None:
        story = self.session.story
        if story is None:
            return
        claim = await self.app.push_screen_wait(SearchScreen(story, self.session.state.gateway))
        if claim:
            self.show(await self.session.jump_to_claim(claim))

    async def _note(self) -> None:
        draft = self.session.note_draft()
        if draft is None or isinstance(draft, Outcome):
            if draft is not None:
                self.show(draft)
            return
        text = await self._edit_note(draft)
        if text is not None:
            self.show(await self.session.save_note(draft, text))

    async def _edit_note(self, draft: NoteDraft) -> str | None:
        editor = self._program("EDITOR")
        if editor:
            with tempfile.TemporaryDirectory(prefix="workbench-note-") as tmp:
                # The editor shows the file's name: it says which pair the note goes to.
                name = "note-on-the-pair-just-marked" if draft.just_marked else "note"
                path = Path(tmp) / f"{name}.txt"
                path.write_text(draft.existing, encoding="utf-8")
                if self._run_external([*editor, str(path)]):
                    try:
                        return path.read_text(encoding="utf-8").strip()
                    except (OSError, UnicodeDecodeError) as exc:
                        self.notify(f"The note was not saved: {exc}", severity="error")
                        return None
        return await self.app.push_screen_wait(NoteScreen(draft.existing, draft.heading))

    def _program(self, *variables: str) -> list[str] | None:
        """The first of $EDITOR / $PAGER that is set, as a command line; None (and a
        warning) when it cannot be split (an unbalanced quote)."""
        name = next((v for v in variables if self.env.get(v, "").strip()), None)
        if name is None:
            return None
        try:
            return shlex.split(self.env[name]) or None
        except ValueError:
            self.notify(f"${name} is not a command line ({self.env[name]!r})", severity="warning")
            return None

    def _run_external(self, command: list[str]) -> bool:
        """Run a program in the terminal while the app steps aside. False when the app
        cannot step aside (a browser, a test) or the program is missing."""
        try:
            with self.app.suspend():
                subprocess.run(command, check=False)
        except SuspendNotSupported:
            return False
        except OSError as exc:
            self.notify(f"Could not run {command[0]}: {exc.strerror or exc}", severity="error")
            return False
        return True

    async def _open_article(self) -> None:
        focused = self.session.focused()
        if focused is None:
            return
        doc, line, span = focused
        program = self._program("EDITOR", "PAGER")
        if program:
            # The program gets a copy of the article and nothing else from the database: a
            # fixed file name (a source named ".." or holding escape sequences is never on
            # its command line or in its title), and control characters shown, as on screen.
            with tempfile.TemporaryDirectory(prefix="workbench-article-") as tmp:
                path = Path(tmp) / "article.txt"
                path.write_text(safe_text(doc.article.text), encoding="utf-8")
                os.chmod(path, 0o444)  # a copy, and read-only: the article is never edited
                if self._run_external([*program, f"+{line}", str(path)]):
                    return
        await self.app.push_screen_wait(ArticleViewer(doc, line, span))

    async def _toggle_boilerplate(self) -> None:
        self.hide_boilerplate = not self.hide_boilerplate
        self.notify("Boilerplate hidden." if self.hide_boilerplate else "Boilerplate dimmed.")
        frame = self.session.frame()
        if frame.left is not None:
            self.render_frame(frame)

    async def _stories(self) -> None:
        if len(self.app.screen_stack) > 1 and self.app.screen is self:
            self.app.pop_screen()


def _pane_title(doc: ArticleDoc, position: str) -> Content:
    """The article's place in the story and its name, on one line with control characters
    made visible (the border cuts it with an ellipsis where it is too long)."""
    return Content.assemble((f"{position} ", "dim"), plain(one_line(doc.name), "bold"))


def _label_content(label: Label) -> Content:
    symbol, word = MARKERS[label]
    return Content.styled(f"{symbol} {word}", LABEL_STYLES[label])


def _entry_content(entry: MarkEntry) -> Content:
    parts: list[Content | str | tuple[str, str]]
    if entry.final:
        parts = [Content.styled("final ", "bold"), plain(entry.who), " "]
    else:
        parts = [plain(entry.who, "bold"), " "]
    parts.append(_label_content(entry.label))
    if entry.note:
        parts += [" “", plain(one_line(entry.note, 60), "italic"), "”"]
    return Content.assemble(*parts)
