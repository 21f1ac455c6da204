"""Polygraphy-style comparison of two sets of outputs, output by output: the figures, the
verdict against the tolerance and the sentence that says why (see `reasons`)."""

from __future__ import annotations

import json
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from types import SimpleNamespace
from typing import Mapping, Sequence

import numpy as np

from .. import display
from ..errors import TrtlabError
from ..profiles import shapes_text
from .reasons import output_reason
from .tolerances import Tolerance, tolerance_for

NAN = float("nan")
# A reference whose largest magnitude is below this has no direction to compare (logits of
# 1e-45 from a default-initialised model): cosine is undefined and the verdict rests on atol.
ZERO_NORM = 1e-30


@dataclass(frozen=True)
class OutputComparison:
    output: str
    precision: str
    shape: list[int]
    max_abs: float  # NaN where the output has NaN or infinity (`nonfinite`)
    mean_abs: float
    max_rel: float  # max abs error / the largest magnitude of the fp32 output (the output's scale)
    mean_rel: float  # mean abs error / the same scale
    cosine: float  # NaN where undefined: NaN in the output, or a reference of essentially zero norm
    top1_agree: float | None  # share of rows whose arg-max class agrees; None unless class scores
    min_atol: float  # smallest atol that passes with this rtol (elemwise), or the statistic itself
    min_rtol: float  # smallest rtol that passes with this atol (elemwise), or the statistic itself
    atol: float
    rtol: float
    passed: bool
    mismatched: int = 0  # elements outside the tolerance
    note: str = ""
    min_cosine: float = 0.0
    error_stat: str = "elemwise"
    size: int = 0  # elements compared
    fraction_outside: float = 0.0  # mismatched / size
    p50_abs: float = 0.0  # quantiles of the absolute error
    p99_abs: float = 0.0
    p999_abs: float = 0.0
    worst_index: list[int] | None = None  # where the largest error is
    nonfinite: int = 0  # NaN or infinite elements in the output
    decided_by: str = ""  # what failed it: "nonfinite", "elements", "statistic", "cosine"; "" on a pass
    reason: str = ""  # the sentence: the rule, how much is outside, the tolerance that would pass

    @property
    def tolerance(self) -> Tolerance:
        return Tolerance(self.atol, self.rtol, self.min_cosine, self.error_stat)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class AccuracyReport:
    precision: str
    outputs: list[OutputComparison] = field(default_factory=list)
    label: str = ""  # what was compared with what, in words
    shapes: Mapping[str, Sequence[int]] = field(default_factory=dict)  # the input shapes it ran at
    profile: int | None = None  # over optimisation profiles: the profile's number (from 0) it ran in
    point: str = ""  # and which of its points: "min", "opt" or "max"

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outputs)

    def worst(self) -> OutputComparison | None:
        """The output the verdict rests on: a failing one (NaN first, then the furthest out), or
        the closest to its bar."""
        if not self.outputs:
            return None
        order = {"nonfinite": 0, "cosine": 2}
        return min(self.outputs, key=lambda o: (o.passed, order.get(o.decided_by, 1), -_used(o)))

    def to_dict(self) -> dict:
        return {"precision": self.precision, "label": self.label, "passed": self.passed,
                "shapes": {k: list(v) for k, v in self.shapes.items()}, **self.where(),
                "outputs": [o.to_dict() for o in self.outputs]}

    def where(self) -> dict:
        """{"profile", "point"} over optimisation profiles; {} otherwise."""
        return {} if self.profile is None else {"profile": self.profile, "point": self.point}

    def at_text(self) -> str:
        """"with inputs x 1x3x8x8 (profile 1, min)": the shapes it ran at, in words."""
        at = shapes_text(self.shapes)
        where = f" (profile {self.profile + 1}, {self.point})" if self.profile is not None else ""
        return f"with inputs {at}{where}" if at else ""

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), **kw)

    def summary(self) -> str:
        at = self.at_text()
        lines = [f"Accuracy at {self.precision}{' (' + self.label + ')' if self.label else ''}"
                 f"{' ' + at if at else ''}: "
                 f"{'PASS' if self.passed else 'FAIL'}"]
        lines += [f"  {o.output}: {'pass' if o.passed else 'FAIL'}: {o.reason}" for o in self.outputs]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<AccuracyReport {self.precision}: {'pass' if self.passed else 'FAIL'}, {len(self.outputs)} outputs>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return display.mimebundle(self)


