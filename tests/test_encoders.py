"""A database's optional sentence encoder: blended into every score, stored per claim,
used by every view, switched on and off for the whole database, never loaded where the
stored vectors suffice, and never encoding inside a write."""

from __future__ import annotations

import hashlib
import sqlite3
import sys
import types
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from conftest import a_version_1_database
from workbench import encoders, pipeline
from workbench.align import ENCODER_WEIGHT, StoryScorer, ranked_in_articles, similarity_matrix
from workbench.cli import cli
from workbench.encoders import EncoderError, LocalSentenceTransformer, pack, unpack
from workbench.ingest import ArticleInput
from workbench.models import ClaimKind
from workbench.store import Store

STORY = "Summit"
# Restatements that share almost no words: what a sentence encoder is for.
ARTICLES = {
    "a.txt": "The president won't attend the summit in Oslo. Oil prices fell on Monday.",
    "b.txt": "He will be traveling abroad during the meeting. Crude prices dropped Monday.",
    "c.txt": "The leader is skipping the Oslo gathering. Markets were calm on Monday.",
}
# Words a toy encoder treats as one meaning.
_MEANINGS = {
    "attend": "go", "traveling": "go", "skipping": "go", "abroad": "away", "won't": "away",
    "summit": "meeting", "gathering": "meeting", "meeting": "meeting", "president": "leader",
    "leader": "leader", "fell": "down", "dropped": "down", "oil": "oil", "crude": "oil",
}  # fmt: skip


