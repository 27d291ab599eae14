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

from workbench.textnorm import NUMBER_WORDS, STOPWORDS, TEXT_CACHE_SIZE, canon_word, fold, word_set

_MONTH_WORDS = word_set("""january february march april may june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec""")
_WEEKDAY_WORDS = word_set("""monday tuesday wednesday thursday friday saturday sunday mondays tuesdays
    wednesdays thursdays fridays saturdays sundays""")
# Every token starts with a non-space: the lookahead skips spaces at once.
_TOKEN = re.compile(r"(?=\S)(?:[0-9]+(?:[.,:][0-9]+)*|[^\W\d_]+(?:['’\-‐‑][^\W\d_]+)*|[^\w\s])")
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


class Words:
    """The tokens of a claim as columns: token k is at starts[k]:ends[k], casefolded
    lows[k], with context key keys[k] ("" for function words, numbers, punctuation), in
    clause clauses[k], and capitals[k] when capitalised mid-sentence (a name, which says
    less than a verb). Columns, because a story has ~10^5 tokens and an object per token
    costs twice what a tuple per token, transposed, does."""

    __slots__ = ("capitals", "clauses", "ends", "keys", "lows", "starts")

    def __init__(self, rows: Sequence[tuple[int, int, str, str, int, bool]]):
        columns = tuple(zip(*rows, strict=True)) if rows else ((),) * 6
        self.starts: tuple[int, ...] = columns[0]
        self.ends: tuple[int, ...] = columns[1]
        self.lows: tuple[str, ...] = columns[2]
        self.keys: tuple[str, ...] = columns[3]
        self.clauses: tuple[int, ...] = columns[4]
        self.capitals: tuple[bool, ...] = columns[5]

    def __len__(self) -> int:
        return len(self.starts)


# word as written -> (casefolded, context key, opens a clause, capitalised, opens a sentence,
# is a word, a period after it ends a sentence, its length as written)
WordInfo = tuple[str, str, bool, bool, bool, bool, bool, int]


class _WordInfos(dict[str, WordInfo]):
    """A plain dict with the facts computed on a miss: a lookup is far cheaper than an
    lru_cache call; bounded, because a long run meets new words forever."""

    def __missing__(self, word: str) -> WordInfo:
        low = word.casefold()
        boundary = low in _BOUNDARIES
        info = (
            low,
            "" if boundary else context_key(low),
            boundary,
            word[0].isupper(),
            low in _OPENERS,
            low[0].isalnum(),
            (len(low) > 1 or low.isdigit()) and low not in _ABBREVIATIONS,
            len(word),
        )
        if len(self) < 200_000:
            self[word] = info
        return info


_WORDS = _WordInfos()


_LETTERS = re.compile(r"[a-z]+")


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def gate_words(text: str) -> frozenset[str]:
    """The casefolded letter runs of a claim: what the cheap test before each pattern
    looks at ("does a weekday occur at all?"), computed once per claim."""
    return frozenset(_LETTERS.findall(text.casefold()))


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def words_of(text: str) -> Words:
    """The tokens of a claim (cached: the hint finder and the polarity module share them)."""
    rows = []
    append = rows.append
    infos = _WORDS
    find = text.find
    end = 0
    clause = 0
    closes = False  # a period after the previous token ends a sentence
    opening = True  # at the start of a sentence a capital says nothing about a name
    # findall and find: no match object per token. A token starts at the first occurrence
    # of its text after the previous one, as the positions between can start no token.
    # (A token that opens a clause has no key already: a clause word, or punctuation.)
    for word in _TOKEN.findall(text):
        low, key, boundary, upper, opener, alnum, period_ends, size = infos[word]
        if boundary or (closes and low == "."):
            clause += 1
        start = find(word, end)
        end = start + size
        append((start, end, low, key, clause, upper and not opening))
        closes = period_ends
        opening = opener or (opening and not alnum)
    return Words(rows)


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


def context_of(words: Words, span: tuple[int, int]) -> Context:
    starts, clauses, keys, capitals = words.starts, words.clauses, words.keys, words.capitals
    n = len(starts)
    i0 = bisect.bisect_left(starts, span[0])
    i1 = bisect.bisect_left(starts, span[1])
    if i0 >= n:
        return NO_CONTEXT
    weights: dict[str, int] = {}
    places: set[str] = set()
    reporting = False
    for step, origin, clause in (
        (-1, i0, clauses[i0]),
        (1, i1 - 1, clauses[max(i0, i1 - 1)]),
    ):
        k = origin + step
        seen = 0
        while 0 <= k < n and clauses[k] == clause and seen < _WINDOW:
            key = keys[k]
            if key:
                weight = _DISTANCE_WEIGHT[seen]
                if key == SAY:
                    reporting = reporting or seen < 2
                    weight //= 2
                elif capitals[k]:
                    weight //= 2
                    if seen < 2:
                        places.add(key)
                if weight > weights.get(key, 0):
                    weights[key] = weight
                seen += 1
            k += step
    nouns, named = _counted_nouns(words, i1)
    return Context(weights, nouns, named, frozenset(places - named), reporting)


def _counted_nouns(words: Words, i: int) -> tuple[frozenset[str], frozenset[str]]:
    """ "23 people", "10 new buses", "six of the fighters", "1.5 million Americans": the first
    words after a figure, (lowercase, capitalised)."""
    clauses, keys = words.clauses, words.keys
    n = len(clauses)
    got: list[int] = []
    clause = clauses[i] if i < n else -1
    for k in range(i, min(i + 4, n)):
        if clauses[k] != clause:
            break
        if keys[k]:
            if keys[k] != SAY:
                got.append(k)
            if len(got) == 2:
                break
        elif words.lows[k] not in _NOUN_GLUE:
            break
    capitals = words.capitals
    return (
        frozenset(keys[k] for k in got if not capitals[k]),
        frozenset(keys[k] for k in got if capitals[k]),
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


def weighted(words: Words, indices: Sequence[int]) -> tuple[tuple[str, float], ...]:
    """Context keys with a weight: 1 for a word, 0.5 for a name (it says less about what
    is negated or denied than a verb or a noun)."""
    keys, capitals = words.keys, words.capitals
    got: dict[str, float] = {}
    for k in indices:
        key = keys[k]
        if key and key != SAY:
            got[key] = max(got.get(key, 0.0), 0.5 if capitals[k] else 1.0)
    return tuple(sorted(got.items()))
