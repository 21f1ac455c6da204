"""The engine overlay: which TensorRT engine holds each node (a colour per engine)."""

from __future__ import annotations

from .base import NONE_FILL, Categories, NodeData, Overlay, colour, register


def categories(data: NodeData, names: list[str]) -> Categories:
    ids = sorted(set(data.engine_of.values()))
    colours = {i: colour(k) for k, i in enumerate(ids)}
    keys = {n: (f"e{data.engine_of[n]}" if n in data.engine_of else "out") for n in names}
    legend = {f"e{i}": (colours[i], f"trt_engine_{i}") for i in ids}
    legend["out"] = (NONE_FILL, "outside TensorRT")
    return keys, legend


ENGINE = register(Overlay("engine", "engine", 10, categories,
                          shows=lambda data: bool(data.engine_of or data.fallback)))
