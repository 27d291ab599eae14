"""Where two paired claims differ: pointers for the reviewer, never a verdict.

`find_hints(a, b)` compares what each claim says about numbers, dates, weekdays, durations,
negation, hedging and names, and returns a `Hint` per difference, with the differing
fragment of each side (empty when one side lacks it) and its span in that side's text.

Every pattern runs on the original text, so spans always index the fragment:
`a[h.a_span[0]:h.a_span[1]] == h.a`. Kinds:

- number    numerals and number words differ ("29" vs "80"; "six" == "6"; 80% != 80)
- date      calendar dates differ ("September 16" vs "September 21"; a missing year or day
            is compatible, so "Sept. 15, 2017" == "September 15")
- weekday   both sides name a weekday and they differ ("Thursday" vs "Friday"). A date on
            one side and a weekday on the other is NOT compared: without the year and the
            event's reference we cannot say so safely.
- duration  both give a duration and they differ, or one gives one and the other says the
            length is unknown ("at least an hour" vs "how long it lasted")
- negation  a negation cue ("did not", "didn't", "never", "no", "denied", "declined to")
            on one side only
- hedge     an attribution/hedge cue ("reportedly", "allegedly", "claimed", "according
            to") on one side only
- spelling  one name spelled two ways ("Dillon"/"Dillion", "Deir ez-Zor"/"Deir al-Zor")
- entity    two different names in the same slot ("Dillon said" vs "Konashenkov said")

Numbers, dates and names present on one side only are not flagged: paraphrase adds and
drops detail all the time, and a hint that fires on every pair is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from workbench.models import Hint
from workbench.textnorm import (
    NUMBER_WORDS,
    PARTICLES,
    STOPWORDS,
    fold,
    particle_stripped,
    word_set,
)

KINDS: tuple[str, ...] = (
    "date", "weekday", "duration", "number", "negation", "hedge", "spelling", "entity",
)  # fmt: skip

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
_WEEKDAY = re.compile(r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)s?\b")

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
_DURATION = re.compile(
    rf"\b(?:(?P<q>{_QUALIFIER})\s+)?(?P<n>{_COUNT_WORDS})\s+(?:-\s*)?{_UNIT}(?:\s+(?:long|now|or\s+so))?\b"
    rf"|\b(?:(?P<q2>{_QUALIFIER})\s+)?(?:the\s+)?(?:past|last|previous)\s+(?P<unit2>second|minute|hour|day|week|month|year|decade)(?:\s+or\s+so)?\b",
    re.IGNORECASE,
)
_ANCHOR = re.compile(
    r"\b(?:last|past|previous|recent|next|coming|first|final)\s+(?:the\s+)?$", re.IGNORECASE
)
_HOW_LONG = re.compile(r"\bhow\s+long\b|\bduration\b", re.IGNORECASE)

_MULT = r"(?:million|billion|trillion|thousand|hundred)"
_PCT_WORD = r"\s+per\s?cent\b|\s+percent\b"
_NUMBER_DIGITS = re.compile(
    r"(?<![\w.,/-])(?P<v>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)"
    rf"(?P<mult>\s+{_MULT})?(?P<pct>\s?%|{_PCT_WORD})?(?![\w-]|\.[0-9])",
    re.IGNORECASE,
)
_NUMBER_WORD_LIST = word_set(
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety hundred thousand dozen"
)
_NUMBER_WORDS = re.compile(
    rf"\b(?P<w>{'|'.join(sorted(_NUMBER_WORD_LIST, key=len, reverse=True))})(?P<wmult>\s+{_MULT})?(?P<wpct>{_PCT_WORD})?\b",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"[0-9]")
_NOT_DIGITS = re.compile(r"[^0-9]")
# Gates: a kind's regexes run only when one of these words occurs in the claim.
_GATE_WORD = re.compile(r"[a-z]+")
_UNIT_WORDS = frozenset(w + s for w in _UNITS for s in ("", "s"))
_WEEKDAY_WORDS = frozenset(w + s for w in _WEEKDAYS for s in ("", "s"))
_NEGATION_WORDS = word_set("""not never no none nobody nothing neither nor cannot deny denies denied denying refuse
    refuses refused refusing decline declines declined declining""")
_HEDGE_WORDS = word_set("""reportedly allegedly purportedly apparently supposedly ostensibly claim claims claimed
    claiming allege alleges alleged alleging according believed unconfirmed unverified
    rumored rumoured""")
_MULTIPLIERS = {"hundred": 100, "thousand": 1_000, "million": 10**6, "billion": 10**9,
                "trillion": 10**12}  # fmt: skip

_NEGATION = re.compile(
    r"\b(?:(?:do|does|did|is|are|was|were|has|have|had|will|would|could|should|can|may|might|"
    r"must)\s+not|not|never|no(?!\.)|none|nobody|nothing|neither|nor|cannot|"
    r"den(?:y|ies|ied|ying)|refus(?:e|es|ed|ing)\s+to|declin(?:e|es|ed|ing)\s+to)\b"
    r"|\b[A-Za-z]+n['’]t\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(
    r"\b(?:reportedly|allegedly|purportedly|apparently|supposedly|ostensibly|"
    r"claim(?:s|ed|ing)?|alleg(?:e|es|ed|ing)|according\s+to|said\s+to\s+(?:be|have)|"
    r"(?:is|are|was|were)\s+believed\s+to|unconfirmed|unverified|rumou?red)\b",
    re.IGNORECASE,
)

# Name words: Capitalised, or a transliteration particle hyphenated to one ("ez-Zor").
_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W\d_][\w'’]*(?:[-‐‑][\w'’]+)*|[0-9][\w'’.,-]*")
_PARTICLE_JOINED = re.compile(r"^(?:" + "|".join(sorted(PARTICLES)) + r")[-‐‑][A-Z]", re.IGNORECASE)
_CONNECTORS = word_set(
    "al el ez es bin ibn de del della di da van von der den la le du dos das abu"
)
_TITLES = word_set("""mr mrs ms dr prof sen rep gov gen col lt maj sgt capt cmdr adm brig cpl pvt amb
    president secretary minister colonel general major lieutenant captain admiral sergeant
    senator governor spokesman spokeswoman chairman""")
_NOT_NAMES = word_set("""i monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december jan feb mar apr jun jul
    aug sep sept oct nov dec""")
_SENTENCE_START = re.compile(r"(?:^|[.!?…:;]['\"’”)\]]*\s+|[\"“‘(\[]\s*|\n\s*)\Z")
# Capitalised at the start of a sentence but rarely a name.
_COMMON_STARTERS = word_set("""according after although asked because before both despite during earlier even
    however instead last later meanwhile moreover officials prior since still tensions
    then thus today tomorrow yesterday until while yet senior several many most some
    police authorities critics experts analysts residents witnesses prosecutors""")
_NAME_SKIP = STOPWORDS | _TITLES | _NOT_NAMES
_TRIVIAL_CONTEXT = word_set("the a an of in on at to from and or by for with")


# words, keys, left context, right context, initial_only, initials
_NameSig = tuple[tuple[str, ...], tuple[str, ...], str, str, bool, frozenset[str]]

# --- extracted features ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Item:
    text: str
    span: tuple[int, int]
    key: object
    anchored: bool = False  # a duration that says when ("the last couple days")


@dataclass(frozen=True, slots=True)
class _Name:
    text: str
    span: tuple[int, int]
    word_spans: tuple[tuple[int, int], ...]
    words: tuple[str, ...]  # casefolded surface words (titles dropped)
    keys: tuple[str, ...]  # matching keys of those words
    left: str  # context word(s) before, casefolded
    right: str  # context word(s) after
    initial_only: bool  # a single word at the start of a sentence: maybe not a name

    @property
    def sig(self) -> _NameSig:
        # initials: first letters of the keys (and of keys without a glued particle); two
        # names with none in common are neither the same name nor spelling variants
        initials = {k[:1] for k in self.keys}
        initials.update(stripped[:1] for k in self.keys if (stripped := particle_stripped(k)))
        return (
            self.words,
            self.keys,
            self.left,
            self.right,
            self.initial_only,
            frozenset(initials),
        )


@dataclass(frozen=True, slots=True)
class ClaimFeatures:
    """What `find_hints` compares, extracted once per claim text."""

    text: str
    dates: tuple[_Item, ...] = ()
    weekdays: tuple[_Item, ...] = ()
    durations: tuple[_Item, ...] = ()
    how_long: tuple[_Item, ...] = ()
    numbers: tuple[_Item, ...] = ()
    negations: tuple[_Item, ...] = ()
    hedges: tuple[_Item, ...] = ()
    names: tuple[_Name, ...] = field(default_factory=tuple)
    # key sets: a kind with equal sets on both sides has nothing to flag
    date_keys: frozenset = frozenset()
    weekday_keys: frozenset = frozenset()
    number_keys: frozenset = frozenset()
    name_words: frozenset = frozenset()
    name_sigs: tuple = ()


def extract_features(text: str) -> ClaimFeatures:
    """Everything `compare_features` needs from one claim. Each kind's regexes run only
    when a cheap substring test says the kind may be present."""
    low = text.casefold()
    present = set(_GATE_WORD.findall(low))
    has_digit = _DIGIT.search(text) is not None
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    durations: list[_Item] = []
    if not present.isdisjoint(_UNIT_WORDS):
        for m in _DURATION.finditer(text):
            unit = (m.group("unit") or m.group("unit2") or "").casefold()
            n = m.group("n")
            amount = _count_value(n) if n else 1.0
            # "in the last couple days", "the past month": when, or how long until now
            anchored = bool(m.group("unit2")) or bool(_ANCHOR.search(text, 0, m.start()))
            durations.append(_Item(m.group(), m.span(), (amount * _UNITS[unit], unit), anchored))
            taken.append(m.span())
    how_long: tuple[_Item, ...] = ()
    if "long" in present or "duration" in present:
        how_long = tuple(_Item(m.group(), m.span(), None) for m in _HOW_LONG.finditer(text))

    dates: list[_Item] = []
    if has_digit:
        has_month = not present.isdisjoint(_MONTHS)
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
                dates.append(_Item(m.group(), m.span(), (y, mo, d)))
                taken.append(m.span())
        dates.sort(key=lambda it: it.span)

    weekdays: list[_Item] = []
    if not present.isdisjoint(_WEEKDAY_WORDS):
        for m in _WEEKDAY.finditer(text):
            if free(*m.span()):
                weekdays.append(_Item(m.group(), m.span(), m.group().casefold().rstrip("s")))

    numbers: list[_Item] = []
    patterns = []
    if has_digit:
        patterns.append(_NUMBER_DIGITS)
    if not present.isdisjoint(_NUMBER_WORD_LIST):
        patterns.append(_NUMBER_WORDS)
    for pattern in patterns:
        for m in pattern.finditer(text):
            if free(*m.span()):
                numbers.append(_Item(m.group(), m.span(), _number_value(m)))
    numbers.sort(key=lambda it: it.span)

    negations: tuple[_Item, ...] = ()
    if not present.isdisjoint(_NEGATION_WORDS) or "n't" in low or "n’t" in low:
        negations = tuple(_Item(m.group(), m.span(), None) for m in _NEGATION.finditer(text))
    hedges: tuple[_Item, ...] = ()
    if not present.isdisjoint(_HEDGE_WORDS) or "said to" in low:
        hedges = tuple(
            _Item(m.group(), m.span(), m.group().casefold().split()[0][:5])
            for m in _HEDGE.finditer(text)
        )
    names = tuple(_names(text))
    return ClaimFeatures(
        text=text,
        dates=tuple(dates),
        weekdays=tuple(weekdays),
        durations=tuple(durations),
        how_long=how_long,
        numbers=tuple(numbers),
        negations=negations,
        hedges=hedges,
        names=names,
        date_keys=frozenset(d.key for d in dates),
        weekday_keys=frozenset(d.key for d in weekdays),
        number_keys=frozenset(d.key for d in numbers),
        name_words=frozenset(n.words for n in names),
        name_sigs=tuple(n.sig for n in names),
    )


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


def _number_value(m: re.Match[str]) -> tuple[float, bool]:
    groups = m.groupdict()
    if groups.get("v"):
        value = float(groups["v"].replace(",", ""))
        mult = groups["mult"]
        pct = bool(groups["pct"])
    else:
        value = float(NUMBER_WORDS[m.group("w").casefold()])
        mult = m.group("wmult")
        pct = bool(m.group("wpct"))
    if mult:
        value *= _MULTIPLIERS[mult.strip().casefold()]
    return (value, pct)


def _names(text: str) -> list[_Name]:
    toks = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
    is_name = [_is_name_word(w) for w, _, _ in toks]
    out: list[_Name] = []
    i = 0
    n = len(toks)
    while i < n:
        if not is_name[i]:
            i += 1
            continue
        run = [i]
        j = i
        while j + 1 < n and text[toks[j][2] : toks[j + 1][1]] in _NAME_GAPS:
            if is_name[j + 1]:
                run.append(j + 1)
                j += 1
            elif (  # "Bashar al Assad", "Abu Bakr": a connector followed by a name word
                toks[j + 1][0].casefold() in _CONNECTORS
                and j + 2 < n
                and is_name[j + 2]
                and text[toks[j + 1][2] : toks[j + 2][1]] in _NAME_GAPS
            ):
                run += [j + 1, j + 2]
                j += 2
            else:
                break
        i = j + 1
        # drop leading function words ("The", "On") and titles ("Col", "President")
        while run and _skippable(toks[run[0]][0]):
            run.pop(0)
        # a weekday or month ends the name ("Dillon Thursday" is not one name)
        for k, idx in enumerate(run):
            if _bare(toks[idx][0]) in _NOT_NAMES:
                run = run[:k]
                break
        if not run:
            continue
        words = tuple(_bare(toks[k][0]) for k in run)
        alias = _NAME_ALIASES.get(words)
        if alias:  # "U.S." and "United States" are one name
            words = keys = (alias,)
        else:
            keys = tuple(_name_key(toks[k][0]) for k in run)
        start, end = toks[run[0]][1], toks[run[-1]][2]
        initial = len(run) == 1 and bool(_SENTENCE_START.search(text, 0, start))
        out.append(
            _Name(
                text[start:end], (start, end), tuple((toks[k][1], toks[k][2]) for k in run),
                words, keys, _context(toks, run[0], -1), _context(toks, run[-1], +1), initial,
            )
        )  # fmt: skip
    return out


_NAME_GAPS = frozenset((" ", "\u00a0"))
_NAME_ALIASES = {
    ("us",): "us", ("usa",): "us", ("united", "states"): "us", ("america",): "us",
    ("united", "states", "of", "america"): "us", ("uk",): "uk", ("britain",): "uk",
    ("great", "britain"): "uk", ("united", "kingdom"): "uk", ("un",): "un",
    ("united", "nations"): "un", ("islamic", "state"): "isis", ("isis",): "isis",
    ("isil",): "isis", ("is",): "isis", ("daesh",): "isis",
}  # fmt: skip


@lru_cache(maxsize=65536)
def _skippable(w: str) -> bool:
    """A leading word that is not part of a name: "The", "On", "Col", "Thursday" (but
    not "US" or "IS", which are names however they are written)."""
    if len(w) > 1 and w.replace(".", "").isupper():
        return False
    return _bare(w) in _NAME_SKIP


@lru_cache(maxsize=65536)
def _is_name_word(w: str) -> bool:
    first = w[0]
    if not first.isalpha():
        return False
    if first.isupper():
        return w != "I"
    return ("-" in w or "‐" in w or "‑" in w) and bool(_PARTICLE_JOINED.match(w))


@lru_cache(maxsize=65536)
def _bare(w: str) -> str:
    """A word's surface form for comparison: casefolded, no dots, no possessive."""
    return fold(w).casefold().replace(".", "").removesuffix("'s").strip("'")


