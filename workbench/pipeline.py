"""The import pipeline: ingest -> claims -> align -> store, in one transaction.

The CLI and the benchmarks both call this; it holds no I/O of its own beyond the store.
A story that gains articles is re-aligned incrementally when it already has candidates
from this aligner: only the new articles' claims are scored against the rest (and the
rest's best claim in each new article is added), instead of every claim again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from workbench.align import (
    ALIGNER_VERSION,
    AlignJob,
    align_many,
    check_counts,
    ranked_in_articles,
)
from workbench.claims import SEGMENTER_VERSION, headline, split_claims
from workbench.encoders import EncoderError, SentenceEncoder, load_encoder, pack, unit_rows, unpack
from workbench.errors import TooLargeError
from workbench.hints import TRAITS_VERSION, claim_traits
from workbench.ingest import DEFAULT_MAX_BYTES, ArticleInput, read_inputs
from workbench.models import Article, ClaimKind, ClaimSpan, article_id, claim_id, story_id
from workbench.store import Store
from workbench.store.rows import CandidateRow, ClaimRow
from workbench.textnorm import NORMALIZER_VERSION, normalize

Progress = Callable[[int, int], None]
# Past this share of new claims a full re-alignment costs little more than an incremental
# one, and it re-weighs every word by the story's new vocabulary.
INCREMENTAL_SHARE = 0.25


@dataclass
class ImportReport:
    added: int = 0
    unchanged: int = 0
    claims: int = 0
    candidates: int = 0
    # Identical text already stored under another story: ids come from text, so it is skipped.
    elsewhere: list[tuple[str, str]] = field(default_factory=list)
    stories: dict[str, int] = field(default_factory=dict)  # story name -> articles added


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    story: str | None = None,
    fmt: str = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
    align: bool = True,
    progress: Progress | None = None,
) -> ImportReport:
    """Read every path, then store and align everything in one transaction (all or nothing)."""
    inputs = read_inputs(paths, story=story, fmt=fmt, max_bytes=max_bytes)
    return import_articles(store, inputs, align=align, progress=progress)


def import_articles(
    store: Store,
    inputs: list[ArticleInput],
    *,
    align: bool = True,
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport()
    # With a sentence encoder, the new claims are encoded before the write begins: encoding
    # is slow, and a reviewer's marks must not wait for it.
    encoder = database_encoder(store) if align else None
    ready: dict[str, np.ndarray] = {}
    if encoder is not None:
        fresh = [item for item in inputs if store.find_article(article_id(item.text)) is None]
        ready = encode_ahead(
            encoder,
            [item.text for item in fresh],
            stories=sorted({story_id(item.story) for item in fresh}),  # claims unencoded
            store=store,
        )
    new_claims: dict[str, list[str]] = {}  # story id -> ids of the claims added
    # story id -> (claims that alignment counts, articles holding some): a story too large
    # to align is refused before the article that makes it so is written, not after every
    # article of it has been (the WAL of a 10,000-article story reached 16 GB).
    sizes: dict[str, tuple[int, set[str]]] = {}
    with store.write():
        current = _current_alignment(store)
        _settle_traits(store)
        store.set_meta("segmenter_version", SEGMENTER_VERSION)
        for done, item in enumerate(inputs, start=1):
            sid = story_id(item.story)
            existing = store.find_article(article_id(item.text))
            if existing is not None:
                if existing.story_id == sid:
                    report.unchanged += 1
                else:
                    report.elsewhere.append((item.origin, existing.source))
            else:
                spans = split_claims(item.text)
                if align:
                    _check_growth(store, sizes, sid, item, article_id(item.text), spans)
                article = Article(
                    id=article_id(item.text),
                    story_id=sid,
                    source=item.source,
                    text=item.text,
                    title=item.title or headline(item.text, spans),
                    outlet=item.outlet,
                    published=item.published,
                    url=item.url,
                )
                story = store.ensure_story(item.story)
                texts = [article.text[s.start : s.end] for s in spans]
                store.add_article(
                    article,
                    spans,
                    [normalize(t) for t in texts],
                    [claim_traits(t) for t in texts],
                )
                report.added += 1
                report.claims += len(spans)
                report.stories[story.name] = report.stories.get(story.name, 0) + 1
                new_claims.setdefault(sid, []).extend(
                    claim_id(article.id, s.start, s.end) for s in spans
                )
            if progress:
                progress(done, len(inputs))
        if align:
            report.candidates += align_stored_stories(
                store,
                {sid: new_claims[sid] if current else None for sid in sorted(new_claims)},
                encoder=encoder,
                ready=ready,
            )
    return report


def _check_growth(
    store: Store,
    sizes: dict[str, tuple[int, set[str]]],
    sid: str,
    item: ArticleInput,
    aid: str,
    spans: list[ClaimSpan],
) -> None:
    """Count the article's claims into its story and refuse, as alignment would, a story
    that grows past what alignment takes (with what is stored of it already)."""
    if sid not in sizes:
        stored = store.alignable_articles(story=sid)
        sizes[sid] = (sum(stored.values()), set(stored))
    claims, articles = sizes[sid]
    usable = sum(1 for s in spans if s.kind != ClaimKind.BOILERPLATE)
    if usable:
        claims += usable
        articles = articles | {aid}
        sizes[sid] = (claims, articles)
        try:
            check_counts(claims, len(articles))
        except TooLargeError as exc:
            raise TooLargeError(f"story {item.story!r}: {exc}") from None


def _current_alignment(store: Store) -> bool:
    """Whether the stored candidates and words come from this aligner and normaliser (a
    change of hint rules that changes candidates bumps ALIGNER_VERSION too)."""
    meta = store.meta()
    return (
        meta.get("aligner_version") == ALIGNER_VERSION
        and meta.get("normalizer_version") == NORMALIZER_VERSION
    )


def align_stored_story(
    store: Store, story: str, *, top_k: int = 3, new: list[str] | None = None
) -> int:
    """Recompute and store one story's candidates; returns how many rows were written.
    With `new` (claim ids just added to a story whose candidates are current), only what
    they change is computed, unless they are a large share of the story."""
    return align_stored_stories(store, {story: new}, top_k=top_k)


def align_stored_stories(
    store: Store,
    stories: Mapping[str, list[str] | None],
    *,
    top_k: int = 3,
    encoder: SentenceEncoder | Literal["database"] | None = "database",
    ready: Mapping[str, np.ndarray] | None = None,
) -> int:
    """`align_stored_story` for each story (in the mapping's order), in one transaction;
    many small stories are scored side by side (`workbench.align.align_many`). With the
    database's sentence encoder (or `encoder`, which must be the database's: `set_encoder`),
    claims without a stored vector are encoded (from `ready`, text -> vector, where given)."""
    if isinstance(encoder, str):
        encoder = database_encoder(store)
    with store.write():
        if store.meta().get("encoder") != (None if encoder is None else encoder.name):
            # another command switched it since this one looked (the choice is read before
            # the write, to encode outside it)
            raise EncoderError(
                f"{store.path}: its sentence encoder was changed by another command meanwhile;"
                " nothing was written (run this again)"
            )
        _settle_traits(store)
        jobs, incremental = [], []
        for story, new in stories.items():
            claims = store.claims(story=story)
            tokens = _stored_words(store, story, claims)
            traits = _stored_traits(store, story, claims)
            vectors = _stored_vectors(store, story, claims, encoder, ready or {})
            grows = new is not None and len(new) <= INCREMENTAL_SHARE * len(claims)
            jobs.append(AlignJob(claims, tokens, new if grows else None, top_k, traits, vectors))
            incremental.append(grows)
        count = 0
        results = align_many(jobs)
        for story, grows in zip(stories, incremental, strict=True):
            try:
                blocks = next(results)
            except TooLargeError as exc:
                name = store.resolve_story(story).name
                raise TooLargeError(f"story {name!r}: {exc}") from None
            # Stored as they come: the next block is scored meanwhile.
            if grows:
                count += store.update_candidates(story, blocks)
            else:
                count += store.replace_candidates(story, blocks)
        store.set_meta("aligner_version", ALIGNER_VERSION)
        store.set_meta("normalizer_version", NORMALIZER_VERSION)
    return count


def _stored_words(store: Store, story: str, claims) -> dict[str, tuple[str, ...]]:
    """Each claim's normalised words, as stored at import; computed (and stored) where
    they are missing or come from another normaliser."""
    stored = store.claim_norms(story=story)
    if store.meta().get("normalizer_version") not in (None, NORMALIZER_VERSION):
        stored = dict.fromkeys(stored)
    missing = [(c.id, normalize(c.text)) for c in claims if stored.get(c.id) is None]
    if missing:
        store.set_claim_norms(missing)
        stored.update(missing)
    return {cid: tuple(norm.split()) for cid, norm in stored.items() if norm is not None}


def _settle_traits(store: Store) -> None:
    """Traits stored by other hint rules (another TRAITS_VERSION, or none recorded) are
    dropped in every story, at once: the version is the database's, and a story aligned
    later must not trust them. They are computed again where they are missing."""
    if store.meta().get("traits_version") != TRAITS_VERSION:
        store.clear_claim_traits()
        store.set_meta("traits_version", TRAITS_VERSION)


def _stored_traits(store: Store, story: str, claims) -> dict[str, int]:
    """Each claim's traits (hints.claim_traits), as stored at import; computed (and
    stored) where they are missing (see _settle_traits)."""
    stored = store.claim_traits(story=story)
    missing = [(c.id, claim_traits(c.text)) for c in claims if stored.get(c.id) is None]
    if missing:
        store.set_claim_traits(missing)
        stored.update(missing)
    return {cid: t for cid, t in stored.items() if t is not None}


def align_stories(store: Store, stories: Iterable[str], *, top_k: int = 3) -> int:
    """Recompute every named story's candidates (`workbench align`)."""
    stories = list(stories)
    encoder = database_encoder(store)
    ready = encode_ahead(encoder, [], stories=stories, store=store)
    return align_stored_stories(
        store, dict.fromkeys(stories), top_k=top_k, encoder=encoder, ready=ready
    )


