from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import TensorProto

from trtlab.errors import TrtlabError
from trtlab.ort import make_session
from trtlab.precision import PrecisionPolicy, convert_precision, to_int8
from trtlab.precision_registry import FP8

from tests.models import INPUT_SHAPE, tiny_cnn

from .support import inputs, run_ort



@pytest.fixture(scope="module")
def cnn():
    return tiny_cnn()


def qdq_summary(model: onnx.ModelProto):
    ops = [n.op_type for n in model.graph.node]
    weights = {t.name: t for t in model.graph.initializer}
    return ops, weights


def test_int8_qdq_with_user_calibration_stays_close(cnn):
    calib = inputs(seed=2, count=8)
    out = to_int8(cnn, calib)
    ops, weights = qdq_summary(out)
    assert ops.count("QuantizeLinear") >= 2 and ops.count("DequantizeLinear") >= 4
    # Weights are int8 per channel; biases stay fp32 (an int32 bias is rejected by TensorRT's parser).
    int8 = [t for t in weights.values() if t.data_type == TensorProto.INT8]
    assert any(list(t.dims) == [8, 3, 3, 3] for t in int8)
    assert not any(t.data_type == TensorProto.INT32 for t in weights.values())
    conv = next(n for n in out.graph.node if n.name == "conv")
    assert weights[conv.input[2]].data_type == TensorProto.FLOAT
    # Symmetric: every zero point is 0.
    for n in out.graph.node:
        if n.op_type == "QuantizeLinear" and len(n.input) > 2:
            assert not np.any(onnx.numpy_helper.to_array(weights[n.input[2]]))
    feed = inputs(seed=3)[0]
    ref, got = run_ort(cnn, feed), run_ort(out, feed)
    # Random weights and 8 calibration samples: the class agrees and the scores stay close.
    cosine = float(got.ravel() @ ref.ravel() / (np.linalg.norm(got) * np.linalg.norm(ref)))
    assert cosine > 0.98 and (got.argmax(1) == ref.argmax(1)).all()
    np.testing.assert_allclose(got, ref, atol=0.2)
    assert not np.array_equal(got, ref)


def test_int8_without_calibration_warns_that_accuracy_means_little(cnn):
    with pytest.warns(UserWarning, match="synthetic.*mean little"):
        out = to_int8(cnn)
    assert "QuantizeLinear" in [n.op_type for n in out.graph.node]


def test_calibration_of_the_wrong_shape_names_the_input(cnn):
    bad = [{"x": np.zeros((1, 3, 8, 8), np.float32)}]
    with pytest.raises(TrtlabError, match=r"input 'x': expected shape 2x3x8x8, got 1x3x8x8"):
        to_int8(cnn, bad)
    with pytest.raises(TrtlabError, match="no value for input 'x'"):
        to_int8(cnn, [{"image": np.zeros(INPUT_SHAPE, np.float32)}])


def test_calibration_from_a_directory(cnn, tmp_path):
    npz, npy = tmp_path / "npz", tmp_path / "npy"
    npz.mkdir(), npy.mkdir()
    for i, sample in enumerate(inputs(seed=4, count=3)):
        np.savez(npz / f"{i}.npz", **sample)
        np.save(npy / f"{i}.npy", sample["x"])
    for d in (npz, npy):
        out = to_int8(cnn, d)
        assert "DequantizeLinear" in [n.op_type for n in out.graph.node]
    with pytest.raises(TrtlabError, match="no .npy or .npz"):
        to_int8(cnn, tmp_path)
    with pytest.raises(TrtlabError, match="does not exist"):
        to_int8(cnn, tmp_path / "missing")