@lru_cache(maxsize=65536)
def _name_key(w: str) -> str:
    """'ez-Zor' -> 'zor', 'el-Zour' -> 'zor', "Russia's" -> 'russia', 'U.S.' -> 'us'."""
    s = fold(w).casefold().strip(".").removesuffix("'s")
    parts = [p for p in s.split("-") if p]
    if len(parts) > 1 and parts[0] in PARTICLES:
        parts = parts[1:]
    s = "".join(parts).replace("'", "").replace(".", "")
    if s.endswith("our"):
        s = s[:-3] + "or"
    return s


def _context(toks: list[tuple[str, int, int]], idx: int, step: int) -> str:
    got: list[str] = []
    k = idx + step
    while 0 <= k < len(toks) and len(got) < 2:
        got.append(_bare(toks[k][0]))
        if got[-1] not in _TRIVIAL_CONTEXT:
            break
        k += step
    if not got or all(g in _TRIVIAL_CONTEXT for g in got):
        return ""
    return " ".join(got if step > 0 else reversed(got))


# --- comparison ------------------------------------------------------------------------------


def find_hints(a: str, b: str) -> list[Hint]:
    """Where claim `a` and claim `b` differ; spans index `a` and `b` respectively."""
    return compare_features(_features(a), _features(b))


