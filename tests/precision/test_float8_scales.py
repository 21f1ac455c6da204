"""Float8 weight scales: amax / 448 per channel, positive for every channel, so neither ONNX
Runtime ("has nan") nor TensorRT's parser ("Scale coefficients must all be positive") refuses
the weights real models have: an all-zero channel, one of a single denormal, one far out."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from trtlab.precision import convert_precision
from trtlab.precision.float8_scales import E4M3_MAX, scale, weight_axes

from tests.check.support import needs_trt


def awkward_conv() -> onnx.ModelProto:
    """A 1x1 Conv whose weight has an all-zero channel (pruned; an STFT basis's sine row at 0
    Hz), a channel of one denormal value, a channel with an element 12 standard deviations out
    (beyond the ~4.6 ONNX Runtime's float8 scale leaves) and a channel of one tiny value
    (PP-OCRv4 det's conv2d_96 has two of 1.2e-34)."""
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((6, 64, 1, 1)) * 0.1).astype(np.float32)
    w[1] = 0.0
    w[2] = np.float32(1e-40)
    w[3, 0] = 12 * w[3].std()
    w[4] = np.float32(1.2283663e-34)
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")]
    graph = helper.make_graph(nodes, "awkward", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64, 4, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 6, 4, 4])],
                              [numpy_helper.from_array(w, "w")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])


def feeds(seed: int = 0) -> dict[str, np.ndarray]:
    return {"x": np.random.default_rng(seed).standard_normal((1, 64, 4, 4)).astype(np.float32)}


def test_the_scale_of_a_channel_is_its_amax_over_448_and_never_zero():
    assert scale(448.0) == 1.0 and scale(2.24) == np.float32(2.24 / E4M3_MAX)
    assert scale(0.0) == 1.0  # all zeros: any scale keeps them; 0 would be refused
    assert scale(1e-40) == 1.0  # amax / 448 is not a normal float32
    assert scale(1.2283663e-34) == np.float32(1.2283663e-34 / E4M3_MAX)  # still a normal one
    assert all(isinstance(scale(a), np.float32) for a in (0.0, 1.0))


def test_the_axes_are_the_ones_onnx_runtime_quantizes_along():
    w = numpy_helper.from_array(np.ones((4, 4), np.float32), "w")
    v = numpy_helper.from_array(np.ones((4, 4), np.float32), "v")
    u = numpy_helper.from_array(np.ones((4, 4), np.float32), "u")
    k = numpy_helper.from_array(np.ones((4, 4, 1, 1), np.float32), "k")
    nodes = [helper.make_node("Gemm", ["x", "w"], ["a"], transB=1, name="g1"),
             helper.make_node("Gemm", ["a", "v"], ["b"], name="g2"),
             helper.make_node("MatMul", ["b", "u"], ["c"], name="mm"),
             helper.make_node("Reshape", ["c", "shape"], ["d"], name="r"),
             helper.make_node("Conv", ["d", "k"], ["y"], name="conv")]
    shape = numpy_helper.from_array(np.array([1, 4, 1, 1], np.int64), "shape")
    graph = helper.make_graph(nodes, "axes", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 1, 1])], [w, v, u, k, shape])
    model = helper.make_model(graph)
    assert weight_axes(model, []) == {"w": 0, "v": 1, "u": 1, "k": 0}
    assert weight_axes(model, ["conv", "g1"]) == {"v": 1, "u": 1}


def test_fp8_of_weights_onnx_runtime_would_scale_by_zero_is_valid_and_close():
    model = awkward_conv()
    done = convert_precision(model, "fp8", calibration=[feeds(s) for s in range(4)], feeds=feeds())
    inits = {t.name: numpy_helper.to_array(t) for t in done.model.graph.initializer}
    dq = next(n for n in done.model.graph.node if n.op_type == "DequantizeLinear" and n.input[0] in inits
              and inits[n.input[0]].ndim == 4)
    q, s = inits[dq.input[0]].astype(np.float32), inits[dq.input[1]]
    assert s.dtype == np.float32 and s.shape == (6,) and (s > 0).all() and np.isfinite(s).all()
    w = numpy_helper.to_array(model.graph.initializer[0])
    back = q * s.reshape(6, 1, 1, 1)
    assert not back[1].any() and not back[2].any()  # zeros, and the denormal channel rounds to zeros
    assert np.abs(back[3]).max() == pytest.approx(np.abs(w[3]).max(), rel=1e-6)  # the outlier is kept
    assert back[4] == pytest.approx(w[4], rel=1e-6)
    assert np.allclose(back, w, rtol=2 ** -4, atol=1e-6)  # E4M3's 3 mantissa bits


@needs_trt
def test_tensorrt_parses_and_builds_those_fp8_weights():
    from trtlab.engines import build_engine

    done = convert_precision(awkward_conv(), "fp8", calibration=[feeds()], feeds=feeds())
    result = build_engine(done.model, precision="fp8")
    assert result.built, result.error


def test_an_activation_scale_is_its_amax_over_the_calibration_samples_over_448():
    """TensorRT's fp8 calibration (max): ONNX Runtime's histogram scale leaves about 4.6 standard
    deviations, and saturated the tail of real activations."""
    samples = [feeds(s) for s in range(3)]
    samples[1]["x"][0, 0, 0, 0] = 40.0  # a tail far beyond 4.6 standard deviations
    done = convert_precision(awkward_conv(), "fp8", calibration=samples, feeds=feeds())
    inits = {t.name: numpy_helper.to_array(t) for t in done.model.graph.initializer}
    q = next(n for n in done.model.graph.node if n.op_type == "QuantizeLinear" and n.input[0] == "x")
    assert inits[q.input[1]] == np.float32(40.0 / E4M3_MAX)
    dq = next(n for n in done.model.graph.node if n.op_type == "DequantizeLinear" and n.input[0] == q.output[0])
    assert dq.input[1] == q.input[1]  # the pair shares its scale
    assert [o.name for o in done.model.graph.output] == ["y"]  # the exposed activations are gone again


def test_an_activation_that_is_also_a_graph_output_is_rescaled_under_its_own_name():
    """ONNX Runtime renames a graph output it quantizes (`r_QuantizeLinear_Input`), a name the
    fp32 model does not have (a GPT-2 export's present.N.value: 'Graph output ... does not exist')."""
    w = numpy_helper.from_array(np.eye(4, dtype=np.float32), "w")
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"), helper.make_node("MatMul", ["r", "w"], ["y"], name="mm")]
    vi = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [2, 4])  # noqa: E731
    model = helper.make_model(helper.make_graph(nodes, "out", [vi("x")], [vi("y"), vi("r")], [w]),
                              opset_imports=[helper.make_opsetid("", 19)])
    x = np.array([[1, -2, 3, 20], [0.5, 1, -1, 2]], np.float32)
    done = convert_precision(model, "fp8", calibration=[{"x": x}], feeds={"x": x})
    inits = {t.name: numpy_helper.to_array(t) for t in done.model.graph.initializer}
    q = next(n for n in done.model.graph.node if n.op_type == "QuantizeLinear" and n.input[0] != "w")
    assert q.input[0] == "r_QuantizeLinear_Input" and inits[q.input[1]] == np.float32(20.0 / E4M3_MAX)
