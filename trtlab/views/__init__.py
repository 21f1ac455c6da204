"""Views: graphviz drawings of a model before and after TensorRT partitioning.

Plain graphviz and strings only; the notebook widgets build on these.

    from trtlab.views import before_graph, after_graph, before_after
    before_graph(model)                       # coloured by the "tensorrt" coverage table
    before_graph(plan, focus="layer3.1.conv2", radius=2)
    before_after(plan).save("resnet.svg")
"""

from __future__ import annotations

from .collapse import Block, find_blocks, neighbourhood, resolve_nodes
from .graph import BeforeAfter, GraphView, after_graph, before_after, before_graph
from .status import FILL, NodeStatus, node_statuses
from .svg import dom_id, item_styles, node_selector, restyle_before, svg_body

__all__ = [
    "BeforeAfter", "Block", "FILL", "GraphView", "NodeStatus", "after_graph", "before_after",
    "before_graph", "dom_id", "find_blocks", "item_styles", "neighbourhood", "node_selector",
    "node_statuses", "resolve_nodes", "restyle_before", "svg_body",
]
