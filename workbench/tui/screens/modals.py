"""Help, search, note and article viewer: the screens that sit on top of the review."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.text_area import Selection
from textual.worker import Worker

from workbench.display import one_line, safe_text
from workbench.tui.gateway import StoreGateway
from workbench.tui.keys import (
    APP_BINDINGS,
    PALETTE_KEY,
    REVIEW_BINDINGS,
    STORY_LIST_BINDINGS,
    SUMMARIES,
    KeyNames,
)
from workbench.tui.model import MARKERS, ArticleDoc, StoryDoc
from workbench.tui.widgets import plain

QUEUE_RULE = (
    "A pair is proposed when one claim is the other's best candidate in that article with "
    "a score of at least {floor:.0f} (--min-score; a discrepancy counts towards it), or when "
    "the two likely state one fact differently; boilerplate never is. Likely "
    "contradictions come first, then claim by claim, the most reported first ({order_key}: "
    "claim by claim only). A mark moves to the next unmarked pair, {next_key} without "
    "marking; the walk wraps round. In the right pane the cursor pairs the left claim with "
    "any claim: a manual pair, not counted in marked/proposed.\n"
    "Adjudication (--adjudicate): pairs whose reviewers' labels differ (unsure is no "
    "rating), lowest agreement first; your decision is a final label beside theirs.\n"
    "Other people's marks on this database show up within two seconds."
)
MARKER_LEGEND = (
    " · ".join(f"{sym} {label}" for label, (sym, _) in MARKERS.items())
    + " · ≠ split (reviewers disagree) · dim: someone else's · ✓2 ?1: marks on several pairs"
)
REMAP = (
    "Remap keys in $WORKBENCH_CONFIG or ~/.config/workbench/keys.toml, e.g. "
    '[keys] agree = "y" (ids in the second column).'
)
# Below this width the two columns of the help stack (and the help scrolls).
HELP_TWO_COLUMNS = 110


class HelpScreen(ModalScreen[None]):
    """Every key (as the key map sets them), the files on screen, the markers and the
    review queue's rule: in two columns that fit 120x34 without scrolling."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "close", id="close-help")
    ]

    def __init__(
        self, keys: KeyNames, min_score: float, on_screen: Sequence[tuple[str, ArticleDoc]] = ()
    ):
        super().__init__()
        self.keys = keys
        self.min_score = min_score
        self.on_screen = on_screen  # (where, article): "left 1/5", the article there

    def compose(self) -> ComposeResult:
        keys = self._keys()
        with Vertical(id="help-box") as box:
            box.border_title = "Workbench help · esc closes"
            with VerticalScroll(id="help-body"), Horizontal(id="help-columns"):
                with Vertical(id="help-left") as left:
                    left.styles.width = max(line.cell_length for line in keys)
                    yield Static(Content("\n").join(keys), id="help-keys")
                    yield Static(Content.styled(REMAP, "dim"), id="help-remap")
                yield Static(Content("\n").join(self._about()), id="help-rule")

    def on_resize(self) -> None:
        self.set_class(self.size.width < HELP_TWO_COLUMNS, "-narrow")

    def _keys(self) -> list[Content]:
        lines: list[Content] = []
        seen: set[str] = set()
        for title, bindings in (
            ("Keys: review", REVIEW_BINDINGS),
            ("story list", STORY_LIST_BINDINGS),
            ("everywhere", APP_BINDINGS),
        ):
            lines.append(Content.styled(title, "bold $accent"))
            for binding in bindings:
                if not binding.id or binding.id in seen:
                    continue
                seen.add(binding.id)
                keys = ", ".join(self.keys.of(binding))
                lines.append(_key_line(keys, binding.id, SUMMARIES.get(binding.id, "")))
        lines.append(_key_line(PALETTE_KEY, "", "Command palette: every action"))
        return lines

    def _about(self) -> list[Content]:
        lines: list[Content] = []
        if self.on_screen:
            lines.append(Content.styled("Files on screen", "bold $accent"))
            for where, doc in self.on_screen:
                lines.append(Content.assemble(f"{where} ", plain(one_line(doc.article.source))))
            lines.append(Content(""))
        rule = QUEUE_RULE.format(
            floor=self.min_score,
            order_key=self.keys.first("queue-order"),
            next_key=_sentence_start(self.keys.first("next-unmarked")),
        )
        lines += [
            Content.styled("Markers (right of a claim)", "bold $accent"),
            Content(MARKER_LEGEND),
            Content(""),
            Content.styled("How the queue works", "bold $accent"),
            Content(rule),
        ]
        return lines


