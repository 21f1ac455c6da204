"""Every precision trtlab measures, one object each: the only place that names one.

A `Precision` holds what the rest of trtlab asks of a precision: its types (ONNX, numpy,
PyTorch), its default tolerances, how a model is transformed into it, the TensorRT 10 builder
flags (weakly typed networks; TensorRT 11 and TensorRT-RTX are strongly typed and take the
precision from the model's own types), which TensorRT kernel types count as running in it, and
its colour in the graph overlays. The CLI's `--precision`, the Lab's switch, the check, the
engine builds, the overlays and the report all read `PRECISIONS`; `get` turns a name into its
object or raises one clear error naming the ones there are.

A new precision is one entry below plus its transform (`trtlab.precision`) and tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from onnx import TensorProto

from .errors import TrtlabError

# How a model becomes this precision (`trtlab.precision.convert` has one function per kind).
AS_IS = "as-is"  # the fp32 model itself
FP16_CAST = "fp16-cast"  # float tensors and weights retyped to fp16, fp32 kept where it must be
BF16_CAST = "bf16-cast"  # likewise to bf16
QDQ = "qdq"  # explicit QuantizeLinear/DequantizeLinear pairs, scales calibrated on sample inputs


@dataclass(frozen=True)
class Precision:
    name: str  # what the CLI, the API and the reports call it
    description: str  # a few words for tooltips and help
    bits: int  # bits per element of the data its kernels compute on
    onnx_type: int  # onnx.TensorProto element type of its data
    numpy_type: str  # numpy-style name of that type ("bfloat16", "float8_e4m3fn": numpy itself lacks them)
    float_tensors: str  # numpy-style type a float activation has in the transformed model
    transform: str  # AS_IS, FP16_CAST, BF16_CAST or QDQ
    atol: float  # default tolerances against the fp32 reference (see trtlab.accuracy.tolerances)
    rtol: float
    min_cosine: float
    colour: str  # fill of its nodes in the precision overlay
    kernel_types: tuple[str, ...]  # TensorRT DataType names whose kernels count as running in it
    weak_flags: tuple[str, ...] = ()  # TensorRT 10 BuilderFlag names for a weakly typed network
    flags_on_fp32: bool = False  # TensorRT 10 builds it from the fp32 model with `weak_flags` alone
    runs_in_onnxruntime: bool = True  # ONNX Runtime's CPU provider computes its arithmetic
    torch_type: str | None = None  # torch dtype name a PyTorch baseline runs in; None: no baseline
    quant_type: str | None = None  # QDQ: onnxruntime.quantization.QuantType member name
    calibration_method: str = "MinMax"  # QDQ: onnxruntime.quantization.CalibrationMethod member name
    min_opset: int = 1  # the ONNX opset its transform needs (older models are upgraded first)
    max_scaled: bool = False  # QDQ: scales are amax / the type's largest value, as TensorRT calibrates (float8_scales)

    @property
    def calibrated(self) -> bool:
        """Its scales come from sample inputs (calibration data)."""
        return self.transform == QDQ

    @property
    def retyped(self) -> bool:
        """Its transform retypes float tensors, keeping fp32 where the precision policy says."""
        return self.transform in (FP16_CAST, BF16_CAST)

    @property
    def reduced(self) -> bool:
        """Anything but the fp32 reference itself."""
        return self.transform != AS_IS

    def __str__(self) -> str:
        return self.name


FP32 = Precision(
    "fp32", "float32", 32, TensorProto.FLOAT, "float32", "float32", AS_IS,
    atol=1e-5, rtol=1e-5, min_cosine=0.99999, colour="#9ecae1", kernel_types=("Float",), torch_type="float32")
FP16 = Precision(
    "fp16", "float16", 16, TensorProto.FLOAT16, "float16", "float16", FP16_CAST,
    atol=1e-2, rtol=1e-2, min_cosine=0.999, colour="#fdae6b", kernel_types=("Half",),
    weak_flags=("FP16",), flags_on_fp32=True, torch_type="float16")
BF16 = Precision(
    "bf16", "bfloat16", 16, TensorProto.BFLOAT16, "bfloat16", "bfloat16", BF16_CAST,
    atol=5e-2, rtol=5e-2, min_cosine=0.99, colour="#fdd0a2", kernel_types=("BFloat16",),
    weak_flags=("BF16",), flags_on_fp32=True, runs_in_onnxruntime=False, torch_type="bfloat16", min_opset=13)
INT8 = Precision(
    "int8", "int8 with Q/DQ nodes", 8, TensorProto.INT8, "int8", "float32", QDQ,
    atol=1e-1, rtol=1e-1, min_cosine=0.98, colour="#a1d99b", kernel_types=("Int8",),
    weak_flags=("INT8", "FP16"), quant_type="QInt8", calibration_method="MinMax", min_opset=13)
# E4M3 (4 exponent bits, 3 mantissa bits, no infinities), as TensorRT 10+ and TensorRT-RTX take
# it: FLOAT8E4M3FN Q/DQ pairs, which need opset 19. ONNX Runtime's quantizer takes float8 only
# with histogram ("Distribution") calibration, whose ranges trtlab measures itself
# (`trtlab.precision.ranges`); every scale is then amax / 448, TensorRT's own fp8 calibration
# (`trtlab.precision.float8_scales`). ONNX Runtime's CPU provider runs the Q/DQ
# model (the stand-in).
FP8 = Precision(
    "fp8", "float8 (E4M3) with Q/DQ nodes", 8, TensorProto.FLOAT8E4M3FN, "float8_e4m3fn", "float32", QDQ,
    atol=2.5e-1, rtol=2.5e-1, min_cosine=0.95, colour="#bcbddc", kernel_types=("FP8",),
    weak_flags=("FP8", "FP16"), quant_type="QFLOAT8E4M3FN", calibration_method="Distribution", min_opset=19,
    max_scaled=True)

PRECISIONS: tuple[Precision, ...] = (FP32, FP16, BF16, INT8, FP8)
REFERENCE = FP32  # what every other precision is compared with
NAMES: tuple[str, ...] = tuple(p.name for p in PRECISIONS)
_BY_NAME = {p.name: p for p in PRECISIONS}


def get(precision: "str | Precision") -> Precision:
    """The Precision called `precision`, or one clear error naming the ones there are."""
    if isinstance(precision, Precision):
        return precision
    found = _BY_NAME.get(precision) if isinstance(precision, str) else None
    if found is None:
        raise TrtlabError(f"Unknown precision {precision!r}.", hint=f"Use one of: {', '.join(NAMES)}.")
    return found


def check_precision(precision: "str | Precision") -> str:
    """The name of `precision`, or one clear error naming the ones there are."""
    return get(precision).name


def by_onnx_type(onnx_type: int) -> Precision | None:
    """The precision whose data has this ONNX element type, if any."""
    return next((p for p in PRECISIONS if p.onnx_type == onnx_type), None)


def by_kernel_type(datatype: str) -> Precision | None:
    """The precision a TensorRT kernel reading `datatype` ("Half", "Int8", ...) runs in, if any."""
    return next((p for p in PRECISIONS if datatype in p.kernel_types), None)
