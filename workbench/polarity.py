"""What a claim negates and denies, and whether it is a reply that names no fact.

A negation ("did not withdraw", "never", "no deal") negates its predicate, the first content
word after it, and the words after that in its clause. A denial ("denied the accusation",
"rejected the claim", "disputed that account", "denied bombing the positions", "called it
false") denies a statement; "denied bail" or "rejected the bill" deny a thing and are read as
negations. A denial of an accusation ("denied the Russian accusations of shelling") stands
against a claim that reports one ("Russia accused the SDF of attacking"). "failed to",
"failing to" and "failure to" negate what follows. Both sides negating ("to avoid firing" /
"don't fire"), a negation in a condition ("if we don't get it") and idioms ("no longer",
"not only", "nothing but") are nothing to report. `stance(text)` is what a claim asserts and
negates, which the other side's negation is checked against; `bare_reply(text)` tells a
denial or reply with no fact of its own ("He declined to comment.").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from workbench.claimwords import (
    REPORTING,
    SAY,
    SENTENCE_PUNCT,
    Words,
    adverb,
    context_key,
    gate_words,
    weighted,
    words_of,
)
from workbench.textnorm import CLAIM_CHARS, STOPWORDS, TEXT_CACHE_SIZE, word_set

_NEGATION = re.compile(
    r"\b(?:(?:do|does|did|is|are|was|were|has|have|had|will|would|could|should|can|may|might|"
    r"must)\s+not|not|never|no(?!\.)|none|nobody|nothing|neither|nor|cannot|"
    r"den(?:y|ies|ied|ying)|refus(?:e|es|ed|ing)\s+to|declin(?:e|es|ed|ing)\s+to|"
    r"fail(?:s|ed|ing|ures?)\s+to)\b"
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
_NEGATION_WORDS = word_set("""fails failed failing failure failures
    not never no none nobody nothing neither nor cannot deny denies denied denying refuse
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
    forbade unable instead rather oppose opposes opposed opposing resist resisted against
    failure failures inaction""")
_FACT_OBJECTS = word_set("""accusation accusations allegation allegations claim claims charge charges report reports
    reporting account accounts story stories assertion assertions suggestion suggestions
    notion idea rumor rumors rumour rumours characterization characterisation it that this
    these those them wrongdoing involvement responsibility knowledge having being any
    criticism criticisms speculation assessment finding findings conclusion conclusions
    part parts portion portions aspect aspects detail details element elements version""")
_ACCUSATIONS = word_set(
    """accusation accusations allegation allegations charge charges claim claims"""
)
_FACT_MODIFIERS = word_set("""latest new recent earlier previous false baseless similar same
    repeated initial original""")
_ACCUSING = frozenset(
    context_key(w) for w in word_set("accused accusing alleged alleging blamed charged")
) - {""}
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
    accusation: bool = False  # a denial of an accusation ("denied the accusations of ...")

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
    speaking: bool = False  # says that someone speaks with someone (`_speaking`)


@dataclass(frozen=True, slots=True)
class Polarity:
    """A claim's negations and denials, and the tokens they negate."""

    negations: tuple[Polar, ...] = ()
    denials: tuple[Polar, ...] = ()
    negated_at: frozenset[int] = frozenset()  # indices of the tokens under a negation


