"""What the review app knows, as plain Python: no Textual, no SQL.

The app builds these objects from rows that `workbench.store` returns, mutates them on the
event loop only, and renders them. Keeping them free of Textual lets the queue rules be
tested (and reasoned about) on their own.

The review queue
----------------
A *view* is an ordered pair of articles of one story (left, right). Its *proposed pairs* are
every pair (x, y), x in left and y in right, where y is x's best candidate in the right
article or x is y's best candidate in the left article (rank 1 in either direction), with a
score at or above the floor, and neither claim boilerplate. The set is symmetric, so the
views (L, R) and (R, L) propose the same pairs. Within a view the queue runs in the reading
order of the left article, a claim's partners best score first.

Which view comes next, and "the next unmarked pair", is the review queue's rule
(`workbench.tui.session.ReviewQueue`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from rich.cells import cell_len

from workbench.hints import find_hints
from workbench.models import Article, Claim, ClaimKind, Hint, Label, Mark, MarkAction, pair_key

Pair = tuple[str, str]  # (left claim id, right claim id), in view orientation

MARKERS: dict[Label, tuple[str, str]] = {
    Label.AGREE: ("✓", "agree"),
    Label.CONTRADICT: ("✗", "contra"),
    Label.UNRELATED: ("∅", "unrel"),
    Label.UNSURE: ("?", "unsure"),
}


@dataclass(frozen=True)
class PaneMarker:
    """What the pane shows beside a claim that has marks on the pair on screen."""

    text_wide: str  # "✓ agree"
    text_narrow: str  # "✓"
    kind: str  # a label (your own mark) | other | final | split

    @classmethod
    def of(cls, label: Label, kind: str) -> PaneMarker:
        symbol, word = MARKERS[label]
        return cls(f"{symbol} {word}", symbol, kind)


SPLIT_MARKER = PaneMarker("≠ split", "≠", "split")
_SYMBOL_ORDER = "".join(symbol for symbol, _ in MARKERS.values()) + SPLIT_MARKER.text_narrow
_KIND_ORDER = (*(str(label) for label in MARKERS), "final", "other", "split")

Run = tuple[str, str]  # text, and the marker kind that styles it ("" for a gap)


def _order(symbol: str, kind: str) -> tuple[int, int]:
    """Markers in label order (✓ ✗ ∅ ? ≠), mine before finals before others'."""
    at = _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)
    return _SYMBOL_ORDER.find(symbol), at


@dataclass(frozen=True)
class ClaimMarks:
    """A claim's markers, one per pair of it that has a mark, against any article: the
    pane sums them up beside the claim, so no mark hides another."""

    marks: tuple[PaneMarker, ...]

    def runs(self, width: int) -> tuple[Run, ...]:
        """What fits in `width` cells: one pair as "✓ agree" (or "✓"); several by symbol
        and count, "✓2 ?1", else "✓2?1", else the symbols "✓?", else as many as fit and
        "…"."""
        if len(self.marks) == 1:
            mark = self.marks[0]
            text = mark.text_wide if cell_len(mark.text_wide) <= width else mark.text_narrow
            return ((text, mark.kind),)
        groups = self._groups()
        counted = [(f"{symbol}{n}", kind) for (symbol, kind), n in groups]
        spaced: list[Run] = []
        for run in counted:
            spaced += [(" ", ""), run] if spaced else [run]
        symbols = [(symbol, kind) for (symbol, kind), _ in groups]
        for runs in (spaced, counted, symbols):
            if sum(cell_len(text) for text, _ in runs) <= width:
                return tuple(runs)
        if width < 1:
            return ()
        return (*symbols[: width - 1], ("…", ""))  # symbols take a cell each

    def _groups(self) -> list[tuple[tuple[str, str], int]]:
        counts: dict[tuple[str, str], int] = {}
        for mark in self.marks:
            key = (mark.text_narrow, mark.kind)
            counts[key] = counts.get(key, 0) + 1
        return sorted(counts.items(), key=lambda item: _order(*item[0]))


