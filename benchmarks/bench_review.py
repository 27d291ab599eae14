"""The review app's speed, measured with Pilot on generated databases.

1. keypress -> mark committed -> screen updated, on one story of 100 articles x 40 claims
   built by the CLI (`workbench import` of a generated feed: benchmarks/storygen.py), so the
   queue and the candidates are the aligner's and the keys cross article pairs as a
   reviewer's do (the queue walks claims, each through the other articles). Also `]`, the
   right article stepping through the 99 others. Targets: median < 20 ms, 95th percentile
   < 50 ms. The key goes in through the app's driver, as a terminal would send it; the
   time stops once the mark is committed, the command queue has drained and the compositor
   has painted the new screen. Baseline, same run: the same key handled the naive way,
   reloading the story's candidates and marks into Python after each mark.
2. time to first screen on 2,000 stories (10,000 articles): from creating the app to the
   review screen painted at the first unmarked pair. Target < 1.5 s, without loading every
   story: the row "stories in memory" says how many the app loaded. Baseline, same run: the
   naive way to find that first pair, loading every story's candidates and marks.

The 2,000-story database is generated deterministically straight through Store methods (no
segmenter, no aligner). Both are kept in benchmarks/out/ between runs; each run reviews as a
new reviewer, so earlier runs' marks do not change what is measured.

    python benchmarks/bench_review.py
"""

from __future__ import annotations

import asyncio
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from textual import events

from workbench.models import (
    Article,
    Candidate,
    CandidateBlock,
    ClaimKind,
    ClaimSpan,
    article_id,
    claim_id,
)
from workbench.store import Store
from workbench.tui.app import make_app

OUT = Path(__file__).resolve().parent / "out"
GENERATOR = "v3"  # v3: the big story is built by `workbench import`
BIG_STORY = (100, 40)  # articles, claims per article
MANY_STORIES = (2000, 5, 10)  # stories, articles per story, claims per article
TOP_K = 3
MARKS_MEASURED = 300
NAIVE_ROUNDS = 3

_SUBJECTS = [
    "The Pentagon",
    "Col. Ryan Dillon",
    "Russian officials",
    "A U.S. spokesman",
    "The coalition",
    "Syrian state media",
    "The defense ministry",
    "Observers",
]
_VERBS = [
    "said on Thursday that",
    "said on Friday that",
    "told reporters that",
    "denied that",
    "confirmed that",
    "reported that",
]
_CLAUSES = [
    "generals met face-to-face near Deir ez-Zor",
    "six fighters were injured",
    "about 1,200 troops were deployed",
    "the talks lasted at least an hour",
    "a new hotline was opened",
    "airstrikes hit the east bank of the Euphrates",
    "no agreement was signed",
    "the meeting was the first of its kind",
]
_BOILERPLATE = ["Subscribe now for full access.", "Copyright 2017. All rights reserved."]


# --- generated data ---------------------------------------------------------------------------


def _article_text(rng: random.Random, claims: int) -> tuple[str, list[ClaimSpan]]:
    parts: list[str] = []
    spans: list[ClaimSpan] = []
    pos = 0
    for i in range(claims):
        boiler = i in (claims - 1, claims // 2) and claims >= 10
        sentence = (
            rng.choice(_BOILERPLATE)
            if boiler
            else f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_CLAUSES)} "
            f"(report {rng.randrange(10**6)})."
        )
        sep = "\n\n" if i and i % 4 == 0 else (" " if i else "")
        pos += len(sep)
        parts.append(sep + sentence)
        spans.append(
            ClaimSpan(
                pos, pos + len(sentence), ClaimKind.BOILERPLATE if boiler else ClaimKind.CLAIM
            )
        )
        pos += len(sentence)
    return "".join(parts), spans


def _candidates(articles: list[tuple[str, list[str]]], rng: random.Random):
    """Top 3 per claim and other article: the same position scores best (rank 1), its
    neighbours next, as an aligner finds paraphrases in articles that follow one story."""
    for ai, (_, claims) in enumerate(articles):
        for bi, (_, others) in enumerate(articles):
            if ai == bi:
                continue
            n = len(others)
            for i, claim in enumerate(claims):
                best = 55.0 + rng.random() * 40
                for rank, j in enumerate((i, (i + 1) % n, (i - 1) % n), start=1):
                    if rank > TOP_K:
                        break
                    score = best if rank == 1 else 20.0 + rng.random() * 30
                    yield Candidate(claim, others[j], rank, round(score, 2))


