"""Accuracy: compare outputs Polygraphy-style, with tolerances set per precision, and find
the node where error enters.

    from trtlab.accuracy import compare, per_node_error
    report = compare(reference_outputs, fp16_outputs, "fp16")
    report.passed, report.outputs[0].max_abs, report.outputs[0].min_atol
"""

from __future__ import annotations

from .compare import AccuracyReport, OutputComparison, compare, compare_arrays
from .local_error import local_outputs
from .pernode import NodeError, NodeErrorReport, expose_intermediates, exposed_values, per_node_error
from .tolerances import DEFAULT_TOLERANCES, Tolerance, tolerance_for

__all__ = [
    "AccuracyReport", "DEFAULT_TOLERANCES", "NodeError", "NodeErrorReport", "OutputComparison", "Tolerance",
    "compare", "compare_arrays", "expose_intermediates", "exposed_values", "local_outputs", "per_node_error",
    "tolerance_for",
]
