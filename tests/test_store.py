"""The store: opening rules, schema, transactions, marks."""

from __future__ import annotations

import sqlite3

import pytest

from conftest import FTS_MATCHES_CLAIMS, SEEDS_DIR
from workbench.errors import NotFoundError, StoreError
from workbench.hints import find_hints
from workbench.models import (
    Article,
    Candidate,
    CandidateBlock,
    ClaimKind,
    ClaimSpan,
    Label,
    MarkAction,
    article_id,
    pair_id,
)
from workbench.pipeline import import_paths
from workbench.store import SCHEMA_VERSION, Store
from workbench.store import base as store_module


def _add(store: Store, story_name: str, text: str, source: str) -> Article:
    story = store.ensure_story(story_name)
    article = Article(id=article_id(text), story_id=story.id, source=source, text=text)
    spans = [ClaimSpan(0, text.index(".") + 1)]
    rest = text.index(".") + 2
    if rest < len(text):
        spans.append(ClaimSpan(rest, len(text), ClaimKind.BOILERPLATE))
    store.add_article(article, spans)
    return article


@pytest.fixture
def store(tmp_path) -> Store:
    with Store.open(tmp_path / "t.db", create=True) as opened:
        yield opened


@pytest.fixture
def two_claims(store) -> tuple[str, str]:
    a = _add(store, "story", "Six were hurt. Subscribe now.", "a.txt")
    b = _add(store, "story", "6 fighters were injured.", "b.txt")
    return (store.claims(article=a.id)[0].id, store.claims(article=b.id)[0].id)


def test_new_database_is_wal_with_foreign_keys_and_schema_version(tmp_path):
    with Store.open(tmp_path / "new.db", create=True) as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert store.schema_version == SCHEMA_VERSION
        assert {
            "stories",
            "articles",
            "claims",
            "candidates",
            "marks",
            "sessions",
            "claims_fts",
        } <= set(store.db.table_names())


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: None, "no such database"),
        (
            lambda p: p.write_bytes(b"hello, this is not sqlite at all" * 10),
            "not a SQLite database",
        ),
        (lambda p: p.write_bytes(bytes(range(256)) * 16), "not a SQLite database"),
    ],
    ids=["directory", "missing", "text", "random-bytes"],
)
def test_bad_database_paths_are_refused_with_one_line(tmp_path, make, message):
    path = tmp_path / "bad.db"
    make(path)
    with pytest.raises(StoreError, match=message) as info:
        Store.open(path)
    assert "\n" not in str(info.value)


def test_truncated_database_is_refused(tmp_path, two_claims, store):
    store.close()
    source = tmp_path / "t.db"
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(source.read_bytes()[:200])
    with pytest.raises(StoreError), Store.open(truncated) as broken:
        broken.story_summaries()


def test_foreign_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a workbench database"):
        Store.open(path)


def test_newer_schema_is_readable_but_never_written(tmp_path, two_claims, store):
    store.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    store.close()
    path = tmp_path / "t.db"
    before = path.read_bytes()
    with Store.open(path) as newer:
        assert newer.readonly
        assert "newer workbench" in newer.readonly_reason
        assert len(newer.story_summaries()) == 1
        with pytest.raises(StoreError, match="read-only"):
            newer.record_mark(*two_claims, Label.AGREE, "ana")
    assert path.read_bytes() == before


def test_write_transaction_rolls_back_everything(store):
    with pytest.raises(RuntimeError), store.write():
        _add(store, "s", "One thing happened. Then more.", "x.txt")
        raise RuntimeError("boom")
    assert store.story_summaries() == []
    assert store.claims() == []


def test_adding_the_same_article_twice_changes_nothing(store):
    _add(store, "s", "One thing happened. Then more.", "x.txt")
    before = store.db.execute("SELECT count(*) FROM claims").fetchone()[0]
    story = store.ensure_story("s")
    text = "One thing happened. Then more."
    again = Article(id=article_id(text), story_id=story.id, source="x.txt", text=text)
    assert store.add_article(again, [ClaimSpan(0, 5)]) is False
    assert store.db.execute("SELECT count(*) FROM claims").fetchone()[0] == before


