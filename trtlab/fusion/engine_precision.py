"""What an engine really runs in: each kernel's precision, read from the types of the tensors
TensorRT says it reads and writes, cross-checked with the ONNX model the engine was built from.

A kernel runs in the precision of the data it reads; where it reads several types, the widest
one counts (a kernel that reads fp32 anywhere does fp32 work). Nodes that the model itself
keeps in fp32 are named even when TensorRT folds them into a 16-bit kernel.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

import onnx

from ..model import Model
from ..precision_registry import REFERENCE, check_precision, get as get_precision
from .engine_layers import DATATYPES, INDEX_TYPES, EngineLayer, LogLines, engine_layers
from .units import as_model, precision_label

# Bits of the floating and quantized types a kernel's math can run in; other types (int32,
# int64, bool) are indices and shapes.
_WIDTH = {label: bits for label, bits in DATATYPES.values() if label not in INDEX_TYPES}
_CONVERSIONS = {"Cast", "CastLike", "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear"}


@dataclass
class LayerPrecision:
    name: str
    kind: str
    nodes: list[str]
    precision: str  # "fp32", "fp16", "int8", ...; "unknown" where the source gives no types
    reads: list[str]  # precisions of the tensors it reads
    writes: list[str]
    fp32_nodes: list[str] = field(default_factory=list)  # nodes the model computes in fp32
    reason: str = ""  # why it is not in the requested precision, or holds fp32 nodes
    computes: bool = True  # False for kernels that only move or convert data (Cast, Q/DQ, layout)

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "nodes": list(self.nodes),
                "precision": self.precision, "reads": list(self.reads), "writes": list(self.writes),
                "fp32_nodes": list(self.fp32_nodes), "reason": self.reason, "computes": self.computes}


@dataclass
class EnginePrecision:
    model: str
    requested: str
    layers: list[LayerPrecision]
    source: str = "TensorRT build log (ProfilingVerbosity.DETAILED)"
    note: str = ""  # why there are no layers, or no types

    @property
    def counts(self) -> Counter:
        return Counter(layer.precision for layer in self.layers)

    @property
    def in_requested(self) -> int:
        return self.counts[self.requested]

    @property
    def off_target(self) -> list[LayerPrecision]:
        """Kernels not in the requested precision, each with its reason."""
        return [layer for layer in self.layers if layer.precision != self.requested]

    @property
    def partly_fp32(self) -> list[LayerPrecision]:
        """Kernels in the requested precision that compute nodes the model keeps in fp32."""
        return [layer for layer in self.layers if layer.precision == self.requested and layer.fp32_nodes]

    @property
    def compute_counts(self) -> Counter:
        """Precisions of the kernels that compute model nodes (not only casts, Q/DQ or moves)."""
        return Counter(layer.precision for layer in self.layers if layer.computes and layer.precision != "unknown")

    @property
    def mostly_fp32(self) -> bool:
        """More than half of the kernels that compute model nodes read fp32 data."""
        counts = self.compute_counts
        return counts["fp32"] * 2 > sum(counts.values())

    @property
    def warning(self) -> str:
        """A sentence when the engine does not run in what was asked for; empty otherwise."""
        if self.requested == REFERENCE.name or not self.layers or self.counts["unknown"] == len(self.layers):
            return ""
        compute = self.compute_counts
        if get_precision(self.requested).retyped and self.mostly_fp32:
            return (f"The {self.requested} engine runs mostly in fp32: {compute['fp32']} of its "
                    f"{sum(compute.values())} computing kernels read fp32 data, so expect fp32 speed and memory.")
        if self.in_requested == 0:
            return f"No kernel of the {self.requested} engine runs in {self.requested}."
        return ""

    def to_dict(self) -> dict:
        return {"model": self.model, "requested": self.requested, "source": self.source,
                "counts": dict(self.counts), "compute_counts": dict(self.compute_counts),
                "in_requested": self.in_requested, "kernels": len(self.layers),
                "mostly_fp32": self.mostly_fp32, "warning": self.warning, "note": self.note,
                "layers": [layer.to_dict() for layer in self.layers]}

    def summary(self) -> str:
        head = f"{self.model} ({self.requested} engine, from the {self.source})"
        if not self.layers:
            return f"{head}\n  {self.note}"
        counts = ", ".join(f"{p} {n}" for p, n in self.counts.most_common())
        lines = [head, f"  {self.in_requested} of {len(self.layers)} kernels run in {self.requested} ({counts})"]
        if self.warning:
            lines.append(f"  warning: {self.warning}")
        for layer in self.off_target:
            lines.append(f"  {layer.precision:>7}  {layer.name}: {layer.reason}")
        for layer in self.partly_fp32:
            lines.append(f"  {layer.precision}+fp32  {layer.name}: {layer.reason}")
        if self.note:
            lines.append(f"  {self.note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<trtlab EnginePrecision {self.model!r} {self.requested}: "
                f"{self.in_requested} of {len(self.layers)} kernels>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.summary()}


def engine_precision(log: LogLines | Sequence[EngineLayer], model: Model | onnx.ModelProto,
                     requested: str) -> EnginePrecision:
    """The precision each kernel of an engine runs in, and why those not in `requested` aren't.

    `log` is the build log (messages or (severity, message) pairs) or the engine's layers from
    `inspect_engine`; `model` is the ONNX model the engine was built from (already converted).
    """
    check_precision(requested)
    model = as_model(model)
    given = list(log)
    from_engine = bool(given) and isinstance(given[0], EngineLayer)
    layers = given if from_engine else engine_layers(given, model)
    source = "engine inspector" if from_engine else EnginePrecision.source
    result = EnginePrecision(model.name, requested,
                             [_layer_precision(layer, model, requested) for layer in layers], source)
    if not layers:
        result.note = ("The build log lists no kernels: build at ProfilingVerbosity.DETAILED, or "
                       "inspect the engine where it runs (trtlab.fusion.inspect_engine).")
    elif result.counts["unknown"]:
        result.note = (f"{result.counts['unknown']} kernels come without tensor types (a layer list "
                       "below DETAILED verbosity): their precision is unknown.")
    return result


def _layer_precision(layer: EngineLayer, model: Model, requested: str) -> LayerPrecision:
    reads = [t.precision for t in layer.inputs]
    writes = [t.precision for t in layer.outputs]
    precision = _widest(reads) or _widest(writes) or (reads or writes or ["unknown"])[0]
    fp32_nodes = ([n for n in layer.nodes if _kept_fp32(model, model.node_by_name[n])]
                  if get_precision(requested).retyped else [])
    computes = any(model.node_by_name[n].op_type not in _CONVERSIONS for n in layer.nodes)
    out = LayerPrecision(layer.name, layer.kind, list(layer.nodes), precision, reads, writes, fp32_nodes,
                         computes=computes)
    if precision not in (requested, "unknown") or fp32_nodes:
        out.reason = _reason(layer, out, model, requested)
    return out


def _widest(precisions: list[str]) -> str | None:
    numeric = [p for p in precisions if p in _WIDTH]
    return max(numeric, key=_WIDTH.__getitem__) if numeric else None


def _dtype(model: Model, tensor: str) -> str:
    info = model.tensors.get(tensor)
    return info.dtype if info is not None else "unknown"


def _kept_fp32(model: Model, node: onnx.NodeProto) -> bool:
    return (node.op_type not in _CONVERSIONS and bool(node.output)
            and _dtype(model, node.output[0]) == "float32")


def _reason(layer: EngineLayer, lp: LayerPrecision, model: Model, requested: str) -> str:
    if not layer.nodes:
        return f"TensorRT's own {layer.kind} kernel (moves or reformats data), no ONNX node"
    nodes = [model.node_by_name[n] for n in layer.nodes]
    parts = []
    inputs = [t for n in nodes if n.op_type in _CONVERSIONS for t in n.input if t in model.inputs]
    if inputs:
        parts.append(f"converts the model's {precision_label(_dtype(model, inputs[0]))} input "
                     "(model inputs and outputs keep their types)")
    if any(n.op_type in _CONVERSIONS and set(n.output) & set(model.outputs) for n in nodes):
        parts.append("converts back to the model's output type")
    if lp.fp32_nodes:
        parts.append(_kept_text(model, lp.fp32_nodes, lp.precision if lp.precision == requested else ""))
    if get_precision(requested).calibrated and lp.precision == REFERENCE.name and not parts:
        parts.append(_quantized_text(model, nodes, lp, requested))
    if not parts:
        ops = ", ".join(dict.fromkeys(n.op_type for n in nodes))
        parts.append(f"the model has {ops} in {requested}, yet TensorRT runs this kernel in "
                     f"{lp.precision}; the build log gives no reason")
    return "; ".join(parts)


def _kept_text(model: Model, names: list[str], inside: str) -> str:
    from ..precision.policy import DEFAULT_KEEP_FP32_OPS

    ops = list(dict.fromkeys(model.node_by_name[n].op_type for n in names))
    policy = [op for op in ops if op in DEFAULT_KEEP_FP32_OPS]
    text = f"the model keeps {', '.join(names)} ({', '.join(ops)}) in fp32"
    if policy:
        text += f" (the default precision policy keeps {', '.join(policy)} in fp32)"
    if inside:
        text += f"; TensorRT computes it inside a kernel that reads {inside} data"
    return text


def _quantized_text(model: Model, nodes: list[onnx.NodeProto], lp: LayerPrecision, requested: str) -> str:
    compute = [n for n in nodes if n.op_type not in _CONVERSIONS]
    ops = ", ".join(dict.fromkeys(n.op_type for n in compute)) or "quantization"
    fed = {n.name for n in compute
           if any(model.node_by_name[p].op_type == "DequantizeLinear"
                  for t in n.input if (p := model.producer.get(t)))}
    if compute and not fed:
        return f"not quantized in the model: no DequantizeLinear feeds {ops}"
    text = f"TensorRT runs {ops} on fp32 data"
    if requested in lp.writes:
        text += f" and writes {requested}"
    return text + "; the build log gives no reason"
