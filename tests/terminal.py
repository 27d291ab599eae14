"""Driving the installed `workbench` program in a real terminal (tmux), for end-to-end tests.

Tests wait for what the screen shows (polling the pane, with a generous deadline), never
for a fixed time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "examples" / "seeds"
SEED_STORY = "US-Russia deconfliction, Sept 2017"
DEADLINE_S = 60.0
needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def workbench_program() -> str:
    beside = Path(sys.executable).parent / "workbench"
    found = str(beside) if beside.exists() else shutil.which("workbench")
    if found is None:
        pytest.fail("the workbench program is not installed (pip install -e .)")
    return found


class Tmux:
    def __init__(self, tmp: Path):
        self.socket = f"wb-e2e-{uuid.uuid4().hex[:8]}"
        self.tmp = tmp

    def run(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True
        ).stdout

    def start(self, command: str, width: int = 120, height: int = 34) -> None:
        self.run("new-session", "-d", "-s", "e2e", "-x", str(width), "-y", str(height), command)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "e2e")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "e2e", *keys)

    def wait_for(self, condition, what: str) -> str:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            text = self.screen()
            if condition(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}; the screen shows:\n{self.screen()}")

    def pane_pid(self) -> int:
        """The pid of the pane's process (the program itself when started with exec)."""
        return int(self.run("display-message", "-p", "-t", "e2e", "#{pane_pid}").strip())

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, check=False)


def import_seeds(path: Path) -> Path:
    """A database of the seed story, made by the installed program as a user would."""
    subprocess.run(
        [workbench_program(), "import", str(path), str(SEEDS_DIR), "--story", SEED_STORY, "-q"],
        check=True,
    )
    return path
