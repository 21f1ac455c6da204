"""The MXNet 1.3 TensorRT integration's API, on trtlab.

    import os
    import trtlab.mxnet
    os.environ["MXNET_USE_TENSORRT"] = "1"
    executor = trtlab.mxnet.tensorrt_bind(sym, ctx=mx.cpu(), all_params=all_params,
                                          data=(1, 3, 224, 224), grad_req="null", force_rebind=True)
    y = executor.forward(is_train=False, data=x)

`MXNET_USE_TENSORRT` is read at every bind, as MXNet did: "1" converts the symbol to ONNX,
partitions it into TensorRT subgraphs and fallback nodes and runs that plan; "0" or unset
returns MXNet's own executor from `sym.simple_bind`. mxnet is imported only when binding.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

from ..errors import TrtlabError
from .executor import NO_TENSORRT_NOTE, TensorRTExecutor

__all__ = ["NO_TENSORRT_NOTE", "TensorRTExecutor", "import_mxnet", "tensorrt_bind", "use_tensorrt"]


def import_mxnet():
    """`import mxnet` that works with numpy >= 1.24 (MXNet 1.9 still uses aliases numpy removed),
    or MissingDependency naming the `mxnet` extra."""
    from .._optional import mxnet

    return mxnet()


_ON = {"1", "true", "yes", "on"}
_OFF = {"", "0", "false", "no", "off"}


def use_tensorrt() -> bool:
    """Whether MXNET_USE_TENSORRT asks for the TensorRT path (read now, not cached)."""
    value = os.environ.get("MXNET_USE_TENSORRT", "").strip().lower()
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise TrtlabError(f"MXNET_USE_TENSORRT={value!r} is neither on nor off.",
                      hint="Set it to 1 (partition for TensorRT) or 0 (plain MXNet).")


# The keywords of `tensorrt_bind` that are options, not input shapes, with their defaults.
BIND_OPTIONS = {"grad_req": "null", "force_rebind": False, "shared_buffer": None,
                "coverage": "tensorrt", "precision": "fp32", "min_block_size": 1}


def tensorrt_bind(symbol: Any, ctx: Any = None, all_params: Mapping[str, Any] | None = None,
                  type_dict: Mapping[str, Any] | None = None, stype_dict: Mapping[str, Any] | None = None,
                  group2ctx: Mapping[str, Any] | None = None, **kwargs: Any):
    """Bind `symbol` for inference like `mx.contrib.tensorrt.tensorrt_bind`, with its signature.

    ``all_params`` holds the arg and aux parameters in one dict. As in MXNet, the keyword arguments
    are the input shapes (``data=(1, 3, 224, 224)``) and the bind options: ``grad_req`` (only
    "null"), ``force_rebind`` (accepted for compatibility: every call binds anew) and
    ``shared_buffer``; ``coverage``, ``precision`` and ``min_block_size`` go to `trtlab.partition`.
    """
    options = {k: kwargs.pop(k, default) for k, default in BIND_OPTIONS.items()}
    grad_req = options["grad_req"]
    from .._optional import mxnet

    mx = mxnet("tensorrt_bind")
    ctx = ctx if ctx is not None else mx.cpu()
    input_shapes = _shapes(kwargs)
    params = dict(all_params or {})
    aux_names = set(symbol.list_auxiliary_states())
    arg_params = {k: v for k, v in params.items() if k not in aux_names}
    aux_params = {k: v for k, v in params.items() if k in aux_names}
    if grad_req != "null":
        raise TrtlabError("tensorrt_bind is for inference only.", hint="Pass grad_req='null'.")
    if not use_tensorrt():
        executor = symbol.simple_bind(ctx=ctx, grad_req=grad_req, type_dict=type_dict, stype_dict=stype_dict,
                                      group2ctx=group2ctx, **input_shapes)
        executor.copy_params_from(arg_params, aux_params, allow_extra_params=True)
        return executor
    return TensorRTExecutor(symbol, arg_params, aux_params, input_shapes, ctx=ctx, coverage=options["coverage"],
                            precision=options["precision"], min_block_size=options["min_block_size"])


def _shapes(kwargs: Mapping[str, Any]) -> dict[str, tuple[int, ...]]:
    shapes = {}
    for name, value in kwargs.items():
        if isinstance(value, (tuple, list)) and all(isinstance(d, int) and d > 0 for d in value):
            shapes[name] = tuple(value)
        else:
            raise TrtlabError(f"tensorrt_bind got {name}={value!r}, which is not an input shape.",
                              hint="Give input shapes as keywords, e.g. data=(1, 3, 224, 224).")
    if not shapes:
        raise TrtlabError("tensorrt_bind needs the input shapes.", hint="Pass e.g. data=(1, 3, 224, 224).")
    return shapes
