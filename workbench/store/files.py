"""The files SQLite owns for a database, and the one rule about them.

POSIX advisory locks belong to a process, not to a file descriptor: closing *any*
descriptor on a database file drops every lock the process holds on it. SQLite then
believes this process is gone, and the next process to close its connection checkpoints
and deletes the -wal and -shm under our open connection: later marks go into a deleted
file and vanish ("How To Corrupt An SQLite Database File", section 2.2). So while this
process holds a connection to a database, nothing but SQLite may open that file, its
-wal or its -shm. `guard` enforces it: a Python-level open of a guarded file raises
`StoreError` at once (an audit hook sees every `open`, `io.open` and `os.open`), so no
code path can reintroduce the defect without a test noticing.

Also here: the draft a new database is built under (renamed into place when complete),
a file's identity, and whether it sits on a network file system.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import threading
import uuid
from pathlib import Path

from workbench.errors import StoreError

# The files SQLite may create beside a database.
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
SQLITE_HEADER = b"SQLite format 3\x00"
# File system types on which POSIX locks are not to be trusted (SQLite FAQ 5 and
# "How To Corrupt", section 2.1).
NETWORK_FILESYSTEMS = frozenset(
    [
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "9p",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "davfs",
        "coda",
        "fuse.sshfs",
        "fuse.s3fs",
        "fuse.rclone",
        "fuse.glusterfs",
        "fuse.cephfs",
        "fuse.gcsfuse",
    ]
)

_lock = threading.Lock()
_guarded: dict[str, int] = {}  # absolute and resolved names -> open connections naming them
_sides: dict[str, int] = {}  # those of the -wal, -shm and -journal files
_inodes: dict[tuple[int, int], int] = {}  # (device, inode) of the database files themselves
SIDE_ROLES = {"-wal": "write-ahead log", "-shm": "shared-memory index", "-journal": "journal"}


def database_files(path: str | os.PathLike) -> list[Path]:
    """The database file and the files SQLite keeps beside it."""
    path = Path(path)
    return [path] + [path.with_name(path.name + suffix) for suffix in SIDE_SUFFIXES]


def _count(table: dict, keys: set, step: int) -> None:
    for key in keys:
        left = table.get(key, 0) + step
        if left > 0:
            table[key] = left
        else:
            table.pop(key, None)


class Guard:
    """Holds a database's files guarded until `release` (once)."""

    def __init__(self, names: set[str], sides: set[str], inodes: set[tuple[int, int]]):
        self._keys = ((_guarded, names), (_sides, sides), (_inodes, inodes))
        self._released = False
        with _lock:
            for table, keys in self._keys:
                _count(table, keys, +1)

    def release(self) -> None:
        with _lock:
            if self._released:
                return
            self._released = True
            for table, keys in self._keys:
                _count(table, keys, -1)


def guard(path: str | os.PathLike) -> Guard:
    """Guard `path`, its -wal, -shm and -journal while a connection is open (`Guard.release`
    when it closes): under the name given and the resolved one (SQLite opens the target of a
    symbolic link, and its -wal beside the target), and the database file by its identity
    (another hard link to it)."""
    names: set[str] = set()
    sides: set[str] = set()
    for base in {os.path.abspath(path), os.path.realpath(path)}:
        for file in database_files(base):
            found = {os.path.abspath(file), os.path.realpath(file)}
            names |= found
            if file.name != Path(base).name:
                sides |= found
    inodes = set()
    with contextlib.suppress(OSError):
        info = os.stat(path)
        inodes.add((info.st_dev, info.st_ino))
    return Guard(names, sides - {os.path.abspath(path), os.path.realpath(path)}, inodes)


def guarded() -> frozenset[str]:
    """The files guarded now (tests)."""
    with _lock:
        return frozenset(_guarded)


def is_guarded(path: str | os.PathLike) -> bool:
    """Whether `path` names a file of a database this process has a connection to."""
    if not _guarded:
        return False
    name = os.path.abspath(path)
    if name in _guarded or os.path.realpath(name) in _guarded:
        return True
    try:
        info = os.stat(name)
    except (OSError, ValueError):
        return False
    return (info.st_dev, info.st_ino) in _inodes


def refuse_open_side_file(path: str | os.PathLike) -> None:
    """Refuse to open as a database the -wal, -shm or -journal of a database this process
    has a connection to: SQLite would open and close a descriptor on it, and so drop every
    lock this process holds on that file (`merge team.db team.db-shm`)."""
    if not _sides:
        return
    name = os.path.abspath(path)
    for candidate in (name, os.path.realpath(name)):
        if candidate in _sides:
            suffix = next(s for s in SIDE_SUFFIXES if candidate.endswith(s))
            database = candidate[: -len(suffix)]
            raise StoreError(
                f"{path}: is the {SIDE_ROLES[suffix]} SQLite keeps beside {database}"
                " (open here), not a database"
            )


def _refuse_guarded_open(event: str, args: tuple) -> None:
    if event != "open" or not _guarded:
        return
    target = args[0] if args else None
    if isinstance(target, int) or target is None:
        return  # an already open descriptor (os.fdopen): no new descriptor on a name
    try:
        name = os.path.abspath(os.fsdecode(target))
    except (TypeError, ValueError):
        return
    if is_guarded(name):
        raise StoreError(
            f"{name}: refusing to open a database file outside SQLite while this process"
            " has a connection to it (it would drop the connection's locks)"
        )