def test_claim_text_is_the_exact_slice(store):
    text = "Héllo “world”.  Second\u00a0line here."
    article = _add(store, "s", text, "x.txt")
    for claim in store.claims(article=article.id):
        assert text[claim.start : claim.end] == claim.text


def test_resolve_story_by_name_or_id(store):
    story = store.ensure_story("Syria talks")
    assert store.resolve_story("Syria talks") == story
    assert store.resolve_story(story.id) == story
    with pytest.raises(NotFoundError):
        store.resolve_story("nope")


def test_a_mark_is_the_same_pair_whichever_way_round(store, two_claims):
    a, b = two_claims
    first = store.record_mark(a, b, Label.AGREE, "ana")
    second = store.record_mark(b, a, Label.CONTRADICT, "ana")
    assert (first.claim_a, first.claim_b) == (second.claim_a, second.claim_b)
    current = store.current_marks(reviewer="ana")
    assert [m.label for m in current] == [Label.CONTRADICT]
    row = store.db.execute("SELECT DISTINCT pair_id FROM marks").fetchall()
    assert row == [(pair_id(a, b),)]


def test_undo_appends_and_restores_the_previous_label(store, two_claims):
    a, b = two_claims
    store.record_mark(a, b, Label.AGREE, "ana")
    store.record_mark(a, b, Label.CONTRADICT, "ana")
    undone = store.undo_last("ana")
    assert undone is not None and undone.label == Label.CONTRADICT
    assert [m.label for m in store.current_marks(reviewer="ana")] == [Label.AGREE]
    store.undo_last("ana")
    assert store.current_marks(reviewer="ana") == []
    assert store.undo_last("ana") is None
    log = store.marks_log()
    assert [m.action for m in log] == [
        MarkAction.MARK,
        MarkAction.MARK,
        MarkAction.UNDO,
        MarkAction.UNDO,
    ]


def test_undo_only_touches_the_given_reviewer(store, two_claims):
    store.record_mark(*two_claims, Label.AGREE, "ana")
    store.record_mark(*two_claims, Label.UNRELATED, "ben")
    store.undo_last("ben")
    assert [(m.reviewer, m.label) for m in store.current_marks()] == [("ana", Label.AGREE)]


@pytest.mark.parametrize(
    "change, error",
    [
        (lambda a, b: (a, "nope:1-2", "agree"), NotFoundError),
        (lambda a, b: (a, b, "maybe"), NotFoundError),
        (lambda a, b: (a, a, "agree"), StoreError),
    ],
    ids=["unknown-claim", "unknown-label", "same-claim"],
)
def test_bad_marks_are_refused_and_nothing_is_written(store, two_claims, change, error):
    claim_a, claim_b, label = change(*two_claims)
    with pytest.raises(error):
        store.record_mark(claim_a, claim_b, label, "ana")
    assert store.marks_log() == []


def test_marks_within_one_article_are_refused(store):
    article = _add(store, "s", "One thing happened. Subscribe now.", "x.txt")
    first, second = store.claims(article=article.id)
    with pytest.raises(StoreError, match="different articles"):
        store.record_mark(first.id, second.id, Label.AGREE, "ana")


def test_read_only_open_refuses_writes_politely(tmp_path, store, two_claims):
    store.close()
    with Store.open(tmp_path / "t.db", readonly=True) as readonly:
        assert readonly.readonly
        assert readonly.story_summaries()[0].claims == 3
        with pytest.raises(StoreError, match="read-only"):
            readonly.record_mark(*two_claims, Label.AGREE, "ana")
    with Store.open(tmp_path / "t.db") as writable:
        assert writable.marks_log() == []


