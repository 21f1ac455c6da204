"""Counts written with their noun in the right number."""

from __future__ import annotations

import pytest

from trtlab.words import counted


@pytest.mark.parametrize("n, text", [(0, "0 engines"), (1, "1 engine"), (2, "2 engines")])
def test_counts_take_the_right_plural(n, text):
    assert counted(n, "engine") == text


def test_an_irregular_plural_is_given():
    assert counted(2, "op type") == "2 op types" and counted(3, "entry", "entries") == "3 entries"
