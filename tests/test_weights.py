"""Big weights handled without copies: a structure-only copy, outputs added in place and taken
back, and a compacted message."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

from trtlab.weights import compacted, outputs_added, shapes_only, weight_bytes

from .models import wide_mlp


def test_shapes_only_keeps_names_types_and_shapes_but_no_data():
    proto = wide_mlp(width=256)  # 65536 elements: a large weight
    light = shapes_only(proto)
    (w,) = light.graph.initializer
    assert (w.name, list(w.dims), w.data_type) == ("w", [256, 256], onnx.TensorProto.FLOAT)
    assert not w.raw_data and not w.float_data
    assert weight_bytes(light) == weight_bytes(proto) == 256 * 256 * 4
    assert [i.name for i in light.graph.input] == ["x"]  # not turned into an input
    assert light.ByteSize() < 2000 < proto.ByteSize()


def test_small_weights_keep_their_data():
    proto = wide_mlp(width=64)  # 4096 elements: small enough for shape arithmetic
    assert shapes_only(proto).graph.initializer[0].raw_data == proto.graph.initializer[0].raw_data


def test_outputs_added_for_the_block_then_taken_back():
    proto = wide_mlp(width=8)
    m = onnx.helper.make_tensor_value_info("m", onnx.TensorProto.FLOAT, [1, 8])
    before = proto.SerializeToString()
    with outputs_added(proto, [m, proto.graph.output[0]]) as exposed:
        assert exposed is proto and [o.name for o in proto.graph.output] == ["y", "m"]
    assert proto.SerializeToString() == before


def test_compacted_drops_what_was_replaced():
    proto = wide_mlp(width=256)
    w = numpy_helper.to_array(proto.graph.initializer[0]).astype(np.float16)
    proto.graph.initializer[0].CopyFrom(numpy_helper.from_array(w, "w"))
    out = compacted(proto)
    assert out == proto and out is not proto
