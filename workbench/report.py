"""The editor's report: per story, what the sources corroborate, what they contradict, what
only one source says, how far the reviewers agree, and who reviewed what.

A pair's label for the report is the editor's final label when there is one; otherwise the
reviewers' label when every reviewer who gave one (unsure aside) gave the same; otherwise
the pair is listed as awaiting adjudication. Article text is data: HTML output escapes it,
Markdown output backslash-escapes every character that could start markup.
"""

from __future__ import annotations

import html
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workbench.agreement import AgreementSummary, Rating, summarize
from workbench.decision import Vote, decide
from workbench.display import hint_text, one_line
from workbench.errors import WorkbenchError
from workbench.export import atomic_writer
from workbench.hints import find_hints
from workbench.models import Article, ClaimKind, Hint, Label, Mark, MarkAction, Story
from workbench.store import ClaimRow, Store

FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
RATED_LABELS = (Label.AGREE, Label.CONTRADICT, Label.UNRELATED, Label.UNSURE)


def store_ratings(store: Store, *, story: str | None = None) -> Iterator[Rating]:
    """Every reviewer's standing mark as a `Rating` (item = the pair, story = its name),
    for `workbench.agreement`. Final (adjudicated) labels are decisions, not ratings."""
    # Flat rows: no objects per mark beyond the Rating itself.
    col = {name: i for i, name in enumerate(Store.STANDING_ROW_COLUMNS)}
    a, b, rater, label = col["a_claim"], col["b_claim"], col["reviewer"], col["label"]
    name, note = col["story"], col["note"]
    for row in store.standing_rows(story=story, action=MarkAction.MARK):
        yield Rating(
            item=(row[a], row[b]),
            rater=row[rater],
            label=row[label],
            story=row[name],
            note=row[note],
        )


# --- the report as data -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairEntry:
    a: ClaimRow
    b: ClaimRow
    label: str | None  # the decided label; None while reviewers disagree
    decided_by: str  # "final (editor)", "ana, ben", or "" while undecided
    marks: tuple[Mark, ...]  # reviewers' standing marks, then final ones
    hints: tuple[Hint, ...]  # find_hints(a, b): a/a_span on claim a, b/b_span on claim b


@dataclass(frozen=True, slots=True)
class CorroboratedGroup:
    """Claims that agree with one another (linked by agree pairs), from two or more sources."""

    claims: tuple[ClaimRow, ...]
    reviewers: tuple[str, ...]


@dataclass
class ReviewerActivity:
    labels: Counter = field(default_factory=Counter)
    finals: int = 0


@dataclass
class StoryReport:
    story: Story
    articles: list[Article]
    corroborated: list[CorroboratedGroup]
    contradicted: list[PairEntry]
    undecided: list[PairEntry]
    single_source: dict[str, list[ClaimRow]]  # source -> claims
    agreement: AgreementSummary
    reviewers: dict[str, ReviewerActivity]


@dataclass
class Report:
    stories: list[StoryReport]


def build_report(store: Store, *, story: str | None = None) -> Report:
    stories = [s for s in store.stories() if story is None or s.id == story]
    # Marks and ratings are read once for all stories: a query per story scans every mark
    # once per story (87 s for 2,000 stories of 2 marks each; about 4 s this way).
    marks: dict[str, list[Mark]] = defaultdict(list)  # by claim a, whose story is the mark's
    for action in (MarkAction.MARK, MarkAction.FINAL):
        for mark in store.current_marks(story=story, action=action):
            marks[mark.claim_a].append(mark)
    ratings: dict[str, list[Rating]] = defaultdict(list)  # by story name
    for rating in store_ratings(store, story=story):
        ratings[rating.story].append(rating)
    return Report(stories=[_story_report(store, s, marks, ratings[s.name]) for s in stories])


