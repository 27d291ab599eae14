"""Cross-article candidate pairs for a story (pure core: no SQL, no Textual).

What is kept for each claim (O(claims x k) rows, not every rank of every article pair):
- its best claim in each other article, when that reaches `STORE_FLOOR` (what the review
  queue proposes from: rank 1 at or above the queue's floor);
- its `TOP_K` best claims across the whole story, whatever their score;
- its likely discrepancies: claims of other articles that share a frame with it (a count
  of the same thing, a sum of money, a weekday or date, an assertion and its denial) but
  give it another value, each with a `discrepancy` score (workbench.hints.discrepancy);
  in a story small enough for a short list (see 4. below), its close contenders too (its
  best 3 claims in each of its best few articles), kept where they disagree: an assertion
  and its denial are often each other's second-best match.
Anything else a view needs (the best claim of an article for a claim that proposes none
there) is computed on demand by `StoryScorer`.

How a pair is scored (0-100), all of it vectorised (no Python loop over claim pairs):
1. Every claim is normalised once (`textnorm.content_tokens`: NFKC, straight quotes,
   hyphens, British -> American spelling, transliteration particles, numbers as digits, a
   light stemmer, news synonyms, stop words dropped). Spelling variants within the story's
   vocabulary ("dillon"/"dillion") are merged with one `rapidfuzz.process.cdist`. A value
   (a number, a weekday, a month) is also seen as its frame ("#n:person" for "23 people",
   "#weekday", "#date"), so two claims that give one fact different values still share
   most of their weight. A bare reply ("The
   ministry denied the accusation.") is matched with the sentence before it.
2. Each token is weighted by its IDF over the story's claims; a sparse product (scipy)
   gives the weight every pair shares, from which a cosine and a containment (most of the
   smaller claim is inside the larger) are blended.
3. Corroboration from other articles ("two hops"): a fact reported by several articles is
   worded differently in each, and a third article's wording is often close to both. For
   claim i, take its best match k in each of its four best-matching other articles; a
   candidate j gains min(S[i,k], S[k,j]), scaled so the score stays within 0-100.
4. Wording: a short list (each claim's best few claims in each of its best few articles,
   within a budget of pairs per story) is re-scored with rapidfuzz's token_set_ratio on
   the text, which a changed figure or a reordered clause does not move: the score rises
   by 0.3 of what token_set sees beyond it (never falls). On the labelled pairs this puts a
   contradiction's partner in its top 3 more often (benchmarks/bench_quality.py).
5. Meaning, where the database has a sentence encoder (workbench.encoders, optional): the
   cosine of the two claims' stored vectors makes ENCODER_WEIGHT of the final score.
A claim repeated word for word in its article (a headline repeated as the first sentence)
is never a candidate: the queue shows the first for both, and a repeat takes no rank.
Scores are computed in row blocks: the work in flight takes O(threads x block x claims).
Direct scores are hundredths; a story of 12,000 to 22,000 claims (_KEPT_CLAIMS) keeps them
all as 2-byte integers (0.8 GB at 20,000 claims: the price of computing each once, not
twice), a smaller or larger one computes them again for each block, so memory never grows
past that bound with the claims squared. Blocks are scored by one thread per core, up to
4 (numpy lets go of the GIL in its loops), and the corroboration reads a sparse matrix of
the direct scores that can carry any (few pairs do).
The rows kept come out a block at a time (`align_story_blocks`), from a thread that scores
ahead while the caller stores them: a 500 x 40 story's 3.6 million rows are never all in
memory at once.

Ranks are deterministic: score (rounded to 2 decimals) descending, then the candidate's
ordinal, then its id. Figures: benchmarks/bench_quality.py and benchmarks/bench_scale.py.
"""

from __future__ import annotations

import math
import mmap
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import cached_property
from queue import Full, Queue

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process
from scipy import sparse

from workbench.encoders import ENCODER_WEIGHT, unit_rows
from workbench.errors import TooLargeError
from workbench.models import Candidate, CandidateBlock, Claim, ClaimKind
from workbench.queue import duplicate_claims
from workbench.textnorm import content_tokens, particle_stripped, word_set

ALIGNER_VERSION: str = "8"

TOP_K = 3  # best candidates kept per claim across the whole story
STORE_FLOOR = 30.0  # a claim's best in another article is kept from this score up
DISCREPANCY_CANDIDATES = 4  # value-differing claims kept (whatever their rank), per claim
DISCREPANCY_CHECKS = 4  # pairs kept that the hint finder scores, per claim
DISCREPANCY_FLOOR = 12.0  # ... from this similarity up (they must be about one thing)
_CONTENDERS = 3  # in a story small enough for a short list: a claim's best 3 in an article ...
_SHORT_LIST_CHECKS = 24  # ... are checked for discrepancies too, up to this many per claim

_W_COSINE = 0.8  # of the direct score; the rest is containment
_CONTAINMENT_SMOOTH = 4.0  # weight added to the smaller side: one shared word is not "contained"
_HOP_ARTICLES = 4  # third articles consulted per claim
_HOP_WEIGHT = 0.4
_HOP_FLOOR = 15.0  # direct scores below this carry no corroboration
_MIX_ROWS = 16  # rows mixed at a time (temporaries of 16 x claims)
_MERGE_CUTOFF = 90.0  # rapidfuzz ratio for two word forms (length >= 5) to count as one
# Rows scored at a time: a block of scores (and its few temporaries) stays near 8 MB, and a
# 100 x 40 story comes in 8 blocks (the last block's rows, stored once all is scored, are few);
# at least 256 rows (a 20,000-claim story's block, 20 MB, is below the size from which the C
# allocator maps fresh pages for each temporary: less time in the kernel).
_BLOCK_CELLS = 2_000_000
# Wording (token_set_ratio on the text, 30-50x slower than the matrix work) re-ranks a short
# list: a claim's best few claims in each of its best few articles, within a budget of pairs
# per story (a story too large for two contenders per article is ranked without it).
_REWORD_WEIGHT = 0.3
_REWORD_ARTICLES = 8
_REWORD_PER_ARTICLE = 8
_REWORD_BUDGET = 60_000
# The work one story may take: every claim is scored against every other (time grows with
# claims squared; memory with a block of rows against every claim, plus the direct scores
# kept, see below), and each may keep its best claim in every other article. A 500 x 40
# story (20,000 claims) is within both.
MAX_CLAIMS = 30_000
MAX_PAIRS = 15_000_000  # claims x other articles
# A story of this many claims keeps every direct score once scored, as hundredths (2 bytes
# a pair: 0.8 GB at 20,000 claims), so the blocks read them instead of scoring them again
# (at 20,000 claims that second pass is ~3 s of CPU, a quarter of the import). A smaller
# story scores them twice (at 10,000 claims 0.7 s of CPU, no measurable difference to the
# import, against 0.2 GB more memory); a larger one too (memory stays O(block x claims)).
_KEPT_CLAIMS = range(12_000, 22_001)

_WEEKDAYS = word_set("monday tuesday wednesday thursday friday saturday sunday")
_MONTHS = word_set("""january february march april may june july august september october
    november december jan feb mar apr jun jul aug sep sept oct nov dec""")

Discrepancy = Callable[[str, str], float]  # (a text, b text) -> 0..100


def align_story(
    claims: Sequence[Claim],
    *,
    top_k: int = TOP_K,
    store_floor: float = STORE_FLOOR,
    discrepancy: Discrepancy | None = None,
    bare_reply: Callable[[str], bool] | None = None,
    tokens: Mapping[str, Sequence[str]] | None = None,
    only: Sequence[str] | None = None,
    traits: Mapping[str, int] | None = None,
    vectors: Mapping[str, np.ndarray] | None = None,
) -> list[Candidate]:
    """The candidate rows of a story (see the module docstring for what is kept).

    Boilerplate is ignored. `tokens` gives each claim's normalised words (as
    `textnorm.content_tokens`) and `traits` its traits (`hints.claim_traits`), as the
    store keeps them; what they do not give is computed. `vectors` (every claim's, from a
    sentence encoder: workbench.encoders) blend a second opinion into every score.
    `discrepancy` scores a pair kept (default: workbench.hints); `only` limits the
    proposing side to these claim ids and adds the rows in which another claim proposes
    one of them (an incremental re-alignment after an article was added). Output order:
    by proposing claim, then candidate (articles by id, claims by ordinal)."""
    blocks = align_story_blocks(
        claims,
        top_k=top_k,
        store_floor=store_floor,
        discrepancy=discrepancy,
        bare_reply=bare_reply,
        tokens=tokens,
        only=only,
        traits=traits,
        vectors=vectors,
    )
    return [c for block in blocks for c in block.candidates()]


