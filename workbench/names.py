"""Names in a claim, and how the names of two claims differ: a spelling or another name.

`extract_names(text)` finds runs of capitalised words ("Col. Ryan Dillon", "Deir ez-Zor"),
without leading function words and titles, with the words either side. `name_hints`
compares two claims' names: one name spelled two ways ("Dillon"/"Dillion", "Deir
ez-Zor"/"Deir al-Zor") is a "spelling" hint; two different names in the same slot ("the
Pentagon said" / "the Kremlin said") an "entity" hint. Forms of one word ("Russia"/"Russian",
"Democrats"/"Democratic"), abbreviations ("Fla."/"Florida"), party labels ("D-Mass."),
datelines ("WASHINGTON —"), number words ("Six SDF fighters") and title-case headlines are
not names that can differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from workbench.models import Hint
from workbench.textnorm import NUMBER_WORDS, PARTICLES, STOPWORDS, fold, particle_stripped, word_set

_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W\d_][\w'’]*(?:[-‐‑][\w'’]+)*|[0-9][\w'’.,-]*")
_PARTICLE_JOINED = re.compile(r"^(?:" + "|".join(sorted(PARTICLES)) + r")[-‐‑][A-Z]", re.IGNORECASE)
_PARTY_LABEL = re.compile(r"^[DRI]-[A-Z]")  # "D-Mass.", "R-Texas": a party and a state
_DATELINE = re.compile(r"^\s*[A-Z][A-Z .,'’-]*[A-Z.]\s*(?:[—―–]|--|-\s)")
_CONNECTORS = word_set(
    "al el ez es bin ibn de del della di da van von der den la le du dos das abu"
)
_TITLES = word_set("""mr mrs ms dr prof sen rep gov gen col lt maj sgt capt cmdr adm brig cpl pvt amb
    president secretary minister colonel general major lieutenant captain admiral sergeant
    senator governor spokesman spokeswoman chairman former""")
_NOT_NAMES = word_set("""i monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december jan feb mar apr jun jul
    aug sep sept oct nov dec""")
_SENTENCE_START = re.compile(r"(?:^|[.!?…:;]['\"’”)\]]*\s+|[\"“‘(\[]\s*|\n\s*)\Z")
# Capitalised at the start of a sentence but rarely a name.
_COMMON_STARTERS = word_set("""according after although asked because before both despite during earlier even
    however instead last later meanwhile moreover officials prior since still tensions
    then thus today tomorrow yesterday until while yet senior several many most some
    police authorities critics experts analysts residents witnesses prosecutors leading""")
# A capitalised number word is a count ("Six SDF fighters"), not part of a name.
_NAME_SKIP = STOPWORDS | _TITLES | _NOT_NAMES | frozenset(NUMBER_WORDS)
_TRIVIAL_CONTEXT = word_set("the a an of in on at to from and or by for with")
# Endings that make another word of the same name: Russia/Russian, Democrats/Democratic.
_FORM_ENDINGS = word_set(
    "s es n an ans ian ians ic ics ns i is ese ish ite ites ist ists era ern"
) | {""}
_NAME_GAPS = frozenset((" ", "\u00a0"))
_NAME_ALIASES = {
    ("us",): "us", ("usa",): "us", ("united", "states"): "us", ("america",): "us",
    ("united", "states", "of", "america"): "us", ("uk",): "uk", ("britain",): "uk",
    ("great", "britain"): "uk", ("united", "kingdom"): "uk", ("un",): "un",
    ("united", "nations"): "un", ("islamic", "state"): "isis", ("isis",): "isis",
    ("isil",): "isis", ("is",): "isis", ("daesh",): "isis", ("gop",): "republican",
}  # fmt: skip

# words, keys, left context, right context, initial_only, initials, modifier
NameSig = tuple[tuple[str, ...], tuple[str, ...], str, str, bool, frozenset[str], bool]
# "American history", "Democratic presidential": a name-derived adjective before a noun
_ADJECTIVE_ENDING = re.compile(r"(?:an|ic|ish|ese|i)$")


@dataclass(frozen=True, slots=True)
class Name:
    text: str
    span: tuple[int, int]
    word_spans: tuple[tuple[int, int], ...]
    words: tuple[str, ...]  # casefolded surface words (titles dropped)
    keys: tuple[str, ...]  # matching keys of those words
    left: str  # context word(s) before, casefolded
    right: str  # context word(s) after
    initial_only: bool  # a single word at the start of a sentence: maybe not a name
    modifier: bool = False  # an adjective before a noun ("American history"): no slot

    @property
    def sig(self) -> NameSig:
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
            self.modifier,
        )


def extract_names(text: str) -> tuple[Name, ...]:
    """The names of a claim, in reading order (none in a title-case headline)."""
    toks = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(text)]
    if _is_headline(toks):
        return ()
    dateline = _DATELINE.match(text)
    is_name = [_is_name_word(w) and not (dateline and e <= dateline.end()) for w, _, e in toks]
    out: list[Name] = []
    i = 0
    n = len(toks)
    while i < n:
        if not is_name[i]:
            i += 1
            continue
        run, i = _name_run(text, toks, is_name, i)
        run = _trimmed(toks, run)
        if run:
            out.append(_name(text, toks, run))
    return tuple(out)


def _name_run(
    text: str, toks: list[tuple[str, int, int]], is_name: list[bool], i: int
) -> tuple[list[int], int]:
    """The token indices of the name run starting at `i`, and the index after it."""
    run = [i]
    j = i
    n = len(toks)
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
    return run, j + 1


def _trimmed(toks: list[tuple[str, int, int]], run: list[int]) -> list[int]:
    # leading function words ("The", "On"), titles ("Col", "President"), counts ("Six")
    while run and _skippable(toks[run[0]][0]):
        run.pop(0)
    # trailing titles: "Texas Rep." is a state and a title
    while run and _bare(toks[run[-1]][0]) in _TITLES:
        run.pop()
    # a weekday or month ends the name ("Dillon Thursday" is not one name)
    for k, idx in enumerate(run):
        if _bare(toks[idx][0]) in _NOT_NAMES:
            return run[:k]
    return run


def _name(text: str, toks: list[tuple[str, int, int]], run: list[int]) -> Name:
    words = tuple(_bare(toks[k][0]) for k in run)
    alias = _NAME_ALIASES.get(words)
    if alias:  # "U.S." and "United States" are one name
        words = keys = (alias,)
    else:
        keys = tuple(_name_key(toks[k][0]) for k in run)
        if len(words) > 2 and words[:2] == ("united", "states"):  # "United States Conference"
            words, keys = ("us",) + words[2:], ("us",) + keys[2:]
    start, end = toks[run[0]][1], toks[run[-1]][2]
    initial = len(run) == 1 and bool(_SENTENCE_START.search(text, 0, start))
    after = run[-1] + 1
    modifier = (
        len(run) == 1
        and bool(_ADJECTIVE_ENDING.search(words[0]))
        and after < len(toks)
        and toks[after][0][:1].islower()
        and text[end : toks[after][1]] in _NAME_GAPS
    )
    return Name(
        text[start:end], (start, end), tuple((toks[k][1], toks[k][2]) for k in run),
        words, keys, _context(toks, run[0], -1), _context(toks, run[-1], +1), initial,
        modifier,
    )  # fmt: skip


def _is_headline(toks: list[tuple[str, int, int]]) -> bool:
    """Title Case: most longer words capitalised, so capitals say nothing about names."""
    long_words = [w for w, _, _ in toks if len(w) > 3 and w[0].isalpha()]
    if len(long_words) < 4:
        return False
    return sum(w[0].isupper() for w in long_words) >= 0.8 * len(long_words)


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
        return w != "I" and len(w) > 1 and not _PARTY_LABEL.match(w)
    return ("-" in w or "‐" in w or "‑" in w) and bool(_PARTICLE_JOINED.match(w))


@lru_cache(maxsize=65536)
def _bare(w: str) -> str:
    """A word's surface form for comparison: casefolded, no dots, no possessive."""
    return fold(w).casefold().replace(".", "").removesuffix("'s").strip("'")


