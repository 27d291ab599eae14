"""Commands that open the review app: review (terminal) and serve (web browser)."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import click

from workbench.cli import db_argument, failure, open_store, say, story_option
from workbench.display import one_line
from workbench.queue import DEFAULT_MIN_SCORE


def _app_options(func):
    """Options shared by review and serve (serve passes them on to each session)."""
    func = click.option(
        "--min-score",
        type=click.FloatRange(0, 100),
        default=DEFAULT_MIN_SCORE,
        show_default=True,
        help="Propose a pair only from this score up.",
    )(func)
    func = click.option(
        "--adjudicate",
        is_flag=True,
        help="Only pairs on which reviewers disagree, lowest agreement first; your decisions "
        "are stored as final labels beside theirs.",
    )(func)
    func = story_option(func)
    func = click.option(
        "--reviewer",
        metavar="NAME",
        default=None,
        help="Your name on every mark (default: $WORKBENCH_REVIEWER, else your login name).",
    )(func)
    return func


def _check(db: str, story: str | None, *, readonly: bool) -> str | None:
    """Fail with one line before the terminal is taken over; the story's id if given."""
    with open_store(db, readonly=readonly) as store:
        return store.resolve_story(story).id if story else None


@click.command("review")
@db_argument()
@_app_options
@click.option("--read-only", "read_only", is_flag=True, help="Look without writing anything.")
@click.option(
    "--keys",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Key map (TOML). Default: $WORKBENCH_CONFIG, else ~/.config/workbench/keys.toml.",
)
def review_command(db, reviewer, story, adjudicate, min_score, read_only, keys):
    """Review candidate pairs side by side and mark them, keyboard only.

    Opens the first story with unmarked pairs at its first unmarked pair (or where you
    left off): press a (agree), c (contradict), n (unrelated) or s (unsure) and the next
    pair appears. u undoes, ? shows every key. Each mark is saved before the screen moves.

    \b
    Example:
        workbench review stories.db --reviewer ana
        workbench review stories.db --reviewer ed --adjudicate
    """
    from workbench.tui.app import default_reviewer, make_app

    story_id = _check(db, story, readonly=read_only)
    served = "TEXTUAL_DRIVER" in os.environ  # run by `workbench serve`, speaking to a browser
    if not served and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise failure("review needs a terminal (for a web browser, use 'workbench serve')")
    reviewer = reviewer or default_reviewer()
    env = dict(os.environ)
    if served:
        # Whoever is at the browser types into this process: never give them a program on
        # the server ($EDITOR and $PAGER are a shell escape away). o and e use the app's own.
        for name in ("EDITOR", "PAGER"):
            env.pop(name, None)
    app = make_app(
        db,
        reviewer=reviewer,
        story=story_id,
        adjudicate=adjudicate,
        min_score=min_score,
        readonly=read_only,
        keys=keys,
        env=env,
    )
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)
    if not served and app.session.marks:
        say(one_line(f"{reviewer}: {app.session.marks} mark(s) saved this session in {db}"))


@click.command("serve")
@db_argument()
@_app_options
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback lets other machines (with the token) "
    "review, unencrypted: a warning says so.",
)
def serve_command(db, reviewer, story, adjudicate, min_score, port, host):
    """Serve the review app to a web browser (through textual-serve).

    Each browser tab runs its own session of `workbench review` on DB, as the same
    reviewer; marks from every tab and terminal show up in the others within two seconds.
    Listens on 127.0.0.1 only unless --host says otherwise. The URL printed at start holds
    a secret token made for this run: the page and its websocket refuse requests without
    it (403), and the websocket refuses other web pages (their Origin).

    \b
    Example:
        workbench serve stories.db --reviewer ed --adjudicate --port 8080
    """
    try:
        from workbench.tui.serve import TokenServer, is_loopback
    except ImportError:
        raise failure("serve needs textual-serve: pip install textual-serve") from None
    from workbench.tui.app import default_reviewer

    story_id = _check(db, story, readonly=False)
    reviewer = reviewer or default_reviewer()
    command = [
        sys.executable,
        "-m",
        "workbench",
        "review",
        str(Path(db).resolve()),
        "--reviewer",
        reviewer,
        "--min-score",
        str(min_score),
    ]
    if story_id:
        command += ["--story", story_id]
    if adjudicate:
        command.append("--adjudicate")
    server = TokenServer(
        shlex.join(command), host=host, port=port, title=f"Workbench · {Path(db).name}"
    )
    if not is_loopback(host):
        say(
            one_line(
                f"warning: --host {host} listens beyond this machine: anyone who can reach"
                f" port {port} and has the token reviews as {reviewer}, unencrypted"
            ),
            err=True,
        )
    say(one_line(f"serving {db} on {server.url} (ctrl+c stops)"), err=True)
    server.serve()
