"""Article text is data: before it reaches a terminal, control characters become visible
symbols so escape sequences in an article can never drive the terminal."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls (ESC, CSI and friends).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": ␛ for ESC, ␍ for CR
    if code == 0x7F:
        return "\u2421"
    return f"\\x{code:02x}"


def safe_text(text: str) -> str:
    """The text with control characters made visible; same length for C0 controls."""
    return _CONTROL.sub(_picture, text)


def one_line(text: str, width: int | None = None) -> str:
    """Safe text on a single line (for tables), cut to width with an ellipsis."""
    flat = " ".join(safe_text(text).split())
    if width is not None and len(flat) > width:
        return flat[: max(width - 1, 0)] + "…"
    return flat
