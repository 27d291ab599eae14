"""The review app driven by Pilot: every key, the guarantees, read-only, resume.

No sleeping: after a key the tests wait for the screen's command queue to drain
(`ReviewScreen.settled`), which is when the mark is committed and the screen updated.
"""

from __future__ import annotations

import asyncio
import getpass
import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_tui_helpers import (
    SEED_STORY,
    app_for,
    at_view,
    crafted_db,
    press,
    screen_text,
    seed_db,
    settle,
    standing,
    started,
)
from textual.widgets import TextArea

from workbench.hints import find_hints
from workbench.models import Article, Claim, ClaimKind, Label, MarkAction, claim_id, pair_key
from workbench.store import Store
from workbench.tui.commands import WorkbenchCommands
from workbench.tui.keys import APP_BINDINGS, REVIEW_BINDINGS, SUMMARIES, FooterKey
from workbench.tui.model import ArticleDoc, ViewData
from workbench.tui.screens.modals import ArticleViewer, HelpScreen, NoteScreen, SearchScreen
from workbench.tui.screens.review import ReviewScreen
from workbench.tui.screens.stories import StoryListScreen, StoryTable
from workbench.tui.widgets import ArticlePane, HintStrip, KeyBar, fit_keys, keys_width


@pytest.fixture
def seed(tmp_path) -> Path:
    return seed_db(tmp_path)


def review(app) -> ReviewScreen:
    assert isinstance(app.screen, ReviewScreen), type(app.screen)
    return app.screen


# --- start, marks, guarantees ---------------------------------------------------------------


async def test_opens_first_story_at_first_unmarked_pair_and_a_marks_it(seed):
    app = app_for(seed)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        screen = review(app)
        assert screen.session.story.name == SEED_STORY
        first = screen.session.pair
        assert first is not None and screen.session.view.info(first).proposed
        await press(app, pilot, "a")
        assert standing(seed)[pair_key(*first)] == Label.AGREE
        assert screen.session.pair != first  # moved on to the next unmarked pair
        assert not screen.session.is_done(screen.session.pair)
        assert "marked 1/" in screen_text(app)
        assert "session 1" in screen_text(app)


@pytest.mark.parametrize(
    "key, label",
    [("a", Label.AGREE), ("c", Label.CONTRADICT), ("n", Label.UNRELATED), ("s", Label.UNSURE)],
)
async def test_each_label_key_records_its_label(seed, key, label):
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        pair = review(app).session.pair
        await press(app, pilot, key)
    assert standing(seed) == {pair_key(*pair): label}


async def test_mark_is_committed_before_the_screen_moves_on(seed, monkeypatch):
    seen: list[tuple[int, int]] = []
    original = ReviewScreen.render_frame

    def checking_render(self, frame, **kwargs):
        marks = self.app.session.marks
        if marks:  # drawn after a mark: the mark must already be on disk
            seen.append((marks, len(standing(seed))))
        original(self, frame, **kwargs)

    monkeypatch.setattr(ReviewScreen, "render_frame", checking_render)
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        await press(app, pilot, "a", "n")
    assert seen == [(1, 1), (2, 2)]


async def test_keys_typed_during_a_mark_apply_to_the_next_screen(seed):
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        screen = review(app)
        first = screen.session.pair
        # Three marks queued at once: each applies to the pair on screen after the previous.
        screen.action_mark("agree")
        screen.action_mark("contradict")
        screen.action_mark("unrelated")
        await settle(app, pilot)
    marks = standing(seed)
    assert len(marks) == 3 and marks[pair_key(*first)] == Label.AGREE
    assert sorted(marks.values()) == sorted([Label.AGREE, Label.CONTRADICT, Label.UNRELATED])


@pytest.mark.parametrize("key", ["u", "backspace"])
async def test_undo_withdraws_the_last_mark_and_shows_its_pair(seed, key):
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        screen = review(app)
        first = screen.session.pair
        await press(app, pilot, "a")
        assert "marked 1/" in screen_text(app)
        await press(app, pilot, key)
        assert standing(seed) == {}
        assert screen.session.pair == first
        assert "marked 0/" in screen_text(app)
        # Said in the footer, in the frame that shows the pair again (no toast a frame
        # later), until the next key brings the keys back.
        footer = screen.query_one(KeyBar)
        assert footer.saying is not None and footer.saying.plain == "Undid ✓ agree."
        assert "Undid ✓ agree." in screen_text(app) and not app._notifications
        await press(app, pilot, key)  # nothing left: says so, no crash
        assert footer.saying is not None and footer.saying.plain == "Nothing to undo."
        await press(app, pilot, "down")
        assert footer.saying is None and "? help" in screen_text(app)
    with Store.open(seed, readonly=True) as store:
        assert [m.action for m in store.marks_log()] == [MarkAction.MARK, MarkAction.UNDO]


async def test_reopening_resumes_after_the_last_mark(seed):
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        await press(app, pilot, "a", "c")
        expected = review(app).session.pair
        await pilot.press("q")
    again = app_for(seed)
    async with again.run_test() as pilot:
        await started(again, pilot)
        assert review(again).session.pair == expected
        assert "marked 2/" in screen_text(again)


def _current_claim_in_view(pane: ArticlePane) -> bool:
    """The pane's current claim is highlighted and every line of it inside the visible
    region (or its first lines fill the pane, for a claim taller than the pane)."""
    first, last = pane._layout.lines_of(pane.state.current)
    top, height = pane.scroll_offset.y, pane.scrollable_content_region.height
    return top <= first and min(last, first + height - 1) < top + height


