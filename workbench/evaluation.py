"""How well the aligner finds a claim's partner: labelled pairs in, top-1 / top-3 out.

Used by the tests (the quality bar) and the benchmarks (the figures in the README), and
usable on any labelled set in the same JSONL shape as tests/data/seed_pairs.jsonl: one pair a
line, {"a_file", "a", "b_file", "b", "alt"?}, each claim named by its file and a distinctive
substring (so labels survive segmentation changes). "alt" lines are true correspondences
that are acceptable answers but are not scored themselves.

`load_pair_labels` reads labelled same-fact and contradiction pairs of two kinds: that seed
shape (plus "label", "point", "why"), and BASIL pairs (tests/data/basil_pairs.jsonl), which
name a sentence of a BASIL article by its position and a hash, because BASIL's text is not
ours and stays in ../shared/data (see tests/data/PAIRS_PROTOCOL.md).
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from workbench.align import similarity_matrix
from workbench.claims import split_claims
from workbench.encoders import SentenceEncoder
from workbench.errors import WorkbenchError
from workbench.ingest import read_text
from workbench.models import Claim, ClaimKind, article_id, claim_id

# (query, its labelled partner, the query's other acceptable partners in that article)
Label = tuple[Claim, Claim, frozenset[str]]
Scorer = Callable[[Claim, Claim], float]


def claims_of(texts: Mapping[str, str]) -> tuple[list[Claim], dict[str, list[Claim]]]:
    """Articles (file name -> text) segmented into Claims: all of them, and by file."""
    claims: list[Claim] = []
    by_file: dict[str, list[Claim]] = {}
    for name, text in texts.items():
        aid = article_id(text)
        found = [
            Claim(claim_id(aid, s.start, s.end), aid, s.start, s.end, text[s.start : s.end],
                  s.kind, k)
            for k, s in enumerate(split_claims(text))
        ]  # fmt: skip
        by_file[name] = found
        claims += found
    return claims, by_file


def first_containing(claims: Sequence[Claim], needle: str) -> Claim:
    for c in claims:
        if needle in c.text:
            return c
    raise LookupError(f"no claim contains {needle!r}")


def load_labels(path: Path, by_file: Mapping[str, Sequence[Claim]]) -> list[Label]:
    """The scored pairs of a labels file, resolved against segmented articles."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    accept: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    scored = []
    for row in rows:
        a = first_containing(by_file[row["a_file"]], row["a"])
        b = first_containing(by_file[row["b_file"]], row["b"])
        accept[(a.id, b.article_id)] |= {c.id for c in by_file[row["b_file"]] if row["b"] in c.text}
        if not row.get("alt"):
            scored.append((a, b))
    return [(a, b, frozenset(accept[(a.id, b.article_id)] - {b.id})) for a, b in scored]


def filtered_ranks(claims: Sequence[Claim], labels: Sequence[Label], score: Scorer) -> list[int]:
    """Rank of each labelled partner among its article's claims (ties by ordinal), with the
    query's other acceptable partners left out."""
    by_article: dict[str, list[Claim]] = collections.defaultdict(list)
    for c in claims:
        if c.kind != ClaimKind.BOILERPLATE:
            by_article[c.article_id].append(c)
    ranks = []
    for a, b, others in labels:
        pool = [c for c in by_article[b.article_id] if c.id == b.id or c.id not in others]
        pool.sort(key=lambda c: (-score(a, c), c.ordinal))
        ranks.append(1 + [c.id for c in pool].index(b.id))
    return ranks


def aligner_scorer(claims: Sequence[Claim], encoder: SentenceEncoder | None = None) -> Scorer:
    """Our aligner's score for every cross-article pair of these claims (with a sentence
    encoder's vectors blended in, when one is given)."""
    vectors = None
    if encoder is not None:
        texts = [c.text for c in claims]
        vectors = dict(zip([c.id for c in claims], encoder.encode(texts), strict=True))
    ordered, final = similarity_matrix(claims, vectors=vectors)
    index = {c.id: i for i, c in enumerate(ordered)}

    def score(a: Claim, b: Claim) -> float:
        i, j = index.get(a.id), index.get(b.id)
        return -1.0 if i is None or j is None else float(final[i, j])

    return score


def token_set_baseline(a: Claim, b: Claim) -> float:
    """The baseline to beat: plain token_set_ratio over the raw sentences."""
    return fuzz.token_set_ratio(a.text, b.text)


def top_k_rates(ranks: Sequence[int]) -> tuple[float, float]:
    """(share ranked first, share in the top 3)."""
    n = max(len(ranks), 1)
    return sum(r == 1 for r in ranks) / n, sum(r <= 3 for r in ranks) / n


# --- labelled pairs with their stories (same-fact and contradiction sets) ---------------------

PAIR_LABELS = ("same", "contradict")
CONTRADICTION_POINTS = ("number", "money", "size", "count", "date", "weekday", "duration",
                        "negation", "denial", "attribution", "entity", "other")  # fmt: skip