def _story_report(
    store: Store, story: Story, marks: dict[str, list[Mark]], ratings: list[Rating]
) -> StoryReport:
    claims = {row.claim.id: row for row in store.claim_rows(story=story.id)}
    mine = sorted((m for c in claims for m in marks.get(c, ())), key=lambda m: (m.created_at, m.id))
    reviewed = [m for m in mine if m.action == MarkAction.MARK]
    finals = [m for m in mine if m.action == MarkAction.FINAL]
    by_pair: dict[tuple[str, str], list[Mark]] = defaultdict(list)
    for mark in reviewed + finals:
        by_pair[(mark.claim_a, mark.claim_b)].append(mark)

    entries = []
    for key in sorted(by_pair, key=lambda k: _reading_order(claims, k)):
        a, b = (claims.get(c) or store.claim(c) for c in key)
        if (b.source, b.claim.ordinal) < (a.source, a.claim.ordinal):  # show sources in order
            a, b = b, a
        label, decided_by = _decide(by_pair[key])
        hints = tuple(find_hints(a.claim.text, b.claim.text))
        entries.append(PairEntry(a, b, label, decided_by, tuple(by_pair[key]), hints))

    agreeing = [e for e in entries if e.label == Label.AGREE]
    groups = _corroborated_groups(agreeing, claims)
    # A claim with a partner in another article, whatever the pair's label (agreed,
    # contradicted, unsure or still disputed), is not single-source; only a pair decided
    # "unrelated" is no partner.
    partnered = {row.claim.id for e in entries if e.label != Label.UNRELATED for row in (e.a, e.b)}
    single: dict[str, list[ClaimRow]] = defaultdict(list)
    for row in claims.values():
        if row.claim.kind == ClaimKind.CLAIM and row.claim.id not in partnered:
            single[row.source].append(row)

    activity: dict[str, ReviewerActivity] = defaultdict(ReviewerActivity)
    for mark in reviewed:
        activity[mark.reviewer].labels[str(mark.label)] += 1
    for mark in finals:
        activity[mark.reviewer].finals += 1

    return StoryReport(
        story=story,
        articles=store.articles(story.id),
        corroborated=groups,
        contradicted=[e for e in entries if e.label == Label.CONTRADICT],
        undecided=[e for e in entries if e.label is None and e.decided_by == ""],
        single_source=dict(sorted(single.items())),
        agreement=summarize(ratings),
        reviewers=dict(sorted(activity.items())),
    )


def _provenance(entry: PairEntry) -> str:
    """An editor's final label was decided; reviewers who agree only marked it."""
    return "Decided by" if entry.decided_by.startswith("final (") else "Marked by"


def _who(entry: PairEntry) -> str:
    if entry.decided_by.startswith("final ("):
        return entry.decided_by.removeprefix("final (").removesuffix(")") + " (final)"
    return entry.decided_by


def _decide(marks: list[Mark]) -> tuple[str | None, str]:
    """The pair's label (workbench.decision) and who decided it, as the report words it."""
    found = decide(
        Vote(m.reviewer, str(m.label), m.action == MarkAction.FINAL, m.created_at, m.id)
        for m in marks
    )
    if found.final:
        return found.label, f"final ({found.by[0]})"
    if found.label is not None:
        return found.label, ", ".join(found.by)
    return None, "" if found.disputed else "unsure"


def _reading_order(claims: dict[str, ClaimRow], key: tuple[str, str]) -> tuple:
    def place(claim: str) -> tuple:
        row = claims.get(claim)
        return (row.source, row.claim.ordinal) if row else ("\uffff", 0)

    return (*sorted((place(key[0]), place(key[1]))), key)


def _corroborated_groups(
    agreeing: list[PairEntry], claims: dict[str, ClaimRow]
) -> list[CorroboratedGroup]:
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    rows: dict[str, ClaimRow] = {}
    for entry in agreeing:
        rows[entry.a.claim.id], rows[entry.b.claim.id] = entry.a, entry.b
        parent[root(entry.a.claim.id)] = root(entry.b.claim.id)
    members: dict[str, list[ClaimRow]] = defaultdict(list)
    for claim, row in rows.items():
        members[root(claim)].append(row)
    reviewers: dict[str, set[str]] = defaultdict(set)
    for entry in agreeing:
        reviewers[root(entry.a.claim.id)].update(
            m.reviewer for m in entry.marks if m.label == Label.AGREE
        )
    groups = [
        CorroboratedGroup(
            claims=tuple(sorted(group, key=lambda r: (r.source, r.claim.ordinal))),
            reviewers=tuple(sorted(reviewers[key])),
        )
        for key, group in members.items()
    ]
    return sorted(groups, key=lambda g: (g.claims[0].source, g.claims[0].claim.ordinal))


# --- rendering --------------------------------------------------------------------------------

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that can
# open emphasis, code, links, images, HTML, entities, tables or strikethrough mid-line
# (parentheses only matter after "]", which is escaped). Quotes are always set after other
# text, so line-start markup (#, -, 1.) cannot occur.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#!|~&])")


