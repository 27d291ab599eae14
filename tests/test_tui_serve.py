"""`workbench serve`: the review app served to a web browser through textual-serve.

No browser is installed here, so the test speaks the page's own protocol: it loads the page,
opens the websocket the page opens, reads the terminal output the app sends and types a
key, exactly as the page's script would, then checks the mark in the database.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from terminal import import_seeds, workbench_program
from workbench.models import Label
from workbench.store import Store

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "examples" / "seeds"
STORY = "US-Russia deconfliction, Sept 2017"
DEADLINE_S = 60.0


@pytest.fixture
def db(tmp_path) -> Path:
    return import_seeds(tmp_path / "seed.db")


def test_serve_runs_the_app_for_a_browser_and_marks(tmp_path, db):
    """`workbench serve` on 127.0.0.1: the page loads, and through the websocket the page
    uses, the app draws the review screen and takes a mark (what a browser would do)."""
    pytest.importorskip("textual_serve")
    import asyncio
    import socket
    import urllib.request

    import aiohttp

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("EDITOR", "PAGER")}
    env["WORKBENCH_CONFIG"] = str(tmp_path / "no-keys.toml")
    server = subprocess.Popen(
        [workbench_program(), "serve", str(db), "--port", str(port), "--reviewer", "web"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + DEADLINE_S
        page = ""
        while not page and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/", timeout=5) as answer:
                    page = answer.read().decode("utf-8", "replace")
            except OSError:
                time.sleep(0.1)
        assert "Workbench" in page

        async def drive() -> None:
            seen = ""
            async with (
                aiohttp.ClientSession() as http,
                http.ws_connect(base + "/ws?width=120&height=34") as ws,
            ):

                async def until(text: str) -> None:
                    nonlocal seen
                    while text not in seen:
                        message = await asyncio.wait_for(ws.receive(), DEADLINE_S)
                        if message.type == aiohttp.WSMsgType.BINARY:
                            seen += message.data.decode("utf-8", "replace")
                        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                            raise AssertionError(f"closed before {text!r}: {seen[-500:]!r}")

                await until("marked 0/")
                await ws.send_json(["stdin", "a"])
                await until("marked 1/")
                await ws.send_json(["stdin", "q"])
                await ws.receive()

        asyncio.run(drive())
    finally:
        server.terminate()
        server.wait(timeout=30)
    with Store.open(db, readonly=True) as store:
        assert [m.label for m in store.current_marks(reviewer="web")] == [Label.AGREE]
