"""A coverage report's counts and look-ups over its per-node verdicts."""

from __future__ import annotations

from collections import Counter

import pytest

from trtlab.coverage.verdicts import CoverageReport, NodeSupport


def test_counts_and_reasons_come_from_the_verdicts():
    report = CoverageReport("tensorrt", "fp16", {
        "a": NodeSupport("a", "Relu", True, "in the table"),
        "b": NodeSupport("b", "Det", False, "no importer"),
        "c": NodeSupport("c", "Det", False, "no importer"),
        "d": NodeSupport("d", "NonZero", False, "no importer")})
    assert report.supported_count == 1
    assert report.unsupported_ops == Counter({"Det": 2, "NonZero": 1})
    assert report.supported("a") and not report.supported("b") and report.reason("d") == "no importer"
    with pytest.raises(KeyError):
        report.supported("zzz")
