"""The ONNX package's own backend node test cases, as (name, model proto, inputs) triples.

Read from onnx/backend/test/data/node/ (model.onnx + test_data_set_0/input_*.pb) where the
installed onnx ships that folder; the wheels on PyPI leave it out, so otherwise the same cases
are generated in memory by onnx's own case collector.

New onnx releases add cases that the installed ONNX Runtime cannot run; `ort_reference` tries
each case in ONNX Runtime and says which can serve as a reference for a partitioned run.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

import trtlab
from trtlab.cut import cut_nodes
from trtlab.ort import make_session, run_onnxruntime

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


def ort_reference(model: trtlab.Model, feeds: dict) -> dict[str, np.ndarray] | None:
    """The whole model's outputs from ONNX Runtime CPU, or None where ONNX Runtime cannot
    serve as the reference of a partitioned run.

    That is: it cannot run the whole model, or it cannot run one of the model's control-flow
    nodes (If, Loop, Scan) in a model of its own, fed the values it reads. The second happens
    when a body's output shapes are only known from constants computed outside the body
    (onnxruntime >= 1.32 refuses such a Scan once those constants arrive as inputs).
    """
    try:
        ref = run_onnxruntime(model, feeds, "cpu")
    except trtlab.TrtlabError:
        return None
    if not all(isinstance(v, np.ndarray) for v in ref.values()):
        return None  # sequences, maps
    control_flow = [n for n in model.nodes
                    if any(a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)
                           for a in n.attribute)]
    if not control_flow:
        return ref
    values = _every_value(model, feeds)
    if values is None:
        return None
    for node in control_flow:
        cut = cut_nodes(model, [node.name])
        try:
            session = make_session(cut, "cpu")
            session.run(None, {i.name: values[i.name] for i in cut.graph.input})
        except Exception:
            return None
    return ref


def _every_value(model: trtlab.Model, feeds: dict) -> dict[str, np.ndarray] | None:
    """Every tensor the model computes, from one ONNX Runtime run."""
    proto = onnx.ModelProto()
    proto.CopyFrom(model.proto)
    have = {o.name for o in proto.graph.output}
    for node in proto.graph.node:
        proto.graph.output.extend(helper.make_empty_tensor_value_info(t)
                                  for t in node.output if t and t not in have)
    try:
        session = make_session(proto, "cpu")
        names = [o.name for o in session.get_outputs()]
        return {**feeds, **dict(zip(names, session.run(names, dict(feeds))))}
    except Exception:
        return None
