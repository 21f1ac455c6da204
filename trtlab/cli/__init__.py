"""The `trtlab` command: `inspect`, `check`, `lab`.

Each subcommand lives in its own module with `register(subparsers)`, which sets `func`.
A TrtlabError is printed on one line, without a traceback, and the exit status is 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import TrtlabError

SUBCOMMANDS = ("inspect", "check", "lab")


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="trtlab", description="See and measure what TensorRT does to a deep-learning model.")
    parser.add_argument("--version", action="version", version=f"trtlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in SUBCOMMANDS:
        importlib.import_module(f".{name}", __name__).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except TrtlabError as exc:
        print(f"trtlab: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("trtlab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