# The name the seed story is imported under (README: how sample.db is built).
SEED_STORY = "US-Russia deconfliction, Sept 2017"


class PairLabelError(ValueError):
    """A labels file that does not resolve; the message is one line naming file and line."""


@dataclass(frozen=True)
class StoryArticle:
    """One article as `workbench import` reads it from a JSONL feed line."""

    source: str  # file name: the article's source in the database
    text: str
    title: str | None = None
    outlet: str | None = None


@dataclass(frozen=True)
class LabelledStory:
    name: str
    articles: tuple[StoryArticle, ...]

    @property
    def texts(self) -> dict[str, str]:
        return {a.source: a.text for a in self.articles}

    def feed_lines(self) -> Iterator[dict]:
        """This story as JSONL feed records for `workbench import` (as basil_jsonl writes)."""
        for a in self.articles:
            yield {"story": self.name, "text": a.text, "title": a.title, "outlet": a.outlet,
                   "source": a.source}  # fmt: skip


@dataclass(frozen=True)
class PairLabel:
    """A labelled cross-article pair, resolved to workbench claims (ids as `import` gives)."""

    story: LabelledStory
    a_file: str
    b_file: str
    a: Claim
    b: Claim
    label: str  # "same" | "contradict"
    point: str | None = None  # what differs, for a contradiction
    alt: bool = False  # an acceptable partner, not scored
    compatible: bool = False  # a "same" pair whose figures differ only by rounding
    why: str = ""


def basil_layout(record: Mapping) -> tuple[str, list[int | None]]:
    """A BASIL article's text as the workbench imports it (paragraphs joined by a blank line,
    sentences by a space), and where each sentence of the flattened list (BASIL's sentence
    numbering) has its first non-space character; None for a blank sentence."""
    parts: list[str] = []
    starts: list[int | None] = []
    pos = 0
    for paragraph in record.get("body-paragraphs", []):
        if not paragraph:
            continue  # an empty paragraph has no sentences and adds no separator
        if parts:
            parts.append("\n\n")
            pos += 2
        for k, sentence in enumerate(paragraph):
            if k:
                parts.append(" ")
                pos += 1
            lead = len(sentence) - len(sentence.lstrip())
            starts.append(pos + lead if sentence.strip() else None)
            parts.append(sentence)
            pos += len(sentence)
    return "".join(parts), starts


def basil_article(path: Path, record: Mapping) -> StoryArticle:
    return StoryArticle(path.name, basil_layout(record)[0], record.get("title"),
                        str(record.get("source", "")).lower())  # fmt: skip


def sentence_sha1(sentence: str) -> str:
    return hashlib.sha1(sentence.encode("utf-8")).hexdigest()[:12]


