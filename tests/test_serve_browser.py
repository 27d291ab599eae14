"""`workbench serve` in a real headless browser (Chromium, driven over the DevTools Protocol).

The page textual-serve sends runs xterm.js, which paints the terminal on a canvas, so the
text is not in the DOM. Before the page's script runs, the test installs a one-shot setter
for `.terminal` on Object.prototype: when textual-serve's client does
`this.terminal = new Terminal(...)`, the setter keeps the xterm Terminal as
`window.__wbTerminal` (and removes itself). The test then reads what the terminal shows
through xterm's public buffer API (`buffer.active.getLine(y).translateToString()`), the
cells the renderer paints. Keys are typed as a user would: focus on xterm's input
textarea, then Input.dispatchKeyEvent. The mark is checked in the database, and a
screenshot of the page is kept in tmp_path.

No new dependency: aiohttp (which textual-serve needs anyway) speaks to Chromium's
DevTools websocket. Skipped only where no Chromium is installed (Debian: apt-get install
chromium).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import re
import shutil
import signal
import socket
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
REVIEWER = "browser"
DEADLINE_S = 60.0

# Runs in the page before any of its scripts: catch the xterm Terminal textual-serve makes.
CATCH_TERMINAL = """
(() => {
  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    set(value) {
      Object.defineProperty(this, "terminal",
        {value, writable: true, configurable: true, enumerable: true});
      if (value && typeof value.write === "function" && value.buffer) {
        window.__wbTerminal = value;
        delete Object.prototype.terminal;
      }
    },
  });
})();
"""

# The terminal's visible rows as text, one per line ("" until the terminal exists).
READ_SCREEN = """
(() => {
  const term = window.__wbTerminal;
  if (!term) return "";
  const buffer = term.buffer.active, rows = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
})()
"""


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start a program in its own process group, its output to a log file."""
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen) -> None:
    """End a program started by _start and everything it started (its process group)."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            break
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    # Children left in the group (chromium's helpers, the served app) go too.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _tail(log: Path) -> str:
    try:
        return log.read_text("utf-8", "replace")[-2000:]
    except OSError:
        return ""


class DevTools:
    """A minimal Chrome DevTools Protocol client for one page target."""

    def __init__(self, ws) -> None:
        self._ws = ws
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        import aiohttp

        async for message in self._ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            future = self._pending.pop(data.get("id"), None)
            if future is not None and not future.done():
                future.set_result(data)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError("DevTools connection closed"))

    async def send(self, method: str, **params) -> dict:
        ident = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        await self._ws.send_json({"id": ident, "method": method, "params": params})
        answer = await asyncio.wait_for(future, DEADLINE_S)
        if "error" in answer:
            raise AssertionError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    async def evaluate(self, expression: str):
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def close(self) -> None:
        self._reader.cancel()
        await self._ws.close()


async def _until(what: str, check, diagnose=None):
    """Poll check() (async) until it gives something truthy; fail after DEADLINE_S."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            detail = await diagnose() if diagnose else ""
            raise AssertionError(f"timed out waiting for {what}\n{detail}")
        await asyncio.sleep(0.1)


@pytest.fixture
def chromium() -> str:
    found = _chromium()
    if found is None:
        pytest.skip("no Chromium here (Debian: apt-get install chromium)")
    return found


@pytest.fixture
def db(tmp_path) -> Path:
    return import_seeds(tmp_path / "seed.db")


@pytest.fixture
def served(tmp_path, db):
    """`workbench serve DB --reviewer browser` on a free port: (the URL with the token that
    serve printed, the process, its log)."""
    pytest.importorskip("textual_serve")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("EDITOR", "PAGER")}
    env["WORKBENCH_CONFIG"] = str(tmp_path / "no-keys.toml")
    log = tmp_path / "serve.log"
    server = _start(
        [workbench_program(), "serve", str(db), "--port", str(port), "--reviewer", REVIEWER],
        log,
        env,
    )
    try:
        deadline = time.monotonic() + DEADLINE_S
        while not (found := re.search(r"on (http://\S+/\?token=\S+) ", _tail(log))):
            if time.monotonic() > deadline or server.poll() is not None:
                raise AssertionError(f"serve printed no URL:\n{_tail(log)}")
            time.sleep(0.1)
        yield found.group(1), server, log
    finally:
        _stop(server)


