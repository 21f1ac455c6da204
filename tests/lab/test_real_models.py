"""The Lab on models trtlab did not write: each small model of the corpus opens, partitions and
draws both graphs, with its real inputs where random ones would not do."""

from __future__ import annotations

import pytest

from trtlab.lab import Lab

from tests.real_models import SMALL, load_corpus



@pytest.mark.parametrize("name", SMALL)
def test_the_lab_opens_on_a_real_model(name):
    model, feeds = load_corpus(name)
    lab = Lab(model, feeds=feeds, check_options={"cache_dir": False})
    try:
        lab.graph.wait()
        assert lab.errors.value == "" and lab.plan is not None
        assert lab.graph.before.graph["items"] and lab.graph.after.graph["items"]
        # No Constant boxes: constants are attributes of the nodes that read them.
        drawn = lab.graph.before.hierarchy.drawn
        assert not [n for n in drawn if model.node_by_name[n].op_type == "Constant"]
        lab.precision.value = "fp16"
        lab.graph.wait()
        assert lab.errors.value == "" and lab.settings.precision == "fp16"
    finally:
        lab.close()
