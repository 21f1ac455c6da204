"""fold_batchnorm: an inference BatchNormalization folded exactly into the Conv or Gemm before it."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import helper

from trtlab.precision.fold_bn import fold_batchnorm

from tests import models as rm

from .rule_support import run


def ops(model):
    return [n.op_type for n in model.graph.node]


@pytest.mark.parametrize("make", [rm.conv_bn, lambda: rm.gemm_bn(1), lambda: rm.gemm_bn(0)])
def test_batchnorm_folds_exactly(make):
    model = make()
    folded = onnx.ModelProto()
    folded.CopyFrom(model)
    assert fold_batchnorm(folded) == 1
    assert "BatchNormalization" not in ops(folded)
    onnx.checker.check_model(folded)
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    want, got = run(model, {"x": x})[0], run(folded, {"x": x})[0]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())


def test_a_batchnorm_whose_input_is_read_elsewhere_is_not_folded():
    model = rm.conv_bn()
    conv = next(n for n in model.graph.node if n.op_type == "Conv")
    model.graph.output.append(helper.make_tensor_value_info(conv.output[0], onnx.TensorProto.FLOAT, None))
    before = model.SerializeToString()
    assert fold_batchnorm(model) == 0
    assert model.SerializeToString() == before
