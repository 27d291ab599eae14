"""What the text functions returned at a pinned commit, and that commit's code beside ours.

Speed work on workbench/{textnorm,claimwords,polarity,quantities,names,hints}.py must not
change one result. tests/data/text_reference.json.gz keeps, from the commit it was recorded
at: the six modules' source (so a test can run that code beside the current one on any
text, BASIL's or hypothesis's, without git), and their results on a corpus of our own: the
seed articles' claims, generated stories (benchmarks/storygen.py and bench_align.py), the
sentences of the hint and quantity tests, bare replies joined to the sentence before them
(as the aligner compares them), and one-word edits of those (another figure, weekday or
month, a negation added or dropped, a hedge, a misspelt name). Pairs are of related
sentences: each claim with the claims of other articles that share most of its words,
each edit with its original, and the labelled seed pairs. No BASIL text is stored.

Record again only when a result is meant to change (and bump textnorm.NORMALIZER_VERSION
when `content_tokens` changed):  python tests/text_reference.py record COMMIT
"""

from __future__ import annotations

import collections
import gzip
import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # benchmarks/ holds the story generators
    sys.path.insert(0, str(REPO_ROOT))

FIXTURE = REPO_ROOT / "tests" / "data" / "text_reference.json.gz"
BASIL_DIR = REPO_ROOT.parent / "shared" / "data" / "basil" / "articles"
MODULES = ("textnorm", "claimwords", "polarity", "quantities", "names", "hints")  # import order
_OWN_IMPORT = re.compile(
    rf"\bworkbench(?=\.(?:{'|'.join(MODULES)})\b| import (?:{'|'.join(MODULES)})\b)"
)
PARTNERS = 2  # related claims per claim
COMMON = 200  # a word in more claims than this says nothing about which are related

Story = Sequence[Sequence[str]]  # articles, each its claims' texts in reading order
Pair = tuple[str, str]


# --- the reference code ----------------------------------------------------------------------


def load_modules(sources: Mapping[str, str], package: str) -> dict[str, ModuleType]:
    """The six modules from `sources`, importing one another inside `package` (and
    workbench.models, which is not theirs, from the current tree)."""
    root = ModuleType(package)
    root.__path__ = []
    sys.modules[package] = root
    loaded: dict[str, ModuleType] = {}
    for name in MODULES:
        source = _OWN_IMPORT.sub(package, sources[name])
        if re.search(rf"\bworkbench\.(?:{'|'.join(MODULES)})\b|from workbench import", source):
            raise RuntimeError(f"{name}: an import of the current tree is left")
        module = ModuleType(f"{package}.{name}")
        module.__file__ = f"<{package}.{name}>"
        sys.modules[module.__name__] = module
        exec(compile(source, module.__file__, "exec"), module.__dict__)
        setattr(root, name, module)
        loaded[name] = module
    return loaded


def current_modules() -> dict[str, ModuleType]:
    import importlib

    return {name: importlib.import_module(f"workbench.{name}") for name in MODULES}


def foreign_objects(modules: Mapping[str, ModuleType]) -> list[str]:
    """Functions and classes of loaded modules that come from the current workbench's
    text modules: a loader bug that would make old and new trivially equal."""
    own = {f"workbench.{name}" for name in MODULES}
    return [
        f"{name}.{attr}"
        for name, module in modules.items()
        for attr, value in vars(module).items()
        if getattr(getattr(value, "__wrapped__", value), "__module__", None) in own
    ]


def sources_at(commit: str) -> dict[str, str]:
    return {
        name: subprocess.run(
            ["git", "-C", str(REPO_ROOT), "show", f"{commit}:workbench/{name}.py"],
            check=True, capture_output=True, text=True,
        ).stdout
        for name in MODULES
    }  # fmt: skip


# --- results -------------------------------------------------------------------------------


def _hint(h: Any) -> list | None:
    if h is None:
        return None
    spans = [list(s) if s is not None else None for s in (h.a_span, h.b_span)]
    return [h.kind, h.a, h.b, *spans, h.relation]


