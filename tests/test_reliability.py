"""Nothing lost: concurrent writers, hostile input refused or kept verbatim, fuzzed importers."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEEDS_DIR
from workbench.claims import split_claims
from workbench.errors import IngestError, WorkbenchError
from workbench.ingest import read_inputs
from workbench.models import Label
from workbench.pipeline import import_paths
from workbench.store import Store

MARKS_PER_WRITER = 150


def _writer(
    db: str, reviewer: str, pairs: list[tuple[str, str]], out: multiprocessing.Queue
) -> None:
    errors = []
    with Store.open(db) as store:
        for number in range(MARKS_PER_WRITER):
            a, b = pairs[number % len(pairs)]
            label = list(Label)[number % 4]
            try:
                store.record_mark(a, b, label, reviewer, note=f"{reviewer}-{number}")
            except Exception as exc:
                errors.append(repr(exc))
    out.put((reviewer, errors))


def test_concurrent_writers_lose_nothing_and_never_see_locked(tmp_path):
    db = str(tmp_path / "c.db")
    with Store.open(db, create=True) as store:
        import_paths(store, [SEEDS_DIR], story="S")
        pairs = [(r.a.claim.id, r.b.claim.id) for r in store.candidate_rows(top=1)][:40]
    queue: multiprocessing.Queue = multiprocessing.Queue()
    writers = [
        multiprocessing.Process(target=_writer, args=(db, f"r{n}", pairs, queue)) for n in range(3)
    ]
    for process in writers:
        process.start()
    results = dict(queue.get(timeout=120) for _ in writers)
    for process in writers:
        process.join(timeout=30)
    assert all(errors == [] for errors in results.values()), results
    with Store.open(db) as store:
        log = store.marks_log()
        assert len(log) == 3 * MARKS_PER_WRITER
        notes = {m.note for m in log}
        assert notes == {f"r{n}-{i}" for n in range(3) for i in range(MARKS_PER_WRITER)}
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_200_mb_file_is_refused_by_the_documented_limit(tmp_path):
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:  # sparse: 200 MB on paper, nothing on disk
        handle.truncate(200 * 1024 * 1024)
    db = tmp_path / "h.db"
    with Store.open(db, create=True) as store:
        with pytest.raises(IngestError, match=r"over the .* limit"):
            import_paths(store, [huge], story="S")
        assert store.story_summaries() == []


HOSTILE = [
    "[bold red]Not markup[/bold red] and [link=http://evil]a link[/link]. Second sentence.",
    "Escape \x1b[2J\x1b[31mred\x1b[0m and bell \x07 and backspace \x08. Done.",
    "مرحبا بالعالم. هذا نص من اليمين إلى اليسار. \u202eevil\u202c override.",
    "Cafe\u0301 na\u0308ive Z\u0335\u0321a\u0337l\u0334g\u0336o text. Another one.",
    "word " * 10_000 + "end.",  # a 50,000-character sentence
]


@pytest.mark.parametrize("text", HOSTILE, ids=["markup", "escapes", "rtl", "combining", "50k"])
def test_hostile_text_is_kept_verbatim_with_exact_offsets(tmp_path, text):
    path = tmp_path / "hostile.txt"
    path.write_bytes(text.encode("utf-8"))
    with Store.open(tmp_path / "h.db", create=True) as store:
        import_paths(store, [path], story="H")
        [article] = store.articles(store.resolve_story("H").id)
        assert article.text == text
        claims = store.claims()
        assert claims
        for claim in claims:
            assert text[claim.start : claim.end] == claim.text


jsonl_line = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda story, body, extra: json.dumps({"story": story, "text": body, **extra}),
        st.one_of(st.none(), st.text(max_size=10)),
        st.one_of(st.none(), st.integers(), st.text(max_size=60)),
        st.dictionaries(
            st.sampled_from(["title", "outlet", "url", "source"]),
            st.one_of(st.none(), st.text(max_size=5), st.lists(st.integers())),
        ),
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(jsonl_line, min_size=1, max_size=5))
def test_fuzzed_jsonl_is_imported_or_refused_cleanly(tmp_path_factory, lines):
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "feed.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    db = folder / "f.db"
    with Store.open(db, create=True) as store:
        try:
            import_paths(store, [path])
        except WorkbenchError as exc:
            assert "\n" not in str(exc)
            assert store.story_summaries() == []  # refused: nothing written
        else:
            for claim in store.claims():
                article = store.find_article(claim.article_id)
                assert article.text[claim.start : claim.end] == claim.text


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=200), suffix=st.sampled_from([".txt", ".jsonl", ".src", ".bin"]))
def test_fuzzed_bytes_never_escape_as_anything_but_a_clean_error(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"input{suffix}"
    path.write_bytes(data)
    try:
        articles = read_inputs([path])
    except IngestError as exc:
        assert "\n" not in str(exc)
    else:
        for article in articles:
            for span in split_claims(article.text):
                assert article.text[span.start : span.end].strip()
    finally:
        path.unlink(missing_ok=True)


def test_integrity_after_import(tmp_path):
    db = tmp_path / "i.db"
    with Store.open(db, create=True) as store:
        import_paths(store, [SEEDS_DIR], story="S")
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
