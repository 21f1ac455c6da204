"""Cache files are read only when they are regular files: a symlink, a FIFO or a directory in their
place is refused at once (never followed, never waited on)."""

from __future__ import annotations

import os

import pytest

from trtlab.engines.safe_files import NotRegularFile, open_regular_file, read_regular_file, regular_size


def test_a_regular_file_is_read_and_its_size_checked(tmp_path):
    path = tmp_path / "engine"
    path.write_bytes(b"0123456789")
    assert regular_size(path) == 10 and read_regular_file(path) == b"0123456789"
    with open_regular_file(path, size=10) as f:
        assert f.read(4) == b"0123"
    with pytest.raises(ValueError, match="engine has 10 bytes, 11 expected"):
        open_regular_file(path, size=11)
    with pytest.raises(FileNotFoundError):
        read_regular_file(tmp_path / "missing")


def test_a_symlink_is_refused_unless_the_user_gave_it(tmp_path):
    (tmp_path / "real").write_bytes(b"abc")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(NotRegularFile, match="link is a symlink") as info:
        read_regular_file(tmp_path / "link")
    assert info.value.kind == "a symlink"
    assert read_regular_file(tmp_path / "link", follow_symlinks=True) == b"abc"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (os.mkfifo)")
def test_a_fifo_or_a_directory_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe")  # opening it for reading would wait for a writer
    with pytest.raises(NotRegularFile, match="pipe is a FIFO"):
        read_regular_file(tmp_path / "pipe")
    (tmp_path / "folder").mkdir()
    with pytest.raises(NotRegularFile, match="folder is a directory"):
        regular_size(tmp_path / "folder")