# Installed once, for the life of the interpreter (audit hooks cannot be removed); it does
# nothing while no database is open.
sys.addaudithook(_refuse_guarded_open)


# --- identity, drafts ---------------------------------------------------------------------------


def identity(path: str | os.PathLike) -> tuple | None:
    """(device, inode, size, modification time): equal while the file is unchanged."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def is_same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


_DRAFT_MARK = ".new-"


def draft_path(path: Path) -> Path:
    """A hidden name beside `path` for a database being built: `.NAME.new-PID-RANDOM`."""
    return path.with_name(f".{path.name}{_DRAFT_MARK}{os.getpid()}-{uuid.uuid4().hex[:8]}")


def remove_stale_drafts(path: Path) -> list[Path]:
    """Drafts of `path` left by a process that was killed (its pid is gone), removed with
    their -wal/-shm. A draft of a living process is left alone."""
    removed = []
    prefix = f".{path.name}{_DRAFT_MARK}"
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if not name.startswith(prefix) or name.endswith(SIDE_SUFFIXES):
            continue
        pid_text = name[len(prefix) :].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        remove_database_files(entry)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_database_files(path: Path) -> None:
    """Delete a database and its side files: only for a file no connection holds."""
    for file in database_files(path):
        with contextlib.suppress(FileNotFoundError):
            file.unlink()


def publish_draft(draft: Path, target: Path) -> None:
    """Move a complete (closed, checkpointed) draft to `target`. A hard link never
    replaces a database another process created there meanwhile; an empty file there (not
    a database yet) is replaced."""
    wal, shm, journal = database_files(draft)[1:]
    if (wal.exists() and wal.stat().st_size > 0) or journal.exists():
        # Its last connection could not fold the log into the file: moving the file alone
        # would lose what the log holds.
        raise StoreError(
            f"{target}: the new database could not be completed; it is kept at {draft}"
        )
    for side in (wal, shm):
        with contextlib.suppress(FileNotFoundError):
            side.unlink()
    try:
        os.link(draft, target)
    except FileExistsError:
        if os.stat(target).st_size > 0:
            remove_database_files(draft)
            raise StoreError(
                f"{target}: another process created this database meanwhile; nothing was written"
            ) from None
        os.replace(draft, target)
        return
    except OSError:  # a file system without hard links
        os.replace(draft, target)
        return
    draft.unlink()


def keep_side_files_writable(path: str | os.PathLike) -> None:
    """SQLite makes a -wal and -shm with the mode of their database file: a reader of a
    read-only file (ours when its -wal has content, or the sqlite3 shell's) leaves them
    read-only, and once the file is writable again no writer can use them ("attempt to
    write a readonly database") until they are deleted by hand. Give such files of ours
    their owner's write permission back (chmod opens no descriptor, so it is safe while a
    connection is open)."""
    base = Path(os.path.realpath(path))
    for suffix in ("-wal", "-shm"):
        side = base.with_name(base.name + suffix)
        try:
            info = os.lstat(side)
        except OSError:
            continue
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() and not mode & stat.S_IWUSR:
            with contextlib.suppress(OSError):
                os.chmod(side, mode | stat.S_IWUSR)


# --- where the file lives ----------------------------------------------------------------------


def network_filesystem(path: str | os.PathLike, mountinfo: str | None = None) -> str | None:
    """The type of the network file system holding `path`, or None when it is local (or
    unknown: only Linux's /proc/self/mountinfo is read)."""
    if mountinfo is None:
        try:
            with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as handle:
                mountinfo = handle.read()
        except OSError:
            return None
    where = os.path.realpath(Path(path).parent if not Path(path).is_dir() else path)
    best, best_type = "", None
    for line in mountinfo.splitlines():
        fields = line.split(" ")
        if "-" not in fields:
            continue
        sep = fields.index("-")
        if len(fields) <= sep + 1 or len(fields) < 5:
            continue
        mount_point = _unescape(fields[4])
        fstype = fields[sep + 1]
        inside = where == mount_point or where.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, fstype
    if best_type is None:
        return None
    base = best_type.split(".", 1)[0] if not best_type.startswith("fuse.") else best_type
    return best_type if (best_type in NETWORK_FILESYSTEMS or base in NETWORK_FILESYSTEMS) else None


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes."""
    return (field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n")).replace(
        "\\134", "\\"
    )


# --- outputs ----------------------------------------------------------------------------------


def refuse_database_output(
    output: str | os.PathLike, database: str | os.PathLike, *, force: bool = False
) -> None:
    """Refuse to write a command's output over `database` or its side files (always), or
    over any other SQLite database (unless `force`)."""
    output, database = Path(output), Path(database)
    for own in database_files(database):
        same_name = os.path.abspath(output) == os.path.abspath(own)
        if same_name or is_same_file(output, own):
            raise StoreError(
                f"{output}: is the database this command reads ({database}); write elsewhere"
            )
    if not force and is_sqlite_file(output):
        raise StoreError(
            f"{output}: is a SQLite database; refusing to write over it (--force to replace it)"
        )


def is_sqlite_file(path: str | os.PathLike) -> bool:
    """Whether `path` is a SQLite database, or the -wal/-shm/-journal of one. Only for
    files this process has no connection to (the guard refuses the others)."""
    path = Path(path)
    for suffix in SIDE_SUFFIXES:
        if path.name.endswith(suffix) and is_sqlite_file(path.with_name(path.name[: -len(suffix)])):
            return True
    try:
        if not path.is_file():
            return False
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False
