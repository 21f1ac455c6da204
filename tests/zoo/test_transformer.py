"""The small pre-norm transformer encoder: opset-17 ops as exporters emit them, any batch x sequence."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort

from trtlab import zoo


def _run(model, x):
    session = ort.InferenceSession(model.to_bytes(), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": x})[0]


def test_two_layers_of_attention_and_gelu_written_with_erf():
    model = zoo.get("transformer")
    ops = model.op_counts
    assert ops["LayerNormalization"] == 5 and ops["Softmax"] == 2 and ops["Erf"] == 2
    assert "Gelu" not in ops and ops["MatMul"] == 2 * (4 + 2 + 2)  # q, k, v, out; scores, context; 2 ffn
    assert [n.name for n in model.nodes if n.op_type == "Softmax"] == ["layers.0.attn.softmax", "layers.1.attn.softmax"]
    assert model.inputs["input"].shape == (1, 32, 64) and model.outputs["norm"].shape == (1, 32, 64)


def test_tokens_do_not_leak_across_the_batch_and_outputs_are_normalised():
    model = zoo.get("transformer", inputs={"input": (2, 8, 64)})
    x = np.random.default_rng(0).standard_normal((2, 8, 64)).astype(np.float32)
    y = _run(model, x)
    alone = _run(zoo.get("transformer", inputs={"input": (1, 8, 64)}), x[:1])
    np.testing.assert_allclose(y[:1], alone, rtol=1e-4, atol=1e-5)
    # The final LayerNormalization (scale 0.9-1.1): each token's features spread about 1.
    assert np.all(np.abs(y.std(axis=-1) - 1) < 0.2)