@pytest.mark.parametrize("size", [(80, 24), (120, 34), (200, 50)])
async def test_resuming_shows_the_pair_the_next_key_marks_in_both_panes(seed, size):
    app = app_for(seed)
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        await press(app, pilot, "a", "a", "c", "s", "a")
        await pilot.press("q")
    again = app_for(seed)
    async with again.run_test(size=size) as pilot:
        await started(again, pilot)
        screen = review(again)
        pair = screen.session.pair
        assert "marked 5/" in screen_text(again)
        left = screen.query_one("#left", ArticlePane)
        right = screen.query_one("#right", ArticlePane)
        assert (left.state.current, right.state.current) == pair
        assert _current_claim_in_view(left), (left.scroll_offset, left._layout.lines_of(pair[0]))
        assert _current_claim_in_view(right), (right.scroll_offset, right._layout.lines_of(pair[1]))
        await press(again, pilot, "a")
    assert standing(seed)[pair_key(*pair)] == Label.AGREE  # the pair shown is the one marked


async def test_q_quits_after_pending_marks_are_committed(seed):
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        screen = review(app)
        screen.action_mark("agree")
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running
    assert len(standing(seed)) == 1


async def test_ctrl_c_says_in_plain_words_which_key_quits(seed):
    """Ctrl+C does not quit: the notice names the key that does, as text (Textual's own
    notice is markup, which this app shows as typed: "Press [b]ctrl+q[/b]")."""
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+c")
        await settle(app, pilot)
        assert app.is_running
        [notice] = list(app._notifications)
        assert notice.message == "Press q to quit (every mark is already saved)."
        assert "[b]" not in screen_text(app)
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


# --- moving around ------------------------------------------------------------------------


@pytest.mark.parametrize("down, up", [("j", "k"), ("down", "up")])
async def test_j_k_and_arrows_move_the_left_claim_and_its_partner_follows(seed, down, up):
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        screen = review(app)
        start = screen.session.left_claim
        await press(app, pilot, down)
        moved = screen.session.left_claim
        assert moved != start
        assert screen.session.view.left.claim(moved).kind != ClaimKind.BOILERPLATE
        partner = screen.session.view.partner(moved)
        if partner:
            assert screen.session.right_claim == partner
        await press(app, pilot, up)
        assert screen.session.left_claim == start


async def test_tab_then_cursor_pairs_the_left_claim_with_any_right_claim(seed):
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        screen = review(app)
        left, right = screen.session.pair
        await press(app, pilot, "tab")
        assert screen.session.active == "right"
        assert app.screen.query_one("#right", ArticlePane).has_class("-active")
        # two claims down, or up where the right claim ends its article
        down = screen.session.view.right.step(right, 1).id != right  # clamped at the end
        await press(app, pilot, *(["j", "j"] if down else ["k", "k"]))
        assert screen.session.left_claim == left and screen.session.right_claim != right
        manual = screen.session.pair
        await press(app, pilot, "n")
        assert standing(seed)[pair_key(*manual)] == Label.UNRELATED
        await press(app, pilot, "tab")
        assert screen.session.active == "left"


async def test_brackets_step_the_right_article_through_the_others(seed):
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        screen = review(app)
        await at_view(app, pilot, 0, 1)
        assert (screen.session.left_index, screen.session.right_index) == (0, 1)
        await press(app, pilot, "]")
        assert screen.session.right_index == 2 and "3/5 004" not in screen_text(app)
        assert "3/5 002" in screen_text(app)
        await press(app, pilot, "]", "]", "]")  # 3, 4, then wraps past the left article
        assert screen.session.right_index == 1
        await press(app, pilot, "[")
        assert screen.session.right_index == 4
        assert screen.session.left_index == 0


async def test_braces_and_x_put_any_article_on_either_side(seed):
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        screen = review(app)
        await at_view(app, pilot, 0, 1)
        await press(app, pilot, "}")
        assert (screen.session.left_index, screen.session.right_index) == (2, 1)
        await press(app, pilot, "{")
        assert (screen.session.left_index, screen.session.right_index) == (0, 1)
        pair = screen.session.pair
        await press(app, pilot, "x")
        assert (screen.session.left_index, screen.session.right_index) == (1, 0)
        assert screen.session.pair == (pair[1], pair[0])


async def test_space_goes_to_the_next_unmarked_pair_without_marking(seed):
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        screen = review(app)
        first = screen.session.pair
        await press(app, pilot, "space")
        assert screen.session.pair != first
        assert screen.session.view.info(screen.session.pair).proposed
    assert standing(seed) == {}


async def test_marking_walks_the_whole_queue_then_says_so(tmp_path):
    path = crafted_db(
        tmp_path / "small.db",
        {
            "small": [
                ("a.txt", "Six fighters were injured on Saturday. The talks lasted an hour."),
                ("b.txt", "6 fighters were hurt on Sunday. The talks lasted two hours."),
                ("c.txt", "Officials said six fighters were injured. The meeting lasted an hour."),
            ]
        },
    )
    with Store.open(path, readonly=True) as store:
        sid = store.stories()[0].id
        total, _ = store.review_open_counts([sid], "ana", min_score=40)[sid]
    app = app_for(path)
    async with app.run_test() as pilot:
        await started(app, pilot)
        for _ in range(total):
            await press(app, pilot, "a")
        assert f"marked {total}/{total}" in screen_text(app)
        await press(app, pilot, "a")  # the pair on screen is marked again: still total
    assert len(standing(path)) == total


