"""Where the hostile corpus touches the disk. Inside `names_only()` nothing is written: the case
builders run as usual and return every case with its name, group and expectation (what pytest
collects), while the files stay unwritten; a real build writes them."""

from __future__ import annotations

import contextlib
from pathlib import Path

_NAMES_ONLY = [False]


@contextlib.contextmanager
def names_only():
    """Build the case list without writing a file."""
    before = _NAMES_ONLY[0]
    _NAMES_ONLY[0] = True
    try:
        yield
    finally:
        _NAMES_ONLY[0] = before


def writing() -> bool:
    """Whether files are written (False inside `names_only()`)."""
    return not _NAMES_ONLY[0]


def put(path: Path, data: bytes | str) -> Path:
    """Write `data` (text as UTF-8) to `path`, unless only names are built."""
    if writing():
        Path(path).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def mkdir(path: Path, **options) -> Path:
    if writing():
        Path(path).mkdir(**options)
    return Path(path)