@lru_cache(maxsize=4096)
def _features(text: str) -> ClaimFeatures:
    """Hints are computed when pairs are shown, and a listing shows each claim against
    many others: extracting is most of the cost (ClaimFeatures is immutable)."""
    return extract_features(text)


def compare_features(fa: ClaimFeatures, fb: ClaimFeatures) -> list[Hint]:
    """`find_hints` on features extracted beforehand (what the aligner calls per pair).

    Each kind is skipped at once when both sides agree on it (equal key sets), which is
    what most pairs do for most kinds."""
    hints: list[Hint] = []
    if fa.dates and fb.dates and fa.date_keys != fb.date_keys:
        hints += _paired_diff("date", fa.dates, fb.dates, _dates_compatible)
    if fa.weekdays and fb.weekdays and fa.weekday_keys != fb.weekday_keys:
        hints += _paired_diff("weekday", fa.weekdays, fb.weekdays, _equal_keys)
    if fa.durations or fb.durations:
        hints += _duration_hints(fa, fb)
    if fa.numbers and fb.numbers and fa.number_keys != fb.number_keys:
        hints += _paired_diff("number", fa.numbers, fb.numbers, _equal_keys, by_pct=True)
    if bool(fa.negations) != bool(fb.negations):
        hints += _one_sided("negation", fa.negations, fb.negations)
    if bool(fa.hedges) != bool(fb.hedges):
        hints += _one_sided("hedge", fa.hedges, fb.hedges)
    if fa.names and fb.names and fa.name_words != fb.name_words:
        hints += _name_hints(fa, fb)
    return hints