@pytest.fixture
def browser(tmp_path, chromium):
    """Headless Chromium with remote debugging on a free port: its DevTools base URL."""
    port = _free_port()
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    log = tmp_path / "chromium.log"
    process = _start(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--remote-debugging-port={port}",
            "--window-size=1280,800",
            "about:blank",
        ],
        log,
    )
    try:
        yield f"http://127.0.0.1:{port}", process, log
    finally:
        _stop(process)


def test_serve_in_a_headless_browser_marks_agree(chromium, tmp_path, db, served, browser):
    """The page served by `workbench serve` draws the review screen in Chromium; pressing
    `a` there stores one agree mark by the serve reviewer."""
    import aiohttp

    page_url, server, server_log = served
    devtools_base, chrome, chrome_log = browser
    shot = tmp_path / "serve-browser.png"

    async def drive() -> str:
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as http:

            async def get_json(url: str):
                try:
                    async with http.get(url) as answer:
                        return await answer.json(content_type=None) if answer.ok else None
                except (TimeoutError, aiohttp.ClientError):
                    return None

            async def page_up():
                try:
                    async with http.get(page_url) as answer:
                        return answer.ok and "Workbench" in await answer.text()
                except (TimeoutError, aiohttp.ClientError):
                    return False

            async def process_logs() -> str:
                return (
                    f"serve exit={server.poll()}:\n{_tail(server_log)}\n"
                    f"chromium exit={chrome.poll()}:\n{_tail(chrome_log)}"
                )

            await _until("workbench serve to answer", page_up, process_logs)

            async def page_target():
                targets = await get_json(devtools_base + "/json/list") or []
                pages = [t for t in targets if t.get("type") == "page"]
                return pages[0]["webSocketDebuggerUrl"] if pages else None

            ws_url = await _until("Chromium's DevTools page target", page_target, process_logs)
            async with http.ws_connect(
                ws_url, max_msg_size=0, timeout=aiohttp.ClientWSTimeout(ws_close=5)
            ) as ws:
                cdp = DevTools(ws)
                try:
                    await cdp.send("Page.enable")
                    await cdp.send("Runtime.enable")
                    # The page links a Google web font; keep the closed network from stalling
                    # its load event (the terminal falls back to a local monospace font).
                    await cdp.send("Network.enable")
                    await cdp.send(
                        "Network.setBlockedURLs",
                        urls=["*fonts.googleapis.com*", "*fonts.gstatic.com*"],
                    )
                    await cdp.send("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
                    await cdp.send("Page.navigate", url=page_url)

                    async def screen() -> str:
                        return await cdp.evaluate(READ_SCREEN) or ""

                    async def diagnose() -> str:
                        state = await cdp.evaluate(
                            "JSON.stringify({body: document.body && document.body.className,"
                            " terminal: !!window.__wbTerminal,"
                            " canvases: document.querySelectorAll('canvas').length})"
                        )
                        return f"page: {state}\nscreen:\n{await screen()}\n{await process_logs()}"

                    async def showing(text: str):
                        async def check():
                            shown = await screen()
                            return shown if text in shown else None

                        return await _until(f"the terminal to show {text!r}", check, diagnose)

                    # Rendered: websocket open (-connected), first bytes in, canvas present,
                    # and the review screen's status line in the terminal's cells.
                    await _until(
                        "the app's websocket and a drawn canvas",
                        lambda: cdp.evaluate(
                            "document.querySelector('.textual-terminal.-connected') !== null"
                            " && document.body.classList.contains('-first-byte')"
                            " && document.querySelector('.xterm-screen canvas') !== null"
                        ),
                        diagnose,
                    )
                    before = await showing("marked 0/")
                    assert f"reviewer: {REVIEWER}" in before, before

                    # Type `a` as a user: focus the terminal's input, then a real key press.
                    await cdp.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
                    key = {
                        "key": "a",
                        "code": "KeyA",
                        "windowsVirtualKeyCode": 65,
                        "nativeVirtualKeyCode": 65,
                    }
                    await cdp.send("Input.dispatchKeyEvent", type="rawKeyDown", **key)
                    await cdp.send(
                        "Input.dispatchKeyEvent", type="char", text="a", unmodifiedText="a", **key
                    )
                    await cdp.send("Input.dispatchKeyEvent", type="keyUp", **key)
                    after = await showing("marked 1/")

                    picture = await cdp.send("Page.captureScreenshot", format="png")
                    shot.write_bytes(base64.b64decode(picture["data"]))
                    assert before != after
                    return after
                finally:
                    await cdp.close()

    asyncio.run(drive())

    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000, len(png)
    with Store.open(db, readonly=True) as store:
        assert [m.label for m in store.current_marks(reviewer=REVIEWER)] == [Label.AGREE]
