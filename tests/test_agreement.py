"""Agreement: published worked examples, a brute-force reference, and the CLI on a real DB."""

from __future__ import annotations

import itertools
import json
from collections import Counter

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.agreement import (
    Rating,
    cohen_kappa,
    cohen_kappa_from_table,
    disagreements,
    fleiss_kappa,
    fleiss_kappa_from_table,
    krippendorff_alpha_nominal,
    majority_share,
    reliability_data_units,
    summarize,
)
from workbench.cli import cli

# --- published values, inline so they run without ../shared/data -----------------------------

# Wikipedia, "Fleiss' kappa", worked example: 10 subjects x 5 categories, 14 raters each.
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]
# Wikipedia, "Krippendorff's alpha": 3 coders x 15 units, None = missing; nominal 0.691358.
WIKIPEDIA_ALPHA = [
    [None, None, None, None, None, 3, 4, 1, 2, 1, 1, 3, 3, None, 3],
    [1, None, 2, 1, 3, 3, 4, 3, None, None, None, None, None, None, None],
    [None, None, 2, 1, 3, 4, 4, None, 2, 1, 1, 3, 3, None, 4],
]
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", p. 8: nominal 0.743.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# SAS PROC FREQ AGREE example, 3x3 table: unweighted kappa 0.4842.
SAS_TABLE = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]


def test_fleiss_wikipedia_example():
    assert round(fleiss_kappa_from_table(WIKIPEDIA_FLEISS), 3) == 0.210


def test_fleiss_from_raw_labels_equals_the_table():
    units = [[c for c, n in enumerate(row) for _ in range(n)] for row in WIKIPEDIA_FLEISS]
    assert fleiss_kappa(units) == pytest.approx(fleiss_kappa_from_table(WIKIPEDIA_FLEISS))


def test_krippendorff_wikipedia_nominal():
    units = reliability_data_units(WIKIPEDIA_ALPHA)
    assert round(krippendorff_alpha_nominal(units), 6) == 0.691358


def test_krippendorff_2011_nominal_with_string_labels_too():
    units = reliability_data_units(KRIPPENDORFF_2011)
    assert round(krippendorff_alpha_nominal(units), 3) == 0.743
    names = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    as_text = [[names.get(v) for v in unit] for unit in units]
    assert krippendorff_alpha_nominal(as_text) == pytest.approx(krippendorff_alpha_nominal(units))


def test_krippendorff_nltk_easy_case_ignores_single_rated_units():
    units = [["YES", "NO", "NO"], ["YES", "NO"], ["NO"]]
    assert krippendorff_alpha_nominal(units) == pytest.approx(-1 / 3)
    assert krippendorff_alpha_nominal(units[:2]) == pytest.approx(-1 / 3)


def test_cohen_sas_table():
    assert round(cohen_kappa_from_table(SAS_TABLE), 4) == 0.4842


def test_undefined_statistics_are_none_not_nan():
    assert cohen_kappa(["agree"] * 4, ["agree"] * 4) is None  # chance agreement is 1
    assert krippendorff_alpha_nominal([["a", "a"], ["a", "a"]]) is None  # no variation
    assert krippendorff_alpha_nominal([["a"], ["b"]]) is None  # nothing pairable
    assert fleiss_kappa([["a", "b"], ["a", "b", "b"]]) is None  # raters per item vary
    assert fleiss_kappa([]) is None
    with pytest.raises(ValueError):
        fleiss_kappa_from_table([[1, 1], [2, 1]])


