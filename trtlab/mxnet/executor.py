"""`TensorRTExecutor`: what `tensorrt_bind` returns on the TensorRT path, shaped like an MXNet
executor (`forward`, `outputs`, `arg_dict`, `aux_dict`, `output_dict`, `copy_params_from`)."""

from __future__ import annotations

import warnings
from typing import Any, Mapping

import numpy as np

from ..errors import TrtlabError
from ..words import counted

NO_TENSORRT_NOTE = "TensorRT subgraphs executed by ONNX Runtime (CPU): no runnable TensorRT here"

_warned = False


class TensorRTExecutor:
    """The symbol converted to ONNX, partitioned for TensorRT (`plan`) and run by trtlab's
    hybrid runner. No TensorRT engine can run here, so each TensorRT subgraph runs in an ONNX
    Runtime session standing in for its engine; `backend` and the repr say so."""

    def __init__(self, symbol: Any, arg_params: Mapping[str, Any], aux_params: Mapping[str, Any],
                 input_shapes: Mapping[str, tuple[int, ...]], *, ctx: Any, coverage: str = "tensorrt",
                 precision: str = "fp32", min_block_size: int = 1):
        from .._optional import mxnet

        self._mx = mxnet("tensorrt_bind")
        self.symbol = symbol
        self.input_shapes = dict(input_shapes)
        self._options = {"coverage": coverage, "precision": precision, "min_block_size": min_block_size}
        self._ctx = ctx
        self.arg_dict: dict[str, Any] = {}
        self.aux_dict: dict[str, Any] = {}
        self._build(arg_params, aux_params)

    # ------------------------------------------------------------------ binding
    def _build(self, arg_params: Mapping[str, Any], aux_params: Mapping[str, Any]) -> None:
        global _warned
        from ..loaders.mxnet import load_mxnet_object
        from ..partition import partition
        from ..hybrid import HybridRunner

        mx = self._mx
        self.model = load_mxnet_object(self.symbol, arg_params=dict(arg_params), aux_params=dict(aux_params),
                                       inputs=self.input_shapes)
        self.plan = partition(self.model, self._options["coverage"], self._options["precision"],
                              min_block_size=self._options["min_block_size"])
        self.runner = HybridRunner(self.plan, provider="cpu")
        self.output_ctx = self._ctx if self._ctx.device_type == "cpu" or mx.context.num_gpus() else mx.cpu()
        data = {n: mx.nd.zeros(s, ctx=self.output_ctx) for n, s in self.input_shapes.items()}
        old = {n: self.arg_dict[n] for n in self.input_shapes if n in self.arg_dict}
        self.arg_dict = {**data, **old, **{k: _nd(mx, v, self.output_ctx) for k, v in arg_params.items()}}
        self.aux_dict = {k: _nd(mx, v, self.output_ctx) for k, v in aux_params.items()}
        self.output_names = list(self.model.outputs)
        self.outputs = [mx.nd.zeros(self.model.outputs[n].shape, ctx=self.output_ctx) for n in self.output_names]
        if not _warned:
            warnings.warn(NO_TENSORRT_NOTE, RuntimeWarning, stacklevel=4)
            _warned = True

    @property
    def backend(self) -> str:
        return (f"{NO_TENSORRT_NOTE}; {counted(self.plan.engine_count, 'TensorRT subgraph')}, "
                f"{counted(len(self.plan.fallback_nodes), 'fallback node')}")

    @property
    def output_dict(self) -> dict[str, Any]:
        return dict(zip(self.output_names, self.outputs))

    def copy_params_from(self, arg_params: Mapping[str, Any], aux_params: Mapping[str, Any] | None = None,
                         allow_extra_params: bool = False) -> None:
        """New weights: the engines (here, their stand-ins) are rebuilt, as TensorRT bakes weights in."""
        args = {k: v for k, v in self.arg_dict.items() if k not in self.input_shapes}
        known = set(args) | set(self.aux_dict)
        extra = [k for k in list(arg_params) + list(aux_params or {}) if k not in known]
        if extra and not allow_extra_params:
            raise TrtlabError(f"Parameters not in the symbol: {', '.join(extra[:5])}.",
                              hint="Pass allow_extra_params=True to ignore them.")
        args.update({k: v for k, v in arg_params.items() if k in known})
        aux = {**self.aux_dict, **{k: v for k, v in (aux_params or {}).items() if k in known}}
        self._build(args, aux)

    # ------------------------------------------------------------------ running
    def forward(self, is_train: bool = False, **inputs: Any) -> list:
        if is_train:
            raise TrtlabError("A TensorRT executor runs inference only.", hint="Call forward(is_train=False, ...).")
        for name, value in inputs.items():
            if name not in self.input_shapes:
                raise TrtlabError(f"Unknown input '{name}'.", hint=f"Inputs: {', '.join(self.input_shapes)}.")
            array = value.asnumpy() if hasattr(value, "asnumpy") else np.asarray(value, dtype=np.float32)
            if tuple(array.shape) != self.input_shapes[name]:
                raise TrtlabError(f"Input '{name}' has shape {tuple(array.shape)}, but the executor was bound "
                                  f"for {self.input_shapes[name]}.", hint="Bind again with the new shape.")
            self.arg_dict[name][:] = array
        feeds = {n: self.arg_dict[n].asnumpy() for n in self.input_shapes if n in self.model.inputs}
        results = self.runner.run(feeds)
        mx = self._mx
        self.outputs = [mx.nd.array(results[n], ctx=self.output_ctx, dtype=results[n].dtype)
                        for n in self.output_names]
        return self.outputs

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        return (f"<trtlab.mxnet.TensorRTExecutor {self.model.name!r}: {counted(self.plan.engine_count, 'TensorRT subgraph')}, "
                f"{counted(len(self.plan.fallback_nodes), 'fallback node')}>\n{NO_TENSORRT_NOTE}")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": f"{self!r}\n{self.runner.describe()}"}


def _nd(mx, value: Any, ctx: Any):
    if isinstance(value, mx.nd.NDArray):
        return value.as_in_context(ctx)
    return mx.nd.array(np.asarray(value), ctx=ctx)
