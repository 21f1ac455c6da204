"""The 16-bit rewriter behind `to_fp16` and `to_bf16`: one walk over the graph, every choice recorded.

Nodes are visited in topological order. A node that converts gets 16-bit inputs (16-bit copies
of its weights, shared Cast nodes for activations) and 16-bit outputs; a node kept in fp32 reads
its 16-bit inputs through Casts back to fp32. Every node kept in fp32 is listed with its reason.

Rules that keep the converted model right:
- model inputs and outputs stay fp32, and so does every tensor that a control-flow body reads
  from the outer scope (the body's own reference to it cannot be retyped from outside);
- a weight (or a Constant's or ConstantOfShape's value) whose values do not fit the target type
  (|v| > its largest finite value) is never clamped: the nodes reading it stay fp32 (ModelOpt AutoCast's `init_max` rule); likewise, for
  fp16, a node whose inputs or outputs reached ACTIVATION_MAX in an fp32 run (`data_max`);
- ops whose output type comes from an attribute (Constant, ConstantOfShape, EyeLike, Random*)
  keep it, and existing Casts keep their `to`: a converted reader then casts their fp32 output,
  so every declared type agrees with every attribute; a `Cast(to=FLOAT)` or an fp32 Constant
  read only by converted nodes is retargeted to the 16-bit type instead (attribute and declared
  type changed together);
- a node whose output type shape inference could not find stays fp32 (retyping it blind is how
  a declared type and a computed one come apart).
- If/Loop/Scan bodies are converted by the same rules, their inputs and outputs staying fp32.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .. import weight_store
from ..precision_registry import by_onnx_type

FLOAT, FLOAT16, BF16 = TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.BFLOAT16
LIMITS = {FLOAT16: float(np.finfo(np.float16).max), BF16: 3.3895313892515355e38}
TYPE_NAMES = {t: by_onnx_type(t).name for t in (FLOAT, FLOAT16, BF16)}
# Activations seen above this in an fp32 run keep their nodes fp32 in fp16 (ModelOpt AutoCast's
# `data_max` rule): an eighth of the fp16 range leaves room for inputs larger than those seen.
ACTIVATION_MAX = 8192.0

# Ops whose output type comes from an attribute, and control flow (bodies converted on their own).
NEUTRAL = {"Constant", "ConstantOfShape", "EyeLike", "RandomNormal", "RandomNormalLike",
           "RandomUniform", "RandomUniformLike", "Multinomial", "Loop", "If", "Scan", "CastLike"}
# Ops that accept any input type and whose output type does not follow the input.
ANY_INPUT = {"Cast", "Shape", "Size"}
# Float inputs whose type the ONNX operator definition fixes to fp32.
FP32_INPUTS = {"Resize": {1, 2}, "Upsample": {1}, "Dropout": {1}}
# Ops whose ONNX type constraints have no 16-bit float (or whose results are indices and boxes).
NO_16_BIT = {"Range", "NonMaxSuppression", "RoiAlign", "TopK"}


@dataclass(frozen=True)
class KeptNode:
    """A node that stays fp32 in a 16-bit model, and why."""

    node: str
    op: str
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


def bf16_tensor(name: str, array: np.ndarray) -> TensorProto:
    """A bf16 TensorProto from float data, rounded to nearest even."""
    bits = np.ascontiguousarray(array, dtype=np.float32).view(np.uint32)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    t = TensorProto(name=name, data_type=BF16, dims=list(array.shape))
    t.raw_data = rounded.tobytes()
    return t


def low_tensor(name: str, array: np.ndarray, to: int) -> TensorProto:
    if to == BF16:
        return bf16_tensor(name, array)
    return numpy_helper.from_array(np.asarray(array, dtype=np.float16), name)


def subgraphs(node: onnx.NodeProto) -> list[onnx.GraphProto]:
    out = []
    for a in node.attribute:
        if a.type == onnx.AttributeProto.GRAPH:
            out.append(a.g)
        elif a.type == onnx.AttributeProto.GRAPHS:
            out.extend(a.graphs)
    return out


def outer_names(graph: onnx.GraphProto) -> set[str]:
    """Names a body reads that it does not define itself (its outer-scope references)."""
    defined = {i.name for i in graph.input} | {t.name for t in graph.initializer}
    used: set[str] = set()
    for n in graph.node:
        used.update(i for i in n.input if i)
        for g in subgraphs(n):
            used |= outer_names(g)
        defined.update(n.output)
    return used - defined


class Rewriter:
    """Converts one graph (and, recursively, its bodies) to `to`; see the module doc."""

    def __init__(self, graph: onnx.GraphProto, to: int, keeps_fp32, *, outer_types: dict[str, int] | None = None,
                 used_names: set[str] | None = None, kept: list[KeptNode] | None = None,
                 observed: dict[str, float] | None = None):
        self.g = graph
        self.to = to
        self.keeps_fp32 = keeps_fp32  # node -> reason (str) or None
        self.observed = observed or {}  # tensor -> largest |value| seen in an fp32 run
        self.types = dict(outer_types or {})
        self.types.update({t.name: t.data_type for t in graph.initializer})
        for vi in list(graph.input) + list(graph.value_info) + list(graph.output):
            if vi.type.HasField("tensor_type"):
                self.types[vi.name] = vi.type.tensor_type.elem_type
        self.shapes = {vi.name: vi for vi in list(graph.value_info) + list(graph.input) + list(graph.output)}
        self.inits = {t.name: t for t in graph.initializer}
        # What Constant and ConstantOfShape nodes make is a weight too: a mask filled with fp32's
        # lowest value (Optimum's T5 decoders) is -inf in fp16, and NaN after a multiply by 0.
        self.made = {n.output[0]: a.t for n in graph.node if n.op_type in ("Constant", "ConstantOfShape")
                     for a in n.attribute if a.name == "value" and a.t.data_type == FLOAT}
        self.casts: dict[tuple[str, int], str] = {}
        self.new_nodes: list[onnx.NodeProto] = []
        self.used_names = used_names if used_names is not None else _all_names(graph)
        self.kept = kept if kept is not None else []
        # Tensors that must keep their name and fp32 type: graph outputs and outer-scope reads.
        self.pinned = {o.name for o in graph.output}
        for n in graph.node:
            for body in subgraphs(n):
                self.pinned |= outer_names(body)

    # ------------------------------------------------------------------ pass 1: 16 bits where allowed
    def convert(self) -> None:
        # Decided on the original types, before any tensor is retyped.
        decisions = [self._decide(n) for n in self.g.node]
        readers: dict[str, list[int]] = {}
        for k, n in enumerate(self.g.node):
            for i in n.input:
                readers.setdefault(i, []).append(k)
        originals = list(self.g.node)
        for node, decision in zip(_copies(self.g.node), decisions):
            after: list[onnx.NodeProto] = []
            if decision is True:
                fixed = FP32_INPUTS.get(node.op_type, set())
                for i, name in enumerate(node.input):
                    if name and i not in fixed and self.types.get(name) == FLOAT:
                        node.input[i] = self._as(name, self.to)
                for i, name in enumerate(node.output):
                    if self.types.get(name) == FLOAT:
                        after += self._low_output(node, i, name)
            else:
                if isinstance(decision, str):
                    self.kept.append(KeptNode(node.name, node.op_type, decision))
                if node.op_type in ("Cast", "Constant") and self._retargets(node, readers, decisions, originals):
                    self._retarget(node)
                elif node.op_type not in ANY_INPUT:
                    for i, name in enumerate(node.input):
                        if name and self.types.get(name) == self.to:
                            node.input[i] = self._as(name, FLOAT)
                for body in subgraphs(node):
                    Rewriter(body, self.to, self.keeps_fp32, outer_types=self.types, used_names=self.used_names,
                             kept=self.kept, observed=self.observed).convert()
            self._emit(node, after)
        self._flush()

    def _decide(self, node: onnx.NodeProto):
        """True: convert. A string: kept fp32 for that reason. None: nothing to convert."""
        if node.domain not in ("", "ai.onnx") or node.op_type in NEUTRAL or node.op_type in ANY_INPUT:
            return None
        if not any(self.types.get(t) == FLOAT for t in list(node.input) + list(node.output) if t):
            return None
        reason = self.keeps_fp32(node)
        if reason:
            return reason
        if any(t and t not in self.types for t in node.output):
            return "output type unknown (shape inference could not type it)"
        if node.op_type in NO_16_BIT:
            return f"ONNX defines no {TYPE_NAMES[self.to]} form of {node.op_type}"
        for name in node.input:
            weight = self.inits.get(name) or self.made.get(name)
            if weight is not None and weight.data_type == FLOAT:
                big = _abs_max(weight)
                if big > LIMITS[self.to]:
                    return (f"values out of {TYPE_NAMES[self.to]} range: weight '{name}' holds "
                            f"|v| up to {big:.3g}")
        if self.to == FLOAT16:
            for name in list(node.input) + list(node.output):
                if self.observed.get(name, 0.0) > ACTIVATION_MAX:
                    return (f"values near the fp16 limit: tensor '{name}' reaches |v| = "
                            f"{self.observed[name]:.3g} in an fp32 run (above {ACTIVATION_MAX:g}, an "
                            f"eighth of fp16's {LIMITS[FLOAT16]:g})")
        return True

    def _retargets(self, node: onnx.NodeProto, readers, decisions, originals) -> bool:
        """A Cast to fp32, or an fp32 Constant whose values fit, read only by converted nodes."""
        out = node.output[0]
        if out in self.pinned or not readers.get(out):
            return False
        if node.op_type == "Cast":
            if next((a.i for a in node.attribute if a.name == "to"), None) != FLOAT:
                return False
        else:
            value = next((a.t for a in node.attribute if a.name == "value"), None)
            if value is None or value.data_type != FLOAT or _abs_max(value) > LIMITS[self.to]:
                return False
        return all(decisions[k] is True and not _fixed_fp32_input(originals[k], out) for k in readers[out])

    def _retarget(self, node: onnx.NodeProto) -> None:
        for a in node.attribute:
            if a.name == "to":
                a.i = self.to
            elif a.name == "value":
                a.t.CopyFrom(low_tensor(a.t.name, numpy_helper.to_array(a.t), self.to))
        self._set_type(node.output[0], self.to)

    def _low_output(self, node: onnx.NodeProto, i: int, name: str) -> list[onnx.NodeProto]:
        if name not in self.pinned:
            self._set_type(name, self.to)
            return []
        inner = self._fresh(name + "__" + TYPE_NAMES[self.to])
        node.output[i] = inner
        self._set_type(inner, self.to, like=name)
        return [helper.make_node("Cast", [inner], [name], to=FLOAT, name=self._fresh(name + "__to_fp32"))]

    # ------------------------------------------------------------------ pass 2 (bf16 in ORT): fp32 math
    def compute_in_fp32(self, keep_low: frozenset[str]) -> None:
        self.casts.clear()
        for node in _copies(self.g.node):
            after: list[onnx.NodeProto] = []
            for body in subgraphs(node):
                Rewriter(body, self.to, self.keeps_fp32, outer_types=self.types, used_names=self.used_names,
                         kept=[]).compute_in_fp32(keep_low)
            if node.op_type not in keep_low and not subgraphs(node):
                for i, name in enumerate(node.input):
                    if name and self.types.get(name) == self.to:
                        node.input[i] = self._as(name, FLOAT)
                for i, name in enumerate(node.output):
                    if self.types.get(name) == self.to:
                        inner = self._fresh(name + "__fp32")
                        node.output[i] = inner
                        self._set_type(inner, FLOAT, like=name)
                        after.append(helper.make_node(
                            "Cast", [inner], [name], to=self.to, name=self._fresh(name + "__to_low")))
            self._emit(node, after)
        self._flush()

    # ------------------------------------------------------------------ helpers
    def _as(self, name: str, to: int) -> str:
        """`name` as a tensor of type `to`: a converted weight copy or a (shared) Cast output."""
        key = (name, to)
        if key in self.casts:
            return self.casts[key]
        out = self._fresh(name + "__" + TYPE_NAMES[to])
        if name in self.inits and to != FLOAT and self.inits[name].data_type == FLOAT:
            self.g.initializer.append(low_tensor(out, weight_store.array(self.inits[name]), to))
            self.inits[out] = self.g.initializer[-1]  # the graph's own: no second copy is kept
            self.types[out] = to
        else:
            self._emit(helper.make_node("Cast", [name], [out], to=to, name=self._fresh(out + "__cast")))
            self._set_type(out, to, like=name)
        self.casts[key] = out
        return out

    def _emit(self, node: onnx.NodeProto, after=()) -> None:
        # Input Casts come just before the node that reads them, output Casts just after.
        self.new_nodes.append(node)
        self.new_nodes.extend(after)

    def _flush(self) -> None:
        del self.g.node[:]
        self.g.node.extend(self.new_nodes)
        self.new_nodes = []

    def _set_type(self, name: str, to: int, like: str | None = None) -> None:
        self.types[name] = to
        if like is None and name in self.shapes:
            self.shapes[name].type.tensor_type.elem_type = to
            return
        src = self.shapes.get(like or name)
        vi = onnx.ValueInfoProto()
        if src is not None:
            vi.CopyFrom(src)
        vi.name = name
        vi.type.tensor_type.elem_type = to
        self.g.value_info.append(vi)
        self.shapes[name] = vi

    def _fresh(self, base: str) -> str:
        name, k = base, 1
        while name in self.used_names:
            k += 1
            name = f"{base}{k}"
        self.used_names.add(name)
        return name

    def drop_unused_initializers(self) -> None:
        drop_unused_initializers(self.g)


def drop_unused_initializers(graph: onnx.GraphProto) -> None:
    """Remove the initializers no node of `graph` reads (counting what its bodies read from the
    outer scope), in place: the others are not copied (a list of them put back would be)."""
    used = {i for n in graph.node for i in n.input}
    for n in graph.node:
        for body in subgraphs(n):
            used |= outer_names(body)
    for i in reversed(range(len(graph.initializer))):
        if graph.initializer[i].name not in used:
            del graph.initializer[i]


def _fixed_fp32_input(reader: onnx.NodeProto, name: str) -> bool:
    fixed = FP32_INPUTS.get(reader.op_type, set())
    return any(i < len(reader.input) and reader.input[i] == name for i in fixed)


def _abs_max(t: TensorProto) -> float:
    a = weight_store.array(t)
    if a.size == 0:
        return 0.0
    finite = np.abs(a[np.isfinite(a)])
    return float(finite.max()) if finite.size else 0.0


def _copies(nodes) -> list[onnx.NodeProto]:
    # Detached copies: the graph's node list is rebuilt from them.
    out = []
    for n in nodes:
        c = onnx.NodeProto()
        c.CopyFrom(n)
        out.append(c)
    return out


def _all_names(graph: onnx.GraphProto) -> set[str]:
    names = {t.name for t in graph.initializer} | {vi.name for vi in list(graph.input) + list(graph.value_info)
                                                    + list(graph.output)}
    for n in graph.node:
        names.add(n.name)
        names.update(n.output)
        names.update(n.input)
        for body in subgraphs(n):
            names |= _all_names(body)
    return names
