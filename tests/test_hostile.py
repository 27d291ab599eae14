"""Hostile input (issue 13): escape sequences that reached the terminal, files nobody meant
to import, a story that ran to 16 GB, tracebacks in the app, spreadsheet formulas.

Each test here failed before its fix. The random version of these (every importer, every
output path) is tests/test_hostile_fuzz.py; the browser view's refusals are in
tests/test_tui_serve.py.
"""

from __future__ import annotations

import csv
import json
import os
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from test_tui_helpers import app_for, crafted_db, press, screen_text, settle, standing, started

from conftest import SEEDS_DIR
from workbench.cli import cli
from workbench.display import safe_text
from workbench.errors import IngestError
from workbench.export import csv_cell, csv_value, read_csv
from workbench.hints import find_hints
from workbench.ingest import read_inputs
from workbench.models import Label
from workbench.store import Store

# Set the terminal's title, clear the screen, write the clipboard (OSC 0, CSI 2J, OSC 52).
ATTACK = "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;cHduZWQ=\x07"
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def raw_controls(text: str, *, allowed: str = "\n\t") -> set[str]:
    """Characters that must never reach a terminal raw: C0 and C1 controls, DEL, the line
    and paragraph separators and the bidirectional controls (defined here, independently
    of workbench.display)."""
    return {
        ch
        for ch in text
        if ch not in allowed
        and (unicodedata.category(ch) == "Cc" or ch in BIDI or ch in "\u2028\u2029")
    }


def run(*args: object, ok: bool | None = None):
    # color=True: click would otherwise strip some (not all) escape sequences itself when
    # the output is not a terminal, hiding what a terminal would receive.
    result = CliRunner().invoke(cli, [str(a) for a in args], color=True)
    if ok is True:
        assert result.exit_code == 0, result.output
    return result


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: ")
    assert "Traceback" not in result.stderr
    return line


def jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# --- escape sequences that reached the terminal -------------------------------------------------


def test_skipped_line_shows_the_control_characters_of_a_stored_source(tmp_path):
    db = tmp_path / "s.db"
    first = jsonl(tmp_path / "a.jsonl", {"story": "A", "text": "Same fact.", "source": ATTACK})
    second = jsonl(tmp_path / "b.jsonl", {"story": "B", "text": "Same fact."})
    run("import", db, first, ok=True)
    result = run("import", db, second, ok=True)
    assert "already stored as" in result.stderr
    assert raw_controls(result.output) == set()
    assert safe_text(ATTACK) in result.stderr
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "content", [b"\x00binary", b"", b"caf\xe9"], ids=["nul", "empty", "latin1"]
)
def test_file_names_in_errors_show_their_control_characters(tmp_path, content):
    bad = tmp_path / f"{ATTACK}\u202e.txt"
    bad.write_bytes(content)
    line = one_line_error(run("import", tmp_path / "s.db", bad))
    assert raw_controls(line) == set() and "pwned" in line


def test_a_folder_name_in_an_error_shows_its_control_characters(tmp_path):
    folder = tmp_path / f"news{ATTACK}"
    folder.mkdir()
    (folder / "x.pdf").write_bytes(b"%PDF")
    line = one_line_error(run("import", tmp_path / "s.db", folder))
    assert raw_controls(line) == set() and "no .txt" in line


def test_click_usage_errors_show_control_characters_too(tmp_path):
    # A guard: click quotes what it echoes with repr(); this keeps it so.
    result = run("claims", tmp_path / "none.db", "--story", ATTACK + "x\n2")
    assert result.exit_code == 1 and raw_controls(result.output) == set()
    result = run(f"stories{ATTACK}")
    assert result.exit_code == 2 and raw_controls(result.output) == set()


C1_TEXT = "Officials said \x9b2J it \x9d0;t\x07 and\u2028more \u0085 on\u202e\u200f Friday."


@pytest.fixture
def c1_db(tmp_path) -> Path:
    db = tmp_path / "c1.db"
    feed = jsonl(
        tmp_path / "c1.jsonl",
        {"story": "C1\x9b\u202e", "text": C1_TEXT, "source": "s\x9d1\u061c"},
        {"story": "C1\x9b\u202e", "text": "Officials said it on Friday.", "source": "s2\u200e"},
    )
    run("import", db, feed, ok=True)
    with Store.open(db) as store:
        row = next(iter(store.candidate_rows(top=1)))
        for reviewer in ("ana\x9b", "bob\u2066"):
            store.record_mark(row.a.claim.id, row.b.claim.id, "agree", reviewer)
    return db