_NONE = Polarity()


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def polarity_of(text: str) -> Polarity:
    """The negations and denials of a claim (tokenised only when a cue word is there)."""
    low = text.casefold()
    present = gate_words(text)
    has_denial = not present.isdisjoint(_DENIAL_WORDS)
    has_negation = not present.isdisjoint(_NEGATION_WORDS) or "n't" in low or "n’t" in low
    has_implicit = not present.isdisjoint(_IMPLICIT_NEGATORS)
    if not (has_denial or has_negation or has_implicit):
        return _NONE
    words = words_of(text)
    starts = words.starts
    denials: list[Polar] = []
    if has_denial:
        denials = _denials(text, words)
    negations: list[Polar] = []
    if has_negation:
        denial_spans = [d.span for d in denials]
        for m in _NEGATION.finditer(text):
            if any(s <= m.start() < e for s, e in denial_spans) or _idiom(text, m):
                continue
            if _conditional(words, bisect.bisect_left(starts, m.start())):
                continue  # "if we don't get it, ...": a condition asserts nothing
            at = _predicate_index(words, bisect.bisect_left(starts, m.end()))
            negations.append(_polar(m.group(), m.span(), words, at))
    # "did not directly dispute that ...": a denial under a negation denies nothing
    negated_verbs = {starts[n.scope[0]] for n in negations if n.scope}
    denials = [d for d in denials if d.span[0] not in negated_verbs]
    negated_at: set[int] = set()
    for polar in negations + denials:
        negated_at.update(polar.scope)
    if has_implicit:  # "to avoid firing", "without firing": negated too
        clauses, keys, n = words.clauses, words.keys, len(starts)
        for i, low in enumerate(words.lows):
            if low in _IMPLICIT_NEGATORS:
                for k in range(i + 1, min(i + 4, n)):
                    if clauses[k] == clauses[i] and keys[k]:
                        negated_at.add(k)
    return Polarity(tuple(negations), tuple(denials), frozenset(negated_at))


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def stance(text: str) -> Stance:
    """What `text` asserts and negates (computed only when the other side negates)."""
    p = polarity_of(text)
    words = words_of(text)
    keys = words.keys
    every = frozenset(keys) - _NO_KEY
    elliptical = any(not n.predicate for n in p.negations)
    speaking = _speaking(words, p.negated_at)
    if not p.negated_at:  # most claims negate nothing
        return Stance(every, frozenset(), every, elliptical, speaking)
    keyed = [(i, key) for i, key in enumerate(keys) if key]
    return Stance(
        asserted=frozenset(k for i, k in keyed if i not in p.negated_at),
        negated=frozenset(k for i, k in keyed if i in p.negated_at),
        keys=every,
        elliptical=elliptical,
        speaking=speaking,
    )


_NO_KEY = frozenset(("",))


def _keys(words: str) -> frozenset[str]:
    return frozenset(context_key(w) for w in word_set(words)) - _NO_KEY


# To phone, contact, negotiate or coordinate with someone is to speak with them: a claim
# that says so contradicts one that they are "not speaking" (one way only: "did not meet"
# is no contradiction of "spoke by phone"). Read where the word stands, as news uses these
# words otherwise too: a phone is only speaking as "by phone", "phone lines", "phoned";
# "cancelled negotiations", "lost contact", "broke off contact" say the opposite. Not
# "talk" or "meet": not speaking at a meeting is no contradiction of attending it.
_SPEAK = _keys("speak communicate contact")
_SPEAKING_VERBS = _keys("speak communicate contact coordinate negotiate confer telephoned")
_PHONE = _keys("phone telephone")  # "phoned", "by phone", "phone lines", not "his phone"
_PHONE_AFTER = word_set("line lines link links call calls conversation conversations")
_PHONE_BEFORE = word_set("by via")
_CANCELLING = word_set("""cancel cancels cancelled canceled cancelling canceling suspend suspends
    suspended suspending halt halts halted end ends ended ending lose loses lost losing break
    breaks broke cut cuts severed sever ruled rules off postponed postpone abandoned abandon
    scrapped stopped stop refused refuse declined decline""")  # not "out": "reached out by phone"


