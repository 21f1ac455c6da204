"""Real inputs from .npz files and dicts, checked against the model; random inputs plausible
for what the graph does with each input."""

from __future__ import annotations

import os

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import trtlab
from trtlab.errors import TrtlabError
from trtlab.feeds import describe_feeds, load_feeds, random_feeds, random_feeds_note
from trtlab.ort import run_onnxruntime

from .real_models import real_model

SILERO_SHAPES = {"input": (1, 512), "state": (2, 1, 128)}


def _silero():
    return trtlab.load(real_model("silero-vad"), inputs=SILERO_SHAPES)


def _silero_feeds(sr=16000):
    rng = np.random.default_rng(1)
    return {"input": (rng.standard_normal((1, 512)) * 0.1).astype(np.float32),
            "state": np.zeros((2, 1, 128), np.float32), "sr": np.array(sr, dtype=np.int64)}


def test_npz_feeds_run_silero(tmp_path):
    m = _silero()
    path = tmp_path / "speech.npz"
    np.savez(path, **_silero_feeds())
    feeds = load_feeds(path, m)
    assert list(feeds) == ["input", "state", "sr"] and int(feeds["sr"]) == 16000
    out = run_onnxruntime(m, feeds, "cpu")
    assert out["output"].shape == (1, 1) and 0.0 <= float(out["output"][0, 0]) <= 1.0
    assert out["stateN"].shape == (2, 1, 128)
    # A dict works the same.
    assert load_feeds(_silero_feeds(), m)["state"].shape == (2, 1, 128)


def test_each_mismatch_is_one_clear_error(tmp_path):
    m = _silero()
    good = _silero_feeds()
    cases = [
        ({k: v for k, v in good.items() if k != "sr"}, r"Missing input 'sr'.*takes: input float32\[1x512\]"),
        ({**good, "extra": np.zeros(3)}, r"holds 'extra', which the model does not take.*sr int64\[scalar\]"),
        ({**good, "sr": np.array(16000, np.int32)}, r"Input 'sr' is int32, the model takes int64\[scalar\]"),
        ({**good, "input": np.zeros((1, 256), np.float32)},
         r"Input 'input' has shape 1x256, the model takes float32\[1x512\].*--input input:1x256"),
    ]
    for i, (feeds, message) in enumerate(cases):
        path = tmp_path / f"case{i}.npz"
        np.savez(path, **feeds)
        with pytest.raises(TrtlabError, match=message) as err:
            load_feeds(path, m)
        assert path.name in str(err.value) or "Missing" in str(err.value) or "holds" in str(err.value)


def test_bad_feeds_paths(tmp_path):
    m = trtlab.load("zoo:tiny")
    with pytest.raises(TrtlabError, match="No such file"):
        load_feeds(tmp_path / "missing.npz", m)
    with pytest.raises(TrtlabError, match="is a folder"):
        load_feeds(tmp_path, m)
    fifo = tmp_path / "pipe.npz"
    os.mkfifo(fifo)
    with pytest.raises(TrtlabError, match="not a regular file"):
        load_feeds(fifo, m)  # checked before reading: a FIFO would block forever
    (tmp_path / "junk.npz").write_bytes(b"not an archive")
    with pytest.raises(TrtlabError, match="is not an .npy or .npz file"):
        load_feeds(tmp_path / "junk.npz", m)
    np.savez(tmp_path / "objects.npz", x=np.array([{"a": 1}], dtype=object))
    with pytest.raises(TrtlabError, match="Python objects"):
        load_feeds(tmp_path / "objects.npz", m)
    with pytest.raises(TrtlabError, match="a .npz path or a dict"):
        load_feeds(42, m)
    name, info = next(iter(m.inputs.items()))
    np.savez(tmp_path / "text.npz", **{name: np.full(info.shape, "a")})
    with pytest.raises(TrtlabError, match=f"Input '{name}' holds text, the model takes float32"):
        load_feeds(tmp_path / "text.npz", m)  # text only for string inputs


