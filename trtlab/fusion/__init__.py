"""Layer and tensor fusion: which of a model's nodes end up computed by one kernel, in what
precision each kernel runs, and what fusing saves.

- `tensorrt_fusion(model)`: build an engine and read the kernels from the builder's log at
  ``ProfilingVerbosity.DETAILED`` (no GPU needed with TensorRT-RTX); `engine_layers(log, model)`
  reads them from any build log, `inspect_engine(engine, model)` from a deserialized engine.
- `engine_precision(log, model, "fp16")`: the precision each kernel really runs in.
- `fusion_savings(model, layers)`: kernel launches and activation traffic before and after
  fusion, and weight bytes per precision, counted from the engine build (not timed).
- `ort_fused(model)` / `ort_fusion(model)`: ONNX Runtime's CPU graph optimiser (not TensorRT).
"""

from __future__ import annotations

from .engine_layers import (EngineLayer, EngineTensor, engine_layers, inspect_engine, layer_list_lines,
                            layers_from_inspector)
from .engine_precision import EnginePrecision, LayerPrecision, engine_precision
from .ort_optimiser import ORT_LEVELS, ort_fused, ort_fusion
from .savings import FusionSavings, fusion_savings, savings_rows
from .tensorrt_build import build_log, parse_layer_list, tensorrt_fusion
from .units import FusedUnit, FusionReport

__all__ = [
    "ORT_LEVELS", "EngineLayer", "EnginePrecision", "EngineTensor", "FusedUnit", "FusionReport",
    "FusionSavings", "LayerPrecision", "build_log", "engine_layers", "engine_precision", "fusion_savings",
    "inspect_engine", "layer_list_lines", "layers_from_inspector", "ort_fused", "ort_fusion", "parse_layer_list",
    "savings_rows", "tensorrt_fusion",
]
