"""Commands for teams: mark, undo, export, merge, agreement, report."""

from __future__ import annotations

import click

from workbench.cli import (
    data_stdout,
    db_argument,
    echo_json_lines,
    json_option,
    open_store,
    say,
    story_option,
)
from workbench.display import json_line, one_line
from workbench.errors import NotFoundError
from workbench.models import Label, Mark
from workbench.store.files import refuse_database_output


def force_option(func):
    return click.option(
        "--force", is_flag=True, help="Replace FILE even if it is another SQLite database."
    )(func)


def _mark_json(mark: Mark) -> dict:
    return {
        "id": mark.id,
        "a": mark.claim_a,
        "b": mark.claim_b,
        "label": str(mark.label) if mark.label else None,
        "reviewer": mark.reviewer,
        "note": mark.note,
        "created_at": mark.created_at,
        "action": str(mark.action),
    }


@click.command("mark")
@db_argument()
@click.option(
    "--a", "claim_a", required=True, metavar="CLAIM", help="One claim: its id, or SOURCE:START-END."
)
@click.option("--b", "claim_b", required=True, metavar="CLAIM", help="The other claim, likewise.")
@click.option(
    "--label", required=True, metavar="LABEL", help=f"One of: {', '.join(str(x) for x in Label)}."
)
@click.option("--reviewer", required=True, metavar="R", help="Who is marking.")
@click.option("--note", metavar="TEXT", help="A note kept with the mark.")
@json_option
def mark_command(db, claim_a, claim_b, label, reviewer, note, as_json):
    """Record one mark on a pair of claims, exactly as the review app does.

    The pair is the same item whichever way round it is given; a later mark by the same
    reviewer on the same pair replaces the earlier one (both rows are kept).

    A claim is named by its id (what `workbench claims` and `candidates` show) or by its
    article's source and offsets, SOURCE:START-END.

    \b
    Example:
        workbench mark stories.db --a 3f2a...:0-54 --b 9c1e...:120-190 \\
            --label contradict --reviewer ana --note "6 vs 7 injured"
        workbench mark stories.db --a ap.txt:0-54 --b reuters.txt:120-190 --label agree \\
            --reviewer ana
    """
    with open_store(db) as store:
        a, b = store.resolve_claim(claim_a), store.resolve_claim(claim_b)
        mark = store.record_mark(a, b, label, reviewer, note=note)
    if as_json:
        echo_json_lines([_mark_json(mark)])
    else:
        say(f"{one_line(mark.reviewer)}: {mark.label}  {mark.claim_a} ~ {mark.claim_b}")


@click.command("undo")
@db_argument()
@click.option("--reviewer", required=True, metavar="R", help="Whose latest mark to withdraw.")
@json_option
def undo_command(db, reviewer, as_json):
    """Withdraw a reviewer's latest standing mark (an undo row is added; nothing is deleted).

    \b
    Example:
        workbench undo stories.db --reviewer ana
    """
    with open_store(db) as store:
        undone = store.undo_last(reviewer)
    if as_json:
        echo_json_lines([{"undone": _mark_json(undone) if undone else None}])
    elif undone is None:
        say(f"nothing to undo for {one_line(reviewer)}")
    else:
        say(
            f"undid {one_line(undone.reviewer)}: {undone.label}  {undone.claim_a} ~ {undone.claim_b}"
        )


