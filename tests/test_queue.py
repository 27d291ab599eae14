"""The review queue's rule in numpy (workbench.queue) against its plain-Python definition."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.queue import LIKELY_DISCREPANCY, QueueItem, build_queue, duplicate_claims


def _reference_queue(rows, place, order, duplicate_of):
    """The queue as first written: a dict per pair, a walk claim by claim."""
    folded: dict = {}
    for a, b, score, rank, disc in rows:
        key = (a, b) if a <= b else (b, a)
        old = folded.get(key)
        folded[key] = (
            (score, rank, disc)
            if old is None
            else (max(old[0], score), min(old[1], rank), max(old[2], disc))
        )
    for a, b in list(folded):
        first_a, first_b = duplicate_of.get(a, a), duplicate_of.get(b, b)
        if (first_a, first_b) == (a, b):
            continue
        canonical = (first_a, first_b) if first_a <= first_b else (first_b, first_a)
        if canonical in folded:
            del folded[(a, b)]
    partners: dict = {}
    for a, b in folded:
        partners.setdefault(a, []).append(b)
        partners.setdefault(b, []).append(a)
    claims = sorted(partners, key=lambda c: (-len(partners[c]), place(c), c))
    walk, listed = [], set()
    for claim in claims:
        for other in sorted(partners[claim], key=lambda c: (place(c), c)):
            key = (claim, other) if claim <= other else (other, claim)
            if key not in listed:
                listed.add(key)
                walk.append(QueueItem(claim, other, *folded[key]))
    if order == "claims":
        return walk
    likely = sorted(
        (item for item in walk if item.discrepancy >= LIKELY_DISCREPANCY),
        key=lambda item: (-item.discrepancy, -item.score),
    )
    return likely + [item for item in walk if item.discrepancy < LIKELY_DISCREPANCY]


# Claims "<article><ordinal>" in 4 articles; ids do not sort as places do (article 0 is "d").
_ARTICLE_NAMES = "dbca"
_CLAIMS = [f"{_ARTICLE_NAMES[a]}{k}" for a in range(4) for k in range(6)]


def _place(claim: str) -> tuple[int, int]:
    return _ARTICLE_NAMES.index(claim[0]), int(claim[1:])


_rows = st.lists(
    st.tuples(
        st.sampled_from(_CLAIMS),
        st.sampled_from(_CLAIMS),
        st.sampled_from([30.0, 40.0, 45.5, 61.25, 80.0]),  # few values: many ties
        st.integers(1, 3),
        st.sampled_from([0.0, 0.0, 20.0, 30.0, 65.0, 90.0]),
    ).filter(lambda row: row[0][0] != row[1][0]),  # pairs across articles
    max_size=60,
)
# Repeats: a claim of an article that repeats an earlier one of the same article.
_repeats = st.dictionaries(
    st.sampled_from([c for c in _CLAIMS if c[1:] != "0"]),
    st.integers(0, 4),
    max_size=5,
).map(
    lambda picks: {
        claim: f"{claim[0]}{first}" for claim, first in picks.items() if first < int(claim[1:])
    }
)


@settings(max_examples=1000, deadline=None)
@given(_rows, _repeats, st.sampled_from(["contradictions", "claims"]))
def test_the_queue_is_its_definition(rows, repeats, order):
    """Fold, drop a repeat's pairs, walk claim by claim, put likely contradictions first:
    the numpy queue is the plain one, item for item, with every tie broken the same way."""
    # A first claim is never a repeat itself (duplicate_claims maps to the first).
    repeats = {c: f for c, f in repeats.items() if f not in repeats}
    got = build_queue(rows, _place, order=order, duplicate_of=repeats)
    assert got == _reference_queue(rows, _place, order, repeats)
    assert all(isinstance(item.score, float) and isinstance(item.rank, int) for item in got)


def test_an_empty_queue_and_an_unknown_order():
    assert build_queue([], _place) == []
    try:
        build_queue([], _place, order="random")
    except ValueError as exc:
        assert "unknown queue order" in str(exc)
    else:
        raise AssertionError("an unknown order is refused")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=20), min_size=1, max_size=8))
def test_repeats_are_found_as_the_character_test_finds_them(texts):
    """Same words = same text once case, punctuation (anything neither alphanumeric nor a
    space, "_" included) and spacing are set aside."""

    def words(text: str) -> str:
        kept = "".join(ch for ch in text.casefold() if ch.isalnum() or ch.isspace())
        return " ".join(kept.split())

    claims = [(f"c{k}", "art", text) for k, text in enumerate(texts)]
    expected: dict[str, str] = {}
    first: dict[str, str] = {}
    for claim, _, text in claims:
        w = words(text)
        if w:
            seen = first.setdefault(w, claim)
            if seen != claim:
                expected[claim] = seen
    assert duplicate_claims(claims) == expected


def test_a_pair_of_two_repeats_whose_first_claims_are_not_paired_stays():
    """Found by the property test: d1 repeats d0 and c5 repeats c1; (d1, c5) stays, as the
    pair of their first claims (d0, c1) is not in the queue (d0 is in no row at all), even
    though (d1, c1), a pair with one first claim, is."""
    rows = [("d1", "c1", 30.0, 1, 0.0), ("d1", "c5", 30.0, 1, 0.0)]
    repeats = {"c5": "c1", "d1": "d0"}
    got = build_queue(rows, _place, duplicate_of=repeats)
    assert got == _reference_queue(rows, _place, "contradictions", repeats)
    assert {item.pair for item in got} == {("d1", "c1"), ("d1", "c5")}


@settings(max_examples=300, deadline=None)
@given(_rows, _repeats, st.sampled_from(["contradictions", "claims"]), st.randoms())
def test_integer_keys_with_names_give_the_same_queue(rows, repeats, order, rng):
    """The store names claims by integer keys and gives their ids (`names`): the queue is the
    one the ids give, whatever keys the claims have."""
    repeats = {c: f for c, f in repeats.items() if f not in repeats}
    keys = rng.sample(range(10_000), len(_CLAIMS))
    key_of = dict(zip(_CLAIMS, keys, strict=True))
    name_of = {k: c for c, k in key_of.items()}
    keyed = [(key_of[a], key_of[b], s, r, d) for a, b, s, r, d in rows]
    got = build_queue(
        keyed,
        lambda k: _place(name_of[k]),
        order=order,
        duplicate_of={key_of[c]: key_of[f] for c, f in repeats.items()},
        names=name_of,
    )
    assert got == build_queue(rows, _place, order=order, duplicate_of=repeats)
