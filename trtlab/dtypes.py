"""Element types, in one table: ONNX's type numbers, the numpy-style names trtlab's `TensorInfo`
uses ("float32", "bfloat16", "float8_e4m3fn", ...), ONNX Runtime's type strings, bits per value,
and the bytes of a tensor.

The names are what onnx.helper.tensor_dtype_to_np_dtype gives (ml_dtypes' names for the types
numpy lacks), else the lower-case TensorProto name.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Sequence

import numpy as np
from onnx import TensorProto, helper

UNDEFINED = "undefined"
# Types numpy computes with natively (ONNX Runtime hands them back as plain arrays); bfloat16,
# the float8/float4 types and the packed 4-bit ones are not among them.
NUMPY_NATIVE = frozenset({TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.FLOAT16, TensorProto.INT8,
                          TensorProto.INT16, TensorProto.INT32, TensorProto.INT64, TensorProto.UINT8,
                          TensorProto.UINT16, TensorProto.UINT32, TensorProto.UINT64, TensorProto.BOOL})


def name(elem_type: int) -> str:
    """"float32" for TensorProto.FLOAT, "bfloat16", "float8_e4m3fn", ...; "undefined" for 0."""
    return _names().get(elem_type, UNDEFINED if elem_type == TensorProto.UNDEFINED else f"type {elem_type}")


def elem_type(dtype: str) -> int | None:
    """The TensorProto element type of a name (`name`'s inverse); also takes ONNX Runtime's
    "tensor(float)" and ONNX's own lower-case names ("float", "double"); None if unknown."""
    if dtype.startswith("tensor(") and dtype.endswith(")"):
        dtype = dtype[len("tensor("):-1]
    return _elem_types().get(dtype)


def numpy_type(dtype: str) -> np.dtype | None:
    """The numpy type of a name; None where numpy has none of its own (bfloat16, float8...)."""
    found = elem_type(dtype)
    if found == TensorProto.STRING:
        return np.dtype(object)
    if found is None or found not in NUMPY_NATIVE:
        return None
    return np.dtype(helper.tensor_dtype_to_np_dtype(found))


def bits(dtype: str) -> int | None:
    """Bits per value of a name ("float16" 16, "bfloat16" 16, "int4" 4, "float8_e4m3fn" 8); None
    for strings and unknown names."""
    if dtype in ("int4", "uint4", "int2", "uint2") or dtype.startswith("float4"):
        return 2 if dtype.endswith("int2") else 4
    found = elem_type(dtype)
    if found is None or found == TensorProto.STRING:
        return None
    return np.dtype(helper.tensor_dtype_to_np_dtype(found)).itemsize * 8


def tensor_bytes(shape: Sequence[int], dtype: str, *, unknown_bits: int | None = None) -> int | None:
    """Bytes of a tensor of `shape` and `dtype`, in Python integers (no int64 overflow), packed
    types rounded up to whole bytes; for a type of unknown size, `unknown_bits` per value, or None."""
    size = bits(dtype) or unknown_bits
    if size is None:
        return None
    return (math.prod(int(d) for d in shape) * size + 7) // 8


@lru_cache(maxsize=1)
def _names() -> dict[int, str]:
    out = {}
    for value in TensorProto.DataType.values():
        if value == TensorProto.UNDEFINED:
            continue
        try:
            out[value] = str(helper.tensor_dtype_to_np_dtype(value))
        except Exception:
            out[value] = TensorProto.DataType.Name(value).lower()
    return out


@lru_cache(maxsize=1)
def _elem_types() -> dict[str, int]:
    out = {TensorProto.DataType.Name(v).lower(): v for v in TensorProto.DataType.values()}
    out.update({n: v for v, n in _names().items()})
    out.pop(UNDEFINED, None)
    return out


__all__ = ["NUMPY_NATIVE", "bits", "elem_type", "name", "numpy_type", "tensor_bytes"]