def test_chance_agreement_close_to_one_is_still_defined():
    # Review bug: np.isclose(p_e, 1) turned these defined values into None. Only a table
    # in which every rating has one and the same category is undefined.
    a = ["agree"] * 100_000
    b = ["agree"] * 99_999 + ["contradict"]
    assert cohen_kappa(a, b) == pytest.approx(0.0, abs=1e-12)  # p_o == p_e == 0.99999
    assert cohen_kappa_from_table([[0, 0], [0, 7]]) is None
    units = [["agree", "agree"]] * 200_000 + [["agree", "contradict"]]
    shares = 400_001 / 400_002, 1 / 400_002  # 400,002 ratings, one "contradict"
    p_e = shares[0] ** 2 + shares[1] ** 2
    expected = (200_000 / 200_001 - p_e) / (1 - p_e)
    assert fleiss_kappa(units) == pytest.approx(expected, rel=1e-6)
    assert fleiss_kappa_from_table([[0, 3], [0, 3]]) is None


# --- every worked example in ../shared/data ----------------------------------------------------


def _examples(shared_data) -> dict:
    return json.loads((shared_data / "gold_suites" / "agreement_examples.json").read_text())


def test_all_krippendorff_examples(shared_data):
    data = _examples(shared_data)
    for example in data["krippendorff_alpha"]:
        if "reliability_data" in example:
            units = reliability_data_units(example["reliability_data"])
            expected = example["expected"]["nominal"]
            digits = example["rounding"]
            assert round(krippendorff_alpha_nominal(units), digits) == expected, example["name"]
            continue
        for case in example["cases"]:
            units: dict[str, list] = {}
            for _coder, item, label in case["triples_coder_item_label"]:
                units.setdefault(item, []).append(label)
            value = krippendorff_alpha_nominal(list(units.values()))
            assert value == pytest.approx(case["expected_alpha_nominal"], abs=1e-7), case["name"]


def test_all_fleiss_examples(shared_data):
    data = _examples(shared_data)
    by_name = {e["name"]: e for e in data["fleiss_kappa"]}
    wiki = by_name["wikipedia_fleiss_example"]
    assert round(fleiss_kappa_from_table(wiki["table"]), wiki["rounding"]) == wiki["expected"]
    diag = by_name["fleiss_1971_diagnoses"]
    assert round(fleiss_kappa(diag["ratings"]), diag["rounding"]) == diag["expected"]
    calc = by_name["randolph_calculator_cases"]
    for case in calc["cases"]:
        value = fleiss_kappa_from_table(case["table"])
        assert value == pytest.approx(case["expected_fleiss"], abs=calc["tolerance"])


def test_all_cohen_examples(shared_data):
    data = _examples(shared_data)
    by_name = {e["name"]: e for e in data["cohen_kappa"]}
    sas = by_name["sas_3x3_table"]
    assert round(cohen_kappa_from_table(sas["table"]), 4) == sas["expected"]["unweighted"]["kappa"]
    anxiety = by_name["irr_anxiety_raters2_3"]
    r2 = [row[1] for row in anxiety["ratings"]]
    r3 = [row[2] for row in anxiety["ratings"]]
    assert cohen_kappa(r2, r3) == pytest.approx(anxiety["expected"]["unweighted"], abs=1e-9)


# --- an independent reference: the definitions, by brute force --------------------------------


def brute_alpha(units: list[list[str]]) -> float | None:
    """Krippendorff's definition: pairable values only; D_o over ordered pairs within units
    (each unit weighted 1/(m_u - 1)), D_e over ordered pairs of all pairable values."""
    units = [u for u in units if len(u) >= 2]
    values = [v for u in units for v in u]
    n = len(values)
    if n < 2:
        return None
    d_o = (
        sum(
            sum(1 for i, j in itertools.permutations(range(len(u)), 2) if u[i] != u[j])
            / (len(u) - 1)
            for u in units
        )
        / n
    )
    d_e = sum(1 for i, j in itertools.permutations(range(n), 2) if values[i] != values[j])
    d_e /= n * (n - 1)
    return None if d_e == 0 else 1 - d_o / d_e


def brute_cohen(a: list[str], b: list[str]) -> float | None:
    n = len(a)
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    p_e = sum((a.count(c) / n) * (b.count(c) / n) for c in set(a) | set(b))
    return None if p_e == 1 else (p_o - p_e) / (1 - p_e)