def align_story_blocks(
    claims: Sequence[Claim],
    *,
    top_k: int = TOP_K,
    store_floor: float = STORE_FLOOR,
    discrepancy: Discrepancy | None = None,
    bare_reply: Callable[[str], bool] | None = None,
    tokens: Mapping[str, Sequence[str]] | None = None,
    only: Sequence[str] | None = None,
    traits: Mapping[str, int] | None = None,
    vectors: Mapping[str, np.ndarray] | None = None,
) -> Iterator[CandidateBlock]:
    """`align_story`'s rows, a block of proposing claims at a time, in the same order. A
    whole story is scored in a thread that runs ahead of the caller, so the caller stores
    one block while the next is scored (numpy and SQLite let go of the GIL while they
    work). The size check is made at once (TooLargeError before any work); the work
    starts when the first block is asked for, so a caller that never asks leaves nothing
    running."""
    check_size(claims)
    if discrepancy is None:
        discrepancy = default_discrepancy()
    job = AlignJob(claims, tokens, only)  # (what `proposing` counts)

    def start() -> tuple[Iterator[CandidateBlock], Callable[[], None]]:
        # The checker's child, if any, is forked here, in the caller's thread, before the
        # scoring thread exists; it reads the texts while the model is built.
        checker = _Checker(discrepancy, parallel=job.proposing >= _PARALLEL_CLAIMS)
        if only is None:
            checker.warm([c.text for c in claims if c.kind != ClaimKind.BOILERPLATE])
        return blocks(checker), checker.close

    def blocks(checker: _Checker) -> Iterator[CandidateBlock]:
        try:
            model = StoryModel.build(
                claims, bare_reply=bare_reply, tokens=tokens, traits=traits, vectors=vectors
            )
            if model is None:
                return
            checker.texts(model.said)
            if only is not None:
                checker.warm([model.said[k] for k in model.positions(only).tolist()])
            rows = None if only is None else model.positions(only)
            yield from model.candidate_blocks(top_k, store_floor, checker, rows)
        finally:
            checker.close()

    if only is not None:  # an incremental run gives its rows in one piece: nothing to overlap
        return _started(start)
    return _ahead(start)


_Start = Callable[[], tuple[Iterator[CandidateBlock], Callable[[], None]]]


def _started(start: _Start) -> Iterator[CandidateBlock]:
    """The items `start()` gives, started when the first is asked for (closing this closes
    them, and their own `finally` stops their work)."""
    items, _ = start()
    yield from items


# After an interruption the caller waits this long for the scoring thread to stop (it
# notices between blocks); past it, the thread is left to end with the process.
_STOP_WAIT_S = 0.5


def _ahead(start: _Start, depth: int = 2) -> Iterator[CandidateBlock]:
    """The items `start()` gives, produced in a thread up to `depth` items ahead of the
    consumer. Nothing starts until the first item is asked for; closing the iterator, or
    an error on either side, stops the thread, and `start`'s abort (the checker's child)
    at once, here: an interrupted import must not wait for the block being scored."""
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple) -> bool:
        while not stop.is_set():
            try:
                queue.put(entry, timeout=0.05)
                return True
            except Full:
                continue
        return False

    def produce(items: Iterator[CandidateBlock]) -> None:
        try:
            for item in items:
                if not put(("item", item)):
                    return
            put(("done", None))
        except BaseException as exc:  # handed to the consumer, raised there
            put(("error", exc))
        finally:
            items.close()  # type: ignore[attr-defined]

    items, abort = start()
    worker = threading.Thread(target=produce, args=(items,), name="workbench-align", daemon=True)
    worker.start()
    finished = False
    try:
        while True:
            kind, value = queue.get()
            if kind == "done":
                finished = True
                return
            if kind == "error":
                finished = True
                raise value
            yield value
    finally:
        stop.set()
        if not finished:
            abort()
        worker.join(None if finished else _STOP_WAIT_S)


@dataclass(frozen=True)
class AlignJob:
    """One story to align: `align_story(claims, top_k=..., tokens=..., only=..., traits=...,
    vectors=...)`."""

    claims: Sequence[Claim]
    tokens: Mapping[str, Sequence[str]] | None = None
    only: Sequence[str] | None = None
    top_k: int = TOP_K
    traits: Mapping[str, int] | None = None
    vectors: Mapping[str, np.ndarray] | None = None

    @property
    def proposing(self) -> int:
        """Claims whose rows are computed: the new ones, else every one but boilerplate."""
        if self.only is not None:
            return len(self.only)
        return sum(1 for c in self.claims if c.kind != ClaimKind.BOILERPLATE)


def align_many(jobs: Sequence[AlignJob]) -> Iterator[Iterator[CandidateBlock]]:
    """`align_story_blocks` for each job, yielded in order (a job's TooLargeError is raised
    when its turn comes); take each job's blocks before the next job's. Many small stories
    (an import of a feed) are aligned side by side in forked worker processes, one per
    core: the work is pure, the workers never touch the database, and the caller stores
    each story's rows as they come. A large story is aligned here, as it has a child of its
    own for its discrepancy checks."""
    small = [k for k, job in enumerate(jobs) if job.proposing < _PARALLEL_CLAIMS]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = min(cores or 1, len(small))
    if (
        workers < 2
        or sum(jobs[k].proposing for k in small) < _PARALLEL_STORIES_CLAIMS
        or ("fork" not in multiprocessing.get_all_start_methods())
    ):
        for job in jobs:
            yield _aligned(job)
        return
    global _JOBS  # noqa: PLW0603 -- what the forked workers inherit
    _JOBS = tuple(jobs)
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_story_worker,
    ) as pool:
        futures: dict = {}
        try:
            futures = {k: pool.submit(_aligned_job, k) for k in small}
            for k, job in enumerate(jobs):
                yield iter([futures[k].result()]) if k in futures else _aligned(job)
        finally:
            for future in futures.values():
                future.cancel()
            _JOBS = ()


def _aligned(job: AlignJob) -> Iterator[CandidateBlock]:
    return align_story_blocks(
        job.claims,
        top_k=job.top_k,
        tokens=job.tokens,
        only=job.only,
        traits=job.traits,
        vectors=job.vectors,
    )


def _aligned_job(k: int) -> CandidateBlock:
    """A worker's answer: the story's blocks as one (numpy columns pickle cheaply)."""
    blocks = list(_aligned(_JOBS[k]))
    if not blocks:
        return _empty_block(())
    return CandidateBlock(
        blocks[0].ids,
        *(np.concatenate([getattr(b, name) for b in blocks]) for name in _BLOCK_COLUMNS),
    )


_BLOCK_COLUMNS = ("i", "j", "rank", "score", "discrepancy")


def _empty_block(ids: Sequence[str]) -> CandidateBlock:
    empty = np.empty(0, np.int64)
    return CandidateBlock(
        ids, empty, empty, empty, empty.astype(np.float64), empty.astype(np.float64)
    )


_JOBS: tuple[AlignJob, ...] = ()
# Below this many claims in all, the small stories of an import are aligned one by one here:
# starting the workers would cost more than it saves.
_PARALLEL_STORIES_CLAIMS = 1000


def check_size(claims: Sequence[Claim]) -> None:
    """Refuse, in one line and before any work, a story larger than alignment takes."""
    usable = [c for c in claims if c.kind != ClaimKind.BOILERPLATE]
    check_counts(len(usable), len({c.article_id for c in usable}))


def check_counts(claims: int, articles: int) -> None:
    """`check_size` for a story of `claims` claims (boilerplate left out) in `articles`
    articles: the import asks it before it writes an article's claims."""
    pairs = claims * max(articles - 1, 0)
    if claims > MAX_CLAIMS or pairs > MAX_PAIRS:
        raise TooLargeError(
            f"{claims:,} claims in {articles:,} articles is over what alignment takes"
            f" ({MAX_CLAIMS:,} claims, and {MAX_PAIRS:,} claims x other articles):"
            " split the story, or import it with --no-align"
        )


def default_discrepancy() -> Discrepancy:
    """The hint finder's discrepancy (0-1), on the 0-100 scale of scores."""
    from workbench.hints import discrepancy  # the hint finder knows what differs

    return lambda a, b: 100.0 * discrepancy(a, b).score


