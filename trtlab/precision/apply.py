"""`apply_precision`: one entry point for every precision trtlab builds."""

from __future__ import annotations

from typing import Mapping

import numpy as np
import onnx

from ..model import Model
from .calibration import Calibration
from .convert import convert_precision
from .policy import PrecisionPolicy


def apply_precision(model: onnx.ModelProto | Model, precision: str, *,
                    policy: PrecisionPolicy | None = None, calibration: Calibration = None,
                    runnable_in_ort: bool = True, feeds: Mapping[str, np.ndarray] | None = None
                    ) -> onnx.ModelProto:
    """The model converted to `precision` (a name in `trtlab.precision_registry`), sanitized first
    and validated (see `convert_precision`, which also says which nodes stayed fp32 and why).

    `policy` applies to the cast precisions, `calibration` to the calibrated (Q/DQ) ones.
    `runnable_in_ort` only matters for a precision whose arithmetic ONNX Runtime cannot compute
    (bf16, see `to_bf16`): leave it True to measure accuracy in ONNX Runtime, set it False for a
    model that TensorRT runs in that precision.
    """
    return convert_precision(model, precision, policy=policy, calibration=calibration, feeds=feeds,
                             runnable_in_ort=runnable_in_ort).model
