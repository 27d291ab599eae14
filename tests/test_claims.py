"""workbench.claims: golden rules, our own cases, the real seeds, and invariants."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.claims import SEGMENTER_VERSION, span_bound, split_claims
from workbench.models import ClaimKind, ClaimSpan

CLAIM, HEADING, BOILERPLATE = ClaimKind.CLAIM, ClaimKind.HEADING, ClaimKind.BOILERPLATE


def sentences(text: str) -> list[str]:
    return [text[span.start : span.end] for span in split_claims(text)]


def labelled(text: str) -> list[tuple[str, ClaimKind]]:
    return [(text[span.start : span.end], span.kind) for span in split_claims(text)]


def kind_of(text: str, sentence: str) -> ClaimKind:
    """The kind of the span that is exactly `sentence` (which must be a span)."""
    matches = [kind for found, kind in labelled(text) if found == sentence]
    assert matches, f"{sentence!r} is not a span of the text: {sentences(text)}"
    return matches[0]


def assert_invariants(text: str, spans: list[ClaimSpan]) -> None:
    """Sorted, non-overlapping, trimmed, non-empty spans that lose no visible character."""
    previous_end = 0
    for span in spans:
        assert isinstance(span.kind, ClaimKind)
        assert previous_end <= span.start < span.end <= len(text)
        piece = text[span.start : span.end]
        assert piece and piece == piece.strip()
        assert text[previous_end : span.start].strip() == "", "text lost between spans"
        previous_end = span.end
    assert text[previous_end:].strip() == "", "text lost after the last span"


def test_version_is_a_string() -> None:
    assert SEGMENTER_VERSION == "1"


# --- golden rules (shared data) ---------------------------------------------------------


def test_golden_rules(shared_data) -> None:
    path = shared_data / "gold_suites" / "sbd_golden_rules_en.json"
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    assert len(cases) == 48
    failed = [case["id"] for case in cases if sentences(case["text"]) != case["expected_sentences"]]
    assert len(cases) - len(failed) >= 46, f"failing golden rules: {failed}"
    for case in cases:
        assert_invariants(case["text"], split_claims(case["text"]))


# --- our own cases (always run) -----------------------------------------------------------

TITLES_SENTENCE = (
    "Lt. Gov. Tim Murray, Sgt. Ann Lee, Capt. Bo Li and Sen. John McCain met Rep. Adam "
    "Schiff, Gov. Jerry Brown, Mr. and Mrs. Smith and Dr. Ann Roe."
)

SEGMENTATION_CASES: list[tuple[str, list[str]]] = [
    ("Hello World. My name is Jonas.", ["Hello World.", "My name is Jonas."]),
    ("What is it? It is fine! Good.", ["What is it?", "It is fine!", "Good."]),
    # titles before names never end a sentence
    (
        "Col. Ryan Dillon told reporters. Maj. Gen. Igor Konashenkov said so.",
        ["Col. Ryan Dillon told reporters.", "Maj. Gen. Igor Konashenkov said so."],
    ),
    (
        TITLES_SENTENCE,
        [TITLES_SENTENCE],
    ),
    (
        "He also met then-Rep. Gabrielle Giffords. She agreed.",
        ["He also met then-Rep. Gabrielle Giffords.", "She agreed."],
    ),
    (
        "I can see Mt. Fuji and St. Louis from here.",
        ["I can see Mt. Fuji and St. Louis from here."],
    ),
    # abbreviations before numbers
    (
        "It happened on Sept. 22, 2017 and Jan. 5 at No. 10, see p. 55 and N°. 7 too.",
        ["It happened on Sept. 22, 2017 and Jan. 5 at No. 10, see p. 55 and N°. 7 too."],
    ),
    ("Sales rose in 2014. 29 people left.", ["Sales rose in 2014.", "29 people left."]),
    # ambiguous abbreviations split only before a sentence starter
    ("I live in the U.S. The weather is fine.", ["I live in the U.S.", "The weather is fine."]),
    ("The U.S. Army said it would act.", ["The U.S. Army said it would act."]),
    (
        "They met at 5 p.m. But nothing was agreed.",
        ["They met at 5 p.m.", "But nothing was agreed."],
    ),
    ("They met at 5 p.m. Thursday in Baghdad.", ["They met at 5 p.m. Thursday in Baghdad."]),
    ("The deal was with Briggs & Co. It closed.", ["The deal was with Briggs & Co.", "It closed."]),
    ("Acme Inc. CEO Jane Roe resigned.", ["Acme Inc. CEO Jane Roe resigned."]),
    ("It is the E.U. How about you?", ["It is the E.U.", "How about you?"]),
    ("He lives in Springfield, Ill. Police came.", ["He lives in Springfield, Ill. Police came."]),
    ("She fell ill. Doctors came.", ["She fell ill.", "Doctors came."]),
    # initials
    ("My name is Jonas E. Smith.", ["My name is Jonas E. Smith."]),
    (
        "We make a good team, you and I. Did you see Albert I. Jones yesterday?",
        ["We make a good team, you and I.", "Did you see Albert I. Jones yesterday?"],
    ),
    # glued sentences
    (
        "They battle around the oil-rich Deir el-Zour province.In addition, a new link exists.",
        [
            "They battle around the oil-rich Deir el-Zour province.",
            "In addition, a new link exists.",
        ],
    ),
    (
        "another line between the two sides.The U.S. and Russian forces met.",
        ["another line between the two sides.", "The U.S. and Russian forces met."],
    ),
    (
        "a chemical weapon attack.But U.S. officials insisted.",
        ["a chemical weapon attack.", "But U.S. officials insisted."],
    ),
    (
        "Write to Jane.Doe@example.com today. Thanks.",
        ["Write to Jane.Doe@example.com today.", "Thanks."],
    ),
    ("Open https://example.com/news.Today now.", ["Open https://example.com/news.Today now."]),
    ("Visit www.example.Com today.", ["Visit www.example.Com today."]),
    ("Ask Gen.Igor now.", ["Ask Gen.Igor now."]),
    # numbers
    (
        "She has $100.00 in her bag. It is 3.5 percent.",
        ["She has $100.00 in her bag.", "It is 3.5 percent."],
    ),
    # quotes and brackets after the terminal
    (
        "“This is not a negotiation,” he said. “It is a warning.”",
        ["“This is not a negotiation,” he said.", "“It is a warning.”"],
    ),
    (
        "They insist it isn’t technically “cooperation.” Instead, they talk.",
        ["They insist it isn’t technically “cooperation.”", "Instead, they talk."],
    ),
    ("He asked, 'Why?' She laughed.", ["He asked, 'Why?'", "She laughed."]),
    ('He said "no." she replied.', ['He said "no." she replied.']),
    ("(He was an engineer.) He left.", ["(He was an engineer.)", "He left."]),
    (
        "He teaches (he worked there.) at the school.",
        ["He teaches (he worked there.) at the school."],
    ),
    ("That is JFK Jr.'s book.", ["That is JFK Jr.'s book."]),
    (
        "Chuck Schumer (D-N.Y.) ― for giving away leverage.",
        ["Chuck Schumer (D-N.Y.) ― for giving away leverage."],
    ),
    # ellipses
    ("I never meant that.... She left.", ["I never meant that....", "She left."]),
    ("He paused . . . and left. . . . I wonder.", ["He paused . . . and left.", ". . . I wonder."]),
    ("Well ... I mean... see . . . I didn’t.", ["Well ... I mean... see . . . I didn’t."]),
    # lists
    ("1) The first item 2) The second item", ["1) The first item", "2) The second item"]),
    ("a. The first item b. The second item", ["a. The first item", "b. The second item"]),
    # line breaks end sentences, except continuations
    ("First line without period\nSecond line.", ["First line without period", "Second line."]),
    ("One.\r\nTwo.\r\n\r\nThree", ["One.", "Two.", "Three"]),
    ("One\u2028Two", ["One", "Two"]),
    (
        'to distract from the defeat of ISIS,"\n\nhe said. Next one.',
        ['to distract from the defeat of ISIS,"\n\nhe said.', "Next one."],
    ),
    (
        'He said, that the two sides\r\n\r\n"had a face-to-face discussion."',
        ['He said, that the two sides\r\n\r\n"had a face-to-face discussion."'],
    ),
    ("It ended.\n\nthen it began.", ["It ended.", "then it began."]),
    ('Officials said\n\n"We will act."', ["Officials said", '"We will act."']),
    ("", []),
    ("  \n\t \r\n ", []),
]


@pytest.mark.parametrize(("text", "expected"), SEGMENTATION_CASES)
def test_segmentation(text: str, expected: list[str]) -> None:
    spans = split_claims(text)
    assert [text[s.start : s.end] for s in spans] == expected
    assert_invariants(text, spans)


ARTICLE_HEAD = "Troops met near the river on Thursday. They talked for an hour.\n\n"
ARTICLE_TAIL = "\n\nThe talks will continue next week, officials said."

BOILERPLATE_LINES = [
    "Subscribe to EIR Online",
    "Back to top",
    "You may also like",
    "Advertisement",
    "Sign up for our newsletter",
    "Read more: Syria talks stall",
    "Share this article",
    "Follow us on Twitter",
    "Disclaimer: No Business Standard Journalist was involved in creation of this content",
    "© Getty Images",
    (
        "Copyright 2017 The Associated Press. All rights reserved. This material may not be "
        "published, broadcast, rewritten or redistributed."
    ),
    "In this Friday, Sept. 15, 2017 file photo, a Russian helicopter flies over a desert.",
    "A helicopter flies over the desert. (AP Photo/Hassan Ammar)",
    "₹900",
    "₹300/Month",
    "3 Months",
    "Renews automatically, cancel anytime",
]


@pytest.mark.parametrize("line", BOILERPLATE_LINES)
def test_boilerplate_lines(line: str) -> None:
    text = ARTICLE_HEAD + line + ARTICLE_TAIL
    spans = split_claims(text)
    inside = [
        s for s in spans if s.start >= len(ARTICLE_HEAD) and s.end <= len(text) - len(ARTICLE_TAIL)
    ]
    assert inside and all(s.kind is BOILERPLATE for s in inside), labelled(text)
    outside = [s for s in spans if s not in inside]
    assert [s.kind for s in outside] == [CLAIM, CLAIM, CLAIM]


@pytest.mark.parametrize(
    "line",
    [
        "Monday, October 23, 2017",
        "Sept. 22, 2017",
        "Oct. 5, 2017 10:32 a.m. EDT",
        "US, Russian generals meet face-to-face after Syria clash",
        "U.S., Russian Officers Met Face-to-Face in Syria",
    ],
)
def test_headings(line: str) -> None:
    text = ARTICLE_HEAD + line + ARTICLE_TAIL
    assert kind_of(text, line) is HEADING
    assert [kind for _, kind in labelled(text)] == [CLAIM, CLAIM, HEADING, CLAIM]


@pytest.mark.parametrize(
    "text",
    [
        "Tensions are high.",  # terminal punctuation
        "It went on,\n\nthe talks went on without a break",  # a continuation
        (  # too many words
            "Dillon said the talks lasted an hour, the longest such meeting between the two "
            "sides since the war began in 2015 and the first face to face"
        ),
    ],
)
def test_not_headings(text: str) -> None:
    assert [kind for _, kind in labelled(text)] == [CLAIM]


def test_paywall_tail_makes_everything_after_boilerplate() -> None:
    text = (
        "Troops met. They talked.\n"
        "You’ve reached your limit of {{free_limit}} free articles this month.\n"
        "Smart Quarterly\nArchives\nAd-free Reading\n"
        "Uninterrupted reading experience with no advertisements\n"
        "The best journalism in the region, every day."
    )
    assert [kind for _, kind in labelled(text)] == [CLAIM, CLAIM] + [BOILERPLATE] * 6


def test_subscribe_banner_at_top_does_not_start_a_tail() -> None:
    for banner in ("Subscribe to EIR Online", "Subscribe to read the full story"):
        text = f"{banner}\n\nTroops met. They talked.\n\nSmart Quarterly"
        assert labelled(text) == [
            (banner, BOILERPLATE),
            ("Troops met.", CLAIM),
            ("They talked.", CLAIM),
            ("Smart Quarterly", HEADING),
        ]


def test_marker_words_inside_news_do_not_start_a_tail() -> None:
    text = (
        "Troops met.\n\nHe said he wanted to continue reading the report before the vote.\n\n"
        "The talks went on."
    )
    assert [kind for _, kind in labelled(text)] == [CLAIM, CLAIM, CLAIM]


# --- the real seeds -----------------------------------------------------------------------


def _spans_of(text: str) -> dict[str, ClaimKind]:
    return dict(labelled(text))


def test_seeds_keep_invariants(seed_texts: dict[str, str]) -> None:
    assert len(seed_texts) == 5
    for text in seed_texts.values():
        assert_invariants(text, split_claims(text))


def test_seed_glued_sentences_are_split(seed_texts: dict[str, str]) -> None:
    text = seed_texts["004_3c99027021f53b11.txt"]
    found = sentences(text)
    assert any(s.endswith("Deir el-Zour province.") for s in found)
    assert any(s.startswith("In addition to a longstanding phone line") for s in found)
    assert any(s.endswith("between the commanders of the two sides.") for s in found)
    assert any(s.startswith("The U.S. and Russian ground forces in Syria") for s in found)
    assert any(s.startswith("But U.S. officials have insisted") for s in found)


def test_seed_titles_are_never_split(seed_texts: dict[str, str]) -> None:
    checked = 0
    for text in seed_texts.values():
        spans = split_claims(text)
        for name in ("Col. Ryan Dillon", "Maj. Gen. Igor Konashenkov", "Sept. 22, 2017"):
            at = text.find(name)
            while at >= 0:
                assert any(s.start <= at and at + len(name) <= s.end for s in spans), name
                checked += 1
                at = text.find(name, at + 1)
    assert checked >= 6


def test_seed_000(seed_texts: dict[str, str]) -> None:
    text = seed_texts["000_b06f8e85b258ddf3.txt"]
    kinds = labelled(text)
    assert kinds[:3] == [
        ("US, Russian generals meet face-to-face after Syria clash", HEADING),
        ("US, Russian generals meet face-to-face after Syria clash", HEADING),
        ("© Getty Images", BOILERPLATE),
    ]
    assert all(kind is CLAIM for _, kind in kinds[3:])
    assert len(kinds) == 23


def test_seed_001_joins_paragraphs(seed_texts: dict[str, str]) -> None:
    text = seed_texts["001_fac77253d02de784.txt"]
    kinds = labelled(text)
    assert kinds[0] == ("Subscribe to EIR Online", BOILERPLATE)
    assert kinds[1] == ("U.S., Russian Officers Met Face-to-Face in Syria", HEADING)
    assert kinds[-1] == ("Back to top", BOILERPLATE)
    assert all(kind is CLAIM for _, kind in kinds[2:-1])
    joined = [s for s, _ in kinds if "\n\n" in s]
    assert len(joined) == 3
    assert joined[0].endswith('defeat of ISIS,"\n\nhe said.')
    assert joined[1].startswith('He said, that the two sides\n\n"had a face-to-face discussion')
    assert joined[2].startswith("Dillon later indicated")


def test_seed_002_is_all_claims(seed_texts: dict[str, str]) -> None:
    text = seed_texts["002_41903e8dc306907d.txt"]
    kinds = labelled(text)
    assert len(kinds) == 25
    assert all(kind is CLAIM for _, kind in kinds)
    assert ('"I am not worried.', CLAIM) in kinds
    assert ("The Russian Defense Ministry denied the accusation.", CLAIM) in kinds


def test_seed_003(seed_texts: dict[str, str]) -> None:
    text = seed_texts["003_78164efc8254cf8d.txt"]
    kinds = labelled(text)
    assert kinds[0] == ("Monday, October 23, 2017", HEADING)
    assert kinds[1] == ("US, Russian militaries hold unprecedented talks on Syria", HEADING)
    assert kinds[2][0].startswith("In this Friday, Sept. 15, 2017 file photo")
    assert kinds[2][1] is BOILERPLATE
    assert kinds[-4:] == [
        ("Copyright 2017 The Associated Press.", BOILERPLATE),
        ("All rights reserved.", BOILERPLATE),
        ("This material may not be published, broadcast, rewritten or redistributed.", BOILERPLATE),
        ("You may also like", BOILERPLATE),
    ]
    assert all(kind is CLAIM for _, kind in kinds[3:-4])
    assert ("Tensions are high.", CLAIM) in kinds


def test_seed_004_paywall(seed_texts: dict[str, str]) -> None:
    text = seed_texts["004_3c99027021f53b11.txt"]
    spans = split_claims(text)
    marker = text.index("You’ve reached your limit")
    disclaimer = text.index("Disclaimer:")
    before = [s for s in spans if s.start < disclaimer]
    after = [s for s in spans if s.start >= marker]
    assert len(before) == 12 and all(s.kind is CLAIM for s in before)
    assert len(after) >= 30 and all(s.kind is BOILERPLATE for s in after)
    by_text = _spans_of(text)
    for item in (
        "Smart Quarterly",
        "₹900",
        "Archives",
        "Ad-free Reading",
        "Uninterrupted reading experience with no advertisements",
    ):
        assert by_text[item] is BOILERPLATE
    assert by_text[text[disclaimer : text.index("\n", disclaimer)]] is BOILERPLATE


# --- properties ---------------------------------------------------------------------------

FRAGMENTS = [
    "The",
    "he",
    "said",
    "Mr.",
    "Col.",
    "U.S.",
    "a.m.",
    "Co.",
    "Inc.",
    "E.",
    "I.",
    "p.",
    "55",
    "$100.00",
    "3.5",
    "province.In",
    "sides.The",
    "Jane.Doe@example.com",
    "https://x.io/a.Bc",
    " ",
    " ",
    " ",
    "  ",
    ".",
    ". ",
    "!",
    "?",
    "?!",
    "...",
    ". . .",
    " . . . .",
    "…",
    "\n",
    "\n\n",
    "\r\n",
    "\u2028",
    "\x0c",
    "\x1c",
    "\t",
    "\u00a0",
    "\u3000",
    '"',
    "“",
    "”",
    "‘",
    "’",
    "'",
    "(",
    ")",
    "[",
    "]",
    "—",
    ",",
    ";",
    ":",
    "1.)",
    "2.)",
    "1)",
    "2)",
    "a.",
    "b.",
    "• 9.",
    "• 10.",
    "⁃9.",
    "⁃10.",
    "İ",
    "ß",
    "\x00",
    "\x85",
    "é",
    "中文",
    "©",
    "Copyright",
    "Subscribe to read",
    "reached your limit",
    "All rights reserved",
    "(AP Photo/X)",
    "In this file photo,",
    "Monday, October 23, 2017",
    "₹300/Month",
    "3 Months",
    "Advertisement",
]

news_like = st.lists(st.sampled_from(FRAGMENTS), max_size=80).map("".join)
any_text = st.text(max_size=400)
mixed = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=60).map(
    "".join
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(any_text, news_like, mixed))
def test_invariants_hold_for_any_text(text: str) -> None:
    spans = split_claims(text)
    assert_invariants(text, spans)
    assert split_claims(text) == spans  # deterministic


@settings(max_examples=200, deadline=None)
@given(news_like.filter(lambda t: "\r" not in t))
def test_crlf_gives_the_same_sentences(text: str) -> None:
    crlf = text.replace("\n", "\r\n")
    assert [s.replace("\r\n", "\n") for s in sentences(crlf)] == sentences(text)


@settings(max_examples=200, deadline=None)
@given(news_like, news_like)
def test_paragraphs_segment_independently(first: str, second: str) -> None:
    a, b = first + ".", "X" + second
    assert sentences(a + "\n\n" + b) == sentences(a) + sentences(b)


@pytest.mark.parametrize(
    "text",
    [
        "a" * 300_000,
        "Mr. " * 50_000,
        ". " * 100_000,
        "\n" * 100_000 + "x",
        "word. " * 50_000 + "1) a 2) b " * 5_000,
        "x" + " " * 200_000 + "1) a 2) b",
        ". . . " * 50_000,
        "“" * 10_000 + "a." + "”" * 10_000 + " B",
    ],
)
def test_very_long_lines(text: str) -> None:
    spans = split_claims(text)
    assert spans
    assert_invariants(text, spans)


_BOUNDARY_PIECES = st.sampled_from(
    [*"ab A.!?…)(12\n\r\x0b\u2028•\"'” ", "1.)", "a. ", "2) ", "U.S.", "...", ". . .", "Photo: AP"]
)


@settings(max_examples=300)
@given(
    st.one_of(
        st.lists(_BOUNDARY_PIECES, max_size=80).map("".join),
        st.text(max_size=200),
    )
)
def test_span_bound_is_never_below_what_split_claims_returns(text: str) -> None:
    """Import refuses an article by this count before splitting it (issue 13)."""
    assert len(split_claims(text)) <= span_bound(text)
