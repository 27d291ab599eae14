"""The app's access to the database: two lanes, each one thread that owns its own Store.

Why lanes and not a Store per worker: a sqlite3 connection belongs to the thread that
created it, and opening one per call would cost a connection setup (WAL, pragmas, schema
check) on every keypress. A lane is a single-thread executor whose thread opens a Store on
first use and is the only thread that ever touches it, so no connection crosses threads and
calls on a lane run one at a time, in the order they were made: a mark and the undo typed
right after it can never swap.

- `interactive`: what the reviewer waits for (marks, undo, the next pair's candidates).
- `background`: what may take longer (story counts, search, adjudication queue, polling
  for other processes' changes), so that it never delays a mark.

The event loop only awaits futures (`await lane.run(fn, ...)`), so it never blocks on
SQLite; both connections read in WAL mode, so the background lane reads while the
interactive one writes. Only `workbench.tui.gateway` runs calls on the lanes: one typed
method per call the app makes.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from workbench.store import Store

T = TypeVar("T")


class Lane:
    def __init__(self, name: str, opener: Callable[[], Store]):
        self.name = name
        self._opener = opener
        self._store: Store | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"wb-{name}")
        self._closed = False
        self._lock = threading.Lock()

    def _call(self, fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
        if self._store is None:
            self._store = self._opener()
        return fn(self._store, *args, **kwargs)

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        """Queue `fn(store, *args, **kwargs)` on this lane's thread."""
        with self._lock:
            if self._closed:
                raise RuntimeError(f"the {self.name} database lane is closed")
            return self._executor.submit(self._call, fn, args, kwargs)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.wrap_future(self.submit(fn, *args, **kwargs))

    def close(self) -> None:
        """Finish every queued call (a mark in flight is committed), then close the Store."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._executor.submit(self._close_store)
        self._executor.shutdown(wait=True)

    def _close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class Database:
    """The two lanes over one database file."""

    def __init__(self, path: str | Path, *, readonly: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        opener = self._open
        self.interactive = Lane("interactive", opener)
        self.background = Lane("background", opener)
        self._opening = threading.Lock()

    def _open(self) -> Store:
        # One lane at a time: the first upgrades an older database (and backs it up), the
        # other then finds it current. Two upgrades at once raced on the backup's file.
        with self._opening:
            # --read-only means nothing is written, not even an upgrade.
            return Store.open(self.path, readonly=self.readonly, upgrade=not self.readonly)

    def close(self) -> None:
        self.interactive.close()
        self.background.close()
