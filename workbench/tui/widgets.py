"""Widgets of the review app. Article text only ever reaches the terminal as rich Segments
or Textual Content built from plain strings passed through `safe_text`: never as markup."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from workbench.display import safe_text
from workbench.models import ClaimKind
from workbench.tui.layout import Layout, display_width, layout_article
from workbench.tui.model import ArticleDoc

CURSOR = "▌"


@dataclass(frozen=True)
class PaneMarker:
    text_wide: str  # "✓ agree"
    text_narrow: str  # "✓"
    kind: str  # mine | other | final | split


@dataclass
class PaneState:
    doc: ArticleDoc | None = None
    current: str | None = None  # claim id under the cursor
    hint_spans: tuple[tuple[int, int], ...] = ()  # article offsets
    markers: dict[str, PaneMarker] = field(default_factory=dict)
    hide_boilerplate: bool = False
    message: str = "loading…"


class ArticlePane(ScrollView, can_focus=False):
    """One article, wrapped once per width; only the visible lines are rendered."""

    COMPONENT_CLASSES = {
        "pane--text",
        "pane--current",
        "pane--boilerplate",
        "pane--heading",
        "pane--hint",
        "pane--cursor",
        "pane--marker-mine",
        "pane--marker-other",
        "pane--marker-final",
        "pane--marker-split",
        "pane--message",
    }

    WIDE_MARKER = 9  # "? unsure" + a space
    NARROW_MARKER = 2

    def __init__(self, *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.state = PaneState()
        self._layout: Layout | None = None
        self._layout_key: tuple | None = None
        self._lines_cache: dict[int, Strip] = {}

    # --- state -------------------------------------------------------------------------------

    def show(self, state: PaneState, *, scroll: bool = True) -> None:
        self.state = state
        self._lines_cache.clear()
        self._ensure_layout()
        if scroll:
            self.scroll_current_into_view()
        self.refresh()

    def _marker_width(self, width: int) -> int:
        return self.WIDE_MARKER if width >= 48 else self.NARROW_MARKER

    def _text_width(self) -> int:
        width = self.scrollable_content_region.width
        return max(width - 1 - self._marker_width(width), 4)

    def _ensure_layout(self) -> Layout | None:
        doc = self.state.doc
        if doc is None:
            self._layout, self._layout_key = None, None
            self.virtual_size = Size(0, 1)
            return None
        key = (doc.id, self._text_width(), self.state.hide_boilerplate)
        if key != self._layout_key:
            self._layout = layout_article(doc, key[1], hide_boilerplate=key[2])
            self._layout_key = key
            self._lines_cache.clear()
            self.virtual_size = Size(self.scrollable_content_region.width, len(self._layout.lines))
        return self._layout

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines_cache.clear()

    def on_resize(self) -> None:
        if self._ensure_layout() is not None:
            self.scroll_current_into_view()
        self.refresh()

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
        layout = self._ensure_layout()
        base = self.rich_style
        if layout is None:
            if y == 0:
                style = self.get_component_rich_style("pane--message")
                return Strip([Segment(" " + self.state.message, style)]).crop_extend(0, width, base)
            return Strip.blank(width, base)
        line_no = self.scroll_offset.y + y
        if line_no >= len(layout.lines):
            return Strip.blank(width, base)
        strip = self._lines_cache.get(line_no)
        if strip is None:
            strip = self._render_text_line(layout, line_no, width)
            self._lines_cache[line_no] = strip
        return strip

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name)

    def _render_text_line(self, layout: Layout, line_no: int, width: int) -> Strip:
        state = self.state
        doc = state.doc
        assert doc is not None
        text = doc.article.text
        base = self.rich_style
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
        segments.append(Segment(CURSOR if on_current else " ", self._style("pane--cursor")
                                if on_current else base))
        used = 1
        for start, end, space in line:
            if space:
                # The gap takes the style of what surrounds it, so a highlight is continuous.
                style = style_at(start - 1) if style_at(start - 1) == style_at(start) else text_style
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
        marker_text, marker_style = self._marker_for_line(layout, line_no, marker_width)
        pad = marker_width - display_width(marker_text)
        segments.append(Segment(" " * max(pad, 0), base))
        segments.append(Segment(marker_text, marker_style))
        return Strip(segments).crop_extend(0, width, base)

    def _marker_for_line(self, layout: Layout, line_no: int, width: int) -> tuple[str, Style]:
        state = self.state
        doc = state.doc
        assert doc is not None
        chosen = None
        for index in layout.line_claims[line_no]:
            claim = doc.claims[index]
            if layout.claim_lines.get(claim.id, (0, -1))[1] != line_no:
                continue  # markers sit on a claim's last line
            found = state.markers.get(claim.id)
            if found is not None and (chosen is None or claim.id == state.current):
                chosen = found
        if chosen is None:
            return "", self.rich_style
        text = chosen.text_wide if width > self.NARROW_MARKER else chosen.text_narrow
        return text[: width - 1], self._style(f"pane--marker-{chosen.kind}")


def _style_runs(start: int, end: int, hints, current_span):
    """Cut [start, end) where any style boundary (claim, current claim, hint) falls."""
    cuts = {start, end}
    for s, e in list(hints) + ([current_span] if current_span else []):
        for b in (s, e):
            if start < b < end:
                cuts.add(b)
    ordered = sorted(cuts)
    return list(zip(ordered, ordered[1:], strict=False))


class HintStrip(Static):
    """Score, hints and everybody's marks for the current pair."""


class HeaderBar(Static):
    """One line: story and reviewer on the left, progress on the right."""

    _parts: tuple[Content, Content] = (Content(""), Content(""))

    def show(self, left: Content, right: Content) -> None:
        self._parts = (left, right)
        self._fit()

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        left, right = self._parts
        width = max(self.size.width, 20)
        room = width - right.cell_length - 2
        if left.cell_length > room:
            left = left.truncate(max(room - 1, 1), ellipsis=True)
        gap = max(width - left.cell_length - right.cell_length, 1)
        self.update(Content.assemble(left, " " * gap, right))


def plain(text: str, style: str = "") -> Content:
    """Content from user data: never parsed as markup, control characters made visible."""
    return Content.styled(safe_text(text), style) if style else Content(safe_text(text))
