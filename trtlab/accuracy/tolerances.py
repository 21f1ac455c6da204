"""Default tolerances per precision, and why they are not Polygraphy's.

Polygraphy compares every precision against 1e-5 (absolute and relative) by default. That is a
fair bar for fp32, but fp16 keeps about 3 decimal digits (unit roundoff 4.9e-4), bf16 about 2
(3.9e-3) and int8 quantisation steps are around 1% of a tensor's range; after a few dozen layers
these errors add up, so an fp16 engine that is fine for its task fails 1e-5 everywhere and
users conclude that fp16 is broken. trtlab's defaults are a few unit roundoffs of the precision
grown by depth; change them per call (`compare(..., tolerances={"fp16": Tolerance(...)})`).

fp32 keeps 1e-5. TensorRT may use TF32 for fp32 math on Ampere and newer GPUs (10 mantissa
bits), where 1e-3 is the realistic bar; pass that explicitly when comparing such engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..errors import TrtlabError
from ..precision_registry import PRECISIONS


@dataclass(frozen=True)
class Tolerance:
    """An element passes when |actual - reference| <= atol + rtol * |reference| (numpy.allclose);
    an output passes when every element does and its cosine similarity with the reference is at
    least `min_cosine`. The cosine bar catches outputs whose values are all small (a probability
    map on an input with nothing in it): there an absolute tolerance passes anything."""

    atol: float
    rtol: float
    min_cosine: float = 0.0

    def to_dict(self) -> dict:
        return {"atol": self.atol, "rtol": self.rtol, "min_cosine": self.min_cosine}


# The numbers live with each precision in `trtlab.precision_registry`.
DEFAULT_TOLERANCES: dict[str, Tolerance] = {
    p.name: Tolerance(atol=p.atol, rtol=p.rtol, min_cosine=p.min_cosine) for p in PRECISIONS}


def tolerance_for(precision: str, tolerances: Mapping[str, Tolerance | float | tuple] | None = None) -> Tolerance:
    """The tolerance for `precision`: the user's if given (a Tolerance, one number for both, or
    an (atol, rtol) pair), else the default."""
    given = (tolerances or {}).get(precision)
    if given is None:
        if precision not in DEFAULT_TOLERANCES:
            raise TrtlabError(f"No default tolerance for precision '{precision}'.",
                              hint=f"Give one: tolerances={{'{precision}': Tolerance(atol=..., rtol=...)}}.")
        return DEFAULT_TOLERANCES[precision]
    if isinstance(given, Tolerance):
        return given
    if isinstance(given, (int, float)):
        return Tolerance(float(given), float(given))
    atol, rtol = given
    return Tolerance(float(atol), float(rtol))
