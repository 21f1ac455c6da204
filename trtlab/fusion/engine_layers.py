"""An engine's layers (kernels) as TensorRT describes them: the ONNX nodes each computes and the
tensors it reads, writes and keeps as constants, with their types.

Three sources, one result (`EngineLayer`):

- the builder's log at ``ProfilingVerbosity.DETAILED``: TensorRT-RTX logs one line per kernel
  (the inspector's one-line format), which needs no GPU; older builders log the classic
  ``Layer(Type): a + b, Tactic: ...`` list under "Engine Layer Information";
- `inspect_engine(engine, model)`: a deserialized engine's ``IEngineInspector`` JSON, where the
  engine can run (a GPU this TensorRT supports).

A build log is a list of messages, or of (severity, message) pairs as `capturing_logger` keeps them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from ..model import Model
from ..precision_registry import PRECISIONS
from .units import FusedUnit, ordered

LogLines = Sequence["str | tuple[str, str]"]

# TensorRT DataType name -> (precision label, bits per element): each precision's own kernel
# types (see `trtlab.precision_registry`), and the other types TensorRT reports.
DATATYPES = {
    "FP8": ("fp8", 8), "UInt8": ("uint8", 8), "Int4": ("int4", 4), "FP4": ("fp4", 4),
    "E8M0": ("e8m0", 8), "Int32": ("int32", 32), "Int64": ("int64", 64), "Bool": ("bool", 8),
    **{kind: (p.name, p.bits) for p in PRECISIONS for kind in p.kernel_types},
}
# Types of indices, shapes and scale exponents: no kernel's math counts as running in them.
INDEX_TYPES = ("uint8", "e8m0", "int32", "int64", "bool")
# Stream synchronisation entries in TensorRT-RTX's layer list: no kernel runs for them.
NOT_KERNELS = {"signal", "wait"}


@dataclass(frozen=True)
class EngineTensor:
    name: str
    shape: tuple  # of int; -1 for a dimension known only at run time
    dtype: str  # TensorRT's DataType name: "Float", "Half", "Int8", ...

    @property
    def precision(self) -> str:
        return DATATYPES.get(self.dtype, (self.dtype.lower(),))[0]

    @property
    def nbytes(self) -> int | None:
        bits = DATATYPES.get(self.dtype, (None, None))[1]
        if bits is None or any(d < 0 for d in self.shape):
            return None
        return (int(np.prod(self.shape, dtype=np.int64)) * bits + 7) // 8

    def to_dict(self) -> dict:
        return {"name": self.name, "shape": list(self.shape), "dtype": self.dtype}


@dataclass
class EngineLayer:
    """One kernel of an engine and the original ONNX nodes it computes."""

    name: str
    kind: str  # TensorRT's layer type: "runtime_fusion", "correlation", "Myelin", ...
    nodes: list[str]  # ONNX node names, in topological order; empty for TensorRT's own kernels
    inputs: list[EngineTensor] = field(default_factory=list)
    outputs: list[EngineTensor] = field(default_factory=list)
    constants: list[EngineTensor] = field(default_factory=list)  # weights, as the engine keeps them

    def as_unit(self) -> FusedUnit:
        return FusedUnit(self.name, self.kind, list(self.nodes))

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "nodes": list(self.nodes),
                "inputs": [t.to_dict() for t in self.inputs],
                "outputs": [t.to_dict() for t in self.outputs],
                "constants": [t.to_dict() for t in self.constants]}


def log_messages(log: LogLines) -> list[str]:
    """The messages of a build log given as messages or (severity, message) pairs."""
    return [m if isinstance(m, str) else m[1] for m in log]


_DETAILED = re.compile(r"^Name: (?P<name>.+?), LayerType: (?P<kind>[^,]+), (?P<rest>.*?)Metadata: ?(?P<meta>.*)$")
# A section ends where the next one starts: tensors hold "], " themselves (Dimensions: [..], ).
_INPUTS = re.compile(r"Inputs: \[(?P<s>.*?)\], (?=Constants: |Outputs: )")
_CONSTANTS = re.compile(r"Constants: \[(?P<s>.*?)\], (?=Outputs: )")
_OUTPUTS = re.compile(r"Outputs: \[(?P<s>.*?)\], (?=TacticName: |StreamId: |$)")
_TENSOR = re.compile(r"\{ Name: (?P<name>.*?), Dimensions: \[(?P<dims>[^\]]*)\],.*?Datatype: (?P<dtype>\w+)")
_ONNX_LAYER = re.compile(r"\[ONNX Layer: ([^\]]+)\]")
_CLASSIC = re.compile(r"^Layer\((?P<kind>[^)]+)\): (?P<name>.+?), Tactic: [^,]*, ?(?P<io>.*)$")
_CLASSIC_TENSOR = re.compile(r"(?P<name>[^\s,]+) \((?P<dtype>\w+)\[(?P<dims>[-\d,]*)\]\)")
_WEIGHTS_MEMORY = re.compile(r"^Total Weights Memory: (\d+) bytes")


def engine_layers(log: LogLines, model: Model) -> list[EngineLayer]:
    """The kernels a build log lists, in engine order, with the nodes of `model` each computes.

    The detailed one-line format is preferred; the classic list is used where it is all there is
    (its fused names join node names with " + "; a Myelin region shows as one
    ``{ForeignNode[first...last]}`` with no nodes named).
    """
    detailed, classic = [], []
    for message in log_messages(log):
        for line in message.splitlines():
            if m := _DETAILED.match(line):
                if m["kind"] not in NOT_KERNELS:
                    detailed.append(_detailed_layer(m, model))
            elif m := _CLASSIC.match(line):
                classic.append(_classic_layer(m, model))
    return detailed or classic


def layer_list_lines(log: LogLines) -> list:
    """The entries of a build log that this module reads (the layer list and the weight total),
    as they were given: small enough to keep beside a cached engine."""
    keep = ("LayerType: ", "Engine Layer Information", "Layer(", "Total Weights Memory")
    return [entry for entry, message in zip(log, log_messages(log)) if any(k in message for k in keep)]


def engine_weights_bytes(log: LogLines) -> int | None:
    """The engine's weight memory as the builder reports it ("Total Weights Memory")."""
    for message in log_messages(log):
        if m := _WEIGHTS_MEMORY.match(message.strip()):
            return int(m[1])
    return None


