"""What each node's colour means: its status under a coverage report or a partition plan."""

from __future__ import annotations

import pytest

import trtlab
from trtlab.errors import TrtlabError
from trtlab.views.status import NodeStatus, block_status, node_statuses
from trtlab.zoo.cnn import MIXED_UNSUPPORTED

(TRAP,) = MIXED_UNSUPPORTED


def test_coverage_says_supported_unsupported_or_excluded_by_the_user(mixed):
    names = ["stem.conv", TRAP, "merge.add"]
    st = node_statuses(trtlab.coverage(mixed, exclude_nodes=["merge.add"]), names)
    assert [st[n].status for n in names] == ["supported", "unsupported", "excluded"]
    assert st[TRAP].line().startswith("TensorRT: no - ")
    assert node_statuses(None, names)["stem.conv"] == NodeStatus("unknown", "")
    assert NodeStatus("unknown", "").line() == "TensorRT: no coverage given"


def test_a_plan_names_the_engine_and_what_it_left_out(mixed):
    plan = trtlab.partition(mixed, min_block_size=6)
    names = [n.name for n in mixed.nodes]
    st = node_statuses(plan, names)
    inside = [n for n in names if st[n].status == "supported"]
    assert inside and all(st[n].reason.startswith("in TensorRT engine ") for n in inside)
    assert st[TRAP].status == "unsupported"
    small = [n for n in names if st[n].status == "small-block"]
    assert set(small) == set(plan.small_block_nodes) >= {"stem.conv", "branch_c.relu"}  # a 5-node block under 6
    assert all(st[n].line().startswith("TensorRT: supported but left out") for n in small)


def test_a_block_is_mixed_when_its_members_differ():
    statuses = {"a": NodeStatus("supported", ""), "b": NodeStatus("supported", ""), "c": NodeStatus("unsupported", "x")}
    assert block_status(["a", "b"], statuses) == NodeStatus("supported", "2 of 2 nodes in TensorRT")
    assert block_status(["a", "b", "c"], statuses) == NodeStatus("mixed", "2 of 3 nodes in TensorRT; 1 unsupported")


def test_colouring_by_something_else_or_another_models_coverage_is_refused(mixed):
    with pytest.raises(TrtlabError, match="Can't colour a graph by a dict"):
        node_statuses({}, ["stem.conv"])
    with pytest.raises(TrtlabError, match="no verdict for node 'elsewhere'"):
        node_statuses(trtlab.coverage(mixed), ["elsewhere"])
