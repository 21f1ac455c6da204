"""Real ONNX models from PyPI packages load with a concrete shape for every tensor once their
dynamic inputs are given."""

from __future__ import annotations

import pytest

import trtlab
from trtlab.errors import TrtlabError

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
