"""MXNet models in: the loader (`load`) and trtlab's own MXNet-to-ONNX converter, which needs
no mxnet.

MXNet's own exporter needs an old onnx, so trtlab converts the symbol itself: one converter
function per MXNet op (``ops/``), registered by name with variants per ONNX opset
(``registry``). Parameters are read from the .params binary format with numpy (``params``).

    from trtlab.loaders.mxnet import convert_files
    proto = convert_files("resnet-symbol.json", "resnet-0000.params", {"data": (1, 3, 224, 224)})
"""

from __future__ import annotations

import os
from typing import Mapping, Sequence

import numpy as np
import onnx

from .convert import DEFAULT_OPSET, convert
from .load import load_mxnet_object, load_symbol_file
from .params import read_params, split_params, write_params
from .registry import supported_ops
from .symbol import SymbolGraph, load_symbol_json

__all__ = ["DEFAULT_OPSET", "SymbolGraph", "convert", "convert_files", "load_mxnet_object", "load_symbol_file",
           "load_symbol_json",
           "read_params", "split_params", "supported_ops", "write_params"]


def convert_files(symbol: str | os.PathLike, params: str | os.PathLike | None,
                  inputs: Mapping[str, Sequence[int]], *, opset: int = DEFAULT_OPSET,
                  name: str = "mxnet") -> onnx.ModelProto:
    arrays: dict[str, np.ndarray] = read_params(params) if params is not None else {}
    return convert(load_symbol_json(symbol), arrays, inputs, opset=opset, name=name)
