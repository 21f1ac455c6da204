"""The precision tests' shared model: a tiny CNN and its fp32 answer."""

from __future__ import annotations

import pytest

from tests.models import tiny_cnn

from .support import inputs, run_ort


@pytest.fixture(scope="module")
def cnn():
    return tiny_cnn()


@pytest.fixture(scope="module")
def reference(cnn):
    feed = inputs()[0]
    return feed, run_ort(cnn, feed)
