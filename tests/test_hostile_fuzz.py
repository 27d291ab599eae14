"""Hypothesis against every importer and every CLI output path (issue 13).

Random bytes, random Unicode (every C0 and C1 control, the bidirectional controls, the
line separators, markup and Multi-News tokens) and random nesting go into text files,
folders, JSONL and Multi-News files, into file, story and reviewer names and notes. Every
command then either succeeds (exit 0) or says one line (exit 1), never a traceback, and
nothing it prints carries a raw control character: stdout of the table and text commands
(and of export and report, as on a terminal), stderr always, and --json output is
JSON-escaped. Through CliRunner, in-process, so the whole file runs in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile import raw_controls

import workbench.cli
from workbench.cli import cli

CONTROLS = (
    [chr(c) for c in range(0x20)]
    + ["\x7f"]
    + [chr(c) for c in range(0x80, 0xA0)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u061c", "\u200e", "\u200f"]
    + ["\u2028", "\u2029", "\ufeff"]
)
TOKENS = ["|||||", "NEWLINE_CHAR", "[b]", "[/]", "{", '"', "\x1b]0;t\x07", "\x1b[2J", ". ", "\n"]

nasty_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(CONTROLS),
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from("abc. =+-@'"),
    ),
    max_size=40,
).map(lambda s: s)
nasty = st.lists(st.one_of(nasty_text, st.sampled_from(TOKENS)), max_size=6).map("".join)
# Shallow, and far past any recursion limit (hypothesis raises Python's while it runs).
depths = st.one_of(st.integers(1, 50), st.just(100_000))
nesting = st.builds(
    lambda opener, depth: opener * depth,
    st.sampled_from(["[", '{"a":', "[{"]),
    depths,
)
names = nasty_text.map(lambda s: s.replace("/", "").replace("\x00", "")[:60])

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def invoke(*args: object):
    # color=True: click would otherwise strip some escape sequences itself, off a terminal.
    return CliRunner().invoke(cli, [str(a) for a in args], color=True)


def check(result, *, json_lines: bool = False) -> None:
    """Exit 0, or one line and exit 1; no traceback; no raw control character."""
    assert result.exit_code in (0, 1), (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        [line] = result.stderr.splitlines()
        assert line.startswith("Error: ")
    assert raw_controls(result.stderr) == set(), result.stderr
    assert raw_controls(result.stdout_bytes.decode("utf-8"), allowed="\n\t\r") == set()
    assert "\r" not in result.stdout_bytes.decode("utf-8").replace("\r\n", "")
    if json_lines and result.exit_code == 0:
        for line in result.stdout.splitlines():
            json.loads(line)


def import_and_check(tmp: Path, path: Path, *options: str) -> Path | None:
    db = tmp / "fuzz.db"
    result = invoke("import", db, path, *options)
    check(result)
    return db if result.exit_code == 0 else None


def story_option(story: str | None) -> list[str]:
    return ["--story", story] if story and story.strip() else []


# --- importers --------------------------------------------------------------------------------


@SETTINGS
@given(
    data=st.one_of(st.binary(max_size=300), nasty.map(lambda s: s.encode("utf-8"))),
    suffix=st.sampled_from([".txt", ".md", ".jsonl", ".ndjson", ".src", ".cleaned", "", ".bin"]),
    name=names,
    story=st.one_of(st.none(), names),
    fmt=st.sampled_from(["auto", "text", "jsonl", "multinews"]),
)
def test_any_file_imports_or_is_refused_in_one_safe_line(
    tmp_path_factory, data, suffix, name, story, fmt
):
    tmp = tmp_path_factory.mktemp("file")
    path = tmp / f"in{name}{suffix}"
    path.write_bytes(data)
    import_and_check(tmp, path, "--format", fmt, *story_option(story))


jsonl_line = st.one_of(
    nesting,
    nasty,
    st.builds(
        lambda record, ascii_: json.dumps(record, ensure_ascii=ascii_),
        st.fixed_dictionaries(
            {"story": st.one_of(names, st.none()), "text": st.one_of(nasty, st.integers())},
            optional={
                "source": names,
                "title": st.one_of(nasty, st.lists(st.integers())),
                "outlet": nasty,
                "url": nasty,
            },
        ),
        st.booleans(),
    ),
    st.builds(lambda inner: '{"story": "S", "text": "x", "title": ' + inner + "}", nesting),
)


@SETTINGS
@given(
    lines=st.lists(st.one_of(nesting, jsonl_line), min_size=1, max_size=5),
    end=st.sampled_from(["\n", "\r\n"]),
)
def test_any_jsonl_imports_or_is_refused_in_one_safe_line(tmp_path_factory, lines, end):
    tmp = tmp_path_factory.mktemp("jsonl")
    path = tmp / "feed.jsonl"
    path.write_bytes(end.join(lines).encode("utf-8"))
    import_and_check(tmp, path)


@SETTINGS
@given(
    stories=st.lists(st.lists(st.one_of(nasty, nesting), min_size=1, max_size=4), max_size=4),
    story=st.one_of(st.none(), names),
)
def test_any_multinews_imports_or_is_refused_in_one_safe_line(tmp_path_factory, stories, story):
    tmp = tmp_path_factory.mktemp("mn")
    path = tmp / "lines.src"
    path.write_bytes("\n".join(" ||||| ".join(parts) for parts in stories).encode("utf-8"))
    import_and_check(tmp, path, *story_option(story))


@SETTINGS
@given(
    files=st.dictionaries(
        names.filter(lambda n: n not in ("", ".", "..")),
        st.tuples(st.sampled_from([".txt", ".md", ".jsonl", ""]), nasty),
        max_size=4,
    ),
    metadata=st.one_of(st.none(), nesting, st.lists(jsonl_line, max_size=3).map("\n".join)),
    folder_name=names,
)
def test_any_folder_imports_or_is_refused_in_one_safe_line(
    tmp_path_factory, files, metadata, folder_name
):
    tmp = tmp_path_factory.mktemp("folder")
    folder = tmp / f"story{folder_name}"
    folder.mkdir()
    for name, (suffix, text) in files.items():
        (folder / f"{name}{suffix}").write_bytes(text.encode("utf-8"))
    if metadata is not None:
        (folder / "metadata.jsonl").write_bytes(metadata.encode("utf-8"))
    import_and_check(tmp, folder)


# --- every output path ------------------------------------------------------------------------


@pytest.fixture
def as_if_on_a_terminal(monkeypatch):
    """export and report write data to stdout as they do onto a terminal (CliRunner's
    stdout is not one; tests/test_hostile.py checks the real detection in a pty)."""
    monkeypatch.setattr(workbench.cli, "stdout_is_terminal", lambda: True)


@SETTINGS
@given(
    articles=st.lists(st.tuples(names, nasty), min_size=2, max_size=4),
    story=names.filter(str.strip),
    reviewers=st.lists(names.filter(str.strip), min_size=1, max_size=2, unique=True),
    note=st.one_of(st.none(), nasty),
)
def test_every_output_path_shows_control_characters(
    tmp_path_factory, as_if_on_a_terminal, articles, story, reviewers, note
):
    tmp = tmp_path_factory.mktemp("out")
    feed = tmp / "feed.jsonl"
    feed.write_text(
        "".join(
            json.dumps({"story": story, "source": source, "text": f"Fact {n}. {text} Said {n}."})
            + "\n"
            for n, (source, text) in enumerate(articles)
        ),
        encoding="utf-8",
    )
    db = import_and_check(tmp, feed)
    assert db is not None  # every line has a story and a text
    claims = invoke("claims", db, "--json")
    check(claims, json_lines=True)
    ids = [json.loads(line)["id"] for line in claims.stdout.splitlines()]
    for reviewer in reviewers:
        args = ["mark", db, "--a", ids[0], "--b", ids[-1], "--label", "contradict"]
        check(invoke(*args, "--reviewer", reviewer, *(["--note", note] if note else [])))
        check(invoke(*args, "--reviewer", reviewer, "--json"), json_lines=True)
    for command in ("stories", "claims", "candidates", "queue", "agreement"):
        check(invoke(command, db))
        check(invoke(command, db, "--json"), json_lines=True)
    check(invoke("queue", db, "--reviewer", reviewers[0], "--min-score", "0"))
    for command in ("claims", "candidates", "queue", "agreement", "report"):
        check(invoke(command, db, "--story", story))
        check(invoke(command, db, "--story", f"{story}?"))  # not found: one line
    for fmt in ("jsonl", "csv", "nli"):
        check(invoke("export", db, "--format", fmt), json_lines=fmt != "csv")
        check(invoke("export", db, "--format", fmt, "--reviewer", f"{reviewers[0]}?"))
    check(invoke("export", db, "--format", "csv", "--raw"))
    for fmt in ("md", "html"):
        check(invoke("report", db, "--format", fmt))
    check(invoke("export", db, "--final"), json_lines=True)
    check(invoke("agreement", db, "--unsure-as-label"))
    check(invoke("align", db, "--story", story))
    sources = [json.loads(line)["article"] for line in claims.stdout.splitlines()]
    by_source = f"{sources[0]}:{ids[0].split(':')[1]}"  # SOURCE:START-END, as claims shows
    check(
        invoke("mark", db, "--a", by_source, "--b", ids[-1], "--label", "agree", "--reviewer", "z")
    )
    # What names a file or a reviewer is one line, whatever the name holds.
    for args in (
        ["export", db, "-o", tmp / f"out{story}.jsonl"],
        ["report", db, "-o", tmp / f"report{story}.md"],
        ["merge", tmp / f"merged{story}.db", db],
        ["undo", db, "--reviewer", reviewers[0]],
        ["undo", db, "--reviewer", reviewers[0]],
    ):
        result = invoke(*args)
        check(result)
        assert result.exit_code == 0 and len((result.stdout + result.stderr).splitlines()) == 1
    check(invoke("merge", tmp / f"merged{story}.db", db, "--json"), json_lines=True)
    check(invoke("stories", tmp / f"{story}.db"))  # a missing database, named
