"""ONNX files: real models from PyPI packages load with a concrete shape for every tensor once their
dynamic inputs are given."""

from __future__ import annotations

import pytest

import trtlab
from trtlab.errors import TrtlabError
from trtlab.loaders.onnx_file import load_onnx_file

from ..real_models import real_model

CASES = {
    "ppocr-rec": ({"x": (1, 3, 48, 320)}, {"softmax_11.tmp_0": (1, 40, 6625)}),
    "ppocr-cls": ({"x": (1, 3, 48, 192)}, {"save_infer_model/scale_0.tmp_1": (1, 2)}),
    "ppocr-det": ({"x": (1, 3, 640, 640)}, {"sigmoid_0.tmp_0": (1, 1, 640, 640)}),
    "silero-vad": ({"input": (1, 512), "state": (2, 1, 128)}, {"output": (1, 1), "stateN": (2, 1, 128)}),
    "yolov8n": ({"images": (1, 3, 320, 320)}, {"output0": (1, 22, 2100)}),
    "magika": ({"bytes": (1, 2048)}, {"target_label": (1, 214)}),
}


@pytest.mark.parametrize("key", list(CASES))
def test_every_tensor_has_a_concrete_shape(key):
    inputs, outputs = CASES[key]
    m = trtlab.load(real_model(key), inputs=inputs)
    assert {name: info.shape for name, info in m.outputs.items()} == outputs
    open_ = {name: info.shape_text() for name, info in m.tensors.items() if not info.static}
    assert open_ == {}
    produced = {o for n in m.nodes for o in n.output if o}
    assert produced <= set(m.tensors)  # nothing left untyped either


def test_hint_for_a_dynamic_image_input_is_a_plausible_size():
    with pytest.raises(TrtlabError, match=r"--input images:1x3x224x224"):
        trtlab.load(real_model("yolov8n"))
    with pytest.raises(TrtlabError, match=r"--input bytes:1x2048"):
        trtlab.load(real_model("magika"))


def _small_model():
    return trtlab.load("zoo:tiny").proto


def test_a_file_loads_under_its_name_with_its_source(tmp_path):
    path = tmp_path / "small.onnx"
    path.write_bytes(_small_model().SerializeToString())
    m = load_onnx_file(path)
    assert m.name == "small" and m.source == str(path)
    assert len(m.nodes) == len(_small_model().graph.node)


def test_external_data_is_found_beside_the_real_file(tmp_path):
    import onnx

    folder = tmp_path / "model"
    folder.mkdir()
    onnx.save(_small_model(), folder / "m.onnx", save_as_external_data=True, all_tensors_to_one_file=True,
              location="m.data", size_threshold=0)
    link = tmp_path / "linked.onnx"
    link.symlink_to(folder / "m.onnx")
    assert len(load_onnx_file(link).nodes) == len(_small_model().graph.node)
    (folder / "m.data").unlink()
    with pytest.raises(TrtlabError, match="refers to external data"):
        load_onnx_file(folder / "m.onnx")


@pytest.mark.parametrize("content, message", [
    (None, "No such file"), ("folder", "is a folder, not an ONNX file"),
    (b"", "holds no ONNX graph"), (b"\xff\xfe not protobuf \x00" * 8, "is not a readable ONNX model")])
def test_what_is_not_an_onnx_file_says_so(tmp_path, content, message):
    path = tmp_path / "bad.onnx"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(TrtlabError, match=message):
        load_onnx_file(path)