def generate(path: Path, stories: int, articles: int, claims: int, *, seed: int) -> Path:
    """A database of `stories` stories, written through Store methods in one transaction."""
    rng = random.Random(seed)
    tmp = path.with_name(path.name + ".tmp")
    for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        leftover.unlink(missing_ok=True)
    with Store.open(tmp, create=True) as store, store.write():
        for s in range(stories):
            story = store.ensure_story(f"story {s:05d}")
            made: list[tuple[str, list[str]]] = []
            for a in range(articles):
                text, spans = _article_text(rng, claims)
                article = Article(
                    article_id(text),
                    story.id,
                    f"{a:03d}_source.txt",
                    text,
                    outlet=f"Outlet {a % 7}",
                )
                store.add_article(article, spans)
                made.append((article.id, [claim_id(article.id, sp.start, sp.end) for sp in spans]))
            store.replace_candidates(story.id, [CandidateBlock.of(_candidates(made, rng))])
    tmp.replace(path)
    return path


def imported(articles: int, claims: int) -> Path:
    """The story as a user builds it: a generated feed through `workbench import`."""
    from benchmarks.storygen import write_story_feed

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"review-{articles}x{claims}-{GENERATOR}.db"
    if not path.exists():
        feed = OUT / f"review-{articles}x{claims}.jsonl"
        write_story_feed(feed, articles, claims)
        program = Path(sys.executable).parent / "workbench"
        subprocess.run([str(program), "import", str(path), str(feed), "-q"], check=True)
    return path


