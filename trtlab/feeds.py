"""Inputs for a model: real ones from a .npz file or a dict, checked against the model's inputs,
or seeded random ones whose values are plausible for what the graph does with each input."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

import numpy as np

from .dtypes import numpy_type
from .errors import TrtlabError

# `model` below is a trtlab.Model; this module does not import it, so that Model.from_proto
# can make random inputs for its shape run without an import cycle.

# Random integer inputs (token ids, class ids) stay below this unless a table is smaller.
SMALL_INT_BOUND = 100
# Ops that pass an integer input's values through unchanged, followed to find how it is used.
_VALUE_PRESERVING = {"Cast", "Identity", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Expand",
                     "Transpose"}
FEEDS_HINT = "Pass real inputs with --feeds FILE.npz (feeds= in Python)."


def random_feeds(model, seed: int = 0) -> dict[str, np.ndarray]:
    """One seeded random array per model input, plausible for how the graph uses it: floats of
    order one; integer ids in [0, 100) and below the row count of any embedding table they index;
    masks of ones; a one-element integer the graph compares with a constant (a sample rate, a
    mode) set to that constant; booleans 0 or 1."""
    from .limits import check_tensor_sizes

    check_tensor_sizes(model)  # an absurd shape is one clear error, not an allocation that fails
    rng = np.random.default_rng(seed)
    feeds = {}
    for name, info in model.inputs.items():
        dtype = np.dtype(info.dtype)
        shape = tuple(info.shape)
        if dtype.kind == "f":
            feeds[name] = rng.standard_normal(shape).astype(dtype)
        elif dtype.kind in "iub" and _is_mask(name):
            feeds[name] = np.ones(shape, dtype)
        elif dtype.kind in "iu":
            uses = _uses(model, name)
            constant = _compared_constant(model, uses) if int(np.prod(shape)) <= 1 else None
            if constant is not None:
                feeds[name] = np.full(shape, constant, dtype)
            elif int(np.prod(shape)) <= 1 and not _index_bounds(model, uses):
                feeds[name] = np.ones(shape, dtype)  # a count or a size: 1 is valid for most
            else:
                feeds[name] = rng.integers(0, _index_bound(model, uses), size=shape).astype(dtype)
        elif dtype.kind == "b":
            feeds[name] = rng.integers(0, 2, size=shape).astype(bool)
        elif dtype.kind == "O" and _categories(model, name):
            words = _categories(model, name)
            feeds[name] = np.asarray(words, dtype=np.str_)[rng.integers(0, len(words), size=shape)]
        else:
            raise TrtlabError(f"Cannot make example data for input '{name}' of type {info.dtype}.",
                              hint="Pass the inputs yourself: " + FEEDS_HINT)
    return feeds


def load_feeds(source: str | os.PathLike | Mapping[str, object], model) -> dict[str, np.ndarray]:
    """Real inputs from a .npz file (one array per input name, as `numpy.savez` writes) or a dict,
    checked against the model: every input present, no others, each with the model's type and
    shape. Returns arrays in the model's input order."""
    where = "the feeds dict"
    if isinstance(source, (str, os.PathLike)):
        from ._io import load_arrays

        where = Path(source).name
        # Each array's name, type and shape are checked from its header, before its bytes are read.
        arrays = load_arrays(source, "feeds file", expect=lambda name, shape, dtype: _check_header(
            _input_name(name, model), shape, dtype, model, where))
        if list(arrays) == [""] and len(model.inputs) == 1:  # a lone .npy for a one-input model
            arrays = {next(iter(model.inputs)): arrays[""]}
    elif isinstance(source, Mapping):
        arrays = dict(source)
    else:
        raise TrtlabError(f"Feeds must be a .npz path or a dict of arrays, not {type(source).__name__}.",
                          hint="Save them with numpy.savez('feeds.npz', input_name=array, ...).")
    _check_present(arrays, model, where)
    extra = [n for n in arrays if n not in model.inputs]
    if extra:
        _not_taken(extra, model, where)
    return {name: _checked(name, arrays[name], info, where) for name, info in model.inputs.items()}


def check_feeds_file(path: str | os.PathLike, model) -> None:
    """What `load_feeds` checks of a feeds file, from its arrays' headers alone: no byte of data is
    read (for a command that only looks at the model)."""
    from ._io import array_headers

    where = Path(path).name
    headers = {_input_name(name, model): header for name, header in array_headers(path, "feeds file").items()}
    for name, (shape, dtype) in headers.items():
        _check_header(name, shape, dtype, model, where)
    _check_present(headers, model, where)


