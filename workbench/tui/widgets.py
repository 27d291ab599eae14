"""Widgets of the review app. Article text only ever reaches the terminal as rich Segments
or Textual Content built from plain strings passed through `safe_text`: never as markup."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from workbench.display import safe_text
from workbench.models import ClaimKind
from workbench.tui.keys import FooterKey
from workbench.tui.layout import Layout, display_width, layout_article
from workbench.tui.model import ArticleDoc, ClaimMarks, Run

CURSOR = "▌"


def fit_keys(keys: Sequence[FooterKey], width: int) -> tuple[list[FooterKey], int]:
    """The footer entries that fit on a line of `width` cells, in their order, and the gap
    between them: whole ranks are left out, the highest first; two spaces apart where
    that fits, else one. When not even the lowest rank fits, that rank (cut by the line)."""
    ranks = sorted({key.rank for key in keys}, reverse=True)
    for top in ranks:
        kept = [key for key in keys if key.rank <= top]
        for gap in (2, 1):
            if keys_width(kept, gap) <= width:
                return kept, gap
    return [key for key in keys if key.rank == min(ranks)] if ranks else [], 1


def keys_width(keys: Sequence[FooterKey], gap: int) -> int:
    """Cells a footer line of these entries takes: "key label", `gap` spaces apart."""
    if not keys:
        return 0
    return sum(cell_len(k.key) + 1 + cell_len(k.label) for k in keys) + gap * (len(keys) - 1)


class KeyBar(Widget):
    """The footer: the screen's keys (as the key map sets them), `? help` first, as many as
    fit the width; fitted at render time, so a resize never cuts a key in half. It may say
    a brief notice instead (`say`), until told to show the keys again."""

    def __init__(self, keys: Sequence[FooterKey], *, id: str | None = None):
        super().__init__(id=id)
        self.keys = list(keys)
        self.saying: Content | None = None

    def say(self, message: Content | None) -> None:
        """Show `message` (plain text from `plain`) instead of the keys; None: the keys."""
        if message != self.saying:
            self.saying = message
            self.refresh()

    def render(self) -> Content:
        width = max(self.content_region.width, 1)
        if self.saying is not None:
            return self.saying.stylize("bold").truncate(width, ellipsis=True)
        kept, gap = fit_keys(self.keys, width)
        parts: list[Content | str | tuple[str, str]] = []
        for i, key in enumerate(kept):
            if i:
                parts.append(" " * gap)
            parts += [(key.key, "bold $footer-key-foreground"), " ", key.label]
        return Content.assemble(*parts)


@dataclass
class PaneState:
    doc: ArticleDoc | None = None
    current: str | None = None  # claim id under the cursor
    hint_spans: tuple[tuple[int, int], ...] = ()  # article offsets
    markers: dict[str, ClaimMarks] = field(default_factory=dict)
    hide_boilerplate: bool = False
    message: str = "loading…"


class ArticlePane(ScrollView, can_focus=False):
    """One article, wrapped once per width; only the visible lines are rendered."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "pane--text",
        "pane--current",
        "pane--boilerplate",
        "pane--heading",
        "pane--hint",
        "pane--cursor",
        "pane--marker-agree",
        "pane--marker-contradict",
        "pane--marker-unrelated",
        "pane--marker-unsure",
        "pane--marker-other",
        "pane--marker-final",
        "pane--marker-split",
        "pane--message",
    }

    WIDE_MARKER = 9  # "? unsure" or "✓2 ?1 ✗1", and a space before it
    NARROW_MARKER = 4  # "✓" or "✓✗?"

    def __init__(self, *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.state = PaneState()
        self._layout: Layout | None = None
        self._layout_key: tuple | None = None
        self._lines_cache: dict[int, tuple[tuple, Strip]] = {}  # line -> (signature, strip)
        self._base_style: Style | None = None
        self._styles: dict[str, Style] = {}

    # --- state -------------------------------------------------------------------------------

    def show(self, state: PaneState, *, scroll: bool = True) -> None:
        """Show a new state. Only the visible lines whose look changed are repainted: after
        a mark that is the old and new current claims, their markers and the hints."""
        previous = self.state
        self.state = state
        rebuilt = self._ensure_layout()
        if rebuilt or previous.doc is not state.doc or previous.message != state.message:
            self._lines_cache.clear()
            self.refresh()
        if scroll:
            self.scroll_current_into_view()
        layout = self._layout
        if layout is None or rebuilt:
            return
        top = self.scroll_offset.y
        for line_no in range(
            top, min(top + self.scrollable_content_region.height, len(layout.lines))
        ):
            cached = self._lines_cache.get(line_no)
            if cached is None or cached[0] != self._signature(layout, line_no):
                self.refresh_line(line_no)

    @property
    def line_count(self) -> int:
        """Display lines of the article as wrapped now (0 before it is laid out)."""
        return len(self._layout.lines) if self._layout is not None else 0

    def _signature(self, layout: Layout, line_no: int) -> tuple:
        """Everything a line's look depends on besides its text and the CSS."""
        state = self.state
        doc = state.doc
        assert doc is not None
        claims = []
        for index in layout.line_claims[line_no]:
            cid = doc.claims[index].id
            marked_here = layout.marker_line(cid) == line_no
            claims.append((cid == state.current, state.markers.get(cid) if marked_here else None))
        start, end = layout.line_spans[line_no]
        hints = tuple(h for h in state.hint_spans if h[0] < end and h[1] > start)
        return (tuple(claims), hints)

    def _marker_width(self, width: int) -> int:
        return self.WIDE_MARKER if width >= 48 else self.NARROW_MARKER

    def _text_width(self) -> int:
        width = self.scrollable_content_region.width
        return max(width - 1 - self._marker_width(width), 4)

    def _ensure_layout(self) -> bool:
        """(Re)wrap the article when the article, the width or the boilerplate toggle
        changed; True if it did."""
        doc = self.state.doc
        if doc is None:
            changed = self._layout is not None
            self._layout, self._layout_key = None, None
            self.virtual_size = Size(0, 1)
            return changed
        key = (doc.id, self._text_width(), self.state.hide_boilerplate)
        if key == self._layout_key:
            return False
        self._layout = layout_article(doc, key[1], hide_boilerplate=key[2])
        self._layout_key = key
        self._lines_cache.clear()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._layout.lines))
        self.refresh()
        return True

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines_cache.clear()
        self._base_style = None
        self._styles.clear()

    def on_resize(self) -> None:
        self._ensure_layout()
        self._lines_cache.clear()
        self.scroll_current_into_view()
        self.refresh()

    @property
    def base_style(self) -> Style:
        if self._base_style is None:
            self._base_style = self.rich_style
        return self._base_style

    def scroll_current_into_view(self) -> None:
        layout = self._layout
        current = self.state.current
        if layout is None or current is None:
            return
        span = layout.lines_of(current)
        if span is None:
            return
        first, last = span
        height = max(self.scrollable_content_region.height, 1)
        top = self.scroll_offset.y
        if first >= top and last < top + height:
            return
        # Some context above the claim, and the whole claim when it fits.
        target = first - max(min(height // 3, height - (last - first + 1)), 0)
        self.scroll_to(y=max(target, 0), animate=False, immediate=True)

    # --- rendering ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        self._ensure_layout()
        layout = self._layout
        base = self.base_style
        if layout is None:
            if y == 0:
                style = self._style("pane--message")
                return Strip([Segment(" " + self.state.message, style)]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        line_no = self.scroll_offset.y + y
        if line_no >= len(layout.lines):
            return Strip.blank(width, base)
        signature = self._signature(layout, line_no)
        cached = self._lines_cache.get(line_no)
        if cached is not None and cached[0] == signature:
            return cached[1]
        strip = self._render_text_line(layout, line_no, width)
        self._lines_cache[line_no] = (signature, strip)
        return strip

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(name)
        return style

    def _render_text_line(self, layout: Layout, line_no: int, width: int) -> Strip:
        state = self.state
        doc = state.doc
        assert doc is not None
        text = doc.article.text
        base = self.base_style
        text_style = base + self._style("pane--text")
        current_style = self._style("pane--current")
        hint_style = self._style("pane--hint")
        boiler_style = self._style("pane--boilerplate")
        heading_style = self._style("pane--heading")
        current_span = None
        if state.current is not None and state.current in doc.index:
            c = doc.claim(state.current)
            current_span = (c.start, c.end)

        def style_at(offset: int) -> Style:
            style = text_style
            claim = doc.claim_at(offset)
            if claim is not None:
                if claim.kind == ClaimKind.BOILERPLATE:
                    style = style + boiler_style
                elif claim.kind == ClaimKind.HEADING:
                    style = style + heading_style
            if current_span and current_span[0] <= offset < current_span[1]:
                style = style + current_style
            for hs, he in state.hint_spans:
                if hs <= offset < he:
                    style = style + hint_style
                    break
            return style

        segments: list[Segment] = []
        line = layout.lines[line_no]
        on_current = current_span is not None and any(
            current_span[0] <= s < current_span[1] for s, _, _ in line
        )
        segments.append(
            Segment(
                CURSOR if on_current else " ", self._style("pane--cursor") if on_current else base
            )
        )
        used = 1
        for start, end, space in line:
            if space:
                # The gap takes the style of what surrounds it, so a highlight is continuous.
                before, after = style_at(start - 1), style_at(start)
                style = before if before == after else text_style
                segments.append(Segment(" ", style))
                used += 1
            for piece_start, piece_end in _style_runs(start, end, state.hint_spans, current_span):
                piece = safe_text(text[piece_start:piece_end])
                segments.append(Segment(piece, style_at(piece_start)))
                used += display_width(text[piece_start:piece_end])
        marker_width = self._marker_width(width)
        text_room = width - 1 - marker_width
        if used < 1 + text_room:
            segments.append(Segment(" " * (1 + text_room - used), base))
            used = 1 + text_room
        runs = self._marker_for_line(layout, line_no, marker_width - 1)  # a space before it
        pad = marker_width - sum(display_width(text) for text, _ in runs)
        segments.append(Segment(" " * max(pad, 0), base))
        for text, kind in runs:
            segments.append(Segment(text, self._style(f"pane--marker-{kind}") if kind else base))
        return Strip(segments).crop_extend(0, width, base)

    def _marker_for_line(self, layout: Layout, line_no: int, width: int) -> tuple[Run, ...]:
        """The markers of the claim whose marker goes on this line (its last line, which
        no other claim shares), fitted to `width` cells."""
        state = self.state
        doc = state.doc
        assert doc is not None
        claims = layout.line_claims[line_no]
        if not claims:
            return ()
        claim = doc.claims[claims[-1]]
        marks = state.markers.get(claim.id)
        if marks is None or layout.marker_line(claim.id) != line_no:
            return ()
        return marks.runs(width)


def _style_runs(start: int, end: int, hints, current_span):
    """Cut [start, end) where any style boundary (claim, current claim, hint) falls."""
    cuts = {start, end}
    for s, e in list(hints) + ([current_span] if current_span else []):
        for b in (s, e):
            if start < b < end:
                cuts.add(b)
    ordered = sorted(cuts)
    return list(itertools.pairwise(ordered))


class HeaderBar(Widget):
    """One line: story and reviewer on the left (cut with an ellipsis), progress on the
    right. Fitted at render time, so an update repaints one line and never re-lays out."""

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self._parts: tuple[Content, Content] = (Content(""), Content(""))

    def show(self, left: Content, right: Content) -> None:
        if _key(left) != _key(self._parts[0]) or _key(right) != _key(self._parts[1]):
            self._parts = (left, right)
            self.refresh()

    def render(self) -> Content:
        left, right = self._parts
        width = max(self.content_region.width, 1)
        room = width - right.cell_length - 2
        if left.cell_length > room:
            left = left.truncate(max(room - 1, 1), ellipsis=True)
        gap = max(width - left.cell_length - right.cell_length, 1)
        return Content.assemble(left, " " * gap, right)


class HintStrip(Static):
    """Score, hints and everybody's marks for the current pair. Its height is fixed in CSS,
    so new content repaints it without a layout pass."""

    _shown: tuple = ()

    def show(self, content: Content) -> None:
        if _key(content) != self._shown:
            self._shown = _key(content)
            self.update(content, layout=False)


def _key(content: Content) -> tuple:
    return (content.plain, tuple(content.spans))


def plain(text: str, style: str = "") -> Content:
    """Content from user data: never parsed as markup, control characters made visible."""
    return Content.styled(safe_text(text), style) if style else Content(safe_text(text))
