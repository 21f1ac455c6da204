"""What a timing is given: the batch of its inputs, the .params beside an MXNet symbol, how to call a
torch module, and MXNet's refusals in words."""

from __future__ import annotations

import numpy as np
import pytest

import trtlab
from trtlab.errors import TrtlabError
from trtlab.timing.inputs import batch_of, module_call, mxnet_errors, mxnet_symbol_path, params_beside

from tests.loaders.mxnet.helpers import mx


def test_batch_is_the_leading_dimension_of_the_first_input_with_one():
    assert batch_of({"scale": np.float32(2.0), "x": np.zeros((6, 3))}) == 6
    assert batch_of({"s": 1.5}) == 1 and batch_of({}) == 1


def test_params_beside_a_symbol_is_the_latest_epoch(tmp_path):
    symbol = tmp_path / "net[1]-symbol.json"  # glob characters in the name are taken literally
    symbol.write_text("{}")
    assert params_beside(symbol) is None
    for epoch in ("0000", "0012", "0003"):
        (tmp_path / f"net[1]-{epoch}.params").write_bytes(b"")
    (tmp_path / "net[1]-best.params").write_bytes(b"")
    assert params_beside(symbol) == tmp_path / "net[1]-0012.params"


def test_a_symbol_path_only_when_the_model_came_from_one_that_still_has_its_params(tmp_path):
    symbol = tmp_path / "net-symbol.json"
    symbol.write_text("{}")
    model = trtlab.load("zoo:tiny")
    assert mxnet_symbol_path(model) is None  # zoo:tiny
    model.source = str(symbol)
    assert mxnet_symbol_path(model) is None  # no .params beside it
    assert mxnet_symbol_path(model, params="elsewhere.params") == symbol
    (tmp_path / "net-0000.params").write_bytes(b"")
    assert mxnet_symbol_path(model) == symbol
    symbol.unlink()
    assert mxnet_symbol_path(model) is None


def test_a_module_is_called_by_keyword_where_its_forward_names_every_input():
    class ByName:
        def forward(self, input_ids, attention_mask=None):
            return (input_ids, attention_mask)

        __call__ = lambda self, *a, **k: self.forward(*a, **k)  # noqa: E731

    class InOrder(ByName):
        def forward(self, *tensors):
            return tensors

    assert module_call(ByName(), ["attention_mask", "input_ids"])(["m", "i"]) == ("i", "m")
    assert module_call(InOrder(), ["x", "y"])(["a", "b"]) == ("a", "b")


def test_mxnet_refusals_are_one_line_without_its_backtrace(tmp_path):
    m = mx()
    with pytest.raises(TrtlabError) as err:
        with mxnet_errors(m):
            m.nd.load(str(tmp_path / "absent.params"))
    text = str(err.value)
    assert text.startswith("MXNet rejects the model: ") and "[bt]" not in text and "Stack trace" not in text