# --- articles ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleDoc:
    """An article with its claims in reading order."""

    article: Article
    claims: tuple[Claim, ...]
    index: dict[str, int] = field(default_factory=dict, compare=False)
    starts: tuple[int, ...] = field(default=(), compare=False)

    @classmethod
    def build(cls, article: Article, claims: Iterable[Claim]) -> ArticleDoc:
        ordered = tuple(sorted(claims, key=lambda c: (c.start, c.ordinal)))
        return cls(
            article=article,
            claims=ordered,
            index={c.id: i for i, c in enumerate(ordered)},
            starts=tuple(c.start for c in ordered),
        )

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def name(self) -> str:
        """What the panes call the article: its outlet and title where known, else its
        source (a file name such as 000_b06f8e85b258ddf3.txt says little to a reader)."""
        known = [part.strip() for part in (self.article.outlet, self.article.title) if part]
        return " · ".join(part for part in known if part) or self.article.source

    def claim(self, claim_id: str) -> Claim:
        return self.claims[self.index[claim_id]]

    def claim_at(self, offset: int) -> Claim | None:
        """The claim covering a text offset, if any."""
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0 and self.claims[i].start <= offset < self.claims[i].end:
            return self.claims[i]
        return None

    def step(self, claim_id: str | None, delta: int) -> Claim | None:
        """The reviewable claim `delta` steps from `claim_id` (clamped at both ends)."""
        reviewable = [i for i, c in enumerate(self.claims) if c.kind != ClaimKind.BOILERPLATE]
        if not reviewable:
            return None
        if claim_id is None or claim_id not in self.index:
            return self.claims[reviewable[0] if delta >= 0 else reviewable[-1]]
        here = self.index[claim_id]
        pos = bisect.bisect_left(reviewable, here)
        if pos < len(reviewable) and reviewable[pos] == here:
            target = pos + delta
        else:  # on a boilerplate claim: the first step lands on a neighbour
            target = pos + delta - (1 if delta > 0 else 0)
        target = max(0, min(len(reviewable) - 1, target))
        return self.claims[reviewable[target]]

    def line_of(self, offset: int) -> int:
        """1-based line number of a text offset (for opening an editor there)."""
        return self.article.text.count("\n", 0, offset) + 1


@dataclass(frozen=True)
class StoryDoc:
    id: str
    name: str
    articles: tuple[ArticleDoc, ...]
    article_index: dict[str, int] = field(default_factory=dict, compare=False)
    claim_article: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, story_id: str, name: str, articles: Sequence[Article], claims: Iterable[Claim]):
        by_article: dict[str, list[Claim]] = {a.id: [] for a in articles}
        for claim in claims:
            if claim.article_id in by_article:
                by_article[claim.article_id].append(claim)
        docs = tuple(ArticleDoc.build(a, by_article[a.id]) for a in articles)
        return cls(
            id=story_id,
            name=name,
            articles=docs,
            article_index={d.id: i for i, d in enumerate(docs)},
            claim_article={c.id: d.id for d in docs for c in d.claims},
        )

    def doc(self, article_id: str) -> ArticleDoc:
        return self.articles[self.article_index[article_id]]

    def owns(self, claim_id: str) -> bool:
        return claim_id in self.claim_article


# --- candidates in one view ------------------------------------------------------------------


@dataclass(frozen=True)  # no slots: `hints` is cached in the instance dict
class PairInfo:
    left: str
    right: str
    score: float
    rank: int | None  # rank of `right` among left's candidates in the right article
    back_rank: int | None  # rank of `left` among right's candidates in the left article
    proposed: bool  # in the story's review queue (workbench.queue)
    left_text: str = field(default="", repr=False, compare=False)
    right_text: str = field(default="", repr=False, compare=False)
    discrepancy: float = 0.0  # 0-100: how likely the two state one fact differently
    stored: bool = True  # False: scored on demand for this view (not a candidate row)

    @cached_property
    def hints(self) -> tuple[Hint, ...]:
        """Where the two claims differ, oriented: a/a_span on the left claim, b/b_span on
        the right. Computed by the core on first access (only the pair on screen asks)."""
        return tuple(find_hints(self.left_text, self.right_text))


