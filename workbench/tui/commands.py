"""The command palette: every action of the screen it was opened from, and the app's."""

from __future__ import annotations

from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from workbench.tui.keys import APP_BINDINGS, SUMMARIES, keys_for


class WorkbenchCommands(Provider):
    def _entries(self) -> list[tuple[str, str, object]]:
        screen = self.screen
        app = self.app
        keymap = getattr(getattr(app, "config", None), "keymap", {}) or {}
        entries: list[tuple[str, str, object]] = []
        seen: set[str] = set()
        screen_bindings: list[Binding] = list(type(screen).__dict__.get("BINDINGS", []))
        for target, bindings in ((screen, screen_bindings), (app, APP_BINDINGS)):
            for binding in bindings:
                if not binding.id or binding.id in seen:
                    continue
                seen.add(binding.id)
                name = SUMMARIES.get(binding.id, binding.description)
                keys = ", ".join(keys_for(binding, keymap))
                entries.append((name, f"key: {keys}", partial(target.run_action, binding.action)))
        return entries

    async def discover(self) -> Hits:
        for name, help_text, command in self._entries():
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, command in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command, help=help_text)
