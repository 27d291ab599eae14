"""The text functions give the results they gave at the recorded commit, on every text.

Three sources of text, so that speed work on textnorm, claimwords, polarity, quantities,
names and hints can be proved to change nothing (see tests/text_reference.py):
- our corpus (seed claims, generated stories, the tests' sentences, joined replies and
  edits: ~11,000 texts, ~16,000 related pairs) against the results recorded in
  tests/data/text_reference.json.gz;
- the BASIL articles in ../shared/data when present (else the seed articles), run through
  the recorded commit's code and ours side by side, intermediate results included;
- hypothesis text built from the words these modules react to, side by side too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from text_reference import (
    basil_story_texts,
    corpus,
    current_modules,
    foreign_objects,
    inner_result,
    load_fixture,
    load_modules,
    pair_result,
    reply_stories,
    seed_stories,
    text_result,
)

from conftest import shared_data_dir

NOW = current_modules()


@functools.cache
def _fixture() -> dict:
    return load_fixture()


@functools.cache
def _reference() -> Mapping[str, ModuleType]:
    """The six modules as they were at the fixture's commit."""
    return load_modules(_fixture()["sources"], "_text_reference")


def _differences(cases: Iterable[tuple[str, Any, Callable[[], Any]]], limit: int = 5) -> list[str]:
    """(what, expected, how to get it now) -> a line per case whose result changed."""
    out = []
    for what, expected, now in cases:
        got = now()
        if got != expected:
            out.append(f"{what}:\n  reference {expected!r}\n  now       {got!r}")
            if len(out) == limit:
                break
    return out


def _side_by_side(
    texts: list[str], pairs: list[tuple[str, str]], ref: Mapping, inner: Iterable[str] = ()
) -> list[str]:
    """Old and new on `texts` and `pairs`, and on the intermediate results of `inner`."""

    def cases():
        for t in inner:
            yield f"inner {t!r}", inner_result(ref, t), lambda t=t: inner_result(NOW, t)
        for t in texts:
            yield f"text {t!r}", text_result(ref, t), lambda t=t: text_result(NOW, t)
            yield (
                f"normalize {t!r}",
                ref["textnorm"].normalize(t),
                lambda t=t: NOW["textnorm"].normalize(t),
            )
        for a, b in pairs:
            yield (
                f"pair {a!r} / {b!r}",
                pair_result(ref, a, b),
                lambda a=a, b=b: pair_result(NOW, a, b),
            )
            yield (
                f"find_hints {a!r} / {b!r}",
                ref["hints"].find_hints(a, b),
                lambda a=a, b=b: NOW["hints"].find_hints(a, b),
            )

    return _differences(cases())


# --- the recorded corpus -----------------------------------------------------------------------


def test_the_reference_code_is_loaded_apart_from_ours():
    ref = _reference()
    assert foreign_objects(ref) == []
    assert ref["hints"].discrepancy is not NOW["hints"].discrepancy
    assert ref["hints"].Polar is not NOW["polarity"].Polar
    assert ref["hints"].Polar is ref["polarity"].Polar  # its modules import one another


def test_the_reference_code_reproduces_the_recorded_results():
    """On every tenth text and pair: the stored sources are the code the results came from."""
    data, ref = _fixture(), _reference()
    texts = data["texts"]
    cases = [
        (f"text {texts[k]!r}", data["text_results"][k], lambda k=k: text_result(ref, texts[k]))
        for k in range(0, len(texts), 10)
    ] + [
        (
            f"pair {k}",
            data["pair_results"][k],
            lambda k=k: pair_result(ref, *(texts[i] for i in data["pairs"][k])),
        )
        for k in range(0, len(data["pairs"]), 10)
    ]
    assert _differences(cases) == []


def test_the_recorded_corpus_exercises_every_function():
    data = _fixture()
    results = data["text_results"]
    assert len(results) > 10_000 and len(data["pairs"]) > 15_000
    assert sum(r[1] for r in results) > 100  # bare replies
    assert sum(not r[2] for r in results) > 1000  # claims without cues
    assert sum(bool(r[3]) for r in results) > 5000  # with frame keys
    kinds = {h[0] for r in data["pair_results"] for h in r[0]}
    assert kinds >= {"number", "time", "date", "weekday", "duration", "negation", "hedge",
                     "spelling", "entity"}  # fmt: skip
    assert any(h[5] == "compatible" for r in data["pair_results"] for h in r[0])
    assert sum(r[1][0] > 0 for r in data["pair_results"]) > 3000


