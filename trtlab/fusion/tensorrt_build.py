"""Build a model with the installed TensorRT at ``ProfilingVerbosity.DETAILED`` and keep the
builder's log, from which the kernels, their precision and the fusion savings are read."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import MissingDependency
from ..model import Model
from .engine_layers import LogLines, engine_layers
from .units import FusedUnit, FusionReport, make_report


@dataclass
class BuildLog:
    by: str  # "TensorRT-RTX 1.7.1.116 build", or why there is no TensorRT
    log: list[tuple[str, str]] = field(default_factory=list)  # (severity, message)
    built: bool = False
    note: str = ""  # why no engine was built


def build_log(model: Model) -> BuildLog:
    """Build `model` as it is (its types decide the precision) and keep every builder message.

    Needs no GPU where the builder runs without one (TensorRT-RTX). The build runs as every
    engine build does (`trtlab.engines.build_engine`, in the build worker); the engine is dropped.
    """
    from ..engines.build import BuildOptions, build_engine
    from ..installed_tensorrt import require_tensorrt

    try:
        tensorrt = require_tensorrt("Reading TensorRT's fusions")
    except MissingDependency as exc:
        return BuildLog("TensorRT (not installed)", note=str(exc))
    built = build_engine(model.proto, name=model.name, options=BuildOptions(read_engines=False))
    result = BuildLog(f"{tensorrt.label} build", log=built.log, built=built.built)
    if built.failure == "parser":
        result.note = (f"TensorRT could not parse the model ({built.error.removeprefix('ONNX parser: ')}). "
                       "Partition it and pass one subgraph: trtlab.load(trtlab.cut.cut_subgraph(plan, 0)).")
    elif not built.built:
        result.note = f"TensorRT built no engine: {built.error}"
    return result


def tensorrt_fusion(model: Model) -> FusionReport:
    """Build `model` with the installed TensorRT and report the kernels its builder chose.

    Where TensorRT is missing, can't parse or build the model, or logs no layer list, the report
    has no units and says why.
    """
    built = build_log(model)
    by = f"{built.by} (kernels from the builder's layer list)" if built.log else built.by
    if not built.built:
        return FusionReport(model.name, by, len(model.nodes), [], unit="kernels", note=built.note)
    units = parse_layer_list(built.log, model)
    if not units:
        return FusionReport(model.name, by, len(model.nodes), [], unit="kernels",
                            note="This TensorRT logs no layer list while building. On a GPU it can "
                                 "run, deserialize the engine and ask its IEngineInspector instead.")
    return make_report(model, by, units, "kernels")


def parse_layer_list(log: LogLines, model: Model) -> list[FusedUnit]:
    """The kernels of a build log as fused units (see `engine_layers` for the formats read)."""
    return [layer.as_unit() for layer in engine_layers(log, model)]
