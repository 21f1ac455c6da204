from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

pytest.importorskip("ipywidgets", reason="needs ipywidgets (pip install 'trtlab[lab]')")
pytest.importorskip("plotly", reason="needs plotly (pip install 'trtlab[lab]')")


def _conv(name, x, cin, cout, rng):
    w = numpy_helper.from_array(rng.standard_normal((cout, cin, 3, 3)).astype(np.float32) * 0.1,
                                f"{name}.w")
    return helper.make_node("Conv", [x, w.name], [name], pads=[1, 1, 1, 1], name=name), w


@pytest.fixture(scope="session")
def small_model():
    """conv -> relu -> conv -> relu -> add (residual) -> MaxRoiPool branch + pool head.

    MaxRoiPool is outside TensorRT's support table, so the plan has a fallback node.
    """
    import trtlab

    rng = np.random.default_rng(0)
    c1, w1 = _conv("conv1", "x", 3, 4, rng)
    c2, w2 = _conv("conv2", "relu1", 4, 4, rng)
    nodes = [
        c1, helper.make_node("Relu", ["conv1"], ["relu1"], name="relu1"),
        c2, helper.make_node("Relu", ["conv2"], ["relu2"], name="relu2"),
        helper.make_node("Add", ["relu1", "relu2"], ["sum"], name="add"),
        helper.make_node("MaxRoiPool", ["sum", "rois"], ["roi"], pooled_shape=[2, 2], name="roipool"),
        helper.make_node("GlobalAveragePool", ["sum"], ["pooled"], name="pool"),
        helper.make_node("Flatten", ["pooled"], ["y"], name="flatten"),
    ]
    graph = helper.make_graph(
        nodes, "small", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("roi", TensorProto.FLOAT, None)],
        initializer=[w1, w2, numpy_helper.from_array(np.array([[0, 0, 0, 7, 7]], np.float32), "rois")])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    return trtlab.load(proto, name="small")
