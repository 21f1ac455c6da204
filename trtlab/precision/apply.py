"""`apply_precision`: one entry point for every precision trtlab builds."""

from __future__ import annotations

import onnx

from ..errors import TrtlabError
from ..model import Model
from ..precisions import check_precision
from .bf16 import to_bf16
from .calibration import Calibration
from .fp16 import to_fp16
from .int8 import to_int8
from .policy import PrecisionPolicy
from .sanitize import sanitize

def apply_precision(model: onnx.ModelProto | Model, precision: str, *,
                    policy: PrecisionPolicy | None = None, calibration: Calibration = None,
                    runnable_in_ort: bool = True) -> onnx.ModelProto:
    """The model converted to `precision` ("fp32", "fp16", "bf16" or "int8"), sanitized first.

    `policy` applies to fp16/bf16, `calibration` to int8. `runnable_in_ort` only matters for bf16
    (see `to_bf16`): leave it True to measure accuracy in ONNX Runtime, set it False for a model
    that TensorRT runs in bf16.
    """
    check_precision(precision)
    if precision == "fp32":
        return sanitize(model)
    if precision == "fp16":
        return to_fp16(model, policy)
    if precision == "bf16":
        return to_bf16(model, policy, runnable_in_ort=runnable_in_ort)
    return to_int8(model, calibration)


