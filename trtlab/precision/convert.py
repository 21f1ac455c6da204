"""`convert_precision`: a precision transform whose result is checked before anyone uses it.

Returns a `ConvertedModel`: the converted ONNX model, the nodes kept in fp32 and why, and notes
on what sanitizing skipped. The converted model passes the onnx checker and runs in ONNX
Runtime on CPU, or a `ConversionInvalid` (a TrtlabError) says why not. The one exception is a
model ONNX Runtime cannot run in fp32 either (a custom op, say): then only the checker is asked,
and `validated` says so.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import onnx

from ..errors import TrtlabError
from ..model import Model
from ..weight_store import stores_in
from ..weights import compacted, is_large
from ..precision_registry import AS_IS, BF16_CAST, FP16_CAST, QDQ, Precision, get
from ..words import counted, printable
from ._proto import as_proto
from .bf16 import convert_bf16
from .calibration import Calibration
from .fp16 import convert_fp16
from .qdq import quantize
from .lowbit import KeptNode
from .policy import PrecisionPolicy
from .sanitize import Original, sanitize_checked
from .validate import check_structure, example_feeds, load_error, run


class ConversionInvalid(TrtlabError):
    """The transform ran but its result fails the onnx checker or does not run in ONNX Runtime."""

    def __init__(self, message: str, *, precision: str, kept_fp32: list[KeptNode], notes: list[str]):
        super().__init__(message, hint="Keep the failing nodes in fp32 (PrecisionPolicy.keep_fp32_nodes) "
                                       "or report the model; its accuracy at this precision is not measured.")
        self.precision = precision
        self.kept_fp32 = kept_fp32
        self.notes = notes


@dataclass
class ConvertedModel:
    precision: str
    model: onnx.ModelProto
    kept_fp32: list[KeptNode] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    validated: str = ""  # what the model passed, in words

    def to_dict(self) -> dict:
        return {"precision": self.precision, "kept_fp32": [k.to_dict() for k in self.kept_fp32],
                "notes": list(self.notes), "validated": self.validated}

    def summary(self) -> str:
        lines = [f"{self.precision} model: {len(self.model.graph.node)} nodes, validated by {self.validated}"]
        if self.kept_fp32:
            lines.append(f"  {counted(len(self.kept_fp32), 'node')} kept in fp32:")
            lines += [f"    {k.node} ({k.op}): {k.reason}" for k in self.kept_fp32]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(map(printable, lines))

    def __repr__(self) -> str:
        return f"<ConvertedModel {self.precision}: {len(self.kept_fp32)} nodes kept fp32>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.summary()}


def convert_precision(model: onnx.ModelProto | Model, precision: str, *, policy: PrecisionPolicy | None = None,
                      calibration: Calibration = None, feeds: Mapping[str, np.ndarray] | None = None,
                      runnable_in_ort: bool = True) -> ConvertedModel:
    """`model` sanitized and converted to `precision` (a name in `trtlab.precision_registry`), validated.

    `policy` applies to the cast precisions (fp16, bf16), `calibration` to the calibrated ones
    (Q/DQ); `feeds` ({input: array}) are the inputs
    the sanitizing steps and the validation run on (seeded random inputs when None).
    `runnable_in_ort=False` (bf16 for a TensorRT build) leaves bf16 arithmetic that ONNX Runtime's
    CPU provider cannot run, so that model is only checked by the onnx checker.
    Raises TrtlabError when the transform fails, ConversionInvalid when its result is invalid.
    """
    spec = get(precision)
    precision = spec.name
    # Only read here (sanitizing makes its own copy): no extra copy of the weights.
    original = model.proto if isinstance(model, Model) else model
    if not isinstance(original, onnx.ModelProto):
        as_proto(original)  # raises the TypeError that says what was given
    stores = stores_in(original)  # a cut of a large model refers to its store; new weights join it
    store = next(iter(stores)) if len(stores) == 1 else None
    proto, notes, facts = sanitize_checked(original, feeds)
    if is_large(proto):
        # Validation below needs only what sanitizing learnt of the original: a caller that
        # handed over its own copy (a cut) has it freed here, not after the conversion.
        del model, original
        original = facts
    if store is not None and spec.calibrated:
        # Weights sanitizing made (a BatchNormalization folded into its Conv) join the store now:
        # the quantizer's steps (an opset upgrade, the calibration run) then copy no weights.
        proto = store.keep(proto)
    proto, kept, more = _transform(spec, proto, policy=policy, calibration=calibration,
                                   feeds=feeds if feeds is not None else facts.feeds,
                                   runnable_in_ort=runnable_in_ort)
    notes += more
    # A new message holds only what is there now (the fp32 bytes the converted weights replaced
    # go with the old one); with a store, not even the new weights (folded ones included).
    if store is not None:
        proto = store.keep(proto)
    elif spec.reduced:
        proto = compacted(proto)
    result = ConvertedModel(precision, proto, kept, notes)
    result.validated = validate_converted(original, result, feeds=feeds,
                                          runs_in_ort=runnable_in_ort or spec.runs_in_onnxruntime)
    return result


def _transform(spec: Precision, proto: onnx.ModelProto, *, policy, calibration, feeds,
               runnable_in_ort: bool) -> tuple[onnx.ModelProto, list[KeptNode], list[str]]:
    """The sanitized `proto` in `spec`'s precision: (model, nodes kept fp32, notes)."""
    if spec.transform == AS_IS:
        return proto, [], []
    if spec.transform == FP16_CAST:
        return (*convert_fp16(proto, policy, feeds), [])
    if spec.transform == BF16_CAST:
        return (*convert_bf16(proto, policy, runnable_in_ort=runnable_in_ort), [])
    if spec.transform == QDQ:  # nodes the policy names stay unquantized (fp32)
        keep = sorted(policy.keep_fp32_nodes) if policy is not None else []
        model, notes = quantize(proto, spec, calibration, keep)
        ops = {n.name: n.op_type for n in model.graph.node}
        return model, [KeptNode(k, ops[k], policy.node_reasons.get(k, "user: listed in keep_fp32_nodes"))
                       for k in keep if k in ops], notes
    raise TrtlabError(f"Precision {spec.name} names a transform trtlab does not have: {spec.transform!r}.")