def similarity_matrix(
    claims: Sequence[Claim],
    *,
    bare_reply: Callable[[str], bool] | None = None,
    vectors: Mapping[str, np.ndarray] | None = None,
) -> tuple[list[Claim], np.ndarray]:
    """Final scores (0-100, float32) for every pair of the story's non-boilerplate claims
    (in the returned order); -1 within one article, and against a repeat
    (`StoryModel.repeats`). Dense: for evaluation and small stories."""
    model = StoryModel.build(claims, bare_reply=bare_reply, vectors=vectors)
    if model is None:
        return [], np.zeros((0, 0), dtype=np.float32)
    final = np.vstack([model.final_block(rows) for rows in model.blocks()])
    return list(model.claims), final


def ranked_in_articles(
    claims: Sequence[Claim],
    k: int,
    *,
    tokens: Mapping[str, Sequence[str]] | None = None,
    vectors: Mapping[str, np.ndarray] | None = None,
) -> Iterator[tuple[str, str, int, float]]:
    """Every claim's `k` best claims in each other article, ranked as the aligner ranks
    them (score descending, then reading order): (claim id, candidate id, rank, score).
    What a listing of ranks beyond the stored ones needs; computed in row blocks, so memory
    stays O(block x claims). Claims come in the model's order (articles by id, then
    ordinal), each with its other articles in that order, ranks ascending."""
    check_size(claims)
    model = StoryModel.build(claims, tokens=tokens, vectors=vectors)
    if model is None or k < 1:
        return
    model.prepare(keep=False)  # a listing on demand: memory O(block x claims)
    ids = [c.id for c in model.claims]
    for block in model.blocks():
        final = model.final_block(block)
        i, j, rank, score = model.top_in_articles(block, final, k)
        yield from zip(
            [ids[x] for x in i.tolist()],
            [ids[x] for x in j.tolist()],
            rank.tolist(),
            score.astype(np.float64).round(2).tolist(),
            strict=True,
        )


# --- the story's model ---------------------------------------------------------------------


