"""Plain data: what the core passes around. No I/O, no Textual, no SQL.

Ids are derived from content so that two databases built from the same files agree on
every id; merging reviewers' databases depends on that.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple


def _digest(*parts: str, length: int = 16) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")  # unit separator: ("ab", "c") and ("a", "bc") must differ
    return h.hexdigest()[:length]


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def story_id(name: str) -> str:
    """A story's id: from its name, so the same story in two databases is one story."""
    return "s" + _digest("story", name, length=11)


def article_id(text: str) -> str:
    """An article's id: the head of its text's sha256 (identical texts are one article)."""
    return text_sha256(text)[:16]


def claim_id(article: str, start: int, end: int) -> str:
    """A claim's id: readable, and stable across databases built from the same text."""
    return f"{article}:{start}-{end}"


def pair_key(claim_a: str, claim_b: str) -> tuple[str, str]:
    """A pair is the same item whichever way round it is given."""
    return (claim_a, claim_b) if claim_a <= claim_b else (claim_b, claim_a)


def pair_id(claim_a: str, claim_b: str) -> str:
    a, b = pair_key(claim_a, claim_b)
    return _digest("pair", a, b)


class ClaimKind(StrEnum):
    CLAIM = "claim"
    BOILERPLATE = "boilerplate"
    HEADING = "heading"


class Label(StrEnum):
    AGREE = "agree"
    CONTRADICT = "contradict"
    UNRELATED = "unrelated"
    UNSURE = "unsure"


class MarkAction(StrEnum):
    MARK = "mark"  # a reviewer's label
    UNDO = "undo"  # withdraws the mark named in `undoes`; marks are never deleted
    FINAL = "final"  # an editor's adjudicated label; never overwrites a reviewer's row


@dataclass(frozen=True, slots=True)
class ClaimSpan:
    """A sentence found by the segmenter: text[start:end], stripped of surrounding space."""

    start: int
    end: int
    kind: ClaimKind = ClaimKind.CLAIM


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    story_id: str
    source: str  # file name, or the JSONL/Multi-News origin; what the user sees
    text: str  # verbatim, never rewritten
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    url: str | None = None

    @property
    def sha256(self) -> str:
        return text_sha256(self.text)


class Claim(NamedTuple):  # a story's claims are read in thousands: 5x cheaper to make
    id: str
    article_id: str
    start: int
    end: int
    text: str
    kind: ClaimKind
    ordinal: int


@dataclass(frozen=True, slots=True)
class Hint:
    """Where two similar claims differ. A pointer for the reviewer, never a verdict.

    `a`/`b` are the differing fragments (empty when one side lacks it, e.g. a negation
    present on one side only); the spans are offsets into each claim's own text.
    """

    kind: str  # number | time | date | weekday | duration | entity | spelling | negation | hedge
    a: str
    b: str
    a_span: tuple[int, int] | None = None
    b_span: tuple[int, int] | None = None
    # "differs"; or "compatible": the two figures agree up to rounding or a bound ("about
    # $2.4 billion" / "$2.4 billion"), shown so the reviewer sees they were compared
    relation: str = "differs"


@dataclass(slots=True)  # not frozen: a 100-article story makes ~1.2M of these, 2x faster
class Candidate:
    """For claim `claim_id`, the claim `candidate_id` of another article, ranked within
    that article (rank 1 = best)."""

    claim_id: str
    candidate_id: str
    rank: int
    score: float
    discrepancy: float = 0.0  # 0-100: how likely the two state one fact differently


@dataclass(frozen=True, slots=True, eq=False)  # columns are arrays: no element-wise ==
class CandidateBlock:
    """Candidate rows by column, as the aligner makes them: row k proposes claim
    `ids[j[k]]` for claim `ids[i[k]]` (positions in `ids`, the story's claims), with
    its rank, score and discrepancy. Millions of rows cost no Python object each; the
    store turns positions into its keys in one step. Columns are numpy arrays."""

    ids: Sequence[str]
    i: Any
    j: Any
    rank: Any
    score: Any  # float64, to 2 decimals
    discrepancy: Any  # float64, to 2 decimals

    @classmethod
    def of(cls, candidates: Iterable[Candidate]) -> CandidateBlock:
        """A block of these rows (its columns plain lists)."""
        rows = list(candidates)
        ids = sorted({x for c in rows for x in (c.claim_id, c.candidate_id)})
        at = {x: k for k, x in enumerate(ids)}
        return cls(
            ids,
            [at[c.claim_id] for c in rows],
            [at[c.candidate_id] for c in rows],
            [c.rank for c in rows],
            [c.score for c in rows],
            [c.discrepancy for c in rows],
        )

    def __len__(self) -> int:
        return len(self.i)

    def candidates(self) -> list[Candidate]:
        ids = self.ids
        return list(
            map(
                Candidate,
                [ids[x] for x in _plain(self.i)],
                [ids[x] for x in _plain(self.j)],
                _plain(self.rank),
                _plain(self.score),
                _plain(self.discrepancy),
            )
        )


def _plain(column: Any) -> list:
    """A column as a list of Python numbers (a numpy array's tolist, in one step)."""
    return column.tolist() if hasattr(column, "tolist") else list(column)


@dataclass(frozen=True, slots=True)
class Mark:
    id: str
    claim_a: str  # pair_key order
    claim_b: str
    label: Label | None  # None on undo rows
    reviewer: str
    created_at: str  # ISO 8601 UTC with microseconds
    action: MarkAction = MarkAction.MARK
    note: str | None = None
    session_id: str | None = None
    undoes: str | None = None
