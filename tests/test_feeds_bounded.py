"""Feeds and calibration files are checked from their arrays' headers before any byte is
decompressed: a 4 MB .npz that expands to 4 GiB is refused in about a second, in little memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import trtlab
from trtlab.errors import TrtlabError
from trtlab.feeds import feed_shapes, load_feeds

from .hostile import bad_models
from .hostile.bombs import npz_bomb

ROOT = Path(__file__).resolve().parents[1]
GIB4 = (1, 1023, 1024, 1024)  # float32: 4 GiB less 4 MiB


def _peak_rss_mb(code: str) -> tuple[float, str]:
    """Peak resident memory (MB) of a fresh interpreter running `code`, and what it printed."""
    # VmHWM, not ru_maxrss: Linux carries the parent's peak over a fork and exec into ru_maxrss,
    # so a child of a large test process would report that process's peak.
    wrapper = (code + "\nprint('PEAK', next(x.split()[1] for x in open('/proc/self/status') "
                      "if x.startswith('VmHWM:')))")
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    peak = next(line for line in out.stdout.splitlines() if line.startswith("PEAK"))
    return int(peak.split()[1]) / 1024, out.stdout + out.stderr


@pytest.mark.parametrize("member, says", [
    (("zz", GIB4, "float32"), "holds 'zz', which the model does not take"),
    (("x", GIB4, "float32"), "Input 'x' has shape 1x1023x1024x1024, the model takes float32[1x4]"),
    (("x", (1, 4), "float64"), "Input 'x' is float64, the model takes float32[1x4]"),
])
def test_a_member_is_refused_from_its_header(tmp_path, member, says):
    bomb = npz_bomb(tmp_path / "feeds.npz", [member])
    assert bomb.stat().st_size < 5 * 1024**2
    model = trtlab.load(bad_models.relu())
    start = time.monotonic()
    with pytest.raises(TrtlabError, match=says.replace("[", r"\[").replace("]", r"\]")):
        load_feeds(bomb, model)
    assert time.monotonic() - start < 1.5


def test_a_bomb_is_refused_in_little_memory(tmp_path):
    bomb = npz_bomb(tmp_path / "feeds.npz", [("zz", GIB4, "float32")])
    code = ("import trtlab; from trtlab.feeds import load_feeds; from tests.hostile import bad_models\n"
            f"try:\n    load_feeds({str(bomb)!r}, trtlab.load(bad_models.relu()))\n"
            "except trtlab.TrtlabError as exc:\n    print('REFUSED', exc)")
    peak_mb, said = _peak_rss_mb(code)
    assert "REFUSED" in said, said
    assert peak_mb < 400, f"peak {peak_mb:.0f} MB"


def test_shapes_of_a_feeds_file_come_from_headers(tmp_path):
    bomb = npz_bomb(tmp_path / "feeds.npz", [("x", GIB4, "float32"), ("y", (2, 3), "int64")])
    start = time.monotonic()
    assert feed_shapes(bomb) == {"x": GIB4, "y": (2, 3)}
    assert time.monotonic() - start < 1.5


def test_real_feeds_are_read_whole_and_right(tmp_path):
    x = np.arange(4, dtype=np.float32).reshape(1, 4)
    np.savez_compressed(tmp_path / "feeds.npz", x=x)
    got = load_feeds(tmp_path / "feeds.npz", trtlab.load(bad_models.relu()))
    assert np.array_equal(got["x"], x) and got["x"].flags.writeable


def test_a_calibration_file_is_refused_from_its_header(tmp_path):
    from trtlab.precision.calibration import samples

    folder = tmp_path / "calibration"
    folder.mkdir()
    npz_bomb(folder / "0.npz", [("zz", GIB4, "float32")])
    proto = bad_models.relu()
    start = time.monotonic()
    with pytest.raises(TrtlabError, match="names 'zz', which is not a model input"):
        samples(proto, folder)
    (folder / "0.npz").unlink()
    npz_bomb(folder / "0.npz", [("x", GIB4, "float32")])
    with pytest.raises(TrtlabError, match="expected shape 1x4, got 1x1023x1024x1024"):
        samples(proto, folder)
    assert time.monotonic() - start < 3
