"""Disagreement hints: real seed sentences, made-up sentences, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.claims import split_claims
from workbench.hints import KINDS, find_hints
from workbench.models import Hint


def _claim(texts: dict[str, str], name_prefix: str, needle: str) -> str:
    """The seed claim (as split_claims cuts it) of file `name_prefix*` containing `needle`."""
    (name,) = [n for n in texts if n.startswith(name_prefix)]
    text = texts[name]
    for span in split_claims(text):
        if needle in text[span.start : span.end]:
            return text[span.start : span.end]
    raise LookupError(needle)


def _kinds(hints: list[Hint]) -> list[str]:
    return [h.kind for h in hints]


def _by_kind(hints: list[Hint], kind: str) -> list[Hint]:
    return [h for h in hints if h.kind == kind]


def _spans_ok(a: str, b: str, hints: list[Hint]) -> None:
    for h in hints:
        assert h.kind in KINDS
        if h.a_span is None:
            assert h.a == ""
        else:
            assert a[h.a_span[0] : h.a_span[1]] == h.a
        if h.b_span is None:
            assert h.b == ""
        else:
            assert b[h.b_span[0] : h.b_span[1]] == h.b


# --- the seed story ------------------------------------------------------------------------


def test_seed_weekday_thursday_vs_friday(seed_texts: dict[str, str]) -> None:
    a = _claim(seed_texts, "000", "a U.S. spokesman said Thursday")
    b = _claim(seed_texts, "004", "the Pentagon said on Friday")
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    (weekday,) = _by_kind(hints, "weekday")
    assert (weekday.a, weekday.b) == ("Thursday", "Friday")


def test_seed_meeting_length_vs_unknown(seed_texts: dict[str, str]) -> None:
    a = _claim(seed_texts, "000", "lasted at least an hour")
    b = _claim(seed_texts, "003", "how long it lasted")
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    (duration,) = _by_kind(hints, "duration")
    assert duration.a == "at least an hour"  # not "last couple days", which says when
    assert "how long" in duration.b
    # "didn't say" is a negation present on one side only
    (negation,) = _by_kind(hints, "negation")
    assert (negation.a, negation.b) == ("", "didn’t")
    assert negation.a_span is None


def test_seed_dillon_dillion_is_spelling(seed_texts: dict[str, str]) -> None:
    a = _claim(seed_texts, "000", "this was the first meeting of")
    b = _claim(seed_texts, "002", "in the first meeting of its kind")
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert ("Dillion", "Dillon") in [(h.a, h.b) for h in _by_kind(hints, "spelling")]
    assert not _by_kind(hints, "entity")


def test_seed_transliterations_are_spelling_not_entity(seed_texts: dict[str, str]) -> None:
    a = _claim(seed_texts, "000", "advancing on the city of Deir ez-Zor")
    b = _claim(seed_texts, "002", "gained control of most of the city of Deir al-Zor")
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert [(h.a, h.b) for h in _by_kind(hints, "spelling")] == [("Deir ez-Zor", "Deir al-Zor")]
    assert not _by_kind(hints, "entity")
    ezzor = _claim(seed_texts, "001", "Deir Ezzor")
    zour = _claim(seed_texts, "003", "oil-rich Deir el-Zour province")
    spelled = [(h.a, h.b) for h in _by_kind(find_hints(ezzor, zour), "spelling")]
    assert spelled == [("Deir Ezzor", "Deir el-Zour")]


def test_seed_hedge_according_to(seed_texts: dict[str, str]) -> None:
    a = _claim(seed_texts, "004", "According to Dillion")
    b = _claim(seed_texts, "000", "three separate lines of communication")
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    (hedge,) = _by_kind(hints, "hedge")
    assert (hedge.a, hedge.b, hedge.b_span) == ("According to", "", None)
    assert ("Dillion", "Dillon") in [(h.a, h.b) for h in _by_kind(hints, "spelling")]


def test_seed_six_fighters_is_six(seed_texts: dict[str, str]) -> None:
    a = _claim(seed_texts, "000", "Six SDF fighters were injured")
    b = _claim(seed_texts, "002", "injuring six of the fighters")
    assert not _by_kind(find_hints(a, b), "number")


def test_seed_dates_differ(seed_texts: dict[str, str]) -> None:
    a = _claim(seed_texts, "002", "jets on September 16 struck")
    b = _claim(seed_texts, "002", "In the latest incident on September 21")
    (date,) = _by_kind(find_hints(a, b), "date")
    assert (date.a, date.b) == ("September 16", "September 21")


def test_seed_saturday_vs_september_16_is_not_flagged(seed_texts: dict[str, str]) -> None:
    # 16 Sep 2017 was a Saturday, but neither claim says the year: we cannot say so safely
    a = _claim(seed_texts, "000", "On Saturday, Russian forces hit")
    b = _claim(seed_texts, "002", "jets on September 16 struck")
    kinds = _kinds(find_hints(a, b))
    assert "weekday" not in kinds and "date" not in kinds


# --- made-up sentences ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "kind", "frag_a", "frag_b"),
    [
        ("29 policemen were surrounded.", "80 policemen were surrounded.", "number", "29", "80"),
        ("Six people died.", "Seven people died.", "number", "Six", "Seven"),
        ("Turnout was 45%.", "Turnout was 54 percent.", "number", "45%", "54 percent"),
        ("It cost $1.2 million.", "It cost $2 million.", "number", "1.2 million", "2 million"),
        ("It happened on Sept. 15, 2017.", "It happened on September 17.", "date",
         "Sept. 15, 2017", "September 17"),
        ("He spoke on 3 March 2020.", "He spoke on March 4, 2020.", "date", "3 March 2020",
         "March 4, 2020"),
        ("They met on Monday.", "They met on Tuesday.", "weekday", "Monday", "Tuesday"),
        ("The talks lasted at least an hour.", "The talks lasted two hours.", "duration",
         "at least an hour", "two hours"),
        ("The army did not withdraw.", "The army withdrew.", "negation", "did not", ""),
        ("The army never withdrew.", "The army withdrew.", "negation", "never", ""),
        ("The ministry denied it.", "The ministry confirmed it.", "negation", "denied", ""),
        ("Troops reportedly withdrew.", "Troops withdrew.", "hedge", "reportedly", ""),
        ("Troops withdrew.", "Troops allegedly withdrew.", "hedge", "", "allegedly"),
        ("Dillon told reporters.", "Konashenkov told reporters.", "entity", "Dillon",
         "Konashenkov"),
        ("Forces reached the city of Raqqa.", "Forces reached the city of Palmyra.", "entity",
         "Raqqa", "Palmyra"),
        ("Col. Ryan Dillon spoke.", "Col. Ryan Dillion spoke.", "spelling", "Ryan Dillon",
         "Ryan Dillion"),
    ],
)  # fmt: skip
def test_made_up(a: str, b: str, kind: str, frag_a: str, frag_b: str) -> None:
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert (frag_a, frag_b) in [(h.a, h.b) for h in _by_kind(hints, kind)], hints


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Six fighters were hurt.", "6 fighters were hurt."),
        ("It happened on Sept. 15, 2017.", "It happened on September 15."),
        ("It happened in October 2015.", "It happened in 2015."),
        ("He spoke to Col. Ryan Dillon.", "He spoke to Dillon."),
        ("Officials from the U.S. met.", "Officials from the United States met."),
        ("It happened on Saturday.", "It happened on September 16."),
        ("It did not happen.", "It never happened."),  # both negated
        ("Forces in Syria advanced.", "Syrian forces advanced."),  # Syria/Syrian
        ("The link has operated for over a month now.", "They used the line in the past month."),
    ],
)
def test_made_up_no_hint(a: str, b: str) -> None:
    assert find_hints(a, b) == []


def test_hint_swaps_with_arguments() -> None:
    a, b = "Dillon said six died on Monday.", "Dillion said nine died on Tuesday."
    ab, ba = find_hints(a, b), find_hints(b, a)
    assert sorted((h.kind, h.a, h.b) for h in ab) == sorted((h.kind, h.b, h.a) for h in ba)
    assert {h.kind for h in ab} == {"spelling", "number", "weekday"}


# --- properties ----------------------------------------------------------------------------

_NEWS_WORDS = (
    "the said not never no didn't denied reportedly allegedly according to claimed Dillon "
    "Dillion Deir ez-Zor al-Zor Ezzor Konashenkov U.S. United States six 6 29 80 percent % "
    "at least an hour two hours how long lasted Monday Thursday Friday September 16 Sept. 15, "
    "2017 October 2015 , . “ ” ’ - — \u00a0 Raqqa city of met in"
)
_news_words = st.sampled_from(_NEWS_WORDS.split(" "))
_texts = st.one_of(
    st.text(max_size=200),
    st.lists(_news_words, max_size=40).map(" ".join),
    st.lists(st.one_of(_news_words, st.text(max_size=5)), max_size=30).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(_texts, _texts)
def test_spans_index_fragments(a: str, b: str) -> None:
    _spans_ok(a, b, find_hints(a, b))


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_identical_texts_have_no_hints(x: str) -> None:
    assert find_hints(x, x) == []
