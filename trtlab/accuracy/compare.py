"""Polygraphy-style comparison of two sets of outputs, output by output."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Mapping

import numpy as np

from .. import display
from ..errors import TrtlabError
from .tolerances import Tolerance, tolerance_for


@dataclass(frozen=True)
class OutputComparison:
    output: str
    precision: str
    shape: list[int]
    max_abs: float
    mean_abs: float
    max_rel: float  # max abs error / the largest magnitude of the fp32 output (the output's scale)
    mean_rel: float  # mean abs error / the same scale
    cosine: float
    top1_agree: float | None  # share of rows whose arg-max class agrees; None unless class scores
    min_atol: float  # smallest atol that passes with rtol = 0
    min_rtol: float  # smallest rtol that passes with atol = 0
    atol: float
    rtol: float
    passed: bool
    mismatched: int = 0  # elements outside the tolerance
    note: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class AccuracyReport:
    precision: str
    outputs: list[OutputComparison] = field(default_factory=list)
    label: str = ""  # what was compared with what, in words

    @property
    def passed(self) -> bool:
        return all(o.passed for o in self.outputs)

    def to_dict(self) -> dict:
        return {"precision": self.precision, "label": self.label, "passed": self.passed,
                "outputs": [o.to_dict() for o in self.outputs]}

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), **kw)

    def summary(self) -> str:
        lines = [f"Accuracy at {self.precision}{' (' + self.label + ')' if self.label else ''}: "
                 f"{'PASS' if self.passed else 'FAIL'}"]
        for o in self.outputs:
            top1 = "" if o.top1_agree is None else f", top-1 agreement {o.top1_agree:.1%}"
            lines.append(f"  {o.output}: max abs {o.max_abs:.3g}, max rel {o.max_rel:.3g}, "
                         f"cosine {o.cosine:.6f}{top1}; would pass with atol {o.min_atol:.3g} or "
                         f"rtol {o.min_rtol:.3g}; tolerance atol {o.atol:g} rtol {o.rtol:g}: "
                         f"{'pass' if o.passed else f'FAIL ({o.mismatched} elements out)'}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<AccuracyReport {self.precision}: {'pass' if self.passed else 'FAIL'}, {len(self.outputs)} outputs>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return display.mimebundle(self)


def compare(reference: Mapping[str, np.ndarray], actual: Mapping[str, np.ndarray], precision: str = "fp32",
            *, tolerances: Mapping | None = None, label: str = "") -> AccuracyReport:
    """Compare `actual` outputs with `reference` ones (same names), against the tolerance of
    `precision` (see `trtlab.accuracy.tolerances`)."""
    missing = [k for k in reference if k not in actual]
    if missing:
        raise TrtlabError(f"Outputs {', '.join(map(repr, missing))} are missing from the results compared.")
    tol = tolerance_for(precision, tolerances)
    return AccuracyReport(precision, [compare_arrays(k, reference[k], actual[k], precision, tol)
                                      for k in reference], label)


def compare_arrays(name: str, reference: np.ndarray, actual: np.ndarray, precision: str,
                   tol: Tolerance) -> OutputComparison:
    ref = np.asarray(reference)
    act = np.asarray(actual)
    if ref.shape != act.shape:
        raise TrtlabError(f"Output '{name}' has shape {act.shape}, the reference {ref.shape}.")
    r = ref.astype(np.float64).ravel()
    a = act.astype(np.float64).ravel()
    note = ""
    both_nan = np.isnan(r) & np.isnan(a)
    same_inf = np.isinf(r) & (r == a)
    special = both_nan | same_inf
    diff = np.where(special, 0.0, np.abs(a - r))
    if np.isnan(diff).any():
        note = "NaN or infinity where the reference has none"
        diff = np.where(np.isnan(diff), np.inf, diff)
    mag = np.abs(np.where(special, 0.0, r))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(diff == 0, 0.0, diff / mag)
    n = max(r.size, 1)
    max_abs = float(diff.max()) if r.size else 0.0
    # Relative error is relative to the output's scale (its largest magnitude in fp32): one
    # definition everywhere. Element by element, a near-zero reference makes any error huge.
    finite_mag = mag[np.isfinite(mag)]
    scale = float(finite_mag.max()) if finite_mag.size else 0.0
    max_rel = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else float("inf"))
    bad = diff > tol.atol + tol.rtol * mag
    nonfinite = int((~np.isfinite(a)).sum())
    if nonfinite:
        # NaN or infinity in an output fails whatever the tolerance, even where the reference has
        # it too (a model with NaN weights would otherwise compare equal to itself).
        note = f"{nonfinite} NaN or infinite value(s) in the output"
        bad = bad | ~np.isfinite(a)
    cosine = _cosine(np.where(special, 0.0, r), np.where(special, 0.0, a))
    off_direction = bool(scale > 0 and np.isfinite(cosine) and cosine < tol.min_cosine)
    if off_direction and not bad.any():
        note = note or f"cosine {cosine:.4f} under {tol.min_cosine:g}, though every element is within the tolerance"
    return OutputComparison(
        output=name, precision=precision, shape=list(ref.shape),
        max_abs=max_abs, mean_abs=float(diff.sum() / n), max_rel=max_rel,
        mean_rel=float(diff.sum() / n) / scale if scale > 0 else max_rel,
        cosine=cosine,
        top1_agree=_top1(ref, act), min_atol=max_abs, min_rtol=float(rel.max()) if r.size else 0.0,
        atol=tol.atol, rtol=tol.rtol, passed=not bad.any() and not off_direction, mismatched=int(bad.sum()),
        note=note)


def _cosine(r: np.ndarray, a: np.ndarray) -> float:
    finite = np.isfinite(r) & np.isfinite(a)
    r, a = r[finite], a[finite]
    nr, na = float(np.linalg.norm(r)), float(np.linalg.norm(a))
    if nr == 0 and na == 0:
        return 1.0
    if nr == 0 or na == 0:
        return 0.0
    return float(np.dot(r, a) / (nr * na))


def _top1(ref: np.ndarray, act: np.ndarray) -> float | None:
    """Class scores: a 2-D float output (rows x classes) with more than one class."""
    if ref.ndim != 2 or ref.shape[1] < 2 or ref.dtype.kind != "f":
        return None
    return float(np.mean(np.argmax(ref, axis=1) == np.argmax(act, axis=1)))
