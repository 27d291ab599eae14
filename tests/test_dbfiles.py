"""The database's files: nothing but SQLite opens them while a connection is open; a new
database appears only when complete; outputs never overwrite a database; refused files are
never written; damaged files are refused; network file systems are named."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SEEDS_DIR
from workbench.cli import cli
from workbench.errors import StoreError
from workbench.merge import merge_databases
from workbench.store import SCHEMA_VERSION, Store
from workbench.store import base as store_module
from workbench.store import files as dbfiles
from workbench.tui.app import make_app

STORY = "US-Russia deconfliction, Sept 2017"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def seeded(tmp_path) -> Path:
    db = tmp_path / "s.db"
    assert run("import", str(db), str(SEEDS_DIR), "--story", STORY, "-q")[0] == 0
    return db


def _pair(db: Path) -> tuple[str, str]:
    with Store.open(db, readonly=True) as store:
        return _pair_in(store)


def _pair_in(store: Store) -> tuple[str, str]:
    row = next(store.candidate_rows(top=1, min_score=40))
    return row.a.claim.id, row.b.claim.id


def _marks_seen_by_a_fresh_process(db: Path) -> int:
    script = "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from marks').fetchone()[0])"
    out = subprocess.run(
        [sys.executable, "-c", script, str(db)], capture_output=True, text=True, check=False
    )
    return int(out.stdout)


# --- the guard --------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_opening_a_database_file_outside_sqlite_is_refused_while_connected(seeded, suffix):
    target = str(seeded) + suffix
    with Store.open(seeded):
        for attempt in (
            lambda: open(target, "rb"),  # noqa: SIM115
            lambda: os.open(target, os.O_RDONLY),
            lambda: Path(target).read_bytes(),
        ):
            with pytest.raises(StoreError, match="outside SQLite"):
                attempt()
    # Once the last connection is closed the file is the user's again.
    if os.path.exists(target):
        Path(target).read_bytes()


def test_the_guard_holds_until_the_last_connection_closes(seeded):
    first = Store.open(seeded)
    second = Store.open(seeded, readonly=True)
    first.close()
    with pytest.raises(StoreError):
        seeded.read_bytes()
    second.close()
    assert str(seeded.resolve()) not in dbfiles.guarded()
    seeded.read_bytes()


def test_the_guard_knows_the_files_by_any_name(seeded, tmp_path):
    """Opened through a symbolic link, SQLite works on the link's target: the target's
    -wal and -shm are guarded too; and the database is guarded under its other names."""
    link = tmp_path / "link.db"
    link.symlink_to(seeded)
    with Store.open(link):
        for target in (seeded, f"{seeded}-wal", f"{seeded}-shm"):
            with pytest.raises(StoreError, match="outside SQLite"):
                open(target, "rb")  # noqa: SIM115
    hard = tmp_path / "hard.db"
    os.link(seeded, hard)
    with Store.open(seeded):
        for target in (link, hard):
            with pytest.raises(StoreError, match="outside SQLite"):
                open(target, "rb")  # noqa: SIM115


# SQLite's dead-man-switch byte in a -shm file (UNIX_SHM_DMS in os_unix.c): every process
# with the database open holds a shared lock on it for as long as its connection is open.
PROBE_DMS_LOCK = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128)
    print("free")
except OSError:
    print("held")
"""


