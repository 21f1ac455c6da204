"""The one table of element types: names, ONNX numbers, ONNX Runtime's strings, bits and bytes."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto

from trtlab import dtypes


def test_names_and_numbers_go_both_ways():
    for elem in (TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BFLOAT16, TensorProto.FLOAT8E4M3FN,
                 TensorProto.INT8, TensorProto.INT64, TensorProto.BOOL, TensorProto.INT4):
        assert dtypes.elem_type(dtypes.name(elem)) == elem
    assert dtypes.name(TensorProto.FLOAT) == "float32" and dtypes.name(TensorProto.BFLOAT16) == "bfloat16"
    assert dtypes.name(TensorProto.UNDEFINED) == "undefined" and dtypes.elem_type("undefined") is None
    # ONNX Runtime's type strings and ONNX's own lower-case names.
    assert dtypes.elem_type("tensor(float)") == TensorProto.FLOAT
    assert dtypes.elem_type("tensor(bfloat16)") == TensorProto.BFLOAT16
    assert dtypes.elem_type("double") == TensorProto.DOUBLE and dtypes.elem_type("no such type") is None


def test_bits_and_bytes_count_packed_and_narrow_types():
    assert [dtypes.bits(n) for n in ("float32", "float16", "bfloat16", "float8_e4m3fn", "int4", "bool")] == \
        [32, 16, 16, 8, 4, 8]
    assert dtypes.bits("object") is None and dtypes.bits("no such type") is None
    assert dtypes.tensor_bytes((3, 5), "int4") == 8  # 15 half-bytes, rounded up
    # Python integers: no int64 overflow for a shape no one could allocate.
    assert dtypes.tensor_bytes((2**40, 2**40), "float32") == 2**82
    assert dtypes.tensor_bytes((4,), "no such type") is None
    assert dtypes.tensor_bytes((4,), "no such type", unknown_bits=32) == 16


def test_numpy_types_only_where_numpy_has_them():
    assert dtypes.numpy_type("float16") == np.float16 and dtypes.numpy_type("object") == np.dtype(object)
    assert dtypes.numpy_type("bfloat16") is None and dtypes.numpy_type("float8_e4m3fn") is None
    assert TensorProto.FLOAT16 in dtypes.NUMPY_NATIVE and TensorProto.BFLOAT16 not in dtypes.NUMPY_NATIVE
