"""Concrete shapes for what ONNX inference leaves open: what the shape completion writes and leaves."""

from __future__ import annotations

from onnx import TensorProto, helper


def test_symbolic_inference_that_gives_up_leaves_nothing_in_the_current_folder(tmp_path, monkeypatch):
    """ONNX Runtime's symbolic shape inference, where it gives up, writes the model to
    sym_shape_infer_temp.onnx in the current folder: not the copy trtlab runs."""
    from trtlab.static_shapes import _symbolic_shapes

    g = helper.make_graph([helper.make_node("Mystery", ["x"], ["y"], domain="custom.ops"),
                           helper.make_node("Relu", ["y"], ["z"])], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("z", TensorProto.FLOAT, None)])
    proto = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("custom.ops", 1)])
    monkeypatch.chdir(tmp_path)
    assert _symbolic_shapes(proto, ["y", "z"]) == {}
    assert list(tmp_path.iterdir()) == []
