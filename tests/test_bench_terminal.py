"""The terminal benchmark's own parts (no program is started, nothing is timed)."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

pytest.importorskip("termios")
REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # benchmarks/ is beside tests/
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.bench_terminal import (  # noqa: E402
    SYNC_BEGIN,
    SYNC_END,
    SYNC_QUERY,
    ScreenModel,
    SyncTracker,
    key_sequence,
)


def test_the_keys_are_the_same_every_run_and_undo_only_follows_a_mark():
    keys = key_sequence(300)
    assert keys == key_sequence(300)
    assert keys != key_sequence(300, seed=1)
    assert {"a", "n", "s", "]", "space", "u"} == set(keys)
    for before, key in itertools.pairwise(keys):
        if key == "u":
            assert before in ("a", "n", "s")
    assert keys[0] != "u"


def test_frames_and_the_query_are_found_across_reads():
    sync = SyncTracker()
    data = SYNC_QUERY + SYNC_BEGIN + b"text" + SYNC_END + SYNC_BEGIN + b"more"
    for i in range(len(data)):  # one byte a read
        sync.feed(data[i : i + 1])
    assert sync.queried and sync.open and sync.frames == 1
    for byte in SYNC_END:
        sync.feed(bytes([byte]))
    assert not sync.open and sync.frames == 2
    whole = SyncTracker()
    whole.feed(data + SYNC_END)
    assert (whole.frames, whole.open) == (2, False)


def test_the_screen_model_sees_changes_not_repaints():
    screen = ScreenModel((20, 4))
    frame = "\x1b[2;3H\x1b[1;38;2;1;2;3mhé\x1b[0m \x1b[3;1Hnext\r\nline".encode()
    for i in range(len(frame)):  # sequences and characters cut by the reads
        screen.feed(frame[i : i + 1])
    assert screen.changed_rows == {1, 2, 3}
    assert screen.line(1).rstrip() == "  hé"
    assert screen.line(3).rstrip() == "line"
    screen.changed_rows = set()
    screen.feed(frame)  # the same again: nothing changes
    assert screen.changed_rows == set()
    screen.feed(b"\x1b[2;3H\x1b[1mh")  # the same character, another look
    assert screen.changed_rows == {1}
