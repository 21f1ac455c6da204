"""Fusion reports from ONNX Runtime's optimiser (on CPU)."""

from __future__ import annotations

import numpy as np
import pytest

from trtlab.errors import TrtlabError
from trtlab.fusion import ort_fused, ort_fusion

from tests.models import SHAPE, conv_bn_relu_model


def test_basic_level_folds_batchnorm_into_the_conv():
    report = ort_fusion(conv_bn_relu_model(), "basic")
    assert [(u.kind, u.nodes) for u in report.units] == [
        ("Conv", ["conv", "bn"]), ("Relu", ["relu"]), ("Conv", ["head"])]
    assert report.patterns == {"Conv+BatchNormalization": 1}
    assert report.intermediate_bytes == 4 * int(np.prod(SHAPE))  # c1, read only by bn
    assert "ONNX Runtime" in report.by and "not TensorRT" in report.by


def test_extended_level_makes_a_fusedconv_that_loads_with_shapes_and_computes_the_same():
    import onnxruntime as ort
    model = conv_bn_relu_model()
    fused = ort_fused(model, "extended")
    node = fused.nodes[0]
    assert (node.op_type, node.domain, node.name) == ("FusedConv", "com.microsoft", "conv")
    assert len(fused.nodes) == 2
    # ONNX shape inference can't see through FusedConv; the shapes come over from the original.
    assert fused.tensors["r1"].shape == tuple(SHAPE)
    x = np.random.default_rng(1).standard_normal(SHAPE).astype(np.float32)

    def run(m):
        sess = ort.InferenceSession(m.to_bytes(), providers=["CPUExecutionProvider"])
        return sess.run(None, {"x": x})[0]

    np.testing.assert_allclose(run(fused), run(model), rtol=1e-4, atol=1e-4)
    report = ort_fusion(model, "extended")
    assert [u.nodes for u in report.fused] == [["conv", "bn", "relu"]]
    assert report.intermediate_bytes == 2 * 4 * int(np.prod(SHAPE))  # c1 and b1
    assert "Conv+BatchNormalization+Relu" in report.summary()


def test_unknown_level():
    with pytest.raises(TrtlabError, match="level"):
        ort_fused(conv_bn_relu_model(), "all")
