"""The review session without Textual: the queue and navigation rules, on a real database.

Each test builds the app's shared state over a `StoreGateway` on a temporary database and
drives a `ReviewSession` the way the screen does (one awaited call per key), reading only
its public state and the frames it returns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui_helpers import SEED_STORY, crafted_db, disputed_db, seed_db, standing

from workbench.models import Label, MarkAction, pair_key
from workbench.store import Store
from workbench.tui.gateway import StoreGateway
from workbench.tui.session import ReviewSession
from workbench.tui.state import AppState

TWO_ARTICLES = {
    "two": [
        (
            "a.txt",
            "Six fighters were injured on Saturday. The talks lasted an hour. "
            "The hotline opened on Monday. Troops crossed the river at dawn.",
        ),
        (
            "b.txt",
            "6 fighters were hurt on Sunday. The talks lasted two hours. "
            "The hotline opened on Tuesday. Troops crossed the river at night.",
        ),
    ]
}
THREE_ARTICLES = {
    "small": [
        ("a.txt", "Six fighters were injured on Saturday. The talks lasted an hour."),
        ("b.txt", "6 fighters were hurt on Sunday. The talks lasted two hours."),
        ("c.txt", "Officials said six fighters were injured. The meeting lasted an hour."),
    ]
}


@pytest.fixture
async def states():
    """Make an opened AppState on a database; every gateway is closed afterwards."""
    made: list[AppState] = []

    async def make(path: Path, reviewer: str = "ana", *, mode: str = "review", **kwargs):
        readonly = kwargs.pop("readonly", False)
        state = AppState(StoreGateway.open(path, readonly=readonly), reviewer, **kwargs)
        await state.open(mode)
        made.append(state)
        return state

    yield make
    for state in made:
        state.gateway.close()


@pytest.fixture
def seed(tmp_path) -> Path:
    return seed_db(tmp_path)


async def review(state: AppState, story: str = SEED_STORY) -> ReviewSession:
    session = ReviewSession.review(state, story)
    await session.open()
    await session.counted()
    return session


# --- opening and marking ---------------------------------------------------------------------


def _articles(session, pair):
    story = session.story
    return tuple(story.article_index[story.claim_article[c]] for c in pair)


async def test_opens_at_the_first_pair_of_the_queue(seed, states):
    session = await review(await states(seed))
    view = session.view
    assert session.pair == session.queue_pairs[0] and view.info(session.pair).proposed
    assert (session.left_index, session.right_index) == _articles(session, session.pair)
    frame = session.frame()
    assert (frame.left.current, frame.right.current) == session.pair
    assert frame.left.active and not frame.right.active
    assert frame.strip.position.startswith("pair 1/") and frame.strip.prompt
    assert frame.header.progress.startswith("marked 0/") and frame.header.role == "reviewer"


async def test_a_mark_is_committed_then_the_next_unmarked_pair_follows(seed, states):
    state = await states(seed)
    session = await review(state)
    first = session.pair
    second = session.queue_pairs[1]
    outcome = await session.mark(Label.CONTRADICT)
    assert standing(seed) == {pair_key(*first): Label.CONTRADICT}
    assert session.is_done(first) and not session.is_done(session.pair)
    assert session.pair == second  # the queue's order
    assert outcome.frame is not None and outcome.frame.pair == second
    assert state.session.marks == 1 and session.header().progress.startswith("marked 1/")
    # The marked pair now carries my marker, on both sides.
    frame = (await session.show_pair(first)).frame
    shown = frame.pair  # the left article stays on the left: the pair may come round
    assert shown is not None and set(shown) == set(first)
    markers = frame.left.markers[shown[0]], frame.right.markers[shown[1]]
    assert [[m.kind for m in marks.marks] for marks in markers] == [["contradict"]] * 2


async def test_marking_walks_every_proposed_pair_once_across_views_then_says_so(tmp_path, states):
    path = crafted_db(tmp_path / "small.db", THREE_ARTICLES)
    with Store.open(path, readonly=True) as store:
        sid = store.stories()[0].id
        queue = [item.pair for item in store.queue(sid, min_score=40)]
    session = await review(await states(path), "small")
    assert session.queue_pairs == queue  # the app walks what `workbench queue` prints
    total = len(queue)
    seen = []
    views = set()
    for _ in range(total):
        seen.append(pair_key(*session.pair))
        views.add((session.left_index, session.right_index))
        outcome = await session.mark(Label.AGREE)
    assert seen == [pair_key(*p) for p in queue] and len(views) > 1
    assert outcome.notice.text == "Every proposed pair here is marked."
    assert session.header().progress == f"marked {total}/{total}"
    assert (await session.next_unmarked()).notice.text == "No unmarked pair left."


async def test_next_unmarked_wraps_around_to_the_pairs_skipped_earlier(tmp_path, states):
    path = crafted_db(tmp_path / "two.db", TWO_ARTICLES)
    session = await review(await states(path), "two")
    queue = list(session.queue_pairs)
    assert len(queue) >= 3
    await session.show_pair(queue[1])  # skip the first pair
    for pair in queue[1:]:
        assert session.pair == pair
        await session.mark(Label.AGREE)
    assert session.pair == queue[0]  # wrapped around to the one skipped
    outcome = await session.mark(Label.AGREE)
    assert outcome.notice.text == "Every proposed pair here is marked."


async def test_space_moves_on_without_marking(seed, states):
    session = await review(await states(seed))
    first = session.pair
    await session.next_unmarked()
    assert session.pair != first and session.view.info(session.pair).proposed
    assert standing(seed) == {}


async def test_undo_withdraws_the_mark_and_returns_to_its_pair(seed, states):
    state = await states(seed)
    session = await review(state)
    first = session.pair
    await session.mark(Label.AGREE)
    outcome = await session.undo()
    assert outcome.notice.text == "Undid ✓ agree."
    assert session.pair == first and not session.is_done(first)
    assert standing(seed) == {} and state.session.marks == 0
    assert session.header().progress.startswith("marked 0/")
    assert (await session.undo()).notice.text == "Nothing to undo."


async def test_undo_shows_each_mark_s_pair_the_way_round_it_was_marked(seed, states):
    """The database keeps a pair in one order; an undo shows it as it was on screen when
    marked, even marked twice either way round, or after the story was opened again."""
    state = await states(seed)
    session = await review(state)
    await session.swap()
    first = session.pair
    await session.mark(Label.AGREE)
    await session.show_pair(first)
    if session.pair == first:
        await session.swap()
    second = session.pair
    assert second == first[::-1]
    await session.mark(Label.CONTRADICT)
    await session.undo()
    assert session.pair == second
    await session.undo()
    assert session.pair == first
    # a mark, then the story opened again (a new screen, the same run): undo
    await session.swap()
    third = session.pair
    await session.mark(Label.UNSURE)
    again = await review(state)
    await again.undo()
    assert again.pair == third and standing(seed) == {}


async def test_undo_of_an_earlier_run_shows_the_pair_as_the_queue_does(seed, states):
    """A new run does not know how a mark's pair was on screen: as the queue shows it."""
    session = await review(await states(seed))
    for _ in range(3):
        marked = session.pair
        await session.mark(Label.AGREE)
    again = await review(await states(seed))
    await again.undo()
    assert again.pair == next(p for p in again.queue_pairs if set(p) == set(marked))