def test_fts_search_finds_claims_and_treats_queries_as_words(store):
    _add(store, "s", "Dillon said the meeting lasted an hour. Subscribe now.", "x.txt")
    assert [c.text for c in store.search_claims("meetings")] == [
        "Dillon said the meeting lasted an hour."
    ]
    assert store.search_claims('hour" OR "x') == []
    assert store.search_claims("   ") == []


def test_the_search_index_holds_every_claim_and_no_other(tmp_path):
    """The store indexes an article's claims itself (no per-row trigger): the index must
    match the claims table exactly, through imports, a duplicate import and an upgrade."""
    with Store.open(tmp_path / "s.db", create=True) as store:
        import_paths(store, [SEEDS_DIR], story="S")
        import_paths(store, [SEEDS_DIR], story="S")  # nothing added, nothing indexed twice
        db = store.db
        assert not db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name = 'claims_ai'"
        ).fetchall()
        db.execute(FTS_MATCHES_CLAIMS)  # raises "malformed" where one is missing or extra
        for claim in store.claims()[::7]:
            word = max(claim.text.split(), key=len).strip(".,;:!?\"'()“”’‘—")
            assert claim.id in {c.id for c in store.search_claims(word, limit=1000)}, word


def test_candidates_keep_no_hints_and_rows_compute_them_on_access(store):
    """Hints are a function of the two claims, computed when asked for, in the row's own
    direction; the schema has nowhere to store them."""
    a = _add(store, "story", "Troops met near Raqqa on Thursday.", "a.txt")
    b = _add(store, "story", "Troops met near Raqqa on Friday.", "b.txt")
    ca, cb = store.claims(article=a.id)[0].id, store.claims(article=b.id)[0].id
    story = store.resolve_story("story").id
    written = store.replace_candidates(
        story, [CandidateBlock.of([Candidate(ca, cb, 1, 80.0), Candidate(cb, ca, 1, 79.5)])]
    )
    assert written == 2
    assert "hints" not in {row[1] for row in store.db.execute("PRAGMA table_info(candidates)")}
    rows = {(r.a.claim.id, r.b.claim.id): r for r in store.candidate_rows(story=story)}
    forward, backward = rows[(ca, cb)], rows[(cb, ca)]
    assert forward.hints == tuple(find_hints(forward.a.claim.text, forward.b.claim.text))
    assert [(h.kind, h.a, h.b) for h in forward.hints] == [("weekday", "Thursday", "Friday")]
    assert [(h.kind, h.a, h.b) for h in backward.hints] == [("weekday", "Friday", "Thursday")]
    assert store.review_view_rows(a.id, b.id) == [(ca, cb, 1, 80.0, 0.0), (cb, ca, 1, 79.5, 0.0)]


def test_story_scoped_queries_use_their_indexes(store, two_claims):
    story = store.resolve_story("story").id
    plan = " ".join(row[3] for row in store.db.execute(
        "EXPLAIN QUERY PLAN SELECT ca.id, cb.id FROM articles aa"
        " JOIN claims ca ON ca.article_id = aa.id JOIN candidates k ON k.a = ca.key"
        " JOIN claims cb ON cb.key = k.b WHERE aa.story_id = ?", [story]))  # fmt: skip
    assert "INDEX articles_story" in plan and "PRIMARY KEY" in plan
    assert "SCAN k" not in plan and "SCAN candidates" not in plan
    plan = " ".join(row[3] for row in store.db.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM marks WHERE claim_a IN"
        " (SELECT c.id FROM claims c JOIN articles a ON a.id = c.article_id"
        "  WHERE a.story_id = ?)", [story]))  # fmt: skip
    assert "INDEX marks_claim_a" in plan


