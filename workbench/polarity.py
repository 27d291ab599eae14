"""What a claim negates and denies, and whether it is a reply that names no fact.

A negation ("did not withdraw", "never", "no deal") negates its predicate, the first content
word after it, and the words after that in its clause. A denial ("denied the accusation",
"rejected the claim", "disputed that account", "denied bombing the positions", "called it
false") denies a statement; "denied bail" or "rejected the bill" deny a thing and are read as
negations. Both sides negating ("to avoid firing" / "don't fire") and idioms ("no longer",
"not only", "nothing but") are nothing to report. `stance(text)` is what a claim asserts and
negates, which the other side's negation is checked against; `bare_reply(text)` tells a
denial or reply with no fact of its own ("He declined to comment.").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from workbench.claimwords import (
    REPORTING,
    SAY,
    SENTENCE_PUNCT,
    Tok,
    adverb,
    context_key,
    gate_words,
    weighted,
    words_of,
)
from workbench.textnorm import STOPWORDS, word_set

_NEGATION = re.compile(
    r"\b(?:(?:do|does|did|is|are|was|were|has|have|had|will|would|could|should|can|may|might|"
    r"must)\s+not|not|never|no(?!\.)|none|nobody|nothing|neither|nor|cannot|"
    r"den(?:y|ies|ied|ying)|refus(?:e|es|ed|ing)\s+to|declin(?:e|es|ed|ing)\s+to)\b"
    r"|\b[A-Za-z]+n['’]t\b",
    re.IGNORECASE,
)
# "no longer", "not only", "nothing but", "no doubt": a negation word that denies nothing
_IDIOM_AFTER = re.compile(
    r"\s+(?:longer|only|just|merely|simply|least|doubt|matter|sooner|less|more\s+than|fewer\s+than|"
    r"other\s+than|but|to\s+mention|one\s+else|exception|surprise|wonder)\b",
    re.IGNORECASE,
)
_IDIOM_BEFORE = re.compile(r"\b(?:whether\s+or|if|or)\s+$", re.IGNORECASE)
_DENIAL = re.compile(
    r"\b(?:den(?:y|ies|ied|ying)|reject(?:s|ed|ing)?|dismiss(?:es|ed|ing)?|"
    r"disput(?:e|es|ed|ing)|refut(?:e|es|ed|ing)|rebut(?:s|ted|ting)?)\b",
    re.IGNORECASE,
)
_FALSE = re.compile(
    r"\b(?:false|untrue|baseless|fabricated|bogus|unfounded|groundless|inaccurate|fake|"
    r"hoax|nonsense)\b",
    re.IGNORECASE,
)
_FALSE_LEAD = re.compile(
    r"\b(?:is|was|are|were|be|as|called|calling|call|calls|totally|completely|100%)\s+(?:\S+\s+){0,2}$",
    re.IGNORECASE,
)
_REPLY = re.compile(
    r"\b(?:declin(?:e|es|ed|ing)|refus(?:e|es|ed|ing))\s+to\s+comment\b"
    r"|\b(?:did\s+not|didn['’]t|has\s+not|hasn['’]t|have\s+not|haven['’]t)\s+"
    r"(?:immediately\s+)?(?:respond|return|reply|answer|comment)\w*\b"
    r"|\b(?:could|can)\s*(?:not|n['’]t)\s+be\s+reached\b|\bno\s+comment\b"
    r"|\bhad\s+no\s+(?:immediate\s+)?comment\b|\brespond(?:s|ed)\b|\bpushed\s+back\b",
    re.IGNORECASE,
)
_DIGIT = re.compile(r"[0-9]")
_NEGATION_WORDS = word_set("""not never no none nobody nothing neither nor cannot deny denies denied denying refuse
    refuses refused refusing decline declines declined declining""")
_DENIAL_WORDS = word_set("""deny denies denied denying reject rejects rejected rejecting dismiss dismisses
    dismissed dismissing dispute disputes disputed disputing refute refutes refuted refuting
    rebut rebuts rebutted rebutting false untrue baseless fabricated bogus unfounded
    groundless inaccurate fake hoax nonsense""")

_LIGHT = frozenset(
    context_key(w)
    for w in word_set("""make makes made making get gets got getting go goes going went gone take takes
    took taking taken give gives gave giving given know knows knew knowing known think thinks
    thought want wants wanted wanting see sees saw seen come comes came coming use uses used
    using need needs needed seem seems seemed try tries tried trying put puts putting""")
) | {SAY}
_IMPLICIT_NEGATORS = word_set("""avoid avoids avoided avoiding prevent prevents prevented preventing refrain
    refrains refrained refraining stop stops stopped stopping halt halted without fail fails
    failed failing lack lacks lacked lacking ban bans banned prohibit prohibited forbid
    forbade unable instead rather oppose opposes opposed opposing resist resisted against""")
_FACT_OBJECTS = word_set("""accusation accusations allegation allegations claim claims charge charges report reports
    reporting account accounts story stories assertion assertions suggestion suggestions
    notion idea rumor rumors rumour rumours characterization characterisation it that this
    these those them wrongdoing involvement responsibility knowledge having being any
    criticism criticisms speculation assessment finding findings conclusion conclusions
    part parts portion portions aspect aspects detail details element elements version""")
_OBJECT_SKIP = word_set("""the a an any all such these those this his her their its strongly flatly repeatedly
    vehemently categorically firmly publicly immediately quickly later also again on
    earlier late friday monday tuesday wednesday thursday saturday sunday""")
_GENERIC_OBJECT_KEYS = frozenset(context_key(w) for w in _FACT_OBJECTS) - {""}


@dataclass(frozen=True, slots=True)
class Polar:
    """A negation or denial: its cue, and the predicate it negates (a context key)."""

    text: str
    span: tuple[int, int]
    predicate: str
    objects: frozenset[str]  # keys of the words after the predicate
    light: bool  # a light verb ("say", "make"): only counts with a shared object
    scope: tuple[int, ...]  # indices of the tokens it negates (predicate first)
    topic: tuple[tuple[str, float], ...] = ()  # words of its clause (denial: its claim), weights

    @property
    def words(self) -> frozenset[str]:
        return self.objects | {self.predicate} if self.predicate else self.objects


@dataclass(frozen=True, slots=True)
class Stance:
    """Which words a claim asserts and which it negates: what the other side's negation
    is checked against. Computed only when that other side has one."""

    asserted: frozenset[str]  # context keys used without a negation
    negated: frozenset[str]  # context keys under a negation
    keys: frozenset[str]  # all context keys
    elliptical: bool  # a negation with no predicate we can find ("does not.")


@dataclass(frozen=True, slots=True)
class Polarity:
    """A claim's negations and denials, and the tokens they negate."""

    negations: tuple[Polar, ...] = ()
    denials: tuple[Polar, ...] = ()
    negated_at: frozenset[int] = frozenset()  # indices of the tokens under a negation