def _equal_keys(x: _Item, y: _Item) -> bool:
    return x.key == y.key


def _dates_compatible(x: _Item, y: _Item) -> bool:
    return all(p is None or q is None or p == q for p, q in zip(x.key, y.key, strict=True))  # type: ignore[arg-type]


def _paired_diff(kind, xs, ys, same, by_pct: bool = False) -> list[Hint]:
    """Items on both sides with no counterpart on the other, paired in reading order."""
    if not xs or not ys:
        return []
    ux = [x for x in xs if not any(same(x, y) for y in ys)]
    uy = [y for y in ys if not any(same(x, y) for x in xs)]
    out: list[Hint] = []
    if by_pct:  # percentages with percentages and counts with counts first
        pairs: list[tuple[_Item, _Item]] = []
        for want in (True, False):
            gx = [x for x in ux if x.key[1] is want]
            gy = [y for y in uy if y.key[1] is want]
            pairs += zip(gx, gy, strict=False)
        used = {id(p) for pair in pairs for p in pair}
        pairs += zip(
            [x for x in ux if id(x) not in used],
            [y for y in uy if id(y) not in used],
            strict=False,
        )
        pairs.sort(key=lambda pair: pair[0].span)
    else:
        pairs = list(zip(ux, uy, strict=False))
    for x, y in pairs:
        out.append(Hint(kind, x.text, y.text, x.span, y.span))
    return out


