"""`workbench serve`: the review app served to a web browser through textual-serve.

The first test speaks the page's own protocol: it loads the page with the token serve
printed, opens the websocket the page names, reads the terminal output the app sends and
types a key, exactly as the page's script would, then checks the mark in the database.
The others check who is refused: no token, a wrong token, another web page's Origin.
(tests/test_serve_browser.py drives a real headless Chromium.)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import select
import socket
import subprocess
import time
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner

from terminal import import_seeds, workbench_program
from workbench.cli import cli
from workbench.models import Label
from workbench.store import Store
from workbench.tui.serve import TokenServer, browser_host, is_loopback

DEADLINE_S = 60.0
URL_LINE = re.compile(r"serving .* on (http://\S+/\?token=([A-Za-z0-9_-]+)) ")


@pytest.fixture
def db(tmp_path) -> Path:
    return import_seeds(tmp_path / "seed.db")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _printed_url(server: subprocess.Popen) -> tuple[str, str]:
    """The URL and token serve prints on stderr at start."""
    deadline = time.monotonic() + DEADLINE_S
    seen = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([server.stderr], [], [], 1.0)
        if ready:
            chunk = os.read(server.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
            found = URL_LINE.search(seen.decode("utf-8", "replace"))
            if found:
                return found.group(1), found.group(2)
    raise AssertionError(f"serve printed no URL: {seen!r}")


@contextlib.contextmanager
def _serving(tmp_path, db):
    """`workbench serve DB --reviewer web` on a free port: (process, base URL, token)."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("EDITOR", "PAGER")}
    env["WORKBENCH_CONFIG"] = str(tmp_path / "no-keys.toml")
    server = subprocess.Popen(
        [workbench_program(), "serve", str(db), "--port", str(port), "--reviewer", "web"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        url, token = _printed_url(server)
        assert url == f"http://127.0.0.1:{port}/?token={token}"
        base = f"http://127.0.0.1:{port}"
        asyncio.run(_until_listening(base))
        yield server, base, token
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def served(tmp_path, db):
    """`workbench serve DB --reviewer web` on a free port: (base URL, token)."""
    with _serving(tmp_path, db) as (_, base, token):
        yield base, token


async def _until_listening(base: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(base + "/static/js/textual.js") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{base} never answered")
            await asyncio.sleep(0.1)


def test_serve_runs_the_app_for_a_browser_and_marks(served, db):
    """With the printed token, the page loads and names its websocket; through it the app
    draws the review screen and takes a mark (what a browser would do)."""
    base, token = served

    async def drive() -> None:
        seen = ""
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/?token={token}") as answer:
                assert answer.status == 200
                page = await answer.text()
            assert "Workbench" in page
            [ws_url] = re.findall(r'data-session-websocket-url="([^"]+)"', page)
            assert ws_url == f"ws://127.0.0.1:{base.rsplit(':', 1)[1]}/ws/{token}"
            # The page's script appends the size to the URL it is given, as here.
            async with http.ws_connect(ws_url + "?width=120&height=34", origin=base) as ws:

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
    with Store.open(db, readonly=True) as store:
        assert [m.label for m in store.current_marks(reviewer="web")] == [Label.AGREE]


def test_without_the_token_the_page_and_the_websocket_are_refused(served, db):
    base, token = served

    async def probe() -> list[int]:
        statuses = []
        async with aiohttp.ClientSession() as http:
            for path in ("/", "/?token=", f"/?token={token[:-1]}", f"/?token={token}x"):
                async with http.get(base + path) as answer:
                    statuses.append(answer.status)
                    assert token not in await answer.text()
            for path in ("/ws", "/ws?token=wrong", f"/ws/{token[::-1]}", f"/ws/{token}x"):
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    async with http.ws_connect(base + path):
                        pass
                statuses.append(refused.value.status)
        return statuses

    assert asyncio.run(probe()) == [403] * 8
    with Store.open(db, readonly=True) as store:
        assert store.current_marks() == []


def test_a_websocket_from_another_web_page_is_refused_even_with_the_token(served, db):
    """The attack of issue 13: a page on evil.example opens the websocket and types marks.
    A browser sends that page's Origin; only the served page's own is let in."""
    base, token = served
    port = base.rsplit(":", 1)[1]

    async def attack(origin: str) -> int:
        async with aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                async with http.ws_connect(f"{base}/ws/{token}", origin=origin) as ws:
                    for _ in range(3):
                        await ws.send_json(["stdin", "a"])
            return refused.value.status

    for origin in (
        "http://evil.example",
        f"http://evil.example:{port}",
        f"http://127.0.0.1:{int(port) + 1}",
        f"https://127.0.0.1:{port}",
        "null",
    ):
        assert asyncio.run(attack(origin)) == 403, origin
    with Store.open(db, readonly=True) as store:
        assert store.current_marks() == []


def test_the_page_builds_its_urls_from_the_host_it_was_asked_for(served):
    """Not from --host: a server on 0.0.0.0 must not send the browser to ws://0.0.0.0."""
    base, token = served
    port = base.rsplit(":", 1)[1]

    async def page_for(host: str) -> str:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"{base}/?token={token}", headers={"Host": host}) as answer,
        ):
            assert answer.headers["Referrer-Policy"] == "no-referrer"
            return await answer.text()

    page = asyncio.run(page_for(f"localhost:{port}"))
    assert f'data-session-websocket-url="ws://localhost:{port}/ws/{token}"' in page
    assert f'src="http://localhost:{port}/static/js/textual.js"' in page


def test_a_malformed_request_is_logged_in_one_line_without_the_token(tmp_path, db):
    """Anyone who reaches the port could make serve print aiohttp's tracebacks, and a
    request line it could not parse was quoted, token included: one short line each."""
    with _serving(tmp_path, db) as (server, base, token):
        port = int(base.rsplit(":", 1)[1])
        for request in (
            f"GET /?token={token} HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            f"GET /\x01?token={token} HTTP/1.1\r\nHost: \x1b]0;t\x07\r\n\r\n",
            f"GET /?token={token}{'A' * 20_000} HTTP/1.1\r\nHost: x\r\n\r\n",
        ):
            with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S) as client:
                client.sendall(request.encode("latin-1"))
                assert client.recv(64).startswith(b"HTTP/1.0 400")
        server.terminate()
        logged = server.stderr.read().decode("utf-8")
    lines = logged.splitlines()
    assert len(lines) == 3, logged  # one per request: aiohttp's "Error handling request"
    assert all(len(line) <= 300 and "Traceback" not in line for line in lines), logged
    assert token not in logged and "<token>" in logged
    assert not [ch for ch in logged if ch < " " and ch != "\n"]


