"""apply_precision: one entry point that converts, sanitizes and validates for every precision."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto

from trtlab.errors import TrtlabError
from trtlab.precision import apply_precision

from .support import elem_type, node, run_ort


@pytest.mark.parametrize("precision, low_type, atol", [("fp16", TensorProto.FLOAT16, 5e-3),
                                                       ("bf16", TensorProto.BFLOAT16, 3e-2)])
def test_16_bit_models_run_in_ort_close_to_fp32(cnn, reference, precision, low_type, atol):
    feed, ref = reference
    out = apply_precision(cnn, precision)
    onnx.checker.check_model(out)
    assert elem_type(out, "x") == TensorProto.FLOAT and elem_type(out, "y") == TensorProto.FLOAT
    conv_weight = node(out, "conv").input[1]
    weights = {t.name: t for t in out.graph.initializer}
    # bf16 weights reach the ORT-runnable Conv through a Cast to fp32.
    stored = conv_weight if conv_weight in weights else next(
        n.input[0] for n in out.graph.node if n.output[0] == conv_weight)
    assert weights[stored].data_type == low_type
    got = run_ort(out, feed)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, ref, atol=atol)
    assert not np.array_equal(got, ref)  # it really computed in lower precision


def test_fp32_is_sanitized_and_unknown_precision_is_refused(cnn, reference):
    feed, ref = reference
    np.testing.assert_allclose(run_ort(apply_precision(cnn, "fp32"), feed), ref, rtol=1e-5, atol=1e-6)
    with pytest.raises(TrtlabError, match="Unknown precision 'fp9'.*fp32, fp16, bf16, int8, fp8"):
        apply_precision(cnn, "fp9")