# claim, candidate, rank, score, discrepancy: a stored candidate row
CandidateRowT = tuple[str, str, int, float, float]
# The best claim of an article for a claim, scored on demand: (claim, article) -> (id, score)
OnDemand = Callable[[str, str], "tuple[str, float] | None"]


@dataclass
class ViewData:
    left: ArticleDoc
    right: ArticleDoc
    pairs: dict[Pair, PairInfo]
    queue: list[Pair]
    by_left: dict[str, list[PairInfo]]
    on_demand: OnDemand | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        left: ArticleDoc,
        right: ArticleDoc,
        rows: Iterable[CandidateRowT],
        proposed: Callable[[Pair], bool],
    ) -> ViewData:
        """The candidate rows between two articles, both directions folded into one entry per
        pair; `proposed` says which pairs the story's review queue holds (its one rule)."""
        found: dict[Pair, dict] = {}
        for claim, candidate, rank, score, disc in rows:
            if claim in left.index and candidate in right.index:
                key, forward = (claim, candidate), True
            elif claim in right.index and candidate in left.index:
                key, forward = (candidate, claim), False
            else:
                continue
            entry = found.setdefault(key, {"score": score, "rank": None, "back": None, "disc": 0.0})
            entry["score"] = max(entry["score"], score)
            entry["disc"] = max(entry["disc"], disc)
            entry["rank" if forward else "back"] = rank
        pairs: dict[Pair, PairInfo] = {}
        for (lc, rc), e in found.items():
            lclaim, rclaim = left.claim(lc), right.claim(rc)
            reviewable = (
                lclaim.kind != ClaimKind.BOILERPLATE and rclaim.kind != ClaimKind.BOILERPLATE
            )
            pairs[(lc, rc)] = PairInfo(
                lc, rc, e["score"], e["rank"], e["back"], reviewable and proposed((lc, rc)),
                lclaim.text, rclaim.text, e["disc"],
            )  # fmt: skip
        by_left: dict[str, list[PairInfo]] = {}
        for info in pairs.values():
            by_left.setdefault(info.left, []).append(info)
        for infos in by_left.values():
            infos.sort(key=lambda p: (not p.proposed, -p.score, right.index[p.right]))
        queue = sorted(
            (p for p, info in pairs.items() if info.proposed),
            key=lambda p: (left.index[p[0]], -pairs[p].score, right.index[p[1]]),
        )
        return cls(left, right, pairs, queue, by_left)

    def info(self, pair: Pair) -> PairInfo | None:
        return self.pairs.get(pair)

    def partner(self, left_claim: str) -> str | None:
        """The claim shown opposite `left_claim`: its first proposed partner, else its best
        stored candidate of any rank, else its best claim of the right article scored on
        demand (the store keeps what review needs, not every rank of every article pair),
        else None."""
        infos = self.by_left.get(left_claim)
        if infos:
            return infos[0].right
        if self.on_demand is None:
            return None
        found = self.on_demand(left_claim, self.right.id)
        if found is None:
            return None
        right, score = found
        lclaim, rclaim = self.left.claim(left_claim), self.right.claim(right)
        info = PairInfo(left_claim, right, score, 1, None, False, lclaim.text, rclaim.text,
                        stored=False)  # fmt: skip
        self.pairs[(left_claim, right)] = info
        self.by_left[left_claim] = [info]
        return right

    def proposed_for(self, left_claim: str) -> list[PairInfo]:
        return [p for p in self.by_left.get(left_claim, []) if p.proposed]


# --- marks ----------------------------------------------------------------------------------


def _kind(action: MarkAction) -> str:
    return "final" if action == MarkAction.FINAL else "mark"


