"""Normalise claim text for matching across articles (pure functions, no I/O).

Two articles reporting one fact rarely spell it the same way: British/American spelling
(emphasised/emphasized), hyphenation (de-conflict/deconflict), transliterated names
(Deir ez-Zor / Deir al-Zor / Deir el-Zour), curly quotes, non-breaking spaces, "six" vs "6".
`content_tokens` maps all of those to one form and drops function words, so that the
aligner compares what a sentence is about. The mapping is a function applied to both sides,
so it only has to be consistent, not linguistically right: "promise" becoming "promize" is
harmless because every article gets the same treatment.

`fold` is the character-level part (NFKC, quotes, dashes, spaces); it keeps no offsets and is
only used for matching. The hint finder works on the original text and never on folded text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import chain

# Stored with each claim's normalised words: a database normalised by another version is
# normalised again before it is aligned. Change it whenever content_tokens changes.
NORMALIZER_VERSION = "2"

# Size of every per-text cache of the text modules: a 20,000-claim story, with the bare
# replies joined to the sentence before them, stays cached while it is aligned.
TEXT_CACHE_SIZE = 1 << 15

# How much of one claim the hint finder and the polarity of a claim read. A sentence is far
# shorter (the longest in BASIL is about 2,000 characters); what is longer is a table, a
# list or text without punctuation, whose figures and negations, compared pairwise, would
# let one claim cost minutes.
CLAIM_CHARS = 5_000

# --- characters ----------------------------------------------------------------------------

_CHAR_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u00b4": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
        "\u2033": '"', "\u00ab": '"', "\u00bb": '"', "\u2010": "-", "\u2011": "-",
        "\u2012": "-", "\u2013": "-", "\u2014": " - ", "\u2015": " - ", "\u2212": "-",
        "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None,
    }
)  # fmt: skip


def fold(text: str) -> str:
    """NFKC (non-breaking spaces become spaces), straight quotes, ASCII hyphens."""
    if text.isascii():  # NFKC leaves ASCII alone, and of _CHAR_MAP only "`" is ASCII
        return text.replace("`", "'") if "`" in text else text
    if not unicodedata.is_normalized("NFKC", text):  # a quick check: most text already is
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_CHAR_MAP)


# --- word lists ----------------------------------------------------------------------------


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string."""
    return frozenset(words.split())


STOPWORDS = word_set("""a an the and or but if nor so yet of at by for with about against between into through
    during before after above below to from up down in out on off over under again further
    then once here there when where why how all any both each few more most other some such
    no not only own same than too very s t can will just should now i me my myself we our ours
    ourselves you your yours he him his himself she her hers herself it its itself they them
    their theirs themselves what which who whom whose this that these those am is are was were
    be been being have has had having do does did doing would could may might must shall ought
    also said say says saying told tell tells added add adds according while whether because as
    until unless although though however even still there's it's that's let's ever via per
    mr mrs ms dr""")

# Transliterated Arabic article ("Deir ez-Zor", "Deir al-Zor", "Deir el-Zour") and similar
# particles: dropped when hyphenated to a following name part.
PARTICLES = word_set("al el ez es ad as ash an ar at az ed er et ul ud adh ath ud-")

# Bound prefixes: "de-conflict" == "deconflict", "co-operation" == "cooperation".
_BOUND_PREFIXES = word_set("de re co pre non un mid sub inter e")

NUMBER_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000,
    "dozen": 12,
}  # fmt: skip

# Month abbreviations ("Feb. 28", "Sept. 21") as the month's name. "May" is itself, and
# "mar"/"jan" are left alone where they are words of their own elsewhere.
MONTH_ABBREVIATIONS = {
    "jan": "january", "feb": "february", "apr": "april", "jun": "june", "jul": "july",
    "aug": "august", "sep": "september", "sept": "september", "oct": "october",
    "nov": "november", "dec": "december",
}  # fmt: skip

ORDINAL_WORDS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}  # fmt: skip

_IRREGULAR = {
    "met": "meet", "held": "hold", "struck": "strike", "took": "take", "fought": "fight",
    "made": "make", "gave": "give", "sent": "send", "began": "begin", "came": "come",
    "saw": "see", "knew": "know", "found": "find", "brought": "bring", "thought": "think",
    "shot": "shoot", "won": "win", "lost": "lose", "kept": "keep", "spoke": "speak",
    "spoken": "speak", "wrote": "write", "written": "write", "ran": "run", "rose": "rise",
    "fell": "fall", "sought": "seek", "caught": "catch", "bought": "buy", "sold": "sell",
    "paid": "pay", "laid": "lay", "hit": "hit", "led": "lead", "fled": "flee", "hid": "hide",
    "hidden": "hide", "chose": "choose", "chosen": "choose", "drove": "drive", "flew": "fly",
    "flown": "fly", "withdrew": "withdraw", "withdrawn": "withdraw", "men": "man",
    "women": "woman", "children": "child", "people": "person",
}  # fmt: skip