def test_fp8_is_e4m3_qdq_at_opset_19_calibrated_on_the_samples(cnn):
    done = convert_precision(cnn, "fp8", calibration=inputs(seed=2, count=8))
    out = done.model
    assert max(o.version for o in out.opset_import if o.domain in ("", "ai.onnx")) >= FP8.min_opset
    weights = {t.name: t for t in out.graph.initializer}
    zero_points = [weights[n.input[2]] for n in out.graph.node if n.op_type == "QuantizeLinear"]
    assert zero_points and all(t.data_type == TensorProto.FLOAT8E4M3FN for t in zero_points)
    assert any(t.data_type == TensorProto.FLOAT8E4M3FN and list(t.dims) == [8, 3, 3, 3] for t in weights.values())
    assert "upgraded from opset 17 to 19" in " ".join(done.notes)
    # ONNX Runtime's CPU provider runs the float8 Q/DQ model: the stand-in for an fp8 engine.
    feed = inputs(seed=3)[0]
    (ref,), (got,) = make_session(cnn).run(None, feed), make_session(out).run(None, feed)
    cosine = float(got.ravel() @ ref.ravel() / (np.linalg.norm(got) * np.linalg.norm(ref)))
    assert cosine > 0.98 and not np.array_equal(got, ref)


def test_a_quantizer_that_gives_up_gets_a_hint_a_user_can_act_on():
    from trtlab.precision.qdq import _quantize_hint

    assert "--calibration DIR" in _quantize_hint("No data is collected.", "int8")
    assert "--keep-fp32 NODE" in _quantize_hint("Unexpected shape in node Conv_3", "int8")


@pytest.mark.parametrize("precision", ["int8", "fp8"])
def test_q_dq_pairs_sit_at_the_inputs_of_the_weighted_ops_only(cnn, precision):
    """TensorRT's placement: a weighted op's output stays in higher precision (a Q/DQ there adds
    a rounding, on an output head a visible one)."""
    out = convert_precision(cnn, precision, calibration=inputs(seed=2, count=4)).model
    weighted = {o for n in out.graph.node if n.op_type in ("Conv", "Gemm", "MatMul") for o in n.output}
    quantized = {n.input[0] for n in out.graph.node if n.op_type == "QuantizeLinear"}
    assert quantized and not quantized & weighted
    readers = {i for n in out.graph.node if n.op_type in ("Conv", "Gemm") for i in n.input[:2]}
    dq_out = {n.output[0] for n in out.graph.node if n.op_type == "DequantizeLinear"}
    assert readers <= dq_out  # every activation and weight a weighted op reads is dequantized


def if_with_matmuls_in_its_bodies() -> onnx.ModelProto:
    """An If on a bool flag whose two branches each hold the model's only MatMul, as an
    Optimum merged decoder holds both decoders."""
    from onnx import helper, numpy_helper

    w = numpy_helper.from_array(np.eye(4, dtype=np.float32), "w")
    out = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [2, 4])  # noqa: E731
    then = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["t"], name="then_mm")], "then", [], [out("t")])
    other = helper.make_graph([helper.make_node("MatMul", ["w", "x"], ["e"], name="else_mm")], "else", [], [out("e")])
    graph = helper.make_graph([helper.make_node("If", ["flag"], ["y"], then_branch=then, else_branch=other,
                                                name="use_cache_branch")], "merged",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4]),
                               helper.make_tensor_value_info("flag", TensorProto.BOOL, [])], [out("y")], [w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("precision", ["int8", "fp8"])
def test_a_model_its_quantizer_cannot_reach_stays_as_it_is_with_a_note_naming_the_if(precision):
    from trtlab.precision.qdq import unquantized_reason

    feeds = {"x": np.ones((2, 4), np.float32), "flag": np.array(True)}
    done = convert_precision(if_with_matmuls_in_its_bodies(), precision, calibration=[feeds], feeds=feeds)
    assert not [n for n in done.model.graph.node if n.op_type in ("QuantizeLinear", "DequantizeLinear")]
    why = "its 2 Conv/Gemm/MatMul nodes are inside the bodies of If 'use_cache_branch', which ONNX Runtime's " \
          "quantizer does not enter"
    assert done.notes == [f"nothing quantized: {why}"]
    reason = unquantized_reason([done.model], precision)
    assert reason.startswith(f"nothing was quantized to {precision}: {why}, so the {precision} model is the fp32 one. "
                             "Measure this model in fp16 or bf16, or check each branch as a model of its own")


def test_no_weighted_op_or_every_one_kept_in_fp32_is_said_too(cnn):
    from onnx import helper

    from trtlab.precision.qdq import unquantized_reason

    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "relu",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    relu = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    done = convert_precision(relu, "int8", calibration=[{"x": np.ones((1, 4), np.float32)}])
    assert done.notes == ["nothing quantized: it has no Conv, Gemm or MatMul, the only ops quantized"]
    assert "partition so that an engine holds a Conv, Gemm or MatMul" in unquantized_reason([done.model], "int8")
    policy = PrecisionPolicy(keep_fp32_nodes={"conv", "fc"})
    done = convert_precision(cnn, "int8", calibration=inputs(seed=2), policy=policy)
    assert "nothing quantized: every Conv, Gemm and MatMul is kept in fp32" in done.notes
    assert {k.node for k in done.kept_fp32} == {"conv", "fc"}


def embedding_then_matmul() -> onnx.ModelProto:
    """An embedding table (Gather, not quantized) of 20,000 elements before a MatMul."""
    from onnx import helper, numpy_helper

    rng = np.random.default_rng(0)
    table = numpy_helper.from_array(rng.standard_normal((200, 100)).astype(np.float32), "table")
    w = numpy_helper.from_array(rng.standard_normal((100, 8)).astype(np.float32), "w")
    nodes = [helper.make_node("Gather", ["table", "ids"], ["e"], name="embed"),
             helper.make_node("MatMul", ["e", "w"], ["y"], name="mm")]
    graph = helper.make_graph(nodes, "embed", [helper.make_tensor_value_info("ids", TensorProto.INT64, [1, 5])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 5, 8])], [table, w])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("precision", ["int8", "fp8"])
