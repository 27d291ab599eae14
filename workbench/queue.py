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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

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

# (claim, candidate, score, rank, discrepancy): a candidate row that proposes its pair
ProposingRow = tuple[str, str, float, int, float]


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One proposed pair, oriented as it is shown: `left` is the claim under review."""

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


Place = Callable[[str], tuple[int, int]]  # claim id -> (article's position, ordinal)


def build_queue(
    rows: Iterable[ProposingRow],
    place: Place,
    *,
    order: str = DEFAULT_ORDER,
    duplicate_of: Mapping[str, str] | None = None,
) -> list[QueueItem]:
    """The queue of a story from the rows that propose its pairs. `place` gives a claim's
    article position (the story's article order) and ordinal; `duplicate_of` maps a repeat
    to the first claim of its article with the same words."""
    if order not in ORDERS:
        raise ValueError(f"unknown queue order {order!r} (choose from {', '.join(ORDERS)})")
    pairs = _fold(rows, duplicate_of or {})
    walk = _by_claim(pairs, place)
    if order == "claims":
        return walk
    likely = sorted(
        (item for item in walk if item.likely_contradiction),
        key=lambda item: (-item.discrepancy, -item.score),
    )  # stable: ties keep the walk's order
    return likely + [item for item in walk if not item.likely_contradiction]


def _fold(
    rows: Iterable[ProposingRow], duplicate_of: Mapping[str, str]
) -> dict[tuple[str, str], tuple[float, int, float]]:
    """One entry per unordered pair: (best score, best rank, strongest discrepancy)."""
    folded: dict[tuple[str, str], tuple[float, int, float]] = {}
    for a, b, score, rank, disc in rows:
        key = (a, b) if a <= b else (b, a)
        old = folded.get(key)
        folded[key] = (
            (score, rank, disc)
            if old is None
            else (max(old[0], score), min(old[1], rank), max(old[2], disc))
        )
    if duplicate_of:
        for a, b in list(folded):
            first_a, first_b = duplicate_of.get(a, a), duplicate_of.get(b, b)
            if (first_a, first_b) == (a, b):
                continue
            canonical = (first_a, first_b) if first_a <= first_b else (first_b, first_a)
            if canonical in folded:
                del folded[(a, b)]
    return folded


def _by_claim(
    pairs: Mapping[tuple[str, str], tuple[float, int, float]], place: Place
) -> list[QueueItem]:
    partners: dict[str, list[str]] = {}
    for a, b in pairs:
        partners.setdefault(a, []).append(b)
        partners.setdefault(b, []).append(a)
    claims = sorted(partners, key=lambda c: (-len(partners[c]), place(c), c))
    out: list[QueueItem] = []
    listed: set[tuple[str, str]] = set()
    for claim in claims:
        for other in sorted(partners[claim], key=lambda c: (place(c), c)):
            key = (claim, other) if claim <= other else (other, claim)
            if key in listed:
                continue
            listed.add(key)
            score, rank, disc = pairs[key]
            out.append(QueueItem(claim, other, score, rank, disc))
    return out


def duplicate_claims(claims: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """(claim id, article id, text) in reading order -> {repeat: the first claim of its
    article with the same words} (case, spacing and punctuation aside)."""
    first: dict[tuple[str, str], str] = {}
    out: dict[str, str] = {}
    for claim, article, text in claims:
        words = " ".join(
            "".join(ch for ch in text.casefold() if ch.isalnum() or ch.isspace()).split()
        )
        if not words:
            continue
        seen = first.setdefault((article, words), claim)
        if seen != claim:
            out[claim] = seen
    return out
