"""Export: shapes, round trips (JSONL and CSV read back equal the marks), NLI, filters,
the manifest, atomic writes, and the CLI's errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SEEDS_DIR
from workbench import __version__, export
from workbench.cli import cli
from workbench.export import (
    CSV_FIELDS,
    ExportFilter,
    export_to_file,
    jsonl_line,
    mark_json,
    read_csv,
    read_jsonl,
    write_rows,
)
from workbench.models import Article, ClaimSpan, Label, MarkAction, article_id
from workbench.pipeline import import_paths
from workbench.store import Store

STORY = "Seeds"


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def candidate_pairs(store: Store, limit: int = 10) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for row in store.candidate_rows(top=1):
        key = tuple(sorted((row.a.claim.id, row.b.claim.id)))
        if key not in pairs:
            pairs.append(key)
    return pairs[:limit]


def expected_rows(store: Store, **filters) -> list[dict]:
    """What an export must contain, built the slow, obvious way from current_marks()."""
    rows = []
    for mark in store.current_marks(**filters):
        a, b = store.claim(mark.claim_a), store.claim(mark.claim_b)
        rows.append(
            {
                "story": a.story_name,
                "a": {
                    "article": a.source,
                    "claim": a.claim.id,
                    "start": a.claim.start,
                    "end": a.claim.end,
                    "text": a.claim.text,
                },
                "b": {
                    "article": b.source,
                    "claim": b.claim.id,
                    "start": b.claim.start,
                    "end": b.claim.end,
                    "text": b.claim.text,
                },
                "label": str(mark.label),
                "reviewer": mark.reviewer,
                "note": mark.note or "",  # always a string: "" when there is none
                "created_at": mark.created_at,
            }
        )
    return rows


@pytest.fixture
def marked(tmp_path) -> Path:
    """The seed story with marks by three reviewers: re-marks, an undo, notes with commas,
    quotes and newlines, unsure marks, and an editor's final labels."""
    db = tmp_path / "m.db"
    with Store.open(db, create=True) as store:
        import_paths(store, [SEEDS_DIR], story=STORY)
        pairs = candidate_pairs(store)
        labels = list(Label)
        for i, (a, b) in enumerate(pairs):
            note = f'says "{i}", then\nmore' if i % 3 else None
            store.record_mark(a, b, labels[i % 4], "ana", note=note)
            store.record_mark(b, a, labels[(i + 1) % 4], "bén")
        store.record_mark(pairs[0][0], pairs[0][1], "contradict", "ana", note="changed my mind")
        store.record_mark(pairs[1][0], pairs[1][1], "agree", "cy")
        store.undo_last("cy")
        store.record_mark(pairs[2][0], pairs[2][1], "agree", "editor", action=MarkAction.FINAL)
    return db


def test_jsonl_round_trip_equals_the_marks(marked, tmp_path):
    out = tmp_path / "marks.jsonl"
    result = invoke("export", marked, "--format", "jsonl", "-o", out)
    assert result.exit_code == 0, result.output
    with Store.open(marked, readonly=True) as store:
        assert list(read_jsonl(out)) == expected_rows(store)
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert list(first) == ["story", "a", "b", "label", "reviewer", "note", "created_at"]
    assert list(first["a"]) == ["article", "claim", "start", "end", "text"]


def test_csv_round_trip_equals_the_marks(marked, tmp_path):
    out = tmp_path / "marks.csv"
    assert invoke("export", marked, "--format", "csv", "-o", out).exit_code == 0
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert header == ",".join(CSV_FIELDS)
    assert CSV_FIELDS[:7] == (
        "story",
        "a_article",
        "a_claim",
        "a_start",
        "a_end",
        "a_text",
        "b_article",
    )
    with Store.open(marked, readonly=True) as store:
        assert list(read_csv(out)) == expected_rows(store)


