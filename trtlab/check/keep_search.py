"""`--keep-fp32 auto`: search for a small set of nodes to keep in fp32 so that a reduced
precision passes its tolerance.

The search starts from per-node error: each node of the converted model runs alone on the fp32
reference's values of its inputs, and the nodes where error enters (their own error out of
tolerance) come first, ranked by the error they add, then every other node by the same figure.
It keeps the first 1, 2, 4, ... of that ranking in fp32 (at int8: leaves them unquantized) until
the whole converted model passes in ONNX Runtime, then bisects between the last failing and the
first passing count: the smallest passing prefix of the ranking. It never keeps more than
`bound` of the model's nodes; where no set within it passes, it says so and gives the best set
it tried. The check then builds the engines with the set found and verifies the pass end to end.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Iterable, Mapping

import numpy as np

from ..accuracy.compare import AccuracyReport, compare
from ..accuracy.pernode import NodeErrorReport, per_node_error
from ..errors import TrtlabError, one_line
from ..model import Model
from ..precision.policy import KEPT_BY_SEARCH
from ..words import counted



@dataclass(frozen=True)
class SearchKept:
    """One node the search keeps in fp32, and the error it adds in the reduced precision on
    exact inputs (what keeping it removes at its own output)."""

    node: str
    op: str
    adds_max_abs: float | None
    adds_cosine: float | None

    def text(self) -> str:
        if self.adds_max_abs is None:
            return f"{self.node} ({self.op})"
        return (f"{self.node} ({self.op}; removes max abs {self.adds_max_abs:.3g}, cosine "
                f"{self.adds_cosine:.6g} of its own)")


@dataclass
class KeepSearch:
    precision: str
    kept: list[SearchKept] = field(default_factory=list)
    passed: bool = False  # the converted model passes in ONNX Runtime with `kept` in fp32
    bound: int = 0  # the most nodes it may keep
    nodes: int = 0  # nodes in the model
    candidates: int = 0  # nodes ranked
    tried: int = 0  # converted models run
    seconds: float = 0.0
    before: str = ""  # the transform alone without the search, in words
    after: str = ""  # with `kept` in fp32, in words
    note: str = ""
    check_before: str = ""  # the check's own verdict before the search (its reason), where a check ran it

    @property
    def names(self) -> list[str]:
        return [k.node for k in self.kept]

    def text(self) -> str:
        """One sentence for a verdict: what was kept, whether it passed, how long it took."""
        names = ", ".join(k.node for k in self.kept[:6]) + (", ..." if len(self.kept) > 6 else "")
        took = f"{self.tried} converted models tried in {self.seconds:.1f} s"
        if self.note and not self.kept:
            return f"the search kept no node: {self.note} ({took})"
        if self.passed:
            return f"{len(self.kept)} of {self.nodes} nodes kept in fp32 by the search ({names}; {took})"
        best = f"keeps {len(self.kept)} ({names})" if self.kept else "keeps none"
        return (f"no set of at most {counted(self.bound, 'node')} ({self.bound / max(self.nodes, 1):.0%} of "
                f"{self.nodes}) kept in fp32 passes; the best found {best}: {self.after} ({took})")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["kept"] = [{**asdict(k), "reason": KEPT_BY_SEARCH} for k in self.kept]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "KeepSearch":
        """A search from its `to_dict` (a check's record)."""
        names = {f.name for f in fields(cls)}
        kept = [SearchKept(k["node"], k["op"], k.get("adds_max_abs"), k.get("adds_cosine")) for k in d["kept"]]
        return cls(**{k: v for k, v in d.items() if k in names and k != "kept"}, kept=kept)

    def summary(self) -> str:
        lines = [f"Search for nodes to keep in fp32 at {self.precision}: {self.text()}",
                 f"  before: {self.before}", f"  after: {self.after}"]
        lines += [f"  {KEPT_BY_SEARCH}: {k.text()}" for k in self.kept]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<KeepSearch {self.precision}: {len(self.kept)} kept, {'passes' if self.passed else 'no pass'}>"


def search_keep_fp32(model: Model, precision: str, feeds: Mapping[str, np.ndarray],
                     reference: Mapping[str, np.ndarray], *, tolerances: Mapping | None = None,
                     fixed: Iterable[str] = (), calibration=None, bound: float = 0.1) -> KeepSearch:
    """Search `model` (fp32) for nodes to keep in fp32 at `precision`. `reference` holds the
    fp32 model's value of every tensor on `feeds`; `fixed` nodes stay fp32 throughout and are
    not counted (those the check runs outside TensorRT)."""
    start = time.perf_counter()
    fixed = set(fixed)
    run = _Runs(model, precision, feeds, reference, tolerances, fixed, calibration)
    out = KeepSearch(precision, nodes=len(model.nodes), bound=max(1, math.floor(bound * len(model.nodes))))
    try:
        base, converted = run.convert_and_compare([], keep_model=True)
    except TrtlabError as exc:
        out.note = f"the {precision} model does not run in ONNX Runtime: {one_line(exc)}"
        return _done(out, start, run)
    out.before = out.after = _words(base)
    if base.passed:
        out.passed = True
        out.note = f"the whole {precision} model passes in ONNX Runtime without keeping any node"
        return _done(out, start, run)
    values = {k: v for k, v in reference.items() if k not in model.inputs}
    nodes = per_node_error(model, converted, feeds, precision, tolerances=tolerances, reference_values=values)
    del converted
    ranked = _ranked(nodes, precision, fixed)[:out.bound]
    out.candidates = len(ranked)
    if not ranked:
        out.note = "no node of the model adds error that keeping it in fp32 would remove"
        return _done(out, start, run)
    passing = _smallest_passing_prefix(run, [k.node for k in ranked])
    count = passing if passing is not None else run.best_count()
    out.passed = passing is not None
    out.kept = ranked[:count]
    out.after = _words(run.reports[count]) if count in run.reports else ""
    return _done(out, start, run)


def _done(out: KeepSearch, start: float, run: "_Runs") -> KeepSearch:
    out.seconds = time.perf_counter() - start
    out.tried = run.tried
    return out


def _smallest_passing_prefix(run: "_Runs", names: list[str]) -> int | None:
    """Keep 1, 2, 4, ... of `names` until one passes, then bisect down to the fewest."""
    last_fail, k = 0, 1
    while True:
        k = min(k, len(names))
        if run.passes(names[:k]):
            break
        last_fail = k
        if k == len(names):
            return None
        k *= 2
    first_pass = k
    while first_pass - last_fail > 1:
        mid = (first_pass + last_fail) // 2
        if run.passes(names[:mid]):
            first_pass = mid
        else:
            last_fail = mid
    return first_pass


def _ranked(report: NodeErrorReport, precision: str, fixed: set[str]) -> list[SearchKept]:
    """Nodes where error enters (adding most first), then the rest by the error they add."""
    from ..precision.qdq import QUANTIZED_OPS
    from ..precision_registry import get

    calibrated = get(precision).calibrated

    entries = report.entry_points
    rest = sorted((n for n in report.nodes if not n.enters_here), key=lambda n: -n.added_error)
    out: dict[str, SearchKept] = {}
    for n in entries + rest:
        name = n.transformed_node or n.node
        op = n.computed_by.split(" ", 1)[0] if n.computed_by else n.op
        if name in fixed or name in out or n.local_max_abs is None and not n.enters_here:
            continue
        if calibrated and op not in QUANTIZED_OPS:
            continue  # only what was quantized can be left unquantized
        out[name] = SearchKept(name, op, n.local_max_abs, n.local_cosine)
    return list(out.values())


def _words(report: AccuracyReport) -> str:
    worst = report.worst()
    if worst is None:
        return ""
    return f"{'passes' if report.passed else 'fails'}: {worst.output}: {worst.reason}"


class _Runs:
    """The converted model with a set of nodes kept in fp32, run and compared; every run kept."""

    def __init__(self, model, precision, feeds, reference, tolerances, fixed, calibration):
        self.model, self.precision, self.feeds = model, precision, dict(feeds)
        self.reference = {k: reference[k] for k in model.outputs}
        self.tolerances, self.fixed, self.calibration = tolerances, fixed, calibration
        self.reports: dict[int, AccuracyReport] = {}
        self.tried = 0

    def convert_and_compare(self, keep: list[str], keep_model: bool = False):
        from ..ort import run_onnxruntime
        from ..precision import PrecisionPolicy, apply_precision

        policy = PrecisionPolicy(keep_fp32_nodes=set(keep) | self.fixed,
                                 node_reasons={k: KEPT_BY_SEARCH for k in keep})
        self.tried += 1
        converted = apply_precision(self.model.proto, self.precision, policy=policy,
                                    calibration=self.calibration, feeds=self.feeds)
        outputs = run_onnxruntime(converted, self.feeds, "cpu")
        report = compare(self.reference, outputs, self.precision, tolerances=self.tolerances)
        self.reports[len(keep)] = report
        return report, (converted if keep_model else None)

    def passes(self, keep: list[str]) -> bool:
        try:
            return self.convert_and_compare(keep)[0].passed
        except TrtlabError:
            return False

    def best_count(self) -> int:
        """The count of nodes kept whose run came closest to passing (fewest elements outside,
        then the highest cosine), the fewest nodes on a tie."""
        def badness(count: int):
            r = self.reports[count]
            cos = min((o.cosine for o in r.outputs if o.cosine == o.cosine), default=0.0)
            outside = sum(o.mismatched for o in r.outputs)
            return (sum(not o.passed for o in r.outputs), outside, -cos, count)

        return min(self.reports, key=badness)
