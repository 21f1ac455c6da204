"""MXNet models in: symbol JSON + .params checkpoints, Gluon HybridBlocks, Symbols with params.

The conversion is trtlab's own (the rest of this package); reading a checkpoint does not need mxnet.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ... import scratch
from ...errors import TrtlabError, one_line
from ...model import Model
from ..formats import ModelFormat, register
from .convert import DEFAULT_OPSET, convert
from .params import read_params, split_params
from .symbol import load_symbol_json

Shapes = Mapping[str, Sequence[int]]


def load_symbol_file(path: str | os.PathLike, *, params: str | os.PathLike | None = None,
                     inputs: Shapes | None = None, name: str | None = None,
                     opset: int = DEFAULT_OPSET) -> Model:
    """`x-symbol.json` + `x-0000.params` -> Model. Without `params`, a single `x-NNNN.params`
    beside the symbol is used."""
    path = Path(path)
    symbol = load_symbol_json(path)
    params_path = Path(params) if params is not None else _find_params(path)
    arrays = read_params(params_path)
    model_name = name or _stem(path)
    proto = convert(symbol, arrays, inputs or {}, opset=opset, name=model_name)
    return Model.from_proto(proto, name=model_name, source=str(path))


def load_mxnet_object(obj: Any, *, inputs: Shapes | None = None, name: str | None = None,
                      arg_params: Mapping[str, Any] | None = None, aux_params: Mapping[str, Any] | None = None,
                      opset: int = DEFAULT_OPSET) -> Model:
    """A Gluon HybridBlock, or a Symbol with `arg_params`/`aux_params` (NDArrays or numpy)."""
    from ..._optional import mxnet

    mx = mxnet()
    if isinstance(obj, mx.gluon.HybridBlock):
        return _load_block(mx, obj, inputs, name, opset)
    if isinstance(obj, mx.gluon.Block):
        raise TrtlabError(f"{type(obj).__name__} is a Gluon Block, which can't be exported.",
                          hint="Make it a HybridBlock (hybrid_forward) so it can be hybridized and exported.")
    if isinstance(obj, mx.sym.Symbol):
        if arg_params is None and aux_params is None:
            raise TrtlabError("An MXNet Symbol needs its parameters.",
                              hint="Pass trtlab.load(sym, arg_params=..., aux_params=..., inputs={'data': (...)}) "
                                   "as returned by mx.model.load_checkpoint.")
        arrays = {**_numpy(arg_params), **_numpy(aux_params)}
        model_name = name or obj.name or "mxnet"
        proto = convert(load_symbol_json(obj.tojson()), arrays, inputs or {}, opset=opset, name=model_name)
        return Model.from_proto(proto, name=model_name, source="mxnet symbol")
    raise TrtlabError(f"Can't load an MXNet {type(obj).__name__}.",
                      hint="Pass a Gluon HybridBlock, a Symbol with arg_params/aux_params, or a -symbol.json file.")


def _load_block(mx, block, inputs: Shapes | None, name: str | None, opset: int) -> Model:
    if not inputs:
        raise TrtlabError("No input shapes given for the Gluon block.",
                          hint="Pass inputs={'data': (1, 3, 224, 224)}: the block is run once to record its graph.")
    block.hybridize()
    try:
        block(*[mx.nd.zeros(tuple(shape)) for shape in inputs.values()])
    except mx.base.MXNetError as exc:
        first = one_line(exc, first=True, limit=None)
        raise TrtlabError(f"Running the block on inputs {dict(inputs)} failed: {first}",
                          hint="Initialize the block (block.initialize()) and check the input shapes.") from None
    except RuntimeError as exc:
        raise TrtlabError(f"Running the block failed: {exc}",
                          hint="Initialize the block (block.initialize()) before loading it.") from None
    model_name = name or block.name or type(block).__name__
    with tempfile.TemporaryDirectory(prefix="mxnet-", dir=scratch.folder()) as tmp:
        prefix = os.path.join(tmp, "block")
        block.export(prefix, epoch=0)
        symbol = load_symbol_json(f"{prefix}-symbol.json")
        arrays = read_params(f"{prefix}-0000.params")
    # Gluon names exported inputs data, data0, data1, ... in call order.
    args, aux = split_params(arrays)
    names = [v for v in symbol.variables if v not in args and v not in aux]
    shapes = dict(zip(names, inputs.values())) if set(inputs) - set(names) else dict(inputs)
    proto = convert(symbol, arrays, shapes, opset=opset, name=model_name)
    return Model.from_proto(proto, name=model_name, source=f"gluon {type(block).__name__}")


def _numpy(params: Mapping[str, Any] | None) -> dict[str, np.ndarray]:
    out = {}
    for k, v in (params or {}).items():
        out[k] = v.asnumpy() if hasattr(v, "asnumpy") else np.asarray(v)
    return out


def _stem(path: Path) -> str:
    stem = path.stem
    return stem[:-len("-symbol")] if stem.endswith("-symbol") else stem


def _find_params(symbol_path: Path) -> Path:
    prefix = _stem(symbol_path)
    found = sorted(symbol_path.parent.glob(f"{prefix}-[0-9][0-9][0-9][0-9].params"))
    if len(found) == 1:
        return found[0]
    where = f"{symbol_path.parent / prefix}-0000.params"
    if found:
        raise TrtlabError(f"Several checkpoints sit beside {symbol_path.name}: "
                          f"{', '.join(p.name for p in found)}.", hint="Choose one with params=... (or --params).")
    raise TrtlabError(f"The MXNet symbol {symbol_path.name} needs its parameters, and {where} does not exist.",
                      hint="Pass params='x-0000.params' (on the command line: --params x-0000.params).")


# A symbol file needs no mxnet (trtlab reads and converts it); a Gluon block or Symbol is mxnet's.
register(ModelFormat("mxnet symbol", load_symbol_file, "an MXNet symbol .json file", suffixes=(".json",),
                     options=("params", "opset")))
register(ModelFormat("mxnet", load_mxnet_object, "an MXNet HybridBlock or Symbol", frameworks=("mxnet",),
                     options=("arg_params", "aux_params", "opset"), extra="mxnet"))
