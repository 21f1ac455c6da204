"""The installed TensorRT, described in one place: which one, whether its network is weakly typed."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from trtlab.errors import TrtlabError
from trtlab.installed_tensorrt import TensorRT, describe, find_tensorrt


def _described(flags: bool, distribution: str = "tensorrt", version: str = "10.13.0") -> TensorRT:
    # Only the names are read: TensorRT 10 itself cannot be installed here.
    builder_flags = SimpleNamespace(FP16=0) if flags else SimpleNamespace()
    return TensorRT(SimpleNamespace(__name__="tensorrt", BuilderFlag=builder_flags), distribution, version)


def test_weak_typing_follows_the_builder_flags_and_the_distribution_decides_the_rest():
    ten, eleven = _described(True), _described(False, version="11.0.0")
    assert ten.weakly_typed_flags and not eleven.weakly_typed_flags
    assert ten.label == "TensorRT 10.13.0" and ten.timing_cache and not ten.portable
    rtx = TensorRT(SimpleNamespace(__name__="tensorrt_rtx", BuilderFlag=SimpleNamespace()), "tensorrt-rtx", "1.7")
    assert rtx.portable and not rtx.timing_cache and rtx.label == "TensorRT-RTX 1.7"
    assert rtx.to_dict()["distribution"] == "tensorrt-rtx"


def test_a_bad_choice_of_package_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("TRTLAB_TENSORRT", "tensorflow")
    with pytest.raises(TrtlabError, match="TRTLAB_TENSORRT='tensorflow' is not a TensorRT package"):
        find_tensorrt()


def test_describe_says_what_is_installed():
    found = find_tensorrt()
    text = describe()
    assert (found.label in text) if found is not None else text == "no TensorRT installed"