def _key_line(keys: str, binding_id: str, summary: str) -> Content:
    return Content.assemble(
        (keys.ljust(13), "bold $secondary"), (binding_id.ljust(18), "dim"), summary
    )


class SearchScreen(ModalScreen[str | None]):
    """Full-text search over the story's claims; returns the chosen claim id."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "close", id="close-search"),
        Binding("down", "move(1)", show=False, id="search-down"),
        Binding("up", "move(-1)", show=False, id="search-up"),
    ]

    def __init__(self, story: StoryDoc, gateway: StoreGateway):
        super().__init__()
        self.story = story
        self.gateway = gateway
        self.last_search: Worker | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Input(placeholder="search this story's claims…", id="search-input")
            yield OptionList(id="search-results")

    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        self.last_search = self._search(event.value)

    @work(exclusive=True, group="search")
    async def _search(self, query: str) -> None:
        claims = (
            await self.gateway.search_claims(query, story=self.story.id, limit=50)
            if query.strip()
            else []
        )
        results = self.query_one(OptionList)
        results.clear_options()
        for claim in claims:
            name = self.story.doc(claim.article_id).name
            prompt = Content.assemble(
                plain(one_line(name, 24), "bold"), "  ", plain(one_line(claim.text, 200))
            )
            results.add_option(Option(prompt, id=claim.id))
        if claims:
            results.highlighted = 0

    def action_move(self, delta: int) -> None:
        results = self.query_one(OptionList)
        if results.option_count:
            current = results.highlighted or 0
            results.highlighted = max(0, min(results.option_count - 1, current + delta))

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        results = self.query_one(OptionList)
        if results.option_count and results.highlighted is not None:
            self.dismiss(results.get_option_at_index(results.highlighted).id)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class NoteScreen(ModalScreen[str | None]):
    """The fallback when $EDITOR is not set or cannot run: one line, enter saves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "cancel", id="cancel-note")
    ]

    def __init__(self, existing: str, heading: str = "Note on this pair"):
        super().__init__()
        self.existing = existing
        self.heading = heading

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            first, _, rest = self.heading.partition("\n")
            yield Static(
                Content.assemble(
                    Content.styled(f"{first} · enter saves · esc cancels", "bold"),
                    f"\n{rest}" if rest else "",
                )
            )
            yield Input(value=self.existing, placeholder="why this label…", id="note-input")

    @on(Input.Submitted, "#note-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class ArticleViewer(ModalScreen[None]):
    """Read-only view of a whole article, when no $EDITOR or $PAGER can be run."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,o", "dismiss", "close", id="close-viewer")
    ]

    def __init__(self, doc: ArticleDoc, line: int, span: tuple[int, int] | None = None):
        super().__init__()
        self.doc = doc
        self.line = line
        self.span = span  # the current claim's offsets in the article

    def compose(self) -> ComposeResult:
        article = self.doc.article
        with Vertical(id="viewer-box"):
            # The name on the first line; where it comes from (the file name) on the second.
            about = [article.source, article.published, article.url]
            yield Static(
                Content("\n").join(
                    [
                        plain(one_line(self.doc.name), "bold"),
                        Content.assemble(
                            plain(" · ".join(one_line(part) for part in about if part)),
                            " · read-only · esc closes",
                        ),
                    ]
                ),
                id="viewer-title",
            )
            yield TextArea(
                safe_text(article.text),
                read_only=True,
                soft_wrap=True,
                show_line_numbers=True,
                id="viewer-text",
            )

    def on_mount(self) -> None:
        text = self.query_one(TextArea)
        if self.span is None:
            text.cursor_location = (max(self.line - 1, 0), 0)
        else:  # the claim selected, the cursor at its start
            start, end = (_location(self.doc.article.text, at) for at in self.span)
            text.selection = Selection(end, start)
        text.focus()
        # Centred once the text is laid out: a long paragraph wraps into many rows, and the
        # claim may be any of them.
        self.call_after_refresh(text.scroll_cursor_visible, center=True, animate=False)


def _location(text: str, offset: int) -> tuple[int, int]:
    """Where an offset of the article is in the viewer's text (row, column): the viewer
    shows control characters as symbols, some longer than one character."""
    before = text[:offset]
    row = before.count("\n")
    return row, len(safe_text(before[before.rfind("\n") + 1 :]))


def _sentence_start(key: str) -> str:
    """A key's name at the start of a sentence: "Space", but "n"."""
    return key[:1].upper() + key[1:] if len(key) > 1 else key
