"""Tolerances: the defaults per precision, and why they are not Polygraphy's; the user's own,
per precision and per output; the rule each one applies, in words.

Polygraphy compares every precision against 1e-5 (absolute and relative) by default. That is a
fair bar for fp32, but fp16 keeps about 3 decimal digits (unit roundoff 4.9e-4), bf16 about 2
(3.9e-3) and int8 quantisation steps are around 1% of a tensor's range; after a few dozen layers
these errors add up, so an fp16 engine that is fine for its task fails 1e-5 everywhere and
users conclude that fp16 is broken. trtlab's defaults are a few unit roundoffs of the precision
grown by depth; change them per call (`compare(..., tolerances={"fp16": Tolerance(...)})`), per
output (`{"fp16:boxes": ...}`) or from the command line (`--atol fp16=0.05 --rtol 0.02`).

fp32 keeps 1e-5. TensorRT may use TF32 for fp32 math on Ampere and newer GPUs (10 mantissa
bits), where 1e-3 is the realistic bar; pass that explicitly when comparing such engines.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Mapping

from ..errors import TrtlabError
from ..precision_registry import NAMES, PRECISIONS, get

# How the error of an output is judged (Polygraphy's --check-error-stat): every element, or one
# statistic of the absolute and relative errors.
ERROR_STATS = ("elemwise", "max", "mean", "median", "quantile:Q")


def check_error_stat(stat: str) -> str:
    if stat in ERROR_STATS[:-1]:
        return stat
    if stat.startswith("quantile:"):
        try:
            q = float(stat.split(":", 1)[1])
        except ValueError:
            q = -1.0
        if 0.0 <= q <= 1.0:
            return stat
    raise TrtlabError(f"Unknown error statistic {stat!r}.",
                      hint="Use elemwise, max, mean, median or quantile:Q with Q between 0 and 1 (quantile:0.99).")


@dataclass(frozen=True)
class Tolerance:
    """`elemwise` (the default): an element passes when |actual - reference| <= atol + rtol *
    |reference| (numpy.allclose), an output when every element does. `max`, `mean`, `median`,
    `quantile:Q`: the output passes when that statistic of the absolute error is within atol or
    the same statistic of the relative error (|actual - reference| / |reference|) within rtol, as
    Polygraphy's --check-error-stat does. Either way the output's cosine similarity with the
    reference must be at least `min_cosine`: the cosine bar catches outputs whose values are all
    small (a probability map on an input with nothing in it), where an absolute tolerance passes
    anything."""

    atol: float
    rtol: float
    min_cosine: float = 0.0
    error_stat: str = "elemwise"

    def __post_init__(self):
        check_error_stat(self.error_stat)

    @property
    def quantile(self) -> float | None:
        """Q of `quantile:Q`, else None."""
        return float(self.error_stat.split(":", 1)[1]) if self.error_stat.startswith("quantile:") else None

    def rule(self) -> str:
        """The rule in words, as reasons state it."""
        if self.error_stat == "elemwise":
            return f"atol {self.atol:g} + rtol {self.rtol:g}·|ref|"
        stat = stat_name(self.error_stat)
        return f"{stat} abs error ≤ atol {self.atol:g} or {stat} rel error ≤ rtol {self.rtol:g}"

    def text(self) -> str:
        """The whole setting, e.g. for the settings line of a report."""
        how = "element-wise" if self.error_stat == "elemwise" else f"error stat {self.error_stat}"
        return f"{how}, {self.rule()}, cosine ≥ {self.min_cosine:g}"

    def to_dict(self) -> dict:
        return {"atol": self.atol, "rtol": self.rtol, "min_cosine": self.min_cosine, "error_stat": self.error_stat}


# The numbers live with each precision in `trtlab.precision_registry`.
DEFAULT_TOLERANCES: dict[str, Tolerance] = {
    p.name: Tolerance(atol=p.atol, rtol=p.rtol, min_cosine=p.min_cosine) for p in PRECISIONS}


def stat_name(stat: str) -> str:
    return f"p{100 * float(stat.split(':', 1)[1]):g}" if stat.startswith("quantile:") else stat


def tolerance_for(precision: str, tolerances: Mapping[str, Tolerance | float | tuple] | None = None,
                  output: str | None = None) -> Tolerance:
    """The tolerance of `precision` (for `output`, where one is set for it): the user's if given
    (a Tolerance, one number for both atol and rtol, or an (atol, rtol) pair; keyed by precision,
    or by "precision:output"), else the default."""
    given = tolerances or {}
    value = given.get(f"{precision}:{output}") if output is not None else None
    value = given.get(precision) if value is None else value
    if value is None:
        if precision not in DEFAULT_TOLERANCES:
            raise TrtlabError(f"No default tolerance for precision '{precision}'.",
                              hint=f"Give one: tolerances={{'{precision}': Tolerance(atol=..., rtol=...)}}.")
        return DEFAULT_TOLERANCES[precision]
    if isinstance(value, Tolerance):
        return value
    base = DEFAULT_TOLERANCES.get(precision, Tolerance(0.0, 0.0))
    if isinstance(value, (int, float)):
        return replace(base, atol=float(value), rtol=float(value))
    atol, rtol = value
    return replace(base, atol=float(atol), rtol=float(rtol))


@dataclass(frozen=True)
class Override:
    """One `[PRECISION=][OUTPUT:]VALUE` of --atol, --rtol or --min-cosine."""

    field: str  # atol, rtol or min_cosine
    value: float
    precision: str | None = None  # None: every reduced precision
    output: str | None = None  # None: every output


def parse_override(field: str, text: str) -> Override:
    """`[PRECISION=][OUTPUT:]VALUE`, or one clear error that shows the form."""
    flag = "--" + field.replace("_", "-")
    precision, rest = None, text
    head, eq, tail = text.partition("=")
    if eq and head in NAMES:
        precision, rest = head, tail
    output, colon, number = rest.rpartition(":")
    if not colon:
        output, number = None, rest
    try:
        value = float(number)
    except ValueError:
        raise TrtlabError(f"{flag} {text!r}: {number!r} is not a number.",
                          hint=f"Write {flag} [PRECISION=][OUTPUT:]VALUE, e.g. {flag} 0.05, {flag} fp16=0.05 "
                               f"or {flag} fp16=boxes:0.05.") from None
    if not value >= 0 or value == float("inf") or (field == "min_cosine" and value > 1):
        raise TrtlabError(f"{flag} {text!r}: the value must be a finite number"
                          f"{' between 0 and 1' if field == 'min_cosine' else ' of at least 0'}.")
    if output == "":
        raise TrtlabError(f"{flag} {text!r}: the output name before ':' is empty.")
    return Override(field, value, precision, output)


def with_overrides(precisions: Iterable[str], overrides: Iterable[Override] = (),
                   error_stat: str = "elemwise") -> dict[str, Tolerance]:
    """The tolerances of `precisions` with the user's overrides applied: keys are precisions and
    "precision:output" where an output has its own. An override without a precision applies to
    every reduced precision (not fp32); a per-output one starts from its precision's tolerance."""
    check_error_stat(error_stat)
    precisions = list(precisions)
    overrides = list(overrides)
    unknown = [o.precision for o in overrides if o.precision is not None and o.precision not in precisions]
    if unknown:
        raise TrtlabError(f"A tolerance is given for {unknown[0]}, which is not checked.",
                          hint=f"Check it too (--precision ... {unknown[0]}) or drop that tolerance.")
    out: dict[str, Tolerance] = {}

    def applies(o: Override, p: str) -> bool:
        return o.precision == p or (o.precision is None and get(p).reduced)

    for p in precisions:
        tol = replace(tolerance_for(p), error_stat=error_stat)
        for o in overrides:
            if o.output is None and applies(o, p):
                tol = replace(tol, **{o.field: o.value})
        out[p] = tol
        for name in dict.fromkeys(o.output for o in overrides if o.output is not None and applies(o, p)):
            own = tol
            for o in overrides:
                if o.output == name and applies(o, p):
                    own = replace(own, **{o.field: o.value})
            out[f"{p}:{name}"] = own
    return out


