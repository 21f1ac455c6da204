"""`to_bf16`: convert a model to bfloat16, fp32 kept where the policy says.

onnxconverter-common has no bf16 converter, so this module is a small one: walk the nodes in
topological order, give each converted node bf16 inputs (bf16 copies of weights, Cast nodes for
activations) and bf16 outputs, and insert a Cast back to fp32 wherever an fp32 node or a model
output reads a bf16 tensor.

ONNX Runtime's CPU provider has bf16 kernels only for data movement (Cast, Transpose, Reshape,
Concat, ...): no Conv, MatMul, Add, Relu or any other arithmetic. So by default
(`runnable_in_ort=True`) every arithmetic op computes in fp32 between Casts, and only the tensors
between ops and the weights are bf16. That is what bf16 does to the numbers when accumulation
happens in fp32, as TensorRT's bf16 kernels do, so ONNX Runtime measures bf16 accuracy on any
machine. For building an engine, pass `runnable_in_ort=False`: the ops then take bf16 directly
and TensorRT (strongly typed) runs them in bf16.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper, version_converter

from ..errors import TrtlabError
from ..model import Model
from ._proto import elem_types, opset
from .policy import PrecisionPolicy
from .sanitize import sanitize

FLOAT, BF16 = TensorProto.FLOAT, TensorProto.BFLOAT16

# Ops that never change type: their output type comes from an attribute or they are control flow.
_NEUTRAL = {"Constant", "ConstantOfShape", "EyeLike", "RandomNormal", "RandomNormalLike",
            "RandomUniform", "RandomUniformLike", "Multinomial", "Loop", "If", "Scan", "CastLike"}
# Ops that accept any input type and whose output type does not follow the input.
_ANY_INPUT = {"Cast", "Shape", "Size"}
# Float inputs whose type is fixed to fp32 by the ONNX operator definition.
_FP32_INPUTS = {"Resize": {1, 2}, "Upsample": {1}, "Dropout": {1}}
# Ops that ONNX Runtime's CPU provider runs in bf16 (checked against onnxruntime 1.31).
ORT_CPU_BF16_OPS = frozenset({"Cast", "Identity", "Transpose", "Concat", "Flatten", "Reshape",
                              "Squeeze", "Unsqueeze", "Shape"})


def to_bf16(model: onnx.ModelProto | Model, policy: PrecisionPolicy | None = None, *,
            runnable_in_ort: bool = True) -> onnx.ModelProto:
    """bf16 weights and activations; model inputs and outputs stay fp32 (see the module doc)."""
    policy = policy or PrecisionPolicy()
    proto = sanitize(model)
    if opset(proto) < 13:  # bfloat16 Cast needs opset 13
        try:
            proto = version_converter.convert_version(proto, 13)
        except Exception as exc:
            raise TrtlabError(f"bf16 needs ONNX opset 13 or newer; converting from opset {opset(proto)} "
                              f"failed: {exc}", hint="Export the model with opset 13 or newer.") from None
    rewriter = _Rewriter(proto)
    rewriter.convert(policy)
    if runnable_in_ort:
        rewriter.compute_in_fp32(keep_bf16=ORT_CPU_BF16_OPS)
    return rewriter.finish()


def bf16_tensor(name: str, array: np.ndarray) -> TensorProto:
    """A bf16 TensorProto from float data, rounded to nearest even."""
    bits = np.ascontiguousarray(array, dtype=np.float32).view(np.uint32)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    t = TensorProto(name=name, data_type=BF16, dims=list(array.shape))
    t.raw_data = rounded.tobytes()
    return t


def _copies(nodes) -> list[onnx.NodeProto]:
    # Detached copies: the graph's node list is rebuilt from them afterwards.
    out = []
    for n in nodes:
        c = onnx.NodeProto()
        c.CopyFrom(n)
        out.append(c)
    return out


class _Rewriter:
    def __init__(self, proto: onnx.ModelProto):
        self.proto = proto
        self.g = proto.graph
        self.types = elem_types(proto)
        self.shapes = {vi.name: vi for vi in list(self.g.value_info) + list(self.g.input) + list(self.g.output)}
        self.inits = {t.name: t for t in self.g.initializer}
        self.casts: dict[tuple[str, int], str] = {}
        self.new_nodes: list[onnx.NodeProto] = []
        self.used_names = {n.name for n in self.g.node} | set(self.types)

    # ------------------------------------------------------------------ pass 1: bf16 everywhere allowed
    def convert(self, policy: PrecisionPolicy) -> None:
        outputs = {o.name for o in self.g.output}
        for node in _copies(self.g.node):
            after: list[onnx.NodeProto] = []
            if self._converts(node, policy):
                fixed = _FP32_INPUTS.get(node.op_type, set())
                for i, name in enumerate(node.input):
                    if name and i not in fixed and self.types.get(name) == FLOAT:
                        node.input[i] = self._as(name, BF16)
                for i, name in enumerate(node.output):
                    if self.types.get(name) == FLOAT:
                        if name in outputs:  # the model output keeps its name and type
                            inner = self._fresh(name + "__bf16")
                            node.output[i] = inner
                            self._set_type(inner, BF16, like=name)
                            after.append(helper.make_node(
                                "Cast", [inner], [name], to=FLOAT, name=self._fresh(name + "__to_fp32")))
                        else:
                            self._set_type(name, BF16)
            elif node.op_type not in _ANY_INPUT:
                for i, name in enumerate(node.input):
                    if name and self.types.get(name) == BF16:
                        node.input[i] = self._as(name, FLOAT)
            self._emit(node, after)
        self._flush()

    def _converts(self, node: onnx.NodeProto, policy: PrecisionPolicy) -> bool:
        if node.domain not in ("", "ai.onnx") or node.op_type in _NEUTRAL or node.op_type in _ANY_INPUT:
            return False
        if policy.keeps_fp32(node):
            return False
        return any(self.types.get(t) == FLOAT for t in list(node.input) + list(node.output) if t)

    # ------------------------------------------------------------------ pass 2: fp32 compute for ORT
    def compute_in_fp32(self, keep_bf16: frozenset[str]) -> None:
        self.casts.clear()
        for node in _copies(self.g.node):
            after: list[onnx.NodeProto] = []
            if node.op_type not in keep_bf16:
                for i, name in enumerate(node.input):
                    if name and self.types.get(name) == BF16:
                        node.input[i] = self._as(name, FLOAT)
                for i, name in enumerate(node.output):
                    if self.types.get(name) == BF16:
                        inner = self._fresh(name + "__fp32")
                        node.output[i] = inner
                        self._set_type(inner, FLOAT, like=name)
                        after.append(helper.make_node(
                            "Cast", [inner], [name], to=BF16, name=self._fresh(name + "__to_bf16")))
            self._emit(node, after)
        self._flush()

    # ------------------------------------------------------------------ helpers
    def _as(self, name: str, to: int) -> str:
        """`name` as a tensor of type `to`: a converted initializer copy or a (shared) Cast output."""
        key = (name, to)
        if key in self.casts:
            return self.casts[key]
        suffix = "__bf16" if to == BF16 else "__fp32"
        out = self._fresh(name + suffix)
        if name in self.inits and to == BF16:
            t = bf16_tensor(out, numpy_helper.to_array(self.inits[name]))
            self.g.initializer.append(t)
            self.inits[out] = t
            self.types[out] = BF16
        else:
            cast = helper.make_node("Cast", [name], [out], to=to, name=self._fresh(out + "__cast"))
            self._emit(cast)
            self._set_type(out, to, like=name)
        self.casts[key] = out
        return out

    def _emit(self, node: onnx.NodeProto, after: list[onnx.NodeProto] = ()) -> None:
        # Nodes are re-appended in order: input Casts just before the node, output Casts after it.
        self.new_nodes.append(node)
        self.new_nodes.extend(after)

    def _flush(self) -> None:
        del self.g.node[:]
        self.g.node.extend(self.new_nodes)
        self.new_nodes = []

    def _set_type(self, name: str, to: int, like: str | None = None) -> None:
        self.types[name] = to
        src = self.shapes.get(like or name)
        if name in self.shapes and like is None:
            vi = self.shapes[name]
            vi.type.tensor_type.elem_type = to
            return
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

    def finish(self) -> onnx.ModelProto:
        used = {i for n in self.g.node for i in n.input}
        keep = [t for t in self.g.initializer if t.name in used]
        del self.g.initializer[:]
        self.g.initializer.extend(keep)
        return self.proto
