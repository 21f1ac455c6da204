"""ONNX models saved as text, as `onnx.save` writes them: ONNX's own syntax (.onnxtxt, .onnxtext),
protobuf text format (.txtpb, .textproto, .pbtxt, .prototxt) and protobuf JSON (.onnxjson)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Mapping, Sequence

import onnx

from ..errors import TrtlabError, one_line
from ..model import Model
from ..validate import validate
from .formats import ModelFormat, register

_FORMATS = {".onnxtxt": "onnxtxt", ".onnxtext": "onnxtxt", ".txtpb": "textproto", ".textproto": "textproto",
            ".pbtxt": "textproto", ".prototxt": "textproto", ".onnxjson": "json"}


def load_onnx_text(path: Path, *, inputs: Mapping[str, Sequence[int]] | None = None,
                   name: str | None = None) -> Model:
    path = Path(path)
    text_format = _FORMATS[path.suffix.lower()]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "the onnxtxt format is experimental"
            proto = onnx.load(str(path), format=text_format, load_external_data=False)
    except Exception as exc:
        raise TrtlabError(f"{path} is not an ONNX model in {text_format} text ({type(exc).__name__}: "
                          f"{one_line(exc, first=True, limit=300)}).",
                          hint="Check the file, or save the model again with onnx.save.") from None
    if not proto.graph.node and not proto.graph.output:
        raise TrtlabError(f"{path} holds no ONNX graph.", hint="Check the file, or save the model again with onnx.save.")
    validate(proto)
    return Model.from_proto(proto, name=name or path.stem, source=str(path), inputs=inputs, copy=False)


register(ModelFormat("onnx text", load_onnx_text, "an ONNX model saved as text (.onnxtxt, .txtpb, .onnxjson)",
                     suffixes=tuple(_FORMATS)))