_NONE = Polarity()


@lru_cache(maxsize=8192)
def polarity_of(text: str) -> Polarity:
    """The negations and denials of a claim (tokenised only when a cue word is there)."""
    low = text.casefold()
    present = gate_words(text)
    has_denial = not present.isdisjoint(_DENIAL_WORDS)
    has_negation = not present.isdisjoint(_NEGATION_WORDS) or "n't" in low or "n’t" in low
    has_implicit = not present.isdisjoint(_IMPLICIT_NEGATORS)
    if not (has_denial or has_negation or has_implicit):
        return _NONE
    toks, starts = words_of(text)
    denials: list[Polar] = []
    if has_denial:
        denials = _denials(text, toks, starts)
    negations: list[Polar] = []
    if has_negation:
        denial_spans = [d.span for d in denials]
        for m in _NEGATION.finditer(text):
            if any(s <= m.start() < e for s, e in denial_spans) or _idiom(text, m):
                continue
            at = _predicate_index(toks, bisect.bisect_left(starts, m.end()))
            negations.append(_polar(m.group(), m.span(), toks, at))
    # "did not directly dispute that ...": a denial under a negation denies nothing
    negated_verbs = {toks[n.scope[0]].start for n in negations if n.scope}
    denials = [d for d in denials if d.span[0] not in negated_verbs]
    negated_at: set[int] = set()
    for polar in negations + denials:
        negated_at.update(polar.scope)
    for i, tok in enumerate(toks):  # "to avoid firing", "without firing": negated too
        if tok.low in _IMPLICIT_NEGATORS:
            for k in range(i + 1, min(i + 4, len(toks))):
                if toks[k].clause == tok.clause and toks[k].key:
                    negated_at.add(k)
    return Polarity(tuple(negations), tuple(denials), frozenset(negated_at))


@lru_cache(maxsize=8192)
def stance(text: str) -> Stance:
    """What `text` asserts and negates (computed only when the other side negates)."""
    p = polarity_of(text)
    toks, _ = words_of(text)
    keyed = [(i, t.key) for i, t in enumerate(toks) if t.key]
    return Stance(
        asserted=frozenset(k for i, k in keyed if i not in p.negated_at),
        negated=frozenset(k for i, k in keyed if i in p.negated_at),
        keys=frozenset(k for _, k in keyed),
        elliptical=any(not n.predicate for n in p.negations),
    )


