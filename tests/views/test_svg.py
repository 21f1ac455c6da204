"""The drawings' SVG: stable ids, text that stays text, `dot` and its failures, re-colouring a laid-out
graph (exact, equal to a fresh render, fast, no `dot`), and drawings composed side by side."""

from __future__ import annotations

import time

import pytest

import trtlab
from trtlab.views import before_graph, dom_id, item_styles, restyle_before
from trtlab.views.svg import dot_text, finish_svg, node_selector, render, side_by_side_svg, svg_body, svg_size


def _changed(a: dict, b: dict) -> set[str]:
    return {k for k in a if a[k] != b[k]}


def test_restyle_changes_exactly_the_changed_verdicts(resnet50, fresh_layouts):
    base = trtlab.coverage(resnet50)
    no_conv = trtlab.coverage(resnet50, exclude_ops=["Conv"])
    svg = before_graph(resnet50, base, collapse=False).svg()
    restyled = restyle_before(svg, no_conv)
    changed = _changed(item_styles(svg), item_styles(restyled))
    convs = {dom_id(n.name) for n in resnet50.nodes if n.op_type == "Conv"}
    assert changed == convs and len(convs) == 53
    # Nothing but the styles moved: same length of everything outside the changed items.
    assert restyled.count("<g id=") == svg.count("<g id=")
    assert restyled.replace("excluded", "supported").count('class="node trt-node supported"') == 175

    graph_module = __import__("trtlab.views.graph", fromlist=["_LAYOUTS"])
    graph_module._LAYOUTS.clear()
    fresh = before_graph(resnet50, no_conv, collapse=False).svg()
    assert item_styles(fresh) == item_styles(restyled)


def test_restyle_is_fast_on_resnet50(resnet50):
    svg = before_graph(resnet50, collapse=False).svg()
    no_conv = trtlab.coverage(resnet50, exclude_ops=["Conv"])
    start = time.perf_counter()
    for _ in range(5):
        restyle_before(svg, no_conv)
    per_call = (time.perf_counter() - start) / 5
    assert per_call < 0.1, f"restyle took {per_call * 1000:.1f} ms"


def test_restyle_with_another_models_coverage_fails(mixed, resnet50):
    svg = before_graph(mixed).svg()
    with pytest.raises(trtlab.TrtlabError, match="no verdict"):
        restyle_before(svg, trtlab.coverage(resnet50))


def test_missing_dot_is_a_trtlab_error(mixed, fresh_layouts, no_dot):
    view = before_graph(mixed)
    with pytest.raises(trtlab.TrtlabError, match="graphviz's `dot` program is not installed") as err:
        view.svg()
    assert "apt-get install graphviz" in str(err.value)


def test_ids_are_stable_readable_and_keep_look_alike_names_apart():
    assert dom_id("layer1.0.conv1") == "n-layer1.0.conv1" and dom_id("fc", "e-") == "e-fc"
    assert dom_id("a/b") != dom_id("a_b") and dom_id("a/b").startswith("n-a_b_")
    assert dom_id("a/b") == dom_id("a/b") and dom_id("").startswith("n-_")
    assert node_selector('say "hi"\\n') == 'g[data-name="say \\"hi\\"\\\\n"]'


def test_dot_renders_text_literally_and_a_bad_source_is_one_error():
    import graphviz

    g = graphviz.Digraph()
    g.node("a", label=dot_text("<b>bold?</b>\nline\\two"))
    svg = render(g, "svg").decode()
    assert "&lt;b&gt;bold?&lt;/b&gt;" in svg and "line\\two" in svg
    broken = graphviz.Digraph(body=["a -> -> b"])
    with pytest.raises(trtlab.TrtlabError, match=r"`dot` failed to draw the graph \(exit status \d+\)"):
        render(broken, "svg")


def test_finished_svg_carries_names_and_members():
    svg = '<g id="n&#45;a" class="node">x</g><g id="b-blk" class="node">y</g><g id="other" class="edge">z</g>'
    out = finish_svg(svg, {"n-a": ("a<1>", None), "b-blk": ("layer1", ["c1", "c2"])})
    assert '<g id="n-a" class="node" data-name="a&lt;1&gt;">' in out
    assert 'data-name="layer1" data-members="[&quot;c1&quot;, &quot;c2&quot;]"' in out
    assert '<g id="other" class="edge">' in out


def test_drawings_side_by_side_keep_their_sizes():
    a = '<?xml version="1.0"?>\n<svg width="100pt" height="50pt" viewBox="0 0 100 50"><g id="n-x"/></svg>'
    b = '<svg width="40pt" height="80pt" viewBox="0 0 40 80"><g id="f-x"/></svg>'
    assert svg_size(a) == (100.0, 50.0) and svg_body(a).startswith("<svg ")
    both = side_by_side_svg([("Before", a), ("After & more", b)], gap=10)
    assert svg_size(both) == (150.0, 104.0)  # 100 + 10 + 40 wide; the taller one plus a title row
    assert '<svg width="100.00" height="50.00" viewBox="0 0 100 50" x="0.00" y="24.00">' in both
    assert 'x="110.00" y="24.00"' in both and "After &amp; more" in both and "<?xml" not in both

