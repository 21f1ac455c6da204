"""Limits on one run: memory estimated before anything is allocated, and time for a whole-model
run in ONNX Runtime (a Loop may run 10^15 times), so a hostile model ends in a clear error."""

from __future__ import annotations

import math
import os
import threading
from typing import Iterable, Mapping, Sequence

from . import dtypes
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


def memory_limit() -> tuple[int | None, str]:
    """(Bytes this process can still allocate, what limits it): the least of the machine's free
    memory, the room left under the process's address-space limit (RLIMIT_AS) and under its
    cgroup's memory.max (a container's limit). (None, "") where none is known."""
    found = []
    free = available_memory()
    if free is not None:
        found.append((free, "free memory"))
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            found.append((max(soft - _status_bytes("VmSize"), 0), "the address-space limit (ulimit -v)"))
    except (ImportError, OSError, ValueError):
        pass
    cgroup = _cgroup_room()
    if cgroup is not None:
        found.append((cgroup, "the container's memory limit (cgroup memory.max)"))
    return min(found) if found else (None, "")


def _status_bytes(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _cgroup_room() -> int | None:
    """Bytes left under this process's cgroup v2 memory.max, None where unlimited or unknown."""
    try:
        with open("/proc/self/cgroup") as f:
            path = next((line.strip().split("::", 1)[1] for line in f if line.startswith("0::")), None)
        if path is None:
            return None
        folder = os.path.join("/sys/fs/cgroup", path.lstrip("/"))
        with open(os.path.join(folder, "memory.max")) as f:
            limit = f.read().strip()
        if limit == "max":
            return None
        with open(os.path.join(folder, "memory.current")) as f:
            return max(int(limit) - int(f.read().strip()), 0)
    except (OSError, ValueError, StopIteration):
        return None


def tensor_bytes(shape: Sequence[int], dtype: str) -> int:
    """Bytes of a tensor (see `dtypes.tensor_bytes`); a type of unknown size counts 4 per value."""
    return dtypes.tensor_bytes(shape, dtype, unknown_bits=32)


def check_fits(what: str, shape: Sequence[int], dtype: str) -> None:
    """Raise TrtlabError if an array of `shape` would not fit in this process's memory budget."""
    limit, by = memory_limit()
    size = tensor_bytes(shape, dtype)
    if limit is not None and size > limit * MEMORY_SHARE:
        raise TrtlabError(f"{what} needs {human_bytes(size)} at {'x'.join(map(str, shape)) or 'scalar'} {dtype}; "
                          f"this process can use {human_bytes(limit)} ({by}).",
                          hint="Give smaller arrays or shapes.")


def check_tensor_sizes(model, budget: int | None = None, kept: Iterable[str] = ()) -> None:
    """Before inputs are made and the model run: no input is empty, and the tensors alive at once
    (the inputs, the tensors in `kept` and each node's inputs and outputs, in the model's order)
    fit in half of what this process can allocate (see `memory_limit`). Raises TrtlabError naming
    the first input or tensor too large alone, or the node where the sum is."""
    by = "free memory"
    if budget is None:
        limit, by = memory_limit()
        budget = int(limit * MEMORY_SHARE) if limit is not None else None
    for name, info in model.inputs.items():
        if any(isinstance(d, int) and d == 0 for d in info.shape):
            raise TrtlabError(f"Input '{name}' has a zero-size dimension ({info.shape_text()}): there is nothing "
                              "to run or compare.", hint=f"Give it a real shape, e.g. --input {name}:"
                              + "x".join(str(d or 1) for d in info.shape) + ".")
    if budget is None:
        return
    room = f"a run may take half of the {human_bytes(budget / MEMORY_SHARE)} this process can use ({by})"
    sizes = {name: tensor_bytes(info.shape, info.dtype) for name, info in model.tensors.items() if info.static}
    sizes.update({name: tensor_bytes(info.shape, info.dtype) for name, info in model.inputs.items() if info.static})
    for name, info in model.inputs.items():
        if sizes.get(name, 0) > budget:
            raise TrtlabError(f"Input '{name}' needs {human_bytes(sizes[name])} at {info.shape_text()} {info.dtype}; "
                              f"{room}.", hint="Give smaller shapes with --input NAME:SHAPE (inputs= in Python).")
    for name, size in sizes.items():
        if size > budget and name not in model.inputs:
            info, producer = model.tensors[name], model.producer.get(name)
            where = f"output of node '{producer}'" if producer else "an initializer"
            raise TrtlabError(f"Tensor '{name}' ({where}) needs {human_bytes(size)} at {info.shape_text()} "
                              f"{info.dtype}; {room}.", hint="Give smaller input shapes, or check the model's shapes.")
    peak, node = peak_live_bytes(model, sizes, kept)
    if peak > budget:
        raise TrtlabError(f"Running the model needs about {human_bytes(peak)} for the tensors alive at once "
                          f"(at node '{node}'); {room}.",
                          hint="Give smaller input shapes with --input NAME:SHAPE (inputs= in Python).")


def peak_live_bytes(model, sizes: Mapping[str, int], kept: Iterable[str] = ()) -> tuple[int, str | None]:
    """(Most bytes alive at once, the node where) in a run in the model's node order: the inputs,
    the graph outputs and `kept` stay to the end; any other tensor lives from its node to its
    last reader. Initializers are not counted (they are part of the model already loaded)."""
    last: dict[str, int] = {}
    for i, node in enumerate(model.nodes):
        for t in node.input:
            last[t] = i
    stays = set(model.inputs) | set(model.outputs) | set(kept)
    live = sum(sizes.get(n, 0) for n in model.inputs)
    peak, at, ends = live, None, {}
    for i, node in enumerate(model.nodes):
        for t in node.output:
            if t and t not in stays:
                ends.setdefault(last.get(t, i), []).append(t)
        live += sum(sizes.get(t, 0) for t in node.output if t)
        if live > peak:
            peak, at = live, node.name
        live -= sum(sizes.get(t, 0) for t in ends.pop(i, ()))
    return peak, at


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
