"""The aligner's quality on the seed pairs and ClaimDiff, and the hint finder's cost per pair;
and the generated stories other benchmarks and tests use (`generated_story`).

Speed is not measured here: what a user waits for is `workbench import`, timed end to end as
a process in benchmarks/bench_scale.py. `find_hints` is timed per pair on the labelled seed
pairs (hints are computed when a pair is shown, not stored).

Quality: top-1/top-3 on the hand-labelled seed pairs (tests/data/seed_pairs.jsonl) and on
ClaimDiff's related pairs (../shared/data/claimdiff, held out: never tuned on), ours vs plain
`fuzz.token_set_ratio` over the raw sentences, ranked the same way (filtered ranking: the
query's other labelled partners in that article are left out of the ranking).
"""

from __future__ import annotations

import collections
import json
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz

from workbench import hints as hints_module
from workbench.align import align_story
from workbench.claims import split_claims
from workbench.evaluation import (
    aligner_scorer,
    claims_of,
    filtered_ranks,
    load_labels,
    token_set_baseline,
    top_k_rates,
)
from workbench.models import Claim, ClaimKind, article_id, claim_id

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "examples" / "seeds"
SEED_PAIRS = REPO_ROOT / "tests" / "data" / "seed_pairs.jsonl"
SHARED = REPO_ROOT.parent / "shared" / "data"
BASIL_DIR = SHARED / "basil" / "articles"
CLAIMDIFF_DIR = SHARED / "claimdiff"

CASES = ((5, 30), (20, 40), (100, 40))
NAIVE_SAMPLE_PAIRS = 20_000
HINT_ROUNDS = 20

# --- generated stories -----------------------------------------------------------------------

_PEOPLE = [
    ("Col. Ryan Dillon", "Dillon", "Dillion"), ("Maj. Gen. Igor Konashenkov", "Konashenkov", "Konashenkov"),
    ("Secretary Jim Mattis", "Mattis", "Mattis"), ("Ahmed Abu Khawla", "Abu Khawla", "Abu Khaula"),
    ("Col. Gen. Sergei Rudskoi", "Rudskoi", "Rudskoy"), ("Gov. Maria Santos", "Santos", "Santos"),
    ("Mayor Alan Becker", "Becker", "Bekker"), ("Dr. Helen Okafor", "Okafor", "Okafor"),
]  # fmt: skip
_PLACES = [
    ("Deir ez-Zor", "Deir al-Zor", "Deir el-Zour"), ("Raqqa", "Raqqah", "al-Raqqa"),
    ("Tabqa", "Tabqah", "al-Tabqa"), ("Qamishli", "Qamishly", "al-Qamishli"),
    ("Hasakah", "al-Hasakah", "Hasaka"), ("Palmyra", "Tadmur", "Palmyra"),
    ("Mayadin", "al-Mayadeen", "Mayadeen"), ("Abu Kamal", "Albu Kamal", "Bukamal"),
]  # fmt: skip
_ORGS = ["the Pentagon", "the Russian Defense Ministry", "the coalition", "the SDF",
         "the United Nations", "the State Department", "the Kremlin", "the local council"]  # fmt: skip
_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
                 9: "nine", 10: "ten", 12: "twelve", 20: "twenty", 40: "forty"}  # fmt: skip
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = ["September", "October", "November", "March", "April"]

# Each fact kind: several renderings of one fact. Slots: {p} person (full/short/variant),
# {pl} place (3 spellings), {o} organisation, {n} number (digits/words), {d} weekday,
# {m} {dd} month/day.
_FACTS = [
    ["{P} said on {d} that {n} fighters were injured in an airstrike near {pl}.",
     "{n_w} fighters were wounded when jets struck positions near {pl}, {p} said {d}.",
     "An air strike near {pl} injured {n} fighters, according to {p}."],
    ["{P} said the two sides met face-to-face for at least an hour in {pl}.",
     "Officials met in {pl} for a face to face meeting that lasted at least an hour, {p} said.",
     "The face-to-face talks in {pl} went on for more than an hour, according to {p}."],
    ["{o} emphasised the need to share operational graphics with forces near {pl}.",
     "{o} emphasized that operational graphics must be shared with units around {pl}.",
     "Sharing operational graphics with the forces near {pl} is essential, {o} said."],
    ["{P} said troops would continue to de-conflict with Russian forces at every level in {pl}.",
     "Troops will keep deconflicting with Russia at every level around {pl}, {p} told reporters.",
     "\u201cWe will continue to deconflict at every level,\u201d {p} said of operations near {pl}."],
    ["{o} said on {m} {dd} that its fighters had seized {n} percent of {pl}.",
     "By {m} {dd}, fighters had captured {n_w} percent of {pl}, {o} said.",
     "{o} claimed control of {n} percent of {pl} on {m} {dd}."],
    ["{P} denied that {o} had shelled civilian areas of {pl}.",
     "{o} did not shell civilian districts of {pl}, {p} insisted.",
     "{p} rejected accusations that {o} shelled residential parts of {pl}."],
    ["{n} civilians were evacuated from {pl} on {d}, {o} reported.",
     "{o} said {n_w} civilians had been moved out of {pl} on {d}.",
     "On {d}, {n} residents were reportedly evacuated from {pl}, according to {o}."],
    ["A new telephone line for ground commanders near {pl} has been working for over a month, {p} said.",
     "Ground commanders around {pl} have used a phone hotline in the past month or so, according to {p}.",
     "{P} said a hotline linking commanders near {pl} had operated for more than a month."],
    ["{o} warned it would retaliate immediately if its troops near {pl} came under fire.",
     "Any attack on troops near {pl} would be met with immediate retaliation, {o} warned.",
     "{o} threatened to respond at once to fire from positions around {pl}."],
    ["{P} said {n} military policemen were surrounded near {pl} and rescued in a special operation.",
     "{n_w} military police officers were encircled close to {pl} before a rescue operation, {p} said.",
     "A special operation freed {n} military policemen who had been surrounded near {pl}, {o} said."],
]  # fmt: skip
_COMMON_FIRST_WORDS = {"The", "A", "An", "Any", "Ground", "Officials", "Troops", "Sharing", "By",
                       "On"}  # fmt: skip
