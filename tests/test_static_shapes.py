"""The shape hint for a dynamic input agrees with the model's weights."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import trtlab
from trtlab.errors import TrtlabError
from trtlab.static_shapes import hinted_shape, plausible_shape


@pytest.mark.parametrize("group, channels", [(1, 3), (4, 12)])
def test_an_image_inputs_channels_come_from_the_conv_that_reads_it(group, channels):
    w = numpy_helper.from_array(np.zeros((8, 3, 3, 3), np.float32), "w")
    graph = helper.make_graph([helper.make_node("Conv", ["pixel_values", "w"], ["y"], name="conv", group=group)], "g",
                              [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT,
                                                             ["batch", "channels", "height", "width"])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    dims = ["batch", "channels", "height", "width"]
    assert plausible_shape(dims)[1] == 128  # the guess alone
    assert hinted_shape(proto, "pixel_values", dims) == [1, channels, 224, 224]
    with pytest.raises(TrtlabError, match=f"--input pixel_values:1x{channels}x224x224"):
        trtlab.load(proto)



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
