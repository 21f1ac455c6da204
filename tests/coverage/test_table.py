"""Coverage from the shipped onnx-tensorrt operator matrix: per op, per precision, with the reason."""

from __future__ import annotations

from onnx import TensorProto, helper

import trtlab
from trtlab.coverage import coverage

from tests.models import chain_with_unsupported


def _model(op: str, dtype=TensorProto.FLOAT, opset: int = 17, **attrs) -> trtlab.Model:
    x = helper.make_tensor_value_info("x", dtype, [2, 3])
    y = helper.make_tensor_value_info("y", dtype, None)
    g = helper.make_graph([helper.make_node(op, ["x"], ["y"], name="n", **attrs)], "g", [x], [y])
    return trtlab.load(helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)]))


def test_table_says_why_an_op_is_missing():
    report = coverage(trtlab.load(chain_with_unsupported()), "tensorrt")
    assert not report.supported("det")
    assert "no importer for Det" in report.reason("det")
    assert report.supported("r1") and report.supported("add")
    assert report.unsupported_ops == {"Det": 2}


def test_table_answers_per_precision():
    from trtlab.coverage.table import load_table

    ops = load_table()["ops"]
    # The rows this test relies on: if the shipped table changes, this says so first.
    assert "BF16" in ops["Relu"]["types"] and "INT64" in ops["Abs"]["types"]
    assert ops["Mish"]["supported"] and ops["Mish"]["types"] == ["FP32", "FP16"]

    relu = _model("Relu")
    for precision in ("fp32", "fp16", "bf16"):
        assert coverage(relu, "tensorrt", precision).supported("n"), precision
    abs_int = _model("Abs", TensorProto.INT64)
    assert coverage(abs_int, "tensorrt", "fp16").supported("n")  # int tensors stay int
    # Mish has no BF16 in its row: it runs in TensorRT at fp32 and fp16 and falls back at bf16 only.
    mish = _model("Mish", opset=18)
    assert coverage(mish, "tensorrt", "fp32").supported("n")
    assert coverage(mish, "tensorrt", "fp16").supported("n")
    v = coverage(mish, "tensorrt", "bf16").verdicts["n"]
    assert not v.supported
    assert "supports Mish for FP32, FP16, not BF16 (at bf16)" in v.reason


def test_custom_domain_op_is_unsupported_with_reason():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])
    node = helper.make_node("Gelu", ["x"], ["y"], name="g", domain="com.microsoft")
    g = helper.make_graph([node], "g", [x], [y])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    v = coverage(trtlab.Model.from_proto(m, name="m", source="test"), "tensorrt").verdicts["g"]
    assert not v.supported and "com.microsoft::Gelu" in v.reason and "plugin" in v.reason


def test_a_pool_on_a_tensor_of_the_wrong_rank_is_refused_from_its_shape():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    node = helper.make_node("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[2])
    one_d = trtlab.load(helper.make_model(helper.make_graph([node], "g", [x], [y]),
                                          opset_imports=[helper.make_opsetid("", 17)]))
    v = coverage(one_d, "tensorrt").verdicts["pool"]
    assert not v.supported and v.reason == "MaxPool on a rank-3 tensor: TensorRT pools only 2D or 3D"
    assert not coverage(_model("MaxPool", kernel_shape=[2]), "tensorrt").supported("n")  # rank 2 too
