"""Per-node error: where, along the graph, the difference between two models enters.

Two views, both against the fp32 reference run in ONNX Runtime:
- cumulative: every intermediate tensor of both models is exposed and compared by name (how far
  each tensor has drifted by the time it is computed);
- local: each node of the transformed model runs alone in its reduced precision on the
  reference's values of its inputs (see `local_error`), which is the error that node *adds*.

A node is where error enters when its local error is out of tolerance (where the local run
could not be made, when its output is out of tolerance while every compared input is within).
`entry_points` ranks those nodes by the error they add, worst first.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass, field
from typing import Iterator, Mapping

import numpy as np
import onnx
from onnx import shape_inference

from ..dtypes import NUMPY_NATIVE
from ..errors import TrtlabError
from ..model import Model
from .compare import compare_arrays
from .local_error import local_outputs
from .tolerances import tolerance_for
from ..words import counted


@dataclass
class NodeError:
    node: str
    op: str
    tensor: str
    max_abs: float
    max_rel: float
    cosine: float
    passed: bool
    enters_here: bool
    # The error this node adds given exact inputs; None where it could not run alone.
    local_max_abs: float | None = None
    local_cosine: float | None = None
    local_passed: bool | None = None
    computed_by: str = ""  # the transformed model's node computing this tensor, where it differs
    transformed_node: str = ""  # the name of the transformed model's node computing it (run alone)

    @property
    def added_error(self) -> float:
        """How much error the node adds, scale-free: the larger of (1 - cosine) and max abs over
        the reference's largest magnitude; cumulative figures where no local run was made."""
        if self.local_max_abs is not None:
            return max(1.0 - self.local_cosine, self.local_max_abs / max(self.reference_max_abs, 1e-30))
        return max(1.0 - self.cosine, self.max_abs / max(self.reference_max_abs, 1e-30))

    reference_max_abs: float = 1.0  # largest |value| of the reference tensor

    def to_dict(self) -> dict:
        d = asdict(self)
        d["added_error"] = self.added_error
        return d


@dataclass
class NodeErrorReport:
    precision: str
    nodes: list[NodeError] = field(default_factory=list)
    not_compared: list[str] = field(default_factory=list)  # reference tensors absent from the other model

    @property
    def entry_points(self) -> list[NodeError]:
        """Nodes where error enters, the one adding most first."""
        return sorted((n for n in self.nodes if n.enters_here), key=lambda n: -n.added_error)

    @property
    def first_failure(self) -> NodeError | None:
        return next((n for n in self.nodes if not n.passed), None)

    def to_dict(self) -> dict:
        return {"precision": self.precision, "nodes": [n.to_dict() for n in self.nodes],
                "entry_points": [n.node for n in self.entry_points], "not_compared": list(self.not_compared)}

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), **kw)

    def summary(self, limit: int = 10) -> str:
        entries = self.entry_points
        if not entries:
            n = len(self.nodes)
            return (f"Per-node error at {self.precision}: {'all ' if n != 1 else ''}"
                    f"{counted(n, 'compared tensor')} within tolerance.")
        lines = [f"Per-node error at {self.precision}: error enters at {counted(len(entries), 'node')}, "
                 f"the one adding most first:"]
        for n in entries[:limit]:
            added = ("" if n.local_max_abs is None else
                     f"adds max abs {n.local_max_abs:.3g} (cosine {n.local_cosine:.6f}) on exact inputs; ")
            by = f" computed by {n.computed_by}" if n.computed_by else ""
            lines.append(f"  {n.node} ({n.op}{by}) -> {n.tensor}: {added}after it max abs {n.max_abs:.3g}, "
                         f"cosine {n.cosine:.6f}")
        if len(entries) > limit:
            lines.append(f"  ... and {len(entries) - limit} more")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<NodeErrorReport {self.precision}: {len(self.entry_points)} entry points>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.summary()}




BF16_EXPOSED = "__exposed_as_fp32"


