"""Example inputs for a model: seeded random data of the right shape and type."""

from __future__ import annotations

from typing import Mapping

import numpy as np

from .errors import TrtlabError
from .limits import check_tensor_sizes
from .model import Model


def random_feeds(model: Model, seed: int = 0) -> dict[str, np.ndarray]:
    """One seeded random array per model input. Integer inputs that index an embedding table
    stay inside the table; other integers are 0 or 1, valid for any index or mask."""
    check_tensor_sizes(model)
    rng = np.random.default_rng(seed)
    feeds = {}
    for name, info in model.inputs.items():
        dtype = np.dtype(info.dtype)
        shape = tuple(info.shape)
        if dtype.kind == "f":
            feeds[name] = rng.standard_normal(shape).astype(dtype)
        elif dtype.kind in "iu":
            feeds[name] = rng.integers(0, _index_bound(model, name), size=shape).astype(dtype)
        elif dtype.kind == "b":
            feeds[name] = rng.integers(0, 2, size=shape).astype(bool)
        else:
            raise TrtlabError(f"Cannot make example data for input '{name}' of type {info.dtype}.",
                              hint="Pass the inputs yourself.")
    return feeds


def check_feeds(model: Model, feeds: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Feeds as numpy arrays, every model input present with its shape and type; no copies of arrays."""
    missing = [n for n in model.inputs if n not in feeds]
    if missing:
        raise TrtlabError(f"Missing input {', '.join(map(repr, missing))}.",
                          hint=f"Model '{model.name}' takes: {', '.join(model.inputs)}.")
    out = {}
    for name, info in model.inputs.items():
        value = feeds[name]
        arr = value if isinstance(value, np.ndarray) else np.asarray(value, dtype=info.dtype)
        if tuple(arr.shape) != tuple(info.shape):
            raise TrtlabError(f"Input '{name}' has shape {tuple(arr.shape)}, the model takes {tuple(info.shape)}.",
                              hint="Load the model with inputs={...} for other shapes.")
        expected = numpy_dtype(info.dtype)
        if expected is not None and arr.dtype != expected:
            raise TrtlabError(f"Input '{name}' is {arr.dtype.name}, the model takes {info.dtype}.",
                              hint=f"Convert it first: array.astype(numpy.{info.dtype}).")
        out[name] = arr
    return out


def load_feeds(source, model: Model) -> dict[str, np.ndarray]:
    """Feeds from an .npz file (one array per input name; a lone .npy for a one-input model) or
    a mapping, checked by `check_feeds`."""
    from ._io import load_arrays

    check_tensor_sizes(model)
    if isinstance(source, Mapping):
        return check_feeds(model, source)
    arrays = load_arrays(source, "feeds file")
    if list(arrays) == [""] and len(model.inputs) == 1:
        arrays = {next(iter(model.inputs)): arrays[""]}
    return check_feeds(model, arrays)


def describe_feeds(feeds: Mapping[str, np.ndarray]) -> str:
    return ", ".join(f"{k} {v.dtype}[{'x'.join(map(str, v.shape)) or 'scalar'}]" for k, v in feeds.items())


def numpy_dtype(name: str) -> np.dtype | None:
    """The numpy type of a model tensor's type name; None for types numpy lacks (bfloat16...)."""
    try:
        return np.dtype(name)
    except TypeError:
        return None


def _index_bound(model: Model, tensor: str) -> int:
    bound = None
    for consumer in model.consumers.get(tensor, ()):
        node = model.node_by_name[consumer]
        if node.op_type == "Gather" and len(node.input) > 1 and node.input[1] == tensor:
            data = model.tensors.get(node.input[0])
            axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
            if data is not None and data.shape and isinstance(data.shape[axis], int):
                size = data.shape[axis]
                bound = size if bound is None else min(bound, size)
    return bound or 2
