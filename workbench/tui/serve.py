"""`workbench serve`: the review app in a web browser (textual-serve), for whoever holds
this run's secret token, and for no other web page.

textual-serve's own Server answers anyone who can reach its port, and a websocket is not
bound by the browser's same-origin policy: any page open in the same browser could open
`ws://127.0.0.1:PORT/ws` and type marks as the served reviewer. This server adds, on top
of textual-serve's handlers (it only wraps them):

- a per-run token (`secrets.token_urlsafe`), printed with the URL like Jupyter's: the page
  needs `?token=...`, the websocket `/ws/TOKEN` (what the page opens) or `/ws?token=...`;
  without it both answer 403;
- an Origin check on the websocket: a browser always sends Origin, and it must name the
  page's own scheme, host and port (as the request's Host header gives them);
- the page's URLs built from the request's Host, not from --host, so a server listening
  on 0.0.0.0 hands the browser an address it can reach.

The token is compared in constant time. The static files (textual-serve's own scripts
and fonts) are served without it: they hold nothing of the database.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import secrets
import sys
from typing import ClassVar

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server, to_int

from workbench.display import one_line

TOKEN_BYTES = 32
_WILDCARDS = {"", "0.0.0.0", "::"}


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve to anything


def browser_host(host: str) -> str:
    """The host to put in the printed URL: a wildcard address is reached as 127.0.0.1."""
    host = "127.0.0.1" if host in _WILDCARDS else host
    return f"[{host}]" if ":" in host else host


class _OneLine(logging.Formatter):
    """Log lines from the web server (a malformed request from anyone who reaches the port,
    a session that ended badly): one safe line each, the exception's type and message and
    never its traceback, cut short (a request line may be kilobytes), and never the token
    (aiohttp quotes the request line it could not parse)."""

    WIDTH = 300

    def __init__(self, fmt: str, token: str) -> None:
        super().__init__(fmt)
        self.token = token

    def formatException(self, ei) -> str:
        kind, error = ei[0], ei[1]
        return f"{kind.__name__}: {error}" if kind is not None else ""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record).replace(self.token, "<token>")
        return one_line(line, self.WIDTH)


class TokenServer(Server):
    """textual-serve's Server, answering only requests that carry the token."""

    FORBIDDEN: ClassVar[str] = "403 Forbidden: open the URL (with its token) that serve printed\n"

    def __init__(
        self, command: str, *, host: str, port: int, title: str, token: str | None = None
    ) -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.token = token or secrets.token_urlsafe(TOKEN_BYTES)

    @property
    def url(self) -> str:
        """The address to open, token included."""
        return f"http://{browser_host(self.host)}:{self.port}/?token={self.token}"

    # --- checks ---------------------------------------------------------------------------

    def check_token(self, request: web.Request) -> None:
        given = request.match_info.get("token") or request.query.get("token") or ""
        if not hmac.compare_digest(given.encode("utf-8"), self.token.encode("utf-8")):
            raise web.HTTPForbidden(text=self.FORBIDDEN)

    def check_origin(self, request: web.Request) -> None:
        """A browser's websocket from another page (another origin) is refused. A client
        that sends no Origin is not a browser page; it still needs the token."""
        origin = request.headers.get("Origin")
        if origin is None:
            return
        if origin.lower() != f"{request.scheme}://{request.host}".lower():
            raise web.HTTPForbidden(text=self.FORBIDDEN)

    # --- textual-serve's handlers, wrapped ------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        # The page's script appends "?width=..&height=.." to the websocket URL it is given,
        # so the page's URL carries the token in its path.
        app.router.add_get("/ws/{token}", self.handle_websocket, name="websocket-token")
        return app

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        self.check_token(request)
        host = request.host
        websocket_scheme = "wss" if request.scheme == "https" else "ws"
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{websocket_scheme}://{host}/ws/{self.token}",
            "config": {"static": {"url": f"{request.scheme}://{host}/static/"}},
            "application": {"name": self.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        # The URL holds the token: keep it out of caches and of Referer headers.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        self.check_token(request)
        self.check_origin(request)
        return await super().handle_websocket(request)

    # --- output ---------------------------------------------------------------------------

    def initialize_logging(self) -> None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_OneLine("%(name)s: %(message)s", self.token))
        logging.basicConfig(level="DEBUG" if self.debug else "WARNING", handlers=[handler])

    async def on_startup(self, app: web.Application) -> None:
        """The CLI has printed the one line that matters (the URL with its token)."""