_PREFIXES = ["", "", "", "On {d}, ", "Earlier, ", "In a statement, ", "Meanwhile, ",
             "Separately, ", "Late on {d}, ", "In a briefing, "]  # fmt: skip
_TAILS = ["", "", "", " in a statement", ", officials said", " at a briefing in Baghdad",
          ", a claim that could not be independently verified", " late on {d}",
          ", without giving further details", " as fighting continued", " to reporters",
          ", the latest sign of rising tension", " in remarks carried by state media"]  # fmt: skip
_FILLER = [
    "The weather in {pl} was cold and the roads were closed for much of the day.",
    "Analysts said the situation around {pl} remained difficult to assess from outside.",
    "{o} published a statement on its website later in the evening.",
    "Markets in the region were largely unaffected by the news from {pl}.",
    "Reporters were not allowed to visit {pl} independently.",
    "The briefing was delayed by about {n_w} minutes because of technical problems.",
]  # fmt: skip


def _render(template: str, rng: random.Random, fact: dict) -> str:
    n = fact["number"]
    word = _NUMBER_WORDS.get(n, f"{n:,}")
    body = template.format(
        P=fact["person"][0],
        p=rng.choice(fact["person"][1:]),
        pl=rng.choice(fact["place"]),
        o=fact["org"],
        n=word if rng.random() < 0.3 else f"{n:,}",
        n_w=word,
        d=fact["day"],
        m=fact["month"],
        dd=fact["dd"],
    )
    prefix = rng.choice(_PREFIXES).format(d=fact["day"])
    tail = rng.choice(_TAILS).format(d=fact["day"])
    if prefix and body.split(" ", 1)[0] in _COMMON_FIRST_WORDS:
        body = body[0].lower() + body[1:]
    body = body.rstrip(".") + tail + "."
    return prefix + body


def generated_story(n_articles: int, n_claims: int, seed: int = 7) -> list[Claim]:
    """A story of `n_articles` articles of `n_claims` claims: most report shared facts
    (each in its own words), a few are article-specific filler."""
    return generated_story_with_facts(n_articles, n_claims, seed)[0]


def generated_story_with_facts(
    n_articles: int, n_claims: int, seed: int = 7
) -> tuple[list[Claim], dict[str, int]]:
    """`generated_story` and, for each claim that reports a shared fact, that fact's index."""
    rng = random.Random(seed * 1_000_003 + n_articles * 1_009 + n_claims)
    n_facts = max(n_claims, int(n_claims * 1.5))
    facts = []
    for f in range(n_facts):
        facts.append(
            {
                "kind": f % len(_FACTS),
                "person": rng.choice(_PEOPLE),
                "place": rng.choice(_PLACES),
                "org": rng.choice(_ORGS),
                "number": rng.choice([*_NUMBER_WORDS, rng.randint(2, 400)]),
                "day": rng.choice(_DAYS),
                "month": rng.choice(_MONTHS),
                "dd": rng.randint(1, 28),
            }
        )
    claims: list[Claim] = []
    fact_of: dict[str, int] = {}
    for a in range(n_articles):
        chosen = rng.sample(range(n_facts), k=int(n_claims * 0.8))
        sentences = []
        for f in chosen:
            fact = dict(facts[f])
            if rng.random() < 0.1:  # a source that disagrees on one detail
                fact["number"] = rng.randint(2, 400)
                fact["day"] = rng.choice(_DAYS)
            sentence = _render(rng.choice(_FACTS[fact["kind"]]), rng, fact)
            sentences.append(sentence[0].upper() + sentence[1:])
        while len(sentences) < n_claims:
            sentence = _render(rng.choice(_FILLER), rng, rng.choice(facts))
            sentences.append(sentence[0].upper() + sentence[1:])
        text = ""
        aid = f"gen{n_articles}x{n_claims}a{a:03d}"
        for k, sentence in enumerate(sentences):
            start = len(text)
            text += sentence + " "
            claims.append(
                Claim(claim_id(aid, start, start + len(sentence)), aid, start,
                      start + len(sentence), sentence, ClaimKind.CLAIM, k)
            )  # fmt: skip
            if k < len(chosen):
                fact_of[claims[-1].id] = chosen[k]
    return claims, fact_of


