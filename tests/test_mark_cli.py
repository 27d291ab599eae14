"""`workbench mark` and `workbench undo`: the same rows as the app writes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.models import Article, ClaimSpan, MarkAction, article_id, pair_id
from workbench.store import Store


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def db(tmp_path) -> Path:
    """Two made-up articles of two claims each (explicit spans, no segmenter)."""
    path = tmp_path / "m.db"
    with Store.open(path, create=True) as store:
        story = store.ensure_story("clash")
        for source, text in (
            ("a.txt", "Six were hurt. Talks took an hour."),
            ("b.txt", "Seven were hurt. Talks took two hours."),
        ):
            cut = text.index(".") + 1
            store.add_article(
                Article(article_id(text), story.id, source, text),
                [ClaimSpan(0, cut), ClaimSpan(cut + 1, len(text))],
            )
    return path


@pytest.fixture
def claims(db) -> dict[str, list[str]]:
    with Store.open(db, readonly=True) as store:
        found: dict[str, list[str]] = {}
        for row in store.claim_rows():
            found.setdefault(row.source, []).append(row.claim.id)
    return found


def test_mark_records_the_same_row_as_record_mark(db, claims):
    a, b = claims["a.txt"][0], claims["b.txt"][0]
    result = invoke(
        "mark",
        db,
        "--a",
        a,
        "--b",
        b,
        "--label",
        "contradict",
        "--reviewer",
        "ana",
        "--note",
        "6 vs 7",
        "--json",
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert (shown["label"], shown["reviewer"], shown["note"]) == ("contradict", "ana", "6 vs 7")
    with Store.open(db, readonly=True) as store:
        [mark] = store.current_marks()
        row = store.db.execute("SELECT pair_id, action, session_id FROM marks").fetchone()
    assert (mark.id, mark.claim_a, mark.claim_b) == (shown["id"], min(a, b), max(a, b))
    assert row == (pair_id(a, b), "mark", None)


def test_pair_order_is_irrelevant(db, claims):
    a, b = claims["a.txt"][1], claims["b.txt"][1]
    invoke("mark", db, "--a", a, "--b", b, "--label", "agree", "--reviewer", "ana")
    result = invoke("mark", db, "--a", b, "--b", a, "--label", "unrelated", "--reviewer", "ana")
    assert result.exit_code == 0
    with Store.open(db, readonly=True) as store:
        marks = store.current_marks()
        log = store.marks_log()
    assert [(m.claim_a, m.claim_b, str(m.label)) for m in marks] == [
        (min(a, b), max(a, b), "unrelated")
    ]
    assert len(log) == 2  # both rows kept; the later one stands


def test_plain_output_is_one_line(db, claims):
    a, b = claims["a.txt"][0], claims["b.txt"][1]
    result = invoke("mark", db, "--a", a, "--b", b, "--label", "unsure", "--reviewer", "ben")
    assert result.exit_code == 0
    assert result.output.count("\n") == 1 and "ben: unsure" in result.output


@pytest.mark.parametrize(
    "change, message",
    [
        ({"--a": "nope:0-1"}, "no claim at 'nope:0-1'"),
        ({"--a": "no-id-at-all"}, "no claim with id 'no-id-at-all'"),
        ({"--label": "maybe"}, "unknown label 'maybe'"),
        ({"--label": "AGREE!"}, "unknown label"),
        ({"--reviewer": "  "}, "a mark needs a reviewer name"),
        ({"--b": "SAME_ARTICLE"}, "two different articles"),
        ({"--b": "SAME_CLAIM"}, "two different claims"),
    ],
)
def test_errors_are_one_line_with_exit_1_and_write_nothing(db, claims, change, message):
    args = {
        "--a": claims["a.txt"][0],
        "--b": claims["b.txt"][0],
        "--label": "agree",
        "--reviewer": "ana",
    }
    args.update(change)
    if args["--b"] == "SAME_ARTICLE":
        args["--b"] = claims["a.txt"][1]
    if args["--b"] == "SAME_CLAIM":
        args["--b"] = args["--a"]
    result = invoke("mark", db, *[x for kv in args.items() for x in kv])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output
    with Store.open(db, readonly=True) as store:
        assert store.marks_log() == []


def test_missing_database_is_not_created(tmp_path):
    missing = tmp_path / "none.db"
    result = invoke(
        "mark", missing, "--a", "x", "--b", "y", "--label", "agree", "--reviewer", "ana"
    )
    assert result.exit_code == 1 and "no such database" in result.output
    assert not missing.exists()


def test_missing_option_is_a_usage_error(db):
    assert invoke("mark", db, "--a", "x", "--label", "agree", "--reviewer", "ana").exit_code == 2


def test_undo_withdraws_the_latest_mark_and_says_when_there_is_none(db, claims):
    a, b = claims["a.txt"][0], claims["b.txt"][0]
    invoke("mark", db, "--a", a, "--b", b, "--label", "agree", "--reviewer", "ana")
    invoke("mark", db, "--a", a, "--b", b, "--label", "contradict", "--reviewer", "ana")
    result = invoke("undo", db, "--reviewer", "ana", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["undone"]["label"] == "contradict"
    with Store.open(db, readonly=True) as store:
        assert [str(m.label) for m in store.current_marks()] == ["agree"]
        assert [m.action for m in store.marks_log()][-1] == MarkAction.UNDO
    assert "undid ana: agree" in invoke("undo", db, "--reviewer", "ana").output
    result = invoke("undo", db, "--reviewer", "ana")
    assert result.exit_code == 0 and "nothing to undo for ana" in result.output
