"""Renderers registered from above: `trtlab.report` fills the registry that results read."""

from __future__ import annotations

import pytest

import trtlab
from trtlab import display
from trtlab.errors import TrtlabError


def test_a_plan_renders_through_what_the_report_registered():
    plan = trtlab.partition(trtlab.load("zoo:tiny"))
    assert plan.report() == display.text(plan) and "engine" in plan.report()
    bundle = plan._repr_mimebundle_()
    assert bundle["text/plain"] == plan.report() and "<pre>" in bundle["text/html"]


def test_a_subclass_finds_its_parents_renderer_and_an_unknown_type_gets_a_clear_error():
    class MyPlan(trtlab.Plan):
        pass

    plan = trtlab.partition(trtlab.load("zoo:tiny"))
    mine = MyPlan(**{f: getattr(plan, f) for f in plan.__dataclass_fields__})
    assert mine.report() == plan.report()
    with pytest.raises(TrtlabError, match="Nothing renders a object as html_file"):
        display.write_html(object(), "x.html")
    with pytest.raises(ValueError, match="unknown renderer kind"):
        display.renders("svg", trtlab.Plan)
