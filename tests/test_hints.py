"""Disagreement hints: real seed sentences, made-up sentences, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.claims import split_claims
from workbench.hints import KINDS, Discrepancy, bare_reply, discrepancy, find_hints, frame_keys
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


# --- figures: paired by unit and context, compatible roundings ---------------------------


def _pairs(hints: list[Hint], kind: str = "number") -> list[tuple[str, str]]:
    return [(h.a, h.b) for h in hints if h.kind == kind]


@pytest.mark.parametrize(
    ("a", "b", "frag_a", "frag_b"),
    [
        # a time of day is never set against an amount
        ("The meeting began at 10 a.m. and cost $3 million.", "The meeting cost $4 million.",
         "3 million", "4 million"),
        ("The city spent $5 million on 10 new buses.", "The city spent $7 million on 10 buses.",
         "5 million", "7 million"),
        # paired by the counted noun, not by position
        ("The fire destroyed 30 buildings and killed 23 people.", "The fire killed 25 people.",
         "23", "25"),
        ("5 people died and 7 were injured.", "7 people died.", "5", "7"),
        ("The bill includes $2.4 billion for roads.", "The bill includes $3 billion for roads.",
         "2.4 billion", "3 billion"),
        ("Unemployment fell to 4.9 percent.", "Unemployment fell to 5.1 percent.", "4.9 percent",
         "5.1 percent"),
        ("1.5 million Americans lost coverage.", "2 million Americans lost coverage.",
         "1.5 million", "2 million"),
        ("It will cost $3.5 billion.", "It will cost $3.6 billion.", "3.5 billion", "3.6 billion"),
        ("Six SDF fighters were injured.", "Seven SDF fighters were injured.", "Six", "Seven"),
        ("A 23-year-old man was arrested.", "A 32-year-old man was arrested.", "23-year-old",
         "32-year-old"),
    ],
)  # fmt: skip
def test_figures_pair_by_unit_and_noun(a: str, b: str, frag_a: str, frag_b: str) -> None:
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert _pairs(hints) == [(frag_a, frag_b)], hints
    d = discrepancy(a, b)
    assert d.score >= 0.7 and d.hint is not None and (d.hint.a, d.hint.b) == (frag_a, frag_b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("It will cost about $2.4 billion.", "It will cost $2.4 billion."),
        ("At least 20 people died.", "23 people died."),
        ("He raised over $5,000.", "He raised $5,312.40."),
        ("Nearly 100 people came.", "98 people came."),
        ("The plan costs 2.4 billion.", "The plan costs about 2.38 billion."),
        ("More than 1,000 people marched.", "1,200 people marched."),
        ("Turnout was 45 percent.", "Turnout was 45.3 percent."),  # rounded to 2 digits
        ("Dozens of people were hurt.", "More than 40 people were hurt."),
        ("Dozens of people were hurt.", "About 70 people were hurt."),
        ("Roughly 40 people were hurt.", "43 people were hurt."),  # 43 rounds to 40
        ("The couple paid nearly $38 million in taxes.", "The couple paid $37 million in taxes."),
        ("More than 7,000 people marched.", "Over 7,400 people marched."),
    ],
)
def test_compatible_figures_are_no_discrepancy(a: str, b: str) -> None:
    assert not _by_kind(find_hints(a, b), "number")
    assert discrepancy(a, b) == Discrepancy(0.0, None)
    shown = find_hints(a, b, compatible=True)
    _spans_ok(a, b, shown)
    assert [h.relation for h in shown if h.kind == "number"] == ["compatible"]


def test_equal_figures_show_nothing() -> None:
    assert find_hints("Six fighters were hurt.", "6 fighters were hurt.", compatible=True) == []


def test_compatible_hint_names_the_qualifier() -> None:
    a, b = "It will cost about $2.4 billion.", "It will cost $2.4 billion."
    [hint] = find_hints(a, b, compatible=True)
    assert (hint.kind, hint.a, hint.b, hint.relation) == (
        "number", "about $2.4 billion", "$2.4 billion", "compatible",
    )  # fmt: skip
    assert Hint("number", "1", "2").relation == "differs"  # existing callers keep working


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("At least 20 people died.", "45 people died."),  # beyond what "at least" covers
        ("About 100 people came.", "140 people came."),
        ("20 people died.", "23 people died."),  # one significant digit: not a rounding
        ("More than 100 people marched.", "More than 1,000 people marched."),
        ("Hundreds of people were hurt.", "23 people were hurt."),
    ],
)
def test_figures_beyond_rounding_differ(a: str, b: str) -> None:
    assert _by_kind(find_hints(a, b), "number"), (a, b)
    assert discrepancy(a, b).score > 0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The route is 3 miles long.", "The route is 5 km long."),  # another unit
        ("The meeting began at 10 a.m.", "The meeting cost 10 million."),
        ("Turnout was 45%.", "Turnout was 45,000."),
        ("Lieberman, 75, served three terms.", "Lieberman served 75 days."),
        ("Subpoenas went to 20 people.", "Subpoenas went to two organizations."),
    ],
)
def test_figures_of_different_things_are_not_compared(a: str, b: str) -> None:
    assert not _by_kind(find_hints(a, b), "number"), find_hints(a, b)


@pytest.mark.parametrize(
    ("a", "b", "frag_a", "frag_b"),
    [
        # close figures of one unit pair with nothing else in common (a quote mark inside)
        ("“Give us $4.3” billion, the governor told aides.",
         "The state has requested $4.4 billion for the program.", "4.3” billion", "4.4 billion"),
        # ... and before a figure of that unit that is not close
        ("She wants $7.1 billion, not $3 billion, for the dam.",
         "The request came to $7.2 billion.", "7.1 billion", "7.2 billion"),
        ("The 36-page complaint was filed in May.", "A 35-page complaint lists the charges.",
         "36", "35"),
        # the figures that agree anchor the one left on each side, a count too
        ("About 310,000 visitors came this spring, a fraction of the 2.2 million in 1998.",
         "Visits dropped to 250,000 this spring from 2.2 million in 1998.", "310,000", "250,000"),
        # one side's counted noun is the other's verb
        ("Police made dozens of arrests downtown.", "Over 300 people were arrested downtown.",
         "dozens", "300"),
        # two caps, and a cap against a figure of its precision
        ("The suit covers as many as 2.6 million workers.",
         "The suit is on behalf of up to 2.7 million workers.", "2.6 million", "2.7 million"),
        ("The suit covers 2.6 million workers.",
         "The suit is on behalf of up to 2.7 million workers.", "2.6 million", "2.7 million"),
        # "roughly" is a rounding at the stated precision, not a tenth either way
        ("The couple earned roughly $212 million over the decade.",
         "The couple earned $209 million over the decade.", "212 million", "209 million"),
    ],
)  # fmt: skip
def test_figures_that_differ_are_named(a: str, b: str, frag_a: str, frag_b: str) -> None:
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert (frag_a, frag_b) in _pairs(hints), hints
    d = discrepancy(a, b)
    assert d.score >= 0.5 and d.hint is not None and (d.hint.a, d.hint.b) == (frag_a, frag_b)
    assert _pairs(find_hints(b, a)) == [(y, x) for x, y in _pairs(hints)]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # the figures left beside an agreeing one are of another size: other things
        ("Officials plan to move $300 million from housing and another $600 million from a "
         "seized-assets fund.",
         "The president will also tap $2.5 billion from drug programs and $600 million from a "
         "seized-assets fund."),
        ("The firm spent 12 percent on research and paid a 31.4 percent tax rate.",
         "The firm paid a 31.4 percent tax rate and 44.9 percent in all taxes."),
        # the only money figures on each side, an order of magnitude apart
        ("He bought a $38,000 watch and a mink cape.",
         "He spent $820,000 of campaign money on himself."),
        # a figure left beside an agreeing one, counting something else
        ("The 52-page filing lists almost a dozen trips.",
         "The filing lists almost a dozen trips and tens of thousands of purchases."),
    ],
)  # fmt: skip
def test_figures_left_over_are_not_forced_together(a: str, b: str) -> None:
    assert not _pairs(find_hints(a, b)), find_hints(a, b)
    assert discrepancy(a, b).score < 0.5


def test_times_of_day_are_their_own_kind() -> None:
    a, b = "The vote began at 10 a.m. on the bill.", "The vote began at 11:30 a.m. on the bill."
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert _pairs(hints, "time") == [("10 a.m.", "11:30 a.m.")]
    assert not _by_kind(hints, "number")


# --- weekdays and dates: paired by the event ---------------------------------------------


def test_weekday_mismatch_found_beside_another_weekday() -> None:
    a = "The agency announced Thursday that the meeting took place Tuesday."
    b = "The meeting took place Wednesday."
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert _pairs(hints, "weekday") == [("Tuesday", "Wednesday")]
    d = discrepancy(a, b)
    assert d.score >= 0.8 and d.hint is not None and d.hint.b == "Wednesday"
    assert _pairs(find_hints(b, a), "weekday") == [("Wednesday", "Tuesday")]


def test_scheduled_day_against_the_day_it_happened() -> None:
    a, b = "The vote was scheduled for Monday.", "The vote was held on Tuesday."
    assert _pairs(find_hints(a, b), "weekday") == [("Monday", "Tuesday")]
    assert discrepancy(a, b).score >= 0.8
    a, b = "The vote is scheduled for March 3.", "The vote was held on March 5."
    assert _pairs(find_hints(a, b), "date") == [("March 3", "March 5")]
    assert discrepancy(a, b).score >= 0.8


@pytest.mark.parametrize(
    ("a", "b", "frag_a", "frag_b"),
    [
        ("Officials said Wednesday that the raid took place Tuesday.",
         "The raid took place Wednesday.", "Tuesday", "Wednesday"),
        ("The count, first scheduled for Monday, was held on Tuesday.",
         "The count was held on Monday.", "Tuesday", "Monday"),
        ("The inquest had been scheduled for Monday.", "The inquest took place on Tuesday.",
         "Monday", "Tuesday"),
        ("The premiere on Friday night drew a crowd to the old theater.",
         "A crowd came to the theater for the premiere on Saturday.", "Friday", "Saturday"),
    ],
)  # fmt: skip
def test_weekdays_of_one_event_differ(a: str, b: str, frag_a: str, frag_b: str) -> None:
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert _pairs(hints, "weekday") == [(frag_a, frag_b)], hints
    d = discrepancy(a, b)
    assert d.score >= 0.5 and d.hint is not None and (d.hint.a, d.hint.b) == (frag_a, frag_b)


@pytest.mark.parametrize(
    ("a", "b", "frag_a", "frag_b"),
    [
        ("Col. Ruiz told Senate reporters on Wednesday that the talks had stalled.",
         "The talks stalled, the ministry said on Thursday.", "Wednesday", "Thursday"),
        ("The senator said on Monday that the bill would fail.",
         "The senator conceded the bill would fail in an interview Tuesday.", "Monday",
         "Tuesday"),
        ("On Friday, the ministry said the talks had stalled.",
         "The talks stalled, the ministry announced Saturday.", "Friday", "Saturday"),
        ("The senator said on Monday that the bill would fail.",
         "In an interview with Fox News on Tuesday, the senator conceded the bill would fail.",
         "Monday", "Tuesday"),
    ],
)  # fmt: skip
def test_days_something_was_said_are_weak(a: str, b: str, frag_a: str, frag_b: str) -> None:
    assert _pairs(find_hints(a, b), "weekday") == [(frag_a, frag_b)]
    assert 0.0 < discrepancy(a, b).score < 0.5


def test_a_day_said_is_not_the_day_it_happened() -> None:
    a = "The raid happened Thursday, officials said."
    b = "Officials said Wednesday that the raid had happened."
    assert not _pairs(find_hints(a, b), "weekday")
    assert discrepancy(a, b).score == 0.0


def test_dates_pair_by_event() -> None:
    a = "The law passed on March 3 and took effect on April 1."
    b = "The law took effect on April 2."
    assert _pairs(find_hints(a, b), "date") == [("April 1", "April 2")]


@pytest.mark.parametrize(
    ("a", "b", "frag_a", "frag_b"),
    [
        ("The runoff will be held in late June.", "The runoff is set for July 9.", "late June",
         "July 9"),
        ("She will step down at the end of March.", "She will step down on January 15.",
         "the end of March", "January 15"),
        ("The plant closes in early October.", "The plant closes on October 27.",
         "early October", "October 27"),
        ("The judge, who sat from 1981 to 1994, retired.",
         "The judge held the post from 1982 to 1995 before retiring.", "from 1981 to 1994",
         "from 1982 to 1995"),
        ("Sales rose in 1990-1996.", "Sales rose between 1991 and 1996.", "1990-1996",
         "between 1991 and 1996"),
    ],
)  # fmt: skip
def test_months_and_spans_of_years_are_compared(a: str, b: str, frag_a: str, frag_b: str) -> None:
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert _pairs(hints, "date") == [(frag_a, frag_b)], hints
    assert discrepancy(a, b).score >= 0.5


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The plant closes in early October.", "The plant closes on October 6."),
        ("The plant closes in mid-October.", "The plant closes on Oct. 14, 2019."),
        ("The runoff may be held in June.", "The runoff is set for June 25."),
        ("Thousands joined the March for Science.", "Thousands joined the rally on April 22."),
        ("The judge sat from 1981 to 1994.", "The judge sat on the bench until 1994."),
    ],
)  # fmt: skip
def test_months_that_agree_are_no_hint(a: str, b: str) -> None:
    assert not _pairs(find_hints(a, b), "date"), find_hints(a, b)


def test_weekdays_of_different_events_are_not_compared() -> None:
    assert not find_hints("Trump met Pelosi on Tuesday.", "Pelosi resigned on Wednesday.")
    a = "Mr. Trump tweeted on Tuesday that he had accepted an invitation to meet the president."
    b = "Fox said on Wednesday that the invitation was a mistake."
    # the day each was said: shown, but hardly a contradiction
    assert discrepancy(a, b).score <= 0.3


# --- periods counted from the day of writing ---------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "frag_a", "frag_b"),
    [
        ("The aide quit the ministry earlier this month to join a law firm.",
         "The aide left the ministry last year to join a law firm.", "earlier this month",
         "last year"),
        ("The plant closed yesterday after the strike.", "The plant closed last week after the strike.",
         "yesterday", "last week"),
        ("Sales of the drug rose sharply this year.", "Sales of the drug rose sharply last year.",
         "this year", "last year"),
        ("The council will vote on the plan next month.",
         "The council voted on the plan earlier this month.", "next month", "earlier this month"),
    ],
)  # fmt: skip
def test_relative_periods_that_cannot_overlap_differ(
    a: str, b: str, frag_a: str, frag_b: str
) -> None:
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert _pairs(hints, "date") == [(frag_a, frag_b)], hints
    d = discrepancy(a, b)
    assert d.score >= 0.5 and d.hint is not None and (d.hint.a, d.hint.b) == (frag_a, frag_b)
    assert _pairs(find_hints(b, a), "date") == [(frag_b, frag_a)]


def test_relative_days_a_day_apart_are_weak() -> None:
    """Two pieces written a day apart say "yesterday" and "today" of one event."""
    a, b = (
        "The plant closed yesterday after the strike.",
        "The plant closed today after the strike.",
    )
    assert _pairs(find_hints(a, b), "date") == [("yesterday", "today")]
    assert 0.0 < discrepancy(a, b).score < 0.5


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The ministers met this week in Geneva.", "The ministers met on Tuesday in Geneva."),
        ("The ministers met this week in Geneva.", "The ministers met yesterday in Geneva."),
        ("The ministers met today in Geneva, officials said.",
         "Officials said the ministers met today in Geneva."),
        ("The plant closed last year.", "The plant closed in 2016."),  # no day of writing
        ("The plant closed last week.", "The plant closed last month."),
        ("The plant closed earlier this week.", "The plant closed yesterday."),
        ("Prices have risen since last year.", "Prices rose this year."),  # a bound
        ("Prices rose in the last year.", "Prices rose this year."),  # a length
        ("The plant closed last week, the company said today.", "The plant closed last week."),
        ("The company said yesterday that the plant had closed.", "The plant closed today."),
        ('He told NBC\'s "Today" show the plant would close.', "The plant closed yesterday."),
    ],
)  # fmt: skip
def test_relative_periods_that_may_overlap_are_no_hint(a: str, b: str) -> None:
    assert not _by_kind(find_hints(a, b), "date"), find_hints(a, b)
    assert not _by_kind(find_hints(a, b), "weekday"), find_hints(a, b)
    assert discrepancy(a, b).score == 0.0


def test_relative_periods_with_words_in_common_only_further_off_do_not_queue() -> None:
    """Perhaps two events: a pointer, not a likely contradiction."""
    a = (
        '"I thought the senator was terrific tonight," the governor told reporters at the '
        "airport after the debate."
    )
    b = "The governor needed a win after a dismal debate performance against the mayor last week."
    assert _pairs(find_hints(a, b), "date") == [("tonight", "last week")]
    assert 0.0 < discrepancy(a, b).score < 0.5


# --- what the claim's own year makes certain ------------------------------------------------


def test_a_full_date_is_its_weekday() -> None:
    a = "The ministers met on September 21, 2017, in Geneva to sign the accord."
    b = "The ministers met on Friday in Geneva to sign the accord."
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert _pairs(hints, "weekday") == [("September 21, 2017", "Friday")]
    assert discrepancy(a, b).score >= 0.5
    # September 22, 2017 was a Friday; without its year the date says no weekday
    assert not find_hints(a.replace("21", "22"), b)
    assert not find_hints(a.replace(", 2017", ""), b)
    # two full dates are compared as dates, once
    assert _kinds(find_hints("He spoke on 3 May 2020.", "He spoke on 3 March 2020.")) == ["date"]


def test_a_statement_and_then_a_day_may_be_the_events_day() -> None:
    a = "In a statement, on Monday, the army closed the school near the river."
    b = "Meanwhile, on Friday, the army closed the school near the river."
    assert _pairs(find_hints(a, b), "weekday") == [("Monday", "Friday")]
    assert discrepancy(a, b).score >= 0.5


def test_a_full_dates_weekday_is_never_paired_alone() -> None:
    a = "Another security review, on June 25, 2012, reported a spike in violence."
    b = "Wednesday's document release showed how the talking points changed."
    assert not find_hints(a, b)


def test_a_dateline_dates_yesterday() -> None:
    dateline = "Sept. 22, 2017 (Wire)—"
    a = (
        dateline
        + "At a briefing with reporters at the Pentagon, yesterday, the colonel said the officers met."
    )
    b = "The officers met in Syria, the Pentagon said on Friday."
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert _pairs(hints, "weekday") == [("yesterday", "Friday")]
    assert 0.0 < discrepancy(a, b).score < 0.5  # the day each was said
    assert not find_hints(a, b.replace("Friday", "Thursday"))
    a = dateline + "The bridge reopened yesterday after the storm."
    assert _pairs(
        find_hints(a, "The bridge reopened on September 20 after the storm."), "date"
    ) == [("yesterday", "September 20")]
    assert not find_hints(a, "The bridge reopened on September 21 after the storm.")
    # without a dateline "yesterday" is no day of the calendar
    assert not find_hints(
        "The bridge reopened yesterday after the storm.",
        "The bridge reopened on September 20 after the storm.",
    )


def test_a_dateline_dates_last_year() -> None:
    a = "Oct. 3, 2019 (Wire)—The plant closed last year after the strike."
    assert _pairs(find_hints(a, "The plant closed in 2017 after the strike."), "date") == [
        ("last year", "2017")
    ]
    assert not find_hints(a, "The plant closed in 2018 after the strike.")


# --- negation and denial -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The company wants to avoid firing workers.", "The company said it won't fire workers."),
        ("He no longer leads the party.", "He leads the party."),
        ("The plan is not only cheap but fast.", "The plan is cheap and fast."),
        ("They had nothing but praise for the plan.", "They praised the plan."),
        ("Officials said nobody is above the law.", "No one, officials said, is above the law."),
        ("The minister did not attend the summit, which approved the deal.",
         "The summit approved the deal."),  # the negated predicate is not shared
        ("The Senate rejected the bill.", "The Senate debated the bill."),  # not a denial
        ("Troops used phone lines to avoid firing on each other.",
         "Troops used phone lines so that they don't fire on each other."),
    ],
)  # fmt: skip
def test_no_negation_false_alarms(a: str, b: str) -> None:
    assert not _by_kind(find_hints(a, b), "negation"), find_hints(a, b)
    assert not _by_kind(find_hints(b, a), "negation")


@pytest.mark.parametrize(
    ("a", "b", "cue"),
    [
        ("U.S. forces on the ground are not speaking with Russian forces on the ground.",
         "Russian and U.S. ground forces have been coordinating by phone.", "are not"),
        ("U.S. forces on the ground are not communicating with Russian forces.",
         "U.S. and Russian ground forces have been using telephone lines.", "are not"),
        ("The minister has not spoken with the union leaders this month.",
         "The minister telephoned the union leaders this month.", "has not"),
        ("Trump never spoke to Putin.", "Trump phoned Putin.", "never"),
        ("The ministry has not spoken with the families.",
         "The ministry reached out by phone to the families.", "has not"),
    ],
)  # fmt: skip
def test_a_negated_speak_against_a_verb_that_implies_it(a: str, b: str, cue: str) -> None:
    """To phone or coordinate with someone is to speak with them."""
    for x, y, pair in ((a, b, (cue, "")), (b, a, ("", cue))):
        hints = find_hints(x, y)
        _spans_ok(x, y, hints)
        assert pair in _pairs(hints, "negation"), hints
        assert discrepancy(x, y).score >= 0.5


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # one way only: to speak by phone is not to meet
        ("The ministers did not meet in Geneva last week.",
         "The ministers spoke by phone from Geneva last week."),
        # not speaking at a meeting is no contradiction of attending it
        ("The foreign minister did not speak at the meeting in Geneva.",
         "The foreign minister attended the meeting in Geneva."),
        # a phone that is no call, a deadline met
        ("The minister is not speaking with reporters.",
         "Police seized the minister's phone, reporters said."),
        ("The prime minister has not spoken with the union leaders.",
         "The prime minister met the union leaders' deadline."),
        # the talks called off, the contact lost: the same thing, said the other way
        ("The minister is not speaking with Ukraine.",
         "The minister ruled out negotiations with Ukraine."),
        ("The minister is not speaking with Ukraine.",
         "The minister broke off negotiations with Ukraine."),
        ("The pilots are not speaking with air traffic control.",
         "The pilots lost contact with air traffic control."),
        # the general verb alone in common: not enough to say they are about one thing
        ("The president did not speak about the budget.",
         "Officials in Moscow coordinated the trip by phone."),
        # no other verb implies another: "struck a deal" is no attack
        ("The rebels did not attack the government forces in Aleppo.",
         "The rebels struck a deal with the government forces in Aleppo."),
    ],
)  # fmt: skip
def test_a_verb_that_implies_speaking_is_read_where_it_stands(a: str, b: str) -> None:
    assert not _by_kind(find_hints(a, b), "negation"), find_hints(a, b)
    assert not _by_kind(find_hints(b, a), "negation")


@pytest.mark.parametrize(
    ("a", "b", "cue"),
    [
        ("Russian jets struck the SDF positions.",
         "The Russian Defense Ministry denied the accusation.", "denied"),
        ("The company overstated its earnings.", "The company rejected the claim.", "rejected"),
        ("The report said the agency misled Congress.", "Officials dismissed the report.",
         "dismissed"),
        ("Trump asked Comey to stop investigating Flynn.",
         "Trump denied that he asked Comey to stop investigating Flynn.", "denied"),
        ("The counsel disputed the report.", "The counsel did not dispute the report.",
         "did not"),
        ("The White House offered Sestak a position.",
         "The White House did not offer Sestak a position.", "did not"),
    ],
)  # fmt: skip
def test_assertion_against_denial(a: str, b: str, cue: str) -> None:
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert ("", cue) in _pairs(hints, "negation"), hints
    d = discrepancy(a, b)
    assert d.score >= 0.7 and d.hint in _by_kind(hints, "negation")


@pytest.mark.parametrize(
    ("a", "b", "cue"),
    [
        # a denial that names its object: the accusation the other side reports
        ("The government accused the rebels of shelling the town.",
         "A rebel commander denied the government accusations of shelling.", "denied"),
        ("Moscow accused the militia of twice attacking its troops with rockets.",
         "The militia's leader denied the Russian accusations and accused Moscow of lying.",
         "denied"),
        # a bare reply joined to the sentence before it, as the aligner compares it
        ("The militia charged the jets with an airstrike on its fighters.",
         "Jets struck the militia's positions on Sunday. The ministry denied the accusation.",
         "denied"),
        ("The militia charged the jets with an airstrike on its fighters.",
         "The ministry denied the accusation.", "denied"),
        ("The bill passed the Senate on a voice vote.", "The bill failed to pass the Senate.",
         "failed to"),
    ],
)  # fmt: skip
def test_denial_of_an_accusation(a: str, b: str, cue: str) -> None:
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert ("", cue) in _pairs(hints, "negation"), hints
    d = discrepancy(a, b)
    assert d.score >= 0.5 and d.hint in _by_kind(hints, "negation")
    assert (cue, "") in _pairs(find_hints(b, a), "negation")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("He said that if they don't agree, the talks will end.",
         "He said they agree and the talks will end."),  # a condition asserts nothing
        ("The union denied the latest accusations of fraud.",
         "The union elected a new leader."),  # nothing accused on the other side
    ],
)  # fmt: skip
def test_no_denial_false_alarms(a: str, b: str) -> None:
    assert not _by_kind(find_hints(a, b), "negation"), find_hints(a, b)


@pytest.mark.parametrize(
    ("a", "b", "cue"),
    [
        ("Failure to pass the budget would raise the risk of a recession.",
         "Passing the budget would raise the risk of a recession.", "Failure to"),
        ("The economist warned that failing to pass the bill would hurt growth.",
         "To pass the bill this month would hurt growth, the economist warned.", "failing to"),
    ],
)  # fmt: skip
def test_failure_to_negates_what_follows(a: str, b: str, cue: str) -> None:
    hints = find_hints(a, b)
    _spans_ok(a, b, hints)
    assert (cue, "") in _pairs(hints, "negation"), hints
    assert ("", cue) in _pairs(find_hints(b, a), "negation")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # the negative case put two ways
        ("Failure to pass the budget would raise the risk of a recession.",
         "Inaction on the budget would raise the risk of a recession, as Congress must pass it."),
        ("Failure to pass the budget would raise the risk of a recession.",
         "Not passing the budget would raise the risk of a recession."),
        ("Failing to pass the budget would raise the risk of a recession.",
         "The failure to pass the budget would raise the risk of a recession."),
        ("His failure in the primary ended the campaign.", "He failed in the primary."),
    ],
)  # fmt: skip
def test_failure_to_against_another_negative_is_no_hint(a: str, b: str) -> None:
    assert not _by_kind(find_hints(a, b), "negation"), find_hints(a, b)
    assert not _by_kind(find_hints(b, a), "negation")


def test_denial_of_something_else_is_no_hint() -> None:
    a = "Fifteen of the 19 hijackers were Saudi citizens."
    b = "The Saudi government denies any role in the attacks."
    assert not _by_kind(find_hints(a, b), "negation")


def test_duration_against_unknown_length_is_a_clear_discrepancy() -> None:
    a, b = "The meeting lasted at least an hour.", "He didn't say how long the meeting lasted."
    d = discrepancy(a, b)
    assert d.score >= 0.8 and d.hint is not None and d.hint.kind == "duration"


# --- names: fewer false alarms -----------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Six SDF fighters were injured.", "Seven SDF fighters were injured."),  # counts
        ("Russia's ministry said on Friday the talks ended.",
         "The Russian ministry said on Friday the talks ended."),
        ("Democrats said the bill failed.", "Democratic leaders said the bill failed."),
        ("Rubio of Fla. said the bill failed.", "Rubio of Florida said the bill failed."),
        ("WASHINGTON — Officials said the bill failed.", "MOSCOW — Officials said the bill failed."),
        ("The GOP nominee said the bill failed.", "The Republican nominee said the bill failed."),
        ("Trump Jr. Communicated With WikiLeaks During Campaign",
         "Trump Jr. Messaged With WikiLeaks During Presidential Campaign"),  # a headline
        ("American history shows the bill failed.", "Senate history shows the bill failed."),
        ("Texas Rep. Smith said the bill failed.", "GOP Rep. Smith said the bill failed."),
    ],
)  # fmt: skip
def test_no_name_false_alarms(a: str, b: str) -> None:
    hints = find_hints(a, b)
    assert not _by_kind(hints, "entity") and not _by_kind(hints, "spelling"), hints


def test_attribution_still_flagged() -> None:
    a, b = "The Pentagon said the strike killed 10.", "The Kremlin said the strike killed 10."
    assert _pairs(find_hints(a, b), "entity") == [("Pentagon", "Kremlin")]
    assert discrepancy(a, b).score == 0.0  # who said it is a hint, not a contradiction


# --- the aligner's API: discrepancy, frame keys, bare replies ----------------------------


def test_discrepancy_does_not_need_similar_claims() -> None:
    a = "Turnout reached 45 percent."
    b = "Officials in the capital, citing figures released late on Sunday, put turnout at 54 percent."
    d = discrepancy(a, b)
    assert (
        d.score >= 0.7
        and d.hint is not None
        and (d.hint.a, d.hint.b) == ("45 percent", "54 percent")
    )


def test_no_differing_point_is_zero() -> None:
    assert discrepancy("Troops met near Raqqa.", "Troops met near Raqqa on Friday.") == Discrepancy(
        0.0
    )
    assert discrepancy("", "") == Discrepancy(0.0, None)


def test_seed_contradictions_score_high(seed_texts: dict[str, str]) -> None:
    a = _claim(seed_texts, "000", "lasted at least an hour")
    b = _claim(seed_texts, "003", "how long it lasted")
    assert discrepancy(a, b).score >= 0.8
    a = _claim(seed_texts, "000", "a U.S. spokesman said Thursday")
    b = _claim(seed_texts, "004", "the Pentagon said on Friday")
    d = discrepancy(a, b)  # the day each outlet reported it: a weak point
    assert 0.0 < d.score < 0.5 and d.hint is not None and d.hint.kind == "weekday"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("23 people were killed in the attack.", "qty:#:person"),
        ("The bill includes $2.4 billion for roads.", "qty:$:road"),
        ("Unemployment fell to 4.9 percent.", "qty:%:unemployment"),
        ("The meeting took place Tuesday.", "weekday:meet"),
        ("The vote is scheduled for March 3.", "date:vot"),
        ("The talks lasted at least an hour.", "duration:last"),
        ("The Russian Defense Ministry denied the accusation.", "deny"),
        ("The meeting began at 10 a.m.", "time:begin"),
    ],
)
def test_frame_keys(text: str, key: str) -> None:
    assert key in frame_keys(text), frame_keys(text)


def test_frame_keys_pair_claims_that_differ() -> None:
    a, b = "The city spent $5 million on new buses.", "Officials said $7 million went to buses."
    assert "qty:$:bus" in frame_keys(a) & frame_keys(b)
    assert discrepancy(a, b).score > 0
    # the day something was said is not an event's frame; a claim without figures has none
    assert not any(k.startswith("weekday") for k in frame_keys("The Pentagon said on Friday."))
    assert frame_keys("Troops met near Raqqa.") == frozenset()


def test_frame_keys_are_specific_in_a_story(seed_texts: dict[str, str]) -> None:
    claims = [
        text[span.start : span.end] for text in seed_texts.values() for span in split_claims(text)
    ]
    counts: dict[str, int] = {}
    for c in claims:
        for k in frame_keys(c):
            counts[k] = counts.get(k, 0) + 1
    assert counts  # the story has figures, days and durations
    assert max(counts.values()) <= 0.05 * len(claims)


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("The Russian Defense Ministry denied the accusation.", True),
        ("The company rejected the claim.", True),
        ("He declined to comment.", True),
        ("Officials disputed that account.", True),
        ("Moscow has repeatedly denied the allegations.", True),
        ("A spokesman for the company did not respond to a request for comment.", True),
        ("The Kremlin denied it, saying the jets were elsewhere.", False),
        ("After the strike on SDF positions, Moscow denied the accusation.", False),
        ("He declined to comment on the strike.", False),
        ("Russian jets struck SDF positions.", False),
        ("The Senate rejected the bill.", False),
        ("", False),
    ],
)
def test_bare_reply(text: str, bare: bool) -> None:
    assert bare_reply(text) is bare


# --- properties ----------------------------------------------------------------------------

_NEWS_WORDS = (
    "the said not never no didn't denied reportedly allegedly according to claimed Dillon "
    "Dillion Deir ez-Zor al-Zor Ezzor Konashenkov U.S. United States six 6 29 80 percent % "
    "at least an hour two hours how long lasted Monday Thursday Friday September 16 Sept. 15, "
    "2017 October 2015 , . “ ” ’ - — \u00a0 Raqqa city of met in $ $5 million 2.4 billion "
    "about over nearly more than 1,000 5,312.40 10 a.m. 3:30 p.m. people buses for roads "
    "rejected disputed the accusation claim avoid firing fire don't no longer only nothing "
    "but scheduled held took place that announced Six SDF fighters 23-year-old dozens of"
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


@settings(max_examples=300, deadline=None)
@given(_texts)
def test_identical_texts_show_nothing_and_no_discrepancy(x: str) -> None:
    assert find_hints(x, x, compatible=True) == []
    assert discrepancy(x, x) == Discrepancy(0.0, None)


def _sides(hints: list[Hint]) -> list[tuple]:
    return sorted(
        (h.kind, h.a, h.b, h.a_span or (-1, -1), h.b_span or (-1, -1), h.relation) for h in hints
    )


def _swapped(hints: list[Hint]) -> list[tuple]:
    return sorted(
        (h.kind, h.b, h.a, h.b_span or (-1, -1), h.a_span or (-1, -1), h.relation) for h in hints
    )


@settings(max_examples=300, deadline=None)
@given(_texts, _texts)
def test_swapping_claims_swaps_every_hint_and_keeps_the_score(a: str, b: str) -> None:
    assert _sides(find_hints(a, b, compatible=True)) == _swapped(find_hints(b, a, compatible=True))
    ab, ba = discrepancy(a, b), discrepancy(b, a)
    assert ab.score == ba.score
    assert 0.0 <= ab.score <= 1.0
    assert (ab.hint is None) == (ab.score == 0.0)
    if ab.hint is not None:
        assert ab.hint in find_hints(a, b) and ab.hint.relation == "differs"
        _spans_ok(a, b, [ab.hint])


@settings(max_examples=200, deadline=None)
@given(_texts)
def test_frame_keys_and_bare_reply_are_total(x: str) -> None:
    keys = frame_keys(x)
    assert all(
        k == "deny" or k.split(":")[0] in ("qty", "time", "weekday", "date", "duration", "deny")
        for k in keys
    )
    assert isinstance(bare_reply(x), bool)


def test_a_datelines_date_is_no_events_date():
    """A date that opens the claim before a bracket or a dash, or stands alone, says when
    the piece was written: the only date on the other side is not set against it."""
    dateline = "Oct. 3, 2019 (Wire)—Officials said on a call that the bridge would reopen."
    event = "The bridge was closed on September 30 after the storm."
    assert discrepancy(dateline, event).score == 0.0
    assert discrepancy("Tuesday, October 8, 2019", event).score == 0.0
    # the same dates inside the sentence are one event's, and differ
    assert discrepancy("The bridge was closed on October 3 after the storm.", event).score > 0


def test_periods_and_calendar_days_keep_the_work_bounded(monkeypatch) -> None:
    """A claim dense with periods, full dates and weekdays under a dateline: every pairing
    kind within MAX_ITEMS squared (for discrepancy and find_hints, and a comparability
    test each), however long the claim."""
    import random

    import workbench.hints as hints

    calls = 0
    affinity = hints.affinity

    def counted(x, y):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return affinity(x, y)

    monkeypatch.setattr(hints, "affinity", counted)
    words = ["yesterday", "last week", "earlier this month", "Monday", "Sept. 15, 2017", "today"]
    words += ["this year", "met", "the", "officials", "next year", "on"]

    def dense(seed: int) -> str:
        pick = random.Random(seed).choice
        return "Sept. 22, 2017 (Wire)—" + " ".join(pick(words) for _ in range(3_000)) + "."

    a, b = dense(1), dense(2)
    features = hints.extract_features(a)
    assert len(features.relatives) == hints.MAX_ITEMS
    assert len(features.dates) == len(features.weekdays) == hints.MAX_ITEMS
    assert hints.discrepancy(a, b).score > 0 and hints.find_hints(a, b)
    assert calls <= 2 * 6 * 2 * hints.MAX_ITEMS**2, calls
