"""Wrap an article into display lines that keep exact offsets into its text.

No Textual here: a line is a tuple of tokens, each token a (start, end) range of the
article's own text plus whether a space goes before it. The pane renders a line by slicing
the text and styling each piece by the claim it belongs to, so moving the highlight never
re-wraps anything, and a claim's lines are known for scrolling it into view.

Each claim begins a line, so a line never holds the end of one claim and the start of the
next: the marker at the end of a claim's last line (and the cursor bar at the start of its
lines) belongs to that claim alone.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from rich.cells import cell_len

from workbench.display import safe_text
from workbench.models import ClaimKind
from workbench.tui.model import ArticleDoc

_WORD = re.compile(r"\S+")

Token = tuple[int, int, bool]  # start, end, space before


@lru_cache(maxsize=4096)
def display_width(piece: str) -> int:
    """Cells a piece of article text takes once control characters are made visible."""
    return cell_len(safe_text(piece))


@dataclass
class Layout:
    width: int
    lines: list[tuple[Token, ...]] = field(default_factory=list)
    claim_lines: dict[str, tuple[int, int]] = field(default_factory=dict)  # first, last line
    line_claims: list[tuple[int, ...]] = field(default_factory=list)  # claim indexes per line
    line_spans: list[tuple[int, int]] = field(default_factory=list)  # text offsets per line
    marker_lines: dict[str, int] = field(default_factory=dict)  # where a claim's marker goes

    def lines_of(self, claim_id: str) -> tuple[int, int] | None:
        return self.claim_lines.get(claim_id)

    def marker_line(self, claim_id: str) -> int | None:
        return self.marker_lines.get(claim_id)


def layout_article(doc: ArticleDoc, width: int, *, hide_boilerplate: bool = False) -> Layout:
    """Greedy word wrap of every source line; blank source lines become one blank line.
    Tokens are split at claim boundaries (two sentences can be glued: "province.In")."""
    width = max(width, 4)
    text = doc.article.text
    claims = doc.claims
    bounds = sorted({c.start for c in claims} | {c.end for c in claims})
    hidden = (
        [(c.start, c.end) for c in claims if c.kind == ClaimKind.BOILERPLATE]
        if hide_boilerplate
        else []
    )
    out = Layout(width=width)
    pending_blank = False
    for source_line in _source_lines(text):
        start, end = source_line
        tokens = [t for t in _tokens(text, start, end, bounds) if not _inside(t, hidden)]
        if not tokens:
            pending_blank = bool(out.lines)
            continue
        if pending_blank:
            out.lines.append(())
            pending_blank = False
        _wrap(text, tokens, width, out.lines, doc)
    _index_claims(doc, out)
    return out


def _source_lines(text: str):
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        yield pos, pos + len(stripped)
        pos += len(line)


def _tokens(text: str, start: int, end: int, bounds: list[int]):
    previous_end = None
    for match in _WORD.finditer(text, start, end):
        s, e = match.span()
        cut = bisect.bisect_right(bounds, s)
        piece_start = s
        while cut < len(bounds) and bounds[cut] < e:
            spaced = previous_end is not None and piece_start > previous_end
            yield (piece_start, bounds[cut], spaced)
            previous_end = bounds[cut]
            piece_start = bounds[cut]
            cut += 1
        yield (piece_start, e, previous_end is not None and piece_start > previous_end)
        previous_end = e


def _inside(token: tuple[int, int, bool], hidden: list[tuple[int, int]]) -> bool:
    return any(s <= token[0] and token[1] <= e for s, e in hidden)


def _claim_index(doc: ArticleDoc, offset: int) -> int:
    """The index of the claim covering a text offset, -1 for none."""
    i = bisect.bisect_right(doc.starts, offset) - 1
    return i if i >= 0 and doc.claims[i].start <= offset < doc.claims[i].end else -1


def _wrap(
    text: str, tokens: list[Token], width: int, lines: list[tuple[Token, ...]], doc: ArticleDoc
) -> None:
    line: list[Token] = []
    used = 0
    last_claim = -1  # the claim of the line's last token that belongs to one
    for start, end, space in tokens:
        w = display_width(text[start:end])
        gap = 1 if (space and line) else 0
        claim = _claim_index(doc, start)
        if line and claim not in (-1, last_claim) and last_claim != -1:
            lines.append(tuple(line))  # a claim begins a line
            line, used, gap = [], 0, 0
        if claim != -1:
            last_claim = claim
        if line and used + gap + w > width:
            lines.append(tuple(line))
            line, used, gap = [], 0, 0
        if w > width:  # a word wider than the pane: cut it by cells
            room = width - used - gap if line else width
            if room < 1:
                lines.append(tuple(line))
                line, used, gap, room = [], 0, 0, width
            for k, (ps, pe) in enumerate(_hard_split(text, start, end, room, width)):
                pw = display_width(text[ps:pe])
                sp = gap if k == 0 else 0
                if line and used + sp + pw > width:
                    lines.append(tuple(line))
                    line, used, sp = [], 0, 0
                line.append((ps, pe, bool(sp)))
                used += sp + pw
            continue
        line.append((start, end, bool(gap)))
        used += gap + w
    if line:
        lines.append(tuple(line))


def _hard_split(text: str, start: int, end: int, first_width: int, width: int):
    """Cut text[start:end] into pieces: the first fits `first_width`, the rest `width`."""
    piece_start = start
    used = 0
    limit = max(first_width, 1)
    for i in range(start, end):
        w = display_width(text[i])
        if used + w > limit and i > piece_start:
            yield (piece_start, i)
            piece_start, used, limit = i, 0, width
        used += w
    yield (piece_start, end)


def _index_claims(doc: ArticleDoc, out: Layout) -> None:
    for y, line in enumerate(out.lines):
        found: list[int] = []
        for start, _end, _ in line:
            i = _claim_index(doc, start)
            if i >= 0 and i not in found:
                found.append(i)
        out.line_claims.append(tuple(found))
        out.line_spans.append((line[0][0], line[-1][1]) if line else (0, 0))
        for i in found:
            cid = doc.claims[i].id
            first, _ = out.claim_lines.get(cid, (y, y))
            out.claim_lines[cid] = (first, y)
        if found:  # the line's last claim; no later claim shares the line
            out.marker_lines[doc.claims[found[-1]].id] = y
