"""The installed TensorRT: full TensorRT (`tensorrt`, 10.x/11.x) or TensorRT-RTX, found and
described in one place.

Both expose the same Python API (Builder, OnnxParser, ...). `TRTLAB_TENSORRT=tensorrt` or
`=tensorrt_rtx` picks one when both are installed; otherwise full TensorRT wins. A package that
is installed but fails to import is reported as broken, with its error, never as missing.

Finding one does not import it when its distribution's metadata gives the version: the module
is imported where it is first used (`TensorRT.module`), in the build worker for a check, so the
check's own process (a notebook's kernel) never holds TensorRT's libraries (about 100 MB) only
to name them. A package that then fails to import raises `BrokenTensorRT` there, with its error.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import os
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType

from .errors import MissingDependency, TrtlabError, one_line

PACKAGES = {"tensorrt": "TensorRT", "tensorrt_rtx": "TensorRT-RTX"}


@dataclass(frozen=True)
class TensorRT:
    """One installed TensorRT, as the coverage, engine and fusion code need to know it."""

    package: str  # the module: "tensorrt" or "tensorrt_rtx"
    distribution: str  # "tensorrt" or "tensorrt-rtx"
    version: str
    loaded: ModuleType | None = field(default=None, compare=False, repr=False)  # once imported

    @property
    def module(self) -> ModuleType:
        """The package, imported on first use; `BrokenTensorRT` if it fails to import."""
        if self.loaded is None:
            found = _probe(self.package, lazily=False)
            if not isinstance(found, TensorRT):
                why = "it is no longer installed" if found is None else found
                raise BrokenTensorRT(f"The installed '{self.package}' package fails to import: {why}.",
                                     hint=f"Reinstall it (pip install --force-reinstall {self.package}).")
            object.__setattr__(self, "loaded", found.loaded)
        return self.loaded

    @property
    def label(self) -> str:
        return f"{PACKAGES[self.package]} {self.version}"

    @property
    def weakly_typed_flags(self) -> bool:
        """TensorRT 10 still has BuilderFlag.FP16/BF16/INT8; TensorRT 11 and TensorRT-RTX don't
        (TensorRT-RTX is strongly typed only: known without importing it)."""
        if self.distribution == "tensorrt-rtx" and self.loaded is None:
            return False
        return hasattr(self.module.BuilderFlag, "FP16")

    @property
    def timing_cache(self) -> bool:
        """TensorRT-RTX keeps the timing-cache API, but its operations are no-ops."""
        return self.distribution == "tensorrt"

    @property
    def portable(self) -> bool:
        """TensorRT-RTX builds ahead of time, for any supported GPU; full TensorRT for this one."""
        return self.distribution == "tensorrt-rtx"

    def create_network(self, builder):
        """A network definition: strongly typed where this TensorRT has no precision flags.

        Keep the returned network referenced while a parser fills it."""
        trt = self.module
        flags = 0
        if not self.weakly_typed_flags and hasattr(trt.NetworkDefinitionCreationFlag, "STRONGLY_TYPED"):
            flags |= 1 << int(trt.NetworkDefinitionCreationFlag.STRONGLY_TYPED)
        return builder.create_network(flags)

    def to_dict(self) -> dict:
        return {"distribution": self.distribution, "version": self.version, "builder": self.label,
                "weakly_typed_flags": self.weakly_typed_flags}


class BrokenTensorRT(TrtlabError):
    """A TensorRT package is installed but cannot be imported."""


@lru_cache(maxsize=None)
def _probe(name: str, lazily: bool = True) -> TensorRT | str | None:
    """The package as a TensorRT, None when it is not installed, or why it is broken. `lazily`:
    not imported where its distribution's metadata names its version (see the module's text)."""
    if lazily and name not in sys.modules:
        try:
            installed = importlib.util.find_spec(name) is not None
            version = importlib.metadata.version(name) if installed else None
        except (ImportError, ValueError):  # metadata missing or odd: importing it tells
            installed, version = True, None
        if not installed:
            return None
        if version:
            return TensorRT(name, name.replace("_", "-"), version)
    try:
        mod = importlib.import_module(name)
    except ImportError as exc:
        if exc.name == name:
            return None
        return one_line(exc)
    except Exception as exc:  # a library that fails to load raises all sorts
        return one_line(exc)
    version = getattr(mod, "__version__", None)
    if version is None or not hasattr(mod, "Builder"):
        return "it has no Builder or __version__"
    return TensorRT(name, name.replace("_", "-"), version, mod)


def _order(prefer: str | None) -> list[str]:
    prefer = prefer or os.environ.get("TRTLAB_TENSORRT") or None
    order = list(PACKAGES)
    if prefer:
        if prefer not in order:
            raise TrtlabError(f"TRTLAB_TENSORRT={prefer!r} is not a TensorRT package.",
                              hint="Set it to 'tensorrt' or 'tensorrt_rtx', or unset it.")
        order = [prefer] + [o for o in order if o != prefer]
    return order


def find_tensorrt(prefer: str | None = None) -> TensorRT | None:
    """The installed, working TensorRT, or None."""
    for name in _order(prefer):
        found = _probe(name)
        if isinstance(found, TensorRT):
            return found
    return None


def describe(prefer: str | None = None) -> str:
    """One line on what is installed: the TensorRT in use, and any broken package."""
    parts = []
    for name in _order(prefer):
        found = _probe(name)
        if isinstance(found, TensorRT):
            parts.append(f"{found.label} ({name})")
        elif isinstance(found, str):
            parts.append(f"{name} is installed but broken: {found}")
    return "; ".join(parts) or "no TensorRT installed"


def require_tensorrt(purpose: str = "Building TensorRT engines") -> TensorRT:
    """The installed TensorRT, or an error that says whether it is missing or broken."""
    tensorrt = find_tensorrt()
    if tensorrt is not None:
        return tensorrt
    broken = [(n, r) for n in _order(None) if isinstance(r := _probe(n), str)]
    if broken:
        name, reason = broken[0]
        raise BrokenTensorRT(f"{purpose} needs TensorRT, and the installed '{name}' package fails to import: "
                             f"{reason}.", hint=f"Reinstall it (pip install --force-reinstall {name}).")
    exc = MissingDependency("tensorrt_rtx", "rtx", purpose)
    # Either package will do: name both, TensorRT-RTX first since it builds without a GPU.
    exc.args = (f"{purpose} needs TensorRT-RTX or TensorRT, and neither is installed. Install one "
                "with: pip install 'trtlab[rtx]' (builds without a GPU) or pip install 'trtlab[tensorrt]'.",)
    raise exc


def forget() -> None:
    """Look again on the next call (after an install, or in tests)."""
    _probe.cache_clear()


def capturing_logger(tensorrt: TensorRT, min_severity: str = "WARNING"):
    """An ILogger that keeps messages in `.messages` instead of printing them."""
    module = tensorrt.module
    order = ["INTERNAL_ERROR", "ERROR", "WARNING", "INFO", "VERBOSE"]
    limit = order.index(min_severity)

    class CapturingLogger(module.ILogger):
        def __init__(self):
            module.ILogger.__init__(self)
            self.messages: list[tuple[str, str]] = []

        def log(self, severity, msg):
            name = str(severity).split(".")[-1]
            if name in order and order.index(name) <= limit:
                self.messages.append((name, msg))

    return CapturingLogger()