def test_binding_beyond_loopback_warns_in_one_line(tmp_path, db, monkeypatch):
    served: list[TokenServer] = []
    monkeypatch.setattr(TokenServer, "serve", lambda self, debug=False: served.append(self))
    runner = CliRunner()
    result = runner.invoke(cli, ["serve", str(db), "--host", "0.0.0.0", "--reviewer", "ed"])
    assert result.exit_code == 0, result.output
    [server] = served
    warning, serving = result.stderr.splitlines()
    assert warning.startswith("warning: --host 0.0.0.0 listens beyond this machine")
    assert serving == f"serving {db} on http://127.0.0.1:8000/?token={server.token} (ctrl+c stops)"
    quiet = runner.invoke(cli, ["serve", str(db), "--reviewer", "ed"])
    assert quiet.exit_code == 0 and quiet.stderr.splitlines()[0].startswith("serving ")
    assert served[1].token != server.token  # a new secret every run
    assert len(server.token) >= 40


@pytest.mark.parametrize(
    "host, loopback, shown",
    [
        ("127.0.0.1", True, "127.0.0.1"),
        ("127.0.0.2", True, "127.0.0.2"),
        ("localhost", True, "localhost"),
        ("::1", True, "[::1]"),
        ("0.0.0.0", False, "127.0.0.1"),
        ("::", False, "127.0.0.1"),
        ("192.168.1.5", False, "192.168.1.5"),
        ("my-laptop.local", False, "my-laptop.local"),
    ],
)
def test_loopback_and_the_printed_host(host, loopback, shown):
    assert is_loopback(host) is loopback
    assert browser_host(host) == shown
