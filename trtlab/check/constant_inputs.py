"""Shape computations at cuts: an integer tensor handed into a TensorRT subgraph that follows only
from shapes (Shape -> Gather -> Concat -> a Reshape's target) is a constant once the input shapes
are fixed. Given to the engine as an input it would be a shape tensor, which TensorRT builds only
with its values in a profile; given as a constant, the builder folds it. So each such input of a
cut becomes an initializer holding its value from the fp32 reference run.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import numpy_helper

from ..model import Model

# Ops whose output depends on their input's shape alone, never on its values.
SHAPE_ONLY = frozenset({"Shape", "Size"})
RANDOM = frozenset({"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial"})
_MAX_VISITS = 10_000


def fold_constant_inputs(cut: onnx.ModelProto, model: Model, values: dict) -> list[onnx.ValueInfoProto]:
    """Turn each integer input of `cut` whose value follows only from shapes and constants in
    `model` into an initializer holding `values[name]` (in place); the inputs folded, for
    `unfold` (the cut is also what ONNX Runtime runs, fed every input of the subgraph)."""
    folded = []
    for vi in list(cut.graph.input):
        value = values.get(vi.name)
        if value is None or np.asarray(value).dtype.kind not in "iu" or not follows_from_shapes(model, vi.name):
            continue
        cut.graph.initializer.append(numpy_helper.from_array(np.asarray(value), vi.name))
        kept = onnx.ValueInfoProto()
        kept.CopyFrom(vi)
        cut.graph.input.remove(vi)
        folded.append(kept)
    return folded


def unfold(cut: onnx.ModelProto, folded: list[onnx.ValueInfoProto]) -> None:
    """Undo `fold_constant_inputs`: the folded tensors are inputs again."""
    names = {vi.name for vi in folded}
    kept = [t for t in cut.graph.initializer if t.name not in names]
    del cut.graph.initializer[:]
    cut.graph.initializer.extend(kept)
    cut.graph.input.extend(folded)


def follows_from_shapes(model: Model, tensor: str) -> bool:
    """Whether `tensor`'s value depends on no input's values: every path back from it ends in a
    Shape or Size, a constant or an initializer (not in a graph input, nor a node of a body)."""
    todo, seen = [tensor], set()
    producer = model.producer
    while todo:
        t = todo.pop()
        if t in seen or t in model.initializer_names:
            continue
        seen.add(t)
        if len(seen) > _MAX_VISITS or t in model.inputs or t not in producer:
            return False
        node = model.node_by_name[producer[t]]
        if node.op_type in SHAPE_ONLY:
            continue
        if node.op_type in RANDOM:
            return False
        if any(a.HasField("g") or a.graphs for a in node.attribute):
            return False
        todo.extend(i for i in node.input if i)
    return True
