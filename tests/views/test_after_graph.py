"""The after-graph: one node per TensorRT engine, fallback nodes with reasons; and both side by side."""

from __future__ import annotations

import html
import re

import pytest

import trtlab
from trtlab.views import after_graph, before_after, dom_id
from trtlab.views.hierarchy import FANOUT, plan_hierarchy
from trtlab.views.layout import GraphLayout

from .graph_models import numbered_model


def engine_ids(svg: str) -> list[str]:
    return re.findall(r'<g id="([^"]*)" class="node trt-engine engine"', svg)


@pytest.mark.parametrize("options", [{}, {"exclude_nodes": ["merge.add"]},
                                     {"exclude_ops": ["Relu"]}, {"min_block_size": 6}])
def test_one_engine_node_per_subgraph(mixed, options):
    plan = trtlab.partition(mixed, **options)
    svg = after_graph(plan).svg()
    assert len(engine_ids(svg)) == plan.engine_count
    assert sorted(engine_ids(svg)) == sorted(f"e-{s.id}" for s in plan.subgraphs)
    for s in plan.subgraphs:
        assert f"TensorRT engine {s.id}</text>" in svg
        assert f">{len(s.nodes)} op{'s' if len(s.nodes) != 1 else ''}</text>" in svg
    fallbacks = re.findall(r'class="node trt-fallback fallback ([\w-]+)" data-name="([^"]*)"', svg)
    assert sorted(html.unescape(n) for _, n in fallbacks) == sorted(f.name for f in plan.fallback_nodes)


def test_engine_label_counts_ops_and_fallback_shows_reason(mixed):
    plan = trtlab.partition(mixed)
    view = after_graph(plan)
    svg = view.svg()
    first = plan.subgraphs[0]
    ops = sorted(first.op_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    op, count = ops[0]
    assert f"{op}\u00d7{count}" in svg or (count == 1 and op in svg)
    roi = re.search(r'<g id="%s" class="node trt-fallback fallback unsupported".*?xlink:title="([^"]*)"'
                    % re.escape(dom_id("trap.roipool", "f-")), svg, re.S)
    assert roi and "MaxRoiPool" in html.unescape(roi.group(1))
    # edges between engines and fallback nodes carry shapes
    assert ">1x16x32x32</text>" in svg
    assert view.node_ids["stem.conv"] == f"e-{plan.placement()['stem.conv']}"


def test_after_graph_of_a_model_is_an_error(mixed):
    with pytest.raises(trtlab.TrtlabError, match="Plan"):
        after_graph(mixed)


def test_before_after_side_by_side(mixed, tmp_path):
    plan = trtlab.partition(mixed, exclude_nodes=["head.relu"])
    both = before_after(plan)
    svg = both.svg()
    assert svg.count("<svg") == 3  # one outer, two drawings
    assert both.before.title in svg and both.after.title in svg
    assert f'id="{dom_id("head.relu")}"' in svg and f'id="{dom_id("head.relu", "f-")}"' in svg
    ids = re.findall(r'<g id="([nfeb]-[^"]*)" class="node', svg)
    assert len(ids) == len(set(ids))  # the two drawings never share an element id
    assert both.save(tmp_path / "both.svg").read_text() == svg
    assert both.save(tmp_path / "both.png").read_bytes()[:4] == b"\x89PNG"
    dot = both.save(tmp_path / "both.dot").read_text()
    assert "subgraph cluster_before" in dot and "subgraph cluster_after" in dot
    page = both.save(tmp_path / "both.html").read_text()
    # Each drawing whole, in a row that wraps (one above the other where the output is narrow),
    # each shrinking to the output's width where it alone is wider.
    assert "flex-wrap:wrap" in page and page.count('<svg style="max-width:100%;height:auto;display:block"') == 2
    assert both.before.svg().split("<svg ", 1)[1] in page and both.after.svg().split("<svg ", 1)[1] in page
    assert set(both._repr_mimebundle_()) == {"text/html", "text/plain"}


def test_an_engine_opens_by_name(mixed):
    plan = trtlab.partition(mixed)
    first = plan.subgraphs[0]
    view = after_graph(plan, expand=[first.name])
    svg = view.svg()
    assert f'id="e-{first.id}"' not in svg and 'class="cluster"' in svg
    for n in first.nodes:  # its nodes, with ids of their own beside the before-graph's
        assert f'<g id="{dom_id(n, "a-")}" class="node trt-node supported"' in svg
    assert [g.name for g in view.groups] == [s.name for s in plan.subgraphs]
    with pytest.raises(trtlab.TrtlabError, match="No group named 'trt_engine_99'"):
        after_graph(plan, expand=["trt_engine_99"])


def test_many_engines_and_fallbacks_are_the_widgets_parts():
    model = numbered_model(60)
    plan = trtlab.partition(model, exclude_ops=["Reshape"])  # 60 fallback nodes between engines
    view = after_graph(plan)
    svg = view.svg()
    widget = GraphLayout(plan_hierarchy(plan)).layout()
    names = [html.unescape(n) for n in re.findall(r'class="node trt-(?:block|engine)[^"]*" data-name="([^"]*)"', svg)]
    assert names == [i["name"] for i in widget["items"] if i["kind"] == "group"]
    assert len(re.findall(r'<g id="[^"]*" class="node trt-', svg)) <= FANOUT + 2
    assert "Constant" not in html.unescape(svg).replace("Constant_", "")  # folded, not counted
    part = view.groups[0]
    opened = after_graph(plan, expand=[part.name])
    assert len(opened.groups) > len(view.groups)  # its engines show, closed


def test_the_after_graph_says_what_each_box_holds():
    plan = trtlab.partition(trtlab.zoo.get("resnet18"), min_block_size=7, exclude_ops=["Add"])
    h = plan_hierarchy(plan)
    names = [h.groups[i].name for i in h.root if i in h.groups]
    assert plan.engine_count == 4 and len(h.root) <= FANOUT
    assert [n for n in names if n.startswith("trt_engine_")] == [s.name for s in plan.subgraphs]
    runs = [n for n in names if not n.startswith("trt_engine_")]
    assert runs and all(re.fullmatch(r"\d+ nodes outside TensorRT from \S+", n) for n in runs)
    # Too many boxes even so: parts, each saying what it holds.
    many = plan_hierarchy(trtlab.partition(numbered_model(60), exclude_ops=["Reshape"]))
    parts = [g.name for g in many.groups.values() if g.kind == "part"]
    assert parts and all(re.fullmatch(r"part \d+: \d+ engines?(, \d+ nodes? outside TensorRT)?", p) for p in parts)
