"""`sanitize`: constant folding, BatchNormalization folding and shape inference before any
precision transform, each step checked.

As Polygraphy's `surgeon sanitize` does, constants are folded with onnx-graphsurgeon, so weights
computed from constants (a Transpose of a weight, a Reshape of a bias...) become plain
initializers: the precision transforms then convert or quantize them like any other weight.

A step is kept only if its result still passes the onnx checker and, where the input model runs
in ONNX Runtime, runs there and gives the same outputs (max abs difference 1e-5 at most, see
`validate.SAME_ATOL`). Otherwise it is skipped with a note: a BatchNormalization fold whose fp32
rounding moves an output further, or folding that inlines an If whose condition
became constant, for one, can leave a body's outer-scope reference dangling. onnx-graphsurgeon's
own warnings (printed on stdout) are captured, so a caller printing JSON keeps a clean stdout.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np
import onnx
from onnx import shape_inference

from .. import _optional, weight_store
from ..errors import TrtlabError, one_line
from ..memory import release_memory
from ..model import Model
from ..normalise import drop_initializer_inputs, has_subgraphs
from ..weight_store import has_references, hold_bytes, store_of
from ..weights import apply_inferred, is_large, light_copy
from ._proto import as_proto
from .fold_bn import fold_batchnorm
from .validate import check_structure, difference, example_feeds, load_error, run


def sanitize(model: onnx.ModelProto | Model, feeds: Mapping[str, np.ndarray] | None = None) -> onnx.ModelProto:
    """Fold constants and BatchNormalization, drop unused nodes and initializers, infer shapes.
    Returns a new ModelProto; steps that would change the model's answer are skipped."""
    return sanitize_with_notes(model, feeds)[0]


@dataclass
class Original:
    """What sanitizing learnt of the model it was given, for checks of what is made from it later
    (so that a large model need not be kept for them)."""

    structure_ok: bool  # it passes the onnx checker
    loads: bool  # ONNX Runtime loads it
    feeds: dict | None  # the inputs it was run on (None: none could be made)
    run_error: str | None  # why it did not run on them (None: it ran, or was not run)


def sanitize_with_notes(model: onnx.ModelProto | Model, feeds: Mapping[str, np.ndarray] | None = None
                        ) -> tuple[onnx.ModelProto, list[str]]:
    """`sanitize`, plus a note for each step that was skipped and why.

    `feeds` ({input: array}) are the inputs each step's result is run on; without them, seeded
    random inputs (which suit most models, not those whose inputs select a branch)."""
    proto, notes, _ = sanitize_checked(model, feeds)
    return proto, notes


def sanitize_checked(model: onnx.ModelProto | Model, feeds: Mapping[str, np.ndarray] | None = None
                     ) -> tuple[onnx.ModelProto, list[str], Original]:
    """`sanitize_with_notes`, plus what was learnt of the given model (`Original`)."""
    gs = _optional.require("onnx_graphsurgeon", None, "Folding constants before a precision transform")
    proto = model.proto if isinstance(model, Model) else model
    # The given model is only read: each step below makes a new one, and a private copy is made
    # only where the model is edited in place (no step changed it before shape inference).
    owned = False
    initializers = {t.name for t in proto.graph.initializer} if isinstance(proto, onnx.ModelProto) else set()
    if not isinstance(proto, onnx.ModelProto) or any(vi.name in initializers for vi in proto.graph.input):
        proto, owned = as_proto(model), True
        # Exporters such as MXNet's list weights as graph inputs too; they are weights, not inputs.
        drop_initializer_inputs(proto.graph)
    check = _Checker(proto, feeds)
    notes: list[str] = list(check.notes)
    facts = Original(check.structure_ok, check.loads, check.feeds, check.run_error)

    folded = None
    for flatten in (True, False):
        candidate, why = _attempt(lambda: _fold_constants(gs, proto, flatten))
        why = why or check(candidate)
        if why is None:
            folded, owned = candidate, True
            break
        notes.append(f"constant folding{' with If inlining' if flatten else ''} skipped: {why}")
    proto = folded or proto

    # Only the main graph's BatchNormalization nodes fold: without one, no copy is made.
    has_bn = any(n.op_type == "BatchNormalization" for n in proto.graph.node)
    candidate, why = _attempt(lambda: _fold_bn(proto)) if has_bn else (proto, None)
    if has_bn and (candidate is None or len(candidate.graph.node) != len(proto.graph.node)):
        why = why or check(candidate)
        if why is None:
            proto, owned = candidate, True
        else:
            notes.append(f"BatchNormalization folding skipped: {why}")

    # Data propagation writes wrong sizes inside If branches (see `normalise.infer_shapes`).
    for data_prop in (True, False) if not has_subgraphs(proto.graph) else (False,):
        # Shape inference only adds types and shapes: the checker is the test that matters. Both
        # run on the model without its large weights (which they do not change), and what was
        # found is then written into the model: no copies of the weights.
        candidate, why = _attempt(lambda: shape_inference.infer_shapes(light_copy(proto), data_prop=data_prop))
        why = why or (check_structure(candidate) if check.structure_ok else None)
        if why is None:
            proto = proto if owned else as_proto(proto)
            apply_inferred(proto, candidate)
            return proto, notes, facts
        notes.append(f"shape inference{' with data propagation' if data_prop else ''} skipped: {why}")
    return (proto if owned else as_proto(proto)), notes, facts


