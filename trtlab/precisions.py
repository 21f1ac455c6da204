"""The precisions trtlab knows, in one place: what the CLI offers, the Lab's switch, coverage
per precision, the transforms and the tolerances all read this list."""

from __future__ import annotations

from .errors import TrtlabError

PRECISIONS = ("fp32", "fp16", "bf16", "int8")

DESCRIPTIONS = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16", "int8": "int8 with Q/DQ nodes"}


def check_precision(precision: str) -> str:
    """`precision` itself, or one clear error naming the ones there are."""
    if precision not in PRECISIONS:
        raise TrtlabError(f"Unknown precision {precision!r}.", hint=f"Use one of: {', '.join(PRECISIONS)}.")
    return precision
