"""The import pipeline end to end: transactional, idempotent, content-derived ids."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO_ROOT, SEEDS_DIR
from workbench.errors import IngestError
from workbench.pipeline import import_paths
from workbench.store import Store

SAMPLE_STORY = "US-Russia deconfliction, Sept 2017"
# Columns that record when something happened, not what it is.
TIME_COLUMNS = {"created_at", "imported_at", "started_at"}


BUILT_BY_IMPORT = ("stories", "articles", "claims", "meta")


def content(
    path: Path, tables=("stories", "articles", "claims", "marks", "meta")
) -> dict[str, list[tuple]]:
    """Every row of every workbench table, without timestamps, sorted: 'the same content'."""
    conn = sqlite3.connect(path)
    try:
        dump = {}
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            keep = [c for c in columns if c not in TIME_COLUMNS and c != "key"]
            quoted = ", ".join(f'"{c}"' for c in keep)
            dump[table] = sorted(conn.execute(f"SELECT {quoted} FROM {table}").fetchall(), key=repr)
        # Candidates by claim id: a claim's integer key is local to each database.
        dump["candidates"] = sorted(
            conn.execute(
                "SELECT ca.id, cb.id, k.score, k.rank, k.discrepancy FROM candidates k"
                " JOIN claims ca ON ca.key = k.a JOIN claims cb ON cb.key = k.b"
            ).fetchall()
        )
        return dump
    finally:
        conn.close()


def test_seed_story_imports_as_one_story_with_exact_offsets(tmp_path):
    with Store.open(tmp_path / "s.db", create=True) as store:
        report = import_paths(store, [SEEDS_DIR], story=SAMPLE_STORY)
        assert report.added == 5
        [summary] = store.story_summaries()
        assert (summary.name, summary.articles) == (SAMPLE_STORY, 5)
        assert summary.claims == report.claims > 50
        texts = {a.id: a.text for a in store.articles(summary.id)}
        for source in SEEDS_DIR.glob("*.txt"):
            assert source.read_text(encoding="utf-8") in texts.values()  # verbatim
        for claim in store.claims(story=summary.id):
            assert texts[claim.article_id][claim.start : claim.end] == claim.text
        outlets = {a.source: a.outlet for a in store.articles(summary.id)}
        assert outlets["004_3c99027021f53b11.txt"] == "Business Standard"
        assert report.candidates > 0


def test_importing_the_same_files_twice_changes_nothing(tmp_path):
    db = tmp_path / "s.db"
    with Store.open(db, create=True) as store:
        import_paths(store, [SEEDS_DIR], story=SAMPLE_STORY)
    before = content(db)
    with Store.open(db) as store:
        report = import_paths(store, [SEEDS_DIR], story=SAMPLE_STORY)
    assert (report.added, report.unchanged) == (0, 5)
    assert content(db) == before


def test_a_bad_file_leaves_the_database_exactly_as_it_was(tmp_path):
    db = tmp_path / "s.db"
    with Store.open(db, create=True) as store:
        import_paths(store, [SEEDS_DIR / "000_b06f8e85b258ddf3.txt"], story="S")
    before = content(db)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"story": "T", "text": "Fine."}\n{"story": "T", "text": \n')
    with Store.open(db) as store, pytest.raises(IngestError, match=r"bad\.jsonl:2"):
        import_paths(store, [SEEDS_DIR / "001_fac77253d02de784.txt", bad], story=None)
    assert content(db) == before


def test_two_databases_from_the_same_files_agree_on_every_id(tmp_path):
    for name in ("one.db", "two.db"):
        with Store.open(tmp_path / name, create=True) as store:
            import_paths(store, [SEEDS_DIR], story=SAMPLE_STORY)
    assert content(tmp_path / "one.db") == content(tmp_path / "two.db")


def test_identical_text_in_another_story_is_skipped_and_reported(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("The talks lasted an hour. Both sides agreed.")
    with Store.open(tmp_path / "s.db", create=True) as store:
        import_paths(store, [article], story="First")
        report = import_paths(store, [article], story="Second")
        assert report.added == 0 and len(report.elsewhere) == 1
        assert [s.name for s in store.stories()] == ["First"]


def test_sample_db_is_what_the_documented_command_builds(tmp_path):
    """sample.db is built by a command, never by hand: rebuilding gives the same articles,
    claims and candidates. Reviewers' marks are not compared: the README's first command
    reviews sample.db itself, and its marks must not break the second command's tests."""
    rebuilt = tmp_path / "sample.db"
    with Store.open(rebuilt, create=True) as store:
        import_paths(store, [SEEDS_DIR], story=SAMPLE_STORY)
    committed = tmp_path / "committed.db"
    committed.write_bytes((REPO_ROOT / "sample.db").read_bytes())
    assert content(committed, BUILT_BY_IMPORT) == content(rebuilt, BUILT_BY_IMPORT)
    # ... as after a review of it: marks and a session row do not count
    with Store.open(committed) as store:
        pair = next(store.candidate_rows(top=1))
        store.start_session("ana")
        store.record_mark(pair.a.claim.id, pair.b.claim.id, "agree", "ana")
    assert content(committed, BUILT_BY_IMPORT) == content(rebuilt, BUILT_BY_IMPORT)


