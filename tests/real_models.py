"""The corpus's models for tests (its packaged ONNX files, or the models loaded with their real
inputs), or a skip that names the package to install; any other failure fails the test."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import trtlab
from trtlab import corpus


# The corpus's small packaged models: what the check and Lab tests run end to end.
SMALL = [n for n in corpus.names() if corpus.ENTRIES[n].small and corpus.ENTRIES[n].path]


def real_model(name: str) -> Path:
    entry = corpus.ENTRIES[name]
    if importlib.util.find_spec(entry.package) is None:
        pytest.skip(f"needs the '{entry.pip}' package")
    return corpus.path(name)


def load_corpus(name: str):
    """`corpus.load(name)`: (Model, feeds or None)."""
    try:
        return corpus.load(name)
    except trtlab.MissingDependency as exc:
        pytest.skip(str(exc))
