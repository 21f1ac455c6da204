"""Coverage from the onnx-tensorrt operator support matrix, shipped as data.

It answers per precision: a node is supported when its op is in the table and the table lists the
type its data input will have at that precision (fp16 and bf16 turn float tensors into FP16/BF16;
int8 keeps float tensors in FP32 around explicit Q/DQ nodes).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from ..model import Model
from ..precision_registry import get as get_precision
from .verdicts import CoverageReport, NodeSupport

NUMPY_TO_TABLE = {
    "float32": "FP32", "float16": "FP16", "bfloat16": "BF16", "float64": "FP32",  # doubles are cast down
    "int32": "INT32", "int64": "INT64", "int8": "INT8", "uint8": "UINT8", "bool": "BOOL",
    "int4": "INT4", "float8e4m3fn": "FP8",
}
FLOATS = {"float32", "float16", "bfloat16", "float64"}


@lru_cache(maxsize=1)
def load_table() -> dict:
    text = resources.files("trtlab.coverage").joinpath("data/tensorrt-ops.json").read_text()
    return json.loads(text)


@lru_cache(maxsize=4096)
def _op_verdict(domain: str, op: str, needed: str | None, precision: str) -> tuple[bool, str]:
    """(Supported, why) for an op whose data input has table type `needed`: the same for every
    node of that op and type, so decided once (a 100,000-node chain has one)."""
    table = load_table()
    version = table["tensorrt_version"]
    if domain == "ai.onnx.ml":
        return False, (f"'{domain}::{op}' is an ONNX-ML op (classical machine learning, as skl2onnx writes): "
                       "TensorRT imports no op of that domain; ONNX Runtime runs it")
    if domain not in ("", "ai.onnx"):
        return False, (f"'{domain}::{op}' is a custom-domain op: TensorRT has no importer for it "
                       "(it would need a plugin)")
    entry = table["ops"].get(op)
    if entry is None:
        return False, f"{op} is not in the TensorRT {version} ONNX operator table"
    if not entry["supported"]:
        return False, f"TensorRT {version} has no importer for {op}"
    types = entry["types"]
    if needed and types and needed not in types:
        return False, (f"TensorRT {version} supports {op} for {', '.join(types)}, not {needed}"
                       + (f" (at {precision})" if precision != "fp32" else ""))
    note = f"; restriction: {entry['restrictions']}" if entry["restrictions"] else ""
    return True, f"in the TensorRT {version} operator table ({', '.join(types) or 'any type'}){note}"


def table_coverage(model: Model, precision: str) -> CoverageReport:
    """Each node's verdict, read from the model's node table (plain lists: a graph of 100,000 nodes
    is not walked as protobuf again) and decided once per op and data type."""
    float_type = NUMPY_TO_TABLE[get_precision(precision).float_tensors]
    nodes, types = model.node_table, model.tensor_types  # types: no TensorInfo made per tensor
    verdicts, decided = {}, {}  # decided: (domain, op, dtype of the data input) -> _op_verdict's answer
    for name, op, domain, inputs, outputs in zip(nodes.names, nodes.ops, nodes.domains, nodes.inputs, nodes.outputs):
        first = inputs[0] if inputs and inputs[0] else _data_tensor(inputs, outputs)
        typ = types.get(first) if first else None
        key = (domain, op, typ[0] if typ is not None else None)
        found = decided.get(key)
        if found is None:
            found = decided[key] = _op_verdict(domain, op, _table_type(key[2], float_type), precision)
        supported, reason = found
        if supported and op in _POOLS:
            problem = _restriction_problem(types, op, inputs)
            if problem:
                supported, reason = False, problem
        verdicts[name] = NodeSupport(name, op, supported, reason)
    version = load_table()["tensorrt_version"]
    return CoverageReport("tensorrt", precision, verdicts,
                          detail=f"onnx-tensorrt operator matrix (TensorRT {version}), {precision}")


def _data_tensor(inputs: tuple, outputs: tuple) -> str | None:
    """The node's data input: its first input, or its first output if it has none."""
    return next((i for i in inputs if i), None) or next((o for o in outputs if o), None)


def _table_type(dtype: str | None, float_type: str) -> str | None:
    """The table type of a data input of numpy type `dtype` (None: unknown); `float_type`: the
    table type an fp32 tensor has at the precision judged."""
    if dtype is None:
        return None
    if dtype in FLOATS:
        # An fp32 tensor takes the precision's float type (a Q/DQ precision keeps fp32 around its pairs).
        if dtype in ("float32", "float64"):
            return float_type
        return NUMPY_TO_TABLE[dtype]
    return NUMPY_TO_TABLE.get(dtype)


_POOLS = ("AveragePool", "MaxPool", "LpPool")


def _restriction_problem(types: dict, op: str, inputs: tuple) -> str | None:
    """The restrictions of the matrix that can be checked from shapes alone (of pools); `types`:
    `Model.tensor_types`."""
    found = types.get(inputs[0]) if inputs else None
    if found is not None and len(found[1]) not in (4, 5):
        return f"{op} on a rank-{len(found[1])} tensor: TensorRT pools only 2D or 3D"
    return None
