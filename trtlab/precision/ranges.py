"""Activation ranges for ONNX Runtime's quantizer, measured by trtlab instead of by its calibrator.

ONNX Runtime's `quantize_static` calibrates by loading the model once more, saving an augmented
copy of it (a ReduceMin and a ReduceMax on every tensor it calibrates) and running that copy in
a session of its own: for a large model three copies of the weights beside the one it quantizes
(for float8 its histogram calibrator also keeps every activation of every sample). Given a
calibration cache (`calibration_cache_path`: ONNX Runtime's `TensorsData` as JSON, which
`save_tensors_data` writes), it skips all of that. `tensors_data` makes that cache the way its
MinMax calibrator makes its ranges (onnxruntime 1.32's `calibrate.py`):

- the same tensors (`calibrated`: every input and output of the quantized op types that shape
  inference types float or float16 and that is not an initializer);
- the same numbers: ONNX Runtime's own ReduceMin and ReduceMax (keepdims=1) on each of them, in
  an unoptimised session, one run per sample, combined with numpy's nanmin and nanmax;
- but measured on the model itself, its weights mapped from files (`trtlab.ort.loadable`, a
  large model's `WeightStore`), the reductions added for the run and removed after it.

The int8 ranges are the calibrator's (MinMax, `(lowest, highest)`), bit for bit. Float8 asks for
the histogram method ("Distribution"), whose scales trtlab replaces by TensorRT's amax / 448
(`float8_scales.rescale_activations`, with `amax` of the same ranges); its cache gives each
tensor a standard deviation for which ONNX Runtime's own float8 scale is that already.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np
import onnx
from onnx import TensorProto, helper

from ..errors import TrtlabError, one_line
from ..weights import light_copy

CALIBRATED_TYPES = {TensorProto.FLOAT, TensorProto.FLOAT16}  # what ONNX Runtime's calibrator reads
REDUCTIONS = ("ReduceMin", "ReduceMax")

Ranges = dict[str, tuple[np.ndarray, np.ndarray]]  # tensor -> (lowest, highest) over the samples


def calibrated(proto: onnx.ModelProto, op_types: Iterable[str]) -> dict[str, int]:
    """The tensors ONNX Runtime's calibrator calibrates (`select_tensors_to_calibrate`), with
    their element types: every input and output of a node of `op_types` (top-level graph) that
    shape inference gives a float or float16 type and that is not an initializer."""
    inferred = onnx.shape_inference.infer_shapes(light_copy(proto)).graph  # without the weights
    typed = {vi.name: vi for vi in inferred.value_info}
    typed.update({vi.name: vi for vi in inferred.output})
    typed.update({vi.name: vi for vi in inferred.input})
    weights = {t.name for t in proto.graph.initializer}
    wanted = set(op_types)
    found: dict[str, int] = {}
    for n in proto.graph.node:
        if n.op_type not in wanted:
            continue
        for name in (*n.input, *n.output):
            vi = typed.get(name)
            if (vi is not None and vi.type.HasField("tensor_type") and name not in weights
                    and vi.type.tensor_type.elem_type in CALIBRATED_TYPES):
                found.setdefault(name, vi.type.tensor_type.elem_type)
    return found


def measure(proto: onnx.ModelProto, samples: Sequence[Mapping[str, np.ndarray]],
            op_types: Iterable[str]) -> Ranges:
    """(lowest, highest) of every calibrated tensor of `proto` over `samples`, as ONNX Runtime's
    MinMax calibrator finds them (each an array of one element, the reductions' own type).
    `proto` gets the reductions for the session's making only: it is as it was afterwards."""
    if not samples:
        raise TrtlabError("No data is collected: the calibration data holds no samples.")
    tensors = calibrated(proto, op_types)
    if not tensors:
        return {}
    names = {t: (f"{t}_{REDUCTIONS[0]}_range", f"{t}_{REDUCTIONS[1]}_range") for t in tensors}
    reductions = [helper.make_node(op, [t], [out], keepdims=1, name=out)
                  for t in tensors for op, out in zip(REDUCTIONS, names[t])]
    outputs = [helper.make_tensor_value_info(out, tensors[t], None) for t in tensors for out in names[t]]
    wanted = [out for pair in names.values() for out in pair]
    seen: dict[str, list[np.ndarray]] = {out: [] for out in wanted}
    for values in _each_sample(proto, reductions, outputs, wanted, samples):
        for out, value in zip(wanted, values):
            seen[out].append(np.asarray(value).reshape(-1))
    return {t: (np.nanmin(seen[low], axis=0), np.nanmax(seen[high], axis=0)) for t, (low, high) in names.items()}


def amax(ranges: Ranges) -> dict[str, float]:
    """The largest magnitude of each tensor over the samples, from its range."""
    return {t: float(np.abs(np.concatenate([low, high])).max()) for t, (low, high) in ranges.items()}


def finite_amax(proto: onnx.ModelProto, samples: Sequence[Mapping[str, np.ndarray]],
                ranges: Ranges) -> dict[str, float]:
    """The largest finite magnitude of each tensor over the samples, as TensorRT's max
    calibration takes it: from its range where that is finite; otherwise (an attention mask
    filled with -inf, say) from the tensor's own values, those tensors alone run again, their
    infinities and NaNs left out (the range's inf would make the scale meaningless)."""
    out = amax(ranges)
    again = [t for t, a in out.items() if not np.isfinite(a)]
    if not again:
        return out
    present = {o.name for o in proto.graph.output}
    # Each range is of the tensor's own element type (the reductions keep it).
    outputs = [helper.make_tensor_value_info(t, helper.np_dtype_to_tensor_dtype(ranges[t][0].dtype), None)
               for t in again if t not in present]
    found = dict.fromkeys(again, 0.0)
    for values in _each_sample(proto, [], outputs, again, samples):
        for t, value in zip(again, values):
            v = np.asarray(value, dtype=np.float64)
            found[t] = max(found[t], float(np.abs(v[np.isfinite(v)]).max(initial=0.0)))
    out.update(found)
    return out


def _each_sample(proto: onnx.ModelProto, nodes: list, outputs: list, wanted: list[str],
                 samples: Sequence[Mapping[str, np.ndarray]]):
    """The values of `wanted` for each sample, from one session of `proto` with `nodes` and
    `outputs` added for the session's making only: `proto` is as it was afterwards."""
    from .validate import session

    g = proto.graph
    had_nodes, had_outputs = len(g.node), len(g.output)
    try:
        g.node.extend(nodes)
        g.output.extend(outputs)
        run = session(proto)
    except Exception as exc:
        raise TrtlabError(f"The calibration run could not start: {one_line(exc, first=True, limit=None)}") from None
    finally:
        del g.node[had_nodes:]
        del g.output[had_outputs:]
    inputs = {i.name for i in run.get_inputs()}
    for i, sample in enumerate(samples):
        try:
            values = run.run(wanted, {k: v for k, v in sample.items() if k in inputs})
        except Exception as exc:
            why = one_line(exc, first=True, limit=None)
            raise TrtlabError(f"The calibration run failed on sample {i}: {why}") from None
        yield values


def tensors_data(ranges: Ranges, method: str, quant_type: int):
    """ONNX Runtime's `TensorsData` for `ranges` calibrated by `method` (a CalibrationMethod
    member name): MinMax, the ranges themselves; Distribution (float8 of `quant_type`), also a
    mean of 0 and the standard deviation ONNX Runtime turns into the scale amax / 448."""
    from onnxruntime.quantization.calibrate import CalibrationMethod, TensorData, TensorsData

    calibration = getattr(CalibrationMethod, method)
    if calibration == CalibrationMethod.MinMax:
        return TensorsData(calibration, {t: (low, high) for t, (low, high) in ranges.items()})
    if calibration != CalibrationMethod.Distribution:
        raise TrtlabError(f"trtlab measures activation ranges for MinMax and Distribution calibration, not {method}.")
    from onnxruntime.quantization.quant_utils import compute_scale_zp_float8

    from .float8_scales import scale

    _, unit = compute_scale_zp_float8(quant_type, np.float32(1.0))  # the scale of a standard deviation of 1
    return TensorsData(calibration, {
        t: TensorData(lowest=low, highest=high, avg=np.float32(0.0), std=np.float32(scale(a) / unit))
        for (t, (low, high)), a in zip(ranges.items(), amax(ranges).values())})