async def test_reopening_resumes_after_the_latest_mark(seed, states):
    session = await review(await states(seed))
    await session.mark(Label.AGREE)
    await session.mark(Label.CONTRADICT)
    expected = session.pair
    again = await review(await states(seed))  # a new run: its own book, loaded afresh
    assert again.pair == expected
    assert again.header().progress.startswith("marked 2/")


# --- moving around ----------------------------------------------------------------------------


async def test_cursor_moves_the_left_claim_and_its_partner_follows(seed, states):
    session = await review(await states(seed))
    start = session.left_claim
    await session.cursor(1)
    moved = session.left_claim
    assert moved != start
    partner = session.view.partner(moved)
    if partner:
        assert session.right_claim == partner
    await session.cursor(-1)
    assert session.left_claim == start


async def test_the_right_pane_pairs_the_left_claim_with_any_claim(seed, states):
    session = await review(await states(seed))
    left, right = session.pair
    assert (await session.switch_pane()).frame.right.active
    step = 1 if session.view.right.step(right, 1).id != right else -1  # clamped at the end
    await session.cursor(step)
    await session.cursor(step)
    manual = session.pair
    assert manual[0] == left and manual[1] != right
    strip = session.frame().strip
    assert (strip.position, strip.position_bold, strip.info) == ("manual pair", True, None)
    await session.mark(Label.UNRELATED)
    assert standing(seed)[pair_key(*manual)] == Label.UNRELATED


