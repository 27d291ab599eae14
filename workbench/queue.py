"""The review queue, in one place: which candidate pairs a reviewer is shown, in what order.

Pure core. The store selects the rows that propose a pair (`workbench.store.proposed`, the
SQL form of the rule below); `build_queue` folds them into one item per pair and orders them;
the review app and `workbench queue` both show exactly that list, skipping what the
reviewer has marked.

The rule: a pair is proposed when one claim is the other's best candidate in that article
with a score of at least the floor (`--min-score`), half its discrepancy counting towards
the score; or when the two likely state one fact differently (a discrepancy of at least
STRONG_DISCREPANCY), whatever their score.

The orders:
- "contradictions" (the default): the likely contradictions first (discrepancy of at least
  LIKELY_DISCREPANCY, the strongest first), then the rest as in "claims";
- "claims": claim by claim, the claims that most sources report first (most proposed
  partners), each with its partners in the other articles in article order; a pair is
  listed under the first of its two claims to come up.
Two claims of one article with the same words (a headline repeated as the first sentence)
are one claim in the queue: pairs with the repeat are dropped where the first has the same
partner.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import NamedTuple

import numpy as np

# A pair is proposed when one claim is the other's best candidate in that article with a
# score of at least this (`--min-score`), ...
DEFAULT_MIN_SCORE = 40.0
# A discrepancy (0-100) counts this much towards the floor ...
DISCREPANCY_WEIGHT = 0.5
# ... and from this one up the pair is proposed whatever its score.
STRONG_DISCREPANCY = 50.0
# In the default order, pairs from this discrepancy up come first.
LIKELY_DISCREPANCY = 30.0

ORDERS = ("contradictions", "claims")
DEFAULT_ORDER = "contradictions"

# (claim, candidate, score, rank, discrepancy): a candidate row that proposes its pair (the
# claims by id, or by any other name that `place` knows)
ProposingRow = tuple[Hashable, Hashable, float, int, float]


class QueueItem(NamedTuple):
    """One proposed pair, oriented as it is shown: `left` is the claim under review. (A
    named tuple: a 500-article story's queue makes 1.3 million of them, 5x faster than a
    frozen dataclass's.)"""

    left: str
    right: str
    score: float  # the best score of the rows proposing it
    rank: int  # the best rank (1 = one claim is the other's best in its article)
    discrepancy: float  # 0-100

    @property
    def pair(self) -> tuple[str, str]:
        return (self.left, self.right)

    @property
    def likely_contradiction(self) -> bool:
        return self.discrepancy >= LIKELY_DISCREPANCY


Place = Callable[[Hashable], tuple[int, int]]  # claim -> (article's position, ordinal)


def build_queue(
    rows: Iterable[ProposingRow],
    place: Place,
    *,
    order: str = DEFAULT_ORDER,
    duplicate_of: Mapping[Hashable, Hashable] | None = None,
    names: Mapping[Hashable, str] | None = None,
) -> list[QueueItem]:
    """The queue of a story from the rows that propose its pairs. `place` gives a claim's
    article position (the story's article order) and ordinal; `duplicate_of` maps a repeat
    to the first claim of its article with the same words; `names` gives the id an item
    shows for a claim the rows name otherwise (the store's integer keys).

    Claims become integers in (place, id) order and the pairs are folded, walked and
    ordered with numpy: a 100-article story proposes some 60,000 pairs, and the review app
    builds its queue when it opens."""
    if order not in ORDERS:
        raise ValueError(f"unknown queue order {order!r} (choose from {', '.join(ORDERS)})")
    rows = list(rows)
    if not rows:
        return []
    m = len(rows)
    named, at = _distinct([row[0] for row in rows] + [row[1] for row in rows])
    by_place = sorted(range(len(named)), key=lambda k: (place(named[k]), named[k]))
    ids = [named[k] for k in by_place]
    n = len(ids)
    code = np.empty(n, np.int64)
    code[by_place] = np.arange(n)  # a claim's place in (place, id) order
    a, b = code[at[:m]], code[at[m:]]
    key, score, rank, disc = _fold(
        np.minimum(a, b) * n + np.maximum(a, b),
        np.fromiter(map(itemgetter(2), rows), np.float64, m),
        np.fromiter(map(itemgetter(3), rows), np.int64, m),
        np.fromiter(map(itemgetter(4), rows), np.float64, m),
    )
    if duplicate_of:
        first = np.arange(n)
        code_of = dict(zip(ids, range(n), strict=True))
        absent: dict[Hashable, int] = {}  # first claims no row names: codes from n up
        for repeat, original in duplicate_of.items():
            if repeat in code_of:
                where = code_of.get(original)
                first[code_of[repeat]] = (
                    where if where is not None else absent.setdefault(original, n + len(absent))
                )
        keep = ~_has_canonical(key, first, n, n + len(absent))
        key, score, rank, disc = key[keep], score[keep], rank[keep], disc[keep]
    walk, left, right = _by_claim(key, n)
    score, rank, disc = score[walk], rank[walk], disc[walk]
    if order == "claims":
        shown = np.arange(len(walk))
    else:
        likely = np.flatnonzero(disc >= LIKELY_DISCREPANCY)
        likely = likely[np.lexsort((likely, -score[likely], -disc[likely]))]
        shown = np.concatenate([likely, np.flatnonzero(disc < LIKELY_DISCREPANCY)])
    shown_ids = np.empty(n, dtype=object)  # the ids gathered by numpy, not a Python loop
    shown_ids[:] = ids if names is None else [names[claim] for claim in ids]
    return list(
        map(
            QueueItem,
            shown_ids[left[shown]].tolist(),
            shown_ids[right[shown]].tolist(),
            score[shown].tolist(),
            rank[shown].tolist(),
            disc[shown].tolist(),
        )
    )


def _distinct(claims: list) -> tuple[list, np.ndarray]:
    """The distinct claims in sorted order, and where each of `claims` is among them (what
    `np.unique(..., return_inverse=True)` gives): by a table for the store's integer keys
    (sorting 5 million of them takes a second), by sorting for any other names."""
    if claims and type(claims[0]) is int:
        try:
            keys = np.fromiter(claims, np.int64, len(claims))
        except (TypeError, ValueError, OverflowError):  # not all of them integers
            keys = np.empty(0, np.int64)
        low, high = (int(keys.min()), int(keys.max())) if len(keys) else (-1, -1)
        if low >= 0 and high < 8 * len(keys) + 1_000_000:
            seen = np.zeros(high + 1, dtype=bool)
            seen[keys] = True
            where = np.cumsum(seen) - 1
            return np.flatnonzero(seen).tolist(), where[keys]
    names, at = np.unique(np.asarray(claims), return_inverse=True)
    return names.tolist(), at.reshape(-1)


def _fold(
    key: np.ndarray, score: np.ndarray, rank: np.ndarray, disc: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One entry per unordered pair (`key`: low claim * n + high claim), in key order: best
    score, best rank, strongest discrepancy of its rows."""
    by_key = np.argsort(key, kind="stable")
    key = key[by_key]
    starts = np.flatnonzero(np.diff(key, prepend=-1))
    return (
        key[starts],
        np.maximum.reduceat(score[by_key], starts),
        np.minimum.reduceat(rank[by_key], starts),
        np.maximum.reduceat(disc[by_key], starts),
    )


def _has_canonical(key: np.ndarray, first: np.ndarray, n: int, codes: int) -> np.ndarray:
    """Pairs with a repeated claim whose pair with the first claims (`first`: each claim's
    first claim of its article with the same words, or itself; `codes` bounds them, as a
    first claim may be in no row) is in the queue too. A first claim is never a repeat, so
    such a pair is never dropped itself."""
    low, high = key // n, key % n
    first_low, first_high = first[low], first[high]
    moved = (first_low != low) | (first_high != high)
    canonical = np.minimum(first_low, first_high) * codes + np.maximum(first_low, first_high)
    present = low * codes + high  # the same order as `key`: (low, high)
    at = np.minimum(np.searchsorted(present, canonical), len(present) - 1)
    return moved & (present[at] == canonical)


def _by_claim(key: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The "claims" walk: (positions into `key` in walk order, the claim each pair is listed
    under, its partner). The claims with most partners come first (ties: place); a pair is
    listed under the first of its two claims to come up; a claim's pairs come in its
    partners' place order."""
    low, high = key // n, key % n
    partners = np.bincount(low, minlength=n) + np.bincount(high, minlength=n)
    turn = np.empty(n, np.int64)
    turn[np.lexsort((np.arange(n), -partners))] = np.arange(n)  # each claim's turn
    left = np.where(turn[low] <= turn[high], low, high)
    right = low + high - left
    walk = np.lexsort((right, turn[left]))
    return walk, left[walk], right[walk]


# What a character test `ch.isalnum() or ch.isspace()` drops: re's \w is isalnum() and "_",
# its \s is isspace().
_NOT_WORD_OR_SPACE = re.compile(r"[^\w\s]|_")


def duplicate_claims(claims: Sequence[tuple[Hashable, str, str]]) -> dict[Hashable, Hashable]:
    """(claim id, article id, text) in reading order -> {repeat: the first claim of its
    article with the same words} (case, spacing and punctuation aside)."""
    first: dict[tuple[str, str], str] = {}
    out: dict[str, str] = {}
    for claim, article, text in claims:
        words = " ".join(_NOT_WORD_OR_SPACE.sub("", text.casefold()).split())
        if not words:
            continue
        seen = first.setdefault((article, words), claim)
        if seen != claim:
            out[claim] = seen
    return out
