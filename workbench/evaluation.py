"""How well the aligner finds a claim's partner: labelled pairs in, top-1 / top-3 out.

Used by the tests (the quality bar) and the benchmarks (the figures in the README), and
usable on any labelled set in the same JSONL shape as tests/data/seed_pairs.jsonl: one pair a
line, {"a_file", "a", "b_file", "b", "alt"?}, each claim named by its file and a distinctive
substring (so labels survive segmentation changes). "alt" lines are true correspondences
that are acceptable answers but are not scored themselves.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from rapidfuzz import fuzz

from workbench.align import align_story
from workbench.claims import split_claims
from workbench.models import Claim, ClaimKind, article_id, claim_id

# (query, its labelled partner, the query's other acceptable partners in that article)
Label = tuple[Claim, Claim, frozenset[str]]
Scorer = Callable[[Claim, Claim], float]


def claims_of(texts: Mapping[str, str]) -> tuple[list[Claim], dict[str, list[Claim]]]:
    """Articles (file name -> text) segmented into Claims: all of them, and by file."""
    claims: list[Claim] = []
    by_file: dict[str, list[Claim]] = {}
    for name, text in texts.items():
        aid = article_id(text)
        found = [
            Claim(claim_id(aid, s.start, s.end), aid, s.start, s.end, text[s.start : s.end],
                  s.kind, k)
            for k, s in enumerate(split_claims(text))
        ]  # fmt: skip
        by_file[name] = found
        claims += found
    return claims, by_file


def first_containing(claims: Sequence[Claim], needle: str) -> Claim:
    for c in claims:
        if needle in c.text:
            return c
    raise LookupError(f"no claim contains {needle!r}")


def load_labels(path: Path, by_file: Mapping[str, Sequence[Claim]]) -> list[Label]:
    """The scored pairs of a labels file, resolved against segmented articles."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    accept: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    scored = []
    for row in rows:
        a = first_containing(by_file[row["a_file"]], row["a"])
        b = first_containing(by_file[row["b_file"]], row["b"])
        accept[(a.id, b.article_id)] |= {c.id for c in by_file[row["b_file"]] if row["b"] in c.text}
        if not row.get("alt"):
            scored.append((a, b))
    return [(a, b, frozenset(accept[(a.id, b.article_id)] - {b.id})) for a, b in scored]


def filtered_ranks(claims: Sequence[Claim], labels: Sequence[Label], score: Scorer) -> list[int]:
    """Rank of each labelled partner among its article's claims (ties by ordinal), with the
    query's other acceptable partners left out."""
    by_article: dict[str, list[Claim]] = collections.defaultdict(list)
    for c in claims:
        if c.kind != ClaimKind.BOILERPLATE:
            by_article[c.article_id].append(c)
    ranks = []
    for a, b, others in labels:
        pool = [c for c in by_article[b.article_id] if c.id == b.id or c.id not in others]
        pool.sort(key=lambda c: (-score(a, c), c.ordinal))
        ranks.append(1 + [c.id for c in pool].index(b.id))
    return ranks


def aligner_scorer(claims: Sequence[Claim]) -> Scorer:
    """Our aligner's score for every cross-article pair of these claims."""
    scores = {(c.claim_id, c.candidate_id): c.score for c in align_story(claims, top_k=10_000)}
    return lambda a, b: scores.get((a.id, b.id), -1.0)


def token_set_baseline(a: Claim, b: Claim) -> float:
    """The baseline to beat: plain token_set_ratio over the raw sentences."""
    return fuzz.token_set_ratio(a.text, b.text)


def top_k_rates(ranks: Sequence[int]) -> tuple[float, float]:
    """(share ranked first, share in the top 3)."""
    n = max(len(ranks), 1)
    return sum(r == 1 for r in ranks) / n, sum(r <= 3 for r in ranks) / n
