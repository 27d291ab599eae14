"""Cross-article candidate pairs: for each claim, the most similar claims of every other
article of the same story (pure core: no SQL, no Textual).

How a pair is scored (0-100), all of it vectorised (no Python loop over claim pairs):

1. Normalise every claim once (`textnorm.content_tokens`: NFKC, straight quotes, hyphens,
   British -> American spelling, transliteration particles, numbers as digits, a light
   stemmer, a few news synonyms, stop words dropped). Word forms of the story's vocabulary
   that are spelling variants of each other ("dillon"/"dillion", "ezzor"/"zor") are merged
   into one feature with `rapidfuzz.process.cdist` over the vocabulary.
2. Weight each word by its IDF over the story's claims, so a shared "Konashenkov" counts
   for far more than a shared "forces". One matrix product (numpy/BLAS) gives the IDF²
   mass every pair of claims shares; from it a cosine (same content overall) and a
   containment (most of the smaller claim is inside the larger: a sentence quoting part of
   another). The direct score blends the two.
3. Re-rank with corroboration from the other articles ("two hops"): a fact reported by
   several articles is worded differently in each, and a third article's wording is often
   close to both. For claim i, take its best match k in each of its four best-matching
   other articles; a candidate j gains `min(S[i,k], S[k,j])`, scaled so the score stays
   within 0-100. In a two-article story there is no third article and nothing changes.

Adding rapidfuzz token_set_ratio / partial_ratio (on the normalised text) to this blend
moved top-1/top-3 on the 136 labelled seed pairs by one or two pairs either way, and on
ClaimDiff by less than 1%: noise, at a cost of about a microsecond per candidate pair, so
they are not in the blend. Measured figures: benchmarks/bench_align.py.

Cost: the score matrix is n x n float32 for the n claims of a story (4,000 claims: about
64 MB, 173 MB peak). Hints are not computed here: `workbench.hints.find_hints` is a cheap
function of two sentences, run when a pair is shown (a story of 100 x 40 claims has 1.2M
candidates; a reviewer looks at a few hundred).

Ranks are deterministic: score (rounded to 2 decimals) descending, then the candidate's
ordinal, then its id.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from rapidfuzz import fuzz, process

from workbench.errors import TooLargeError
from workbench.models import Candidate, Claim, ClaimKind
from workbench.textnorm import content_tokens, particle_stripped

ALIGNER_VERSION: str = "2"

# Tuned on tests/data/seed_pairs.jsonl (see the module docstring); checked on ClaimDiff.
_W_COSINE = 0.8  # of the direct score; the rest is containment
_CONTAINMENT_SMOOTH = 4.0  # IDF² mass added to the smaller side: one shared word is not "contained"
_HOP_ARTICLES = 4  # third articles consulted per claim
_HOP_WEIGHT = 0.7
_MERGE_CUTOFF = 90.0  # rapidfuzz ratio for two word forms (length >= 5) to count as one
_ROW_BLOCK = 512  # rows per block in the two-hop step (bounds the temporary memory)
# The work one story may take: the score matrix is claims x claims, and the ranking holds
# claims x other articles x top_k. 10,000 claims take about 1 GB and ten seconds.
MAX_CLAIMS = 10_000
MAX_PAIRS = 2_000_000


def align_story(claims: Sequence[Claim], top_k: int = 3, min_score: float = 0.0) -> list[Candidate]:
    """For each claim and each OTHER article of the story, that article's `top_k` most
    similar claims: rank 1..k, score 0-100.

    Boilerplate is ignored. Candidates scoring below `min_score` are left out (ranks stay
    1, 2, ...). Output order: claims in input order, other articles in first-seen order,
    then rank.
    """
    usable = [c for c in claims if c.kind != ClaimKind.BOILERPLATE]
    if top_k <= 0 or len(usable) < 2:
        return []
    article_of: dict[str, int] = {}
    for c in usable:
        article_of.setdefault(c.article_id, len(article_of))
    if len(article_of) < 2:
        return []
    n = len(usable)
    art = np.fromiter((article_of[c.article_id] for c in usable), dtype=np.int64, count=n)
    check_size(n, len(article_of), min(top_k, int(np.bincount(art).max())))
    tiebreak = sorted(range(n), key=lambda i: (usable[i].ordinal, usable[i].id))
    order_pos = np.empty(n, dtype=np.int64)
    order_pos[tiebreak] = np.arange(n)

    texts = [c.text for c in usable]
    final = similarity_matrix(texts, art)
    i_idx, j_idx, ranks, scores = _top_per_article(final, art, order_pos, top_k, min_score)
    del final

    ids = np.array([c.id for c in usable], dtype=object)
    claim_ids = ids[i_idx].tolist()
    cand_ids = ids[j_idx].tolist()
    with _gc_paused():
        return list(map(Candidate, claim_ids, cand_ids, ranks, scores))


def check_size(claims: int, articles: int, top_k: int) -> None:
    """Refuse, in one line and before any work, a story larger than alignment takes."""
    pairs = claims * (articles - 1) * top_k
    if claims > MAX_CLAIMS or pairs > MAX_PAIRS:
        raise TooLargeError(
            f"{claims:,} claims in {articles:,} articles is over what alignment takes"
            f" ({MAX_CLAIMS:,} claims, and {MAX_PAIRS:,} claims x other articles x top):"
            " split the story, or import it with --no-align"
        )


def _top_per_article(
    final: np.ndarray, art: np.ndarray, order_pos: np.ndarray, top_k: int, min_score: float
) -> tuple[np.ndarray, np.ndarray, list[int], list[float]]:
    """Flat (claim, candidate, rank, score) in output order: claims in input order, other
    articles in first-seen order, rank 1..k (score desc, then ordinal)."""
    n = final.shape[0]
    n_articles = int(art.max()) + 1
    top_k = min(top_k, int(np.bincount(art).max()))  # no article has more to rank
    np.round(final, 2, out=final)
    top_j = np.full((n, n_articles, top_k), -1, dtype=np.int64)
    top_s = np.full((n, n_articles, top_k), -np.inf, dtype=np.float32)
    # Articles of equal size are handled together: columns (article, ordinal order) form an
    # (n, articles, size) block, and k rounds of argmax pick the top k. argmax returns the
    # first maximum, i.e. the lowest ordinal among equal scores: the tie-break rule.
    groups: dict[int, list[int]] = {}
    members = []
    for a in range(n_articles):
        cols = np.flatnonzero(art == a)
        members.append(cols[np.argsort(order_pos[cols], kind="stable")])
        groups.setdefault(cols.size, []).append(a)
    for size, arts in groups.items():
        idx = np.stack([members[a] for a in arts])  # (g, size)
        kk = min(top_k, size)
        for start in range(0, n, _ROW_BLOCK):
            rows = slice(start, min(start + _ROW_BLOCK, n))
            block = np.ascontiguousarray(final[rows][:, idx])  # (r, g, size), a copy
            flat = block.reshape(-1)  # a view: writing to it writes to block
            base = np.arange(0, flat.size, size).reshape(block.shape[:2])
            for rank in range(kk):
                best = block.argmax(axis=2)  # (r, g)
                at = base + best
                top_j[rows, arts, rank] = idx[np.arange(len(arts))[None, :], best]
                top_s[rows, arts, rank] = flat[at]
                flat[at] = -np.inf
    top_s[np.arange(n), art, :] = -np.inf  # never the claim's own article
    keep = (top_j >= 0) & (top_s >= min_score) & (top_s > -np.inf)
    i_idx = np.broadcast_to(np.arange(n)[:, None, None], keep.shape)[keep]
    j_idx = top_j[keep]
    ranks = np.broadcast_to(np.arange(1, top_k + 1)[None, None, :], keep.shape)[keep]
    scores = top_s[keep].astype(np.float64).round(2)
    return i_idx, j_idx, ranks.tolist(), scores.tolist()


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Creating a million small objects triggers the cyclic GC again and again, and each
    full pass walks every live object; none of these objects can form a cycle."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- scoring ---------------------------------------------------------------------------------


def similarity_matrix(texts: Sequence[str], article_index: np.ndarray) -> np.ndarray:
    """Final scores (0-100, float32) for every pair of claims; -1 within one article."""
    art = np.asarray(article_index, dtype=np.int64)
    direct = direct_scores(texts, art)
    return _two_hop(direct, art)


def direct_scores(texts: Sequence[str], article_index: np.ndarray) -> np.ndarray:
    """IDF cosine/containment blend (0-100, float32) for every pair; -1 within an article."""
    n = len(texts)
    art = np.asarray(article_index, dtype=np.int64)
    tokens = [content_tokens(t) for t in texts]
    merge = _merge_map({w for ts in tokens for w in ts})
    bags = [{merge.get(w, w) for w in ts} for ts in tokens]
    df: dict[str, int] = {}
    first_article: dict[str, int] = {}
    multi_article: set[str] = set()
    for i, bag in enumerate(bags):
        a = int(art[i])
        for w in bag:
            df[w] = df.get(w, 0) + 1
            seen = first_article.setdefault(w, a)
            if seen != a:
                multi_article.add(w)
    idf = {w: math.log((n + 1) / (d + 1)) + 1.0 for w, d in df.items()}
    # Only words seen in two articles can make a cross-article pair similar; the others
    # still count in each claim's mass (the denominators).
    col = {w: c for c, w in enumerate(sorted(multi_article))}
    mass = np.zeros(n, dtype=np.float32)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for i, bag in enumerate(bags):
        m = 0.0
        for w in bag:
            weight = idf[w]
            m += weight * weight
            c = col.get(w)
            if c is not None:
                rows.append(i)
                cols.append(c)
                vals.append(weight)
        mass[i] = m
    x = np.zeros((n, max(len(col), 1)), dtype=np.float32)
    if rows:
        x[np.asarray(rows), np.asarray(cols)] = np.asarray(vals, dtype=np.float32)
    shared = x @ x.T  # IDF² mass shared by every pair
    del x
    mass[mass <= 0] = 1.0
    inv_norm = (1.0 / np.sqrt(mass)).astype(np.float32)
    # score = 100 * (w * cosine + (1 - w) * containment), computed in place
    containment = np.minimum(mass[:, None], mass[None, :])
    containment += _CONTAINMENT_SMOOTH
    np.divide(shared, containment, out=containment)
    containment *= 100.0 * (1.0 - _W_COSINE)
    shared *= inv_norm[:, None]
    shared *= inv_norm[None, :]
    shared *= 100.0 * _W_COSINE
    shared += containment
    del containment
    np.clip(shared, 0.0, 100.0, out=shared)
    for a in np.unique(art):
        members = np.flatnonzero(art == a)
        shared[np.ix_(members, members)] = -1.0
    return shared


def _two_hop(direct: np.ndarray, art: np.ndarray) -> np.ndarray:
    """direct + corroboration through a third article, kept within 0-100."""
    n = direct.shape[0]
    n_articles = int(art.max()) + 1 if n else 0
    if n_articles < 3:
        return direct
    best_k = np.empty((n, n_articles), dtype=np.int64)
    best_v = np.empty((n, n_articles), dtype=np.float32)
    for a in range(n_articles):
        members = np.flatnonzero(art == a)
        sub = direct[:, members]
        arg = sub.argmax(axis=1)
        best_k[:, a] = members[arg]
        best_v[:, a] = sub[np.arange(n), arg]
    best_v[np.arange(n), art] = -1.0  # never the claim's own article
    hops = min(_HOP_ARTICLES, n_articles - 1)
    via = np.argsort(-best_v, axis=1, kind="stable")[:, :hops]
    out = np.empty_like(direct)
    for start in range(0, n, _ROW_BLOCK):
        stop = min(start + _ROW_BLOCK, n)
        rows = np.arange(start, stop)
        hop = None
        for h in range(hops):
            a = via[rows, h]
            k = best_k[rows, a]
            v = np.maximum(best_v[rows, a], 0.0)
            step = direct[k, :]  # a gathered copy
            np.minimum(step, v[:, None], out=step)
            if hop is None:
                hop = step
            else:
                np.maximum(hop, step, out=hop)
        assert hop is not None
        block = direct[start:stop]
        # block + weight * hop * (1 - block/100): stays <= 100, equals block when hop == 0
        hop *= _HOP_WEIGHT
        mixed = hop * block
        mixed *= -0.01
        mixed += hop
        mixed += block
        out[start:stop] = mixed
    for a in range(n_articles):
        members = np.flatnonzero(art == a)
        out[np.ix_(members, members)] = -1.0
    return out


def _merge_map(vocab: set[str]) -> dict[str, str]:
    """Spelling variants within one story's vocabulary -> one representative."""
    words = sorted(w for w in vocab if len(w) >= 5 and w.isalpha())
    parent: dict[str, str] = {}

    def find(w: str) -> str:
        while parent.get(w, w) != w:
            w = parent[w]
        return w

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            parent[hi] = lo

    # One cdist over the vocabulary; a very large one is split by initial letter. Threads
    # only pay off on big inputs (starting them costs about a millisecond).
    groups = [words] if len(words) <= 4000 else _by_initial(words)
    for group in groups:
        if len(group) < 2:
            continue
        sim = process.cdist(
            group,
            group,
            scorer=fuzz.ratio,
            score_cutoff=_MERGE_CUTOFF,
            dtype=np.uint8,
            workers=-1 if len(group) > 1000 else 1,
        )
        a_idx, b_idx = np.nonzero(np.triu(sim, 1))
        for a, b in zip(a_idx.tolist(), b_idx.tolist(), strict=True):
            union(group[a], group[b])
    for w in sorted(vocab):
        stripped = particle_stripped(w)
        if stripped and stripped in vocab:
            union(w, stripped)
    return {w: find(w) for w in vocab if find(w) != w}


def _by_initial(words: list[str]) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for w in words:
        groups.setdefault(w[0], []).append(w)
    return list(groups.values())