article_texts = st.lists(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufeff"),
        min_size=1,
        max_size=300,
    ).filter(str.strip),
    min_size=1,
    max_size=4,
    unique=True,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=article_texts)
def test_import_is_idempotent_and_offsets_exact_for_any_text(tmp_path_factory, texts):
    folder = tmp_path_factory.mktemp("story")
    for number, text in enumerate(texts):
        (folder / f"{number}.txt").write_bytes(text.encode("utf-8"))
    db = folder.parent / f"{folder.name}.db"
    with Store.open(db, create=True) as store:
        import_paths(store, [folder])
        claims = store.claims()
        by_id = {}
        for story in store.stories():
            by_id.update({a.id: a.text for a in store.articles(story.id)})
        for claim in claims:
            assert by_id[claim.article_id][claim.start : claim.end] == claim.text
            assert claim.text and claim.text == claim.text.strip()
    first = content(db)
    with Store.open(db) as store:
        import_paths(store, [folder])
    assert content(db) == first


def test_a_file_that_begins_with_a_headline_gets_it_as_its_title(tmp_path):
    folder = tmp_path / "story"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Monday, October 23, 2017\n\nGenerals meet after clash\n\nThe generals met on Monday. They talked.\n"
    )
    (folder / "b.txt").write_text("No headline here. The body starts at once.\n")
    (folder / "c.txt").write_text("Ministers meet in Geneva\n\nThey met. They talked.\n")
    (folder / "metadata.jsonl").write_text('{"file": "c.txt", "title": "Given title"}\n')
    with Store.open(tmp_path / "t.db", create=True) as store:
        import_paths(store, [folder])
        titles = {a.source: a.title for a in store.articles(store.stories()[0].id)}
    assert titles == {"a.txt": "Generals meet after clash", "b.txt": None, "c.txt": "Given title"}


def test_an_article_added_to_an_aligned_story_is_aligned_incrementally(tmp_path, monkeypatch):
    import workbench.align as align
    import workbench.pipeline as pipeline

    # The smallest article last: 12 of 136 claims, under the share a full run takes over.
    seeds = sorted(SEEDS_DIR.glob("*.txt"), key=lambda p: p.name.startswith("001"))
    db = tmp_path / "grow.db"
    with Store.open(db, create=True) as store:
        import_paths(store, seeds[:4], story=SAMPLE_STORY)
        before = {(r.a.claim.id, r.b.claim.id) for r in store.candidate_rows()}
    calls = []
    real = align.align_story_blocks

    def recording(claims, **kwargs):
        calls.append(kwargs.get("only"))
        return real(claims, **kwargs)

    monkeypatch.setattr(align, "align_story_blocks", recording)
    with Store.open(db) as store:
        import_paths(store, seeds[4:], story=SAMPLE_STORY)
        grown = {(r.a.claim.id, r.b.claim.id): r for r in store.candidate_rows()}
        new_article = next(
            a.id for a in store.articles(store.stories()[0].id) if a.source == seeds[4].name
        )
    assert calls and calls[0] is not None  # only the new article's claims were scored
    assert before <= set(grown)  # nothing of the rest was dropped
    touching = {k for k in grown if new_article in (k[0].split(":")[0], k[1].split(":")[0])}
    assert touching  # the new article is paired, both ways
    assert any(k[0].startswith(new_article) for k in touching)
    assert any(k[1].startswith(new_article) for k in touching)
    # a full re-alignment finds the same rows for the new article's claims
    monkeypatch.setattr(align, "align_story_blocks", real)
    with Store.open(db) as store:
        pipeline.align_stories(store, [store.stories()[0].id])
        full = {(r.a.claim.id, r.b.claim.id): r for r in store.candidate_rows()}
    mine = {k for k in grown if k[0].startswith(new_article)}
    assert mine == {k for k in full if k[0].startswith(new_article)}


