"""Units of database work the app hands to a lane: each takes the lane's Store first.

They only call Store methods and build plain objects (workbench.tui.model), so they can run
on a lane's thread; the event loop never runs them.
"""

from __future__ import annotations

from workbench.models import MarkAction, Story, pair_key
from workbench.store import Store
from workbench.tui.model import ArticleDoc, Pair, StoryDoc, ViewData, disagreements


def open_session(
    store: Store, reviewer: str, mode: str
) -> tuple[bool, str, str | None, tuple[str, ...]]:
    """(read-only?, why, session id, warnings). A read-only database gets no session row."""
    if store.readonly:
        return True, store.readonly_reason, None, store.warnings
    return False, "", store.start_session(reviewer, mode), store.warnings


def find_start_story(store: Store, reviewer: str, min_score: float) -> str | None:
    """Where a reviewer resumes: the story of their latest mark while it still has unmarked
    pairs, else the first story (by name) that has some."""
    latest = store.review_latest_mark(reviewer)
    if latest is not None:
        story = latest[2]
        proposed, marked = store.review_open_counts([story], reviewer, min_score=min_score)[story]
        if marked < proposed:
            return story
    return store.review_first_open_story(reviewer, min_score=min_score)


def load_story(store: Store, story: str) -> tuple[StoryDoc, int, list]:
    """The story with its articles and claims, and every mark row on it (with the highest
    marks rowid, where polling for other processes' marks starts)."""
    found: Story = store.resolve_story(story)
    articles = store.articles(found.id)
    claims = store.claims(story=found.id)
    top, marks = store.review_mark_rows(story=found.id)
    return StoryDoc.build(found.id, found.name, articles, claims), top, marks


def load_view(store: Store, left: ArticleDoc, right: ArticleDoc, min_score: float) -> ViewData:
    return ViewData.build(left, right, store.review_view_rows(left.id, right.id), min_score)


def load_adjudication(store: Store, editor: str, story: str | None):
    """The disagreements (lowest agreement first) and the pairs `editor` has decided."""
    story_id = store.resolve_story(story).id if story else None
    items = disagreements(store.review_disagreements(story=story_id))
    decided: set[Pair] = {
        pair_key(m.claim_a, m.claim_b)
        for m in store.current_marks(story=story_id, reviewer=editor, action=MarkAction.FINAL)
    }
    return items, decided