@dataclass
class MarkBook:
    """Every mark row of the loaded stories, and who stands where on each pair.

    A reviewer's *standing* label on a pair is their latest row (of the same kind: a
    reviewer's mark or an editor's final) that no undo row withdraws.
    """

    rows: dict[str, Mark] = field(default_factory=dict)
    undone: set[str] = field(default_factory=set)
    groups: dict[tuple[Pair, str, str], list[str]] = field(default_factory=dict)
    by_claim: dict[str, set[Pair]] = field(default_factory=dict)
    pair_groups: dict[Pair, set[tuple[str, str]]] = field(default_factory=dict)
    _standing: dict[tuple[Pair, str, str], Mark | None] = field(default_factory=dict)

    def add(self, mark: Mark) -> bool:
        """Take in one row (idempotent). True if it changed anything."""
        if mark.id in self.rows:
            return False
        self.rows[mark.id] = mark
        if mark.action == MarkAction.UNDO:
            if not mark.undoes or mark.undoes in self.undone:
                return False  # an undo made here (`withdraw`) coming back from polling
            self.undone.add(mark.undoes)
            target = self.rows.get(mark.undoes)
            if target is not None:
                self._standing.pop(self._group(target), None)
            return True
        key = self._group(mark)
        self.groups.setdefault(key, []).append(mark.id)
        self._standing.pop(key, None)
        pair = key[0]
        self.pair_groups.setdefault(pair, set()).add((key[1], key[2]))
        self.by_claim.setdefault(pair[0], set()).add(pair)
        self.by_claim.setdefault(pair[1], set()).add(pair)
        return True

    def withdraw(self, mark_id: str) -> None:
        """Take an undo made here into account before its row comes back from polling."""
        if mark_id in self.undone:
            return
        self.undone.add(mark_id)
        target = self.rows.get(mark_id)
        if target is not None:
            self._standing.pop(self._group(target), None)

    def add_all(self, marks: Iterable[Mark]) -> bool:
        changed = False
        for mark in marks:
            changed = self.add(mark) or changed
        return changed

    @staticmethod
    def _group(mark: Mark) -> tuple[Pair, str, str]:
        return (pair_key(mark.claim_a, mark.claim_b), mark.reviewer, _kind(mark.action))

    def standing(self, pair: Pair, reviewer: str, *, final: bool = False) -> Mark | None:
        key = (pair_key(*pair), reviewer, "final" if final else "mark")
        if key not in self._standing:
            live = [self.rows[i] for i in self.groups.get(key, ()) if i not in self.undone]
            self._standing[key] = max(live, key=lambda m: (m.created_at, m.id)) if live else None
        return self._standing[key]

    def note(self, pair: Pair, reviewer: str, *, final: bool = False) -> str | None:
        """The reviewer's latest note on the pair among rows still standing in history."""
        key = (pair_key(*pair), reviewer, "final" if final else "mark")
        noted = [
            self.rows[i]
            for i in self.groups.get(key, ())
            if i not in self.undone and self.rows[i].note
        ]
        return max(noted, key=lambda m: (m.created_at, m.id)).note if noted else None

    def reviewers(self, pair: Pair, *, final: bool = False) -> dict[str, Mark]:
        """Each reviewer's standing mark (or final) on the pair, by reviewer name."""
        p = pair_key(*pair)
        kind = "final" if final else "mark"
        out = {}
        for name in sorted(r for (r, k) in self.pair_groups.get(p, ()) if k == kind):
            mark = self.standing(p, name, final=final)
            if mark is not None:
                out[name] = mark
        return out

    def standing_pairs(self, reviewer: str, owns: Callable[[str], bool]) -> set[Pair]:
        """Pairs (pair_key order) on which `reviewer` has a standing mark, among the claims
        `owns` accepts (a story's)."""
        return {
            pair
            for pair, groups in self.pair_groups.items()
            if (reviewer, "mark") in groups
            and owns(pair[0])
            and self.standing(pair, reviewer) is not None
        }

    def pairs_of(self, claim_id: str) -> set[Pair]:
        return self.by_claim.get(claim_id, set())


@dataclass
class Session:
    """This run's marks, for the header: count and pace."""

    started: float
    marks: int = 0

    def pace(self, now: float) -> float:
        minutes = max(now - self.started, 30.0) / 60.0  # no wild figures in the first seconds
        return self.marks / minutes


@dataclass(frozen=True, slots=True)
class StoryProgress:
    articles: int
    claims: int
    proposed: int
    marked: int
    contradictions: int
