"""Figures in a claim: what is read from them, and which two agree up to rounding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.quantities import (
    COMPATIBLE,
    DIFFERS,
    SAME,
    Quantity,
    extract_quantities,
    relation,
)


def _one(text: str) -> Quantity:
    (q,) = extract_quantities(text)
    return q


@pytest.mark.parametrize(
    ("text", "figure", "value", "unit", "qualifier"),
    [
        ("It will cost about $2.4 billion.", "2.4 billion", 2.4e9, "$", "approx"),
        ("It cost $3m.", "3m", 3e6, "$", ""),
        ("“We want $7.2” billion, she said.", "7.2” billion", 7.2e9, "$", ""),
        ("At least 20 people died.", "20", 20.0, "#", "min"),
        ("He raised over $5,000.", "5,000", 5000.0, "$", "min"),
        ("Turnout was 45%.", "45%", 45.0, "%", ""),
        ("Turnout was 54 per cent.", "54 per cent", 54.0, "%", ""),
        ("It rose 3 percentage points.", "3 percentage points", 3.0, "pts", ""),
        ("The route is 3 miles long.", "3 miles", 3.0, "mi", ""),
        ("a 3-mile stretch", "3-mile", 3.0, "mi", ""),
        ("A 23-year-old man.", "23-year-old", 23.0, "age", ""),
        ("Lieberman, 75, spoke.", "75", 75.0, "age", ""),
        ("Six SDF fighters.", "Six", 6.0, "#", ""),
        ("twenty-three people", "twenty-three", 23.0, "#", ""),
        ("half a million people", "half a million", 5e5, "#", ""),
        ("some 100 or so people", "100 or so", 100.0, "#", "approx"),
        ("Dozens of people.", "Dozens", 24.0, "#", "vague"),
        ("The vote began at 10 a.m.", "10 a.m.", 600.0, "time", ""),
        ("It ended at 3:30 p.m. sharp.", "3:30 p.m.", 930.0, "time", ""),
        ("They met at noon.", "noon", 720.0, "time", ""),
    ],
)
def test_reads_figures(text: str, figure: str, value: float, unit: str, qualifier: str) -> None:
    q = _one(text)
    assert (q.figure, q.value, q.unit, q.qualifier) == (figure, value, unit, qualifier)
    assert text[q.span[0] : q.span[1]] == q.text and text[slice(*q.figure_span)] == q.figure


@pytest.mark.parametrize(
    "text",
    [
        "one of the officials",  # a lone "one" is not a count
        "under section 3 of the law",  # a label
        "a two-in-three chance",
        "two-thirds of voters",
        "the 10th time",
        "F-16 jets over 9/11 sites",
        "a 5k race",
        "scores 3-4 in the final",
    ],
)
def test_not_figures(text: str) -> None:
    assert extract_quantities(text) == ()


@pytest.mark.parametrize(
    ("a", "b", "rel"),
    [
        ("six fighters", "6 fighters", SAME),
        ("about $2.4 billion", "$2.4 billion", COMPATIBLE),
        ("at least 20", "23", COMPATIBLE),
        ("over $5,000", "$5,312.40", COMPATIBLE),
        ("nearly 100", "98", COMPATIBLE),
        ("about 2.38 billion", "2.4 billion", COMPATIBLE),
        ("2.38 billion", "2.4 billion", COMPATIBLE),  # rounded to two digits
        ("more than 1,000", "1,200", COMPATIBLE),
        ("up to 50", "47", COMPATIBLE),  # a finer figure under the cap
        ("up to 50", "40", DIFFERS),  # a cap is the figure: 40 is another at its precision
        ("up to 2.7 million", "2.6 million", DIFFERS),
        ("as many as 2.6 million", "up to 2.7 million", DIFFERS),  # two caps
        ("more than 7,000", "over 7,400", COMPATIBLE),  # one floor a rounding of the other
        ("more than 300", "at least 400", DIFFERS),
        ("about 30", "34", COMPATIBLE),  # 34 rounds to 30 at the tens
        ("about 30", "36", DIFFERS),
        ("roughly $212 million", "$209 million", DIFFERS),  # not at the million
        ("about $212 million", "$211.6 million", COMPATIBLE),
        ("dozens of", "about 70", COMPATIBLE),
        ("nearly $38 million", "$37.6 million", COMPATIBLE),
        ("dozens of", "more than 40", COMPATIBLE),
        ("20", "23", DIFFERS),  # "20" may be a rounding or another figure: one digit says
        ("$3.5 billion", "$3.6 billion", DIFFERS),
        ("at least 20", "45", DIFFERS),
        ("more than 100", "more than 1,000", DIFFERS),
        ("nearly 100", "101", DIFFERS),
        ("hundreds of", "23", DIFFERS),
    ],
)
def test_relation(a: str, b: str, rel: str) -> None:
    qa, qb = _one(a), _one(b)
    assert relation(qa, qb) == rel
    assert relation(qb, qa) == rel


_FIGURE_PARTS = (
    "about", "at least", "more than", "nearly", "up to", "over", "$", "5", "20", "23", "98",
    "100", "1,000", "1,200", "2.4", "2.38", "5,312.40", "million", "billion", "percent", "%",
    "people", "dozens of", "hundreds of", "six", "twenty-three", "10 a.m.", "or so", "miles",
    "-year-old", " ", ", ",
)  # fmt: skip
_figures = st.sampled_from(_FIGURE_PARTS)


@settings(max_examples=300, deadline=None)
@given(st.lists(_figures, max_size=12).map(" ".join), st.lists(_figures, max_size=12).map(" ".join))
def test_relation_is_symmetric_and_reflexive(a: str, b: str) -> None:
    for q in extract_quantities(a):
        assert a[q.span[0] : q.span[1]] == q.text
        assert q.low <= q.value <= q.high or q.qualifier == "max"
        assert relation(q, q) == SAME
        for r in extract_quantities(b):
            assert relation(q, r) == relation(r, q)
