"""The review app's navigation rules, as plain Python (no Textual): where the reviewer is
(`Position`), the views loaded so far (`ViewCache`), and the two queues a session walks:
`ReviewQueue` (the story's review queue of workbench.queue) and `AdjudicationQueue` (the
disagreement queue of `workbench.agreement`). The order is the queue's alone: another rule is
another queue class with the same methods.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from workbench.agreement import Disagreement
from workbench.models import Mark, MarkAction, pair_key
from workbench.queue import DEFAULT_ORDER, ORDERS, QueueItem, duplicate_claims
from workbench.tui.model import Pair, PairInfo, StoryDoc, ViewData
from workbench.tui.state import AppState

VIEW_CACHE = 64


@dataclass(frozen=True, slots=True)
class Target:
    """Where to go: a view (article indexes) and the pair to put on screen in it."""

    left: int
    right: int
    pair: Pair | None
    story: str | None = None


@dataclass
class Position:
    """Where the reviewer is: the story, the left and right article (indexes in the story),
    the claim under the cursor on each side, and the pane the cursor keys move in."""

    story: StoryDoc | None = None
    left: int = 0
    right: int = 1
    left_claim: str | None = None
    right_claim: str | None = None
    active: str = "left"

    @property
    def pair(self) -> Pair | None:
        if self.left_claim and self.right_claim:
            return (self.left_claim, self.right_claim)
        return None

    def orient(
        self, pair: Pair, story: StoryDoc | None = None, *, as_given: bool = False
    ) -> Target:
        """The view showing a pair: the current left article stays on the left when it holds
        one of the two claims; otherwise the earlier article of the story goes left. With
        `as_given`, the pair's first claim goes left (a pair shown again as it was)."""
        story = story or self.story
        assert story is not None
        a, b = pair
        ia = story.article_index[story.claim_article[a]]
        ib = story.article_index[story.claim_article[b]]
        keep_left = story is self.story and self.left in (ia, ib)
        swap = (keep_left and ib == self.left) or (not keep_left and ib < ia)
        if swap and not as_given:
            ia, ib, a, b = ib, ia, b, a
        return Target(ia, ib, (a, b), story.id)


class ViewCache:
    """The views of the story on screen loaded so far, the most recent `size` kept. A view
    is built from the story's rows in memory once they are loaded (background lane), else
    from the database; `proposed` is the rule of the queue walked (default: none)."""

    def __init__(self, state: AppState, size: int = VIEW_CACHE):
        self.state = state
        self.size = size
        self.proposed: Callable[[Pair], bool] = lambda pair: False
        self._story: StoryDoc | None = None
        self._views: OrderedDict[tuple[str, str], ViewData] = OrderedDict()

    def clear(self) -> None:
        self._views.clear()

    async def get(self, story: StoryDoc, left: int, right: int) -> ViewData:
        if story is not self._story:  # another story: start afresh
            self._story = story
            self._views.clear()
        ldoc, rdoc = story.articles[left], story.articles[right]
        key = (ldoc.id, rdoc.id)
        view = self._views.get(key)
        if view is None:
            rows = self.state.view_rows(story.id, ldoc.id, rdoc.id)
            if rows is not None:
                view = ViewData.build(ldoc, rdoc, rows, self.proposed)
            else:
                view = await self.state.gateway.view(ldoc, rdoc, self.proposed)
            state, sid = self.state, story.id
            view.on_demand = lambda claim, article: state.on_demand(sid, claim, article)
            self._views[key] = view
            if len(self._views) > self.size:
                self._views.popitem(last=False)
        else:
            self._views.move_to_end(key)
        return view


