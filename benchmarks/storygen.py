"""Generated news stories for the benchmarks: deterministic, and shaped like real coverage.

A story is a pool of facts. Each fact is a small bag of content words (who, did what, to
what, where, how many, which day), and each article reports some of them, each in its own
words: synonyms, another order, a number as digits or words, an attribution, a lead-in.
Facts differ in popularity as in real coverage (a Zipf law): a few core facts appear in most
articles, most in one to three, and a fifth of each article is its own. One report in ten
gives a fact's number or weekday differently (a contradiction to find).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_SUBJECTS = [
    "the defense ministry", "the mayor", "the governor", "the prime minister", "the police",
    "the central bank", "the health agency", "the union", "the company", "the army",
    "the court", "the foreign minister", "the rebels", "the coalition", "the senator",
    "the school board", "the fire department", "the election commission", "the regulator",
    "the airline", "the hospital", "the prosecutor", "the city council", "the refinery",
    "the port authority", "the weather service", "the opposition party", "the railway",
    "the energy minister", "the finance ministry", "the embassy", "the relief agency",
]  # fmt: skip
_VERBS = [
    ("announced", "unveiled", "disclosed"), ("approved", "backed", "endorsed"),
    ("rejected", "turned down", "refused"), ("closed", "shut", "sealed"),
    ("evacuated", "moved out", "cleared"), ("arrested", "detained", "held"),
    ("repaired", "fixed", "restored"), ("inspected", "examined", "checked"),
    ("funded", "financed", "paid for"), ("delayed", "postponed", "put off"),
    ("expanded", "enlarged", "extended"), ("banned", "prohibited", "outlawed"),
    ("hired", "recruited", "took on"), ("sold", "auctioned", "offloaded"),
    ("opened", "inaugurated", "launched"), ("cut", "reduced", "trimmed"),
]  # fmt: skip
_OBJECTS = [
    "bridge", "pipeline", "factory", "runway", "clinic", "warehouse", "tunnel", "reactor",
    "dam", "stadium", "highway", "prison", "market", "terminal", "shelter", "mine", "harbor",
    "airport", "school", "library", "plant", "depot", "border crossing", "power station",
    "water network", "rail line", "housing project", "vaccine program", "tax plan",
    "fishing quota", "oil field", "grain silo", "data center", "ferry service", "toll road",
]  # fmt: skip
_ADJECTIVES = [
    "new", "old", "main", "northern", "southern", "eastern", "western", "coastal", "central",
    "damaged", "disputed", "temporary", "private", "public", "regional", "military", "civilian",
]  # fmt: skip
_PLACES = [
    "Aleppo", "Basra", "Mosul", "Tikrit", "Kirkuk", "Raqqa", "Homs", "Idlib", "Latakia",
    "Tartus", "Hama", "Deir ez-Zor", "Palmyra", "Qamishli", "Hasakah", "Manbij", "Afrin",
    "Daraa", "Quneitra", "Sweida", "Ramadi", "Fallujah", "Najaf", "Karbala", "Erbil",
    "Sulaymaniyah", "Dohuk", "Samarra", "Baquba", "Hilla", "Nasiriyah", "Amarah",
]  # fmt: skip
_COUNTED = [("people", "residents"), ("workers", "employees"), ("soldiers", "troops"),
            ("families", "households"), ("trucks", "vehicles"), ("buses", "coaches"),
            ("patients", "sick people"), ("students", "pupils")]  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
          9: "nine", 10: "ten", 12: "twelve", 20: "twenty", 40: "forty"}  # fmt: skip
_LEADS = ["", "", "", "officials said ", "in a statement, ", "earlier, ", "meanwhile, ",
          "according to local media, "]  # fmt: skip
_TAILS = ["", "", "", ", officials said", ", according to a statement",
          ", the agency reported", ", a spokesman said", ", without giving details"]  # fmt: skip
_COLOR = [
    "Traffic was heavy near {place} for most of the day.",
    "Residents of {place} said they had not been told in advance.",
    "The decision drew criticism from groups in {place}.",
    "It was not clear how long the work in {place} would take.",
    "Reporters were kept away from the site in {place}.",
    "Prices in {place} rose sharply after the news.",
]  # fmt: skip


_SYLLABLES = ["ka", "lo", "mer", "tan", "vi", "sor", "bel", "dun", "ra", "pek", "zol", "mi",
              "gar", "hu", "nes", "tor", "fa", "qui", "bra", "len", "do", "wick", "sal", "mon"]  # fmt: skip
# Words that only some facts use, as real sentences each have words of their own.
_DETAILS = sorted({a + b + c for a in _SYLLABLES[:12] for b in _SYLLABLES[6:18]
                   for c in ("", "in", "ar", "ot")})  # fmt: skip


@dataclass(frozen=True)
class Fact:
    subject: str
    verb: int
    adjective: str
    obj: str
    place: str
    number: int | None
    counted: int
    day: str | None
    details: tuple[str, ...]


def _fact(rng: random.Random) -> Fact:
    return Fact(
        subject=rng.choice(_SUBJECTS),
        verb=rng.randrange(len(_VERBS)),
        adjective=rng.choice(_ADJECTIVES),
        obj=rng.choice(_OBJECTS),
        place=rng.choice(_PLACES),
        number=rng.choice([*_WORDS, rng.randint(11, 900)]) if rng.random() < 0.5 else None,
        counted=rng.randrange(len(_COUNTED)),
        day=rng.choice(_DAYS) if rng.random() < 0.5 else None,
        details=tuple(rng.sample(_DETAILS, 3)),
    )


def _render(fact: Fact, rng: random.Random, altered: bool) -> str:
    number, day = fact.number, fact.day
    if altered:  # this outlet gives the fact differently
        if number is not None:
            number = number + rng.choice([-3, -2, 2, 5, 10]) if number > 5 else number + 4
        if day is not None:
            day = rng.choice([d for d in _DAYS if d != fact.day])
    verb = rng.choice(_VERBS[fact.verb])
    a, b, c = fact.details
    thing = f"the {fact.adjective} {fact.obj} near {a} in {fact.place}"
    when = f" on {day}" if day else ""
    shapes = [
        f"{fact.subject} {verb} {thing}{when} after talks with {b} over {c}",
        f"{when.strip()}{',' if when else ''} {fact.subject} {verb} {thing}, citing {b} and {c}",
        f"{thing} was {verb} by {fact.subject}{when}, a move tied to {b} {c}",
        f"citing {c}, {fact.subject} {verb} {thing}{when} despite {b}",
    ]
    body = rng.choice(shapes).strip()
    if number is not None:
        count = _WORDS.get(number, f"{number:,}") if rng.random() < 0.4 else f"{number:,}"
        counted = rng.choice(_COUNTED[fact.counted])
        body += rng.choice([f", affecting {count} {counted}", f"; {count} {counted} were involved",
                            f", with {count} {counted} on site"])  # fmt: skip
    lead = rng.choice(_LEADS)
    sentence = lead + body[0].lower() + body[1:] if lead else body
    return sentence[0].upper() + sentence[1:] + rng.choice(_TAILS) + "."


def story_articles(
    n_articles: int, claims_per_article: int, *, seed: int = 7
) -> list[tuple[str, str]]:
    """(source, text) of each article of a generated story."""
    rng = random.Random(seed * 1_000_003 + n_articles * 1_009 + claims_per_article)
    pool = [_fact(rng) for _ in range(max(8, n_articles * claims_per_article // 5))]
    weights = [1.0 / (rank + 1) ** 1.1 for rank in range(len(pool))]
    articles = []
    for a in range(n_articles):
        shared = int(claims_per_article * 0.8)
        chosen: set[int] = set()
        while len(chosen) < min(shared, len(pool)):
            chosen.add(rng.choices(range(len(pool)), weights=weights)[0])
        sentences = [_render(pool[f], rng, rng.random() < 0.1) for f in sorted(chosen)]
        rng.shuffle(sentences)
        while len(sentences) < claims_per_article:
            own = _fact(rng)
            sentences.append(
                _render(own, rng, False)
                if rng.random() < 0.5
                else rng.choice(_COLOR).format(place=own.place)
            )
        articles.append((f"a{a:04d}.txt", " ".join(sentences)))
    return articles


def write_story_feed(
    target: Path,
    n_articles: int,
    claims_per_article: int,
    *,
    story: str | None = None,
    seed: int = 7,
) -> int:
    """The story as a JSONL feed for `workbench import`; returns the articles written."""
    name = story or f"generated {n_articles}x{claims_per_article}"
    with target.open("w", encoding="utf-8") as out:
        for source, text in story_articles(n_articles, claims_per_article, seed=seed):
            out.write(json.dumps({"story": name, "source": source, "text": text}) + "\n")
    return n_articles


def sentences(n_articles: int, claims_per_article: int, *, seed: int = 7) -> Iterator[str]:
    """Every sentence of the story (for a raw cdist pass over the same claims)."""
    from workbench.claims import split_claims

    for _, text in story_articles(n_articles, claims_per_article, seed=seed):
        for span in split_claims(text):
            yield text[span.start : span.end]
