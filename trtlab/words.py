"""How trtlab writes short texts: a count with its noun in the right number, a long name cut to
fit a box (in the middle, where names differ least), a reason cut at its end."""

from __future__ import annotations


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


def clip(text: str, limit: int) -> str:
    """`text` on one line, at most `limit` characters, cut at its end with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"
