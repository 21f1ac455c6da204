"""Coverage as a user asks for it: a source by name, a precision, and the user's overrides on top."""

from __future__ import annotations

import pytest

import trtlab
from trtlab.coverage import coverage
from trtlab.errors import TrtlabError

from tests.models import chain_with_unsupported


def test_overrides():
    model = trtlab.load(chain_with_unsupported())
    r = coverage(model, "tensorrt", exclude_ops=["Relu"], include_nodes=["det"], exclude_nodes=["add"])
    assert not r.supported("r1") and "excluded by user (op type Relu)" in r.reason("r1")
    assert r.supported("det") and "forced in by user" in r.reason("det")
    assert not r.supported("add") and "excluded by user (node)" in r.reason("add")
    assert not r.supported("det2")
    with pytest.raises(TrtlabError, match="No node named 'nope'"):
        coverage(model, "tensorrt", exclude_nodes=["nope"])


def test_unknown_source_and_precision():
    model = trtlab.load(chain_with_unsupported())
    with pytest.raises(TrtlabError, match="Unknown coverage source 'tensor'"):
        coverage(model, "tensor")
    with pytest.raises(TrtlabError, match="Unknown precision 'fp9'"):
        coverage(model, "tensorrt", "fp9")
