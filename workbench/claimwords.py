"""The words of a claim as context: offsets, matching keys, clauses, and what is near a span.

`words_of(text)` tokenises a claim once (cached): each token keeps its offsets, its matching
key (`context_key`: "firing" -> "fir", "said" -> `SAY`, "" for function words and numbers)
and its clause number (a clause ends at ";", a dash, or a word such as "that" or "while":
"announced Thursday | that the meeting took place Tuesday"). `context_of` gives the words
around a span, weighted by distance, with the counted noun after it ("23 people"); two
items' `affinity` says how surely they are about one thing. The hint finder pairs figures,
dates and weekdays with it; the polarity module finds what a negation negates.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from workbench.textnorm import NUMBER_WORDS, STOPWORDS, canon_word, fold, word_set

_MONTH_WORDS = word_set("""january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec""")
_WEEKDAY_WORDS = word_set("""monday tuesday wednesday thursday friday saturday sunday mondays tuesdays
    wednesdays thursdays fridays saturdays sundays""")
_TOKEN = re.compile(r"[0-9]+(?:[.,:][0-9]+)*|[^\W\d_]+(?:['’\-‐‑][^\W\d_]+)*|[^\w\s]")
_CLAUSE_PUNCT = frozenset(";:!?()[]—–―")
SENTENCE_PUNCT = frozenset(".;!?")
# Words that open another clause: "announced Thursday | that the meeting took place Tuesday".
# Not "since", "after", "before", "until": as often prepositions ("led them since 2002").
_CLAUSE_WORDS = word_set("""that which who whom whose when while because although though but and whereas where
    unless if""")
_BOUNDARIES = _CLAUSE_WORDS | _CLAUSE_PUNCT
_OPENERS = frozenset('.!?:;"“‘(')
_ABBREVIATIONS = word_set("""mr mrs ms dr st sen rep gov gen col lt maj sgt capt jr sr jan feb mar apr jun jul
    aug sep sept oct nov dec no inc corp co ltd vs etc""")
# Verb forms only: "the report", "the states" and "a tweet" are things, not reporting.
REPORTING = word_set("""say says said saying tell tells told telling add adds added adding stated announce
    announces announced announcing reported tweeted tweeting write writes wrote confirm
    confirms confirmed declare declares declared explain explained noted insist insisted
    argue argued acknowledge acknowledged""")
SAY = "@say"
_CALENDAR = (
    _MONTH_WORDS
    | _WEEKDAY_WORDS
    | word_set(
        "today yesterday tomorrow tonight morning afternoon evening night week weekend month year"
    )
)
_QUALIFIER_WORDS = word_set("""about around roughly approximately nearly almost least more than less fewer over
    under up estimated some only just exactly many much million millions billion billions
    trillion trillions thousands hundreds dozens bn percent cent dollars""")
# Function words textnorm's STOPWORDS keeps (it matches sentences, we weigh context).
_MORE_FUNCTION_WORDS = word_set("""since upon amid among despite toward towards within across along behind beyond
    near onto throughout versus already ago later earlier soon another every last next""")
_LOCAL_SYNONYMS = {"died": "kill", "die": "kill", "dies": "kill", "dying": "kill"}
_NOUN_GLUE = word_set("of the a an their his her its our those these other")
_DISTANCE_WEIGHT = (10, 8, 6, 5)  # integer weights: sums are exact, so pairing is symmetric
_WINDOW = len(_DISTANCE_WEIGHT)


@lru_cache(maxsize=65536)
def context_key(low: str) -> str:
    """A word as context: its matching form, `SAY` for a reporting verb, "" for function
    words, numbers, calendar words and punctuation."""
    if not low[:1].isalpha():
        return ""
    w = fold(low).replace("’", "'")
    if w.endswith("n't"):
        return ""
    w = w.removesuffix("'s").replace("'", "")
    w = w.replace("-", "").replace("‐", "").replace("‑", "")
    if w in REPORTING:
        return SAY
    if (
        not w
        or w in STOPWORDS
        or w in _MORE_FUNCTION_WORDS
        or w in _CALENDAR
        or w in NUMBER_WORDS
        or w in _QUALIFIER_WORDS
    ):
        return ""
    k = canon_word(w)
    k = _LOCAL_SYNONYMS.get(w, _LOCAL_SYNONYMS.get(k, k))
    return k[:-1] if len(k) > 3 and k.endswith("e") else k  # "fire" == "firing" ("fir")


class Tok:
    """One token of a claim. A plain class: a story has ~10^5 tokens, and a dataclass
    costs twice as much to build."""

    __slots__ = ("capital", "clause", "end", "key", "low", "start")

    def __init__(self, start: int, end: int, low: str, key: str, clause: int, capital: bool):
        self.start = start
        self.end = end
        self.low = low
        self.key = key  # context key ("" for function words, numbers, punctuation)
        self.clause = clause
        self.capital = capital  # capitalised mid-sentence: a name, which says less than a verb


# word as written -> (casefolded, context key, opens a clause, capitalised, opens a sentence,
# is a word); a plain dict, bounded, because lru_cache's call costs more than the lookup
_WORDS: dict[str, tuple[str, str, bool, bool, bool, bool]] = {}


def _word_info(word: str) -> tuple[str, str, bool, bool, bool, bool]:
    info = _WORDS.get(word)
    if info is None:
        low = word.casefold()
        boundary = low in _BOUNDARIES
        key = "" if boundary else context_key(low)
        info = (low, key, boundary, word[0].isupper(), low in _OPENERS, low[0].isalnum())
        if len(_WORDS) < 200_000:  # a long run meets new words forever
            _WORDS[word] = info
    return info


_LETTERS = re.compile(r"[a-z]+")


@lru_cache(maxsize=8192)
def gate_words(text: str) -> frozenset[str]:
    """The casefolded letter runs of a claim: what the cheap test before each pattern
    looks at ("does a weekday occur at all?"), computed once per claim."""
    return frozenset(_LETTERS.findall(text.casefold()))


def tokens(text: str) -> tuple[Tok, ...]:
    out: list[Tok] = []
    clause = 0
    prev_low = ""
    opening = True  # at the start of a sentence a capital says nothing about a name
    for m in _TOKEN.finditer(text):
        low, key, boundary, upper, opener, alnum = _word_info(m.group())
        if boundary or (
            low == "."
            and (len(prev_low) > 1 or prev_low.isdigit())
            and prev_low not in _ABBREVIATIONS
        ):
            clause += 1
            key = ""
        out.append(Tok(m.start(), m.end(), low, key, clause, upper and not opening))
        prev_low = low
        opening = opener or (opening and not alnum)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Context:
    """The words around an item: key -> weight (nearer is heavier), the counted noun(s)
    right after it, and whether a reporting verb is next to it ("said Thursday")."""

    words: Mapping[str, int]
    nouns: frozenset[str]  # lowercase words after a figure ("people", "buses")
    named: frozenset[str]  # capitalised ones ("Americans", "Russian"): weaker alone
    places: frozenset[str]  # names right next to it ("out of Syria", "Pelosi said")
    reporting: bool

    def nearest(self) -> list[str]:
        """The context words, heaviest (nearest, not a name) first; ties by spelling."""
        return sorted((k for k in self.words if k != SAY), key=lambda k: (-self.words[k], k))


NO_CONTEXT = Context({}, frozenset(), frozenset(), frozenset(), False)


def context_of(toks: Sequence[Tok], starts: Sequence[int], span: tuple[int, int]) -> Context:
    i0 = bisect.bisect_left(starts, span[0])
    i1 = bisect.bisect_left(starts, span[1])
    if i0 >= len(toks):
        return NO_CONTEXT
    words: dict[str, int] = {}
    places: set[str] = set()
    reporting = False
    for step, origin, clause in (
        (-1, i0, toks[i0].clause),
        (1, i1 - 1, toks[max(i0, i1 - 1)].clause),
    ):
        k = origin + step
        seen = 0
        while 0 <= k < len(toks) and toks[k].clause == clause and seen < _WINDOW:
            key = toks[k].key
            if key:
                weight = _DISTANCE_WEIGHT[seen]
                if key == SAY:
                    reporting = reporting or seen < 2
                    weight //= 2
                elif toks[k].capital:
                    weight //= 2
                    if seen < 2:
                        places.add(key)
                if weight > words.get(key, 0):
                    words[key] = weight
                seen += 1
            k += step
    nouns, named = _counted_nouns(toks, i1)
    return Context(words, nouns, named, frozenset(places - named), reporting)


def _counted_nouns(toks: Sequence[Tok], i: int) -> tuple[frozenset[str], frozenset[str]]:
    """ "23 people", "10 new buses", "six of the fighters", "1.5 million Americans": the first
    words after a figure, (lowercase, capitalised)."""
    got: list[Tok] = []
    clause = toks[i].clause if i < len(toks) else -1
    for tok in toks[i : i + 4]:
        if tok.clause != clause:
            break
        if tok.key:
            if tok.key != SAY:
                got.append(tok)
            if len(got) == 2:
                break
        elif tok.low not in _NOUN_GLUE:
            break
    return (
        frozenset(t.key for t in got if not t.capital),
        frozenset(t.key for t in got if t.capital),
    )


def affinity(x: Context, y: Context) -> int:
    """How surely two items are about one thing: a shared counted noun (20) plus the shared
    context words' weights (10 for a word next to both). A capitalised noun counts only when
    it is all there is on both sides ("1.5 million Americans"): "12 Russian officers" and
    "26 Russian nationals" are not one count."""
    shared_nouns = x.nouns & y.nouns
    if not shared_nouns and not x.nouns and not y.nouns and x.named and x.named == y.named:
        shared_nouns = x.named
    score = 20 if shared_nouns else 0
    small, large = (x.words, y.words) if len(x.words) <= len(y.words) else (y.words, x.words)
    for key, weight in small.items():
        other = large.get(key)
        if other and key not in shared_nouns:
            score += min(weight, other)
    if x.places and y.places and x.places.isdisjoint(y.places):
        score -= 8  # "2,000 troops out of Syria" / "25,000 troops in South Korea"
    return score


ADVERB_SKIP = word_set("""yet ever also even still always really actually necessarily immediately directly
    publicly explicitly specifically formally officially initially previously fully entirely
    completely exactly clearly quite much again already""")


def adverb(low: str) -> bool:
    return low in ADVERB_SKIP or (low.endswith("ly") and len(low) > 4)


@lru_cache(maxsize=8192)
def words_of(text: str) -> tuple[tuple[Tok, ...], list[int]]:
    toks = tokens(text)
    return toks, [t.start for t in toks]


def weighted(toks: Sequence[Tok], indices: Sequence[int]) -> tuple[tuple[str, float], ...]:
    """Context keys with a weight: 1 for a word, 0.5 for a name (it says less about what
    is negated or denied than a verb or a noun)."""
    got: dict[str, float] = {}
    for k in indices:
        t = toks[k]
        if t.key and t.key != SAY:
            got[t.key] = max(got.get(t.key, 0.0), 0.5 if t.capital else 1.0)
    return tuple(sorted(got.items()))
