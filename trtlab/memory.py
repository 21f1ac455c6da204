"""Memory freed between the steps of a long job, given back to the system.

A check of a large model makes and drops several copies of its weights, one step after another.
Python frees them, but the C allocator keeps much of what it held for reuse (glibc grows its
threshold for mapping large blocks after the first big free, and later blocks come from a heap
that only shrinks from the top), so the process would stay as large as its biggest step.
"""

from __future__ import annotations

import ctypes
import gc
import sys
from functools import lru_cache


def release_memory() -> None:
    """Collect unreachable objects (protobuf messages in cycles hold whole models) and give
    the allocator's free memory back to the system where the C library can (glibc)."""
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
