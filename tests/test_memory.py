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


def test_a_tree_is_measured_by_each_process_own_peak_not_the_parents():
    """A parent that has held 200 MB starts a child that holds 300 MB: the child's own peak is
    its 300 MB (ru_maxrss would say the parent's, carried over fork and exec), and at one moment
    the tree held both."""
    import subprocess

    from trtlab.memory import run_measured

    child = "import time; x = bytearray(300 << 20); time.sleep(0.5)"
    parent = ("import subprocess, sys, time; x = bytearray(200 << 20); time.sleep(0.2); "
              f"subprocess.run([sys.executable, '-c', {child!r}])")
    done, peak = run_measured([sys.executable, "-c", parent], interval=0.01)
    assert done.returncode == 0, done.stderr
    assert isinstance(done, subprocess.CompletedProcess)
    assert 200 <= peak.root_mb < 290
    assert 300 <= peak.descendants_mb < 390
    assert 500 <= peak.tree_mb < 680
    assert len(peak.peaks) == 2 and peak.samples > 10
