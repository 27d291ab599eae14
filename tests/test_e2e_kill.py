"""Kill the real program with SIGKILL at random moments: no mark shown as made is lost.

The review app runs in tmux on a real database. Each round types a burst of marking keys,
reads the header the reviewer sees ("marked N/..."), then kills the process with SIGKILL at
once. Whatever the timing, every mark the screen counted must be in the database, the
database must pass PRAGMA integrity_check, and the next start must resume with that count.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
from pathlib import Path

import pytest

from terminal import Tmux, import_seeds, needs_tmux, workbench_program
from workbench.store import Store

pytestmark = needs_tmux
REVIEWER = "killer"
MARKED = re.compile(r"marked (\d+)/")
ROUNDS = 6


@pytest.fixture
def db(tmp_path) -> Path:
    return import_seeds(tmp_path / "seed.db")


def _standing_marks(db) -> int:
    with Store.open(db, readonly=True) as store:
        return len(store.current_marks(reviewer=REVIEWER))


def _shown(screen: str) -> int:
    """The count in the header, or -1 while no header is drawn."""
    found = MARKED.search(screen)
    return int(found.group(1)) if found else -1


def test_sigkill_at_random_moments_loses_no_mark_shown(db, tmp_path):
    rng = random.Random(20170921)
    command = (
        f"exec env -u EDITOR -u PAGER WORKBENCH_CONFIG={tmp_path / 'none.toml'} "
        f"{workbench_program()} review {db} --reviewer {REVIEWER}"
    )
    for _round in range(ROUNDS):
        tmux = Tmux(tmp_path)
        try:
            tmux.start(command)
            stored = _standing_marks(db)
            # Reopening resumes: the header counts exactly what the database holds.
            tmux.wait_for(lambda s, n=stored: f"marked {n}/" in s, f"the resumed count {stored}")
            burst = "".join(rng.choice("acns") for _ in range(rng.randint(1, 8)))
            tmux.keys(*burst)
            if rng.random() < 0.5:  # sometimes let part of the burst land on screen first
                tmux.wait_for(lambda s, n=stored: _shown(s) > n, "a mark on screen")
            screen = tmux.screen()
            shown = _shown(screen)
            os.kill(tmux.pane_pid(), signal.SIGKILL)
        finally:
            tmux.close()
        assert shown >= stored, screen
        after = _standing_marks(db)
        assert after >= shown, f"the screen showed {shown} marks, the database holds {after}"
        assert after <= stored + len(burst)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert _standing_marks(db) > 0
