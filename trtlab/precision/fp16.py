"""`to_fp16`: convert a model to fp16, fp32 kept where the policy or the values say.

The model is sanitized first (constants folded, BatchNormalization folded into the Conv or Gemm
before it), then rewritten by `lowbit.Rewriter`: see that module for the rules that keep the
result right. The result runs in ONNX Runtime on CPU: ORT computes the fp16 ops it has no CPU
kernel for in fp32 between casts, so the numbers it gives show fp16 storage rounding.
"""

from __future__ import annotations

import onnx

from ..model import Model
from .lowbit import FLOAT16, KeptNode, Rewriter
from .policy import PrecisionPolicy
from .sanitize import sanitize


def to_fp16(model: onnx.ModelProto | Model, policy: PrecisionPolicy | None = None) -> onnx.ModelProto:
    """fp16 weights and activations; model inputs and outputs stay fp32."""
    return convert_fp16(sanitize(model), policy)[0]


def convert_fp16(proto: onnx.ModelProto, policy: PrecisionPolicy | None = None
                 ) -> tuple[onnx.ModelProto, list[KeptNode]]:
    """Rewrite an already sanitized `proto` (edited in place) to fp16; also the nodes kept fp32."""
    policy = policy or PrecisionPolicy()
    rewriter = Rewriter(proto.graph, FLOAT16, policy.reason_fp32)
    rewriter.convert()
    rewriter.drop_unused_initializers()
    return proto, rewriter.kept
