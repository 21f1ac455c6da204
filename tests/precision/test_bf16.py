"""bf16: weights and activations stored in bfloat16, computed in fp32 for ONNX Runtime or in bf16 for TensorRT."""

from __future__ import annotations

from onnx import TensorProto

from trtlab.precision import to_bf16

from .support import elem_type, node, typed


def test_bf16_rounds_activations_between_ops(cnn):
    out = typed(to_bf16(cnn))
    relu = node(out, "relu")
    assert elem_type(out, relu.output[0]) == TensorProto.FLOAT  # computes in fp32 for ORT ...
    consumer = next(n for n in out.graph.node if relu.output[0] in n.input)
    assert consumer.op_type == "Cast" and consumer.attribute[0].i == TensorProto.BFLOAT16  # ... stored bf16


def test_bf16_for_tensorrt_computes_in_bf16(cnn):
    out = to_bf16(cnn, runnable_in_ort=False)
    conv = node(out, "conv")
    assert all(elem_type(out, t) == TensorProto.BFLOAT16 for t in conv.input[:2])
    types = {vi.name: vi.type.tensor_type.elem_type for vi in out.graph.value_info}
    assert types[conv.output[0]] == TensorProto.BFLOAT16
    assert elem_type(out, "y") == TensorProto.FLOAT


def test_only_data_movement_stays_bf16_where_onnx_runtime_runs_it(cnn):
    from trtlab.precision.bf16 import ORT_CPU_BF16_OPS

    out = typed(to_bf16(cnn))
    for n in out.graph.node:
        if n.op_type not in ORT_CPU_BF16_OPS and n.op_type != "Cast":
            assert all(elem_type(out, t) == TensorProto.FLOAT for t in n.input if t), n.name
    assert "Conv" not in ORT_CPU_BF16_OPS and "Transpose" in ORT_CPU_BF16_OPS
