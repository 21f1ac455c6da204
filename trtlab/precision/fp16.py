"""`to_fp16`: convert a model to fp16 with onnxconverter-common, fp32 kept where the policy says."""

from __future__ import annotations

import warnings

import onnx
from onnx import TensorProto, helper

from .. import _optional
from ..errors import TrtlabError
from ..model import Model
from .policy import PrecisionPolicy
from .sanitize import sanitize


def to_fp16(model: onnx.ModelProto | Model, policy: PrecisionPolicy | None = None) -> onnx.ModelProto:
    """fp16 weights and activations; model inputs and outputs stay fp32.

    Ops in `policy.keep_fp32_ops` and nodes in `policy.keep_fp32_nodes` stay fp32 behind Cast
    nodes, as do the ops onnxconverter-common never converts (Resize, TopK, Range, ...).
    The result runs in ONNX Runtime on CPU: ORT computes the fp16 ops it has no CPU kernel for
    in fp32 between casts, so the numbers it gives show fp16 storage rounding.
    """
    float16 = _optional.require("onnxconverter_common", "precision", "Converting a model to fp16").float16
    policy = policy or PrecisionPolicy()
    proto = _separate_outputs(sanitize(model))
    block_ops = sorted(set(float16.DEFAULT_OP_BLOCK_LIST) | set(policy.keep_fp32_ops))
    block_nodes = sorted(n.name for n in proto.graph.node if n.name and n.name in policy.keep_fp32_nodes)
    with warnings.catch_warnings():
        # It warns about weights clamped into the fp16 range: expected, and seen in the accuracy.
        warnings.simplefilter("ignore", UserWarning)
        try:
            out = float16.convert_float_to_float16(
                proto, keep_io_types=True, op_block_list=block_ops, node_block_list=block_nodes)
        except Exception as exc:
            raise TrtlabError(f"Converting the model to fp16 failed: {exc}",
                              hint="Keep the failing op in fp32 with PrecisionPolicy.keep_fp32_ops.") from None
    _restore_io_types(proto, out)
    return out


def _separate_outputs(proto: onnx.ModelProto) -> onnx.ModelProto:
    """Give each graph output that nodes also read its own Identity node.

    With `keep_io_types`, onnxconverter-common casts such an output back to fp32 under its old
    name, so the nodes reading it inside the graph would get fp32 next to fp16 weights (a Conv
    TensorRT rejects: "input type is Float but kernel is of type Half").
    """
    g = proto.graph
    read = {i for n in g.node for i in n.input}
    shared = [vi.name for vi in g.output if vi.name in read]
    if not shared:
        return proto
    for name in shared:
        inner = name + "__value"
        _rename(g, name, inner)
        g.node.append(helper.make_node("Identity", [inner], [name], name=name + "__output"))
    return proto


def _restore_io_types(original: onnx.ModelProto, model: onnx.ModelProto) -> None:
    """Give back fp32 to model inputs and outputs the converter left in fp16.

    onnxconverter-common declares an output fp16 when the node producing it is blocked (an fp32
    Softmax at the end of a classifier ends in a Cast to fp16); `keep_io_types` misses that case.
    """
    g = model.graph
    declared = {vi.name: vi.type.tensor_type.elem_type
                for vi in list(original.graph.input) + list(original.graph.output)}
    producers = {o: n for n in g.node for o in n.output}
    for vi in g.output:
        want = declared.get(vi.name)
        if want != TensorProto.FLOAT or vi.type.tensor_type.elem_type == want:
            continue
        vi.type.tensor_type.elem_type = want
        producer = producers.get(vi.name)
        if producer is not None and producer.op_type == "Cast":
            for attr in producer.attribute:
                if attr.name == "to":
                    attr.i = want
            continue
        inner = vi.name + "__fp16"
        _rename(g, vi.name, inner)
        g.node.append(helper.make_node("Cast", [inner], [vi.name], to=want, name=vi.name + "__to_fp32"))
    for vi in g.input:
        want = declared.get(vi.name)
        if want != TensorProto.FLOAT or vi.type.tensor_type.elem_type == want:
            continue
        vi.type.tensor_type.elem_type = want
        inner = vi.name + "__fp16"
        _rename(g, vi.name, inner)
        g.node.insert(0, helper.make_node("Cast", [vi.name], [inner], to=TensorProto.FLOAT16,
                                          name=vi.name + "__to_fp16"))
    for vi in list(g.value_info):
        if vi.name in declared:
            g.value_info.remove(vi)


def _rename(g: onnx.GraphProto, old: str, new: str) -> None:
    for n in g.node:
        for i, name in enumerate(n.input):
            if name == old:
                n.input[i] = new
        for i, name in enumerate(n.output):
            if name == old:
                n.output[i] = new
