"""Pages of the model's weight files mapped during a build are given back, and read again."""

from __future__ import annotations

import mmap
import os
import sys

import numpy as np
import onnx
import pytest

from trtlab.engines.mapped_weights import MappedWeights, read_only_mappings

def _kernel() -> tuple[int, ...]:
    import platform

    return tuple(int(x) for x in platform.release().split("-")[0].split(".")[:2] if x.isdigit())


linux_only = pytest.mark.skipif(not sys.platform.startswith("linux") or _kernel() < (5, 4),
                                reason="needs Linux 5.4 or newer (/proc/self/maps, madvise MADV_PAGEOUT)")

MB = 1 << 20


def _rss_file_kb() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("RssFile:"))


def _weights(folder, name="weights.bin", size=32 * MB):
    path = folder / name
    data = np.arange(size // 4, dtype=np.float32)
    data.tofile(path)
    return path, data


@linux_only
def test_read_only_mapped_pages_are_given_back_and_read_again_from_the_file(tmp_path):
    path, data = _weights(tmp_path)
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as view:
        mapped = np.frombuffer(view, dtype=np.float32)
        assert float(mapped.sum(dtype=np.float64)) == float(data.sum(dtype=np.float64))  # every page read
        before = _rss_file_kb()
        given = MappedWeights(tmp_path).give_back()
        assert given >= 32 * MB
        assert before - _rss_file_kb() > 24 * 1024  # resident memory went down by most of the file
        assert np.array_equal(mapped, data)  # and the values are still there, read from the file
        del mapped


@linux_only
def test_writable_mappings_and_files_elsewhere_are_left_alone(tmp_path):
    inside, outside = tmp_path / "model", tmp_path / "elsewhere"
    inside.mkdir(), outside.mkdir()
    mine, _ = _weights(inside, size=4 * MB)
    other, _ = _weights(outside, size=4 * MB)
    with open(mine, "r+b") as f, mmap.mmap(f.fileno(), 0) as writable, \
            open(other, "rb") as g, mmap.mmap(g.fileno(), 0, access=mmap.ACCESS_READ) as foreign:
        writable[:4] = b"\1\2\3\4"  # a page changed in memory only: giving it back would lose it
        assert read_only_mappings({os.path.realpath(mine)}) == []
        assert MappedWeights(inside).give_back() == 0
        assert writable[:4] == b"\1\2\3\4" and foreign[:4] == other.read_bytes()[:4]


def test_a_linked_weight_file_counts_as_its_target(tmp_path):
    target, _ = _weights(tmp_path, size=MB)
    (tmp_path / "model").mkdir()
    os.symlink(target, tmp_path / "model" / "weights.bin")
    assert os.path.realpath(target) in MappedWeights(tmp_path / "model").files()
    assert MappedWeights(tmp_path / "no-such-folder").files() == set()


def test_give_back_every_so_often_does_not_scan_each_time(tmp_path):
    weights = MappedWeights(tmp_path)
    weights.give_back(every_s=60)
    assert weights.give_back(every_s=60) == 0 and weights._last > 0


@linux_only
def test_a_build_from_external_weights_gives_their_pages_back_and_builds_the_same_engine(tmp_path):
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    from trtlab.engines.build import BuildOptions, new_job
    from trtlab.engines.tensorrt_calls import build_serialized
    from trtlab.installed_tensorrt import find_tensorrt

    from tests.models import matmul_chain

    tensorrt = find_tensorrt()
    model = matmul_chain(count=3, size=1024)  # 12 MB of weights
    path = tmp_path / "model.onnx"
    onnx.save(model, path, save_as_external_data=True, location="weights.bin", size_threshold=1024)
    job = new_job("chain", model, "fp32", tensorrt, BuildOptions(), prepared=True)
    weights = MappedWeights(tmp_path)
    out = build_serialized(tensorrt, job, str(path), weight_files=weights, engine_path=str(tmp_path / "e"))
    plain = build_serialized(tensorrt, job, str(path), engine_path=str(tmp_path / "plain"))
    assert out.built and plain.built, (out.error, plain.error)
    assert weights.given_back >= 12 * MB  # the parser had mapped the weights: given back
    assert (tmp_path / "e").stat().st_size == (tmp_path / "plain").stat().st_size
