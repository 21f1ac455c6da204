"""Models for the hierarchy, layout and widget tests, built in code."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import trtlab


def numbered_model(blocks: int, *, name: str = "numbered") -> trtlab.Model:
    """Residual blocks whose nodes have exporter-numbered names ("p2o.Conv.0") and whose weights
    and shape come from Constant nodes ("Constant_3"), like the PP-OCR exports."""
    nodes, prev = [], "x"
    for b in range(blocks):
        w, s = f"Constant_{2 * b}", f"Constant_{2 * b + 1}"
        nodes += [
            helper.make_node("Constant", [], [w], name=w, value=numpy_helper.from_array(
                np.full((4, 4, 1, 1), 0.1, np.float32), w)),
            helper.make_node("Constant", [], [s], name=s, value=numpy_helper.from_array(
                np.array([1, 4, 8, 8], np.int64), s)),
            helper.make_node("Conv", [prev, w], [f"c{b}"], name=f"p2o.Conv.{b}"),
            helper.make_node("Relu", [f"c{b}"], [f"r{b}"], name=f"p2o.Relu.{b}"),
            helper.make_node("Reshape", [f"r{b}", s], [f"s{b}"], name=f"p2o.Reshape.{b}"),
            helper.make_node("Add", [f"s{b}", prev], [f"a{b}"], name=f"p2o.Add.{b}"),
        ]
        prev = f"a{b}"
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
                              [helper.make_tensor_value_info(prev, TensorProto.FLOAT, [1, 4, 8, 8])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return trtlab.Model.from_proto(proto, name=name, source="test")


OCR = {"rec": ("ch_PP-OCRv4_rec_infer.onnx", (1, 3, 48, 320)),
       "cls": ("ch_ppocr_mobile_v2.0_cls_infer.onnx", (1, 3, 48, 192)),
       "det": ("ch_PP-OCRv4_det_infer.onnx", (1, 3, 640, 640))}


def ocr_model(which: str) -> trtlab.Model | None:
    """A PP-OCR model shipped in the rapidocr-onnxruntime package, or None without it."""
    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None:
        return None
    file, shape = OCR[which]
    return trtlab.load(os.path.join(os.path.dirname(spec.origin), "models", file), inputs={"x": shape})