def _dms_lock(shm: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROBE_DMS_LOCK, shm], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
def test_a_side_file_of_an_open_database_is_never_opened_as_a_database(seeded, suffix):
    """SQLite opening the -shm as a database of its own, and closing it, would drop every
    lock this process holds on it (a typo such as `merge team.db team.db-shm`)."""
    side = f"{seeded}{suffix}"
    with Store.open(seeded) as held:
        assert _dms_lock(f"{seeded}-shm") == "held"
        with pytest.raises(StoreError, match="beside") as info:
            Store.open(side, readonly=True)
        assert "\n" not in str(info.value)
        with pytest.raises(StoreError, match="beside"):
            merge_databases(seeded, [side])
        assert _dms_lock(f"{seeded}-shm") == "held"
        assert not held.db.conn.in_transaction
        # Another process: merge opens its output, then the inputs.
        done = subprocess.run(
            [sys.executable, "-m", "workbench", "merge", str(seeded), side],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 1 and "beside" in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1


def test_a_second_store_in_the_process_keeps_the_first_ones_locks(seeded):
    """The defect of issue 9: the app opens a Store per lane; another process opening and
    closing the file must not delete the -wal under the first connection."""
    a, b = _pair(seeded)
    first = Store.open(seeded)
    try:
        first.record_mark(a, b, "agree", "ana")
        Store.open(seeded).close()  # another lane, opened and closed
        for command in (["stories"], ["candidates", "--top", "1", "--json"]):
            subprocess.run(
                [sys.executable, "-m", "workbench", *command, str(seeded)],
                check=True,
                capture_output=True,
            )
        subprocess.run(
            [sys.executable, "-c", f"import sqlite3; sqlite3.connect({str(seeded)!r}).close()"],
            check=True,
        )
        first.record_mark(a, b, "contradict", "ana")
        fds = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                fds.append(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:
                continue
        assert not [f for f in fds if "(deleted)" in f and "s.db" in f], fds
        assert _marks_seen_by_a_fresh_process(seeded) == 2
    finally:
        first.close()


def test_every_command_runs_while_this_process_holds_a_connection(seeded, tmp_path):
    """The CLI's code paths, in this process, beside an open Store (as the app would be):
    none may open the database files outside SQLite (the guard would refuse it)."""
    a, b = _pair(seeded)
    other = tmp_path / "other.db"
    assert run("import", str(other), str(SEEDS_DIR), "--story", STORY, "-q")[0] == 0
    with Store.open(other) as o:
        o.record_mark(a, b, "unrelated", "ben")
    held = Store.open(seeded)
    try:
        held.record_mark(a, b, "agree", "ana")
        commands = [
            ["stories", str(seeded)],
            ["claims", str(seeded), "--json"],
            ["candidates", str(seeded), "--top", "1"],
            ["align", str(seeded)],
            ["mark", str(seeded), "--a", a, "--b", b, "--label", "unsure", "--reviewer", "cy"],
            ["undo", str(seeded), "--reviewer", "cy"],
            ["export", str(seeded), "-o", str(tmp_path / "out.jsonl")],
            ["export", str(seeded), "--format", "csv"],
            ["agreement", str(seeded), "--json"],
            ["report", str(seeded), "-o", str(tmp_path / "report.html")],
            ["merge", str(seeded), str(other)],
            ["import", str(seeded), str(SEEDS_DIR / "000_b06f8e85b258ddf3.txt"), "-q"],
        ]
        for command in commands:
            code, output = run(*command)
            assert code == 0, (command, output)
            assert "outside SQLite" not in output
        held.record_mark(a, b, "contradict", "ana")
    finally:
        held.close()
    with Store.open(seeded, readonly=True) as store:
        reviewers = {m.reviewer for m in store.marks_log()}
        assert {"ana", "ben", "cy"} <= reviewers
        assert len([m for m in store.marks_log() if m.reviewer == "ana"]) == 2


async def test_the_review_app_runs_under_the_guard(seeded):
    """Two lanes, two connections in one process: the guard is on and nothing trips it."""
    app = make_app(seeded, reviewer="ana", env={})
    async with app.run_test(size=(120, 34)) as pilot:
        await app.ready.wait()
        await pilot.press("a", "a")
        for screen in app.screen_stack:
            if hasattr(screen, "settled"):
                await screen.settled()
        assert str(seeded.resolve()) in dbfiles.guarded()
    assert _marks_seen_by_a_fresh_process(seeded) == 2


# --- new databases appear only when complete ------------------------------------------------


def _no_database_left(folder: Path, name: str) -> None:
    left = sorted(p.name for p in folder.iterdir() if p.name.startswith((name, f".{name}")))
    assert left == [], left


def test_a_failed_import_into_a_new_path_leaves_nothing_not_even_a_draft(tmp_path):
    bad = tmp_path / "seeds"
    bad.mkdir()
    (bad / "a.txt").write_text("One fact. Another fact.")
    code, _ = run("import", str(tmp_path / "new.db"), str(bad), "-q")
    assert code == 0
    os.remove(tmp_path / "new.db")

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    import workbench.pipeline as pipeline

    original = pipeline.import_articles
    pipeline.import_articles = boom
    try:
        with pytest.raises(RuntimeError):
            CliRunner().invoke(
                cli, ["import", str(tmp_path / "new.db"), str(bad), "-q"], catch_exceptions=False
            )
    finally:
        pipeline.import_articles = original
    _no_database_left(tmp_path, "new.db")


def _big_feed(path: Path, articles: int = 4000) -> Path:
    sentences = [
        f"Officials in district {k} said {k % 97} people were hurt on Tuesday. "
        f"The mayor of town {k} denied the report about {k * 3} buses."
        for k in range(articles)
    ]
    with path.open("w", encoding="utf-8") as out:
        for k, text in enumerate(sentences):
            out.write(json.dumps({"story": f"story {k % 40}", "text": text}) + "\n")
    return path


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_an_import_killed_into_a_new_path_leaves_no_database(tmp_path, sig):
    feed = _big_feed(tmp_path / "feed.jsonl")
    db = tmp_path / "new.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", "import", str(db), str(feed), "-q"],
        stderr=subprocess.PIPE,
    )
    # Kill it once the draft database exists (the import is writing).
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".new.db.new-*")) and process.poll() is None:
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.005)
    process.send_signal(sig)
    process.wait(timeout=60)
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert "Traceback" not in stderr
    assert not db.exists()
    if sig != signal.SIGKILL:
        _no_database_left(tmp_path, "new.db")
    # A killed import's draft is swept by the next one, which succeeds.
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "import", str(db), str(SEEDS_DIR), "-q"],
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert db.exists()
    assert [p.name for p in tmp_path.glob(".new.db*")] == []


