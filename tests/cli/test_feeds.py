"""Real inputs from the command line: --feeds gives the values and the shapes (silero-vad has three
inputs, one of them a sample rate that random values would break)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from trtlab import corpus

from tests.real_models import real_model


@pytest.fixture(scope="module")
def silero(tmp_path_factory):
    path = real_model("silero-vad")
    feeds = corpus.ENTRIES["silero-vad"].feeds()
    npz = tmp_path_factory.mktemp("feeds") / "silero.npz"
    np.savez(npz, **feeds)
    return path, npz


def _trtlab(*args):
    return subprocess.run([sys.executable, "-m", "trtlab", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def test_inspect_takes_its_shapes_from_the_feeds(silero):
    path, npz = silero
    out = _trtlab("inspect", path, "--feeds", npz, "--json")
    assert out.returncode == 0, out.stderr
    model = json.loads(out.stdout)["model"]
    assert model["inputs"] == ["input", "state", "sr"]


def test_check_runs_on_the_real_feeds(silero):
    path, npz = silero
    out = _trtlab("check", path, "--feeds", npz, "--precision", "fp32", "fp16", "--no-build", "--no-timing",
                  "--json", "-q")
    d = json.loads(out.stdout)
    assert d["random_feeds"] is False
    # Engines not built: not measured, with the transform's own figures on the real feeds.
    assert [(v["precision"], v["status"]) for v in d["verdicts"]] == [("fp32", "not measured"),
                                                                     ("fp16", "not measured")]
    assert all("stand-ins (not TensorRT)" in v["reason"] and ": would pass: " in v["reason"] for v in d["verdicts"])
    assert out.returncode == 1


def test_feeds_that_do_not_fit_are_one_clear_error(silero, tmp_path):
    path, _ = silero
    bad = tmp_path / "bad.npz"
    np.savez(bad, input=np.zeros((1, 512), np.float32), state=np.zeros((2, 1, 128), np.float32),
             sr=np.array(16000, np.int32))
    out = _trtlab("inspect", path, "--feeds", bad)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1 and "'sr' is int32" in out.stderr