def feed_shapes(source: str | os.PathLike | Mapping[str, object]) -> dict[str, tuple[int, ...]]:
    """The shape of each array of a feeds file or dict: real inputs also fix the model's input
    shapes (what `--input` would say)."""
    if isinstance(source, (str, os.PathLike)):
        from ._io import array_headers

        return {name: shape for name, (shape, _) in array_headers(source, "feeds file").items() if name}
    return {name: tuple(np.shape(value)) for name, value in source.items() if name}


def check_feeds(model, feeds: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Feeds as numpy arrays, every model input present with its shape and type; no copies of
    arrays. Other entries are ignored."""
    missing = [n for n in model.inputs if n not in feeds]
    if missing:
        raise TrtlabError(f"Missing input {', '.join(map(repr, missing))}.",
                          hint=f"Model '{model.name}' takes: {', '.join(model.inputs)}.")
    return {name: _checked(name, feeds[name], info, "") for name, info in model.inputs.items()}


def describe_feeds(feeds: Mapping[str, np.ndarray], sep: str = "\n") -> str:
    """Each input's name, type, shape and the range of its values, one per line (or joined by
    `sep`, e.g. "; " for one line)."""
    lines = []
    for name, value in feeds.items():
        arr = np.asarray(value)
        head = f"{name} {arr.dtype.name}[{'x'.join(map(str, arr.shape)) or 'scalar'}]"
        lines.append(f"{head} {_value_range(arr)}")
    return sep.join(lines)


def random_feeds_note(feeds: Mapping[str, np.ndarray]) -> str:
    """What to add to the message of a run that failed on random inputs."""
    body = "\n".join(f"  {line}" for line in describe_feeds(feeds).splitlines())
    return f"The inputs were random:\n{body}\n{FEEDS_HINT}"


def numpy_dtype(name: str) -> np.dtype | None:
    """The numpy type of a model tensor's type name; None for types numpy lacks (bfloat16...)."""
    return numpy_type(name)


# -------------------------------------------------------------------- helpers
def _checked(name: str, value: object, info, where: str) -> np.ndarray:
    arr = value if isinstance(value, np.ndarray) else np.asarray(value, dtype=numpy_dtype(info.dtype))
    _check_type(name, tuple(arr.shape), arr.dtype, info, where)
    return arr


def _check_type(name: str, shape: tuple, dtype: np.dtype, info, where: str) -> None:
    expected = numpy_dtype(info.dtype)
    takes = f"{info.dtype}[{info.shape_text()}]"
    source = f" ({where})" if where else ""
    if expected == np.dtype(object) and dtype.kind in "UO":  # a string input: text, as numpy.str_ or str objects
        expected = None
    if expected is not None and dtype.kind == "U":
        raise TrtlabError(f"Input '{name}' holds text, the model takes {takes}{source}.",
                          hint="Save numbers for it (text is for a model's string inputs).")
    if expected is not None and dtype != expected:
        raise TrtlabError(f"Input '{name}' is {dtype.name}, the model takes {takes}{source}.",
                          hint=f"Convert it first: array.astype(numpy.{info.dtype}).")
    if tuple(shape) != tuple(info.shape):
        text = "x".join(map(str, shape)) or "scalar"
        raise TrtlabError(f"Input '{name}' has shape {text}, the model takes {takes}{source}.",
                          hint=f"For another size of a dynamic dimension load the model with --input {name}:"
                               f"{text} (inputs={{'{name}': {tuple(shape)}}}).")


def _check_header(name: str, shape: tuple, dtype: np.dtype, model, where: str) -> None:
    """An array of a feeds file, from its header: an input of the model, with its type and shape."""
    if name not in model.inputs:
        _not_taken([name], model, where)
    _check_type(name, shape, dtype, model.inputs[name], where)


def _input_name(name: str, model) -> str:
    return next(iter(model.inputs)) if name == "" and len(model.inputs) == 1 else name


def _check_present(names, model, where: str) -> None:
    missing = [n for n in model.inputs if n not in names]
    if missing:
        raise TrtlabError(f"Missing input {', '.join(map(repr, missing))} in {where}.",
                          hint=f"Model '{model.name}' takes: {_takes(model)}.")


def _takes(model) -> str:
    return ", ".join(f"{n} {i.dtype}[{i.shape_text()}]" for n, i in model.inputs.items())


def _not_taken(names: list[str], model, where: str):
    raise TrtlabError(f"{where[0].upper() + where[1:]} holds {', '.join(map(repr, names))}, which the model does "
                      "not take.", hint=f"Model '{model.name}' takes: {_takes(model)}.")