def _duration_hints(fa: ClaimFeatures, fb: ClaimFeatures) -> list[Hint]:
    out = _paired_diff("duration", fa.durations, fb.durations, _same_duration)
    lengths_a = [d for d in fa.durations if not d.anchored]
    lengths_b = [d for d in fb.durations if not d.anchored]
    if lengths_a and not lengths_b and fb.how_long:
        x, y = lengths_a[0], fb.how_long[0]
        out.append(Hint("duration", x.text, y.text, x.span, y.span))
    elif lengths_b and not lengths_a and fa.how_long:
        x, y = fa.how_long[0], lengths_b[0]
        out.append(Hint("duration", x.text, y.text, x.span, y.span))
    return out


def _same_duration(x: _Item, y: _Item) -> bool:
    return x.key == y.key


def _one_sided(kind: str, xs: tuple[_Item, ...], ys: tuple[_Item, ...]) -> list[Hint]:
    if xs and not ys:
        return [Hint(kind, x.text, "", x.span, None) for x in xs]
    if ys and not xs:
        return [Hint(kind, "", y.text, None, y.span) for y in ys]
    return []


@lru_cache(maxsize=1 << 17)
def _word_similar(p: str, q: str) -> bool:
    if p == q:
        return True
    lp, lq = len(p), len(q)
    if lp < 3 or lq < 3 or 2 * min(lp, lq) < 0.6 * (lp + lq):
        return False  # too different in length for ratio >= 82 (or a stripped particle)
    if p.startswith(q) or q.startswith(p):
        return False  # Syria/Syrian, Iraq/Iraqi: different words, not a misspelling
    if particle_stripped(p) == q or particle_stripped(q) == p:
        return True
    return fuzz.ratio(p, q) >= 82.0