@click.command("export")
@db_argument()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "nli"]),
    default="jsonl",
    show_default=True,
    help="JSONL marks, CSV marks, or NLI premise/hypothesis/label lines.",
)
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="Write here (with FILE.manifest.json beside it) instead of stdout.",
)
@click.option("--reviewer", metavar="R", help="Only this reviewer's marks.")
@story_option
@click.option(
    "--final",
    is_flag=True,
    help="One label per pair: the editor's decision where there is one, else the label all "
    "reviewers agree on (pairs they disagree on are left out, and counted).",
)
@click.option(
    "--raw",
    is_flag=True,
    help="CSV: write cells exactly as stored, without the ' that keeps a spreadsheet from "
    "running =, +, -, @ as a formula.",
)
@force_option
def export_command(db, fmt, output, reviewer, story, final, raw, force):
    """Export each reviewer's standing marks (or the final labels) as a dataset.

    JSONL: one mark a line, {"story", "a": {"article", "claim", "start", "end", "text"},
    "b": {...}, "label", "reviewer", "note", "created_at"}. CSV: the same, flattened
    (a_article, a_claim, ...), with a header. NLI: {"premise", "hypothesis", "label"} with
    agree -> entailment, contradict -> contradiction, unrelated -> neutral; unsure marks are
    left out. Several reviewers' marks on one pair give one line each: use --final or
    --reviewer for one label per pair. --final: the editor's final label where there is
    one, else the label every reviewer who gave one agrees on (unsure aside); a pair with
    an open disagreement, or marked only unsure, is left out, counted on stderr and in
    the manifest.

    CSV cells that begin with =, +, -, @, a tab or a carriage return would run as formulas
    in a spreadsheet: they are written with a ' in front (and so is a cell that begins with
    ' itself, so reading the file back is exact). --raw writes every cell as stored. On a
    terminal, control characters in any format are shown as symbols.

    \b
    Example:
        workbench export stories.db --format nli --final -o pairs.jsonl
        workbench export stories.db --format csv --reviewer ana > ana.csv
    """
    from workbench.export import ExportFilter, export_to_file, export_to_stream, manifest_path

    if output is not None:
        # The manifest is written too: neither may land on a database.
        for written in (output, manifest_path(output)):
            refuse_database_output(written, db, force=force)
    with open_store(db, readonly=True) as store:
        story_row = store.resolve_story(story) if story else None
        if reviewer and reviewer not in store.reviewers():
            known = ", ".join(one_line(r) for r in store.reviewers()) or "none yet"
            raise NotFoundError(f"no marks by reviewer {reviewer!r} (reviewers: {known})")
        selection = ExportFilter(
            story=story_row.id if story_row else None, reviewer=reviewer, final=final
        )
        if output is None:
            out = data_stdout()
            counts = export_to_stream(store, fmt, out, selection, raw=raw)
            out.flush()
            if final:
                _say_left_out(counts.open_disagreements, counts.only_unsure)
            return
        manifest = export_to_file(
            store, fmt, output, selection, story_name=story_row.name if story_row else None, raw=raw
        )
    counts = manifest["counts"]
    # --final: a pair's label is unsure only where an editor decided so
    said = fmt == "nli" and (counts["skipped_unsure"] or not final)
    skipped = f", {counts['skipped_unsure']} unsure left out" if said else ""
    say(one_line(f"exported {counts['rows']} row(s) to {output}{skipped}"), err=True)
    if final:
        _say_left_out(counts["open_disagreements"], counts["only_unsure"])


def _say_left_out(disagreements: int, only_unsure: int) -> None:
    """--final: the pairs left out for want of one label, one line per reason."""
    if disagreements:
        say(
            f"left out {disagreements} pair(s) on which reviewers disagree and no editor has"
            " decided (workbench review DB --adjudicate)",
            err=True,
        )
    if only_unsure:
        say(f"left out {only_unsure} pair(s) marked only unsure", err=True)


@click.command("merge")
@click.argument("out", metavar="OUT.db")
@click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(path_type=str), metavar="IN.db..."
)
@json_option
def merge_command(out, inputs, as_json):
    """Merge reviewers' databases into OUT.db (created if needed).

    The union of stories, articles, claims, sessions and marks, by their content-derived
    ids: the order of the inputs does not matter and merging again adds nothing. Inputs
    are only read. A row under a known id with different content, or a database from a
    newer workbench, stops the merge before anything is written.

    \b
    Example:
        workbench merge team.db ana.db ben.db
    """
    from workbench.merge import merge_databases

    report = merge_databases(out, inputs, warn=lambda warning: say(one_line(warning), err=True))
    if as_json:
        echo_json_lines([report.to_json()])
        return
    added = ", ".join(f"{n} {table}" for table, n in report.added.items())
    say(
        f"merged {len(inputs)} database(s) into {one_line(str(out))}: added {added}; "
        f"re-aligned {len(report.realigned)} story(ies) ({report.candidates} candidate pairs)"
    )


