"""Explicit quantization (QuantizeLinear/DequantizeLinear pairs) with ONNX Runtime's
`quantize_static`, for every precision whose transform is QDQ (the element type, calibration
method and opset come from its `Precision`). The activation ranges are measured by trtlab
(`ranges`, the numbers ONNX Runtime's MinMax calibrator finds) and handed over as its
calibration cache, and the weights no quantized op reads never reach the quantizer: for a large
model it then holds one copy of the quantized ops' weights (GPT-2 int8: 0.95x its file over
the start of the conversion, where its calibrator made it 3.3x).

The settings are the ones the TensorRT ONNX parser accepts: symmetric activations and weights,
weights per channel, only Conv/Gemm/MatMul quantized, at their inputs only (TensorRT's placement
guide: their outputs stay in higher precision), and biases left in fp32 (a bias quantized to
int32 makes the parser reject the DequantizeLinear that reads it). Float8 weights get TensorRT's
amax / 448 scales (`float8_scales`). A model left without a single Q/DQ pair (its weighted ops
all inside If/Loop/Scan bodies, which ONNX Runtime's quantizer does not enter, or none at all)
gets a note saying where they are, and `unquantized_reason` says it for the check's verdict.

Per-channel DequantizeLinear (its `axis` attribute) exists from opset 13 on, and a precision may
need a newer one (its `min_opset`): an older model is upgraded with onnx's version converter
first, and where that fails it is quantized per tensor, which opset 10 already allows, if the
precision's own type allows it.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import tempfile
from pathlib import Path
from typing import Iterable

import onnx

from .. import _optional, scratch
from ..errors import TrtlabError, one_line
from ..model import Model
from ..model_files import write_model
from ..memory import release_memory
from ..weights import INLINE_ELEMENTS, is_large, light_copy
from ..precision_registry import INT8, QDQ, Precision
from ._proto import opset, toposort, upgraded
from .calibration import Calibration, samples
from . import ranges
from .float8_scales import overrides as float8_overrides, rescale_activations
from .sanitize import sanitize

QUANTIZED_OPS = ["Conv", "Gemm", "MatMul"]
# Q/DQ at the inputs of the weighted ops only, as TensorRT's placement guide recommends: a Q/DQ
# on their outputs adds a rounding TensorRT does not need (and, on an output head, a visible one).
EXTRA_OPTIONS = {"QuantizeBias": False, "ActivationSymmetric": True, "WeightSymmetric": True,
                 "OpTypesToExcludeOutputQuantization": list(QUANTIZED_OPS)}
PER_CHANNEL_OPSET = 13
QDQ_OPSET = 10


def to_int8(model: onnx.ModelProto | Model, calibration: Calibration = None) -> onnx.ModelProto:
    """Insert int8 Q/DQ pairs, with scales calibrated on `calibration`.

    `calibration`: an iterable of {input name: ndarray} samples, or a directory of .npz files
    (one per sample) or .npy files (single-input models). None calibrates on random inputs and
    warns that accuracy figures then mean little.
    """
    return quantize(sanitize(model), INT8, calibration)[0]


def quantize(proto: onnx.ModelProto, precision: Precision, calibration: Calibration = None,
             keep: Iterable[str] = ()) -> tuple[onnx.ModelProto, list[str]]:
    """Quantize an already sanitized `proto` to `precision` (a QDQ one), leaving the nodes named
    in `keep` unquantized (in fp32); also notes on what was done to make it possible, and, for a
    model left without a single Q/DQ pair, where its weighted ops are."""
    if precision.transform != QDQ or precision.quant_type is None:
        raise TrtlabError(f"{precision.name} is not a Q/DQ precision.")
    _optional.onnxruntime(f"Quantizing a model to {precision.name}")
    data = samples(proto, calibration)
    names = {n.name for n in proto.graph.node}
    kept = [k for k in keep if k in names]
    if not any(n.op_type in QUANTIZED_OPS and n.name not in kept for n in proto.graph.node):
        # Nothing for ONNX Runtime's quantizer to do (its float8 histogram would stop on no data):
        # the model stays as it is, and the check says it is not measured (`unquantized_reason`).
        return proto, [f"nothing quantized: {_why_unquantized(proto, kept)}"]
    notes: list[str] = []
    per_channel = True
    old = opset(proto)
    wanted = max(PER_CHANNEL_OPSET, precision.min_opset)
    if old < wanted:
        try:
            proto = upgraded(proto, wanted)
            notes.append(f"upgraded from opset {old} to {wanted} for {precision.name} per-channel weights")
        except Exception as exc:
            least = max(QDQ_OPSET, precision.min_opset)
            if old < least:
                raise TrtlabError(f"{precision.name} needs ONNX opset {least} or newer; this model is opset "
                                  f"{old} and upgrading it failed: {one_line(exc, first=True, limit=None)}",
                                  hint=f"Export the model with opset {wanted} or newer.") from None
            per_channel = False
            notes.append(f"weights quantized per tensor: opset {old} has no per-channel "
                         f"DequantizeLinear and upgrading failed ({one_line(exc, first=True, limit=None)})")
    out = _quantize(proto, precision, data, per_channel, kept)
    if not any(n.op_type == "QuantizeLinear" for n in out.graph.node):
        notes.append("nothing quantized: ONNX Runtime's quantizer placed no Q/DQ pair on any Conv, Gemm or MatMul")
    return out, notes


def unquantized_reason(models: Iterable[onnx.ModelProto], precision: str) -> str:
    """Why `models` (a check's subgraphs in `precision`) hold no Q/DQ pair, and what to do: run as
    they are, they would be the fp32 model measured under the precision's name."""
    whys = list(dict.fromkeys(_why_unquantized(m, []) for m in models))
    inside = any(" inside the bodies of " in w for w in whys)
    return (f"nothing was quantized to {precision}: {'; '.join(whys)}, so the {precision} model is the fp32 one. "
            "Measure this model in fp16 or bf16"
            + (", or check each branch as a model of its own (for an Optimum merged decoder, its "
               "decoder_model.onnx and decoder_with_past_model.onnx)" if inside else
               ", or partition so that an engine holds a Conv, Gemm or MatMul") + ".")


def _why_unquantized(proto: onnx.ModelProto, kept: list[str]) -> str:
    """Where a model's Conv, Gemm and MatMul nodes are that the quantizer cannot reach: inside
    control-flow bodies, kept in fp32, or nowhere."""
    from .lowbit import subgraphs

    def inside(graph: onnx.GraphProto) -> int:
        return sum(n.op_type in QUANTIZED_OPS for n in graph.node) + sum(
            inside(b) for n in graph.node for b in subgraphs(n))

    bodies = [(n, count) for n in proto.graph.node if (count := sum(inside(b) for b in subgraphs(n)))]
    why = [", ".join(f"its {c} Conv/Gemm/MatMul nodes are inside the bodies of {n.op_type} '{n.name}'"
                     for n, c in bodies) + ", which ONNX Runtime's quantizer does not enter"] if bodies else []
    if kept and any(n.op_type in QUANTIZED_OPS for n in proto.graph.node):
        why.append("every Conv, Gemm and MatMul outside them is kept in fp32" if bodies
                   else "every Conv, Gemm and MatMul is kept in fp32")
    return "; ".join(why) or "it has no Conv, Gemm or MatMul, the only ops quantized"


def quantizer_settings(proto: onnx.ModelProto, precision: Precision, per_channel: bool,
                       excluded: list[str]) -> dict:
    """The keyword arguments trtlab gives ONNX Runtime's `quantize_static` for `precision`, but
    the files and the calibration."""
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType

    quant_type = getattr(QuantType, precision.quant_type)
    options = dict(EXTRA_OPTIONS)
    if precision.max_scaled:  # weights scaled as TensorRT's tools do
        options["TensorQuantOverrides"] = float8_overrides(proto, quant_type.tensor_type, excluded, per_channel)
    return dict(quant_format=QuantFormat.QDQ, per_channel=per_channel, op_types_to_quantize=QUANTIZED_OPS,
                nodes_to_exclude=excluded, activation_type=quant_type, weight_type=quant_type,
                calibrate_method=getattr(CalibrationMethod, precision.calibration_method), extra_options=options)


def _quantize(proto: onnx.ModelProto, precision: Precision, data, per_channel: bool,
              excluded: list[str]) -> onnx.ModelProto:
    """`proto` quantized by ONNX Runtime's `quantize_static`, with the activation ranges trtlab
    measured (`ranges`) as its calibration cache: its own calibrator, which would load, augment
    and run one more copy of the model each, never runs. It reads the model from a file whose
    weights lie in a file of their own, and writes its result the same way: no serialized copy
    of the model is made in memory (ONNX Runtime holds the one it quantizes)."""
    from onnxruntime.quantization import quantize_static
    from onnxruntime.quantization.calibrate import save_tensors_data

    settings = quantizer_settings(proto, precision, per_channel, excluded)
    quant_type = settings["activation_type"].tensor_type
    with tempfile.TemporaryDirectory(prefix="qdq-", dir=scratch.folder()) as tmp:
        src, dst, cache = Path(tmp) / "fp32.onnx", Path(tmp) / f"{precision.name}.onnx", Path(tmp) / "ranges.json"
        # The weights go to a file of their own, a store's copied a piece at a time: onnx reads
        # no external data from a file with a second hard link (the build worker's to a store).
        given, unread = _unquantized_weights_as_inputs(proto)
        write_model(given, src, external_data="fp32.weights")
        del given
        # quantize_static logs a pre-processing advice on the root logger at every call.
        logging.disable(logging.WARNING)
        try:
            found = ranges.measure(proto, data, QUANTIZED_OPS)
            save_tensors_data(ranges.tensors_data(found, precision.calibration_method, quant_type), cache)
            with contextlib.redirect_stdout(io.StringIO()):
                quantize_static(str(src), str(dst), None, use_external_data_format=True,
                                calibration_cache_path=str(cache), **settings)
        except Exception as exc:
            why = one_line(exc, first=True, limit=None)
            raise TrtlabError(f"{precision.name} quantization failed: {why}", hint=_quantize_hint(why, precision.name)) from None
        finally:
            logging.disable(logging.NOTSET)
        if is_large(proto):  # the quantizer's copy of the model is gone: its memory goes back too
            release_memory()
        out = onnx.load(dst)
    _restore(out, proto, unread)
    if precision.max_scaled:
        rescale_activations(out, proto, ranges.finite_amax(proto, data, found))
    toposort(out.graph)  # the quantizer can put an If before the producer of what its body reads
    return out


def _unquantized_weights_as_inputs(proto: onnx.ModelProto) -> tuple[onnx.ModelProto, list[onnx.TensorProto]]:
    """A copy of `proto` in which each large weight that no Conv, Gemm or MatMul reads is a graph
    input of its type and shape instead, and those weights (`proto`'s own). ONNX Runtime's
    quantizer would load them, leave them as they are and write them back (GPT-2's embeddings:
    a third of its weights); they go back into its result afterwards."""
    quantized = {name for n in proto.graph.node if n.op_type in QUANTIZED_OPS for name in n.input}
    large = [t for t in proto.graph.initializer if math.prod(t.dims) > INLINE_ELEMENTS]
    read = {t.name for t in large if t.name in quantized}
    declared = {i.name for i in proto.graph.input}
    given = light_copy(proto)  # every large weight a graph input: those read go back
    inputs = [i for i in given.graph.input if i.name not in read or i.name in declared]
    del given.graph.input[:]
    given.graph.input.extend(inputs)
    given.graph.initializer.extend(t for t in large if t.name in read)
    return given, [t for t in large if t.name not in read]


def _restore(out: onnx.ModelProto, proto: onnx.ModelProto, unread: list[onnx.TensorProto]) -> None:
    """Put the weights `_unquantized_weights_as_inputs` made inputs back into `out` (copies of
    references, or of the weights `proto` holds)."""
    names = {t.name for t in unread} - {i.name for i in proto.graph.input}
    inputs = [i for i in out.graph.input if i.name not in names]
    del out.graph.input[:]
    out.graph.input.extend(inputs)
    out.graph.initializer.extend(unread)


def _quantize_hint(why: str, name: str) -> str:
    """What to do when ONNX Runtime's quantizer gives up, by what it said."""
    if "No data is collected" in why or "calibrat" in why.lower():
        return (f"The calibration run saw no values for the ops {name} quantizes: give samples that hold every "
                f"model input by name (--calibration DIR of .npz files; check one first with --feeds FILE.npz), "
                f"or keep the nodes it stops at in fp32 (--keep-fp32 NODE).")
    return (f"Check that the model runs in fp32 on your samples (--feeds FILE.npz), keep the node it names in "
            f"fp32 (--keep-fp32 NODE), or leave {name} out of --precision.")
