"""How well the aligner finds same-fact partners and real contradictions, and what the review
queue holds: measured on our labelled pairs (tests/data, protocol in PAIRS_PROTOCOL.md),
beside plain rapidfuzz `token_set_ratio` ranked the same way.

The stories are built as a user builds them (`workbench import` of a JSONL feed, in
process), and the queue is read back with the store's own query (`Store.queue`), so "the
queue holds" is what the review app shows. Ranks are filtered: a query's other labelled
partners in that article are left out of its ranking.

- top-1 / top-3: the labelled partner's rank among its article's claims;
- "worded very differently": same-fact pairs whose plain token_set_ratio is below 60;
- "with a hint naming the point": the contradiction is in the top 3 and `find_hints` flags
  a difference of the labelled kind (number, date/weekday, duration, negation, name);
- "the queue holds": the share of labelled pairs (unordered) that the default review queue
  (score floor 40) proposes.
BASIL's pairs need ../shared/data; the seed story's are ours and always run.

`python -m benchmarks.bench_quality --encoder FOLDER` measures again with a sentence encoder
(a sentence-transformers model in a local folder, `workbench align --encoder`) beside the
lexical score alone; it needs `pip install -e '.[encoders]'`.
"""

from __future__ import annotations

import argparse
import collections
import tempfile
from collections.abc import Sequence
from pathlib import Path

from rapidfuzz import fuzz

from workbench.encoders import SentenceEncoder, load_encoder
from workbench.evaluation import (
    SEED_STORY,
    PairLabel,
    aligner_scorer,
    claims_of,
    filtered_ranks,
    load_pair_labels,
    ranking_labels,
    token_set_baseline,
    write_feed,
)
from workbench.hints import find_hints
from workbench.ingest import read_inputs
from workbench.pipeline import align_with_encoder, import_articles
from workbench.queue import DEFAULT_MIN_SCORE
from workbench.store import Store

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA = REPO_ROOT / "tests" / "data"
SEEDS_DIR = REPO_ROOT / "examples" / "seeds"
BASIL_DIR = REPO_ROOT.parent / "shared" / "data" / "basil"
VERY_DIFFERENT = 60.0  # token_set_ratio below this: "worded very differently"

# Which hint kinds name each labelled point.
NAMING_KINDS = {
    "number": {"number"}, "money": {"number"}, "size": {"number"}, "count": {"number"},
    "date": {"date", "weekday"}, "weekday": {"weekday", "date"}, "duration": {"duration"},
    "negation": {"negation"}, "denial": {"negation"}, "attribution": {"entity", "hedge"},
    "entity": {"entity", "spelling"},
}  # fmt: skip


def labelled_sets() -> dict[str, list[PairLabel]]:
    sets = {
        "seed": load_pair_labels(DATA / "seed_pairs.jsonl", seeds_dir=SEEDS_DIR)
        + load_pair_labels(DATA / "seed_contradictions.jsonl", seeds_dir=SEEDS_DIR)
    }
    if BASIL_DIR.is_dir():
        sets["basil"] = load_pair_labels(DATA / "basil_pairs.jsonl", basil_dir=BASIL_DIR)
    return sets


def _by_story(pairs: Sequence[PairLabel]) -> dict[str, list[PairLabel]]:
    out: dict[str, list[PairLabel]] = collections.defaultdict(list)
    for p in pairs:
        out[p.story.name].append(p)
    return out


def _names_the_point(pair: PairLabel) -> bool:
    kinds = NAMING_KINDS.get(pair.point or "")
    found = [h for h in find_hints(pair.a.text, pair.b.text) if h.relation == "differs"]
    return bool(found) if kinds is None else any(h.kind in kinds for h in found)


def _queued(
    pairs: Sequence[PairLabel], encoder: SentenceEncoder | None = None
) -> set[tuple[str, str]]:
    """The unordered pairs the default review queue holds, for the stories of `pairs`."""
    stories = {p.story.name: p.story for p in pairs}
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "feed.jsonl"
        write_feed(stories.values(), feed)
        with Store.open_or_create(Path(tmp) / "eval.db") as store:
            import_articles(store, read_inputs([feed]))
            if encoder is not None:
                align_with_encoder(store, encoder)
            queued = set()
            for story in store.stories():
                for item in store.queue(story.id, min_score=DEFAULT_MIN_SCORE):
                    queued.add(tuple(sorted(item.pair)))
    return queued


