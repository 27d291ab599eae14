"""Merge: the union by id, whatever the order, idempotent, inputs untouched, conflicts
refused before anything is written."""

from __future__ import annotations

import hashlib
import itertools
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FTS_MATCHES_CLAIMS, SEEDS_DIR, a_version_1_database
from workbench.cli import cli
from workbench.errors import StoreError
from workbench.merge import merge_databases
from workbench.models import Article, ClaimSpan, Label, article_id
from workbench.pipeline import import_paths
from workbench.store import SCHEMA_VERSION, Store

STORY = "Seeds"
SEEDS = sorted(SEEDS_DIR.glob("*.txt"))
TABLES = ("stories", "articles", "claims", "candidates", "sessions", "marks")


def content(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, timestamps included, in id order: 'the same content'."""
    with Store.open(path, readonly=True) as store:
        return {
            table: sorted(store.db.execute(_dump_sql(store, table)), key=repr) for table in TABLES
        }


def _dump_sql(store: Store, table: str) -> str:
    """Every column, with claims named by id: a claim's integer key is local to each
    database (it is the order claims were inserted in)."""
    if table == "candidates":
        return (
            "SELECT ca.id, cb.id, k.score, k.rank, k.discrepancy FROM candidates k"
            " JOIN claims ca ON ca.key = k.a JOIN claims cb ON cb.key = k.b"
        )
    return f"SELECT {_columns(store, table)} FROM {table}"


def _columns(store: Store, table: str) -> str:
    """Every column but a claim's integer key, which is local to each database."""
    names = [r[1] for r in store.db.execute(f"PRAGMA table_info({table})")]
    return ", ".join(f'"{c}"' for c in names if not (table == "claims" and c == "key"))


def file_digests(folder: Path) -> dict[str, str]:
    """The database files' bytes. Opening a WAL database read-only makes SQLite create its
    -shm/-wal companions (as any read-only command does); the database itself must not change."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.db"))}


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def build(path: Path, files: list[Path], reviewer: str, marks: int = 6) -> Path:
    with Store.open(path, create=True) as store:
        import_paths(store, files, story=STORY)
        session = store.start_session(reviewer)
        labels = list(Label)
        seen = set()
        for row in store.candidate_rows(top=1):
            key = (row.a.claim.id, row.b.claim.id)
            if len(seen) == marks or tuple(sorted(key)) in seen:
                continue
            seen.add(tuple(sorted(key)))
            store.record_mark(
                *key, labels[len(seen) % 4], reviewer, note=f"by {reviewer}", session_id=session
            )
        store.undo_last(reviewer, session_id=session)
    return path


@pytest.fixture
def two(tmp_path) -> tuple[Path, Path]:
    """ana has seeds 0-2, ben has seeds 1-4: two articles in common."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    return (build(inputs / "ana.db", SEEDS[:3], "ana"), build(inputs / "ben.db", SEEDS[1:], "ben"))


def test_merge_is_order_independent_idempotent_and_leaves_inputs_alone(two, tmp_path):
    ana, ben = two
    before, ana_rows, ben_rows = file_digests(ana.parent), content(ana), content(ben)
    ab = merge_databases(tmp_path / "ab.db", [ana, ben])
    merge_databases(tmp_path / "ba.db", [ben, ana])
    assert content(tmp_path / "ab.db") == content(tmp_path / "ba.db")
    assert file_digests(ana.parent) == before
    assert (content(ana), content(ben)) == (ana_rows, ben_rows)

    again = merge_databases(tmp_path / "ab.db", [ben, ana])
    assert again.added == dict.fromkeys(again.added, 0) and again.realigned == []
    assert content(tmp_path / "ab.db") == content(tmp_path / "ba.db")

    assert ab.added["articles"] == 5 and ab.added["stories"] == 1
    with Store.open(tmp_path / "ab.db", readonly=True) as merged:
        reviewers = {m.reviewer for m in merged.current_marks()}
        assert reviewers == {"ana", "ben"}
        assert len(merged.marks_log()) == ab.added["marks"]
        assert merged.search_claims("Deir ez-Zor")  # full-text index follows the claims
    with Store.open(tmp_path / "ab.db") as merged:  # ... each merged claim indexed, once
        merged.db.execute(FTS_MATCHES_CLAIMS)


def test_merged_claims_and_candidates_equal_a_direct_import(two, tmp_path):
    merge_databases(tmp_path / "ab.db", list(two))
    direct = tmp_path / "direct.db"
    with Store.open(direct, create=True) as store:
        import_paths(store, SEEDS, story=STORY)
    merged, expected = content(tmp_path / "ab.db"), content(direct)
    for table in ("claims", "candidates"):
        assert merged[table] == expected[table], table


def test_merging_into_an_existing_database_keeps_its_rows(two, tmp_path):
    ana, ben = two
    out = tmp_path / "team.db"
    shutil.copy(ana, out)
    report = merge_databases(out, [ben])
    assert report.added["articles"] == 2 and report.realigned
    merge_databases(tmp_path / "fresh.db", [ana, ben])
    assert content(out) == content(tmp_path / "fresh.db")


def test_cli_merge(two, tmp_path):
    result = invoke("merge", tmp_path / "out.db", *two)
    assert result.exit_code == 0, result.output
    assert "merged 2 database(s)" in result.output and "5 articles" in result.output


def _folder(folder: Path) -> dict[str, str]:
    """Every file in `folder` by name, with its bytes' digest."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_an_older_input_is_merged_without_writing_it(two, tmp_path):
    # Review bug: merge upgraded an older input in place and left IN.db.v1.bak beside it,
    # although inputs are only read.
    old_dir, upgraded_dir = tmp_path / "old", tmp_path / "upgraded"
    old_dir.mkdir()
    upgraded_dir.mkdir()
    old = old_dir / "v1.db"
    a_version_1_database(old)
    before = _folder(old_dir)
    assert list(before) == ["v1.db"]
    upgraded = upgraded_dir / "v1.db"
    shutil.copy(old, upgraded)
    with Store.open(upgraded) as store:  # upgraded in place, the way any writer does
        assert store.schema_version == SCHEMA_VERSION

    report = merge_databases(tmp_path / "from_old.db", [two[0], old])
    assert _folder(old_dir) == before  # same bytes, no backup, no -wal or -shm left
    assert [w for w in report.warnings if "v1.db" in w] == [
        f"{old} is of schema 1: read through a temporary copy upgraded to schema"
        f" {SCHEMA_VERSION}; the file itself is left as it is"
    ]
    expected = merge_databases(tmp_path / "from_upgraded.db", [two[0], upgraded])
    assert report.added == expected.added
    assert report.added["articles"] == 3 + 2 and report.added["marks"] > 1
    merged = content(tmp_path / "from_old.db")
    assert merged == content(tmp_path / "from_upgraded.db")
    old_rows = content(upgraded)
    for table in ("stories", "articles", "claims", "marks"):
        width = 7 if table == "claims" else None  # without norm, which re-alignment fills in
        assert {r[:width] for r in old_rows[table]} <= {r[:width] for r in merged[table]}, table

    result = invoke("merge", tmp_path / "cli.db", old, two[1])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert _folder(old_dir) == before


# --- refusals -----------------------------------------------------------------------------------


def refused(out: Path, *inputs: Path) -> str:
    existed = out.exists()
    before = content(out) if existed else None
    result = invoke("merge", out, *inputs)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    if existed:
        assert content(out) == before
    else:
        assert not out.exists()
    return lines[0]


def test_same_text_with_other_metadata_is_a_conflict(two, tmp_path):
    renamed = tmp_path / "renamed.txt"
    shutil.copy(SEEDS[0], renamed)
    other = tmp_path / "other.db"
    with Store.open(other, create=True) as store:
        import_paths(store, [renamed], story=STORY)
    message = refused(tmp_path / "out.db", two[0], other)
    assert "article" in message and "source" in message and "nothing was merged" in message
    existing = tmp_path / "existing.db"
    shutil.copy(two[0], existing)
    refused(existing, other)


def test_same_article_in_another_story_is_a_conflict(two, tmp_path):
    other = tmp_path / "other.db"
    with Store.open(other, create=True) as store:
        import_paths(store, [SEEDS[0]], story="Elsewhere")
    assert "story_id" in refused(tmp_path / "out.db", two[0], other)


def test_an_article_split_differently_is_a_conflict(two, tmp_path):
    text = SEEDS[0].read_bytes().decode("utf-8")
    other = tmp_path / "other.db"
    with Store.open(two[0], readonly=True) as ana:
        original = ana.find_article(article_id(text))
    with Store.open(other, create=True) as store:
        story = store.ensure_story(STORY)
        store.add_article(
            Article(
                original.id,
                story.id,
                original.source,
                text,
                original.title,
                original.outlet,
                original.published,
                original.url,
            ),
            [ClaimSpan(0, 10)],
        )
    assert "split into different claims" in refused(tmp_path / "out.db", two[0], other)


def test_a_newer_schema_is_refused(two, tmp_path):
    newer = tmp_path / "newer.db"
    shutil.copy(two[1], newer)
    with Store.open(newer) as store:
        store.db.execute("PRAGMA user_version = 99")
    assert "newer workbench" in refused(tmp_path / "out.db", two[0], newer)


def test_output_that_is_an_input_and_missing_inputs_are_refused(two, tmp_path):
    assert "is the output database" in refused(two[0], two[1], two[0])
    assert "no such database" in refused(tmp_path / "out.db", tmp_path / "missing.db")
    with pytest.raises(StoreError):
        merge_databases(tmp_path / "out.db", [])


# --- hypothesis: any split of the work merges to the same thing ---------------------------------

TEXTS = [
    "Six fighters were hurt on Saturday. The talks lasted an hour. Officials met in Amman.",
    "Seven fighters were hurt on Sunday. The talks lasted two hours. Nobody met in Amman.",
    "Officials met in Amman on Thursday. Six fighters were hurt. The talks were long.",
    "The talks lasted an hour, officials said. Fighters were hurt. A new meeting is planned.",
]


def _spans(text: str) -> list[ClaimSpan]:
    spans, start = [], 0
    for end in [i + 1 for i, c in enumerate(text) if c == "."]:
        spans.append(ClaimSpan(start, end))
        start = end + 1
    return spans


def _make(path: Path, articles: list[int], marks: list[tuple], reviewer: str) -> None:
    with Store.open(path, create=True) as store:
        story = store.ensure_story("made up")
        for n in articles:
            text = TEXTS[n]
            store.add_article(Article(article_id(text), story.id, f"{n}.txt", text), _spans(text))
        claims = {n: [c.id for c in store.claims(article=article_id(TEXTS[n]))] for n in articles}
        for x, y, i, j, label in marks:
            if x in claims and y in claims and x != y:
                store.record_mark(claims[x][i], claims[y][j], label, reviewer)


work = st.tuples(
    st.lists(st.integers(0, 3), min_size=1, max_size=4, unique=True),
    st.lists(
        st.tuples(
            st.integers(0, 3),
            st.integers(0, 3),
            st.integers(0, 2),
            st.integers(0, 2),
            st.sampled_from(list(Label)),
        ),
        max_size=6,
    ),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(shares=st.lists(work, min_size=2, max_size=3))
def test_any_split_merges_to_the_same_content_in_any_order(tmp_path_factory, shares):
    folder = tmp_path_factory.mktemp("split")
    inputs = []
    for n, (articles, marks) in enumerate(shares):
        inputs.append(folder / f"r{n}.db")
        _make(inputs[-1], articles, marks, f"reviewer{n}")
    before = file_digests(folder)
    results = []
    for k, order in enumerate(itertools.permutations(inputs)):
        out = folder / "out" / f"{k}.db"
        out.parent.mkdir(exist_ok=True)
        merge_databases(out, list(order))
        results.append(content(out))
    assert all(r == results[0] for r in results)
    again = merge_databases(folder / "out" / "0.db", inputs)
    assert set(again.added.values()) == {0}
    assert content(folder / "out" / "0.db") == results[0]
    assert file_digests(folder) == before
    assert len(results[0]["marks"]) == sum(len(content(p)["marks"]) for p in inputs)


def test_output_that_is_a_directory_or_in_a_missing_one_is_refused(two, tmp_path):
    # Review bug: OUT.db naming a directory was a click usage error (exit 2, three lines);
    # OUT.db in a missing directory said "not a usable SQLite database".
    folder = tmp_path / "folder.db"
    folder.mkdir()
    result = invoke("merge", folder, *two)
    assert result.exit_code == 1 and result.output.strip().splitlines() == [
        f"Error: {folder}: is a directory, not a database"
    ]
    assert list(folder.iterdir()) == []
    assert refused(tmp_path / "nowhere" / "out.db", *two) == (
        f"Error: {tmp_path / 'nowhere'}: no such directory; nothing was merged"
    )


def test_merge_keeps_the_traits_version_of_the_database_merged_into(two, tmp_path):
    """The traits version speaks for a database's own stored traits: merging one that has
    it into one that has none does not make the latter's traits trusted (they are dropped
    and computed again when it is next aligned)."""
    ana, ben = two
    out = tmp_path / "team.db"
    shutil.copy(ana, out)
    with Store.open(out) as store:
        store.db.execute("DELETE FROM meta WHERE key = 'traits_version'")
        story = store.stories()[0].id
        traits = store.claim_traits(story=story)
        claim = next(c for c, t in traits.items() if t)  # one with some trait
        store.set_claim_traits([(claim, 0)])  # as other rules may have left it
    with Store.open(ben) as store:
        assert "traits_version" in store.meta()
    merge_databases(out, [ben])
    with Store.open(out) as store:
        assert store.claim_traits(story=story)[claim] == traits[claim]