def test_claim_traits_are_stored_at_import_and_used_as_computed(tmp_path, monkeypatch):
    """Each claim's traits (a bare reply? anything a discrepancy check compares?) are stored
    with it at import, equal what the rules answer, and give the aligner the rows it finds
    when it asks the rules itself; missing ones are computed when the story is aligned."""
    import workbench.align as align
    import workbench.pipeline as pipeline
    from workbench.hints import CUES_TRAIT, REPLY_TRAIT, claim_traits

    db = tmp_path / "traits.db"
    with Store.open(db, create=True) as store:
        import_paths(store, [SEEDS_DIR], story=SAMPLE_STORY)
        story = store.stories()[0].id
        claims = store.claims(story=story)
        stored = store.claim_traits(story=story)
        rows = {
            (r.a.claim.id, r.b.claim.id, r.score, r.discrepancy) for r in store.candidate_rows()
        }
    assert stored == {c.id: claim_traits(c.text) for c in claims}
    assert any(t & REPLY_TRAIT for t in stored.values())  # the seed story has bare replies
    assert any(t & CUES_TRAIT for t in stored.values())
    assert any(t == 0 for t in stored.values())
    # The rows of a run that computes every trait itself are the stored rows.
    from workbench.pipeline import stored_tokens

    with Store.open(db) as store:
        computed = align.align_story(claims, tokens=stored_tokens(store, story))
        by_id = {c.id: c for c in claims}
    assert {(c.claim_id, c.candidate_id, c.score, c.discrepancy) for c in computed} == {
        (a, b, s, d) for a, b, s, d in rows if a in by_id
    }
    # Traits missing are computed when the story is aligned.
    with Store.open(db) as store:
        first = claims[0].id
        store.db.execute("UPDATE claims SET traits = NULL WHERE id = ?", [first])
        pipeline.align_stories(store, [story])
        assert store.claim_traits(story=story)[first] == stored[first]


def test_traits_of_other_hint_rules_are_dropped_in_every_story(tmp_path):
    """The traits version is the database's: when it differs, every story's traits are
    dropped at once, not only those of the story aligned or imported then, so a story
    aligned later computes its own again instead of trusting old ones."""
    import workbench.pipeline as pipeline
    from workbench.hints import TRAITS_VERSION, claim_traits

    seeds = sorted(SEEDS_DIR.glob("*.txt"))
    db = tmp_path / "two.db"
    with Store.open(db, create=True) as store:
        import_paths(store, seeds[3:], story="Two", align=False)
        assert store.meta()["traits_version"] == TRAITS_VERSION  # also without aligning
        import_paths(store, seeds[:3], story="One")
        one, two = (s.id for s in sorted(store.stories(), key=lambda s: s.name))
        store.set_claim_traits([(c.id, 0) for s in (one, two) for c in store.claims(story=s)])
        store.set_meta("traits_version", TRAITS_VERSION + "-older")
        pipeline.align_stories(store, [one])
        assert set(store.claim_traits(story=two).values()) == {None}  # dropped, not trusted
        pipeline.align_stories(store, [two])
        for s in (one, two):
            assert store.claim_traits(story=s) == {
                c.id: claim_traits(c.text) for c in store.claims(story=s)
            }


def test_storing_a_claims_traits_leaves_its_search_entry_alone(tmp_path):
    """The search index follows a claim's text: writing its words or traits does not
    rewrite its entry (the update trigger names the text column)."""
    db = tmp_path / "fts.db"
    with Store.open(db, create=True) as store:
        import_paths(store, [SEEDS_DIR], story=SAMPLE_STORY, align=False)
        story = store.stories()[0].id
        claim = store.claims(story=story)[0]
        changes = store.db.conn.total_changes
        store.set_claim_traits([(claim.id, 3)])
        assert store.db.conn.total_changes - changes == 1  # the claim's row, nothing else
        hits = store.db.execute(
            "SELECT count(*) FROM claims_fts WHERE claims_fts MATCH ?",
            ['"' + claim.text.split()[0] + '"'],
        ).fetchone()[0]
        assert hits >= 1


def test_words_of_another_normaliser_are_not_read_for_views(tmp_path):
    """What the views and `candidates --top K` score with: the stored words, unless the
    database says they came from another normaliser (then none: the aligner normalises)."""
    from workbench.pipeline import stored_tokens
    from workbench.textnorm import NORMALIZER_VERSION, content_tokens

    db = tmp_path / "n.db"
    with Store.open(db, create=True) as store:
        import_paths(store, [SEEDS_DIR], story=SAMPLE_STORY)
        story = store.stories()[0].id
        claim = store.claims(story=story)[0]
        assert stored_tokens(store, story)[claim.id] == tuple(content_tokens(claim.text))
        store.set_meta("normalizer_version", NORMALIZER_VERSION + "-older")
        assert stored_tokens(store, story) is None