def _speaking(words: Words, negated_at: frozenset[int]) -> bool:
    """Whether a claim asserts that someone speaks with someone: a word of
    `_SPEAKING_VERBS`, or a phone used to speak, neither negated nor after a word that
    cancels it in its clause ("cancelled negotiations", "lost contact")."""
    keys, lows, clauses, n = words.keys, words.lows, words.clauses, len(words)
    for i, key in enumerate(keys):
        if i in negated_at:
            continue
        if key in _PHONE:
            low = lows[i]
            used = (
                low.endswith(("ed", "ing"))
                or (i + 1 < n and lows[i + 1] in _PHONE_AFTER)
                or (i > 0 and lows[i - 1] in _PHONE_BEFORE)
            )
            if not used:
                continue
        elif key not in _SPEAKING_VERBS:
            continue
        before = range(max(0, i - 3), i)
        if not any(clauses[k] == clauses[i] and lows[k] in _CANCELLING for k in before):
            return True
    return False


_CONDITIONS = frozenset(("if", "unless", "whether"))


def _conditional(words: Words, i: int) -> bool:
    """Whether token `i` is in a clause opened by "if", "unless" or "whether" (clause
    numbers never decrease, so its clause starts where its number first occurs)."""
    if i >= len(words):
        return False
    return words.lows[bisect.bisect_left(words.clauses, words.clauses[i])] in _CONDITIONS


def _idiom(text: str, m: re.Match[str]) -> bool:
    return bool(
        _IDIOM_AFTER.match(text, m.end())
        or _IDIOM_BEFORE.search(text, max(0, m.start() - 12), m.start())
    )


def _predicate_index(words: Words, i: int) -> int | None:
    """The first content word after a negation cue in its clause ("did not directly
    dispute" -> dispute), or None (an elliptical "does not.", "has not," ...)."""
    n = len(words)
    if i >= n:
        return None
    clauses, lows, keys = words.clauses, words.lows, words.keys
    clause = clauses[i]
    for k in range(i, min(i + 5, n)):
        if clauses[k] != clause or not lows[k][:1].isalnum():
            return None
        if keys[k] and not adverb(lows[k]):
            return k
    return None


def _polar(cue: str, span: tuple[int, int], words: Words, at: int | None) -> Polar:
    """A negation of the word at `at` and of the words after it in its clause (and in the
    clause it opens: "didn't say | who was present or how long it lasted")."""
    if at is None:
        return Polar(cue, span, "", frozenset(), False, ())
    clauses, lows, keys, n = words.clauses, words.lows, words.keys, len(words)
    clause = clauses[at]
    opens = at + 1 < n and clauses[at + 1] != clause
    scope = [at]
    objects: list[str] = []
    for k in range(at + 1, min(at + 12, n)):
        if lows[k] in SENTENCE_PUNCT or len(objects) == 5:
            break
        if clauses[k] != clause and not (opens and clauses[k] == clause + 1):
            break
        key = keys[k]
        if key and key != SAY:
            objects.append(key)
            scope.append(k)
    predicate = keys[at]
    subject = [k for k in range(at) if clauses[k] == clause]
    topic = weighted(words, subject + scope)
    return Polar(cue, span, predicate, frozenset(objects), predicate in _LIGHT, tuple(scope), topic)


def _denials(text: str, words: Words) -> list[Polar]:
    """ "denied the accusation", "rejected the claim", "disputed that account", "denied
    bombing the positions", "called it false"; not "denied bail" or "rejected the bill"
    (those are negations of a thing, judged like "did not")."""
    starts, n = words.starts, len(words)
    out: list[Polar] = []
    for m in _DENIAL.finditer(text):
        verb_at = bisect.bisect_left(starts, m.start())
        i = bisect.bisect_left(starts, m.end())
        found = _denial_object(
            words, i, elliptical=m.group().casefold()[:4] in ("deni", "deny", "disp")
        )
        if found is None or verb_at >= n:
            continue
        accusation = any(
            words.lows[k] in _ACCUSATIONS for k in range(i, min(i + 4, n))
        )  # "denied the Russian accusations"
        polar = _polar(m.group(), m.span(), words, verb_at)
        # what is denied: the gerund ("bombing"), else nothing but the words after it
        predicate = words.keys[found] if found >= 0 else ""
        claim = [k for k in range(n) if k != verb_at]
        out.append(
            replace(
                polar,
                predicate=predicate,
                objects=polar.objects - _GENERIC_OBJECT_KEYS,
                light=False,
                # negated: the gerund it denies ("bombing"); not the verb ("disputed" is
                # asserted) nor a named statement ("the report" is still the report)
                scope=(found,) if found >= 0 else (),
                topic=weighted(words, claim),  # the whole claim: what it denies may be before
                accusation=accusation,
            )
        )
    for m in _FALSE.finditer(text):
        if _FALSE_LEAD.search(text, max(0, m.start() - 40), m.start()) or m.group().isupper():
            at = bisect.bisect_left(starts, m.start())
            claim = [k for k in range(n) if k != at]
            out.append(
                Polar(m.group(), m.span(), "", frozenset(), False, (), weighted(words, claim))
            )
    out.sort(key=lambda p: p.span)
    return out