def test_the_normalizer_version_is_the_recorded_one():
    assert _fixture()["normalizer_version"] == NOW["textnorm"].NORMALIZER_VERSION


def test_the_traits_stored_at_import_are_the_recorded_answers():
    """A claim's stored traits are bare_reply's and has_cues's answers, so a change to
    either shows here as in the recorded results (bump hints.TRAITS_VERSION with it)."""
    data, h = _fixture(), NOW["hints"]
    for t, (_, bare, cues, _) in list(zip(data["texts"], data["text_results"], strict=True))[::7]:
        assert h.claim_traits(t) == (h.REPLY_TRAIT if bare else 0) | (h.CUES_TRAIT if cues else 0)


def test_every_recorded_text_gives_its_recorded_results():
    data = _fixture()
    texts, results = data["texts"], data["text_results"]
    tn, h = NOW["textnorm"], NOW["hints"]
    cases = []
    for t, (tokens, bare, cues, frames) in zip(texts, results, strict=True):
        cases += [
            (f"content_tokens({t!r})", tokens, lambda t=t: list(tn.content_tokens(t))),
            (f"normalize({t!r})", " ".join(tokens), lambda t=t: tn.normalize(t)),
            (f"bare_reply({t!r})", bare, lambda t=t: h.bare_reply(t)),
            (f"has_cues({t!r})", cues, lambda t=t: h.has_cues(t)),
            (f"frame_keys({t!r})", frames, lambda t=t: sorted(h.frame_keys(t))),
        ]
    assert _differences(cases) == []


def test_every_recorded_pair_gives_its_recorded_hints_and_discrepancy():
    data = _fixture()
    texts = data["texts"]
    cases = []
    for (i, j), (hints, discrepancy) in zip(data["pairs"], data["pair_results"], strict=True):
        a, b = texts[i], texts[j]
        differing = [x for x in hints if x[5] == "differs"]
        cases += [
            (f"pair {a!r} / {b!r}", [hints, discrepancy], lambda a=a, b=b: pair_result(NOW, a, b)),
            (
                f"find_hints({a!r}, {b!r})",
                differing,
                lambda a=a, b=b: [_as_list(x) for x in NOW["hints"].find_hints(a, b)],
            ),
        ]
    assert _differences(cases) == []


def _as_list(h) -> list:
    spans = [list(s) if s is not None else None for s in (h.a_span, h.b_span)]
    return [h.kind, h.a, h.b, *spans, h.relation]


# --- real articles, side by side ----------------------------------------------------------------


def _real_stories() -> list:
    """The seed articles and made-up replies in any case, and every fourth of BASIL's
    stories when ../shared/data holds them (never stored: compared in-process; a fourth
    keeps the suite's time in hand, the recorded corpus and the generated text cover the
    rest of what these functions react to)."""
    shared = shared_data_dir()
    stories = basil_story_texts(shared / "basil" / "articles") if shared else None
    from workbench.claims import split_claims

    out = [*seed_stories(), *reply_stories(100)]
    for articles in list(stories or [])[::4]:
        out.append([[text[s.start : s.end] for s in split_claims(text)] for text in articles])
    return out


def test_real_articles_give_the_reference_results_side_by_side():
    ref = _reference()
    differences: list[str] = []
    texts = pairs = 0
    for story in _real_stories():  # a story at a time, as import asks
        story_texts, story_pairs = corpus([story], ref)
        texts, pairs = texts + len(story_texts), pairs + len(story_pairs)
        claims = [t for article in story for t in article]
        # intermediate results (the costliest to compare) on every third claim
        differences += _side_by_side(story_texts, story_pairs, ref, inner=claims[::3])
    assert texts > 300 and pairs > 150  # the seed story and the replies alone give more
    assert differences == []


# --- generated text, side by side ---------------------------------------------------------------

