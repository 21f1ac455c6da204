"""The Lab's state without widgets: coverage per source and precision, op checkboxes turned into
overrides, and plans cached by their settings."""

from __future__ import annotations

import pytest

import trtlab
from trtlab.lab import Lab
from trtlab.lab.session import Session, Settings
from trtlab.settings import PartitionSettings

from tests.models import chain_with_unsupported


@pytest.fixture
def session():
    return Session(trtlab.load(chain_with_unsupported()), max_plans=2)


def test_op_types_are_allowed_when_the_source_takes_any_of_their_nodes(session):
    assert session.op_defaults("tensorrt", "fp32") == {"Relu": True, "Det": False, "Add": True}
    reasons = session.op_reasons("tensorrt", "fp32")
    assert reasons["Relu"] == reasons["Add"] == "" and "no importer for Det" in reasons["Det"]
    assert session.base_coverage("tensorrt", "fp32") is session.base_coverage("tensorrt", "fp32")  # computed once


def test_checkboxes_become_overrides_against_the_source_and_node_overrides_stay(session):
    base = PartitionSettings(exclude_nodes={"r2"})
    s = session.settings_for("tensorrt", "fp16", {"Relu": False, "Det": True, "Add": True}, 2, base)
    assert s == Settings("fp16", PartitionSettings(min_block_size=2, exclude_ops={"Relu"}, include_ops={"Det"},
                                                   exclude_nodes={"r2"}))
    assert s.source == "tensorrt" and s.to_dict()["include_ops"] == ["Det"]
    assert session.coverage(s).reason("r1") == "excluded by user (op type Relu)"
    # Ticks that agree with the source are no overrides at all.
    assert not session.settings_for("tensorrt", "fp32", {"Relu": True, "Det": False}, 1).partition.has_overrides


def test_plans_are_cached_by_their_settings_and_the_oldest_goes(session):
    one, two, three = (Settings(partition=PartitionSettings(min_block_size=k)) for k in (1, 2, 3))
    first = session.plan(one)
    assert session.plan(one) is first and first.engine_count == 2
    session.plan(two)
    session.plan(one)  # used again: now the newest
    session.plan(three)  # over max_plans=2: `two` goes, `one` stays
    assert session.plan(one) is first
    assert [k for k, plan in session.sweep(one, [1, 3])] == [1, 3] and session.sweep(one, [3])[0][1].engine_count == 0


def test_a_prefetched_coverage_is_waited_for_not_computed_twice(session):
    session.prefetch("mxnet-1.3", "fp32")
    report = session.base_coverage("mxnet-1.3", "fp32")
    session.prefetch("mxnet-1.3", "fp32")  # already there: nothing started
    session.stop()
    assert session.base_coverage("mxnet-1.3", "fp32") is report and report.source == "mxnet-1.3"


def test_parser_coverage_is_ready_before_the_user_switches(small_model):
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    lab = Lab(small_model)
    pending = lab.session._pending.get(("parser", "fp32"))
    assert pending is not None  # the real parser runs in the background from the start
    pending.join(timeout=60)
    assert ("parser", "fp32") in lab.session._base
    lab.coverage_panel.preset.value = "parser"
    assert lab.plan.coverage.source == "parser" and not lab.errors.value
