"""TimingResult: statistics of the samples, where and how they ran, as JSON and as a table."""

from __future__ import annotations

import json

import numpy as np
import pytest

import trtlab
from trtlab.timing import TimingResult, to_dataframe


def test_timing_result_statistics_match_numpy():
    s = [1.0, 2.0, 3.0, 4.0, 10.0]
    r = TimingResult.from_samples(s, backend="b", precision="fp16", device="CPU: x", batch=8)
    assert r.mean_ms == pytest.approx(4.0)
    assert r.p50_ms == pytest.approx(3.0)
    assert r.p90_ms == pytest.approx(np.percentile(s, 90))
    assert r.p99_ms == pytest.approx(np.percentile(s, 99))
    assert (r.min_ms, r.max_ms) == (1.0, 10.0)
    assert r.throughput == pytest.approx(8 * 1000 / 4.0)
    assert r.cv == pytest.approx(np.std(s) / 4.0)
    assert r.unstable and "unstable" in r.warning
    d = json.loads(r.to_json())
    assert d["backend"] == "b" and d["precision"] == "fp16" and d["device"] == "CPU: x" and d["batch"] == 8
    assert d["samples_ms"] == s and d["unstable"] is True
    steady = TimingResult.from_samples([5.0, 5.01, 4.99], backend="b", precision="fp32", device="d", batch=1)
    assert not steady.unstable and steady.warning == ""



def test_dataframe_needs_pandas():
    r = TimingResult.from_samples([1.0, 2.0], backend="b", precision="fp32", device="d", batch=1)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(trtlab.MissingDependency, match="pandas"):
            to_dataframe([r])
    else:
        df = to_dataframe([r])
        assert list(df["backend"]) == ["b"] and "samples_ms" not in df
