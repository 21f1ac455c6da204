"""`trtlab._io`: user files read only when regular and sound, output paths checked before work."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest

from trtlab._io import check_output_path, human_bytes, load_arrays, require_regular_file
from trtlab.errors import TrtlabError

from .hostile.bad_files import npy_header_claiming


def test_special_files_are_refused_before_opening(tmp_path):
    os.mkfifo(tmp_path / "a.npy")  # opening it would block
    os.symlink("/dev/zero", tmp_path / "z.npy")  # reading it would never end
    with pytest.raises(TrtlabError, match="named pipe"):
        require_regular_file(tmp_path / "a.npy", "calibration file")
    with pytest.raises(TrtlabError, match="character device"):
        load_arrays(tmp_path / "z.npy")
    with pytest.raises(TrtlabError, match="is a folder"):
        require_regular_file(tmp_path)


@pytest.mark.parametrize("data, says", [
    (b"", "not an .npy or .npz file"),
    (npy_header_claiming((10**6, 10**6)), "promises 4.0 TB"),
])
def test_damaged_arrays_are_refused_without_allocating(tmp_path, data, says):
    (tmp_path / "a.npy").write_bytes(data)
    with pytest.raises(TrtlabError, match=says):
        load_arrays(tmp_path / "a.npy")


def test_text_is_read_as_text_for_a_models_string_inputs(tmp_path):
    np.save(tmp_path / "a.npy", np.array([["red"], ["blue"]]))
    assert load_arrays(tmp_path / "a.npy")[""].tolist() == [["red"], ["blue"]]


@pytest.mark.parametrize("array, says", [
    (np.zeros(2, dtype=[("x", "f4")]), "records with fields x"),
    (np.array([{"a": 1}], dtype=object), "Python objects"),
])
def test_arrays_must_hold_numbers(tmp_path, array, says):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    (tmp_path / "a.npy").write_bytes(buf.getvalue())
    with pytest.raises(TrtlabError, match=says):
        load_arrays(tmp_path / "a.npy")


def test_good_arrays_round_trip(tmp_path):
    np.savez(tmp_path / "f.npz", x=np.arange(6, dtype=np.float32).reshape(2, 3))
    np.save(tmp_path / "f.npy", np.asfortranarray(np.arange(6).reshape(2, 3)))
    assert load_arrays(tmp_path / "f.npz")["x"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert load_arrays(tmp_path / "f.npy")[""].tolist() == [[0, 1, 2], [3, 4, 5]]


def test_output_paths(tmp_path):
    (tmp_path / "file").write_text("x")
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(TrtlabError, match="is a file, not a folder"):
        check_output_path(tmp_path / "file" / "deeper" / "out.svg", "--svg-before")
    with pytest.raises(TrtlabError, match="is a folder"):
        check_output_path(tmp_path, "--report")
    with pytest.raises(TrtlabError, match="named pipe"):
        check_output_path(tmp_path / "pipe", "--save-onnx")
    assert check_output_path(tmp_path / "new" / "out.svg") == tmp_path / "new" / "out.svg"


def test_human_bytes():
    assert human_bytes(4 * 10**12) == "4.0 TB"
    assert human_bytes(12) == "12 bytes"
