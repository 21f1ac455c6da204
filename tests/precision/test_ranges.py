"""trtlab's activation ranges against ONNX Runtime's own calibrator on real models: the same
tensors and the same numbers, so that handing them over as its calibration cache quantizes as
its calibrator would have; and the int8 and fp8 models made that way against the ones the
calibrator's route makes.

"The same numbers": bit for bit, but where a Gemm or MatMul computed them. trtlab's session
reads a large model's weights where they are mapped (`trtlab.ort.session_options`, `mapped`),
the calibrator's packs a copy of each first, and the two kernels sum in another order: ResNet-18's
fc output comes out at 7.95534 against 7.9553394, a rounding of float32 (ROUNDING).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper

import trtlab
from trtlab.feeds import random_feeds
from trtlab.model_files import write_model
from trtlab.precision import ranges
from trtlab.precision.float8_scales import scale
from trtlab.precision.qdq import QUANTIZED_OPS, quantize, quantizer_settings
from trtlab.precision.sanitize import sanitize
from trtlab.precision_registry import FP8, INT8
from trtlab.weight_store import WeightStore, array

from .real_models import load_real

ROUNDING = 4 * np.finfo(np.float32).eps  # relative: a few units in the last place of a float32


def resnet18():
    """zoo ResNet-18 as a check holds it: its weights references to a `WeightStore`."""
    model = trtlab.load("zoo:resnet18")
    store = WeightStore(model.proto)
    return store.referring(model.proto), [random_feeds(model, seed=s) for s in range(3)], store


def bert():
    model, feeds = load_real("optimum-bert")  # a transformer's MatMul and Gemm inputs
    return model.proto, [feeds, random_feeds(model, seed=1)], None


MODELS = {"resnet18": resnet18, "optimum-bert": bert}


@pytest.fixture(params=list(MODELS))
def real(request):
    proto, samples, store = MODELS[request.param]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield sanitize(proto), samples
    if store is not None:
        store.close()


def reader(samples):
    """ONNX Runtime's calibration data reader over `samples`."""
    from onnxruntime.quantization import CalibrationDataReader

    class Reader(CalibrationDataReader):
        def __init__(self):
            self._it = iter(samples)

        def get_next(self):
            return next(self._it, None)

    return Reader()


def calibrator_ranges(proto, samples, tmp: Path):
    """ONNX Runtime's own MinMax calibrator, as `quantize_static` makes and runs it."""
    from onnxruntime.quantization import CalibrationMethod
    from onnxruntime.quantization.calibrate import create_calibrator

    src = write_model(proto, tmp / "model.onnx", external_data="model.weights")
    calibrator = create_calibrator(src, QUANTIZED_OPS, augmented_model_path=str(tmp / "augmented.onnx"),
                                   calibrate_method=CalibrationMethod.MinMax, extra_options={})
    calibrator.collect_data(reader(samples))
    return calibrator.compute_data()


def same(mine: np.ndarray, want: np.ndarray) -> bool:
    """Equal, or apart by a float32 rounding."""
    return mine.dtype == want.dtype and mine.shape == want.shape and bool(
        np.all(np.abs(mine.astype(np.float64) - want) <= ROUNDING * np.abs(want.astype(np.float64))))


def test_the_ranges_are_onnx_runtime_calibrators(real, tmp_path):
    proto, samples = real
    before = proto.SerializeToString()
    mine = ranges.measure(proto, samples, QUANTIZED_OPS)
    assert proto.SerializeToString() == before  # the reductions are gone again
    theirs = calibrator_ranges(proto, samples, tmp_path)
    assert set(mine) == set(theirs.data) and len(mine) > 10
    exact = 0
    for name, (low, high) in mine.items():
        want_low, want_high = theirs[name].range_value
        assert same(low, want_low) and same(high, want_high), name
        exact += np.array_equal(low, want_low) and np.array_equal(high, want_high)
    assert exact >= 0.9 * len(mine)  # the rest read what a Gemm or MatMul computed
    assert any((low < 0).any() for low, _ in mine.values())  # real ranges, not all zeros


