"""Per-node error: where, along the graph, the difference between two models enters.

Both models get every intermediate tensor exposed as an output and run in ONNX Runtime on the
same inputs; tensors with the same name and shape are compared in the reference's topological
order. A node is where error *enters* when one of its outputs is out of tolerance while every
compared input of it is within tolerance.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Mapping

import numpy as np
import onnx
from onnx import shape_inference

from ..errors import TrtlabError
from ..model import Model
from .compare import compare_arrays
from .tolerances import tolerance_for


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

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class NodeErrorReport:
    precision: str
    nodes: list[NodeError] = field(default_factory=list)
    not_compared: list[str] = field(default_factory=list)  # reference tensors absent from the other model

    @property
    def entry_points(self) -> list[NodeError]:
        return [n for n in self.nodes if n.enters_here]

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
            return (f"Per-node error at {self.precision}: all {len(self.nodes)} compared tensors within tolerance.")
        lines = [f"Per-node error at {self.precision}: error enters at {len(entries)} node(s):"]
        for n in entries[:limit]:
            lines.append(f"  {n.node} ({n.op}) -> {n.tensor}: max abs {n.max_abs:.3g}, max rel {n.max_rel:.3g}")
        if len(entries) > limit:
            lines.append(f"  ... and {len(entries) - limit} more")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<NodeErrorReport {self.precision}: {len(self.entry_points)} entry points>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.summary()}


# Element types ONNX Runtime can hand back as numpy arrays (not bfloat16 or the float8 types).
_NUMPY_TYPES = {onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16,
                onnx.TensorProto.INT8, onnx.TensorProto.INT16, onnx.TensorProto.INT32, onnx.TensorProto.INT64,
                onnx.TensorProto.UINT8, onnx.TensorProto.UINT16, onnx.TensorProto.UINT32,
                onnx.TensorProto.UINT64, onnx.TensorProto.BOOL}


def expose_intermediates(proto: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of `proto` with every typed intermediate tensor added as a graph output."""
    out = onnx.ModelProto()
    out.CopyFrom(proto)
    try:
        out = shape_inference.infer_shapes(out, strict_mode=False)
    except Exception:
        pass  # types already there still serve
    g = out.graph
    present = {o.name for o in g.output}
    for vi in g.value_info:
        if vi.name not in present and vi.type.HasField("tensor_type") and \
                vi.type.tensor_type.elem_type in _NUMPY_TYPES:
            g.output.append(vi)
            present.add(vi.name)
    return out


def per_node_error(reference: Model | onnx.ModelProto, transformed: onnx.ModelProto | Model,
                   feeds: Mapping[str, np.ndarray], precision: str = "fp32", *,
                   tolerances: Mapping | None = None, provider: str = "cpu") -> NodeErrorReport:
    """Compare every intermediate tensor of `transformed` (e.g. the fp16 model) with the
    same-named tensor of `reference`, and report where error enters."""
    from ..ort import run_onnxruntime

    ref_model = reference if isinstance(reference, Model) else Model.from_proto(
        reference, name="reference", source="onnx")
    other = transformed.proto if isinstance(transformed, Model) else transformed
    tol = tolerance_for(precision, tolerances)
    ref_out = run_onnxruntime(expose_intermediates(ref_model.proto), dict(feeds), provider)
    try:
        act_out = run_onnxruntime(expose_intermediates(other), dict(feeds), provider)
    except TrtlabError as exc:
        raise TrtlabError(f"The {precision} model does not run in ONNX Runtime here, so its per-node "
                          f"error cannot be measured: {exc}") from None
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
            report.nodes.append(NodeError(node.name, node.op_type, t, c.max_abs, c.max_rel, c.cosine,
                                          c.passed, enters_here=not c.passed and inputs_ok))
    return report