def brute_fleiss(units: list[list[str]]) -> float | None:
    m = len(units[0])
    agree = [
        sum(1 for i, j in itertools.permutations(range(m), 2) if u[i] == u[j]) / (m * (m - 1))
        for u in units
    ]
    everything = [v for u in units for v in u]
    p_e = sum((everything.count(c) / len(everything)) ** 2 for c in set(everything))
    return None if p_e == 1 else (sum(agree) / len(agree) - p_e) / (1 - p_e)


LABELS = st.sampled_from(["agree", "contradict", "unrelated"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(LABELS, min_size=0, max_size=5), min_size=1, max_size=12))
def test_alpha_matches_the_brute_force_definition(units):
    expected = brute_alpha(units)
    value = krippendorff_alpha_nominal(units)
    if expected is None:
        assert value is None
    else:
        assert value == pytest.approx(expected, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(LABELS, LABELS), min_size=1, max_size=30))
def test_cohen_matches_the_brute_force_definition_and_is_symmetric(pairs):
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    expected = brute_cohen(a, b)
    if expected is None:
        assert cohen_kappa(a, b) is None
    else:
        assert cohen_kappa(a, b) == pytest.approx(expected, abs=1e-9)
        assert cohen_kappa(b, a) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda m: st.lists(st.lists(LABELS, min_size=m, max_size=m), min_size=1, max_size=12)
    )
)
def test_fleiss_matches_the_brute_force_definition(units):
    expected = brute_fleiss(units)
    if expected is None:
        assert fleiss_kappa(units) is None
    else:
        assert fleiss_kappa(units) == pytest.approx(expected, abs=1e-9)


# --- the workbench view: ratings, unsure, JSON shape, disagreements ---------------------------


def ratings(table: dict[str, dict[str, str]], story: str = "s") -> list[Rating]:
    return [
        Rating(item, rater, label, story)
        for item, row in table.items()
        for rater, label in row.items()
    ]


def test_unsure_is_no_rating_and_single_ratings_are_not_items():
    summary = summarize(
        ratings(
            {
                "p1": {"ana": "agree", "ben": "agree"},
                "p2": {"ana": "agree", "ben": "unsure"},  # one real rating: not an item
                "p3": {"ana": "contradict", "ben": "unrelated", "cy": "contradict"},
                "p4": {"cy": "agree"},
            }
        )
    )
    assert summary.items == 2
    assert summary.reviewers == ("ana", "ben", "cy")
    assert summary.fleiss_kappa is None  # 2 raters on p1, 3 on p3
    assert summary.krippendorff_alpha == pytest.approx(
        brute_alpha([["agree", "agree"], ["contradict", "unrelated", "contradict"]])
    )
    pairs = {(p.a, p.b): p for p in summary.pairwise}
    assert (pairs["ana", "ben"].n, pairs["ana", "ben"].percent_agreement) == (2, 0.5)
    assert (pairs["ana", "cy"].n, pairs["ana", "cy"].percent_agreement) == (1, 1.0)
    assert pairs["ana", "cy"].cohen_kappa is None  # one category: undefined
    assert pairs["ana", "ben"].confusion == ((1, 0, 0), (0, 0, 1), (0, 0, 0))


def test_json_has_exactly_the_documented_keys():
    data = summarize(
        ratings({"p1": {"a": "agree", "b": "contradict"}, "p2": {"a": "agree", "b": "agree"}})
    ).to_json()
    required = {"reviewers", "items", "krippendorff_alpha", "fleiss_kappa", "pairwise"}
    assert required <= set(data)
    assert [set(p) for p in data["pairwise"]] == [
        {"a", "b", "n", "percent_agreement", "cohen_kappa"}
    ]
    assert json.loads(json.dumps(data)) == data  # no NaN, no tuples