def _idiom(text: str, m: re.Match[str]) -> bool:
    return bool(
        _IDIOM_AFTER.match(text, m.end())
        or _IDIOM_BEFORE.search(text, max(0, m.start() - 12), m.start())
    )


def _predicate_index(toks: Sequence[Tok], i: int) -> int | None:
    """The first content word after a negation cue in its clause ("did not directly
    dispute" -> dispute), or None (an elliptical "does not.", "has not," ...)."""
    if i >= len(toks):
        return None
    clause = toks[i].clause
    for k in range(i, min(i + 5, len(toks))):
        tok = toks[k]
        if tok.clause != clause or not tok.low[:1].isalnum():
            return None
        if tok.key and not adverb(tok.low):
            return k
    return None


def _polar(cue: str, span: tuple[int, int], toks: Sequence[Tok], at: int | None) -> Polar:
    """A negation of the word at `at` and of the words after it in its clause (and in the
    clause it opens: "didn't say | who was present or how long it lasted")."""
    if at is None:
        return Polar(cue, span, "", frozenset(), False, ())
    clause = toks[at].clause
    opens = at + 1 < len(toks) and toks[at + 1].clause != clause
    scope = [at]
    objects: list[str] = []
    for k in range(at + 1, min(at + 12, len(toks))):
        t = toks[k]
        if t.low in SENTENCE_PUNCT or len(objects) == 5:
            break
        if t.clause != clause and not (opens and t.clause == clause + 1):
            break
        if t.key and t.key != SAY:
            objects.append(t.key)
            scope.append(k)
    predicate = toks[at].key
    subject = [k for k in range(at) if toks[k].clause == clause]
    topic = weighted(toks, subject + scope)
    return Polar(cue, span, predicate, frozenset(objects), predicate in _LIGHT, tuple(scope), topic)


def _denials(text: str, toks: Sequence[Tok], starts: Sequence[int]) -> list[Polar]:
    """ "denied the accusation", "rejected the claim", "disputed that account", "denied
    bombing the positions", "called it false"; not "denied bail" or "rejected the bill"
    (those are negations of a thing, judged like "did not")."""
    out: list[Polar] = []
    for m in _DENIAL.finditer(text):
        verb_at = bisect.bisect_left(starts, m.start())
        i = bisect.bisect_left(starts, m.end())
        found = _denial_object(
            toks, i, elliptical=m.group().casefold()[:4] in ("deni", "deny", "disp")
        )
        if found is None or verb_at >= len(toks):
            continue
        polar = _polar(m.group(), m.span(), toks, verb_at)
        # what is denied: the gerund ("bombing"), else nothing but the words after it
        predicate = toks[found].key if found >= 0 else ""
        claim = [k for k in range(len(toks)) if k != verb_at]
        out.append(
            replace(
                polar,
                predicate=predicate,
                objects=polar.objects - _GENERIC_OBJECT_KEYS,
                light=False,
                # negated: the gerund it denies ("bombing"); not the verb ("disputed" is
                # asserted) nor a named statement ("the report" is still the report)
                scope=(found,) if found >= 0 else (),
                topic=weighted(toks, claim),  # the whole claim: what it denies may be before
            )
        )
    for m in _FALSE.finditer(text):
        if _FALSE_LEAD.search(text, max(0, m.start() - 40), m.start()) or m.group().isupper():
            at = bisect.bisect_left(starts, m.start())
            claim = [k for k in range(len(toks)) if k != at]
            out.append(
                Polar(m.group(), m.span(), "", frozenset(), False, (), weighted(toks, claim))
            )
    out.sort(key=lambda p: p.span)
    return out


def _denial_object(toks: Sequence[Tok], i: int, elliptical: bool) -> int | None:
    """Index of the gerund a denial verb denies ("denied bombing"), -1 for a statement
    ("the accusation", "that ...", or an elliptical "has denied."), None when its object
    is a thing rather than a statement ("bail", "the bill")."""
    if i >= len(toks):
        return -1 if elliptical else None
    for k in range(i, min(i + 6, len(toks))):
        tok = toks[k]
        if tok.low in _FACT_OBJECTS:
            return k + 1 if tok.low in ("having", "being") and k + 1 < len(toks) else -1
        if tok.low.endswith("ing") and len(tok.low) > 4 and tok.key:
            return k
        if not tok.low[:1].isalnum():
            return -1 if elliptical else None
        if tok.low in _OBJECT_SKIP or (not tok.key and tok.low in STOPWORDS):
            continue
        return None
    return None


