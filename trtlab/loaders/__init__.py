"""`trtlab.load`: any supported model in, a `Model` out.

Each format is one module that registers a `ModelFormat` (see `formats`: what it recognises, how
it loads, the keywords only it takes, the extra it needs); this module finds the format that
reads what it is given, checks the keywords against it and calls it.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from typing import Any, Mapping, Sequence

from .._io import require_regular_file
from ..errors import TrtlabError
from ..memory import release_memory
from ..model import Model
from . import formats as _formats
from .formats import ModelFormat, register, unregister

Shapes = Mapping[str, Sequence[int]]

__all__ = ["ModelFormat", "framework_of", "load", "model_formats", "register", "unregister"]


def load(model: Any, *, inputs: Shapes | None = None, name: str | None = None, **options: Any) -> Model:
    """Load a model for analysis.

    - ``"model.onnx"`` (external data next to it is found), ``onnx.ModelProto``;
    - ``"zoo:resnet18"``: a standard architecture generated in code (see ``trtlab.zoo``);
    - ``"x-symbol.json"`` with ``params="x-0000.params"``: an MXNet checkpoint;
    - an MXNet ``HybridBlock`` or ``Symbol`` (with ``arg_params``/``aux_params``);
    - a ``torch.nn.Module`` with ``example_inputs=(x,)`` and/or ``example_kwargs={"input_ids": ids}``
      (Hugging Face models as they are), exported with ``exporter="auto"`` (dynamo, then
      TorchScript), ``"dynamo"`` or ``"torchscript"``.

    ``inputs={"x": (1, 3, 224, 224)}`` fixes dynamic input dimensions. `model_formats()` lists
    every format known, with the keywords each takes.
    """
    given = {k: v for k, v in options.items() if v is not None}
    if isinstance(model, Model):
        _check_options(None, given)
        if inputs:
            again = Model.from_proto(model.proto, name=model.name, source=model.source, inputs=inputs)
            again.origin = model.origin
            return again
        return model
    model_format = format_of(model)
    _check_options(model_format, given)
    source = model
    if isinstance(model, (str, os.PathLike)):
        if model_format.scheme:
            source = os.fspath(model)[len(model_format.scheme) + 1:]
        else:
            source = require_regular_file(os.fspath(model), "model file",
                                          hint="Check the path, or use zoo:NAME for a built-in model.")
    loaded = model_format.load(source, inputs=inputs, name=name, **given)
    # Validation and shape inference made and dropped copies of the model in C++: give the
    # allocator's hold on them back (PP-OCRv4 rec's load, 10 MB, kept about 50 MB of them).
    release_memory(collect=False)
    if model_format.frameworks:
        loaded.origin = model  # the framework object, for its own timing baseline
    return loaded


def model_formats() -> list[ModelFormat]:
    """Every format `load` reads: those of this package (each of its modules is imported once,
    here) and those registered from above."""
    if not _loaded_here:
        for found in pkgutil.iter_modules(__path__):
            importlib.import_module(f".{found.name}", __name__)
        _loaded_here.append(True)
    return _formats.known()


_loaded_here: list[bool] = []


def format_of(model: Any) -> ModelFormat:
    """The format that reads `model`: a scheme's name, a file by its suffix (else the format that
    reads files by default), an object by its type or framework; one clear error otherwise."""
    known = model_formats()
    found = next((f for f in known if f.claims(model)), None)
    if found is None and isinstance(model, (str, os.PathLike)):
        found = next((f for f in known if f.files_by_default), None)
    if found is None:
        extras = "; ".join(f"{f.described} needs trtlab[{f.extra}]" for f in known if f.extra)
        raise TrtlabError(f"Don't know how to load a {type(model).__module__}.{type(model).__qualname__}.",
                          hint=f"Pass {', '.join(f.described for f in known)}" + (f" ({extras})." if extras else "."))
    return found


def framework_of(obj: Any) -> str | None:
    """The framework (top-level package, such as "torch" or "mxnet") a model object comes from,
    among those a format reads; None for anything else. The framework is not imported."""
    return _formats.framework_of(obj, tuple(fw for f in model_formats() for fw in f.frameworks))


def _check_options(model_format: ModelFormat | None, given: dict[str, Any]) -> None:
    """A keyword the model's format does not take is one clear error naming those that do."""
    for key in given:
        takers = [f for f in model_formats() if f.options and key in f.options]
        if model_format is not None and (key in (model_format.options or ())
                                         or (model_format.options is None and not takers)):
            continue
        what = model_format.described if model_format is not None else "a loaded Model"
        if takers:
            raise TrtlabError(f"{key}= goes with {' or '.join(f.described for f in takers)} only.",
                              hint=f"Drop it for {what}.")
        raise TrtlabError(f"load() takes no {key}= for {what}.", hint="Drop it.")