async def test_a_story_whose_queue_is_marked_counts_as_done_where_a_headline_repeats(tmp_path):
    # "alpha" repeats its headline as the first sentence: the queue lists the headline's
    # pair once, and the story list and the next start count the queue, not every row.
    path = crafted_db(
        tmp_path / "repeat.db",
        {
            "alpha": [
                ("a.txt", "Six fighters were injured on Saturday\n\n"
                          "Six fighters were injured on Saturday. The talks lasted an hour."),
                ("b.txt", "6 fighters were hurt on Saturday. The talks lasted two hours."),
            ],
            "beta": [
                ("c.txt", "The mayor opened the bridge on Monday. It cost $5 million."),
                ("d.txt", "The mayor opened the new bridge on Monday. It cost $7 million."),
            ],
        },
    )  # fmt: skip
    app = app_for(path)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        assert review(app).session.story.name == "alpha"
        total = len(review(app).session.queue_pairs)
        await press(app, pilot, *["a"] * total)
        assert f"marked {total}/{total}" in screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
        await app.screen.query_one(StoryTable).settled()
        await pilot.pause()
        row = next(line for line in screen_text(app).splitlines() if "alpha" in line)
        assert f" {total}/{total} " in row
    again = app_for(path)
    async with again.run_test() as pilot:
        await started(again, pilot)
        assert review(again).session.story.name == "beta"


async def test_a_pair_below_the_floor_shows_a_score_below_the_floor(seed):
    """A best candidate at 39.6 is "below the floor of 40": its score is not shown as 40."""
    app = app_for(seed)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        screen = review(app)
        queued = {pair_key(*p) for p in screen.session.queue_pairs}
        with Store.open(seed, readonly=True) as store:
            pair, score = next(
                ((row.a.claim.id, row.b.claim.id), row.score)
                for row in store.candidate_rows(top=1)
                if 39.5 <= row.score < 40 and pair_key(row.a.claim.id, row.b.claim.id) not in queued
            )
        screen.show_pair(*pair)
        await settle(app, pilot)
        first_line = screen.query_one(HintStrip).content.plain.splitlines()[0]
        assert first_line.startswith("best candidate, below the floor of 40")
        assert f"score {score:.1f}" in first_line and "score 40" not in first_line


async def test_slash_searches_claims_and_jumps_to_the_choice(seed):
    app = app_for(seed)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        screen = review(app)
        await pilot.press("slash")
        await pilot.pause()
        search = app.screen
        assert isinstance(search, SearchScreen)
        await pilot.press(*"Latakia")
        await search.last_search.wait()
        await pilot.pause()
        assert search.query_one("OptionList").option_count >= 1
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        chosen = (
            screen.session.right_claim
            if screen.session.active == "right"
            else screen.session.left_claim
        )
        assert (
            "Latakia"
            in screen.session.story.doc(screen.session.story.claim_article[chosen])
            .claim(chosen)
            .text
        )


async def test_a_search_result_says_on_screen_that_it_makes_a_manual_pair(tmp_path):
    path = crafted_db(
        tmp_path / "zebra.db",
        {
            "zebra": [
                ("a.txt", "Six fighters were injured on Saturday. The talks lasted an hour."),
                ("b.txt", "6 fighters were hurt on Sunday. Zebras crossed the road at noon."),
            ]
        },
    )
    app = app_for(path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await started(app, pilot)
        screen = review(app)
        if screen.session.view.left.article.source != "a.txt":
            await press(app, pilot, "x")
        left = screen.session.left_claim
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"Zebras")
        await app.screen.last_search.wait()
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
        zebra = screen.session.right_claim
        assert "Zebras" in screen.session.view.right.claim(zebra).text
        first = screen.query_one(HintStrip).content.plain.splitlines()[0]
        assert first == (
            "manual pair: the search result with the left claim · not among the candidates"
        )
        assert len(first) <= screen.query_one(HintStrip).content_region.width  # one line
        assert any("paired with the claim on the left" in n.message for n in app._notifications)
        await press(app, pilot, "n")
    assert standing(path)[pair_key(left, zebra)] == Label.UNRELATED


async def test_search_escape_changes_nothing(seed):
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        screen = review(app)
        before = screen.session.pair
        await pilot.press("slash")
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen and screen.session.pair == before


async def test_e_before_the_mark_keeps_the_note_for_it(seed):
    app = app_for(seed)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await started(app, pilot)
        screen = review(app)
        pair = screen.session.pair
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)  # no $EDITOR here: the input box
        await pilot.press(*"six or seven?")
        await pilot.press("enter")
        await settle(app, pilot)
        assert any("Note kept" in n.message for n in app._notifications)
        assert standing(seed) == {}
        await press(app, pilot, "a")
    with Store.open(seed, readonly=True) as store:
        rows = [m for m in store.marks_log() if pair_key(m.claim_a, m.claim_b) == pair_key(*pair)]
    assert [(m.label, m.note) for m in rows] == [(Label.AGREE, "six or seven?")]


async def test_e_writes_a_note_as_a_new_mark_row_with_the_same_label(seed):
    app = app_for(seed)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(app, pilot)
        screen = review(app)
        pair = screen.session.pair
        await press(app, pilot, "c")
        screen.show_pair(*pair)
        await settle(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)  # no $EDITOR here: the input box
        await pilot.press(*"Thursday vs Friday")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Thursday vs Friday" in screen_text(app)
    with Store.open(seed, readonly=True) as store:
        rows = [m for m in store.marks_log() if pair_key(m.claim_a, m.claim_b) == pair_key(*pair)]
    assert [(m.label, m.note) for m in rows] == [
        (Label.CONTRADICT, None),
        (Label.CONTRADICT, "Thursday vs Friday"),
    ]