@lru_cache(maxsize=65536)
def _name_key(w: str) -> str:
    """'ez-Zor' -> 'zor', 'el-Zour' -> 'zor', "Russia's" -> 'russia', 'U.S.' -> 'us'."""
    s = fold(w).casefold().strip(".").removesuffix("'s").rstrip("'")
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
    if not got or all(g in _TRIVIAL_CONTEXT for g in got) or got[-1] in _TITLES:
        return ""  # a title beside both names ("Republican Gov." / "Indiana Gov.") is no slot
    return " ".join(got if step > 0 else reversed(got))


# --- comparison ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameSet:
    """A claim's names with what comparing them needs, built once per claim."""

    text: str
    names: tuple[Name, ...]
    sigs: tuple[NameSig, ...]
    words: frozenset[tuple[str, ...]]


def name_set(text: str) -> NameSet:
    names = extract_names(text)
    return NameSet(text, names, tuple(n.sig for n in names), frozenset(n.words for n in names))


def name_hints(a: NameSet, b: NameSet) -> list[Hint]:
    """Spelling and entity hints between the names of two claims."""
    if not a.names or not b.names or a.words == b.words:
        return []
    pa, pb, ta, tb = a.names, b.names, a.text, b.text
    out: list[Hint] = []
    for kind, i, j, rel in _match_names(a.sigs, b.sigs):
        p, q = pa[i], pb[j]
        if kind == "entity" or rel is None:
            out.append(Hint(kind, p.text, q.text, p.span, q.span))
            continue
        (a0, _), (_, a1) = p.word_spans[rel[0][0]], p.word_spans[rel[0][1]]
        (b0, _), (_, b1) = q.word_spans[rel[1][0]], q.word_spans[rel[1][1]]
        out.append(Hint(kind, ta[a0:a1], tb[b0:b1], (a0, a1), (b0, b1)))
    return out


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
def _same_word(p: str, q: str) -> bool:
    """One word in two forms: Russia/Russian, Democrats/Democratic, Bush/Bush-era, or an
    abbreviation of it: Fla/Florida, Calif/California."""
    if p == q:
        return True
    short, long_ = (p, q) if len(p) <= len(q) else (q, p)
    k = 0
    while k < len(short) and short[k] == long_[k]:
        k += 1
    if k >= 4 and short[k:] in _FORM_ENDINGS and long_[k:] in _FORM_ENDINGS:
        return True
    return (
        3 <= len(short) <= 5
        and short[0] == long_[0]
        and len(long_) > len(short) + 1
        and _in_order(short, long_)
    )


