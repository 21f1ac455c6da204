"""How trtlab writes short texts: a count with its noun in the right number, a long name cut to
fit a box (in the middle, where names differ least), a reason cut at its end, a signal's name."""

from __future__ import annotations

import signal


def counted(n: int, noun: str, nouns: str | None = None) -> str:
    """'1 engine', '2 engines', '0 engines' (`nouns` for a plural that is not noun + 's')."""
    return f"{n} {noun if n == 1 else (nouns or noun + 's')}"


def short(text: str, limit: int = 40) -> str:
    """`text` on one line, at most `limit` characters, cut in the middle with an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    half = (limit - 1) // 2
    return f"{text[:half]}\u2026{text[-(limit - 1 - half):]}"


def signal_name(signum: int) -> str | None:
    """'SIGSEGV' for 11: the name of a signal that ended a process, None for a number none has."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return None


def clip(text: str, limit: int) -> str:
    """`text` on one line, at most `limit` characters, cut at its end with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


# Characters a terminal acts on instead of showing: C0 controls, DEL, C1 controls (ESC's 8-bit
# forms among them), and the bidirectional overrides, embeddings, isolates and marks that can make
# a line read backwards; the line and paragraph separators some terminals break lines at.
_ACTED_ON = ({*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), 0x061C, 0x200E, 0x200F, 0x2028, 0x2029,
              *range(0x202A, 0x202F), *range(0x2066, 0x206A)})
_ESCAPES = {c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" for c in _ACTED_ON}
_ESCAPES.update({0x00: "\\0", 0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"})
_ESCAPES_IN_LINES = {c: e for c, e in _ESCAPES.items() if c not in (0x09, 0x0A)}


def printable(text, *, lines: bool = False) -> str:
    """`text` safe to print on a terminal: every character a terminal would act on (ESC, BEL, CR,
    C1 controls, bidirectional overrides, ...) written as a visible escape such as `\\x1b`; bytes
    that are not UTF-8 as escapes too. With `lines`, newlines and tabs are kept (a whole report)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "backslashreplace")
    text = str(text)
    if text.isprintable():  # no control, format (bidi) or separator character: nothing to escape
        return text
    if not text.isascii():  # lone surrogates (a file name that is not UTF-8) as escapes, not a crash
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text.translate(_ESCAPES_IN_LINES if lines else _ESCAPES)