def _value_range(arr: np.ndarray) -> str:
    if arr.size == 0:
        return "(empty)"
    if arr.dtype.kind not in "biuf":
        return ""
    low, high = arr.min(), arr.max()
    if arr.dtype.kind == "b":
        return f"{int(arr.sum())} of {arr.size} true"
    fmt = (lambda v: f"{v:.4g}") if arr.dtype.kind == "f" else str
    return f"= {fmt(low)}" if low == high else f"in [{fmt(low)}, {fmt(high)}]"


# ONNX-ML ops that map strings they know (a one-hot encoder's categories, a label encoder's keys).
_STRING_KEYS = {"OneHotEncoder": "cats_strings", "LabelEncoder": "keys_strings", "CategoryMapper": "cats_strings"}


def _categories(model, name: str) -> list[str]:
    """The strings an ONNX-ML op reading the string input `name` knows (through value-preserving
    ops): random text would be an unknown category to it."""
    seen, todo = set(), [name]
    while todo:
        tensor = todo.pop()
        for node in (model.node_by_name[c] for c in model.consumers.get(tensor, ())):
            attr = next((a for a in node.attribute if a.name == _STRING_KEYS.get(node.op_type)), None)
            if attr is not None and attr.strings:
                return [s.decode("utf-8", "replace") for s in attr.strings]
            if node.op_type in _VALUE_PRESERVING | {"Gather", "Slice", "Concat"}:
                todo.extend(o for o in node.output if o and o not in seen)
                seen.update(node.output)
    return []


def _is_mask(name: str) -> bool:
    return "mask" in name.lower()


def _uses(model, tensor: str) -> list[tuple]:
    """(node, tensor read) for every node that reads `tensor`'s values, through value-preserving
    ops (a Cast or Reshape of token ids still holds token ids)."""
    out, todo, seen = [], [tensor], set()
    while todo:
        t = todo.pop()
        if t in seen:
            continue
        seen.add(t)
        for consumer in model.consumers.get(t, ()):
            node = model.node_by_name[consumer]
            if node.op_type in _VALUE_PRESERVING and node.input and node.input[0] == t:
                todo.extend(o for o in node.output if o)
            elif _branches(node):  # an If, Loop or Scan: the nodes of its bodies that read it
                out.extend((inner, t) for inner in _inner_nodes(node) if t in inner.input)
            else:
                out.append((node, t))
    return out


def _branches(node) -> list:
    return [a.g for a in node.attribute if a.HasField("g")] + [g for a in node.attribute for g in a.graphs]


def _inner_nodes(node) -> list:
    """Every node inside `node`'s bodies, nested ones too (Optimum's merged decoders hold the
    whole decoder twice under an If)."""
    out = []
    for body in _branches(node):
        for inner in body.node:
            out.append(inner)
            out.extend(_inner_nodes(inner))
    return out


def _index_bounds(model, uses: list[tuple]) -> list[int]:
    bounds = []
    for node, t in uses:
        if node.op_type in ("Gather", "GatherElements") and len(node.input) > 1 and node.input[1] == t:
            data = model.tensors.get(node.input[0])
            axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
            if data is not None and data.shape and -len(data.shape) <= axis < len(data.shape):
                size = data.shape[axis]
                if isinstance(size, int) and size > 0:
                    bounds.append(size)
    return bounds


def _index_bound(model, uses: list[tuple]) -> int:
    return min([SMALL_INT_BOUND, *_index_bounds(model, uses)])


def _compared_constant(model, uses: list[tuple]) -> int | None:
    """The constant an input is tested for equality with (silero-vad's `sr == 16000`)."""
    for node, t in uses:
        if node.op_type != "Equal":
            continue
        other = next((i for i in node.input if i != t), None)
        value = _constant_value(model, other) if other else None
        if value is not None and value.size >= 1 and value.dtype.kind in "iu":
            return int(value.reshape(-1)[0])
    return None


def _constant_value(model, tensor: str) -> np.ndarray | None:
    from onnx import numpy_helper

    from . import weight_store

    if tensor in model.initializers:  # a reference to a store while the model is lent to a check
        return weight_store.array(model.initializers[tensor])
    producer = model.producer.get(tensor)
    node = model.node_by_name.get(producer) if producer else None
    if node is not None and node.op_type == "Constant":
        for a in node.attribute:
            if a.name == "value" and a.HasField("t"):
                return numpy_helper.to_array(a.t)
            if a.name in ("value_int", "value_ints"):
                return np.array(a.i if a.name == "value_int" else list(a.ints), dtype=np.int64)
    return None