async def test_the_note_box_names_the_pair_the_note_goes_to(seed):
    """Right after a mark, `e` annotates the pair just marked, no longer on screen: the box
    says so and quotes it; on the pair on screen it says whether the note waits for a mark."""
    app = app_for(seed)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        session = review(app).session
        marked = session.pair
        story = session.story
        left = story.doc(story.claim_article[marked[0]]).claim(marked[0]).text
        first_words = " ".join(left.split()[:3])
        await press(app, pilot, "c")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        text = screen_text(app)
        assert "Note on the pair you just marked (✗ contradict)" in text
        assert first_words in text
        await pilot.press("escape")
        await settle(app, pilot)
        await press(app, pilot, "space")  # moving on: the note is on the pair on screen
        await pilot.press("e")
        await pilot.pause()
        assert "Note on this pair, kept for your mark" in screen_text(app)


async def test_o_opens_the_article_read_only_at_the_claim(seed):
    app = app_for(seed)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        screen = review(app)
        claim = screen.session.view.left.claim(screen.session.left_claim)
        await pilot.press("o")
        await pilot.pause()
        viewer = app.screen
        assert isinstance(viewer, ArticleViewer)  # no way to suspend here: the viewer
        text = viewer.query_one(TextArea)
        assert text.read_only
        assert text.cursor_location[0] == screen.session.view.left.line_of(claim.start) - 1
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen


@pytest.mark.parametrize("size", [(80, 24), (120, 34)])
async def test_o_shows_the_claim_itself_where_its_paragraph_wraps(seed, size):
    """The first pair's left claim is deep in a long paragraph: the viewer puts the
    claim's own words on screen, not only its paragraph's first row."""
    app = app_for(seed)
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        session = review(app).session
        claim = session.view.left.claim(session.left_claim)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ArticleViewer)
        await pilot.pause()
        # compared without spaces, borders and scroll bars: a claim may begin mid-row
        # ("sides.The U.S.") and its words wrap anywhere
        shown = _UNSPACED.sub("", screen_text(app))
        words = claim.text.split()
        assert _UNSPACED.sub("", "".join(words[:4])) in shown
        assert _UNSPACED.sub("", "".join(words[-3:])) in shown


_UNSPACED = re.compile(r"[\s\u2500-\u259f]")  # white space, box drawing, block elements


async def test_b_hides_and_dims_boilerplate(seed):
    app = app_for(seed)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        await at_view(app, pilot, 0, 1)  # article 001 begins with a subscription prompt
        pane = app.screen.query_one("#right", ArticlePane)
        dimmed = pane.line_count
        assert "Subscribe to EIR Online" in screen_text(app)
        await press(app, pilot, "b")
        assert pane.line_count < dimmed
        assert "Subscribe to EIR Online" not in screen_text(app)
        await press(app, pilot, "b")
        assert pane.line_count == dimmed


async def test_question_mark_shows_help_with_the_queue_rule(seed):
    app = app_for(seed)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "next-article" in screen_text(app)
        body = app.screen.query_one("#help-rule").content.plain
        assert "How the queue works" in body and "lowest agreement first" in body
        assert "next-article" in app.screen.query_one("#help-keys").content.plain
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


async def test_help_fits_120x34_without_scrolling_and_names_the_files_on_screen(seed):
    app = app_for(seed)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        session = review(app).session
        sources = [session.view.left.article.source, session.view.right.article.source]
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        body = help_screen.query_one("#help-body")
        assert body.max_scroll_y == 0
        for part in ("#help-keys", "#help-remap", "#help-rule"):
            region = help_screen.query_one(part).region
            assert help_screen.region.contains_region(region), part
            assert body.region.contains_region(region), part
        text = screen_text(app)
        for shown in ("Keys: review", "ctrl+p", "Remap keys", "within two seconds", *sources):
            assert shown in text, shown
        assert f"left {session.left_index + 1}/5 {sources[0]}" in text


async def test_escape_goes_to_the_story_list_and_enter_opens_a_story(seed):
    app = app_for(seed)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        await press(app, pilot, "a")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, StoryListScreen)
        await app.screen.query_one(StoryTable).settled()
        await pilot.pause()
        text = screen_text(app)
        assert SEED_STORY in text and "1/" in text
        columns = text.splitlines()[1:3]
        at = columns[0].index("claims") + len("claims")
        assert columns[1][:at].rstrip().endswith("no boilerplate")  # what the count leaves out
        await pilot.press("j", "k", "pagedown", "pageup", "enter")
        await settle(app, pilot)
        await started(app, pilot)
        assert isinstance(app.screen, ReviewScreen)


async def test_pages_scroll_the_focused_pane(seed):
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        pane = app.screen.query_one("#left", ArticlePane)
        before = pane.scroll_offset.y
        await press(app, pilot, "pagedown")
        assert pane.scroll_offset.y > before
        await press(app, pilot, "pageup")
        assert pane.scroll_offset.y == before


async def test_a_claim_shows_all_its_marks_on_a_line_of_its_own(tmp_path):
    path = crafted_db(
        tmp_path / "small.db",
        {
            "small": [
                ("a.txt", "Six fighters were injured on Saturday. The talks lasted an hour."),
                ("b.txt", "6 fighters were hurt on Sunday. The talks lasted two hours."),
                ("c.txt", "Officials said six fighters were injured. The meeting lasted an hour."),
            ]
        },
    )
    app = app_for(path)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        screen = review(app)
        story = screen.session.story
        claim = story.articles[0].claims[0].id
        for article, key in ((1, "a"), (2, "s")):
            screen.show_pair(claim, story.articles[article].claims[0].id)
            await settle(app, pilot)
            await press(app, pilot, key)
        screen.show_pair(claim, story.articles[1].claims[0].id)
        await settle(app, pilot)
        lines = screen_text(app).splitlines()
        [line] = [line for line in lines if "injured on Saturday." in line]
        left = line.split("││")[0]
        assert "The talks" not in left  # the next claim begins a line of its own
        assert left.rstrip("│ ").endswith("✓1 ?1")