def _dims(text: str) -> tuple:
    return tuple(int(d) for d in text.split(",") if d.strip())


def _tensors(section: re.Match | None) -> list[EngineTensor]:
    if section is None:
        return []
    return [EngineTensor(t["name"], _dims(t["dims"]), t["dtype"]) for t in _TENSOR.finditer(section["s"])]


def _known_nodes(model: Model, names: Iterable[str]) -> list[str]:
    return ordered(model, [n for n in names if n in model.index])


def _detailed_layer(m: re.Match, model: Model) -> EngineLayer:
    rest = m["rest"]
    return EngineLayer(m["name"], m["kind"], _known_nodes(model, _ONNX_LAYER.findall(m["meta"])),
                       _tensors(_INPUTS.search(rest)), _tensors(_OUTPUTS.search(rest)),
                       _tensors(_CONSTANTS.search(rest)))


def _classic_layer(m: re.Match, model: Model) -> EngineLayer:
    before, _, after = m["io"].partition(" -> ")

    def tensors(text: str) -> list[EngineTensor]:
        return [EngineTensor(t["name"], _dims(t["dims"]), t["dtype"]) for t in _CLASSIC_TENSOR.finditer(text)]

    return EngineLayer(m["name"], m["kind"], _known_nodes(model, m["name"].split(" + ")),
                       tensors(before), tensors(after))


# ------------------------------------------------------------------ IEngineInspector
def inspect_engine(engine, model: Model) -> list[EngineLayer]:
    """The kernels of a deserialized engine (an ``ICudaEngine``), from its IEngineInspector.

    Per-layer types and ONNX nodes are there only for engines built at
    ``ProfilingVerbosity.DETAILED``. Needs a GPU the engine can run on, so it has not run here.
    """
    from ..installed_tensorrt import require_tensorrt

    trt = require_tensorrt("Inspecting an engine").module
    inspector = engine.create_engine_inspector()
    return layers_from_inspector(inspector.get_engine_information(trt.LayerInformationFormat.JSON), model)


def layers_from_inspector(info: str | dict, model: Model) -> list[EngineLayer]:
    """Kernels from IEngineInspector's JSON (``{"Layers": [...], "Bindings": [...]}``)."""
    data = json.loads(info) if isinstance(info, str) else info
    layers = []
    for entry in data.get("Layers", []):
        if isinstance(entry, str):  # an engine built below DETAILED lists only layer names
            layers.append(EngineLayer(entry, "", _known_nodes(model, entry.split(" + "))))
            continue
        if entry.get("LayerType") in NOT_KERNELS:
            continue
        name = entry.get("Name", "")
        meta = entry.get("Metadata") or ""
        nodes = _ONNX_LAYER.findall(meta) or name.split(" + ")
        constants = [_json_tensor(t) for t in entry.get("Constants", [])]
        constants += [EngineTensor(f"{name}.{key.lower()}", (w.get("Count", -1),), _json_dtype(w.get("Type", "")))
                      for key in ("Weights", "Bias") if isinstance(w := entry.get(key), dict)]
        layers.append(EngineLayer(name, entry.get("LayerType", ""), _known_nodes(model, nodes),
                                  [_json_tensor(t) for t in entry.get("Inputs", [])],
                                  [_json_tensor(t) for t in entry.get("Outputs", [])], constants))
    return layers


def _json_tensor(t: dict) -> EngineTensor:
    dtype = t.get("Datatype") or t.get("DataType") or t.get("Format/Datatype", "")
    return EngineTensor(t.get("Name", ""), tuple(t.get("Dimensions", ())), _json_dtype(dtype))


# Words in the inspector's "Format/Datatype" text ("Row major linear FP32", "Channel major FP16
# format where channel % 8 == 0", ...) -> DataType name; longer words first (UInt8 before Int8).
_FORMAT_WORDS = [("bfloat16", "BFloat16"), ("bf16", "BFloat16"), ("uint8", "UInt8"), ("fp32", "Float"),
                 ("float", "Float"), ("fp16", "Half"), ("half", "Half"), ("fp8", "FP8"), ("fp4", "FP4"),
                 ("int8", "Int8"), ("int4", "Int4"), ("int32", "Int32"), ("int64", "Int64"), ("bool", "Bool"),
                 ("e8m0", "E8M0")]


def _json_dtype(text: str) -> str:
    if text in DATATYPES:
        return text
    low = text.lower()
    for word, dtype in _FORMAT_WORDS:
        if word in low:
            return dtype
    return text
