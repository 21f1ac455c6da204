"""What ONNX Runtime's CPU graph optimiser fuses: Conv+BatchNorm folding at level "basic",
Conv+Relu into ``com.microsoft::FusedConv`` at "extended". Not TensorRT's fusions."""

from __future__ import annotations

import os
import tempfile

import onnx

from .. import scratch
from ..errors import TrtlabError, one_line
from ..model import Model
from .units import FusedUnit, FusionReport, make_report, ordered

ORT_LEVELS = ("basic", "extended")


def ort_fused(model: Model, level: str = "extended") -> Model:
    """`model` as ONNX Runtime's CPU graph optimiser leaves it, with the same node names.

    At "extended" the result holds ``com.microsoft`` ops (FusedConv): ONNX Runtime's own, which
    TensorRT has no importer for. Tensor shapes are carried over from `model`, since ONNX shape
    inference knows nothing of those ops and ONNX Runtime keeps tensor names.
    """
    from .._optional import onnxruntime
    from ..loaders import load

    if level not in ORT_LEVELS:
        raise TrtlabError(f"Unknown optimisation level {level!r}.",
                          hint=f"Choose one of: {', '.join(ORT_LEVELS)}.")
    ort = onnxruntime("Fusing a model with ONNX Runtime")
    options = ort.SessionOptions()
    options.graph_optimization_level = getattr(ort.GraphOptimizationLevel, f"ORT_ENABLE_{level.upper()}")
    with tempfile.TemporaryDirectory(prefix="fusion-", dir=scratch.folder()) as tmp:
        options.optimized_model_filepath = os.path.join(tmp, "fused.onnx")
        try:
            ort.InferenceSession(model.to_bytes(), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # ONNX Runtime raises its own exception types
            raise TrtlabError(f"ONNX Runtime could not load '{model.name}': {one_line(exc, first=True, limit=None)}",
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
    from .._optional import onnxruntime

    after = ort_fused(model, level)
    units = [FusedUnit(n.name, n.op_type, _members(model, n)) for n in after.nodes]
    by = (f"ONNX Runtime {onnxruntime().__version__} graph optimiser "
          f"(CPU, level {level}; not TensorRT's fusions)")
    return make_report(model, by, units, "nodes")


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
    return ordered(model, seen)
