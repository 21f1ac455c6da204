"""Cut a plan into standalone ONNX models: one per TensorRT subgraph, one per run of fallback nodes.

A cut model holds its nodes (in the model's topological order), the initializers they read
(also from inside If/Loop bodies), the model's local functions and opsets, and has as inputs
the activation tensors it reads from outside and as outputs the tensors others need. Shapes and
types come from the normalised `Model`, so every cut passes `onnx.checker` on its own and can be
parsed by TensorRT, converted to another precision, or run by ONNX Runtime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

import onnx
from onnx import helper

from .errors import TrtlabError
from .dtypes import elem_type
from .model import Model, TensorInfo

if TYPE_CHECKING:
    from .plan import Plan
    from .weight_store import WeightStore


def cut_subgraph(plan: "Plan", subgraph_id: int, *, store: "WeightStore | None" = None) -> onnx.ModelProto:
    """The standalone ONNX model of TensorRT subgraph `subgraph_id` of `plan` (with `store`, a
    `WeightStore` of the plan's model, its stored weights are references to it)."""
    try:
        sub = plan.subgraph(subgraph_id)
    except KeyError:
        ids = ", ".join(str(s.id) for s in plan.subgraphs) or "none"
        raise TrtlabError(f"The plan has no subgraph {subgraph_id}.",
                          hint=f"Its subgraph ids are: {ids}.") from None
    return cut_nodes(plan.model, sub.nodes, inputs=sub.inputs, outputs=sub.outputs,
                     name=f"{plan.model.name}_{sub.name}", store=store)


def cut_fallback(plan: "Plan", nodes: Sequence[str], *, keep: Iterable[str] = ()) -> onnx.ModelProto:
    """A standalone ONNX model of some fallback nodes of `plan` (for example one run of
    consecutive fallback nodes), with as outputs the tensors read elsewhere, graph outputs, and
    the names in `keep`."""
    placement = plan.placement()
    in_engine = [n for n in nodes if placement.get(n) is not None]
    if in_engine:
        raise TrtlabError(f"Nodes {', '.join(in_engine[:3])} are inside TensorRT subgraphs, not fallback nodes.",
                          hint="Use cut_subgraph for those.")
    return cut_nodes(plan.model, nodes, keep=keep, name=f"{plan.model.name}_fallback")


def boundary(model: Model, nodes: Sequence[str], keep: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(inputs, outputs) of a node set: activations read from outside it, and its tensors that
    nodes outside read, that are graph outputs, or that are named in `keep`."""
    inside = set(nodes)
    produced: dict[str, None] = {}
    inputs: dict[str, None] = {}
    for name in nodes:
        node = model.node_by_name[name]
        for t in model.node_inputs(node):
            if t not in produced and t not in model.initializer_names:
                inputs[t] = None
        for o in node.output:
            if o:
                produced[o] = None
    keep = set(keep)
    graph_outputs = set(model.outputs)
    outputs = [t for t in produced
               if t in graph_outputs or t in keep
               or any(c not in inside for c in model.consumers.get(t, ()))]
    return list(inputs), outputs


def cut_nodes(model: Model, nodes: Sequence[str], *, inputs: Sequence[str] | None = None,
              outputs: Sequence[str] | None = None, keep: Iterable[str] = (),
              name: str | None = None, store: "WeightStore | None" = None) -> onnx.ModelProto:
    """A standalone ONNX model of `nodes` of `model`; boundaries computed when not given. With
    `store` (a `WeightStore` of `model`), the weights it holds are references to it, not copies:
    the cut is then valid only while the store is open."""
    if not nodes:
        raise TrtlabError("Cannot cut an empty set of nodes.")
    unknown = [n for n in nodes if n not in model.node_by_name]
    if unknown:
        raise TrtlabError(f"No node named {', '.join(map(repr, unknown[:3]))} in model '{model.name}'.")
    order = sorted(nodes, key=model.index.__getitem__)  # ONNX wants topological order
    if inputs is None or outputs is None:
        found_in, found_out = boundary(model, order, keep)
        inputs = found_in if inputs is None else inputs
        outputs = found_out if outputs is None else outputs
    node_protos = [model.node_by_name[n] for n in order]

    used_inits = dict.fromkeys(t for n in node_protos for t in model.node_inputs(n)
                               if t in model.initializer_names)
    produced = dict.fromkeys(o for n in node_protos for o in n.output if o)  # ordered: cuts are byte-stable
    boundary_names = set(inputs) | set(outputs)
    value_info = [_value_info(model, t) for t in produced
                  if t not in boundary_names and t in model.tensors]

    # Built in place: make_graph and make_model would each copy the weights once more.
    src = model.proto
    proto = onnx.ModelProto()
    proto.ir_version = src.ir_version
    proto.producer_name = "trtlab"
    proto.opset_import.extend(src.opset_import)
    proto.functions.extend(src.functions)
    graph = proto.graph
    graph.name = name or f"{model.name}_cut"
    graph.node.extend(node_protos)
    graph.input.extend(_value_info(model, t) for t in inputs)
    graph.output.extend(_value_info(model, t) for t in outputs)
    graph.value_info.extend(value_info)
    for t in used_inits:
        graph.initializer.add().CopyFrom((store.ref(t) if store is not None else None) or model.initializers[t])
    return proto


def _value_info(model: Model, tensor: str) -> onnx.ValueInfoProto:
    vi = model.value_infos.get(tensor)
    if vi is not None:
        return vi
    info: TensorInfo | None = model.tensors.get(tensor)
    if info is None or info.dtype == "undefined":
        raise TrtlabError(f"Tensor '{tensor}' of model '{model.name}' has no known type.",
                          hint="Shape inference could not type it; give static input shapes.")
    elem = elem_type(info.dtype)
    return helper.make_tensor_value_info(tensor, elem, [d if isinstance(d, int) else None for d in info.shape])

