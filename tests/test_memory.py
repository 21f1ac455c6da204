"""Freed memory given back between the steps of a long job."""

from __future__ import annotations

import sys
import weakref

from trtlab.memory import _malloc_trim, release_memory


class _Node:
    pass


def test_objects_held_only_by_a_cycle_are_freed_at_once():
    a, b = _Node(), _Node()
    a.other, b.other = b, a  # a cycle, as graphsurgeon's graphs are
    gone = weakref.ref(a)
    del a, b
    release_memory()
    assert gone() is None


def test_the_c_library_trim_is_found_where_glibc_has_it():
    if sys.platform.startswith("linux"):
        import platform

        if platform.libc_ver()[0] == "glibc":
            assert _malloc_trim() is not None
    release_memory()  # and it runs wherever it is not found
