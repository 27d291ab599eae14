"""Quantities in a claim: a value with its multiplier, unit and qualifier, and when two agree.

`extract_quantities(text)` finds "$2.4 billion", "about 20", "more than 1,000 people",
"45 percent", "3 miles", "a 23-year-old", "dozens of", "six" (not "one": "one of the ...")
and, as their own unit that is never compared with an amount, times of day ("10 a.m.",
"3:30 p.m."). Each `Quantity` keeps its span in the original text, so hints can point at it.

`relation(x, y)` says whether two quantities of one unit are the same figure, a compatible
rounding or bound of it ("about $2.4 billion" / "$2.4 billion", "at least 20" / "23",
"over $5,000" / "$5,312.40", "2.4 billion" / "2.38 billion"), or different figures.
Which quantities of two claims to compare (their counted noun and context) is the hint
finder's business, not this module's.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from workbench.claimwords import gate_words
from workbench.textnorm import NUMBER_WORDS

SAME, COMPATIBLE, DIFFERS = "same", "compatible", "differs"

# A unitless count ("23 people") is unit "#"; a time of day is "time" (minutes after midnight).
COUNT, TIME, AGE = "#", "time", "age"

_MULTIPLIERS = {
    "hundred": 100, "thousand": 1_000, "k": 1_000, "million": 10**6, "m": 10**6,
    "mn": 10**6, "mln": 10**6, "billion": 10**9, "bn": 10**9, "b": 10**9,
    "trillion": 10**12, "tn": 10**12,
}  # fmt: skip
_CURRENCIES = {
    "$": "$", "us$": "$", "usd": "$", "dollar": "$", "dollars": "$", "£": "£", "gbp": "£",
    "sterling": "£", "€": "€", "eur": "€", "euro": "€", "euros": "€", "¥": "¥", "yen": "¥",
    "yuan": "yuan", "rubles": "rub", "roubles": "rub", "rupees": "inr",
}  # fmt: skip
_MEASURES = {
    "mile": "mi", "miles": "mi", "kilometer": "km", "kilometers": "km", "kilometre": "km",
    "kilometres": "km", "km": "km", "meter": "m", "meters": "m", "metre": "m", "metres": "m",
    "feet": "ft", "foot": "ft", "ft": "ft", "inch": "in", "inches": "in", "yard": "yd",
    "yards": "yd", "acre": "acre", "acres": "acre", "hectare": "ha", "hectares": "ha",
    "pound": "lb", "pounds": "lb", "lb": "lb", "lbs": "lb", "kilogram": "kg",
    "kilograms": "kg", "kg": "kg", "ton": "ton", "tons": "ton", "tonne": "ton",
    "tonnes": "ton", "gallon": "gal", "gallons": "gal", "liter": "l", "liters": "l",
    "litre": "l", "litres": "l", "barrel": "bbl", "barrels": "bbl", "mph": "mph",
    "degree": "deg", "degrees": "deg", "square mile": "sqmi", "square miles": "sqmi",
    "square foot": "sqft", "square feet": "sqft", "square kilometers": "sqkm",
    "square kilometres": "sqkm", "percentage point": "pts", "percentage points": "pts",
    "percent": "%", "per cent": "%", "%": "%",
}  # fmt: skip

# qualifier phrase -> how it bounds the figure
_QUALIFIERS = {
    "about": "approx", "around": "approx", "roughly": "approx", "approximately": "approx",
    "some": "approx", "an estimated": "approx", "estimated": "approx", "close to": "approx",
    "nearly": "nearly", "almost": "nearly", "just under": "nearly", "a little under": "nearly",
    "at least": "min", "more than": "min", "over": "min", "upwards of": "min",
    "in excess of": "min", "no fewer than": "min", "no less than": "min", "above": "min",
    "just over": "min", "a little over": "min", "a little more than": "min",
    "well over": "min", "at most": "max", "under": "max", "less than": "max",
    "fewer than": "max", "up to": "max", "as many as": "max", "as much as": "max",
    "no more than": "max", "below": "max", "only": "", "just": "", "exactly": "",
    "precisely": "",
}  # fmt: skip
_AFTER_QUALIFIERS = {"or so": "approx", "or more": "min", "plus": "min", "or fewer": "max",
                     "or less": "max"}  # fmt: skip

# "dozens of", "tens of thousands of": a range, not a figure
_VAGUE = {
    "dozens": (24.0, 144.0), "scores": (40.0, 200.0), "hundreds": (200.0, 999.0),
    "thousands": (2_000.0, 999_999.0), "tens of thousands": (20_000.0, 99_999.0),
    "hundreds of thousands": (200_000.0, 999_999.0), "millions": (2e6, 999e6),
    "tens of millions": (2e7, 99e6), "hundreds of millions": (2e8, 999e6),
    "billions": (2e9, 999e9),
}  # fmt: skip

_SMALL_WORDS = {w: v for w, v in NUMBER_WORDS.items() if w not in ("hundred", "thousand")}
_WORD_ALT = "|".join(sorted(_SMALL_WORDS, key=len, reverse=True))
# "twenty-three", "one hundred and five", "a dozen", "a million", "half a million"
_NUMBER_PHRASE = (
    rf"(?:half\s+an?\s+|an?\s+)(?:dozen|hundred|thousand|million|billion|trillion)"
    rf"|(?:{_WORD_ALT})(?:[\s-]+(?:and\s+)?(?:{_WORD_ALT}|hundred|thousand|million|billion|trillion))*"
)
_DIGITS = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?|\.[0-9]+"
_QUAL_ALT = "|".join(
    sorted((re.escape(q).replace(r"\ ", r"\s+") for q in _QUALIFIERS), key=len, reverse=True)
)
_MEASURE_ALT = "|".join(
    sorted(
        (re.escape(u).replace(r"\ ", r"\s+") for u in _MEASURES if u != "%"), key=len, reverse=True
    )
)
_MULT_ALT = r"hundred|thousand|million|billion|trillion"
_VAGUE_ALT = "|".join(sorted((v.replace(" ", r"\s+") for v in _VAGUE), key=len, reverse=True))

# What follows a figure: a multiplier, a unit, an age, a trailing qualifier.
_TAIL = (
    rf"(?:[\"”]?(?:\s+|-)(?P<mult>{_MULT_ALT})\b|(?P<abbr>bn|mn|mln|tn|[mkb])\b)?"
    rf"(?:(?P<pct>\s?%)|(?:\s+|-)(?P<unit>{_MEASURE_ALT}|dollars?|euros?|pounds\s+sterling|yen|yuan|rubles|roubles|rupees)\b"
    rf"|(?P<age>-years?-old|\s+years?\s+old)\b)?"
    rf"(?:\s+(?P<after>or\s+so|or\s+more|or\s+fewer|or\s+less|plus)\b)?"
)
# Two patterns that each start at the figure itself (a scan for a digit or a letter is
# fast; an optional qualifier or currency in front would be tried at every position):
# what stands before the figure is looked up backwards.
_DIGIT_QUANTITY = re.compile(
    rf"(?<![\w.,/:–-])(?P<v>{_DIGITS})(?=(?:bn|mn|mln|tn|[mkb])\b|[^\w.,/:–-]|[.,](?![0-9])|-(?=[^\W\d_])|$)"
    + _TAIL,
    re.IGNORECASE,
)
_WORD_QUANTITY = re.compile(rf"(?<![\w-])(?P<w>{_NUMBER_PHRASE})\b" + _TAIL, re.IGNORECASE)
_CURRENCY_BEFORE = re.compile(r"(?:US\$|\$|£|€|¥|(?:USD|EUR|GBP)\s?)\s?\Z", re.IGNORECASE)
_QUALIFIER_BEFORE = re.compile(rf"\b(?P<q>{_QUAL_ALT})\s+\Z", re.IGNORECASE)
_VAGUE_RE = re.compile(rf"\b(?P<vague>{_VAGUE_ALT})\s+of\b", re.IGNORECASE)
_TIME_RE = re.compile(
    r"(?<![\w.:$])(?P<h>[01]?[0-9]|2[0-3])(?::(?P<mi>[0-5][0-9]))?\s*(?P<ap>[ap])\.?\s?m\b\.?"
    r"|(?<![\w.:$])(?P<h2>[01]?[0-9]|2[0-3]):(?P<mi2>[0-5][0-9])(?![\w:])",
    re.IGNORECASE,
)
_NAMED_TIME = re.compile(r"\b(?P<named>noon|midday|midnight)\b", re.IGNORECASE)
_ANY_DIGIT = re.compile(r"[0-9]")
_WORD_GATE = frozenset(w for w in NUMBER_WORDS if w not in ("zero", "one")) | {
    "million", "billion", "trillion", "dozen",
}  # fmt: skip
_VAGUE_GATE = frozenset(v.split()[0] for v in _VAGUE)
_TIME_GATE = frozenset(("am", "pm", "noon", "midday", "midnight"))
_AGE_BEFORE = re.compile(r"\b(?:aged?|ages)\s+$", re.IGNORECASE)
# "section 3", "No. 2", "Route 66": a label, not a quantity
_LABEL_BEFORE = re.compile(
    r"\b(?:no|nos|number|section|sec|article|art|chapter|title|page|p|route|highway|"
    r"interstate|flight|room|district|precinct|amendment|resolution|proposition|prop|"
    r"bill|rule|level|phase|stage|grade|class|category|code|version|model|episode|"
    r"season|vol|volume|part|item|box|gate|pier|platform|exit|unit|ward|apartment|suite|"
    r"floor|h\.?r)\.?\s+$|#\s*$",
    re.IGNORECASE,
)
_FRACTION_AFTER = re.compile(
    r"-(?:thirds?|quarters?|fifths?|halves|half|tenths?)\b|[\s-]+in[\s-]+\w+[\s-]+chance",
    re.IGNORECASE,
)
_PAREN_APPOSITIVE = re.compile(r"[A-Z][\w.'’-]*,\s$")


@dataclass(frozen=True, slots=True)
class Quantity:
    """One figure in a claim. `low`..`high` is what the phrase allows (a qualifier's bound or
    a vague word's range); `step` is half the place of its last significant digit, the
    rounding it may hide ("2.4 billion": 0.05 billion; "20": 5)."""

    text: str  # the whole phrase: "about $2.4 billion"
    span: tuple[int, int]
    figure: str  # from the number on: "2.4 billion" (what a differing hint shows)
    figure_span: tuple[int, int]
    value: float
    unit: str
    qualifier: str  # "" exact | approx | nearly | min | max | vague
    low: float
    high: float
    step: float
    significant: int  # significant digits of the written figure (0 for words and vague)


class Spans:
    """Spans that do not overlap, kept sorted: whether another one overlaps any of them is
    a binary search, not a look at each (a claim with thousands of figures would cost
    their square). Sorted by start, non-overlapping spans are sorted by end too, so only
    the last one starting before a span can reach into it."""

    __slots__ = ("_spans",)

    def __init__(self) -> None:
        self._spans: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        """True when no span overlaps [start, end) (each ends by `start` or starts at
        `end` or later)."""
        before = bisect.bisect_left(self._spans, end, key=lambda span: span[0])
        return before == 0 or self._spans[before - 1][1] <= start

    def add(self, span: tuple[int, int]) -> None:
        bisect.insort(self._spans, span)


def extract_quantities(text: str) -> tuple[Quantity, ...]:
    """All quantities and times of day in `text`, in reading order, none overlapping. Each
    pattern runs only when a cheap test says it may match."""
    low = text.casefold()
    words = gate_words(text)
    has_digit = _ANY_DIGIT.search(text) is not None
    found: list[Quantity] = []
    taken = Spans()

    def add(q: Quantity | None) -> None:
        if q is not None and taken.free(*q.span):
            found.append(q)
            taken.add(q.span)

    if has_digit and (":" in text or ".m" in low or not words.isdisjoint(_TIME_GATE)):
        for m in _TIME_RE.finditer(text):
            add(_time(m))
    if not words.isdisjoint(_TIME_GATE):
        for m in _NAMED_TIME.finditer(text):
            add(_time(m))
    if not words.isdisjoint(_VAGUE_GATE):
        for m in _VAGUE_RE.finditer(text):
            add(_vague(m))
    if has_digit:
        for m in _DIGIT_QUANTITY.finditer(text):
            add(_quantity(text, m))
    if not words.isdisjoint(_WORD_GATE):
        for m in _WORD_QUANTITY.finditer(text):
            add(_quantity(text, m))
    found.sort(key=lambda q: q.span)
    return tuple(found)


def _vague(m: re.Match[str]) -> Quantity:
    word, span = m.group("vague"), (m.start("vague"), m.end("vague"))
    lo, hi = _VAGUE[" ".join(word.casefold().split())]
    return Quantity(word, span, word, span, lo, COUNT, "vague", lo, hi, 0.0, 0)


def _time(m: re.Match[str]) -> Quantity | None:
    groups = m.groupdict()
    if groups.get("named"):
        minutes = 0.0 if groups["named"].casefold() == "midnight" else 720.0
    else:
        hour = int(m.group("h") or m.group("h2"))
        minute = int(m.group("mi") or m.group("mi2") or 0)
        ap = (m.group("ap") or "").casefold()
        if ap and not 1 <= hour <= 12:
            return None
        if ap == "p" and hour != 12:
            hour += 12
        elif ap == "a" and hour == 12:
            hour = 0
        minutes = float(hour * 60 + minute)
    return Quantity(
        m.group(), m.span(), m.group(), m.span(), minutes, TIME, "", minutes, minutes, 0.0, 0
    )


def _quantity(text: str, m: re.Match[str]) -> Quantity | None:
    groups = m.groupdict()
    digits, words = groups.get("v"), groups.get("w")
    figure_start = start = m.start()
    cur_m = _CURRENCY_BEFORE.search(text, max(0, start - 5), start) if digits else None
    cur = cur_m.group().strip() if cur_m else None
    if cur_m:
        start = cur_m.start()
    if _LABEL_BEFORE.search(text, max(0, start - 20), start) and not cur:
        return None
    if _FRACTION_AFTER.match(text, m.end(1)):
        return None
    if digits:
        value = float(digits.replace(",", ""))
        significant, place = _significance(digits)
    else:
        parsed = _words_value(words)
        if parsed is None:
            return None
        value, significant, place = parsed, 0, 0.0
    mult_word = m.group("mult") or (
        m.group("abbr")
        if cur or (m.group("abbr") or "").casefold() in ("bn", "mn", "mln", "tn")
        else None
    )
    if m.group("abbr") and not mult_word:
        return None  # "5m" without a currency is five metres or a typo: not a figure
    mult = _MULTIPLIERS[mult_word.casefold()] if mult_word else 1
    unit = _unit(m, cur)
    if unit is None:
        return None
    if unit == COUNT and _age_context(text, start, m):
        unit = AGE
    q_m = _QUALIFIER_BEFORE.search(text, max(0, start - 24), start)
    qualifier = _QUALIFIERS.get(" ".join(q_m.group("q").casefold().split()), "") if q_m else ""
    if m.group("after"):
        qualifier = _AFTER_QUALIFIERS[" ".join(m.group("after").casefold().split())]
    end = m.end()
    q_start = q_m.start() if q_m else start
    value *= mult
    step = place * mult / 2 if significant else 0.0
    low, high = _bounds(value, qualifier, step)
    return Quantity(
        text[q_start:end], (q_start, end), text[figure_start:end], (figure_start, end),
        value, unit, qualifier, low, high, step, significant,
    )  # fmt: skip


def _unit(m: re.Match[str], cur: str | None) -> str | None:
    if m.group("age"):
        return AGE
    if m.group("pct"):
        return "%"
    word = " ".join((m.group("unit") or "").casefold().split())
    if cur:
        symbol = _CURRENCIES.get(cur.strip().casefold())
        if word and word not in ("dollars", "dollar"):
            return None  # "$5 miles" is not a quantity we understand
        return symbol
    if not word:
        return COUNT
    if word in _CURRENCIES:
        return _CURRENCIES[word]
    if word.startswith("pounds") and "sterling" in word:
        return "£"
    return _MEASURES.get(word)


def _age_context(text: str, start: int, m: re.Match[str]) -> bool:
    """ "aged 16", or "Lieberman, 75, who ...": an age, not a count."""
    if _AGE_BEFORE.search(text, max(0, start - 6), start):
        return True
    digits = m.groupdict().get("v")
    end = m.end("v") if digits else -1
    return (
        end > 0
        and digits.isdigit()
        and 0 < int(digits) < 120
        and text[end : end + 1] in (",", ")")
        and bool(_PAREN_APPOSITIVE.search(text, max(0, start - 40), start))
    )


def _significance(digits: str) -> tuple[int, float]:
    """(significant digits, place value of the last one): "2.4" -> (2, 0.1), "5,000" ->
    (1, 1000), "5,312.40" -> (6, 0.01), "20" -> (1, 10)."""
    s = digits.replace(",", "")
    if "." in s:
        whole, frac = s.split(".", 1)
        sig = len((whole + frac).lstrip("0"))
        return max(sig, 1), 10.0 ** -len(frac)
    stripped = s.lstrip("0") or "0"
    trailing = len(stripped) - len(stripped.rstrip("0")) if stripped != "0" else 0
    return max(len(stripped) - trailing, 1), 10.0**trailing


@lru_cache(maxsize=4096)
def _words_value(phrase: str) -> float | None:
    """ "twenty-three" -> 23, "one hundred and five" -> 105, "a dozen" -> 12, "half a
    million" -> 500000; None for a lone "one" (as in "one of the ...")."""
    words = [w for w in re.split(r"[\s-]+", phrase.casefold()) if w and w != "and"]
    if words == ["one"]:
        return None
    factor = 1.0
    if words[0] == "half":
        factor, words = 0.5, words[1:]
    total = current = 0.0
    for w in words:
        if w in ("a", "an"):
            current = 1.0
        elif w == "dozen":
            current = max(current, 1.0) * 12
        elif w == "hundred":
            current = max(current, 1.0) * 100
        elif w in _MULTIPLIERS:
            total += max(current, 1.0) * _MULTIPLIERS[w]
            current = 0.0
        elif w in _SMALL_WORDS:
            current += _SMALL_WORDS[w]
        else:
            return None
    return (total + current) * factor


def _bounds(value: float, qualifier: str, step: float) -> tuple[float, float]:
    """What a qualified figure allows. "about" is a rounding at the written precision
    (`step`, at most a quarter of the value) with 1% to spare: "about 20" covers 15-25,
    "roughly $141 million" not $139 million; "nearly" allows a tenth below the figure."""
    tol = min(step, 0.25 * abs(value)) + 0.01 * abs(value)
    if qualifier == "approx":
        return value - tol, value + tol
    if qualifier == "nearly":
        return value - max(tol, 0.1 * abs(value)), value
    if qualifier == "min":
        return value, value * 1.5
    if qualifier == "max":
        return value / 1.5, value
    return value, value


def relation(x: Quantity, y: Quantity) -> str:
    """SAME, COMPATIBLE or DIFFERS for two quantities of one unit (the caller checks the
    unit: `comparable`). Two bounds of one direction with other values differ ("as many
    as 1.5 million" / "up to 1.6 million"), unless one is a rounding of the other; a cap
    ("up to 1.6 million") is the figure itself, so a figure below it written to the same
    precision ("1.5 million") is another figure, a finer one ("1.55 million") is not."""
    if x.qualifier == y.qualifier and math.isclose(x.value, y.value, rel_tol=1e-9):
        return SAME
    if not x.qualifier and not y.qualifier:
        return COMPATIBLE if _rounds_to(x, y) or _rounds_to(y, x) else DIFFERS
    if math.isclose(x.value, y.value, rel_tol=1e-9):
        return COMPATIBLE  # "about 20" / "at least 20"
    if x.qualifier == y.qualifier and x.qualifier in ("min", "max"):
        within = abs(x.value - y.value) <= max(x.step, y.step) * (1 + 1e-9)
        return COMPATIBLE if within else DIFFERS
    for cap, figure in ((x, y), (y, x)):
        if cap.qualifier == "max" and not figure.qualifier and figure.step >= cap.step:
            return DIFFERS
    return COMPATIBLE if x.low <= y.high + 1e-9 and y.low <= x.high + 1e-9 else DIFFERS


def _rounds_to(fine: Quantity, coarse: Quantity) -> bool:
    """ "2.38 billion" written as "2.4 billion", "$5,312.40" as "$5,300": a figure rounded to
    two or more significant digits. One digit ("20", "$5,000") says too little to tell
    rounding from another figure."""
    if coarse.significant < 2 or not coarse.step or fine.step >= coarse.step:
        return False
    return abs(fine.value - coarse.value) <= coarse.step * (1 + 1e-9)


def near_miss(x: Quantity, y: Quantity) -> bool:
    """Two figures of one unit that differ by a tenth or less of the larger ("$3.5 billion" /
    "$3.6 billion", "48" / "47", "1.5 million" / "1.6 million"): the typical changed fact,
    and evidence that the two are one quantity. Not for vague ranges ("dozens")."""
    if x.unit != y.unit or "vague" in (x.qualifier, y.qualifier) or x.value == y.value:
        return False
    return abs(x.value - y.value) <= 0.1 * max(abs(x.value), abs(y.value))


def comparable(x: Quantity, y: Quantity) -> bool:
    """Whether two quantities measure the same thing: the same unit. A time of day is
    compared only with a time, an age only with an age."""
    return x.unit == y.unit


def loosely_comparable(x: Quantity, y: Quantity) -> bool:
    """Units that may name one figure when the values agree ("rate was 35.72" and "35.7
    percent"): a plain count beside a unit. Only used to pair equal figures, never to
    report a difference."""
    return x.unit == y.unit or (
        COUNT in (x.unit, y.unit) and TIME not in (x.unit, y.unit) and AGE not in (x.unit, y.unit)
    )