def test_a_draft_of_a_living_process_is_left_alone(tmp_path):
    target = tmp_path / "x.db"
    mine = dbfiles.draft_path(target)
    mine.write_bytes(b"")
    dead = target.with_name(f".x.db.new-{2**22 + 12345}-abcdef12")
    dead.write_bytes(b"")
    (dead.with_name(dead.name + "-wal")).write_bytes(b"")
    removed = dbfiles.remove_stale_drafts(target)
    assert removed == [dead]
    assert mine.exists() and not dead.exists()
    assert not dead.with_name(dead.name + "-wal").exists()


def test_publishing_never_replaces_a_database_created_meanwhile(tmp_path, seeded):
    target = tmp_path / "t.db"
    target.write_bytes(seeded.read_bytes())
    draft = dbfiles.draft_path(target)
    with Store.open(draft, create=True):
        pass
    with pytest.raises(StoreError, match="another process created"):
        dbfiles.publish_draft(draft, target)
    assert target.read_bytes() == seeded.read_bytes()
    assert not draft.exists()


# --- outputs never overwrite a database ----------------------------------------------------------


@pytest.mark.parametrize("command", ["export", "report"])
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_output_over_the_database_itself_is_refused(seeded, command, suffix):
    before = seeded.read_bytes()
    code, output = run(command, str(seeded), "-o", str(seeded) + suffix)
    assert code == 1 and "is the database this command reads" in output
    assert output.count("\n") == 1
    assert seeded.read_bytes() == before
    with Store.open(seeded, readonly=True) as store:
        assert store.story_summaries()


@pytest.mark.parametrize("command", ["export", "report"])
def test_output_over_another_database_needs_force(seeded, tmp_path, command):
    other = tmp_path / "other.md"
    other.write_bytes(seeded.read_bytes())
    code, output = run(command, str(seeded), "-o", str(other))
    assert code == 1 and "is a SQLite database" in output and "--force" in output
    assert other.read_bytes() == seeded.read_bytes()
    code, output = run(command, str(seeded), "-o", str(other), "--force")
    assert code == 0, output
    assert not dbfiles.is_sqlite_file(other)


