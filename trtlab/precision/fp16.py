"""`to_fp16`: convert a model to fp16, fp32 kept where the policy or the values say.

The model is sanitized first (constants folded, BatchNormalization folded into the Conv or Gemm
before it), then rewritten by `lowbit.Rewriter`: see that module for the rules that keep the
result right. The result runs in ONNX Runtime on CPU: ORT computes the fp16 ops it has no CPU
kernel for in fp32 between casts, so the numbers it gives show fp16 storage rounding.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import onnx

from ..model import Model
from .lowbit import FLOAT16, KeptNode, Rewriter
from .policy import PrecisionPolicy
from .sanitize import sanitize


def to_fp16(model: onnx.ModelProto | Model, policy: PrecisionPolicy | None = None,
            feeds: Mapping[str, np.ndarray] | None = None) -> onnx.ModelProto:
    """fp16 weights and activations; model inputs and outputs stay fp32."""
    return convert_fp16(sanitize(model, feeds), policy, feeds)[0]


def convert_fp16(proto: onnx.ModelProto, policy: PrecisionPolicy | None = None,
                 feeds: Mapping[str, np.ndarray] | None = None) -> tuple[onnx.ModelProto, list[KeptNode]]:
    """Rewrite an already sanitized `proto` (edited in place) to fp16; also the nodes kept fp32.

    With `feeds`, the fp32 model runs once on them and nodes whose values leave the safe fp16
    range stay fp32 (see `lowbit.ACTIVATION_MAX`)."""
    policy = policy or PrecisionPolicy()
    observed = observed_ranges(proto, feeds) if feeds is not None else {}
    rewriter = Rewriter(proto.graph, FLOAT16, policy.reason_fp32, observed=observed)
    rewriter.convert()
    rewriter.drop_unused_initializers()
    return proto, rewriter.kept


def observed_ranges(proto: onnx.ModelProto, feeds: Mapping[str, np.ndarray]) -> dict[str, float]:
    """Tensor -> largest finite |value| in one fp32 run of `proto` in ONNX Runtime; empty if it
    does not run there. `proto` gains the types shape inference finds (it is about to be
    rewritten); its outputs are as they were afterwards."""
    from ..accuracy.pernode import intermediates_exposed
    from ..errors import TrtlabError
    from ..weights import infer_shapes_in_place
    from .validate import run

    try:  # `proto` is being rewritten anyway: typed in place, read in place (no weight copy)
        infer_shapes_in_place(proto, strict_mode=False)
    except Exception:
        pass  # types already there still serve
    try:
        with intermediates_exposed(proto) as exposed:
            values = run(exposed, feeds)
    except TrtlabError:
        return {}
    out = {}
    for name, v in values.items():
        v = np.asarray(v)
        if v.dtype.kind == "f" and v.size:
            finite = np.abs(v[np.isfinite(v)])
            out[name] = float(finite.max()) if finite.size else 0.0
    return out
