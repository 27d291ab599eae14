"""`workbench review` and `workbench serve` as commands: help, one-line errors, defaults."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from test_tui_helpers import SEED_STORY, app_for, screen_text, seed_db, started

from workbench.cli import cli
from workbench.store import Store
from workbench.tui.app import default_reviewer


@pytest.mark.parametrize("command", ["review", "serve"])
def test_help_has_an_example(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and f"workbench {command}" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["review", "missing.db"], "no such database"),
        (["review", "{db}", "--story", "nope"], "no story named"),
        (["review", "{db}"], "needs a terminal"),
        (["serve", "missing.db"], "no such database"),
    ],
)
def test_errors_are_one_line_with_exit_status_1(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    db = seed_db(tmp_path)
    result = CliRunner().invoke(cli, [a.format(db=db) for a in args])
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_serve_listens_on_localhost_and_runs_review(tmp_path, monkeypatch):
    from workbench.tui.serve import TokenServer

    made = {}

    def serve(self, debug=False):
        made.update(command=self.command, host=self.host, port=self.port, served=True)

    monkeypatch.setattr(TokenServer, "serve", serve)
    db = seed_db(tmp_path)
    result = CliRunner().invoke(
        cli, ["serve", str(db), "--reviewer", "ed", "--adjudicate", "--story", SEED_STORY]
    )
    assert result.exit_code == 0, result.output
    assert made["host"] == "127.0.0.1" and made["port"] == 8000 and made["served"]
    with Store.open(db, readonly=True) as store:
        story_id = store.resolve_story(SEED_STORY).id
    for part in ("-m workbench review", str(db), "--reviewer ed", "--adjudicate", story_id):
        assert part in made["command"]
    result = CliRunner().invoke(cli, ["serve", str(db), "--host", "0.0.0.0", "--port", "9"])
    assert made["host"] == "0.0.0.0" and made["port"] == 9


def test_reviewer_defaults_to_the_environment_then_the_login_name():
    assert default_reviewer({"WORKBENCH_REVIEWER": " ana "}) == "ana"
    assert default_reviewer({}) == default_reviewer({"WORKBENCH_REVIEWER": "  "})
    assert default_reviewer({})


async def test_empty_database_shows_the_story_list_with_a_hint(tmp_path):
    path = tmp_path / "empty.db"
    Store.open(path, create=True).close()
    app = app_for(path)
    async with app.run_test() as pilot:
        await started(app, pilot)
        await pilot.pause()
        assert "no stories yet" in screen_text(app)
        await pilot.press("j", "enter", "k")
