"""trtlab.load for MXNet checkpoints, Gluon blocks and Symbols; zoo architectures against MXNet."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import trtlab
from trtlab.errors import TrtlabError
from trtlab.loaders.mxnet import split_params

from ..without import run_without
from .helpers import mx


def _export(tmp_path, name="resnet18_v1", size=64, seed=0):
    m = mx()
    from mxnet.gluon.model_zoo import vision

    from trtlab.loaders.mxnet.parity import randomize

    net = vision.get_model(name, pretrained=False)
    randomize(net, seed=seed)
    net.hybridize()
    x = np.random.default_rng(seed).normal(size=(1, 3, size, size)).astype(np.float32)
    ref = net(m.nd.array(x)).asnumpy()
    prefix = str(tmp_path / name)
    net.export(prefix)
    return f"{prefix}-symbol.json", f"{prefix}-0000.params", x, ref


def _run(model, x):
    import onnxruntime as ort

    s = ort.InferenceSession(model.to_bytes(), providers=["CPUExecutionProvider"])
    return s.run(None, {next(iter(model.inputs)): x})[0]


@pytest.fixture(scope="module")
def resnet(tmp_path_factory):
    return _export(tmp_path_factory.mktemp("mx"))


def test_checkpoint_files(resnet):
    sym, params, x, ref = resnet
    model = trtlab.load(sym, params=params, inputs={"data": (1, 3, 64, 64)})
    assert model.inputs["data"].shape == (1, 3, 64, 64)
    assert model.opset == 17 and model.name == "resnet18_v1"
    assert "resnetv10_conv0_fwd" in model.node_by_name  # MXNet node names kept
    out = _run(model, x)
    assert np.max(np.abs(out - ref)) / np.max(np.abs(ref)) < 1e-4
    # Without params=, the single checkpoint beside the symbol is found.
    again = trtlab.load(sym, inputs={"data": (1, 3, 64, 64)})
    assert [n.name for n in again.nodes] == [n.name for n in model.nodes]


def test_cli_inspect_reads_checkpoint(resnet, capsys):
    from trtlab.cli import main

    sym, params, _, _ = resnet
    code = main(["inspect", sym, "--params", params, "--input", "data:1x3x64x64"])
    assert code == 0
    assert "resnetv10" in capsys.readouterr().out


def test_missing_input_shape(resnet):
    sym, params, _, _ = resnet
    with pytest.raises(TrtlabError, match=r"No shape given for the input 'data'.*inputs=\{'data'"):
        trtlab.load(sym, params=params)


def test_missing_params_file(resnet, tmp_path):
    sym, _, _, _ = resnet
    lonely = tmp_path / "lonely-symbol.json"
    lonely.write_text(Path(sym).read_text())
    with pytest.raises(TrtlabError, match="needs its parameters"):
        trtlab.load(lonely, inputs={"data": (1, 3, 64, 64)})


def test_truncated_params(resnet, tmp_path):
    sym, params, _, _ = resnet
    cut = tmp_path / "cut.params"
    cut.write_bytes(Path(params).read_bytes()[:100_000])
    with pytest.raises(TrtlabError, match="truncated"):
        trtlab.load(sym, params=cut, inputs={"data": (1, 3, 64, 64)})


def test_params_of_another_model(resnet, tmp_path):
    sym, _, _, _ = resnet
    _, other, _, _ = _export(tmp_path, "resnet34_v1", size=32)
    with pytest.raises(TrtlabError) as err:
        trtlab.load(sym, params=other, inputs={"data": (1, 3, 64, 64)})
    assert "belong to this symbol" in str(err.value) or "no value for" in str(err.value)


def test_params_with_wrong_shape(resnet, tmp_path):
    from trtlab.loaders.mxnet import read_params, write_params

    sym, params, _, _ = resnet
    arrays = read_params(params)
    key = "arg:resnetv10_stage1_conv0_weight"
    arrays[key] = arrays[key][:, :-1]  # one input channel fewer
    write_params(tmp_path / "bad.params", arrays)
    with pytest.raises(TrtlabError, match="resnetv10_stage1_conv0_weight.*belong to this symbol"):
        trtlab.load(sym, params=tmp_path / "bad.params", inputs={"data": (1, 3, 64, 64)})


def test_json_that_is_not_a_symbol(tmp_path):
    path = tmp_path / "config-symbol.json"
    path.write_text(json.dumps({"model": "resnet", "layers": 18}))
    with pytest.raises(TrtlabError, match="not an MXNet symbol"):
        trtlab.load(path, params=tmp_path / "x.params", inputs={"data": (1, 3, 8, 8)})


def test_gluon_block_and_symbol_with_params(resnet):
    m = mx()
    from mxnet.gluon.model_zoo import vision

    from trtlab.loaders.mxnet.parity import randomize

    net = vision.mobilenet_v2_0_25(pretrained=False)
    randomize(net, seed=1)
    x = np.random.default_rng(1).normal(size=(1, 3, 64, 64)).astype(np.float32)
    model = trtlab.load(net, inputs={"data": (1, 3, 64, 64)})
    ref = net(m.nd.array(x)).asnumpy()
    assert np.max(np.abs(_run(model, x) - ref)) / np.max(np.abs(ref)) < 1e-4

    sym_path, params, x2, ref2 = resnet
    sym, args, aux = m.sym.load(sym_path), *split_params(m.nd.load(params))
    model = trtlab.load(sym, arg_params=args, aux_params=aux, inputs={"data": (1, 3, 64, 64)})
    assert np.max(np.abs(_run(model, x2) - ref2)) / np.max(np.abs(ref2)) < 1e-4


# A representative subset of the Gluon zoo (bench/mxnet_zoo_parity.py runs them all).
ZOO = [("resnet18_v2", 64), ("mobilenet0.25", 64), ("squeezenet1.0", 224), ("densenet121", 224),
       ("inceptionv3", 299), ("alexnet", 96), ("vgg11_bn", 32)]


@pytest.mark.slow
@pytest.mark.parametrize("name, size", ZOO, ids=[z[0] for z in ZOO])
def test_gluon_zoo_matches_mxnet(name, size):
    mx()
    from mxnet.gluon.model_zoo import vision

    from trtlab.loaders.mxnet.parity import check_block, randomize

    net = vision.get_model(name, pretrained=False)
    randomize(net, seed=0)
    result = check_block(net, (1, 3, size, size), name=name)
    assert result.error < 1e-4, result
    # BatchNorm statistics really were random, so a converter ignoring them would fail.
    stats = [p.data().asnumpy() for k, p in net.collect_params().items() if k.endswith("running_var")]
    assert not stats or not all(np.all(s == 1) for s in stats)


def test_missing_mxnet_is_a_clear_error():
    out = run_without("mxnet", """
        from trtlab.errors import MissingDependency
        import trtlab.mxnet
        from trtlab.loaders.mxnet import load_mxnet_object
        for call in (lambda: load_mxnet_object(object(), inputs={"data": (1, 3)}),
                     lambda: trtlab.mxnet.tensorrt_bind(None, data=(1, 3))):
            try:
                call()
            except MissingDependency as e:
                print(e)
    """)
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 2 and all("'mxnet' package" in ln and "trtlab[mxnet]" in ln for ln in lines), out.stderr