def test_per_story_and_per_label():
    items = ratings(
        {"p1": {"a": "agree", "b": "agree"}, "p2": {"a": "contradict", "b": "agree"}}, story="one"
    )
    items += ratings(
        {"q1": {"a": "unrelated", "b": "unrelated"}, "q2": {"a": "agree", "b": "agree"}},
        story="two",
    )
    summary = summarize(items)
    assert set(summary.per_story) == {"one", "two"}
    assert summary.per_story["two"].percent_agreement == 1.0
    assert summary.per_story["one"].krippendorff_alpha == pytest.approx(
        brute_alpha([["agree", "agree"], ["contradict", "agree"]])
    )
    assert summary.per_label["agree"].ratings == 5
    binary = [
        [v == "contradict" for v in u]
        for u in (
            ["agree", "agree"],
            ["contradict", "agree"],
            ["unrelated", "unrelated"],
            ["agree", "agree"],
        )
    ]
    assert summary.per_label["contradict"].krippendorff_alpha == pytest.approx(
        brute_alpha([[str(x) for x in u] for u in binary])
    )


def test_disagreements_lowest_agreement_first():
    items = ratings(
        {
            "calm": {"a": "agree", "b": "agree", "c": "agree"},
            "two-one": {"a": "agree", "b": "agree", "c": "contradict"},
            "split": {"a": "agree", "b": "contradict", "c": "unrelated"},
            "pair": {"a": "agree", "b": "contradict"},
            "unsure": {"a": "agree", "b": "unsure"},
        }
    )
    queue = disagreements(items)
    assert [d.item for d in queue] == ["split", "pair", "two-one"]
    assert [d.agreement for d in queue] == [pytest.approx(1 / 3), 0.5, pytest.approx(2 / 3)]
    assert queue[0].labels == {"a": "agree", "b": "contradict", "c": "unrelated"}
    with_unsure = [d.item for d in disagreements(items, unsure_is_a_label=True)]
    assert "unsure" in with_unsure
    assert majority_share(["x"]) == 1.0 and majority_share([]) is None


def test_disagreement_ties_go_to_more_raters_then_by_story_and_item():
    items = ratings({"b": {"a": "agree", "b": "contradict"}}, story="two")
    items += ratings({"c": {"a": "agree", "b": "contradict"}}, story="one")
    items += ratings({"z": {"a": "agree", "b": "contradict", "c": "agree", "d": "unrelated"}})
    items += ratings({"a": {"a": "agree", "b": "contradict", "c": "unsure"}}, story="one")
    # z: 2 of 4 on the leading label, as low as the 1-1 splits, with more raters; an unsure
    # rater counts for nothing, so "a" is a 1-1 split like "c", and first by item.
    assert [d.item for d in disagreements(items)] == ["z", "a", "c", "b"]


def test_a_rater_rating_an_item_twice_is_an_error():
    with pytest.raises(ValueError):
        summarize([Rating("p", "a", "agree"), Rating("p", "a", "contradict")])


# --- the command, on the seed articles ----------------------------------------------------------


@pytest.fixture
def marked_db(tmp_path):
    from conftest import SEEDS_DIR
    from workbench.pipeline import import_paths
    from workbench.store import Store

    db = tmp_path / "a.db"
    with Store.open(db, create=True) as store:
        import_paths(store, [SEEDS_DIR], story="Seeds")
        pairs = []
        for row in store.candidate_rows(top=1):
            key = (row.a.claim.id, row.b.claim.id)
            if key not in pairs and key[::-1] not in pairs:
                pairs.append(key)
        pairs = pairs[:12]
        labels = ["agree", "contradict", "unrelated"]
        table = {}
        for i, (a, b) in enumerate(pairs):
            row = {"ana": labels[i % 3], "ben": labels[(i * 2) % 3] if i % 4 else labels[i % 3]}
            if i % 3 == 0:
                row["cy"] = "unsure" if i % 2 else labels[(i + 1) % 3]
            for reviewer, label in row.items():
                store.record_mark(a, b, label, reviewer)
            table[(min(a, b), max(a, b))] = row
        store.record_mark(pairs[0][1], pairs[0][0], "agree", "ana")  # changes ana's mind
        table[min(pairs[0]), max(pairs[0])]["ana"] = "agree"
    return db, table


