from __future__ import annotations

import pytest

import trtlab
from trtlab import corpus


def test_names_and_unknown_names():
    assert {"ppocr-det", "magika", "silero-vad", "bert", "gpt2", "vit"} <= set(corpus.names())
    with pytest.raises(trtlab.TrtlabError, match="No corpus model named 'nope'"):
        corpus.load("nope")


@pytest.mark.parametrize("name", ["ppocr-cls", "silero-vad"])
def test_a_packaged_model_loads_with_its_inputs(name):
    try:
        model, feeds = corpus.load(name)
    except trtlab.MissingDependency as exc:
        pytest.skip(str(exc))
    entry = corpus.ENTRIES[name]
    for inp, shape in entry.inputs.items():
        assert tuple(model.inputs[inp].shape) == tuple(shape)
    if name == "silero-vad":
        assert int(feeds["sr"]) == 16000  # a random sample rate breaks the model