def test_offsets_point_into_the_article_text(marked, tmp_path):
    out = tmp_path / "marks.jsonl"
    invoke("export", marked, "-o", out)
    for row in read_jsonl(out):
        for side in (row["a"], row["b"]):
            text = (SEEDS_DIR / side["article"]).read_bytes().decode("utf-8")
            assert text[side["start"] : side["end"]] == side["text"]


def test_nli_maps_labels_and_leaves_unsure_out(marked, tmp_path):
    out = tmp_path / "nli.jsonl"
    assert invoke("export", marked, "--format", "nli", "-o", out).exit_code == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    with Store.open(marked, readonly=True) as store:
        marks = expected_rows(store)
    mapping = {"agree": "entailment", "contradict": "contradiction", "unrelated": "neutral"}
    expected = [
        {"premise": m["a"]["text"], "hypothesis": m["b"]["text"], "label": mapping[m["label"]]}
        for m in marks
        if m["label"] != "unsure"
    ]
    assert lines == expected
    assert len(lines) < len(marks)  # some were unsure
    # One schema for every line, plain strings: what JSON dataset loaders need.
    assert all(list(x) == ["premise", "hypothesis", "label"] for x in lines)
    assert all(isinstance(v, str) for x in lines for v in x.values())
    manifest = json.loads((tmp_path / "nli.jsonl.manifest.json").read_text())
    assert manifest["counts"]["skipped_unsure"] == len(marks) - len(lines)


def _decided_by_hand(store) -> tuple[dict[tuple[str, str], tuple[str, str]], int]:
    """The --final rule, written out: the latest final where there is one, else the one
    label every reviewer (unsure aside) gave; (pair -> (label, who)), and disputed pairs."""
    finals = {(m.claim_a, m.claim_b): m for m in store.current_marks(action=MarkAction.FINAL)}
    votes: dict[tuple[str, str], dict[str, str]] = {}
    for m in store.current_marks():
        votes.setdefault((m.claim_a, m.claim_b), {})[m.reviewer] = str(m.label)
    decided, disputed = {}, 0
    for pair in set(votes) | set(finals):
        if pair in finals:
            decided[pair] = (str(finals[pair].label), finals[pair].reviewer)
            continue
        rated = {r: label for r, label in votes[pair].items() if label != "unsure"}
        if len(set(rated.values())) == 1:
            decided[pair] = (next(iter(rated.values())), ", ".join(sorted(rated)))
        elif rated:
            disputed += 1
    return decided, disputed


def test_final_is_the_editors_label_else_what_every_reviewer_agrees_on(marked, tmp_path):
    out = tmp_path / "final.jsonl"
    result = invoke("export", marked, "--final", "-o", out)
    assert result.exit_code == 0, result.output
    rows = list(read_jsonl(out))
    with Store.open(marked, readonly=True) as store:
        decided, disputed = _decided_by_hand(store)
    got = {(r["a"]["claim"], r["b"]["claim"]): (r["label"], r["reviewer"]) for r in rows}
    assert got == decided and len(rows) == len(decided)
    assert ("agree", "editor") in got.values()  # the editor's decision
    assert any(", " not in who and who != "editor" for _, who in got.values())  # one rated
    manifest = json.loads((tmp_path / "final.jsonl.manifest.json").read_text("utf-8"))
    assert manifest["counts"]["open_disagreements"] == disputed > 0
    assert f"left out {disputed} pair(s)" in result.output


def test_final_before_any_adjudication_keeps_what_reviewers_agree_on(tmp_path):
    db = tmp_path / "two.db"
    with Store.open(db, create=True) as store:
        import_paths(store, [SEEDS_DIR], story=STORY)
        p, q, r = candidate_pairs(store)[:3]
        for reviewer in ("ana", "ben"):
            store.record_mark(*p, "agree", reviewer, note=f"{reviewer}: same")
            store.record_mark(*q, "contradict", reviewer)
        store.record_mark(*r, "agree", "ana")
        store.record_mark(*r, "unrelated", "ben")
    out = tmp_path / "final.jsonl"
    result = invoke("export", db, "--final", "-o", out)
    assert result.exit_code == 0, result.output
    rows = {(x["a"]["claim"], x["b"]["claim"]): x for x in read_jsonl(out)}
    assert {k: (x["label"], x["reviewer"]) for k, x in rows.items()} == {
        tuple(sorted(p)): ("agree", "ana, ben"),
        tuple(sorted(q)): ("contradict", "ana, ben"),
    }
    assert rows[tuple(sorted(p))]["note"] == "ana: same; ben: same"
    assert "left out 1 pair(s)" in result.output


