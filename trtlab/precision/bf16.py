"""`to_bf16`: convert a model to bfloat16, fp32 kept where the policy says.

`lowbit.Rewriter` (shared with fp16) does the conversion.

ONNX Runtime's CPU provider has bf16 kernels only for data movement (Cast, Transpose, Reshape,
Concat, ...): no Conv, MatMul, Add, Relu or any other arithmetic. So by default
(`runnable_in_ort=True`) every arithmetic op computes in fp32 between Casts, and only the tensors
between ops and the weights are bf16. That is what bf16 does to the numbers when accumulation
happens in fp32, as TensorRT's bf16 kernels do, so ONNX Runtime measures bf16 accuracy on any
machine. For building an engine, pass `runnable_in_ort=False`: the ops then take bf16 directly
and TensorRT (strongly typed) runs them in bf16.
"""

from __future__ import annotations

import onnx
from onnx import shape_inference

from ..errors import TrtlabError
from ..model import Model
from ._proto import opset, upgraded
from .lowbit import BF16, KeptNode, Rewriter, bf16_tensor
from .policy import PrecisionPolicy
from .sanitize import sanitize

__all__ = ["ORT_CPU_BF16_OPS", "bf16_tensor", "convert_bf16", "to_bf16"]

# Ops that ONNX Runtime's CPU provider runs in bf16 (checked against onnxruntime 1.31).
ORT_CPU_BF16_OPS = frozenset({"Cast", "Identity", "Transpose", "Concat", "Flatten", "Reshape",
                              "Squeeze", "Unsqueeze", "Shape"})


def to_bf16(model: onnx.ModelProto | Model, policy: PrecisionPolicy | None = None, *,
            runnable_in_ort: bool = True) -> onnx.ModelProto:
    """bf16 weights and activations; model inputs and outputs stay fp32 (see the module doc)."""
    return convert_bf16(sanitize(model), policy, runnable_in_ort=runnable_in_ort)[0]


def convert_bf16(proto: onnx.ModelProto, policy: PrecisionPolicy | None = None, *,
                 runnable_in_ort: bool = True) -> tuple[onnx.ModelProto, list[KeptNode]]:
    """Rewrite an already sanitized `proto` to bf16; also the nodes kept fp32."""
    policy = policy or PrecisionPolicy()
    if opset(proto) < 13:  # a bfloat16 Cast needs opset 13
        try:
            proto = upgraded(proto, 13)
            # The converter adds nodes (a Flatten/Reshape around an old Softmax) without types.
            proto = shape_inference.infer_shapes(proto, data_prop=True)
        except Exception as exc:
            raise TrtlabError(f"bf16 needs ONNX opset 13 or newer; converting from opset {opset(proto)} "
                              f"failed: {exc}", hint="Export the model with opset 13 or newer.") from None
    rewriter = Rewriter(proto.graph, BF16, policy.reason_fp32)
    rewriter.convert()
    if runnable_in_ort:
        rewriter.compute_in_fp32(keep_low=ORT_CPU_BF16_OPS)
    rewriter.drop_unused_initializers()
    return proto, rewriter.kept
