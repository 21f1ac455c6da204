"""A chain of ONNX Runtime sessions with every hand-over prepared once, through I/O bindings.

Where every segment of a hybrid run is an ONNX Runtime session on CPU and every tensor passed
between segments has a static shape, each such tensor gets one buffer for the chain's
lifetime, bound as the output of the session that writes it and as an input of each session
that reads it. A run then binds the caller's inputs and fresh arrays for the model's outputs
by pointer (no copies) and calls the sessions in turn: no dictionaries of arrays, no
conversions, no allocations for the tensors in between. On 2 cores that takes a Python call
into ONNX Runtime from about 4.5 us to about 1.5 us per segment.

The buffers make a run non-reentrant; `HybridRunner` guards it with a lock and takes its
plain path when another thread holds it.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from .._optional import onnxruntime

# ONNX Runtime's type strings for the element types a buffer can be made for.
_NUMPY = {
    "tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(float16)": np.float16,
    "tensor(int8)": np.int8, "tensor(int16)": np.int16, "tensor(int32)": np.int32,
    "tensor(int64)": np.int64, "tensor(uint8)": np.uint8, "tensor(uint16)": np.uint16,
    "tensor(uint32)": np.uint32, "tensor(uint64)": np.uint64, "tensor(bool)": np.bool_,
}


def _static(meta) -> tuple[tuple[int, ...], type] | None:
    """(shape, numpy type) of a session input or output, None unless both are fixed."""
    dtype = _NUMPY.get(meta.type)
    shape = meta.shape
    if dtype is None or shape is None or not all(isinstance(d, int) and d >= 0 for d in shape):
        return None
    return tuple(shape), dtype


class BoundChain:
    """Run `sessions` in order, segment i reading `inputs[i]` and writing `outputs[i]`.

    Build with `BoundChain.build`, which answers None where the chain can't be bound
    (a dynamic shape, an element type without a numpy twin, an ONNX Runtime without the
    binding calls); the caller then runs the sessions the plain way.
    """

    def __init__(self) -> None:
        self._runs: list[tuple[Any, Any]] = []  # (run_with_iobinding, binding) per segment
        self._feed_binds: list[tuple[str, list]] = []  # model input, its readers
        self._result_binds: list[tuple[str, tuple, type, Any, list]] = []  # model output, its writer and readers
        self._buffers: list[np.ndarray] = []  # kept alive: bound by pointer
        self._run_options = None
        self._device = None

    @classmethod
    def build(cls, sessions: Sequence, inputs: Sequence[Sequence[str]], outputs: Sequence[Sequence[str]],
              model_inputs: Sequence[str], model_outputs: Sequence[str]) -> "BoundChain | None":
        try:
            return cls()._bind(sessions, inputs, outputs, model_inputs, model_outputs)
        except (AttributeError, TypeError):  # an ONNX Runtime without these binding calls
            return None

    def _bind(self, sessions, inputs, outputs, model_inputs, model_outputs):
        ort = onnxruntime()
        self._device = ort.OrtDevice.make("cpu", 0)._get_c_device()
        self._run_options = ort.RunOptions()
        kind: dict[str, tuple] = {}  # tensor -> (shape, dtype), agreed by every session
        readers: dict[str, list] = {}
        writer: dict[str, Any] = {}
        for session, ins, outs in zip(sessions, inputs, outputs):
            metas = {m.name: m for m in session.get_inputs()}
            out_metas = {m.name: m for m in session.get_outputs()}
            if set(metas) != set(ins) or set(out_metas) != set(outs):
                return None
            binding = session.io_binding()._iobinding
            for name, meta in [*metas.items(), *out_metas.items()]:
                static = _static(meta)
                if static is None or kind.setdefault(name, static) != static:
                    return None
            for name in ins:
                readers.setdefault(name, []).append(binding)
            for name in outs:
                writer[name] = binding
            self._runs.append((session._sess.run_with_iobinding, binding))
        produced = set(writer)
        for name in set(readers) - produced:
            if name not in model_inputs:
                return None  # read but neither fed nor made by a segment
        self._feed_binds = [(name, readers[name]) for name in model_inputs if name in readers]
        results = [t for t in dict.fromkeys(model_outputs) if t in produced]
        for name in results:
            shape, dtype = kind[name]
            self._result_binds.append((name, shape, dtype, writer[name], readers.get(name, [])))
        for name in produced.difference(results):
            shape, dtype = kind[name]
            buffer = np.empty(shape, dtype)
            self._buffers.append(buffer)
            self._bind_output(writer[name], name, buffer)
            for binding in readers.get(name, []):
                self._bind_input(binding, name, buffer)
        return self

    def _bind_input(self, binding, name: str, array: np.ndarray) -> None:
        binding.bind_input(name, self._device, array.dtype.type, array.shape, array.ctypes.data)

    def _bind_output(self, binding, name: str, array: np.ndarray) -> None:
        binding.bind_output(name, self._device, array.dtype.type, array.shape, array.ctypes.data)

    def run(self, feeds: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The model outputs the segments make, as new arrays in the model's order; `feeds` must
        hold C-contiguous arrays of the shapes and types the sessions take."""
        for name, bindings in self._feed_binds:
            arr = feeds[name]
            for binding in bindings:
                self._bind_input(binding, name, arr)
        results = {}
        for name, shape, dtype, writer, bindings in self._result_binds:
            arr = results[name] = np.empty(shape, dtype)
            self._bind_output(writer, name, arr)
            for binding in bindings:
                self._bind_input(binding, name, arr)
        options = self._run_options
        for run, binding in self._runs:
            run(binding, options)
        return results