# British spellings not caught by the suffix rules below.
_SPELLING = {
    "defence": "defense", "offence": "offense", "licence": "license", "pretence": "pretense",
    "grey": "gray", "programme": "program", "programmes": "programs", "aluminium": "aluminum",
    "tyre": "tire", "tyres": "tires", "kerb": "curb", "cheque": "check", "cheques": "checks",
    "manoeuvre": "maneuver", "manoeuvres": "maneuvers", "jewellery": "jewelry",
    "sceptical": "skeptical", "sceptic": "skeptic", "storey": "story", "plough": "plow",
    "ageing": "aging", "judgement": "judgment", "acknowledgement": "acknowledgment",
    "whilst": "while", "amongst": "among", "learnt": "learned", "spelt": "spelled",
    "burnt": "burned", "dreamt": "dreamed", "enrol": "enroll", "fulfil": "fulfill",
    "telephone": "phone", "telephones": "phones", "airstrike": "strike", "airstrikes": "strikes",
}  # fmt: skip

# Multi-word aliases, applied to folded text before tokenising (case-sensitive on purpose:
# "US" is the country, "us" the pronoun; "IS" the group, "is" the verb).
_ALIASES = [
    (re.compile(r"\bU\.\s?S\.(?:\s?A\.)?|\bUSA\b|\bUS\b|\bUnited States(?: of America)?\b"), " usa "),
    (re.compile(r"\bU\.\s?K\.|\bUK\b|\bUnited Kingdom\b|\bBritain\b"), " uk "),
    (re.compile(r"\bU\.\s?N\.|\bUN\b|\bUnited Nations\b"), " un "),
    (re.compile(r"\bIslamic State(?: (?:in|of) Iraq and (?:Syria|the Levant))?|\bISIS\b|\bISIL\b|\bIS\b|\bDaesh\b"), " isis "),
]  # fmt: skip

# A token: a number ("1,200", "3.5"), or a word with inner apostrophes/hyphens. Every
# token starts with a word character: the lookahead skips the others at once.
_TOKEN = re.compile(r"(?=\w)(?:\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:['\-][^\W_]+)*|\d+[^\W\d_]+)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")
_VOWEL = re.compile(r"[aeiouy]")


# Words that news reports use for one another. A small, generic list: each group maps to
# its first word. Applied after stemming, to both sides alike.
SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = (
    ("official", "officer", "general", "commander", "leader", "brass"),
    ("meeting", "meet", "talks", "session", "summit"),
    ("first", "unprecedented"),
    ("phone", "telephone", "hotline"),
    ("strike", "airstrike", "bombing", "hit"),
    ("attack", "shelling", "shell", "assault"),
    ("retaliate", "retaliation", "repel", "reprisal"),
    ("avoid", "prevent", "avert"),
    ("accident", "accidental", "incident", "mishap"),
    ("accuse", "accusation", "charge", "blame"),
    ("warn", "warning", "threat", "threaten"),
    ("kill", "dead", "death"),
    ("injure", "injury", "wound", "hurt"),
    ("say", "statement"),
    ("coordinate", "cooperate", "coordination", "cooperation", "collaborate"),
    ("location", "place", "site", "venue"),
    ("airspace", "air"),
    ("destroy", "suppress"),
    ("weapon", "arsenal"),
    ("area", "district", "zone"),
    ("provide", "give"),
    ("disclose", "reveal"),
)


def canon_word(word: str) -> str:
    """One casefolded word (no hyphens, no apostrophes) in its matching form: American
    spelling, numbers as digits, light stemming, one word per synonym group. Stop words are
    not removed here."""
    return _canon_folded(word.casefold())  # "Trump" and "trump": one cache entry


@lru_cache(maxsize=65536)
def _canon_folded(folded: str) -> str:
    w = _base_form(folded)  # casefolds again: casefolding twice is casefolding once
    return _SYNONYMS.get(w, w)


def _base_form(word: str) -> str:
    w = word.casefold()
    if w in NUMBER_WORDS:
        return str(NUMBER_WORDS[w])
    if w in ORDINAL_WORDS:
        return f"{ORDINAL_WORDS[w]}th"
    if w in MONTH_ABBREVIATIONS:
        return MONTH_ABBREVIATIONS[w]
    w = _IRREGULAR.get(w, w)
    w = _SPELLING.get(w, w)
    if not w.isalpha() or len(w) <= 3:
        return w
    return _stem(_british_to_american(w))


