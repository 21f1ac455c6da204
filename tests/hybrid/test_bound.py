import threading

import numpy as np
import pytest

import trtlab
from trtlab.hybrid import HybridRunner
from trtlab.feeds import random_feeds
from trtlab.ort import run_onnxruntime

from tests.models import chain_model, two_output_model


def _max_diff(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max(float(np.abs(a[k] - b[k]).max()) for k in a)


def _forced():
    m = chain_model()
    return m, HybridRunner(trtlab.partition(m, exclude_nodes=["add1", "relu3", "mm4"]), provider="cpu")


def test_static_chain_is_bound_and_matches_the_whole_model():
    m, runner = _forced()
    assert runner.bound and "bound once" in runner.describe()
    for seed in range(3):
        feeds = random_feeds(m, seed=seed)
        assert _max_diff(runner.run(feeds), run_onnxruntime(m, feeds, "cpu")) <= 1e-5


def test_each_run_returns_new_arrays():
    m, runner = _forced()
    first = runner.run(random_feeds(m, seed=1))
    kept = {k: v.copy() for k, v in first.items()}
    second = runner.run(random_feeds(m, seed=2))
    assert all(first[k] is not second[k] for k in first)
    assert _max_diff(first, kept) == 0.0  # the second run did not write into the first's results
    assert _max_diff(first, second) > 0.0


def test_data_dependent_shapes_take_the_plain_path():
    m = two_output_model()
    runner = HybridRunner(trtlab.partition(m, exclude_ops=["NonZero"]), provider="cpu")
    assert not runner.bound
    feeds = random_feeds(m)
    assert _max_diff(runner.run(feeds), run_onnxruntime(m, feeds, "cpu")) <= 1e-5


def test_a_strided_view_is_read_correctly():
    m, runner = _forced()
    x = np.asfortranarray(random_feeds(m)["x"])
    assert not x.flags.c_contiguous
    assert _max_diff(runner.run({"x": x}), run_onnxruntime(m, {"x": np.ascontiguousarray(x)}, "cpu")) <= 1e-5


def test_runs_from_several_threads_at_once_stay_correct():
    m, runner = _forced()
    feeds = [random_feeds(m, seed=s) for s in range(4)]
    expected = [run_onnxruntime(m, f, "cpu") for f in feeds]
    errors = []

    def work(i):
        for _ in range(30):
            got = runner.run(feeds[i])
            errors.append(_max_diff(got, expected[i]))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 120 and max(errors) <= 1e-5


def test_an_input_of_the_wrong_type_is_a_clear_error():
    m, runner = _forced()
    x = random_feeds(m)["x"].astype(np.float64)
    with pytest.raises(trtlab.TrtlabError, match="'x' is float64, the model takes float32"):
        runner.run({"x": x})
