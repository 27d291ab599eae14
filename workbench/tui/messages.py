"""Messages between the app and its screens. Screens import these, never the app module."""

from __future__ import annotations

from textual.message import Message


class MarksChanged(Message):
    """Mark rows arrived from another process for a loaded story."""

    def __init__(self, *, mine_elsewhere: bool = False) -> None:
        super().__init__()
        self.mine_elsewhere = mine_elsewhere


class ReviewShown(Message):
    """A screen showed its first content: the app is ready (tests, benchmark)."""
