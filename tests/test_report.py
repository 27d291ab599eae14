"""The editor's report: what goes in each section, escaping, a snapshot, and the CLI.

The snapshot database is built from made-up texts with explicit claim spans and candidates,
so the expected files change only when the report or the hint finder does (not when the
segmenter or the aligner is tuned): hints are `find_hints` on each pair's two texts. Regenerate after a deliberate change with WORKBENCH_UPDATE_SNAPSHOTS=1, then
review the diff by eye.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from conftest import REPO_ROOT
from workbench.cli import cli
from workbench.display import one_line
from workbench.models import (
    Article,
    Candidate,
    CandidateBlock,
    ClaimKind,
    ClaimSpan,
    MarkAction,
    article_id,
    claim_id,
)
from workbench.report import build_report, md, render_html, render_markdown
from workbench.store import Store

SNAPSHOTS = REPO_ROOT / "tests" / "data"
STORY = "Clash near Deir ez-Zor"

ARTICLES = {
    "ap.txt": (
        "AP",
        "Generals meet after clash",
        [
            "Six SDF fighters were injured on Saturday.",
            "The talks lasted an hour.",
            "Officials said the *deal* was <b>final</b> & [binding](http://example.com).",
            "Subscribe now.",
        ],
    ),
    "reuters.txt": (
        "Reuters",
        None,
        [
            "Seven SDF fighters were injured on Saturday.",
            "The meeting lasted about an hour.",
            "A spokesman said: # nothing | more_than `this`.",
        ],
    ),
    "tass.txt": (
        None,
        "Талки",
        [
            "The talks lasted one hour.",
            "No fighters were injured.",
        ],
    ),
}


def _add(store: Store, story: str, source: str, outlet, title, sentences) -> list[str]:
    text = " ".join(sentences)
    sid = store.ensure_story(story).id
    article = Article(article_id(text), sid, source, text, title=title, outlet=outlet)
    spans, start = [], 0
    for sentence in sentences:
        kind = ClaimKind.BOILERPLATE if sentence == "Subscribe now." else ClaimKind.CLAIM
        spans.append(ClaimSpan(start, start + len(sentence), kind))
        start += len(sentence) + 1
    store.add_article(article, spans)
    return [claim_id(article.id, s.start, s.end) for s in spans]


@pytest.fixture
def report_db(tmp_path) -> Path:
    db = tmp_path / "report.db"
    with Store.open(db, create=True) as store:
        c = {src: _add(store, STORY, src, *meta) for src, meta in ARTICLES.items()}
        _add(store, "A quiet story", "only.txt", None, None, ["Nothing was marked here."])
        ap, rt, ts = c["ap.txt"], c["reuters.txt"], c["tass.txt"]
        story = store.resolve_story(STORY).id
        rows = [
            Candidate(ap[0], rt[0], 1, 88.0),
            # Stored the other way round: the hints must still follow the pair as shown.
            Candidate(ts[1], ap[0], 1, 61.0),
        ]
        store.replace_candidates(story, [CandidateBlock.of(rows)])
        mark = store.record_mark
        mark(ap[0], rt[0], "contradict", "ana", note="6 vs 7 <script>alert(1)</script>")
        mark(rt[0], ap[0], "contradict", "ben", note="numbers differ")
        mark(ap[1], rt[1], "agree", "ana")
        mark(ap[1], rt[1], "agree", "ben")
        mark(rt[1], ts[0], "agree", "ana")
        mark(ap[2], rt[2], "unrelated", "ana")
        mark(ap[2], rt[2], "contradict", "ben", note="*both* talk about the deal")
        mark(ap[0], ts[1], "agree", "ana")
        mark(ap[0], ts[1], "contradict", "ben")
        mark(
            ap[0],
            ts[1],
            "contradict",
            "editor",
            note="TASS denies injuries",
            action=MarkAction.FINAL,
        )
        mark(ts[1], rt[0], "unsure", "cy")
    return db


def test_sections_hold_what_an_editor_needs(report_db):
    with Store.open(report_db, readonly=True) as store:
        report = build_report(store)
    quiet, clash = report.stories  # by name
    assert quiet.story.name == "A quiet story" and not quiet.contradicted
    [group] = clash.corroborated
    assert [r.source for r in group.claims] == ["ap.txt", "reuters.txt", "tass.txt"]
    assert group.reviewers == ("ana", "ben")
    first, second = clash.contradicted
    assert (first.a.source, first.b.source) == ("ap.txt", "reuters.txt")  # sources in order
    assert first.decided_by == "ana, ben"
    assert (first.hints[0].kind, first.hints[0].a, first.hints[0].b) == ("number", "Six", "Seven")
    assert (second.a.source, second.b.source) == ("ap.txt", "tass.txt")
    assert second.decided_by == "final (editor)"
    [negation] = second.hints  # stored tass -> ap: oriented as shown, ap first
    assert (negation.kind, negation.a, negation.b) == ("negation", "", "No")
    assert (negation.a_span, negation.b_span) == (None, (0, 2))
    assert [m.note for m in second.marks if m.note] == ["TASS denies injuries"]
    [undecided] = clash.undecided
    assert sorted(str(m.label) for m in undecided.marks) == ["contradict", "unrelated"]
    single = {src: [r.claim.text for r in rows] for src, rows in clash.single_source.items()}
    assert "The talks lasted an hour." not in single.get("ap.txt", [])  # corroborated
    assert "Subscribe now." not in single.get("ap.txt", [])  # boilerplate is not a claim
    # contradicted (against reuters and tass): it has partners, so it is not single-source
    assert "Six SDF fighters were injured on Saturday." not in single.get("ap.txt", [])
    contradicted = {row.claim.id for e in clash.contradicted for row in (e.a, e.b)}
    assert not contradicted & {r.claim.id for rows in clash.single_source.values() for r in rows}
    # a pair decided "unrelated" is no partner; an open disagreement is
    undecided_ids = {row.claim.id for e in clash.undecided for row in (e.a, e.b)}
    assert not undecided_ids & {r.claim.id for rows in clash.single_source.values() for r in rows}
    assert clash.agreement.items == 4  # the unsure-only pair is not an item
    assert clash.reviewers["cy"].labels == {"unsure": 1}
    assert clash.reviewers["editor"].finals == 1


def _snapshot(name: str, rendered: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("WORKBENCH_UPDATE_SNAPSHOTS"):
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with WORKBENCH_UPDATE_SNAPSHOTS=1 and review it"
    assert rendered == path.read_text(encoding="utf-8")


def test_markdown_snapshot(report_db):
    with Store.open(report_db, readonly=True) as store:
        _snapshot("report_snapshot.md", render_markdown(build_report(store)))


def test_html_snapshot(report_db):
    with Store.open(report_db, readonly=True) as store:
        _snapshot("report_snapshot.html", render_html(build_report(store)))


def test_html_escapes_article_text_and_notes(report_db):
    with Store.open(report_db, readonly=True) as store:
        page = render_html(build_report(store))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>final</b>" not in page and "&lt;b&gt;final&lt;/b&gt; &amp; [binding]" in page


def test_markdown_neutralises_markup_in_quotes_and_notes(report_db):
    with Store.open(report_db, readonly=True) as store:
        text = render_markdown(build_report(store))
    assert r"\*deal\* was \<b\>final\</b\> \& \[binding\](http://example.com)" in text
    assert r"\<script\>alert(1)\</script\>" in text
    assert r"\# nothing \| more\_than \`this\`" in text
    assert "<script>" not in text


_UNESCAPE = re.compile(r"\\(.)")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_md_escaping_is_lossless_and_leaves_no_live_markup(text):
    escaped = md(text)
    assert _UNESCAPE.sub(r"\1", escaped) == one_line(text)
    live = re.sub(r"\\.", "", escaped)  # drop every escaped pair; what is left is plain
    assert not set(live) & set("\\`*_[]<>#!|~&")
    assert "\n" not in escaped


# --- the command --------------------------------------------------------------------------------


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.mark.parametrize(
    "name, marker", [("r.md", "# Fact-check report"), ("r.html", "<!DOCTYPE html>")]
)
def test_cli_writes_by_suffix_atomically(report_db, tmp_path, name, marker):
    out = tmp_path / "out" / name
    out.parent.mkdir()
    result = invoke("report", report_db, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith(marker)
    assert [p.name for p in out.parent.iterdir()] == [name]


def test_cli_story_filter_and_stdout(report_db):
    result = invoke("report", report_db, "--story", "A quiet story")
    assert result.exit_code == 0
    assert "## A quiet story" in result.output and STORY not in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["-o", "report.pdf"], "name it .md or .html"),
        (["--story", "nope"], "no story named"),
    ],
)
def test_cli_errors(report_db, tmp_path, args, message):
    result = invoke(
        "report", report_db, *[str(tmp_path / a) if a.endswith(".pdf") else a for a in args]
    )
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1


# --- review fixes -------------------------------------------------------------------------------


def test_output_onto_a_directory_or_into_a_missing_one_is_one_line_exit_1(report_db, tmp_path):
    folder = tmp_path / "taken.md"
    folder.mkdir()
    for target, message in (
        (folder, "is a directory"),
        (tmp_path / "missing" / "r.md", "no such directory"),
    ):
        result = invoke("report", report_db, "-o", target)
        assert result.exit_code == 1, result.output
        assert len(result.output.strip().splitlines()) == 1 and message in result.output
        assert ".tmp" not in result.output
    assert list(folder.iterdir()) == []


def test_terminal_escapes_and_markup_in_every_field_stay_inert(tmp_path):
    hostile = "\x1b[31mred\x1b[0m <script>x</script> [link](x) a|b `tick` \x9b2J"
    db = tmp_path / "hostile.db"
    with Store.open(db, create=True) as store:
        a = _add(store, "story " + hostile, "a " + hostile, hostile, hostile, ["One " + hostile])
        b = _add(store, "story " + hostile, "b " + hostile, None, None, ["Two " + hostile])
        store.record_mark(a[0], b[0], "contradict", "ana " + hostile, note=hostile)
        store.record_mark(a[0], b[0], "agree", "ben")
        report = build_report(store)
    markdown, page = render_markdown(report), render_html(report)
    for out in (markdown, page):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out)
        assert "<script>" not in out
    assert "\\[link\\](x)" in markdown and "\\`tick\\`" in markdown and "a\\|b" in markdown


def test_marks_and_ratings_are_read_once_not_once_per_story(report_db, monkeypatch):
    # Review bug: each story re-ran the standing-marks queries, which scan every mark
    # (87 s for a report on 2,000 stories of two marks each).
    calls = {"current_marks": 0, "standing_rows": 0}
    for name in calls:
        real = getattr(Store, name)

        def counted(self, *args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(Store, name, counted)
    with Store.open(report_db, readonly=True) as store:
        assert len(build_report(store).stories) == 2
    assert calls == {"current_marks": 2, "standing_rows": 1}