async def test_stepping_articles_right_left_and_swapping_sides(seed, states):
    session = await review(await states(seed))
    await session.show_pair(_first_pair_between(session, 0, 1))
    assert (session.left_index, session.right_index) == (0, 1)
    await session.step_article(1)
    assert (session.left_index, session.right_index) == (0, 2)
    for _ in range(3):  # 3, 4, then past the left article back to 1
        await session.step_article(1)
    assert session.right_index == 1
    await session.step_article(-1)
    assert (session.left_index, session.right_index) == (0, 4)
    await session.step_article(1)
    await session.step_left(1)
    assert (session.left_index, session.right_index) == (2, 1)
    await session.step_left(-1)
    assert (session.left_index, session.right_index) == (0, 1)
    pair = session.pair
    outcome = await session.swap()
    assert (session.left_index, session.right_index) == (1, 0)
    assert session.pair == (pair[1], pair[0])
    assert outcome.frame.left.doc is session.view.left and outcome.frame.left.index == 1


def _first_pair_between(session, left: int, right: int):
    return next(p for p in session.queue_pairs if set(_articles(session, p)) == {left, right})


async def test_two_articles_have_no_other_to_step_to(tmp_path, states):
    path = crafted_db(tmp_path / "two.db", TWO_ARTICLES)
    session = await review(await states(path), "two")
    outcome = await session.step_article(1)
    assert outcome.notice.text == "No other article: this story has two."
    assert (session.left_index, session.right_index) == (0, 1)


async def test_jumping_to_a_claim_shows_its_article(seed, states):
    session = await review(await states(seed))
    await session.show_pair(_first_pair_between(session, 0, 1))
    story = session.story
    far = next(c for c in story.articles[3].claims if c.kind != "boilerplate")
    await session.jump_to_claim(far.id)
    assert session.right_index == 3 and session.right_claim == far.id
    assert session.active == "right"
    near = next(c for c in story.articles[0].claims if c.kind != "boilerplate")
    await session.jump_to_claim(near.id)
    assert session.active == "left" and session.left_claim == near.id


async def test_a_search_result_says_it_pairs_with_the_left_claim_before_a_mark(seed, states):
    session = await review(await states(seed))
    await session.show_pair(_first_pair_between(session, 0, 1))
    left = session.left_claim
    queued = {pair_key(*p) for p in session.queue_pairs}
    far = next(
        c
        for c in session.story.articles[3].claims
        if c.kind != "boilerplate" and pair_key(left, c.id) not in queued
    )
    outcome = await session.jump_to_claim(far.id)
    assert session.pair == (left, far.id)
    assert "paired with the claim on the left" in outcome.notice.text
    strip = outcome.frame.strip
    assert strip.position == "manual pair: the search result with the left claim"
    assert strip.position_bold
    await session.mark(Label.UNRELATED)  # the pair the strip named is the one marked
    assert standing(seed)[pair_key(left, far.id)] == Label.UNRELATED
    # Once the pair on screen changes, the strip no longer speaks of the search.
    await session.show_pair((left, far.id))
    assert session.frame().strip.position == "manual pair"


async def test_a_claims_marker_sums_up_its_marks_against_every_article(tmp_path, states):
    """Marked agree against one article and unsure against another: both show beside the
    claim, in either view, and on the other claims their one mark each."""
    path = crafted_db(tmp_path / "small.db", THREE_ARTICLES)
    session = await review(await states(path), "small")
    story = session.story
    claim = story.articles[0].claims[0]  # "Six fighters were injured on Saturday."
    in_b, in_c = (story.articles[i].claims[0].id for i in (1, 2))
    await session.show_pair((claim.id, in_b))
    await session.mark(Label.AGREE)
    await session.show_pair((claim.id, in_c))
    await session.mark(Label.UNSURE)
    for other, label in ((in_b, "agree"), (in_c, "unsure")):
        frame = (await session.show_pair((claim.id, other))).frame
        marks = frame.left.markers[claim.id]
        assert sorted(m.kind for m in marks.marks) == ["agree", "unsure"]
        assert marks.runs(8) == (("✓1", "agree"), (" ", ""), ("?1", "unsure"))
        assert marks.runs(3) == (("✓", "agree"), ("?", "unsure"))
        assert [m.kind for m in frame.right.markers[other].marks] == [label]
        assert frame.right.markers[other].runs(8) == (
            (f"{'✓' if label == 'agree' else '?'} {label}", label),
        )


