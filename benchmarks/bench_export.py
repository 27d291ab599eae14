"""Export throughput: 100,000 standing marks to JSONL, CSV and NLI, target < 3 s each.

The database is generated (seeded, so every run measures the same data): 4 stories of
10 made-up articles with 40 claims each, 5 reviewers, 20,000 pairs, marks inserted
directly in one transaction. Each format is timed through `export_to_file` (temporary file,
rename, manifest with the database fingerprint), as `workbench export -o` runs it.

The baseline, measured in the same run, is the obvious first version: `current_marks()`
into a list, one query per claim to resolve both sides, and `json.dumps` (or one CSV
write) of the whole list. A second pair of rows compares peak Python memory (tracemalloc)
of the streamed export and the baseline, on JSONL.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from workbench.export import ExportFilter, export_to_file, mark_json, nli_json
from workbench.models import Article, ClaimSpan, Label, Mark, article_id
from workbench.store import Store

TARGET = "< 3 s"
MARKS = 100_000
STORIES = 4
ARTICLES_PER_STORY = 10
CLAIMS_PER_ARTICLE = 40
REVIEWERS = ("ana", "ben", "chloé", "dmitri", "eve")
_WORDS = [
    "officials",
    "said",
    "the",
    "talks",
    "lasted",
    "an",
    "hour",
    "near",
    "Deir",
    "ez-Zor",
    "on",
    "Thursday",
    "while",
    "six",
    "fighters",
    "were",
    "injured",
    "and",
    "1,200",
    "troops",
    "stayed",
    "in",
    "the",
    "region",
    "according",
    "to",
    "a",
    "statement",
    "from",
    "ministry",
    "that",
    "“was",
    "not",
    "a",
    "negotiation”",
    "but",
    "warning",
    "Ça",
]


def build_database(path: Path, marks: int = MARKS, seed: int = 20171023) -> Store:
    """A database with `marks` standing marks on cross-article pairs (deterministic)."""
    rng = random.Random(seed)
    store = Store.open(path, create=True)
    story_claims: list[list[tuple[str, str]]] = []  # per story: (claim id, article id)
    with store.write():
        for s in range(STORIES):
            story = store.ensure_story(f"generated story {s}")
            claims = []
            for a in range(ARTICLES_PER_STORY):
                sentences = [
                    " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 30))) + "."
                    for _ in range(CLAIMS_PER_ARTICLE)
                ]
                text = f"story {s} article {a}\n\n" + " ".join(sentences)
                spans, start = [], text.index("\n\n") + 2
                for sentence in sentences:
                    spans.append(ClaimSpan(start, start + len(sentence)))
                    start += len(sentence) + 1
                article = Article(
                    id=article_id(text), story_id=story.id, source=f"s{s}-a{a}.txt", text=text
                )
                store.add_article(article, spans)
                claims += [(f"{article.id}:{sp.start}-{sp.end}", article.id) for sp in spans]
            story_claims.append(claims)
        store.insert_marks(_marks(rng, story_claims, marks))
    return store


def _marks(rng: random.Random, story_claims, count: int):
    labels = list(Label)
    started = datetime(2017, 10, 23, tzinfo=UTC)
    pairs: set[tuple[str, str]] = set()
    made = 0
    while made < count:
        claims = story_claims[rng.randrange(len(story_claims))]
        (a, art_a), (b, art_b) = rng.sample(claims, 2)
        if art_a == art_b or (min(a, b), max(a, b)) in pairs:
            continue
        pairs.add((min(a, b), max(a, b)))
        for reviewer in REVIEWERS:
            if made == count:
                return
            yield Mark(
                id=hashlib.sha256(f"{made}".encode()).hexdigest()[:32],
                claim_a=min(a, b),
                claim_b=max(a, b),
                label=rng.choice(labels),
                reviewer=reviewer,
                created_at=(started + timedelta(seconds=made)).isoformat(timespec="microseconds"),
                note=rng.choice([None, None, None, "numbers differ", "same event; “quoted”"]),
            )
            made += 1


def naive_export(store: Store, fmt: str, target: Path) -> None:
    """The baseline: everything into a list, one query per claim, one big dump."""
    rows = []
    for mark in store.current_marks():
        a, b = store.claim(mark.claim_a), store.claim(mark.claim_b)
        rows.append((
            a.story_name,
            a.source, a.claim.id, a.claim.start, a.claim.end, a.claim.text,
            b.source, b.claim.id, b.claim.start, b.claim.end, b.claim.text,
            str(mark.label), mark.reviewer, mark.note, mark.created_at,
        ))  # fmt: skip
    with open(target, "w", encoding="utf-8", newline="") as out:
        if fmt == "csv":
            writer = csv.writer(out)
            writer.writerows(rows)
        elif fmt == "nli":
            out.write("\n".join(json.dumps(x) for x in [nli_json(r) for r in rows] if x))
        else:
            out.write("\n".join(json.dumps(x) for x in [mark_json(r) for r in rows]))


def _seconds(operation: Callable[[], object]) -> float:
    started = time.perf_counter()
    operation()
    return time.perf_counter() - started


def _peak_mb(operation: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        operation()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def run() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = build_database(folder / "bench.db")
        try:
            for fmt in ("jsonl", "csv", "nli"):
                value = _seconds(
                    partial(export_to_file, store, fmt, folder / f"out.{fmt}", ExportFilter())
                )
                base = _seconds(partial(naive_export, store, fmt, folder / f"naive.{fmt}"))
                rows.append(
                    {
                        "benchmark": "export",
                        "case": f"{MARKS:,} marks, {fmt}",
                        "measure": "seconds",
                        "value": f"{value:.2f}",
                        "baseline": f"{base:.2f} (list + query per claim + one dump)",
                        "ratio": f"{base / value:.1f}x faster" if value > 0 else "n/a",
                        "target": TARGET,
                    }
                )
            streamed = _peak_mb(
                partial(export_to_file, store, "jsonl", folder / "m.jsonl", ExportFilter())
            )
            naive = _peak_mb(partial(naive_export, store, "jsonl", folder / "n.jsonl"))
            rows.append(
                {
                    "benchmark": "export",
                    "case": f"{MARKS:,} marks, jsonl",
                    "measure": "peak Python MB (tracemalloc)",
                    "value": f"{streamed:.1f}",
                    "baseline": f"{naive:.1f} (list + one dump)",
                    "ratio": f"{naive / streamed:.0f}x less" if streamed > 0 else "n/a",
                    "target": "flat in the number of marks",
                }
            )
        finally:
            store.close()
    return rows


if __name__ == "__main__":
    for row in run():
        print("  ".join(f"{key}={value}" for key, value in row.items()))