@pytest.mark.parametrize("fmt", ["jsonl", "nli"])
def test_final_counts_the_pairs_it_leaves_out_for_want_of_a_label(tmp_path, fmt):
    """A pair marked only unsure has no final label: it is left out, and said so (as an
    open disagreement is), not counted as "0 unsure left out"."""
    db = tmp_path / "unsure.db"
    with Store.open(db, create=True) as store:
        import_paths(store, [SEEDS_DIR], story=STORY)
        p, q, r = candidate_pairs(store)[:3]
        store.record_mark(*p, "agree", "ana")
        store.record_mark(*q, "unsure", "ana")
        store.record_mark(*q, "unsure", "ben")
        store.record_mark(*r, "agree", "ana")
        store.record_mark(*r, "unrelated", "ben")
    out = tmp_path / "final.jsonl"
    result = invoke("export", db, "--final", "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.output
    assert len(list(read_jsonl(out))) == 1
    assert "left out 1 pair(s) marked only unsure" in result.output
    assert "left out 1 pair(s) on which reviewers disagree" in result.output
    assert "0 unsure left out" not in result.output
    manifest = json.loads((tmp_path / "final.jsonl.manifest.json").read_text("utf-8"))
    assert manifest["counts"]["only_unsure"] == 1
    assert manifest["counts"]["open_disagreements"] == 1
    to_stdout = invoke("export", db, "--final", "--format", fmt)
    assert "left out 1 pair(s) marked only unsure" in to_stdout.stderr


def test_reviewer_and_story_filters(marked, tmp_path):
    with Store.open(marked, readonly=True) as store:
        story = store.resolve_story(STORY)
        ana = expected_rows(store, reviewer="ana")
    by_name = invoke("export", marked, "--reviewer", "ana", "--story", STORY).output
    by_id = invoke("export", marked, "--reviewer", "ana", "--story", story.id).output
    assert by_name == by_id
    assert [json.loads(x) for x in by_name.splitlines()] == ana
    assert {r["reviewer"] for r in ana} == {"ana"}


def test_stdout_without_o_writes_no_manifest(marked, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("export", marked, "--format", "csv")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == ",".join(CSV_FIELDS)
    assert not list(tmp_path.glob("*.manifest.json"))


def test_manifest_traces_the_dataset(marked, tmp_path):
    out = tmp_path / "sub" / "d.jsonl"
    out.parent.mkdir()
    assert invoke("export", marked, "-o", out, "--reviewer", "bén").exit_code == 0
    manifest = json.loads((out.parent / "d.jsonl.manifest.json").read_text(encoding="utf-8"))
    with Store.open(marked, readonly=True) as store:
        fingerprint = store.content_fingerprint()
        rows = expected_rows(store, reviewer="bén")
    assert manifest["file"] == "d.jsonl" and manifest["format"] == "jsonl"
    assert manifest["counts"]["rows"] == len(rows)
    assert sum(manifest["counts"]["labels"].values()) == len(rows)
    assert manifest["filters"] == {
        "story": None,
        "story_id": None,
        "reviewer": "bén",
        "final": False,
    }
    assert manifest["database"]["fingerprint"] == fingerprint
    assert manifest["workbench_version"] == __version__
    assert manifest["sha256"] == export.file_sha256(out)
    assert manifest["created_at"].endswith("+00:00")
    assert sorted(p.name for p in out.parent.iterdir()) == ["d.jsonl", "d.jsonl.manifest.json"]


def test_fingerprint_changes_with_the_marks_only(marked):
    with Store.open(marked) as store:
        before = store.content_fingerprint()
        assert store.content_fingerprint() == before
        a, b = candidate_pairs(store, 1)[0]
        store.record_mark(a, b, "agree", "zed")
        assert store.content_fingerprint() != before


def test_a_failed_export_leaves_the_old_file_and_no_temporary(marked, tmp_path, monkeypatch):
    out = tmp_path / "keep.jsonl"
    out.write_text("previous\n")

    def broken(rows, fmt, handle, **options):
        handle.write("half a line")
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "write_rows", broken)
    with Store.open(marked, readonly=True) as store, pytest.raises(RuntimeError):
        export_to_file(store, "jsonl", out, ExportFilter())
    assert out.read_text() == "previous\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert not (tmp_path / "keep.jsonl.manifest.json").exists()


def test_export_file_is_readable_like_any_file_the_user_writes(marked, tmp_path):
    out = tmp_path / "perm.jsonl"
    invoke("export", marked, "-o", out)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_standing_rows_agree_with_current_marks(marked):
    # Store.standing_pairs, which this test also compared, was used by nothing else and went.
    with Store.open(marked, readonly=True) as store:
        for action in MarkAction:
            marks = store.current_marks(action=action)
            assert [(r[2], r[7], r[12]) for r in store.standing_rows(action=action)] == [
                (m.claim_a, m.claim_b, m.reviewer) for m in marks
            ]
            assert [(r[11], r[13], r[14]) for r in store.standing_rows(action=action)] == [
                (m.label and str(m.label), m.note, m.created_at) for m in marks
            ]


# --- the CLI's errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--reviewer", "nobody"], "no marks by reviewer 'nobody'"),
        (["--story", "no such story"], "no story named"),
    ],
)
def test_cli_errors_are_one_line_exit_1(marked, args, message):
    result = invoke("export", marked, *args)
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_missing_database_and_unwritable_target(tmp_path, marked):
    result = invoke("export", tmp_path / "none.db")
    assert result.exit_code == 1 and "no such database" in result.output
    result = invoke("export", marked, "-o", tmp_path / "no-dir" / "x.jsonl")
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1


