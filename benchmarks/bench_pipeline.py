"""The whole import path, `workbench import` run as a process: read, segment, normalise,
align, store (SQLite).

Cases: the 100 real BASIL stories (300 articles) when ../shared/data/basil exists, written
as one JSONL file first; and a generated JSONL feed of 100 stories x 3 articles (seeded).
Baseline, measured in the same run on the same input: the same job done naively, with a
commit per row and candidates from a Python loop calling fuzz.token_set_ratio on every
cross-article claim pair, on a sample of stories, extrapolated.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from pathlib import Path

from rapidfuzz import fuzz

from benchmarks import byte_compile_package
from workbench.claims import split_claims
from workbench.evaluation import LabelledStory, StoryArticle, basil_article, write_feed
from workbench.store import Store

REPO_ROOT = Path(__file__).resolve().parent.parent
BASIL_DIR = REPO_ROOT.parent / "shared" / "data" / "basil" / "articles"

_SUBJECTS = ["The senator", "Officials", "The ministry", "A spokesman", "Police", "The council",
             "Investigators", "The company", "Witnesses", "The governor"]  # fmt: skip
_VERBS = ["said", "announced", "confirmed", "denied", "reported", "claimed", "warned"]
_OBJECTS = ["that the talks lasted an hour", "that six people were injured on Saturday",
            "that the vote would be held on Friday", "that 80 percent of the city was retaken",
            "that no agreement had been reached", "that the budget rose to $4.2 billion",
            "that the meeting was the first of its kind", "that the bridge reopened in May"]  # fmt: skip


def basil_jsonl(target: Path) -> int:
    """The BASIL articles as one JSONL feed (story = triplet id); returns articles written."""
    stories: dict[str, list[StoryArticle]] = {}
    for path in sorted(BASIL_DIR.rglob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        article = basil_article(path, record)
        if article.text.strip():
            stories.setdefault(record["triplet-uuid"], []).append(article)
    return write_feed((LabelledStory(n, tuple(a)) for n, a in stories.items()), target)


def generated_jsonl(
    target: Path, stories: int = 100, articles: int = 3, sentences: int = 40
) -> int:
    rng = random.Random(20171021)
    with target.open("w", encoding="utf-8") as out:
        for story in range(stories):
            for article in range(articles):
                text = " ".join(
                    f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}."
                    for _ in range(sentences)
                )
                out.write(
                    json.dumps(
                        {"story": f"story {story}", "text": text, "source": f"outlet-{article}"}
                    )
                    + "\n"
                )
    return stories * articles


def _ours(feed: Path, db: Path) -> tuple[float, int]:
    """`workbench import` as a process, as the user runs it (startup included)."""
    from benchmarks.bench_scale import workbench

    seconds, _, _ = workbench("import", str(db), str(feed), "-q")
    with Store.open(db, readonly=True) as store:
        claims = sum(s.claims for s in store.story_summaries())
    return seconds, claims


def _naive(feed: Path, db: Path, sample_stories: int = 10, top_k: int = 3) -> float:
    """The same job done naively, on a sample of stories, extrapolated: a commit per row,
    and candidates from a Python loop calling fuzz.token_set_ratio on every claim pair."""
    by_story: dict[str, list[dict]] = {}
    for line in feed.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        by_story.setdefault(record["story"], []).append(record)
    sample = sorted(by_story)[:sample_stories]
    started = time.perf_counter()
    with Store.open(db, create=True) as store:
        conn = store.db.conn  # autocommit: every statement is its own transaction
        conn.execute("CREATE TABLE naive_claims (id TEXT PRIMARY KEY, article INT, text TEXT)")
        conn.execute("CREATE TABLE naive_candidates (a TEXT, b TEXT, rank INT, score REAL)")
        for name in sample:
            claims: list[tuple[str, int, str]] = []
            for number, record in enumerate(by_story[name]):
                text = record["text"]
                for span in split_claims(text):
                    claim = (f"{name}:{number}:{span.start}", number, text[span.start : span.end])
                    conn.execute("INSERT INTO naive_claims VALUES (?, ?, ?)", claim)
                    claims.append(claim)
            for claim_id, article, text in claims:
                per_article: dict[int, list[tuple[float, str]]] = {}
                for other_id, other_article, other_text in claims:
                    if other_article != article:
                        score = fuzz.token_set_ratio(text, other_text)
                        per_article.setdefault(other_article, []).append((score, other_id))
                for scored in per_article.values():
                    best = sorted(scored, key=lambda x: -x[0])[:top_k]
                    for rank, (score, other_id) in enumerate(best, start=1):
                        conn.execute(
                            "INSERT INTO naive_candidates VALUES (?, ?, ?, ?)",
                            (claim_id, other_id, rank, score),
                        )
    return (time.perf_counter() - started) * len(by_story) / len(sample)


def _rows(case: str, feed: Path, workdir: Path, articles: int) -> list[dict]:
    seconds, claims = _ours(feed, workdir / f"{case}.db")
    naive = _naive(feed, workdir / f"{case}-naive.db")
    mb = feed.stat().st_size / 1e6
    return [
        {
            "benchmark": "import (read+segment+align+store)",
            "case": f"{case}: {articles} articles, {claims:,} claims, {mb:.1f} MB",
            "measure": "workbench import, wall s (a process)",
            "value": f"{seconds:.2f}",
            "baseline": f"{naive:.1f} (naive, extrapolated)",
            "ratio": f"{naive / seconds:.1f}x",
            "target": "< 4 s" if case == "basil" else "",
        }
    ]


def run() -> list[dict]:
    byte_compile_package()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if BASIL_DIR.is_dir():
            feed = workdir / "basil.jsonl"
            rows += _rows("basil", feed, workdir, basil_jsonl(feed))
        feed = workdir / "generated.jsonl"
        rows += _rows("generated 100x3x40", feed, workdir, generated_jsonl(feed))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
