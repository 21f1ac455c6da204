"""What fusion saves, counted from the engine build (not timed): kernel launches, and bytes of
activations written to and read back from memory between kernels, before and after fusion.

Before fusion every ONNX node is its own kernel: each output tensor is written once and read
once by each node that consumes it. After fusion only tensors that cross kernel boundaries
(or leave the model) are written, and read once by each other kernel that consumes them. Sizes
come from the model's static shapes and each tensor's type in the model the engine was built
from (so an fp16 model counts 2 bytes an element). Nodes fed only by weights are folded at build
time and count as weights, not as kernels or activations. Kernels TensorRT adds on its own
(layout moves, no ONNX node) count with the tensor sizes the build log gives them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import onnx

from ..model import Model
from ..words import counted
from .engine_layers import EngineLayer, engine_layers, engine_weights_bytes
from .units import FusedUnit, as_model, precision_label, size_text, static_tensor_bytes

COUNTED = "counted from the engine build, not timed"

@dataclass
class FusionSavings:
    model: str
    precision: str  # the precision the engine was built for ("" when not said)
    by: str  # what fused: "TensorRT-RTX 1.7.1.116 build"
    onnx_nodes: int  # every node of the model
    kernels_before: int  # nodes that compute on activations: one launch each, unfused
    kernels_after: int  # engine kernels
    written_before: int  # activation bytes written, unfused
    read_before: int
    written_after: int  # model tensors written between (and out of) the engine's kernels
    read_after: int  # (`moved_bytes` adds what TensorRT's own kernels move)
    weight_bytes: dict[str, int] = field(default_factory=dict)  # the model's weights, per precision
    engine_weight_bytes: dict[str, int] = field(default_factory=dict)  # the engine's constants, per precision
    engine_weights_total: int | None = None  # "Total Weights Memory" as the builder logs it
    unplaced: list[str] = field(default_factory=list)  # activation nodes in no kernel (views, no-ops)
    uncounted: list[str] = field(default_factory=list)  # tensors of unknown size
    own_kernels: int = 0  # kernels TensorRT added that compute no ONNX node (moves, reformats)
    moved_bytes: int = 0  # bytes those kernels read and write, as the build log gives them
    split_nodes: int = 0  # ONNX nodes whose work several kernels share (an input padded or quantized first)
    counted: str = COUNTED
    note: str = ""  # why there is nothing to count after fusion

    @property
    def traffic_before(self) -> int:
        return self.written_before + self.read_before

    @property
    def traffic_after(self) -> int:
        return self.written_after + self.read_after + self.moved_bytes

    @property
    def traffic_saved(self) -> int:
        return self.traffic_before - self.traffic_after

    @property
    def kernels_saved(self) -> int:
        return self.kernels_before - self.kernels_after

    @property
    def why_more_kernels(self) -> str:
        """Why the engine launches more kernels than the ONNX nodes it runs (empty when it does
        not): TensorRT's own data moves, and nodes whose work it splits."""
        if self.kernels_after <= self.kernels_before:
            return ""
        why = []
        if self.own_kernels:
            why.append(f"{counted(self.own_kernels, 'kernel')} of TensorRT's own that compute no ONNX node "
                       "(data moved between layouts or precisions)")
        if self.split_nodes:
            why.append(f"{counted(self.split_nodes, 'node')} split over several kernels (an input padded or "
                       "quantized in an earlier kernel)")
        if not why:
            why.append("kernels the build log names no ONNX node for")
        return "A node can become several kernels: " + "; ".join(why) + "."

    def to_dict(self) -> dict:
        return {"model": self.model, "precision": self.precision, "by": self.by, "counted": self.counted,
                "onnx_nodes": self.onnx_nodes, "kernels_before": self.kernels_before,
                "kernels_after": self.kernels_after, "written_before": self.written_before,
                "read_before": self.read_before, "written_after": self.written_after,
                "read_after": self.read_after, "traffic_before": self.traffic_before,
                "traffic_after": self.traffic_after, "weight_bytes": dict(self.weight_bytes),
                "engine_weight_bytes": dict(self.engine_weight_bytes),
                "engine_weights_total": self.engine_weights_total,
                "own_kernels": self.own_kernels, "moved_bytes": self.moved_bytes, "split_nodes": self.split_nodes,
                "unplaced": list(self.unplaced),
                "uncounted": list(self.uncounted), "note": self.note}

    def summary(self) -> str:
        what = f"{self.model} {self.precision}".strip()
        lines = [f"{what}: {self.by} ({self.counted})",
                 f"  kernels: {self.kernels_before} ONNX nodes -> {self.kernels_after} kernels"
                 + (f" ({self.own_kernels} of them TensorRT's own data moves)" if self.own_kernels else ""),
                 f"  activations between kernels: {size_text(self.traffic_before)} -> "
                 f"{size_text(self.traffic_after)} (written {size_text(self.written_before)} -> "
                 f"{size_text(self.written_after)}, read {size_text(self.read_before)} -> "
                 f"{size_text(self.read_after)}"
                 + (f", TensorRT's own moves {size_text(self.moved_bytes)})" if self.moved_bytes else ")"),
                 f"  weights in the model: {_per_precision(self.weight_bytes)}"]
        if self.engine_weight_bytes:
            lines.append(f"  weights in the engine: {_per_precision(self.engine_weight_bytes)}")
        folded = self.onnx_nodes - self.kernels_before
        if folded:
            lines.append(f"  {folded} more ONNX nodes compute on weights only: folded when the engine is built")
        if self.unplaced:
            lines.append(f"  in no kernel (views, or fused without being named): {', '.join(self.unplaced)}")
        if self.uncounted:
            lines.append(f"  not counted (size unknown): {', '.join(self.uncounted)}")
        if self.why_more_kernels:
            lines.append(f"  {self.why_more_kernels}")
        if self.note:
            lines.append(f"  {self.note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<trtlab FusionSavings {self.model!r} {self.precision}: {self.kernels_before} -> "
                f"{self.kernels_after} kernels>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.summary()}


def _per_precision(sizes: dict[str, int]) -> str:
    return ", ".join(f"{p} {size_text(n)}" for p, n in sorted(sizes.items(), key=lambda kv: -kv[1])) or "none"


def savings_rows(savings: Iterable[FusionSavings]) -> list[dict]:
    """One plain row per engine for a table or a chart (bytes as integers)."""
    return [{"model": s.model, "precision": s.precision, "kernels_before": s.kernels_before,
             "kernels_after": s.kernels_after, "activation_bytes_before": s.traffic_before,
             "activation_bytes_after": s.traffic_after, "weight_bytes_model": sum(s.weight_bytes.values()),
             "weight_bytes_engine": s.engine_weights_total if s.engine_weights_total is not None
             else (sum(s.engine_weight_bytes.values()) or None),
             "counted": s.counted} for s in savings]


def fusion_savings(model: Model | onnx.ModelProto, kernels: Sequence, precision: str = "", *,
                   by: str = "TensorRT build") -> FusionSavings:
    """Count what fusing saves in `model` (the model the engine was built from).

    `kernels` is the engine's kernels in engine order (`EngineLayer`s, `FusedUnit`s) or the
    build log itself (messages or (severity, message) pairs), which also gives the engine's
    weights. A node that several kernels list (TensorRT pads or quantizes its input in an
    earlier one) belongs to the last, where its result is written.
    """
    model = as_model(model)
    given = list(kernels)
    log = given if given and isinstance(given[0], (str, tuple)) else None
    layers: list[EngineLayer | FusedUnit] = engine_layers(log, model) if log is not None else given
    folded = _weight_tensors(model)
    active = [n for n in model.nodes if not set(n.output) <= folded]
    kernel_of = {node: i for i, layer in enumerate(layers) for node in layer.nodes}
    listed = Counter(node for layer in layers for node in set(layer.nodes))
    result = FusionSavings(model.name, precision, by, len(model.nodes), len(active), len(layers), 0, 0, 0, 0,
                           weight_bytes=_model_weights(model, folded),
                           unplaced=[n.name for n in active if n.name not in kernel_of],
                           split_nodes=sum(1 for c in listed.values() if c > 1))
    if not layers:
        result.note = ("No kernels to count: the build log lists none (build at "
                       "ProfilingVerbosity.DETAILED and keep VERBOSE messages).")
    elif not kernel_of:
        result.note = ("The kernels name no ONNX nodes (a layer list below DETAILED verbosity): "
                       "activation traffic after fusion is not counted.")
    if log is not None:
        result.engine_weight_bytes = _engine_weights(layers)
        result.engine_weights_total = engine_weights_bytes(log)
    counted_after = set(model.inputs) | {t for n in active if n.name in kernel_of for t in n.output if t}
    for t in list(model.inputs) + [t for n in active for t in n.output if t]:
        size = static_tensor_bytes(model, t)
        if size is None:
            result.uncounted.append(t)
            continue
        produced = t in model.producer
        result.written_before += size if produced else 0
        result.read_before += size * len(model.consumers.get(t, []))
        if t not in counted_after:
            continue  # the output of a view: counted at the tensor it views
        home = kernel_of.get(model.producer[t]) if produced else None
        reading, leaves = _reading_kernels(model, t, kernel_of)
        reading.discard(home)
        if produced and (reading or leaves):
            result.written_after += size
        result.read_after += size * len(reading)
    for layer in layers:  # TensorRT's own kernels (layout moves): the sizes its log gives
        if kernel_of and not layer.nodes and isinstance(layer, EngineLayer):
            result.own_kernels += 1
            result.moved_bytes += sum(t.nbytes or 0 for t in layer.outputs + layer.inputs)
    return result


def _reading_kernels(model: Model, tensor: str, kernel_of: dict[str, int]) -> tuple[set, bool]:
    """Kernels that read `tensor`, looking through nodes in no kernel (views such as Flatten),
    and whether it (or a view of it) is a model output."""
    kernels, leaves = set(), tensor in model.outputs
    for reader in model.consumers.get(tensor, []):
        if reader in kernel_of:
            kernels.add(kernel_of[reader])
            continue
        for out in model.node_by_name[reader].output:
            if out:
                more, out_leaves = _reading_kernels(model, out, kernel_of)
                kernels |= more
                leaves |= out_leaves
    return kernels, leaves


def _weight_tensors(model: Model) -> set[str]:
    """Initializers and every tensor computed from them alone (folded when the engine is built)."""
    weights = set(model.initializer_names)
    for node in model.nodes:  # topological order
        if all(t in weights for t in model.node_inputs(node)):
            weights.update(t for t in node.output if t)
    return weights


def _model_weights(model: Model, folded: set[str]) -> dict[str, int]:
    """Bytes of the model's stored weights per precision: initializers and Constant outputs."""
    sizes: Counter = Counter()
    stored = set(model.initializer_names) | {t for n in model.nodes if n.op_type == "Constant" for t in n.output}
    for t in stored & folded:
        size = static_tensor_bytes(model, t)
        if size is not None and t in model.tensors:
            sizes[precision_label(model.tensors[t].dtype)] += size
    return dict(sizes)


def _engine_weights(layers: list) -> dict[str, int]:
    """Bytes of the constants the engine's kernels hold, per precision (each constant once)."""
    seen = {}
    for layer in layers:
        for c in getattr(layer, "constants", []):
            seen.setdefault(c.name, c)
    sizes: Counter = Counter()
    for c in seen.values():
        if c.nbytes is not None:
            sizes[c.precision] += c.nbytes
    return dict(sizes)
