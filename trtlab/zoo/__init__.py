"""Standard architectures generated in code with seeded weights: no downloads.

    import trtlab
    model = trtlab.zoo.get("resnet18")            # or trtlab.load("zoo:resnet18")
    model = trtlab.zoo.get("resnet50", batch=8, seed=1)
    trtlab.zoo.names()

Models: tiny, mixed (holds an op TensorRT cannot take, placed as a cycle trap), resnet18,
resnet50, mobilenetv2, transformer, merged_decoder (two decoders under an If on
use_cache_branch, as Optimum merges them), and torch_cnn (needs torch). Each builder is called as
``NAME(inputs=None, batch=1, seed=0)``; ``inputs={"data": (2, 3, 224, 224)}`` sets the input shape.
Built graphs are cached per (name, seed, input shape) in the process; every call returns a new
`Model` over its own copy of the graph.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping, Sequence

from ..errors import TrtlabError
from ..loaders.formats import ModelFormat, register as register_format
from ..model import Model

# name -> "module:function", imported only when the model is asked for, so a model that needs
# an optional package (torch) costs nothing until then.
REGISTRY: dict[str, str | Callable[..., Model]] = {
    "tiny": "trtlab.zoo.cnn:tiny",
    "mixed": "trtlab.zoo.cnn:mixed",
    "resnet18": "trtlab.zoo.resnet:resnet18",
    "resnet50": "trtlab.zoo.resnet:resnet50",
    "mobilenetv2": "trtlab.zoo.mobilenet:mobilenetv2",
    "transformer": "trtlab.zoo.transformer:transformer",
    "merged_decoder": "trtlab.zoo.merged_decoder:merged_decoder",
    "torch_cnn": "trtlab.zoo.torch_models:torch_cnn",
}


def names() -> list[str]:
    """The names `get` knows, in registry order."""
    return list(REGISTRY)


def register(name: str, builder: str | Callable[..., Model]) -> None:
    """Add a model: a function ``(inputs=None, **kw) -> Model`` or a lazy "module:function"."""
    REGISTRY[name] = builder


def get(name: str, inputs: Mapping[str, Sequence[int]] | None = None, **kwargs: Any) -> Model:
    """Build zoo model `name` (keywords such as ``batch`` and ``seed`` go to its builder)."""
    entry = REGISTRY.get(name)
    if entry is None:
        raise TrtlabError(f"No zoo model named '{name}'.", hint=f"Known models: {', '.join(names())}.")
    return _resolve(entry)(inputs=inputs, **kwargs)


def _resolve(entry: str | Callable[..., Model]) -> Callable[..., Model]:
    if callable(entry):
        return entry
    module, _, function = entry.partition(":")
    try:
        return getattr(importlib.import_module(module), function)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise  # a dependency of the model's module: MissingDependency comes from there
        raise TrtlabError(f"The zoo entry '{entry}' is not part of this trtlab install.",
                          hint="Reinstall trtlab, or register the model with trtlab.zoo.register.") from None


def load_zoo(spec: str, *, inputs: Mapping[str, Sequence[int]] | None = None, name: str | None = None,
             **kwargs: Any) -> Model:
    """`trtlab.load("zoo:NAME", ...)`: the model `get` builds."""
    model = get(spec, inputs=inputs, **kwargs)
    if name:
        model.name = name
    return model


register_format(ModelFormat("zoo", load_zoo, "'zoo:NAME'", scheme="zoo", options=None))  # trtlab.load("zoo:NAME")
