"""What `trtlab.check` is asked to do: precisions from the registry, each once, and clear errors."""

from __future__ import annotations

import pytest

from trtlab.check import CheckSettings
from trtlab.errors import TrtlabError
from trtlab.precision_registry import REFERENCE


def test_precisions_are_named_once_and_default_to_the_reference():
    assert CheckSettings(precisions=("fp16", "fp32", "fp16")).precisions == ("fp16", "fp32")
    assert CheckSettings(precisions="int8").precisions == ("int8",)
    assert CheckSettings(precisions=()).precisions == (REFERENCE.name,)
    with pytest.raises(TrtlabError, match="Unknown precision 'fp64'"):
        CheckSettings(precisions=("fp32", "fp64"))


def test_make_takes_a_list_of_precisions_or_keywords():
    s = CheckSettings.make(["fp32", "fp8"], timing=False)
    assert s.precisions == ("fp32", "fp8") and s.timing is False
    assert CheckSettings.make(s) == s
    assert CheckSettings(timing_options={"iterations": 3}).timing_options.iterations == 3


def test_keep_fp32_is_a_tuple_or_auto_and_its_bound_a_share():
    assert CheckSettings(keep_fp32="conv1").keep_fp32 == ("conv1",)
    assert CheckSettings(keep_fp32="auto").keep_fp32 == "auto"
    with pytest.raises(TrtlabError, match="keep_fp32_bound"):
        CheckSettings(keep_fp32_bound=0)