def same_fact_first(
    claims: Sequence[Claim], fact_of: dict[str, int], score: Callable[[Claim, Claim], float]
) -> float:
    """Share of (claim, other article reporting the same fact) where the best-scored claim
    of that article reports that fact."""
    by_article: dict[str, list[Claim]] = collections.defaultdict(list)
    for c in claims:
        by_article[c.article_id].append(c)
    facts_in = {a: {fact_of.get(c.id) for c in cs} for a, cs in by_article.items()}
    hits = total = 0
    for c in claims:
        f = fact_of.get(c.id)
        if f is None:
            continue
        for a, pool in by_article.items():
            if a == c.article_id or f not in facts_in[a]:
                continue
            best = max(pool, key=lambda d: (score(c, d), -d.ordinal))
            hits += fact_of.get(best.id) == f
            total += 1
    return hits / max(total, 1)


def naive_pairs_per_second(claims: Sequence[Claim], sample: int = NAIVE_SAMPLE_PAIRS) -> float:
    """The naive way: a Python loop calling fuzz.token_set_ratio on each pair."""
    rng = random.Random(1)
    pairs = []
    while len(pairs) < sample:
        a, b = rng.choice(claims), rng.choice(claims)
        if a.article_id != b.article_id:
            pairs.append((a.text, b.text))
    started = time.perf_counter()
    for x, y in pairs:
        fuzz.token_set_ratio(x, y)
    return len(pairs) / (time.perf_counter() - started)


def cross_pairs(claims: Sequence[Claim]) -> int:
    """Unordered pairs of claims from different articles (each scored once by the naive
    loop: token_set_ratio is symmetric)."""
    sizes = collections.Counter(c.article_id for c in claims)
    n = sum(sizes.values())
    return sum(s * (n - s) for s in sizes.values()) // 2


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def hints_per_pair_us(pairs: Sequence[tuple[str, str]]) -> tuple[float, float]:
    """find_hints per pair in µs: on a first pass over the pairs (the hint finder's caches
    emptied beforehand: what a reviewer's next pair costs), and the median of later passes
    (each claim's features cached: what a listing that repeats claims costs)."""
    for fn in vars(hints_module).values():
        if hasattr(fn, "cache_clear"):
            fn.cache_clear()
    hints_module.find_hints("Warm up the regexes on Monday.", "Warm-up on Tuesday.")
    cold, _ = _timed(lambda: [hints_module.find_hints(a, b) for a, b in pairs])
    warm = []
    for _ in range(HINT_ROUNDS):
        seconds, _ = _timed(lambda: [hints_module.find_hints(a, b) for a, b in pairs])
        warm.append(seconds)
    per_pair = 1e6 / max(len(pairs), 1)
    return cold * per_pair, statistics.median(warm) * per_pair


def _peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


# --- labelled quality ------------------------------------------------------------------------


