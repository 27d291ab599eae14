"""Inter-rater agreement over plain data: percent agreement, Cohen's and Fleiss' kappa,
Krippendorff's alpha (nominal), confusion tables, and the disagreement queue.

Nothing here reads the database: callers pass `Rating`s (the CLI builds them from the
standing marks). A rating whose label is None or "unsure" is no rating at all.

Undefined statistics are None, never NaN: a kappa whose chance agreement is 1 (both raters
used one and the same category throughout), an alpha with no pairable values or no
variation at all. JSON has no NaN, and "undefined" is what these cases are.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

NO_RATING = frozenset({None, "unsure"})
# The order labels are shown in; labels not listed here follow, sorted.
LABEL_ORDER = ("agree", "contradict", "unrelated")


@dataclass(frozen=True, slots=True)
class Rating:
    """One rater's label for one item (for the workbench: a reviewer's standing mark)."""

    item: Hashable
    rater: str
    label: str | None
    story: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class PairwiseAgreement:
    a: str
    b: str
    n: int
    percent_agreement: float | None
    cohen_kappa: float | None
    labels: tuple[str, ...] = ()
    confusion: tuple[tuple[int, ...], ...] = ()  # rows: a's label, columns: b's label

    def to_json(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "n": self.n,
            "percent_agreement": self.percent_agreement,
            "cohen_kappa": self.cohen_kappa,
        }


@dataclass(frozen=True, slots=True)
class GroupAgreement:
    """Figures for a subset of the items (one story)."""

    items: int
    percent_agreement: float | None
    krippendorff_alpha: float | None
    fleiss_kappa: float | None

    def to_json(self) -> dict:
        return {
            "items": self.items,
            "percent_agreement": self.percent_agreement,
            "krippendorff_alpha": self.krippendorff_alpha,
            "fleiss_kappa": self.fleiss_kappa,
        }


@dataclass(frozen=True, slots=True)
class LabelAgreement:
    """One label against the rest: how often it was given, and alpha for "L or not L"."""

    ratings: int
    krippendorff_alpha: float | None

    def to_json(self) -> dict:
        return {"ratings": self.ratings, "krippendorff_alpha": self.krippendorff_alpha}


@dataclass(frozen=True, slots=True)
class AgreementSummary:
    reviewers: tuple[str, ...]
    items: int
    labels: tuple[str, ...]
    percent_agreement: float | None
    krippendorff_alpha: float | None
    fleiss_kappa: float | None
    pairwise: tuple[PairwiseAgreement, ...]
    per_story: dict[str, GroupAgreement] = field(default_factory=dict)
    per_label: dict[str, LabelAgreement] = field(default_factory=dict)
    # What the figures leave out: unsure marks (no rating, unless counted as a label), and
    # pairs that kept fewer than two ratings (nothing to agree or disagree on).
    unsure_left_out: int = 0
    single_rated_left_out: int = 0
    unsure_is_a_label: bool = False

    def to_json(self) -> dict:
        return {
            "reviewers": list(self.reviewers),
            "items": self.items,
            "left_out": {
                "unsure_marks": self.unsure_left_out,
                "pairs_with_one_rating": self.single_rated_left_out,
            },
            "unsure_is_a_label": self.unsure_is_a_label,
            "krippendorff_alpha": self.krippendorff_alpha,
            "fleiss_kappa": self.fleiss_kappa,
            "pairwise": [p.to_json() for p in self.pairwise],
            "percent_agreement": self.percent_agreement,
            "labels": list(self.labels),
            "per_story": {name: g.to_json() for name, g in self.per_story.items()},
            "per_label": {name: g.to_json() for name, g in self.per_label.items()},
            "confusion": [
                {
                    "a": p.a,
                    "b": p.b,
                    "labels": list(p.labels),
                    "table": [list(r) for r in p.confusion],
                }
                for p in self.pairwise
            ],
        }


@dataclass(frozen=True, slots=True)
class Disagreement:
    """An item the raters do not agree on; `agreement` is its `majority_share`."""

    item: Hashable
    agreement: float
    labels: dict[str, str]
    notes: dict[str, str | None]
    story: str | None = None


# --- two raters -------------------------------------------------------------------------------


def confusion_matrix(
    a: Sequence[Hashable], b: Sequence[Hashable], labels: Sequence[Hashable]
) -> np.ndarray:
    """Counts of (a's label, b's label); rows follow `labels` for a, columns for b."""
    if len(a) != len(b):
        raise ValueError("both raters need the same number of ratings")
    index = {label: i for i, label in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for x, y in zip(a, b, strict=True):
        table[index[x], index[y]] += 1
    return table


def percent_agreement_from_table(table: np.ndarray | Sequence[Sequence[float]]) -> float | None:
    t = np.asarray(table, dtype=float)
    total = t.sum()
    return float(np.trace(t) / total) if total > 0 else None


def cohen_kappa_from_table(table: np.ndarray | Sequence[Sequence[float]]) -> float | None:
    """Unweighted Cohen's kappa of a square confusion table (rater a rows, rater b columns)."""
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] != t.shape[1]:
        raise ValueError("a confusion table must be square")
    total = float(t.sum())
    # kappa = (p_o - p_e) / (1 - p_e), multiplied through by total^2: chance agreement is
    # exactly 1 only when both raters used one and the same category, and testing the
    # scaled denominator for zero says so exactly (np.isclose(p_e, 1) also refused
    # defined values, such as kappa 0 over 100,000 items with one disagreement).
    chance = float(t.sum(axis=1) @ t.sum(axis=0))
    denominator = total * total - chance
    if total <= 0 or denominator <= 0:
        return None
    return (total * float(np.trace(t)) - chance) / denominator


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two raters' labels for the same items, in the same order."""
    labels = ordered_labels(set(a) | set(b))
    return cohen_kappa_from_table(confusion_matrix(a, b, labels))


