from __future__ import annotations

import pytest
from onnx import TensorProto, helper

import trtlab
from trtlab.coverage import coverage
from trtlab.errors import TrtlabError

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


def test_mxnet13_list_is_short():
    model = trtlab.load("zoo:resnet18")
    report = coverage(model, "mxnet-1.3")
    assert report.unsupported_ops == {"MaxPool": 1, "GlobalAveragePool": 1}
    assert "MXNet 1.3" in report.reason("maxpool")
    assert report.supported("conv1")


def test_overrides():
    model = trtlab.load(chain_with_unsupported())
    r = coverage(model, "tensorrt", exclude_ops=["Relu"], include_nodes=["det"], exclude_nodes=["add"])
    assert not r.supported("r1") and "excluded by user (op type Relu)" in r.reason("r1")
    assert r.supported("det") and "forced in by user" in r.reason("det")
    assert not r.supported("add") and "excluded by user (node)" in r.reason("add")
    assert not r.supported("det2")
    with pytest.raises(TrtlabError, match="No node named 'nope'"):
        coverage(model, "tensorrt", exclude_nodes=["nope"])


def test_unknown_source_and_precision():
    model = trtlab.load(chain_with_unsupported())
    with pytest.raises(TrtlabError, match="Unknown coverage source 'tensor'"):
        coverage(model, "tensor")
    with pytest.raises(TrtlabError, match="Unknown precision 'fp9'"):
        coverage(model, "tensorrt", "fp9")


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


def test_parser_partition_comparison_explains_the_difference():
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    from trtlab.partition import compare_with_parser

    plan = trtlab.partition(trtlab.load("zoo:mixed"), "parser")
    text = compare_with_parser(plan)
    assert "topological order" in text and "maps to trtlab engines 0, 1" in text
    same = compare_with_parser(trtlab.partition(trtlab.load("zoo:tiny"), "parser"))
    assert "identical" in same
