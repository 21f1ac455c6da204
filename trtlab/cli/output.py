"""Keeping stdout for what a command promises to print there, and everything printed safe for a terminal."""

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


class _Printable:
    """A text stream whose writes reach the terminal with the characters it would act on escaped
    (`words.printable`): a model's names can't clear the screen, retitle the window or overwrite a line."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        from ..words import printable

        self._stream.write(printable(text, lines=True))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextlib.contextmanager
def printable_output():
    """While active, whatever Python code writes to stdout and stderr (messages, reports,
    warnings) is made safe for a terminal; newlines and tabs are kept."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Printable(sys.stdout), _Printable(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