@pytest.mark.parametrize("command", ["stories", "claims", "candidates", "queue", "agreement"])
def test_json_output_escapes_every_control_character(c1_db, command):
    result = run(command, c1_db, "--json", ok=True)
    assert raw_controls(result.output) == set()
    assert "\\u009b" in result.output
    for line in result.output.splitlines():
        json.loads(line)
    if command == "claims":
        texts = {json.loads(line)["text"] for line in result.output.splitlines()}
        assert any("\x9b2J" in text and "\u2028" in text for text in texts)  # same value


@pytest.mark.parametrize("command", ["stories", "claims", "candidates", "queue", "agreement"])
def test_text_output_shows_every_control_character(c1_db, command):
    result = run(command, c1_db, ok=True)
    assert result.output and raw_controls(result.output) == set()


def test_exported_json_escapes_c1_and_reads_back_the_same(c1_db, tmp_path):
    with Store.open(c1_db) as store:
        row = next(iter(store.candidate_rows(top=1)))
        store.record_mark(row.a.claim.id, row.b.claim.id, "agree", "ana\x9b", note="n\u2028o")
        store.undo_last("bob\u2066")
    for fmt in ("jsonl", "nli"):
        out = tmp_path / f"x.{fmt}"
        run("export", c1_db, "--format", fmt, "-o", out, ok=True)
        text = out.read_text(encoding="utf-8")
        assert raw_controls(text) == set()
        assert json.loads(text.splitlines()[0])  # still JSON, the same values
    record = json.loads((tmp_path / "x.jsonl").read_text(encoding="utf-8"))
    assert (record["reviewer"], record["note"]) == ("ana\x9b", "n\u2028o")


def test_a_newline_in_a_name_never_starts_a_line_of_its_own(c1_db, tmp_path):
    """A reviewer or file name holding a line break printed a second line, which could
    pass for the program's own ("Error: ..."): one line each, the break shown as a space."""
    forged = "ana\nError: the database is damaged\r\x85\u2028"
    with Store.open(c1_db, readonly=True) as store:
        row = next(iter(store.candidate_rows(top=1)))
    pair = ["--a", row.a.claim.id, "--b", row.b.claim.id, "--label", "agree"]
    for args in (
        ["mark", c1_db, *pair, "--reviewer", forged],
        ["undo", c1_db, "--reviewer", forged],
        ["undo", c1_db, "--reviewer", forged],  # nothing left to undo
        ["export", c1_db, "-o", tmp_path / f"x{forged}.jsonl"],
        ["report", c1_db, "-o", tmp_path / f"r{forged}.md"],
        ["merge", tmp_path / f"m{forged}.db", c1_db],
    ):
        result = run(*args, ok=True)
        printed = result.stdout + result.stderr
        assert len(printed.splitlines()) == 1, (args[0], printed)
        assert "Error" in printed and raw_controls(printed) == set()