def _denial_object(words: Words, i: int, elliptical: bool) -> int | None:
    """Index of the gerund a denial verb denies ("denied bombing"), -1 for a statement
    ("the accusation", "that ...", or an elliptical "has denied."), None when its object
    is a thing rather than a statement ("bail", "the bill")."""
    n = len(words)
    if i >= n:
        return -1 if elliptical else None
    lows, keys, capitals = words.lows, words.keys, words.capitals
    modifiers = 0
    for k in range(i, min(i + 6, n)):
        low = lows[k]
        if low in _FACT_OBJECTS:
            return k + 1 if low in ("having", "being") and k + 1 < n else -1
        if low.endswith("ing") and len(low) > 4 and keys[k] and not modifiers:
            return k
        if not low[:1].isalnum():
            return -1 if elliptical and not modifiers else None
        if low in _OBJECT_SKIP or (not keys[k] and low in STOPWORDS):
            continue
        if (capitals[k] or low in _FACT_MODIFIERS) and modifiers < 2:
            modifiers += 1  # "the Russian accusations", "the latest allegations"
            continue
        return None
    return None


# --- how strongly a negation or denial contradicts the other claim ---------------------

_BARE_DENIAL = 0.7  # "The ministry denied the accusation." / any claim it was paired with
_ACCUSATION_DENIED = 0.65  # "denied the accusations of shelling" / "accused the SDF of attacking"


def denial_stands(d: Polar, other: Stance) -> bool:
    """A denial against a claim that asserts what it denies: a bare denial ("denied the
    accusation") always; one that names its object ("denied any role in the attacks")
    when the other claim speaks of it; never when the other side negates it too."""
    if d.predicate and d.predicate in other.negated:
        return False
    if d.accusation and not _ACCUSING.isdisjoint(other.asserted):
        return True  # "denied the accusations" / "X accused Y of ...": the accusation denied
    named = d.objects | ({d.predicate} if d.predicate else set())
    return not named or not named.isdisjoint(other.asserted)


def negation_strength(n: Polar, other: Stance) -> float:
    """A negated predicate the other side asserts and does not negate; a light verb
    ("didn't say") only with an object in common ("how long it lasted"). Nothing when the
    other side negates any of the same words, or has a negation we cannot place. Clearer
    the more of the negated clause the other side says: "did not withdraw" against
    "withdrew" is weak, "the army did not withdraw from Raqqa" against "the army withdrew
    from Raqqa" is clear. A negated "speak" the other side says only by a verb that implies
    it ("are not speaking with" / "coordinating by phone with", `Stance.speaking`) counts
    when the other side says most of the negated clause: a looser match needs more."""
    if not n.predicate or other.elliptical:
        return 0.0
    implied = n.predicate not in other.asserted
    if implied and not (other.speaking and n.predicate in _SPEAK):
        return 0.0
    if not n.words.isdisjoint(other.negated):
        return 0.0
    if n.light and n.objects.isdisjoint(other.keys):
        return 0.0
    if other.negated and _NOMINAL.match(n.text):
        return 0.0  # "failure to pass ... would" / "inaction would": the same case, put two ways
    if not implied:
        return _overlap_strength(n, other)
    strength = _overlap_strength(n, other, said=frozenset((n.predicate,)))
    return strength if strength >= _IMPLIED_MIN else 0.0