def _used(o: OutputComparison) -> float:
    """How much of its atol an output uses (its smallest passing atol over the atol)."""
    return o.min_atol / o.atol if o.atol > 0 and o.min_atol == o.min_atol else float("inf")


def compare(reference: Mapping[str, np.ndarray], actual: Mapping[str, np.ndarray], precision: str = "fp32",
            *, tolerances: Mapping | None = None, label: str = "") -> AccuracyReport:
    """Compare `actual` outputs with `reference` ones (same names), against the tolerance of
    `precision` and of each output where it has its own (see `trtlab.accuracy.tolerances`)."""
    missing = [k for k in reference if k not in actual]
    if missing:
        raise TrtlabError(f"Outputs {', '.join(map(repr, missing))} are missing from the results compared.")
    rows, skipped = [], []
    for k in reference:
        ref, act, why = comparable(reference[k]), comparable(actual[k]), ""
        if ref is None or act is None:
            skipped.append(f"{k} not compared: {_kind(reference[k])} holds no numbers to compare")
            continue
        rows.append(compare_arrays(k, ref, act, precision, tolerance_for(precision, tolerances, k)))
    return AccuracyReport(precision, rows, "; ".join([label] * bool(label) + skipped))


def comparable(value) -> np.ndarray | None:
    """An output as an array of numbers: a tensor as it is; a map's values in key order; a
    sequence of tensors or of maps (skl2onnx's ZipMap: one {class: probability} per row) stacked.
    None where that cannot be done (strings, maps whose keys differ, ragged sequences)."""
    try:
        if isinstance(value, np.ndarray):
            return value if value.dtype.kind in "biufc" else None
        if isinstance(value, dict):
            return np.asarray([value[k] for k in sorted(value)], dtype=np.float64)
        if isinstance(value, (list, tuple)):
            parts = [comparable(v) for v in value]
            if any(p is None for p in parts) or len({p.shape for p in parts}) > 1:
                return None
            if all(isinstance(v, dict) for v in value) and len({tuple(sorted(v)) for v in value}) > 1:
                return None
            return np.stack(parts) if parts else np.zeros((0,))
        return np.asarray(value) if np.isscalar(value) else None
    except (TypeError, ValueError):
        return None


def _kind(value) -> str:
    if isinstance(value, (list, tuple)):
        return "a sequence" + (" of maps" if value and isinstance(value[0], dict) else "")
    if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        return "a string tensor"  # a classifier's text labels (skl2onnx's output_label)
    return "a map" if isinstance(value, dict) else f"a {type(value).__name__}"


def compare_arrays(name: str, reference: np.ndarray, actual: np.ndarray, precision: str,
                   tol: Tolerance) -> OutputComparison:
    ref = np.asarray(reference)
    act = np.asarray(actual)
    if ref.shape != act.shape:
        raise TrtlabError(f"Output '{name}' has shape {act.shape}, the reference {ref.shape}.")
    r = ref.astype(np.float64).ravel()
    a = act.astype(np.float64).ravel()
    n = int(r.size)
    # The figures are worked out on a mutable copy of the (frozen) row's fields.
    o = SimpleNamespace(**{f.name: f.default for f in fields(OutputComparison) if f.default is not MISSING})
    o.__dict__.update(output=name, precision=precision, shape=list(ref.shape), max_abs=0.0, mean_abs=0.0,
                      max_rel=0.0, mean_rel=0.0, cosine=1.0, top1_agree=_top1(ref, act), min_atol=0.0,
                      min_rtol=0.0, atol=tol.atol, rtol=tol.rtol, passed=True, min_cosine=tol.min_cosine,
                      error_stat=tol.error_stat, size=n)
    o.nonfinite = int((~np.isfinite(a)).sum())
    if o.nonfinite or not np.isfinite(r).all():
        # NaN or infinity fails whatever the tolerance, even where the reference has it too (a
        # model with NaN weights would otherwise compare equal to itself); no figure means
        # anything then, so none is given.
        _no_figures(o, a, r)
    elif n:
        _figures(o, r, a, tol)
    row = OutputComparison(**vars(o))
    return replace(row, reason=output_reason(row))


