import random

import numpy as np
import pytest

import trtlab
from trtlab import zoo
from trtlab.hybrid import HybridRunner, plan_segments
from trtlab.feeds import check_feeds, random_feeds
from trtlab.ort import run_onnxruntime

from tests.models import chain_model, two_output_model
from .node_cases import NONDETERMINISTIC, node_cases, ort_reference


def max_diff(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max(float(np.abs(a[k].astype(np.float64) - b[k].astype(np.float64)).max()) for k in a)


def test_whole_model_in_trt_is_one_segment():
    m = chain_model()
    plan = trtlab.partition(m)
    runner = HybridRunner(plan, provider="cpu")
    assert [s.kind for s in runner.segments] == ["tensorrt"]
    feeds = random_feeds(m)
    assert max_diff(runner.run(feeds), run_onnxruntime(m, feeds, "cpu")) <= 1e-6


def test_forced_partition_matches_whole_model_and_labels_stand_ins():
    m = chain_model()
    plan = trtlab.partition(m, exclude_nodes=["add1", "relu3", "mm4"])
    runner = HybridRunner(plan, provider="cpu")
    kinds = [s.kind for s in runner.segments]
    assert kinds.count("tensorrt") == plan.engine_count == 4
    assert kinds.count("fallback") == 3
    assert runner.stand_ins == [s.id for s in plan.subgraphs]
    text = runner.describe()
    for s in plan.subgraphs:
        assert f"ONNX Runtime CPU (stand-in for TensorRT engine {s.id})" in text
    feeds = random_feeds(m, seed=3)
    assert max_diff(runner.run(feeds), run_onnxruntime(m, feeds, "cpu")) <= 1e-5


def test_consecutive_fallback_nodes_share_one_session():
    m = chain_model()
    # mm1, add1, relu1 form one run of fallback nodes: one segment, not three.
    plan = trtlab.partition(m, exclude_nodes=["mm1", "add1", "relu1"])
    segs = plan_segments(plan)
    fallback = [s for s in segs if s.kind == "fallback"]
    assert len(fallback) == 1 and fallback[0].nodes == ["mm1", "add1", "relu1"]
    assert fallback[0].inputs == ["relu0"] and fallback[0].outputs == ["relu1"]


def test_every_boundary_tensor_is_released_after_its_last_reader():
    m = chain_model()
    plan = trtlab.partition(m, exclude_nodes=["add1", "relu3", "mm4"])
    segs = plan_segments(plan)
    released = [t for s in segs for t in s.release]
    assert len(released) == len(set(released))
    for s in segs:
        for t in s.release:
            assert all(t not in later.inputs for later in segs[s.index + 1:])
            assert t not in m.outputs
    # The side branch reads the graph input x late: x must live until then and no longer.
    last_reader = max(s.index for s in segs if "x" in s.inputs)
    assert "x" in segs[last_reader].release


def test_feeds_are_passed_through_without_copies():
    m = chain_model()
    x = np.ones((2, 8), np.float32)
    assert check_feeds(m, {"x": x})["x"] is x


def test_bad_feeds_raise_clear_errors():
    m = chain_model()
    runner = HybridRunner(trtlab.partition(m), provider="cpu")
    with pytest.raises(trtlab.TrtlabError, match="Missing input 'x'"):
        runner.run({})
    with pytest.raises(trtlab.TrtlabError, match="shape"):
        runner.run({"x": np.ones((3, 8), np.float32)})


def test_two_outputs_and_unsupported_op():
    m = two_output_model()
    plan = trtlab.partition(m, exclude_ops=["NonZero"])
    runner = HybridRunner(plan, provider="cpu")
    assert any(s.kind == "fallback" and "nonzero" in s.nodes for s in runner.segments)
    feeds = random_feeds(m)
    out = runner.run(feeds)
    assert list(out) == ["y", "z"]
    assert max_diff(out, run_onnxruntime(m, feeds, "cpu")) <= 1e-5


def test_engines_are_used_for_their_subgraphs():
    """An engine runner is any object with run(feeds) -> dict; here one that runs the cut model
    in ONNX Runtime and counts its calls, to prove the runner routes that subgraph to it."""
    from trtlab.cut import cut_subgraph
    from trtlab.ort import make_session

    m = chain_model()
    plan = trtlab.partition(m, exclude_nodes=["relu3"])
    sub = plan.subgraphs[1]

    class CountingEngine:
        calls = 0

        def __init__(self):
            self.session = make_session(cut_subgraph(plan, sub.id), "cpu")

        def run(self, feeds):
            CountingEngine.calls += 1
            names = [o.name for o in self.session.get_outputs()]
            return dict(zip(names, self.session.run(names, feeds)))

    runner = HybridRunner(plan, engines={sub.id: CountingEngine()}, provider="cpu")
    assert runner.segments[[s.subgraph for s in runner.segments].index(sub.id)].backend == f"TensorRT engine {sub.id}"
    feeds = random_feeds(m)
    assert max_diff(runner.run(feeds), run_onnxruntime(m, feeds, "cpu")) <= 1e-5
    assert CountingEngine.calls == 1


def _tolerance(ref: np.ndarray) -> float:
    # fp32 and wider: the 1e-5 bound. fp16 outputs: a couple of fp16 ulps, since ONNX Runtime
    # fuses differently inside a cut than across the whole graph.
    if ref.dtype == np.float16:
        return 2 * float(np.finfo(np.float16).eps) * max(1.0, float(np.nanmax(np.abs(ref), initial=0)))
    return 1e-5


def _usable_cases():
    cases = []
    for name, proto, inputs in node_cases():
        if any(any(k in n.op_type for k in NONDETERMINISTIC) for n in proto.graph.node):
            continue
        try:
            m = trtlab.load(proto, name=name)
        except trtlab.TrtlabError:
            continue  # dynamic shapes
        if len(m.inputs) != len(inputs):
            continue
        cases.append((name, m, dict(zip(m.inputs, inputs))))
    return cases


@pytest.mark.slow
def test_onnx_backend_node_cases_under_random_partitions():
    """A few hundred of ONNX's own node test cases, each under a random forced partition
    (every node forced in, a random 40% excluded), against the whole model in ONNX Runtime."""
    rng = random.Random(20261121)
    cases = _usable_cases()
    multi = [c for c in cases if len(c[1].nodes) > 1]
    single = [c for c in cases if len(c[1].nodes) == 1]
    sample = rng.sample(multi, min(170, len(multi))) + rng.sample(single, min(80, len(single)))
    checked = split = bound = 0
    for name, m, feeds in sample:
        ref = ort_reference(m, feeds)
        if ref is None:
            continue  # ONNX Runtime cannot be the reference: not a partition test
        names = [n.name for n in m.nodes]
        excluded = [n for n in names if rng.random() < 0.4]
        plan = trtlab.partition(m, include_nodes=names, exclude_nodes=excluded)
        runner = HybridRunner(plan, provider="cpu")
        out = runner.run(feeds)
        for k, a in ref.items():
            b = out[k]
            assert a.dtype == b.dtype and a.shape == b.shape, (name, k)
            if a.dtype.kind in "fc":
                ok = np.isfinite(a)
                assert np.array_equal(a[~ok], b[~ok], equal_nan=True), (name, k)
                diff = np.abs(a[ok].astype(np.float64) - b[ok].astype(np.float64))
                assert diff.size == 0 or diff.max() <= _tolerance(a), (name, k, diff.max(), excluded)
            else:
                assert np.array_equal(a, b), (name, k, excluded)
        checked += 1
        split += len(runner.segments) > 1
        bound += runner.bound
    assert checked >= 200
    assert split >= 100  # most cases really ran in several pieces
    assert bound >= 120  # through the hand-overs bound once, wherever shapes are static


@pytest.mark.slow
@pytest.mark.parametrize("name", zoo.names())
def test_zoo_models_hybrid_matches_onnxruntime(name):
    try:
        m = trtlab.load(f"zoo:{name}")
    except trtlab.MissingDependency as exc:  # torch, for the zoo's PyTorch models
        pytest.skip(str(exc))
    rng = random.Random(name)
    names = [n.name for n in m.nodes]
    feeds = random_feeds(m, seed=1)
    ref = run_onnxruntime(m, feeds, "cpu")
    for excluded in ([], rng.sample(names, min(4, len(names)))):
        plan = trtlab.partition(m, exclude_nodes=excluded)
        runner = HybridRunner(plan, provider="cpu")
        assert runner.bound, name  # every zoo model has static shapes
        assert max_diff(runner.run(feeds), ref) <= 1e-5, (name, excluded)