@lru_cache(maxsize=1 << 17)
def _relate(
    pw: tuple[str, ...], pk: tuple[str, ...], qw: tuple[str, ...], qk: tuple[str, ...]
) -> tuple[str, bool, tuple[int, int], tuple[int, int]] | None:
    """How two names relate, from their words and keys (cached: names repeat a lot)."""
    if pw == qw:
        return ("same", True, (0, 0), (0, 0))
    keys_nested = set(pk) <= set(qk) or set(qk) <= set(pk)
    if keys_nested and (set(pw) <= set(qw) or set(qw) <= set(pw)):
        return ("same", True, (0, 0), (0, 0))  # "Dillon" vs "Ryan Dillon"
    if (
        set(pk).isdisjoint(qk)
        and set(pw).isdisjoint(qw)
        and not any(_word_similar(x, y) for x in pk for y in qk)
    ):
        return None  # no word in common, none spelled alike: the usual case, decided fast
    swap = len(pw) > len(qw)
    sw, sk, lw, lk = (qw, qk, pw, pk) if swap else (pw, pk, qw, qk)
    pairs: list[tuple[int, int]] = []
    for si, skey in enumerate(sk):
        match = next((li for li, word in enumerate(lw) if sw[si] == word), None)
        if match is None:
            match = next((li for li, lkey in enumerate(lk) if _word_similar(skey, lkey)), None)
        if match is None:
            return None
        pairs.append((si, match))
    differing = [(si, li) for si, li in pairs if sw[si] != lw[li]]
    if not differing:
        return ("same", True, (0, 0), (0, 0))
    if len(sw) == len(lw):
        return ("spelling", True, (0, 0), (0, 0))
    s_idx = (differing[0][0], differing[-1][0])
    lis = sorted(li for _, li in differing)
    l_idx = (lis[0], lis[-1])
    return ("spelling", False, l_idx, s_idx) if swap else ("spelling", False, s_idx, l_idx)