# British endings: each rewrite runs only on a word with a literal ending it needs.
_BRITISH_REWRITES_5 = (
    (("ise", "ised", "ises", "ising", "isation", "isations", "iser", "isers"),
     re.compile(r"(?<=[^aeiou])is(e|ed|es|ing|ation|ations|er|ers)$"), r"iz\1"),
    (("yse", "ysed", "yses", "ysing"), re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
    (("tre", "tres"), re.compile(r"tre(s?)$"), r"ter\1"),
    (("ogue", "ogues"), re.compile(r"ogue(s?)$"), r"og\1"),
)  # fmt: skip
_DOUBLED_L = re.compile(r"([^aeiou][aeiou])ll(ed|ing)$")
_OUR_ENDINGS = ("our", "ours", "oured", "ouring", "ourite", "ourites", "ourable", "ourful")
_OUR = re.compile(r"our(s|ed|ing|ite|ites|able|ful)?$")


_BRITISH_ENDINGS = (
    *(e for endings, _, _ in _BRITISH_REWRITES_5 for e in endings),
    "lled",
    "lling",
    *_OUR_ENDINGS,
)


def _british_to_american(w: str) -> str:
    if not w.endswith(_BRITISH_ENDINGS):  # most words: no rewrite can apply
        return w
    if len(w) >= 5:
        for endings, pattern, replacement in _BRITISH_REWRITES_5:
            if w.endswith(endings):
                w = pattern.sub(replacement, w)
    if len(w) >= 7 and w.endswith(("lled", "lling")):
        w = _DOUBLED_L.sub(r"\1l\2", w)
    if len(w) >= 4 and w.endswith(_OUR_ENDINGS):
        w = _OUR.sub(r"or\1", w)
    return w


_STEM_ENDINGS = ("s", "ing", "ed", "ation", "e")


def _stem(w: str) -> str:
    """A deliberately light stemmer (Porter step 1 in spirit): plurals, -ed, -ing, final e."""
    if len(w) <= 3 or not w.endswith(_STEM_ENDINGS):  # nothing below applies
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            base = w[: -len(suffix)]
            if not _VOWEL.search(base):
                break
            if base.endswith("i") and suffix == "ed":
                base = base[:-1] + "y"
            elif len(base) >= 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]
            w = base
            break
    if w.endswith("ation") and len(w) >= 8:
        w = w[:-3]  # coordination -> coordinat, like coordinate -> coordinat
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def _split_word(token: str) -> list[str]:
    """A raw token ("de-conflict", "ez-Zor", "don't", "Russia's") into word parts."""
    if "'" in token:
        low = token.casefold()
        if low.endswith("n't"):
            token = token[:-3]
            if token.casefold() in ("wo", "ca", "sha"):
                token = {"wo": "will", "ca": "can", "sha": "shall"}[token.casefold()]
        else:
            head, _, tail = token.partition("'")
            if tail.casefold() in ("s", "ve", "re", "ll", "d", "m", "t", ""):
                token = head
            else:
                token = head + tail  # O'Brien -> OBrien
    if "-" not in token:
        return [token] if token else []
    parts = [p for p in token.split("-") if p]
    if len(parts) > 1 and parts[0].casefold() in PARTICLES:
        parts = parts[1:]
    merged: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if part.casefold() in _BOUND_PREFIXES and i + 1 < len(parts):
            merged.append(part + parts[i + 1])
            i += 2
            continue
        merged.append(part)
        i += 1
    return merged


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def content_tokens(text: str) -> tuple[str, ...]:
    """The words of `text` that say what it is about, in matching form and in order."""
    s = fold(text)
    if "U" in s or "Britain" in s or "IS" in s or "Islamic State" in s or "Daesh" in s:
        for pattern, replacement in _ALIASES:
            s = pattern.sub(replacement, s)
    return tuple(chain.from_iterable(map(_TOKEN_WORDS_CACHE.__getitem__, _TOKEN.findall(s))))


class _TokenWords(dict[str, tuple[str, ...]]):
    """Raw token -> its content words: a plain dict (a lookup is far cheaper than an
    lru_cache call), bounded because a long run meets new tokens forever."""

    def __missing__(self, tok: str) -> tuple[str, ...]:
        words = _token_words(tok)
        if len(self) < 200_000:
            self[tok] = words
        return words


def _token_words(tok: str) -> tuple[str, ...]:
    if _NUMBER.fullmatch(tok):
        return (tok.replace(",", ""),)
    out = []
    for part in _split_word(tok):
        if part.casefold() in STOPWORDS:
            continue
        w = canon_word(part)
        if w and w not in STOPWORDS and not (len(w) == 1 and w.isalpha()):
            out.append(w)
    return tuple(out)


_TOKEN_WORDS_CACHE = _TokenWords()


def normalize(text: str) -> str:
    """`content_tokens` joined by spaces: the string the fuzzy scorers compare."""
    return " ".join(content_tokens(text))


_SYNONYMS: dict[str, str] = {}
for _group in SYNONYM_GROUPS:
    _head = _base_form(_group[0])
    for _w in _group:
        _SYNONYMS.setdefault(_base_form(_w), _head)
_SYNONYMS = {k: v for k, v in _SYNONYMS.items() if k != v}

_ASSIMILATED = re.compile(r"^[ae]([bcdfghjklmnpqrstvwxz])\1(\w{2,})$")


def particle_stripped(word: str) -> str | None:
    """ "ezzor" -> "zor", "assad" -> "sad": an assimilated Arabic article glued to a name
    ("Deir Ezzor"). The caller decides whether the stripped form is a known word."""
    m = _ASSIMILATED.match(word)
    return m.group(1) + m.group(2) if m else None
