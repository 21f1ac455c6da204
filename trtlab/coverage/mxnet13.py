"""The operator list of MXNet 1.3's TensorRT integration, mapped to ONNX ops, for teaching.

MXNet 1.3 sent a node to TensorRT only if its op was on a short list; everything else stayed in
MXNet. Comparing this list with today's TensorRT on the same model shows how coverage grew.
"""

from __future__ import annotations

from ..model import Model
from .verdicts import CoverageReport, NodeSupport

# MXNet operator -> the ONNX ops it becomes.
MXNET_13_OPS: dict[str, tuple[str, ...]] = {
    "Convolution": ("Conv",),
    "BatchNorm": ("BatchNormalization",),
    "elemwise_add": ("Add",),
    "elemwise_sub": ("Sub",),
    "elemwise_mul": ("Mul",),
    "rsqrt": ("Sqrt", "Reciprocal"),
    "Pad": ("Pad",),
    "mean": ("ReduceMean",),
    "FullyConnected": ("Gemm", "MatMul"),
    "Flatten": ("Flatten",),
    "SoftmaxOutput": ("Softmax",),
    "Activation (relu, tanh, sigmoid)": ("Relu", "Tanh", "Sigmoid"),
}
ONNX_TO_MXNET = {onnx_op: mx for mx, onnx_ops in MXNET_13_OPS.items() for onnx_op in onnx_ops}


def mxnet13_coverage(model: Model, precision: str) -> CoverageReport:
    verdicts = {}
    for n in model.nodes:
        mx = ONNX_TO_MXNET.get(n.op_type)
        if mx is not None:
            verdicts[n.name] = NodeSupport(n.name, n.op_type, True, f"on MXNet 1.3's TensorRT list as {mx}")
        else:
            verdicts[n.name] = NodeSupport(n.name, n.op_type, False,
                                       f"{n.op_type} is not on MXNet 1.3's TensorRT operator list")
    return CoverageReport("mxnet-1.3", precision, verdicts,
                          detail="MXNet 1.3 TensorRT integration operator list (12 operators)")
