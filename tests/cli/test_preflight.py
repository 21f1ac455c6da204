"""Checks before work: bad reads, writes and numbers end in one `trtlab: error:` line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from trtlab.cli import main

from ..hostile.bad_models import relu


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.onnx"
    path.write_bytes(relu().SerializeToString())
    return path


def test_outputs_are_checked_before_the_model_is_read(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    os.mkfifo(tmp_path / "model.onnx")  # never read: the output check comes first
    assert main(["inspect", str(tmp_path / "model.onnx"), "--svg-before", str(tmp_path / "file" / "g.svg")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("trtlab: error: --svg-before: can't write") and err.count("\n") == 1


@pytest.mark.parametrize("option, value", [("--seconds", "nan"), ("--iterations", "0"),
                                           ("--build-timeout", "-1"), ("--warmup-ms", "inf")])
def test_numbers_out_of_range(tiny, capsys, option, value):
    assert main(["check", str(tiny), option, value]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"trtlab: error: argument {option}:") and err.count("\n") == 1


def test_calibration_files_must_be_regular(tiny, tmp_path, capsys):
    cal = tmp_path / "cal"
    cal.mkdir()
    os.symlink("/dev/zero", cal / "a.npy")
    assert main(["check", str(tiny), "--precision", "int8", "--calibration", str(cal), "--no-build"]) == 2
    assert "character device" in capsys.readouterr().err


def test_a_closed_stdout_ends_quietly(tiny):
    r, w = os.pipe()
    os.close(r)
    proc = subprocess.run([sys.executable, "-m", "trtlab", "inspect", str(tiny)], stdout=w,
                          stderr=subprocess.PIPE, timeout=120)
    os.close(w)
    assert proc.returncode == 0 and proc.stderr == b""


def test_a_full_disk_leaves_no_file(tiny, tmp_path):
    out = tmp_path / "model.onnx"
    code = ("import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64)); "
            f"sys.argv = ['trtlab', 'inspect', {str(tiny)!r}, '--save-onnx', {str(out)!r}]; "
            "runpy.run_module('trtlab', run_name='__main__')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("trtlab: error: --save-onnx: could not write") and proc.stderr.count("\n") == 1
    assert not out.exists() and not list(tmp_path.glob(".model.onnx.*"))