def _name_hints(fa: ClaimFeatures, fb: ClaimFeatures) -> list[Hint]:
    pa, pb, ta, tb = fa.names, fb.names, fa.text, fb.text
    fa_sigs, fb_sigs = fa.name_sigs, fb.name_sigs
    out: list[Hint] = []
    for kind, i, j, rel in _match_names(fa_sigs, fb_sigs):
        p, q = pa[i], pb[j]
        if kind == "entity" or rel is None:
            out.append(Hint(kind, p.text, q.text, p.span, q.span))
            continue
        (a0, _), (_, a1) = p.word_spans[rel[0][0]], p.word_spans[rel[0][1]]
        (b0, _), (_, b1) = q.word_spans[rel[1][0]], q.word_spans[rel[1][1]]
        out.append(Hint(kind, ta[a0:a1], tb[b0:b1], (a0, a1), (b0, b1)))
    return out


@lru_cache(maxsize=1 << 16)
def _match_names(
    sa: tuple[_NameSig, ...], sb: tuple[_NameSig, ...]
) -> tuple[tuple[str, int, int, tuple[tuple[int, int], tuple[int, int]] | None], ...]:
    """Which names of a and b to flag: (kind, index in a, index in b, word ranges or None
    for the whole names). Works on name signatures only, so it is cached: the same sets of
    names meet again and again in one story."""
    words_a = {p[0] for p in sa}
    words_b = {q[0] for q in sb}
    matched_a = {i for i, p in enumerate(sa) if p[0] in words_b}
    matched_b = {j for j, q in enumerate(sb) if q[0] in words_a}
    if len(matched_a) == len(sa) or len(matched_b) == len(sb):
        return ()  # one side's names all appear on the other: nothing pairs up
    rel: dict[tuple[int, int], tuple | None] = {}
    for i, p in enumerate(sa):
        for j, q in enumerate(sb):
            if (i not in matched_a or j not in matched_b) and not p[5].isdisjoint(q[5]):
                rel[(i, j)] = _relate(p[0], p[1], q[0], q[1])
    for (i, j), r in rel.items():
        if r and r[0] == "same":
            matched_a.add(i)
            matched_b.add(j)
    out: list[tuple[str, int, int, tuple[tuple[int, int], tuple[int, int]] | None]] = []
    for i in range(len(sa)):
        if i in matched_a:
            continue
        for j in range(len(sb)):
            r = rel.get((i, j))
            if r and r[0] == "spelling" and j not in matched_b:
                whole, a_idx, b_idx = r[1], r[2], r[3]
                out.append(("spelling", i, j, None if whole else (a_idx, b_idx)))
                matched_a.add(i)
                matched_b.add(j)
                break
    # different names in the same slot: same context word before or after
    for i, p in enumerate(sa):
        if i in matched_a or not _could_be_name(p):
            continue
        for j, q in enumerate(sb):
            if j in matched_b or not _could_be_name(q):
                continue
            same_left = p[2] and p[2] == q[2] and not (p[4] or q[4])
            same_right = p[3] and p[3] == q[3]
            if same_left or same_right:
                out.append(("entity", i, j, None))
                matched_a.add(i)
                matched_b.add(j)
                break
    return tuple(out)


def _could_be_name(sig: _NameSig) -> bool:
    return not (sig[4] and sig[0][0] in _COMMON_STARTERS)
