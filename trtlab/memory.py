"""Memory freed between the steps of a long job, given back to the system; and the peak
memory of a process tree, measured (`TreeMemory`).

A check of a large model makes and drops several copies of its weights, one step after another.
Python frees them, but the C allocator keeps much of what it held for reuse (glibc grows its
threshold for mapping large blocks after the first big free, and later blocks come from a heap
that only shrinks from the top), so the process would stay as large as its biggest step.
"""

from __future__ import annotations

import ctypes
import gc
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from functools import lru_cache


def release_memory(collect: bool = True) -> None:
    """Collect unreachable objects (protobuf messages in cycles hold whole models; `collect`)
    and give the allocator's free memory back to the system where the C library can (glibc).
    Without the collection it takes milliseconds: worth it between the steps of any check."""
    if collect:
        gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        # Not ctypes.util.find_library: it runs `ldconfig -p` in a child process, a fork of this
        # (large) one.
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # musl and others: nothing to call
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


# ---------------------------------------------------------------- peak memory of a process tree
#
# A check runs in two processes (the caller and the TensorRT build worker), so its peak is that of
# the tree. Not ru_maxrss: Linux carries a parent's peak over fork and exec into a child's, and
# RUSAGE_CHILDREN gives only the largest child, not the sum at one moment. Linux only (/proc).


@dataclass
class TreePeak:
    """What `TreeMemory` saw of process `root` and its descendants. `tree_mb`: the largest sum
    of their resident memory (VmRSS) at one sample; a page two of them map (a library both
    load) counts in each, so this is an upper bound. Not the proportional set size (PSS), which
    splits a shared page between every process that maps it, including processes outside the
    tree (on a machine where others run the same libraries it comes out lower, by an amount that
    depends on them), and which takes the kernel a walk of every page to count. Sampled: a spike
    shorter than the interval can be missed. `peaks`: each process's own peak resident memory
    (VmHWM, exact, read at its last sample before it ended), by pid, with its command line."""

    root: int
    tree_mb: float = 0.0
    peaks: dict[int, tuple[str, float]] = field(default_factory=dict)
    samples: int = 0

    def peak_of(self, pid: int) -> float:
        return self.peaks.get(pid, ("", 0.0))[1]

    @property
    def root_mb(self) -> float:
        return self.peak_of(self.root)

    @property
    def descendants_mb(self) -> float:
        """The largest own peak among the processes below the root (0 where none started)."""
        return max((mb for p, (_, mb) in self.peaks.items() if p != self.root), default=0.0)


class TreeMemory:
    """Samples the memory of process `pid` and all its descendants every `interval` seconds in a
    thread, from outside them (nothing is added to the processes measured).

        with TreeMemory(proc.pid) as tree:
            proc.wait()
        tree.peak.tree_mb, tree.peak.peak_of(proc.pid)
    """

    def __init__(self, pid: int, interval: float = 0.02):
        self.pid, self.interval = pid, interval
        self.peak = TreePeak(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="trtlab-tree-memory", daemon=True)

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def sample(self) -> None:
        rss = 0.0
        for pid in [self.pid, *descendants(self.pid)]:
            status = _proc_fields(pid, "status", ("VmHWM", "VmRSS"))
            if len(status) < 2:  # ended, or a zombie (no memory left to read)
                continue
            rss += status["VmRSS"]
            command = self.peak.peaks.get(pid, (None,))[0] or _command(pid)
            self.peak.peaks[pid] = (command, max(status["VmHWM"], self.peak.peak_of(pid)))
        self.peak.tree_mb = max(self.peak.tree_mb, rss)
        self.peak.samples += 1


def run_measured(command: list[str], interval: float = 0.02, **popen) -> tuple[subprocess.CompletedProcess, TreePeak]:
    """Run `command` to its end (its output captured as text) while `TreeMemory` samples it and
    every process it starts; what it gave and what the tree held at its peak."""
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)
    with TreeMemory(proc.pid, interval) as tree:
        out, err = proc.communicate()
    return subprocess.CompletedProcess(command, proc.returncode, out, err), tree.peak


def descendants(pid: int) -> list[int]:
    """The pids of every process below `pid` (children, their children, ...), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the fields after the last ')'.
        parent = int(stat[stat.rindex(b")") + 2:].split()[1])
        parents.setdefault(parent, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        out.extend(children)
        todo.extend(children)
    return out


def _proc_fields(pid: int, name: str, keys: tuple[str, ...]) -> dict[str, float]:
    """Fields of /proc/PID/NAME given in kB, in MiB; {} where the process is gone."""
    out = {}
    try:
        with open(f"/proc/{pid}/{name}") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in keys:
                    out[key] = int(rest.split()[0]) / 1024
    except (OSError, ValueError, IndexError):
        return {}
    return out


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()[:200]
    except OSError:
        return ""
