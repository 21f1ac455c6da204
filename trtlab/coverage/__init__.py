"""Which nodes TensorRT may take, and why not, from a selectable source plus user overrides.

Sources:
- ``parser``: the installed TensorRT or TensorRT-RTX ONNX parser (runs on CPU).
- ``tensorrt``: a static table built from the onnx-tensorrt support matrix, per precision.
- ``mxnet-1.3``: the short operator list of the MXNet 1.3 TensorRT integration, for teaching.
"""

from __future__ import annotations

from ..errors import TrtlabError
from ..model import Model
from ..precision_registry import check_precision
from ..settings import SOURCES, PartitionSettings, check_source  # noqa: F401 (re-exported)
from .verdicts import CoverageReport, NodeSupport


def coverage(model: Model, source: "str | PartitionSettings" = "tensorrt", precision: str = "fp32",
             **overrides) -> CoverageReport:
    """Decide each node of `model`: `source` is a coverage source name or a `PartitionSettings`
    (whose overrides then apply); keyword overrides (``exclude_ops=``, ``exclude_nodes=``,
    ``include_ops=``, ``include_nodes=``) are the short way to give them."""
    settings = as_settings(source, **overrides)
    check_precision(precision)
    return apply_overrides(_base_verdicts(model, settings.coverage, precision), model, settings)


def as_settings(source: "str | PartitionSettings", **overrides) -> PartitionSettings:
    """A `PartitionSettings` from a source name and keyword overrides, or the one given."""
    if isinstance(source, PartitionSettings):
        return source.replace(**overrides) if overrides else source
    return PartitionSettings(coverage=source, **overrides)


def _base_verdicts(model: Model, source: str, precision: str) -> CoverageReport:
    if source == "tensorrt":
        from .table import table_coverage

        return table_coverage(model, precision)
    if source == "mxnet-1.3":
        from .mxnet13 import mxnet13_coverage

        return mxnet13_coverage(model, precision)
    from .parser import parser_coverage

    return parser_coverage(model, precision)


def apply_overrides(base: CoverageReport, model: Model, settings: PartitionSettings) -> CoverageReport:
    """`base` (a source's own verdicts) with the user's overrides in `settings` applied."""
    exclude_ops, exclude_nodes = settings.exclude_ops, settings.exclude_nodes
    include_ops, include_nodes = settings.include_ops, settings.include_nodes
    unknown = (exclude_nodes | include_nodes) - set(model.node_by_name)
    if unknown:
        raise TrtlabError(f"No node named {', '.join(sorted(map(repr, unknown)))} in the model.",
                          hint="Use the node names that `trtlab inspect --json` prints.")
    if not settings.has_overrides:
        return base
    out: dict[str, NodeSupport] = {}
    for name, v in base.verdicts.items():
        if name in exclude_nodes:
            v = NodeSupport(name, v.op, False, "excluded by user (node)")
        elif v.op in exclude_ops:
            v = NodeSupport(name, v.op, False, f"excluded by user (op type {v.op})")
        elif not v.supported and (name in include_nodes or v.op in include_ops):
            v = NodeSupport(name, v.op, True, f"forced in by user (source said: {v.reason})")
        out[name] = v
    return CoverageReport(base.source, base.precision, out, base.detail, overrides=settings.overrides())
