"""A plan as a record that opens anywhere: the model's graph without its weights, the coverage
of every node with its reason, the partition and the settings that made it; and back.

The graph is the normalised ONNX model (the node names every figure uses) with each initializer
of more than `KEPT_VALUES` values reduced to its name, type and shape: the drawings, the overlays
and the node details need no more, and a ResNet-50 record stays small. Reading it back needs
onnx only (no TensorRT, no ONNX Runtime, no GPU). It does not run: re-running a check needs the
model itself, which the record names by path and sha256 where it came from a file.
"""

from __future__ import annotations

import base64
import hashlib
import math
import os
import zlib
from collections import Counter
from pathlib import Path

import onnx

from .coverage import CoverageReport, NodeSupport
from .errors import TrtlabError
from .model import Model
from .plan import Fallback, Plan, Subgraph
from .settings import PartitionSettings
from .weights import light_copy

RECORD_FORMAT = 1
GRAPH_ENCODING = "onnx, zlib, base64"
KEPT_VALUES = 64  # initializers up to this many values keep them (shapes, axes, small constants)


def graph_without_weights(proto: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of `proto` whose initializers over `KEPT_VALUES` values keep their name, type and
    shape but not their data."""
    light = light_copy(proto, stubs=True)  # large weights are stubs already; `proto` is not touched
    tensors = [t if math.prod(t.dims) <= KEPT_VALUES else
               onnx.TensorProto(name=t.name, data_type=t.data_type, dims=t.dims)
               for t in light.graph.initializer]
    del light.graph.initializer[:]
    light.graph.initializer.extend(tensors)
    return light


def plan_record(plan: Plan) -> dict:
    """What `plan_from_record` needs beyond `Plan.to_dict`: the graph, every node's coverage,
    the small-block nodes and the partition settings."""
    m, c = plan.model, plan.coverage
    graph = graph_without_weights(m.proto).SerializeToString()
    return {
        "format": RECORD_FORMAT,
        "model": {"name": m.name, "source": m.source, "encoding": GRAPH_ENCODING,
                  "weights": f"left out: initializers over {KEPT_VALUES} values keep name, type and shape",
                  "sha256": hashlib.sha256(graph).hexdigest(),
                  "graph": base64.b64encode(zlib.compress(graph, 6)).decode("ascii")},
        "coverage": {"source": c.source, "precision": c.precision, "detail": c.detail,
                     "overrides": dict(c.overrides),
                     "nodes": [[v.node, v.op, v.supported, v.reason] for v in c.verdicts.values()]},
        "small_block_nodes": list(plan.small_block_nodes),
        "partition_settings": None if plan.settings is None else plan.settings.to_dict(),
    }


def model_from_record(record: dict) -> Model:
    m = record["model"]
    if m.get("encoding") != GRAPH_ENCODING:
        raise TrtlabError(f"The record's graph is encoded as {m.get('encoding')!r}, not {GRAPH_ENCODING!r}.",
                          hint="Write the record again with this version of trtlab (trtlab check --json).")
    try:
        data = zlib.decompress(base64.b64decode(m["graph"]))
    except (ValueError, zlib.error) as exc:
        raise TrtlabError(f"The record's graph is damaged ({exc}).", hint="Write the record again.") from None
    if hashlib.sha256(data).hexdigest() != m["sha256"]:
        raise TrtlabError("The record's graph does not match its sha256.", hint="Write the record again.")
    return Model(onnx.load_model_from_string(data), name=m["name"], source=m["source"])


def plan_from_record(d: dict) -> Plan:
    """The `Plan` a record holds (`d`: a check's or an inspect's JSON with its `record`)."""
    record = d.get("record")
    if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
        raise TrtlabError("This JSON holds no trtlab record of format "
                          f"{RECORD_FORMAT} (its 'record' is {type(record).__name__}).",
                          hint="Give a file written by `trtlab check --json` of this trtlab version.")
    model = model_from_record(record)
    cov = record["coverage"]
    verdicts = {n: NodeSupport(n, op, bool(ok), reason) for n, op, ok, reason in cov["nodes"]}
    coverage = CoverageReport(cov["source"], cov["precision"], verdicts, cov.get("detail", ""),
                              overrides=dict(cov.get("overrides") or {}))
    ops = {n.name: n.op_type for n in model.nodes}
    part = d["partition"]
    subgraphs = [Subgraph(s["id"], list(s["nodes"]), list(s["inputs"]), list(s["outputs"]),
                          op_counts=dict(Counter(ops[n] for n in s["nodes"])))
                 for s in part["subgraphs"]]
    fallback = [Fallback(f["name"], f["op"], f["reason"]) for f in part["fallback_nodes"]]
    ps = record.get("partition_settings")
    settings = None if ps is None else partition_settings(ps)
    return Plan(model, coverage, part["min_block_size"], subgraphs, fallback,
                list(record.get("small_block_nodes") or []), settings)


def partition_settings(d: dict) -> PartitionSettings:
    return PartitionSettings(**{k: d[k] for k in ("coverage", "min_block_size", "exclude_ops", "exclude_nodes",
                                                   "include_ops", "include_nodes") if k in d})


def model_file(source) -> dict | None:
    """The checked model's file by path, size and sha256 (read in chunks), where it was one."""
    if not isinstance(source, (str, os.PathLike)) or str(source).startswith("zoo:"):
        return None
    path = Path(source)
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return {"path": str(path.resolve()), "bytes": path.stat().st_size, "sha256": digest.hexdigest()}
