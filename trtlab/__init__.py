"""trtlab: see and measure what TensorRT does to a deep-learning model.

    import trtlab
    model = trtlab.load("zoo:resnet18")
    plan = trtlab.partition(model, coverage="tensorrt")

`import trtlab` needs only onnx, numpy and the graphviz package; TensorRT, MXNet, PyTorch,
ONNX Runtime and the notebook parts are imported when first used.
"""

from __future__ import annotations

import sys

# Registered from here, above the layers that use them: how results render (text, notebook, HTML),
# and the zoo's "zoo:NAME" models for `load`.
from . import report, zoo  # noqa: F401
from ._version import __version__
from .coverage import CoverageReport, NodeSupport, coverage
from .errors import MissingDependency, TrtlabError
from .loaders import load
from .model import Model, TensorInfo
from .partition import partition
from .plan import Fallback, Plan, Subgraph
from .settings import PartitionSettings

Verdict = NodeSupport  # its older name, kept for code that imports it (a check's verdict is trtlab.check.Verdict)

__all__ = [
    "CoverageReport", "Fallback", "MissingDependency", "Model", "NodeSupport", "PartitionSettings", "Plan", "Subgraph", "TensorInfo",
    "TrtlabError", "Verdict", "coverage", "load", "load_result", "partition", "Lab", "sweep", "__version__",
]


def __getattr__(name: str):
    # The notebook widget pulls in ipywidgets and plotly: import it only when asked for.
    if name == "Lab":
        from .lab import Lab

        return Lab
    if name == "load_result":  # a recorded check, read back (pulls in the check's result types)
        from .check.record import load_result

        return load_result
    if name == "sweep":  # many models on Dask: `trtlab.sweeps`, which imports dask only when it runs
        from .sweeps import sweep

        if "ipykernel" in sys.modules:  # in a notebook a sweep shows live, as trtlab.lab's view
            try:
                from .lab import sweep_view  # noqa: F401  (registers it)
            except TrtlabError:  # no ipywidgets: the summary as it stands
                pass
        return sweep
    raise AttributeError(f"module 'trtlab' has no attribute {name!r}")