def test_agreement_json_matches_the_reference(marked_db):
    db, table = marked_db
    result = CliRunner().invoke(cli, ["agreement", str(db), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    units = [[v for v in row.values() if v != "unsure"] for row in table.values()]
    units = [u for u in units if len(u) >= 2]
    assert data["items"] == len(units)
    assert data["krippendorff_alpha"] == pytest.approx(brute_alpha(units))
    assert data["fleiss_kappa"] is None  # some pairs have a third rater
    [ab] = [p for p in data["pairwise"] if (p["a"], p["b"]) == ("ana", "ben")]
    both = [(r["ana"], r["ben"]) for r in table.values()]
    assert ab["n"] == len(both)
    assert ab["cohen_kappa"] == pytest.approx(brute_cohen(*map(list, zip(*both, strict=True))))
    assert data["per_story"]["Seeds"]["items"] == len(units)
    assert Counter(data["reviewers"]) == Counter(["ana", "ben", "cy"])


def test_agreement_text_shows_the_confusion_table_and_story_filter(marked_db):
    db, _ = marked_db
    text = CliRunner().invoke(cli, ["agreement", str(db), "--story", "Seeds"]).output
    assert "confusion: ana (rows) x ben (columns)" in text
    assert "Krippendorff's alpha (nominal):" in text
    missing = CliRunner().invoke(cli, ["agreement", str(db), "--story", "nope"])
    assert missing.exit_code == 1 and len(missing.output.strip().splitlines()) == 1


def test_agreement_with_no_overlap_says_so(tmp_path):
    from workbench.store import Store

    db = tmp_path / "empty.db"
    Store.open(db, create=True).close()
    result = CliRunner().invoke(cli, ["agreement", str(db)])
    assert result.exit_code == 0 and "no pair has been marked" in result.output
    data = json.loads(CliRunner().invoke(cli, ["agreement", str(db), "--json"]).output)
    assert (data["items"], data["krippendorff_alpha"], data["pairwise"]) == (0, None, [])


def test_agreement_says_what_it_left_out_and_can_count_unsure(tmp_path):
    from click.testing import CliRunner

    from conftest import SEEDS_DIR
    from workbench.cli import cli
    from workbench.pipeline import import_paths
    from workbench.store import Store

    db = tmp_path / "a.db"
    with Store.open(db, create=True) as store:
        import_paths(store, [SEEDS_DIR], story="S")
        rows = list(store.candidate_rows(top=1))
        pairs = list(dict.fromkeys(tuple(sorted((r.a.claim.id, r.b.claim.id))) for r in rows))
        p, q, r = pairs[:3]
        store.record_mark(*p, "agree", "ana")
        store.record_mark(*p, "agree", "ben")
        store.record_mark(*q, "unsure", "ana")
        store.record_mark(*q, "agree", "ben")  # one real rating left: left out
        store.record_mark(*r, "contradict", "ana")  # one rating only: left out
    runner = CliRunner()
    text = runner.invoke(cli, ["agreement", str(db)]).output
    assert "items (pairs with 2+ ratings): 1" in text
    assert "left out: 1 unsure mark(s), 2 pair(s) with only one rating" in text
    data = json.loads(runner.invoke(cli, ["agreement", str(db), "--json"]).output)
    assert data["left_out"] == {"unsure_marks": 1, "pairs_with_one_rating": 2}
    counted = json.loads(
        runner.invoke(cli, ["agreement", str(db), "--json", "--unsure-as-label"]).output
    )
    assert counted["items"] == 2 and counted["unsure_is_a_label"]
    assert counted["left_out"] == {"unsure_marks": 0, "pairs_with_one_rating": 1}
    assert "unsure" in counted["labels"]
    as_label = runner.invoke(cli, ["agreement", str(db), "--unsure-as-label"]).output
    assert "left out: 1 pair(s) with only one rating (unsure counted as a label)" in as_label
