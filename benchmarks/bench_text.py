"""The per-claim text functions that import and alignment call: cost on first sight.

`normalize`, `bare_reply` and `has_cues` run on every claim of every story, and
`discrepancy` on the pairs the aligner checks (each text seen for the first time: feature
extraction dominates). Corpus: the 100 BASIL stories (as `workbench import` lays them out)
when ../shared/data/basil exists, else a generated story of 100 x 40 claims; the pairs are
the ones `align_story` asks `discrepancy` about, recorded once.

Baseline, in the same run on the same input: the code of the commit that
tests/data/text_reference.json.gz was recorded from (its sources are stored there), loaded
beside ours. Both sides run in alternation, every cache of their text modules cleared
before each run; each figure is CPU seconds (process time: other processes on the shared
machine do not count), the minimum of ROUNDS runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType

from benchmarks.bench_align import generated_story
from tests.text_reference import (
    BASIL_DIR,
    basil_story_texts,
    current_modules,
    load_fixture,
    load_modules,
)
from workbench.align import align_story
from workbench.evaluation import claims_of
from workbench.models import Claim

ROUNDS = 5
Modules = Mapping[str, ModuleType]


def clear_text_caches(modules: Modules | None = None) -> None:
    """Every cache of the text modules: lru_caches, and the dicts of word facts (`_WORDS`
    and those named `*_CACHE`)."""
    for module in (modules or current_modules()).values():
        for name, value in vars(module).items():
            if hasattr(value, "cache_clear"):
                value.cache_clear()
            elif isinstance(value, dict) and (name.endswith("_CACHE") or name == "_WORDS"):
                value.clear()


def basil_stories(directory: Path = BASIL_DIR) -> list[list[Claim]] | None:
    """Each BASIL story's claims, segmented as `workbench import` segments them."""
    stories = basil_story_texts(directory)
    if stories is None:
        return None
    return [claims_of({str(k): t for k, t in enumerate(articles)})[0] for articles in stories]


def checked_pairs(stories: Sequence[Sequence[Claim]]) -> list[tuple[str, str]]:
    """The (a, b) texts `align_story` scores with `discrepancy`, in the order it asks."""
    from workbench.hints import discrepancy

    asked: list[tuple[str, str]] = []

    def record(a: str, b: str) -> float:
        asked.append((a, b))
        return 100.0 * discrepancy(a, b).score

    for claims in stories:
        align_story(claims, discrepancy=record)
    return asked


def workloads(texts: Sequence[str], pairs: Sequence[tuple[str, str]]) -> dict[str, Callable]:
    """name -> what to run with a set of modules."""

    def all_of_import(m: Modules) -> None:  # what import asks of these modules, in its order
        for t in texts:
            m["textnorm"].normalize(t)
        for t in texts:
            m["hints"].bare_reply(t)
            m["hints"].has_cues(t)
        for a, b in pairs:
            m["hints"].discrepancy(a, b)

    return {
        f"normalize ({len(texts)} claims)": lambda m: [m["textnorm"].normalize(t) for t in texts],
        f"bare_reply ({len(texts)} claims)": lambda m: [m["hints"].bare_reply(t) for t in texts],
        f"has_cues ({len(texts)} claims)": lambda m: [m["hints"].has_cues(t) for t in texts],
        f"discrepancy ({len(pairs)} pairs)": lambda m: [
            m["hints"].discrepancy(a, b) for a, b in pairs
        ],
        "all four, in import's order": all_of_import,
    }


def min_seconds(
    work: Callable[[Modules], object], sides: Sequence[Modules], rounds: int = ROUNDS
) -> list[float]:
    """The minimum CPU time of `work` on each side, the sides run in alternation, every
    side's caches empty (a side's full caches would slow the other's garbage collection)."""
    best = [float("inf")] * len(sides)
    for _ in range(rounds):
        for k, modules in enumerate(sides):
            for side in sides:
                clear_text_caches(side)
            started = time.process_time()
            work(modules)
            best[k] = min(best[k], time.process_time() - started)
    return best


def _row(case: str, measure: str, value: str, baseline: str, ratio: str) -> dict:
    return {"benchmark": "text", "case": case, "measure": measure, "value": value,
            "baseline": baseline, "ratio": ratio}  # fmt: skip


def run() -> list[dict]:
    stories = basil_stories()
    case = "basil (100 stories)"
    if stories is None:
        stories, case = [generated_story(100, 40)], "generated 100 x 40"
    fixture = load_fixture()
    reference = load_modules(fixture["sources"], "_bench_text_reference")
    texts = [c.text for claims in stories for c in claims]
    pairs = checked_pairs(stories)
    rows = []
    for name, work in workloads(texts, pairs).items():
        ours, theirs = min_seconds(work, [current_modules(), reference])
        rows.append(
            _row(case, f"{name}: s, min of {ROUNDS}", f"{ours:.3f}",
                 f"{theirs:.3f} ({fixture['commit'][:7]})", f"{theirs / ours:.1f}x")
        )  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
