"""A check over an optimisation profile: the model at its min and max shapes beside opt.

The check itself runs at the profile's opt shapes (the plan, the graph, the timing). The model is
also loaded and partitioned at min and at max, which gives every tensor its shape at the three
points: each TensorRT subgraph's inputs get their range from them (its own profile: a dimension
that differs is dynamic in the engine), and accuracy is measured at min and max as at opt, each
row carrying its shapes. Random feeds follow each point's shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import onnx

from ..errors import TrtlabError, one_line
from ..model import Model
from ..plan import Plan
from ..profiles import Profile, ShapeRange
from .reference import Reference


@dataclass
class Point:
    """The model at one end of the profile: "min" or "max"."""

    which: str
    shapes: dict[str, tuple[int, ...]]
    plan: Plan
    feeds: dict = field(default_factory=dict)
    reference: Reference | None = None


def load_points(model, settings, plan: Plan) -> tuple[list[Point], str]:
    """The model loaded and partitioned at the first profile's min and max shapes, where its
    TensorRT subgraphs are the same nodes as at opt; else ([], why)."""
    from ..loaders import load
    from ..partition import partition

    profile = settings.profiles[0]
    missing = [n for n in profile.names if n not in plan.model.inputs]
    if missing:
        raise TrtlabError(f"The profile names {', '.join(missing)}, which the model does not have as inputs.",
                          hint=f"Its inputs: {', '.join(plan.model.inputs)}.")
    at = {n: tuple(plan.model.inputs[n].shape) for n in profile.names}
    if at != profile.at("opt"):
        raise TrtlabError(f"The profile's opt shapes ({profile_text(profile.at('opt'))}) are not the shapes the "
                          f"model was loaded at ({profile_text(at)}).",
                          hint="Give opt shapes equal to the loaded ones, or load the model at the opt shapes.")
    if isinstance(model, Model):  # loaded already, at opt: its profiled dimensions opened again
        model = _opened(model.proto, profile)
    points = []
    for which in ("min", "max"):
        shapes = profile.at(which)
        if shapes == profile.at("opt"):
            continue
        try:
            loaded = load(model, inputs={**(settings.load_shapes() or {}), **shapes}, params=settings.params)
            there = partition(loaded, settings.partition, settings.precisions[0])
        except TrtlabError as exc:
            return [], f"the model could not be loaded at its {which} shapes: {one_line(exc)}"
        if [s.nodes for s in there.subgraphs] != [s.nodes for s in plan.subgraphs]:
            return [], (f"at its {which} shapes the model partitions into other subgraphs than at opt, "
                        "so one engine per subgraph cannot serve the whole range")
        points.append(Point(which, shapes, there))
    return points, ""


def profile_text(shapes: dict) -> str:
    return ", ".join(f"{k} {'x'.join(map(str, v)) or 'scalar'}" for k, v in shapes.items())


def _opened(proto: onnx.ModelProto, profile: Profile) -> onnx.ModelProto:
    """A copy of a model loaded at fixed shapes whose inputs' dimensions that vary over `profile`
    are symbolic again, without the shapes that followed from them (outputs and intermediates)."""
    out = onnx.ModelProto()
    out.CopyFrom(proto)
    g = out.graph
    for vi in g.input:
        _open_dims(vi, profile.range_of(vi.name))
    _forget_shapes(g)
    return out


def _forget_shapes(g: onnx.GraphProto) -> None:
    """The shapes that followed from the inputs, gone: the graph's outputs and intermediates, and
    those of every If/Loop/Scan body in it (loading wrote the opt shapes into them too, which
    would contradict the other points' shapes)."""
    for vi in g.output:
        if vi.type.HasField("tensor_type"):
            vi.type.tensor_type.ClearField("shape")
    del g.value_info[:]
    for body in _bodies(g):
        _forget_shapes(body)


def _bodies(g: onnx.GraphProto) -> list[onnx.GraphProto]:
    """The If/Loop/Scan bodies of `g`'s nodes."""
    return [body for node in g.node for a in node.attribute
            for body in ([a.g] if a.HasField("g") else []) + list(a.graphs)]


def subgraph_profiles(plan: Plan, points: list[Point]) -> dict[int, Profile]:
    """Subgraph id -> the profile of its engine: the range of each of its inputs whose shape
    differs between the points (subgraphs whose inputs never change get none)."""
    out = {}
    for s in plan.subgraphs:
        ranges = {name: r for name in s.inputs if (r := _range(name, plan, points)) is not None and any(r.dynamic)}
        if ranges:
            out[s.id] = Profile.of(ranges)
    return out


def tensor_ranges(plan: Plan, points: list[Point]) -> dict[str, tuple]:
    """Each tensor whose shape differs between the points -> (shape at min, shape at max)."""
    out = {}
    for name in plan.model.tensors:
        r = _range(name, plan, points)
        if r is not None and any(r.dynamic):
            out[name] = (r.min, r.max)
    return out


def relax(proto: onnx.ModelProto, plan: Plan, points: list[Point]) -> onnx.ModelProto:
    """`proto` (a cut of `plan` at opt), its inputs' and outputs' dimensions that differ between
    the points made symbolic, and the intermediate shapes dropped, inside If/Loop/Scan bodies
    too (they hold at opt only). In place."""
    g = proto.graph
    for vi in list(g.input) + list(g.output):
        _open_dims(vi, _range(vi.name, plan, points))
    del g.value_info[:]
    for body in _bodies(g):
        _forget_shapes(body)
    return proto


def _open_dims(vi: onnx.ValueInfoProto, r: ShapeRange | None) -> None:
    """The dimensions of `vi` that vary over `r` made symbolic ("x_dim0")."""
    if r is None or not vi.type.HasField("tensor_type"):
        return
    for i, varies in enumerate(r.dynamic):
        if varies:
            dim = vi.type.tensor_type.shape.dim[i]
            dim.Clear()
            dim.dim_param = f"{vi.name}_dim{i}"


def _range(name: str, plan: Plan, points: list[Point]) -> ShapeRange | None:
    at = {"opt": plan.model.tensors.get(name)}
    for p in points:
        at[p.which] = p.plan.model.tensors.get(name)
    if any(t is None or not t.static for t in at.values()):
        return None
    opt = tuple(at["opt"].shape)
    lo, hi = tuple(at.get("min", at["opt"]).shape), tuple(at.get("max", at["opt"]).shape)
    if not len(lo) == len(opt) == len(hi):
        return None
    return ShapeRange(tuple(map(min, lo, opt, hi)), opt, tuple(map(max, lo, opt, hi)))