# --- notes, read-only, nothing to show ------------------------------------------------------


async def test_a_note_before_or_after_the_mark_is_stored_with_its_label(seed, states):
    session = await review(await states(seed))
    pair = session.pair
    # before the mark: kept, and saved with the mark the reviewer then makes
    draft = session.note_draft()
    assert draft.pair == pair and draft.label is None and not draft.just_marked
    outcome = await session.save_note(draft, "  Thursday vs Friday ")
    assert outcome.notice.text.startswith("Note kept")
    assert session.note_draft().existing == "Thursday vs Friday"
    await session.mark(Label.CONTRADICT)
    # right after the mark: `e` annotates the pair just marked, not the one now on screen
    after = session.note_draft()
    assert after.pair == pair and after.just_marked and after.label == Label.CONTRADICT
    assert after.existing == "Thursday vs Friday"
    outcome = await session.save_note(after, "Thursday vs Friday; see the Pentagon")
    assert outcome.notice.text == "Note saved on the pair you just marked."
    await session.show_pair(pair)  # moving elsewhere ends "just marked"
    assert not session.note_draft().just_marked
    assert [e.note for e in session.frame().strip.entries] == [
        "Thursday vs Friday; see the Pentagon"
    ]
    assert (
        await session.save_note(session.note_draft(), "Thursday vs Friday; see the Pentagon")
    ).frame is None
    with Store.open(seed, readonly=True) as store:
        rows = [m for m in store.marks_log() if pair_key(m.claim_a, m.claim_b) == pair_key(*pair)]
    assert [(m.label, m.note) for m in rows] == [
        (Label.CONTRADICT, "Thursday vs Friday"),
        (Label.CONTRADICT, "Thursday vs Friday; see the Pentagon"),
    ]


async def test_read_only_refuses_marks_undo_and_notes(seed, states):
    session = await review(await states(seed, readonly=True))
    first = session.pair
    for outcome in (await session.mark(Label.AGREE), await session.undo(), session.note_draft()):
        assert outcome.notice.severity == "warning" and "Read-only" in outcome.notice.text
    assert session.pair == first and session.header().readonly
    with Store.open(seed, readonly=True) as store:
        assert store.marks_log() == []


async def test_a_story_of_one_article_or_none_says_so(tmp_path, states):
    path = crafted_db(tmp_path / "one.db", {"lonely": [("a.txt", "Only one article here.")]})
    state = await states(path)
    lonely = ReviewSession.review(state, "lonely")
    frame = (await lonely.open()).frame
    assert "single article" in frame.message and frame.header.story == "lonely"
    assert (await lonely.mark(Label.AGREE)).notice.text == "No pair to mark here."
    for move in (lonely.cursor(1), lonely.step_article(1), lonely.next_unmarked(), lonely.swap()):
        assert (await move).frame is None
    missing = await ReviewSession.review(state, "no such story").open()
    assert "no story named" in missing.notice.text and missing.notice.severity == "error"
    assert "Press esc" in missing.frame.message


async def test_marks_from_elsewhere_update_the_progress(seed, states):
    state = await states(seed)
    session = await review(state)
    pair = session.pair
    with Store.open(seed) as other:  # the same reviewer in another process
        other.record_mark(*pair, "agree", "ana")
    arrived = await state.poll()
    assert arrived is not None and arrived.mine_elsewhere
    outcome = await session.marks_changed(mine_elsewhere=True)
    assert session.is_done(pair)
    assert outcome.frame.header.progress.startswith("marked 1/")
    assert await state.poll() is None  # nothing new


# --- adjudication ------------------------------------------------------------------------------


