"""The labelled development set: BASIL same-fact and contradiction pairs
(tests/data/basil_pairs.jsonl, protocol in tests/data/PAIRS_PROTOCOL.md) and the seed story's
contradictions (tests/data/seed_contradictions.jsonl), and the loader that resolves them.

The shape, counts and consistency of the BASIL file are checked everywhere; resolving it needs
BASIL's text, which is not ours and stays in ../shared/data (the `shared_data` fixture)."""

from __future__ import annotations

import collections
import json
import re
from pathlib import Path

import pytest

from conftest import SEEDS_DIR, shared_data_dir
from workbench.evaluation import (
    CONTRADICTION_POINTS,
    SEED_STORY,
    PairLabelError,
    claims_of,
    load_pair_labels,
    ranking_labels,
    sentence_sha1,
    write_feed,
)
from workbench.models import ClaimKind
from workbench.pipeline import import_paths
from workbench.store import Store

DATA = Path(__file__).parent / "data"
BASIL_PAIRS = DATA / "basil_pairs.jsonl"
SEED_CONTRADICTIONS = DATA / "seed_contradictions.jsonl"


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _end(ref: dict) -> tuple[str, int]:
    return ref["file"], ref["sentence"]


def _first_characters(record: dict, text: str) -> list[int]:
    """Where each sentence's first non-space character is in the text, found by searching
    the text for the sentences in order (not by the loader's offset arithmetic)."""
    found, cursor = [], 0
    for sentence in (s for p in record["body-paragraphs"] for s in p):
        at = text.index(sentence, cursor)
        found.append(at + len(sentence) - len(sentence.lstrip()))
        cursor = at + len(sentence)
    return found


# --- the BASIL file on its own (no BASIL text needed) -----------------------------------------


def test_basil_pairs_shape() -> None:
    for n, row in enumerate(_rows(BASIL_PAIRS), start=1):
        assert set(row) <= {"story", "a", "b", "label", "point", "why", "alt", "compatible"}, n
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                            row["story"]), n  # fmt: skip
        for side in ("a", "b"):
            ref = row[side]
            assert set(ref) == {"file", "sentence", "sha1"}, n
            assert re.fullmatch(re.escape(row["story"]) + r"_[123]\.json", ref["file"]), n
            assert isinstance(ref["sentence"], int) and ref["sentence"] >= 0, n
            assert re.fullmatch(r"[0-9a-f]{12}", ref["sha1"]), n
        assert row["a"]["file"] != row["b"]["file"], n
        assert 0 < len(row["why"]) <= 100, n
        if row["label"] == "contradict":
            assert row["point"] in CONTRADICTION_POINTS, n
            assert not row.get("alt") and not row.get("compatible"), n
        else:
            assert row["label"] == "same" and "point" not in row, n


def test_basil_pairs_counts() -> None:
    rows = _rows(BASIL_PAIRS)
    contradictions = [r for r in rows if r["label"] == "contradict"]
    assert len(rows) >= 170
    assert len({r["story"] for r in rows}) >= 10
    assert len(contradictions) >= 30
    assert len({r["story"] for r in contradictions}) >= 10
    assert sum(bool(r.get("compatible")) for r in rows) >= 10  # roundings that are no conflict


def test_basil_pairs_have_no_duplicates_and_consistent_labels() -> None:
    rows = _rows(BASIL_PAIRS)
    seen: set[tuple] = set()
    for row in rows:
        a, b = _end(row["a"]), _end(row["b"])
        assert (a, b) not in seen and (b, a) not in seen, (a, b)  # once, whichever way round
        seen.add((a, b))
    # One scored same-fact partner per sentence and other article; the rest are "alt".
    scored = collections.Counter(
        (_end(r["a"]), r["b"]["file"]) for r in rows if r["label"] == "same" and not r.get("alt")
    )
    assert max(scored.values()) == 1
    # A sentence has one hash wherever it appears.
    hashes: dict[tuple[str, int], str] = {}
    for row in rows:
        for side in ("a", "b"):
            ref = row[side]
            assert hashes.setdefault(_end(ref), ref["sha1"]) == ref["sha1"], ref


# --- the BASIL file resolved against ../shared/data/basil --------------------------------------


@pytest.fixture(scope="module")
def basil_dir() -> Path:
    shared = shared_data_dir()
    if shared is None or not (shared / "basil" / "articles").is_dir():
        pytest.skip("../shared/data/basil is not beside this checkout")
    return shared / "basil"


@pytest.fixture(scope="module")
def basil_labels(basil_dir: Path):
    return load_pair_labels(BASIL_PAIRS, basil_dir=basil_dir)


def test_basil_pairs_resolve(basil_dir: Path, basil_labels) -> None:
    rows = _rows(BASIL_PAIRS)
    assert len(basil_labels) == len(rows)
    articles = {p.name: json.loads(p.read_text("utf-8")) for p in basil_dir.rglob("*.json")}
    stories = {p.story.name: p.story for p in basil_labels}
    claims = {name: claims_of(story.texts)[1] for name, story in stories.items()}
    for row, pair in zip(rows, basil_labels, strict=True):
        assert pair.story.name == row["story"] and pair.label == row["label"]
        assert pair.a.article_id != pair.b.article_id
        by_file = claims[pair.story.name]
        for side, claim in (("a", pair.a), ("b", pair.b)):
            ref = row[side]
            record = articles[ref["file"]]
            assert record["triplet-uuid"] == row["story"]
            # The text as the workbench imports a BASIL article, rebuilt here independently.
            text = "\n\n".join(" ".join(p) for p in record["body-paragraphs"] if p)
            assert pair.story.texts[ref["file"]] == text
            sentence = [s for p in record["body-paragraphs"] for s in p][ref["sentence"]]
            assert sentence_sha1(sentence) == ref["sha1"]
            assert claim in by_file[ref["file"]]
            assert claim.kind != ClaimKind.BOILERPLATE
            first = _first_characters(record, text)[ref["sentence"]]
            assert claim.start <= first < claim.end
    ends = collections.Counter(frozenset((p.a.id, p.b.id)) for p in basil_labels)
    assert max(ends.values()) == 1  # no two lines name the same pair of claims


