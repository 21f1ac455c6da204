"""`trtlab.limits`: sizes estimated before allocating, and a reference run that can be stopped."""

from __future__ import annotations

import time

import numpy as np
import pytest

import trtlab
from trtlab.errors import TrtlabError
from trtlab.limits import check_tensor_sizes, run_with_time_limit
from trtlab.ort import make_session

from .hostile import bad_models


def test_an_input_too_large_is_named_with_its_size():
    m = trtlab.load(bad_models.relu(shape=("n", 4)), inputs={"x": (10**12, 4)})
    with pytest.raises(TrtlabError, match=r"Input 'x' needs 16.0 TB at 1000000000000x4 float32"):
        check_tensor_sizes(m)
    check_tensor_sizes(trtlab.load(bad_models.relu()))  # a small one passes


def test_a_huge_intermediate_tensor_is_found_before_the_run():
    m = trtlab.load(bad_models.build_model("expand_to_1e15"))
    with pytest.raises(TrtlabError, match=r"Tensor 'y' \(output of node 'grow'\) needs 4.0 PB"):
        check_tensor_sizes(m)


def test_a_zero_size_input_is_refused():
    with pytest.raises(TrtlabError, match="zero-size dimension"):
        check_tensor_sizes(trtlab.load(bad_models.relu(shape=(1, 0))))


def test_an_endless_loop_is_stopped():
    session = make_session(bad_models.loop_model(10**15), "cpu")
    start = time.monotonic()
    with pytest.raises(TrtlabError, match="took longer than 0.5 s"):
        run_with_time_limit(session, ["y"], {"x": np.zeros(1, np.float32)}, seconds=0.5)
    assert time.monotonic() - start < 10
    short = make_session(bad_models.loop_model(3), "cpu")
    (y,) = run_with_time_limit(short, ["y"], {"x": np.zeros(1, np.float32)}, seconds=30)
    assert y.tolist() == [3.0]


def test_tensors_alive_at_once_are_counted_together():
    m = trtlab.load(bad_models.relu(shape=(1, 250_000)))  # 1 MB per tensor
    check_tensor_sizes(m, budget=2_100_000)  # x and y: 2 MB
    with pytest.raises(TrtlabError, match=r"Running the model needs about 2.0 MB for the tensors alive at once "
                                          r"\(at node 'r'\)"):
        check_tensor_sizes(m, budget=1_900_000)  # each alone fits


def test_the_limit_is_the_process_s_own():
    import subprocess
    import sys

    code = ("import resource; from trtlab.limits import memory_limit, _status_bytes\n"
            "resource.setrlimit(resource.RLIMIT_AS, (_status_bytes('VmSize') + 2**30, resource.RLIM_INFINITY))\n"
            "print(*memory_limit(), sep='|')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    room, by = out.stdout.strip().split("|")
    assert by == "the address-space limit (ulimit -v)"
    assert 0.9 * 2**30 < int(room) <= 2**30
