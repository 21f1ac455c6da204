"""The process's temporary folder: private, removed at exit, and only dead processes' folders swept."""

from __future__ import annotations

import os
import subprocess
import sys

from trtlab import scratch


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_folder_is_private_and_stays_for_the_process():
    folder = scratch.folder()
    assert folder.is_dir() and folder.name.startswith(scratch.PREFIX)
    assert folder.stat().st_mode & 0o777 == 0o700
    assert scratch.folder() == folder


def test_only_folders_of_ended_processes_of_this_host_are_swept(tmp_path):
    host = scratch._host()
    dead = tmp_path / f"{scratch.PREFIX}{host}-{_dead_pid()}-abc"
    alive = tmp_path / f"{scratch.PREFIX}{host}-{os.getppid()}-abc"
    other_host = tmp_path / f"{scratch.PREFIX}ffffffff-{_dead_pid()}-abc"
    target = tmp_path / "kept"
    link = tmp_path / f"{scratch.PREFIX}{host}-{_dead_pid()}-link"
    for folder in (dead, alive, other_host, target):
        folder.mkdir()
        (folder / "model.onnx").write_bytes(b"x")
    link.symlink_to(target)
    assert scratch.sweep(tmp_path) == [dead]
    assert not dead.exists()
    assert (alive / "model.onnx").exists() and (other_host / "model.onnx").exists()
    assert (target / "model.onnx").exists() and link.is_symlink()  # a link is neither followed nor removed
