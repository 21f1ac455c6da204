"""Coverage from the real ONNX parser of TensorRT or TensorRT-RTX (it runs without a GPU), asked
in a process of its own (`parser_child.py`): a parser that crashes on a model ends that process,
not the caller's (a notebook's kernel), and TensorRT's libraries stay out of the caller."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import scratch
from ..errors import TrtlabError
from ..installed_tensorrt import TensorRT, require_tensorrt
from ..model import Model
from ..model_files import write_model
from ..weight_store import stores_in
from ..words import signal_name
from .verdicts import CoverageReport, NodeSupport

CHILD = Path(__file__).with_name("parser_child.py")
# Run from its file, with the scratch folder (not this package's folder) first on its path.
_RUN_CHILD = "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
TIMEOUT_S = 600.0


@dataclass
class ParserPartition:
    """What `OnnxParser.supports_model_v2` said about a model."""

    supported: bool
    subgraphs: list[list[str]]  # node names of each subgraph the parser proposes
    errors: dict[str, str]  # node name -> the parser's reason
    label: str  # e.g. "TensorRT-RTX 1.7.1"
    unknown_ops: set[str]  # op types the parser has no importer for


def ask_parser(model: Model) -> ParserPartition:
    """What the installed TensorRT's ONNX parser says of `model` (`supports_model_v2`)."""
    tensorrt = require_tensorrt("Coverage from the TensorRT ONNX parser")
    names = model.node_table.names
    answer = _ask_in_child(tensorrt, model)
    subgraphs = [[names[i] for i in nodes] for nodes in answer["subgraphs"]]
    errors: dict[str, str] = {}
    for idx, node_name, code, desc, where in answer["errors"]:
        name = names[idx] if 0 <= idx < len(names) else node_name
        detail = desc if desc and desc.lower() != "false" else f"failed the parser's check {where}".strip()
        errors.setdefault(name, f"{code}: {detail}")
    return ParserPartition(answer["supported"], subgraphs, errors, tensorrt.label, set(answer["unknown_ops"]))


def _ask_in_child(tensorrt: TensorRT, model: Model) -> dict:
    with tempfile.TemporaryDirectory(prefix="parser-", dir=scratch.folder()) as folder:
        folder = Path(folder)
        for store in stores_in(model.proto):  # weights kept in a store are read from its own file
            store.link_into(folder)
        # The weights go in a file of their own, one at a time: the parser maps them.
        write_model(model.proto, folder / "model.onnx", external_data="model.weights")
        request = {"package": tensorrt.package, "model": str(folder / "model.onnx"),
                   "ops": sorted(set(model.node_table.ops)), "answer": str(folder / "answer.json")}
        (folder / "request.json").write_text(json.dumps(request), encoding="utf-8")
        try:
            command = [sys.executable, "-c", _RUN_CHILD, str(CHILD), str(folder / "request.json")]
            done = subprocess.run(command, cwd=folder, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  errors="replace", timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise TrtlabError(f"The {tensorrt.label} ONNX parser did not answer in {TIMEOUT_S:g} s.",
                              hint="Use the op table instead (coverage 'tensorrt').") from None
        if done.returncode != 0:
            raise TrtlabError(f"The {tensorrt.label} ONNX parser {_how_it_ended(done)} on this model, so it "
                              "gave no coverage (it ran in a process of its own: nothing else was affected).",
                              hint="Use the op table instead (coverage 'tensorrt'), or report the model to "
                                   "NVIDIA with the message.")
        return json.loads((folder / "answer.json").read_text(encoding="utf-8"))


def _how_it_ended(done: subprocess.CompletedProcess) -> str:
    if done.returncode < 0:
        return f"crashed ({signal_name(-done.returncode) or f'signal {-done.returncode}'})"
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    return f"failed ({lines[-1][:300] if lines else f'exit status {done.returncode}'})"


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
