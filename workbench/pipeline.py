"""The import pipeline: ingest -> claims -> align -> store, in one transaction.

The CLI and the benchmarks both call this; it holds no I/O of its own beyond the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from workbench.align import ALIGNER_VERSION, align_story
from workbench.claims import SEGMENTER_VERSION, split_claims
from workbench.errors import TooLargeError
from workbench.ingest import DEFAULT_MAX_BYTES, ArticleInput, read_inputs
from workbench.models import Article, article_id, story_id
from workbench.store import Store

Progress = Callable[[int, int], None]


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
    changed: set[str] = set()
    with store.write():
        store.set_meta("segmenter_version", SEGMENTER_VERSION)
        for done, item in enumerate(inputs, start=1):
            sid = story_id(item.story)
            article = Article(
                id=article_id(item.text),
                story_id=sid,
                source=item.source,
                text=item.text,
                title=item.title,
                outlet=item.outlet,
                published=item.published,
                url=item.url,
            )
            existing = store.find_article(article.id)
            if existing is not None:
                if existing.story_id == sid:
                    report.unchanged += 1
                else:
                    report.elsewhere.append((item.origin, existing.source))
            else:
                story = store.ensure_story(item.story)
                spans = split_claims(article.text)
                store.add_article(article, spans)
                report.added += 1
                report.claims += len(spans)
                report.stories[story.name] = report.stories.get(story.name, 0) + 1
                changed.add(sid)
            if progress:
                progress(done, len(inputs))
        if align:
            for sid in sorted(changed):
                report.candidates += align_stored_story(store, sid)
    return report


def align_stored_story(store: Store, story: str, *, top_k: int = 3) -> int:
    """Recompute and store one story's candidates; returns how many were stored."""
    with store.write():
        try:
            candidates = align_story(store.claims(story=story), top_k=top_k)
        except TooLargeError as exc:
            raise TooLargeError(f"story {store.resolve_story(story).name!r}: {exc}") from None
        count = store.replace_candidates(story, candidates)
        store.set_meta("aligner_version", ALIGNER_VERSION)
    return count


def align_stories(store: Store, stories: Iterable[str], *, top_k: int = 3) -> int:
    with store.write():
        return sum(align_stored_story(store, sid, top_k=top_k) for sid in stories)