def _no_figures(o: SimpleNamespace, a: np.ndarray, r: np.ndarray) -> None:
    for f in ("max_abs", "mean_abs", "max_rel", "mean_rel", "cosine", "min_atol", "min_rtol",
              "p50_abs", "p99_abs", "p999_abs", "fraction_outside"):
        setattr(o, f, NAN)
    o.top1_agree = None
    o.passed, o.decided_by = False, "nonfinite"
    o.mismatched = int((~np.isfinite(a)).sum()) or int((~np.isfinite(r)).sum())
    o.note = ("NaN in output" if np.isnan(a).any() else "infinity in output" if o.nonfinite
              else "NaN or infinity in the fp32 reference")


def _figures(o: SimpleNamespace, r: np.ndarray, a: np.ndarray, tol: Tolerance) -> None:
    n = r.size
    diff = np.abs(a - r)
    mag = np.abs(r)
    worst = int(np.argmax(diff))
    o.max_abs, o.mean_abs = float(diff[worst]), float(diff.mean())
    o.p50_abs, o.p99_abs, o.p999_abs = (float(v) for v in np.quantile(diff, [0.5, 0.99, 0.999]))
    o.worst_index = [int(i) for i in np.unravel_index(worst, o.shape)] if o.shape else []
    # Relative error is relative to the output's scale (its largest magnitude in fp32): one
    # definition everywhere. Element by element, a near-zero reference makes any error huge.
    scale = float(mag.max())
    o.max_rel = o.max_abs / scale if scale > 0 else (0.0 if o.max_abs == 0 else float("inf"))
    o.mean_rel = o.mean_abs / scale if scale > 0 else o.max_rel
    bad = diff > tol.atol + tol.rtol * mag
    o.mismatched, o.fraction_outside = int(bad.sum()), float(bad.sum() / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(diff == 0, 0.0, diff / mag)  # element by element, as rtol means it
    if tol.error_stat == "elemwise":
        o.min_atol = float(max((diff - tol.rtol * mag).max(), 0.0))
        over = diff > tol.atol
        with np.errstate(divide="ignore"):
            o.min_rtol = float(((diff[over] - tol.atol) / mag[over]).max()) if over.any() else 0.0
        elements_ok = not bad.any()
    else:
        o.min_atol, o.min_rtol = _stat(diff, tol), _stat(rel, tol)
        elements_ok = o.min_atol <= tol.atol or o.min_rtol <= tol.rtol
    if scale < ZERO_NORM:
        o.cosine = NAN  # no direction to compare: the verdict rests on the absolute tolerance
        o.note = "reference essentially zero (largest |ref| {:.3g}): cosine undefined".format(scale)
        cosine_ok = True
    else:
        o.cosine = _cosine(r, a)
        cosine_ok = o.cosine >= tol.min_cosine
    o.passed = elements_ok and cosine_ok
    o.decided_by = "" if o.passed else ("cosine" if elements_ok else
                                         "elements" if tol.error_stat == "elemwise" else "statistic")


def _stat(values: np.ndarray, tol: Tolerance) -> float:
    if tol.error_stat == "max":
        return float(values.max())
    if tol.error_stat == "mean":
        return float(values.mean())
    if tol.error_stat == "median":
        return float(np.median(values))
    return float(np.quantile(values, tol.quantile))


def _cosine(r: np.ndarray, a: np.ndarray) -> float:
    nr, na = float(np.linalg.norm(r)), float(np.linalg.norm(a))
    if na == 0:
        return 0.0  # the reference points somewhere, the output nowhere
    return float(np.dot(r, a) / (nr * na))


def _top1(ref: np.ndarray, act: np.ndarray) -> float | None:
    """Class scores: a 2-D float output (rows x classes) with more than one class."""
    if ref.ndim != 2 or ref.shape[1] < 2 or ref.dtype.kind != "f":
        return None
    return float(np.mean(np.argmax(ref, axis=1) == np.argmax(act, axis=1)))