def _int_model() -> trtlab.Model:
    """ids index a 10-row table; codes are plain integers; a mask and a flag; a scalar mode
    compared with 3."""
    ins = [helper.make_tensor_value_info("ids", TensorProto.INT64, [2, 6]),
           helper.make_tensor_value_info("codes", TensorProto.INT32, [2, 6]),
           helper.make_tensor_value_info("attention_mask", TensorProto.INT64, [2, 6]),
           helper.make_tensor_value_info("flag", TensorProto.BOOL, [2, 6]),
           helper.make_tensor_value_info("mode", TensorProto.INT64, [])]
    table = numpy_helper.from_array(np.arange(40, dtype=np.float32).reshape(10, 4), "table")
    three = numpy_helper.from_array(np.array(3, np.int64), "three")
    nodes = [helper.make_node("Cast", ["ids"], ["ids32"], to=TensorProto.INT32),
             helper.make_node("Gather", ["table", "ids32"], ["emb"]),
             helper.make_node("Cast", ["codes"], ["codes_f"], to=TensorProto.FLOAT),
             helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
             helper.make_node("Mul", ["codes_f", "mask_f"], ["masked"]),
             helper.make_node("Not", ["flag"], ["not_flag"]),
             helper.make_node("Equal", ["mode", "three"], ["is_three"])]
    outs = [helper.make_tensor_value_info(n, t, None) for n, t in
            (("emb", TensorProto.FLOAT), ("masked", TensorProto.FLOAT), ("not_flag", TensorProto.BOOL),
             ("is_three", TensorProto.BOOL))]
    g = helper.make_graph(nodes, "ints", ins, outs, [table, three])
    return trtlab.load(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]))


def test_random_feeds_follow_what_the_graph_does():
    m = _int_model()
    for seed in range(3):
        f = random_feeds(m, seed)
        assert f["ids"].dtype == np.int64 and 0 <= f["ids"].min() and f["ids"].max() < 10
        assert f["codes"].dtype == np.int32 and 0 <= f["codes"].min() and f["codes"].max() < 100
        assert f["codes"].max() >= 10  # not squeezed to the table of another input
        assert (f["attention_mask"] == 1).all()
        assert f["flag"].dtype == np.bool_ and f["mode"].shape == () and int(f["mode"]) == 3
        run_onnxruntime(m, f, "cpu")


def test_silero_random_feeds_run():
    # Random 0/1 sample rates made ONNX Runtime fail inside the model.
    m = _silero()
    f = random_feeds(m)
    assert int(f["sr"]) == 16000 and f["sr"].dtype == np.int64
    out = run_onnxruntime(m, f, "cpu")
    assert out["output"].shape == (1, 1)


def test_describe_feeds_and_the_note_for_failures():
    f = random_feeds(_int_model())
    text = describe_feeds(f)
    lines = text.splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("ids int64[2x6] in [") and lines[2] == "attention_mask int64[2x6] = 1"
    assert lines[3].startswith("flag bool[2x6] ") and "true" in lines[3]
    assert lines[4] == "mode int64[scalar] = 3"
    note = random_feeds_note(f)
    assert note.startswith("The inputs were random:\n  ids int64[2x6]") and "--feeds FILE.npz" in note
    assert describe_feeds(f, sep="; ").count("; ") == 4
    floats = describe_feeds({"x": np.array([[-1.5, 2.25]], np.float32)})
    assert floats == "x float32[1x2] in [-1.5, 2.25]"


def test_check_feeds_converts_lists_and_keeps_arrays():
    from trtlab.feeds import check_feeds

    m = _int_model()
    f = random_feeds(m)
    checked = check_feeds(m, {**f, "mode": 3})
    assert checked["ids"] is f["ids"] and checked["mode"].dtype == np.int64
    onnx.checker.check_model(m.proto)
