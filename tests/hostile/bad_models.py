"""Bad ONNX models, each a named function returning the file's bytes.

Names that protobuf cannot hold as Python text (non-UTF-8) are made by writing a same-length
placeholder and swapping its bytes in the serialised model, so the length prefixes stay right.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper, numpy_helper

OPSET = 17


def vi(name: str, shape, elem=T.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def model(nodes, inputs, outputs, inits=(), opset=OPSET, ir_version=None, name="g"):
    g = helper.make_graph(nodes, name, inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)] if opset is not None else [])
    m.ir_version = ir_version if ir_version is not None else 8
    return m


def relu(x_name="x", y_name="y", node_name="r", shape=(1, 4)):
    return model([helper.make_node("Relu", [x_name], [y_name], name=node_name)],
                 [vi(x_name, list(shape))], [vi(y_name, list(shape))])


def good() -> onnx.ModelProto:
    return relu()


def conv_model() -> onnx.ModelProto:
    """A small Conv+Relu+Gemm net with real initializers: truncation lands in many fields."""
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "w")
    b = numpy_helper.from_array(np.zeros(8, np.float32), "b")
    fw = numpy_helper.from_array(rng.standard_normal((10, 8 * 8 * 8)).astype(np.float32), "fw")
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("Flatten", ["r"], ["f"], name="flat"),
             helper.make_node("Gemm", ["f", "fw"], ["y"], name="fc", transB=1)]
    return model(nodes, [vi("x", [1, 3, 8, 8])], [vi("y", [1, 10])], [w, b, fw])


def swap_bytes(m: onnx.ModelProto, placeholder: str, raw: bytes) -> bytes:
    data = m.SerializeToString()
    ph = placeholder.encode()
    assert len(ph) == len(raw) and ph in data
    return data.replace(ph, raw)


BAD_UTF8 = b"\xff\xfe\x80bad\xc3("  # 8 bytes, invalid UTF-8


def build() -> dict[str, bytes]:
    """name -> serialised bad model."""
    out: dict[str, onnx.ModelProto | bytes] = {}

    m = relu(); m.graph.input[0].type.tensor_type.elem_type = 999; out["elem_type_999_input"] = m
    m = relu(); m.graph.output[0].type.tensor_type.elem_type = 999; out["elem_type_999_output"] = m
    m = relu(); m.graph.input[0].type.tensor_type.elem_type = 0; out["elem_type_undefined_input"] = m
    m = model([helper.make_node("Add", ["x", "c"], ["y"], name="add")], [vi("x", [1, 4])], [vi("y", [1, 4])],
              [numpy_helper.from_array(np.ones(4, np.float32), "c")])
    m.graph.initializer[0].data_type = 999
    out["elem_type_999_initializer"] = m
    m = model([helper.make_node("Flatten", ["x"], ["y"], name="flat", axis=1)], [vi("x", [1, 4])], [vi("y", [1, 4])])
    data = m.SerializeToString()  # AttributeProto.type is a closed enum: set 99 in the bytes
    assert data.count(b"\xa0\x01\x02") == 1
    out["attribute_type_99"] = data.replace(b"\xa0\x01\x02", b"\xa0\x01\x63")
    m = model([helper.make_node("Cast", ["x"], ["y"], name="cast", to=999)], [vi("x", [1, 4])], [vi("y", [1, 4])])
    out["cast_to_999"] = m

    out["non_utf8_tensor_name"] = swap_bytes(relu(x_name="XPHOLDER"), "XPHOLDER", BAD_UTF8)
    out["non_utf8_node_name"] = swap_bytes(relu(node_name="NPHOLDER"), "NPHOLDER", BAD_UTF8)
    out["non_utf8_output_name"] = swap_bytes(relu(y_name="YPHOLDER"), "YPHOLDER", BAD_UTF8)
    m = relu(); m.graph.node[0].op_type = "OPHOLDER"
    out["non_utf8_op_type"] = swap_bytes(m, "OPHOLDER", BAD_UTF8)
    m = relu(); m.graph.doc_string = "DPHOLDER"
    out["non_utf8_doc_string"] = swap_bytes(m, "DPHOLDER", BAD_UTF8)
    out["nul_in_node_name"] = relu(node_name="a\x00b")
    out["nul_in_tensor_name"] = relu(x_name="x\x00y")
    out["html_node_name"] = relu(node_name="<script>alert(1)</script>")
    out["html_tensor_name"] = relu(x_name="<img src=x onerror=alert(1)>")
    out["dot_syntax_node_name"] = relu(node_name='a"b\\c\n}{ digraph')
    out["long_node_name"] = relu(node_name="n" * 100_000)

    out["input_1e6_by_1e6"] = relu(shape=(1_000_000, 1_000_000))
    out["input_2_pow_62"] = relu(shape=(2**62,))
    out["input_negative_dim"] = relu(shape=(1, -5))
    out["input_zero_dim"] = relu(shape=(1, 0))
    out["input_dynamic_dim"] = relu(shape=("batch", 4))

    out["cycle_two_nodes"] = model([helper.make_node("Relu", ["b"], ["a"], name="n1"),
                                    helper.make_node("Relu", ["a"], ["b"], name="n2"),
                                    helper.make_node("Add", ["x", "a"], ["y"], name="n3")],
                                   [vi("x", [1, 4])], [vi("y", [1, 4])])
    out["cycle_self_loop"] = model([helper.make_node("Add", ["x", "y"], ["y"], name="selfish")],
                                   [vi("x", [1, 4])], [vi("y", [1, 4])])
    out["cycle_three_nodes"] = model([helper.make_node("Relu", ["c"], ["a"], name="n1"),
                                      helper.make_node("Relu", ["a"], ["b"], name="n2"),
                                      helper.make_node("Add", ["x", "b"], ["c"], name="n3"),
                                      helper.make_node("Relu", ["c"], ["y"], name="n4")],
                                     [vi("x", [1, 4])], [vi("y", [1, 4])])
    cm = conv_model()
    del cm.graph.initializer[0]
    out["conv_weight_missing"] = cm
    m = relu(); m.graph.output.append(vi("ghost", [1, 4])); out["output_nothing_produces"] = m
    out["two_producers"] = model([helper.make_node("Relu", ["x"], ["t"], name="p1"),
                                  helper.make_node("Sigmoid", ["x"], ["t"], name="p2"),
                                  helper.make_node("Relu", ["t"], ["y"], name="c")],
                                 [vi("x", [1, 4])], [vi("y", [1, 4])])
    out["input_also_produced"] = model([helper.make_node("Relu", ["x"], ["x"], name="again"),
                                        helper.make_node("Relu", ["x"], ["y"], name="c")],
                                       [vi("x", [1, 4])], [vi("y", [1, 4])])
    m = relu(); m.opset_import[0].version = 9999; out["opset_9999"] = m
    m = relu(); m.opset_import[0].version = 1; out["opset_1"] = m
    out["no_opset_import"] = relu()
    del out["no_opset_import"].opset_import[:]
    m = relu(); m.ir_version = 999; out["ir_version_999"] = m
    out["add_incompatible_shapes"] = model([helper.make_node("Add", ["x", "z"], ["y"], name="bad_add")],
                                           [vi("x", [1, 3]), vi("z", [1, 4])], [vi("y", [1, 4])])
    out["matmul_incompatible_shapes"] = model([helper.make_node("MatMul", ["x", "z"], ["y"], name="bad_mm")],
                                              [vi("x", [2, 3]), vi("z", [5, 4])], [vi("y", [2, 4])])
    out["unknown_op_default_domain"] = model([helper.make_node("NoSuchOp", ["x"], ["y"], name="mystery")],
                                             [vi("x", [1, 4])], [vi("y", [1, 4])])
    m = relu(); m.graph.node[0].op_type = ""; out["empty_op_type"] = m
    out["duplicate_input_names"] = model([helper.make_node("Add", ["x", "x"], ["y"], name="add")],
                                         [vi("x", [1, 4]), vi("x", [1, 4])], [vi("y", [1, 4])])
    out["no_nodes_no_outputs"] = model([], [vi("x", [1, 4])], [])

    big = T(name="w", data_type=T.FLOAT, dims=[2**62, 4])
    out["initializer_dims_overflow"] = model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                                             [vi("x", [1, 4])], [vi("y", [1, 4])], [big])
    short = numpy_helper.from_array(np.ones(4, np.float32), "w")
    short.dims[:] = [1000, 4]
    out["initializer_data_short"] = model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                                          [vi("x", [1, 4])], [vi("y", [1, 4])], [short])
    neg = numpy_helper.from_array(np.ones(4, np.float32), "w")
    neg.dims[:] = [-4]
    out["initializer_negative_dim"] = model([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                                            [vi("x", [1, 4])], [vi("y", [1, 4])], [neg])
    shape = numpy_helper.from_array(np.array([10**6, 10**6, 10**3], np.int64), "shape")
    out["expand_to_1e15"] = model([helper.make_node("Expand", ["x", "shape"], ["y"], name="grow")],
                                  [vi("x", [1, 1, 1])], [vi("y", [10**6, 10**6, 10**3])], [shape])
    out["loop_trip_count_1e15"] = loop_model(10**15)

    for where in ("missing", "traversal", "absolute"):
        m = relu_with_external_weight({"missing": "weights.bin", "traversal": "../../../../etc/passwd",
                                       "absolute": "/etc/passwd"}[where])
        out[f"external_data_{where}"] = m
    return {k: v if isinstance(v, bytes) else v.SerializeToString() for k, v in out.items()}


def relu_with_external_weight(location: str) -> onnx.ModelProto:
    w = T(name="w", data_type=T.FLOAT, dims=[4])
    w.data_location = T.EXTERNAL
    entry = w.external_data.add()
    entry.key, entry.value = "location", location
    return model([helper.make_node("Add", ["x", "w"], ["y"], name="add")], [vi("x", [4])], [vi("y", [4])], [w])


def loop_model(trips: int) -> onnx.ModelProto:
    """y = x + (number of loop iterations): a Loop whose trip count is `trips`."""
    one = numpy_helper.from_array(np.ones(1, np.float32), "one")
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"], name="keep_going"),
         helper.make_node("Add", ["acc_in", "one"], ["acc_out"], name="count")],
        "body", [vi("i", [], T.INT64), vi("cond_in", [], T.BOOL), vi("acc_in", [1])],
        [vi("cond_out", [], T.BOOL), vi("acc_out", [1])], initializer=[one])
    m_trip = numpy_helper.from_array(np.array(trips, np.int64), "trips")
    cond = numpy_helper.from_array(np.array(True), "cond")
    nodes = [helper.make_node("Loop", ["trips", "cond", "x"], ["y"], name="forever", body=body)]
    return model(nodes, [vi("x", [1])], [vi("y", [1])], [m_trip, cond])


def build_model(name: str) -> onnx.ModelProto:
    """One bad model of `build()`, parsed."""
    return onnx.load_from_string(build()[name])