def test_why_is_not_copied_article_text(basil_labels) -> None:
    def grams(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z]+", text.lower())
        return {tuple(words[i : i + 6]) for i in range(len(words) - 5)}

    for pair in basil_labels:
        assert not grams(pair.why) & grams(pair.a.text + " " + pair.b.text), pair.why


def test_loader_refuses_a_line_that_does_not_resolve(basil_dir: Path, tmp_path: Path) -> None:
    row = _rows(BASIL_PAIRS)[0]
    cases = {
        "sha1 does not match": {**row, "a": {**row["a"], "sha1": "0" * 12}},
        "has no sentence": {**row, "b": {**row["b"], "sentence": 10_000}},
        "is not in story": {**row, "story": "00000000-0000-0000-0000-000000000000"},
        "same article": {**row, "b": row["a"]},
        "does not fit label": {**row, "label": "contradict"},
    }
    for message, bad in cases.items():
        path = tmp_path / "bad.jsonl"
        path.write_text(json.dumps(row) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
        with pytest.raises(PairLabelError, match=rf"bad\.jsonl:2: .*{message}"):
            load_pair_labels(path, basil_dir=basil_dir)


def test_contradiction_rankings_leave_out_the_other_partners(basil_labels) -> None:
    labelled = collections.defaultdict(set)
    for pair in basil_labels:
        labelled[(pair.a.id, pair.b.article_id)].add(pair.b.id)
    ranked = ranking_labels(basil_labels, "contradict")
    assert len(ranked) == sum(p.label == "contradict" for p in basil_labels)
    for query, partner, others in ranked:
        assert partner.id not in others
        assert others == labelled[(query.id, partner.article_id)] - {partner.id}
    assert any(others for _, _, others in ranked)  # a contradiction beside same-fact partners


def test_feed_imports_with_the_loaders_claim_ids(basil_labels, tmp_path: Path) -> None:
    """A benchmark builds the labelled stories as a database through `workbench import`."""
    stories = {p.story.name: p.story for p in basil_labels}
    chosen = sorted(stories)[:3]
    feed = tmp_path / "feed.jsonl"
    assert write_feed((stories[s] for s in chosen), feed) == sum(
        len(stories[s].articles) for s in chosen
    )
    assert not feed.with_name("feed.jsonl.tmp").exists()
    with Store.open(tmp_path / "dev.db", create=True) as store:
        import_paths(store, [feed])
        stored = {c.id for c in store.claims()}
        assert {s.name for s in store.stories()} == set(chosen)
    wanted = {c.id for p in basil_labels if p.story.name in chosen for c in (p.a, p.b)}
    assert wanted and wanted <= stored


# --- the seed story's contradictions -----------------------------------------------------------


def test_seed_contradictions_resolve() -> None:
    rows = _rows(SEED_CONTRADICTIONS)
    pairs = load_pair_labels(SEED_CONTRADICTIONS, seeds_dir=SEEDS_DIR)
    assert len(pairs) == len(rows) >= 10
    kinds = {p.point for p in pairs}
    assert {"weekday", "duration", "denial"} <= kinds <= set(CONTRADICTION_POINTS)
    for row, pair in zip(rows, pairs, strict=True):
        assert pair.label == "contradict" and pair.story.name == SEED_STORY
        assert pair.a_file == row["a_file"] and row["a"] in pair.a.text
        assert pair.b_file == row["b_file"] and row["b"] in pair.b.text
        assert pair.a.article_id != pair.b.article_id
        assert ClaimKind.BOILERPLATE not in (pair.a.kind, pair.b.kind)
    # Given both ways round, with one point and one explanation.
    by_pair = {(p.a.id, p.b.id): (p.point, p.why) for p in pairs}
    assert all(by_pair[(b, a)] == v for (a, b), v in by_pair.items())


def test_seed_feed_imports_with_the_loaders_claim_ids(tmp_path: Path) -> None:
    pairs = load_pair_labels(SEED_CONTRADICTIONS, seeds_dir=SEEDS_DIR)
    feed = tmp_path / "seeds.jsonl"
    write_feed([pairs[0].story], feed)
    with Store.open(tmp_path / "seeds.db", create=True) as store:
        import_paths(store, [feed])
        stored = {c.id for c in store.claims()}
    assert {c.id for p in pairs for c in (p.a, p.b)} <= stored
    # The same ids as importing the seed folder itself (as sample.db is built).
    with Store.open(tmp_path / "folder.db", create=True) as store:
        import_paths(store, [SEEDS_DIR], story=SEED_STORY)
        assert {c.id for c in store.claims()} == stored


def test_seed_pairs_load_as_same_fact_pairs() -> None:
    """The older seed same-fact file loads through the same function, as label "same"."""
    pairs = load_pair_labels(DATA / "seed_pairs.jsonl", seeds_dir=SEEDS_DIR)
    assert pairs and all(p.label == "same" and p.point is None for p in pairs)
    with pytest.raises(PairLabelError, match="no seeds_dir"):
        load_pair_labels(DATA / "seed_pairs.jsonl")