# --- the database's sentence encoder (workbench.encoders) ---------------------------------


def align_with_encoder(
    store: Store, encoder: SentenceEncoder | None, *, top_k: int = 3
) -> tuple[int, int]:
    """Make `encoder` the database's (None: the lexical score alone) and align every story
    with it, in one transaction (`workbench align --encoder/--lexical`): one database, one
    way of scoring. The claims are encoded first, outside the write. Returns (stories,
    candidate rows written)."""
    stories = [s.id for s in store.stories()]
    ready = encode_ahead(encoder, [], stories=stories, store=store)
    with store.write():
        set_encoder(store, encoder)
        stories = [s.id for s in store.stories()]  # with any imported meanwhile
        count = align_stored_stories(
            store, dict.fromkeys(stories), top_k=top_k, encoder=encoder, ready=ready
        )
    return len(stories), count


def database_encoder(store: Store) -> SentenceEncoder | None:
    """The sentence encoder the database's stories are aligned with (`set_encoder`), or None
    (the lexical score alone). Its model is found and loaded only when something must be
    encoded: a database whose claims all have their vectors needs neither."""
    meta = store.meta()
    name, spec = meta.get("encoder"), meta.get("encoder_path")
    return None if not name else _DatabaseEncoder(name, spec or "", str(store.path))


