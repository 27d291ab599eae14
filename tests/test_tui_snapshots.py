"""Snapshots (pytest-textual-snapshot) of the main screens at 120x34 and 80x24.

Update after an intended change with `pytest tests/test_tui_snapshots.py --snapshot-update`
and look at the SVGs in tests/__snapshots__/ before committing them.
"""

from __future__ import annotations

import pytest
from test_tui_helpers import app_for, disputed_db, press, seed_db, settle, started

from workbench.store import Store
from workbench.tui.screens.stories import StoryTable


@pytest.fixture
def seed(tmp_path):
    return seed_db(tmp_path)


SIZES = [pytest.param((120, 34), id="120x34"), pytest.param((80, 24), id="80x24")]


def hinted_pair(path) -> tuple[str, str]:
    """The pair of the design sketch: "said Thursday" against "said on Friday"."""
    with Store.open(path, readonly=True) as store:
        for row in store.candidate_rows(top=1):
            if any(h.kind == "weekday" and h.a_span for h in row.hints):
                return row.a.claim.id, row.b.claim.id
    raise AssertionError("the seed story lost its weekday hint")


@pytest.mark.parametrize("size", SIZES)
def test_review_screen(snap_compare, seed, size):
    app = app_for(seed)

    async def run_before(pilot):
        await started(app, pilot)
        pair = hinted_pair(seed)
        app.screen.show_pair(*pair)
        await press(app, pilot, "c", "a")  # two marks in this view, so markers show
        app.screen.show_pair(*pair)
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_story_list(snap_compare, seed, size):
    app = app_for(seed)

    async def run_before(pilot):
        await started(app, pilot)
        await press(app, pilot, "c", "escape")
        await app.screen.query_one(StoryTable).settled()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, seed, size):
    app = app_for(seed)

    async def run_before(pilot):
        await started(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_adjudication_screen(snap_compare, tmp_path, size):
    path, _ = disputed_db(tmp_path)
    app = app_for(path, reviewer="ed", adjudicate=True)

    async def run_before(pilot):
        await started(app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
