"""Precision as a model transform: the ONNX model itself says which types each op runs in.

TensorRT 11 and TensorRT-RTX are strongly typed (no FP16/INT8/BF16 builder flags), so fp16 and
bf16 come from converting the model's types and int8 from explicit Q/DQ nodes. Every transform
takes an `onnx.ModelProto` or a `trtlab.Model`, returns a new ModelProto whose inputs and outputs
stay fp32, and runs in ONNX Runtime on CPU, so accuracy can be measured without a GPU.

    from trtlab.precision import apply_precision, PrecisionPolicy
    fp16 = apply_precision(model, "fp16", policy=PrecisionPolicy())
"""

from __future__ import annotations

from ..precisions import PRECISIONS, check_precision
from .apply import apply_precision
from .bf16 import to_bf16
from .calibration import synthetic as synthetic_calibration
from .fp16 import to_fp16
from .int8 import to_int8
from .policy import DEFAULT_KEEP_FP32_OPS, PrecisionPolicy
from .sanitize import sanitize

__all__ = [
    "DEFAULT_KEEP_FP32_OPS", "PRECISIONS", "PrecisionPolicy", "apply_precision", "check_precision",
    "sanitize", "synthetic_calibration", "to_bf16", "to_fp16", "to_int8",
]