# A predicate matched only through `Stance.speaking` needs this much of its clause said too
# (`_overlap_strength`: 0.3 for the predicate alone, 0.9 for the whole clause).
_IMPLIED_MIN = 0.6


# "failure to pass", "failing to pass": the negative case named as a thing, often in a
# condition ("failure to pass it would ..."); against a claim that negates anything itself
# ("inaction would ...") it is as likely that case said otherwise.
_NOMINAL = re.compile(r"fail(?:ing|ures?)\b", re.IGNORECASE)


def denial_strength(d: Polar, text: str, other: Stance) -> float:
    """A denial that names nothing ("The ministry denied the accusation.") is a likely
    contradiction of whatever it was paired with; pass it joined to the sentence before it
    and it is scored like any other: by how much of what it says the other side says."""
    if bare_reply(text):
        return _BARE_DENIAL
    if d.accusation and not _ACCUSING.isdisjoint(other.asserted):
        return max(_ACCUSATION_DENIED, _overlap_strength(d, other))
    return _overlap_strength(d, other)


def _overlap_strength(p: Polar, other: Stance, said: frozenset[str] = frozenset()) -> float:
    """0.3 plus up to 0.6 as the other side says more of what is negated or denied (or
    `said`, a word it implies): two words or more in common, and most of the clause (a
    long sentence shares some words with anything on its topic)."""
    total = sum(w for _, w in p.topic)
    shared = sum(w for k, w in p.topic if k in other.keys or k in said)
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


# Whatever bare_reply's cue is holds one of these (casefolded): a denial word (which
# polarity_of needs before it finds a denial) or a word of a _REPLY pattern. Most claims
# hold none, and the test costs a fraction of polarity_of's.
_REPLY_GATE = re.compile(
    r"den(?:y|ies|ied|ying)|reject|dismiss|disput|refut|rebut|false|untrue|baseless|"
    r"fabricated|bogus|unfounded|groundless|inaccurate|fake|hoax|nonsense|"
    r"comment|respon|return|repl|answer|reach|pushed"
)


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def bare_reply(text: str) -> bool:
    """True for a denial or reply that names no fact of its own ("The Russian Defense
    Ministry denied the accusation.", "He declined to comment.", "Officials disputed that
    account."): what it answers is in the sentence before it. Such a reply is short: a
    text longer than `CLAIM_CHARS` is none (and is not read)."""
    if len(text) > CLAIM_CHARS or _DIGIT.search(text) or not _REPLY_GATE.search(text.casefold()):
        return False
    cue = _reply_cue(text)
    if cue is None:
        return False
    words = words_of(text)
    for start, end, low, key in zip(words.starts, words.ends, words.lows, words.keys, strict=True):
        if end <= cue[0]:
            if key and not (
                text[start : start + 1].isupper() or low in _GENERIC_SUBJECTS or adverb(low)
            ):
                return False  # the subject says what happened ("After the strike, ...")
        elif start >= cue[1] and key and not _generic_after(low):
            return False
    return True


def _reply_cue(text: str) -> tuple[int, int] | None:
    p = polarity_of(text)
    if p.denials:
        return p.denials[0].span
    m = _REPLY.search(text)
    return m.span() if m else None


def _generic_after(low: str) -> bool:
    return (
        low in _REPLY_OBJECTS
        or low in _VERDICT_WORDS
        or low in _OBJECT_SKIP
        or low in REPORTING
        or adverb(low)
        or low in ("respond", "responded", "reply", "return", "returned", "reached", "back")
    )
