"""`fold_batchnorm`: fold an inference BatchNormalization into the Conv or Gemm before it.

BatchNormalization at inference is y = s * (x - mean) + bias with s = scale / sqrt(var + eps),
so it folds exactly into the weights and bias of the Conv (or Gemm) that feeds it. Folding
before a 16-bit conversion matters: running variances of 1e7-1e8 (seen in PP-OCR) do not fit
fp16, while the folded weights do. The arithmetic is done in float64 and rounded once to fp32.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .. import weight_store


def fold_batchnorm(proto: onnx.ModelProto) -> int:
    """Fold every foldable Conv/Gemm -> BatchNormalization pair of `proto` (edited in place);
    returns how many were folded."""
    g = proto.graph
    inits = {t.name: t for t in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    readers: dict[str, int] = {}
    for n in g.node:
        for i in n.input:
            readers[i] = readers.get(i, 0) + 1
    outputs = {o.name for o in g.output}
    used_names = {t.name for t in g.initializer} | {o for n in g.node for o in n.output}
    dropped = []
    for bn in list(g.node):
        if bn.op_type != "BatchNormalization" or len(bn.output) != 1 or _attr(bn, "training_mode", 0):
            continue
        prev = producer.get(bn.input[0])
        params = [inits.get(name) for name in bn.input[1:5]]
        if prev is None or any(p is None or p.data_type != TensorProto.FLOAT for p in params):
            continue
        if readers.get(bn.input[0]) != 1 or bn.input[0] in outputs:
            continue  # the unfolded value is read elsewhere
        scale, bias, mean, var = (weight_store.array(p).astype(np.float64) for p in params)
        s = scale / np.sqrt(var + _attr(bn, "epsilon", 1e-5))
        shift = bias - s * mean
        folded = (_fold_conv(prev, s, shift, inits) if prev.op_type == "Conv"
                  else _fold_gemm(prev, s, shift, inits) if prev.op_type == "Gemm" else None)
        if folded is None:
            continue
        new_inits = []
        for k, array in folded.items():
            name = _fresh(f"{prev.name or prev.output[0]}.{k}_folded", used_names)
            new_inits.append(numpy_helper.from_array(array.astype(np.float32), name))
            if k == "w":
                prev.input[1] = name
            elif len(prev.input) > 2:
                prev.input[2] = name
            else:
                prev.input.append(name)
        g.initializer.extend(new_inits)
        if prev.op_type == "Gemm":
            _set_beta_one(prev)
        prev.output[0] = bn.output[0]
        dropped.append(bn)
    for bn in dropped:
        g.node.remove(bn)
    if dropped:
        _drop_unused(g)
    return len(dropped)


def _fold_conv(conv: onnx.NodeProto, s: np.ndarray, shift: np.ndarray, inits) -> dict | None:
    w = _weight(conv, 1, inits)
    if w is None or w.ndim < 3 or w.shape[0] != s.size:
        return None
    b = _weight(conv, 2, inits) if len(conv.input) > 2 and conv.input[2] else np.zeros(w.shape[0])
    if b is None:
        return None
    return {"w": w * s.reshape((-1,) + (1,) * (w.ndim - 1)), "b": b * s + shift}


def _fold_gemm(gemm: onnx.NodeProto, s: np.ndarray, shift: np.ndarray, inits) -> dict | None:
    b_mat = _weight(gemm, 1, inits)
    if b_mat is None or b_mat.ndim != 2:
        return None
    trans_b = _attr(gemm, "transB", 0)
    m = b_mat.shape[0] if trans_b else b_mat.shape[1]
    if m != s.size:
        return None
    c = np.zeros(m)
    if len(gemm.input) > 2 and gemm.input[2]:
        c = _weight(gemm, 2, inits)
        if c is None or c.size not in (1, m) or (c.ndim == 2 and c.shape[0] != 1) or c.ndim > 2:
            return None  # a bias per row cannot take a per-column scale
        c = np.broadcast_to(c.reshape(-1), (m,)) * _attr(gemm, "beta", 1.0)
    w = b_mat * (s.reshape(-1, 1) if trans_b else s.reshape(1, -1))
    return {"w": w, "b": c * s + shift}


def _weight(node: onnx.NodeProto, i: int, inits) -> np.ndarray | None:
    t = inits.get(node.input[i]) if i < len(node.input) else None
    if t is None or t.data_type != TensorProto.FLOAT:
        return None
    return weight_store.array(t).astype(np.float64)


def _attr(node: onnx.NodeProto, name: str, default):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def _set_beta_one(gemm: onnx.NodeProto) -> None:
    for a in gemm.attribute:
        if a.name == "beta":
            a.f = 1.0


def _fresh(base: str, used: set[str]) -> str:
    name, k = base, 1
    while name in used:
        k += 1
        name = f"{base}{k}"
    used.add(name)
    return name


def _drop_unused(g: onnx.GraphProto) -> None:
    from .lowbit import drop_unused_initializers

    drop_unused_initializers(g)
    stale = [vi for vi in g.value_info if vi.name not in {o for n in g.node for o in n.output}]
    for vi in stale:
        g.value_info.remove(vi)