def test_an_exports_manifest_never_lands_on_a_database(seeded, tmp_path):
    """The manifest is written beside the dataset (FILE.manifest.json): that name is an
    output too."""
    db = tmp_path / "pairs.jsonl.manifest.json"
    db.write_bytes(seeded.read_bytes())
    code, output = run("export", str(db), "-o", str(tmp_path / "pairs.jsonl"))
    assert code == 1 and "is the database this command reads" in output
    assert output.count("\n") == 1
    assert db.read_bytes() == seeded.read_bytes()
    assert not (tmp_path / "pairs.jsonl").exists()
    other = tmp_path / "x.manifest.json"
    other.write_bytes(seeded.read_bytes())
    code, output = run("export", str(seeded), "-o", str(tmp_path / "x"))
    assert code == 1 and "is a SQLite database" in output and "--force" in output
    assert other.read_bytes() == seeded.read_bytes()
    assert not (tmp_path / "x").exists()
    code, output = run("export", str(seeded), "-o", str(tmp_path / "x"), "--force")
    assert code == 0, output
    assert json.loads(other.read_text())["file"] == "x"


def test_a_failed_manifest_leaves_the_old_dataset_and_manifest(seeded, tmp_path):
    a, b = _pair(seeded)
    with Store.open(seeded) as store:
        store.record_mark(a, b, "agree", "ana")
    out = tmp_path / "pairs.jsonl"
    assert run("export", str(seeded), "-o", str(out))[0] == 0
    old_data = out.read_bytes()
    old_manifest = (tmp_path / "pairs.jsonl.manifest.json").read_bytes()
    with Store.open(seeded) as store:
        store.record_mark(a, b, "contradict", "ana")
    import workbench.export as export

    original = export.json.dump

    def failing_dump(*args, **kwargs):
        raise OSError(28, "No space left on device")

    export.json.dump = failing_dump
    try:
        code, output = run("export", str(seeded), "-o", str(out))
    finally:
        export.json.dump = original
    assert code == 1 and "No space left" in output
    assert out.read_bytes() == old_data
    assert (tmp_path / "pairs.jsonl.manifest.json").read_bytes() == old_manifest
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".pairs")) == []


# --- refused files are never written ------------------------------------------------------------


def _rollback_journal_db(path: Path, *, version: int, foreign: bool = False) -> bytes:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("CREATE TABLE invoices (id INTEGER)" if foreign else "CREATE TABLE t (x)")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    "version, foreign", [(SCHEMA_VERSION + 1, False), (0, True)], ids=["newer", "foreign"]
)
def test_a_refused_rollback_journal_database_is_never_written(tmp_path, version, foreign):
    path = tmp_path / "old.db"
    before = _rollback_journal_db(path, version=version, foreign=foreign)
    try:
        with Store.open(path) as store:
            assert store.readonly  # the newer one: readable, never written
    except StoreError as exc:
        assert "not a workbench database" in str(exc)
    assert path.read_bytes() == before  # not even the header's journal-mode bytes
    assert not Path(str(path) + "-wal").exists()


def _read_only_to_the_store(monkeypatch, path: Path) -> None:
    """Root may write any file, so "read-only" is what os.access says for this file."""
    real_access = os.access
    monkeypatch.setattr(
        store_module.os,
        "access",
        lambda p, mode: False if mode == os.W_OK and Path(p) == path else real_access(p, mode),
    )


def test_reading_a_read_only_file_leaves_no_shm(seeded, monkeypatch):
    with Store.open(seeded):
        pass  # a clean close: no -wal content
    assert not Path(str(seeded) + "-shm").exists()
    _read_only_to_the_store(monkeypatch, seeded)
    with Store.open(seeded) as store:
        assert store.readonly and store.readonly_reason == "the file is read-only"
        assert store.story_summaries()
    assert not Path(str(seeded) + "-shm").exists()


