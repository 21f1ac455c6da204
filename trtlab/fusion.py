"""Layer and tensor fusion: which of a model's nodes end up computed by one kernel.

Two real sources, each read as a `FusionReport` (fused units -> the ONNX nodes each computes):

- `tensorrt_fusion(model)`: build an engine and read the layer list the builder logs at
  ``ProfilingVerbosity.DETAILED``: TensorRT's own kernels, with the ONNX nodes each one
  implements. Building needs no GPU (TensorRT-RTX); reading the list from a finished engine
  (``IEngineInspector``) would need one it can run on.
- `ort_fused(model)`: ONNX Runtime's graph optimiser on CPU (Conv+BatchNorm folding at level
  "basic", Conv+Relu into ``com.microsoft::FusedConv`` at "extended"), loaded back as a Model
  to draw and compare; `ort_fusion(model)` reports it.

Fusion saves kernel launches and the round trip of each intermediate tensor through memory:
`FusionReport.intermediate_bytes` adds up the tensors that stay inside a fused unit.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import onnx

from .errors import MissingDependency, TrtlabError, first_line
from .model import Model

ORT_LEVELS = ("basic", "extended")
# Stream synchronisation entries in TensorRT-RTX's layer list: no kernel runs for them.
_NOT_KERNELS = {"signal", "wait"}


@dataclass
class FusedUnit:
    """One node after optimisation, or one engine kernel, and the original nodes it computes."""

    name: str
    kind: str  # op type (ONNX Runtime) or layer type (TensorRT)
    nodes: list[str]  # original node names, in topological order; empty for added kernels

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "nodes": list(self.nodes)}


@dataclass
class FusionReport:
    model: str
    by: str  # what fused: "ONNX Runtime 1.x graph optimiser (...)" or "TensorRT-RTX 1.x build"
    nodes_before: int
    units: list[FusedUnit]
    patterns: Counter = field(default_factory=Counter)  # "Conv+BatchNormalization+Relu" -> count
    intermediate_bytes: int = 0  # tensors produced and consumed inside one unit
    note: str = ""  # why there are no units, or what to keep in mind
    unit: str = "nodes"  # what a unit is: "nodes" (ONNX Runtime) or "kernels" (TensorRT)
    unplaced: list[str] = field(default_factory=list)  # original nodes in no unit

    @property
    def fused(self) -> list[FusedUnit]:
        return [u for u in self.units if len(u.nodes) > 1]

    def to_dict(self) -> dict:
        return {"model": self.model, "by": self.by, "nodes_before": self.nodes_before,
                "units": [u.to_dict() for u in self.units], "patterns": dict(self.patterns),
                "intermediate_bytes": self.intermediate_bytes, "note": self.note, "unit": self.unit,
                "unplaced": list(self.unplaced)}

    def summary(self) -> str:
        lines = [f"{self.model}: {self.by}"]
        if not self.units:
            return "\n".join(lines + [f"  {self.note}"])
        n = len(self.fused)
        lines.append(f"  {self.nodes_before} ONNX nodes -> {len(self.units)} {self.unit}; "
                     f"{n} of them fuse{'s' if n == 1 else ''} several nodes")
        for pattern, count in self.patterns.most_common():
            lines.append(f"  {count:3} x {pattern}")
        lines.append(f"  intermediate tensors kept out of memory: {_size(self.intermediate_bytes)} "
                     "(each written once and read back at least once when unfused)")
        if self.unplaced:
            lines.append(f"  in no {self.unit[:-1]}: {', '.join(self.unplaced)}")
        if self.note:
            lines.append(f"  {self.note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<trtlab FusionReport {self.model!r} by {self.by}: {len(self.units)} units>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.summary()}


# ------------------------------------------------------------------ ONNX Runtime
def ort_fused(model: Model, level: str = "extended") -> Model:
    """`model` as ONNX Runtime's CPU graph optimiser leaves it, with the same node names.

    At "extended" the result holds ``com.microsoft`` ops (FusedConv): ONNX Runtime's own, which
    TensorRT has no importer for. Tensor shapes are carried over from `model`, since ONNX shape
    inference knows nothing of those ops and ONNX Runtime keeps tensor names.
    """
    from ._optional import onnxruntime
    from .loaders import load

    if level not in ORT_LEVELS:
        raise TrtlabError(f"Unknown optimisation level {level!r}.",
                          hint=f"Choose one of: {', '.join(ORT_LEVELS)}.")
    ort = onnxruntime("Fusing a model with ONNX Runtime")
    options = ort.SessionOptions()
    options.graph_optimization_level = getattr(ort.GraphOptimizationLevel, f"ORT_ENABLE_{level.upper()}")
    with tempfile.TemporaryDirectory(prefix="trtlab-fusion-") as tmp:
        options.optimized_model_filepath = os.path.join(tmp, "fused.onnx")
        try:
            ort.InferenceSession(model.to_bytes(), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # ONNX Runtime raises its own exception types
            raise TrtlabError(f"ONNX Runtime could not load '{model.name}': {first_line(exc)}",
                              hint="The model must run in ONNX Runtime on CPU to be optimised by it.") from None
        fused = load(options.optimized_model_filepath, name=f"{model.name} (ORT {level})")
    proto = onnx.ModelProto()
    proto.CopyFrom(fused.proto)
    known = set(fused.tensors)
    originals = {vi.name: vi for vi in list(model.graph.value_info) + list(model.graph.output)}
    for node in fused.nodes:
        for t in node.output:
            if t and t not in known and t in originals:
                proto.graph.value_info.append(originals[t])
    return Model(proto, name=fused.name, source=f"onnxruntime:{level}")


def ort_fusion(model: Model, level: str = "extended") -> FusionReport:
    """What ONNX Runtime's optimiser fused in `model` (on CPU; not what TensorRT does)."""
    from ._optional import onnxruntime

    after = ort_fused(model, level)
    units = [FusedUnit(n.name, n.op_type, _members(model, n)) for n in after.nodes]
    by = (f"ONNX Runtime {onnxruntime().__version__} graph optimiser "
          f"(CPU, level {level}; not TensorRT's fusions)")
    return _report(model, by, units, "nodes")