class ToyEncoder:
    """A deterministic stand-in for a sentence-transformers model: a hashed bag of meanings.
    It records whether the database was in a write transaction when asked to encode."""

    def __init__(self, name: str = "toy:1", store: Store | None = None):
        self.name = name
        self.spec = f"/models/{name}"
        self.store = store
        self.watch: Path | None = None  # a database file: is some connection writing it?
        self.calls: list[list[str]] = []
        self.in_write: list[bool] = []

    def encode(self, texts):
        self.calls.append(list(texts))
        if self.store is not None:
            self.in_write.append(self.store.db.conn.in_transaction)
        if self.watch is not None:
            self.in_write.append(_write_locked(self.watch))
        out = np.zeros((len(texts), 32), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().replace(".", " ").replace(",", " ").split():
                meaning = _MEANINGS.get(word, word)
                out[row, int(hashlib.sha1(meaning.encode()).hexdigest(), 16) % 32] += 1.0
        return out


def _write_locked(path: Path) -> bool:
    """Whether another connection holds a write on `path` (a second SQLite connection that
    cannot begin one at once)."""
    conn = sqlite3.connect(path, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def _inputs(texts: dict[str, str]) -> list[ArticleInput]:
    return [ArticleInput(origin=n, story=STORY, source=n, text=t) for n, t in texts.items()]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "enc.db"
    with Store.open_or_create(path) as store:
        pipeline.import_articles(store, _inputs(ARTICLES))
    return path


def _candidates(store: Store) -> dict[tuple[str, str], tuple[int, float]]:
    return {(r.a.claim.id, r.b.claim.id): (r.rank, r.score) for r in store.candidate_rows()}


def _use(monkeypatch, encoder: ToyEncoder) -> None:
    """`load_encoder` gives the toy for its spec (the database stores the spec)."""
    monkeypatch.setattr(
        pipeline, "load_encoder", lambda spec: encoder if spec == encoder.spec else None
    )


# --- the aligner -------------------------------------------------------------------------------


def test_vectors_are_blended_into_every_score_and_unpaired_cells_stay_unpaired() -> None:
    from workbench.evaluation import claims_of

    claims, _ = claims_of(ARTICLES)
    toy = ToyEncoder()
    vectors = dict(zip([c.id for c in claims], toy.encode([c.text for c in claims]), strict=True))
    ordered, lexical = similarity_matrix(claims)
    again, blended = similarity_matrix(claims, vectors=vectors)
    assert [c.id for c in again] == [c.id for c in ordered]
    unit = encoders.unit_rows(np.stack([vectors[c.id] for c in ordered]))
    cosine = np.clip(unit @ unit.T, 0.0, 1.0)
    paired = lexical >= 0
    expected = (1 - ENCODER_WEIGHT) * lexical + 100 * ENCODER_WEIGHT * cosine
    assert np.allclose(blended[paired], expected[paired], atol=0.011)
    assert (blended[~paired] == -1.0).all()
    # the paraphrase that shares no word gains on a claim about something else
    at = {c.text: k for k, c in enumerate(ordered)}
    query = at["The president won't attend the summit in Oslo."]
    partner = at["He will be traveling abroad during the meeting."]
    other = at["Crude prices dropped Monday."]
    gain = blended - lexical
    assert gain[query, partner] > 5.0 > gain[query, other]


def test_views_rank_with_the_vectors_as_the_aligner_does() -> None:
    from workbench.evaluation import claims_of

    claims, _ = claims_of(ARTICLES)
    vectors = dict(
        zip([c.id for c in claims], ToyEncoder().encode([c.text for c in claims]), strict=True)
    )
    ordered, final = similarity_matrix(claims, vectors=vectors)
    at = {c.id: k for k, c in enumerate(ordered)}
    for a, b, _rank, score in ranked_in_articles(claims, 2, vectors=vectors):
        assert score == pytest.approx(float(final[at[a], at[b]]), abs=0.005)
    scorer = StoryScorer(claims, vectors=vectors)
    query = ordered[0]
    article = ordered[-1].article_id
    for cid, score in scorer.scores(query.id, article):
        assert score == pytest.approx(float(final[at[query.id], at[cid]]), abs=0.005)


# --- the database's choice ----------------------------------------------------------------------


def test_an_encoder_becomes_the_databases_and_lexical_gives_the_old_rows_back(
    db: Path, monkeypatch
) -> None:
    with Store.open(db) as store:
        lexical = _candidates(store)
        toy = ToyEncoder(store=store)
        _use(monkeypatch, toy)
        stories, rows = pipeline.align_with_encoder(store, toy)
        assert stories == 1 and rows == len(_candidates(store))
        meta = store.meta()
        assert (meta["encoder"], meta["encoder_path"]) == (toy.name, toy.spec)
        claims = store.claims(story=store.stories()[0].id)
        vectors = store.claim_vectors(story=store.stories()[0].id)
        for c in claims:
            assert (vectors[c.id] is None) == (c.kind == ClaimKind.BOILERPLATE)
        stored = unpack(next(v for v in vectors.values() if v is not None))
        assert stored.dtype == np.float32 and abs(np.linalg.norm(stored) - 1.0) < 1e-2
        blended = _candidates(store)
        assert blended != lexical
        assert toy.in_write and not any(toy.in_write)  # encoded before the write began
        # The stored vectors suffice: aligning again encodes nothing.
        toy.calls.clear()
        pipeline.align_stories(store, [s.id for s in store.stories()])
        assert toy.calls == [] and _candidates(store) == blended
        # Back to the lexical score: vectors and choice forgotten, the old rows back.
        pipeline.align_with_encoder(store, None)
        assert "encoder" not in store.meta() and "encoder_path" not in store.meta()
        assert not any(store.claim_vectors(story=store.stories()[0].id).values())
        assert _candidates(store) == lexical


def test_an_import_encodes_only_the_new_claims_and_before_its_write(db: Path, monkeypatch) -> None:
    with Store.open(db) as store:
        toy = ToyEncoder(store=store)
        _use(monkeypatch, toy)
        pipeline.align_with_encoder(store, toy)
        toy.calls.clear()
        toy.in_write.clear()
        added = {"d.txt": "The president is not going to Oslo. Stocks rose Monday."}
        report = pipeline.import_articles(store, _inputs(added))
        assert report.added == 1 and report.candidates > 0
        assert sorted(t for call in toy.calls for t in call) == [
            "Stocks rose Monday.",
            "The president is not going to Oslo.",
        ]
        assert toy.in_write == [False]
        story = store.stories()[0].id
        assert all(
            v is not None
            for c in store.claims(story=story)
            for v in [store.claim_vectors(story=story)[c.id]]
            if c.kind != ClaimKind.BOILERPLATE
        )
        # a view ranks with the stored vectors, as the new claims' rows were ranked
        rows = [r for r in pipeline.ranked_rows(store, story, top=1) if r.a.source == "d.txt"]
        stored = _candidates(store)
        assert len(rows) == 2 * 3
        for r in rows:
            assert stored[(r.a.claim.id, r.b.claim.id)] == (r.rank, pytest.approx(r.score))
        # ... not as the lexical score alone would have
        lexical = {
            (a, b): s for a, b, _, s in pipeline.ranked_in_articles(store.claims(story=story), 3)
        }
        assert any(lexical[(r.a.claim.id, r.b.claim.id)] != r.score for r in rows)
        # importing what is there already asks nothing of the encoder
        toy.calls.clear()
        pipeline.import_articles(store, _inputs(added))
        assert toy.calls == []


def test_a_database_whose_encoder_cannot_be_loaded_says_how_to_go_on(db: Path) -> None:
    with Store.open(db) as store:
        store.set_meta("encoder", "sentence-transformers:gone:0")
        store.set_meta("encoder_path", "/no/such/model")
        with pytest.raises(EncoderError) as info:
            pipeline.import_articles(store, _inputs({"e.txt": "Something new happened."}))
    message = str(info.value)
    assert "\n" not in message and "/no/such/model" in message and "--lexical" in message
    with Store.open(db) as store:  # nothing written
        assert len(store.articles(store.stories()[0].id)) == 3


def test_a_changed_model_folder_is_refused(db: Path, monkeypatch) -> None:
    with Store.open(db) as store:
        store.set_meta("encoder", "toy:1")
        store.set_meta("encoder_path", "/models/toy:1")
        _use(monkeypatch, ToyEncoder(name="toy:2"))
        monkeypatch.setattr(pipeline, "load_encoder", lambda spec: ToyEncoder(name="toy:2"))
        encoder = pipeline.database_encoder(store)  # found, not loaded yet
        assert encoder is not None and encoder.name == "toy:1"
        with pytest.raises(EncoderError, match="has changed since"):
            encoder.encode(["A claim."])


def test_merge_never_copies_another_databases_encoder(tmp_path: Path, db: Path, monkeypatch):
    other = tmp_path / "other.db"
    with Store.open_or_create(other) as store:
        pipeline.import_articles(store, _inputs({"x.txt": "Something else happened today."}))
        store.set_meta("encoder", "toy:9")
        store.set_meta("encoder_path", "/models/toy:9")
    with Store.open(db) as store, Store.open(other, readonly=True) as theirs:
        store.merge_from(theirs)
        assert "encoder" not in store.meta() and "encoder_path" not in store.meta()


def test_an_older_database_gains_the_vector_column(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    a_version_1_database(path)
    with Store.open(path) as store:
        assert "vector" in [r[1] for r in store.db.execute("PRAGMA table_info(claims)")]


# --- the shipped encoder and the command line ----------------------------------------------------


def _model_folder(path: Path) -> Path:
    path.mkdir()
    (path / "modules.json").write_text("[]")
    (path / "config.json").write_text('{"hidden_size": 4}')
    return path


def test_a_local_model_is_loaded_offline_on_the_cpu_and_named_by_its_files(
    tmp_path: Path, monkeypatch
) -> None:
    made: list[dict] = []

    class FakeSentenceTransformer:
        def __init__(self, path, **options):
            made.append({"path": path, **options})

        def encode(self, texts, **options):
            assert options["normalize_embeddings"] and options["convert_to_numpy"]
            return np.ones((len(texts), 4), dtype=np.float64) / 2.0

    fake = types.ModuleType("sentence_transformers")
    fake.SentenceTransformer = FakeSentenceTransformer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sentence_transformers", fake)
    monkeypatch.setattr(encoders.importlib.util, "find_spec", lambda name: object())
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    folder = _model_folder(tmp_path / "mini")
    encoder = LocalSentenceTransformer(folder)
    assert encoder.name.startswith("sentence-transformers:")
    assert LocalSentenceTransformer(folder).name == encoder.name
    moved = folder.rename(tmp_path / "moved")  # the same model elsewhere: the same name
    assert LocalSentenceTransformer(moved).name == encoder.name
    folder = moved.rename(folder)
    assert made == []  # nothing loaded until something is encoded
    vectors = encoder.encode(["one", "two"])
    assert vectors.dtype == np.float32 and vectors.shape == (2, 4)
    assert made == [{"path": str(folder.resolve()), "device": "cpu", "local_files_only": True}]
    assert encoders.os.environ["HF_HUB_OFFLINE"] == "1"
    (folder / "config.json").write_text('{"hidden_size": 8}')  # another model in that folder
    assert LocalSentenceTransformer(folder).name != encoder.name


def test_vectors_are_stored_as_float16(tmp_path: Path) -> None:
    v = np.array([0.6, 0.8, 0.0], dtype=np.float32)
    assert len(pack(v)) == 6 and np.allclose(unpack(pack(v)), v, atol=1e-3)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--encoder", "{tmp}/nowhere"], "no such folder"),
        (["--encoder", "{tmp}"], "not a sentence-transformers model folder"),
        (["--encoder", "{model}"], "needs sentence-transformers, which is not installed"),
    ],
)
def test_align_refuses_an_encoder_it_cannot_use_in_one_line(
    tmp_path: Path, db: Path, monkeypatch, args, message
) -> None:
    monkeypatch.setattr(encoders.importlib.util, "find_spec", lambda name: None)
    model = _model_folder(tmp_path / "model")
    args = [a.format(tmp=tmp_path, model=model) for a in args]
    with Store.open(db) as store:
        before = _candidates(store)
    result = CliRunner().invoke(cli, ["align", str(db), *args])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    with Store.open(db) as store:
        assert _candidates(store) == before and "encoder" not in store.meta()


def test_align_options_that_cannot_go_together(db: Path) -> None:
    runner = CliRunner()
    both = runner.invoke(cli, ["align", str(db), "--encoder", "x", "--lexical"])
    assert both.exit_code == 2 and "exclude each other" in both.output
    story = runner.invoke(cli, ["align", str(db), "--lexical", "--story", STORY])
    assert story.exit_code == 2 and "every story" in story.output
    lexical = runner.invoke(cli, ["align", str(db), "--lexical"])
    assert lexical.exit_code == 0 and "aligned 1 story(ies):" in lexical.output


def test_claims_stored_without_alignment_are_encoded_before_the_next_write(
    db: Path, monkeypatch
) -> None:
    with Store.open(db) as store:
        toy = ToyEncoder(store=store)
        _use(monkeypatch, toy)
        pipeline.align_with_encoder(store, toy)
        pipeline.import_articles(store, _inputs({"e.txt": "Oslo is cold."}), align=False)
        toy.calls.clear()
        toy.in_write.clear()
        pipeline.import_articles(store, _inputs({"f.txt": "The summit opened in Oslo."}))
        assert sorted(t for call in toy.calls for t in call) == [
            "Oslo is cold.",
            "The summit opened in Oslo.",
        ]
        assert toy.in_write == [False]
        story = store.stories()[0].id
        claims = store.claims(story=story)
        assert pipeline.stored_vectors(store, story, claims) is not None


def test_a_database_whose_vectors_are_all_stored_needs_no_model(db: Path, monkeypatch) -> None:
    with Store.open(db) as store:
        toy = ToyEncoder()
        _use(monkeypatch, toy)
        pipeline.align_with_encoder(store, toy)
        blended = _candidates(store)
    monkeypatch.setattr(pipeline, "load_encoder", lambda spec: pytest.fail("model loaded"))
    result = CliRunner().invoke(cli, ["align", str(db)])
    assert result.exit_code == 0, result.output
    assert "with the sentence encoder in /models/toy:1 (toy:1)" in result.output
    with Store.open(db) as store:
        assert _candidates(store) == blended


def test_the_same_model_found_in_another_folder_is_pointed_at(db: Path, monkeypatch) -> None:
    with Store.open(db) as store:
        toy = ToyEncoder()
        pipeline.align_with_encoder(store, toy)
        moved = ToyEncoder()
        moved.spec = "/elsewhere/toy"
        assert pipeline.set_encoder(store, moved) is False  # the same model: no re-alignment
        assert store.meta()["encoder_path"] == "/elsewhere/toy"


def test_an_encoder_switched_meanwhile_by_another_command_writes_nothing(db: Path) -> None:
    with Store.open(db) as store:
        pipeline.align_with_encoder(store, ToyEncoder(name="toy:1"))
        before = _candidates(store)
        story = store.stories()[0].id
        with pytest.raises(EncoderError, match="changed by another command"):
            pipeline.align_stored_stories(store, {story: None}, encoder=ToyEncoder(name="toy:2"))
        assert _candidates(store) == before


def test_merging_into_a_database_with_an_encoder_encodes_before_its_write_once(
    tmp_path: Path, db: Path, monkeypatch
) -> None:
    from workbench.merge import merge_databases

    other = tmp_path / "other.db"
    with Store.open_or_create(other) as store:
        pipeline.import_articles(store, _inputs({"m.txt": "The summit in Oslo was cut short."}))
        pipeline.import_articles(
            store, [ArticleInput(story="Other", source="n.txt", text="Rain fell in Bergen.")]
        )
    loads: list[str] = []
    toy = ToyEncoder()

    def load(spec: str) -> ToyEncoder:
        loads.append(spec)
        return toy

    monkeypatch.setattr(pipeline, "load_encoder", load)
    with Store.open(db) as store:
        pipeline.align_with_encoder(store, toy)
        # a claim OUT holds without a vector, in a story the merge realigns
        pipeline.import_articles(store, _inputs({"k.txt": "Oslo is cold."}), align=False)
    loads.clear()
    toy.calls.clear()
    toy.watch = db
    report = merge_databases(db, [other])
    assert toy.in_write == [False]  # encoded before the merge's write began, all at once
    assert len(report.realigned) == 2 and loads == [toy.spec]
    assert sorted(t for call in toy.calls for t in call) == [
        "Oslo is cold.",
        "Rain fell in Bergen.",
        "The summit in Oslo was cut short.",
    ]
    with Store.open(db) as store:
        for story in store.stories():
            claims = store.claims(story=story.id)
            assert pipeline.stored_vectors(store, story.id, claims) is not None


def test_an_added_article_never_proposes_a_repeat_even_when_its_vector_differs() -> None:
    from workbench.align import align_story
    from workbench.evaluation import claims_of

    texts = {
        "a.txt": "Generals meet in Oslo\n\nGenerals meet in Oslo!\n\nThe talks lasted an hour.",
        "b.txt": "The generals met in Oslo on Monday. Talks went on for an hour.",
        "c.txt": "Generals met in Oslo, officials said. The weather was cold.",
    }
    claims, by_file = claims_of(texts)
    first, repeat = by_file["a.txt"][0], by_file["a.txt"][1]
    assert repeat.text == "Generals meet in Oslo!"
    toy = ToyEncoder()
    vectors = dict(zip([c.id for c in claims], toy.encode([c.text for c in claims]), strict=True))
    # The repeat's vector (unlike its first's) is the very one of a claim of b.txt: its row
    # beats its first's there, as a model's may for a repeat with other punctuation.
    vectors[repeat.id] = vectors[by_file["b.txt"][0].id]
    full = align_story(claims, vectors=vectors)
    added = align_story(claims, vectors=vectors, only=[c.id for c in by_file["a.txt"]])
    for rows in (full, added):
        assert rows and all(c.candidate_id != repeat.id for c in rows)
        assert any(c.candidate_id == first.id for c in rows)


def test_the_review_apps_scorer_ranks_with_the_stored_vectors(db: Path) -> None:
    from workbench.tui.gateway import _scorer

    with Store.open(db) as store:
        pipeline.align_with_encoder(store, ToyEncoder())
        story = store.stories()[0].id
        stored = _candidates(store)
        scorer = _scorer(store, story)
        checked = 0
        for (a, b), (rank, score) in stored.items():
            if rank != 1:
                continue
            article = next(c.article_id for c in store.claims(story=story) if c.id == b)
            best = scorer.best_in(a, article)
            if best is not None and best[0] == b:
                assert best[1] == pytest.approx(score)
                checked += 1
        assert checked >= 6


def _blas_threads_in_a_worker(jobs) -> list[int]:
    """BLAS's thread counts inside a forked align_many worker of these jobs."""
    import multiprocessing

    from workbench import align

    def report(out) -> None:
        from threadpoolctl import threadpool_info

        align._story_worker()
        out.put([p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"])

    context = multiprocessing.get_context("fork")
    out = context.Queue()
    before, align._JOBS = align._JOBS, tuple(jobs)
    try:
        worker = context.Process(target=report, args=(out,))
        worker.start()
        found = out.get(timeout=60)
        worker.join(60)
    finally:
        align._JOBS = before
    return found


def test_an_align_worker_with_vectors_runs_blas_in_one_thread() -> None:
    from threadpoolctl import threadpool_info, threadpool_limits

    from workbench.align import AlignJob
    from workbench.evaluation import claims_of

    claims, _ = claims_of(ARTICLES)
    vectors = dict(
        zip([c.id for c in claims], ToyEncoder().encode([c.text for c in claims]), strict=True)
    )
    with threadpool_limits(limits=2, user_api="blas"):  # as on a machine of 2 cores or more
        assert any(p["user_api"] == "blas" for p in threadpool_info())
        assert _blas_threads_in_a_worker([AlignJob(claims, vectors=vectors)]) == [1] * len(
            [p for p in threadpool_info() if p["user_api"] == "blas"]
        )
        assert 1 not in _blas_threads_in_a_worker([AlignJob(claims)])  # left as it was