def tolerances_dict(precisions: Iterable[str], tolerances: Mapping | None) -> dict:
    """What each precision is judged by, as JSON: {precision: {atol, rtol, min_cosine,
    error_stat, outputs: {name: {...}}}}."""
    given = tolerances or {}
    out = {}
    for p in precisions:
        try:
            d = tolerance_for(p, given).to_dict()
        except TrtlabError:
            continue
        own = {k.split(":", 1)[1]: tolerance_for(p, given, k.split(":", 1)[1]).to_dict()
               for k in given if k.startswith(p + ":")}
        if own:
            d["outputs"] = own
        out[p] = d
    return out


def tolerances_from_dict(d: Mapping | None) -> dict[str, Tolerance] | None:
    """The tolerances `tolerances_dict` wrote, as `tolerance_for` reads them (None for none)."""
    if not d:
        return None
    out = {}
    for p, t in d.items():
        own = t.get("outputs") or {}
        out[p] = Tolerance(**{k: v for k, v in t.items() if k != "outputs"})
        out.update((f"{p}:{name}", Tolerance(**o)) for name, o in own.items())
    return out


def tolerances_text(precisions: Iterable[str], tolerances: Mapping | None) -> list[str]:
    """One line per precision (and per output with its own), as the text and reports show them."""
    given = tolerances or {}
    lines = []
    for p in precisions:
        try:
            lines.append(f"{p}: {tolerance_for(p, given).text()}")
        except TrtlabError:
            continue
        for k in given:
            if k.startswith(p + ":"):
                name = k.split(":", 1)[1]
                lines.append(f"{p} output {name}: {tolerance_for(p, given, name).text()}")
    return lines
