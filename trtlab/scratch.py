"""One temporary folder per process for the files trtlab hands to other processes or libraries
(subgraph models for the build worker, weights for ONNX Runtime): removed at exit, and the
folders of processes that died without removing theirs (kill -9, a crash) swept at the next start.

    $TMPDIR/trtlab-run-<host>-<pid>-<random>/     private (0700), made by mkdtemp

A folder is swept only if it is a real folder (not a link) owned by this user, made on this host,
and its process is gone.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import socket
import stat
import tempfile
import threading
from pathlib import Path

PREFIX = "trtlab-run-"
_lock = threading.Lock()
_folder: Path | None = None
_pid: int | None = None


def folder() -> Path:
    """This process's temporary folder, made (and the leftovers of dead processes swept) on first use."""
    global _folder, _pid
    with _lock:
        if _folder is None or _pid != os.getpid() or not _folder.is_dir():
            sweep()
            _folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{_host()}-{os.getpid()}-"))
            if _pid is None:
                atexit.register(_remove)
            _pid = os.getpid()
        return _folder


def _remove() -> None:
    if _folder is not None and _pid == os.getpid():  # a forked child leaves its parent's folder alone
        shutil.rmtree(_folder, ignore_errors=True)


def _host() -> str:
    """A short tag of this host: a /tmp shared between containers holds other hosts' process ids."""
    return hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def sweep(root: str | os.PathLike | None = None) -> list[Path]:
    """Remove the folders of this user's trtlab processes on this host that have ended; the removed folders."""
    root = Path(root or tempfile.gettempdir())
    mine = f"{PREFIX}{_host()}-"
    removed = []
    try:
        names = [n for n in os.listdir(root) if n.startswith(mine)]
    except OSError:
        return removed
    for name in names:
        pid = name[len(mine):].partition("-")[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        path = root / name
        try:
            st = os.lstat(path)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process by that id: not ours to judge
    return True