# --- many raters ------------------------------------------------------------------------------


def fleiss_kappa_from_table(table: np.ndarray | Sequence[Sequence[float]]) -> float | None:
    """Fleiss' kappa of a subjects x categories table of counts (every row the same sum)."""
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] == 0:
        return None
    raters = t.sum(axis=1)
    if not np.allclose(raters, raters[0]):
        raise ValueError("Fleiss' kappa needs the same number of ratings for every subject")
    n = raters[0]
    if n < 2:
        return None
    totals = t.sum(axis=0)
    if np.count_nonzero(totals) < 2:  # one category only: chance agreement is exactly 1
        return None
    per_subject = ((t * t).sum(axis=1) - n) / (n * (n - 1))
    shares = totals / totals.sum()
    expected = float(shares @ shares)
    return float((per_subject.mean() - expected) / (1.0 - expected))


def fleiss_kappa(units: Iterable[Iterable[Hashable]]) -> float | None:
    """Fleiss' kappa of raw labels, one list per item; None (not an error) when items do not
    all have the same number of ratings, or there are none."""
    counts, _ = _count_table(units)
    if counts.shape[0] == 0:
        return None
    raters = counts.sum(axis=1)
    if not np.all(raters == raters[0]):
        return None
    return fleiss_kappa_from_table(counts)


def krippendorff_alpha_nominal(units: Iterable[Iterable[Hashable]]) -> float | None:
    """Krippendorff's alpha for nominal data. Each unit is the list of values it received
    (None = missing, dropped); units with fewer than two values are not pairable."""
    counts, _ = _count_table(units)
    return krippendorff_alpha_from_counts(counts)


def krippendorff_alpha_from_counts(counts: np.ndarray) -> float | None:
    """Alpha (nominal) from a units x values table of counts, via the coincidence matrix:
    alpha = 1 - (n - 1) * sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1) / (n^2 - sum_c n_c^2)."""
    c = np.asarray(counts, dtype=float)
    if c.ndim != 2 or c.size == 0:
        return None
    m = c.sum(axis=1)
    c, m = c[m >= 2], m[m >= 2]
    n = m.sum()
    if n < 2:
        return None
    observed = float((((m * m) - (c * c).sum(axis=1)) / (m - 1)).sum())
    totals = c.sum(axis=0)
    expected = float(n * n - totals @ totals)
    if expected <= 0:
        return None
    return 1.0 - (n - 1) * observed / expected


def reliability_data_units(rows: Sequence[Sequence[Hashable]]) -> list[list[Hashable]]:
    """Coders x units (None = missing), the usual layout of published examples, as units."""
    return [list(column) for column in zip(*rows, strict=True)]


def majority_share(labels: Iterable[Hashable]) -> float | None:
    """Share of one item's ratings that give its most common label (None with none): 1/2
    for a 1-1 split, 2/3 for 2-1, 1/3 for three different labels. The disagreement queue
    (and the adjudication screen, which shows it) reads "agreement 50%" as "half the raters
    are on the leading label"; the share of matching rater pairs would read 0% there."""
    counts = Counter(labels)
    total = sum(counts.values())
    return max(counts.values()) / total if total else None


# --- the workbench view -----------------------------------------------------------------------


def ordered_labels(labels: Iterable[Hashable]) -> tuple:
    present = set(labels)
    known = [label for label in LABEL_ORDER if label in present]
    rest = sorted((label for label in present if label not in LABEL_ORDER), key=str)
    return tuple(known + rest)


def rated_items(
    ratings: Iterable[Rating], *, unsure_is_a_label: bool = False
) -> dict[Hashable, dict[str, Rating]]:
    """item -> rater -> rating, keeping real ratings only (unsure and None dropped, unless
    `unsure_is_a_label`: then only None is)."""
    items: dict[Hashable, dict[str, Rating]] = defaultdict(dict)
    for rating in ratings:
        if rating.label is None or (rating.label in NO_RATING and not unsure_is_a_label):
            continue
        if rating.rater in items[rating.item]:
            raise ValueError(f"{rating.rater!r} rated item {rating.item!r} twice")
        items[rating.item][rating.rater] = rating
    return dict(items)