@click.command("agreement")
@db_argument()
@story_option
@click.option(
    "--unsure-as-label",
    is_flag=True,
    help="Count an unsure mark as a label of its own (by default it is no rating).",
)
@json_option
def agreement_command(db, story, unsure_as_label, as_json):
    """Agreement between reviewers, over the pairs two or more of them marked.

    Percent agreement and Cohen's kappa for each pair of reviewers (with their confusion
    table), Fleiss' kappa when every pair has the same number of raters, Krippendorff's
    alpha (nominal) overall, per story and per label (that label against the rest). An
    unsure mark counts as no rating (--unsure-as-label: as a category of its own); the
    output says how many unsure marks, and how many pairs left with one rating, were left
    out. Undefined figures show as "-" (null in JSON).

    \b
    Example:
        workbench agreement stories.db --story "US-Russia deconfliction, Sept 2017" --json
    """
    from workbench.agreement import summarize
    from workbench.report import store_ratings

    with open_store(db, readonly=True) as store:
        story_id = store.resolve_story(story).id if story else None
        summary = summarize(store_ratings(store, story=story_id), unsure_is_a_label=unsure_as_label)
    if as_json:
        click.echo(json_line(summary.to_json()))
        return
    for line in agreement_lines(summary):
        say(line)


def _fig(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def agreement_lines(summary) -> list[str]:
    single = f"{summary.single_rated_left_out} pair(s) with only one rating"
    if summary.unsure_is_a_label:
        left_out = f"left out: {single} (unsure counted as a label)"
    else:
        left_out = f"left out: {summary.unsure_left_out} unsure mark(s), {single}"
    if summary.items == 0:
        return ["no pair has been marked by two or more reviewers yet", left_out]
    lines = [
        f"reviewers: {', '.join(one_line(r) for r in summary.reviewers)}",
        f"items (pairs with 2+ ratings): {summary.items}",
        left_out,
        f"percent agreement: {_fig(summary.percent_agreement)}",
        f"Krippendorff's alpha (nominal): {_fig(summary.krippendorff_alpha)}",
        f"Fleiss' kappa: {_fig(summary.fleiss_kappa)}"
        + ("" if summary.fleiss_kappa is not None else "  (raters per pair vary, or undefined)"),
        "",
        "per reviewer pair:",
    ]
    for p in summary.pairwise:
        lines.append(
            f"  {one_line(p.a)} / {one_line(p.b)}: n={p.n}  agreement={_fig(p.percent_agreement)}"
            f"  kappa={_fig(p.cohen_kappa)}"
        )
    if summary.per_story:
        lines += ["", "per story:"]
        for name, g in summary.per_story.items():
            lines.append(
                f"  {one_line(name, 40)}: items={g.items}  agreement={_fig(g.percent_agreement)}"
                f"  alpha={_fig(g.krippendorff_alpha)}  fleiss={_fig(g.fleiss_kappa)}"
            )
    lines += ["", "per label (label vs the rest):"]
    for label, g in summary.per_label.items():
        lines.append(f"  {label}: ratings={g.ratings}  alpha={_fig(g.krippendorff_alpha)}")
    for p in summary.pairwise:
        if p.n:
            lines += ["", *confusion_lines(p)]
    return lines


def confusion_lines(p) -> list[str]:
    """The confusion table of two reviewers: rows are a's labels, columns b's."""
    a, b = one_line(p.a, 24), one_line(p.b, 24)
    width = max(12, *(len(label) + 2 for label in p.labels))
    lines = [f"confusion: {a} (rows) x {b} (columns)"]
    lines.append(" " * width + "".join(f"{label:>12}" for label in p.labels))
    for label, row in zip(p.labels, p.confusion, strict=True):
        lines.append(f"{label:<{width}}" + "".join(f"{n:>12}" for n in row))
    return lines


@click.command("report")
@db_argument()
@story_option
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="report.md or report.html (the suffix picks the format); default stdout.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html"]),
    default=None,
    help="Force the format instead of taking it from FILE's suffix.",
)
@force_option
def report_command(db, story, output, fmt, force):
    """An editor's report, per story: corroborated claims, contradicted claims (both quotes,
    both sources, the hints and the reviewers' notes), single-source claims, agreement
    figures, and who reviewed what.

    \b
    Example:
        workbench report stories.db --story "US-Russia deconfliction, Sept 2017" -o report.html
    """
    from workbench.report import build_report, format_for, render, write_report

    if output is not None:
        refuse_database_output(output, db, force=force)
    fmt = fmt or (format_for(output) if output else "md")
    with open_store(db, readonly=True) as store:
        story_id = store.resolve_story(story).id if story else None
        report = build_report(store, story=story_id)
    if output is None:
        data_stdout().write(render(report, fmt))
        return
    write_report(report, output, fmt)
    say(one_line(f"wrote {output} ({len(report.stories)} story(ies))"), err=True)
