"""`sanitize`: constant folding and shape inference before any precision transform.

As Polygraphy's `surgeon sanitize` does, constants are folded with onnx-graphsurgeon, so weights
computed from constants (a Transpose of a weight, a Reshape of a bias...) become plain
initializers: the precision transforms then convert or quantize them like any other weight.
"""

from __future__ import annotations

import onnx
from onnx import shape_inference

from .. import _optional
from ..errors import TrtlabError
from ..model import Model, _drop_initializer_inputs
from ._proto import as_proto


def sanitize(model: onnx.ModelProto | Model) -> onnx.ModelProto:
    """Fold constants, drop unused nodes and initializers, infer shapes. Returns a new ModelProto."""
    gs = _optional.require("onnx_graphsurgeon", None, "Folding constants before a precision transform")
    proto = as_proto(model)
    # Exporters such as MXNet's list weights as graph inputs too; they are weights, not inputs.
    _drop_initializer_inputs(proto.graph)
    opset_imports = list(proto.opset_import)
    ir_version = proto.ir_version
    try:
        graph = gs.import_onnx(proto)
        graph.fold_constants(error_ok=True).cleanup().toposort()
        folded = gs.export_onnx(graph, do_type_check=False)
    except Exception as exc:
        raise TrtlabError(f"Could not fold the constants of this model: {exc}",
                          hint="Check that the model passes onnx.checker.check_model.") from None
    # graphsurgeon may rewrite the opset list and IR version: keep what the model declared.
    del folded.opset_import[:]
    folded.opset_import.extend(opset_imports)
    folded.ir_version = ir_version
    try:
        return shape_inference.infer_shapes(folded, data_prop=True)
    except Exception as exc:
        raise TrtlabError(f"Shape inference failed after folding constants: {exc}") from None

