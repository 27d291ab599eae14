"""The CLI: help for every command, JSON shapes, one-line errors with exit status 1."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import SEEDS_DIR
from workbench.cli import cli
from workbench.store import Store

STORY = "US-Russia deconfliction, Sept 2017"


def run(*args: str, ok: bool = True):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def seeded(tmp_path) -> str:
    db = str(tmp_path / "s.db")
    run("import", db, str(SEEDS_DIR), "--story", STORY, "--quiet")
    return db


def test_every_command_has_help_with_an_example():
    ctx = click.Context(cli)
    names = cli.list_commands(ctx)
    assert {"import", "review", "mark", "report"} <= set(names)
    for name in names:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        result = run(name, "--help")
        assert "Example" in result.output, name
        assert command.help and command.help.strip(), name


def test_python_dash_m_workbench_is_the_cli():
    out = subprocess.run(
        [sys.executable, "-m", "workbench", "--help"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0 and "import" in out.stdout


def test_a_batch_process_ends_with_its_output_whole_and_its_exit_status(tmp_path):
    """The program ends a batch command without the interpreter's teardown: what it wrote
    must still all arrive, its exit status stay, and the database be closed cleanly."""
    db = tmp_path / "s.db"

    # Buffered, as a program's output to a pipe is by default.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}

    def program(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "workbench", *args],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )

    assert program("import", str(db), str(SEEDS_DIR), "--story", STORY, "-q").returncode == 0
    assert not (tmp_path / "s.db-wal").exists()  # the last connection closed and checkpointed
    listed = program("claims", str(db), "--json")
    lines = listed.stdout.splitlines()
    assert listed.returncode == 0 and lines and all(json.loads(line)["id"] for line in lines)
    with Store.open(str(db), readonly=True) as store:
        assert len(lines) == len(store.claims())
    # A report smaller than the stream's buffer, written unflushed as a dataset to a pipe.
    small = tmp_path / "small.db"
    folder = tmp_path / "two"
    folder.mkdir()
    (folder / "a.txt").write_text("The bridge closed on Monday. Six people were hurt.\n")
    (folder / "b.txt").write_text("The bridge closed on Tuesday. Seven people were hurt.\n")
    assert program("import", str(small), str(folder), "-q").returncode == 0
    reported = program("report", str(small))
    expected = run("report", str(small)).output
    assert len(expected) < 8192 and reported.returncode == 0 and reported.stdout == expected
    missing = program("stories", str(tmp_path / "nope.db"))
    assert missing.returncode == 1 and missing.stderr.startswith("Error: ")
    version = program("--version")
    assert version.returncode == 0 and version.stdout.startswith("workbench, version ")
    if Path("/dev/full").exists():  # output that cannot be written: one line, exit 1
        with open("/dev/full", "w") as full:
            done = subprocess.run(
                [sys.executable, "-m", "workbench", "stories", str(db)],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
                env=env,
            )
        assert done.returncode == 1
        assert done.stderr == "Error: No space left on device\n"


def test_import_reports_and_stories_json(tmp_path):
    db = str(tmp_path / "s.db")
    result = run("import", db, str(SEEDS_DIR), "--story", STORY)
    assert "imported 5 article(s)" in result.output
    [story] = [json.loads(line) for line in run("stories", db, "--json").output.splitlines()]
    assert set(story) == {"id", "name", "articles", "claims"}
    assert (story["name"], story["articles"]) == (STORY, 5)


def test_claims_json_by_story_name_or_id(seeded):
    story = json.loads(run("stories", seeded, "--json").output.splitlines()[0])
    by_name = run("claims", seeded, "--story", STORY, "--json").output.splitlines()
    by_id = run("claims", seeded, "--story", story["id"], "--json").output.splitlines()
    assert by_name == by_id and len(by_name) == story["claims"]
    claim = json.loads(by_name[0])
    assert set(claim) == {"id", "story", "article", "start", "end", "text", "kind"}
    text = (SEEDS_DIR / claim["article"]).read_text(encoding="utf-8")
    assert text[claim["start"] : claim["end"]] == claim["text"]


def test_candidates_json_shape(seeded):
    lines = run(
        "candidates", seeded, "--top", "1", "--min-score", "50", "--json"
    ).output.splitlines()
    assert lines
    pair = json.loads(lines[0])
    assert set(pair) >= {"story", "a", "b", "score", "hints"}
    assert set(pair["a"]) == {"article", "claim", "start", "end", "text"}
    assert all(json.loads(line)["score"] >= 50 for line in lines)


def test_align_command_recomputes(seeded):
    before = run("candidates", seeded, "--json").output.splitlines()
    result = run("align", seeded, "--story", STORY, "--top", "1")
    assert "aligned 1 story" in result.output
    rows = [json.loads(line) for line in run("candidates", seeded, "--json").output.splitlines()]
    # each claim's best in each article (rank 1), and discrepancies whatever their rank
    assert all(row["rank"] == 1 or row["discrepancy"] > 0 for row in rows)
    assert 0 < len(rows) <= len(before)


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda p: None, "no such database"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b"\x00garbage" * 100), "not a SQLite database"),
    ],
    ids=["missing", "directory", "corrupt"],
)
@pytest.mark.parametrize("command", ["stories", "claims", "candidates"])
def test_bad_database_is_one_line_and_exit_1(tmp_path, setup, message, command):
    db = tmp_path / "x.db"
    setup(db)
    result = CliRunner().invoke(cli, [command, str(db)])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_bad_import_is_one_line_and_leaves_no_database(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\x01")
    db = tmp_path / "new.db"
    result = CliRunner().invoke(cli, ["import", str(db), str(bad)])
    assert result.exit_code == 1
    assert "bad.txt" in result.output and "binary" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_unknown_story_is_one_line(seeded):
    result = CliRunner().invoke(cli, ["claims", seeded, "--story", "nope"])
    assert result.exit_code == 1 and "no story named" in result.output


def test_control_characters_in_articles_do_not_reach_the_terminal(tmp_path):
    article = tmp_path / "evil.txt"
    article.write_text("Hello \x1b[2J\x1b]0;pwned\x07 world. [bold]Not markup[/bold].")
    db = str(tmp_path / "e.db")
    run("import", db, str(article), "--story", "E", "--quiet")
    out = run("claims", db).output
    assert "\x1b" not in out and "\x07" not in out
    assert "[bold]Not markup[/bold]" in out
    data = [json.loads(x) for x in run("claims", db, "--json").output.splitlines()]
    assert any("\x1b[2J" in c["text"] for c in data)  # JSON keeps the data exact


def test_core_does_not_import_textual():
    code = (
        "import sys, workbench.models, workbench.ingest, workbench.claims, workbench.align, "
        "workbench.hints, workbench.store, workbench.pipeline, workbench.cli\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "assert not bad, bad"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr


def test_failed_import_into_a_new_path_leaves_no_database(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    db = tmp_path / "new.db"
    result = run("import", str(db), str(bad), "-q", ok=False)
    assert result.exit_code == 1 and "empty file" in result.output
    assert list(tmp_path.glob("new.db*")) == []


def test_interrupted_import_into_a_new_path_leaves_no_database(tmp_path, monkeypatch):
    import workbench.pipeline as pipeline

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "import_articles", interrupted)
    result = run("import", str(tmp_path / "new.db"), str(SEEDS_DIR), "-q", ok=False)
    assert result.exit_code == 1
    assert list(tmp_path.glob("new.db*")) == []


@pytest.mark.parametrize("command", ["import", "claims", "candidates", "align"])
def test_empty_story_is_refused_not_taken_as_every_story(seeded, command):
    extra = [str(SEEDS_DIR)] if command == "import" else []
    result = run(command, seeded, *extra, "--story", " ", ok=False)
    assert result.exit_code == 2
    assert "--story" in result.output and "must not be empty" in result.output


def test_claims_and_candidates_show_the_ids_mark_takes(seeded):
    claims = run("claims", seeded, "--claims-only").output.splitlines()
    first = claims[0].split()[0]
    assert ":" in first and "-" in first  # <article id>:<start>-<end>
    candidates = run("candidates", seeded, "--top", "1").output
    assert "ids: " in candidates
    ids_line = next(line for line in candidates.splitlines() if "ids: " in line)
    a, b = ids_line.split("ids: ")[1].split(" ~ ")
    assert (
        run("mark", seeded, "--a", a, "--b", b, "--label", "agree", "--reviewer", "ana").exit_code
        == 0
    )


def test_mark_takes_source_and_offsets(seeded):
    rows = [
        json.loads(line)
        for line in run("candidates", seeded, "--top", "1", "--json").output.splitlines()
    ]
    row = rows[0]
    a = f"{row['a']['article']}:{row['a']['start']}-{row['a']['end']}"
    b = f"{row['b']['article']}:{row['b']['start']}-{row['b']['end']}"
    out = json.loads(run("mark", seeded, "--a", a, "--b", b, "--label", "contradict",
                         "--reviewer", "ana", "--json").output)  # fmt: skip
    assert sorted((out["a"], out["b"])) == sorted((row["a"]["claim"], row["b"]["claim"]))
    bad = run("mark", seeded, "--a", "nope.txt:0-5", "--b", b, "--label", "agree",
              "--reviewer", "ana", ok=False)  # fmt: skip
    assert bad.exit_code == 1 and "no claim at 'nope.txt:0-5'" in bad.output


def test_candidates_print_each_pair_once(seeded):
    rows = [json.loads(line) for line in run("candidates", seeded, "--json").output.splitlines()]
    pairs = [tuple(sorted((r["a"]["claim"], r["b"]["claim"]))) for r in rows]
    assert len(pairs) == len(set(pairs))
    from workbench.store import Store

    with Store.open(seeded, readonly=True) as store:
        stored = {tuple(sorted((r.a.claim.id, r.b.claim.id))) for r in store.candidate_rows()}
    assert set(pairs) == stored  # every pair, once


def test_a_bad_option_or_command_is_one_line_with_exit_2():
    import subprocess
    import sys

    for args in (["stories", "--bogus"], ["nosuch"]):
        done = subprocess.run(
            [sys.executable, "-m", "workbench", *args], capture_output=True, text=True, check=False
        )
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("Error: ")
        assert "--help" in done.stderr


def test_a_pretty_printed_json_file_is_told_what_jsonl_is(tmp_path):
    """A .json article as many outlets and datasets ship it (one object over many lines)
    is read as JSONL by its first line: the error says what is wrong, not "column 2"."""
    article = {"title": "Senate overrides veto", "text": "The Senate voted 97-1.", "story": "veto"}
    path = tmp_path / "article.json"
    path.write_text(json.dumps(article, indent=4), encoding="utf-8")
    result = run("import", str(tmp_path / "a.db"), str(path), ok=False)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert "one JSON document over several lines, not JSONL" in result.output
    assert not (tmp_path / "a.db").exists()
    path.write_text(json.dumps(article) + "\n", encoding="utf-8")  # one line: imported
    assert run("import", str(tmp_path / "a.db"), str(path)).exit_code == 0


def test_a_pdf_is_named_and_a_pdf_in_a_folder_is_skipped_with_a_word(tmp_path):
    pdf = tmp_path / "story" / "scan.pdf"
    pdf.parent.mkdir()
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\n")
    (tmp_path / "story" / "a.txt").write_text("A fact was reported. Another one.")
    alone = run("import", str(tmp_path / "a.db"), str(pdf), ok=False)
    assert alone.exit_code == 1 and "PDF is not supported; convert it to text" in alone.output
    folder = run("import", str(tmp_path / "b.db"), str(pdf.parent), "-q")
    assert f"skipped {pdf}: PDF is not supported: convert it to text" in folder.output


def test_candidates_top_k_ranks_every_article_on_demand(seeded):
    """--top K lists each claim's K best claims in every other article, although the
    database keeps mostly rank 1: ranks 2..K are computed as the aligner ranks them."""
    from workbench.align import ranked_in_articles
    from workbench.store import Store

    rows = [
        json.loads(line)
        for line in run("candidates", seeded, "--top", "3", "--json").output.splitlines()
    ]
    assert {r["rank"] for r in rows} == {1, 2, 3}
    with Store.open(seeded, readonly=True) as store:
        claims = store.claims()
        stored = {
            (r.a.claim.id, r.b.claim.id): (r.rank, r.score)
            for r in store.candidate_rows()
            if r.rank == 1
        }
    full = {(a, b): (rank, score) for a, b, rank, score in ranked_in_articles(claims, 3)}
    # every listed row is one of the aligner's, with its rank and score ...
    for r in rows:
        assert full[(r["a"]["claim"], r["b"]["claim"])] == (r["rank"], r["score"])
    # ... each pair once, and every ranked pair is listed in one direction or the other
    listed = {(r["a"]["claim"], r["b"]["claim"]) for r in rows}
    assert len({tuple(sorted(p)) for p in listed}) == len(listed)
    assert {tuple(sorted(p)) for p in full} == {tuple(sorted(p)) for p in listed}
    # the stored rank-1 rows are what the aligner ranks first, with the same score
    assert stored and all(full[pair] == value for pair, value in stored.items())
    # a claim has at most 3 rows per other article in the aligner's ranking
    per = collections.Counter((a, b.split(":")[0]) for a, b in full)
    assert max(per.values()) == 3


def test_candidates_top_1_holds_each_claims_best_in_every_article(seeded):
    from workbench.align import ranked_in_articles
    from workbench.store import Store

    with Store.open(seeded, readonly=True) as store:
        claims = [c for c in store.claims() if c.kind.value != "boilerplate"]
    articles = {c.article_id for c in claims}
    rows = run("candidates", seeded, "--top", "1", "--json").output.splitlines()
    listed = {
        tuple(sorted((json.loads(x)["a"]["claim"], json.loads(x)["b"]["claim"]))) for x in rows
    }
    best = {(a, b) for a, b, rank, _ in ranked_in_articles(claims, 1)}
    assert len(best) == len(claims) * (len(articles) - 1)
    assert {tuple(sorted(p)) for p in best} == listed


def _help_examples(command: str) -> list[str]:
    """The example lines of a command's --help (a line ending in \\ joined to the next)."""
    text = CliRunner().invoke(cli, [command, "--help"]).output
    block = text.split("Example:", 1)[1].split("Options:", 1)[0]
    return [
        " ".join(line.split()) for line in block.replace("\\\n", " ").splitlines() if line.strip()
    ]


def test_the_help_examples_run_as_printed(tmp_path, monkeypatch):
    """A newcomer copies an example from --help: on sample.db (or on the stories.db the
    import example builds) it runs, story names included."""
    import shlex
    import shutil
    from pathlib import Path

    root = Path(SEEDS_DIR).parent.parent
    shutil.copyfile(root / "sample.db", tmp_path / "sample.db")
    monkeypatch.chdir(root)  # the import example names examples/seeds
    skip = {"mark", "merge", "review", "serve"}  # placeholders, other files, the app
    names = set(cli.list_commands(click.Context(cli)))
    commands = ["import"] + sorted(names - skip - {"import"})
    ran = 0
    for command in commands:
        for example in _help_examples(command):
            words = shlex.split(example.split(" | ")[0].split(" > ")[0])
            if "feed.jsonl" in words or ("--reviewer" in words and command == "export"):
                continue  # a file of the reader's own; marks nobody has made here
            words = [
                str(tmp_path / w) if w.endswith((".db", ".html", ".jsonl", ".md")) else w
                for w in words[1:]
            ]
            result = CliRunner().invoke(cli, words)
            assert result.exit_code == 0, (example, result.output)
            ran += 1
    assert ran >= 9