class _Checker:
    """Compares each step's result with the model as given."""

    def __init__(self, proto: onnx.ModelProto, feeds):
        self.notes: list[str] = []
        self.structure_ok = check_structure(proto) is None
        self.feeds = dict(feeds) if feeds is not None else example_feeds(proto)
        self.reference = None
        self.run_error: str | None = None
        why = load_error(proto)
        self.loads = why is None
        if not self.loads:
            self.run_error = f"ONNX Runtime cannot run it: {why}"
        if self.feeds is not None and self.loads:
            try:
                self.reference = run(proto, self.feeds)
            except TrtlabError as exc:
                self.run_error = str(exc)
                self.notes.append(f"sanitizing steps only loaded, not run, in ONNX Runtime ({exc})")

    def __call__(self, proto: onnx.ModelProto) -> str | None:
        if self.structure_ok:
            complaint = check_structure(proto)
            if complaint:
                return f"the result fails the onnx checker ({complaint})"
        if self.reference is None:
            why = load_error(proto) if self.loads else None
            return f"the result does not load in ONNX Runtime ({why})" if why else None
        try:
            outputs = run(proto, self.feeds)
        except TrtlabError as exc:
            return f"the result does not load or run ({exc})"
        why = difference(self.reference, outputs)
        return f"the result's {why}" if why else None


def _attempt(step: Callable[[], onnx.ModelProto]) -> tuple[onnx.ModelProto | None, str | None]:
    try:
        return step(), None
    except Exception as exc:
        return None, f"it failed ({one_line(exc, first=True, limit=None)})"


def _fold_constants(gs, proto: onnx.ModelProto, flatten: bool) -> onnx.ModelProto:
    opset_imports = list(proto.opset_import)
    ir_version = proto.ir_version
    with contextlib.redirect_stdout(io.StringIO()):  # graphsurgeon prints its warnings on stdout
        graph = gs.import_onnx(_folding_inputs_inline(proto))
        _read_references_from_stores(graph)
        graph.fold_constants(error_ok=True, flatten_subgraphs=flatten).cleanup().toposort()
        folded = gs.export_onnx(graph, do_type_check=False)
    del graph
    if is_large(proto):
        # graphsurgeon's graph is a web of cycles holding the input's weights (a protobuf
        # message lives as long as any part of it): let it go now, not at the next collection.
        release_memory()
    # graphsurgeon may rewrite the opset list and IR version: keep what the model declared.
    del folded.opset_import[:]
    folded.opset_import.extend(opset_imports)
    folded.ir_version = ir_version
    _outputs_from_nodes(folded)
    return folded


def _outputs_from_nodes(proto: onnx.ModelProto) -> None:
    """Folding turns an output computed only from constants (an LSTM's zero initial state) into
    an initializer, which the onnx checker rejects as a graph output: it gets an Identity from
    the constant, renamed, so it stays an output of a node in every precision."""
    g = proto.graph
    produced = {o for n in g.node for o in n.output}
    constants = {t.name: t for t in g.initializer}
    for out in g.output:
        if out.name in produced or out.name not in constants:
            continue
        constants[out.name].name = f"{out.name}/constant"
        for node in g.node:  # nodes that read the constant read it under its new name
            node.input[:] = [f"{out.name}/constant" if i == out.name else i for i in node.input]
        g.node.append(onnx.helper.make_node("Identity", [f"{out.name}/constant"], [out.name],
                                            name=f"{out.name}/from_constant"))


def _folding_inputs_inline(proto: onnx.ModelProto) -> onnx.ModelProto:
    """`proto`, or where weights it refers to in a `WeightStore` feed nodes that fold (all their
    inputs constant), a copy with those weights' bytes in it: graphsurgeon folds by running the
    constant nodes in ONNX Runtime from bytes, where a reference to a file cannot be followed."""
    if not has_references(proto):
        return proto
    constant = {t.name for t in proto.graph.initializer} | {""}
    wanted: set[str] = set()
    for node in proto.graph.node:
        if all(i in constant for i in node.input):
            constant.update(node.output)
            wanted.update(node.input)
    stored = [i for i, t in enumerate(proto.graph.initializer)
              if t.name in wanted and store_of(t) is not None]
    if not stored:
        return proto
    out = onnx.ModelProto()
    out.CopyFrom(proto)  # references only: a small copy
    for i in stored:
        hold_bytes(out.graph.initializer[i])
    return out


def _read_references_from_stores(graph) -> None:
    """Weights that stay references are read from their store if graphsurgeon asks for values."""
    from onnx_graphsurgeon.ir.tensor import LazyValues

    class Stored(LazyValues):
        def load(self):
            return weight_store.array(self.tensor)

    for tensor in graph.tensors().values():
        values = getattr(tensor, "_values", None)
        if type(values) is LazyValues and store_of(values.tensor) is not None:
            stored = Stored.__new__(Stored)
            stored.__dict__.update(values.__dict__)
            tensor._values = stored  # exported as the reference itself, like any LazyValues


def _fold_bn(proto: onnx.ModelProto) -> onnx.ModelProto:
    out = onnx.ModelProto()
    out.CopyFrom(proto)
    fold_batchnorm(out)
    return out
