"""What a timing is given: the batch of a set of inputs, where an MXNet symbol's .params lie, and
MXNet's refusals to read them in words."""

from __future__ import annotations

import contextlib
import glob
import os
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ..errors import TrtlabError
from ..model import Model


def batch_of(feeds: Mapping[str, np.ndarray]) -> int:
    """The leading dimension of the first input with one (1 for scalars)."""
    for v in feeds.values():
        shape = np.shape(v)
        if shape:
            return int(shape[0])
    return 1


def mxnet_symbol_path(model: Model, params: str | os.PathLike | None = None) -> Path | None:
    """The symbol file a Model was loaded from, when it still exists and its params are given
    or lie beside it."""
    source = Path(model.source) if model.source else None
    if source is None or not source.name.endswith(".json") or not source.is_file():
        return None
    return source if params is not None or params_beside(source) else None


def params_beside(symbol_path: Path) -> Path | None:
    stem = symbol_path.stem
    prefix = stem[:-len("-symbol")] if stem.endswith("-symbol") else stem
    found = sorted(glob.glob(str(symbol_path.parent / f"{glob.escape(prefix)}-[0-9][0-9][0-9][0-9].params")))
    return Path(found[-1]) if found else None


def module_call(module: Any, names: list[str]):
    """How to call a torch module with tensors for the model inputs `names`: by keyword where each
    name is a parameter of its forward (Hugging Face models: input_ids, attention_mask, ...), else
    in order."""
    import inspect

    try:
        params = inspect.signature(module.forward).parameters
    except (TypeError, ValueError):
        params = {}
    if names and all(n in params for n in names):
        return lambda tensors: module(**dict(zip(names, tensors)))
    return lambda tensors: module(*tensors)


@contextlib.contextmanager
def mxnet_errors(mx):
    """MXNet's refusals (a symbol attribute its own parser rejects, a file it can't read) as one
    TrtlabError with MXNet's reason, without the C++ backtrace MXNet appends."""
    try:
        yield
    except (mx.base.MXNetError, OSError) as exc:
        lines = [x.strip() for x in str(exc).splitlines()
                 if x.strip() and not x.lstrip().startswith(("[bt]", "Stack trace", "Traceback", "File "))]
        reason = (lines[0] if lines else type(exc).__name__).removeprefix("MXNetError: ")
        raise TrtlabError(f"MXNet rejects the model: {reason}") from None
