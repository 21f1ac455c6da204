"""The .params reader: MXNet's binary format in numpy, with clear errors for bad files."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from trtlab.errors import TrtlabError
from trtlab.loaders.mxnet import read_params, split_params, write_params

from .helpers import mx


@pytest.fixture()
def saved(tmp_path):
    m = mx()
    arrays = {"arg:w": np.random.default_rng(0).normal(size=(4, 3, 3, 3)).astype(np.float32),
              "arg:idx": np.arange(5, dtype=np.int64), "aux:m": np.ones(7, np.float16)}
    path = tmp_path / "x-0000.params"
    m.nd.save(str(path), {k: m.nd.array(v, dtype=v.dtype) for k, v in arrays.items()})
    return path, arrays


def test_reads_what_mxnet_saves(saved):
    path, arrays = saved
    got = read_params(path)
    assert list(got) == list(arrays)
    for k, v in arrays.items():
        assert got[k].dtype == v.dtype and np.array_equal(got[k], v)
    args, aux = split_params(got)
    assert set(args) == {"w", "idx"} and set(aux) == {"m"}


def test_mxnet_reads_what_trtlab_writes(tmp_path):
    m = mx()
    arrays = {"arg:a": np.linspace(0, 1, 6, dtype=np.float32).reshape(2, 3), "aux:b": np.array([3], np.int32)}
    write_params(tmp_path / "y.params", arrays)
    back = m.nd.load(str(tmp_path / "y.params"))
    assert all(np.array_equal(back[k].asnumpy(), v) for k, v in arrays.items())


def test_reading_needs_no_mxnet(saved):
    path, arrays = saved
    code = textwrap.dedent(f"""
        import sys
        sys.modules["mxnet"] = None  # any import of mxnet now fails
        from trtlab.loaders.mxnet import read_params
        p = read_params({str(path)!r})
        assert p["arg:w"].shape == {arrays['arg:w'].shape!r}, p
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_truncated_file_is_a_clear_error(saved, tmp_path):
    path, _ = saved
    short = tmp_path / "short.params"
    short.write_bytes(path.read_bytes()[:-17])
    with pytest.raises(TrtlabError, match="truncated"):
        read_params(short)


def test_other_file_is_not_params(tmp_path):
    bad = tmp_path / "bad.params"
    bad.write_bytes(b"PK\x03\x04 this is a zip" + bytes(40))
    with pytest.raises(TrtlabError, match="not an MXNet .params file"):
        read_params(bad)
