"""The notebook lab: `Lab(model)`, one widget to see, change, build and time a TensorRT partition.

Needs the `lab` extra (ipywidgets, anywidget, plotly). Panels are reachable as attributes of a Lab and can
be used on their own.
"""

from __future__ import annotations

from .._optional import require

require("ipywidgets", "lab", "The trtlab Lab widget")
require("plotly", "lab", "The trtlab Lab widget")
require("anywidget", "lab", "The trtlab graph widget")

from .app import Lab, NodeOverrides  # noqa: E402
from .graph_panel import GraphPanel, graphs  # noqa: E402
from .graph_widget import GraphWidget  # noqa: E402
from .session import Session, Settings  # noqa: E402
from .sweep_view import SweepView  # noqa: E402  (a sweep shows as it, live)

__all__ = ["GraphPanel", "GraphWidget", "Lab", "NodeOverrides", "Session", "Settings", "SweepView", "graphs"]
