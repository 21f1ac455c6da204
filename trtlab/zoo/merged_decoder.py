"""A decoder merged the way Optimum's exporter merges one (`decoder_model_merged.onnx`): the
decoder without past and the decoder with past, both whole, as the two branches of one If on a
boolean `use_cache_branch` input, sharing their weights from the outer graph.

One attention layer, one head: token embedding, query/key/value projections, keys and values
concatenated after the past ones in the with-past branch (the past is ignored in the other),
scaled Softmax attention (plus a zero bias made from the scores' shape, as exported masks are),
output projection, residual, LM head. As in Optimum's files, both branches name their tensors
alike (`decoder/scores_shape` is 1x4x12 in one branch and 1x4x4 in the other). Inputs: `input_ids` (batch x
seq, int64), `past_key` and `past_value` (batch x past x 32), `use_cache_branch` (bool [1]);
outputs: `logits` (batch x seq x 64) and `present_key` / `present_value` (batch x total x 32).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ..model import Model

D, VOCAB = 32, 64
DEFAULT = {"input_ids": (1, 4), "past_key": (1, 8, D), "past_value": (1, 8, D), "use_cache_branch": (1,)}


def merged_decoder(inputs: Mapping[str, Sequence[int]] | None = None, batch: int = 1, seed: int = 0) -> Model:
    """The merged decoder at `inputs` shapes (default: batch x 4 new tokens after 8 past ones)."""
    shapes = {k: (batch, *v[1:]) if k != "use_cache_branch" else v for k, v in DEFAULT.items()}
    shapes.update({k: tuple(v) for k, v in (inputs or {}).items()})
    return Model.from_proto(merged_decoder_proto(seed), name="merged_decoder", source="zoo:merged_decoder",
                            inputs=shapes)


def merged_decoder_proto(seed: int = 0) -> onnx.ModelProto:
    """The model with its dynamic dimensions open (batch, seq, past)."""
    rng = np.random.default_rng(seed)

    def weight(name, shape, scale):
        return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)

    weights = [weight("embed", (VOCAB, D), 1.0), weight("wq", (D, D), D ** -0.5), weight("wk", (D, D), D ** -0.5),
               weight("wv", (D, D), D ** -0.5), weight("wo", (D, D), 0.5 * D ** -0.5),
               weight("lm_head", (D, VOCAB), D ** -0.5),
               numpy_helper.from_array(np.asarray(D ** -0.5, dtype=np.float32), "scale")]
    node = helper.make_node("If", ["use_cache_branch"], ["logits", "present_key", "present_value"],
                            name="optimum::if", then_branch=_decoder("with_past", True),
                            else_branch=_decoder("no_past", False))
    graph = helper.make_graph(
        [node], "merged_decoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("past_key", TensorProto.FLOAT, ["batch", "past", D]),
         helper.make_tensor_value_info("past_value", TensorProto.FLOAT, ["batch", "past", D]),
         helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", "seq", VOCAB]),
         helper.make_tensor_value_info("present_key", TensorProto.FLOAT, ["batch", "total", D]),
         helper.make_tensor_value_info("present_value", TensorProto.FLOAT, ["batch", "total", D])],
        weights)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              doc_string="merged decoder: two decoders under an If on use_cache_branch, seeded weights")
    proto.ir_version = 8
    return proto


def _decoder(branch: str, with_past: bool) -> onnx.GraphProto:
    def n(op, inputs, out, **attrs):  # the same names in both branches, as Optimum's merge leaves them
        nodes.append(helper.make_node(op, inputs, [f"decoder/{out}"], name=f"decoder/{out}", **attrs))
        return f"decoder/{out}"

    nodes: list = []
    x = n("Gather", ["embed", "input_ids"], "embed")
    q, k, v = (n("MatMul", [x, w], name) for w, name in (("wq", "q"), ("wk", "k_new"), ("wv", "v_new")))
    if with_past:
        k = n("Concat", ["past_key", k], "present_key", axis=1)
        v = n("Concat", ["past_value", v], "present_value", axis=1)
    else:
        k, v = n("Identity", [k], "present_key"), n("Identity", [v], "present_value")
    scores = n("Mul", [n("MatMul", [q, n("Transpose", [k], "k_t", perm=[0, 2, 1])], "scores"), "scale"], "scaled")
    bias = n("ConstantOfShape", [n("Shape", [scores], "scores_shape")], "bias",
             value=helper.make_tensor("zero", TensorProto.FLOAT, [1], [0.0]))
    scores = n("Add", [scores, bias], "masked")
    context = n("MatMul", [n("Softmax", [scores], "probs", axis=-1), v], "context")
    hidden = n("Add", [x, n("MatMul", [context, "wo"], "out_proj")], "residual")
    logits = n("MatMul", [hidden, "lm_head"], "logits")
    return helper.make_graph(nodes, branch, [], [
        helper.make_tensor_value_info(logits, TensorProto.FLOAT, ["batch", "seq", VOCAB]),
        helper.make_tensor_value_info(k, TensorProto.FLOAT, ["batch", "total", D]),
        helper.make_tensor_value_info(v, TensorProto.FLOAT, ["batch", "total", D])])
