"""Run a snippet in a fresh interpreter where one package cannot be imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run_without(module: str, code: str) -> subprocess.CompletedProcess:
    prelude = f"import sys\nsys.modules[{module!r}] = None\n"
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)
