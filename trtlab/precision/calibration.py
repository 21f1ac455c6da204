"""Calibration data for the quantized (Q/DQ) precisions: user samples checked against the model's inputs, or synthetic ones."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Iterable, Iterator, Mapping

import numpy as np
import onnx

from .._io import load_arrays
from ..errors import TrtlabError
from ..dtypes import name as dtype_name

Calibration = Iterable[Mapping[str, np.ndarray]] | str | os.PathLike | None

SYNTHETIC_SAMPLES = 8


def input_specs(proto: onnx.ModelProto) -> dict[str, tuple[tuple, str]]:
    """Model input name -> (shape, numpy dtype name); a dynamic dimension reads as None."""
    specs = {}
    for vi in proto.graph.input:
        tt = vi.type.tensor_type
        shape = tuple(d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim)
        specs[vi.name] = (shape, dtype_name(tt.elem_type))
    return specs


def samples(proto: onnx.ModelProto, calibration: Calibration) -> list[dict[str, np.ndarray]]:
    """Calibration samples as a list of {input: ndarray}, each checked against the model inputs."""
    specs = input_specs(proto)
    if calibration is None:
        warnings.warn("No calibration data given: quantization scales come from random synthetic inputs, "
                      "so accuracy figures for this quantized model mean little. Pass calibration=... with real "
                      "inputs.", UserWarning, stacklevel=3)
        return synthetic(specs)
    if isinstance(calibration, (str, os.PathLike)):
        source: Iterable = _from_directory(Path(calibration), specs)
    else:
        source = calibration
    out = [_check(i, dict(sample), specs) for i, sample in enumerate(source)]
    if not out:
        raise TrtlabError("The calibration data holds no samples.",
                          hint="Give at least one {input name: array} sample.")
    return out


def synthetic(specs: Mapping[str, tuple[tuple, str]], count: int = SYNTHETIC_SAMPLES,
              seed: int = 0) -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        sample = {}
        for name, (shape, dtype) in specs.items():
            if any(d is None for d in shape):
                raise TrtlabError(f"Input '{name}' has a dynamic shape {shape}: synthetic calibration "
                                  "data needs a fixed one.", hint="Load the model with fixed input shapes.")
            if np.issubdtype(np.dtype(dtype), np.floating):
                sample[name] = rng.standard_normal(shape).astype(dtype)
            else:
                sample[name] = rng.integers(0, 2, size=shape).astype(dtype)
        out.append(sample)
    return out


def _check(index: int, sample: dict, specs: Mapping[str, tuple[tuple, str]]) -> dict[str, np.ndarray]:
    missing = [n for n in specs if n not in sample]
    if missing:
        raise TrtlabError(f"Calibration sample {index} has no value for input '{missing[0]}'.",
                          hint=f"Each sample needs every model input: {', '.join(specs)}.")
    extra = [n for n in sample if n not in specs]
    if extra:
        raise TrtlabError(f"Calibration sample {index} names '{extra[0]}', which is not a model input.",
                          hint=f"The model inputs are: {', '.join(specs)}.")
    out = {}
    for name, (shape, dtype) in specs.items():
        value = np.asarray(sample[name])
        if len(value.shape) != len(shape) or any(e is not None and e != g for e, g in zip(shape, value.shape)):
            expected = "x".join("?" if d is None else str(d) for d in shape)
            got = "x".join(str(d) for d in value.shape) or "scalar"
            raise TrtlabError(f"Calibration sample {index}, input '{name}': expected shape {expected}, "
                              f"got {got}.", hint="Give arrays with the shape the model takes.")
        try:
            out[name] = value.astype(dtype, copy=False)
        except (TypeError, ValueError) as exc:  # strings, records, objects: nothing a model reads
            raise TrtlabError(f"Calibration sample {index}, input '{name}': its {value.dtype} values cannot be read "
                              f"as {dtype} ({exc}).", hint=f"Give {dtype} arrays.") from None
    return out


def _from_directory(path: Path, specs: Mapping) -> Iterator[dict[str, np.ndarray]]:
    """A directory of samples: one .npz per sample (one array per input name), or, for a model
    with one input, one .npy per sample."""
    if not path.is_dir():
        raise TrtlabError(f"Calibration directory '{path}' does not exist.")
    files = sorted(p for p in path.iterdir() if p.suffix in (".npy", ".npz"))
    if not files:
        raise TrtlabError(f"Calibration directory '{path}' holds no .npy or .npz files.")
    for f in files:
        if f.suffix == ".npz":
            yield load_arrays(f, "calibration file", expect=lambda name, shape, dtype: _check_header(
                f, name, shape, specs))
        else:
            if len(specs) != 1:
                raise TrtlabError(f"'{f.name}' is a .npy file, but the model has {len(specs)} inputs.",
                                  hint="Use one .npz file per sample, with one array per input name.")
            only = next(iter(specs))
            yield {only: load_arrays(f, "calibration file", expect=lambda name, shape, dtype: _check_header(
                f, only, shape, specs))[""]}


def _check_header(path: Path, name: str, shape: tuple, specs: Mapping) -> None:
    """An array of a calibration file, from its header before its bytes are read: a model input
    with the input's shape (a dynamic dimension takes any size the memory allows)."""
    if name not in specs:
        raise TrtlabError(f"Calibration file '{path.name}' names '{name}', which is not a model input.",
                          hint=f"The model inputs are: {', '.join(specs)}.")
    expected, dtype = specs[name]
    if len(shape) != len(expected) or any(e is not None and e != g for e, g in zip(expected, shape)):
        want = "x".join("?" if d is None else str(d) for d in expected)
        raise TrtlabError(f"Calibration file '{path.name}', input '{name}': expected shape {want}, got "
                          f"{'x'.join(map(str, shape)) or 'scalar'}.", hint="Give arrays with the shape the model takes.")
    if any(d is None for d in expected):
        from ..limits import check_fits

        check_fits(f"Calibration input '{name}'", shape, dtype)
