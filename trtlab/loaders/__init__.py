"""`trtlab.load`: any supported model in, a `Model` out.

Each format lives in its own module and ends in `Model.from_proto`; this module only dispatches.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import onnx

from .._io import require_regular_file
from ..errors import TrtlabError
from ..model import Model

Shapes = Mapping[str, Sequence[int]]

# Names such as "zoo:resnet18": a prefix and the function that makes the model from the rest of
# the name. Parts above the loaders register theirs (the zoo, which trtlab/__init__ imports).
_SCHEMES: dict[str, Callable[..., Model]] = {}


def register_scheme(prefix: str, make: Callable[..., Model]) -> None:
    """`load("PREFIX:NAME", inputs=..., **kw)` calls ``make(NAME, inputs=..., **kw)``."""
    _SCHEMES[prefix] = make


def load(
    model: Any,
    *,
    inputs: Shapes | None = None,
    params: str | os.PathLike | None = None,
    example_inputs: Sequence[Any] | None = None,
    example_kwargs: Mapping[str, Any] | None = None,
    exporter: str = "auto",
    name: str | None = None,
    **kwargs: Any,
) -> Model:
    """Load a model for analysis.

    - ``"model.onnx"`` (external data next to it is found), ``onnx.ModelProto``;
    - ``"zoo:resnet18"``: a standard architecture generated in code (see ``trtlab.zoo``);
    - ``"x-symbol.json"`` with ``params="x-0000.params"``: an MXNet checkpoint;
    - an MXNet ``HybridBlock`` or ``Symbol`` (with ``arg_params``/``aux_params``);
    - a ``torch.nn.Module`` with ``example_inputs=(x,)`` and/or ``example_kwargs={"input_ids": ids}``
      (Hugging Face models as they are), exported with ``exporter="auto"`` (dynamo, then
      TorchScript), ``"dynamo"`` or ``"torchscript"``.

    ``inputs={"x": (1, 3, 224, 224)}`` fixes dynamic input dimensions.
    """
    if params is not None and not (isinstance(model, (str, os.PathLike))
                                   and Path(os.fspath(model)).suffix.lower() == ".json"):
        raise TrtlabError("params= (--params) goes with an MXNet symbol .json file only.",
                          hint="Drop it, or load the model's -symbol.json with its .params file.")
    if (example_kwargs is not None or exporter != "auto") and framework_of(model) != "torch":
        raise TrtlabError("example_kwargs= and exporter= go with a torch.nn.Module only.",
                          hint="Drop them for this model.")
    if isinstance(model, Model):
        if inputs:
            return _with_origin(Model.from_proto(model.proto, name=model.name, source=model.source, inputs=inputs),
                                model.origin)
        return model
    if isinstance(model, onnx.ModelProto):
        return Model.from_proto(model, name=name or model.graph.name or "model", source="onnx",
                                inputs=inputs)
    if isinstance(model, (str, os.PathLike)):
        text = os.fspath(model)
        prefix, colon, rest = text.partition(":")
        if colon and prefix in _SCHEMES:
            return _SCHEMES[prefix](rest, inputs=inputs, **kwargs)
        path = require_regular_file(text, "model file", hint="Check the path, or use zoo:NAME for a built-in model.")
        if path.suffix.lower() == ".json":
            from .mxnet import load_symbol_file

            return load_symbol_file(path, params=params, inputs=inputs, name=name, **kwargs)
        from .onnx_file import load_onnx_file

        return load_onnx_file(path, inputs=inputs, name=name)
    kind = framework_of(model)
    if kind == "mxnet":
        from .mxnet import load_mxnet_object

        return _with_origin(load_mxnet_object(model, inputs=inputs, name=name, **kwargs), model)
    if kind == "torch":
        from .torch import load_torch_module

        return _with_origin(load_torch_module(model, example_inputs=example_inputs, example_kwargs=example_kwargs,
                                              exporter=exporter, inputs=inputs, name=name, **kwargs), model)
    raise TrtlabError(
        f"Don't know how to load a {type(model).__module__}.{type(model).__qualname__}.",
        hint="Pass an .onnx path, 'zoo:NAME', an MXNet symbol JSON or block, or a torch.nn.Module.",
    )


def framework_of(obj: Any) -> str | None:
    """"torch" or "mxnet" for a framework object (a user's own subclass too: the class hierarchy
    is walked), else None; the framework is not imported."""
    for cls in type(obj).__mro__:
        root = cls.__module__.split(".")[0]
        if root in ("mxnet", "torch"):
            return root
    return None


def _with_origin(model: Model, origin: Any) -> Model:
    """Keep the framework object a model came from, for its own timing baseline."""
    if origin is not None:
        model.origin = origin
    return model