def summarize(ratings: Iterable[Rating], *, unsure_is_a_label: bool = False) -> AgreementSummary:
    """Every figure `workbench agreement` shows, over the items with two or more ratings;
    and how many unsure marks and once-rated pairs that leaves out. With
    `unsure_is_a_label`, an unsure mark is a rating like any other (a category)."""
    ratings = list(ratings)
    unsure = 0 if unsure_is_a_label else sum(r.label in NO_RATING for r in ratings)
    rated = rated_items(ratings, unsure_is_a_label=unsure_is_a_label)
    items = {k: v for k, v in rated.items() if len(v) >= 2}
    marked = {r.item for r in ratings if r.label is not None}
    keys = sorted(items, key=str)
    reviewers = tuple(sorted({r for key in keys for r in items[key]}))
    labels = ordered_labels(r.label for key in keys for r in items[key].values())
    units = [[r.label for r in items[key].values()] for key in keys]

    pairwise = tuple(
        _pairwise(a, b, [items[key] for key in keys], labels)
        for a, b in itertools.combinations(reviewers, 2)
    )
    by_story: dict[str, list[list[Hashable]]] = defaultdict(list)
    for key, unit in zip(keys, units, strict=True):
        story = next(iter(items[key].values())).story
        if story is not None:
            by_story[story].append(unit)
    per_story = {name: _group(group) for name, group in sorted(by_story.items())}
    per_label = {
        label: LabelAgreement(
            ratings=sum(unit.count(label) for unit in units),
            krippendorff_alpha=krippendorff_alpha_nominal(
                [[value == label for value in unit] for unit in units]
            ),
        )
        for label in labels
    }
    group = _group(units)
    return AgreementSummary(
        reviewers=reviewers,
        items=len(units),
        labels=labels,
        percent_agreement=group.percent_agreement,
        krippendorff_alpha=group.krippendorff_alpha,
        fleiss_kappa=group.fleiss_kappa,
        pairwise=pairwise,
        per_story=per_story,
        per_label=per_label,
        unsure_left_out=unsure,
        single_rated_left_out=len(marked) - len(items),
        unsure_is_a_label=unsure_is_a_label,
    )


def disagreements(
    ratings: Iterable[Rating], *, unsure_is_a_label: bool = False
) -> list[Disagreement]:
    """The disagreement queue: items whose raters do not all agree, lowest agreement
    (`majority_share`) first, then most raters first, then by story and item. By default an
    unsure mark is no rating; with `unsure_is_a_label` it is a label of its own, so "agree"
    against "unsure" also needs an editor. `workbench review --adjudicate` walks this queue."""
    per_item: dict[Hashable, dict[str, Rating]] = defaultdict(dict)
    for rating in ratings:
        if rating.label is None or (rating.label == "unsure" and not unsure_is_a_label):
            continue
        per_item[rating.item][rating.rater] = rating
    queue = []
    for item, by_rater in per_item.items():
        score = majority_share(r.label for r in by_rater.values())
        if score is None or score >= 1.0:
            continue
        raters = sorted(by_rater)
        queue.append(
            Disagreement(
                item=item,
                agreement=score,
                labels={r: by_rater[r].label for r in raters},
                notes={r: by_rater[r].note for r in raters},
                story=by_rater[raters[0]].story,
            )
        )
    queue.sort(key=lambda d: (d.agreement, -len(d.labels), str(d.story or ""), str(d.item)))
    return queue


def _pairwise(
    a: str, b: str, items: list[dict[str, Rating]], labels: tuple[str, ...]
) -> PairwiseAgreement:
    both = [(item[a].label, item[b].label) for item in items if a in item and b in item]
    table = confusion_matrix([x for x, _ in both], [y for _, y in both], labels)
    return PairwiseAgreement(
        a=a,
        b=b,
        n=len(both),
        percent_agreement=percent_agreement_from_table(table),
        cohen_kappa=cohen_kappa_from_table(table),
        labels=labels,
        confusion=tuple(tuple(int(x) for x in row) for row in table),
    )


def _group(units: list[list[Hashable]]) -> GroupAgreement:
    pairs = sum(len(u) * (len(u) - 1) for u in units)
    matching = sum(k * (k - 1) for u in units for k in Counter(u).values())
    return GroupAgreement(
        items=len(units),
        percent_agreement=matching / pairs if pairs else None,
        krippendorff_alpha=krippendorff_alpha_nominal(units),
        fleiss_kappa=fleiss_kappa(units),
    )


def _count_table(units: Iterable[Iterable[Hashable]]) -> tuple[np.ndarray, tuple]:
    cleaned = [[v for v in unit if v is not None] for unit in units]
    values = ordered_labels(v for unit in cleaned for v in unit)
    index = {v: i for i, v in enumerate(values)}
    counts = np.zeros((len(cleaned), len(values)), dtype=np.int64)
    for row, unit in enumerate(cleaned):
        for value in unit:
            counts[row, index[value]] += 1
    return counts, values
