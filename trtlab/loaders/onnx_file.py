"""ONNX models: files (with external data found beside them; a file no other format claims is
read as ONNX) and `onnx.ModelProto` objects."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import onnx

from ..errors import TrtlabError, one_line
from ..model import Model
from ..validate import validate
from .formats import ModelFormat, register


def load_onnx_file(path: Path, *, inputs: Mapping[str, Sequence[int]] | None = None,
                   name: str | None = None) -> Model:
    path = Path(path)
    if not path.exists():
        raise TrtlabError(f"No such file: {path}.", hint="Check the path, or use zoo:NAME for a built-in model.")
    if path.is_dir():
        raise TrtlabError(f"{path} is a folder, not an ONNX file.", hint="Point at the .onnx file inside it.")
    try:
        # External data is found beside the real file: a link to a model in its data folder works.
        proto = onnx.load(str(path.resolve()), load_external_data=True)
    except FileNotFoundError as exc:
        raise TrtlabError(f"{path} refers to external data that is missing: {exc.filename}.",
                          hint="Keep the model's external data files next to it.") from None
    except onnx.checker.ValidationError as exc:  # onnx's own refusal of an external-data location
        raise TrtlabError(f"{path} refers to external data that trtlab won't read: "
                          f"{one_line(exc, first=True, limit=None)}",
                          hint="Keep the model's external data files in its folder, named relative to it.") from None
    except Exception as exc:
        reason = one_line(exc, first=True, limit=300)
        if "external" in reason.lower() or "data file" in reason.lower():
            raise TrtlabError(f"{path} refers to external data that can't be read: {reason}",
                              hint="Keep the model's external data files next to it.") from None
        if "depth" in reason.lower() or "recursion" in reason.lower():
            raise TrtlabError(f"{path} nests graphs deeper than protobuf reads ({reason}).",
                              hint="Flatten the model's control flow, or re-export it.") from None
        raise TrtlabError(f"{path} is not a readable ONNX model ({type(exc).__name__}: {reason}): it may be corrupt "
                          "or truncated.", hint="Re-export or re-download the file.") from None
    if not proto.graph.node and not proto.graph.output:
        raise TrtlabError(f"{path} holds no ONNX graph: it may be empty, truncated or not an ONNX file.",
                          hint="Re-export or re-download the file.")
    return Model.from_proto(proto, name=name or path.stem, source=str(path), inputs=inputs,
                            copy=False, checked=validate(proto))


def load_onnx(source: Path | onnx.ModelProto, *, inputs: Mapping[str, Sequence[int]] | None = None,
              name: str | None = None) -> Model:
    if isinstance(source, onnx.ModelProto):
        return Model.from_proto(source, name=name or source.graph.name or "model", source="onnx", inputs=inputs)
    return load_onnx_file(source, inputs=inputs, name=name)


register(ModelFormat("onnx", load_onnx, "an .onnx path or an onnx.ModelProto", suffixes=(".onnx",),
                     types=(onnx.ModelProto,), files_by_default=True))
