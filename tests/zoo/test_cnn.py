"""The small CNNs: tiny, and mixed with its cycle trap that TensorRT cannot take."""

from __future__ import annotations

import numpy as np
import onnx

import trtlab
from trtlab import zoo
from trtlab.zoo.cnn import MIXED_UNSUPPORTED

from .support import parser_rejects, run_ort


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


def test_tensorrt_parser_rejects_exactly_the_trap():
    assert parser_rejects(zoo.get("mixed")) == set(MIXED_UNSUPPORTED)


def test_tiny_is_ten_named_nodes_in_order():
    model = zoo.get("tiny")
    assert [n.name for n in model.nodes] == ["conv1", "bn1", "relu1", "pool1", "conv2", "relu2", "add",
                                             "avgpool", "flatten", "fc"]
    assert model.inputs["data"].shape == (1, 3, 32, 32) and model.outputs["fc"].shape == (1, 10)
    assert "conv2.bias" in model.initializers and "conv1.bias" not in model.initializers