def test_export_and_report_onto_a_real_terminal_show_control_characters(c1_db):
    """The one subprocess here: stdout a pseudo-terminal, as when a user runs export
    without -o. Into a file or a pipe the bytes are kept (the tests above)."""
    import pty
    import subprocess

    from terminal import workbench_program

    with Store.open(c1_db) as store:
        row = next(iter(store.candidate_rows(top=1)))
        store.record_mark(row.a.claim.id, row.b.claim.id, "contradict", "ana", note=ATTACK)
    for args in (["export", "--format", "csv"], ["export"], ["report"]):
        controller, terminal = pty.openpty()
        process = subprocess.Popen(
            [workbench_program(), args[0], str(c1_db), *args[1:]], stdout=terminal, stderr=terminal
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the program closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        os.close(controller)
        assert process.wait(timeout=60) == 0
        text = shown.decode("utf-8")
        assert "pwned" in text or args[0] == "report", text
        # The terminal's own line discipline turns "\n" into "\r\n".
        assert raw_controls(text, allowed="\n\t\r") == set(), (args, text)


# --- files a user did not mean to import -------------------------------------------------------


@pytest.fixture
def outside(tmp_path) -> Path:
    secret = tmp_path / "elsewhere" / "passwd.txt"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    return secret


def test_symlinks_out_of_the_folder_are_not_followed_and_are_named(tmp_path, outside):
    story = tmp_path / "story"
    story.mkdir()
    (story / "a.txt").write_text("One fact here.")
    (story / "passwd.txt").symlink_to(outside)
    (story / "sub").mkdir()
    (story / "sub" / "b.txt").write_text("Another fact.")
    (story / "out").symlink_to(outside.parent, target_is_directory=True)
    (story / f"evil{ATTACK}.txt").symlink_to(outside)
    (story / "twin.txt").symlink_to(story / "sub" / "b.txt")  # stays inside: followed
    db = tmp_path / "s.db"
    result = run("import", db, story, ok=True)
    skipped = [line for line in result.stderr.splitlines() if "a symbolic link to" in line]
    assert len(skipped) == 3 and all("--follow-symlinks" in line for line in skipped)
    assert any("passwd.txt" in line for line in skipped)
    assert raw_controls(result.output) == set()
    with Store.open(db, readonly=True) as store:
        texts = {a.text for s in store.stories() for a in store.articles(s.id)}
    assert texts == {"One fact here.", "Another fact."}
    # Asked for, it is read.
    result = run("import", tmp_path / "f.db", story, "--follow-symlinks", ok=True)
    assert "symbolic link" not in result.stderr
    with Store.open(tmp_path / "f.db", readonly=True) as store:
        texts = {a.text for s in store.stories() for a in store.articles(s.id)}
    assert outside.read_text() in texts


def test_a_symlinked_metadata_file_out_of_the_folder_is_not_read(tmp_path):
    metadata = tmp_path / "meta.jsonl"
    metadata.write_text(json.dumps({"file": "a.txt", "outlet": "leaked"}) + "\n")
    story = tmp_path / "story"
    story.mkdir()
    (story / "a.txt").write_text("A fact.")
    (story / "metadata.jsonl").symlink_to(metadata)
    skipped: list = []
    [article] = read_inputs([story], skipped=skipped)
    assert article.outlet is None and [s.path.name for s in skipped] == ["metadata.jsonl"]


def test_a_path_named_on_the_command_line_is_read_even_as_a_link(tmp_path, outside):
    link = tmp_path / "given.txt"
    link.symlink_to(outside)
    [article] = read_inputs([link], story="S")
    assert article.text == outside.read_text()


@pytest.mark.parametrize(
    "name, first_line",
    [
        ("quote.txt", "He typed ||||| twice. Then NEWLINE_CHAR appeared."),
        ("note.md", "Our NEWLINE_CHAR token is documented here."),
        ("feed.txt", '{"story": "S", "text": "not JSON to us"}'),
    ],
)
def test_a_text_file_is_text_whatever_its_first_line_says(tmp_path, name, first_line):
    path = tmp_path / name
    path.write_text(first_line + "\nSecond line.\n")
    [article] = read_inputs([path], story="S")
    assert article.text == first_line + "\nSecond line.\n"


SEPARATORS = ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\r"]


@pytest.mark.parametrize("separator", SEPARATORS, ids=[f"U+{ord(s):04X}" for s in SEPARATORS])
def test_lines_end_at_newline_only(tmp_path, separator):
    record = {"story": "S", "text": f"First{separator}second."}
    path = tmp_path / "feed.jsonl"
    # json.dumps leaves U+2028, U+2029 and U+0085 raw in a string (JSON allows them there);
    # C0 controls it escapes, as JSON requires.
    path.write_bytes((json.dumps(record, ensure_ascii=False) + "\r\n").encode("utf-8"))
    line = path.read_bytes().decode("utf-8").removesuffix("\r\n")
    assert (separator in line) == (ord(separator) > 0x7F)
    [article] = read_inputs([path])
    assert article.text == record["text"]
    multinews = tmp_path / "mn.src"
    multinews.write_text(f"One{separator}article ||||| Two.\r\nNext story.\n", newline="")
    articles = read_inputs([multinews])
    assert [(a.story, a.text) for a in articles] == [
        ("mn #1", f"One{separator}article"),
        ("mn #1", "Two."),
        ("mn #2", "Next story."),
    ]


# --- resource bounds ------------------------------------------------------------------------------


def test_a_story_of_too_many_articles_is_refused_in_one_line_before_any_write(tmp_path):
    line = " ||||| ".join(f"Article number {n} says {n} people came." for n in range(10_001))
    path = tmp_path / "big.src"
    path.write_text(line + "\n")
    db = tmp_path / "s.db"
    error = one_line_error(run("import", db, path))
    assert "big.src:1: more than 1,000 articles in one story (see --max-articles)" in error
    assert not db.exists()
    with pytest.raises(IngestError, match="more than 20"):
        read_inputs([path], max_articles=20)


def test_the_article_limit_counts_a_story_across_lines_and_files(tmp_path):
    feed = jsonl(tmp_path / "f.jsonl", *({"story": "S", "text": f"Fact {n}."} for n in range(3)))
    more = jsonl(tmp_path / "g.jsonl", {"story": "S", "text": "Fact 3."})
    assert len(read_inputs([feed, more], max_articles=4)) == 4
    with pytest.raises(IngestError, match=r"g\.jsonl:1: story 'S' has more than 3 articles"):
        read_inputs([feed, more], max_articles=3)
    error = one_line_error(run("import", tmp_path / "s.db", feed, "--max-articles", "2"))
    assert "more than 2 articles" in error


def test_alignment_is_bounded_whatever_the_article_limit(tmp_path):
    """A story within --max-articles can still be too big to align (claims x other
    articles): one line, exit 1, nothing left behind, and no hours of work first."""
    line = " ||||| ".join(
        " ".join(f"Report {n} says fact {k} came." for k in range(16)) for n in range(1_000)
    )  # 16,000 claims x 999 other articles
    path = tmp_path / "wide.src"
    path.write_text(line + "\n")
    db = tmp_path / "s.db"
    error = one_line_error(run("import", db, path))
    assert "over what alignment takes" in error and "wide #1" in error
    assert not db.exists()
    run("import", db, path, "--no-align", "-q", ok=True)  # the way out the message names
    with Store.open(db, readonly=True) as store:
        assert store.story_summaries()[0].articles == 1_000


@pytest.mark.parametrize("options", [[], ["--no-align"]])
def test_an_article_of_too_many_sentences_is_refused_before_it_is_split(tmp_path, options):
    """28 MB of "Ab cd. " ran for minutes and past 3 GB (4 million claims split, then
    written) before alignment refused the story: the sentences are counted first."""
    from workbench.ingest import MAX_ARTICLE_SENTENCES

    path = tmp_path / "long.txt"
    path.write_text("Ab cd. " * (MAX_ARTICLE_SENTENCES + 1))
    db = tmp_path / "s.db"
    error = one_line_error(run("import", db, path, *options))
    assert "long.txt: more than 100,000 sentences and lines in one article" in error
    assert not db.exists()
    path.write_text("Ab cd\n" * (MAX_ARTICLE_SENTENCES + 1))
    with pytest.raises(IngestError, match="more than 100,000 sentences"):
        read_inputs([path])
    path.write_text("Ab cd. " * (MAX_ARTICLE_SENTENCES - 1))
    assert read_inputs([path])


def test_a_story_too_large_to_align_is_refused_before_its_claims_are_written(tmp_path, monkeypatch):
    """Alignment refused such a story only after every article of it was written (the WAL
    of the 10,001-article line reached 16 GB): the claims are counted as they come, those
    stored included, and the article that makes the story too large is never written."""
    from workbench.align import MAX_CLAIMS

    written: list[int] = []
    add_article = Store.add_article

    def counted(self, article, spans, norms=None, traits=None):
        written.append(len(spans))
        return add_article(self, article, spans, norms, traits)

    monkeypatch.setattr(Store, "add_article", counted)

    def article(n: int) -> dict:
        text = " ".join(f"Report {n} gives fact {k} here." for k in range(MAX_CLAIMS // 3 + 1))
        return {"story": "G", "source": f"s{n}", "text": text}

    db = tmp_path / "s.db"
    error = one_line_error(run("import", db, jsonl(tmp_path / "a.jsonl", *map(article, range(3)))))
    assert "story 'G': 30,003 claims in 3 articles is over what alignment takes" in error
    assert sum(written) <= MAX_CLAIMS and not db.exists()
    run("import", db, jsonl(tmp_path / "b.jsonl", article(0), article(1)), "-q", ok=True)
    written.clear()
    error = one_line_error(run("import", db, jsonl(tmp_path / "c.jsonl", article(2))))
    assert "30,003 claims in 3 articles" in error and written == []


def _dense(words: list[str], n: int, seed: int) -> str:
    """A "sentence" of n words, most of them figures, dates, durations or negations."""
    import random

    pick = random.Random(seed).choice
    return " ".join(pick(words) for _ in range(n)) + "."


DENSE = ["12 people", "15 killed", "$5 million", "Monday", "Sept. 15, 2017", "three hours"]
DENSE += ["at least an hour", "did not", "denied", "never", "reportedly", "10 a.m.", "said"]


def test_the_hint_finder_works_in_bounded_time_on_any_claim(monkeypatch):
    """Two "sentences" of 240 KB of figures took 4 GB and minutes to compare (every figure
    of one against every figure of the other): a claim is read up to CLAIM_CHARS and up to
    MAX_ITEMS items of each kind, so a pair costs what two long sentences do. Counted, not
    timed: how often two items' contexts are compared."""
    import workbench.hints as hints

    calls = 0
    affinity = hints.affinity

    def counted(x, y):
        nonlocal calls
        calls += 1
        return affinity(x, y)

    monkeypatch.setattr(hints, "affinity", counted)
    a, b = _dense(DENSE, 3_000, 1), _dense(DENSE, 3_000, 2)
    assert hints.discrepancy(a, b).score > 0 and hints.find_hints(a, b)
    assert hints.frame_keys(a)
    # Every pairing kind (date, weekday, time, number, duration) within MAX_ITEMS squared,
    # for discrepancy and find_hints, and a comparability test each.
    assert calls <= 2 * 5 * 2 * hints.MAX_ITEMS**2, calls


@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 8)), max_size=40))
def test_free_spans_answer_as_a_look_at_each_did(spans):
    from workbench.quantities import Spans

    taken, kept = Spans(), []
    for start, length in spans:
        end = start + length
        assert taken.free(start, end) == all(end <= a or start >= b for a, b in kept)
        if taken.free(start, end):
            taken.add((start, end))
            kept.append((start, end))


