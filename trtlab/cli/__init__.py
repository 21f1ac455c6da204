"""The `trtlab` command: `inspect`, `check`, `sweep`, `report`, `lab`.

Each subcommand lives in its own module with `register(subparsers)`, which sets `func`.
A TrtlabError is printed on one line, without a traceback, and the exit status is 2. SIGTERM and
SIGHUP end a command as Ctrl-C does (the build worker killed, temporary files removed), with the
usual status 128 + the signal's number.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import TrtlabError, one_line

SUBCOMMANDS = ("inspect", "check", "sweep", "report", "lab")


class _Parser(argparse.ArgumentParser):
    """Usage mistakes end as one `trtlab: error:` line, like every other user error."""

    def error(self, message: str):
        raise TrtlabError(f"{message} (see: {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    from .._version import __version__

    parser = _Parser(
        prog="trtlab", description="See and measure what TensorRT does to a deep-learning model.")
    parser.add_argument("--version", action="version", version=f"trtlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in SUBCOMMANDS:
        importlib.import_module(f".{name}", __name__).register(sub)
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where Python next runs, so it unwinds as Ctrl-C does."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum, frame):
    import signal

    for name in ("SIGTERM", "SIGHUP"):  # a second signal during the clean-up ends the process at once
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    raise Terminated(signum)


def _signals_as_interrupts() -> None:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set handlers (main() called from a test's thread)
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, _raise_terminated)


def main(argv: list[str] | None = None) -> int:
    from .output import printable_output

    with printable_output():
        return _run(argv)


def _run(argv: list[str] | None) -> int:
    try:
        _signals_as_interrupts()
        args = build_parser().parse_args(argv)
        return int(args.func(args) or 0)
    except TrtlabError as exc:
        print(f"trtlab: error: {one_line(exc, limit=None)}", file=sys.stderr)
        return 2
    except MemoryError:
        print("trtlab: error: ran out of memory. Give smaller input shapes with --input NAME:SHAPE.",
              file=sys.stderr)
        return 2
    except Terminated as exc:
        import signal

        print(f"trtlab: stopped by {signal.Signals(exc.signum).name}", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("trtlab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `trtlab inspect ... | head`: the reader left, so stop quietly
        _quiet_stdout()
        return 0


def _quiet_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
