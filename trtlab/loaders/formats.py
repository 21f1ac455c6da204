"""The model formats `trtlab.load` reads, as a registry: each format is one `ModelFormat` that
its own module registers, saying what it recognises (a file suffix, an object's type or
framework, a "SCHEME:NAME" prefix), how it loads, the keywords only it takes and the extra it
needs.

A new format is one module in trtlab/loaders/ that calls `register` (the loaders import every
module of their package the first time a model is loaded) plus its test; parts above the
loaders register theirs when they are imported (the zoo's "zoo:NAME").
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

# Called as `load(source, *, inputs, name, **options)`; returns a `Model`.
Loader = Callable[..., Any]


@dataclass(frozen=True)
class ModelFormat:
    name: str  # "onnx", "mxnet symbol", ...
    load: Loader
    described: str  # how errors name what it reads: "an MXNet symbol .json file"
    suffixes: tuple[str, ...] = ()  # files it reads, by their lower-case suffix (".onnx")
    types: tuple[type, ...] = ()  # objects it reads, by type
    frameworks: tuple[str, ...] = ()  # objects whose class (or a base) comes from these packages
    scheme: str = ""  # names it reads: "SCHEME:NAME"
    # The keywords of `load` only this kind of model takes; None: any keyword no other format
    # claims (the zoo's builders take their own).
    options: tuple[str, ...] | None = ()
    extra: str | None = None  # the extra that installs what it needs: pip install 'trtlab[EXTRA]'
    files_by_default: bool = False  # reads the files no other format claims (ONNX)

    @property
    def module(self) -> str:
        """The module that loads it (its test mirrors that module)."""
        return self.load.__module__

    def claims(self, source: Any) -> bool:
        if isinstance(source, (str, os.PathLike)):
            text = os.fspath(source)
            if self.scheme:
                return text.startswith(f"{self.scheme}:")
            return Path(text).suffix.lower() in self.suffixes
        if self.types and isinstance(source, self.types):
            return True
        return framework_of(source, self.frameworks) is not None


_FORMATS: dict[str, ModelFormat] = {}


def register(model_format: ModelFormat) -> ModelFormat:
    """Add a format (one of the same name is replaced)."""
    _FORMATS[model_format.name] = model_format
    return model_format


def unregister(name: str) -> None:
    _FORMATS.pop(name, None)


def known() -> list[ModelFormat]:
    """The formats registered so far, in the order they were."""
    return list(_FORMATS.values())


def framework_of(obj: Any, frameworks: tuple[str, ...]) -> str | None:
    """Which of `frameworks` (top-level package names) `obj`'s class comes from: a user's own
    subclass too, as the class hierarchy is walked; the framework is not imported."""
    for cls in type(obj).__mro__:
        root = cls.__module__.split(".")[0]
        if root in frameworks:
            return root
    return None
