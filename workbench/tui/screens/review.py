"""The review screen: two articles side by side, the pair under review, the hints.

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
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer

from workbench.display import one_line, safe_text
from workbench.errors import WorkbenchError
from workbench.models import Label, MarkAction, pair_key
from workbench.store import Store
from workbench.tui import tasks
from workbench.tui.app import MarksChanged, WorkbenchApp
from workbench.tui.commands import WorkbenchCommands
from workbench.tui.keys import REVIEW_BINDINGS
from workbench.tui.model import (
    MARKERS,
    ArticleDoc,
    Disagreement,
    Pair,
    StoryDoc,
    ViewData,
)
from workbench.tui.widgets import (
    ArticlePane,
    HeaderBar,
    HintStrip,
    PaneMarker,
    PaneState,
    fit_footer,
    plain,
)

NEARBY_VIEWS = 6  # views searched one by one before asking the database for what is left
VIEW_CACHE = 64


@dataclass(frozen=True, slots=True)
class Target:
    left: int
    right: int
    pair: Pair | None
    story: str | None = None


class ReviewScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = REVIEW_BINDINGS
    COMMANDS: ClassVar[set] = {WorkbenchCommands}
    AUTO_FOCUS = None

    def __init__(self, story: str | None, *, adjudicate: bool = False, resume: bool = True):
        super().__init__(classes="-adjudicate" if adjudicate else None)
        self.story_ref = story
        self.adjudicate = adjudicate
        self.resume = resume
        self.story: StoryDoc | None = None
        self.left_i = 0
        self.right_i = 1
        self.view: ViewData | None = None
        self.left_claim: str | None = None
        self.right_claim: str | None = None
        self.active = "left"
        self.hide_boilerplate = False
        # Progress, exact without reloading: which of my standing marks are on proposed pairs
        # (checked once on the interactive lane, then kept up to date here), and how many
        # pairs each article pair proposes (counted once on the background lane).
        self.mine_proposed: set[Pair] = set()
        self.pair_counts: dict[tuple[int, int], int] | None = None
        self._counts_task: asyncio.Task | None = None
        self.items: list[Disagreement] = []
        self.item_index: dict[Pair, int] = {}
        self.decided: set[Pair] = set()
        self.current_item = -1
        self._views: OrderedDict[tuple[str, str], ViewData] = OrderedDict()
        self._queue: asyncio.Queue[Callable[[], Awaitable[None]]] = asyncio.Queue()
        self._shown = False

    @property
    def wb(self) -> WorkbenchApp:
        app = self.app
        assert isinstance(app, WorkbenchApp)
        return app

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Horizontal(id="panes"):
            yield ArticlePane(id="left", classes="-active")
            yield ArticlePane(id="right")
        yield HintStrip(id="hints")
        yield Footer()

    def on_mount(self) -> None:
        self._process_commands()
        self._enqueue(self._open)

    def on_resize(self) -> None:
        fit_footer(self.query_one(Footer), self.size.width)

    # --- the command queue -------------------------------------------------------------------

    def _enqueue(self, command: Callable[[], Awaitable[None]]) -> None:
        self._queue.put_nowait(command)

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
        self._enqueue(lambda: self._go(self._orient((claim_a, claim_b))))

    async def settled(self) -> None:
        """Wait until every key pressed so far has been acted on, and the story's counts
        are in (tests, benchmark, quit)."""
        await self._queue.join()
        if self._counts_task is not None:
            await self._counts_task
            await self._queue.join()

    # --- opening -----------------------------------------------------------------------------

    async def _open(self) -> None:
        wb = self.wb
        await wb.opened.wait()
        if self.adjudicate:
            await self._open_adjudication()
            return
        assert self.story_ref is not None
        try:
            self.story = await wb.load_story(self.story_ref)
        except WorkbenchError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            self._show_message(f"{exc}. Press esc for the story list.")
            return
        if len(self.story.articles) < 2:
            self._show_message("This story has a single article: nothing to compare.")
            return
        await self._load_progress()
        target = await self._start_target()
        await self._go(target)

    async def _start_target(self) -> Target:
        story = self.story
        assert story is not None
        latest = None
        if self.resume:
            mine = [
                m
                for m in self.wb.book.rows.values()
                if m.reviewer == self.wb.reviewer and story.owns(m.claim_a)
            ]
            latest = max(mine, key=lambda m: (m.created_at, m.id)) if mine else None
        if latest is not None:
            where = self._orient((latest.claim_a, latest.claim_b))
            found = await self._find_next(where.left, where.right, where.pair)
            return found or where
        found = await self._find_next(0, 1, None, include_current=True)
        if found is not None:
            return found
        return Target(0, 1, None)

    async def _open_adjudication(self) -> None:
        wb = self.wb
        items, decided = await wb.db.background.run(
            tasks.load_adjudication, wb.reviewer, self.story_ref
        )
        self.items = items
        self.item_index = {pair_key(*d.pair): i for i, d in enumerate(items)}
        self.decided = decided
        if not items:
            self._show_message("No disagreements to adjudicate: reviewers agree on every pair.")
            return
        start = next((i for i, d in enumerate(items) if pair_key(*d.pair) not in decided), 0)
        await self._go(await self._item_target(start))

    def _show_message(self, text: str) -> None:
        for pane in self.query(ArticlePane):
            pane.show(PaneState(message=text))
        self.query_one(HintStrip).show(plain(text))
        self._update_header()
        self._first_shown()

    def _first_shown(self) -> None:
        if not self._shown:
            self._shown = True
            self.wb.mark_ready()

    # --- views and navigation ----------------------------------------------------------------

    async def _view(self, left: int, right: int) -> ViewData:
        story = self.story
        assert story is not None
        ldoc, rdoc = story.articles[left], story.articles[right]
        key = (ldoc.id, rdoc.id)
        view = self._views.get(key)
        if view is None:
            view = await self.wb.db.interactive.run(
                tasks.load_view, ldoc, rdoc, self.wb.config.min_score
            )
            self._views[key] = view
            if len(self._views) > VIEW_CACHE:
                self._views.popitem(last=False)
        else:
            self._views.move_to_end(key)
        return view

    def _orient(self, pair: Pair, story: StoryDoc | None = None) -> Target:
        """The view showing a pair: the current left article stays on the left when it holds
        one of the two claims; otherwise the earlier article of the story goes left."""
        story = story or self.story
        assert story is not None
        a, b = pair
        ia = story.article_index[story.claim_article[a]]
        ib = story.article_index[story.claim_article[b]]
        keep_left = story is self.story and self.left_i in (ia, ib)
        if (keep_left and ib == self.left_i) or (not keep_left and ib < ia):
            ia, ib, a, b = ib, ia, b, a
        return Target(ia, ib, (a, b), story.id)

    def _is_done(self, pair: Pair) -> bool:
        if self.adjudicate:
            return pair_key(*pair) in self.decided
        return self.wb.book.standing(pair, self.wb.reviewer) is not None

    async def _find_next(
        self, left: int, right: int, after: Pair | None, *, include_current: bool = False
    ) -> Target | None:
        """The next unmarked pair in queue order (see workbench.tui.model), or None."""
        if self.adjudicate:
            return await self._next_item(after)
        story = self.story
        assert story is not None
        view = await self._view(left, right)
        found = view.next_unmarked(None if include_current else after, self._is_done)
        if found is not None:
            return Target(left, right, found)
        sequence = list(story.view_sequence(left, right))[1:]
        for li, ri in sequence[:NEARBY_VIEWS]:
            found = (await self._view(li, ri)).next_unmarked(None, self._is_done)
            if found is not None:
                return Target(li, ri, found)
        rest = sequence[NEARBY_VIEWS:]
        if rest and self._counts_task is not None:
            # Further away, skip the article pairs whose proposed pairs are all marked.
            counts = await self._counts_task
            done = Counter(self._article_pair(p) for p in self.mine_proposed)
            for li, ri in rest:
                key = (min(li, ri), max(li, ri))
                if counts.get(key, 0) > done.get(key, 0):
                    found = (await self._view(li, ri)).next_unmarked(None, self._is_done)
                    if found is not None:
                        return Target(li, ri, found)
        if after is not None and not include_current:
            found = view.next_unmarked(None, self._is_done, before=after)
            if found is not None:
                return Target(left, right, found)
        return None

    async def _next_item(self, after: Pair | None) -> Target | None:
        if not self.items:
            return None
        start = self.item_index.get(pair_key(*after), self.current_item) + 1 if after else 0
        for k in range(len(self.items)):
            i = (start + k) % len(self.items)
            if pair_key(*self.items[i].pair) not in self.decided:
                return await self._item_target(i)
        return None

    async def _item_target(self, index: int) -> Target:
        self.current_item = index
        item = self.items[index]
        story = await self.wb.load_story(item.story_id)
        return self._orient(item.pair, story)

    async def _go(self, target: Target) -> None:
        if target.story is not None and (self.story is None or target.story != self.story.id):
            self.story = await self.wb.load_story(target.story)
            self._views.clear()
            if not self.adjudicate:
                await self._load_progress()
        story = self.story
        assert story is not None
        self.left_i, self.right_i = target.left, target.right
        view = await self._view(self.left_i, self.right_i)
        self.view = view
        if target.pair is not None:
            self.left_claim, self.right_claim = target.pair
        else:
            first = view.queue[0] if view.queue else None
            if first is not None:
                self.left_claim, self.right_claim = first
            else:
                left = view.left.step(None, 1)
                self.left_claim = left.id if left else None
                partner = view.partner(self.left_claim) if self.left_claim else None
                right = view.right.step(None, 1)
                self.right_claim = partner or (right.id if right else None)
        self._redraw()

    async def _load_progress(self) -> None:
        """Which of my marks in this story are on proposed pairs, checked on the interactive
        lane (so marks made after it are counted on top, exactly once); the per-article-pair
        counts come from the background lane and fill in the total when they arrive."""
        story = self.story
        if story is None or self.adjudicate:
            return
        wb = self.wb
        mine = wb.book.standing_pairs(wb.reviewer, story.owns)
        self.mine_proposed = await wb.db.interactive.run(
            Store.review_proposed_among, sorted(mine), min_score=wb.config.min_score
        )
        self.pair_counts = None
        self._counts_task = asyncio.ensure_future(self._load_pair_counts(story))
        self._update_header()

    async def _load_pair_counts(self, story: StoryDoc) -> dict[tuple[int, int], int]:
        try:
            by_ids = await self.wb.proposed_counts(story.id)
        except RuntimeError:  # the app is closing
            return {}
        counts = {}
        for (a1, a2), n in by_ids.items():
            i, j = story.article_index[a1], story.article_index[a2]
            counts[(min(i, j), max(i, j))] = n
        if self.story is story:
            self.pair_counts = counts
            with contextlib.suppress(NoMatches):  # the screen may be closing meanwhile
                self._update_header()
        return counts

    def _article_pair(self, pair: Pair) -> tuple[int, int]:
        story = self.story
        assert story is not None
        i = story.article_index[story.claim_article[pair[0]]]
        j = story.article_index[story.claim_article[pair[1]]]
        return (min(i, j), max(i, j))

    # --- rendering ---------------------------------------------------------------------------

    def _redraw(self, *, scroll: bool = True) -> None:
        view = self.view
        if view is None:
            return
        pair = self._pair()
        info = view.info(pair) if pair else None
        left_spans: list[tuple[int, int]] = []
        right_spans: list[tuple[int, int]] = []
        if info is not None and self.left_claim and self.right_claim:
            lc = view.left.claim(self.left_claim)
            rc = view.right.claim(self.right_claim)
            for hint in info.hints:
                if hint.a_span:
                    left_spans.append((lc.start + hint.a_span[0], lc.start + hint.a_span[1]))
                if hint.b_span:
                    right_spans.append((rc.start + hint.b_span[0], rc.start + hint.b_span[1]))
        left_markers, right_markers = self._markers(view)
        left_pane = self.query_one("#left", ArticlePane)
        right_pane = self.query_one("#right", ArticlePane)
        left_pane.show(
            PaneState(
                view.left, self.left_claim, tuple(left_spans), left_markers, self.hide_boilerplate
            ),
            scroll=scroll,
        )
        right_pane.show(
            PaneState(
                view.right,
                self.right_claim,
                tuple(right_spans),
                right_markers,
                self.hide_boilerplate,
            ),
            scroll=scroll,
        )
        assert self.story is not None
        n = len(self.story.articles)
        for pane, doc, index, side in (
            (left_pane, view.left, self.left_i, "left"),
            (right_pane, view.right, self.right_i, "right"),
        ):
            title_key = (doc.id, index, n)
            if getattr(pane, "_title_key", None) != title_key:
                pane._title_key = title_key
                pane.border_title = _pane_title(doc, f"{index + 1}/{n}")
            if pane.has_class("-active") != (self.active == side):
                pane.set_class(self.active == side, "-active")
        self.query_one(HintStrip).show(self._hint_content(view, pair, info))
        self._update_header()
        self._first_shown()

    def _pair(self) -> Pair | None:
        if self.left_claim and self.right_claim:
            return (self.left_claim, self.right_claim)
        return None

    def _marker(self, pair: Pair) -> PaneMarker | None:
        book, me = self.wb.book, self.wb.reviewer
        if self.adjudicate:
            final = book.standing(pair, me, final=True)
            if final is not None and final.label is not None:
                return _pane_marker(final.label, "mine")
            labels = {m.label for m in book.reviewers(pair).values() if m.label != Label.UNSURE}
            if len(labels) > 1:
                return PaneMarker("≠ split", "≠", "split")
            return _pane_marker(next(iter(labels)), "other") if labels else None
        mine = book.standing(pair, me)
        if mine is not None and mine.label is not None:
            return _pane_marker(mine.label, "mine")
        finals = book.reviewers(pair, final=True)
        if finals:
            latest = max(finals.values(), key=lambda m: (m.created_at, m.id))
            return _pane_marker(latest.label, "final") if latest.label else None
        labels = {m.label for r, m in book.reviewers(pair).items() if r != me}
        decided = {label for label in labels if label != Label.UNSURE}
        if len(decided) > 1:
            return PaneMarker("≠ split", "≠", "split")
        if labels:
            return _pane_marker(next(iter(decided or labels)), "other")
        return None

    def _markers(self, view: ViewData) -> tuple[dict[str, PaneMarker], dict[str, PaneMarker]]:
        book = self.wb.book
        left: dict[str, PaneMarker] = {}
        right: dict[str, PaneMarker] = {}
        for claim in view.left.claims:
            for pair in book.pairs_of(claim.id):
                other = pair[1] if pair[0] == claim.id else pair[0]
                if other not in view.right.index:
                    continue
                found = self._marker((claim.id, other))
                if found is None:
                    continue
                if claim.id not in left or other == self.right_claim:
                    left[claim.id] = found
                if other not in right or claim.id == self.left_claim:
                    right[other] = found
        return left, right

    def _hint_content(self, view: ViewData, pair: Pair | None, info) -> Content:
        if pair is None:
            return Content("No claim to pair here: move with j/k, or step articles with ] [.")
        parts: list[Content | str | tuple[str, str]] = []
        proposed = view.proposed_for(pair[0])
        if self.adjudicate:
            index = self.item_index.get(pair_key(*pair))
            if index is None:
                parts.append(("not a disagreement", "bold"))
            else:
                item = self.items[index]
                parts.append(
                    f"disagreement {index + 1} of {len(self.items)} · "
                    f"agreement {item.agreement:.0%}"
                )
        elif info is not None and info.proposed:
            index = next((i for i, p in enumerate(proposed) if p.right == pair[1]), 0)
            parts.append(f"pair {index + 1} of {len(proposed)} for this claim")
        elif info is not None and 1 in (info.rank, info.back_rank):
            parts.append(
                (f"best candidate, below the floor of {self.wb.config.min_score:.0f}", "bold")
            )
        else:
            parts.append(("manual pair", "bold"))
        if info is not None:
            parts.append(f" · score {info.score:.0f}")
            if info.rank:
                parts.append(f" · rank {info.rank}")
        else:
            parts.append(" · not among the candidates")
        queue = view.queue
        if queue and not self.adjudicate:
            done = view.count_done(self._is_done)
            parts.append(f" · this view {done}/{len(queue)} done")
        lines = [Content.assemble(*parts)]
        if info is not None and info.hints:
            hint_parts: list[Content | str | tuple[str, str]] = [("hints: ", "bold")]
            for i, hint in enumerate(info.hints):
                if i:
                    hint_parts.append(" · ")
                hint_parts.append(f"{hint.kind} ")
                hint_parts.append(plain(_one_line(hint.a) or "∅", "$warning-lighten-1 underline"))
                hint_parts.append(" ≠ ")
                hint_parts.append(plain(_one_line(hint.b) or "∅", "$warning-lighten-1 underline"))
            lines.append(Content.assemble(*hint_parts))
        elif info is not None:
            lines.append(Content.styled("hints: none (no difference found)", "dim"))
        lines.extend(self._marks_lines(pair))
        return Content("\n").join(lines)

    def _marks_lines(self, pair: Pair) -> list[Content]:
        book, me = self.wb.book, self.wb.reviewer
        out: list[Content] = []
        reviewers = book.reviewers(pair)
        finals = book.reviewers(pair, final=True)
        entries: list[Content] = []
        for name, mark in reviewers.items():
            if mark.label is None:
                continue
            who = "you" if name == me and not self.adjudicate else name
            entry = [plain(who, "bold"), " ", _label_content(mark.label)]
            note = book.note(pair, name)
            if note:
                entry += [" “", plain(_one_line(note, 60), "italic"), "”"]
            entries.append(Content.assemble(*entry))
        for name, mark in finals.items():
            if mark.label is None:
                continue
            entry = [Content.styled("final ", "bold"), plain(name), " ", _label_content(mark.label)]
            note = book.note(pair, name, final=True)
            if note:
                entry += [" “", plain(_one_line(note, 60), "italic"), "”"]
            entries.append(Content.assemble(*entry))
        if entries:
            out.append(Content(" · ").join(entries))
        elif not self.adjudicate:
            out.append(
                Content.styled(
                    "not marked yet: a agree · c contradict · n unrelated · s unsure", "dim"
                )
            )
        return out

    def _update_header(self) -> None:
        if not self.is_mounted:
            return
        wb = self.wb
        story = self.story
        left: list[Content | str | tuple[str, str]] = [("Workbench", "bold")]
        if self.adjudicate:
            left.append((" · adjudication", "bold $accent"))
        if wb.readonly:
            left.append((" · READ-ONLY", "bold $error"))
        left += [
            " · ",
            "editor" if self.adjudicate else "reviewer",
            ": ",
            plain(wb.reviewer, "bold"),
        ]
        if story is not None:
            left += [" · ", plain(story.name), f" ({len(story.articles)} articles)"]
        session = wb.session
        pace = session.pace(wb.clock())
        if self.adjudicate:
            done = sum(1 for d in self.items if pair_key(*d.pair) in self.decided)
            progress = f"decided {done}/{len(self.items)}"
        else:
            total = "…" if self.pair_counts is None else str(sum(self.pair_counts.values()))
            progress = f"marked {len(self.mine_proposed)}/{total}"
        right = Content.assemble((progress, "bold"), f" · session {session.marks} · {pace:.1f}/min")
        self.query_one(HeaderBar).show(Content.assemble(*left), right)

    # --- actions (each queued) -----------------------------------------------------------------

    def action_mark(self, label: str) -> None:
        self._enqueue(lambda: self._do_mark(Label(label)))

    def action_undo(self) -> None:
        self._enqueue(self._do_undo)

    def action_cursor(self, delta: int) -> None:
        self._enqueue(lambda: self._do_cursor(delta))

    def action_switch_pane(self) -> None:
        self._enqueue(self._do_switch_pane)

    def action_step_article(self, delta: int) -> None:
        self._enqueue(lambda: self._do_step_article(delta))

    def action_step_left(self, delta: int) -> None:
        self._enqueue(lambda: self._do_step_left(delta))

    def action_swap_sides(self) -> None:
        self._enqueue(self._do_swap)

    def action_next_unmarked(self) -> None:
        self._enqueue(self._do_next_unmarked)

    def action_search(self) -> None:
        self._enqueue(self._do_search)

    def action_note(self) -> None:
        self._enqueue(self._do_note)

    def action_open_article(self) -> None:
        self._enqueue(self._do_open_article)

    def action_toggle_boilerplate(self) -> None:
        self._enqueue(self._do_toggle_boilerplate)

    def action_page(self, delta: int) -> None:
        pane = self.query_one(f"#{self.active}", ArticlePane)
        if delta > 0:
            pane.scroll_page_down(animate=False)
        else:
            pane.scroll_page_up(animate=False)

    def action_stories(self) -> None:
        self._enqueue(self._do_stories)

    # --- what the actions do --------------------------------------------------------------------

    def _refuse_readonly(self) -> bool:
        if self.wb.readonly:
            self.notify(
                f"Read-only database ({self.wb.readonly_reason}): nothing is saved here.",
                severity="warning",
            )
            return True
        return False

    async def _do_mark(self, label: Label) -> None:
        pair = self._pair()
        if pair is None or self.view is None or self._refuse_readonly():
            if pair is None:
                self.notify("No pair to mark here.", severity="warning")
            return
        wb = self.wb
        action = MarkAction.FINAL if self.adjudicate else MarkAction.MARK
        mark = await wb.db.interactive.run(
            Store.record_mark,
            pair[0],
            pair[1],
            label,
            wb.reviewer,
            session_id=wb.session_id,
            action=action,
        )
        # Committed: only now does the screen move on.
        wb.note_mark(mark)
        wb.session.marks += 1
        if self.adjudicate:
            self.decided.add(pair_key(*pair))
        else:
            info = self.view.info(pair)
            if info is not None and info.proposed:
                self.mine_proposed.add(pair_key(*pair))
        target = await self._find_next(self.left_i, self.right_i, pair)
        if target is None:
            self.notify(
                "Every proposed pair here is marked."
                if not self.adjudicate
                else "Every disagreement is decided.",
                timeout=5,
            )
            self._redraw(scroll=False)
            return
        await self._go(target)

    async def _do_undo(self) -> None:
        if self._refuse_readonly():
            return
        wb = self.wb
        undone = await wb.db.interactive.run(Store.undo_last, wb.reviewer, session_id=wb.session_id)
        if undone is None:
            self.notify("Nothing to undo.")
            return
        wb.book.withdraw(undone.id)
        if undone.session_id == wb.session_id and wb.session.marks > 0:
            wb.session.marks -= 1
        pair = (undone.claim_a, undone.claim_b)
        story = self.story
        if (
            undone.action == MarkAction.FINAL
            and wb.book.standing(pair, wb.reviewer, final=True) is None
        ):
            self.decided.discard(pair_key(*pair))
        if story is None or not story.owns(undone.claim_a):
            self.notify("Undid your last mark (in another story).")
            self._redraw(scroll=False)
            return
        if undone.action == MarkAction.MARK and wb.book.standing(pair, wb.reviewer) is None:
            self.mine_proposed.discard(pair_key(*pair))
        target = self._orient(pair)
        label = undone.label
        self.notify(f"Undid {MARKERS[label][0]} {label}." if label else "Undid.")
        await self._go(target)

    async def _do_cursor(self, delta: int) -> None:
        view = self.view
        if view is None:
            return
        if self.active == "left":
            claim = view.left.step(self.left_claim, delta)
            if claim is None:
                return
            self.left_claim = claim.id
            partner = view.partner(claim.id)
            if partner is not None:
                self.right_claim = partner
        else:
            claim = view.right.step(self.right_claim, delta)
            if claim is None:
                return
            self.right_claim = claim.id  # manual pairing
        self._redraw()

    async def _do_switch_pane(self) -> None:
        self.active = "right" if self.active == "left" else "left"
        self._redraw(scroll=False)

    async def _do_step_article(self, delta: int) -> None:
        story = self.story
        if story is None or self.view is None:
            return
        n = len(story.articles)
        if n < 3:
            self.notify("No other article: this story has two.")
            return
        right = self.right_i
        for _ in range(n):
            right = (right + delta) % n
            if right != self.left_i:
                break
        self.right_i = right
        self.view = await self._view(self.left_i, self.right_i)
        if self.left_claim:
            self.right_claim = self.view.partner(self.left_claim) or _first(self.view.right)
        self._redraw()

    async def _do_step_left(self, delta: int) -> None:
        story = self.story
        if story is None or self.view is None:
            return
        n = len(story.articles)
        left = self.left_i
        for _ in range(n):
            left = (left + delta) % n
            if left != self.right_i:
                break
        if left == self.left_i:
            return
        self.left_i = left
        self.view = await self._view(self.left_i, self.right_i)
        self.left_claim = self.view.queue[0][0] if self.view.queue else _first(self.view.left)
        self.right_claim = (
            self.view.partner(self.left_claim) if self.left_claim else None
        ) or _first(self.view.right)
        self._redraw()

    async def _do_swap(self) -> None:
        if self.view is None:
            return
        self.left_i, self.right_i = self.right_i, self.left_i
        self.left_claim, self.right_claim = self.right_claim, self.left_claim
        self.view = await self._view(self.left_i, self.right_i)
        self._redraw()

    async def _do_next_unmarked(self) -> None:
        if self.view is None:
            return
        target = await self._find_next(self.left_i, self.right_i, self._pair())
        if target is None:
            self.notify(
                "No unmarked pair left."
                if not self.adjudicate
                else "Every disagreement is decided."
            )
            return
        await self._go(target)

    async def _do_search(self) -> None:
        from workbench.tui.screens.modals import SearchScreen

        if self.story is None:
            return
        claim = await self.app.push_screen_wait(SearchScreen(self.story))
        if not claim or not self.story.owns(claim):
            return
        await self._jump_to_claim(claim)

    async def _jump_to_claim(self, claim: str) -> None:
        story = self.story
        assert story is not None
        index = story.article_index[story.claim_article[claim]]
        if index == self.left_i:
            self.active = "left"
            self.left_claim = claim
            assert self.view is not None
            self.right_claim = self.view.partner(claim) or self.right_claim
        else:
            if index != self.right_i:
                self.right_i = index
                self.view = await self._view(self.left_i, self.right_i)
            self.active = "right"
            self.right_claim = claim
        self._redraw()

    async def _do_note(self) -> None:
        pair = self._pair()
        if pair is None or self._refuse_readonly():
            return
        wb = self.wb
        final = self.adjudicate
        standing = wb.book.standing(pair, wb.reviewer, final=final)
        if standing is None or standing.label is None:
            self.notify(
                "Mark the pair first (a c n s): a note goes with your label.", severity="warning"
            )
            return
        existing = wb.book.note(pair, wb.reviewer, final=final) or ""
        text = await self._edit_note(existing)
        if text is None or text.strip() == existing.strip():
            return
        mark = await wb.db.interactive.run(
            Store.record_mark,
            pair[0],
            pair[1],
            standing.label,
            wb.reviewer,
            note=text.strip() or None,
            session_id=wb.session_id,
            action=MarkAction.FINAL if final else MarkAction.MARK,
        )
        wb.note_mark(mark)
        self.notify("Note saved.")
        self._redraw(scroll=False)

    async def _edit_note(self, existing: str) -> str | None:
        from workbench.tui.screens.modals import NoteScreen

        editor = self._program("EDITOR")
        if editor:
            with tempfile.TemporaryDirectory(prefix="workbench-note-") as tmp:
                path = Path(tmp) / "note.txt"
                path.write_text(existing, encoding="utf-8")
                if self._run_external([*editor, str(path)]):
                    try:
                        return path.read_text(encoding="utf-8").strip()
                    except (OSError, UnicodeDecodeError) as exc:
                        self.notify(f"The note was not saved: {exc}", severity="error")
                        return None
        return await self.app.push_screen_wait(NoteScreen(existing))

    def _program(self, *variables: str) -> list[str] | None:
        """The first of $EDITOR / $PAGER that is set, as a command line; None (and a
        warning) when it cannot be split (an unbalanced quote)."""
        env = self.wb.config.env
        name = next((v for v in variables if env.get(v, "").strip()), None)
        if name is None:
            return None
        try:
            return shlex.split(env[name]) or None
        except ValueError:
            self.notify(f"${name} is not a command line ({env[name]!r})", severity="warning")
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

    async def _do_open_article(self) -> None:
        from workbench.tui.screens.modals import ArticleViewer

        view = self.view
        if view is None:
            return
        doc = view.left if self.active == "left" else view.right
        claim_id = self.left_claim if self.active == "left" else self.right_claim
        line = doc.line_of(doc.claim(claim_id).start) if claim_id else 1
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
        await self.app.push_screen_wait(ArticleViewer(doc, line))

    async def _do_toggle_boilerplate(self) -> None:
        self.hide_boilerplate = not self.hide_boilerplate
        self.notify("Boilerplate hidden." if self.hide_boilerplate else "Boilerplate dimmed.")
        self._redraw()

    async def _do_stories(self) -> None:
        if len(self.app.screen_stack) > 1 and self.app.screen is self:
            self.app.pop_screen()

    # --- other processes ---------------------------------------------------------------------

    def on_marks_changed(self, message: MarksChanged) -> None:
        async def refresh() -> None:
            if message.mine_elsewhere and not self.adjudicate and self.story is not None:
                wb = self.wb
                mine = wb.book.standing_pairs(wb.reviewer, self.story.owns)
                self.mine_proposed = await wb.db.interactive.run(
                    Store.review_proposed_among, sorted(mine), min_score=wb.config.min_score
                )
            self._redraw(scroll=False)

        self._enqueue(refresh)


def _first(doc: ArticleDoc) -> str | None:
    claim = doc.step(None, 1)
    return claim.id if claim else None


def _pane_title(doc: ArticleDoc, position: str) -> Content:
    parts: list[Content | str | tuple[str, str]] = [
        (f"{position} ", "dim"),
        plain(doc.article.source, "bold"),
    ]
    if doc.article.outlet:
        parts += [" · ", plain(doc.article.outlet)]
    return Content.assemble(*parts)


def _pane_marker(label: Label, kind: str) -> PaneMarker:
    """Your own marks are coloured by label; others' and finals by who made them."""
    symbol, word = MARKERS[label]
    return PaneMarker(f"{symbol} {word}", symbol, str(label) if kind == "mine" else kind)


def _label_content(label: Label) -> Content:
    symbol, word = MARKERS[label]
    style = {
        Label.AGREE: "$success",
        Label.CONTRADICT: "$error",
        Label.UNRELATED: "$text-muted",
        Label.UNSURE: "$warning",
    }[label]
    return Content.styled(f"{symbol} {word}", style)


def _one_line(text: str, width: int | None = None) -> str:
    return one_line(text, width)
