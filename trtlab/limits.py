"""Limits on one run: memory estimated before anything is allocated, and time for a whole-model
run in ONNX Runtime (a Loop may run 10^15 times), so a hostile model ends in a clear error."""

from __future__ import annotations

import math
import os
import threading
from typing import Mapping, Sequence

from ._io import human_bytes
from .errors import TrtlabError

# A whole-model reference run that takes longer than this is stopped (seconds; the environment
# variable TRTLAB_REFERENCE_TIMEOUT_S changes it, 0 for no limit).
REFERENCE_TIMEOUT_S = 600.0
# The share of the free memory the inputs and any one tensor may take: the run needs room for
# the tensors around it too.
MEMORY_SHARE = 0.5


def reference_timeout_s() -> float | None:
    text = os.environ.get("TRTLAB_REFERENCE_TIMEOUT_S")
    try:
        seconds = float(text) if text else REFERENCE_TIMEOUT_S
    except ValueError:
        raise TrtlabError(f"TRTLAB_REFERENCE_TIMEOUT_S={text!r} is not a number of seconds.") from None
    return seconds if seconds > 0 and math.isfinite(seconds) else None


def available_memory() -> int | None:
    """Bytes this machine can still allocate (MemAvailable), None where unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def tensor_bytes(shape: Sequence[int], dtype: str) -> int:
    """Bytes of a tensor, in Python integers (no int64 overflow); unknown types count 4 per value."""
    import numpy as np

    try:
        itemsize = np.dtype(dtype).itemsize
    except TypeError:
        itemsize = 4
    return math.prod(int(d) for d in shape) * itemsize


def check_tensor_sizes(model, budget: int | None = None) -> None:
    """Before inputs are made and the model run: every input, and every tensor whose shape is
    known, fits in memory; no input is empty. Raises TrtlabError naming the first that does not."""
    if budget is None:
        free = available_memory()
        budget = int(free * MEMORY_SHARE) if free else None
    total = 0
    for name, info in model.inputs.items():
        shape = tuple(info.shape)
        if any(isinstance(d, int) and d == 0 for d in shape):
            raise TrtlabError(f"Input '{name}' has a zero-size dimension ({info.shape_text()}): there is nothing "
                              "to run or compare.", hint=f"Give it a real shape, e.g. --input {name}:"
                              + "x".join(str(d or 1) for d in shape) + ".")
        if not info.static:
            continue
        size = tensor_bytes(shape, info.dtype)
        total += size
        if budget is not None and (size > budget or total > budget):
            raise TrtlabError(f"Input '{name}' needs {human_bytes(size)} at {info.shape_text()} {info.dtype}; "
                              f"this machine has {human_bytes(budget / MEMORY_SHARE)} free.",
                              hint="Give smaller shapes with --input NAME:SHAPE (inputs= in Python).")
    if budget is None:
        return
    for name, info in model.tensors.items():
        if name in model.inputs or not info.static:
            continue
        size = tensor_bytes(info.shape, info.dtype)
        if size > budget:
            producer = model.producer.get(name)
            where = f"output of node '{producer}'" if producer else "an initializer"
            raise TrtlabError(f"Tensor '{name}' ({where}) needs {human_bytes(size)} at {info.shape_text()} "
                              f"{info.dtype}; this machine has {human_bytes(budget / MEMORY_SHARE)} free.",
                              hint="Give smaller input shapes, or check the model's shapes.")


def run_with_time_limit(session, names: list[str], feeds: Mapping, *, seconds: float | None = None,
                        what: str = "the fp32 reference run") -> list:
    """`session.run(names, feeds)`, stopped through ONNX Runtime's terminate flag after `seconds`
    (default: `reference_timeout_s()`). A stopped run is a TrtlabError; ONNX Runtime's own
    failures are raised as they are, for the caller to word."""
    from ._optional import onnxruntime

    if seconds is None:
        seconds = reference_timeout_s()
    options = onnxruntime().RunOptions()
    options.log_severity_level = 4  # failures are raised, not logged
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        options.terminate = True

    timer = threading.Timer(seconds, stop) if seconds else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    try:
        return session.run(names, dict(feeds), options)
    except Exception as exc:
        if stopped.is_set():
            raise TrtlabError(f"{what} took longer than {seconds:g} s and was stopped.",
                              hint="Check the model for loops with huge trip counts, or raise the limit with "
                                   "TRTLAB_REFERENCE_TIMEOUT_S.") from None
        raise
    finally:
        if timer is not None:
            timer.cancel()
