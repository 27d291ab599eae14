"""The hint finder and the discrepancy signal: cost per pair and per claim.

Seed pairs (tests/data/seed_pairs.jsonl): `find_hints` and `discrepancy` per pair on a first
pass (every sentence seen for the first time: extraction dominates) and repeated (the
per-sentence features are cached, which is how a listing or an aligner calls them).
Generated 100 x 40 story (the aligner's largest case): `frame_keys` per claim on first
sight, and `discrepancy` per pair on 200,000 pairs of its claims once their features are
cached. Caches are cleared between measures, word-level caches included.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence

from benchmarks.bench_align import SEED_PAIRS, generated_story, seed_claims
from workbench import claimwords, hints, names, polarity
from workbench.evaluation import load_labels

ROUNDS = 5
STORY_PAIRS = 200_000


def _clear() -> None:
    claimwords._WORDS.clear()
    for cached in (
        hints._features, hints._frame_keys, hints._names, claimwords.context_key,
        claimwords.words_of, claimwords.gate_words, polarity.polarity_of, polarity.stance,
        polarity.bare_reply, names._match_names, names._relate,
    ):  # fmt: skip
        cached.cache_clear()


def _per_call_us(fn: Callable[[str, str], object], pairs: Sequence[tuple[str, str]]) -> float:
    started = time.perf_counter()
    for a, b in pairs:
        fn(a, b)
    return (time.perf_counter() - started) / len(pairs) * 1e6


def _first_and_repeated(
    fn: Callable[[str, str], object], pairs: Sequence[tuple[str, str]]
) -> tuple[float, float]:
    _clear()
    first = _per_call_us(fn, pairs)
    repeated = statistics.median(_per_call_us(fn, pairs) for _ in range(ROUNDS))
    return first, repeated


def _row(case: str, measure: str, value: str, target: str = "") -> dict:
    return {"benchmark": "hints", "case": case, "measure": measure, "value": value,
            "target": target}  # fmt: skip


def run() -> list[dict]:
    _, by_file = seed_claims()
    pairs = [(a.text, b.text) for a, b, _ in load_labels(SEED_PAIRS, by_file)]
    rows = []
    case = f"seed pairs ({len(pairs)})"
    for name, fn in (("find_hints", hints.find_hints), ("discrepancy", hints.discrepancy)):
        first, repeated = _first_and_repeated(fn, pairs)
        rows.append(_row(case, f"{name} per pair µs, first call", f"{first:.0f}"))
        target = "<= 20" if name == "discrepancy" else ""
        rows.append(
            _row(case, f"{name} per pair µs, repeated (median of {ROUNDS})", f"{repeated:.1f}",
                 target)
        )  # fmt: skip
    texts = [c.text for c in generated_story(100, 40)]
    case = f"generated 100 x 40 ({len(texts)} claims)"
    _clear()
    started = time.perf_counter()
    keyed = sum(bool(hints.frame_keys(t)) for t in texts)
    seconds = time.perf_counter() - started
    rows.append(
        _row(case, "frame_keys per claim µs, first sight", f"{seconds / len(texts) * 1e6:.0f}")
    )
    rows.append(_row(case, "claims with a frame key", f"{keyed / len(texts):.2f}"))
    rng = random.Random(7)
    story_pairs = [(rng.choice(texts), rng.choice(texts)) for _ in range(STORY_PAIRS)]
    per_pair = _per_call_us(hints.discrepancy, story_pairs)
    rows.append(_row(case, "discrepancy per pair µs, features cached", f"{per_pair:.1f}", "<= 20"))
    return rows
