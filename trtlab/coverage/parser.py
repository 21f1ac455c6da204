"""Coverage from the real ONNX parser of TensorRT or TensorRT-RTX (it runs without a GPU)."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Model
from ..installed_tensorrt import capturing_logger, require_tensorrt
from .verdicts import CoverageReport, NodeSupport


@dataclass
class ParserPartition:
    """What `OnnxParser.supports_model_v2` said about a model."""

    supported: bool
    subgraphs: list[list[str]]  # node names of each subgraph the parser proposes
    errors: dict[str, str]  # node name -> the parser's reason
    label: str  # e.g. "TensorRT-RTX 1.7.1"
    unknown_ops: set[str]  # op types the parser has no importer for


def ask_parser(model: Model) -> ParserPartition:
    tensorrt = require_tensorrt("Coverage from the TensorRT ONNX parser")
    mod = tensorrt.module
    logger = capturing_logger(tensorrt, "ERROR")
    builder = mod.Builder(logger)
    network = builder.create_network(0)
    parser = mod.OnnxParser(network, logger)
    supported = bool(parser.supports_model_v2(model.to_bytes()))
    names = [n.name for n in model.nodes]
    subgraphs = [[names[i] for i in parser.get_subgraph_nodes(k)] for k in range(parser.num_subgraphs)]
    errors: dict[str, str] = {}
    for k in range(parser.num_errors):
        e = parser.get_error(k)
        idx = e.node()
        name = names[idx] if 0 <= idx < len(names) else e.node_name()
        desc = e.desc().strip()
        code = str(e.code()).split(".")[-1]
        where = e.func() or ""
        detail = desc if desc and desc.lower() != "false" else f"failed the parser's check {where}".strip()
        errors.setdefault(name, f"{code}: {detail}")
    unknown = {op for op in {n.op_type for n in model.nodes} if not parser.supports_operator(op)}
    return ParserPartition(supported, subgraphs, errors, tensorrt.label, unknown)


def parser_coverage(model: Model, precision: str) -> CoverageReport:
    result = ask_parser(model)
    verdicts = {}
    for n in model.nodes:
        if n.domain not in ("", "ai.onnx") or n.op_type in result.unknown_ops:
            reason = f"the {result.label} ONNX parser has no importer for {n.op_type}"
            verdicts[n.name] = NodeSupport(n.name, n.op_type, False, reason)
        elif n.name in result.errors:
            verdicts[n.name] = NodeSupport(n.name, n.op_type, False,
                                       f"rejected by the {result.label} ONNX parser ({result.errors[n.name]})")
        else:
            verdicts[n.name] = NodeSupport(n.name, n.op_type, True, f"accepted by the {result.label} ONNX parser")
    return CoverageReport("parser", precision, verdicts, detail=f"{result.label} ONNX parser")
