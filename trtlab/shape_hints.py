"""Shapes to suggest for a model's dynamic inputs, when it is loaded without them.

Each dimension gets a size that suits its role (the batch 1, an image side 224, a sequence 128),
then what the model itself says wins over the guess: a dimension named alike in several inputs
gets one size (`encoder_sequence_length` in a mask and in hidden states), a sum of names is summed
(`past_sequence_length + sequence_length`), an image's channels are its first Conv's weight's, a
sequence is no longer than the positional-embedding table it indexes (a GPT-2 with 64 positions
gets 32 new tokens after 32 past ones, not 128 after 128). Finally the suggestion is run once in
ONNX Runtime where the model is small enough; if it fails there, common input sizes of vision
models and text-line recognisers are tried in turn (PP-OCR's recogniser runs at height 48, as its
export's `rec_image_shape` 3x48x320 says, and fails at 224).
"""

from __future__ import annotations

import re
import time
from typing import Sequence

import numpy as np
import onnx

SEQUENCE_WORDS = ("seq", "length", "len", "token", "past", "position", "time", "step")
POSITION_WORDS = ("position", "wpe", "pos_emb", "pos_embed")
DEFAULT_SEQUENCE = 128
IMAGE_SIDE = 224
# Tried in turn for an image input's spatial sides when the first guess does not run: the usual
# classifier and detector sizes, and text lines (PP-OCR's 48x320, CRNN's 32x100 and 32x128).
IMAGE_SIZES = ((224, 224), (48, 320), (32, 320), (32, 100), (32, 128), (64, 256), (256, 256), (320, 320),
               (384, 384), (512, 512), (640, 640), (32, 32))
RUN_SECONDS = 20.0  # the tries stop after this (a hint is an error path, not a search)
RUN_MAX_BYTES = 256 * 1024**2  # weights above this are not run for a hint

Dims = Sequence  # of int (fixed), str (a name, "" or "?" for none) or None


def plausible_shape(dims: Dims) -> list[int]:
    """A size for each dynamic dimension that suits its role: the first one is the batch (1);
    named or image-like spatial ones 224 (1x3x224x224); sequence lengths and others 128 (1x128)."""
    out, batch_done = [], False
    image = _image_like(dims)
    for d in dims:
        if isinstance(d, int) and d > 0:
            out.append(d)
            continue
        label = str(d).lower()
        if "batch" in label or label in ("n", "b", "bs") or not batch_done:
            out.append(1)
        elif image or any(k in label for k in ("height", "width", "size")) or label in ("h", "w"):
            out.append(IMAGE_SIDE)
        else:
            out.append(DEFAULT_SEQUENCE)
        batch_done = True
    return out


def hinted_shape(proto: onnx.ModelProto, name: str, dims: Dims) -> list[int]:
    """`plausible_shape`, with what the model's weights say over the guess: the channels of an
    image input read by a Conv are its weight's input channels times its groups (a pixel_values
    of 1x128x224x224 for a first Conv taking 3 channels would be refused at once)."""
    return suggested_shapes(proto, {name: dims}, run=False)[0][name]


