"""Every key binding of the app, each with an id, and the user's key map.

A key map is a TOML file ($WORKBENCH_CONFIG, else ~/.config/workbench/keys.toml) whose
`[keys]` table maps binding ids to keys; several keys are separated by commas:

    [keys]
    agree = "y"
    undo = "u,ctrl+z"
    next-article = "l"

Ids are shared between screens (cursor-down moves the cursor on every screen), so one line
remaps a key everywhere. The app applies the map with `App.set_keymap`.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding

from workbench.display import UNSAFE

CONFIG_ENV = "WORKBENCH_CONFIG"
# A key as Textual names it: modifiers, then one printable character or a key's name.
KEY_NAME = re.compile(r"((ctrl|shift|alt|meta|super|hyper)\+)*([^\s,+\x00-\x1f\x7f-\x9f]|\w+)")

PALETTE = "palette"  # Textual's command palette (ctrl+p): a footer entry, not our binding
PALETTE_KEY = "ctrl+p"


APP_BINDINGS = [
    Binding("q", "quit", "quit", id="quit"),
    Binding("question_mark", "help", "help", id="help"),
]

REVIEW_BINDINGS = [
    Binding("a", "mark('agree')", "agree", id="agree"),
    Binding("c", "mark('contradict')", "contra", id="contradict"),
    Binding("n", "mark('unrelated')", "unrel", id="unrelated"),
    Binding("s", "mark('unsure')", "unsure", id="unsure"),
    Binding("u,backspace", "undo", "undo", id="undo"),
    Binding("j,down", "cursor(1)", "down", show=False, id="cursor-down"),
    Binding("k,up", "cursor(-1)", "up", show=False, id="cursor-up"),
    Binding("tab", "switch_pane", "pane", show=False, id="switch-pane"),
    Binding("right_square_bracket", "step_article(1)", "next art", id="next-article"),
    Binding("left_square_bracket", "step_article(-1)", "prev art", show=False, id="prev-article"),
    Binding("right_curly_bracket", "step_left(1)", "next left", show=False, id="next-left-article"),
    Binding("left_curly_bracket", "step_left(-1)", "prev left", show=False, id="prev-left-article"),
    Binding("x", "swap_sides", "swap", show=False, id="swap-sides"),
    Binding("space", "next_unmarked", "next", id="next-unmarked"),
    Binding("t", "toggle_order", "order", show=False, id="queue-order"),
    Binding("slash", "search", "search", id="search"),
    Binding("e", "note", "note", id="note"),
    Binding("o", "open_article", "open", show=False, id="open-article"),
    Binding("b", "toggle_boilerplate", "boilerplate", show=False, id="boilerplate"),
    Binding("pagedown", "page(1)", "page down", show=False, id="page-down"),
    Binding("pageup", "page(-1)", "page up", show=False, id="page-up"),
    Binding("escape", "stories", "stories", id="stories"),
]

STORY_LIST_BINDINGS = [
    Binding("enter", "open_story", "open", id="open-story"),
    Binding("j,down", "cursor(1)", "down", show=False, id="cursor-down"),
    Binding("k,up", "cursor(-1)", "up", show=False, id="cursor-up"),
    Binding("pagedown", "page(1)", "page down", show=False, id="page-down"),
    Binding("pageup", "page(-1)", "page up", show=False, id="page-up"),
]

SUMMARIES: dict[str, str] = {
    "quit": "Quit (every mark is already saved)",
    "help": "This help: keys, markers, the queue",
    "agree": "Mark: the two claims agree",
    "contradict": "Mark: they contradict each other",
    "unrelated": "Mark: about different things",
    "unsure": "Mark: unsure",
    "undo": "Undo your last mark",
    "cursor-down": "Next claim in the focused pane",
    "cursor-up": "Previous claim in the focused pane",
    "switch-pane": "Switch between left and right pane",
    "next-article": "Next article on the right",
    "prev-article": "Previous article on the right",
    "next-left-article": "Next article on the left",
    "prev-left-article": "Previous article on the left",
    "swap-sides": "Swap the left and right articles",
    "next-unmarked": "Go to the next unmarked pair",
    "queue-order": "Order: contradictions first, or by claim",
    "search": "Search the story's claims (full text)",
    "note": "Note on the pair ($EDITOR, or a box)",
    "open-article": "Open a read-only copy ($EDITOR/$PAGER)",
    "boilerplate": "Dim or hide boilerplate",
    "page-down": "Scroll the focused pane down a page",
    "page-up": "Scroll the focused pane up a page",
    "stories": "Back to the story list",
    "open-story": "Review the selected story",
}

# The footers: binding ids in the order shown, each with a rank. When a line is too narrow
# for every key, whole ranks go, the highest first; `? help` (rank 0) goes last.
REVIEW_FOOTER: tuple[tuple[str, int], ...] = (
    ("help", 0),
    ("agree", 1),
    ("contradict", 1),
    ("unrelated", 1),
    ("unsure", 1),
    ("undo", 3),
    ("next-unmarked", 4),
    ("search", 5),
    ("note", 6),
    ("next-article", 7),
    ("stories", 2),
    ("quit", 2),
    (PALETTE, 2),
)
STORY_LIST_FOOTER: tuple[tuple[str, int], ...] = (
    ("help", 0),
    ("open-story", 1),
    ("quit", 1),
    (PALETTE, 2),
)

ALL_BINDINGS = [*APP_BINDINGS, *REVIEW_BINDINGS, *STORY_LIST_BINDINGS]
KNOWN_IDS = frozenset(b.id for b in ALL_BINDINGS if b.id)


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    configured = env.get(CONFIG_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path("~/.config/workbench/keys.toml").expanduser()


def load_keymap(path: Path | None) -> tuple[dict[str, str], list[str]]:
    """The key map in `path` and one-line problems found in it. A missing file is no
    problem; a broken one is reported and ignored, so the app always starts."""
    if path is None or not path.exists():
        return {}, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"{path}: not read ({exc}); default keys in use"]
    except RecursionError:
        return {}, [f"{path}: not read (nested too deeply); default keys in use"]
    table = data.get("keys", data)
    if not isinstance(table, dict):
        return {}, [f'{path}: [keys] must be a table of binding id = "key"']
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in table.items():
        if binding_id not in KNOWN_IDS:
            problems.append(f"{path}: unknown binding id {binding_id!r} (see the help screen)")
            continue
        if isinstance(keys, list) and all(isinstance(k, str) for k in keys):
            keys = ",".join(keys)
        if not isinstance(keys, str) or not keys.strip():
            problems.append(f'{path}: {binding_id} needs a key such as "y" or "ctrl+y"')
            continue
        names = [k.strip() for k in keys.split(",") if k.strip()]
        bad = [k for k in names if not KEY_NAME.fullmatch(k) or UNSAFE.search(k)]
        if bad or not names:
            problems.append(
                f"{path}: {binding_id}: {bad[0] if bad else keys!r} is not a key"
                ' (keys look like "y", "ctrl+y", "f5", "left_square_bracket"); default kept'
            )
            continue
        keymap[binding_id] = ",".join(names)
    return keymap, problems


def keys_for(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    """The keys a binding answers to once the key map is applied."""
    if binding.id and binding.id in keymap:
        return keymap[binding.id].split(",")
    return binding.key.split(",")


# How help texts name a key: Textual's names for the few that are not what they print.
KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "right_curly_bracket": "}",
    "left_curly_bracket": "{",
    "escape": "esc",
}


def key_name(key: str) -> str:
    return KEY_NAMES.get(key, key)


class KeyNames:
    """The keys of each binding under the active key map, named for help texts, so that
    what the app tells the reviewer to press is what the keys do."""

    def __init__(self, keymap: Mapping[str, str]):
        self.keymap = dict(keymap)
        self._bindings = {b.id: b for b in ALL_BINDINGS if b.id}

    def of(self, binding: Binding | str) -> list[str]:
        """Every key of a binding (or binding id), as help texts name them."""
        if isinstance(binding, str):
            binding = self._bindings[binding]
        return [key_name(k) for k in keys_for(binding, self.keymap)]

    def first(self, binding_id: str) -> str:
        return self.of(binding_id)[0]

    def footer(self, spec: tuple[tuple[str, int], ...]) -> list[FooterKey]:
        """A footer's entries, each with its first key as the footer shows it."""
        entries = []
        for binding_id, rank in spec:
            if binding_id == PALETTE:
                key, label = PALETTE_KEY, "palette"
            else:
                key, label = self.first(binding_id), self._bindings[binding_id].description
            entries.append(FooterKey(_short(key), label, rank))
        return entries


@dataclass(frozen=True, slots=True)
class FooterKey:
    key: str  # as the footer shows it: "?", "a", "esc", "^p"
    label: str  # "help", "agree", ...
    rank: int  # when the line is too narrow, the highest ranks go first


def _short(key: str) -> str:
    """A key as footers name it: ctrl+p is ^p."""
    return "^" + key.removeprefix("ctrl+") if key.startswith("ctrl+") else key