# --- configuration, palette, read-only -------------------------------------------------------


async def test_keys_are_remapped_from_the_config_file(seed, tmp_path):
    keys = tmp_path / "keys.toml"
    keys.write_text('[keys]\nagree = "y"\nnext-article = "l"\n', encoding="utf-8")
    app = app_for(seed, keys=keys)
    async with app.run_test() as pilot:
        await started(app, pilot)
        screen = review(app)
        await press(app, pilot, "a")
        assert standing(seed) == {}  # a is no longer agree
        pair = screen.session.pair
        await press(app, pilot, "y")
        assert standing(seed) == {pair_key(*pair): Label.AGREE}
        await at_view(app, pilot, 0, 1)
        await press(app, pilot, "l")
        assert screen.session.right_index == 2


async def test_help_hints_and_footer_name_the_keys_of_the_active_key_map(seed, tmp_path):
    keys = tmp_path / "keys.toml"
    keys.write_text(
        '[keys]\nagree = "y"\nunrelated = "m"\ncursor-down = "ctrl+n"\n'
        'next-article = "l"\nnext-unmarked = "enter"\n',
        encoding="utf-8",
    )
    app = app_for(seed, keys=keys)
    async with app.run_test(size=(120, 34), notifications=True) as pilot:
        await started(app, pilot)
        screen = review(app)
        text = screen_text(app)
        assert "not marked yet: y agree · c contradict · m unrelated · s unsure" in text
        assert " y agree " in text.splitlines()[-1] and " a agree " not in text  # the footer
        no_pair = replace(screen.session.frame(), strip=None)
        assert screen.strip_content(no_pair).plain == (
            "No claim to pair here: move with ctrl+n/k, or step articles with l [."
        )
        await pilot.press("question_mark")
        await pilot.pause()
        help_keys = app.screen.query_one("#help-keys").content.plain
        assert any(line.split()[:2] == ["y", "agree"] for line in help_keys.splitlines())
        assert "Enter without marking" in (
            app.screen.query_one("#help-rule").content.plain.replace("\n", " ")
        )


async def test_a_broken_key_map_is_reported_and_defaults_stay(seed, tmp_path):
    keys = tmp_path / "keys.toml"
    keys.write_text('[keys]\nagree = \nnot-a-binding = "z"\n', encoding="utf-8")
    app = app_for(seed, keys=keys)
    async with app.run_test(notifications=True) as pilot:
        await started(app, pilot)
        assert any("not read" in n.message for n in app._notifications)
        await press(app, pilot, "a")
    assert len(standing(seed)) == 1


def test_key_map_problems_are_one_line_each(tmp_path):
    from workbench.tui.keys import load_keymap

    keys = tmp_path / "keys.toml"
    keys.write_text('[keys]\nagree = ["y", "ctrl+y"]\nbogus = "z"\nundo = 3\n', encoding="utf-8")
    keymap, problems = load_keymap(keys)
    assert keymap == {"agree": "y,ctrl+y"}
    assert len(problems) == 2 and all("\n" not in p for p in problems)
    assert load_keymap(tmp_path / "missing.toml") == ({}, [])


def test_every_binding_has_an_id_and_a_summary():
    from workbench.tui.keys import ALL_BINDINGS

    for binding in ALL_BINDINGS:
        assert binding.id, binding
        assert binding.id in SUMMARIES, binding.id


async def test_command_palette_offers_every_action(seed):
    app = app_for(seed)
    async with app.run_test() as pilot:
        await started(app, pilot)
        provider = WorkbenchCommands(app.screen)
        names = [hit.text async for hit in provider.discover()]
        expected = {SUMMARIES[b.id] for b in [*REVIEW_BINDINGS, *APP_BINDINGS]}
        assert expected <= set(names)
        pair = review(app).session.pair
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"claims agree")
        await pilot.pause()
        await pilot.press("enter")
        await settle(app, pilot)
    assert standing(seed) == {pair_key(*pair): Label.AGREE}


@pytest.mark.parametrize(
    "reviewer, env, said",
    [
        (None, {}, f"reviewing as {getpass.getuser()} (your login name; --reviewer to change)"),
        (None, {"WORKBENCH_REVIEWER": "zoe"}, "reviewing as zoe (from $WORKBENCH_REVIEWER;"),
        ("ana", {}, None),
    ],
)
async def test_the_default_reviewer_is_named_once_at_start(seed, reviewer, env, said):
    app = app_for(seed, reviewer=reviewer, env=env)
    async with app.run_test(size=(120, 34), notifications=True) as pilot:
        await started(app, pilot)
        named = [n.message for n in app._notifications if n.message.startswith("reviewing as")]
        assert named == ([] if said is None else [named[0]]) and all(said in m for m in named)
        await press(app, pilot, "a", "escape")
        named = [n.message for n in app._notifications if n.message.startswith("reviewing as")]
        assert len(named) == (0 if said is None else 1)  # once


