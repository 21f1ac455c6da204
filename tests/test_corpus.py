from __future__ import annotations

import pytest

import trtlab
from trtlab import corpus

from tests.real_models import load_corpus


def test_names_and_unknown_names():
    assert {"ppocr-det", "magika", "silero-vad", "bert", "gpt2", "vit"} <= set(corpus.names())
    with pytest.raises(trtlab.TrtlabError, match="No corpus model named 'nope'"):
        corpus.load("nope")


@pytest.mark.parametrize("name", ["ppocr-cls", "silero-vad"])
def test_a_packaged_model_loads_with_its_inputs(name):
    model, feeds = load_corpus(name)
    entry = corpus.ENTRIES[name]
    for inp, shape in entry.inputs.items():
        assert tuple(model.inputs[inp].shape) == tuple(shape)
    if name == "silero-vad":
        assert int(feeds["sr"]) == 16000  # a random sample rate breaks the model


def test_a_model_checked_over_a_range_names_its_profile():
    from trtlab import corpus

    assert corpus.profiles("ppocr-rec-range") == [
        {"x": {"min": [1, 3, 48, 160], "opt": [1, 3, 48, 320], "max": [4, 3, 48, 640]}}]
    assert corpus.ENTRIES["ppocr-rec-range"].inputs["x"] == (1, 3, 48, 320)  # loaded at opt
    short, long = corpus.profiles("optimum-bert-range")  # two profiles, as Polygraphy's groups
    assert short["input_ids"]["opt"] == [1, 16] and long["input_ids"]["max"] == [4, 64]
