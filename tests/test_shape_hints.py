"""Shapes suggested for dynamic inputs agree with the model: channels from the first Conv's weight,
sequence lengths within the positional table, one size per dimension name, a size that runs."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import trtlab
from trtlab.errors import TrtlabError
from trtlab.shape_hints import hinted_shape, plausible_shape, suggested_shapes


@pytest.mark.parametrize("group, channels", [(1, 3), (4, 12)])
def test_an_image_inputs_channels_come_from_the_conv_that_reads_it(group, channels):
    w = numpy_helper.from_array(np.zeros((8, 3, 3, 3), np.float32), "w")
    graph = helper.make_graph([helper.make_node("Conv", ["pixel_values", "w"], ["y"], name="conv", group=group)], "g",
                              [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT,
                                                             ["batch", "channels", "height", "width"])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [w])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    dims = ["batch", "channels", "height", "width"]
    assert plausible_shape(dims)[1] == 128  # the guess alone
    assert hinted_shape(proto, "pixel_values", dims) == [1, channels, 224, 224]
    with pytest.raises(TrtlabError, match=f"--input pixel_values:1x{channels}x224x224"):
        trtlab.load(proto)


def _decoder_with_past(positions: int) -> "onnx.ModelProto":
    """input_ids (batch x seq) and a past key (batch x past x 8); position ids from past to past +
    seq index a position table of `positions` rows; the mask covers past + seq."""
    vi = helper.make_tensor_value_info
    table = numpy_helper.from_array(np.zeros((positions, 8), np.float32), "transformer.wpe.weight")
    words = numpy_helper.from_array(np.zeros((50, 8), np.float32), "transformer.wte.weight")
    nodes = [helper.make_node("Shape", ["past_key"], ["ps"], start=1, end=2),
             helper.make_node("Shape", ["input_ids"], ["ss"], start=1, end=2),
             helper.make_node("Add", ["ps", "ss"], ["total"]),
             helper.make_node("Squeeze", ["ps"], ["p0"]), helper.make_node("Squeeze", ["total"], ["t0"]),
             helper.make_node("Range", ["p0", "t0", "one"], ["pos"]),
             helper.make_node("Gather", ["transformer.wpe.weight", "pos"], ["pe"]),
             helper.make_node("Gather", ["transformer.wte.weight", "input_ids"], ["we"]),
             helper.make_node("Add", ["we", "pe"], ["h"]),
             helper.make_node("Cast", ["attention_mask"], ["m"], to=TensorProto.FLOAT),
             helper.make_node("ReduceSum", ["m"], ["msum"], keepdims=0)]
    graph = helper.make_graph(nodes, "g", [vi("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
                                           vi("past_key", TensorProto.FLOAT, ["batch_size", "past_sequence_length", 8]),
                                           vi("attention_mask", TensorProto.INT64,
                                              ["batch_size", "past_sequence_length + sequence_length"])],
                              [vi("h", TensorProto.FLOAT, None), vi("msum", TensorProto.FLOAT, None)],
                              [table, words, numpy_helper.from_array(np.array(1, np.int64), "one")])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    return proto


@pytest.mark.parametrize("positions, seq", [(64, 32), (1024, 128)])
def test_sequence_lengths_stay_inside_the_positional_table_and_names_agree(positions, seq):
    shapes, ran = suggested_shapes(_decoder_with_past(positions))
    assert shapes == {"input_ids": [1, seq], "past_key": [1, seq, 8], "attention_mask": [1, 2 * seq]}
    assert ran is True  # a guess of 128 + 128 would index past a 64-row table
    with pytest.raises(TrtlabError, match=rf"--input input_ids:1x{seq} --input past_key:1x{seq}x8 "
                                          rf"--input attention_mask:1x{2 * seq} \(ONNX Runtime runs the model"):
        trtlab.load(_decoder_with_past(positions))


def test_a_text_line_recogniser_gets_a_height_it_runs_at():
    """PP-OCRv4's recogniser fails at 224x224 (a Concat of its neck needs height 48 after the
    backbone); its export's rec_image_shape is 3x48x320."""
    from tests.real_models import real_model

    path = real_model("ppocr-rec")
    with pytest.raises(TrtlabError, match=r"--input x:1x3x48x320 \(ONNX Runtime runs the model at these shapes\)"):
        trtlab.load(str(path))


def test_a_merged_decoders_hint_reads_the_position_table_inside_its_branches():
    """Optimum's GPT-2 merged decoder: its position table (64 rows) is read inside the If's
    branches; the hint keeps 32 new after 32 past tokens, and runs (the no-past branch)."""
    from trtlab import corpus

    with pytest.raises(TrtlabError, match=r"--input input_ids:1x32 .*--input past_key_values.0.key:1x2x32x16 .*"
                                          r"\(ONNX Runtime runs the model at these shapes\)"):
        trtlab.load(str(corpus.path("optimum-gpt2-merged")))
