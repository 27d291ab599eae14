"""What a pair's label is, once reviewers (and an editor) have marked it: one rule, for the
report and for `export --final`.

The editor's final label, where there is one (the latest); otherwise the label every
reviewer who gave one agrees on (unsure is no label); otherwise none: an open disagreement
(reviewers gave different labels), or only unsure marks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Vote:
    """One standing row on a pair: a reviewer's mark, or an editor's final."""

    reviewer: str
    label: str
    final: bool
    created_at: str
    id: str


@dataclass(frozen=True, slots=True)
class Decision:
    label: str | None  # None: open disagreement, or nobody gave a label but unsure
    by: tuple[str, ...]  # the editor (final), or the reviewers who agree
    final: bool  # decided by an editor
    disputed: bool  # reviewers gave different labels and no editor has decided

    @property
    def decided(self) -> bool:
        return self.label is not None


def decide(votes: Iterable[Vote]) -> Decision:
    votes = list(votes)
    finals = sorted((v for v in votes if v.final), key=lambda v: (v.created_at, v.id))
    if finals:
        latest = finals[-1]
        return Decision(latest.label, (latest.reviewer,), True, False)
    rated = [v for v in votes if not v.final and v.label != "unsure"]
    labels = {v.label for v in rated}
    if len(labels) == 1:
        return Decision(labels.pop(), tuple(sorted(v.reviewer for v in rated)), False, False)
    return Decision(None, (), False, len(labels) > 1)
