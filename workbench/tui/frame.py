"""What a review session tells its screen to show, as plain data (no Textual).

A session command returns an `Outcome`: perhaps a `Frame` (everything on screen) and a
`Notice` (a notification). The screen turns these into widgets' content; key names that
help texts mention are the screen's to fill in, from the active key map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from workbench.models import Label
from workbench.tui.model import ArticleDoc, ClaimMarks, Pair, PairInfo


@dataclass(frozen=True)
class Notice:
    text: str
    severity: Literal["information", "warning", "error"] = "information"
    timeout: float | None = None
    # A short answer to the key just pressed ("Undid ✓ agree."): said in the footer, in the
    # same frame as the panes, until the next key, not in a toast drawn a frame later.
    brief: bool = False


@dataclass(frozen=True)
class PaneView:
    doc: ArticleDoc
    index: int  # the article's place in the story
    current: str | None  # the claim under the cursor
    hint_spans: tuple[tuple[int, int], ...]  # article offsets
    markers: dict[str, ClaimMarks]  # by claim id
    active: bool  # the pane the cursor keys move in


@dataclass(frozen=True)
class MarkEntry:
    who: str
    label: Label
    note: str | None
    final: bool


@dataclass(frozen=True)
class StripView:
    """The hint strip: where the pair stands, its score and hints, everybody's marks."""

    position: str  # "pair 1 of 2 for this claim", "manual pair", ...
    position_bold: bool
    info: PairInfo | None
    entries: tuple[MarkEntry, ...]
    prompt: bool  # say how to mark when nobody has


@dataclass(frozen=True)
class HeaderView:
    title: str | None  # the mode, when not plain review
    role: str
    reviewer: str
    readonly: bool
    story: str | None
    articles: int
    progress: str
    session_marks: int
    pace: float


@dataclass(frozen=True)
class Frame:
    header: HeaderView
    message: str | None = None  # shown instead of the panes
    articles: int = 0
    left: PaneView | None = None
    right: PaneView | None = None
    pair: Pair | None = None
    strip: StripView | None = None  # None: no pair to show


@dataclass(frozen=True)
class Outcome:
    frame: Frame | None = None  # None: the screen stays as it is
    notice: Notice | None = None
    scroll: bool = True  # bring the current claims into view


@dataclass(frozen=True)
class ScreenMessage:
    """Nothing to review: what to say instead of the panes."""

    text: str
    notice: Notice | None = None


@dataclass(frozen=True)
class NoteDraft:
    pair: Pair
    label: Label | None  # the standing label the note goes with; None: kept for the mark
    existing: str
    just_marked: bool = False  # the pair marked a moment ago, not the one on screen
    heading: str = "Note on this pair"  # which pair, said where the note is written
