"""Adjudication: only disagreements, lowest agreement first, every reviewer's label and note
in view, the editor's decision stored as a final label of its own."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_helpers import app_for, disputed_db, press, screen_text, seed_db, started

from workbench.models import Label, MarkAction, pair_key
from workbench.store import Store
from workbench.tui.screens.review import ReviewScreen


@pytest.fixture
def disputed(tmp_path) -> tuple[Path, list[tuple[str, str]]]:
    return disputed_db(tmp_path)


async def test_adjudication_shows_only_disagreements_with_labels_and_notes(disputed):
    path, (p0, p1, _agreed, _unsure) = disputed
    app = app_for(path, reviewer="ed", adjudicate=True)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and screen.session.mode.name == "adjudicate"
        assert [d.item for d in screen.session.mode.items] == [p0, p1]
        assert pair_key(*screen.session.pair) == p0
        text = screen_text(app)
        assert "adjudication" in text and "editor: ed" in text and "decided 0/2" in text
        assert "ana ✓ agree" in text and "same meeting" in text
        assert "bob ✗ contra" in text and "Thursday, not Friday" in text
        await press(app, pilot, "c")
        assert pair_key(*screen.session.pair) == p1
        assert "decided 1/2" in screen_text(app)
        await press(app, pilot, "a")
        assert "decided 2/2" in screen_text(app)
        await press(app, pilot, "u")
        assert "decided 1/2" in screen_text(app)
        assert pair_key(*screen.session.pair) == p1
    with Store.open(path, readonly=True) as store:
        finals = store.current_marks(action=MarkAction.FINAL)
        reviewers = store.current_marks()
    assert [(pair_key(m.claim_a, m.claim_b), m.label, m.reviewer) for m in finals] == [
        (p0, Label.CONTRADICT, "ed")
    ]
    assert len(reviewers) == 9  # every reviewer's own row is untouched


async def test_adjudication_note_is_stored_with_the_final_label(disputed):
    path, (p0, *_rest) = disputed
    app = app_for(path, reviewer="ed", adjudicate=True)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        screen = app.screen
        await press(app, pilot, "c")
        screen.show_pair(*p0)
        await press(app, pilot, "e")
        await pilot.press(*"dates differ")
        await press(app, pilot, "enter")
        assert "final ed ✗ contra" in screen_text(app)
    with Store.open(path, readonly=True) as store:
        finals = store.current_marks(action=MarkAction.FINAL)
    assert [(m.label, m.note) for m in finals] == [(Label.CONTRADICT, "dates differ")]


async def test_adjudication_with_nothing_to_decide(tmp_path):
    path = seed_db(tmp_path)
    app = app_for(path, reviewer="ed", adjudicate=True)
    async with app.run_test() as pilot:
        await started(app, pilot)
        assert "No disagreements" in screen_text(app)
        await press(app, pilot, "a", "space", "j")
    with Store.open(path, readonly=True) as store:
        assert store.marks_log() == []