class _DatabaseEncoder:
    """The encoder a database names, loaded (with `load_encoder`) on first use: an error
    then says how to go on."""

    def __init__(self, name: str, spec: str, where: str):
        self.name, self.spec, self._where = name, spec, where
        self._encoder: SentenceEncoder | None = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self._encoder is None:
            try:
                encoder = load_encoder(self.spec)
            except EncoderError as exc:
                raise EncoderError(
                    f"{self._where} is aligned with a sentence encoder: {exc}"
                    f" ('workbench align {self._where} --encoder FOLDER' points it at the"
                    " model's new place; '--lexical' aligns without it)"
                ) from None
            if encoder.name != self.name:
                raise EncoderError(
                    f"{self._where} is aligned with the sentence encoder in {self.spec}, which"
                    f" has changed since ('workbench align {self._where} --encoder FOLDER'"
                    " aligns with the model in FOLDER)"
                )
            self._encoder = encoder
        return self._encoder.encode(texts)


def encode_texts(encoder: SentenceEncoder, texts: Iterable[str]) -> dict[str, np.ndarray]:
    """Text -> unit vector, each text once (what `align_stored_stories` takes as `ready`)."""
    order = sorted(set(texts))
    return dict(zip(order, unit_rows(encoder.encode(order)), strict=True)) if order else {}


def set_encoder(store: Store, encoder: SentenceEncoder | None) -> bool:
    """Make `encoder` the database's (None: the lexical score alone); True if that changed
    it. Vectors from another encoder are dropped: align every story afterwards, in the same
    transaction (`workbench align --encoder/--lexical` does)."""
    name = None if encoder is None else encoder.name
    if store.meta().get("encoder") == name:
        if encoder is not None and store.meta().get("encoder_path") != encoder.spec:
            store.set_meta("encoder_path", encoder.spec)  # the same model, found elsewhere
        return False
    with store.write():
        store.clear_claim_vectors()
        if encoder is None:
            store.delete_meta("encoder")
            store.delete_meta("encoder_path")
        else:
            store.set_meta("encoder", encoder.name)
            store.set_meta("encoder_path", encoder.spec)
    return True


def encode_ahead(
    encoder: SentenceEncoder | None,
    texts: Iterable[str],
    *,
    stories: Sequence[str] = (),
    store: Store | None = None,
) -> dict[str, np.ndarray]:
    """Text -> vector for the claims of new article `texts` and the stored claims of
    `stories` that need one from `encoder` (all of them when the database uses another):
    what `align_stored_stories` takes as `ready`, computed before its write begins."""
    if encoder is None:
        return {}
    wanted: set[str] = set()
    for text in texts:
        wanted.update(
            text[s.start : s.end] for s in split_claims(text) if s.kind != ClaimKind.BOILERPLATE
        )
    if store is not None:
        current = store.meta().get("encoder") == encoder.name
        for story in stories:
            vectors = store.claim_vectors(story=story) if current else {}
            wanted.update(c.text for c in _unencoded(store.claims(story=story), vectors))
    return encode_texts(encoder, wanted)


