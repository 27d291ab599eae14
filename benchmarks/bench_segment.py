"""Segmentation throughput: `workbench.claims.split_claims` in MB/s (UTF-8 bytes / 10**6).

Corpora: ~5 MB of generated news text (seeded, so every run measures the same text), the
five seed articles, and the 300 BASIL articles when ../shared/data/basil exists. The
baseline is pysbd when it is importable (measured here, on at most 512 KB of each corpus,
because it is slow), otherwise a naive `re.split` on terminal punctuation.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

from workbench.claims import split_claims

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "examples" / "seeds"
BASIL_DIR = REPO_ROOT.parent / "shared" / "data" / "basil" / "articles"

TARGET = "≥ 1 MB/s"
GENERATED_BYTES = 5_000_000
BASELINE_SAMPLE_BYTES = 512_000
_NAIVE = re.compile(r"(?<=[.!?])\s+")

_SUBJECTS = [
    "The Pentagon",
    "Col. Ryan Dillon",
    "Maj. Gen. Igor Konashenkov",
    "U.S. officials",
    "The Russian Defense Ministry",
    "Sen. John McCain",
    "Dr. Ann Smith",
    "The U.N. envoy",
    "Acme Co.",
    "Gov. Jerry Brown",
    "A spokesman for the E.U.",
    "Mr. Trump",
    "Lt. Col. Dan Ortiz",
]
_VERBS = [
    "said on Thursday that",
    "told reporters that",
    "confirmed in a statement that",
    "denied reports that",
    "warned that",
    "said at 5 p.m. that",
    "wrote on Sept. 22 that",
]
_CLAUSES = [
    "forces had met face-to-face near Deir ez-Zor",
    "about 1,200 troops were deployed to the region",
    "the talks lasted at least an hour",
    "the deal was worth $100.00 per share, or about 3.5 percent more",
    "the U.S. military would continue to deconflict with Russia",
    "the meeting, described on p. 55 of the report, was the first of its kind",
    "no one was injured in the attack on Route No. 7",
    "the plan had been approved by St. Mary's Hospital and Pitt, Briggs & Co. executives",
]
_QUOTES = [
    '"We will continue to work with our partners," {s} said.',
    "“This is not a negotiation,” {s} said. “It is a warning.”",
    "{s} said the situation was “very serious.” Others disagreed.",
    'Asked about the talks, {s} said: "It\'s at a higher level than that."',
]
_HEADINGS = [
    "US, Russian generals meet face-to-face after Syria clash",
    "Monday, October 23, 2017",
    "World News",
]
_TAILS = ["Copyright 2017 The Associated Press. All rights reserved.", "Back to top"]


def generated_news(size: int = GENERATED_BYTES, seed: int = 20171023) -> str:
    """Deterministic news-like text: headings and paragraphs of recombined sentences."""
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    while total < size:
        article = [rng.choice(_HEADINGS)]
        for _ in range(rng.randint(4, 9)):
            article.append(" ".join(_sentence(rng) for _ in range(rng.randint(1, 4))))
        article.append(rng.choice(_TAILS))
        chunk = "\n\n".join(article) + "\n\n\n"
        parts.append(chunk)
        total += len(chunk.encode("utf-8"))
    return "".join(parts)


def _sentence(rng: random.Random) -> str:
    subject = rng.choice(_SUBJECTS)
    if rng.random() < 0.25:
        return rng.choice(_QUOTES).format(s=subject)
    end = rng.choice([".", ".", ".", "?", "!"])
    return f"{subject} {rng.choice(_VERBS)} {rng.choice(_CLAUSES)}{end}"


def seed_texts() -> list[str]:
    return [p.read_bytes().decode("utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))]


def basil_texts() -> list[str]:
    texts = []
    for path in sorted(BASIL_DIR.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = data.get("body-paragraphs") or []
        texts.append("\n\n".join(" ".join(sentences) for sentences in paragraphs))
    return texts


def _mb(texts: list[str]) -> float:
    return sum(len(t.encode("utf-8")) for t in texts) / 1e6


def _throughput(segment: Callable[[str], object], texts: list[str], min_seconds: float) -> float:
    """MB/s, repeating small corpora until at least `min_seconds` have been measured."""
    size = _mb(texts)
    rounds = 0
    started = time.perf_counter()
    elapsed = 0.0
    while rounds == 0 or elapsed < min_seconds:
        for text in texts:
            segment(text)
        rounds += 1
        elapsed = time.perf_counter() - started
    return size * rounds / elapsed


def _sample(texts: list[str], limit: int) -> list[str]:
    """A prefix of the corpus of at most `limit` bytes (one text is cut when it is larger)."""
    out: list[str] = []
    used = 0
    for text in texts:
        size = len(text.encode("utf-8"))
        if used + size > limit:
            if not out:
                out.append(text[:limit])
            break
        out.append(text)
        used += size
    return out


def _baseline() -> tuple[str, Callable[[str], object]]:
    try:
        import pysbd
    except ImportError:
        return "naive re.split", _NAIVE.split
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=False)
    return "pysbd", segmenter.segment


def _row(case: str, texts: list[str], min_seconds: float) -> dict[str, str]:
    value = _throughput(split_claims, texts, min_seconds)
    name, baseline = _baseline()
    base = _throughput(baseline, _sample(texts, BASELINE_SAMPLE_BYTES), min_seconds)
    return {
        "benchmark": "segmentation",
        "case": case,
        "measure": "MB/s",
        "value": f"{value:.2f}",
        "baseline": f"{base:.2f} ({name})",
        "ratio": f"{value / base:.1f}x" if base > 0 else "n/a",
        "target": TARGET,
    }


def run() -> list[dict[str, str]]:
    rows = [_row("generated news 5 MB", [generated_news()], min_seconds=0.0)]
    seeds = seed_texts()
    if seeds:
        rows.append(_row(f"{len(seeds)} seed articles", seeds, min_seconds=0.5))
    basil = basil_texts() if BASIL_DIR.is_dir() else []
    if basil:
        rows.append(_row(f"{len(basil)} basil articles", basil, min_seconds=0.5))
    return rows


if __name__ == "__main__":
    for row in run():
        print("  ".join(f"{key}={value}" for key, value in row.items()))
