"""The review app's navigation rules, as plain Python (no Textual): where the reviewer is
(`Position`), the views loaded so far (`ViewCache`), and the two queues a session walks:
`ReviewQueue` (the proposed pairs of a story, in today's order) and `AdjudicationQueue` (the
disagreement queue of `workbench.agreement`). The order is the queue's alone: another rule is
another queue class with the same methods.
"""

from __future__ import annotations

import asyncio
from collections import Counter, OrderedDict
from dataclasses import dataclass

from workbench.agreement import Disagreement
from workbench.models import Mark, MarkAction, pair_key
from workbench.tui.model import Pair, PairInfo, StoryDoc, ViewData
from workbench.tui.state import AppState

NEARBY_VIEWS = 6  # views searched one by one before asking the database for what is left
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

    def orient(self, pair: Pair, story: StoryDoc | None = None) -> Target:
        """The view showing a pair: the current left article stays on the left when it holds
        one of the two claims; otherwise the earlier article of the story goes left."""
        story = story or self.story
        assert story is not None
        a, b = pair
        ia = story.article_index[story.claim_article[a]]
        ib = story.article_index[story.claim_article[b]]
        keep_left = story is self.story and self.left in (ia, ib)
        if (keep_left and ib == self.left) or (not keep_left and ib < ia):
            ia, ib, a, b = ib, ia, b, a
        return Target(ia, ib, (a, b), story.id)


class ViewCache:
    """The views of the story on screen loaded so far, the most recent `size` kept."""

    def __init__(self, state: AppState, size: int = VIEW_CACHE):
        self.state = state
        self.size = size
        self._story: StoryDoc | None = None
        self._views: OrderedDict[tuple[str, str], ViewData] = OrderedDict()

    async def get(self, story: StoryDoc, left: int, right: int) -> ViewData:
        if story is not self._story:  # another story: start afresh
            self._story = story
            self._views.clear()
        ldoc, rdoc = story.articles[left], story.articles[right]
        key = (ldoc.id, rdoc.id)
        view = self._views.get(key)
        if view is None:
            view = await self.state.gateway.view(ldoc, rdoc, min_score=self.state.min_score)
            self._views[key] = view
            if len(self._views) > self.size:
                self._views.popitem(last=False)
        else:
            self._views.move_to_end(key)
        return view


class ReviewQueue:
    """Today's review queue: in each view, the proposed pairs (`ViewData.queue`: the left
    article's reading order, a claim's partners best score first). "Next unmarked" looks
    after the current position in the view, then steps the right article through the other
    articles, then moves the left article on through the story, and finally wraps around to
    the pairs before the starting point. It opens after the reviewer's latest mark.

    It also keeps the progress exactly, without reloading: which of my standing marks are on
    proposed pairs (checked once, then kept up to date here), and how many pairs each article
    pair proposes (counted once on the background lane)."""

    def __init__(self, state: AppState, views: ViewCache, position: Position):
        self.state = state
        self.views = views
        self.position = position
        self.story: StoryDoc | None = None
        self.mine_proposed: set[Pair] = set()
        self.pair_counts: dict[tuple[int, int], int] | None = None
        self._counts: asyncio.Task[dict[tuple[int, int], int]] | None = None

    def is_done(self, pair: Pair) -> bool:
        return self.state.book.standing(pair, self.state.reviewer) is not None

    async def load(self, story: StoryDoc) -> None:
        """My marks in this story that are on proposed pairs, checked on the interactive lane
        (so marks made after it are counted on top, exactly once); the per-article-pair
        counts come from the background lane and fill in the total when they arrive."""
        self.story = story
        await self.recount_mine()
        self.pair_counts = None
        self._counts = asyncio.ensure_future(self._load_counts(story))

    async def recount_mine(self) -> None:
        state, story = self.state, self.story
        assert story is not None
        mine = state.book.standing_pairs(state.reviewer, story.owns)
        self.mine_proposed = await state.gateway.proposed_among(mine, min_score=state.min_score)

    async def counted(self) -> None:
        """Wait until the per-article-pair counts are in."""
        if self._counts is not None:
            await self._counts

    async def _load_counts(self, story: StoryDoc) -> dict[tuple[int, int], int]:
        try:
            by_ids = await self.state.proposed_counts(story.id)
        except RuntimeError:  # the app is closing
            return {}
        counts = {}
        for (a1, a2), n in by_ids.items():
            i, j = story.article_index[a1], story.article_index[a2]
            counts[(min(i, j), max(i, j))] = n
        if self.story is story:
            self.pair_counts = counts
        return counts

    def progress(self) -> str:
        total = "…" if self.pair_counts is None else str(sum(self.pair_counts.values()))
        return f"marked {len(self.mine_proposed)}/{total}"

    def marked(self, pair: Pair, info: PairInfo | None) -> None:
        if info is not None and info.proposed:
            self.mine_proposed.add(pair_key(*pair))

    def undone(self, mark: Mark) -> None:
        pair = (mark.claim_a, mark.claim_b)
        if mark.action == MarkAction.MARK and self.state.book.standing(pair, mark.reviewer) is None:
            self.mine_proposed.discard(pair_key(*pair))

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
            where = self.position.orient((latest.claim_a, latest.claim_b), story)
            found = await self.next_after(where.left, where.right, where.pair)
            return found or where
        found = await self.next_after(0, 1, None, include_current=True)
        return found or Target(0, 1, None)

    async def next_after(
        self, left: int, right: int, after: Pair | None, *, include_current: bool = False
    ) -> Target | None:
        """The next unmarked pair after `after` in view (left, right), or None."""
        story = self.story
        assert story is not None
        is_done = self.is_done
        view = await self.views.get(story, left, right)
        found = view.next_unmarked(None if include_current else after, is_done)
        if found is not None:
            return Target(left, right, found)
        sequence = list(story.view_sequence(left, right))[1:]
        for li, ri in sequence[:NEARBY_VIEWS]:
            found = (await self.views.get(story, li, ri)).next_unmarked(None, is_done)
            if found is not None:
                return Target(li, ri, found)
        rest = sequence[NEARBY_VIEWS:]
        if rest and self._counts is not None:
            # Further away, skip the article pairs whose proposed pairs are all marked.
            counts = await self._counts
            done = Counter(self._article_pair(p) for p in self.mine_proposed)
            for li, ri in rest:
                key = (min(li, ri), max(li, ri))
                if counts.get(key, 0) > done.get(key, 0):
                    found = (await self.views.get(story, li, ri)).next_unmarked(None, is_done)
                    if found is not None:
                        return Target(li, ri, found)
        if after is not None and not include_current:
            found = view.next_unmarked(None, is_done, before=after)
            if found is not None:
                return Target(left, right, found)
        return None

    def _article_pair(self, pair: Pair) -> tuple[int, int]:
        story = self.story
        assert story is not None
        i = story.article_index[story.claim_article[pair[0]]]
        j = story.article_index[story.claim_article[pair[1]]]
        return (min(i, j), max(i, j))


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
