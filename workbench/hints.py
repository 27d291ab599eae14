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
_ANCHOR = re.compile(r"\b(?:last|past|previous|recent|next|coming|first|final)\s+(?:the\s+)?$", re.I)
_HOW_LONG = re.compile(r"\bhow\s+long\b|\bduration\b", re.IGNORECASE)

_NUMBER = re.compile(
    r"(?<![\w.,/-])(?P<v>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)"
    r"(?P<mult>\s+(?:million|billion|trillion|thousand|hundred))?"
    r"(?P<pct>\s?%|\s+per\s?cent\b|\s+percent\b)?(?![\w-]|\.[0-9])"
    r"|\b(?P<w>two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|dozen)(?P<wmult>\s+(?:million|billion|trillion|thousand|"
    r"hundred))?(?P<wpct>\s+per\s?cent\b|\s+percent\b)?\b",
    re.IGNORECASE,
)
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
_PARTICLE_JOINED = re.compile(r"^(?:" + "|".join(sorted(PARTICLES)) + r")[-‐‑][A-Z]", re.I)
_CONNECTORS = frozenset("al el ez es bin ibn de del della di da van von der den la le du dos das abu".split())
_TITLES = frozenset(
    """mr mrs ms dr prof sen rep gov gen col lt maj sgt capt cmdr adm brig cpl pvt amb
    president secretary minister colonel general major lieutenant captain admiral sergeant
    senator governor spokesman spokeswoman chairman""".split()
)
_NOT_NAMES = frozenset(
    """i monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december jan feb mar apr jun jul
    aug sep sept oct nov dec""".split()
)
_SENTENCE_START = re.compile(r"(?:^|[.!?…:;]['\"’”)\]]*\s+|[\"“‘(\[]\s*|\n\s*)\Z")
# Capitalised at the start of a sentence but rarely a name.
_COMMON_STARTERS = frozenset(
    """according after although asked because before both despite during earlier even
    however instead last later meanwhile moreover officials prior since still tensions
    then thus today tomorrow yesterday until while yet senior several many most some
    police authorities critics experts analysts residents witnesses prosecutors""".split()
)
_NAME_SKIP = STOPWORDS | _TITLES | _NOT_NAMES
_TRIVIAL_CONTEXT = frozenset("the a an of in on at to from and or by for with".split())


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


def extract_features(text: str) -> ClaimFeatures:
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    durations: list[_Item] = []
    for m in _DURATION.finditer(text):
        unit = (m.group("unit") or m.group("unit2") or "").casefold()
        n = m.group("n")
        amount = _count_value(n) if n else 1.0
        # "in the last couple days", "the past month": when, or for how long until now
        anchored = bool(m.group("unit2")) or bool(_ANCHOR.search(text, 0, m.start()))
        durations.append(_Item(m.group(), m.span(), (amount * _UNITS[unit], unit), anchored))
        taken.append(m.span())
    how_long = tuple(_Item(m.group(), m.span(), None) for m in _HOW_LONG.finditer(text))

    dates: list[_Item] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if not free(*m.span()):
                continue
            groups = m.groupdict()
            month = groups.get("m")
            mo = _MONTHS.get(month.casefold()) if month and not month.isdigit() else None
            if month and month.isdigit():
                mo = int(month)
            day = groups.get("d")
            d = int(re.sub(r"\D", "", day)) if day else None
            y = int(groups["y"]) if groups.get("y") else None
            dates.append(_Item(m.group(), m.span(), (y, mo, d)))
            taken.append(m.span())
    dates.sort(key=lambda it: it.span)

    weekdays = []
    for m in _WEEKDAY.finditer(text):
        if free(*m.span()):
            weekdays.append(_Item(m.group(), m.span(), m.group().casefold().rstrip("s")))

    numbers: list[_Item] = []
    for m in _NUMBER.finditer(text):
        if not free(*m.span()):
            continue
        value = _number_value(m)
        if value is None:
            continue
        numbers.append(_Item(m.group(), m.span(), value))

    negations = tuple(_Item(m.group(), m.span(), None) for m in _NEGATION.finditer(text))
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


