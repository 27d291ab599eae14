"""Where two paired claims differ: pointers for the reviewer, never a verdict.

`find_hints(a, b)` compares what each claim says about figures, dates, weekdays, times,
durations, negation, hedging and names, and returns a `Hint` per differing point, with the
fragment of each side (empty when one side lacks it) and its span in that side's text.
`discrepancy(a, b)` scores how clearly the two claims disagree, with the hint that names the
strongest point; `frame_keys(text)` are the frames ("qty:$:roads", "weekday:meet") an
aligner can index to pair claims that may disagree; `bare_reply(text)` tells a denial or
reply that names no fact of its own ("The ministry denied the accusation.").

Every pattern runs on the original text, so spans always index the fragment:
`a[h.a_span[0]:h.a_span[1]] == h.a`. Kinds:

- number    figures of one unit and counted noun or context differ ("spent $5 million on
            buses" vs "$7 million"; "six" == "6"; 80% is never compared with 80, a time with
            an amount). Figures are paired by unit and context, not by position; close
            figures of one unit ("$3.5 billion" / "$3.6 billion", "48" / "47": a tenth
            apart or less) pair with nothing else in common, and when the other figures of
            a unit agree, the one left on each side is compared (a count too). Compatible
            roundings and bounds ("about $2.4 billion" / "$2.4 billion", "at least 20" /
            "23", "over $5,000" / "$5,312.40") are not differences; "about" is a rounding at
            the written precision ("roughly $141 million" / "$139 million" differ), and two
            caps, or a cap and a figure of its precision, differ ("as many as 1.5 million" /
            "up to 1.6 million"). `find_hints(..., compatible=True)` adds the compatible
            ones with relation "compatible".
- time      times of day of one event differ ("10 a.m." vs "11 a.m.")
- date      calendar dates of one event differ ("September 16" vs "September 21"; a missing
            year or day is compatible, so "Sept. 15, 2017" == "September 15"); a month alone
            or a part of one after a preposition ("in mid May", "by the end of February")
            is a date with days 11-20 or 21-31 of it; a span of years ("from 1967 to 1979",
            "1990-1996") is compared with a span. Periods counted from the day of writing
            are compared with one another, and differ only when they cannot overlap
            ("quit earlier this month" / "left last year", "yesterday" / "last week"; not
            "this week" / "yesterday"; "yesterday" / "today" only weakly: two pieces written
            a day apart). Under a dateline with a year ("Sept. 22, 2017 (EIRNS)—"),
            "yesterday" is a date (and a weekday), "last year" a year.
- weekday   weekdays of one event differ ("scheduled for Monday" vs "held on Tuesday"),
            paired by the words around them, so "announced Thursday that the meeting took
            place Tuesday" vs "the meeting took place Wednesday" flags Tuesday/Wednesday. The
            day something was said ("said Thursday", "told reporters on Thursday", "in an
            interview Tuesday", "On Friday, the ministry said") is compared only with such a
            day, and weakly; a planned day ("scheduled for Monday") pairs with a planned day
            before any other. The only weekday on each side is compared when their clauses
            share a word (not a name). A date with its year is also its weekday
            ("September 21, 2017" is a Thursday), compared with a weekday of one event
            (context words in common, never alone); a date without a year is NOT compared
            with a weekday, nor is "yesterday" without a dateline: we cannot say so safely.
- duration  both give a duration and they differ, or one gives one and the other says the
            length is unknown ("at least an hour" vs "how long it lasted")
- negation  one side negates a predicate the other asserts ("did not withdraw", "failed to
            withdraw" / "withdrew"), or denies what the other asserts ("denied the
            accusation"; "denied the Russian accusations of shelling" against "Russia
            accused the SDF of attacking"). Both sides negating ("to avoid firing" / "don't
            fire"), a negation in a condition ("if we don't get it") or idioms ("no longer",
            "not only", "nothing but") are no hint.
- hedge     an attribution/hedge cue ("reportedly", "allegedly", "claimed", "according
            to") on one side only
- spelling  one name spelled two ways ("Dillon"/"Dillion", "Deir ez-Zor"/"Deir al-Zor")
- entity    two different names in the same slot ("the Pentagon said" vs "the Kremlin said")

Figures, dates and names present on one side only are not flagged: paraphrase adds and
drops detail all the time, and a hint that fires on every pair is ignored.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from workbench import quantities as qty
from workbench.claimwords import (
    NO_CONTEXT,
    SAY,
    Context,
    affinity,
    context_of,
    gate_words,
    words_of,
)
from workbench.models import Hint
from workbench.names import NameSet, name_hints, name_set
from workbench.polarity import (
    Polar,
    bare_reply,
    denial_stands,
    denial_strength,
    negation_strength,
    polarity_of,
    stance,
)
from workbench.quantities import Quantity, extract_quantities
from workbench.textnorm import CLAIM_CHARS, NUMBER_WORDS, TEXT_CACHE_SIZE, word_set

__all__ = [
    "KINDS",
    "ClaimFeatures",
    "Discrepancy",
    "bare_reply",
    "claim_traits",
    "compare_features",
    "discrepancy",
    "extract_features",
    "find_hints",
    "frame_keys",
]

KINDS: tuple[str, ...] = (
    "date", "weekday", "time", "duration", "number", "negation", "hedge", "spelling", "entity",
)  # fmt: skip
DIFFERS, COMPATIBLE = "differs", "compatible"

# --- patterns --------------------------------------------------------------------------------

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1,
    "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89][0-9]{2}|20[0-9]{2})"

_DATE_PATTERNS = (
    # September 16 / Sept. 15, 2017 / Sept 15th 2017
    re.compile(rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>{_DAY})\b(?:,?\s+(?P<y>{_YEAR})\b)?"),
    # 16 September / 16th of September 2017
    re.compile(rf"\b(?P<d>{_DAY})\s+(?:of\s+)?(?P<m>{_MONTH})\b\.?(?:,?\s+(?P<y>{_YEAR})\b)?"),
    # October 2015
    re.compile(rf"\b(?P<m>{_MONTH})\.?,?\s+(?P<y>{_YEAR})\b"),
    # 2017-09-16
    re.compile(r"\b(?P<y>(?:19|20)[0-9]{2})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12][0-9]|3[01])\b"),
    # a bare year: "in 2015", "since 2014"
    re.compile(rf"(?<![\w.,$£€-])(?P<y>{_YEAR})(?![\w%-]|[.,][0-9])"),
)
# A month alone, after what places a day in it: "in mid May", "early March", "by the end of
# February" (a capitalised month after a preposition: "May" the verb is lower case there).
_PART_OF_MONTH = {
    "early": (1, 10), "beginning": (1, 10), "start": (1, 10), "mid": (11, 20),
    "middle": (11, 20), "late": (21, 31), "end": (21, 31),
}  # fmt: skip
# Found from the month, then what stands before it is looked up backwards.
_MONTH_ALONE = re.compile(
    rf"\b(?P<m>{_MONTH})\b(?:(?<=Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\.|(?<=Sept)\.)?"
)
_MONTH_LEAD = re.compile(
    r"(?:\b(?:in|by|since|until|till|through|during|before|after|from|to)\s+(?:the\s+)?)?"
    r"(?:\b(?P<part>early|mid|late|(?:the\s+)?(?:beginning|start|middle|end)\s+of)[\s-]+)?\Z"
)
# "from 1967 to 1979", "between 2009 and 2016", "1967-1979": a span of years, compared as one
_YEAR_RANGE = re.compile(
    rf"(?<![\w.,$£€-])(?P<y1>{_YEAR})(?:\s*[-–]\s*|\s+(?:to|through|until|and)\s+)"
    rf"(?P<y2>{_YEAR})(?![\w%-]|[.,][0-9])"
)
_RANGE_WORDS = frozenset(("from", "between"))
_RANGE_LEAD = re.compile(r"\b(?:from|between)\s+\Z", re.IGNORECASE)
_WEEKDAY = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b")
# The day something was said: "said Thursday", "told Pentagon reporters on Thursday", "in an
# interview Tuesday", "in a teleconference with reporters at the Pentagon, yesterday", "On
# Friday, the ministry said", "Thursday's briefing".
_SAY_VERBS = (
    r"said|says|say|told|tells|announced|announces|tweeted|wrote|added|stated|reported|"
    r"confirmed|declared|acknowledged|admitted|testified|explained|noted|insisted|argued|"
    r"disclosed|revealed|warned|accused|denied|claimed|charged|blasted|slammed|criticized|"
    r"criticised|praised|urged|called"
)
_SAID_BEFORE = re.compile(
    rf"\b(?:{_SAY_VERBS})(?:\s+(?:the|an?|his|her|its|their)\s+[\w’'-]+)?"
    r"(?:\s+(?:[A-Z][\w.’'-]*|reporters|journalists|lawmakers|senators|"
    r"the\s+press|in\s+a\s+statement|in\s+an\s+interview))*\s+(?:on\s+)?(?:late\s+|early\s+)?\Z"
    r"|\b(?:[Ii]n|[Aa]t|[Dd]uring|[Oo]n)\s+(?:an?|the|his|her|its|their)\s+(?:[\w’'-]+\s+){0,3}?"
    r"(?:[\w’']+-)?(?:tele|video)?(?:interview|statement|briefing|conference|speech|tweets?|"
    r"post|letter|remarks|appearance|testimony|address|broadcast)"
    r"(?:\s+with\s+(?:reporters|journalists|the\s+press|(?:the\s+)?[A-Z][\w.’'-]*"
    r"(?:\s+[A-Z][\w.’'-]*){0,3})(?:\s+(?:at|in)\s+(?:the\s+)?[A-Z][\w.’'-]*"
    r"(?:\s+[A-Z][\w.’'-]*){0,3})?,?)?\s+(?:on\s+)?(?:late\s+|early\s+)?\Z",
)
_OPENS_SENTENCE = re.compile(r"(?:\A|[.!?:;\"“—]\s*)(?:(?:On|Late|Early)\s+(?:on\s+)?)?\Z")
_SAID_AFTER = re.compile(
    rf",\s+[^,.;]{{0,50}}?\b(?:{_SAY_VERBS})\b|['’]s\s+(?:[\w-]+\s+)?(?:interview|statement|"
    r"briefing|conference|speech|tweets?|post|letter|remarks|announcement|testimony)\b"
)
# The day something was planned for: "scheduled for Monday", "expected to vote on Monday".
_PLANNED_BEFORE = re.compile(
    r"\b(?:scheduled|planned|set|slated|due|expected|supposed|meant|poised|originally|"
    r"initially)(?:\s+to\s+[\w’'-]+(?:\s+[\w’'-]+)?)?\s+(?:for\s+|on\s+|until\s+)?(?:next\s+)?\Z"
)

# A period counted from the day the piece was written: "yesterday", "earlier this month",
# "last year". Not after "the" ("the last year" is a length: a duration) nor after a word
# that makes it a bound ("since last year", "by the end of next year", "than last year").
_RELATIVE = re.compile(
    r"\b(?:(?P<part>earlier|later|early|late)\s+)?"
    r"(?:(?P<which>this|last|next)\s+(?P<unit>week|month|year)"
    r"|(?P<day>today|tonight|yesterday|tomorrow)|this\s+(?:morning|afternoon|evening)"
    r"|(?P<night>last\s+night))\b(?![-‐‑])",
    re.IGNORECASE,
)
_RELATIVE_LEAD = re.compile(
    r"\b(?:the|since|until|till|by|before|after|through|from|than|to|as\s+of|day|night)\s+"
    r"(?:the\s+(?:end|start|beginning|middle)\s+of\s+)?\Z",
    re.IGNORECASE,
)
_CLOSING_QUOTES = ("”", '"', "’", "'")
_RELATIVE_WORDS = word_set("today tonight yesterday tomorrow week month year")
# (first day, last day) from the day of writing; the calendar week, month and year offsets
# the words fix (None: not fixed). "Last week" and "last month" are read as not yesterday
# (nobody calls yesterday "last week"), so "yesterday" / "last week" differ.
_PERIODS: dict[str, tuple[int, int, int | None, int | None, int | None]] = {
    "today": (0, 0, 0, 0, 0), "yesterday": (-1, -1, None, None, None),
    "tomorrow": (1, 1, None, None, None), "last night": (-1, 0, None, None, None),
    "this week": (-6, 6, 0, None, None), "last week": (-13, -2, -1, None, None),
    "next week": (2, 13, 1, None, None),
    "this month": (-30, 30, None, 0, 0), "last month": (-61, -2, None, -1, None),
    "next month": (2, 61, None, 1, None),
    "this year": (-365, 365, None, None, 0), "last year": (-730, -2, None, None, -1),
    "next year": (2, 730, None, None, 1),
}  # fmt: skip

_COUNT_WORDS = (
    r"an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|several|a\s+few|a\s+couple\s+of|a\s+couple|couple\s+of|couple|few|"
    r"many|[0-9]+(?:\.[0-9]+)?"
)
_UNITS = {
    "second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800,
    "month": 2629800, "year": 31557600, "decade": 315576000,
}  # fmt: skip
_UNIT = r"(?P<unit>second|minute|hour|day|week|month|year|decade)s?"
_QUALIFIER = (
    r"at\s+least|at\s+most|more\s+than|less\s+than|fewer\s+than|over|under|nearly|almost|"
    r"about|around|roughly|some|up\s+to|only|just|barely"
)
# A duration is found from its unit word, then what stands before it is looked up
# backwards: one pattern with an optional qualifier in front would be tried at every position.
_UNIT_WORD = re.compile(rf"\b{_UNIT}\b", re.IGNORECASE)
_COUNT_BEFORE = re.compile(
    rf"(?:\b(?P<q>{_QUALIFIER})\s+)?\b(?P<n>{_COUNT_WORDS})(?:\s+-?\s*|-)\Z", re.IGNORECASE
)
_PAST_BEFORE = re.compile(
    rf"(?:\b(?P<q>{_QUALIFIER})\s+)?\b(?:the\s+)?(?:past|last|previous)\s+\Z", re.IGNORECASE
)
_LENGTH_AFTER = re.compile(r"(?!-old)(?:\s+(?:long|now|or\s+so))?\b", re.IGNORECASE)
_PAST_AFTER = re.compile(r"(?:\s+or\s+so)?\b", re.IGNORECASE)
_ANCHOR = re.compile(
    r"\b(?:last|past|previous|recent|next|coming|first|final)\s+(?:the\s+)?$", re.IGNORECASE
)
_WHEN_AFTER = re.compile(r"\s+(?:ago|after|before|later|earlier|from\s+now)\b", re.IGNORECASE)
_HOW_LONG = re.compile(r"\bhow\s+long\b|\bduration\b", re.IGNORECASE)

_HEDGE = re.compile(
    r"\b(?:reportedly|allegedly|purportedly|apparently|supposedly|ostensibly|"
    r"claimed|claiming|(?<!the\s)(?<!a\s)(?<!his\s)(?<!her\s)(?<!their\s)(?<!its\s)claims?\s+(?=that\b|to\b)|"
    r"alleg(?:e|es|ed|ing)|according\s+to|said\s+to\s+(?:be|have)|"
    r"(?:is|are|was|were)\s+believed\s+to|unconfirmed|unverified|rumou?red)",
    re.IGNORECASE,
)

_DIGIT = re.compile(r"[0-9]")
_NOT_DIGITS = re.compile(r"[^0-9]")
# Gates: a kind's regexes run only when one of these words occurs in the claim.
_UNIT_WORDS = frozenset(w + s for w in _UNITS for s in ("", "s"))
_WEEKDAY_WORDS = frozenset(w + s for w in _WEEKDAYS for s in ("", "s"))
_HEDGE_WORDS = word_set("""reportedly allegedly purportedly apparently supposedly ostensibly claim claims claimed
    claiming allege alleges alleged alleging according believed unconfirmed unverified
    rumored rumoured""")


# --- extracted features ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    text: str
    span: tuple[int, int]
    key: object
    ctx: Context = NO_CONTEXT
    anchored: bool = False  # a duration that says when ("the last couple days")
    quantity: Quantity | None = None
    said: bool = False  # a weekday on which something was said ("said Thursday")
    planned: bool = False  # a weekday something was planned for ("scheduled for Monday")
    topic: frozenset[str] = frozenset()  # a weekday's clause: its words, names left out
    of_date: bool = False  # a weekday read from a full date ("September 21, 2017")


@dataclass(frozen=True, slots=True)
class ClaimFeatures:
    """What `find_hints` and `discrepancy` compare, extracted once per claim text."""

    text: str
    dates: tuple[_Item, ...] = ()
    ranges: tuple[_Item, ...] = ()  # spans of years ("from 1967 to 1979"): key (start, end)
    relatives: tuple[_Item, ...] = ()  # "yesterday", "last year": key `_PERIODS`'s
    weekdays: tuple[_Item, ...] = ()
    durations: tuple[_Item, ...] = ()
    how_long: tuple[_Item, ...] = ()
    quantities: tuple[_Item, ...] = ()
    negations: tuple[Polar, ...] = ()
    denials: tuple[Polar, ...] = ()
    hedges: tuple[_Item, ...] = ()


# Items of one kind (figures, dates, weekdays, durations, negations, ...) read per claim:
# pairing compares every item of one claim with every item of the other.
MAX_ITEMS = 64


def extract_features(text: str) -> ClaimFeatures:
    """Everything `compare_features` needs from one claim. Each kind's regexes run only
    when a cheap word test says the kind may be present; the words are tokenised only
    when something was found whose context matters.

    The work is bounded whatever the claim: only its first `CLAIM_CHARS` characters are
    read, and the first `MAX_ITEMS` items of each kind kept (a sentence has far fewer)."""
    text = text[:CLAIM_CHARS]
    low = text.casefold()
    present = gate_words(text)
    taken = qty.Spans()
    free = taken.free

    def ctx(span: tuple[int, int]) -> Context:
        return context_of(words_of(text), span)

    relatives = _relatives(text, present, ctx, taken)
    durations = _durations(text, present, ctx, taken)
    how_long: tuple[_Item, ...] = ()
    if "long" in present or "duration" in present:
        how_long = tuple(
            _Item(m.group(), m.span(), None, ctx(m.span())) for m in _HOW_LONG.finditer(text)
        )
    ranges = _year_ranges(text, present, ctx, taken)
    dates = _dates(text, present, ctx, taken, free)
    weekdays: list[_Item] = []
    if not present.isdisjoint(_WEEKDAY_WORDS):
        for m in _WEEKDAY.finditer(text):
            if free(*m.span()):
                weekdays.append(_weekday(text, m, ctx(m.span())))
    if dates:
        more_dates, more_days = _calendar_days(text, dates, relatives, weekdays)
        if more_dates:
            dates = tuple(sorted(dates + more_dates, key=lambda it: it.span))
        weekdays = sorted(weekdays + more_days, key=lambda it: it.span)
    quantities = tuple(
        _Item(q.figure, q.figure_span, q.value, ctx(q.span), quantity=q)
        for q in extract_quantities(text)
        if free(*q.span)
    )
    polar = polarity_of(text)
    hedges: tuple[_Item, ...] = ()
    if not present.isdisjoint(_HEDGE_WORDS) or "said to" in low:
        hedges = tuple(
            _Item(m.group().strip(), (m.start(), m.start() + len(m.group().strip())),
                  m.group().casefold().split()[0][:5])
            for m in _HEDGE.finditer(text)
        )  # fmt: skip
    return ClaimFeatures(
        text=text,
        dates=dates[:MAX_ITEMS],
        ranges=ranges[:MAX_ITEMS],
        relatives=relatives[:MAX_ITEMS],
        weekdays=tuple(weekdays[:MAX_ITEMS]),
        durations=durations[:MAX_ITEMS],
        how_long=how_long[:MAX_ITEMS],
        quantities=quantities[:MAX_ITEMS],
        negations=polar.negations[:MAX_ITEMS],
        denials=polar.denials[:MAX_ITEMS],
        hedges=hedges[:MAX_ITEMS],
    )


ContextOf = Callable[[tuple[int, int]], Context]


def _weekday(text: str, m: re.Match[str], context: Context) -> _Item:
    """A weekday, with whether it is the day something was said or was planned for, and
    the words of its clause."""
    said, planned = _day_role(text, *m.span())
    day = m.group().casefold().rstrip("s")
    topic = _clause_topic(text, m.start())
    return _Item(m.group(), m.span(), day, context, said=said, planned=planned, topic=topic)


_ROLE_WINDOW = 80  # characters before a day that may say its role


def _day_role(text: str, start: int, end: int) -> tuple[bool, bool]:
    """Whether the day at text[start:end] is the day something was said ("said Thursday",
    "Yesterday, the ministry said"), or one something was planned for ("scheduled for
    Monday")."""
    window = max(0, start - _ROLE_WINDOW)
    opens = bool(_OPENS_SENTENCE.search(text, window, start)) or text.startswith(("'", "’"), end)
    said = bool(_SAID_BEFORE.search(text, window, start)) or (
        opens and bool(_SAID_AFTER.match(text, end))
    )
    planned = not said and bool(_PLANNED_BEFORE.search(text, window, start))
    return said, planned


def _clause_topic(text: str, start: int) -> frozenset[str]:
    """The words of the clause at `start`, names and reporting verbs left out."""
    words = words_of(text)
    at = bisect.bisect_left(words.starts, start)
    if at >= len(words):
        return frozenset()
    clause = words.clauses[at]  # clause numbers never decrease: the clause is one slice
    lo = bisect.bisect_left(words.clauses, clause)
    hi = bisect.bisect_right(words.clauses, clause, lo)
    keys, capitals = words.keys[lo:hi], words.capitals[lo:hi]
    return frozenset(k for k, up in zip(keys, capitals, strict=True) if k and not up) - {SAY}


def _relatives(
    text: str, present: frozenset[str], ctx: ContextOf, taken: qty.Spans
) -> tuple[_Item, ...]:
    """ "Yesterday", "earlier this month", "last year": periods counted from the day the
    piece was written, with the day's role (said, planned) and its clause's words."""
    if present.isdisjoint(_RELATIVE_WORDS):
        return ()
    out: list[_Item] = []
    for m in _RELATIVE.finditer(text):
        if _RELATIVE_LEAD.search(text, max(0, m.start() - 30), m.start()):
            continue
        if m.group()[0].isupper() and (
            text.startswith(_CLOSING_QUOTES, m.end())
            or not _OPENS_SENTENCE.search(text, max(0, m.start() - 20), m.start())
        ):
            continue  # a name: NBC's "Today" show, This Week
        part = (m.group("part") or "").casefold()
        if m.group("unit"):
            name = f"{m.group('which').casefold()} {m.group('unit').casefold()}"
        elif m.group("night"):
            name = "last night"
        else:
            name = (m.group("day") or "today").casefold()
            name = "today" if name == "tonight" else name
        lo, hi, *calendar = _PERIODS[name]
        if name.startswith("this") and lo < 0 < hi:
            # "earlier this month": before the day of writing; "later this year": after it
            lo, hi = (lo, -1) if part == "earlier" else (1, hi) if part == "later" else (lo, hi)
        said, planned = _day_role(text, *m.span())
        key = (lo, hi, *calendar)
        out.append(
            _Item(m.group(), m.span(), key, ctx(m.span()), said=said, planned=planned,
                  topic=_clause_topic(text, m.start()))
        )  # fmt: skip
        taken.add(m.span())
    return tuple(out)


def _calendar_days(
    text: str, dates: Sequence[_Item], relatives: Sequence[_Item], weekdays: Sequence[_Item]
) -> tuple[tuple[_Item, ...], list[_Item]]:
    """What the claim's own year makes certain: the weekday of a full date ("September 21,
    2017" is a Thursday), and, under a dateline ("Sept. 22, 2017 (EIRNS)—"), the date and
    weekday of "yesterday" or "today" and the year or month of "last year" or "this month".
    (New dates, new weekdays.) Never a year the claim does not give."""
    new_dates: list[_Item] = []
    new_days: list[_Item] = []
    written = [d for d in dates if d.said and all(d.key[:3])]  # type: ignore[index]
    for d in dates[:MAX_ITEMS]:
        y, mo, day, _ = d.key  # type: ignore[misc]
        if d.said or not (y and mo and day):
            continue
        when = _calendar(y, mo, day)
        if when is None or any(0 <= d.span[0] - w.span[1] <= 3 for w in weekdays):
            continue  # "Thursday, Sept. 21, 2017": its weekday is written beside it
        said, planned = _day_role(text, *d.span)
        new_days.append(
            _Item(d.text, d.span, _WEEKDAYS[when.weekday()], d.ctx, said=said, planned=planned,
                  topic=_clause_topic(text, d.span[0]), of_date=True)
        )  # fmt: skip
    if not written or not relatives:
        return tuple(new_dates), new_days
    y, mo, day, _ = written[0].key  # type: ignore[misc]
    base = _calendar(y, mo, day)
    if base is None:
        return tuple(new_dates), new_days
    for r in relatives[:MAX_ITEMS]:
        lo, hi, _, months, years = r.key  # type: ignore[misc]
        key: tuple[int | None, ...] | None = None
        if lo == hi:
            when = base + _dt.timedelta(days=lo)
            key = (when.year, when.month, when.day, None)
            new_days.append(
                _Item(r.text, r.span, _WEEKDAYS[when.weekday()], r.ctx, said=r.said,
                      planned=r.planned, topic=r.topic)
            )  # fmt: skip
        elif months is not None:
            index = base.year * 12 + base.month - 1 + months
            key = (index // 12, index % 12 + 1, None, None)
        elif years is not None:
            key = (base.year + years, None, None, None)
        if key is not None:
            new_dates.append(_Item(r.text, r.span, key, r.ctx))
    return tuple(new_dates), new_days


def _calendar(year: int, month: int, day: int) -> _dt.date | None:
    try:
        return _dt.date(year, month, day)
    except ValueError:  # "February 30, 2017"
        return None


def _durations(
    text: str, present: frozenset[str], ctx: ContextOf, taken: qty.Spans
) -> tuple[_Item, ...]:
    if present.isdisjoint(_UNIT_WORDS):
        return ()
    out: list[_Item] = []
    end = 0
    for u in _UNIT_WORD.finditer(text):
        window = max(end, u.start() - 40)
        count = _COUNT_BEFORE.search(text, window, u.start())
        past = None if count else _PAST_BEFORE.search(text, window, u.start())
        tail = (_LENGTH_AFTER if count else _PAST_AFTER).match(text, u.end())
        if (count is None and past is None) or tail is None:
            continue
        start, end = (count or past).start(), tail.end()  # type: ignore[union-attr]
        if not taken.free(start, end):
            continue  # "last year": a period ("the last year" is a length)
        unit = u.group("unit").casefold()
        amount = _count_value(count.group("n")) if count else 1.0
        # "in the last couple days", "the past month", "three weeks ago": when, not how long
        anchored = (
            past is not None
            or bool(_ANCHOR.search(text, max(0, start - 30), start))
            or bool(_WHEN_AFTER.match(text, end))
        )
        span = (start, end)
        item = (amount * _UNITS[unit], unit)
        out.append(_Item(text[start:end], span, item, ctx(span), anchored))
        taken.add(span)
    return tuple(out)


def _dates(
    text: str,
    present: frozenset[str],
    ctx: ContextOf,
    taken: qty.Spans,
    free: Callable[[int, int], bool],
) -> tuple[_Item, ...]:
    has_month = not present.isdisjoint(_MONTHS)
    has_digit = _DIGIT.search(text) is not None
    if not (has_digit or has_month):
        return ()
    out: list[_Item] = []
    if has_digit:
        for pattern in _DATE_PATTERNS if has_month else _DATE_PATTERNS[3:]:
            for m in pattern.finditer(text):
                if not free(*m.span()):
                    continue
                groups = m.groupdict()
                month = groups.get("m")
                mo = None
                if month:
                    mo = int(month) if month.isdigit() else _MONTHS.get(month.casefold())
                day = groups.get("d")
                d = int(_NOT_DIGITS.sub("", day)) if day else None
                y = int(groups["y"]) if groups.get("y") else None
                out.append(
                    _Item(m.group(), m.span(), (y, mo, d, None), ctx(m.span()),
                          said=_is_dateline(text, m.span()))
                )  # fmt: skip
                taken.add(m.span())
    if has_month:
        for m in _MONTH_ALONE.finditer(text):
            if not free(*m.span()):
                continue
            lead = _MONTH_LEAD.search(text, max(0, m.start() - 30), m.start())
            if lead is None or lead.start() == lead.end():
                continue  # a month after nothing that makes it a date ("March" the noun)
            part = lead.group("part")
            days = (
                _PART_OF_MONTH[part.split()[-2 if " " in part else 0].casefold()] if part else None
            )
            span = (lead.start("part") if part else m.start("m"), m.end())
            key = (None, _MONTHS[m.group("m").casefold()], None, days)
            out.append(_Item(text[span[0] : span[1]], span, key, ctx(span)))
            taken.add(span)
    out.sort(key=lambda it: it.span)
    return tuple(out)


def _year_ranges(
    text: str, present: frozenset[str], ctx: ContextOf, taken: qty.Spans
) -> tuple[_Item, ...]:
    if present.isdisjoint(_RANGE_WORDS) and "-" not in text and "–" not in text:
        return ()
    if not _DIGIT.search(text):
        return ()
    out: list[_Item] = []
    for m in _YEAR_RANGE.finditer(text):
        lead = _RANGE_LEAD.search(text, max(0, m.start() - 10), m.start())
        joined = text[m.end("y1") : m.start("y2")]
        if lead is None and "-" not in joined and "–" not in joined:
            continue  # "in 2009 to 2016" is not a span we can read
        if lead is not None and lead.group().casefold().startswith("between") != ("and" in joined):
            continue
        span = ((lead or m).start(), m.end())
        y1, y2 = int(m.group("y1")), int(m.group("y2"))
        if y2 <= y1:
            continue
        out.append(_Item(text[span[0] : span[1]], span, (y1, y2), ctx(span)))
        taken.add(span)
    return tuple(out)


def _count_value(word: str) -> float:
    w = " ".join(word.casefold().split())
    if w in ("a", "an", "one"):
        return 1.0
    if w in ("a few", "few", "several", "many"):
        return 3.0
    if "couple" in w:
        return 2.0
    if w in NUMBER_WORDS:
        return float(NUMBER_WORDS[w])
    try:
        return float(w)
    except ValueError:
        return 1.0


# --- comparison ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """How clearly two claims disagree: `score` in [0, 1] (0: no differing point, or only
    compatible roundings), and the hint that names the strongest differing point."""

    score: float
    hint: Hint | None = None


NO_DISCREPANCY = Discrepancy(0.0, None)

# How strongly each kind of differing point suggests a contradiction (discrepancy scores).
_CLEAR = 0.9  # same unit and counted noun, another figure; one event, another day
_UNKNOWN_LENGTH = 0.9  # "lasted at least an hour" / "didn't say how long it lasted"
_REPORTING_DAY = 0.3  # "said Thursday" / "said Friday": often just the day each outlet wrote
_LONE = 0.45  # the only figure of its unit on each side, nothing else in common
_NEAR = 0.75  # close figures of one unit ("$3.5 billion" / "$3.6 billion"), nothing in common
_ANCHORED = 0.7  # the one figure of a unit left on each side when the others agree
_HEDGE_STRENGTH = 0.25


def _figure_strength(x: _Item, y: _Item, affinity: int) -> float:
    """Two figures of one unit that differ: clear with the counted noun in common, or with
    a context word in common when the unit itself is specific (money, percent, a measure:
    "turnout reached 45 percent" / "put turnout at 54 percent"); less for a plain count
    that only shares a word; weak for the only figures of their unit with nothing shared."""
    specific = x.quantity is None or x.quantity.unit != qty.COUNT
    near = _near(x, y)
    if affinity >= 28:
        return 0.95
    if affinity >= 20 or (specific and affinity >= 16):
        return 0.9 if near else 0.85
    if affinity >= _MIN_AFFINITY:
        return 0.85 if near else 0.8 if specific else 0.65
    return _NEAR if near else _LONE


def _near(x: _Item, y: _Item) -> bool:
    return (
        x.quantity is not None and y.quantity is not None and qty.near_miss(x.quantity, y.quantity)
    )


@dataclass(frozen=True, slots=True)
class _Found:
    strength: float
    hint: Hint


def find_hints(a: str, b: str, *, compatible: bool = False) -> list[Hint]:
    """Where claim `a` and claim `b` differ; spans index `a` and `b` respectively. With
    `compatible`, also the figures that agree up to rounding or a bound (relation
    "compatible")."""
    return compare_features(_features(a), _features(b), compatible=compatible)


def discrepancy(a_text: str, b_text: str) -> Discrepancy:
    """How clearly `a_text` and `b_text` disagree, and the hint naming the strongest point.
    Symmetric in its score; independent of how alike the claims are otherwise. A bare reply
    (`bare_reply`) scores a flat 0.7 against anything; joined to the sentence before it
    ("Jets struck the positions. The ministry denied the accusation.") it is scored by how
    much of that the other claim says."""
    fa, fb = _features(a_text), _features(b_text)
    best: _Found | None = None
    for found in _differences(fa, fb, names=False):
        if found.hint.relation == DIFFERS and found.strength > (best.strength if best else 0.0):
            best = found
    return NO_DISCREPANCY if best is None else Discrepancy(best.strength, best.hint)


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _features(text: str) -> ClaimFeatures:
    """Hints are computed when pairs are shown, and a listing shows each claim against
    many others: extracting is most of the cost (ClaimFeatures is immutable)."""
    return extract_features(text)


def compare_features(
    fa: ClaimFeatures, fb: ClaimFeatures, *, compatible: bool = False
) -> list[Hint]:
    """`find_hints` on features extracted beforehand."""
    return [
        f.hint for f in _differences(fa, fb, names=True) if compatible or f.hint.relation == DIFFERS
    ]


def _differences(fa: ClaimFeatures, fb: ClaimFeatures, *, names: bool) -> list[_Found]:
    out: list[_Found] = []
    if fa.dates and fb.dates:
        out += _paired("date", fa.dates, fb.dates, _date_relation, _date_lone)
    if fa.ranges and fb.ranges:
        out += _paired("date", fa.ranges, fb.ranges, _equal_relation, _range_lone)
    if fa.relatives and fb.relatives:
        out += _paired(
            "date", fa.relatives, fb.relatives, _relative_relation, _relative_lone, _same_role,
            _relative_strength,
        )  # fmt: skip
    if fa.weekdays and fb.weekdays:
        out += _paired(
            "weekday", fa.weekdays, fb.weekdays, _equal_relation, _weekday_lone, _weekday_pairs
        )
    if fa.quantities and fb.quantities:
        out += _quantity_hints(fa.quantities, fb.quantities)
    if fa.durations or fb.durations:
        out += _duration_hints(fa, fb)
    if fa.negations or fb.negations or fa.denials or fb.denials:
        out += _polarity_hints(fa, fb)
    if bool(fa.hedges) != bool(fb.hedges):
        out += _hedge_hints(fa.hedges, fb.hedges)
    if names:
        out += [_Found(0.0, h) for h in name_hints(_names(fa.text), _names(fb.text))]
    return out


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _names(text: str) -> NameSet:
    """Names only matter to the hints shown to a reviewer, not to `discrepancy`."""
    return name_set(text)


# Pairing: every item of a against every item of b that may name the same thing; the pairs
# that agree are taken first (a figure with an equal one gets a bonus), then those with the
# most context in common. Sorting by (-score, i + j) never orders two pairs that share an
# item by chance, so swapping a and b picks the same pairs.
_SAME_BONUS, _COMPATIBLE_BONUS = 15, 12  # less than a shared counted noun (20)
_NEAR_BONUS = 10  # close figures of one unit: likely one quantity changed (`qty.near_miss`)
_MIN_AFFINITY = 8  # a differing pair needs a word in common near both (or the lone rule)

Relation = Callable[[_Item, _Item], str]
Lone = Callable[[Sequence[_Item], Sequence[_Item], _Item, _Item], float | None]


def _paired(
    kind: str,
    xs: Sequence[_Item],
    ys: Sequence[_Item],
    relate: Relation,
    lone: Lone | None = None,
    comparable: Callable[[_Item, _Item], bool] | None = None,
    strength: Callable[[_Item, _Item, int], float] | None = None,
    near: Callable[[_Item, _Item], bool] | None = None,
) -> list[_Found]:
    cands: list[tuple[int, int, int, int, str, int]] = []
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            if comparable is not None and not comparable(x, y):
                continue
            rel = relate(x, y)
            aff = affinity(x.ctx, y.ctx)
            if rel == "same":
                score = aff + _SAME_BONUS
            elif rel == COMPATIBLE:
                score = aff + _COMPATIBLE_BONUS
            elif aff >= _MIN_AFFINITY:
                score = aff + (_NEAR_BONUS if near is not None and near(x, y) else 0)
            elif near is not None and aff + _NEAR_BONUS >= _MIN_AFFINITY and near(x, y):
                score = aff + _NEAR_BONUS
            else:
                continue
            cands.append((-score, i + j, i, j, rel, aff))
    cands.sort()
    used_x: set[int] = set()
    used_y: set[int] = set()
    out: list[_Found] = []
    for _, _, i, j, rel, aff in cands:
        if i in used_x or j in used_y:
            continue
        used_x.add(i)
        used_y.add(j)
        x, y = xs[i], ys[j]
        if rel == DIFFERS:
            s = strength(x, y, aff) if strength else _event_strength(x, y, aff)
            out.append(_Found(s, Hint(kind, x.text, y.text, x.span, y.span)))
        elif rel == COMPATIBLE and aff >= _MIN_AFFINITY:
            (xt, xs_), (yt, ys_) = _whole(x), _whole(y)
            out.append(_Found(0.0, Hint(kind, xt, yt, xs_, ys_, COMPATIBLE)))
    if lone is not None:
        rest_x = [x for i, x in enumerate(xs) if i not in used_x]
        rest_y = [y for j, y in enumerate(ys) if j not in used_y]
        if len(rest_x) == 1 and len(rest_y) == 1:
            x, y = rest_x[0], rest_y[0]
            s = lone(xs, ys, x, y)
            if s is not None and relate(x, y) == DIFFERS:
                out.append(_Found(s, Hint(kind, x.text, y.text, x.span, y.span)))
    return out


def _whole(x: _Item) -> tuple[str, tuple[int, int]]:
    """A compatible figure is shown with its qualifier ("about $2.4 billion"): that is
    what makes it compatible."""
    return (x.quantity.text, x.quantity.span) if x.quantity else (x.text, x.span)


def _equal_relation(x: _Item, y: _Item) -> str:
    return "same" if x.key == y.key else DIFFERS


def _date_relation(x: _Item, y: _Item) -> str:
    """Year, month and day agree where both give them; a part of a month ("mid May",
    days 11-20) agrees with a day in it and with a part that overlaps it."""
    (y1, m1, d1, p1), (y2, m2, d2, p2) = x.key, y.key  # type: ignore[misc]
    agree = all(p is None or q is None or p == q for p, q in ((y1, y2), (m1, m2), (d1, d2)))
    if agree and (p1 or p2):
        lo1, hi1 = p1 or (d1, d1) if (p1 or d1) else (1, 31)
        lo2, hi2 = p2 or (d2, d2) if (p2 or d2) else (1, 31)
        agree = lo1 <= hi2 and lo2 <= hi1
    return "same" if agree else DIFFERS


_DATELINE_TAIL = re.compile(r"\s*(?:\(|[-\u2013\u2014]|$)")
_DATELINE_HEAD = re.compile(
    r"\W*(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?\s+)?"
)


def _is_dateline(text: str, span: tuple[int, int]) -> bool:
    """A date that opens the claim and is followed by a bracket, a dash or nothing
    ("Sept. 22, 2017 (EIRNS)—...", "Monday, October 23, 2017"): when the piece was written."""
    head = _DATELINE_HEAD.match(text)
    return (
        head is not None
        and head.end() == span[0]
        and _DATELINE_TAIL.match(text, span[1]) is not None
    )


def _event_strength(x: _Item, y: _Item, aff: int) -> float:
    """A weekday or date of one event: clear with two words in common, less with one; a
    reporting day ("said Thursday") says little."""
    weekday = isinstance(x.key, str)
    if (x.said and y.said) if weekday else (x.ctx.reporting and y.ctx.reporting):
        return _REPORTING_DAY
    return _CLEAR if aff >= 16 else 0.8


def _same_role(x: _Item, y: _Item) -> bool:
    """Weekdays are paired with their like: the day something was said with such a day,
    a planned day with a planned day, the day something happened with such a day ("said
    Wednesday that it happened Tuesday" / "it happened Wednesday": Tuesday/Wednesday)."""
    return x.said == y.said and x.planned == y.planned


def _weekday_pairs(x: _Item, y: _Item) -> bool:
    """Weekdays of one role; two read from full dates are compared as dates."""
    return _same_role(x, y) and not (x.of_date and y.of_date)


def _weekday_lone(xs: Sequence[_Item], ys: Sequence[_Item], x: _Item, y: _Item) -> float | None:
    """The only weekday on each side: both the day something was said (weak), or neither
    ("scheduled for Monday" / "took place on Tuesday") when their clauses share words."""
    if len(xs) != 1 or len(ys) != 1 or x.said != y.said:
        return None
    if x.of_date or y.of_date:
        return None  # a full date is as often another event's, months or years before
    if x.said:
        return _REPORTING_DAY
    aff = affinity(x.ctx, y.ctx)
    if aff >= _MIN_AFFINITY:
        return _event_strength(x, y, aff)
    shared = len(x.topic & y.topic)
    if not shared:
        return None
    if x.planned != y.planned:  # the day planned and the day it happened, of one event
        return 0.7
    return 0.5 if shared == 1 else 0.65


def _relative_relation(x: _Item, y: _Item) -> str:
    """Two periods counted from the day of writing differ when they cannot overlap: no day
    in common ("yesterday" / "last week"), or another week, month or year where both fix
    one ("earlier this month" / "last year"). "This week" / "yesterday" may be one day."""
    (lo1, hi1, *fixed1), (lo2, hi2, *fixed2) = x.key, y.key  # type: ignore[misc]
    if hi1 < lo2 or hi2 < lo1:
        return DIFFERS
    fixed = zip(fixed1, fixed2, strict=True)
    return DIFFERS if any(p is not None and q is not None and p != q for p, q in fixed) else "same"


def _relative_strength(x: _Item, y: _Item, aff: int) -> float:
    """Like a weekday of one event; "yesterday" / "today" (a day apart) weakly: two pieces
    written a day apart say just that of one event."""
    if x.said and y.said:
        return _REPORTING_DAY
    (lo1, hi1, *_), (lo2, hi2, *_) = x.key, y.key  # type: ignore[misc]
    if hi1 - lo1 <= 1 and hi2 - lo2 <= 1 and max(lo1, lo2) - min(hi1, hi2) <= 1:
        return _LONE
    return _CLEAR if aff >= 16 else 0.8


def _relative_lone(xs: Sequence[_Item], ys: Sequence[_Item], x: _Item, y: _Item) -> float | None:
    """The only period on each side, of one role, when their clauses share a word."""
    if len(xs) != 1 or len(ys) != 1 or not _same_role(x, y):
        return None
    aff = affinity(x.ctx, y.ctx)
    if aff >= _MIN_AFFINITY or x.said:
        return _relative_strength(x, y, aff)
    # words in common only further off in the clause: perhaps two events ("terrific
    # tonight" / "his debate last week"), a pointer that does not queue the pair alone
    return min(_relative_strength(x, y, aff), _LONE) if len(x.topic & y.topic) >= 2 else None


def _date_lone(xs: Sequence[_Item], ys: Sequence[_Item], x: _Item, y: _Item) -> float | None:
    """The only date on each side, both with a month and a day: paired anyway; both with a
    month, one of them without its day ("mid May" / "April 30"): a weaker pointer. A
    dateline's date (when the piece was written) is no event's: never paired alone."""
    if len(xs) != 1 or len(ys) != 1 or not (x.key[1] and y.key[1]):  # type: ignore[index]
        return None
    if x.said or y.said:
        return None
    return 0.5 if x.key[2] and y.key[2] else _LONE  # type: ignore[index]


def _range_lone(xs: Sequence[_Item], ys: Sequence[_Item], x: _Item, y: _Item) -> float | None:
    """The only span of years on each side ("from 1967 to 1979" / "from 1966 to 1978"):
    clear when both ends are close (one span, misdated), weak otherwise."""
    if len(xs) != 1 or len(ys) != 1:
        return None
    close = all(abs(p - q) <= 2 for p, q in zip(x.key, y.key, strict=True))  # type: ignore[call-overload]
    return 0.8 if close else _LONE


def _quantity_hints(xs: Sequence[_Item], ys: Sequence[_Item]) -> list[_Found]:
    """Times of day against times ("time" hints), every other figure against figures."""
    out: list[_Found] = []
    for kind, want_time in (("time", True), ("number", False)):
        gx = [x for x in xs if _is_time(x) == want_time]
        gy = [y for y in ys if _is_time(y) == want_time]
        if gx and gy:
            out += _paired(
                kind, gx, gy, _quantity_relation, _quantity_lone, _quantity_comparable,
                _figure_strength, _near,
            )  # fmt: skip
    return out


def _is_time(x: _Item) -> bool:
    return x.quantity is not None and x.quantity.unit == qty.TIME


def _quantity_comparable(x: _Item, y: _Item) -> bool:
    qx, qy = x.quantity, y.quantity
    assert qx is not None and qy is not None
    if not qty.loosely_comparable(qx, qy):
        return False
    if not qty.comparable(qx, qy):
        return qty.relation(qx, qy) != qty.DIFFERS  # a plain figure may be the same one
    if qx.unit == qty.COUNT and x.ctx.nouns and y.ctx.nouns and x.ctx.nouns.isdisjoint(y.ctx.nouns):
        # "dozens of arrests" / "200 people were arrested": one side's noun is the other's verb
        if not (x.ctx.nouns.isdisjoint(y.ctx.words) and y.ctx.nouns.isdisjoint(x.ctx.words)):
            return True
        return affinity(x.ctx, y.ctx) >= 20 or qty.relation(qx, qy) != qty.DIFFERS
    return True


def _quantity_relation(x: _Item, y: _Item) -> str:
    assert x.quantity is not None and y.quantity is not None
    return qty.relation(x.quantity, y.quantity)


def _quantity_lone(xs: Sequence[_Item], ys: Sequence[_Item], x: _Item, y: _Item) -> float | None:
    """The only figure of a unit (money, percent, a measure, a time) on each side; or the
    one figure of a unit (a count too) left on each side when the others of that unit
    agree ("520,000 arrests last year ... 1.6 million in 2000" / "400,000 ... 1.6 million
    in 2000"): the agreeing figures anchor the two claims to one comparison."""
    qx, qy = x.quantity, y.quantity
    assert qx is not None and qy is not None
    if qx.unit != qy.unit or qx.unit == qty.AGE:
        return None
    same_unit_x = [i.quantity for i in xs if i.quantity and i.quantity.unit == qx.unit]
    same_unit_y = [i.quantity for i in ys if i.quantity and i.quantity.unit == qy.unit]
    ratio = max(abs(qx.value), abs(qy.value)) / max(min(abs(qx.value), abs(qy.value)), 1e-9)
    if len(same_unit_x) == 1 and len(same_unit_y) == 1:
        if qx.unit == qty.COUNT or ratio > 10:  # "$43,000" / "$750,000": other things
            return None
        return _NEAR if qty.near_miss(qx, qy) else _LONE
    if ratio > 3 or "vague" in (qx.qualifier, qy.qualifier) or not _quantity_comparable(x, y):
        return None
    anchored = any(
        qty.relation(p, q) != qty.DIFFERS
        for p in same_unit_x
        if p is not qx
        for q in same_unit_y
        if q is not qy
    )
    return _ANCHORED if anchored else None


def _duration_hints(fa: ClaimFeatures, fb: ClaimFeatures) -> list[_Found]:
    out: list[_Found] = []
    if fa.durations and fb.durations:
        out += _paired(
            "duration", fa.durations, fb.durations, _duration_relation, _duration_lone,
            strength=_figure_strength,
        )  # fmt: skip
    lengths_a = [d for d in fa.durations if not d.anchored]
    lengths_b = [d for d in fb.durations if not d.anchored]
    if lengths_a and not lengths_b and fb.how_long:
        x, y = lengths_a[0], fb.how_long[0]
        out.append(_Found(_UNKNOWN_LENGTH, Hint("duration", x.text, y.text, x.span, y.span)))
    elif lengths_b and not lengths_a and fa.how_long:
        x, y = fa.how_long[0], lengths_b[0]
        out.append(_Found(_UNKNOWN_LENGTH, Hint("duration", x.text, y.text, x.span, y.span)))
    return out


def _duration_relation(x: _Item, y: _Item) -> str:
    return "same" if x.key[0] == y.key[0] else DIFFERS  # type: ignore[index]


def _duration_lone(xs: Sequence[_Item], ys: Sequence[_Item], x: _Item, y: _Item) -> float | None:
    """The only duration on each side, both lengths (or both "the past month"), neither
    describing a thing ("a 21-year veteran", "a 60-day suspension")."""
    if len(xs) != 1 or len(ys) != 1 or x.anchored != y.anchored:
        return None
    return None if _describes(x) or _describes(y) else _LONE


def _describes(x: _Item) -> bool:
    return "-" in x.text


def _polarity_hints(fa: ClaimFeatures, fb: ClaimFeatures) -> list[_Found]:
    out: list[_Found] = []
    for polar, other, side_a in ((fa, fb, True), (fb, fa, False)):
        if not (polar.denials or polar.negations):
            continue
        other_stance = stance(other.text)
        if polar.denials and not other.denials:
            d = polar.denials[0]
            if denial_stands(d, other_stance):
                strength = denial_strength(d, polar.text, other_stance)
                out.append(_Found(strength, _one_side("negation", d.text, d.span, side_a)))
        for n in polar.negations:
            s = negation_strength(n, other_stance)
            if s:
                out.append(_Found(s, _one_side("negation", n.text, n.span, side_a)))
    out.sort(key=lambda f: (f.hint.a_span is None, f.hint.a_span or f.hint.b_span))
    return out


def _one_side(kind: str, text: str, span: tuple[int, int], side_a: bool) -> Hint:
    return Hint(kind, text, "", span, None) if side_a else Hint(kind, "", text, None, span)


def _hedge_hints(xs: Sequence[_Item], ys: Sequence[_Item]) -> list[_Found]:
    out: list[_Found] = []
    for items, side_a in ((xs, True), (ys, False)):
        for x in items:
            s = 0.0 if x.key == "accor" else _HEDGE_STRENGTH
            out.append(_Found(s, _one_side("hedge", x.text, x.span, side_a)))
    return out


# --- frames and replies ----------------------------------------------------------------------


def frame_keys(text: str) -> frozenset[str]:
    """Keys naming the frames of a claim whose value another claim may give differently:
    "qty:<unit>:<word>" for a figure ("qty:#:person" for "23 people", "qty:$:road" for "$2.4
    billion for roads", "qty:%:unemployment"), "time:<word>", "weekday:<word>" and
    "date:<word>" for the day of an event (not the day something was said),
    "duration:<word>", and "deny" for a sentence that denies or rejects something. Words are
    the counted noun and the nearest context words, in matching form
    (`workbench.claimwords.context_key`: "roads" -> "road", "took place" -> "tak", "locat")."""
    return _frame_keys(text)


_FRAME_WORDS = 4  # words per item: the counted noun first, then the nearest context


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _frame_keys(text: str) -> frozenset[str]:
    f = _features(text)
    keys: set[str] = set()
    for item in f.quantities:
        q = item.quantity
        assert q is not None
        prefix = "time" if q.unit == qty.TIME else f"qty:{q.unit}"
        words = sorted(item.ctx.nouns) + [w for w in item.ctx.nearest() if w not in item.ctx.nouns]
        keys.update(f"{prefix}:{w}" for w in words[:_FRAME_WORDS])
    for kind, items in (
        ("weekday", f.weekdays),
        ("date", f.dates),
        ("duration", f.durations + f.how_long),
    ):
        for item in items:
            if kind != "duration" and (item.said if kind == "weekday" else item.ctx.reporting):
                continue
            keys.update(f"{kind}:{w}" for w in item.ctx.nearest()[:_FRAME_WORDS])
    if f.denials or bare_reply(text):
        keys.add("deny")
    return frozenset(keys)


_CUE_WORDS = word_set(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december jan feb mar apr jun jul aug sep
    sept oct nov dec yesterday today tomorrow week weeks month months year years hour hours
    minute minutes day days long not no never none nothing nobody cannot deny denies denied
    denying reject rejects rejected rejecting refuse refuses refused refusing decline declines
    declined declining dispute disputes disputed disputing dismiss dismissed dismisses refute
    refuted contest contested reportedly allegedly claim claims claimed one two three four five
    six seven eight nine ten eleven twelve twenty thirty forty fifty hundred thousand million
    billion dozen dozens half"""
)


def has_cues(text: str) -> bool:
    """Whether a claim holds anything `discrepancy` compares (a figure, a day or date, a
    duration, a negation, denial or hedge): a cheap gate for the aligner, which asks the
    full comparison only of pairs where one side has some."""
    if _DIGIT.search(text) is not None or "n't" in text or "n’t" in text:
        return True
    return not _CUE_WORDS.isdisjoint(gate_words(text))  # cached: discrepancy needs them too


# What the aligner asks of each claim's text, as bits, computed once at import and stored
# with the claim (claims.traits): a 100-article story asked it of 4,000 claims on every run.
REPLY_TRAIT = 1  # a bare reply (`bare_reply`): matched with the sentence before it
CUES_TRAIT = 2  # holds anything `discrepancy` compares (`has_cues`)
# Bump it with what bare_reply or has_cues answer: every stored trait is then recomputed
# (pipeline._settle_traits). As the candidates change too, bump ALIGNER_VERSION as well.
TRAITS_VERSION = "1"


def claim_traits(text: str) -> int:
    """REPLY_TRAIT | CUES_TRAIT, as they apply to a claim's text."""
    return (REPLY_TRAIT if bare_reply(text) else 0) | (CUES_TRAIT if has_cues(text) else 0)
