"""trtlab.load for torch modules: both exporters, inputs made from shapes, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

import trtlab
from trtlab.errors import TrtlabError

from .without import run_without


def _ort(model, feeds):
    import onnxruntime as ort

    return ort.InferenceSession(model.to_bytes(), providers=["CPUExecutionProvider"]).run(None, feeds)


def test_load_module_with_example_inputs():
    torch = pytest.importorskip("torch", reason="needs torch (pip install 'trtlab[torch]')")

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.body = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3), torch.nn.ReLU(), torch.nn.Conv2d(8, 4, 1))

        def forward(self, x):
            return torch.tanh(self.body(x)).mean(dim=(2, 3))

    torch.manual_seed(0)
    net = Net()
    x = torch.randn(2, 3, 16, 16)
    model = trtlab.load(net, example_inputs=(x,))
    assert net.training  # the caller's mode is restored
    assert {"body.0", "body.1", "body.2"} <= set(model.node_by_name)
    with torch.no_grad():
        ref = net.eval()(x).numpy()
    (out,) = _ort(model, {"input": x.numpy()})
    assert np.max(np.abs(out - ref)) < 1e-5
    # Shapes alone are enough: random example inputs are made.
    shaped = trtlab.load(net, inputs={"img": (1, 3, 20, 20)})
    assert shaped.inputs["img"].shape == (1, 3, 20, 20)
    with pytest.raises(TrtlabError, match="example inputs"):
        trtlab.load(net)


def _transformers():
    pytest.importorskip("torch", reason="needs torch (pip install 'trtlab[torch]')")
    return pytest.importorskip("transformers", reason="needs transformers")


def _tiny_bert():
    transformers = _transformers()
    import torch

    torch.manual_seed(0)
    config = transformers.BertConfig(num_hidden_layers=2, hidden_size=32, num_attention_heads=2,
                                     intermediate_size=64, vocab_size=500, max_position_embeddings=64)
    return transformers.BertModel(config).eval()


def test_bert_keyword_integer_inputs_both_exporters(capfd):
    import torch

    bert = _tiny_bert()
    ids = torch.randint(0, 500, (1, 12), generator=torch.Generator().manual_seed(1))
    mask = torch.ones(1, 12, dtype=torch.int64)
    mask[0, 9:] = 0
    with torch.no_grad():
        ref = bert(input_ids=ids, attention_mask=mask)
    for exporter in ("dynamo", "torchscript"):
        m = trtlab.load(bert, example_kwargs={"input_ids": ids, "attention_mask": mask}, exporter=exporter)
        assert exporter in m.source
        assert {n: i.dtype for n, i in m.inputs.items()} == {"input_ids": "int64", "attention_mask": "int64"}
        assert list(m.outputs) == ["last_hidden_state", "pooler_output"]
        assert m.outputs["last_hidden_state"].shape == (1, 12, 32)
        out = _ort(m, {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})
        assert np.max(np.abs(out[0] - ref.last_hidden_state.numpy())) < 1e-4, exporter
        assert any(n.startswith("encoder.layer.0.") for n in m.node_by_name), exporter
    # Exporters print progress, warnings and graph dumps: none of it reaches the terminal.
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


def test_shapes_alone_make_integer_inputs_for_keyword_names():
    from trtlab.feeds import random_feeds

    m = trtlab.load(_tiny_bert(), inputs={"input_ids": (1, 16), "attention_mask": (1, 16)})
    assert m.inputs["input_ids"].dtype == "int64" and m.inputs["input_ids"].shape == (1, 16)
    feeds = random_feeds(m)
    assert feeds["input_ids"].max() < 100 and (feeds["attention_mask"] == 1).all()
    _ort(m, feeds)


def test_gpt2_and_vit_from_configs():
    transformers = _transformers()
    import torch

    torch.manual_seed(0)
    gpt2 = transformers.GPT2Model(transformers.GPT2Config(
        n_layer=1, n_embd=32, n_head=2, vocab_size=300, n_positions=32, bos_token_id=0, eos_token_id=0)).eval()
    ids = torch.randint(0, 300, (1, 10))
    m = trtlab.load(gpt2, example_kwargs={"input_ids": ids})
    assert "dynamo" in m.source and list(m.inputs) == ["input_ids"] and list(m.outputs) == ["last_hidden_state"]
    with torch.no_grad():
        ref = gpt2(input_ids=ids).last_hidden_state.numpy()
    assert np.max(np.abs(_ort(m, {"input_ids": ids.numpy()})[0] - ref)) < 1e-4
    with pytest.raises(TrtlabError, match=r"torchscript exporter failed at aten::diff.*exporter='dynamo'"):
        trtlab.load(gpt2, example_kwargs={"input_ids": ids}, exporter="torchscript")

    vit = transformers.ViTModel(transformers.ViTConfig(
        num_hidden_layers=1, hidden_size=32, num_attention_heads=2, intermediate_size=64, image_size=32,
        patch_size=8)).eval()
    x = torch.randn(1, 3, 32, 32)
    m = trtlab.load(vit, example_inputs=(x,))
    assert list(m.inputs) == ["pixel_values"] and m.outputs["pooler_output"].shape == (1, 32)
    with torch.no_grad():
        ref = vit(x).last_hidden_state.numpy()
    assert np.max(np.abs(_ort(m, {"pixel_values": x.numpy()})[0] - ref)) < 1e-4


def test_boolean_and_integer_inputs_keep_their_types():
    torch = pytest.importorskip("torch", reason="needs torch (pip install 'trtlab[torch]')")

    class Masked(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.table = torch.nn.Embedding(20, 4)

        def forward(self, ids, keep):
            return self.table(ids) * keep.unsqueeze(-1).to(torch.float32)

    ids = torch.randint(0, 20, (2, 5))
    keep = torch.rand(2, 5) > 0.5
    for exporter in ("dynamo", "torchscript"):
        m = trtlab.load(Masked(), example_inputs=(ids, keep), exporter=exporter)
        assert [i.dtype for i in m.inputs.values()] == ["int64", "bool"], exporter


def test_export_failure_names_exporter_operator_and_the_other_one():
    torch = pytest.importorskip("torch", reason="needs torch (pip install 'trtlab[torch]')")

    class Eig(torch.nn.Module):
        def forward(self, x):
            return torch.linalg.eigvals(x).real

    x = torch.randn(3, 3)
    with pytest.raises(TrtlabError, match=r"dynamo exporter failed at aten::linalg_eig.*"
                                          r"torchscript exporter failed at aten::linalg_eig.*Both exporters failed"):
        trtlab.load(Eig(), example_inputs=(x,))
    with pytest.raises(TrtlabError, match=r"torchscript exporter failed.*exporter='dynamo'"):
        trtlab.load(Eig(), example_inputs=(x,), exporter="torchscript")
    with pytest.raises(TrtlabError, match="Unknown exporter 'onnx'"):
        trtlab.load(Eig(), example_inputs=(x,), exporter="onnx")
    with pytest.raises(TrtlabError, match="does not run on the example inputs"):
        trtlab.load(Eig(), example_inputs=(torch.randn(2, 3),))
    with pytest.raises(TrtlabError, match="torch.nn.Module only"):
        trtlab.load("zoo:tiny", exporter="dynamo")


def test_missing_torch_is_a_clear_error():
    out = run_without("torch", """
        from trtlab.errors import MissingDependency
        from trtlab.loaders.torch import load_torch_module
        try:
            load_torch_module(object(), inputs={"x": (1, 3)})
        except MissingDependency as e:
            print(e)
    """)
    assert "needs the 'torch' package" in out.stdout and "trtlab[torch]" in out.stdout, out.stderr
