import pytest

from trtlab.errors import TrtlabError
from trtlab.views.hierarchy import model_hierarchy
from trtlab.views.layout import GraphLayout

from .graph_models import numbered_model


@pytest.fixture(scope="module")
def layouter():
    return GraphLayout(model_hierarchy(numbered_model(40)))


def _inside(inner, outer):
    return (inner["x"] >= outer["x"] - 0.5 and inner["y"] >= outer["y"] - 0.5
            and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + 0.5
            and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + 0.5)


def test_collapsed_layout_has_the_top_level_only(layouter):
    g = layouter.layout()
    ids = [i["id"] for i in g["items"]]
    assert set(ids) == set(layouter.h.root) | {"in:x", "out:a39"}
    box = {"x": 0, "y": 0, "w": g["width"], "h": g["height"]}
    assert all(_inside(i, box) for i in g["items"])
    # Edges follow the data: inputs at the top, outputs at the bottom.
    by_id = {i["id"]: i for i in g["items"]}
    assert by_id["in:x"]["y"] < by_id["out:a39"]["y"]
    assert g["edges"] and all(len(e["points"]) >= 4 for e in g["edges"])


def test_expanding_lays_out_that_group_and_its_ancestors_only(layouter):
    layouter.layout()
    group = next(i for i in layouter.h.root if i.startswith("g:"))
    runs = layouter.dot_runs
    g = layouter.layout([group])
    assert layouter.dot_runs == runs + 2  # the group's inside, and the top level again
    by_id = {i["id"]: i for i in g["items"]}
    assert by_id[group]["kind"] == "open"
    for child in layouter.h.groups[group].children:
        assert _inside(by_id[child], by_id[group])
    layouter.layout([group])
    assert layouter.dot_runs == runs + 2  # cached
    # Data edges into the opened group now end at the nodes inside it.
    assert any(e["to"] in layouter.h.groups[group].children or e["from"] in layouter.h.groups[group].children
               for e in g["edges"])


def test_nested_groups_open_only_under_open_parents():
    layouter = GraphLayout(model_hierarchy(numbered_model(300)))
    parent = next(g for g in layouter.h.groups.values()
                  if any(c.startswith("g:") for c in g.children))
    child = next(c for c in parent.children if c.startswith("g:"))
    g = layouter.layout([child])  # its parent is closed: nothing opens
    assert child not in g["expanded"]
    g = layouter.layout([parent.id, child])
    assert {parent.id, child} <= set(g["expanded"])
    by_id = {i["id"]: i for i in g["items"]}
    assert _inside(by_id[child], by_id[parent.id])


def test_missing_dot_is_a_trtlab_error(no_dot):
    with pytest.raises(TrtlabError, match="dot"):
        GraphLayout(model_hierarchy(numbered_model(40))).layout()
