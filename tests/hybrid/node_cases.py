"""The ONNX package's own backend node test cases, as (name, model proto, inputs) triples.

Read from onnx/backend/test/data/node/ (model.onnx + test_data_set_0/input_*.pb) where the
installed onnx ships that folder; the wheels on PyPI leave it out, so otherwise the same cases
are generated in memory by onnx's own case collector.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

# Ops whose output is random or depends on more than the inputs.
NONDETERMINISTIC = ("Random", "Bernoulli", "Multinomial", "Dropout")


def node_cases() -> list[tuple[str, onnx.ModelProto, list[np.ndarray]]]:
    root = Path(onnx.__file__).parent / "backend" / "test" / "data" / "node"
    if root.is_dir():
        return _from_files(root)
    return _from_collector()


def _from_files(root: Path):
    out = []
    for case in sorted(root.iterdir()):
        model_path, data = case / "model.onnx", case / "test_data_set_0"
        if not model_path.is_file() or not data.is_dir():
            continue
        inputs = []
        for pb in sorted(data.glob("input_*.pb"), key=lambda p: int(p.stem.split("_")[1])):
            tensor = onnx.TensorProto()
            tensor.ParseFromString(pb.read_bytes())
            inputs.append(numpy_helper.to_array(tensor))
        out.append((case.name, onnx.load(str(model_path)), inputs))
    return out


def _from_collector():
    from onnx.backend.test.case import node

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = node.collect_testcases(None)
    out = []
    for c in cases:
        if c.model is None or not c.data_sets:
            continue
        inputs = c.data_sets[0][0]
        if not all(isinstance(i, np.ndarray) for i in inputs):
            continue  # sequences, optionals
        out.append((c.name, c.model, list(inputs)))
    return out