def _number_value(m: re.Match[str]) -> tuple[float, bool] | None:
    if m.group("v"):
        try:
            value = float(m.group("v").replace(",", ""))
        except ValueError:
            return None
        mult = m.group("mult")
        pct = bool(m.group("pct"))
    else:
        value = float(NUMBER_WORDS[m.group("w").casefold()])
        mult = m.group("wmult")
        pct = bool(m.group("wpct"))
    if mult:
        value *= _MULTIPLIERS[mult.strip().casefold()]
    return (value, pct)


def _names(text: str) -> list[_Name]:
    words = list(_WORD.finditer(text))
    out: list[_Name] = []
    i = 0
    while i < len(words):
        if not _is_name_word(words[i].group()):
            i += 1
            continue
        j = i
        run = [i]
        while j + 1 < len(words):
            nxt = words[j + 1]
            if text[words[j].end() : nxt.start()] not in (" ", "\u00a0"):
                break
            if _is_name_word(nxt.group()):
                run.append(j + 1)
                j += 1
                continue
            # "Bashar al Assad", "Abu Bakr": a connector followed by a name word
            if (
                nxt.group().casefold() in _CONNECTORS
                and j + 2 < len(words)
                and text[nxt.end() : words[j + 2].start()] in (" ", "\u00a0")
                and _is_name_word(words[j + 2].group())
            ):
                run.extend([j + 1, j + 2])
                j += 2
                continue
            break
        i = j + 1
        # drop leading function words ("The", "On") and titles ("Col", "President")
        while run and _bare(words[run[0]].group()) in _NAME_SKIP:
            run.pop(0)
        # a weekday or month ends the name ("Dillon Thursday" is not one name)
        for k, idx in enumerate(run):
            if _bare(words[idx].group()) in _NOT_NAMES:
                run = run[:k]
                break
        if not run:
            continue
        spans = tuple(words[k].span() for k in run)
        start, end = spans[0][0], spans[-1][1]
        initial = len(run) == 1 and bool(_SENTENCE_START.search(text, 0, start))
        out.append(
            _Name(
                text[start:end], (start, end), spans,
                tuple(_bare(words[k].group()) for k in run),
                tuple(_name_key(words[k].group()) for k in run),
                _context(words, run[0], -1), _context(words, run[-1], +1), initial,
            )
        )  # fmt: skip
    return out


def _is_name_word(w: str) -> bool:
    if not w or not w[0].isalpha():
        return False
    if w[0].isupper():
        return _bare(w) not in ("i",)
    return bool(_PARTICLE_JOINED.match(w))


def _bare(w: str) -> str:
    """A word's surface form for comparison: casefolded, no dots, no possessive."""
    s = fold(w).casefold().replace(".", "")
    if s.endswith("'s"):
        s = s[:-2]
    return s.strip("'")


def _name_key(w: str) -> str:
    """'ez-Zor' -> 'zor', 'el-Zour' -> 'zor', "Russia's" -> 'russia', 'U.S.' -> 'us'."""
    s = fold(w).casefold().strip(".")
    if s.endswith("'s"):
        s = s[:-2]
    parts = [p for p in re.split(r"-", s) if p]
    if len(parts) > 1 and parts[0] in PARTICLES:
        parts = parts[1:]
    s = "".join(parts).replace("'", "").replace(".", "")
    s = re.sub(r"our$", "or", s)
    return s


def _context(words: list[re.Match[str]], idx: int, step: int) -> str:
    got: list[str] = []
    k = idx + step
    while 0 <= k < len(words) and len(got) < 2:
        got.append(_bare(words[k].group()))
        if got[-1] not in _TRIVIAL_CONTEXT:
            break
        k += step
    if not got or all(g in _TRIVIAL_CONTEXT for g in got):
        return ""
    return " ".join(got if step > 0 else reversed(got))


# --- comparison ------------------------------------------------------------------------------


