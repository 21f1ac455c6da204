"""`trtlab lab`: open JupyterLab on the trtlab notebooks."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path

from .._optional import require
from ..errors import TrtlabError


QUICKSTART = "01-quickstart.ipynb"


def notebooks_dir() -> Path | None:
    """The tutorial notebooks: beside the package in a source checkout or an editable install,
    or where a wheel installs them (<prefix>/share/trtlab/notebooks)."""
    here = Path(__file__).resolve().parent.parent  # the trtlab package
    installed = Path(sys.prefix) / "share" / "trtlab" / "notebooks"  # pyproject's data-files
    for candidate in (here.parent / "notebooks", installed):
        if candidate.is_dir() and any(candidate.glob("*.ipynb")):
            return candidate
    return None


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "lab", help="open JupyterLab on the trtlab notebooks",
        description="Open JupyterLab on the trtlab tutorial notebooks. Arguments after -- go to "
                    "JupyterLab unchanged (e.g. -- --ServerApp.token=secret).")
    p.add_argument("--dir", type=Path, default=None,
                   help="folder to open (default: the trtlab notebooks)")
    p.add_argument("--port", type=int, default=None, help="port for the server (default: JupyterLab's)")
    p.add_argument("--ip", default=None, help="address to listen on (default: JupyterLab's, localhost)")
    p.add_argument("--no-browser", action="store_true", help="don't open a web browser")
    p.add_argument("--print-command", action="store_true",
                   help="print the JupyterLab command line instead of running it")
    p.add_argument("extra", nargs=argparse.REMAINDER, help="arguments passed to JupyterLab after --")
    p.set_defaults(func=run)


def lab_command(args) -> list[str]:
    root = args.dir if args.dir is not None else notebooks_dir()
    if root is None:
        raise TrtlabError("Can't find the trtlab notebooks next to this installation.",
                          hint="Pass the folder to open with --dir, or run from a trtlab source checkout.")
    root = Path(root)
    if not root.is_dir():
        raise TrtlabError(f"{root} is not a folder.", hint="Pass an existing folder with --dir.")
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root.resolve()}"]
    if (root / QUICKSTART).is_file():
        cmd.append(f"--LabApp.default_url=/lab/tree/{QUICKSTART}")  # open the quickstart first
    if args.port is not None:
        if not 0 < args.port < 65536:
            raise TrtlabError(f"Bad port {args.port}.", hint="Give a number between 1 and 65535.")
        cmd.append(f"--port={args.port}")
    if args.ip:
        cmd.append(f"--ip={args.ip}")
    if args.no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers often run as root; JupyterLab refuses it otherwise
    extra = list(args.extra or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]
    return cmd + extra


def run(args) -> int:
    require("jupyterlab", "lab", "trtlab lab")
    cmd = lab_command(args)
    if args.print_command:
        print(shlex.join(cmd))
        return 0
    # The server's own output (its URL with the token) goes straight to this terminal.
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 130
