"""Keeping stdout for what a command promises to print there."""

from __future__ import annotations

import contextlib
import os
import sys


@contextlib.contextmanager
def json_only_on_stdout(active: bool):
    """While active, anything written to stdout (by trtlab, or by a library at the file-descriptor
    level, such as a native builder or onnx-graphsurgeon's warnings) goes to stderr instead; the
    JSON is printed after it ends."""
    if not active:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