def md(text: str | None) -> str:
    """Text made inert for Markdown: one line, control characters visible, markup escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text or ""))


def h(text: str | None) -> str:
    return html.escape(one_line(text or ""), quote=True)


def _fig(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _hint_text(hint: Hint) -> str:
    return hint_text(hint.kind, hint.a, hint.b)


def _mark_line(mark: Mark) -> str:
    who = f"{mark.reviewer} (final)" if mark.action == MarkAction.FINAL else mark.reviewer
    return f"{who}: {mark.label}" + (f" — {one_line(mark.note)}" if mark.note else "")


def render_markdown(report: Report) -> str:
    out: list[str] = ["# Fact-check report", ""]
    if not report.stories:
        out += ["No stories.", ""]
    for s in report.stories:
        out += [f"## {md(s.story.name)}", ""]
        out.append("Sources: " + "; ".join(_md_source(a) for a in s.articles) + ".")
        out.append("")
        out += [f"### Corroborated across sources ({len(s.corroborated)})", ""]
        if not s.corroborated:
            out += ["None yet.", ""]
        for n, group in enumerate(s.corroborated, 1):
            out.append(f"{n}. Agreed by {md(', '.join(group.reviewers))}:")
            out += [f"   - **{md(r.source)}**: “{md(r.claim.text)}”" for r in group.claims]
        if s.corroborated:
            out.append("")
        out += _md_pairs("Contradicted", s.contradicted)
        out += _md_pairs("Awaiting adjudication (reviewers disagree)", s.undecided)
        total = sum(len(rows) for rows in s.single_source.values())
        out += [f"### Single-source claims ({total})", ""]
        for source, rows in s.single_source.items():
            out.append(f"- **{md(source)}** ({len(rows)})")
            out += [f"  - “{md(r.claim.text)}”" for r in rows]
        if not total:
            out.append("None.")
        out.append("")
        out += _md_agreement(s.agreement)
        out += ["### Who reviewed what", ""]
        if not s.reviewers:
            out += ["Nobody yet.", ""]
        else:
            out += [
                "| reviewer | " + " | ".join(str(x) for x in RATED_LABELS) + " | final |",
                "|---" * (len(RATED_LABELS) + 2) + "|",
            ]
            for name, act in s.reviewers.items():
                cells = [str(act.labels.get(str(x), 0)) for x in RATED_LABELS]
                out.append(f"| {md(name)} | " + " | ".join(cells) + f" | {act.finals} |")
            out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _md_source(article: Article) -> str:
    extra = ", ".join(x for x in (article.outlet, article.published) if x)
    title = f" “{md(article.title)}”" if article.title else ""
    return f"**{md(article.source)}**{title}" + (f" ({md(extra)})" if extra else "")


def _md_pairs(title: str, entries: list[PairEntry]) -> list[str]:
    out = [f"### {title} ({len(entries)})", ""]
    if not entries:
        return out + ["None.", ""]
    for n, e in enumerate(entries, 1):
        out.append(f"{n}. **{md(e.a.source)}**: “{md(e.a.claim.text)}”")
        out.append(f"   - **{md(e.b.source)}**: “{md(e.b.claim.text)}”")
        if e.hints:
            out.append("   - Hints: " + md("; ".join(_hint_text(x) for x in e.hints)))
        if e.decided_by:
            out.append(f"   - {_provenance(e)}: {md(_who(e))}")
        out += [f"   - {md(_mark_line(m))}" for m in e.marks]
        out.append(f"   - Claims: {md(e.a.claim.id)}, {md(e.b.claim.id)}")
    return out + [""]


def _md_agreement(a: AgreementSummary) -> list[str]:
    out = ["### Agreement", ""]
    if a.items == 0:
        return out + ["No pair has been marked by two or more reviewers yet.", ""]
    out.append(
        f"{a.items} pair(s) with two or more ratings; percent agreement "
        f"{_fig(a.percent_agreement)}, Krippendorff's alpha {_fig(a.krippendorff_alpha)}, "
        f"Fleiss' kappa {_fig(a.fleiss_kappa)}."
    )
    out += ["", "| reviewers | pairs | agreement | Cohen's kappa |", "|---|---|---|---|"]
    for p in a.pairwise:
        out.append(
            f"| {md(p.a)} / {md(p.b)} | {p.n} | {_fig(p.percent_agreement)} | "
            f"{_fig(p.cohen_kappa)} |"
        )
    return out + [""]


_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #1d1d1f; }
h2 { border-bottom: 2px solid #ccc; padding-bottom: .2rem; margin-top: 2.5rem; }
blockquote { margin: .3rem 0 .3rem 1rem; padding-left: .8rem; border-left: 3px solid #bbb; }
.contradicted blockquote { border-color: #c0392b; }
.corroborated blockquote { border-color: #27ae60; }
.meta { color: #555; font-size: .9rem; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .2rem .6rem; }
code { font-size: .85rem; }
"""