# --- how strongly a negation or denial contradicts the other claim ---------------------

_BARE_DENIAL = 0.7  # "The ministry denied the accusation." / any claim it was paired with


def denial_stands(d: Polar, other: Stance) -> bool:
    """A denial against a claim that asserts what it denies: a bare denial ("denied the
    accusation") always; one that names its object ("denied any role in the attacks")
    when the other claim speaks of it; never when the other side negates it too."""
    if d.predicate and d.predicate in other.negated:
        return False
    named = d.objects | ({d.predicate} if d.predicate else set())
    return not named or not named.isdisjoint(other.asserted)


def negation_strength(n: Polar, other: Stance) -> float:
    """A negated predicate the other side asserts and does not negate; a light verb
    ("didn't say") only with an object in common ("how long it lasted"). Nothing when the
    other side negates any of the same words, or has a negation we cannot place. Clearer
    the more of the negated clause the other side says: "did not withdraw" against
    "withdrew" is weak, "the army did not withdraw from Raqqa" against "the army withdrew
    from Raqqa" is clear."""
    if not n.predicate or n.predicate not in other.asserted or other.elliptical:
        return 0.0
    if not n.words.isdisjoint(other.negated):
        return 0.0
    if n.light and n.objects.isdisjoint(other.keys):
        return 0.0
    return _overlap_strength(n, other)


def denial_strength(d: Polar, text: str, other: Stance) -> float:
    """A denial that names nothing ("The ministry denied the accusation.") is a likely
    contradiction of whatever it was paired with; pass it joined to the sentence before it
    and it is scored like any other: by how much of what it says the other side says."""
    if bare_reply(text):
        return _BARE_DENIAL
    return _overlap_strength(d, other)


def _overlap_strength(p: Polar, other: Stance) -> float:
    """0.3 plus up to 0.6 as the other side says more of what is negated or denied: two
    words or more in common, and most of the clause (a long sentence shares some words
    with anything on its topic)."""
    total = sum(w for _, w in p.topic)
    shared = sum(w for k, w in p.topic if k in other.keys)
    if not total:
        return 0.3
    return 0.3 + 0.6 * min(1.0, shared / total / 0.7) * min(1.0, shared / 2.0)


# --- bare replies ------------------------------------------------------------------------

_REPLY_OBJECTS = _FACT_OBJECTS | word_set("""request requests comment comments message messages inquiry
    inquiries email emails call calls question questions""")
_GENERIC_SUBJECTS = word_set("""official officials spokesman spokeswoman spokesperson ministry company government
    department agency office campaign administration lawyer lawyers attorney attorneys
    representative representatives embassy statement military army police authorities
    aide aides side spokesmen officers officer""")
_VERDICT_WORDS = word_set("""false untrue baseless fabricated bogus unfounded groundless inaccurate fake news
    hoax nonsense ridiculous absurd politically motivated lie lies propaganda""")


@lru_cache(maxsize=8192)
def bare_reply(text: str) -> bool:
    """True for a denial or reply that names no fact of its own ("The Russian Defense
    Ministry denied the accusation.", "He declined to comment.", "Officials disputed that
    account."): what it answers is in the sentence before it."""
    cue = _reply_cue(text)
    if cue is None or _DIGIT.search(text):
        return False
    toks, _ = words_of(text)
    for tok in toks:
        if tok.end <= cue[0]:
            if tok.key and not (
                _is_capitalised(text, tok) or tok.low in _GENERIC_SUBJECTS or adverb(tok.low)
            ):
                return False  # the subject says what happened ("After the strike, ...")
        elif tok.start >= cue[1] and tok.key and not _generic_after(tok):
            return False
    return True


def _reply_cue(text: str) -> tuple[int, int] | None:
    p = polarity_of(text)
    if p.denials:
        return p.denials[0].span
    m = _REPLY.search(text)
    return m.span() if m else None


def _generic_after(tok: Tok) -> bool:
    low = tok.low
    return (
        low in _REPLY_OBJECTS
        or low in _VERDICT_WORDS
        or low in _OBJECT_SKIP
        or low in REPORTING
        or adverb(low)
        or low in ("respond", "responded", "reply", "return", "returned", "reached", "back")
    )


def _is_capitalised(text: str, tok: Tok) -> bool:
    return text[tok.start : tok.start + 1].isupper()
