"""The TensorRT ONNX parser runs in a process of its own: its answer reaches the caller, and its
crash ends only that process, as one clear error."""

from __future__ import annotations

import sys

import pytest

import trtlab
from trtlab.coverage import coverage
from trtlab.coverage.parser import ask_parser
from trtlab.errors import TrtlabError

from tests.hostile.corpus import crashing_parser
from tests.models import chain_with_unsupported


def test_the_parser_answers_from_its_own_process_and_never_loads_here():
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    loaded_before = "tensorrt_rtx" in sys.modules
    model = trtlab.load(chain_with_unsupported())
    answer = ask_parser(model)
    assert answer.unknown_ops == {"Det"} and "r1" in {n for s in answer.subgraphs for n in s}
    assert ("tensorrt_rtx" in sys.modules) == loaded_before  # nothing imported TensorRT here


def test_a_parser_that_crashes_ends_its_own_process_with_one_clear_error(tmp_path, monkeypatch):
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX installed, to be found (pip install 'trtlab[rtx]')")
    # A TensorRT-RTX whose parser kills its process, as a native parser can crash on a model.
    monkeypatch.setenv("PYTHONPATH", str(crashing_parser(tmp_path)))  # the parser's process finds it first
    model = trtlab.load(chain_with_unsupported())
    with pytest.raises(TrtlabError, match=r"ONNX parser crashed \(SIGSEGV\) on this model") as caught:
        coverage(model, "parser")
    assert "coverage 'tensorrt'" in caught.value.hint
    assert coverage(model, "tensorrt").source == "tensorrt"  # this process goes on
