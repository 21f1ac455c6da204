"""The report tests' shared result: a real check of a small model, fp32 and fp16, without engine builds."""

from __future__ import annotations

import pytest

from trtlab.check import check

from tests.models import conv_model

FAST = {"warmup_ms": 5, "iterations": 3, "seconds": 0.01}


@pytest.fixture(scope="module")
def result():
    return check(conv_model(), ["fp32", "fp16"], build=False, exclude_ops=["Relu"], timing_options=FAST)
