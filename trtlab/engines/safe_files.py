"""Reading a file only when it is a regular file: never following a symlink, never blocking on a
FIFO or a device. For files in the engine cache, which anyone with access to it may replace."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# Where the platform lacks them (Windows), the lstat check below still stands.
_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
          | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))


class NotRegularFile(OSError):
    """The path is a symlink, a FIFO, a device, a socket or a directory (`kind`, in words)."""

    def __init__(self, path, mode: int):
        self.kind = file_kind(mode)
        super().__init__(errno.EINVAL, f"{Path(path).name} is {self.kind}", str(path))


def file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISLNK, "a symlink"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return kind
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def regular_size(path: str | os.PathLike, *, follow_symlinks: bool = False) -> int:
    """The size of a regular file, looked at without opening it (nor following a symlink, unless
    asked). FileNotFoundError when it is missing, NotRegularFile when it is anything else."""
    st = os.stat(path, follow_symlinks=follow_symlinks)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegularFile(path, st.st_mode)
    return st.st_size


def open_regular_file(path: str | os.PathLike, *, size: int | None = None, follow_symlinks: bool = False):
    """A regular file opened for reading, unbuffered. With `size`, a file of any other size is
    refused before it is opened. follow_symlinks=True is for a path the user gave, where a link
    is meant; never in the cache."""
    have = regular_size(path, follow_symlinks=follow_symlinks)
    if size is not None and have != size:
        raise ValueError(f"{Path(path).name} has {have} bytes, {size} expected")
    flags = _FLAGS & ~getattr(os, "O_NOFOLLOW", 0) if follow_symlinks else _FLAGS
    fd = os.open(path, flags)  # O_NONBLOCK: a FIFO swapped in since the stat can't hang us
    f = os.fdopen(fd, "rb", buffering=0)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        f.close()
        raise NotRegularFile(path, st.st_mode)
    return f


def read_regular_file(path: str | os.PathLike, *, follow_symlinks: bool = False) -> bytes:
    """A regular file's bytes (see `open_regular_file`)."""
    with open_regular_file(path, follow_symlinks=follow_symlinks) as f:
        return f.read()
