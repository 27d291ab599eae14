"""The hint finder on our labelled pairs: does it name what a contradiction changes, does it
call it a likely contradiction, and how often does it raise a false alarm on a restatement.

Pairs: tests/data (protocol in PAIRS_PROTOCOL.md), the seed story's always, BASIL's when
../shared/data is there; every scored (not `alt`) pair, whatever the aligner ranks it (the
ranked figures are bench_quality's).

- "names the point": `find_hints` flags a difference of the labelled kind (bench_quality's
  NAMING_KINDS: "money" is named by a number hint, "denial" by a negation hint, ...);
- "discrepancy >= 0.5": `discrepancy` as the aligner asks it, a bare reply ("The ministry
  denied the accusation.") joined to the sentence before it in its article; from 0.5 up a
  pair is queued whatever its score (workbench.queue.STRONG_DISCREPANCY);
- false alarms, on same-fact pairs and on the `compatible` ones among them (figures that
  agree up to a rounding or a bound): the share with a "differs" hint of a kind that says
  the facts differ (number, time, date, weekday, duration, negation), and the share with a
  discrepancy of 0.5 or more.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.bench_quality import NAMING_KINDS, labelled_sets
from workbench.evaluation import PairLabel, claims_of
from workbench.hints import bare_reply, discrepancy, find_hints
from workbench.models import ClaimKind

ALARM_KINDS = frozenset(("number", "time", "date", "weekday", "duration", "negation"))
LIKELY = 0.5  # workbench.queue.STRONG_DISCREPANCY, on the 0-1 scale


def _said(pairs: Sequence[PairLabel]) -> dict[str, str]:
    """Claim id -> the text the aligner compares: a bare reply joined to the claim before
    it in its article (boilerplate left out), every other claim as it is."""
    out: dict[str, str] = {}
    for story in {p.story.name: p.story for p in pairs}.values():
        claims, _ = claims_of(story.texts)
        usable = sorted(
            (c for c in claims if c.kind != ClaimKind.BOILERPLATE),
            key=lambda c: (c.article_id, c.ordinal),
        )
        for k, c in enumerate(usable):
            before = usable[k - 1] if k else None
            joined = before is not None and before.article_id == c.article_id and bare_reply(c.text)
            out[c.id] = f"{before.text} {c.text}" if joined and before else c.text
    return out


def measure(pairs: Sequence[PairLabel]) -> dict[str, tuple[float, int]]:
    """figure -> (share, how many pairs)."""
    said = _said(pairs)
    counts: dict[str, list[bool]] = {
        "contradictions: a hint names the point": [],
        f"contradictions: discrepancy >= {LIKELY}": [],
        "same-fact: a differing hint (false alarm)": [],
        f"same-fact: discrepancy >= {LIKELY} (false alarm)": [],
        "compatible: a differing hint (false alarm)": [],
        f"compatible: discrepancy >= {LIKELY} (false alarm)": [],
    }
    figures = list(counts.values())
    for p in pairs:
        if p.alt:
            continue
        found = [h for h in find_hints(p.a.text, p.b.text) if h.relation == "differs"]
        likely = discrepancy(said.get(p.a.id, p.a.text), said.get(p.b.id, p.b.text)).score >= LIKELY
        if p.label == "contradict":
            kinds = NAMING_KINDS.get(p.point or "")
            figures[0].append(bool(found) if kinds is None else any(h.kind in kinds for h in found))
            figures[1].append(likely)
            continue
        alarm = any(h.kind in ALARM_KINDS for h in found)
        figures[2].append(alarm)
        figures[3].append(likely)
        if p.compatible:
            figures[4].append(alarm)
            figures[5].append(likely)
    return {name: (sum(xs) / max(len(xs), 1), len(xs)) for name, xs in counts.items()}


def run() -> list[dict]:
    sets = labelled_sets()
    if "basil" in sets:
        sets["all"] = sets["seed"] + sets["basil"]
    rows = []
    for name, pairs in sets.items():
        stories = len({p.story.name for p in pairs})
        for figure, (share, n) in measure(pairs).items():
            if not n:
                continue  # no compatible pairs among the seed story's
            rows.append(
                {"benchmark": "hint quality", "case": f"{name}: {stories} stories",
                 "measure": f"{figure} (n={n})", "value": f"{share:.3f}", "baseline": "",
                 "ratio": "", "target": ""}
            )  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['case']:22} {row['measure']:58} {row['value']:>6}")
