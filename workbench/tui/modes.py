"""What differs between reviewing and adjudicating, and nothing else: which queue is walked,
what a mark is, which marker a pair gets, how the hint strip and the header read. A session
holds one mode; no other code asks which mode it is in. Plain Python, no Textual.
"""

from __future__ import annotations

from typing import ClassVar

from workbench.agreement import Disagreement
from workbench.errors import WorkbenchError
from workbench.models import Label, Mark, MarkAction, pair_key
from workbench.tui.frame import Notice, ScreenMessage
from workbench.tui.model import SPLIT_MARKER, MarkBook, Pair, PairInfo, PaneMarker, ViewData
from workbench.tui.queues import AdjudicationQueue, Position, ReviewQueue, Target, ViewCache
from workbench.tui.state import AppState

ORDER_NOTICES = {
    "contradictions": "Queue: likely contradictions first, then claim by claim.",
    "claims": "Queue: claim by claim, the most reported claims first.",
}


class ReviewMode:
    """A reviewer marks the proposed pairs of one story."""

    name: ClassVar[str] = "review"  # the session row's mode
    action: ClassVar[MarkAction] = MarkAction.MARK
    final: ClassVar[bool] = False  # whose standing mark is mine: a reviewer's, or a final
    title: ClassVar[str | None] = None
    screen_class: ClassVar[str | None] = None
    role: ClassVar[str] = "reviewer"
    prompts: ClassVar[bool] = True  # "not marked yet: ..." when nobody has marked the pair
    all_done: ClassVar[str] = "Every proposed pair here is marked."
    none_left: ClassVar[str] = "No unmarked pair left."

    def __init__(
        self, state: AppState, views: ViewCache, position: Position, story: str, *, resume: bool
    ):
        self.state = state
        self.position = position
        self.story_ref = story
        self.resume = resume
        self.queue = ReviewQueue(state, views, position)

    async def open(self) -> Target | ScreenMessage:
        try:
            story = await self.state.load_story(self.story_ref)
        except WorkbenchError as exc:
            notice = Notice(str(exc), "error", 8)
            return ScreenMessage(f"{exc}. Press esc for the story list.", notice)
        self.position.story = story
        if len(story.articles) < 2:
            return ScreenMessage("This story has a single article: nothing to compare.")
        await self.queue.load(story)
        return await self.queue.start(resume=self.resume)

    def is_done(self, pair: Pair) -> bool:
        return self.queue.is_done(pair)

    def queue_pairs(self) -> list[Pair]:
        return [item.pair for item in self.queue.items]

    def queued_as(self, pair: Pair) -> Pair | None:
        """A queued pair the way round the queue shows it, else None."""
        item = self.queue.item(pair)
        return None if item is None else item.pair

    async def next_after(self, after: Pair | None) -> Target | None:
        return await self.queue.next_after(self.position.left, self.position.right, after)

    def marked(self, pair: Pair, info: PairInfo | None) -> None:
        self.queue.marked(pair, info)

    def undone(self, mark: Mark, *, in_story: bool) -> None:
        if in_story:
            self.queue.undone(mark)

    async def marks_changed(self, *, mine_elsewhere: bool) -> None:
        if mine_elsewhere and self.queue.story is not None:
            await self.queue.recount_mine()

    async def counted(self) -> None:
        await self.queue.counted()

    async def reorder(self) -> str:
        order = await self.queue.reorder()
        return ORDER_NOTICES[order]

    def progress(self) -> str:
        return self.queue.progress()

    def marker(self, book: MarkBook, pair: Pair) -> PaneMarker | None:
        """My own mark by its label; else the latest final; else the others' marks (split
        when they differ)."""
        me = self.state.reviewer
        mine = book.standing(pair, me)
        if mine is not None and mine.label is not None:
            return PaneMarker.of(mine.label, str(mine.label))
        finals = book.reviewers(pair, final=True)
        if finals:
            latest = max(finals.values(), key=lambda m: (m.created_at, m.id))
            return PaneMarker.of(latest.label, "final") if latest.label else None
        labels = {m.label for r, m in book.reviewers(pair).items() if r != me}
        decided = {label for label in labels if label != Label.UNSURE}
        if len(decided) > 1:
            return SPLIT_MARKER
        if labels:
            return PaneMarker.of(next(iter(decided or labels)), "other")
        return None

    def position_text(self, view: ViewData, pair: Pair, info: PairInfo | None) -> tuple[str, bool]:
        """Where the pair stands, and whether to stress it (it is not a proposed pair)."""
        item = self.queue.item(pair)
        if item is not None:
            k = self.queue.at[pair_key(*pair)]
            where = f"pair {k + 1}/{len(self.queue.items)}"
            if item.likely_contradiction:
                where += f" · likely contradiction {item.discrepancy:.0f}"
            return where, False
        repeat = self.queue.as_repeat(pair)
        if repeat is not None:
            where = f"pair {repeat + 1}/{len(self.queue.items)}"
            return f"same words as an earlier claim of its article: {where}", True
        if info is not None and not info.stored:
            return "best in this article (not proposed)", True
        if info is not None and 1 in (info.rank, info.back_rank):
            return f"best candidate, below the floor of {self.state.min_score:.0f}", True
        return "manual pair", True

    def who(self, reviewer: str) -> str:
        return "you" if reviewer == self.state.reviewer else reviewer


