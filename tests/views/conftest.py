"""Models for the view tests: zoo models (generated in code) and tiny graphs built here."""

from __future__ import annotations

import shutil

import pytest

import trtlab
import trtlab.zoo
from trtlab.views import graph as graph_module

if shutil.which("dot") is None:
    pytest.skip("needs graphviz's `dot` program (apt-get install graphviz)", allow_module_level=True)


@pytest.fixture(scope="session")
def resnet50() -> trtlab.Model:
    return trtlab.zoo.get("resnet50")


@pytest.fixture(scope="session")
def mixed() -> trtlab.Model:
    return trtlab.zoo.get("mixed")


@pytest.fixture
def fresh_layouts():
    """Forget cached layouts, so the next drawing really runs `dot`."""
    graph_module._LAYOUTS.clear()
    yield
    graph_module._LAYOUTS.clear()


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A PATH on which graphviz's `dot` can't be found."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("dot") is None
