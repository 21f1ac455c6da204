"""The error each node of a transformed model adds on its own, given exact inputs.

Comparing every intermediate tensor of two runs shows where error has *accumulated*, and in a
deep network every tensor after the first bad one is off: the cumulative view cannot tell the
node that adds the error from the nodes that pass it on. Here each node of the transformed
model runs alone, in its reduced precision (its own converted weights, its Casts or its
Quantize/Dequantize pairs), on the fp32 reference's values of its inputs, and its output is
compared with the reference's value of the same tensor.

A node's inputs are traced back through the Casts, QuantizeLinear/DequantizeLinear nodes and
Constants the transform put in front of it, to tensors the reference has (fed as fp32 and cast
as the transformed model casts them) or to initializers (taken as they are: a weight clamped to
fit fp16 shows its error here).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import onnx
from onnx import TensorProto, helper


# Producers the trace walks through: what a precision transform puts in front of a node.
_TRANSPARENT = {"Cast", "QuantizeLinear", "DequantizeLinear", "Constant"}


def local_outputs(transformed: onnx.ModelProto, reference: Mapping[str, np.ndarray]
                  ) -> dict[str, tuple[np.ndarray, str, str]]:
    """Tensor name -> (the value the transformed model's node computes for it from exact inputs,
    that node's op type, its name), for every node whose inputs can be traced to `reference`
    values (which include the model inputs) and whose output the reference has."""

    g = transformed.graph
    types = elem_types(transformed)
    inits = {t.name: t for t in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    readers: dict[str, list[onnx.NodeProto]] = {}
    for n in g.node:
        for i in n.input:
            readers.setdefault(i, []).append(n)
    minis: list[tuple[_Mini, list[tuple[str, str]]]] = []
    computed_by: dict[str, tuple[str, str]] = {}
    for node in g.node:
        if node.op_type in _TRANSPARENT or any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
                                               for a in node.attribute):
            continue
        targets = _targets(node, reference, readers)
        if not targets:
            continue
        mini = _Mini(types, inits, producer, reference)
        if not all(mini.trace(i) for i in node.input if i):
            continue
        mini.nodes.append(node)
        outputs = []
        for produced, (name, cast) in targets.items():
            if cast is not None:
                mini.nodes.append(cast)
            final = name
            if types.get(name) not in (TensorProto.FLOAT, None) and types.get(name) != _np_type(reference[name]):
                final = name + "__local_fp32"
                mini.nodes.append(helper.make_node("Cast", [name], [final], to=_np_type(reference[name])))
            outputs.append((name, final))
            computed_by[name] = (node.op_type, node.name)
        minis.append((mini, outputs))
    try:  # one session for all nodes is much faster than one each ...
        values = _run_together(minis, transformed)
    except Exception:
        values = _run_apart(minis, transformed)
    return {name: (value, *computed_by[name]) for name, value in values.items()}


def _run_apart(minis, like: onnx.ModelProto) -> dict[str, np.ndarray]:
    from ..ort import make_session

    out: dict[str, np.ndarray] = {}
    for mini, outputs in minis:  # ... but one node that cannot run alone would sink them all
        try:
            session = make_session(mini.model(like, [f for _, f in outputs]), "cpu")
            values = session.run([f for _, f in outputs], mini.feeds)
        except Exception:
            continue  # not measured locally
        out.update((name, value) for (name, _), value in zip(outputs, values))
    return out


def _run_together(minis, like: onnx.ModelProto) -> dict[str, np.ndarray]:
    """Every node's model side by side in one graph, each one's computed names suffixed."""
    from ..ort import make_session

    nodes, inputs, inits, feeds, wanted = [], {}, {}, {}, []
    for k, (mini, outputs) in enumerate(minis):
        made = {o for n in mini.nodes for o in n.output}
        rename = {o: f"{o}__local{k}" for o in made}
        for j, n in enumerate(mini.nodes):
            c = onnx.NodeProto()
            c.CopyFrom(n)
            c.name = f"local{k}.{j}"
            c.input[:] = [rename.get(i, i) for i in c.input]
            c.output[:] = [rename.get(o, o) for o in c.output]
            nodes.append(c)
        inputs.update(mini.inputs)
        inits.update(mini.initializers)
        feeds.update(mini.feeds)
        wanted += [(name, rename.get(final, final)) for name, final in outputs]
    graph = helper.make_graph(nodes, "local", list(inputs.values()),
                              [helper.make_empty_tensor_value_info(f) for _, f in wanted], list(inits.values()))
    model = helper.make_model(graph, opset_imports=list(like.opset_import))
    model.ir_version = like.ir_version
    session = make_session(model, "cpu")
    values = session.run([f for _, f in wanted], feeds)
    return {name: value for (name, _), value in zip(wanted, values)}


def _targets(node, reference, readers) -> dict[str, tuple[str, onnx.NodeProto | None]]:
    """Node output -> (reference tensor it stands for, the Cast after it, if any)."""
    targets = {}
    for o in node.output:
        if o in reference and isinstance(reference[o], np.ndarray) and reference[o].dtype.kind == "f":
            targets[o] = (o, None)
            continue
        for r in readers.get(o, ()):  # a pinned output: node -> x__fp16 -> Cast -> x
            if r.op_type == "Cast" and r.output[0] in reference and reference[r.output[0]].dtype.kind == "f":
                targets[o] = (r.output[0], r)
                break
    return targets


class _Mini:
    """One node's model: its traced producers, initializers and fed inputs."""

    def __init__(self, types, inits, producer, reference):
        self.types, self.inits, self.producer, self.reference = types, inits, producer, reference
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: dict[str, onnx.TensorProto] = {}
        self.inputs: dict[str, onnx.ValueInfoProto] = {}
        self.feeds: dict[str, np.ndarray] = {}
        self.done: set[str] = set()

    def trace(self, name: str) -> bool:
        if name in self.done:
            return True
        self.done.add(name)
        if name in self.inits:  # weights as the transform made them
            self.initializers[name] = self.inits[name]
            return True
        node = self.producer.get(name)
        if node is not None and node.op_type == "Constant":
            self.nodes.append(node)
            return True
        value = self.reference.get(name)
        if isinstance(value, np.ndarray):
            declared = self.types.get(name, _np_type(value))
            fed = name if declared == _np_type(value) else name + "__local_ref"
            self.feeds[fed] = value
            self.inputs[fed] = helper.make_tensor_value_info(fed, _np_type(value), list(value.shape))
            if fed != name:  # the reference value, rounded as the transformed model declares it
                self.nodes.append(helper.make_node("Cast", [fed], [name], to=declared))
            return True
        node = self.producer.get(name)
        if node is None or node.op_type not in _TRANSPARENT:
            return False
        if not all(self.trace(i) for i in node.input if i):
            return False
        self.nodes.append(node)
        return True

    def model(self, like: onnx.ModelProto, outputs: list[str]) -> onnx.ModelProto:
        outs = [helper.make_empty_tensor_value_info(o) for o in outputs]
        graph = helper.make_graph(self.nodes, "local", list(self.inputs.values()), outs,
                                  list(self.initializers.values()))
        model = helper.make_model(graph, opset_imports=list(like.opset_import))
        model.ir_version = like.ir_version
        return model


def _np_type(value: np.ndarray) -> int:
    return helper.np_dtype_to_tensor_dtype(np.asarray(value).dtype)


def elem_types(proto: onnx.ModelProto) -> dict[str, int]:
    """Tensor name -> ONNX element type, for every tensor whose type is known."""
    g = proto.graph
    types = {t.name: t.data_type for t in g.initializer}
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        if vi.type.HasField("tensor_type"):
            types[vi.name] = vi.type.tensor_type.elem_type
    return types
