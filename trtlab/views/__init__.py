"""Views: graphviz drawings of a model before and after TensorRT partitioning.

Plain graphviz and strings only; the notebook widgets build on these.

    from trtlab.views import before_graph, after_graph, before_after
    before_graph(model)                       # coloured by the "tensorrt" coverage table
    before_graph(plan, focus="layer3.1.conv2", radius=2)
    before_graph(model, expand=["block 3"])   # the widget's groups; one opened as a cluster
    before_after(plan).save("resnet.svg")
    compact_graph_html(plan)                  # groups closed, within a notebook's width

The browser widget (trtlab.lab.GraphWidget) draws `GraphLayout(model_hierarchy(model)).layout()`;
the static drawings show the same hierarchy.
"""

from __future__ import annotations

from .compact import compact_graph_html, layout_svg
from .graph import BeforeAfter, DrawStyle, GraphView, after_graph, before_after, before_graph
from .hierarchy import Group, Hierarchy, model_hierarchy, plan_hierarchy
from .layout import GraphLayout
from .overlays import NodeData, Overlay, check_values, node_data, paint
from .selection import group_paths, neighbourhood, resolve_groups, resolve_nodes
from .status import FILL, NodeStatus, node_statuses
from .svg import dom_id, item_styles, node_selector, restyle_before, svg_body

__all__ = [
    "BeforeAfter", "DrawStyle", "FILL", "GraphLayout", "GraphView", "Group", "Hierarchy", "NodeData",
    "NodeStatus", "Overlay", "after_graph", "before_after", "before_graph", "check_values", "compact_graph_html",
    "dom_id", "group_paths", "item_styles", "layout_svg", "model_hierarchy", "neighbourhood",
    "node_data", "node_selector", "node_statuses", "paint", "plan_hierarchy", "resolve_groups",
    "resolve_nodes", "restyle_before", "svg_body",
]
