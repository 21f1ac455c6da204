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
    return apply_overrides(_typed_for_tensorrt(_base_verdicts(model, settings.coverage, precision), model),
                           model, settings)


def _typed_for_tensorrt(base: CoverageReport, model: Model) -> CoverageReport:
    """`base`, with every node that reads or writes what no TensorRT tensor can hold (a string
    tensor, a sequence, a map) falling back, whatever the source said of its op: the parser
    fails on the engine's inputs otherwise ("Failed to convert ONNX data type")."""
    # Read from the node table and the tensors' types: a long graph is not walked as protobuf.
    types, nodes, verdicts = model.tensor_types, model.node_table, base.verdicts
    changed = {}
    for name, inputs, outputs in zip(nodes.names, nodes.inputs, nodes.outputs):
        v = verdicts.get(name)
        if v is None or not v.supported:
            continue
        for t in inputs + outputs:
            if not t:
                continue
            info = types.get(t)  # (dtype, shape, data dependent)
            if info is not None and info[0] in ("string", "object"):  # numpy names ONNX strings object
                why = f"'{t}' is a string tensor: TensorRT has no string type"
            elif info is None and _kind(model, t) not in (None, "tensor_type"):
                why = f"'{t}' is a {_kind(model, t).replace('_type', '')}, not a tensor: TensorRT takes tensors only"
            else:
                continue
            changed[name] = NodeSupport(name, v.op, False, why)
            break
    if not changed:
        return base
    return CoverageReport(base.source, base.precision, {**base.verdicts, **changed}, base.detail, base.overrides)


def _kind(model: Model, tensor: str) -> str | None:
    """What a value info declares `tensor` to be ("tensor_type", "sequence_type", ...), or None."""
    vi = model.value_infos.get(tensor)
    return vi.type.WhichOneof("value") if vi is not None else None


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
    named = exclude_nodes | include_nodes
    unknown = named - model.index.keys() if named else set()
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