def test_a_failed_commit_rolls_back_and_later_writes_still_commit(tmp_path, store):
    # A deferred foreign key makes COMMIT itself fail; the transaction must not stay open,
    # or every later write() on this connection would be "nested" and never committed.
    store.db.execute(
        "CREATE TABLE probe (story TEXT REFERENCES stories(id) DEFERRABLE INITIALLY DEFERRED)"
    )
    with pytest.raises(sqlite3.IntegrityError), store.write() as db:
        db.execute("INSERT INTO probe VALUES ('no such story')")
    assert not store.db.conn.in_transaction
    store.ensure_story("kept")
    with Store.open(tmp_path / "t.db", readonly=True) as other:
        assert [s.name for s in other.stories()] == ["kept"]
        assert other.db.execute("SELECT count(*) FROM probe").fetchone()[0] == 0


def test_missing_parent_folder_is_one_line(tmp_path):
    with pytest.raises(StoreError, match="no such folder"):
        Store.open(tmp_path / "nope" / "x.db", create=True)


def _unwritable_folder(monkeypatch) -> None:
    """What SQLite does to a read-only open of a WAL database without its -shm file in a
    folder it cannot write (root ignores permissions, so the failure is reproduced here)."""
    real_connect = store_module._connect

    def connect(path, *, readonly, immutable=False):
        if readonly and not immutable:
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real_connect(path, readonly=readonly, immutable=immutable)

    monkeypatch.setattr(store_module, "_connect", connect)


def test_wal_database_readable_without_shm_in_a_read_only_folder(tmp_path, monkeypatch):
    db = tmp_path / "r.db"
    with Store.open(db, create=True) as created:
        _add(created, "story", "Six were hurt. Subscribe now.", "a.txt")
    assert not (tmp_path / "r.db-wal").exists()  # a clean close leaves no -wal content
    _unwritable_folder(monkeypatch)
    with Store.open(db, readonly=True) as readonly:
        assert [s.name for s in readonly.stories()] == ["story"]
        assert readonly.readonly


def test_immutable_fallback_is_refused_when_the_wal_holds_data(tmp_path, monkeypatch):
    db = tmp_path / "r.db"
    with Store.open(db, create=True) as writer:
        _add(writer, "story", "Six were hurt. Subscribe now.", "a.txt")
        writer.db.execute("PRAGMA wal_autocheckpoint = 0")
        _add(writer, "story", "Seven were hurt. Subscribe now.", "b.txt")
        assert (tmp_path / "r.db-wal").stat().st_size > 0
        _unwritable_folder(monkeypatch)
        # Reading the file alone would miss what the -wal holds: refuse, in one line.
        with pytest.raises(StoreError, match="not a usable SQLite database"):
            Store.open(db, readonly=True)


def test_the_queue_is_reused_until_the_database_changes(tmp_path):
    """A story's queue is computed once while nothing changes (the app asks for it twice as
    it opens) and again after a write of this connection or a commit of another one."""
    path = tmp_path / "q.db"
    with Store.open(path, create=True) as store:
        import_paths(store, [SEEDS_DIR], story="seed")
    with Store.open(path) as store, Store.open(path) as other:
        story = store.stories()[0].id
        first = store.queue(story, min_score=40.0)
        assert first and store.queue(story, min_score=40.0) == first
        assert store.queue(story, min_score=40.0, order="claims") != first  # its own entry
        calls = []
        real = store.db.execute
        store.db.execute = lambda sql, *args: (calls.append(sql), real(sql, *args))[1]
        assert store.queue(story, min_score=40.0, order="claims")  # the last one asked: kept
        assert not [sql for sql in calls if "candidates" in sql]
        store.db.execute = real

        kept = first[0]
        with other.write() as db:  # another connection drops the first pair's rows
            db.execute(
                "DELETE FROM candidates WHERE a IN (SELECT key FROM claims WHERE id IN (?, ?))",
                list(kept.pair),
            )
        assert kept.pair not in {item.pair for item in store.queue(story, min_score=40.0)}

        with store.write() as db:  # and this one, all of them
            db.execute("DELETE FROM candidates")
        assert store.queue(story, min_score=40.0) == []


