"""trtexec-style measurement: warm up for a time, then run at least N times and T seconds."""

from __future__ import annotations

import time
from typing import Callable

from ..cancel import is_cancelled
from ..errors import TrtlabError

WARMUP_MS = 200.0
MIN_ITERATIONS = 10
MIN_SECONDS = 1.0


def time_calls(fn: Callable[[], object], *, warmup_ms: float = WARMUP_MS, iterations: int = MIN_ITERATIONS,
            seconds: float = MIN_SECONDS, max_iterations: int = 100_000,
            sync: Callable[[], object] | None = None, cancel=None) -> tuple[list[float], float]:
    """Call `fn` repeatedly: warm-up until `warmup_ms` have passed (at least once), then timed
    runs until both `iterations` runs and `seconds` seconds are done. `sync` runs after each
    call inside the timed span (e.g. a device synchronisation). Returns (samples in ms, the
    warm-up time actually spent in ms)."""
    if iterations < 1 or seconds < 0 or warmup_ms < 0:
        raise TrtlabError("Timing needs iterations >= 1 and non-negative seconds and warm-up.")
    clock = time.perf_counter
    start = clock()
    while True:
        fn()
        if sync is not None:
            sync()
        if (clock() - start) * 1000.0 >= warmup_ms:
            break
    warmup_spent = (clock() - start) * 1000.0
    samples: list[float] = []
    begin = clock()
    while len(samples) < max_iterations:
        t0 = clock()
        fn()
        if sync is not None:
            sync()
        samples.append((clock() - t0) * 1000.0)
        if len(samples) >= iterations and clock() - begin >= seconds:
            break
        if is_cancelled(cancel):
            break
    return samples, warmup_spent


def harness_overhead_ms(samples: int = 2000) -> float:
    """Median time `time_calls` adds per iteration, from timing a call that does nothing."""
    values, _ = time_calls(lambda: None, warmup_ms=1.0, iterations=samples, seconds=0.0)
    values.sort()
    return values[len(values) // 2]

