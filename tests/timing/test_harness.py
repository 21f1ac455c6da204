"""time_calls: warm-up by time, then at least the iterations and the seconds asked for."""

from __future__ import annotations

import time

import pytest

import trtlab
from trtlab.timing import harness_overhead_ms, time_calls


def test_time_calls_warms_up_by_time_then_needs_iterations_and_seconds():
    calls = []
    samples, warm = time_calls(lambda: calls.append(time.perf_counter()), warmup_ms=30, iterations=7, seconds=0.0)
    assert warm >= 30 and len(samples) == 7
    assert len(calls) > 7  # warm-up calls came first
    slow, _ = time_calls(lambda: time.sleep(0.002), warmup_ms=0, iterations=3, seconds=0.05)
    assert len(slow) >= 3 and sum(slow) >= 45  # ran on until the time was spent
    assert all(s >= 1.9 for s in slow)



def test_time_calls_rejects_bad_settings_and_stops_on_cancel():
    with pytest.raises(trtlab.TrtlabError):
        time_calls(lambda: None, iterations=0)
    samples, _ = time_calls(lambda: None, warmup_ms=0, iterations=1, seconds=60, cancel=lambda: True)
    assert len(samples) == 1



def test_harness_overhead_is_small():
    assert 0 <= harness_overhead_ms() < 0.05