def _in_order(short: str, long_: str) -> bool:
    it = iter(long_)
    return all(ch in it for ch in short)


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
        and not any(_word_similar(x, y) or _same_word(x, y) for x in pk for y in qk)
    ):
        return None  # no word in common, none spelled alike: the usual case, decided fast
    swap = len(pw) > len(qw)
    sw, sk, lw, lk = (qw, qk, pw, pk) if swap else (pw, pk, qw, qk)
    pairs: list[tuple[int, int, bool]] = []  # (short index, long index, same word)
    for si, skey in enumerate(sk):
        match = next(
            (
                li
                for li, lkey in enumerate(lk)
                if sw[si] == lw[li] or (skey != lkey and _same_word(skey, lkey))
            ),
            None,
        )
        if match is not None:
            pairs.append((si, match, True))
            continue
        match = next((li for li, lkey in enumerate(lk) if _word_similar(skey, lkey)), None)
        if match is None:
            return None
        pairs.append((si, match, False))
    differing = [(si, li) for si, li, same in pairs if not same]
    if not differing:
        return ("same", True, (0, 0), (0, 0))
    if len(sw) == len(lw):
        return ("spelling", True, (0, 0), (0, 0))
    s_idx = (differing[0][0], differing[-1][0])
    lis = sorted(li for _, li in differing)
    l_idx = (lis[0], lis[-1])
    return ("spelling", False, l_idx, s_idx) if swap else ("spelling", False, s_idx, l_idx)


@lru_cache(maxsize=1 << 16)
def _match_names(
    sa: tuple[NameSig, ...], sb: tuple[NameSig, ...]
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
    # Pairs are taken in order of i + j: two pairs that share a name never tie, so swapping
    # a and b takes the same pairs.
    spelled = sorted(
        (i + j, i, j)
        for (i, j), r in rel.items()
        if r and r[0] == "spelling" and i not in matched_a and j not in matched_b
    )
    for _, i, j in spelled:
        if i in matched_a or j in matched_b:
            continue
        r = rel[(i, j)]
        assert r is not None
        out.append(("spelling", i, j, None if r[1] else (r[2], r[3])))
        matched_a.add(i)
        matched_b.add(j)
    # different names in the same slot: same context word before or after
    slots = sorted(
        (i + j, i, j)
        for i, p in enumerate(sa)
        if i not in matched_a and _could_be_name(p)
        for j, q in enumerate(sb)
        if j not in matched_b and _could_be_name(q) and _same_slot(p, q)
    )
    for _, i, j in slots:
        if i not in matched_a and j not in matched_b:
            out.append(("entity", i, j, None))
            matched_a.add(i)
            matched_b.add(j)
    return tuple(out)


def _same_slot(p: NameSig, q: NameSig) -> bool:
    same_left = bool(p[2]) and p[2] == q[2] and not (p[4] or q[4])
    same_right = bool(p[3]) and p[3] == q[3]
    return same_left or same_right


def _could_be_name(sig: NameSig) -> bool:
    return not (sig[4] and sig[0][0] in _COMMON_STARTERS) and not sig[6]