def find_hints(a: str, b: str) -> list[Hint]:
    """Where claim `a` and claim `b` differ; spans index `a` and `b` respectively."""
    return compare_features(extract_features(a), extract_features(b))


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
        hints += _name_hints(fa.names, fb.names, fa.text, fb.text)
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
            [x for x in ux if id(x) not in used], [y for y in uy if id(y) not in used],
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


@lru_cache(maxsize=65536)
def _word_similar(p: str, q: str) -> bool:
    if p == q:
        return True
    if len(p) < 3 or len(q) < 3:
        return False
    if p.startswith(q) or q.startswith(p):
        return False  # Syria/Syrian, Iraq/Iraqi: different words, not a misspelling
    if particle_stripped(p) == q or particle_stripped(q) == p:
        return True
    return fuzz.ratio(p, q) >= 82.0


_Relation = tuple[str, tuple[int, int], tuple[int, int]] | None


def _name_relation(p: _Name, q: _Name) -> _Relation:
    """('same', ...) when there is nothing to flag, ('spelling', a_span, b_span) when one
    name is spelled two ways (spans of the differing part), None when unrelated."""
    found = _relate(p.words, p.keys, q.words, q.keys)
    if found is None or found[0] == "same":
        return None if found is None else ("same", p.span, q.span)
    _, whole, a_idx, b_idx = found
    if whole:  # "Deir ez-Zor" / "Deir al-Zor"
        return ("spelling", p.span, q.span)
    # "Dillion" / "Army Colonel Ryan Dillon": just the differing words
    return (
        "spelling",
        (p.word_spans[a_idx[0]][0], p.word_spans[a_idx[1]][1]),
        (q.word_spans[b_idx[0]][0], q.word_spans[b_idx[1]][1]),
    )


@lru_cache(maxsize=65536)
def _relate(
    pw: tuple[str, ...], pk: tuple[str, ...], qw: tuple[str, ...], qk: tuple[str, ...]
) -> tuple[str, bool, tuple[int, int], tuple[int, int]] | None:
    """How two names relate, from their words and keys (cached: names repeat a lot)."""
    if pw == qw:
        return ("same", True, (0, 0), (0, 0))
    if set(pk) <= set(qk) or set(qk) <= set(pk):
        if set(pw) <= set(qw) or set(qw) <= set(pw):
            return ("same", True, (0, 0), (0, 0))  # "Dillon" vs "Ryan Dillon"
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


def _name_hints(
    pa: tuple[_Name, ...], pb: tuple[_Name, ...], ta: str, tb: str
) -> list[Hint]:
    if not pa or not pb:
        return []
    out: list[Hint] = []
    rel = [[_name_relation(p, q) for q in pb] for p in pa]
    matched_a = {i for i, row in enumerate(rel) if any(r and r[0] == "same" for r in row)}
    matched_b = {
        j for j in range(len(pb)) if any(row[j] and row[j][0] == "same" for row in rel)
    }
    for i, row in enumerate(rel):
        if i in matched_a:
            continue
        for j, r in enumerate(row):
            if r and r[0] == "spelling" and j not in matched_b:
                (a0, a1), (b0, b1) = r[1], r[2]
                out.append(Hint("spelling", ta[a0:a1], tb[b0:b1], (a0, a1), (b0, b1)))
                matched_a.add(i)
                matched_b.add(j)
                break
    # different names in the same slot: same context word before or after
    for i, p in enumerate(pa):
        if i in matched_a or not _could_be_name(p):
            continue
        for j, q in enumerate(pb):
            if j in matched_b or not _could_be_name(q):
                continue
            same_left = p.left and p.left == q.left and not (p.initial_only or q.initial_only)
            same_right = p.right and p.right == q.right
            if same_left or same_right:
                out.append(Hint("entity", p.text, q.text, p.span, q.span))
                matched_a.add(i)
                matched_b.add(j)
                break
    return out


def _could_be_name(p: _Name) -> bool:
    return not (p.initial_only and p.words[0] in _COMMON_STARTERS)
