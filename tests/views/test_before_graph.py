"""The before-graph: real SVG from real `dot`, addressable nodes, colours from coverage."""

from __future__ import annotations

import html
import re

import pytest

import trtlab
from trtlab.views import FILL, DrawStyle, before_graph, dom_id, item_styles

from tests.models import residual_chain_model as chain_model


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


def test_mimebundle_and_save(mixed, tmp_path):
    view = before_graph(mixed)
    bundle = view._repr_mimebundle_()
    # Inline SVG in HTML (not an image): shrinks to the output's width, its text stays text.
    assert view.svg().split("<svg ", 1)[1] in bundle["text/html"]
    assert '<svg style="max-width:100%;height:auto;display:block"' in bundle["text/html"]
    assert "mixed" in bundle["text/plain"] and "unsupported" in bundle["text/plain"]
    assert view.save(tmp_path / "g.svg").read_text() == view.svg()
    assert view.save(tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert view.save(tmp_path / "g.dot").read_text().startswith("digraph")
    with pytest.raises(trtlab.TrtlabError, match=r"\.svg, \.png or \.dot"):
        view.save(tmp_path / "g.jpeg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.dot", "g.png", "g.svg"]  # no temp files


def test_missing_dot_is_a_trtlab_error(mixed, fresh_layouts, no_dot):
    view = before_graph(mixed)
    with pytest.raises(trtlab.TrtlabError, match="graphviz's `dot` program is not installed") as err:
        view.svg()
    assert "apt-get install graphviz" in str(err.value)
