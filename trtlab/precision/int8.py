"""`to_int8`: explicit quantization (QuantizeLinear/DequantizeLinear pairs) with ONNX Runtime.

The settings are the ones the TensorRT ONNX parser accepts: symmetric int8 activations and
weights, weights per channel, only Conv/Gemm/MatMul quantized, and biases left in fp32 (a bias
quantized to int32 makes the parser reject the DequantizeLinear that reads it).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import onnx

from .. import _optional
from ..errors import TrtlabError
from ..model import Model
from .calibration import Calibration, samples
from .sanitize import sanitize

QUANTIZED_OPS = ["Conv", "Gemm", "MatMul"]
EXTRA_OPTIONS = {"QuantizeBias": False, "ActivationSymmetric": True, "WeightSymmetric": True}


def to_int8(model: onnx.ModelProto | Model, calibration: Calibration = None) -> onnx.ModelProto:
    """Insert Q/DQ pairs, with scales calibrated on `calibration`.

    `calibration`: an iterable of {input name: ndarray} samples, or a directory of .npz files
    (one per sample) or .npy files (single-input models). None calibrates on random inputs and
    warns that accuracy figures then mean little.
    """
    _optional.onnxruntime("Quantizing a model to int8")
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat,
                                          QuantType, quantize_static)

    proto = sanitize(model)
    data = samples(proto, calibration)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self._it = iter(data)

        def get_next(self):
            return next(self._it, None)

    with tempfile.TemporaryDirectory(prefix="trtlab-int8-") as tmp:
        src, dst = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        onnx.save(proto, src)
        # quantize_static logs a pre-processing advice on the root logger at every call.
        logging.disable(logging.WARNING)
        try:
            quantize_static(
                str(src), str(dst), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                op_types_to_quantize=QUANTIZED_OPS, activation_type=QuantType.QInt8,
                weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax,
                extra_options=dict(EXTRA_OPTIONS))
        except Exception as exc:
            raise TrtlabError(f"int8 quantization failed: {exc}") from None
        finally:
            logging.disable(logging.NOTSET)
        return onnx.load(dst)
