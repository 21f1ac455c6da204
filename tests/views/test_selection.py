"""What a drawing's `focus=` and `expand=` mean: node and group names turned into ids."""

from __future__ import annotations

import pytest

import trtlab
from trtlab.views.hierarchy import model_hierarchy
from trtlab.views.selection import group_paths, neighbourhood, resolve_groups, resolve_nodes


@pytest.fixture(scope="module")
def resnet18():
    return trtlab.zoo.get("resnet18")


def test_a_node_is_named_exactly_or_by_part_of_its_name(resnet18):
    assert resolve_nodes(resnet18, "layer1.0.conv1") == ["layer1.0.conv1"]
    assert resolve_nodes(resnet18, ["layer4.1.conv", "fc"]) == ["layer4.1.conv1", "layer4.1.conv2", "fc"]
    assert resolve_nodes(resnet18, "layer2/0/downsample") == ["layer2.0.downsample.0", "layer2.0.downsample.1"]
    with pytest.raises(trtlab.TrtlabError, match="No node named 'layer1.0.conv3'") as err:
        resolve_nodes(resnet18, "layer1.0.conv3")
    assert "layer1.0.conv1" in err.value.hint


def test_the_neighbourhood_follows_data_edges_both_ways_in_order(resnet18):
    assert neighbourhood(resnet18, ["layer1.0.bn1"], 0) == ["layer1.0.bn1"]
    assert neighbourhood(resnet18, ["layer1.0.bn1"], 1) == ["layer1.0.conv1", "layer1.0.bn1", "layer1.0.relu1"]
    assert len(neighbourhood(resnet18, ["layer1.0.bn1"], 2)) == 5
    with pytest.raises(trtlab.TrtlabError, match="radius must be 0 or more, not -1"):
        neighbourhood(resnet18, ["fc"], -1)


def test_groups_are_named_by_path_and_opened_with_their_parents(resnet18):
    h = model_hierarchy(resnet18)
    paths = group_paths(h)
    by_path = {p: g for g, p in paths.items()}
    assert {"layer1", "layer1.0", "layer4.1"} <= set(by_path)
    opened = resolve_groups(h, ["layer3.1"])
    assert opened == {by_path["layer3.1"], *h.ancestors(by_path["layer3.1"])} and by_path["layer3"] in opened
    assert resolve_groups(h, [by_path["layer2"]]) == {by_path["layer2"]}  # an id works too
    with pytest.raises(trtlab.TrtlabError, match="No group named 'layer9'") as err:
        resolve_groups(h, ["layer9"])
    assert "The top level holds: " in err.value.hint and "layer1" in err.value.hint
