"""A check over optimisation profiles: the model at each profile's min, opt and max.

The check itself runs at the first profile's opt shapes (the plan, the graph, the timing). The
model is also loaded and partitioned at every other point of every profile, which gives every
tensor its shape at each: each TensorRT subgraph's engine gets one profile per given profile,
the range its own inputs take between that profile's points (a dimension that differs anywhere is
dynamic in the engine), and accuracy is measured at each point as at opt, each row carrying its
shapes and its profile. Random feeds follow each point's shapes. An integer input of a subgraph
that follows from shapes alone (a Reshape's target) gets its values at each point in the engine's
profile (TensorRT's shape-input API) where they vary, and is folded to a constant where they do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import onnx

from ..errors import TrtlabError, one_line
from ..model import Model
from ..plan import Plan
from ..profiles import POINTS, Profile, ShapeRange, ValueRange, merged, shapes_text
from .constant_inputs import follows_from_shapes
from .reference import Reference


@dataclass
class Point:
    """The model at one point of a profile: `which` ("min", "opt" or "max") of profile number
    `profile` (from 0). A `repeat` has the shapes of the check's own run or of an earlier point:
    it shares their plan, feeds and reference and is not measured again."""

    which: str
    shapes: dict[str, tuple[int, ...]]
    plan: Plan
    profile: int = 0
    repeat: bool = False
    feeds: dict = field(default_factory=dict)
    reference: Reference | None = None

    def words(self, several: bool) -> str:
        """"the profile's min shapes", or with `several` profiles "profile 2's min shapes"."""
        return f"{f'profile {self.profile + 1}' if several else 'the profile'}'s {self.which} shapes"


def load_points(model, settings, plan: Plan) -> tuple[list[Point], str]:
    """The model loaded and partitioned at every point of every profile but the first one's opt
    (the check's own run), where its TensorRT subgraphs are the same nodes as at opt; else ([], why)."""
    from ..loaders import load
    from ..partition import partition

    profiles = settings.profiles
    span = merged(profiles)  # one clear error where the profiles name different inputs
    missing = [n for n in span.names if n not in plan.model.inputs]
    if missing:
        raise TrtlabError(f"The profile names {', '.join(missing)}, which the model does not have as inputs.",
                          hint=f"Its inputs: {', '.join(plan.model.inputs)}.")
    at = {n: tuple(plan.model.inputs[n].shape) for n in span.names}
    if at != profiles[0].at("opt"):
        raise TrtlabError(f"The profile's opt shapes ({shapes_text(profiles[0].at('opt'))}) are not the shapes the "
                          f"model was loaded at ({shapes_text(at)}).",
                          hint="Give opt shapes equal to the loaded ones, or load the model at the opt shapes.")
    if isinstance(model, Model):  # loaded already, at opt: its profiled dimensions opened again
        model = _opened(model.proto, span)
    seen: dict[tuple, Point | None] = {_key(at): None}  # shapes -> the point loaded there (None: the check's own)
    points = []
    for number, profile in enumerate(profiles):
        for which in POINTS:
            shapes = profile.at(which)
            if _key(shapes) in seen:
                first = seen[_key(shapes)]
                if (number, which) != (0, "opt"):
                    points.append(Point(which, shapes, first.plan if first else plan, number, repeat=True))
                continue
            try:
                loaded = load(model, inputs={**(settings.load_shapes() or {}), **shapes}, params=settings.params)
                there = partition(loaded, settings.partition, settings.precisions[0])
            except TrtlabError as exc:
                return [], f"the model could not be loaded at {_words(number, which, profiles)}: {one_line(exc)}"
            if [s.nodes for s in there.subgraphs] != [s.nodes for s in plan.subgraphs]:
                return [], (f"at {_words(number, which, profiles)} the model partitions into other subgraphs "
                            "than at opt, so one engine per subgraph cannot serve the whole range")
            seen[_key(shapes)] = point = Point(which, shapes, there, number)
            points.append(point)
    return points, ""


def share_repeats(points: list[Point], feeds: dict, reference: Reference) -> None:
    """Each repeat gets the feeds and reference of the point (or the check's own run) it repeats."""
    first = {_key(p.shapes): p for p in points if not p.repeat}
    own = _key({n: np.shape(v) for n, v in feeds.items()})
    for p in points:
        same = first.get(_key(p.shapes))
        if p.repeat and same is not None:
            p.feeds, p.reference = same.feeds, same.reference
        elif p.repeat and set(_key(p.shapes)) <= set(own):  # the check's own run
            p.feeds, p.reference = feeds, reference


def _key(shapes: dict) -> tuple:
    return tuple(sorted((k, tuple(v)) for k, v in shapes.items()))


def _words(number: int, which: str, profiles) -> str:
    return f"profile {number + 1}'s {which} shapes" if len(profiles) > 1 else f"its {which} shapes"


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


def subgraph_profiles(plan: Plan, points: list[Point], values: dict | None = None) -> dict[int, tuple[Profile, ...]]:
    """Subgraph id -> its engine's profiles, one per given profile: the range of each of its
    inputs whose shape differs between any points, and the values of each shape computation
    handed in whose values differ (`values`: the check's own reference run's tensors). Subgraphs
    whose inputs never change get none."""
    at = _labels(plan, points, values or {})
    models = [m for m, _ in at.values()]
    count = 1 + max((p.profile for p in points), default=0)
    out = {}
    for s in plan.subgraphs:
        names = [t for t in s.inputs if (r := _span(t, plan.model, models)) is not None and any(r.dynamic)]
        valued = [t for t in s.inputs if t not in names and _varying_values(t, plan.model, at)]
        if not names and not valued:
            continue
        profiles = []
        for number in range(count):
            # A point whose reference did not run is missing: the check says so, and leaves the
            # precisions over the profile not measured; the engines are built over the rest.
            here = [at[(number, which)] for which in POINTS if (number, which) in at]
            opt, opt_values = at.get((number, "opt"), at[(0, "opt")])
            shapes = {t: r for t in names if (r := _span(t, opt, [m for m, _ in here])) is not None}
            held = {t: ValueRange(*_value_span([v[t] for _, v in here], opt_values[t])) for t in valued}
            profiles.append(Profile.of(shapes, held))
        out[s.id] = tuple(profiles)
    return out


def fixed_values(plan: Plan, points: list[Point], values: dict) -> dict:
    """Of the check's reference `values`, the integer subgraph inputs that hold the same value at
    every point of every profile: constants, which the engines may fold (see `constant_inputs`)."""
    at = _labels(plan, points, values)
    out = {}
    for t in {t for s in plan.subgraphs for t in s.inputs}:
        seen = [v.get(t) for _, v in at.values()]
        if all(x is not None and np.asarray(x).dtype.kind in "iu" and np.array_equal(x, seen[0]) for x in seen):
            out[t] = seen[0]
    return out


def _labels(plan: Plan, points: list[Point], values: dict) -> dict[tuple[int, str], tuple[Model, dict]]:
    """(profile number, point) -> (the model there, the reference run's tensors there)."""
    at = {(0, "opt"): (plan.model, values)}
    for p in points:
        at[(p.profile, p.which)] = (p.plan.model, p.reference.values if p.reference is not None else {})
    return at


def _varying_values(name: str, model: Model, at: dict) -> bool:
    """Whether `name` is a shape computation (integer, at most 1-D, following from shapes alone)
    whose values differ between points but keep their length."""
    seen = [v.get(name) for _, v in at.values()]
    if any(x is None for x in seen):
        return False
    arrays = [np.asarray(x) for x in seen]
    if arrays[0].dtype.kind not in "iu" or arrays[0].ndim > 1 or len({a.shape for a in arrays}) > 1:
        return False
    return not all(np.array_equal(a, arrays[0]) for a in arrays) and follows_from_shapes(model, name)


def _value_span(arrays: list, opt) -> tuple[tuple[int, ...], ...]:
    stack = np.stack([np.atleast_1d(a) for a in arrays])
    return (tuple(int(v) for v in stack.min(axis=0)), tuple(int(v) for v in np.atleast_1d(opt)),
            tuple(int(v) for v in stack.max(axis=0)))


def tensor_ranges(plan: Plan, points: list[Point]) -> dict[str, tuple]:
    """Each tensor whose shape differs between the points -> (smallest shape, largest shape)."""
    models = [plan.model] + [p.plan.model for p in points]
    out = {}
    for name in plan.model.tensors:
        r = _span(name, plan.model, models)
        if r is not None and any(r.dynamic):
            out[name] = (r.min, r.max)
    return out


def relax(proto: onnx.ModelProto, plan: Plan, points: list[Point]) -> onnx.ModelProto:
    """`proto` (a cut of `plan` at opt), its inputs' and outputs' dimensions that differ between
    the points made symbolic, and the intermediate shapes dropped, inside If/Loop/Scan bodies
    too (they hold at opt only). In place."""
    g = proto.graph
    models = [plan.model] + [p.plan.model for p in points]
    for vi in list(g.input) + list(g.output):
        _open_dims(vi, _span(vi.name, plan.model, models))
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


def _span(name: str, opt: Model, models: list[Model]) -> ShapeRange | None:
    """`name`'s shapes in `models` as a range: elementwise smallest to largest, opt its shape in
    `opt`; None where a shape is unknown or the ranks differ."""
    infos = [m.tensors.get(name) for m in [opt] + models]
    if any(t is None or not t.static for t in infos):
        return None
    shapes = [tuple(t.shape) for t in infos]
    if len({len(x) for x in shapes}) > 1:
        return None
    return ShapeRange(tuple(map(min, *shapes)), shapes[0], tuple(map(max, *shapes)))
