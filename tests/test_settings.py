"""`PartitionSettings`: the coverage source, min_block_size and the user's overrides, checked once."""

from __future__ import annotations

import pytest

import trtlab
from trtlab.errors import TrtlabError
from trtlab.settings import PartitionSettings, check_source

from tests.models import chain_with_unsupported


def test_names_become_sets_and_a_single_name_stays_whole():
    s = PartitionSettings(exclude_ops="Relu", include_nodes=["det", "det", "add"])
    assert s.exclude_ops == frozenset({"Relu"}) and s.include_nodes == frozenset({"det", "add"})
    assert s.has_overrides and not PartitionSettings().has_overrides
    assert s.to_dict() == {"coverage": "tensorrt", "min_block_size": 1, "exclude_ops": ["Relu"],
                           "exclude_nodes": [], "include_ops": [], "include_nodes": ["add", "det"]}
    changed = s.replace(min_block_size=3)
    assert changed.min_block_size == 3 and changed.exclude_ops == s.exclude_ops and s.min_block_size == 1


def test_an_unknown_source_names_the_known_ones():
    assert check_source("parser") == "parser"
    with pytest.raises(TrtlabError, match="Unknown coverage source 'trt'.*parser, tensorrt, mxnet-1.3"):
        PartitionSettings(coverage="trt")


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_bad_min_block_size(bad):
    model = trtlab.load(chain_with_unsupported())
    with pytest.raises(TrtlabError, match="min_block_size"):
        trtlab.partition(model, "tensorrt", min_block_size=bad)
