"""Helpers of the check tests (the models themselves are in tests/models.py)."""

from __future__ import annotations

import pytest

# A short timing run: the tests check what is timed and said, not the figures.
FAST = {"warmup_ms": 5, "iterations": 3, "seconds": 0.01}


def has_tensorrt() -> bool:
    from trtlab.installed_tensorrt import find_tensorrt

    return find_tensorrt() is not None


needs_trt = pytest.mark.skipif(not has_tensorrt(), reason="needs tensorrt-rtx (pip install 'trtlab[rtx]')")
