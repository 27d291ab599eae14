"""The `workbench` command: a thin click layer over the core.

Each command parses its options, calls the core, prints, and exits. Errors from the core
are one line on stderr with exit status 1, never a traceback.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import TextIO

import click

from workbench.display import json_line, one_line, safe_stream_text, safe_text
from workbench.errors import WorkbenchError
from workbench.store import Store

# Each command lives in the module of its area, loaded when the command is looked up: the
# command modules import their helpers from here, and nothing here imports them back.
COMMANDS = {
    "import": "workbench.cli.core:import_command",
    "stories": "workbench.cli.core:stories_command",
    "claims": "workbench.cli.core:claims_command",
    "align": "workbench.cli.core:align_command",
    "candidates": "workbench.cli.core:candidates_command",
    "queue": "workbench.cli.core:queue_command",
    "review": "workbench.cli.review:review_command",
    "serve": "workbench.cli.review:serve_command",
    "mark": "workbench.cli.team:mark_command",
    "undo": "workbench.cli.team:undo_command",
    "export": "workbench.cli.team:export_command",
    "merge": "workbench.cli.team:merge_command",
    "agreement": "workbench.cli.team:agreement_command",
    "report": "workbench.cli.team:report_command",
}


def say(message: str = "", *, err: bool = False) -> None:
    """Every line the CLI prints for people goes through here: names and text from files
    and databases are data, so their control characters are shown, never sent raw."""
    click.echo(safe_text(message), err=err)


def failure(message: str) -> click.ClickException:
    """The one-line error (exit status 1) for `message`, control characters shown."""
    return click.ClickException(one_line(message))


class WorkbenchGroup(click.Group):
    """Finds the commands in COMMANDS, and turns the core's errors into one line and exit
    status 1; every error message, click's own included, is made one safe line here."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            module, name = COMMANDS[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def main(self, *args, **kwargs):
        """click's own usage errors (an unknown option or command) are one line too, with
        exit status 2 as click gives them; everything else as click does it."""
        standalone = kwargs.pop("standalone_mode", True)
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            if not standalone:
                raise
            where = exc.ctx.command_path if exc.ctx else "workbench"
            say(f"Error: {one_line(exc.format_message())} (see '{where} --help')", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            if not standalone:
                raise
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:
            if not standalone:
                raise
            say("Aborted!", err=True)
            sys.exit(1)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            exc.message = one_line(exc.message)
            raise
        except WorkbenchError as exc:
            raise failure(str(exc)) from None
        except RecursionError:
            raise failure("input nested too deeply to read") from None
        except sqlite3.Error as exc:
            raise failure(f"database error: {exc}") from None
        except BrokenPipeError:
            # The reader went away (`| head`): stop quietly, as other Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            raise click.Abort() from None
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            raise failure(f"{where}{exc.strerror or exc}") from None


# Commands that run the Textual app, which handles the terminal itself.
INTERACTIVE_COMMANDS = frozenset({"review", "serve"})


def _exit_cleanly_on_termination() -> None:
    """SIGTERM and SIGHUP unwind like an error: the open transaction rolls back and a
    database or file being created is removed, instead of the process dying mid-write."""

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set handlers (and receives signals)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)


def _print_version(ctx: click.Context) -> None:
    import workbench  # the version is looked up only when asked for

    click.echo(f"workbench, version {workbench.__version__}")
    ctx.exit()


@click.group(cls=WorkbenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
    help="Show the version and exit.",
)
def cli() -> None:
    """Compare news articles that report the same event, claim by claim.

    \b
    Example:
        workbench import stories.db articles/ --story "Syria talks"
        workbench review stories.db --reviewer ana
    """
    ctx = click.get_current_context()
    if ctx.invoked_subcommand not in INTERACTIVE_COMMANDS:
        _exit_cleanly_on_termination()
        _EXIT["quick"] = True


def db_argument():
    """The DB argument every command takes first."""
    return click.argument("db", type=click.Path(dir_okay=True, path_type=str), metavar="DB")


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")(func)


def not_blank(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An empty --story would silently mean "every story" (or the folder's name): refuse it."""
    if value is not None and not value.strip():
        raise click.BadParameter("must not be empty")
    return value


def story_option(func):
    return click.option(
        "--story",
        "story",
        metavar="S",
        callback=not_blank,
        help="Only this story (its name or its id).",
    )(func)


def open_store(db: str, *, create: bool = False, readonly: bool = False) -> Store:
    store = Store.open(db, create=create, readonly=readonly)
    show_warnings(store)
    return store


@contextlib.contextmanager
def open_store_or_create(db: str) -> Iterator[Store]:
    """DB for writing; a new one appears only when the command succeeds."""
    with Store.open_or_create(db) as store:
        show_warnings(store)
        yield store


def show_warnings(store: Store) -> None:
    for warning in store.warnings:
        say(one_line(warning), err=True)


def echo_json_lines(objects: Iterable[dict]) -> None:
    """--json output: one object a line, every control character JSON-escaped."""
    for obj in objects:
        click.echo(json_line(obj))


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


class _ControlsShown:
    """A text stream onto a terminal that shows control characters (CRLF line ends stay)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(safe_stream_text(text))

    def flush(self) -> None:
        self._stream.flush()


def data_stdout() -> TextIO:
    """Where a dataset or report written to stdout goes: its bytes as they are into a file
    or pipe; onto a terminal, with control characters shown like every other line."""
    return _ControlsShown(sys.stdout) if stdout_is_terminal() else sys.stdout  # type: ignore[return-value]


# Whether the command that ran may end the process without the interpreter's teardown.
_EXIT = {"quick": False}


def main(argv: list[str] | None = None) -> None:
    """The program. A batch command has closed its database, pools and files when it
    returns; the interpreter's teardown (freeing every object one by one) would then add
    50-90 ms to each run, so the process ends at once, its output flushed. Not for the
    interactive commands (their threads and terminal are theirs to end), nor when called
    with arguments (tests, embedding)."""
    try:
        cli.main(args=argv, prog_name="workbench")
        code = 0
    except SystemExit as exc:
        if not _may_end_at_once(argv) or not isinstance(exc.code, int | None):
            raise
        code = exc.code or 0
    if not _may_end_at_once(argv):
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):
            pass  # the reader went away, or the stream is closed: nothing left to say
        except OSError as exc:  # a full disk: what was written is incomplete
            if code == 0 and stream is sys.stdout:  # (a failed command has said why)
                say(f"Error: {one_line(exc.strerror or str(exc))}", err=True)
            code = code or 1
    os._exit(code)


def _may_end_at_once(argv: list[str] | None) -> bool:
    """A batch command run as the program, with no child process left: an interrupted
    import can leave a pool's worker, which only the interpreter's exit shuts down."""
    if argv is not None or not _EXIT["quick"]:
        return False
    multiprocessing = sys.modules.get("multiprocessing")
    return multiprocessing is None or not multiprocessing.active_children()
