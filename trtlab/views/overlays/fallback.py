"""The fallback overlay: why each node runs outside TensorRT (the most common reasons each in a
colour of their own, the rest together)."""

from __future__ import annotations

from collections import Counter

from .base import NONE_FILL, Categories, NodeData, Overlay, colour, reason_key, register

MAX_REASONS = 8


def categories(data: NodeData, names: list[str]) -> Categories:
    reasons = Counter(reason_key(data.fallback[n]) for n in data.fallback)
    top = [r for r, _ in reasons.most_common(MAX_REASONS)]
    legend = {r: (colour(k), r) for k, r in enumerate(top)}
    keys = {}
    for n in names:
        if n not in data.fallback:
            keys[n] = "in"
        else:
            r = reason_key(data.fallback[n])
            keys[n] = r if r in legend else "other"
    legend["in"] = (NONE_FILL, "in TensorRT")
    if "other" in keys.values():
        legend["other"] = ("#d9d9d9", "other reasons")
    return keys, legend


FALLBACK = register(Overlay("fallback", "fallback reason", 40, categories,
                            shows=lambda data: bool(data.fallback or data.engine_of),
                            tip=lambda data, name: data.fallback.get(name)))