def test_unknown_format_is_a_usage_error(marked):
    assert invoke("export", marked, "--format", "xml").exit_code == 2


# --- hypothesis: any marks survive the round trip ----------------------------------------------


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory) -> Path:
    """Two small made-up articles with explicit claims (no segmenter involved)."""
    db = tmp_path_factory.mktemp("tiny") / "tiny.db"
    texts = [
        "Six were hurt, officials said. The talks lasted an hour. Ça va, “quoted”.",
        'Seven were hurt. Talks lasted 2 hours; none said "no".\nA new line.',
    ]
    with Store.open(db, create=True) as store:
        story = store.ensure_story("tiny, with a comma")
        for n, text in enumerate(texts):
            spans, start = [], 0
            for end in [i + 1 for i, c in enumerate(text) if c == "."]:
                spans.append(ClaimSpan(start, end))
                start = end + 1
            article = Article(article_id(text), story.id, f"art{n}.txt", text)
            store.add_article(article, spans)
    return db


notes = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30),
)
marks = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.integers(0, 2),
        st.sampled_from(list(Label)),
        st.sampled_from(["ana", "bén", "c,d", 'q"uote']),
        notes,
        st.booleans(),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(marks=marks)
def test_any_marks_round_trip_through_jsonl_and_csv(tiny_db, tmp_path_factory, marks):
    folder = tmp_path_factory.mktemp("rt")
    db = folder / "rt.db"
    with Store.open(tiny_db, readonly=True) as source:
        source.backup(db)
    with Store.open(db) as store:
        left = [c.id for c in store.claims() if c.article_id == store.claims()[0].article_id]
        right = [c.id for c in store.claims() if c.id not in left]
        for i, j, label, reviewer, note, undo in marks:
            store.record_mark(left[i], right[j], label, reviewer, note=note)
            if undo:
                store.undo_last(reviewer)
        expected = expected_rows(store)
        export_to_file(store, "jsonl", folder / "x.jsonl", ExportFilter())
        export_to_file(store, "csv", folder / "x.csv", ExportFilter())
    assert list(read_jsonl(folder / "x.jsonl")) == expected
    # The note is a string column in both ("" when there is none), so the two agree.
    assert list(read_csv(folder / "x.csv")) == expected
    assert all(isinstance(row["note"], str) for row in read_jsonl(folder / "x.jsonl"))


