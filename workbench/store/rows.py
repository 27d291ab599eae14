"""Rows as the store hands them out: plain dataclasses and the converters from SQL rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workbench.models import Claim, ClaimKind, Hint, Label, Mark, MarkAction

# The claim columns every query selects, in `claim_from_row` order.
CLAIM_COLUMNS = 'id, article_id, start, "end", text, kind, ordinal'


def claim_columns(alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in CLAIM_COLUMNS.split(","))


MARK_COLUMNS = "id, claim_a, claim_b, label, reviewer, created_at, action, note, session_id, undoes"


def mark_columns(alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in MARK_COLUMNS.split(","))


@dataclass(frozen=True, slots=True)
class StorySummary:
    id: str
    name: str
    articles: int
    claims: int


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """A claim with what a listing needs to show it."""

    claim: Claim
    story_id: str
    story_name: str
    source: str


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """A stored candidate with both claims resolved."""

    story_id: str
    story_name: str
    a: ClaimRow
    b: ClaimRow
    rank: int
    score: float
    discrepancy: float = 0.0

    @property
    def hints(self) -> tuple[Hint, ...]:
        """Where the two claims differ (a -> b), computed on each access: nothing stores
        hints, they are a cheap function of the two sentences."""
        from workbench.hints import find_hints  # its patterns cost ~0.1 s to compile

        return tuple(find_hints(self.a.claim.text, self.b.claim.text))


_CLAIM_KINDS = {kind.value: kind for kind in ClaimKind}  # 20x cheaper than ClaimKind(value)


def claim_from_row(row: Sequence) -> Claim:
    return Claim(
        id=row[0],
        article_id=row[1],
        start=row[2],
        end=row[3],
        text=row[4],
        kind=_CLAIM_KINDS[row[5]],  # the schema's CHECK admits no other
        ordinal=row[6],
    )


def mark_from_row(row: Sequence) -> Mark:
    return Mark(
        id=row[0],
        claim_a=row[1],
        claim_b=row[2],
        label=Label(row[3]) if row[3] else None,
        reviewer=row[4],
        created_at=row[5],
        action=MarkAction(row[6]),
        note=row[7],
        session_id=row[8],
        undoes=row[9],
    )
