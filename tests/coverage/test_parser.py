"""Coverage from the real TensorRT-RTX ONNX parser (it runs without a GPU)."""

from __future__ import annotations

import pytest

import trtlab
from trtlab.coverage import coverage

from tests.models import chain_with_unsupported


def test_parser_source_uses_the_real_parser():
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    report = coverage(trtlab.load(chain_with_unsupported()), "parser")
    assert "ONNX parser" in report.detail
    assert not report.supported("det") and "ONNX parser" in report.reason("det")
    assert report.supported("r1") and report.supported("add")


def test_parser_and_table_agree_on_the_zoo():
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    for name in ("mixed", "resnet18", "transformer"):
        model = trtlab.load(f"zoo:{name}")
        table = coverage(model, "tensorrt")
        parser = coverage(model, "parser")
        assert {n for n, v in table.verdicts.items() if not v.supported} == \
               {n for n, v in parser.verdicts.items() if not v.supported}, name


def test_the_parser_proposes_subgraphs_around_what_it_cannot_import():
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    from trtlab.coverage.parser import ask_parser

    model = trtlab.load(chain_with_unsupported())
    answer = ask_parser(model)
    assert not answer.supported and answer.unknown_ops == {"Det"} and answer.label.startswith("TensorRT")
    proposed = [n for sub in answer.subgraphs for n in sub]
    assert "det" not in proposed and "det2" not in proposed and {"r1", "add"} <= set(proposed)