@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",))), min_size=15, max_size=15
    ),
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.booleans(),
)
def test_the_fast_jsonl_line_is_exactly_mark_json(texts, start, end, no_note):
    row = list(texts)
    row[3], row[4], row[8], row[9] = start, end, end, start
    if no_note:
        row[13] = None
    line = jsonl_line(row)
    assert line.endswith("\n") and "\n" not in line[:-1]
    assert json.loads(line) == mark_json(row)


def test_write_rows_rejects_an_unknown_format():
    import io

    with pytest.raises(ValueError):
        write_rows([], "xml", io.StringIO())


# --- review fixes: hostile output paths, the manifest's snapshot, control characters ----------


def test_output_onto_a_directory_or_into_a_missing_one_is_one_line_exit_1(marked, tmp_path):
    # Review bug: -o DIR was a click usage error (exit 2, three lines), and a missing
    # directory was reported under the temporary file's name.
    folder = tmp_path / "existing"
    folder.mkdir()
    result = invoke("export", marked, "-o", folder)
    assert result.exit_code == 1 and result.output.strip().splitlines() == [
        f"Error: {folder}: is a directory; name a file to write"
    ]
    result = invoke("export", marked, "-o", tmp_path / "no-dir" / "x.jsonl")
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {tmp_path / 'no-dir'}: no such directory"
    assert list(folder.iterdir()) == [] and ".tmp" not in result.output


def test_the_manifest_fingerprints_the_database_the_rows_came_from(marked, tmp_path, monkeypatch):
    # Review bug: the fingerprint was read after the rows, outside their snapshot, so a
    # reviewer marking meanwhile (live pairing) made it describe another database.
    with Store.open(marked, readonly=True) as store:
        before = store.content_fingerprint()
        a, b = candidate_pairs(store, 1)[0]
    real = export.write_rows

    def write_then_someone_marks(rows, fmt, out, **options):
        counts = real(rows, fmt, out, **options)
        with Store.open(marked) as other:
            other.record_mark(a, b, "agree", "live-partner")
        return counts

    monkeypatch.setattr(export, "write_rows", write_then_someone_marks)
    with Store.open(marked, readonly=True) as store:
        manifest = export_to_file(store, "jsonl", tmp_path / "x.jsonl", ExportFilter())
        assert store.content_fingerprint() != before  # the mark did land
    assert manifest["database"]["fingerprint"] == before


def test_error_listing_reviewers_shows_control_characters_as_symbols(marked):
    with Store.open(marked) as store:
        a, b = candidate_pairs(store, 1)[0]
        store.record_mark(a, b, "agree", "evil\x1b[31m")
    result = invoke("export", marked, "--reviewer", "nobody")
    assert result.exit_code == 1 and "\x1b" not in result.output and "evil␛[31m" in result.output


def test_csv_quotes_a_bare_carriage_return(tiny_db, tmp_path):
    # Review bug (found by the round-trip property): with "\n" line ends the csv writer left
    # a field holding a lone "\r" unquoted, and reading the file back split the row there.
    db = tmp_path / "cr.db"
    with Store.open(tiny_db, readonly=True) as source:
        source.backup(db)
    with Store.open(db) as store:
        claims = store.claims()
        other = next(c for c in claims if c.article_id != claims[0].article_id)
        store.record_mark(claims[0].id, other.id, "agree", "ana", note="line\rbreak\r\nend\n")
        expected = expected_rows(store)
        export_to_file(store, "csv", tmp_path / "x.csv", ExportFilter())
    assert list(read_csv(tmp_path / "x.csv")) == expected
