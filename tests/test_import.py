"""`import trtlab` needs only the core: onnx, numpy, graphviz."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ["tensorrt", "tensorrt_rtx", "mxnet", "torch", "onnxruntime", "ipywidgets", "plotly", "IPython"]


def test_import_pulls_no_heavy_package():
    code = ("import sys, trtlab, trtlab.zoo, trtlab.views, trtlab.partition, trtlab.cli; "
            "m = trtlab.load('zoo:tiny'); trtlab.partition(m); "
            f"print([h for h in {HEAVY!r} if h in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_import_works_when_optional_packages_are_missing():
    # Make every optional package unimportable, as on a machine that lacks them.
    code = ("import sys\n"
            f"for h in {HEAVY!r}: sys.modules[h] = None\n"
            "import trtlab\n"
            "plan = trtlab.partition(trtlab.load('zoo:mixed'))\n"
            "print(plan.engine_count)\n"
            "try:\n"
            "    trtlab.partition(trtlab.load('zoo:tiny'), 'parser')\n"
            "except trtlab.TrtlabError as e:\n"
            "    print('ERR', e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.strip().splitlines()
    assert lines[0] == "2"
    assert lines[1].startswith("ERR") and "pip install 'trtlab[rtx]'" in lines[1]