def write_feed(stories: Iterable[LabelledStory], target: Path) -> int:
    """The stories as one JSONL feed for `workbench import` (written to a temporary name,
    then renamed); returns the number of articles written."""
    count = 0
    tmp = target.with_name(target.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for story in stories:
            for line in story.feed_lines():
                out.write(json.dumps(line) + "\n")
                count += 1
    os.replace(tmp, target)
    return count


def load_pair_labels(
    path: Path, *, basil_dir: Path | None = None, seeds_dir: Path | None = None
) -> list[PairLabel]:
    """Every line of a labels file resolved to claims: BASIL lines against basil_dir (the
    folder holding articles/<year>/*.json), checking each sentence's hash; seed-shape lines
    against the seed articles in seeds_dir. Raises PairLabelError on the first bad line."""
    resolver = _Resolver(path, basil_dir, seeds_dir)
    lines = path.read_text(encoding="utf-8").splitlines()
    return [resolver.pair(n, line) for n, line in enumerate(lines, start=1) if line.strip()]


def ranking_labels(pairs: Sequence[PairLabel], label: str) -> list[Label]:
    """The scored pairs with this label as (query, partner, others) for `filtered_ranks`:
    the query's other labelled partners in that article are left out of its ranking."""
    partners: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    for p in pairs:
        partners[(p.a.id, p.b.article_id)].add(p.b.id)
    return [(p.a, p.b, frozenset(partners[(p.a.id, p.b.article_id)] - {p.b.id}))
            for p in pairs if p.label == label and not p.alt]  # fmt: skip


@dataclass
class _Resolver:
    path: Path
    basil_dir: Path | None
    seeds_dir: Path | None
    _basil_files: dict[str, Path] | None = None
    _stories: dict[str, LabelledStory] = field(default_factory=dict)
    _claims: dict[str, dict[str, list[Claim]]] = field(default_factory=dict)
    _layouts: dict[str, tuple[Mapping, list[int | None]]] = field(default_factory=dict)

    def fail(self, number: int, message: str) -> PairLabelError:
        return PairLabelError(f"{self.path.name}:{number}: {message}")

    def pair(self, number: int, line: str) -> PairLabel:
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise self.fail(number, f"malformed JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise self.fail(number, "expected a JSON object")
        label = row.get("label", "same")
        point = row.get("point")
        if label not in PAIR_LABELS:
            raise self.fail(number, f"label {label!r} is not one of {', '.join(PAIR_LABELS)}")
        if (label == "contradict") != (point is not None) or (
            point is not None and point not in CONTRADICTION_POINTS
        ):
            raise self.fail(number, f"point {point!r} does not fit label {label!r}")
        try:
            if "story" in row:
                story, (a_file, a), (b_file, b) = self.basil(number, row)
            else:
                story, (a_file, a), (b_file, b) = self.seed(row)
        except (KeyError, TypeError, ValueError, LookupError, WorkbenchError) as exc:
            if isinstance(exc, PairLabelError):
                raise
            raise self.fail(number, f"cannot resolve ({type(exc).__name__}: {exc})") from None
        if a.article_id == b.article_id:
            raise self.fail(number, "both sentences are in the same article")
        return PairLabel(story, a_file, b_file, a, b, label, point, bool(row.get("alt")),
                         bool(row.get("compatible")), str(row.get("why", "")))  # fmt: skip

    # BASIL: {"story", "a": {"file", "sentence", "sha1"}, "b": {...}, ...}
    def basil(self, number: int, row: Mapping) -> tuple[LabelledStory, tuple, tuple]:
        if self.basil_dir is None:
            raise self.fail(number, "a BASIL pair, but no basil_dir was given")
        name = row["story"]
        ends = []
        for side in ("a", "b"):
            ref = row[side]
            record, starts = self.basil_record(self.basil_dir, ref["file"], number)
            if record.get("triplet-uuid") != name:
                raise self.fail(number, f"{ref['file']} is not in story {name}")
            story, by_file = self.basil_story(self.basil_dir, name)
            n = ref["sentence"]
            sentences = [s for p in record.get("body-paragraphs", []) for s in p]
            if not isinstance(n, int) or not 0 <= n < len(sentences):
                raise self.fail(number, f"{ref['file']} has no sentence {n!r}")
            if sentence_sha1(sentences[n]) != ref["sha1"]:
                raise self.fail(number, f"{ref['file']} sentence {n}: sha1 does not match")
            start = starts[n]
            if start is None:
                raise self.fail(number, f"{ref['file']} sentence {n} is blank")
            claim = next((c for c in by_file[ref["file"]] if c.start <= start < c.end), None)
            if claim is None:
                raise self.fail(number, f"{ref['file']} sentence {n}: no claim holds it")
            ends.append((ref["file"], claim))
        return story, ends[0], ends[1]

    def basil_files(self, root: Path) -> dict[str, Path]:
        if self._basil_files is None:
            self._basil_files = {p.name: p for p in sorted(root.glob("articles/*/*.json"))}
        return self._basil_files

    def basil_record(self, root: Path, name: str, number: int = 0) -> tuple[Mapping, list]:
        """A BASIL article's JSON record and its sentences' first characters (cached)."""
        if name not in self._layouts:
            path = self.basil_files(root).get(name)
            if path is None:
                raise self.fail(number, f"no BASIL article {name!r} under {root}")
            record = json.loads(path.read_text(encoding="utf-8"))
            self._layouts[name] = (record, basil_layout(record)[1])
        return self._layouts[name]

    def basil_story(self, root: Path, name: str) -> tuple[LabelledStory, dict[str, list[Claim]]]:
        """The story's articles (BASIL files named <triplet-uuid>_<n>.json) and their claims."""
        if name not in self._stories:
            files = self.basil_files(root)
            articles = tuple(
                basil_article(files[f], self.basil_record(root, f)[0])
                for f in sorted(files)
                if f.startswith(name + "_")
            )
            self._stories[name] = LabelledStory(name, articles)
            self._claims[name] = claims_of(self._stories[name].texts)[1]
        return self._stories[name], self._claims[name]

    # seed shape: {"a_file", "a" (a distinctive substring), "b_file", "b", ...}
    def seed(self, row: Mapping) -> tuple[LabelledStory, tuple, tuple]:
        if self.seeds_dir is None:
            raise ValueError("a seed pair, but no seeds_dir was given")
        if SEED_STORY not in self._stories:
            meta = _seed_metadata(self.seeds_dir)
            articles = tuple(
                StoryArticle(p.name, read_text(p), meta.get(p.name, {}).get("title"),
                             meta.get(p.name, {}).get("outlet"))
                for p in sorted(self.seeds_dir.glob("*.txt"))
            )  # fmt: skip
            self._stories[SEED_STORY] = LabelledStory(SEED_STORY, articles)
            self._claims[SEED_STORY] = claims_of(self._stories[SEED_STORY].texts)[1]
        by_file = self._claims[SEED_STORY]
        a = first_containing(by_file[row["a_file"]], row["a"])
        b = first_containing(by_file[row["b_file"]], row["b"])
        return self._stories[SEED_STORY], (row["a_file"], a), (row["b_file"], b)


def _seed_metadata(folder: Path) -> dict[str, dict]:
    path = folder / "metadata.jsonl"
    if not path.is_file():
        return {}
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return {row["file"]: row for row in rows}