def _members(model: Model, node: onnx.NodeProto) -> list[str]:
    """The original nodes between `node`'s inputs and outputs, matched by tensor name."""
    stop = set(node.input) | model.initializer_names | set(model.inputs)
    seen: set[str] = set()
    todo = [model.producer[t] for t in node.output if t in model.producer]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(model.producer[t] for t in model.node_inputs(model.node_by_name[name])
                    if t not in stop and t in model.producer)
    return _ordered(model, seen)


# ------------------------------------------------------------------ TensorRT
def tensorrt_fusion(model: Model) -> FusionReport:
    """Build `model` with the installed TensorRT and report the kernels its builder chose.

    The layer list comes from the builder's verbose log at ProfilingVerbosity.DETAILED, so no GPU
    is needed where the builder itself runs without one (TensorRT-RTX). Where TensorRT is missing,
    can't parse or build the model, or logs no layer list, the report has no units and says why.
    """
    from .engines.build import parser_error
    from .installed_tensorrt import capturing_logger, require_tensorrt

    try:
        flavour = require_tensorrt("Reading TensorRT's fusions")
    except MissingDependency as exc:
        return FusionReport(model.name, "TensorRT (not installed)", len(model.nodes), [],
                            unit="kernels", note=str(exc))
    trt = flavour.module
    by = f"{flavour.label} build (kernels from the builder's layer list)"
    logger = capturing_logger(flavour, "VERBOSE")
    builder = trt.Builder(logger)
    network = flavour.create_network(builder)
    parser = trt.OnnxParser(network, logger)
    if not parser.parse(model.to_bytes()):
        errors = "; ".join(parser_error(parser.get_error(i)) for i in range(parser.num_errors))
        return FusionReport(model.name, by, len(model.nodes), [], unit="kernels",
                            note=f"TensorRT could not parse the model ({errors}). Partition it and "
                                 "pass one subgraph: trtlab.load(trtlab.cut.cut_subgraph(plan, 0)).")
    config = builder.create_builder_config()
    config.profiling_verbosity = trt.ProfilingVerbosity.DETAILED
    try:
        serialized = builder.build_serialized_network(network, config)
    except Exception as exc:  # a builder failure belongs in the report, as in build_engine
        logger.messages.append(("ERROR", f"{type(exc).__name__}: {exc}"))
        serialized = None
    if serialized is None:
        errors = [m for sev, m in logger.messages if sev in ("ERROR", "INTERNAL_ERROR")]
        return FusionReport(model.name, by, len(model.nodes), [], unit="kernels",
                            note="TensorRT built no engine" + (f": {errors[-1]}" if errors else "."))
    units = parse_layer_list([m for _, m in logger.messages], model)
    if not units:
        return FusionReport(model.name, by, len(model.nodes), [], unit="kernels",
                            note="This TensorRT logs no layer list while building. On a GPU it can "
                                 "run, deserialize the engine and ask its IEngineInspector instead.")
    return _report(model, by, units, "kernels")