def suggested_shapes(proto: onnx.ModelProto, open_inputs: dict[str, Dims] | None = None, *,
                     run: bool = True) -> tuple[dict[str, list[int]], bool | None]:
    """({input: shape} for each input of `open_inputs` (name -> its dims; default: every graph
    input with an open dimension), whether the model ran in ONNX Runtime on inputs of those
    shapes (None: not tried: too large, no ONNX Runtime, or `run` false))."""
    if open_inputs is None:
        open_inputs = {n: d for n, d in graph_input_dims(proto).items()
                       if not all(isinstance(x, int) and x > 0 for x in d)}
    rows = _position_rows(proto)
    with_past = any("past" in str(d).lower() for dims in open_inputs.values() for d in dims)
    sequence = DEFAULT_SEQUENCE if rows is None else max(1, min(DEFAULT_SEQUENCE, rows // (2 if with_past else 1)))
    symbols: dict[str, int] = {}
    out = {}
    for name, dims in open_inputs.items():
        guess = plausible_shape(dims)
        for i, d in enumerate(dims):
            label = str(d) if isinstance(d, str) else ""
            if label in ("", "?") or (isinstance(d, int) and d > 0):
                continue
            if "+" in label:  # a sum of named dimensions, filled in below
                continue
            if label not in symbols:
                symbols[label] = sequence if _sequence_like(label, dims, i, guess) else guess[i]
            guess[i] = symbols[label]
        out[name] = guess
    for name, dims in open_inputs.items():
        for i, d in enumerate(dims):
            if isinstance(d, str) and "+" in d:
                parts = [p.strip() for p in d.split("+")]
                out[name][i] = sum(symbols.get(p, int(p) if p.isdigit() else sequence) for p in parts)
    _channels_from_convs(proto, out, open_inputs)
    if not run or not out:
        return out, None
    return _runs_or_alternatives(proto, out, open_inputs)


def graph_input_dims(proto: onnx.ModelProto) -> dict[str, list]:
    """Each real graph input (not an initializer listed as one) with its dims: ints, or names."""
    inits = {t.name for t in proto.graph.initializer}
    out = {}
    for vi in proto.graph.input:
        if vi.name in inits or not vi.type.HasField("tensor_type"):
            continue
        shape = vi.type.tensor_type.shape
        out[vi.name] = [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else (d.dim_param or "?")
                        for d in shape.dim]
    return out


# -------------------------------------------------------------------- what the weights say
def _position_rows(proto: onnx.ModelProto) -> int | None:
    """Rows of the smallest positional-embedding table a Gather reads (its name says position),
    in the graph or in its If/Loop bodies (a merged decoder's are in its branches)."""
    weights = {t.name: t for t in proto.graph.initializer if len(t.dims) == 2}
    rows, graphs = [], [proto.graph]
    while graphs:
        g = graphs.pop()
        for n in g.node:
            if n.op_type == "Gather" and n.input and n.input[0] in weights \
                    and any(w in n.input[0].lower() for w in POSITION_WORDS):
                rows.append(int(weights[n.input[0]].dims[0]))
            graphs.extend(a.g for a in n.attribute if a.HasField("g"))
            graphs.extend(x for a in n.attribute for x in a.graphs)
    return min(rows) if rows else None


def _channels_from_convs(proto: onnx.ModelProto, out: dict[str, list[int]], dims_of: dict[str, Dims]) -> None:
    weights = {t.name: t for t in proto.graph.initializer}
    for node in proto.graph.node:
        name = node.input[0] if node.op_type == "Conv" and node.input else None
        if name in out and len(out[name]) >= 2 and not (isinstance(dims_of[name][1], int) and dims_of[name][1] > 0) \
                and node.input[1] in weights:
            group = next((a.i for a in node.attribute if a.name == "group"), 1)
            out[name][1] = int(weights[node.input[1]].dims[1]) * group


def _sequence_like(label: str, dims: Dims, i: int, guess: list[int]) -> bool:
    low = label.lower()
    if "batch" in low:
        return False
    return any(w in low for w in SEQUENCE_WORDS) and not _image_like(dims) and guess[i] == DEFAULT_SEQUENCE


def _image_like(dims: Dims) -> bool:
    return len(dims) == 4 and any(dims[i] in (1, 3) for i in (1, 3))


# -------------------------------------------------------------------- what a run says
def _runs_or_alternatives(proto, shapes: dict[str, list[int]], dims_of: dict[str, Dims]):
    from .weights import weight_bytes

    if weight_bytes(proto) > RUN_MAX_BYTES:
        return shapes, None
    session = _session(proto)
    if session is None:
        return shapes, None
    first = _runs(session, shapes)
    if first is not False:  # it ran, or inputs of its types can't be made up (strings): not tried
        return shapes, first
    images = [n for n, d in dims_of.items() if _image_like(d) and any(not isinstance(x, int) for x in d[2:])]
    if not images:
        return shapes, False
    start = time.monotonic()
    for size in IMAGE_SIZES[1:]:
        if time.monotonic() - start > RUN_SECONDS:
            break
        tried = {n: list(s) for n, s in shapes.items()}
        for n in images:
            for k, side in zip((2, 3), size):
                if not (isinstance(dims_of[n][k], int) and dims_of[n][k] > 0):
                    tried[n][k] = side
        if _runs(session, tried):
            return tried, True
    return shapes, False


def _session(proto):
    from ._optional import onnxruntime
    from .ort import loadable
    from .static_shapes import _session as cpu_session

    try:
        onnxruntime()
        with loadable(proto) as source:
            return cpu_session(source)
    except Exception:
        return None


def _runs(session, shapes: dict[str, list[int]]) -> bool | None:
    """Whether the model runs on random inputs of `shapes`; None where it has an input of a type
    no random values are made for here (strings, types numpy lacks)."""
    from .dtypes import numpy_type

    rng = np.random.default_rng(0)
    feeds = {}
    for i in session.get_inputs():
        shape = shapes.get(i.name) or [d if isinstance(d, int) and d > 0 else 1 for d in i.shape]
        dtype = numpy_type(i.type) if i.type.startswith("tensor(") else None
        if dtype is None or dtype.kind == "O":
            return None
        if dtype.kind == "f":
            feeds[i.name] = rng.standard_normal(shape).astype(dtype)
        elif re.search("mask", i.name, re.I) or dtype.kind == "b":
            feeds[i.name] = np.ones(shape, dtype)
        else:
            feeds[i.name] = np.zeros(shape, dtype)
    for flags in (True, False):  # booleans set, then clear (a merged decoder's first step has no past)
        feeds.update({i.name: np.full(feeds[i.name].shape, flags) for i in session.get_inputs()
                      if feeds[i.name].dtype == bool})
        try:
            session.run(None, feeds)
            return True
        except Exception:
            if not any(v.dtype == bool for v in feeds.values()):
                break
    return False