def cached(name: str, stories: int, articles: int, claims: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"review-{name}-{GENERATOR}.db"
    if not path.exists():
        started = time.perf_counter()
        generate(path, stories, articles, claims, seed=20170922)
        print(f"generated {path.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return path


# --- measurements ----------------------------------------------------------------------------


async def _keypress_times(
    path: Path, story: str, count: int
) -> tuple[list[float], list[float], int, int]:
    """(ms per mark, ms per `]`, marks committed, article pairs the marks crossed)."""
    reviewer = f"bench-{uuid.uuid4().hex[:8]}"
    app = make_app(path, reviewer=reviewer, story=story, env={}, keys=OUT / "no-keys.toml")
    times: list[float] = []
    steps: list[float] = []
    views: set[tuple[int, int]] = set()
    async with app.run_test(size=(120, 34)) as pilot:
        await app.ready.wait()
        screen = app.screen
        await screen.settled()
        await app.state.prefetched(screen.session.story.id)  # the story's views in memory
        await pilot.pause()
        for n in range(1, count + 1):
            before = screen.session.pair
            started = time.perf_counter()
            app.post_message(events.Key("a", "a"))  # what the driver does with a keypress
            while app.session.marks < n:  # the key reaches the queue, the mark is committed
                await asyncio.sleep(0)
            await screen.settled()  # the next pair chosen and drawn
            await pilot.pause(0)  # the compositor paints it
            times.append((time.perf_counter() - started) * 1000)
            assert screen.session.pair != before
            views.add((screen.session.left_index, screen.session.right_index))
        for _ in range(99):  # the right article through every other one
            right = screen.session.right_index
            started = time.perf_counter()
            app.post_message(events.Key("right_square_bracket", "]"))
            while screen.session.right_index == right:
                await asyncio.sleep(0)
            await screen.settled()
            await pilot.pause(0)
            steps.append((time.perf_counter() - started) * 1000)
    with Store.open(path, readonly=True) as store:
        committed = len(store.current_marks(reviewer=reviewer))
    return times, steps, committed, len(views)


def _naive_keypress(path: Path, story: str, rounds: int) -> list[float]:
    """Record a mark, then rebuild the screen's data from scratch in Python."""
    times = []
    with Store.open(path) as store:
        rows = store.candidate_rows(story=story, top=1)
        pairs = [next(rows) for _ in range(rounds)]
        for row in pairs:
            started = time.perf_counter()
            store.record_mark(row.a.claim.id, row.b.claim.id, "agree", "bench-naive")
            candidates = list(store.candidate_rows(story=story))
            marks = {(m.claim_a, m.claim_b) for m in store.current_marks(story=story)}
            next((c for c in candidates if (c.a.claim.id, c.b.claim.id) not in marks), None)
            times.append((time.perf_counter() - started) * 1000)
        store.db.execute("DELETE FROM marks WHERE reviewer = 'bench-naive'")
    return times


async def _first_screen(path: Path) -> tuple[float, int, int]:
    reviewer = f"bench-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    app = make_app(path, reviewer=reviewer, env={}, keys=OUT / "no-keys.toml")
    async with app.run_test(size=(120, 34)) as pilot:
        await app.ready.wait()
        await pilot.pause(0)
        elapsed = time.perf_counter() - started
        loaded = len(app.stories)
    with Store.open(path, readonly=True) as store:
        total = store.db.execute("SELECT count(*) FROM stories").fetchone()[0]
    return elapsed, loaded, total


def _naive_first_screen(path: Path) -> float:
    """Load every story's candidates and the marks, then look for the first open pair."""
    started = time.perf_counter()
    with Store.open(path, readonly=True) as store:
        candidates = list(store.candidate_rows(top=1, min_score=40))
        marked = {(m.claim_a, m.claim_b) for m in store.current_marks(reviewer="nobody")}
        next(c for c in candidates if (c.a.claim.id, c.b.claim.id) not in marked)
    return time.perf_counter() - started


def _cold_import() -> float:
    code = (
        "import time; t = time.perf_counter(); import workbench.tui.app, "
        "workbench.tui.screens.review; print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def _row(case: str, measure: str, value: str, baseline: str, ratio: str, target: str) -> dict:
    return {
        "benchmark": "review app",
        "case": case,
        "measure": measure,
        "value": value,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
    }


def run() -> list[dict[str, str]]:
    big = imported(*BIG_STORY)
    with Store.open(big, readonly=True) as store:
        story = store.stories()[0].id
    times, steps, committed, views = asyncio.run(_keypress_times(big, story, MARKS_MEASURED))
    if committed != MARKS_MEASURED:
        raise AssertionError(f"{committed} marks committed of {MARKS_MEASURED}")
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[18]
    naive = statistics.median(_naive_keypress(big, story, NAIVE_ROUNDS))
    case = (
        f"1 story built by the CLI, {BIG_STORY[0]} articles x {BIG_STORY[1]} claims,"
        f" {MARKS_MEASURED} marks across {views} article pairs"
    )
    rows = [
        _row(
            case,
            "keypress to screen, median ms",
            f"{median:.1f}",
            f"{naive:.0f} (reload)",
            f"{naive / median:.0f}x",
            "< 20 ms",
        ),
        _row(case, "keypress to screen, p95 ms", f"{p95:.1f}", "", "", "< 50 ms"),
        _row(
            "the same story, ] through the 99 other articles",
            "keypress to screen, median / p95 ms",
            f"{statistics.median(steps):.1f} / {statistics.quantiles(steps, n=20)[18]:.1f}",
            "",
            "",
            "p95 < 50 ms",
        ),
    ]
    many = cached("2000-stories", *MANY_STORIES)
    first, loaded, total = asyncio.run(_first_screen(many))
    naive_first = _naive_first_screen(many)
    case = f"{MANY_STORIES[0]} stories, {MANY_STORIES[0] * MANY_STORIES[1]} articles"
    rows += [
        _row(
            case,
            "time to first screen, s",
            f"{first:.2f}",
            f"{naive_first:.2f} (load all)",
            f"{naive_first / first:.1f}x",
            "< 1.5 s",
        ),
        _row(case, "stories in memory at first screen", f"{loaded} of {total}", "", "", "1"),
        _row("fresh interpreter", "import the app, s", f"{_cold_import():.2f}", "", "", ""),
    ]
    return rows


if __name__ == "__main__":
    for row in run():
        print("  ".join(f"{key}={value}" for key, value in row.items()))