def measure(
    pairs: Sequence[PairLabel], encoder: SentenceEncoder | None = None
) -> dict[str, tuple[float, float | None, int]]:
    """figure -> (ours, token_set baseline or None, how many pairs)."""
    ranks: dict[str, list[int]] = collections.defaultdict(list)
    base: dict[str, list[int]] = collections.defaultdict(list)
    named: list[bool] = []
    for story_pairs in _by_story(pairs).values():
        story = story_pairs[0].story
        claims, _ = claims_of(story.texts)
        ours = aligner_scorer(claims, encoder)
        for label in ("same", "contradict"):
            labels = ranking_labels(story_pairs, label)
            ranks[label] += filtered_ranks(claims, labels, ours)
            base[label] += filtered_ranks(claims, labels, token_set_baseline)
            if label == "same":
                hard = [
                    x for x in labels if fuzz.token_set_ratio(x[0].text, x[1].text) < VERY_DIFFERENT
                ]
                ranks["hard"] += filtered_ranks(claims, hard, ours)
                base["hard"] += filtered_ranks(claims, hard, token_set_baseline)
        scored = [p for p in story_pairs if p.label == "contradict" and not p.alt]
        contra_ranks = filtered_ranks(claims, ranking_labels(story_pairs, "contradict"), ours)
        named += [r <= 3 and _names_the_point(p) for p, r in zip(scored, contra_ranks, strict=True)]
    queued = _queued(pairs, encoder)

    def share(xs: Sequence[int], k: int) -> float:
        return sum(r <= k for r in xs) / max(len(xs), 1)

    def held(label: str) -> tuple[float, None, int]:
        chosen = {tuple(sorted((p.a.id, p.b.id))) for p in pairs if p.label == label and not p.alt}
        return (len(chosen & queued) / max(len(chosen), 1), None, len(chosen))

    return {
        "same-fact partner in the top 1": (share(ranks["same"], 1), share(base["same"], 1), len(ranks["same"])),
        "same-fact partner in the top 3": (share(ranks["same"], 3), share(base["same"], 3), len(ranks["same"])),
        "same-fact, worded very differently, top 3": (share(ranks["hard"], 3), share(base["hard"], 3), len(ranks["hard"])),
        "contradiction in the top 3": (share(ranks["contradict"], 3), share(base["contradict"], 3), len(ranks["contradict"])),
        "contradiction in the top 3 with a hint naming the point": (sum(named) / max(len(named), 1), None, len(named)),
        "the queue holds: same-fact pairs": held("same"),
        "the queue holds: contradictions": held("contradict"),
    }  # fmt: skip


def run(encoder: SentenceEncoder | None = None) -> list[dict]:
    rows = []
    sets = labelled_sets()
    if "basil" in sets:
        sets["all"] = sets["seed"] + sets["basil"]
    with_encoder = "" if encoder is None else ", with a sentence encoder"
    for name, pairs in sets.items():
        stories = len({p.story.name for p in pairs})
        for figure, (ours, baseline, n) in measure(pairs, encoder).items():
            rows.append(
                {
                    "benchmark": "quality",
                    "case": f"{name}: {stories} stories{with_encoder}",
                    "measure": f"{figure} (n={n})",
                    "value": f"{ours:.2f}",
                    "baseline": "" if baseline is None else f"{baseline:.2f} (token_set)",
                    "ratio": "" if not baseline else f"{ours / baseline:.2f}x",
                    "target": "",
                }
            )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--encoder", metavar="FOLDER", help="also measure with this encoder")
    args = parser.parse_args()
    encoders = [None] if args.encoder is None else [None, load_encoder(args.encoder)]
    for encoder in encoders:
        for row in run(encoder):
            print(f"{row['case']:42} {row['measure']:70} {row['value']:>6} {row['baseline']}")
    print(f"(seed story: {SEED_STORY})")
