"""What the panes draw, without Textual: an article wrapped into lines
(workbench.tui.layout) with exact offsets and a line of its own for each claim's marker, and
the marker itself (workbench.tui.model.ClaimMarks) fitted to its column."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.claims import split_claims
from workbench.models import Article, Claim, Label, claim_id
from workbench.tui.layout import display_width, layout_article
from workbench.tui.model import MARKERS, SPLIT_MARKER, ArticleDoc, ClaimMarks, PaneMarker

WORDS = ["Six", "fighters", "were", "hurt.", "It", "rained", "on", "Monday.", "Troops", "met",
         "a", "verylongwordthatwillnotfitanywhere", "Yes.", "No!", "“Quote.”", "ünïcode", "中文字",
         "\x1b[31m"]  # fmt: skip
texts = st.lists(
    st.one_of(st.sampled_from(WORDS), st.sampled_from([" ", " ", "\n", "\n\n", "  "])),
    min_size=1,
    max_size=80,
).map("".join)


def doc_of(text: str) -> ArticleDoc:
    claims = [
        Claim(claim_id("a", s.start, s.end), "a", s.start, s.end, text[s.start : s.end], s.kind, i)
        for i, s in enumerate(split_claims(text))
    ]
    return ArticleDoc.build(Article("a", "s", "a.txt", text), claims)


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(4, 60))
def test_every_claims_marker_has_a_line_no_later_claim_shares(text, width):
    doc = doc_of(text)
    layout = layout_article(doc, width)
    used = set()
    for index, claim in enumerate(doc.claims):
        lines = layout.lines_of(claim.id)
        if lines is None:
            continue
        y = layout.marker_line(claim.id)
        assert y is not None and lines[0] <= y <= lines[1]
        assert layout.line_claims[y][-1] == index  # no later claim on the marker's line
        assert y not in used
        used.add(y)


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(4, 60))
def test_lines_fit_and_keep_every_word_in_order(text, width):
    doc = doc_of(text)
    layout = layout_article(doc, width)
    tokens = [token for line in layout.lines for token in line]
    assert "".join(text[s:e] for s, e, _ in tokens) == "".join(text.split())
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(tokens))
    for line in layout.lines:
        cells = sum(display_width(text[s:e]) + space for s, e, space in line)
        assert cells <= width


def test_each_claim_begins_a_line_and_its_marker_ends_its_last_line():
    text = "Short one. The next sentence goes on for a while.Last.\n\n• Listed item here."
    doc = doc_of(text)
    layout = layout_article(doc, 24)
    rendered = ["".join(" " * sp + text[s:e] for s, e, sp in line) for line in layout.lines]
    assert rendered == [
        "Short one.",
        "The next sentence goes",
        "on for a while.",
        "Last.",
        "",
        "• Listed item here.",
    ]  # "while.Last." is two claims glued together: cut there too
    assert [layout.marker_line(c.id) for c in doc.claims] == [
        layout.lines_of(c.id)[1] for c in doc.claims
    ]


pane_markers = st.one_of(
    st.sampled_from(list(MARKERS)).flatmap(
        lambda label: st.sampled_from([str(label), "other", "final"]).map(
            lambda kind: PaneMarker.of(label, kind)
        )
    ),
    st.just(SPLIT_MARKER),
)


@given(st.lists(pane_markers, min_size=1, max_size=12), st.integers(1, 12))
def test_a_claims_markers_fit_their_column_and_count_every_mark(marks, width):
    runs = ClaimMarks(tuple(marks)).runs(width)
    text = "".join(t for t, _ in runs)
    assert runs and sum(display_width(t) for t, _ in runs) <= width
    if len(marks) == 1:
        assert text in (marks[0].text_wide, marks[0].text_narrow)
        assert text == marks[0].text_wide or display_width(marks[0].text_wide) > width
    elif "…" not in text:
        shown = {(m.text_narrow, m.kind) for m in marks}
        assert {(t[0], kind) for t, kind in runs if kind} == shown  # every kind of mark
        counts = [int(t[1:]) for t, kind in runs if kind and len(t) > 1]
        assert not counts or sum(counts) == len(marks)


def test_one_mark_reads_as_a_word_several_as_counts():
    agree, unsure = PaneMarker.of(Label.AGREE, "agree"), PaneMarker.of(Label.UNSURE, "unsure")
    assert ClaimMarks((agree,)).runs(8) == (("✓ agree", "agree"),)
    assert ClaimMarks((agree,)).runs(3) == (("✓", "agree"),)
    several = ClaimMarks((unsure, agree, agree))
    assert several.runs(8) == (("✓2", "agree"), (" ", ""), ("?1", "unsure"))
    assert several.runs(4) == (("✓2", "agree"), ("?1", "unsure"))
    assert several.runs(3) == (("✓", "agree"), ("?", "unsure"))
    assert several.runs(1) == (("…", ""),)
