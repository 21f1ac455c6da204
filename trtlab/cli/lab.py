"""`trtlab lab`: open JupyterLab on the tutorials, copied to a work folder of the user's.

The launcher only looks for JupyterLab (`importlib.util.find_spec`, no import: importing it takes
seconds that JupyterLab's own start then spends again), copies or updates the tutorials (see
`trtlab.cli.notebooks`) and starts JupyterLab on them with a fresh workspace, so that only the
quickstart opens: no tabs restored from an earlier launch, each with a kernel of its own. Once the
server answers, the quickstart's kernel is started on it and only then is the browser opened (see
`trtlab.cli.lab_server` for why: a Run All clicked while the kernel starts is otherwise lost).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import MissingDependency, TrtlabError
from . import lab_server
from .notebooks import DEFAULT_DIR, copy_tutorials, tutorials_source, work_dir

QUICKSTART = "01-quickstart.ipynb"
WORKSPACES = ".jupyter-workspaces"  # inside the work folder: emptied at each launch


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "lab", help="open JupyterLab on the trtlab tutorials",
        description="Copy the trtlab tutorials to a work folder (first launch; later launches bring "
                    "newer versions without overwriting your changes) and open the quickstart in "
                    "JupyterLab. Arguments after -- go to JupyterLab unchanged "
                    "(e.g. -- --ServerApp.token=secret).")
    p.add_argument("--dir", type=Path, default=None,
                   help=f"work folder for the tutorials (default: {DEFAULT_DIR})")
    p.add_argument("--port", type=int, default=None, help="port for the server (default: JupyterLab's)")
    p.add_argument("--ip", default=None, help="address to listen on (default: JupyterLab's, localhost)")
    p.add_argument("--no-browser", action="store_true", help="don't open a web browser")
    p.add_argument("--print-command", action="store_true",
                   help="print the JupyterLab command line instead of running it (copies nothing)")
    p.add_argument("extra", nargs=argparse.REMAINDER, help="arguments passed to JupyterLab after --")
    p.set_defaults(func=run)


def lab_command(args, root: Path) -> list[str]:
    if args.port is not None and not 0 < args.port < 65536:
        raise TrtlabError(f"Bad port {args.port}.", hint="Give a number between 1 and 65535.")
    root = root.resolve()
    cmd = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}",
           f"--LabApp.workspaces_dir={root / WORKSPACES}"]
    if (root / QUICKSTART).is_file() or args.print_command:
        cmd.append(f"--LabApp.default_url=/lab/tree/{QUICKSTART}")  # open the quickstart, alone
    if args.port is not None:
        cmd.append(f"--port={args.port}")
    if args.ip:
        cmd.append(f"--ip={args.ip}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers often run as root; JupyterLab refuses it otherwise
    extra = list(args.extra or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]
    return cmd + extra


def run(args) -> int:
    if importlib.util.find_spec("jupyterlab") is None:
        raise MissingDependency("jupyterlab", "lab", "trtlab lab")
    root = work_dir(args.dir)
    if args.print_command:
        print(shlex.join(lab_command(args, root)))
        return 0
    source = tutorials_source()
    if source is None:
        raise TrtlabError("Can't find the trtlab tutorials next to this installation.",
                          hint="Reinstall trtlab, or run from a trtlab source checkout.")
    for line in copy_tutorials(source, root).lines():
        print(line, file=sys.stderr)
    # A workspace of this launch only: an earlier launch's tabs are not restored.
    shutil.rmtree(root / WORKSPACES, ignore_errors=True)
    print(f"trtlab: opening JupyterLab on {root}", file=sys.stderr, flush=True)
    # The server's own output (its URL with the token) goes straight to this terminal.
    proc = subprocess.Popen(lab_command(args, root) + ["--no-browser"])
    try:
        info = lab_server.server_info(proc)
        if info is not None:
            if (root / QUICKSTART).is_file():
                lab_server.start_session(info, root / QUICKSTART)  # before the page can ask to run
            if not args.no_browser:
                lab_server.open_browser(info, f"lab/tree/{QUICKSTART}")
    except BaseException:
        lab_server.stop(proc)
        raise
    return lab_server.wait(proc)
