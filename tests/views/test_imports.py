"""The views stay below the notebook layer: plain graphviz and strings."""

from __future__ import annotations

import subprocess
import sys


def test_views_import_no_notebook_or_plotting_packages():
    code = ("import sys, trtlab.views\n"
            "bad = [m for m in ('IPython', 'ipywidgets', 'plotly', 'tensorrt', 'tensorrt_rtx', 'mxnet',"
            " 'torch') if m in sys.modules]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)
