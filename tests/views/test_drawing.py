"""What a drawing is in a notebook and on disk: inline SVG in HTML, saved as .svg, .png or .dot, restyled
as a new view; two drawings side by side."""

from __future__ import annotations

import re

import pytest

import trtlab
from trtlab.views import before_after, before_graph, dom_id, item_styles
from trtlab.views.drawing import figure_html


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


def test_view_restyle_keeps_statuses_in_step(mixed):
    view = before_graph(mixed)
    plan = trtlab.partition(mixed, exclude_nodes=["merge.add"])
    again = view.restyle(plan)
    assert again.statuses["merge.add"].status == "excluded"
    assert item_styles(again.svg())[dom_id("merge.add")][0] == "excluded"
    assert view.statuses["merge.add"].status == "supported"  # the original is unchanged


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


def test_a_figure_is_the_bare_svg_shrinking_to_its_output_under_an_escaped_title():
    svg = '<?xml version="1.0"?>\n<!-- made by dot -->\n<svg width="10pt" height="5pt"><g/></svg>'
    page = figure_html(svg, title="a <b> & c")
    assert "<?xml" not in page and "made by dot" not in page
    assert '<svg style="max-width:100%;height:auto;display:block" width="10pt"' in page
    assert "a &lt;b&gt; &amp; c" in page
    assert figure_html(svg).count("<div") == 1  # no title, no heading