def validate_converted(original: onnx.ModelProto | Original, result: ConvertedModel, *,
                       feeds: Mapping[str, np.ndarray] | None = None, runs_in_ort: bool = True) -> str:
    """What `result.model` passed, in words; raises ConversionInvalid when it fails the onnx
    checker or does not run in ONNX Runtime while `original` does. `original` is the model, or
    what sanitizing learnt of it (`Original`)."""
    known = original if isinstance(original, Original) else _Asked(original, feeds)

    def invalid(why: str) -> ConversionInvalid:
        return ConversionInvalid(f"The {result.precision} model is invalid: {why}", precision=result.precision,
                                 kept_fp32=result.kept_fp32, notes=result.notes)

    complaint = check_structure(result.model)
    if complaint and known.structure_ok:
        raise invalid(f"the onnx checker says: {complaint}")
    if not runs_in_ort:
        return f"the onnx checker ({result.precision} arithmetic does not run in ONNX Runtime on CPU)"
    if known.feeds is None:
        return "the onnx checker (no example inputs can be made for this model)"
    try:
        run(result.model, known.feeds)
    except TrtlabError as exc:
        if known.run_error is not None:
            why = load_error(result.model)
            if why and known.loads:
                raise invalid(f"ONNX Runtime cannot load it: {why}") from None
            return (f"the onnx checker and a load in ONNX Runtime (the fp32 model does not run there "
                    f"on these inputs either: {known.run_error})")
        raise invalid(str(exc)) from None
    return "the onnx checker and a run in ONNX Runtime"


class _Asked:
    """What `Original` holds, asked of the model itself, each only when validation needs it."""

    def __init__(self, proto: onnx.ModelProto, feeds: Mapping[str, np.ndarray] | None):
        self._proto, self._feeds = proto, feeds

    @functools.cached_property
    def structure_ok(self) -> bool:
        return check_structure(self._proto) is None

    @functools.cached_property
    def feeds(self) -> dict | None:
        return dict(self._feeds) if self._feeds is not None else example_feeds(self._proto)

    @functools.cached_property
    def run_error(self) -> str | None:
        try:
            run(self._proto, self.feeds)
        except TrtlabError as exc:
            return str(exc)
        return None

    @functools.cached_property
    def loads(self) -> bool:
        return load_error(self._proto) is None
