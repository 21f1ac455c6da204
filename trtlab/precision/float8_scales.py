"""Float8 (E4M3) scales as TensorRT's own fp8 calibration makes them: the largest magnitude / 448
(per channel for weights, per tensor for activations).

ONNX Runtime's quantizer scales a float8 tensor by its standard deviation
(`compute_scale_zp_float8`: E4M3's own spread over the data's), which leaves room for about 4.6
standard deviations. Real weights break that both ways: a channel with an element further out
quantizes past E4M3's largest value, 448, into NaN (ONNX Runtime stops: "Initializer
..._quantized has nan"), and a channel of one repeated value (a pruned all-zero output channel,
the sine rows of an STFT basis at 0 and at Nyquist) gets scale 0, whose DequantizeLinear
TensorRT's parser refuses ("Scale coefficients must all be positive"). So every float8 weight's
scales are given to the quantizer (its `TensorQuantOverrides`) the way TensorRT's own tools
calibrate weights: amax / 448, which no element of the channel overflows; an all-zero channel
(or one so small that scale would not be a normal float32) gets 1.0 and quantizes to zeros.
Activations get the same rule after quantizing (`rescale_activations`), from their largest
magnitude over the calibration samples.
"""

from __future__ import annotations

from typing import Iterable, Mapping

import numpy as np
import onnx
from onnx import numpy_helper

E4M3_MAX = 448.0  # largest finite float8 E4M3FN value


def weight_axes(proto: onnx.ModelProto, excluded: Iterable[str]) -> dict[str, int]:
    """Initializer name -> the per-channel axis ONNX Runtime's QDQ quantizer gives it, for the
    weights of the Conv, Gemm and MatMul nodes it quantizes (those not in `excluded`)."""
    inits = {t.name for t in proto.graph.initializer}
    skip = set(excluded)
    axes: dict[str, int] = {}
    for n in proto.graph.node:
        if n.name in skip or len(n.input) < 2:
            continue
        if n.op_type == "Conv":
            found = {n.input[1]: 0}
        elif n.op_type == "Gemm":
            trans_b = next((a.i for a in n.attribute if a.name == "transB"), 0)
            found = {n.input[1]: 0 if trans_b else 1}
        elif n.op_type == "MatMul":
            found = {name: 1 for name in n.input[:2]}
        else:
            continue
        for name, axis in found.items():
            if name in inits:
                axes.setdefault(name, axis)
    return axes


def overrides(proto: onnx.ModelProto, quant_type: int, excluded: Iterable[str],
              per_channel: bool) -> dict[str, list[dict]]:
    """`TensorQuantOverrides` giving each float8 weight its amax / 448 scales: one per channel
    along ONNX Runtime's axis with `per_channel`, else one per tensor."""
    from onnxruntime.quantization.quant_utils import compute_scale_zp_float8

    from ..weight_store import array as stored_array

    zero, _ = compute_scale_zp_float8(quant_type, np.float32(0))  # a float8 zero point of 0
    inits = {t.name: t for t in proto.graph.initializer}
    found: dict[str, list[dict]] = {}
    for name, axis in weight_axes(proto, excluded).items():
        weight = stored_array(inits[name])  # a large model's weights are references to the check's store
        if weight.dtype != np.float32 or weight.ndim <= axis or weight.size == 0:
            continue  # left to the quantizer, which quantizes float32 weights only
        if per_channel:
            amax = np.abs(np.moveaxis(weight, axis, 0).reshape(weight.shape[axis], -1)).max(axis=1)
            found[name] = [{"axis": axis, "scale": scale(a), "zero_point": zero} for a in amax]
        else:
            found[name] = [{"scale": scale(np.abs(weight).max()), "zero_point": zero}]
    return found


def scale(amax: float) -> np.float32:
    """The E4M3 scale of a channel whose largest magnitude is `amax`: amax / 448, or 1.0 where
    that is not a normal float32 (an all-zero channel, or one of denormals, which round to 0)."""
    s = np.float32(float(amax) / E4M3_MAX)
    return s if np.isfinite(s) and s >= np.finfo(np.float32).tiny else np.float32(1.0)


def rescale_activations(quantized: onnx.ModelProto, fp32: onnx.ModelProto, amax: Mapping[str, float]) -> None:
    """Set the scale of every activation the quantizer put a float8 Q/DQ pair on to amax / 448,
    its largest magnitude over the calibration samples (`amax`: fp32 tensor name -> that, as
    `ranges.amax` measures it on the `fp32` model): TensorRT's own fp8 calibration (max). ONNX
    Runtime's histogram scale leaves about 4.6 standard deviations, so the heavy tail of an
    activation saturated (PP-OCRv4 det: a Conv's output of amax 38.6 came out at 25.4, and the
    text map blank). An activation holding inf or NaN (a mask) is scaled by its largest finite
    magnitude (`ranges.finite_amax`), as TensorRT's calibration takes it. The Q and
    its DQ share the scale initializer."""
    inits = {t.name: t for t in quantized.graph.initializer}
    g = fp32.graph
    known = {o for n in g.node for o in n.output} | {i.name for i in g.input}
    for n in quantized.graph.node:
        if n.op_type == "QuantizeLinear" and n.input[0] not in inits and n.input[1] in inits:
            source = _fp32_name(n.input[0], known)
            if source is not None and source in amax:
                name = n.input[1]
                inits[name].CopyFrom(numpy_helper.from_array(np.array(scale(amax[source]), np.float32), name))


def _fp32_name(tensor: str, known: set[str]) -> str | None:
    """The fp32 model's name of a tensor the quantizer reads: the same, or, for a graph output it
    renamed to keep the output's name for itself, the name before its suffix; None if neither
    (its scale is then ONNX Runtime's)."""
    if tensor in known:
        return tensor
    base = tensor.removesuffix("_QuantizeLinear_Input")
    return base if base != tensor and base in known else None