class AdjudicationMode:
    """An editor decides the pairs reviewers disagree on, across stories."""

    name: ClassVar[str] = "adjudicate"
    action: ClassVar[MarkAction] = MarkAction.FINAL
    final: ClassVar[bool] = True
    title: ClassVar[str | None] = "adjudication"
    screen_class: ClassVar[str | None] = "-adjudicate"
    role: ClassVar[str] = "editor"
    prompts: ClassVar[bool] = False
    all_done: ClassVar[str] = "Every disagreement is decided."
    none_left: ClassVar[str] = "Every disagreement is decided."

    def __init__(self, state: AppState, position: Position, story: str | None = None):
        self.state = state
        self.position = position
        self.story_ref = story
        self.queue = AdjudicationQueue(state)

    @property
    def items(self) -> list[Disagreement]:
        return self.queue.items

    async def open(self) -> Target | ScreenMessage:
        await self.queue.load(self.story_ref)
        start = self.queue.first()
        if start is None:
            return ScreenMessage("No disagreements to adjudicate: reviewers agree on every pair.")
        return await self._target(start)

    async def _target(self, index: int) -> Target:
        self.queue.current = index
        item = self.queue.items[index]
        assert item.story is not None
        story = await self.state.load_story(item.story)
        return self.position.orient(item.item, story)

    def is_done(self, pair: Pair) -> bool:
        return self.queue.is_done(pair)

    def queue_pairs(self) -> list[Pair]:
        return [d.item for d in self.queue.items]

    def queued_as(self, pair: Pair) -> Pair | None:
        return None  # a disagreement has no side of its own

    async def next_after(self, after: Pair | None) -> Target | None:
        index = self.queue.next_after(after)
        return None if index is None else await self._target(index)

    def marked(self, pair: Pair, info: PairInfo | None) -> None:
        self.queue.decided.add(pair_key(*pair))

    def undone(self, mark: Mark, *, in_story: bool) -> None:
        self.queue.undone(mark)

    async def marks_changed(self, *, mine_elsewhere: bool) -> None:
        return None

    async def counted(self) -> None:
        return None

    async def reorder(self) -> str:
        return "Disagreements come lowest agreement first: the one order here."

    def progress(self) -> str:
        return self.queue.progress()

    def marker(self, book: MarkBook, pair: Pair) -> PaneMarker | None:
        """My decision by its label; else the reviewers' label (split when they differ)."""
        final = book.standing(pair, self.state.reviewer, final=True)
        if final is not None and final.label is not None:
            return PaneMarker.of(final.label, str(final.label))
        labels = {m.label for m in book.reviewers(pair).values() if m.label != Label.UNSURE}
        if len(labels) > 1:
            return SPLIT_MARKER
        return PaneMarker.of(next(iter(labels)), "other") if labels else None

    def position_text(self, view: ViewData, pair: Pair, info: PairInfo | None) -> tuple[str, bool]:
        index = self.queue.index.get(pair_key(*pair))
        if index is None:
            return "not a disagreement", True
        item = self.queue.items[index]
        total = len(self.queue.items)
        return f"disagreement {index + 1} of {total} · agreement {item.agreement:.0%}", False

    def who(self, reviewer: str) -> str:
        return reviewer


Mode = ReviewMode | AdjudicationMode