async def test_the_palettes_screenshot_goes_to_the_working_folder(seed, tmp_path, monkeypatch):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))  # no ~/Downloads here
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.chdir(work)
    app = app_for(seed)
    async with app.run_test(size=(120, 34), notifications=True) as pilot:
        await started(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Screenshot")
        await pilot.pause()
        assert f"Save an SVG of the screen in {work}" in screen_text(app)
        await pilot.press("enter")
        for _ in range(400):  # the file is written by a thread: wait for its notice
            await pilot.pause(0.05)
            said = [n.message for n in app._notifications if n.title == "Screenshot"]
            if said:
                break
        [saved] = list(work.glob("*.svg"))
        assert said == [f"Screenshot saved: {saved}"]
        assert "marked 0/" in saved.read_text(encoding="utf-8").replace("&#160;", " ")
    assert not (home / "Downloads").exists()


async def test_read_only_database_opens_and_refuses_marks_politely(seed):
    app = app_for(seed, readonly=True)
    async with app.run_test(notifications=True) as pilot:
        await started(app, pilot)
        assert "READ-ONLY" in screen_text(app)
        await press(app, pilot, "a", "u", "e")
        assert any("Read-only database" in n.message for n in app._notifications)
    with Store.open(seed, readonly=True) as store:
        assert store.marks_log() == []
        assert store.db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0


async def test_session_pace_in_the_header(seed):
    now = [0.0]
    app = app_for(seed, clock=lambda: now[0])
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        now[0] = 30.0
        await press(app, pilot, "a")
        now[0] = 120.0
        await press(app, pilot, "a", "space")
        assert "session 2 · 1.0/min" in screen_text(app)


# --- article text is data --------------------------------------------------------------------

HOSTILE = (
    "Officials said [bold]x[/bold] was injured on Thursday. "
    "See [link=http://x]y[/link] for the \x1b[31mred\x1b[0m report."
)


async def test_article_text_is_displayed_literally(tmp_path):
    path = crafted_db(
        tmp_path / "hostile.db",
        {
            "hostile": [
                ("[b]evil[/b].txt", HOSTILE),
                ("plain.txt", "Officials said x was injured on Friday. See y for the red report."),
            ]
        },
    )
    app = app_for(path)
    async with app.run_test(size=(160, 34)) as pilot:
        await started(app, pilot)
        text = screen_text(app)
        assert "[bold]x[/bold]" in text
        assert "[link=http://x]y[/link]" in text
        assert "␛[31mred␛[0m" in text
        assert "[b]evil[/b].txt" in text  # the source in the pane title, too
        assert "\x1b" not in text
        svg = app.export_screenshot()
        assert "[bold]x[/bold]" in svg.replace("&#160;", " ")


async def test_panes_name_articles_by_outlet_and_title_within_their_borders(tmp_path):
    from workbench.ingest import ArticleInput
    from workbench.pipeline import import_articles

    path = tmp_path / "titled.db"
    long_title = "Generals meet\nface to face after the clash, " + "and the talks go on " * 6
    inputs = [
        ArticleInput("titled", "000_b06f8e85b258ddf3.txt", HOSTILE, title=long_title,
                     outlet="Daily \x1b[31mPlanet"),
        ArticleInput("titled", "plain.txt", "Officials said x was injured on Friday."),
    ]  # fmt: skip
    with Store.open(path, create=True) as store:
        import_articles(store, inputs)
    app = app_for(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        screen = review(app)
        top = screen_text(app).splitlines()[1]
        # Both pane titles inside their borders: each pane's corners where they belong.
        assert len(top) == 80 and (top[0], top[39], top[40], top[79]) == ("╭", "╮", "╭", "╮")
        if screen.session.view.left.article.source == "plain.txt":
            await press(app, pilot, "x")  # the titled article on the left
            top = screen_text(app).splitlines()[1]
        assert top.startswith("╭─ 1/2 Daily ␛[31mPlanet · Generals") and top[36:40] == "… ─╮"
        assert "000_b06f8e85b258ddf3.txt" not in top and "plain.txt" in top  # no title: source
        assert "\x1b" not in screen_text(app)
        # The file name is where the article is opened.
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ArticleViewer)
        assert "000_b06f8e85b258ddf3.txt · read-only" in screen_text(app)


# --- live pairing and resizing ---------------------------------------------------------------


async def test_other_processes_marks_show_up(seed):
    import sys

    app = app_for(seed, poll_seconds=1.0)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        screen = review(app)
        left, right = screen.session.pair
        assert app.config.poll_seconds <= 2.0
        script = (
            "import sys\nfrom workbench.store import Store\n"
            "with Store.open(sys.argv[1]) as s:\n"
            "    s.record_mark(sys.argv[2], sys.argv[3], 'contradict', 'bob',\n"
            "                  note='dates differ')\n"
        )
        # Another process, as a second reviewer's terminal would be.
        other = await asyncio.create_subprocess_exec(
            sys.executable, "-c", script, str(seed), left, right
        )
        assert await other.wait() == 0
        # The timer (every second) or this explicit poll takes the change in, whichever
        # comes first: wait for what the screen shows, not for which of the two did it.
        for _ in range(100):
            await app.poll_changes()
            await settle(app, pilot)
            text = screen_text(app)
            if "bob ✗ contra" in text:
                break
            await asyncio.sleep(0.05)
        assert "bob ✗ contra" in text and "dates differ" in text
        marks = screen.query_one("#left", ArticlePane).state.markers[left].marks
        assert [m.kind for m in marks] == ["other"]
        assert not await app.poll_changes()  # nothing new: no work


async def test_resizing_never_crashes(seed):
    app = app_for(seed)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        for size in [(200, 60), (40, 12), (20, 6), (12, 4), (80, 24), (120, 34)]:
            await pilot.resize_terminal(*size)
            await settle(app, pilot)
            screen_text(app)
        await press(app, pilot, "a", "j", "tab", "j", "b", "b")
        await pilot.resize_terminal(30, 10)
        await press(app, pilot, "]")
        screen_text(app)


async def test_80x24_shows_both_panes_hints_and_footer(seed):
    app = app_for(seed)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot)
        lines = screen_text(app).splitlines()
        assert len(lines) == 24 and all(len(line) == 80 for line in lines)
        assert "reviewer: ana" in lines[0] and "marked 0/" in lines[0]
        assert lines[1].count("╭") == 2
        assert any("score" in line for line in lines) and "agree" in lines[-1]


