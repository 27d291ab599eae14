"""Commands over the core data: import, stories, claims, align, candidates."""

from __future__ import annotations

import click

from workbench.cli import (
    db_argument,
    echo_json_lines,
    json_option,
    not_blank,
    open_store,
    open_store_or_create,
    say,
    stderr_is_terminal,
    story_option,
)
from workbench.display import hint_text, one_line
from workbench.ingest import (
    DEFAULT_MAX_ARTICLES,
    DEFAULT_MAX_BYTES,
    FORMATS,
    SkippedFile,
    SkippedLink,
    read_inputs,
)
from workbench.models import pair_key
from workbench.queue import DEFAULT_MIN_SCORE, DEFAULT_ORDER, ORDERS
from workbench.store import CandidateRow, ClaimRow


@click.command("import")
@db_argument()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str), metavar="PATH...")
@click.option(
    "--story", metavar="NAME", callback=not_blank, help="Put every article in this story."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Force the input format instead of detecting it.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Refuse files larger than this.",
)
@click.option(
    "--max-articles",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_ARTICLES,
    show_default=True,
    help="Refuse a story with more articles than this.",
)
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="Also read symbolic links in a folder that lead out of it (skipped by default).",
)
@click.option(
    "--no-align", is_flag=True, help="Skip computing candidate pairs (run 'align' later)."
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
def import_command(
    db, paths, story, fmt, max_bytes, max_articles, follow_symlinks, no_align, quiet
):
    """Import articles into DB (created if needed).

    PATH may be a .txt/.md file (one article; its story is the folder's name), a folder
    (one story, named after the folder), a JSONL file (one article a line: story, text,
    and optional title, source, outlet, published, url) or a Multi-News file (one story a
    line, articles separated by '|||||'). The suffix decides the format; only a file
    without a known one is judged by its content. In a folder, symbolic links that lead
    out of it are skipped (and named on stderr). A bad file aborts the whole import and
    leaves DB as it was. Importing the same file again changes nothing.

    \b
    Example:
        workbench import stories.db examples/seeds --story "US-Russia deconfliction, Sept 2017"
        workbench import stories.db feed.jsonl
    """
    # Read and check every file before touching DB. A new DB is built under a temporary
    # name and appears only once the import has committed (Store.open_or_create).
    from workbench.pipeline import import_articles  # the aligner: numpy, scipy, rapidfuzz

    skipped: list[SkippedLink | SkippedFile] = []
    inputs = read_inputs(
        paths,
        story=story,
        fmt=fmt,
        max_bytes=max_bytes,
        max_articles=max_articles,
        follow_symlinks=follow_symlinks,
        skipped=skipped,
    )
    for link in skipped:
        say(one_line(link.message()), err=True)
    with open_store_or_create(db) as store:
        if quiet or not stderr_is_terminal():
            report = import_articles(store, inputs, align=not no_align)
        else:
            with _progress_bar() as (bar, task):
                report = import_articles(
                    store,
                    inputs,
                    align=not no_align,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
    if quiet:
        return
    stories = len(report.stories)
    say(
        f"imported {report.added} article(s) into {stories} story(ies): {report.claims} claims, "
        f"{report.candidates} candidate pairs; {report.unchanged} already there"
    )
    for origin, source in report.elsewhere:
        say(one_line(f"skipped {origin}: the same text is already stored as {source}"), err=True)


class _progress_bar:
    def __enter__(self):
        # Imported here: only a terminal gets a bar, and rich costs start-up time.
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.progress.__enter__()
        return self.progress, self.progress.add_task("import", total=None)

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)


@click.command("stories")
@db_argument()
@json_option
def stories_command(db, as_json):
    """List the stories in DB with their article and claim counts.

    \b
    Example:
        workbench stories sample.db --json
    """
    with open_store(db, readonly=True) as store:
        summaries = store.story_summaries()
    if as_json:
        echo_json_lines(
            {"id": s.id, "name": s.name, "articles": s.articles, "claims": s.claims}
            for s in summaries
        )
        return
    if not summaries:
        say("no stories yet (add some with 'workbench import')")
        return
    width = max(len(s.name) for s in summaries)
    for s in summaries:
        say(
            f"{s.id}  {one_line(s.name).ljust(width)}  {s.articles:>4} articles"
            f"  {s.claims:>6} claims"
        )


@click.command("claims")
@db_argument()
@story_option
@click.option(
    "--all-kinds/--claims-only",
    default=True,
    show_default=True,
    help="Include boilerplate and headings.",
)
@json_option
def claims_command(db, story, all_kinds, as_json):
    """List claims (sentences) with their exact offsets into the article text.

    \b
    Example:
        workbench claims sample.db --story "US-Russia deconfliction, Sept 2017" --json
    """
    with open_store(db, readonly=True) as store:
        story_id = store.resolve_story(story).id if story else None
        rows = (r for r in store.claim_rows(story=story_id) if all_kinds or r.claim.kind == "claim")
        if as_json:
            echo_json_lines(_claim_json(r) for r in rows)
            return
        for r in rows:
            c = r.claim
            say(
                f"{c.id:34}  {one_line(r.source, 28):28}  {c.start:>6}-{c.end:<6} {c.kind:11} "
                f"{one_line(c.text, 100)}"
            )


def _claim_json(row: ClaimRow) -> dict:
    c = row.claim
    return {
        "id": c.id,
        "story": row.story_name,
        "article": row.source,
        "start": c.start,
        "end": c.end,
        "text": c.text,
        "kind": str(c.kind),
    }


@click.command("align")
@db_argument()
@story_option
@click.option(
    "--top",
    "top_k",
    type=click.IntRange(1, 50),
    default=3,
    show_default=True,
    help="Best candidates kept per claim across the story, whatever their score (besides"
    " its best in each other article from the floor up, and its likely discrepancies).",
)
@click.option(
    "--encoder",
    metavar="FOLDER",
    type=click.Path(path_type=str),
    help="Blend in a sentence encoder: a sentence-transformers model in a local folder"
    " (pip install 'workbench[encoders]'). It becomes the database's: every story is aligned"
    " with it, now and at each import.",
)
@click.option(
    "--lexical", is_flag=True, help="Stop using the database's sentence encoder (every story)."
)
def align_command(db, story, top_k, encoder, lexical):
    """Recompute candidate pairs (for every story, or one).

    Import does this already; run it after changing --top, after an upgrade, or to choose
    how pairs are scored: the lexical score alone (the default), or with a sentence
    encoder on this machine (--encoder FOLDER, a sentence-transformers model such as
    all-MiniLM-L6-v2; nothing is downloaded). Each claim is encoded once and its vector
    stored with it.

    \b
    Example:
        workbench align sample.db --story "US-Russia deconfliction, Sept 2017" --top 5
    """
    if encoder is not None and lexical:
        raise click.UsageError("--encoder and --lexical exclude each other")
    if story and (encoder is not None or lexical):
        raise click.UsageError(
            "--encoder and --lexical apply to every story of the database: drop --story"
        )
    from workbench.encoders import load_encoder
    from workbench.pipeline import align_stories, align_with_encoder

    chosen = load_encoder(encoder) if encoder is not None else None
    with open_store(db) as store:
        if encoder is not None or lexical:
            aligned, count = align_with_encoder(store, chosen, top_k=top_k)
        else:
            stories = [store.resolve_story(story).id] if story else [s.id for s in store.stories()]
            aligned, count = len(stories), align_stories(store, stories, top_k=top_k)
        meta = store.meta()
    used = meta.get("encoder")
    how = f" with the sentence encoder in {meta.get('encoder_path')} ({used})" if used else ""
    say(f"aligned {aligned} story(ies){how}: {count} candidate pairs")


@click.command("candidates")
@db_argument()
@story_option
@click.option(
    "--top",
    "top_k",
    type=click.IntRange(min=1),
    default=None,
    help="Each claim's K best claims in every other article, ranked by the aligner"
    " (computed on demand: the database keeps mostly each claim's best).",
)
@click.option("--min-score", type=click.FloatRange(0, 100), default=0.0, show_default=True)
@json_option
def candidates_command(db, story, top_k, min_score, as_json):
    """List cross-article claim pairs (one line per pair), with their ids and hints.

    Without --top: the stored candidates, what the review queue proposes from (each
    claim's best claim in each other article from a floor up, its best few across the
    story, its likely discrepancies). With --top K: each claim's K best claims in every
    other article, as the aligner ranks them.

    \b
    Example:
        workbench candidates sample.db --top 1 --min-score 60 --json
    """
    with open_store(db, readonly=True) as store:
        story_id = store.resolve_story(story).id if story else None
        if top_k is None:
            rows = store.candidate_rows(story=story_id, min_score=min_score, once=True)
        else:
            from workbench.pipeline import ranked_rows  # numpy, scipy: only when ranking

            stories = [story_id] if story_id else [s.id for s in store.stories()]
            rows = (
                row
                for sid in stories
                for row in ranked_rows(store, sid, top=top_k, min_score=min_score, once=True)
            )
        if as_json:
            echo_json_lines(_candidate_json(r) for r in rows)
            return
        for r in rows:
            _echo_candidate(r)


def _echo_candidate(r: CandidateRow) -> None:
    hints = "; ".join(hint_text(h.kind, h.a, h.b) for h in r.hints)
    flag = f"  ≠{r.discrepancy:3.0f}" if r.discrepancy else ""
    say(
        f"{r.score:5.1f}  #{r.rank}{flag}  {one_line(r.a.source, 20):20} "
        f"{one_line(r.a.claim.text, 60):60}  ~  {one_line(r.b.source, 20):20} "
        f"{one_line(r.b.claim.text, 60)}"
        f"\n       ids: {r.a.claim.id} ~ {r.b.claim.id}"
        + (f"\n       hints: {hints}" if hints else "")
    )


def _side_json(row: ClaimRow) -> dict:
    c = row.claim
    return {"article": row.source, "claim": c.id, "start": c.start, "end": c.end, "text": c.text}


def _candidate_json(row: CandidateRow) -> dict:
    return {
        "story": row.story_name,
        "a": _side_json(row.a),
        "b": _side_json(row.b),
        "score": row.score,
        "rank": row.rank,
        "discrepancy": row.discrepancy,
        "hints": [{"kind": h.kind, "a": h.a, "b": h.b} for h in row.hints],
    }


@click.command("queue")
@db_argument()
@story_option
@click.option(
    "--reviewer",
    metavar="R",
    help="Leave out the pairs R has marked: what R's review app shows next, in order.",
)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 100),
    default=DEFAULT_MIN_SCORE,
    show_default=True,
    help="The review app's floor (its --min-score).",
)
@click.option(
    "--order",
    type=click.Choice(ORDERS),
    default=DEFAULT_ORDER,
    show_default=True,
    help="Likely contradictions first, or claim by claim (most reported first).",
)
@json_option
def queue_command(db, story, reviewer, min_score, order, as_json):
    """Print the review queue exactly as the review app walks it, in its order.

    A pair is in the queue when one claim is the other's best candidate in that article
    with a score of at least --min-score, or when the two likely state one fact
    differently (a strong discrepancy), whatever their score. JSON: the `candidates`
    object per line, plus "discrepancy" (0-100).

    \b
    Example:
        workbench queue sample.db --reviewer ana --json | head -5
    """
    with open_store(db, readonly=True) as store:
        stories = [store.resolve_story(story)] if story else store.stories()
        for s in stories:
            claims = {row.claim.id: row for row in store.claim_rows(story=s.id)}
            done = (
                {(m.claim_a, m.claim_b) for m in store.current_marks(story=s.id, reviewer=reviewer)}
                if reviewer
                else set()
            )
            for item in store.queue(s.id, min_score=min_score, order=order):
                if pair_key(item.left, item.right) in done:
                    continue
                row = CandidateRow(
                    s.id, s.name, claims[item.left], claims[item.right], item.rank,
                    item.score, item.discrepancy,
                )  # fmt: skip
                if as_json:
                    echo_json_lines([_candidate_json(row)])
                else:
                    _echo_candidate(row)