def seed_claims() -> tuple[list[Claim], dict[str, list[Claim]]]:
    """The five seed articles segmented with split_claims, as Claims, and by file name."""
    return claims_of(
        {p.name: p.read_bytes().decode("utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))}
    )


def claimdiff_stories(directory: Path = CLAIMDIFF_DIR):
    """Per ClaimDiff topic: its claims (one article per source title) and the related
    pairs (strengthens or weakens) as labels. None when the data is absent."""
    strength = directory / "ClaimDiff-strength-test-full.json"
    weak = directory / "ClaimDiff-weak-test-full.json"
    if not (strength.exists() and weak.exists()):
        return None
    rows = json.loads(strength.read_text(encoding="utf-8"))["data"]
    weakens = {r["pair_id"]: r["relation"] for r in json.loads(weak.read_text("utf-8"))["data"]}
    topics: dict[str, list[dict]] = collections.defaultdict(list)
    for r in rows:
        topics[r["topic"]].append(r)
    out = []
    for topic in sorted(topics):
        claims: dict[tuple[str, str], Claim] = {}
        for r in topics[topic]:
            for text, title in ((r["claim_a"], r["article_a"]), (r["claim_b"], r["article_b"])):
                if (title, text) not in claims:
                    aid = article_id(topic + "\x1f" + title)
                    claims[(title, text)] = Claim(
                        claim_id(aid, len(claims), len(claims) + 1), aid, 0, len(text), text,
                        ClaimKind.CLAIM, len(claims),
                    )  # fmt: skip
        related = [
            (claims[(r["article_a"], r["claim_a"])], claims[(r["article_b"], r["claim_b"])])
            for r in topics[topic]
            if r["relation"] == 1 or weakens[r["pair_id"]] == 1
        ]
        accept: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
        for a, b in related:
            accept[(a.id, b.article_id)].add(b.id)
        labels = [(a, b, frozenset(accept[(a.id, b.article_id)] - {b.id})) for a, b in related]
        out.append((list(claims.values()), labels))
    return out


def claimdiff_rates() -> tuple[tuple[float, float], tuple[float, float], int] | None:
    stories = claimdiff_stories()
    if stories is None:
        return None
    ours: list[int] = []
    base: list[int] = []
    for claims, labels in stories:
        ours += filtered_ranks(claims, labels, aligner_scorer(claims))
        base += filtered_ranks(claims, labels, token_set_baseline)
    return top_k_rates(ours), top_k_rates(base), len(ours)


# --- BASIL -------------------------------------------------------------------------------


def basil_import_segment_align(directory: Path = BASIL_DIR) -> tuple[int, int, int, float]:
    """Read every BASIL article, segment it, align each story; (stories, claims,
    candidates, seconds)."""
    started = time.perf_counter()
    stories: dict[str, list[Claim]] = collections.defaultdict(list)
    for path in sorted(directory.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = [" ".join(p) for p in data.get("body-paragraphs", [])]
        text = "\n\n".join(p for p in paragraphs if p.strip())
        aid = article_id(text)
        for k, s in enumerate(split_claims(text)):
            stories[data["triplet-uuid"]].append(
                Claim(claim_id(aid, s.start, s.end), aid, s.start, s.end, text[s.start : s.end],
                      s.kind, k)
            )  # fmt: skip
    n_claims = sum(len(v) for v in stories.values())
    n_cands = sum(len(align_story(v)) for _, v in sorted(stories.items()))
    return len(stories), n_claims, n_cands, time.perf_counter() - started


# --- the table ---------------------------------------------------------------------------


def _row(case: str, measure: str, value: str, baseline: str = "", ratio: str = "",
         target: str = "") -> dict:  # fmt: skip
    return {"benchmark": "align", "case": case, "measure": measure, "value": value,
            "baseline": baseline, "ratio": ratio, "target": target}  # fmt: skip


def run() -> list[dict]:
    """Quality on the seed pairs (tuned on) and ClaimDiff (held out), and the hint finder's
    cost per pair. Speed is measured end to end, as a process: benchmarks/bench_scale.py."""
    rows: list[dict] = []
    claims, by_file = seed_claims()
    labels = load_labels(SEED_PAIRS, by_file)
    cold, warm = hints_per_pair_us([(a.text, b.text) for a, b, _ in labels])
    case = f"seed pairs ({len(labels)}), as shown to a reviewer"
    rows.append(_row(case, "find_hints per pair µs, first call", f"{cold:.0f}"))
    rows.append(_row(case, f"find_hints per pair µs, repeated (cached), median of {HINT_ROUNDS}",
                     f"{warm:.0f}"))  # fmt: skip
    ours = top_k_rates(filtered_ranks(claims, labels, aligner_scorer(claims)))
    base = top_k_rates(filtered_ranks(claims, labels, token_set_baseline))
    case = f"seed pairs ({len(labels)}, tuned on)"
    rows.append(_row(case, "top-1", f"{ours[0]:.3f}", f"{base[0]:.3f}",
                     f"{ours[0] / base[0]:.2f}x"))  # fmt: skip
    rows.append(_row(case, "top-3", f"{ours[1]:.3f}", f"{base[1]:.3f}",
                     f"{ours[1] / base[1]:.2f}x"))  # fmt: skip
    cd = claimdiff_rates()
    if cd is not None:
        (o1, o3), (b1, b3), n = cd
        case = f"ClaimDiff related pairs ({n}, held out)"
        rows.append(_row(case, "top-1", f"{o1:.3f}", f"{b1:.3f}", f"{o1 / b1:.2f}x"))
        rows.append(_row(case, "top-3", f"{o3:.3f}", f"{b3:.3f}", f"{o3 / b3:.2f}x"))
    return rows


if __name__ == "__main__":
    for row in run():
        print(
            " | ".join(row[k] for k in ("case", "measure", "value", "baseline", "ratio", "target"))
        )
