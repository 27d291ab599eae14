"""Databases and drivers shared by the review app's tests (test_tui_*.py import these).

Databases are built the way users build them: `import_paths` on the seed articles, or
`import_articles` on crafted text, into tmp_path. The seed database is built once per run
and copied, because aligning it is the slow part.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from workbench.ingest import ArticleInput
from workbench.models import Label, pair_key
from workbench.pipeline import import_articles, import_paths
from workbench.store import Store
from workbench.tui.app import WorkbenchApp, make_app

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "examples" / "seeds"
SEED_STORY = "US-Russia deconfliction, Sept 2017"

_template: dict[str, Path] = {}


def seed_db(directory: Path, name: str = "sample.db") -> Path:
    """A copy of the seed story's database (5 articles, aligned) in `directory`."""
    if "seed" not in _template:
        import tempfile

        path = Path(tempfile.mkdtemp(prefix="wb-tui-seed-")) / "template.db"
        with Store.open(path, create=True) as store:
            import_paths(store, [SEEDS_DIR], story=SEED_STORY)
        _template["seed"] = path
    target = directory / name
    shutil.copyfile(_template["seed"], target)
    return target


def crafted_db(path: Path, stories: dict[str, list[tuple[str, str]]]) -> Path:
    """A database from {story: [(source, text), ...]}, imported and aligned."""
    inputs = [
        ArticleInput(story=story, source=source, text=text, origin=source)
        for story, articles in stories.items()
        for source, text in articles
    ]
    with Store.open(path, create=True) as store:
        import_articles(store, inputs)
    return path


def app_for(path: Path, **kwargs) -> WorkbenchApp:
    """The app as the CLI makes it, without the user's environment or key map."""
    kwargs.setdefault("reviewer", "ana")
    kwargs.setdefault("env", {})
    kwargs.setdefault("keys", path.parent / "no-keys.toml")
    kwargs.setdefault("clock", lambda: 0.0)
    return make_app(path, **kwargs)


async def started(app: WorkbenchApp, pilot) -> None:
    """Wait for the first screen and for every queued command (no sleeping)."""
    await asyncio.wait_for(app.ready.wait(), timeout=30)
    await settle(app, pilot)


async def at_view(app: WorkbenchApp, pilot, left: int, right: int) -> None:
    """Put the first queue pair between articles `left` and `right` on screen (the queue
    walks claims, not article pairs, so a test that steps articles starts from here)."""
    screen = app.screen
    session = screen.session
    story = session.story

    def article(claim: str) -> int:
        return story.article_index[story.claim_article[claim]]

    pair = next(p for p in session.queue_pairs if {article(p[0]), article(p[1])} == {left, right})
    screen.show_pair(*pair)
    await settle(app, pilot)
    if session.left_index != left:
        await press(app, pilot, "x")


async def settle(app: WorkbenchApp, pilot) -> None:
    screen = app.screen
    settled = getattr(screen, "settled", None)
    if settled is not None:
        await asyncio.wait_for(settled(), timeout=30)
    await pilot.pause()


async def press(app: WorkbenchApp, pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


def screen_text(app: WorkbenchApp) -> str:
    """What the terminal shows, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def standing(path: Path, reviewer: str = "ana", **kwargs) -> dict[tuple[str, str], Label]:
    with Store.open(path, readonly=True) as store:
        return {
            pair_key(m.claim_a, m.claim_b): m.label
            for m in store.current_marks(reviewer=reviewer, **kwargs)
        }


def test_seed_database_has_proposed_pairs(tmp_path):
    path = seed_db(tmp_path)
    with Store.open(path, readonly=True) as store:
        story = store.resolve_story(SEED_STORY)
        proposed, marked = store.review_open_counts([story.id], "ana", min_score=40)[story.id]
    assert proposed > 10 and marked == 0


def proposed_pairs(path: Path, count: int) -> list[tuple[str, str]]:
    """The first `count` distinct rank-1 pairs at the default floor, in pair_key order."""
    with Store.open(path, readonly=True) as store:
        out: list[tuple[str, str]] = []
        for row in store.candidate_rows(top=1, min_score=40):
            pair = pair_key(row.a.claim.id, row.b.claim.id)
            if pair not in out:
                out.append(pair)
            if len(out) == count:
                return out
    raise AssertionError("not enough candidate pairs")


def disputed_db(directory: Path) -> tuple[Path, list[tuple[str, str]]]:
    """The seed story with reviewers' marks: p0 agree vs contradict (agreement 1/2), p1 two
    agree vs unrelated (2/3), p2 all agree (no disagreement), p3 agree vs unsure (unsure is
    no rating, so no disagreement either)."""
    path = seed_db(directory)
    pairs = proposed_pairs(path, 4)
    p0, p1, p2, p3 = pairs
    with Store.open(path) as store:
        store.record_mark(*p1, "agree", "ana")
        store.record_mark(*p1, "agree", "carol")
        store.record_mark(*p1, "unrelated", "bob")
        store.record_mark(*p0, "agree", "ana", note="same meeting")
        store.record_mark(*p0, "contradict", "bob", note="Thursday, not Friday")
        store.record_mark(*p2, "agree", "ana")
        store.record_mark(*p2, "agree", "bob")
        store.record_mark(*p3, "agree", "ana")
        store.record_mark(*p3, "unsure", "bob")
    return path, pairs
