"""Finding the installed TensorRT: full TensorRT (`tensorrt`, 10.x/11.x) or TensorRT-RTX.

Both expose the same Python API (Builder, OnnxParser, ...). `TRTLAB_TENSORRT=tensorrt` or
`=tensorrt_rtx` picks one when both are installed; otherwise full TensorRT wins.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

from .errors import MissingDependency, TrtlabError

FLAVOURS = {"tensorrt": "TensorRT", "tensorrt_rtx": "TensorRT-RTX"}


@dataclass(frozen=True)
class TensorRT:
    module: ModuleType
    flavour: str  # "tensorrt" or "tensorrt-rtx"
    version: str

    @property
    def label(self) -> str:
        return f"{FLAVOURS[self.module.__name__.split('.')[0]]} {self.version}"


@lru_cache(maxsize=None)
def find_tensorrt(prefer: str | None = None) -> TensorRT | None:
    """The installed TensorRT, or None."""
    prefer = prefer or os.environ.get("TRTLAB_TENSORRT") or None
    order = ["tensorrt", "tensorrt_rtx"]
    if prefer:
        if prefer not in order:
            raise TrtlabError(f"TRTLAB_TENSORRT={prefer!r} is not a TensorRT package.",
                              hint="Set it to 'tensorrt' or 'tensorrt_rtx', or unset it.")
        order = [prefer] + [o for o in order if o != prefer]
    for name in order:
        try:
            mod = importlib.import_module(name)
            version = mod.__version__
        except Exception:
            continue
        return TensorRT(mod, name.replace("_", "-"), version)
    return None


def require_tensorrt(purpose: str) -> TensorRT:
    """The installed TensorRT, or MissingDependency naming both ways to get one."""
    trt = find_tensorrt()
    if trt is None:
        exc = MissingDependency("tensorrt_rtx", "rtx", purpose)
        # Either package will do: name both, TensorRT-RTX first since it builds without a GPU.
        exc.args = (f"{purpose} needs TensorRT-RTX or TensorRT, and neither is installed. Install one "
                    "with: pip install 'trtlab[rtx]' (builds without a GPU) or pip install 'trtlab[tensorrt]'.",)
        raise exc
    return trt


def capturing_logger(trt: TensorRT, min_severity: str = "WARNING"):
    """An ILogger that keeps messages in `.messages` instead of printing them."""
    module = trt.module
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
