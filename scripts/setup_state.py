"""Whether `scripts/setup.sh` has nothing left to do for this interpreter and checkout.

    python scripts/setup_state.py check CONSTRAINTS   # exit 0: already set up
    python scripts/setup_state.py record CONSTRAINTS  # after a successful install

CONSTRAINTS is the constraints file, or "" for the newest releases. Set up means: the stamp of
pyproject.toml, the constraints and the interpreter is recorded, trtlab is installed from this
checkout (editable), and every pinned package is installed at its pinned version (so a package
moved by hand is put back). The stamp lives in an ignored file of the checkout.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
STAMPS = ROOT / ".setup-stamps"
KEEP = 8  # stamps of other interpreters and venvs kept beside this one


def stamp(constraints: str) -> str:
    h = hashlib.sha256()
    h.update((ROOT / "pyproject.toml").read_bytes())
    h.update((ROOT / constraints).read_bytes() if constraints else b"newest releases")
    h.update(f"{os.path.realpath(sys.executable)}\n{sys.prefix}\n{ROOT}".encode())
    return h.hexdigest()


def installed_from_here() -> bool:
    # Every trtlab on the path: a build's trtlab.egg-info in the checkout has no direct_url.json.
    for dist in metadata.distributions(name="trtlab"):
        info = json.loads(dist.read_text("direct_url.json") or "{}")
        if info.get("dir_info", {}).get("editable") and \
                Path(unquote(urlparse(info.get("url", "")).path)).resolve() == ROOT:
            return True
    return False


def pins_installed(constraints: str) -> bool:
    if not constraints:
        return True
    for line in (ROOT / constraints).read_text().splitlines():
        m = re.match(r"\s*([A-Za-z0-9_.-]+)==([^\s;#]+)", line)
        if not m:
            continue
        try:
            have = metadata.version(m.group(1))
        except metadata.PackageNotFoundError:
            return False
        if have.split("+")[0] != m.group(2).split("+")[0]:  # 2.13.0+cpu satisfies ==2.13.0
            return False
    return True


def main() -> int:
    action, constraints = sys.argv[1], sys.argv[2]
    stamps = STAMPS.read_text().split() if STAMPS.exists() else []
    mine = stamp(constraints)
    if action == "check":
        return 0 if mine in stamps and installed_from_here() and pins_installed(constraints) else 1
    STAMPS.write_text("\n".join([s for s in stamps if s != mine][-(KEEP - 1):] + [mine]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
