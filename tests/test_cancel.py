"""One way to ask whether to stop: nothing, an event, or a function."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading

from trtlab.cancel import is_cancelled


def test_none_an_event_or_a_callable():
    assert not is_cancelled(None)
    for event in (threading.Event(), asyncio.Event(), multiprocessing.get_context("spawn").Event()):
        assert not is_cancelled(event)
        event.set()
        assert is_cancelled(event)
    flag = []
    assert not is_cancelled(lambda: bool(flag))
    flag.append(1)
    assert is_cancelled(lambda: bool(flag)) is True