async def test_adjudication_walks_disagreements_lowest_agreement_first(tmp_path, states):
    path, (p0, p1, agreed, unsure) = disputed_db(tmp_path)
    state = await states(path, "ed", mode="adjudicate")
    session = ReviewSession.adjudication(state)
    frame = (await session.open()).frame
    assert [d.item for d in session.mode.items] == [p0, p1]  # 1-1 split before 2-1
    assert [d.agreement for d in session.mode.items] == [0.5, pytest.approx(2 / 3)]
    assert agreed not in [d.item for d in session.mode.items]
    assert unsure not in [d.item for d in session.mode.items]  # unsure is no rating
    assert pair_key(*session.pair) == p0
    assert frame.strip.position == "disagreement 1 of 2 · agreement 50%"
    assert frame.header.progress == "decided 0/2" and frame.header.role == "editor"
    assert {(e.who, e.label, e.note) for e in frame.strip.entries} == {
        ("ana", Label.AGREE, "same meeting"),
        ("bob", Label.CONTRADICT, "Thursday, not Friday"),
    }
    await session.mark(Label.CONTRADICT)
    assert pair_key(*session.pair) == p1 and session.is_done(p0)
    outcome = await session.mark(Label.AGREE)
    assert outcome.notice.text == "Every disagreement is decided."
    assert session.header().progress == "decided 2/2"
    await session.undo()
    assert pair_key(*session.pair) == p1 and not session.is_done(p1)
    assert session.header().progress == "decided 1/2"
    finals = standing(path, "ed", action=MarkAction.FINAL)
    assert finals == {p0: Label.CONTRADICT}
    assert len(standing(path, "ana")) == 4  # the reviewers' own rows are untouched


async def test_adjudication_resumes_at_the_first_undecided_and_wraps(tmp_path, states):
    path, (p0, p1, *_rest) = disputed_db(tmp_path)
    with Store.open(path) as store:
        store.record_mark(*p1, "agree", "ed", action=MarkAction.FINAL)
    session = ReviewSession.adjudication(await states(path, "ed", mode="adjudicate"))
    await session.open()
    assert pair_key(*session.pair) == p0  # p1 is decided
    await session.next_unmarked()
    assert pair_key(*session.pair) == p0  # round again: p0 is the only one left
    await session.mark(Label.AGREE)
    assert (await session.next_unmarked()).notice.text == "Every disagreement is decided."


async def test_adjudication_with_nothing_to_decide(seed, states):
    session = ReviewSession.adjudication(await states(seed, "ed", mode="adjudicate"))
    frame = (await session.open()).frame
    assert frame.message.startswith("No disagreements") and frame.header.title == "adjudication"
    assert (await session.mark(Label.AGREE)).notice.text == "No pair to mark here."


# --- the queue: contradictions first, claim by claim, what the store lacks ------------------


async def test_the_queue_puts_likely_contradictions_first_and_switches_order(seed, states):
    session = await review(await states(seed))
    items = session.mode.queue.items
    likely = [item for item in items if item.likely_contradiction]
    assert likely and items[: len(likely)] == likely
    assert [i.discrepancy for i in likely] == sorted((i.discrepancy for i in likely), reverse=True)
    assert "likely contradiction" in session.frame().strip.position
    here = session.pair
    outcome = await session.toggle_order()
    assert outcome.notice.text.startswith("Queue: claim by claim")
    assert session.pair == here  # the pair on screen stays
    walk = session.mode.queue.items
    partners: dict[str, int] = {}
    for item in walk:
        partners[item.left] = partners.get(item.left, 0) + 1
        partners[item.right] = partners.get(item.right, 0) + 1
    assert partners[walk[0].left] == max(partners.values())  # the most reported claim first
    assert {i.pair for i in walk} == {i.pair for i in items}
    assert (await session.toggle_order()).notice.text.startswith("Queue: likely contradictions")