_DETAILED = re.compile(r"^Name: (?P<name>.+?), LayerType: (?P<kind>[^,]+), .*?Metadata: ?(?P<meta>.*)$")
_ONNX_LAYER = re.compile(r"\[ONNX Layer: ([^\]]+)\]")
_CLASSIC = re.compile(r"^Layer\((?P<kind>[^)]+)\): (?P<name>.+?), Tactic: ")


def parse_layer_list(messages: list[str], model: Model) -> list[FusedUnit]:
    """Engine layers from TensorRT builder messages.

    Two formats: one line per kernel with ``Metadata: [ONNX Layer: a][ONNX Layer: b]`` (the
    inspector's one-line format, logged by TensorRT-RTX at DETAILED verbosity) and the classic
    ``Layer(Type): a + b, Tactic: ...`` list under "Engine Layer Information", whose fused names
    join node names with " + " (a Myelin region shows as one ``{ForeignNode[first...last]}``).
    """
    detailed, classic = [], []
    for message in messages:
        for line in message.splitlines():
            if m := _DETAILED.match(line):
                if m["kind"] not in _NOT_KERNELS:
                    nodes = [n for n in dict.fromkeys(_ONNX_LAYER.findall(m["meta"])) if n in model.index]
                    detailed.append(FusedUnit(m["name"], m["kind"], _ordered(model, nodes)))
            elif m := _CLASSIC.match(line):
                nodes = [n for n in m["name"].split(" + ") if n in model.index]
                classic.append(FusedUnit(m["name"], m["kind"], _ordered(model, nodes)))
    return detailed or classic


# ------------------------------------------------------------------ shared
def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 2**10:.1f} KiB"


def _ordered(model: Model, names: Iterable[str]) -> list[str]:
    return sorted(set(names), key=model.index.__getitem__)


def _report(model: Model, by: str, units: list[FusedUnit], unit: str) -> FusionReport:
    patterns = Counter("+".join(model.node_by_name[n].op_type for n in u.nodes)
                       for u in units if len(u.nodes) > 1)
    placed = {n for u in units for n in u.nodes}
    return FusionReport(model.name, by, len(model.nodes), units, patterns,
                        sum(_inner_bytes(model, u.nodes) for u in units), unit=unit,
                        unplaced=[n.name for n in model.nodes if n.name not in placed])


def _inner_bytes(model: Model, nodes: list[str]) -> int:
    """Bytes of the tensors produced and read only inside `nodes` (and not graph outputs)."""
    members = set(nodes)
    total = 0
    for name in nodes:
        for t in model.node_by_name[name].output:
            readers = model.consumers.get(t, [])
            if not t or not readers or t in model.outputs or not members.issuperset(readers):
                continue
            info = model.tensors.get(t)
            if info is not None and info.static:
                try:
                    total += int(np.prod(info.shape, dtype=np.int64)) * np.dtype(info.dtype).itemsize
                except TypeError:  # a dtype numpy has no name for (bfloat16, float8): unknown size
                    pass
    return total
