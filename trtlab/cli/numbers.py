"""Argument types for numbers with a range: a bad value is one `trtlab: error:` line naming it."""

from __future__ import annotations

import argparse
import math


def seconds(*, zero: bool = False, unit: str = "seconds"):
    """A finite, non-negative float (positive unless `zero`)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number of {unit}") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
            least = "0 or more" if zero else "more than 0"
            raise argparse.ArgumentTypeError(f"'{text}' is not a usable number of {unit} ({least})")
        return value

    parse.__name__ = unit
    return parse


def count(*, minimum: int = 0):
    """An integer of at least `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"'{text}' is too small (at least {minimum})")
        return value

    parse.__name__ = "count"
    return parse
