"""The zoo: every model is a valid, runnable ONNX graph with unique, readable node names."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import onnx
import pytest

import trtlab
from trtlab import zoo
from trtlab.errors import TrtlabError
from trtlab.zoo.cnn import MIXED_UNSUPPORTED

BUILT_IN = ["tiny", "mixed", "resnet18", "resnet50", "mobilenetv2", "transformer"]
OUTPUT_SHAPES = {
    "tiny": (1, 10), "mixed": (1, 10), "resnet18": (1, 1000), "resnet50": (1, 1000),
    "mobilenetv2": (1, 1000), "transformer": (1, 32, 64),
}


def run_ort(model: trtlab.Model, seed: int = 0) -> list[np.ndarray]:
    import onnxruntime as ort
    sess = ort.InferenceSession(model.to_bytes(), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(seed)
    feed = {i.name: rng.standard_normal(i.shape).astype(np.float32) for i in sess.get_inputs()}
    return sess.run(None, feed)


def test_names_lists_builtins_and_lazy_torch_entry():
    assert set(BUILT_IN) <= set(zoo.names())
    assert "torch_cnn" in zoo.names()


@pytest.mark.parametrize("name", BUILT_IN)
def test_model_is_valid_and_runs(name):
    model = zoo.get(name)
    assert isinstance(model, trtlab.Model)
    assert model.name == name and model.source == f"zoo:{name}"
    onnx.checker.check_model(model.proto)
    assert model.opset == 17
    names = [n.name for n in model.nodes]
    assert all(names) and len(set(names)) == len(names)
    assert all(info.static for info in model.inputs.values())
    (out,) = run_ort(model)
    assert out.shape == OUTPUT_SHAPES[name]
    assert np.isfinite(out).all()
    # Weights are scaled so outputs are of order one: neither vanishing nor exploding.
    rms = float(np.sqrt(np.mean(out.astype(np.float64) ** 2)))
    assert 0.05 < rms < 20, rms


def test_cnn_activations_stay_of_order_one():
    model = zoo.get("resnet18")
    proto = onnx.ModelProto()
    proto.CopyFrom(model.proto)
    listed = {o.name for o in proto.graph.output}
    proto.graph.output.extend(vi for vi in proto.graph.value_info if vi.name not in listed)
    outs = run_ort(trtlab.Model(proto, name="probe", source="test"))
    peak = max(float(np.abs(o).max()) for o in outs)
    assert all(np.isfinite(o).all() for o in outs)
    assert peak < 100, peak  # far inside fp16 range


def test_load_zoo_prefix():
    model = trtlab.load("zoo:resnet18")
    assert model.name == "resnet18"
    assert model.inputs["data"].shape == (1, 3, 224, 224)
    assert model.op_counts["Conv"] == 20  # 17 in the trunk + 3 downsample convs
    assert model.op_counts["BatchNormalization"] == 20
    assert model.node_by_name["layer2.0.downsample.0"].op_type == "Conv"
    assert model.outputs["fc"].shape == (1, 1000)


def test_resnet50_structure_and_build_time():
    start = time.perf_counter()
    model = zoo.get("resnet50", seed=7)  # a seed no other test builds: measures a real build
    elapsed = time.perf_counter() - start
    assert model.op_counts["Conv"] == 53
    assert model.op_counts["Gemm"] == 1 and model.op_counts["MaxPool"] == 1
    assert "layer4.2.conv3" in model.node_by_name
    assert elapsed < 10, elapsed  # a few seconds on a slow CI core


def test_unknown_name_lists_known_ones():
    with pytest.raises(TrtlabError) as info:
        zoo.get("resnet1000")
    assert "resnet1000" in str(info.value) and "resnet18" in str(info.value)
    with pytest.raises(TrtlabError):
        trtlab.load("zoo:nope")


def test_seed_and_cache():
    a, b = zoo.get("tiny", seed=3), zoo.get("tiny", seed=3)
    assert a is not b and a.proto is not b.proto  # fresh objects over their own copies
    assert a.to_bytes() == b.to_bytes()
    c = zoo.get("tiny", seed=4)
    assert a.initializers["conv1.weight"].raw_data != c.initializers["conv1.weight"].raw_data
    zoo.get("resnet18")
    start = time.perf_counter()
    zoo.get("resnet18")
    zoo.get("resnet18")
    assert time.perf_counter() - start < 1.0  # cached: copies, no rebuild


def test_batch_and_inputs_set_the_shape():
    model = zoo.get("resnet18", batch=2)
    assert model.inputs["data"].shape == (2, 3, 224, 224)
    assert model.outputs["fc"].shape == (2, 1000)
    model = trtlab.load("zoo:mixed", inputs={"data": (3, 3, 48, 40)})
    (out,) = run_ort(model)
    assert out.shape == (3, 10) and np.isfinite(out).all()
    model = zoo.get("transformer", inputs={"input": (2, 16, 64)})
    assert run_ort(model)[0].shape == (2, 16, 64)


def test_bad_inputs_say_what_to_do():
    with pytest.raises(TrtlabError, match="no input named 'x'"):
        zoo.get("tiny", inputs={"x": (1, 3, 32, 32)})
    with pytest.raises(TrtlabError, match="axis 1"):
        zoo.get("tiny", inputs={"data": (1, 4, 32, 32)})
    with pytest.raises(TrtlabError, match="4-d"):
        zoo.get("resnet18", inputs={"data": (3, 224, 224)})


def test_register_callable():
    zoo.register("tiny_again", lambda inputs=None, **kw: zoo.get("tiny", inputs, **kw))
    try:
        assert "tiny_again" in zoo.names()
        assert len(zoo.get("tiny_again").nodes) == 10
    finally:
        del zoo.REGISTRY["tiny_again"]


def test_mixed_cycle_trap_structure():
    model = zoo.get("mixed")
    (trap,) = MIXED_UNSUPPORTED
    assert model.node_by_name[trap].op_type == "MaxRoiPool"
    # stem.relu feeds both the trap and branch C; branches B and C meet again at merge.add.
    assert set(model.consumers["stem.relu"]) == {trap, "branch_c.conv"}
    assert set(model.node_inputs(model.node_by_name["merge.add"])) == {"branch_b.relu", "branch_c.relu"}
    # The trap passes values through unchanged (one ROI per image, one pixel per bin).
    proto = onnx.ModelProto()
    proto.CopyFrom(model.proto)
    del proto.graph.output[:]
    proto.graph.output.extend(vi for vi in proto.graph.value_info if vi.name in ("stem.relu", trap))
    before, after = run_ort(trtlab.Model(proto, name="probe", source="test"))
    np.testing.assert_array_equal(before, after)


def _parser_rejects(model: trtlab.Model) -> set[str]:
    trt = pytest.importorskip("tensorrt_rtx", reason="needs tensorrt_rtx (pip install 'trtlab[rtx]')")
    logger = trt.Logger(trt.Logger.Severity.INTERNAL_ERROR)
    builder = trt.Builder(logger)
    network = builder.create_network(0)  # must outlive the parser: it writes into it
    parser = trt.OnnxParser(network, logger)
    parser.parse(model.to_bytes())
    return {parser.get_error(i).node_name() for i in range(parser.num_errors)}


def test_tensorrt_parser_rejects_exactly_the_trap():
    assert _parser_rejects(zoo.get("mixed")) == set(MIXED_UNSUPPORTED)


@pytest.mark.parametrize("name", ["tiny", "resnet18", "mobilenetv2", "transformer"])
def test_tensorrt_parser_takes_supported_models(name):
    assert _parser_rejects(zoo.get(name)) == set()


def test_zoo_imports_no_heavy_packages():
    code = ("import sys, trtlab.zoo; trtlab.zoo.get('tiny'); "
            "print(sorted(m for m in ('onnxruntime', 'torch', 'mxnet', 'tensorrt', 'tensorrt_rtx') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_registry_module_is_a_clear_error():
    zoo.register("ghost", "trtlab.zoo.no_such_module:ghost")
    try:
        with pytest.raises(TrtlabError, match="not part of this trtlab install"):
            zoo.get("ghost")
    finally:
        del zoo.REGISTRY["ghost"]