def expose_intermediates(proto: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of `proto` with every typed intermediate tensor added as a graph output."""
    out = onnx.ModelProto()
    out.CopyFrom(proto)
    try:  # on the model without its large weights: no further copies of them
        from ..weights import infer_shapes_in_place

        infer_shapes_in_place(out, strict_mode=False)
    except Exception:
        pass  # types already there still serve
    _add_intermediates(out.graph)
    return out


@contextlib.contextmanager
def intermediates_exposed(proto: onnx.ModelProto) -> Iterator[onnx.ModelProto]:
    """`proto` itself with every intermediate tensor it has a type for as a graph output, for
    the `with` block; then as it was. No copy of the weights."""
    g = proto.graph
    outputs, nodes = len(g.output), len(g.node)
    _add_intermediates(g)
    try:
        yield proto
    finally:
        del g.output[outputs:]
        del g.node[nodes:]


def _add_intermediates(g: onnx.GraphProto) -> None:
    present = {o.name for o in g.output}
    for vi in list(g.value_info):
        if vi.name in present or not vi.type.HasField("tensor_type"):
            continue
        if vi.type.tensor_type.elem_type in NUMPY_NATIVE:  # ONNX Runtime hands them back as arrays
            g.output.append(vi)
        elif vi.type.tensor_type.elem_type == onnx.TensorProto.BFLOAT16:
            # numpy has no bfloat16: the value goes out through a Cast, under a marked name.
            exposed = vi.name + BF16_EXPOSED
            g.node.append(onnx.helper.make_node("Cast", [vi.name], [exposed], to=onnx.TensorProto.FLOAT,
                                                name=exposed))
            g.output.append(onnx.helper.make_tensor_value_info(exposed, onnx.TensorProto.FLOAT, None))
        present.add(vi.name)


def exposed_values(outputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Outputs of an `expose_intermediates` run under their tensors' own names."""
    return {k[:-len(BF16_EXPOSED)] if k.endswith(BF16_EXPOSED) else k: v for k, v in outputs.items()}


def per_node_error(reference: Model | onnx.ModelProto, transformed: onnx.ModelProto | Model,
                   feeds: Mapping[str, np.ndarray], precision: str = "fp32", *,
                   tolerances: Mapping | None = None, provider: str = "cpu",
                   local_runs: bool = True,
                   reference_values: Mapping[str, np.ndarray] | None = None) -> NodeErrorReport:
    """Compare every intermediate tensor of `transformed` (e.g. the fp16 model) with the
    same-named tensor of `reference`, run each node of `transformed` alone on the reference's
    inputs (`local_runs=False` skips that), and report where error enters.
    `reference_values` are the reference's tensors from a run already made on `feeds` (a check's
    one fp32 reference run); without them the reference runs here."""
    from ..ort import run_onnxruntime

    ref_model = reference if isinstance(reference, Model) else Model.from_proto(
        reference, name="reference", source="onnx")
    other = transformed.proto if isinstance(transformed, Model) else transformed
    tol = tolerance_for(precision, tolerances)
    ref_out = (dict(reference_values) if reference_values is not None
               else run_onnxruntime(expose_intermediates(ref_model.proto), dict(feeds), provider))
    try:
        act_out = exposed_values(run_onnxruntime(expose_intermediates(other), dict(feeds), provider))
    except TrtlabError as exc:
        raise TrtlabError(f"The {precision} model does not run in ONNX Runtime here, so its per-node "
                          f"error cannot be measured: {exc}") from None
    exact = {**{k: np.asarray(v) for k, v in feeds.items()}, **ref_out}
    local = local_outputs(_typed(other), exact) if local_runs else {}
    report = NodeErrorReport(precision)
    status: dict[str, bool] = {}  # tensor -> within tolerance
    for node in ref_model.nodes:
        inputs_ok = all(status.get(t, True) for t in ref_model.node_inputs(node))
        for t in node.output:
            if not t or t not in ref_out or not isinstance(ref_out[t], np.ndarray):
                continue
            a = act_out.get(t)
            if not isinstance(a, np.ndarray) or a.shape != ref_out[t].shape or ref_out[t].dtype.kind not in "fc":
                if a is None:
                    report.not_compared.append(t)
                continue
            c = compare_arrays(t, ref_out[t], a, precision, tol)
            status[t] = c.passed
            e = NodeError(node.name, node.op_type, t, c.max_abs, c.max_rel, c.cosine, c.passed,
                          enters_here=not c.passed and inputs_ok)
            e.reference_max_abs = float(np.nanmax(np.abs(ref_out[t]))) if ref_out[t].size else 1.0
            if t in local and np.shape(local[t][0]) == ref_out[t].shape:
                value, op, name = local[t]
                e.transformed_node = name
                if op != node.op_type:  # a BatchNormalization folded into its Conv, say
                    e.computed_by = f"{op} '{name}'"
                lc = compare_arrays(t, ref_out[t], value, precision, tol)
                e.local_max_abs, e.local_cosine, e.local_passed = lc.max_abs, lc.cosine, lc.passed
                e.enters_here = not lc.passed
            if node.op_type == "Constant":  # a weight's rounding shows in the node that reads it
                e.enters_here = False
            report.nodes.append(e)
    return report


def _typed(proto: onnx.ModelProto) -> onnx.ModelProto:
    try:
        return shape_inference.infer_shapes(proto, strict_mode=False)
    except Exception:
        return proto
