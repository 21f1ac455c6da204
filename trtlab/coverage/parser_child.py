"""Run as a script (`python parser_child.py REQUEST.json`) by `coverage.parser.ask_parser`: asks
TensorRT's ONNX parser which nodes of a model it supports, in a process of its own, and writes
the answer as JSON next to the request.

It imports the standard library and TensorRT only (not trtlab, onnx or numpy). The parser is
third-party code that can crash on a model: here a crash ends this process, not the caller's,
and TensorRT's libraries (about 100 MB resident) never load into the caller.

Request: {"package": "tensorrt_rtx", "model": PATH, "ops": [op types], "answer": PATH}; the
model's weights may be in a file next to it. Answer: {"supported", "subgraphs" (node indices),
"errors" ([index, node name, code, description, function]), "unknown_ops"}.
"""

from __future__ import annotations

import importlib
import json
import os
import sys


def ask(request: dict) -> dict:
    trt = importlib.import_module(request["package"])

    class Quiet(trt.ILogger):  # the answer carries the errors; the log would repeat them
        def __init__(self):
            trt.ILogger.__init__(self)

        def log(self, severity, msg):
            pass

    logger = Quiet()
    builder = trt.Builder(logger)
    network = builder.create_network(0)
    parser = trt.OnnxParser(network, logger)
    with open(request["model"], "rb") as f:
        data = f.read()
    supported = bool(parser.supports_model_v2(data, request["model"]))
    del data
    subgraphs = [list(parser.get_subgraph_nodes(k)) for k in range(parser.num_subgraphs)]
    errors = []
    for k in range(parser.num_errors):
        e = parser.get_error(k)
        errors.append([e.node(), e.node_name(), str(e.code()).split(".")[-1], e.desc().strip(), e.func() or ""])
    unknown = sorted(op for op in request["ops"] if not parser.supports_operator(op))
    return {"supported": supported, "subgraphs": subgraphs, "errors": errors, "unknown_ops": unknown}


def main(request_path: str) -> None:
    with open(request_path, encoding="utf-8") as f:
        request = json.load(f)
    answer = ask(request)
    part = request["answer"] + ".part"
    with open(part, "w", encoding="utf-8") as f:
        json.dump(answer, f)
    os.replace(part, request["answer"])


if __name__ == "__main__":
    main(sys.argv[1])