def test_reading_a_read_only_file_with_wal_content_leaves_a_usable_shm(seeded, monkeypatch):
    """The -wal holds committed marks (its writer was killed) and the -shm is gone (a copy,
    a cleanup): a reader must open a -shm to read the -wal. SQLite gives it the database
    file's mode, read-only; once the file is writable again, a writer could not use that
    -shm ("attempt to write a readonly database") until it was deleted by hand."""
    a, b = _pair(seeded)
    killed_writer = (
        "import os, sys\n"
        "from workbench.store import Store\n"
        "store = Store.open(sys.argv[1])\n"
        "store.db.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "store.record_mark(sys.argv[2], sys.argv[3], 'agree', 'ana')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", killed_writer, str(seeded), a, b], check=True)
    wal, shm = Path(f"{seeded}-wal"), Path(f"{seeded}-shm")
    assert wal.stat().st_size > 0
    shm.unlink()
    os.chmod(seeded, 0o444)
    _read_only_to_the_store(monkeypatch, seeded)
    with Store.open(seeded) as store:
        assert store.readonly and len(store.current_marks(reviewer="ana")) == 1
    assert not shm.exists() or shm.stat().st_mode & 0o200
    monkeypatch.undo()
    os.chmod(seeded, 0o644)
    with Store.open(seeded) as store:
        assert not store.readonly
        store.record_mark(a, b, "contradict", "ana")
    assert _marks_seen_by_a_fresh_process(seeded) == 2


def test_side_files_left_read_only_by_another_reader_are_made_writable_again(seeded):
    """The sqlite3 shell on a read-only WAL database leaves its -wal and -shm read-only
    (SQLite itself resets the mode of an empty one, not of a -shm of 32 KiB)."""
    with Store.open(seeded):
        pass
    wal, shm = Path(f"{seeded}-wal"), Path(f"{seeded}-shm")
    wal.write_bytes(b"")
    shm.write_bytes(bytes(32768))
    for side in (wal, shm):
        os.chmod(side, 0o444)
    with Store.open(seeded) as store:
        assert not store.readonly
        assert all(os.stat(side).st_mode & 0o200 for side in (wal, shm) if side.exists())
        a, b = _pair_in(store)
        store.record_mark(a, b, "agree", "ana")
    assert _marks_seen_by_a_fresh_process(seeded) == 1


def test_a_database_with_zeroed_pages_is_refused_for_writing_and_merging(seeded, tmp_path):
    damaged = tmp_path / "damaged.db"
    data = bytearray(seeded.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for k in range(2, min(len(data) // page, 12)):  # zero pages 3..12 (tables, indexes)
        data[k * page : (k + 1) * page] = bytes(page)
    damaged.write_bytes(bytes(data))
    before = damaged.read_bytes()
    store_module._CHECKED.clear()
    with pytest.raises(StoreError, match="damaged") as info:
        Store.open(damaged)
    assert "\n" not in str(info.value)
    with pytest.raises(StoreError, match="damaged"):
        merge_databases(tmp_path / "team.db", [damaged])
    assert damaged.read_bytes() == before
    assert not (tmp_path / "team.db").exists()
    code, output = run("mark", str(damaged), "--a", "x", "--b", "y", "--label", "agree",
                       "--reviewer", "ana")  # fmt: skip
    assert code == 1 and "damaged" in output and output.count("\n") == 1


# --- a full disk, a network file system -----------------------------------------------------------


def test_a_full_disk_is_one_line_and_keeps_what_was_committed(seeded):
    a, b = _pair(seeded)
    with Store.open(seeded) as store:
        store.record_mark(a, b, "agree", "ana")
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreError, match="disk is full") as info:
            store.record_mark(a, b, "contradict", "ana", note="x" * 200_000)
        assert "\n" not in str(info.value)
        assert not store.db.conn.in_transaction
        store.db.execute(f"PRAGMA max_page_count = {pages * 100}")
        store.record_mark(a, b, "unsure", "ana")  # the connection still works
    assert _marks_seen_by_a_fresh_process(seeded) == 2


MOUNTINFO = """\
22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
35 22 0:31 / /mnt/team rw,relatime - nfs4 server:/export rw,vers=4.2
36 22 0:32 / /mnt/team/local rw - ext4 /dev/sdb1 rw
37 22 0:33 / /home/ana/my\\040share rw - cifs //fs/share rw
38 22 0:34 / /media/remote rw - fuse.sshfs ana@host: rw
"""


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/home/ana/stories.db", None),
        ("/mnt/team/stories.db", "nfs4"),
        ("/mnt/team/local/stories.db", None),
        ("/home/ana/my share/x.db", "cifs"),
        ("/media/remote/a/b.db", "fuse.sshfs"),
        ("/mnt/teamwork/x.db", None),
    ],
)
def test_network_file_systems_are_recognised(path, expected):
    assert dbfiles.network_filesystem(path, MOUNTINFO) == expected


def test_a_database_on_a_network_file_system_gets_a_one_line_warning(seeded, monkeypatch):
    monkeypatch.setattr(store_module.files, "network_filesystem", lambda path: "nfs4")
    code, output = run("stories", str(seeded))
    assert code == 0
    warnings = [line for line in output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "network file system (nfs4)" in warnings[0]


def test_merge_and_a_new_import_warn_of_a_network_file_system_by_the_databases_name(
    seeded, tmp_path, monkeypatch
):
    monkeypatch.setattr(store_module.files, "network_filesystem", lambda path: "nfs4")
    new = tmp_path / "new.db"
    code, output = run("import", str(new), str(SEEDS_DIR), "--story", STORY, "-q")
    assert code == 0, output
    warnings = [line for line in output.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {new} is on a network file system (nfs4), where SQLite's locks are not"
        " to be trusted; work on a local copy if others use it too"
    ]
    team = tmp_path / "team.db"
    code, output = run("merge", str(team), str(seeded), str(new))
    assert code == 0, output
    warnings = [line for line in output.splitlines() if line.startswith("warning:")]
    assert [w.split(" is on ")[0] for w in warnings] == [
        f"warning: {team}",
        f"warning: {seeded}",
        f"warning: {new}",
    ]


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(x) for x in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_align_of_a_large_story_ends_at_once_and_leaves_no_child(tmp_path, sig):
    """A story large enough for a checker child (forked) and a scoring thread: a signal
    while it scores ends the program in a moment, with one line, the database as it was,
    and the child gone with it (a batch command's quick exit must not orphan it)."""
    from benchmarks.storygen import write_story_feed

    feed = tmp_path / "story.jsonl"
    write_story_feed(feed, 200, 40)  # 8,000 claims: seconds of scoring to interrupt
    db = tmp_path / "s.db"
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "import", str(db), str(feed), "-q", "--no-align"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    before = db.read_bytes()
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", "align", str(db)], stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while not (children := _children(process.pid)) and process.poll() is None:
        assert time.monotonic() < deadline, "no checker child was started"
        time.sleep(0.005)
    assert process.poll() is None, "the align ended before it could be interrupted"
    time.sleep(0.3)  # into the scoring
    signalled = time.monotonic()
    process.send_signal(sig)
    try:
        # Until its stderr closes: an orphaned child would hold it open (`| cat` would hang).
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        process.kill()
        process.communicate()
        raise AssertionError("the program or its child was still running 30 s on") from None
    took = time.monotonic() - signalled
    stderr = err.decode()
    assert process.returncode != 0 and "Traceback" not in stderr
    assert stderr.count("\n") <= 1
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in children), "the checker child outlived the program"
    assert took < 10, f"the program took {took:.1f} s to stop"
    with Store.open(db, readonly=True) as store:
        assert store.candidate_count() == 0  # the aborted align wrote nothing
    assert db.read_bytes() == before
