"""Checks that a transformed model is still a model: the onnx checker, and a run in ONNX Runtime."""

from __future__ import annotations

from typing import Mapping

import numpy as np
import onnx

from ..errors import TrtlabError, one_line

# A sanitizing step counts as keeping the model only if no output moves by more than 1e-5. An
# exact rewrite still reorders fp32 arithmetic: folding PP-OCRv4 det's BatchNormalization
# (variance 1e8) can move its sigmoid output by 1.5e-5 on a text-like page, and is then skipped
# with a note (the fp16 transform keeps such a BatchNormalization in fp32 instead).
SAME_ATOL, SAME_RTOL = 1e-5, 0.0


def example_feeds(proto: onnx.ModelProto, seed: int = 0) -> dict[str, np.ndarray] | None:
    """Seeded random inputs for `proto` (a dynamic dimension reads as 1); None when an input has
    a type numpy cannot make."""
    rng = np.random.default_rng(seed)
    inits = {t.name for t in proto.graph.initializer}
    feeds = {}
    for vi in proto.graph.input:
        if vi.name in inits or not vi.type.HasField("tensor_type"):
            continue
        tt = vi.type.tensor_type
        shape = tuple(d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else 1 for d in tt.shape.dim)
        try:
            dtype = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(tt.elem_type))
        except Exception:
            return None
        if dtype.kind == "f":
            feeds[vi.name] = rng.standard_normal(shape).astype(dtype)
        elif dtype.kind in "iub":
            feeds[vi.name] = np.zeros(shape, dtype)
        else:
            return None
    return feeds


def check_structure(proto: onnx.ModelProto) -> str | None:
    """The onnx checker's complaint about `proto`, or None. A large model is checked without its
    large weights (see `trtlab.weights.light_copy`): the checker would serialise them all once more;
    so is one whose weights are references to a `WeightStore` (their files are not beside it)."""
    from ..weight_store import has_references
    from ..weights import is_large, light_copy

    light = is_large(proto) or has_references(proto)
    try:
        onnx.checker.check_model(light_copy(proto) if light else proto)
    except Exception as exc:
        return one_line(exc, first=True, limit=None)
    return None


def load_error(proto: onnx.ModelProto) -> str | None:
    """Why ONNX Runtime refuses to load `proto` (its type inference covers every If branch and
    loop body, taken or not), or None."""
    try:
        session(proto)
    except Exception as exc:
        return one_line(exc, first=True, limit=None)
    return None


def session(proto: onnx.ModelProto):
    """An unoptimised ONNX Runtime CPU session of `proto` (a large one's weights mapped from files)."""
    from .._optional import onnxruntime
    from ..ort import loadable, session_options

    ort = onnxruntime()
    with loadable(proto) as source:  # a large model from files: its weights mapped, not copied
        so = session_options(optimize=False, mapped=not isinstance(source, bytes))
        return ort.InferenceSession(source, sess_options=so, providers=["CPUExecutionProvider"])


def run(proto: onnx.ModelProto, feeds: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """All outputs of `proto` in ONNX Runtime on CPU, unoptimised (what the model says, not what
    ORT's fusions make of it); raises TrtlabError with ORT's reason."""
    try:
        opened = session(proto)
        names = [o.name for o in opened.get_outputs()]
        wanted = {i.name for i in opened.get_inputs()}
        return dict(zip(names, opened.run(names, {k: v for k, v in feeds.items() if k in wanted})))
    except Exception as exc:
        raise TrtlabError(f"ONNX Runtime cannot run it: {one_line(exc, first=True, limit=None)}") from None


def difference(reference: Mapping[str, np.ndarray], actual: Mapping[str, np.ndarray]) -> str | None:
    """Where `actual` leaves `reference` by more than fp32 rounding, in words; None if nowhere."""
    for name, ref in reference.items():
        got = actual.get(name)
        if got is None:
            return f"output '{name}' is missing"
        ref, got = np.asarray(ref), np.asarray(got)
        if ref.shape != got.shape:
            return f"output '{name}' has shape {got.shape} instead of {ref.shape}"
        if ref.dtype.kind not in "fc":
            if not np.array_equal(ref, got):
                return f"output '{name}' differs"
            continue
        r, a = ref.astype(np.float64), got.astype(np.float64)
        if not np.array_equal(np.isnan(r), np.isnan(a)):
            return f"output '{name}' has NaN where the original has none (or the reverse)"
        ok = np.isnan(r) | (r == a) | (np.abs(a - r) <= SAME_ATOL + SAME_RTOL * np.abs(r))
        if not ok.all():
            err = np.nanmax(np.where(ok, 0.0, np.abs(a - r)))
            return f"output '{name}' differs by up to {err:.3g}"
    return None