def test_onnx_runtimes_calibrator_never_runs_and_weights_it_does_not_quantize_come_back(precision, monkeypatch):
    """trtlab measures the ranges itself (`trtlab.precision.ranges`) and keeps a weight no
    quantized op reads away from the quantizer: the model's embedding table comes back as it was."""
    import importlib

    import onnxruntime.quantization.calibrate as calibrate

    quantize_module = importlib.import_module("onnxruntime.quantization.quantize")  # its package names a function so

    def refused(*args, **kwargs):
        raise AssertionError("ONNX Runtime's calibrator ran")

    monkeypatch.setattr(calibrate, "create_calibrator", refused)
    monkeypatch.setattr(quantize_module, "create_calibrator", refused)
    model = embedding_then_matmul()
    feeds = {"ids": np.array([[0, 5, 199, 7, 3]], np.int64)}
    done = convert_precision(model, precision, calibration=[feeds], feeds=feeds)
    assert [i.name for i in done.model.graph.input] == ["ids"]
    tables = [t for t in done.model.graph.initializer if t.name == "table"]
    assert len(tables) == 1 and tables[0].raw_data == model.graph.initializer[0].raw_data
    assert any(n.op_type == "QuantizeLinear" and n.input[0] == "e" for n in done.model.graph.node)
    want, got = run_ort(model, feeds), run_ort(done.model, feeds)
    assert np.abs(got - want).max() < 0.1 * np.abs(want).max()


def test_a_store_the_build_worker_linked_to_is_quantized_from_a_copy_of_its_weights(tmp_path):
    """onnx reads no external data from a file with a second hard link; the build worker links a
    store's file into its folder (`WeightStore.link_into`)."""
    import trtlab
    from trtlab.weight_store import WeightStore

    model = trtlab.load("zoo:resnet18")
    with WeightStore(model.proto) as store:
        assert store.link_into(tmp_path) and (tmp_path / store.location).stat().st_nlink == 2
        feeds = {"data": np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)}
        done = convert_precision(store.referring(model.proto), "int8", calibration=[feeds], feeds=feeds)
        assert sum(n.op_type == "QuantizeLinear" for n in done.model.graph.node) > 10
        assert "ONNX Runtime" in done.validated
