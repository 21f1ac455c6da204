"""Precision as a model transform: the ONNX model itself says which types each op runs in.

TensorRT 11 and TensorRT-RTX are strongly typed (no precision builder flags), so a 16-bit
precision comes from converting the model's types and a quantized one from explicit Q/DQ nodes;
which transform each precision takes is in `trtlab.precision_registry`. Every transform
takes an `onnx.ModelProto` or a `trtlab.Model`, returns a new ModelProto whose inputs and outputs
stay fp32, and runs in ONNX Runtime on CPU, so accuracy can be measured without a GPU.

Before converting, `sanitize` folds constants and BatchNormalization (each step checked in ONNX
Runtime, skipped with a note if it changes the answer). `convert_precision` returns the model
with the nodes kept in fp32 and why, and refuses (ConversionInvalid) a result that fails the onnx
checker or does not run in ONNX Runtime.

    from trtlab.precision import apply_precision, convert_precision, PrecisionPolicy
    fp16 = apply_precision(model, "fp16", policy=PrecisionPolicy())
    result = convert_precision(model, "fp16")   # .model, .kept_fp32 (node, op, reason), .notes
"""

from __future__ import annotations

from ..precision_registry import NAMES as PRECISIONS
from ..precision_registry import Precision, check_precision
from .apply import apply_precision
from .bf16 import to_bf16
from .calibration import synthetic as synthetic_calibration
from .convert import ConversionInvalid, ConvertedModel, convert_precision
from .fp16 import to_fp16
from .qdq import to_int8
from .lowbit import KeptNode
from .policy import DEFAULT_KEEP_FP32_OPS, PrecisionPolicy
from .sanitize import sanitize, sanitize_with_notes

__all__ = [
    "ConversionInvalid", "ConvertedModel", "DEFAULT_KEEP_FP32_OPS", "KeptNode", "PRECISIONS", "Precision", "PrecisionPolicy",
    "apply_precision", "check_precision", "convert_precision", "sanitize", "sanitize_with_notes",
    "synthetic_calibration", "to_bf16", "to_fp16", "to_int8",
]