def render_html(report: Report) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        "<title>Fact-check report</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<h1>Fact-check report</h1>",
    ]
    if not report.stories:
        out.append("<p>No stories.</p>")
    for s in report.stories:
        out.append(f"<section><h2>{h(s.story.name)}</h2>")
        out.append(
            '<p class="meta">Sources: ' + "; ".join(_html_source(a) for a in s.articles) + ".</p>"
        )
        out.append(f"<h3>Corroborated across sources ({len(s.corroborated)})</h3>")
        if not s.corroborated:
            out.append("<p>None yet.</p>")
        else:
            out.append('<ol class="corroborated">')
            for group in s.corroborated:
                out.append(
                    f'<li><span class="meta">Agreed by {h(", ".join(group.reviewers))}</span>'
                )
                out += [
                    f"<blockquote><b>{h(r.source)}</b>: {h(r.claim.text)}</blockquote>"
                    for r in group.claims
                ]
                out.append("</li>")
            out.append("</ol>")
        out += _html_pairs("Contradicted", "contradicted", s.contradicted)
        out += _html_pairs("Awaiting adjudication (reviewers disagree)", "undecided", s.undecided)
        total = sum(len(rows) for rows in s.single_source.values())
        out.append(f"<h3>Single-source claims ({total})</h3>")
        if not total:
            out.append("<p>None.</p>")
        for source, rows in s.single_source.items():
            out.append(f"<h4>{h(source)} ({len(rows)})</h4><ul>")
            out += [f"<li>{h(r.claim.text)}</li>" for r in rows]
            out.append("</ul>")
        out += _html_agreement(s.agreement)
        out.append("<h3>Who reviewed what</h3>")
        if not s.reviewers:
            out.append("<p>Nobody yet.</p>")
        else:
            out.append(
                "<table><tr><th>reviewer</th>"
                + "".join(f"<th>{x}</th>" for x in RATED_LABELS)
                + "<th>final</th></tr>"
            )
            for name, act in s.reviewers.items():
                cells = "".join(f"<td>{act.labels.get(str(x), 0)}</td>" for x in RATED_LABELS)
                out.append(f"<tr><td>{h(name)}</td>{cells}<td>{act.finals}</td></tr>")
            out.append("</table>")
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _html_source(article: Article) -> str:
    extra = ", ".join(x for x in (article.outlet, article.published) if x)
    title = f" “{h(article.title)}”" if article.title else ""
    return f"<b>{h(article.source)}</b>{title}" + (f" ({h(extra)})" if extra else "")


def _html_pairs(title: str, css: str, entries: list[PairEntry]) -> list[str]:
    out = [f"<h3>{h(title)} ({len(entries)})</h3>"]
    if not entries:
        return out + ["<p>None.</p>"]
    out.append(f'<ol class="{css}">')
    for e in entries:
        out.append("<li>")
        out.append(f"<blockquote><b>{h(e.a.source)}</b>: {h(e.a.claim.text)}</blockquote>")
        out.append(f"<blockquote><b>{h(e.b.source)}</b>: {h(e.b.claim.text)}</blockquote>")
        out.append('<ul class="meta">')
        if e.hints:
            out.append("<li>Hints: " + h("; ".join(_hint_text(x) for x in e.hints)) + "</li>")
        if e.decided_by:
            out.append(f"<li>{_provenance(e)}: {h(_who(e))}</li>")
        out += [f"<li>{h(_mark_line(m))}</li>" for m in e.marks]
        out.append(
            f"<li>Claims: <code>{h(e.a.claim.id)}</code>, <code>{h(e.b.claim.id)}</code>"
            "</li></ul></li>"
        )
    return out + ["</ol>"]


def _html_agreement(a: AgreementSummary) -> list[str]:
    out = ["<h3>Agreement</h3>"]
    if a.items == 0:
        return out + ["<p>No pair has been marked by two or more reviewers yet.</p>"]
    out.append(
        f"<p>{a.items} pair(s) with two or more ratings; percent agreement "
        f"{_fig(a.percent_agreement)}, Krippendorff's alpha {_fig(a.krippendorff_alpha)}, "
        f"Fleiss' kappa {_fig(a.fleiss_kappa)}.</p>"
    )
    out.append(
        "<table><tr><th>reviewers</th><th>pairs</th><th>agreement</th><th>Cohen's kappa</th></tr>"
    )
    for p in a.pairwise:
        out.append(
            f"<tr><td>{h(p.a)} / {h(p.b)}</td><td>{p.n}</td>"
            f"<td>{_fig(p.percent_agreement)}</td><td>{_fig(p.cohen_kappa)}</td></tr>"
        )
    return out + ["</table>"]


def format_for(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise WorkbenchError(
            f"{path}: cannot tell the format; name it .md or .html, or pass --format"
        )
    return FORMATS[suffix]


def render(report: Report, fmt: str) -> str:
    return render_html(report) if fmt == "html" else render_markdown(report)


def write_report(report: Report, path: str | os.PathLike, fmt: str) -> Path:
    """Written beside `path` under a temporary name, then renamed into place."""
    with atomic_writer(path) as out:
        out.write(render(report, fmt))
    return Path(path)
