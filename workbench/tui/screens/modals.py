"""Help, search, note and article viewer: the screens that sit on top of the review."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import Worker

from workbench.display import one_line, safe_text
from workbench.tui.gateway import StoreGateway
from workbench.tui.keys import (
    APP_BINDINGS,
    REVIEW_BINDINGS,
    STORY_LIST_BINDINGS,
    SUMMARIES,
    KeyNames,
)
from workbench.tui.model import MARKERS, ArticleDoc, StoryDoc
from workbench.tui.widgets import plain

QUEUE_RULE = (
    "The left article is read claim by claim. For each claim the app proposes its best "
    "candidate in the right article (rank 1), and also every right claim whose best candidate "
    "in the left article it is, when the score is at least the floor (--min-score, default "
    "{floor:.0f}); boilerplate is never proposed. Marking a pair moves to the next unmarked "
    "pair: further down the left article, then the next article on the right, then the next "
    "article on the left, and finally back to pairs skipped earlier. {next_key} does the same "
    "without marking. Moving the cursor in the right pane pairs the left claim with any claim "
    "(manual pairing); such marks count for the session, not for marked/proposed.\n\n"
    "Adjudication (--adjudicate) lists only pairs whose reviewers' standing labels differ "
    "(unsure counts as no rating), lowest agreement first; every reviewer's label and note "
    "are in the hint strip, and your decision is stored as a final label beside theirs.\n\n"
    "Other people's marks on the same database show up within two seconds."
)


class HelpScreen(ModalScreen[None]):
    """Every key (as the key map sets them), the markers, and the review queue's rule."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "close", id="close-help")
    ]

    def __init__(self, keys: KeyNames, min_score: float):
        super().__init__()
        self.keys = keys
        self.min_score = min_score

    def compose(self) -> ComposeResult:
        lines: list[Content] = [Content.styled("Keys", "bold $accent")]
        seen: set[str] = set()
        for title, bindings in (
            ("review", REVIEW_BINDINGS),
            ("story list", STORY_LIST_BINDINGS),
            ("everywhere", APP_BINDINGS),
        ):
            lines.append(Content.styled(f" {title}", "bold"))
            for binding in bindings:
                if not binding.id or binding.id in seen:
                    continue
                seen.add(binding.id)
                keys = ", ".join(self.keys.of(binding))
                lines.append(
                    Content.assemble(
                        "  ",
                        (keys.ljust(13), "bold $secondary"),
                        (binding.id.ljust(18), "dim"),
                        SUMMARIES.get(binding.id, binding.description),
                    )
                )
        lines.append(
            Content.assemble(
                "  ",
                ("ctrl+p".ljust(13), "bold $secondary"),
                ("".ljust(18), "dim"),
                "Command palette: every action",
            )
        )
        lines.append(Content(""))
        lines.append(Content.styled("Markers", "bold $accent"))
        for label, (symbol, word) in MARKERS.items():
            lines.append(Content(f"  {symbol} {word:<7} {label}"))
        lines.append(Content("  ≠ split   reviewers disagree"))
        lines.append(Content("  dim       someone else's mark"))
        rule = [
            Content(""),
            Content.styled("How the queue works", "bold $accent"),
            Content(
                QUEUE_RULE.format(
                    floor=self.min_score, next_key=_sentence_start(self.keys.first("next-unmarked"))
                )
            ),
            Content(""),
            Content.styled(
                "Remap keys in $WORKBENCH_CONFIG or ~/.config/workbench/keys.toml, e.g. "
                '[keys] agree = "y" (ids in the second column).',
                "dim",
            ),
        ]
        with Vertical(id="help-box"):
            yield Static(Content.styled("Workbench help · esc closes", "bold"), id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(Content("\n").join(lines), id="help-keys")
                yield Static(Content("\n").join(rule), id="help-rule")


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

    def __init__(self, existing: str):
        super().__init__()
        self.existing = existing

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box"):
            yield Static(Content.styled("Note on this pair · enter saves · esc cancels", "bold"))
            yield Input(value=self.existing, placeholder="why this label…", id="note-input")

    @on(Input.Submitted, "#note-input")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class ArticleViewer(ModalScreen[None]):
    """Read-only view of a whole article, when no $EDITOR or $PAGER can be run."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,o", "dismiss", "close", id="close-viewer")
    ]

    def __init__(self, doc: ArticleDoc, line: int):
        super().__init__()
        self.doc = doc
        self.line = line

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
        text.cursor_location = (max(self.line - 1, 0), 0)
        text.scroll_cursor_visible(center=True, animate=False)
        text.focus()


def _sentence_start(key: str) -> str:
    """A key's name at the start of a sentence: "Space", but "n"."""
    return key[:1].upper() + key[1:] if len(key) > 1 else key