@pytest.mark.parametrize("size", [(80, 24), (120, 34), (200, 50)])
async def test_the_footer_fits_with_help_first_and_quit_stories_palette_kept(seed, size):
    app = app_for(seed)
    async with app.run_test(size=size) as pilot:
        await started(app, pilot)
        for screen_keys in (["esc stories", "a agree", "u undo"], ["enter open"]):
            footer = screen_text(app).splitlines()[-1]
            assert footer.startswith(" ? help ")
            for shown in [*screen_keys, "q quit", "^p palette"]:
                assert f" {shown}" in footer, (shown, footer)
            assert footer.endswith(" ")  # the last entry is whole, never cut by the edge
            await press(app, pilot, "escape")  # the story list's footer next


@given(
    st.lists(
        st.tuples(st.text("abc?^", min_size=1, max_size=6), st.text("xyz ", max_size=12),
                  st.integers(0, 4)),
        max_size=14,
    ),
    st.integers(1, 200),
)  # fmt: skip
def test_fitting_the_footer_keeps_whole_ranks_lowest_first(entries, width):
    keys = [FooterKey(k, label, rank) for k, label, rank in entries]
    kept, gap = fit_keys(keys, width)
    assert kept == [k for k in keys if k in kept]  # in their order
    ranks = sorted({k.rank for k in keys})
    kept_ranks = sorted({k.rank for k in kept})
    assert kept_ranks == ranks[: len(kept_ranks)]  # whole ranks, the lowest first
    assert all(k in kept for k in keys if k.rank in kept_ranks)
    if len(kept_ranks) > 1 or keys_width(kept, gap) <= width:
        assert keys_width(kept, gap) <= width
        bigger = (
            [k for k in keys if k.rank <= ranks[len(kept_ranks)]]
            if len(ranks) > len(kept_ranks)
            else None
        )
        assert bigger is None or keys_width(bigger, 1) > width  # no further rank fits
        assert gap == 2 or keys_width(kept, 2) > width or not kept


async def test_story_with_one_article_says_so(tmp_path):
    path = crafted_db(tmp_path / "one.db", {"lonely": [("a.txt", "Only one article here.")]})
    app = app_for(path, story="lonely")
    async with app.run_test() as pilot:
        await started(app, pilot)
        assert "single article" in screen_text(app)
        await press(app, pilot, "a", "j", "]", "space", "x")


async def test_unknown_story_is_reported_without_crashing(seed):
    app = app_for(seed, story="no such story")
    async with app.run_test(notifications=True) as pilot:
        await started(app, pilot)
        assert any("no story named" in n.message for n in app._notifications)


@pytest.mark.parametrize(
    "outlet, title, name",
    [
        ("AP", "Generals meet", "AP · Generals meet"),
        (None, "Generals meet", "Generals meet"),
        ("AP", None, "AP"),
        (None, None, "000_b06f8e85b258ddf3.txt"),
        ("  ", "", "000_b06f8e85b258ddf3.txt"),
    ],
)
def test_an_article_is_named_by_outlet_and_title_else_its_source(outlet, title, name):
    article = Article("x", "s", "000_b06f8e85b258ddf3.txt", "Text.", title=title, outlet=outlet)
    assert ArticleDoc.build(article, []).name == name


def test_view_hints_follow_the_view_and_wait_until_asked():
    """A pair stored only the other way round (right -> left) still shows its hints left
    -> right; they are computed on first access, once, by the core's hint finder."""
    left_text, right_text = "Troops met on Thursday.", "Troops met on Friday."
    docs = []
    for name, text in (("l", left_text), ("r", right_text)):
        claim = Claim(claim_id(name, 0, len(text)), name, 0, len(text), text, ClaimKind.CLAIM, 0)
        docs.append(ArticleDoc.build(Article(name, "s", f"{name}.txt", text), [claim]))
    left, right = docs
    pair = (left.claims[0].id, right.claims[0].id)
    view = ViewData.build(left, right, [(pair[1], pair[0], 1, 75.0, 0.0)], lambda p: True)
    info = view.info(pair)
    assert info is not None and info.proposed and info.back_rank == 1 and info.rank is None
    assert "hints" not in vars(info)  # nothing computed yet
    assert info.hints == tuple(find_hints(left_text, right_text))
    [weekday] = info.hints
    assert (weekday.a, weekday.b) == ("Thursday", "Friday")
    assert left_text[slice(*weekday.a_span)] == "Thursday"
    assert right_text[slice(*weekday.b_span)] == "Friday"
    assert info.hints is info.hints  # cached