def quantized_by_onnx_runtime(proto, precision, samples, tmp: Path) -> onnx.ModelProto:
    """`quantize_static` with trtlab's settings and ONNX Runtime's own calibrator."""
    from onnxruntime.quantization import quantize_static

    src = write_model(proto, tmp / "fp32.onnx", external_data="fp32.weights")
    with contextlib.redirect_stdout(io.StringIO()):
        quantize_static(str(src), str(tmp / "out.onnx"), reader(samples),
                        **quantizer_settings(proto, precision, per_channel=True, excluded=[]))
    return onnx.load(tmp / "out.onnx")


def initializers(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    return {t.name: array(t) for t in model.graph.initializer}


def test_int8_is_the_model_onnx_runtimes_calibrator_makes(real, tmp_path):
    from trtlab.precision._proto import opset, upgraded

    proto, samples = real
    proto = upgraded(proto, INT8.min_opset) if opset(proto) < INT8.min_opset else proto
    ours, _ = quantize(proto, INT8, samples)
    theirs = quantized_by_onnx_runtime(proto, INT8, samples, tmp_path)
    assert [(n.op_type, list(n.input), list(n.output)) for n in ours.graph.node] == \
        [(n.op_type, list(n.input), list(n.output)) for n in theirs.graph.node]
    mine, want = initializers(ours), initializers(theirs)
    assert set(mine) == set(want)
    scales = [n.input[1] for n in ours.graph.node if n.op_type == "QuantizeLinear"]
    assert len(scales) > 10
    for name, value in want.items():  # weights and zero points bit for bit, activation scales `same`
        assert (same if name in scales else np.array_equal)(mine[name], value), name
        assert mine[name].dtype == value.dtype, name
    assert [i.name for i in ours.graph.input] == [i.name for i in proto.graph.input]


def test_fp8_activation_scales_are_amax_over_448_of_a_full_run_and_the_rest_onnx_runtimes(real, tmp_path):
    """As before trtlab measured the ranges: ONNX Runtime's float8 model (its weights scaled by
    trtlab's overrides) with every activation scale amax / 448 of the activation itself, its
    largest finite magnitude over the samples in an fp32 run."""
    from trtlab.precision._proto import upgraded
    from trtlab.precision.validate import run
    from trtlab.weights import outputs_added

    proto, samples = real
    proto = upgraded(proto, FP8.min_opset)
    ours, _ = quantize(proto, FP8, samples)
    theirs = quantized_by_onnx_runtime(proto, FP8, samples, tmp_path)
    assert [(n.op_type, list(n.input)) for n in ours.graph.node] == [(n.op_type, list(n.input)) for n in theirs.graph.node]
    mine, want = initializers(ours), initializers(theirs)
    weights = {n.input[0] for n in theirs.graph.node if n.op_type == "DequantizeLinear" and n.input[0] in want}
    activations = {n.input[0]: n.input[1] for n in theirs.graph.node
                   if n.op_type == "QuantizeLinear" and n.input[0] not in want}
    scales = set(activations.values())
    for name, value in want.items():  # weights, their scales, zero points: ONNX Runtime's
        if name not in scales:
            assert np.array_equal(mine[name], value), name
    assert len(weights) > 5 and len(activations) > 5
    typed = [helper.make_tensor_value_info(t, onnx.TensorProto.FLOAT, None) for t in activations
             if t not in {i.name for i in proto.graph.input}]
    amax = dict.fromkeys(activations, 0.0)
    with outputs_added(proto, typed):
        for sample in samples:
            values = {**sample, **run(proto, sample)}
            for t in activations:
                v = np.asarray(values[t])
                amax[t] = max(amax[t], float(np.abs(v[np.isfinite(v)]).max(initial=0.0)))
    for t, s in activations.items():
        assert mine[s] == scale(amax[t]) and mine[s].dtype == np.float32, t


def test_the_fp8_cache_gives_onnx_runtime_the_scale_amax_over_448_already():
    from onnxruntime.quantization.quant_utils import compute_scale_zp_float8

    found = {"x": (np.array([-3.0], np.float32), np.array([1.5], np.float32)),
             "zero": (np.array([0.0], np.float32), np.array([0.0], np.float32))}
    assert ranges.amax(found) == {"x": 3.0, "zero": 0.0}
    data = ranges.tensors_data(found, FP8.calibration_method, onnx.TensorProto.FLOAT8E4M3FN)
    _, s = compute_scale_zp_float8(onnx.TensorProto.FLOAT8E4M3FN, data["x"].avg_std[1])
    assert s == pytest.approx(3.0 / 448, rel=1e-6)
    _, s = compute_scale_zp_float8(onnx.TensorProto.FLOAT8E4M3FN, data["zero"].avg_std[1])
    assert s == pytest.approx(1.0, rel=1e-6)  # never 0, which TensorRT's parser refuses
    assert ranges.tensors_data(found, INT8.calibration_method, onnx.TensorProto.INT8)["x"].range_value == found["x"]


def test_the_calibrated_tensors_are_the_float_inputs_and_outputs_of_the_quantized_ops():
    w = numpy_helper.from_array(np.ones((4, 4), np.float32), "w")
    nodes = [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("MatMul", ["r", "w"], ["m"]),
             helper.make_node("Cast", ["m"], ["i"], to=onnx.TensorProto.INT64),
             helper.make_node("Add", ["m", "m"], ["y"])]
    vi = helper.make_tensor_value_info
    graph = helper.make_graph(nodes, "g", [vi("x", onnx.TensorProto.FLOAT, [2, 4])],
                              [vi("y", onnx.TensorProto.FLOAT, [2, 4]), vi("i", onnx.TensorProto.INT64, [2, 4])], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    assert ranges.calibrated(model, QUANTIZED_OPS) == {"r": onnx.TensorProto.FLOAT, "m": onnx.TensorProto.FLOAT}
    x = np.array([[1, -2, 3, 4], [0, 1, 2, -7]], np.float32)
    found = ranges.measure(model, [{"x": x}, {"x": -x}], QUANTIZED_OPS)
    assert found["r"][0].tolist() == [0.0] and found["r"][1].tolist() == [7.0]
    assert found["m"][1].tolist() == [float(np.maximum(x, 0).sum(axis=1).max())]


def test_a_sample_the_model_cannot_run_says_which():
    w = numpy_helper.from_array(np.ones((4, 4), np.float32), "w")
    vi = helper.make_tensor_value_info
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], "g",
                              [vi("x", onnx.TensorProto.FLOAT, [None, 4])], [vi("y", onnx.TensorProto.FLOAT, None)], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    good = {"x": np.ones((1, 4), np.float32)}
    with pytest.raises(trtlab.errors.TrtlabError, match="sample 1"):
        ranges.measure(model, [good, {"x": np.ones((1, 3), np.float32)}], QUANTIZED_OPS)


def _masked_matmul() -> onnx.ModelProto:
    """x + a mask holding -inf, into a MatMul: an attention score's shape of problem."""
    mask = numpy_helper.from_array(np.array([[0, -np.inf, 0, 0]], np.float32), "mask")
    w = numpy_helper.from_array(np.eye(4, dtype=np.float32), "w")
    vi = helper.make_tensor_value_info
    nodes = [helper.make_node("Add", ["x", "mask"], ["masked"]), helper.make_node("MatMul", ["masked", "w"], ["y"])]
    graph = helper.make_graph(nodes, "g", [vi("x", onnx.TensorProto.FLOAT, [2, 4])],
                              [vi("y", onnx.TensorProto.FLOAT, [2, 4])], [mask, w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])


def test_an_activation_holding_inf_is_scaled_by_its_largest_finite_value():
    model = _masked_matmul()
    samples = [{"x": np.array([[1, 2, -3, 0.5], [2, 0, 1, -6]], np.float32)}, {"x": np.full((2, 4), 0.25, np.float32)}]
    found = ranges.measure(model, samples, QUANTIZED_OPS)
    assert found["masked"][0].tolist() == [-np.inf]  # the range itself holds the mask's -inf
    assert ranges.finite_amax(model, samples, found)["masked"] == 6.0  # as TensorRT's max
    assert len(model.graph.output) == 1  # the extra outputs of that run are gone again
    quantized, _ = quantize(sanitize(model), FP8, samples)
    q = next(n for n in quantized.graph.node if n.op_type == "QuantizeLinear" and n.input[0] == "masked")
    value = {t.name: numpy_helper.to_array(t) for t in quantized.graph.initializer}[q.input[1]]
    assert float(value) == pytest.approx(6.0 / 448, rel=1e-6)  # not 1.0, the scale of an infinite amax
