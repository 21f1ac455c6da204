"""Cancelling long work (engine builds, timing, a check): one way to ask whether to stop."""

from __future__ import annotations

from typing import Any, Callable, Union

# None, an Event-like object with is_set() (threading, multiprocessing, asyncio), or a callable.
Cancel = Union[None, Any, Callable[[], bool]]


def is_cancelled(cancel: Cancel) -> bool:
    """Whether `cancel` says stop."""
    if cancel is None:
        return False
    is_set = getattr(cancel, "is_set", None)
    return bool(is_set() if is_set is not None else cancel())