# The words and marks these modules react to, and plain words between them.
_VOCABULARY = [
    "The", "the", "a", "an", "Pentagon", "Kremlin", "said", "says", "told", "announced", "on",
    "Thursday", "Friday", "Mondays", "not", "never", "no", "none", "nothing", "didn't", "don't",
    "won't", "can't", "cannot", "did not", "has not", "denied", "denies", "rejected", "disputed",
    "dismissed", "refuted", "rebutted", "the accusation", "claims", "the report", "that account",
    "false", "baseless", "FALSE", "fake news", "called it", "declined to comment",
    "could not be reached", "did not respond", "didn't immediately return", "pushed back",
    "responded", "no comment", "a request for comment", "Officials", "spokesman", "ministry",
    "Russia's", "Russian", "Russians", "U.S.", "US", "USA", "U. S.", "United States",
    "United States of America", "UK", "U.K.", "Britain", "U.N.", "UN", "United Nations", "IS",
    "ISIS", "ISIL", "Islamic State", "Islamic State of Iraq and Syria", "Daesh", "StateIS",
    "Deir ez-Zor", "Deir al-Zor", "Deir el-Zour", "Ezzor", "Assad", "Bashar al Assad",
    "Abu Bakr", "Dillon", "Dillion", "Col.", "Ryan", "Mr.", "Dr.", "Fla.", "Florida",
    "D-Mass.", "R-Texas", "WASHINGTON \u2014", "\u2014", "\u2013", "-", "\u2010", "\u2011",
    "\u201c", "\u201d", "\u2018", "\u2019", "'", '"', "`", "(", ")", ";", ":", ",", ".", "?", "!",
    "$", "\u00a3", "\u20ac", "US$", "%", "23", "2.4", "1,200", "5,312.40", "$2.4 billion",
    "2.38 billion", "million", "bn", "5m", "45 percent", "per cent", "percentage points",
    "3:30", "10 a.m.", "11 p.m.", "noon", "midnight", "Sept. 15, 2017", "2017-09-16",
    "September 16", "16th of September", "in 2015", "since 2014", "October 2015", "May",
    "hours", "an hour", "at least", "about", "around", "nearly", "more than", "up to",
    "or so", "or more", "dozens of", "tens of thousands of", "a dozen", "twenty-three",
    "one hundred and five", "half a million", "six", "Six", "one of the", "first", "second",
    "23-year-old", "21-year veteran", "aged 16", "Lieberman, 75,", "section 3", "No. 2",
    "Route 66", "two-thirds", "miles", "km", "square miles", "reportedly", "allegedly",
    "according to", "claimed", "claims that", "his claims that", "is believed to",
    "said to be", "unconfirmed", "how long", "duration", "the last couple days",
    "three weeks ago", "the past month", "for two years", "lasted", "met", "meeting", "held",
    "took place", "talks", "co-operation", "de-conflict", "emphasised", "emphasized", "colour",
    "defence", "programme", "airstrike", "airstrikes", "killed", "died", "wounded", "people",
    "fighters", "troops", "buses", "roads", "whether or not", "no longer", "not only",
    "nothing but", "to avoid firing", "without", "instead", "against", "O'Brien", "Smith's",
    "it's", "there's", "\ufb01re", "\u212a", "\u0130stanbul", "caf\u00e9", "cafe\u0301",
    "\u00bd", "\u2167", "\u00ad", "\u200b", "Jan.", "Feb", "sept", "mr", "that", "which",
    "while", "because", "and", "but",
]  # fmt: skip
_SEPARATORS = [" ", " ", " ", " ", "", ", ", ". ", "\u00a0", "-", "\n", "; "]
_piece = st.one_of(st.sampled_from(_VOCABULARY), st.text(max_size=5))
_words = st.lists(st.tuples(_piece, st.sampled_from(_SEPARATORS)), max_size=24)


def _join(words: list[tuple[str, str]]) -> str:
    return "".join(w + sep for w, sep in words)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_words, st.data())
def test_generated_text_gives_the_reference_results_side_by_side(words, data):
    ref = _reference()
    a = _join(words)
    edits = data.draw(st.lists(st.tuples(st.integers(0, 30), _piece), max_size=3))
    changed = list(words)
    for at, piece in edits:
        if changed:
            k = at % len(changed)
            changed[k] = (piece, changed[k][1])
    b = _join(changed)
    texts = [a, b, f"{b} {a}"]
    assert _side_by_side(texts, [(a, b), (b, a)], ref, inner=texts) == []
