"""How numbers are written in trtlab's text: a count with its noun in the right number."""

from __future__ import annotations


def counted(n: int, noun: str, nouns: str | None = None) -> str:
    """'1 engine', '2 engines', '0 engines' (`nouns` for a plural that is not noun + 's')."""
    return f"{n} {noun if n == 1 else (nouns or noun + 's')}"