def test_what_lies_past_the_claim_chars_is_not_compared():
    from workbench.textnorm import CLAIM_CHARS

    filler = "x " * (CLAIM_CHARS // 2)
    near = find_hints("12 people died. " + filler, "15 people died. " + filler)
    assert [(h.kind, h.a, h.b) for h in near] == [("number", "12", "15")]
    assert find_hints(filler + "12 people died.", filler + "15 people died.") == []


def test_a_bare_reply_is_short():
    """A reply naming no fact of its own borrows the sentence before it; what is longer than
    a claim is read is none (its polarity took a minute on 112 KB)."""
    from workbench.hints import bare_reply
    from workbench.textnorm import CLAIM_CHARS

    assert bare_reply("The ministry officially denied the accusation.")
    long = "The ministry denied the accusation " + "officially " * (CLAIM_CHARS // 10) + "."
    assert not bare_reply(long)


@pytest.mark.parametrize("where", ["feed.jsonl", "metadata.jsonl"])
def test_deeply_nested_json_is_one_line_not_a_traceback(tmp_path, where):
    story = tmp_path / "story"
    story.mkdir()
    (story / "a.txt").write_text("A fact.")
    (story / where).write_text("[" * 100_000 + "\n")
    error = one_line_error(run("import", tmp_path / "s.db", story, "--story", "S"))
    assert f"{where}:1: JSON nested too deeply" in error


# --- CSV: spreadsheet formulas ----------------------------------------------------------------


FORMULAS = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


@pytest.fixture
def formula_db(tmp_path) -> Path:
    db = tmp_path / "f.db"
    run("import", db, SEEDS_DIR, "--story", "=cmd|' /C calc'!A0", "-q", ok=True)
    with Store.open(db) as store:
        rows = list(store.candidate_rows(top=1))
        for row, note in zip(rows, [*FORMULAS, "'quoted", "plain"], strict=False):
            store.record_mark(row.a.claim.id, row.b.claim.id, "agree", "@ana", note=note)
    return db


def test_csv_cells_that_a_spreadsheet_would_run_are_prefixed(formula_db, tmp_path):
    out = tmp_path / "x.csv"
    run("export", formula_db, "--format", "csv", "-o", out, ok=True)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cells = [value for row in rows for value in row.values()]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {r["story"] for r in rows} == {"'=cmd|' /C calc'!A0"}
    assert {r["reviewer"] for r in rows} == {"'@ana"}
    assert {f"'{f}" for f in FORMULAS} | {"''quoted", "plain"} == {r["note"] for r in rows}
    # Read back through read_csv, every value is what was stored.
    with Store.open(formula_db, readonly=True) as store:
        stored = {m.note for m in store.current_marks()}
    assert {r["note"] for r in read_csv(out)} == stored


def test_raw_writes_the_cells_as_stored(formula_db, tmp_path):
    out = tmp_path / "raw.csv"
    run("export", formula_db, "--format", "csv", "--raw", "-o", out, ok=True)
    with out.open(encoding="utf-8", newline="") as handle:
        notes = {row["note"] for row in csv.DictReader(handle)}
    assert set(FORMULAS) <= notes and "'quoted" in notes
    assert {r["note"] for r in read_csv(out, raw=True)} == notes
    assert "--raw" in run("export", "--help").output and "formula" in run("export", "--help").output


def test_the_prefix_on_stdout_and_in_files_is_the_same(formula_db, tmp_path):
    out = tmp_path / "x.csv"
    run("export", formula_db, "--format", "csv", "-o", out, ok=True)
    printed = run("export", formula_db, "--format", "csv", ok=True).stdout_bytes
    assert printed == out.read_bytes()


@given(st.text())
def test_the_csv_prefix_is_undone_exactly(value):
    cell = csv_cell(value)
    assert csv_value(cell) == value
    assert not cell[:1] or cell[:1] not in "=+-@\t\r"


# --- the review app -------------------------------------------------------------------------------


async def test_a_key_map_with_markup_starts_the_app_with_defaults_and_a_warning(tmp_path):
    db = crafted_db(
        tmp_path / "k.db",
        {"S": [("a.txt", "Six were hurt on Friday."), ("b.txt", "Six were hurt on Friday!")]},
    )
    keys = tmp_path / "keys.toml"
    keys.write_text(
        '"[/]" = "y"\n"[b]x[/b]" = "z"\nagree = "[/]"\nundo = "\\u001b[2J"\n', encoding="utf-8"
    )
    app = app_for(db, keys=keys, story="S")
    async with app.run_test(notifications=True) as pilot:
        await started(app, pilot)
        messages = [n.message for n in app._notifications]
        assert any("unknown binding id '[/]'" in m for m in messages), messages
        assert any("agree: '[/]' is not a key" in m for m in messages), messages
        assert any("undo: '\\x1b[2J' is not a key" in m for m in messages), messages
        await press(app, pilot, "a")  # the default key still agrees
        await pilot.press("question_mark")  # and the help screen lists the keys
        await pilot.pause()
    assert list(standing(db).values()) == [Label.AGREE]


@pytest.mark.parametrize("key", ["\u202e", "\u200f", "ctrl+\u2066", "\u2028", "\x85"])
def test_a_key_that_would_reorder_the_footer_is_refused(tmp_path, key):
    """The footer and the hint line print each key raw: a right-to-left override as the
    agree key reversed the rest of the line."""
    from workbench.tui.keys import load_keymap

    keys = tmp_path / "keys.toml"
    keys.write_text(f'agree = {json.dumps(key)}\nunsure = "y"\n', encoding="utf-8")
    keymap, [problem] = load_keymap(keys)
    assert keymap == {"unsure": "y"} and "agree" in problem  # the default key is kept


async def test_a_nul_pasted_into_the_search_box_does_not_end_the_app(tmp_path):
    """FTS5 took a NUL for the end of its quoted word: "unterminated string", and the
    search worker's error ended the app with a traceback."""
    from textual.events import Paste

    db = crafted_db(
        tmp_path / "n.db",
        {"S": [("a.txt", "Six were hurt on Friday."), ("b.txt", "Six were hurt on Friday!")]},
    )
    app = app_for(db, story="S")
    async with app.run_test() as pilot:
        await started(app, pilot)
        await pilot.press("slash")
        await pilot.pause()
        box = app.screen.query_one("#search-input")
        box.post_message(Paste("Friday\x00six"))
        await settle(app, pilot)
        await app.screen.last_search.wait()
        assert app.screen.query_one("#search-results").option_count == 2
    assert app.return_code in (0, None)
    with Store.open(db, readonly=True) as store:
        assert len(store.search_claims("\x00Six\x00")) == 2


async def test_o_hands_the_program_the_article_only_under_a_fixed_name(tmp_path, monkeypatch):
    from workbench.tui.screens.review import ReviewScreen

    text = f"Officials said {ATTACK} six were hurt.\nA second line."
    db = crafted_db(
        tmp_path / "o.db",
        {"S": [("..", text), (f"{ATTACK}b.txt", "Officials said seven were hurt.")]},
    )
    ran: list[tuple[list[str], str, int]] = []

    def program(self, command: list[str]) -> bool:
        path = Path(command[-1])
        ran.append((command, path.read_text(encoding="utf-8"), os.stat(path).st_mode & 0o777))
        return True

    monkeypatch.setattr(ReviewScreen, "_run_external", program)
    app = app_for(db, env={"EDITOR": "true"}, story="S")
    async with app.run_test() as pilot:
        await started(app, pilot)
        for _ in range(2):  # each side, whichever the app put left
            await pilot.press("o")
            await pilot.pause()
            await app.screen.settled()
            await pilot.press("tab")
            await pilot.pause()
    assert len(ran) == 2
    for command, content, mode in ran:
        assert command[0] == "true" and command[1].startswith("+")
        assert Path(command[-1]).name == "article.txt"
        assert all("pwned" not in part and ".." not in part for part in command)
        assert raw_controls(content) == set() and mode == 0o444
    assert {content for _, content, _ in ran} == {
        safe_text(text),
        "Officials said seven were hurt.",
    }


async def test_the_note_editor_gets_a_fixed_name_and_a_broken_editor_falls_back(
    tmp_path, monkeypatch
):
    from workbench.tui.screens.modals import ArticleViewer, NoteScreen
    from workbench.tui.screens.review import ReviewScreen

    db = crafted_db(
        tmp_path / "n.db",
        {"S": [(ATTACK, "Six were hurt on Friday."), ("..", "Six were hurt on Friday!")]},
    )
    ran: list[list[str]] = []

    def editor(self, command: list[str]) -> bool:
        ran.append(command)
        Path(command[-1]).write_text("edited", encoding="utf-8")
        return True

    monkeypatch.setattr(ReviewScreen, "_run_external", editor)
    env = {"EDITOR": "ed --flag"}
    app = app_for(db, env=env, story="S")
    async with app.run_test(notifications=True) as pilot:
        await started(app, pilot)
        screen = app.screen
        pair = screen.session.pair
        await press(app, pilot, "c")
        screen.show_pair(*pair)
        await settle(app, pilot)
        await press(app, pilot, "e")
        [command] = ran
        assert command[:2] == ["ed", "--flag"] and Path(command[-1]).name == "note.txt"
        assert all("pwned" not in part for part in command)
        assert "edited" in screen_text(app)
        # An $EDITOR that is not a command line (an unbalanced quote): a warning and the
        # app's own viewer and note box, never a crash.
        env["EDITOR"] = "vim '"
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, ArticleViewer)
        await press(app, pilot, "escape", "e")
        assert isinstance(app.screen, NoteScreen)
        assert any("$EDITOR is not a command line" in n.message for n in app._notifications)
    assert len(ran) == 1


def test_a_served_session_is_given_no_editor_or_pager(tmp_path, monkeypatch):
    """Through `serve`, whoever is at the browser types into `review`: $EDITOR (vim's :!sh)
    must never run on the server. Here the session is made as serve makes it."""
    made: dict = {}

    class Finished:
        return_code = 0

        def run(self) -> None:
            pass

    def make_app(db, **options):
        made.update(options)
        return Finished()

    monkeypatch.setattr("workbench.tui.app.make_app", make_app)
    db = tmp_path / "s.db"
    run("import", db, SEEDS_DIR, "--story", "S", "-q", ok=True)
    served = {"TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver"}
    result = CliRunner().invoke(
        cli,
        ["review", str(db), "--reviewer", "web"],
        env={**served, "EDITOR": "vim", "PAGER": "less"},
    )
    assert result.exit_code == 0, result.output
    assert "EDITOR" not in made["env"] and "PAGER" not in made["env"]


def test_json_escapes_del_too():
    """DEL is ASCII, but a terminal control all the same (found by the output fuzz test)."""
    from workbench.display import json_line

    assert json_line({"reviewer": "\x7f"}) == '{"reviewer": "\\u007f"}'
