"""The before-graph (real SVG from real `dot`, addressable nodes, colours from coverage, layouts cached)
and the after-graph (one node per TensorRT engine, fallback nodes with reasons)."""

from __future__ import annotations

import html
import re

import pytest

import trtlab
from trtlab.views import FILL, DrawStyle, after_graph, before_graph, dom_id, item_styles
from trtlab.views.hierarchy import FANOUT, plan_hierarchy
from trtlab.views.layout import GraphLayout

from tests.models import residual_chain_model as chain_model

from .graph_models import numbered_model


def drawn_names(svg: str) -> set[str]:
    return {html.unescape(n) for n in re.findall(r'class="node trt-node[^"]*" data-name="([^"]*)"', svg)}


def test_every_node_has_an_id_class_and_name(mixed):
    svg = before_graph(mixed).svg()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    for node in mixed.nodes:
        tag = re.search(r'<g id="%s" class="node trt-node (\w[\w-]*)" data-name="%s">'
                        % (re.escape(dom_id(node.name)), re.escape(node.name)), svg)
        assert tag, node.name
    assert drawn_names(svg) == {n.name for n in mixed.nodes}
    # inputs and outputs are drawn as their own shapes
    assert re.search(r'class="node trt-io input" data-name="data"', svg)
    assert 'class="node trt-io output"' in svg


def test_colours_and_tooltips_follow_coverage(mixed):
    cov = trtlab.coverage(mixed)
    styles = item_styles(before_graph(mixed, cov).svg())
    assert len(styles) == len(mixed.nodes)
    for name, verdict in cov.verdicts.items():
        status, fill, tip = styles[dom_id(name)]
        expected = "supported" if verdict.supported else "unsupported"
        assert (status, fill) == (expected, FILL[expected]), name
        assert tip.startswith(f"{verdict.op} {name}\n")
        assert tip.endswith(verdict.reason) or verdict.supported
    assert styles[dom_id("trap.roipool")][0] == "unsupported"
    assert "MaxRoiPool" in styles[dom_id("trap.roipool")][2]


def test_plan_colours_excluded_and_small_blocks(mixed):
    plan = trtlab.partition(mixed, exclude_nodes=["head.relu"], min_block_size=6)
    styles = item_styles(before_graph(plan).svg())
    status = {n: styles[dom_id(n)][0] for n in mixed.node_by_name}
    assert status["head.relu"] == "excluded"
    assert status["trap.roipool"] == "unsupported"
    small = set(plan.small_block_nodes)
    assert small, "min_block_size=6 must leave some supported block out"
    assert {n for n, s in status.items() if s == "small-block"} == small
    in_engines = {n for s in plan.subgraphs for n in s.nodes}
    assert {n for n, s in status.items() if s == "supported"} == in_engines


def test_edges_carry_tensor_shapes(mixed):
    svg = before_graph(mixed).svg()
    for t in ("1x3x32x32", "1x16x32x32", "1x10"):
        assert f">{t}</text>" in svg
    assert ">1x16x32x32</text>" not in before_graph(mixed, style=DrawStyle(edge_labels=False)).svg()


def test_rankdir_lr_and_bad_rankdir(mixed):
    assert "rankdir=LR" in before_graph(mixed, style=DrawStyle(rankdir="LR")).source
    with pytest.raises(trtlab.TrtlabError, match="rankdir"):
        before_graph(mixed, style=DrawStyle(rankdir="sideways"))


def test_odd_node_names_render_and_round_trip():
    names = ['a"quote', "back\\slash", "<html-like>", "port:colon", "a/b", "a_b", "node", "x y\nz"]
    model = chain_model(names)
    svg = before_graph(model, coverage="tensorrt").svg()
    assert drawn_names(svg) == {n.name for n in model.nodes}
    ids = [dom_id(n) for n in names]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"n-[A-Za-z0-9_.]+", i) for i in ids)


def test_cached_layout_is_restyled_without_dot(mixed, fresh_layouts, monkeypatch, tmp_path):
    first = before_graph(mixed)
    first.svg()
    monkeypatch.setenv("PATH", str(tmp_path))  # from here on `dot` can't run
    plan = trtlab.partition(mixed, exclude_ops=["Relu"])
    second = before_graph(mixed, plan)
    styles = item_styles(second.svg())
    relus = {dom_id(n.name) for n in mixed.nodes if n.op_type == "Relu"}
    assert {k for k, v in styles.items() if v[0] == "excluded"} == relus
    # a different drawing (other options) is a different layout: that one needs dot
    with pytest.raises(trtlab.TrtlabError, match="dot"):
        before_graph(mixed, plan, style=DrawStyle(rankdir="LR")).svg()


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