def test_a_queue_read_inside_a_transaction_is_not_kept_and_a_row_to_no_claim_is_no_pair(
    tmp_path,
):
    """Inside a write the queue is computed but not kept (what the write changed may be
    rolled back); a candidate row naming no claim (a hand-edited file: the table has no
    foreign key) proposes nothing instead of failing."""
    path = tmp_path / "q.db"
    with Store.open(path, create=True) as store:
        import_paths(store, [SEEDS_DIR], story="seed")
    with Store.open(path) as store:
        story = store.stories()[0].id
        before = store.queue(story, min_score=40.0)
        with pytest.raises(RuntimeError), store.write() as db:
            db.execute("DELETE FROM candidates")
            assert store.queue(story, min_score=40.0) == []
            raise RuntimeError("rolled back")
        assert store.queue(story, min_score=40.0) == before

        first = store.db.execute("SELECT key FROM claims ORDER BY key LIMIT 1").fetchone()[0]
        with store.write() as db:
            db.execute(
                "INSERT INTO candidates (a, b, score, rank, discrepancy)"
                " VALUES (?, 999999999, 99.0, 1, 90.0)",
                [first],
            )
        assert store.queue(story, min_score=40.0) == before


@pytest.mark.parametrize("variable_limit", [None, 7])
def test_candidate_rows_are_stored_exactly_many_to_a_statement(tmp_path, variable_limit):
    """Rows go in many to a statement (and a shorter one for the rest), plain rows (rank 1,
    no discrepancy) with three values bound and others with five: every row reads back as
    given, the counts written are the rows, and a re-alignment's rows replace theirs. With
    SQLite allowing few bound values a statement, fewer rows go in each."""
    import numpy as np

    from workbench.store import candidates as candidates_module

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.txt").write_text(
            " ".join(f"Report {name} gives fact number {k} here." for k in range(40))
        )
    with Store.open(tmp_path / "c.db", create=True) as store:
        import_paths(store, [folder], story="S", align=False)
        if variable_limit is not None:
            store.db.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, variable_limit)
        story = store.resolve_story("S").id
        ids = [c.id for c in store.claims(story=story)]
        assert len(ids) == 80
        rng = np.random.default_rng(7)
        i = np.repeat(np.arange(40), 40)  # a's 40 claims x b's 40, both ways
        j = np.tile(np.arange(40, 80), 40)
        i, j = np.concatenate([i, j]), np.concatenate([j, i])
        n = len(i)
        assert n > 3 * candidates_module._ROWS_PER_STATEMENT  # whole statements and a rest
        rank = np.where(rng.random(n) < 0.2, 2, 1)
        disc = np.where(rng.random(n) < 0.2, np.round(rng.uniform(1, 100, n), 2), 0.0)
        score = np.round(rng.uniform(0, 100, n), 2)
        block = CandidateBlock(ids, i, j, rank, score, disc)
        assert store.replace_candidates(story, [block]) == n

        def stored() -> dict:
            return {
                (a, b): (rank, score, disc)
                for a, b, rank, score, disc in store.db.execute(
                    "SELECT ca.id, cb.id, k.rank, k.score, k.discrepancy FROM candidates k"
                    " JOIN claims ca ON ca.key = k.a JOIN claims cb ON cb.key = k.b"
                )
            }

        want = {
            (ids[x], ids[y]): (int(r), float(s), float(d))
            for x, y, r, s, d in zip(i, j, rank, score, disc, strict=True)
        }
        assert stored() == want
        # an incremental run rewrites some rows: they replace theirs, the rest stay
        some = rng.choice(n, 600, replace=False)
        again = CandidateBlock(
            ids, i[some], j[some], np.ones(600, int), score[some] / 2, disc[some]
        )
        assert store.update_candidates(story, [again]) == 600
        for k in some.tolist():
            want[(ids[i[k]], ids[j[k]])] = (1, float(score[k] / 2), float(disc[k]))
        assert stored() == want