def test_the_core_does_not_import_textual():
    import subprocess
    import sys

    code = (
        "import sys, workbench.store, workbench.pipeline, workbench.tui.model, "
        "workbench.tui.layout, workbench.tui.gateway, workbench.tui.state, "
        "workbench.tui.queues, workbench.tui.modes, workbench.tui.frame, "
        "workbench.tui.session\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'textual']\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent)


async def test_strip_and_highlights_follow_the_pair_the_next_key_marks(seed):
    """After every mark (including auto-advances onto another right-hand article), what the
    hint strip shows and which claims are highlighted is the pair the next key marks."""
    app = app_for(seed)
    keys = "acnsacnsacnsacnsacnsacnsacnsacns"
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        screen = review(app)
        articles_seen = set()
        for key in keys:
            pair = screen.session.pair
            if pair is None:
                break
            view = screen.session.view
            info = view.info(pair)
            articles_seen.add((screen.session.left_index, screen.session.right_index))
            left = screen.query_one("#left", ArticlePane)
            right = screen.query_one("#right", ArticlePane)
            assert left.state.doc is view.left and right.state.doc is view.right
            assert (left.state.current, right.state.current) == pair
            strip = screen.query_one(HintStrip)
            shown = strip.content.plain
            assert shown == screen.strip_content(screen.session.frame()).plain
            text = screen_text(app)
            first_line = shown.splitlines()[0]
            assert first_line[:100] in text
            if info is not None:
                assert f"score {info.score:.1f}" in first_line
            before = standing(seed)
            await press(app, pilot, key)
            after = standing(seed)
            changed = {k for k in after if before.get(k) != after[k]}
            assert changed == {pair_key(*pair)}, (key, pair, changed)
        assert len(articles_seen) > 1  # the walk crossed article switches
        # A fast burst, then the same invariant once the queue is idle.
        for key in "nsacnsac":
            await pilot.press(key)
        await settle(app, pilot)
        pair = screen.session.pair
        if pair is not None:
            view = screen.session.view
            strip = screen.query_one(HintStrip)
            assert strip.content.plain == screen.strip_content(screen.session.frame()).plain
            left = screen.query_one("#left", ArticlePane)
            right = screen.query_one("#right", ArticlePane)
            assert (left.state.current, right.state.current) == pair
            before = standing(seed)
            await press(app, pilot, "a")
            after = standing(seed)
            assert {k for k in after if before.get(k) != after[k]} == {pair_key(*pair)}


class _FullDisk:
    """A connection whose COMMIT fails as SQLite does on a full disk, while `full` is set."""

    def __init__(self, conn):
        self._conn = conn
        self.full = True

    def execute(self, sql, *args):
        if self.full and sql == "COMMIT":
            import sqlite3

            raise sqlite3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


async def test_a_full_disk_at_a_marks_commit_is_one_line_and_the_app_keeps_running(seed):
    app = app_for(seed)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        screen = review(app)
        first = screen.session.pair
        full = await app.gateway.database.interactive.run(lambda store: _FullDisk(store.db.conn))

        def install(store, conn=full):
            store.db.conn = conn

        await app.gateway.database.interactive.run(install)
        await press(app, pilot, "a")
        assert screen.session.pair == first  # not saved: the screen does not move on
        assert "marked 0/" in screen_text(app)
        messages = [n.message for n in app._notifications]
        assert any("disk is full" in m and "\n" not in m for m in messages), messages
        assert standing(seed) == {}
        full.full = False  # space again: the same app, the same key
        await press(app, pilot, "a")
        assert "marked 1/" in screen_text(app)
    assert standing(seed) == {pair_key(*first): Label.AGREE}


async def test_the_hidden_story_list_recounts_only_when_it_shows_again(seed):
    """Marks from elsewhere reach every screen; the story list under the review screen
    fetches its counts when it is shown again, not on every poll (a large story's recount
    costs about a second of CPU, which would stall the keys typed meanwhile)."""
    app = app_for(seed, poll_seconds=3600)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        screen = review(app)
        left, right = screen.session.pair
        calls = []
        counts = app.state.gateway.story_progress

        async def counting(*args, **kwargs):
            calls.append(args)
            return await counts(*args, **kwargs)

        app.state.gateway.story_progress = counting
        with Store.open(seed) as other:  # another reviewer, as another process would
            other.record_mark(left, right, "contradict", "bob")
        assert await app.poll_changes()
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert calls == []  # the list is hidden: no recount
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, StoryListScreen)
        await app.screen.query_one(StoryTable).settled()
        assert calls  # shown again: counted afresh


async def test_an_older_database_opens_in_the_app_upgraded_once(tmp_path, monkeypatch):
    """The app's two database lanes open the file one at a time: the first upgrades an
    older schema (with its backup), the second finds it current. Both at once raced on the
    backup's file ("disk I/O error") and the app never showed its first screen."""
    from conftest import a_version_1_database
    from workbench.store import SCHEMA_VERSION
    from workbench.store.base import StoreBase

    real_backup = StoreBase.backup

    def slow_backup(self, target):  # as a large file's copy takes a while
        time.sleep(0.3)
        return real_backup(self, target)

    monkeypatch.setattr(StoreBase, "backup", slow_backup)
    path = tmp_path / "old.db"
    a_version_1_database(path)
    app = app_for(path, reviewer="ben")  # ana has marked its one pair
    async with app.run_test(size=(120, 34)) as pilot:
        await asyncio.wait_for(started(app, pilot), timeout=30)
        screen = review(app)
        assert screen.session.story.name == "Story"
        await press(app, pilot, "a")
    with Store.open(path, readonly=True) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert len(store.current_marks()) == 2  # the old mark, and the one just made
    assert sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name or ".tmp" in p.name) == [
        "old.db.v1.bak"
    ]


async def test_a_hint_side_that_names_nothing_says_so_in_words(tmp_path):
    """One claim negates, the other does not: the hint's empty side reads "(none)", not
    "∅", which is the unrelated mark; `workbench queue` says it the same way."""
    path = crafted_db(
        tmp_path / "negated.db",
        {
            "bridge": [
                ("a.txt", "The army did not withdraw from the town near the river."),
                ("b.txt", "The army withdrew from the town near the river."),
            ]
        },
    )
    app = app_for(path)
    async with app.run_test(size=(120, 34)) as pilot:
        await started(app, pilot)
        strip = review(app).query_one(HintStrip).content.plain
        assert "negation did not ≠ (none)" in strip or "negation (none) ≠ did not" in strip
        assert "∅" not in strip
    listed = subprocess.run(
        [sys.executable, "-m", "workbench", "queue", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "negation: did not ≠ (none)" in listed or "negation: (none) ≠ did not" in listed