def _unencoded(claims, stored: Mapping[str, bytes | None]) -> list:
    """The claims that need a vector (not boilerplate) and have none stored."""
    return [c for c in claims if c.kind != ClaimKind.BOILERPLATE and stored.get(c.id) is None]


def _unpacked(stored: Mapping[str, bytes | None]) -> dict[str, np.ndarray]:
    return {cid: unpack(blob) for cid, blob in stored.items() if blob is not None}


def _stored_vectors(
    store: Store,
    story: str,
    claims,
    encoder: SentenceEncoder | None,
    ready: Mapping[str, np.ndarray],
) -> dict[str, np.ndarray] | None:
    """Each claim's vector from the database's encoder, as stored; encoded (and stored)
    where it is missing, from `ready` if it holds the text. None without an encoder."""
    if encoder is None:
        return None
    stored = store.claim_vectors(story=story)
    missing = _unencoded(claims, stored)
    if missing:
        encoded = encode_texts(encoder, (c.text for c in missing if c.text not in ready))
        rows = [(c.id, pack(ready.get(c.text, encoded.get(c.text)))) for c in missing]
        store.set_claim_vectors(rows)
        stored.update(rows)
    return _unpacked(stored)


def stored_vectors(store: Store, story: str, claims) -> dict[str, np.ndarray] | None:
    """Each claim's stored vector, read only, for a view that ranks as the aligner did;
    None when the database uses no encoder or some claim has no vector yet."""
    if not store.meta().get("encoder"):
        return None
    stored = store.claim_vectors(story=story)
    return None if _unencoded(claims, stored) else _unpacked(stored)


def stored_tokens(store: Store, story: str) -> dict[str, tuple[str, ...]] | None:
    """Each claim's normalised words as stored at import, read only; None when some claim
    has none, or they may come from another normaliser (the aligner then normalises every
    claim itself)."""
    if store.meta().get("normalizer_version") not in (None, NORMALIZER_VERSION):
        return None
    norms = store.claim_norms(story=story)
    if any(n is None for n in norms.values()):
        return None
    return {cid: tuple(n.split()) for cid, n in norms.items() if n is not None}


def ranked_rows(
    store: Store, story: str, *, top: int, min_score: float = 0.0, once: bool = False
) -> list[CandidateRow]:
    """Each claim's `top` best claims in every other article of a story, as the aligner
    ranks them, with the discrepancy stored for the pair (the store keeps what review needs,
    mostly rank 1; deeper ranks are computed here, on demand). In reading order of the
    proposing claim; `once` keeps one row per pair, the better of its two directions (the
    higher score; on a tie the claim read first)."""
    claims = store.claims(story=story)
    by_id = {c.id: c for c in claims}
    place = {c.id: n for n, c in enumerate(claims)}  # reading order: source, id, ordinal
    articles = store.articles(story)
    source = {a.id: a.source for a in articles}
    article_place = {a.id: n for n, a in enumerate(articles)}
    name = store.resolve_story(story).name
    found: dict[tuple[str, str], tuple[int, float]] = {}
    ranked = ranked_in_articles(
        claims,
        top,
        tokens=stored_tokens(store, story),
        vectors=stored_vectors(store, story, claims),
    )
    for a, b, rank, score in ranked:
        if score >= min_score:
            found[(a, b)] = (rank, score)
    if once:
        found = {
            (a, b): value
            for (a, b), value in found.items()
            if (b, a) not in found or (found[(b, a)][1], -place[b]) < (value[1], -place[a])
        }
    disc: dict[tuple[str, str], float] = {}
    for rows in store.story_view_rows(story).values():
        for a, b, _rank, _score, d in rows:
            for key in ((a, b), (b, a)):
                disc[key] = max(disc.get(key, 0.0), d)

    def order(pair: tuple[str, str]) -> tuple:
        a, b = by_id[pair[0]], by_id[pair[1]]
        return (place[a.id], article_place[b.article_id], found[pair][0], b.ordinal)

    return [
        CandidateRow(
            story_id=story,
            story_name=name,
            a=ClaimRow(by_id[a], story, name, source[by_id[a].article_id]),
            b=ClaimRow(by_id[b], story, name, source[by_id[b].article_id]),
            rank=found[(a, b)][0],
            score=found[(a, b)][1],
            discrepancy=disc.get((a, b), 0.0),
        )
        for a, b in sorted(found, key=order)
    ]