def text_result(m: Mapping[str, ModuleType], text: str) -> list:
    """What import and alignment ask of one claim text."""
    return [
        list(m["textnorm"].content_tokens(text)),
        m["hints"].bare_reply(text),
        m["hints"].has_cues(text),
        sorted(m["hints"].frame_keys(text)),
    ]


def pair_result(m: Mapping[str, ModuleType], a: str, b: str) -> list:
    """The hints (compatible ones too) and the discrepancy of one pair."""
    d = m["hints"].discrepancy(a, b)
    return [
        [_hint(h) for h in m["hints"].find_hints(a, b, compatible=True)],
        [d.score, _hint(d.hint)],
    ]


_SCALARS = (str, int, float, bool, type(None))


def plain(value: Any) -> Any:
    """Dataclasses and tokens as tuples, so two modules' objects compare by content."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple or kind is list:
        return tuple(map(plain, value))
    fields = getattr(kind, "__dataclass_fields__", None)
    if fields is not None:
        return (kind.__name__, *(plain(getattr(value, name)) for name in fields))
    if kind.__name__ == "Tok":  # the reference's tokens: one object per token
        return (value.start, value.end, value.low, value.key, value.clause, value.capital)
    if isinstance(value, dict):
        return tuple(sorted((k, plain(v)) for k, v in value.items()))
    if isinstance(value, (frozenset, set)):
        return tuple(sorted(map(plain, value)))
    raise TypeError(f"no plain form for {kind.__name__}")


def token_rows(m: Mapping[str, ModuleType], text: str) -> tuple:
    """A claim's tokens as (start, end, low, key, clause, capital) rows, whether the
    module keeps an object per token ((tokens, starts)) or columns (`Words`)."""
    found = m["claimwords"].words_of(text)
    if isinstance(found, tuple):
        return plain(found[0])
    columns = (found.starts, found.ends, found.lows, found.keys, found.clauses, found.capitals)
    return tuple(zip(*columns, strict=True))


def inner_result(m: Mapping[str, ModuleType], text: str) -> tuple:
    """The intermediate results of one text: words, features, polarity, figures, names."""
    return (
        token_rows(m, text),
        plain(m["hints"].extract_features(text)),
        plain(m["polarity"].polarity_of(text)),
        plain(m["polarity"].stance(text)),
        plain(m["quantities"].extract_quantities(text)),
        plain(m["names"].name_set(text)),
    )


# --- the corpus ----------------------------------------------------------------------------


def said_texts(story: Story, bare_reply) -> list[list[str]]:
    """Each article's claims as the aligner compares them: a bare reply joined to the
    sentence before it."""
    return [
        [f"{claims[k - 1]} {t}" if k and bare_reply(t) else t for k, t in enumerate(claims)]
        for claims in story
    ]


def related_pairs(story: Story, content_tokens, per_claim: int = PARTNERS) -> list[Pair]:
    """Each claim with the `per_claim` claims of other articles sharing most of its words
    (two at least; ties by reading order)."""
    claims = [(a, t) for a, texts in enumerate(story) for t in texts]
    words = [frozenset(content_tokens(t)) for _, t in claims]
    where: dict[str, list[int]] = collections.defaultdict(list)
    for i, ws in enumerate(words):
        for w in ws:
            where[w].append(i)
    out: list[Pair] = []
    for i, ws in enumerate(words):
        shared: collections.Counter[int] = collections.Counter()
        for w in ws:
            if len(where[w]) <= COMMON:
                shared.update(j for j in where[w] if claims[j][0] != claims[i][0])
        best = sorted((-n, j) for j, n in shared.items() if n >= 2)[:per_claim]
        out += [(claims[i][1], claims[j][1]) for _, j in best]
    return out


_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_EDITS = (
    (re.compile(r"\b[0-9]+\b"), lambda m: str(int(m.group()) + 3)),
    (re.compile(r"\b(?:" + "|".join(_WEEKDAYS) + r")\b"),
     lambda m: _WEEKDAYS[(_WEEKDAYS.index(m.group()) + 1) % 7]),
    (re.compile(r"\b(?:" + "|".join(_MONTHS) + r")\b"),
     lambda m: _MONTHS[(_MONTHS.index(m.group()) + 2) % 12]),
    (re.compile(r"\b(?:is|was|are|were|has|have|had|will|would|could|did)\b"), lambda m: m.group() + " not"),
    (re.compile(r"\b(?:not|never|no) "), lambda m: ""),
    (re.compile(r"n't\b"), lambda m: ""),
    (re.compile(r" (?:said|says|announced|reported)\b"), lambda m: " reportedly" + m.group()),
    (re.compile(r"(?<=[a-z] )[A-Z][a-z]{3,}(?=[a-z])"), lambda m: m.group() + "i"),
    (re.compile(r"(?<![\w$.,])(?=[0-9])"), lambda m: "about "),
    (re.compile(r"\b(?:U\.S\.|United States)"), lambda m: "US"),
)  # fmt: skip


def edited(text: str, rng: random.Random) -> str | None:
    """`text` with one small edit that a hint may notice, or None when none applies."""
    edits = [(p, f) for p, f in _EDITS if p.search(text)]
    if not edits:
        return None
    pattern, replace = rng.choice(edits)
    return pattern.sub(replace, text, count=1)


def corpus(
    stories: Iterable[Story], m: Mapping[str, ModuleType], seed: int = 1
) -> tuple[list[str], list[Pair]]:
    """The texts (claims, joined replies, edits) and related pairs of `stories`, chosen
    with the modules `m` (the same corpus whichever implementation is compared)."""
    rng = random.Random(seed)
    texts: dict[str, None] = {}
    pairs: dict[Pair, None] = {}
    for story in stories:
        said = said_texts(story, m["hints"].bare_reply)
        for article in story:
            texts.update(dict.fromkeys(article))
        for article in said:
            texts.update(dict.fromkeys(article))
        pairs.update(dict.fromkeys(related_pairs(said, m["textnorm"].content_tokens)))
        for text in [t for article in said for t in article]:
            other = edited(text, rng)
            if other is not None and other != text:
                texts[other] = None
                pairs[(text, other) if rng.random() < 0.5 else (other, text)] = None
    for a, b in pairs:
        texts.update(dict.fromkeys((a, b)))
    return list(texts), list(pairs)


def basil_story_texts(directory: Path = BASIL_DIR) -> list[list[str]] | None:
    """Each BASIL story's article texts as `workbench import` stores them (None when the
    data is absent)."""
    from workbench.evaluation import basil_article

    if not directory.is_dir():
        return None
    texts: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*/*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        article = basil_article(path, record)
        if article.text.strip():
            texts.setdefault(record["triplet-uuid"], []).append(article.text)
    return [articles for _, articles in sorted(texts.items())]


def seed_stories() -> list[Story]:
    from workbench.claims import split_claims

    articles = []
    for path in sorted((REPO_ROOT / "examples" / "seeds").glob("*.txt")):
        text = path.read_bytes().decode("utf-8")
        articles.append([text[s.start : s.end] for s in split_claims(text)])
    return [articles]


def seed_labelled_pairs() -> list[Pair]:
    """The labelled seed pairs (same fact, contradictions) as claim texts."""
    from benchmarks.bench_align import seed_claims
    from workbench.evaluation import load_labels

    _, by_file = seed_claims()
    out: list[Pair] = []
    for name in ("seed_pairs.jsonl", "seed_contradictions.jsonl"):
        out += [
            (a.text, b.text)
            for a, b, _ in load_labels(REPO_ROOT / "tests" / "data" / name, by_file)
        ]
    return out


def generated_stories() -> list[Story]:
    from benchmarks.bench_align import generated_story
    from benchmarks.storygen import story_articles
    from workbench.claims import split_claims

    storygen = [
        [text[s.start : s.end] for s in split_claims(text)] for _, text in story_articles(100, 40)
    ]
    by_article: dict[str, list[str]] = collections.defaultdict(list)
    for claim in generated_story(20, 40):
        by_article[claim.article_id].append(claim.text)
    return [storygen, list(by_article.values())]


def sentences_of_tests() -> list[Story]:
    """The sentences written in the hint, quantity, align and claims tests (string
    literals with a space in them), each its own article."""
    import ast

    found: dict[str, None] = {}
    for name in ("test_hints.py", "test_quantities.py", "test_align.py", "test_claims.py"):
        tree = ast.parse((REPO_ROOT / "tests" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and " " in node.value.strip()
                and len(node.value) < 2000
            ):
                found[node.value] = None
    return [[[t] for t in found]]


_FACTS = (
    "Jets struck the positions near Deir ez-Zor on Tuesday.",
    "The army said 23 people were killed in the attack.",
    "Russia's Defense Ministry accused the coalition of bombing the town.",
    "The report said the talks lasted at least an hour.",
    "Officials said the budget rose to $4.2 billion.",
    "He was not at the meeting, according to two aides.",
)
_REPLIERS = (
    "The ministry",
    "Officials",
    "He",
    "A spokesman for the Pentagon",
    "Russia's Defense Ministry",
    "The White House",
    "After the strike, the army",
    "Trump",
    "The company's lawyer",
    "She also",
)
_REPLIES = (
    "denied",
    "rejected",
    "disputed",
    "dismissed",
    "declined to comment on",
    "did not respond to",
    "didn't immediately return",
    "could not be reached for",
    "pushed back on",
    "called",
    "refuted",
    "has not commented on",
    "flatly denied",
    "did not dispute",
)
_REPLY_OBJECTS = (
    "the accusation.",
    "the report.",
    "that account.",
    "the claims as false.",
    "it false.",
    "a request for comment.",
    "bombing the positions.",
    "the bill.",
    "bail.",
    "the 2016 report.",
    "the allegations on Friday.",
    "it \u201cfake news.\u201d",
    "messages seeking comment.",
    "",
    "any role in the attacks.",
    "that he had met the ambassador.",
)


def reply_stories(count: int = 400, seed: int = 3) -> list[Story]:
    """Two-sentence articles: a fact, then a reply to it that may or may not name a fact
    of its own ("The ministry denied the accusation." / "... denied bail.")."""
    rng = random.Random(seed)
    articles = []
    for _ in range(count):
        reply = " ".join(
            (rng.choice(_REPLIERS), rng.choice(_REPLIES), rng.choice(_REPLY_OBJECTS))
        ).strip()
        articles.append([rng.choice(_FACTS), reply if reply.endswith(".") else reply + "."])
    return [articles]


def reference_corpus(m: Mapping[str, ModuleType]) -> tuple[list[str], list[Pair]]:
    stories = [*seed_stories(), *generated_stories(), *sentences_of_tests(), *reply_stories()]
    texts, pairs = corpus(stories, m)
    labelled = [p for p in seed_labelled_pairs() if p not in set(pairs)]
    for a, b in labelled:
        texts += [t for t in (a, b) if t not in set(texts)]
    return texts, pairs + labelled


# --- the fixture -----------------------------------------------------------------------------


def load_fixture(path: Path = FIXTURE) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def record(commit: str, path: Path = FIXTURE) -> dict:
    """Run the code of `commit` on the reference corpus and write the fixture (to a
    temporary name, then renamed)."""
    sources = sources_at(commit)
    m = load_modules(sources, "_text_reference_recording")
    texts, pairs = reference_corpus(m)
    index = {t: i for i, t in enumerate(texts)}
    data = {
        "commit": subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", commit],
            check=True, capture_output=True, text=True,
        ).stdout.strip(),
        "normalizer_version": m["textnorm"].NORMALIZER_VERSION,
        "sources": sources,
        "texts": texts,
        "text_results": [text_result(m, t) for t in texts],
        "pairs": [[index[a], index[b]] for a, b in pairs],
        "pair_results": [pair_result(m, a, b) for a, b in pairs],
    }  # fmt: skip
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    os.replace(tmp, path)
    return data


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "record":
        raise SystemExit("usage: python tests/text_reference.py record COMMIT")
    recorded = record(sys.argv[2])
    print(f"{FIXTURE}: {len(recorded['texts'])} texts, {len(recorded['pairs'])} pairs, "
          f"from {recorded['commit'][:12]}")  # fmt: skip
