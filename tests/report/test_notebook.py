"""How a Plan, a CheckResult, an AccuracyReport and a BuildResult show themselves in a notebook: plain text
everywhere, tables and compact graphs in HTML, a long plan folded."""

from __future__ import annotations

import html

import pytest

import trtlab
from trtlab.report.notebook import SHOWN_LINES, accuracy_bundle, build_bundle, plan_bundle


def test_a_result_shows_its_tables_in_a_notebook(result):
    bundle = result._repr_mimebundle_()
    page = bundle["text/html"]
    assert bundle["text/plain"] == result.summary()
    assert "<table" in page and "Accuracy" in page and "Timing" in page
    assert "<h1>" not in page and "<h3>trtlab check" in page  # headings sit below the notebook's own
    # One compact graph (groups closed, the output's width), no full drawings or plotly.js: quick.
    assert page.count("<svg") == page.count("trtlab-compact-graph") >= 1 and "<script" not in page
    assert "<details>" in page  # the long tables folded


def test_a_short_plan_shows_whole_and_a_long_one_folds_after_its_figures():
    short = trtlab.partition(trtlab.load("zoo:tiny"))
    bundle = plan_bundle(short)
    assert bundle["text/plain"] == short.report() and "<details>" not in bundle["text/html"]
    assert "trtlab-compact-graph" in bundle["text/html"]
    plan = trtlab.partition(trtlab.load("zoo:resnet18"), exclude_ops=["Add"])
    lines = plan.report().splitlines()
    assert len(lines) > SHOWN_LINES + 3
    page = plan_bundle(plan)["text/html"]
    assert f"<details><summary>{len(lines) - SHOWN_LINES} more lines: every engine and fallback node</summary>" in page
    assert page.startswith(f"<pre>{html.escape(chr(10).join(lines[:SHOWN_LINES]))}</pre><details>")


def test_an_accuracy_report_is_its_summary_and_its_table(result):
    report = result.accuracy[0]
    bundle = accuracy_bundle(report)
    assert bundle["text/plain"] == report.summary()
    assert "<table class='trtlab-accuracy-table'>" in bundle["text/html"] and report.label in bundle["text/html"]
    assert report._repr_mimebundle_() == bundle


def test_a_build_shows_its_engine_precision_builder_and_size():
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX to build engines (pip install 'trtlab[rtx]')")
    from trtlab.engines.build import build_engines

    (build,) = build_engines(trtlab.partition(trtlab.load("zoo:tiny")))
    bundle = build_bundle(build)
    assert bundle["text/plain"] == repr(build)
    page = bundle["text/html"]
    assert f"<td>{build.name}</td><td>fp32</td><td>{build.builder}</td>" in page
    assert f"<td>{build.bytes:,} bytes</td>" in page and build.bytes > 0
