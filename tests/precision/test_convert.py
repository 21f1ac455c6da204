"""`convert_precision`: the transform each precision's registry entry names, its result checked."""

from __future__ import annotations

import pytest

from trtlab.precision import PrecisionPolicy, convert_precision

from tests.models import tiny_cnn


def test_the_result_says_what_stayed_fp32_and_what_it_passed():
    done = convert_precision(tiny_cnn(), "fp16")
    kept = {k.node: k.reason for k in done.kept_fp32}
    assert "softmax" in kept and "keep_fp32_ops" in kept["softmax"]  # the default policy's Softmax
    assert done.validated == "the onnx checker and a run in ONNX Runtime"
    assert done.to_dict()["precision"] == "fp16" and "kept in fp32" in done.summary()
    loose = PrecisionPolicy()
    loose.keep_fp32_ops.discard("Softmax")
    assert "softmax" not in {k.node for k in convert_precision(tiny_cnn(), "fp16", policy=loose).kept_fp32}


def test_a_precision_onnx_runtime_cannot_compute_is_checked_by_the_checker_alone():
    done = convert_precision(tiny_cnn(), "bf16", runnable_in_ort=False)
    assert done.validated.startswith("the onnx checker (bf16 arithmetic does not run in ONNX Runtime")


def test_fp32_is_the_sanitized_model_itself():
    done = convert_precision(tiny_cnn(), "fp32")
    assert not done.kept_fp32 and {n.op_type for n in done.model.graph.node}.isdisjoint({"BatchNormalization"})


def test_something_that_is_not_a_model_is_refused():
    with pytest.raises(TypeError):
        convert_precision(b"not a model", "fp16")


@pytest.mark.parametrize("precision", ["int8", "fp8"])
def test_the_quantizer_gets_a_large_models_folded_weights_as_references_to_its_store(precision, monkeypatch):
    """ResNet-18's BatchNormalizations fold into its Convs (new weights): they join the check's
    store before quantizing, so the opset upgrade and the calibration run copy no weights."""
    import numpy as np

    import trtlab
    import trtlab.precision.convert as convert_module
    from trtlab.weight_store import WeightStore, store_of
    from trtlab.weights import INLINE_ELEMENTS

    given = []
    real_quantize = convert_module.quantize

    def quantize(proto, *args, **kwargs):
        given.append([t.name for t in proto.graph.initializer
                      if np.prod(t.dims) > INLINE_ELEMENTS and store_of(t) is None])
        return real_quantize(proto, *args, **kwargs)

    monkeypatch.setattr(convert_module, "quantize", quantize)
    model = trtlab.load("zoo:resnet18")
    feeds = {"data": np.random.default_rng(0).standard_normal((1, 3, 224, 224)).astype(np.float32)}
    with WeightStore(model.proto) as store:
        done = convert_precision(store.referring(model.proto), precision, calibration=[feeds], feeds=feeds)
        assert given == [[]]  # every large weight a reference
        assert not any(n.op_type == "BatchNormalization" for n in done.model.graph.node)  # folded
        assert "ONNX Runtime" in done.validated