@dataclass
class StoryModel:
    """A story's claims as weighted token vectors, in (article, ordinal) order."""

    claims: tuple[Claim, ...]
    article: np.ndarray  # (n,) article index of each claim
    starts: np.ndarray  # (A,) first position of each article
    sizes: np.ndarray  # (A,) claims per article
    x: sparse.csr_matrix  # (n, V) IDF weights of the tokens seen in two articles or more
    common: np.ndarray  # (V_common, n) dense: the columns of tokens in many claims
    rare: sparse.csr_matrix  # (n, V_rare): the others (their products stay sparse)
    rare_t: sparse.csc_matrix
    mass: np.ndarray  # (n,) squared weight of all of a claim's tokens
    frames: sparse.csr_matrix  # (n, F) 1 where a claim gives a frame a value
    frame_values: sparse.csr_matrix  # (n, FV) 1 where it gives that frame that value
    # (n,) int8: whether a claim holds anything `discrepancy` compares (1/0), -1 where not
    # asked yet (`with_cues`: an incremental run asks about few claims)
    cues: np.ndarray
    # Each claim's text for the hint finder: a bare reply ("The ministry denied the
    # accusation.") joined to the sentence before it, so that it is scored by how much of
    # that the other claim says, not as a denial of anything.
    said: tuple[str, ...]
    wording: tuple[str, ...]  # the text lower-cased, punctuation as spaces (token_set's)
    index: dict[str, int]
    article_ids: tuple[str, ...] = ()  # in first-seen order: article index -> id
    # Positions of claims that repeat an earlier claim of their article word for word (a
    # headline repeated as the first sentence): never a candidate, as the queue shows the
    # first for both (workbench.queue.duplicate_claims, the one rule), so a repeat takes no
    # rank.
    repeats: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    # (n, d) float32 unit rows: each claim's vector from a sentence encoder, if the story
    # has them (workbench.encoders); blended into every final score
    meaning: np.ndarray | None = None
    _hundredths: np.ndarray | None = None  # (n, n) uint16: every direct score x 100, if kept
    _through: sparse.csr_matrix | None = None  # what two hops read, if kept

    @classmethod
    def build(
        cls,
        claims: Sequence[Claim],
        *,
        bare_reply: Callable[[str], bool] | None = None,
        tokens: Mapping[str, Sequence[str]] | None = None,
        traits: Mapping[str, int] | None = None,
        vectors: Mapping[str, np.ndarray] | None = None,
    ) -> StoryModel | None:
        usable = [c for c in claims if c.kind != ClaimKind.BOILERPLATE]
        # Articles by id, claims by ordinal: the order (and so every tie-break) does not
        # depend on the order the claims come in.
        first_seen = {a: k for k, a in enumerate(sorted({c.article_id for c in usable}))}
        if len(usable) < 2 or len(first_seen) < 2:
            return None
        ordered = tuple(sorted(usable, key=lambda c: (first_seen[c.article_id], c.ordinal, c.id)))
        article = np.fromiter((first_seen[c.article_id] for c in ordered), np.int64, len(ordered))
        sizes = np.bincount(article)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        from workbench.hints import CUES_TRAIT, REPLY_TRAIT

        stored = traits or {}
        # Stored replies are bare_reply's answers: a caller's own rule asks itself.
        stored_replies = stored if bare_reply is None else {}
        if bare_reply is None:
            from workbench.hints import bare_reply  # what names no fact of its own

        def is_reply(c: Claim) -> bool:
            t = stored_replies.get(c.id)
            return bare_reply(c.text) if t is None else bool(t & REPLY_TRAIT)

        words = [tokens[c.id] if tokens is not None else content_tokens(c.text) for c in ordered]
        # A bare reply borrows the sentence before it in its article (claims come in
        # reading order).
        replies = [
            k > 0 and ordered[k - 1].article_id == c.article_id and is_reply(c)
            for k, c in enumerate(ordered)
        ]
        cues = [-1 if (t := stored.get(c.id)) is None else int(t & CUES_TRAIT > 0) for c in ordered]
        repeated = duplicate_claims([(k, c.article_id, c.text) for k, c in enumerate(ordered)])
        matching = _tokens_with_context(words, replies)
        x, mass = _weights(matching, article)
        frames, frame_values = _frame_matrices(matching)
        return cls(
            claims=ordered,
            article=article,
            starts=starts,
            sizes=sizes,
            x=x,
            **_split_by_frequency(x),
            mass=mass,
            frames=frames,
            frame_values=frame_values,
            cues=np.array(cues, dtype=np.int8),
            said=tuple(
                f"{ordered[k - 1].text} {c.text}" if replies[k] else c.text
                for k, c in enumerate(ordered)
            ),
            wording=tuple(default_process(c.text) for c in ordered),
            index={c.id: i for i, c in enumerate(ordered)},
            article_ids=tuple(first_seen),
            repeats=np.array(sorted(repeated), dtype=np.int64),
            meaning=None
            if vectors is None
            else unit_rows(np.stack([vectors[c.id] for c in ordered])),
        )

    @property
    def n(self) -> int:
        return len(self.claims)

    @cached_property
    def ids(self) -> tuple[str, ...]:
        """Claim ids by position (what a CandidateBlock's positions index)."""
        return tuple(c.id for c in self.claims)

    @property
    def n_articles(self) -> int:
        return len(self.sizes)

    def with_cues(self, positions: np.ndarray) -> np.ndarray:
        """Whether each claim holds anything `discrepancy` compares (hints.has_cues), each
        claim's answer computed when first asked."""
        unknown = np.unique(positions[self.cues[positions] < 0])
        if len(unknown):
            from workbench.hints import has_cues

            claims = self.claims
            self.cues[unknown] = [has_cues(claims[i].text) for i in unknown.tolist()]
        return self.cues[positions] > 0

    def positions(self, ids: Sequence[str]) -> np.ndarray:
        return np.array(sorted(self.index[i] for i in ids if i in self.index), dtype=np.int64)

    def blocks(self, rows: np.ndarray | None = None) -> list[np.ndarray]:
        rows = np.arange(self.n) if rows is None else rows
        size = max(256, min(1024, _BLOCK_CELLS // max(self.n, 1)))
        return [rows[s : s + size] for s in range(0, len(rows), size)]

    # --- scores ------------------------------------------------------------------------------

    def direct_block(self, rows: np.ndarray) -> np.ndarray:
        """Direct scores (0-100 in hundredths, float32) of `rows` against every claim; -1
        within an article. Read from what `prepare` kept, else scored."""
        if self._hundredths is None:
            return self._direct(rows)
        kept = (
            self._hundredths[rows[0] : rows[-1] + 1]
            if _contiguous(rows)
            else self._hundredths[rows]
        )
        return self._scores(rows, kept)

    def _direct(self, rows: np.ndarray) -> np.ndarray:
        return self._scores(rows, self._direct_hundredths(rows))

    def _scores(self, rows: np.ndarray, hundredths: np.ndarray) -> np.ndarray:
        """Direct scores from 100 x them (float32, divided in place, or the kept uint16):
        as _rounded gives them, what every rank compares; -1 within an article."""
        in_place = hundredths if hundredths.dtype == np.float32 else None
        scores = np.divide(hundredths, np.float32(100.0), dtype=np.float32, out=in_place)
        self._mask_unpaired(rows, scores)
        return scores

    def _direct_hundredths(self, rows: np.ndarray) -> np.ndarray:
        """100 x the direct scores of `rows` (whole numbers, float32), own articles included."""
        # Tokens in many claims make the product dense: BLAS on those few columns, a sparse
        # product on the rest (which stays sparse), instead of one sparse product whose
        # result is nearly dense.
        shared = self.common[:, rows].T @ self.common
        if self.rare.nnz:
            shared += (self.rare[rows] @ self.rare_t).toarray()
        m_rows = self.mass[rows]
        # min(a, b) + s == min(a + s, b + s) exactly (rounding is monotonic): one pass less
        containment = np.minimum(
            (m_rows + _CONTAINMENT_SMOOTH)[:, None], (self.mass + _CONTAINMENT_SMOOTH)[None, :]
        )
        np.divide(shared, containment, out=containment)
        containment *= 10_000.0 * (1.0 - _W_COSINE)
        shared *= (1.0 / np.sqrt(m_rows))[:, None]
        shared *= (1.0 / np.sqrt(self.mass))[None, :]
        shared *= 10_000.0 * _W_COSINE
        shared += containment
        np.clip(shared, 0.0, 10_000.0, out=shared)
        return np.rint(shared, out=shared)

    def _mask_unpaired(self, rows: np.ndarray, scores: np.ndarray) -> None:
        """-1 where a row meets its own article (an article's claims are one range of
        columns), and in the columns of repeats."""
        own = self.article[rows]
        for a in np.unique(own).tolist():
            start = int(self.starts[a])
            scores[own == a, start : start + int(self.sizes[a])] = -1.0
        if len(self.repeats):
            scores[:, self.repeats] = -1.0

    def final_block(self, rows: np.ndarray) -> np.ndarray:
        """Final scores (direct + corroboration through third articles) of `rows`."""
        direct = self.direct_block(rows)  # the block's own array: mixed in place
        if self.n_articles < 3:
            return _rounded(self._encoded(rows, self._reworded(rows, direct)))
        b = len(rows)
        lines = np.arange(b)
        best_v = _per_article_max(direct, self.starts)
        best_v[lines, self.article[rows]] = -1.0  # never the claim's own article
        hops = min(_HOP_ARTICLES, self.n_articles - 1)
        via = _top_per_row(best_v, hops)
        at_r, at_a = np.repeat(lines, hops), via.ravel()
        through_k = _first_at(
            direct, at_r, at_a, self.starts, self.sizes, best_v[at_r, at_a]
        ).reshape(b, hops)
        through = self._hop_rows(np.unique(through_k))
        steps = []  # per hop: each row's scores through its k there (sparse: few carry any)
        for h in range(hops):
            v = np.maximum(best_v[lines, via[:, h]], 0.0)
            step = through[through_k[:, h]]
            values = np.minimum(step.data, np.repeat(v, np.diff(step.indptr)))
            steps.append((step.indptr, step.indices, values))
        # direct + weight * hop * (1 - direct/100): stays <= 100, equals direct when hop == 0.
        # A few rows at a time, their hop the best of the steps: the temporaries stay small
        # (no fresh pages for each block).
        hop = np.empty((_MIX_ROWS, self.n), dtype=direct.dtype)
        mixed = np.empty_like(hop)
        for s in range(0, b, _MIX_ROWS):
            e = min(s + _MIX_ROWS, b)
            h, m, d = hop[: e - s], mixed[: e - s], direct[s:e]
            h.fill(0.0)
            flat = h.reshape(-1)
            for indptr, indices, values in steps:
                counts = np.diff(indptr[s : e + 1])
                at = np.repeat(np.arange(e - s) * self.n, counts) + indices[indptr[s] : indptr[e]]
                np.maximum.at(flat, at, values[indptr[s] : indptr[e]])
            h *= _HOP_WEIGHT
            np.multiply(h, d, out=m)
            m *= -0.01
            m += h
            d += m
        self._mask_unpaired(rows, direct)  # -1 within an article, mixed or not; repeats
        return _rounded(self._encoded(rows, self._reworded(rows, direct)))

    def _encoded(self, rows: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """The scores with the sentence encoder's cosine blended in (in place), where the
        story has vectors: (1 - w) * score + w * 100 * max(cosine, 0). Cells that pair
        nothing stay -1."""
        if self.meaning is None:
            return scores
        unpaired = scores < 0.0
        cosine = self.meaning[rows] @ self.meaning.T
        np.clip(cosine, 0.0, 1.0, out=cosine)
        scores *= np.float32(1.0 - ENCODER_WEIGHT)
        cosine *= np.float32(100.0 * ENCODER_WEIGHT)
        scores += cosine
        scores[unpaired] = -1.0
        return scores

    def _reworded(self, rows: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """Each claim's contenders in its best few articles re-scored with rapidfuzz's
        token_set_ratio on the text (in place): a word-set view that a changed figure or
        a reordered clause does not move, and that the IDF cosine misses where the two
        share many plain words. It can only raise a score: score + w * (ts - score)."""
        per_article, _ = self._short_list()
        if not per_article:
            return scores
        best_v, _ = _per_article_best(scores, self.starts, self.sizes)
        r, c, _ = self._short_list_pairs(rows, scores, best_v, per_article)
        if not len(r):
            return scores
        words = self.wording
        ts = process.cpdist(
            [words[i] for i in rows[r].tolist()],
            [words[j] for j in c.tolist()],
            scorer=fuzz.token_set_ratio,
            dtype=np.float32,
            # Threads of its own only where the blocks are not already scored in threads.
            workers=-1 if len(r) > 20_000 and not _POOL.inside else 1,
        )
        current = scores[r, c]
        scores[r, c] = current + _REWORD_WEIGHT * np.maximum(ts - current, 0.0)
        return scores

    def _short_list_pairs(
        self, rows: np.ndarray, scores: np.ndarray, best_v: np.ndarray, take: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`_best_in_articles` over each row's short list; empty for a story too large for
        a short list."""
        _, articles = self._short_list()
        if not articles:
            empty = np.empty(0, np.int64)
            return empty, empty, empty
        return self._best_in_articles(rows, scores, best_v, take, articles)

    def _best_in_articles(
        self, rows: np.ndarray, scores: np.ndarray, best_v: np.ndarray, take: int, articles: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(line in the block, column, rank) of each row's `take` best claims in each of
        its `articles` best other articles (`best_v`: each row's best score in each
        article), ranked as everywhere: score descending, then reading order."""
        empty = np.empty(0, np.int64)
        lines = np.arange(len(rows))
        best_v = best_v.copy()
        best_v[lines, self.article[rows]] = -np.inf  # never the claim's own article
        chosen = np.zeros(best_v.shape, dtype=bool)
        chosen[lines[:, None], np.argsort(-best_v, axis=1, kind="stable")[:, :articles]] = True
        parts = []
        for a, (start, size) in enumerate(
            zip(self.starts.tolist(), self.sizes.tolist(), strict=True)
        ):
            who = np.flatnonzero(chosen[:, a])
            if not len(who):
                continue
            n = min(take, size)
            top = np.argsort(-scores[who, start : start + size], axis=1, kind="stable")[:, :n]
            parts.append(
                (np.repeat(who, n), start + top.ravel(), np.tile(np.arange(1, n + 1), len(who)))
            )
        if not parts:
            return empty, empty, empty
        r, c, rank = (np.concatenate(col) for col in zip(*parts, strict=True))
        paired = scores[r, c] >= 0.0  # a short article lists its repeats too (last)
        return r[paired], c[paired], rank[paired]

    def _short_list(self) -> tuple[int, int]:
        """(claims per article, articles) of each claim's short list, the pairs worth a
        slower look (wording, discrepancy checks): its best few claims in each of its best
        few articles; (0, 0) for a story too large for two per article within the budget."""
        articles = min(_REWORD_ARTICLES, self.n_articles - 1)
        per_article = min(_REWORD_PER_ARTICLE, _REWORD_BUDGET // max(self.n * articles, 1))
        return (per_article, articles) if per_article >= 2 else (0, 0)

    def _hop_rows(self, needed: np.ndarray) -> sparse.csr_matrix:
        """Direct rows (sparse: scores under _HOP_FLOOR carry no corroboration) of the
        claims two hops go through, indexed by claim position: what `prepare` kept, else
        computed for just `needed` (sorted, unique: an incremental run)."""
        if self._through is not None:
            return self._through
        part = _sparse_floored(self._direct(needed))
        where = np.zeros(self.n, dtype=np.int64)
        where[needed] = np.arange(len(needed))
        return _RowsAt(part, where)

    def prepare(self, *, keep: bool = True) -> None:
        """Before scoring every claim: the scores two hops read, as a sparse matrix, and
        (a story of _KEPT_CLAIMS claims, where `keep`) every direct score as hundredths, so
        that each is computed once, not again for its block."""
        if self._hundredths is not None or self._through is not None or self.n_articles < 3:
            return
        kept = _uint16_matrix(self.n) if keep and self.n in _KEPT_CLAIMS else None

        def through(rows: np.ndarray) -> sparse.csr_matrix:
            hundredths = self._direct_hundredths(rows)
            if kept is not None:
                kept[rows] = hundredths  # whole numbers from 0 to 10,000
            return _sparse_floored(self._scores(rows, hundredths))

        parts = list(_in_threads(through, self.blocks()))
        self._hundredths = kept
        self._through = sparse.vstack(parts, format="csr")

    def top_in_articles(
        self, block: np.ndarray, final: np.ndarray, k: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(i, j, rank, score) of each row's k best columns in every other article (ties:
        reading order), sorted by row, then article, then rank."""
        best_v, _ = _per_article_best(final, self.starts, self.sizes)
        r, c, rank = self._best_in_articles(block, final, best_v, k, self.n_articles - 1)
        order = np.lexsort((rank, self.article[c], r))
        r, c, rank = r[order], c[order], rank[order]
        return block[r], c, rank, final[r, c]

    # --- what is kept ----------------------------------------------------------------------

    def candidate_blocks(
        self,
        top_k: int,
        store_floor: float,
        checker: _Checker,
        rows: np.ndarray | None = None,
    ) -> Iterator[CandidateBlock]:
        """The rows kept, a block of proposing claims at a time. A block's rows are given
        once the checker has scored its pairs, which it does while the next block is
        scored. An incremental run (`rows`: the new claims) gives its rows in one piece:
        each other claim's best in a new article is read off every block."""
        if rows is not None:
            yield self._incremental(top_k, store_floor, checker, rows)
            return
        self.prepare()

        def picked(block: np.ndarray) -> tuple[list, list]:
            picks: list[tuple[np.ndarray, ...]] = []
            checks: list[tuple[np.ndarray, np.ndarray]] = []
            self._pick(block, self.final_block(block), top_k, store_floor, picks, checks)
            return picks, checks

        waiting: list[tuple[list, int]] = []  # (picks, checker ticket) of blocks scored
        for picks, checks in _in_threads(picked, self.blocks()):
            waiting.append((picks, checker.submit(*checks[-1])))
            if len(waiting) > 1:
                picks, ticket = waiting.pop(0)
                yield self._kept(picks, checker.result(ticket))
        for picks, ticket in waiting:
            yield self._kept(picks, checker.result(ticket))

    def _incremental(
        self, top_k: int, store_floor: float, checker: _Checker, rows: np.ndarray
    ) -> CandidateBlock:
        picks: list[tuple[np.ndarray, ...]] = []
        checks: list[tuple[np.ndarray, np.ndarray]] = []
        finals, tickets = [], []
        for block in self.blocks(rows):
            final = self.final_block(block)
            self._pick(block, final, top_k, store_floor, picks, checks)
            tickets.append(checker.submit(*checks[-1]))
            finals.append(final)
        if not finals:
            return _empty_block(self.ids)
        found = [hit for ticket in tickets for hit in checker.result(ticket)]
        self._pick_reverse(rows, np.vstack(finals), store_floor, picks)
        return self._kept(picks, found, symmetric=True)

    def _kept(
        self, picks: list, found: list[tuple[int, int, float]], *, symmetric: bool = False
    ) -> CandidateBlock:
        """The rows of these picks, each pair once (picks are in order of precedence: a
        pair picked twice keeps its first, best, reason), with the discrepancies `found`;
        a pair only a check picked is kept where it found one. `symmetric`: a reverse row
        (another claim proposing a new one) takes its pair's discrepancy."""
        i, j, score, rank, sure = (np.concatenate(col) for col in zip(*picks, strict=True))
        key = i * self.n + j
        key, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        certain = np.zeros(len(key), dtype=bool)
        np.logical_or.at(certain, inverse, sure)  # a pair picked for any sure reason
        i, j, score, rank = i[first], j[first], score[first], rank[first]
        by_key = {a * self.n + b: v for a, b, v in found}
        if symmetric:
            by_key.update({(b % self.n) * self.n + b // self.n: v for b, v in list(by_key.items())})
        disc = np.zeros(len(key), dtype=np.float64)
        if by_key:
            wanted = np.fromiter(by_key, dtype=np.int64, count=len(by_key))
            at = np.searchsorted(key, wanted)
            inside = (at < len(key)) & (key[np.minimum(at, len(key) - 1)] == wanted)
            disc[at[inside]] = np.fromiter(by_key.values(), dtype=np.float64)[inside]
        keep = certain | (disc > 0)
        return CandidateBlock(
            self.ids,
            i[keep],
            j[keep],
            rank[keep],
            score[keep].astype(np.float64).round(2),
            disc[keep].round(2),
        )

    def _pick(
        self,
        block: np.ndarray,
        final: np.ndarray,
        top_k: int,
        store_floor: float,
        picks: list,
        checks: list,
    ) -> None:
        b = len(block)
        lines = np.arange(b)
        own = self.article[block]
        best_v, best_j = _per_article_best(final, self.starts, self.sizes)  # most are kept
        best_v[lines, own] = -np.inf
        # Each claim's best in every other article: kept from the floor up, and below it
        # (down to DISCREPANCY_FLOOR) only if the hint finder finds a discrepancy; and its
        # `top_k` best articles' best claims whatever their score. All rank 1 there.
        sure = best_v >= store_floor
        k = min(top_k, self.n_articles - 1)
        if k > 0:
            top = _top_per_row(best_v, k)
            sure[lines[:, None], top] |= best_v[lines[:, None], top] > 0
        maybe = (best_v >= DISCREPANCY_FLOOR) | sure
        rr, aa = np.nonzero(maybe & (best_v > -np.inf))
        jj = best_j[rr, aa]
        picks.append((block[rr], jj, best_v[rr, aa], np.ones(len(rr), np.int64), sure[rr, aa]))
        # Claims that fill a frame this one fills with another value (a cheap vectorised
        # test on the value frames): likely discrepancies, kept whatever their rank there.
        m = min(DISCREPANCY_CANDIDATES, self.n_articles - 1)
        best_j[lines, own] = -1
        di = np.empty(0, np.int64)
        dj2 = np.empty(0, np.int64)
        dv, dj = self._best_differing(block, final)
        if dv is not None:
            top = np.argpartition(-dv, m - 1, axis=1)[:, :m]
            cols = np.where(np.take_along_axis(dv, top, axis=1) > -np.inf, top, -1)
            chosen = np.where(cols >= 0, dj[lines[:, None], np.maximum(cols, 0)], -1)
            di, dj2, ds, drank = self._ranked(block, final, chosen, best_j, DISCREPANCY_FLOOR)
            picks.append((di, dj2, ds, drank, np.zeros(len(di), bool)))
        # In a story small enough for a short list, each claim's close contenders in its
        # best few articles too: a contradiction is often not its article's best match.
        er, ej, erank = self._short_list_pairs(block, final, best_v, _CONTENDERS)
        es = final[er, ej]
        close = es >= DISCREPANCY_FLOOR
        er, ej, es, erank = er[close], ej[close], es[close], erank[close]
        picks.append((block[er], ej, es, erank, np.zeros(len(er), bool)))
        # The hint finder scores (a Python call each, so bounded per claim) each claim's
        # most similar few pairs kept, where one side has something it compares.
        ci = np.concatenate([rr, np.searchsorted(block, di), er])
        cj = np.concatenate([jj, dj2, ej])
        cs = final[ci, cj]
        ok = (cs >= DISCREPANCY_FLOOR) & (self.with_cues(block[ci]) | self.with_cues(cj))
        ci, cj, cs = ci[ok], cj[ok], cs[ok]
        # by row, then score descending (scores are hundredths: one integer key sorts both)
        order = np.argsort(ci * 20_000 - np.rint(cs * 100.0).astype(np.int64), kind="stable")
        ci, cj = ci[order], cj[order]
        within = np.arange(len(ci)) - np.searchsorted(ci, ci, side="left")
        take = within < (_SHORT_LIST_CHECKS if self._short_list()[0] else DISCREPANCY_CHECKS)
        checks.append((block[ci[take]], cj[take]))

    def _best_differing(
        self, block: np.ndarray, final: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
        """Each row's best claim in each other article among those that fill a frame it
        fills with another value (more frames shared than values) and score at least
        DISCREPANCY_FLOOR: (score, column) per (row, article), -inf where none; the first
        of equal scores, as `_per_article_best`. (None, None) if no row has any. Sparse:
        a few per cent of a block's pairs qualify."""
        frames_and_values, frames_less_values = self._frame_gap_factors
        gap = frames_and_values[block] @ frames_less_values  # frames shared - values shared
        r = np.repeat(np.arange(len(block)), np.diff(gap.indptr))
        c = gap.indices.astype(np.int64)
        score = final.reshape(-1)[r * self.n + c]
        # never within the row's own article (-1 there)
        keep = np.flatnonzero((gap.data > 0) & (score >= DISCREPANCY_FLOOR))
        if not len(keep):
            return None, None
        # each row's columns ascending: grouped by article, in order (sorting only the few
        # kept is cheaper than sorting the product's indices)
        keep = keep[np.argsort(r[keep] * self.n + c[keep], kind="stable")]
        r, c, score = r[keep], c[keep], score[keep]
        article = self.article[c]
        group = np.flatnonzero(np.diff(r * self.n_articles + article, prepend=-1))
        best = np.maximum.reduceat(score, group)
        is_best = score == np.repeat(best, np.diff(np.append(group, len(score))))
        first = np.flatnonzero(is_best)
        first = first[np.diff(np.searchsorted(group, first, side="right"), prepend=0) > 0]
        dv = np.full((len(block), self.n_articles), -np.inf, dtype=final.dtype)
        dj = np.zeros((len(block), self.n_articles), dtype=np.int64)
        dv[r[first], article[first]] = score[first]
        dj[r[first], article[first]] = c[first]
        return dv, dj

    @cached_property
    def _frame_gap_factors(self) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """Two factors whose product is (frames shared) - (values shared) for every pair:
        [frames, values] @ [frames, -values].T, one sparse product instead of two and a
        difference."""
        left = sparse.hstack([self.frames, self.frame_values], format="csr")
        right = sparse.hstack([self.frames, -self.frame_values], format="csr").T.tocsr()
        return left, right

    def _ranked(
        self,
        block: np.ndarray,
        final: np.ndarray,
        top: np.ndarray,
        best_j: np.ndarray,
        floor: float,
    ) -> tuple[np.ndarray, ...]:
        """(i, j, score, rank) for picked columns `top` (-1: none) of each row, the rank
        being the column's place among its article's claims (ties: lower ordinal first).
        Most picks are their article's best (`best_j`): only the others are counted."""
        rr, kk = np.nonzero(top >= 0)
        jj = top[rr, kk]
        score = final[rr, jj]
        ok = (score >= floor) & (score >= 0)
        rr, jj, score = rr[ok], jj[ok], score[ok]
        article = self.article[jj]
        rank = np.ones(len(jj), dtype=np.int64)
        for n in np.flatnonzero(best_j[rr, article] != jj).tolist():
            r, j, a = int(rr[n]), int(jj[n]), int(article[n])
            seg = final[r, self.starts[a] : self.starts[a] + self.sizes[a]]
            ahead = np.count_nonzero(seg > score[n])
            ahead += np.count_nonzero(seg[: j - self.starts[a]] == score[n])
            rank[n] = 1 + ahead
        return block[rr], jj, score, rank

    def _pick_reverse(
        self, rows: np.ndarray, final: np.ndarray, store_floor: float, picks: list
    ) -> None:
        """For an incremental run (`rows`: the new articles' claims, `final`: their scores):
        each other claim's best claim in each new article, scored from the new claim's side
        (the rest of the story is not re-scored)."""
        new_articles = np.unique(self.article[rows])
        others = ~np.isin(self.article, new_articles)
        for a in new_articles.tolist():
            # never a repeat (its row may score higher than its first's: another vector)
            inside = np.flatnonzero((self.article[rows] == a) & ~np.isin(rows, self.repeats))
            if not len(inside):
                continue
            part = final[inside]  # (claims of a, n)
            best = part.argmax(axis=0)
            value = part[best, np.arange(self.n)]
            keep = others & (value >= store_floor)
            picks.append(
                (np.flatnonzero(keep), rows[inside[best[keep]]], value[keep],
                 np.ones(int(keep.sum()), np.int64), np.ones(int(keep.sum()), bool))
            )  # fmt: skip


class _Checker:
    """Scores the pairs each block picks for a discrepancy check (`discrepancy` on the two
    texts; each pair of texts once). The hint finder is plain Python and, on a large story,
    costs about what the scoring does: there a child process (forked, so it has the finder
    and its caches) reads the texts while the model is built, then scores each block's
    pairs while this process scores the next blocks."""

    def __init__(self, discrepancy: Discrepancy, *, parallel: bool):
        self._discrepancy = discrepancy
        self._said: Sequence[str] = ()
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._tickets: list = []  # the child's answer for each submission
        self._seen: dict = {}  # texts scored here (without a child, or after it died)
        self._broken = False
        self._pool = None
        if parallel and "fork" in multiprocessing.get_all_start_methods():
            global _CHILD  # noqa: PLW0603 -- what the forked child inherits
            _CHILD = _ChildState(discrepancy)
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_child_ignores_interrupts,
            )

    def warm(self, texts: Sequence[str]) -> None:
        """In the child, read these texts before their pairs come (what the finder keeps of
        a text is cached)."""
        if self._pool is not None:
            # In pieces: a shutdown waits for the piece the child is on, not for them all.
            for start in range(0, len(texts), _WARM_PIECE):
                self._pool.submit(_warm, list(texts[start : start + _WARM_PIECE]))

    def texts(self, said: Sequence[str]) -> None:
        """The texts that pairs of positions name from now on."""
        self._said = said
        if self._pool is not None:
            self._pool.submit(_set_texts, tuple(said))

    def submit(self, i: np.ndarray, j: np.ndarray) -> int:
        """Pairs of positions to score; returns the ticket `result` takes."""
        self._pending.append((i, j))
        if self._pool is not None:
            self._tickets.append(self._pool.submit(_score_pairs, i.tolist(), j.tolist()))
        return len(self._pending) - 1

    def result(self, ticket: int) -> list[tuple[int, int, float]]:
        """(i, j, score) of each pair of that submission whose score is above 0."""
        if self._pool is not None and not self._broken:
            try:
                return self._tickets[ticket].result()
            except BrokenProcessPool:  # the child died (out of memory?): score them here
                self._broken = True
        i, j = self._pending[ticket]
        return _scored(i.tolist(), j.tolist(), self._said, self._discrepancy, self._seen)

    def close(self) -> None:
        """Stop the child: what it has not begun is dropped, what it is on is finished
        (a piece of texts, or a block's pairs). Safe from another thread, and twice."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _ChildState:
    """What the forked child scores with."""

    discrepancy: Discrepancy
    said: Sequence[str] = ()
    seen: dict = field(default_factory=dict)


_PARALLEL_CLAIMS = 2000  # from this many proposing claims the discrepancy checks run in a child
_WARM_PIECE = 500  # texts the child reads per task
_CHILD: _ChildState | None = None


def _story_worker() -> None:
    """A forked worker of align_many: the workers are the parallel work, one per core, so
    each scores its blocks in one thread. With a sentence encoder's vectors BLAS runs one
    thread in it too: its threads would contend for the same cores (the cosines' product,
    large enough for BLAS to thread, took the workers twice as long). Without, the lexical
    products are too small for that, and setting the limit costs more than it saves."""
    global _WORKER  # noqa: PLW0603 -- this process's own
    _WORKER = True
    _child_ignores_interrupts()
    if any(job.vectors is not None for job in _JOBS):
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")  # for the worker's life


_WORKER = False


def _child_ignores_interrupts() -> None:
    # Ctrl-C reaches the whole process group: the parent stops the import and the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _warm(texts: list[str]) -> list[tuple[int, int, float]]:
    assert _CHILD is not None
    for text in texts:
        _CHILD.discrepancy(text, text)  # a text against itself: what the finder reads of it
    return []


def _set_texts(said: tuple[str, ...]) -> list[tuple[int, int, float]]:
    assert _CHILD is not None
    _CHILD.said = said
    return []


def _score_pairs(i: list[int], j: list[int]) -> list[tuple[int, int, float]]:
    assert _CHILD is not None
    return _scored(i, j, _CHILD.said, _CHILD.discrepancy, _CHILD.seen)


def _scored(
    i: list[int], j: list[int], texts: Sequence[str], discrepancy: Discrepancy, seen: dict
) -> list[tuple[int, int, float]]:
    out = []
    for a, b in zip(i, j, strict=True):
        ta, tb = texts[a], texts[b]
        pair = (ta, tb) if ta <= tb else (tb, ta)
        score = seen.get(pair)
        if score is None:
            score = seen[pair] = float(discrepancy(ta, tb))
        if score > 0:
            out.append((a, b, score))
    return out


_MAX_THREADS = 4  # peak memory grows with the blocks in flight: threads x block x claims


def _threads() -> int:
    """Threads that score a story's blocks: one per core, up to _MAX_THREADS; one in a
    forked worker of align_many (the workers are the parallel work there)."""
    if _WORKER:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, _MAX_THREADS))


class _PoolThread(threading.local):
    inside = False  # whether this thread is one of `_in_threads`' pool


_POOL = _PoolThread()


def _mark_pool_thread() -> None:
    _POOL.inside = True


def _in_threads(work: Callable, items: Sequence) -> Iterator:
    """`work` of each item, in order, computed by `_threads()` threads (numpy lets go of the
    GIL in its loops), at most two items per thread in flight: memory stays that of a few
    blocks. Closing the iterator drops what has not started and waits for what has."""
    threads = _threads()
    if threads < 2 or len(items) < 2:
        yield from map(work, items)
        return
    ahead = 2 * threads
    with _ONE_BLAS_THREAD:
        pool = ThreadPoolExecutor(
            threads, thread_name_prefix="workbench-block", initializer=_mark_pool_thread
        )
        try:
            pending = [pool.submit(work, item) for item in items[:ahead]]
            for k in range(len(items)):
                result = pending.pop(0).result()
                if k + ahead < len(items):
                    pending.append(pool.submit(work, items[k + ahead]))
                yield result
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class _OneBlasThreadWhileScoring:
    """While blocks are scored in threads, BLAS runs one thread in each (the blocks are the
    parallel work: BLAS threads of their own would only contend for the same cores; 3-8% of
    an import). The limit is the process's: set by the first scoring run to start, lifted
    when the last one ends, whatever their order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs = 0
        self._limits = None

    def __enter__(self) -> None:
        with self._lock:
            if self._runs == 0:
                from threadpoolctl import threadpool_limits

                self._limits = threadpool_limits(limits=1, user_api="blas")
            self._runs += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._runs -= 1
            if self._runs == 0 and self._limits is not None:
                self._limits.restore_original_limits()
                self._limits = None


_ONE_BLAS_THREAD = _OneBlasThreadWhileScoring()


def _sparse_floored(direct: np.ndarray) -> sparse.csr_matrix:
    """The direct scores two hops read (those under _HOP_FLOOR carry no corroboration),
    sparse; built from the flat positions at once (faster than scipy's conversion of a
    dense array, which goes through coordinates)."""
    keep = direct >= _HOP_FLOOR
    at = np.flatnonzero(keep)
    indptr = np.zeros(direct.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.count_nonzero(keep, axis=1), out=indptr[1:])
    return sparse.csr_matrix((direct.ravel()[at], at % direct.shape[1], indptr), shape=direct.shape)


@dataclass(frozen=True)
class _RowsAt:
    """Some rows of a matrix, indexed by their row in the whole (what `_hop_rows` gives in
    an incremental run: only the rows two hops go through are scored)."""

    part: sparse.csr_matrix
    where: np.ndarray

    def __getitem__(self, rows: np.ndarray) -> sparse.csr_matrix:
        return self.part[self.where[rows]]


def _per_article_best(
    scores: np.ndarray, starts: np.ndarray, sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's best score in each article (columns grouped by article, in ordinal order)
    and its column: the first of equal scores, i.e. the lowest ordinal. Articles of one
    size are taken together, as a (rows, articles, size) array: one argmax for a story
    whose articles are alike, not one per article."""
    b = scores.shape[0]
    best = np.empty((b, len(starts)), dtype=scores.dtype)
    first = np.empty((b, len(starts)), dtype=np.int64)
    for size in np.unique(sizes).tolist():
        articles = np.flatnonzero(sizes == size)
        begin = int(starts[articles[0]])
        if int(articles[-1]) - int(articles[0]) + 1 == len(articles):  # side by side: a view
            grouped = scores[:, begin : begin + size * len(articles)].reshape(b, -1, size)
        else:
            grouped = scores[:, starts[articles][:, None] + np.arange(size)]
        at = grouped.argmax(axis=2)
        best[:, articles] = np.take_along_axis(grouped, at[:, :, None], axis=2)[:, :, 0]
        first[:, articles] = starts[articles] + at
    return best, first


def _per_article_max(scores: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Each row's best score in each article (columns grouped by article; none empty)."""
    return np.maximum.reduceat(scores, starts, axis=1)


_FIRST_AT_CELLS = 65_536


def _first_at(
    scores: np.ndarray,
    r: np.ndarray,
    a: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    values: np.ndarray,
) -> np.ndarray:
    """For each k, the column of the first claim of article a[k] that row r[k] scores
    values[k] (its best there: `_per_article_max`), i.e. the lowest ordinal of equal
    scores. Only the rows and articles asked for are read, articles of one size together
    (what is read is what is asked for, whatever the sizes)."""
    first = np.empty(len(r), dtype=np.int64)
    size_of = sizes[a]
    for size in np.unique(size_of).tolist():
        of_size = np.flatnonzero(size_of == size)
        step = max(1, _FIRST_AT_CELLS // size)  # what is read at a time stays small
        for k in (of_size[s : s + step] for s in range(0, len(of_size), step)):
            cols = starts[a[k]][:, None] + np.arange(size)
            hit = scores[r[k][:, None], cols] == values[k][:, None]
            first[k] = starts[a[k]] + hit.argmax(axis=1)
    return first


def _top_per_row(values: np.ndarray, k: int) -> np.ndarray:
    """Each row's k highest columns, highest first, ties to the lower column: a stable
    argsort of -values cut at k, for values in hundredths (or -inf), without sorting whole
    rows (one integer key holds value and column)."""
    width = values.shape[1]
    if k >= width:
        return np.argsort(-values, axis=1, kind="stable")[:, :k]
    hundredths = np.where(np.isfinite(values), np.rint(values * 100.0), -1e7).astype(np.int64)
    key = hundredths * width - np.arange(width)  # larger is better; unique within a row
    part = np.argpartition(-key, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(key, part, axis=1), axis=1)
    return np.take_along_axis(part, order, axis=1)


def _contiguous(rows: np.ndarray) -> bool:
    """Whether `rows` are consecutive positions, ascending (a slice takes them)."""
    return len(rows) > 0 and bool(np.all(np.diff(rows) == 1))


def _uint16_matrix(n: int) -> np.ndarray:
    """An (n, n) uint16 matrix in fresh anonymous memory, in the kernel's small pages: it is
    written once and read a block at a time, and numpy would ask for huge pages for so
    large an array, whose first touch here cost three times as much (0.8 GB: 1.45 s of
    system time against 0.4 s). Private, as numpy's own memory: a forked child gets a
    copy."""
    private = {"flags": mmap.MAP_PRIVATE} if hasattr(mmap, "MAP_PRIVATE") else {}
    buffer = mmap.mmap(-1, max(2 * n * n, 1), **private)
    return np.frombuffer(buffer, dtype=np.uint16).reshape(n, n)


def _rounded(x: np.ndarray) -> np.ndarray:
    """Scores to two decimals, in place (ranks compare rounded scores, so a claim scored
    alone, on demand, ranks as in a block)."""
    x *= 100.0
    np.rint(x, out=x)
    x /= 100.0
    return x


# --- features ------------------------------------------------------------------------------


def _tokens_with_context(
    words: Sequence[Sequence[str]], replies: Sequence[bool]
) -> list[list[str]]:
    """Each claim's matching tokens (its words and value frames); a bare reply's also hold
    those of the claim before it."""
    tokens: list[list[str]] = []
    vocabulary = {w for ws in words for w in ws}
    values = {w for w in vocabulary if w[:1].isdigit() or w in _WEEKDAYS or w in _MONTHS}
    for k, own_words in enumerate(words):
        # most claims give no value: their words are their tokens
        own = list(own_words) if values.isdisjoint(own_words) else _frame_tokens(own_words, values)
        if replies[k]:
            own += [t for t in tokens[k - 1] if t not in own]
        tokens.append(own)
    return tokens


def _frame_tokens(words: Sequence[str], values: set[str]) -> list[str]:
    """The words, and for each value (a word in `values`: a number, a weekday, a month)
    the frame it fills: "23 person hurt" gives "#n:person" and "#n:person=23"; a weekday
    "#weekday" and "#weekday=thursday"."""
    out = list(words)
    for k, w in enumerate(words):
        if w not in values:
            continue
        if w[:1].isdigit():
            noun = next((x for x in words[k + 1 : k + 3] if not x[:1].isdigit()), "")
            frame = f"#n:{noun}"
        elif w in _WEEKDAYS:
            frame = "#weekday"
        elif w in _MONTHS:
            frame = "#date"
        else:
            continue
        out.append(frame)
        out.append(f"{frame}={w}")
    return out


def _weights(tokens: list[list[str]], article: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Each claim's tokens weighted by their IDF over the story's claims: the columns of
    tokens seen in two articles or more (only those can make a cross-article pair alike),
    and each claim's mass (the squared weight of all its tokens: the denominators)."""
    n = len(tokens)
    flat = [w for ts in tokens for w in ts]
    merge = _merge_map({w for w in set(flat) if not w.startswith("#")})
    # Column ids in first-seen order, not a set's: the column order (and so the float sums
    # of the products) must not change with the process's string hashing. Values ("=") are
    # left out (-1); a claim's repeats of a token are dropped below, its first kept.
    vocab: dict[str, int] = {}
    get = merge.get
    column_of = {
        w: -1 if "=" in w else vocab.setdefault(get(w, w), len(vocab)) for w in dict.fromkeys(flat)
    }  # each distinct token once, in first-seen order: the columns are in the order above
    tok = np.fromiter(map(column_of.__getitem__, flat), dtype=np.int64, count=len(flat))
    row = np.repeat(np.arange(n), [len(ts) for ts in tokens])
    row, tok = row[tok >= 0], tok[tok >= 0]
    first = np.unique(row * max(len(vocab), 1) + tok, return_index=True)[1]
    first.sort()
    row, tok = row[first], tok[first]
    df = np.bincount(tok, minlength=len(vocab))
    idf = (np.log((n + 1) / (df + 1)) + 1.0).astype(np.float32)
    weight = idf[tok]
    mass = np.bincount(row, weights=weight.astype(np.float64) ** 2, minlength=n)
    mass = mass.astype(np.float32)
    mass[mass <= 0] = 1.0
    n_articles = int(article.max()) + 1 if n else 1
    seen = np.unique(tok * n_articles + article[row])
    multi = np.bincount(seen // n_articles, minlength=len(vocab)) >= 2
    column = np.full(len(vocab), -1, dtype=np.int64)
    column[multi] = np.arange(int(multi.sum()))
    keep = multi[tok]
    x = sparse.csr_matrix(
        (weight[keep], (row[keep], column[tok[keep]])),
        shape=(n, max(int(multi.sum()), 1)),
        dtype=np.float32,
    )
    x.sum_duplicates()
    return x, mass


def _split_by_frequency(x: sparse.csr_matrix) -> dict:
    """The columns of x in at least max(24, n/64) claims, dense and transposed, and the rest
    sparse (see StoryModel.direct_block)."""
    n = x.shape[0]
    df = np.diff(x.tocsc().indptr)
    is_common = df >= max(24, n // 64)
    common = np.ascontiguousarray(x[:, np.flatnonzero(is_common)].toarray().T, dtype=np.float32)
    rare = x[:, np.flatnonzero(~is_common)].tocsr()
    return {"common": common, "rare": rare, "rare_t": rare.T.tocsc()}


def _frame_matrices(tokens: list[list[str]]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Which frames each claim fills, and with which values (binary, sparse)."""
    frame_col: dict[str, int] = {}
    value_col: dict[str, int] = {}
    f_rows, f_cols, v_rows, v_cols = [], [], [], []
    for i, ts in enumerate(tokens):
        # first-seen order (see _weights), of the few tokens that are frames
        for t in dict.fromkeys([t for t in ts if t[:1] == "#"]):
            if "=" in t:
                v_rows.append(i)
                v_cols.append(value_col.setdefault(t, len(value_col)))
            else:
                f_rows.append(i)
                f_cols.append(frame_col.setdefault(t, len(frame_col)))
    n = len(tokens)

    def matrix(rows: list[int], cols: list[int], width: int) -> sparse.csr_matrix:
        data = np.ones(len(rows), dtype=np.float32)
        return sparse.csr_matrix((data, (rows, cols)), shape=(n, max(width, 1)))

    return matrix(f_rows, f_cols, len(frame_col)), matrix(v_rows, v_cols, len(value_col))


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

    # The vocabulary against itself (a very large one split by initial letter), each length
    # only against the lengths that can reach the cutoff: ratio = 2 x common / (la + lb) is
    # at most 2 la / (la + lb), so lb <= la x (200 / cutoff - 1). Threads only pay off on
    # big inputs (starting them costs about a millisecond).
    groups = [words] if len(words) <= 4000 else _by_initial(words)
    reach = 200.0 / _MERGE_CUTOFF - 1.0
    for group in groups:
        by_length = sorted(group, key=len)
        lengths = np.fromiter(map(len, by_length), np.int64, len(by_length))
        for length in np.unique(lengths).tolist():
            first = int(np.searchsorted(lengths, length))
            these = by_length[first : int(np.searchsorted(lengths, length, "right"))]
            upto = np.searchsorted(lengths, math.floor(length * reach + 1e-9), "right")
            those = by_length[first : int(upto)]
            if len(those) < 2:
                continue
            sim = process.cdist(
                these,
                those,
                scorer=fuzz.ratio,
                score_cutoff=_MERGE_CUTOFF,
                dtype=np.uint8,
                workers=-1 if len(these) * len(those) > 1_000_000 else 1,
            )
            for a, b in zip(*(x.tolist() for x in np.nonzero(sim)), strict=True):
                if a != b:  # `those` starts with `these`
                    union(these[a], those[b])
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


class StoryScorer:
    """Any claim of a story scored against the claims of one article, on demand: what a
    view shows opposite a claim that proposes nothing in that article (the stored rows hold
    what review needs, not every rank of every article pair). Rows are cached."""

    def __init__(
        self,
        claims: Sequence[Claim],
        *,
        tokens: Mapping[str, Sequence[str]] | None = None,
        vectors: Mapping[str, np.ndarray] | None = None,
        cache: int = 256,
    ):
        self._model = StoryModel.build(claims, tokens=tokens, vectors=vectors)
        self._rows: dict[str, np.ndarray] = {}
        self._cache = cache

    def scores(self, claim: str, article: str) -> list[tuple[str, float]]:
        """(claim id, score) of every non-boilerplate claim of `article`, best first (ties:
        reading order); empty if either is unknown or they are one article."""
        model = self._model
        if model is None or claim not in model.index:
            return []
        row = self._rows.get(claim)
        if row is None:
            row = model.final_block(np.array([model.index[claim]]))[0]
            if len(self._rows) >= self._cache:
                self._rows.pop(next(iter(self._rows)))
            self._rows[claim] = row
        if article not in model.article_ids:
            return []
        a = model.article_ids.index(article)
        start = int(model.starts[a])
        positions = range(start, start + int(model.sizes[a]))
        found = [(model.claims[i].id, float(row[i])) for i in positions if row[i] >= 0]
        return sorted(found, key=lambda item: -item[1])

    def best_in(self, claim: str, article: str) -> tuple[str, float] | None:
        found = self.scores(claim, article)
        return found[0] if found else None
