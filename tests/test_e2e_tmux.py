"""The installed `workbench` program in a real terminal (tmux): import, review, mark, quit.

Skipped only where tmux is absent. The test waits for what the screen shows (polling the
pane, with a generous deadline), never for a fixed time.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from terminal import DEADLINE_S, Tmux, import_seeds, needs_tmux, workbench_program
from workbench.models import Label
from workbench.store import Store

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "examples" / "seeds"
STORY = "US-Russia deconfliction, Sept 2017"

pytestmark = needs_tmux


@pytest.fixture
def tmux(tmp_path):
    session = Tmux(tmp_path)
    yield session
    session.close()


@pytest.fixture
def db(tmp_path) -> Path:
    return import_seeds(tmp_path / "seed.db")


def _review_command(db: Path, tmp: Path, env: dict[str, str], *extra: str) -> str:
    done = tmp / "exit-status"
    settings = " ".join(f"{k}={v}" for k, v in env.items())
    return (
        f"env -u EDITOR -u PAGER WORKBENCH_CONFIG={tmp / 'no-keys.toml'} {settings} "
        f"{workbench_program()} review {db} --reviewer e2e {' '.join(extra)}; "
        f"echo $? > {done}; sleep 600"
    )


def _wait_exit(tmp: Path) -> int:
    done = tmp / "exit-status"
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        if done.exists() and done.read_text().strip():
            return int(done.read_text())
        time.sleep(0.1)
    raise AssertionError("workbench review did not exit after q")


def test_review_in_a_real_terminal_marks_and_quits(tmux, db, tmp_path):
    tmux.start(_review_command(db, tmp_path, {}))
    # The header can be drawn a frame before the panes and the strip: wait for all three.
    first = tmux.wait_for(lambda s: "marked 0/" in s and "score" in s, "the review screen")
    assert "reviewer: e2e" in first
    tmux.keys("a")
    tmux.wait_for(lambda s: "marked 1/" in s, "the mark to show in the header")
    tmux.keys("q")
    assert _wait_exit(tmp_path) == 0
    with Store.open(db, readonly=True) as store:
        marks = store.current_marks(reviewer="e2e")
    assert [m.label for m in marks] == [Label.AGREE]


def _cursor_in_both_panes(screen: str) -> bool:
    """The current claim's cursor bar (at the start of its lines) shows in both panes,
    which meet at "││"."""
    halves = [line.split("││", 1) for line in screen.splitlines() if "││" in line]
    return any(left.startswith("│▌") for left, _ in halves) and any(
        right.startswith("▌") for _, right in halves
    )


def test_after_a_restart_both_panes_show_the_pair_the_next_key_marks(tmux, db, tmp_path):
    tmux.start(_review_command(db, tmp_path, {}))
    tmux.wait_for(lambda s: "marked 0/" in s, "the review screen")
    for count, key in enumerate("aacsa", start=1):
        tmux.keys(key)
        tmux.wait_for(lambda s, n=count: f"marked {n}/" in s, f"mark {count}")
    tmux.keys("q")
    assert _wait_exit(tmp_path) == 0
    tmux.close()
    again = Tmux(tmp_path)
    try:
        (tmp_path / "exit-status").unlink()
        again.start(_review_command(db, tmp_path, {}))
        screen = again.wait_for(lambda s: "marked 5/" in s, "the review screen again")
        screen = again.wait_for(_cursor_in_both_panes, "the current claims in both panes")
        assert "not marked yet" in screen
    finally:
        again.close()


def test_note_and_open_go_through_the_real_editor(tmux, db, tmp_path):
    log = tmp_path / "editor.log"
    editor = tmp_path / "fake-editor"
    editor.write_text(
        "#!/bin/sh\n"
        "for last; do :; done\n"
        f'case "$1" in +*) echo "open $1 $(stat -c %a "$last")" >> {log};;\n'
        f"  *) printf 'note from tmux' > \"$last\"; echo note >> {log};; esac\n",
        encoding="utf-8",
    )
    editor.chmod(0o755)
    tmux.start(_review_command(db, tmp_path, {"EDITOR": str(editor)}))
    tmux.wait_for(lambda s: "marked 0/" in s, "the review screen")
    tmux.keys("o")  # opens the left article at the current claim, in the "editor"
    tmux.wait_for(lambda s: log.exists() and "open" in log.read_text(), "the article to open")
    opened = log.read_text().split()
    assert opened[0] == "open" and opened[1].startswith("+") and opened[2] == "444"
    tmux.wait_for(lambda s: "marked 0/" in s, "the app to come back")
    tmux.keys("c")
    tmux.wait_for(lambda s: "marked 1/" in s, "the mark")
    tmux.keys("e")  # right after a mark: a note on the pair just marked
    tmux.wait_for(lambda s: "Note saved on the pair" in s, "the note saved")
    tmux.keys("q")
    assert _wait_exit(tmp_path) == 0
    with Store.open(db, readonly=True) as store:
        marks = store.current_marks(reviewer="e2e")
    assert [(m.label, m.note) for m in marks] == [(Label.CONTRADICT, "note from tmux")]


def test_marks_from_another_process_show_up_live(tmux, db, tmp_path):
    tmux.start(_review_command(db, tmp_path, {}))
    tmux.wait_for(lambda s: "marked 0/" in s, "the review screen")
    # A second reviewer, in another process, marks every candidate pair of the story.
    script = (
        "import sys\nfrom workbench.store import Store\n"
        "with Store.open(sys.argv[1]) as s:\n"
        "    for r in s.candidate_rows(top=1):\n"
        "        s.record_mark(r.a.claim.id, r.b.claim.id, 'contradict', 'bob')\n"
    )
    subprocess.run([sys.executable, "-c", script, str(db)], check=True)
    screen = tmux.wait_for(lambda s: "bob ✗ contra" in s, "bob's mark on screen")
    assert "marked 0/" in screen  # bob's marks are not this reviewer's progress
    tmux.keys("q")
    assert _wait_exit(tmp_path) == 0