class ReviewQueue:
    """The story's review queue (workbench.queue, read from the store): likely
    contradictions first, then claim by claim, the most reported claims first; or claim by
    claim only (`reorder` switches). "Next unmarked" is the first pair after the current
    one in that order that I have not marked, wrapping around to the start. It opens after
    the reviewer's latest mark.

    Progress is exact without reloading: the queue holds every proposed pair, so my
    standing marks on them are counted from the mark book."""

    def __init__(self, state: AppState, views: ViewCache, position: Position):
        self.state = state
        self.views = views
        self.position = position
        self.story: StoryDoc | None = None
        self.order = DEFAULT_ORDER
        self.items: list[QueueItem] = []
        self.at: dict[Pair, int] = {}  # pair_key -> position in items
        self.mine_proposed: set[Pair] = set()
        self.repeat_of: dict[str, str] = {}  # a repeated claim -> the first of its article
        self._current = -1  # where the walk is: the last queue pair shown

    def is_done(self, pair: Pair) -> bool:
        return self.state.book.standing(pair, self.state.reviewer) is not None

    def proposed(self, pair: Pair) -> bool:
        return pair_key(*pair) in self.at

    def item(self, pair: Pair) -> QueueItem | None:
        k = self.at.get(pair_key(*pair))
        return None if k is None else self.items[k]

    def as_repeat(self, pair: Pair) -> int | None:
        """Where the queue has a pair of a repeated claim (a headline repeated as the first
        sentence): the position of the same pair with the first copy, if it is queued."""
        first = tuple(self.repeat_of.get(c, c) for c in pair)
        return None if first == tuple(pair) else self.at.get(pair_key(*first))

    async def load(self, story: StoryDoc) -> None:
        self.story = story
        self.items = await self.state.gateway.queue(
            story.id, min_score=self.state.min_score, order=self.order
        )
        # After the queue, not beside it: on a large story both compete for the same
        # interpreter, and the first pair needs only the queue (its view is read directly).
        self.state.prefetch(story.id)
        self.at = {pair_key(*item.pair): k for k, item in enumerate(self.items)}
        self.repeat_of = duplicate_claims(
            [(c.id, doc.id, c.text) for doc in story.articles for c in doc.claims]
        )
        self.views.proposed = self.proposed
        self.views.clear()
        await self.recount_mine()

    async def reorder(self) -> str:
        """Switch between the two orders; the walk goes on from the pair on screen."""
        self.order = ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)]
        if self.story is not None:
            await self.load(self.story)
        pair = self.position.pair
        self._current = self.at.get(pair_key(*pair), -1) if pair else -1
        return self.order

    async def recount_mine(self) -> None:
        # From my marks (few), not from the queue's pairs (60,000 on a 100-article story).
        mine = self.state.book.standing_pairs(self.state.reviewer, lambda _: True)
        self.mine_proposed = {pair for pair in mine if pair in self.at}

    async def counted(self) -> None:
        """The total is known as soon as the queue is loaded."""

    def progress(self) -> str:
        return f"marked {len(self.mine_proposed)}/{len(self.items)}"

    def marked(self, pair: Pair, info: PairInfo | None) -> None:
        if pair_key(*pair) in self.at:
            self.mine_proposed.add(pair_key(*pair))

    def undone(self, mark: Mark) -> None:
        pair = (mark.claim_a, mark.claim_b)
        if mark.action == MarkAction.MARK and self.state.book.standing(pair, mark.reviewer) is None:
            self.mine_proposed.discard(pair_key(*pair))

    def target(self, k: int) -> Target:
        """The view of queue item k, its claim under review on the left."""
        story = self.story
        assert story is not None
        item = self.items[k]
        self._current = k
        left = story.article_index[story.claim_article[item.left]]
        right = story.article_index[story.claim_article[item.right]]
        return Target(left, right, item.pair, story.id)

    async def start(self, *, resume: bool) -> Target:
        """After my latest mark in the story (resume), else its first unmarked pair."""
        story = self.story
        assert story is not None
        latest = None
        if resume:
            me = self.state.reviewer
            mine = [
                m
                for m in self.state.book.rows.values()
                if m.reviewer == me and story.owns(m.claim_a)
            ]
            latest = max(mine, key=lambda m: (m.created_at, m.id)) if mine else None
        if latest is not None:
            where = (latest.claim_a, latest.claim_b)
            found = self._next(self.at.get(pair_key(*where), -1))
            if found is not None:
                return self.target(found)
            return self.position.orient(where, story)
        found = self._next(-1)
        if found is not None:
            return self.target(found)
        return Target(0, 1, None)

    async def next_after(self, left: int, right: int, after: Pair | None) -> Target | None:
        """The next unmarked pair after `after` (a queue pair, else where the walk is)."""
        k = self.at.get(pair_key(*after), self._current) if after else self._current
        found = self._next(k)
        return None if found is None else self.target(found)

    def _next(self, k: int) -> int | None:
        n = len(self.items)
        for step in range(1, n + 1):
            i = (k + step) % n
            if not self.is_done(self.items[i].pair):
                return i
        return None


class AdjudicationQueue:
    """The disagreement queue of `workbench.agreement` (lowest agreement first), across
    stories; "next" is the next pair the editor has not decided, wrapping around."""

    def __init__(self, state: AppState):
        self.state = state
        self.items: list[Disagreement] = []
        self.index: dict[Pair, int] = {}
        self.decided: set[Pair] = set()
        self.current = -1

    async def load(self, story: str | None) -> None:
        loaded = await self.state.gateway.adjudication(self.state.reviewer, story)
        self.items = loaded.queue
        self.index = {d.item: i for i, d in enumerate(self.items)}
        self.decided = loaded.decided

    def is_done(self, pair: Pair) -> bool:
        return pair_key(*pair) in self.decided

    def first(self) -> int | None:
        if not self.items:
            return None
        return next((i for i, d in enumerate(self.items) if d.item not in self.decided), 0)

    def next_after(self, after: Pair | None) -> int | None:
        if not self.items:
            return None
        start = self.index.get(pair_key(*after), self.current) + 1 if after else 0
        for k in range(len(self.items)):
            i = (start + k) % len(self.items)
            if self.items[i].item not in self.decided:
                return i
        return None

    def undone(self, mark: Mark) -> None:
        pair = (mark.claim_a, mark.claim_b)
        if (
            mark.action == MarkAction.FINAL
            and self.state.book.standing(pair, mark.reviewer, final=True) is None
        ):
            self.decided.discard(pair_key(*pair))

    def progress(self) -> str:
        done = sum(1 for d in self.items if d.item in self.decided)
        return f"decided {done}/{len(self.items)}"