async def test_views_come_from_memory_and_a_partner_is_scored_on_demand(seed, states):
    state = await states(seed)
    session = await review(state)
    await state.prefetched(session.story.id)

    async def no_database(*args, **kwargs):
        raise AssertionError("a view was read from the database")

    state.gateway.view = no_database
    for _ in range(4):  # every other article on the right: none waits on the database
        await session.step_article(1)
    # A claim with no stored row in the right article still gets its best claim there.
    story = session.story

    def lonely_claims():
        view = session.view
        return [
            c.id for c in view.left.claims
            if c.kind != "boilerplate" and c.id not in view.by_left
        ]  # fmt: skip

    for _ in range(4):  # a view where some claim has no stored row
        if lonely_claims():
            break
        await session.step_article(1)
    view = session.view
    lonely = lonely_claims()[0]
    partner = view.partner(lonely)
    assert partner is not None and partner in view.right.index
    info = view.info((lonely, partner))
    assert info is not None and not info.stored and not info.proposed
    assert story.owns(partner)


async def test_a_story_too_large_to_hold_reads_each_view_as_it_is_shown(seed, states, monkeypatch):
    """Past VIEWS_IN_MEMORY stored rows the app does not hold a story's views (a 500-article
    story has millions of rows): each view is read when shown, and is what the held one
    would be."""
    from workbench.tui import gateway

    state = await states(seed)
    session = await review(state)
    await state.prefetched(session.story.id)
    held = []
    for _ in range(4):
        await session.step_article(1)
        held.append((session.left_index, session.right_index, dict(session.view.by_left)))

    monkeypatch.setattr(gateway, "VIEWS_IN_MEMORY", 5)
    other = await states(seed, "bo")
    session = await review(other)
    await other.prefetched(session.story.id)
    assert other.view_rows(session.story.id, *[a.id for a in session.story.articles[:2]]) is None
    read = []
    real_view = other.gateway.view

    async def counted_view(*args, **kwargs):
        read.append(args)
        return await real_view(*args, **kwargs)

    other.gateway.view = counted_view
    for left, right, by_left in held:
        await session.step_article(1)
        assert (session.left_index, session.right_index) == (left, right)
        assert dict(session.view.by_left) == by_left and by_left
    assert read  # from the database (a view shown before comes from the app's small cache)


REPEATED_HEADLINE = {
    "repeat": [
        (
            "a.txt",
            "Six fighters were injured on Saturday\n\n"
            "Six fighters were injured on Saturday. The talks lasted an hour.",
        ),
        ("b.txt", "6 fighters were hurt on Saturday. The talks lasted two hours."),
    ]
}


async def test_a_repeated_claims_pair_says_where_the_queue_has_it(tmp_path, states):
    """The headline repeated as the first sentence is one claim in the queue: its repeat's
    pair is not "below the floor", it is the queue pair of the first copy."""
    path = crafted_db(tmp_path / "repeat.db", REPEATED_HEADLINE)
    session = await review(await states(path), "repeat")
    first, again = (c.id for c in session.story.articles[0].claims[:2])
    partner = session.story.articles[1].claims[0].id
    queued = [pair_key(*p) for p in session.queue_pairs]
    assert pair_key(first, partner) in queued and pair_key(again, partner) not in queued
    await session.show_pair((again, partner))
    strip = session.frame().strip
    k = queued.index(pair_key(first, partner))
    assert strip.position == (
        f"same words as an earlier claim of its article: pair {k + 1}/{len(queued)}"
    )
    assert strip.position_bold and "floor" not in strip.position


async def test_undoing_a_note_says_the_mark_stands_and_counts_no_mark(seed, states):
    state = await states(seed)
    session = await review(state)
    pair = session.pair
    await session.mark(Label.AGREE)
    await session.save_note(session.note_draft(), "headline vs body")
    assert state.session.marks == 1  # a note is a new row, not a new mark
    outcome = await session.undo()
    assert outcome.notice.text == "Undid your note; ✓ agree stands."
    assert state.session.marks == 1
    assert standing(seed) == {pair_key(*pair): Label.AGREE}
    outcome = await session.undo()
    assert outcome.notice.text == "Undid ✓ agree."
    assert state.session.marks == 0 and standing(seed) == {}


async def test_this_runs_own_marks_undo_and_notes_are_no_news_to_the_poll(seed, states):
    """Polling brings other processes' rows; the rows this run wrote come back too and
    change nothing, so no screen recounts (a recount of a large story costs a second)."""
    state = await states(seed)
    session = await review(state)
    await session.mark(Label.AGREE)
    await session.mark(Label.UNSURE)
    await session.undo()
    await session.save_note(session.note_draft(), "checked the wire copy")
    assert await state.poll() is None
