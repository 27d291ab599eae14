"""Article text is data: before it reaches a terminal, control characters become visible
symbols so escape sequences in an article can never drive the terminal.

One definition of what is unsafe (`UNSAFE`), used for text shown to people (`safe_text`,
`one_line`) and for JSON (`json_line`, `json_escaped`), which escapes the same characters.
"""

from __future__ import annotations

import json
import re

# C0 controls except tab and newline, DEL, C1 controls (ESC, CSI and friends), the line and
# paragraph separators, and every bidirectional control (Unicode's Bidi_Control: the
# embeddings, overrides and isolates, and the marks LRM, RLM and ALM) that reorder what a
# terminal shows ("Trojan Source").
_BEYOND_C0 = "\x7f\x80-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f{_BEYOND_C0}]")
# The same, but a CR that ends a CRLF line (CSV) is left alone.
_UNSAFE_BUT_CRLF = re.compile(f"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f{_BEYOND_C0}]")
# What json.dumps(ensure_ascii=False) leaves raw (it escapes C0 itself).
_JSON_RAW = re.compile(f"[{_BEYOND_C0}]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": ␛ for ESC, ␍ for CR
    if code == 0x7F:
        return "\u2421"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """The text with control characters made visible; same length for C0 controls."""
    return UNSAFE.sub(_picture, text)


def safe_stream_text(text: str) -> str:
    """`safe_text` for output that has CRLF line ends (CSV): those stay, a lone CR shows."""
    return _UNSAFE_BUT_CRLF.sub(_picture, text)


def one_line(text: str, width: int | None = None) -> str:
    """Safe text on a single line (for tables), cut to width with an ellipsis."""
    flat = " ".join(safe_text(text).split())
    if width is not None and len(flat) > width:
        return flat[: max(width - 1, 0)] + "…"
    return flat


# A hint's side that names nothing of its kind ("negation: (none) ≠ are not": only the
# right claim negates). Words, not "∅": that is the unrelated mark.
NOTHING_NAMED = "(none)"


def hint_sides(a: str, b: str) -> tuple[str, str]:
    """A hint's two sides, each safe on one line."""
    return one_line(a) or NOTHING_NAMED, one_line(b) or NOTHING_NAMED


def hint_text(kind: str, a: str, b: str) -> str:
    """A hint on one line, for listings and reports: "number: 23 ≠ 25"."""
    left, right = hint_sides(a, b)
    return f"{kind}: {left} ≠ {right}"


def json_escaped(encoded: str) -> str:
    """JSON text with every unsafe character as a \\u escape: the same value to a parser,
    and nothing that can drive a terminal. Raw characters can only sit inside strings."""
    if encoded.isascii() and "\x7f" not in encoded:  # the common case, 100x cheaper
        return encoded
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def json_line(obj: object) -> str:
    """One JSON value on one line: UTF-8 text stays readable, control characters escaped."""
    return json_escaped(json.dumps(obj, ensure_ascii=False))
