"""The per-claim text functions that import and alignment call: cost on first sight.

`normalize` and `bare_reply` run on every claim of every story, `has_cues` too, and
`discrepancy` on the pairs the aligner checks (each text seen for the first time: feature
extraction dominates). Corpus: the 100 BASIL stories (as `workbench import` lays them out)
when ../shared/data/basil exists, else a generated story of 100 x 40 claims. The pairs
are the ones `align_story` asks `discrepancy` about, recorded once. Every cache of the text
modules is cleared before each run; the figure is the minimum of ROUNDS runs (the machine
is shared).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.bench_align import generated_story
from workbench import claimwords, hints, names, polarity, quantities, textnorm
from workbench.align import align_story
from workbench.evaluation import basil_article, claims_of
from workbench.models import Claim

REPO_ROOT = Path(__file__).resolve().parent.parent
BASIL_DIR = REPO_ROOT.parent / "shared" / "data" / "basil" / "articles"
ROUNDS = 5
TEXT_MODULES = (textnorm, claimwords, polarity, quantities, names, hints)


def clear_text_caches() -> None:
    """Every cache of the text modules: lru_caches and the plain dicts of word facts."""
    for module in TEXT_MODULES:
        for name, value in vars(module).items():
            if hasattr(value, "cache_clear"):
                value.cache_clear()
            elif isinstance(value, dict) and name.endswith("_CACHE"):
                value.clear()
    claimwords._WORDS.clear()


def basil_story_texts(directory: Path = BASIL_DIR) -> list[list[str]] | None:
    """Each BASIL story's article texts as `workbench import` stores them (None when the
    data is absent)."""
    if not directory.is_dir():
        return None
    texts: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*/*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        article = basil_article(path, record)
        if article.text.strip():
            texts.setdefault(record["triplet-uuid"], []).append(article.text)
    return [articles for _, articles in sorted(texts.items())]


def basil_stories(directory: Path = BASIL_DIR) -> list[list[Claim]] | None:
    """Each BASIL story's claims, segmented as `workbench import` segments them."""
    stories = basil_story_texts(directory)
    if stories is None:
        return None
    return [claims_of({str(k): t for k, t in enumerate(articles)})[0] for articles in stories]


def checked_pairs(stories: Sequence[Sequence[Claim]]) -> list[tuple[str, str]]:
    """The (a, b) texts `align_story` scores with `discrepancy`, in the order it asks."""
    asked: list[tuple[str, str]] = []

    def record(a: str, b: str) -> float:
        asked.append((a, b))
        return 100.0 * hints.discrepancy(a, b).score

    for claims in stories:
        align_story(claims, discrepancy=record)
    return asked


def _min_seconds(fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        clear_text_caches()
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def measures(stories: Sequence[Sequence[Claim]]) -> dict[str, tuple[int, float]]:
    """name -> (calls, seconds: minimum over ROUNDS, caches cleared before each)."""
    texts = [c.text for claims in stories for c in claims]
    pairs = checked_pairs(stories)
    out = {
        "normalize": (len(texts), _min_seconds(lambda: [textnorm.normalize(t) for t in texts])),
        "bare_reply": (len(texts), _min_seconds(lambda: [polarity.bare_reply(t) for t in texts])),
        "has_cues": (len(texts), _min_seconds(lambda: [hints.has_cues(t) for t in texts])),
        "discrepancy": (
            len(pairs),
            _min_seconds(lambda: [hints.discrepancy(a, b) for a, b in pairs]),
        ),
    }

    def all_of_import() -> None:  # what import asks of these modules, in its order
        for t in texts:
            textnorm.normalize(t)
        for t in texts:
            polarity.bare_reply(t)
            hints.has_cues(t)
        for a, b in pairs:
            hints.discrepancy(a, b)

    out["all four, as import calls them"] = (len(texts), _min_seconds(all_of_import))
    return out


def _row(case: str, measure: str, value: str) -> dict:
    return {"benchmark": "text", "case": case, "measure": measure, "value": value}


def run() -> list[dict]:
    stories = basil_stories()
    case = "basil (100 stories)"
    if stories is None:
        stories, case = [generated_story(100, 40)], "generated 100 x 40"
    rows = []
    for name, (calls, seconds) in measures(stories).items():
        rows.append(_row(f"{case}, {calls} calls", f"{name}: s, min of {ROUNDS}", f"{seconds:.3f}"))
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
