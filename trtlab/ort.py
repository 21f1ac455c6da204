"""ONNX Runtime: sessions made the same way for the hybrid runner, the baselines and accuracy, and
the whole model run in one session (the fp32 reference)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from typing import Any, Iterator, Mapping

import numpy as np
import onnx

from . import scratch
from ._optional import onnxruntime
from .errors import TrtlabError, one_line

CPU = "CPUExecutionProvider"
CUDA = "CUDAExecutionProvider"


def pick_provider(provider: str = "auto") -> str:
    """'auto' -> the CUDA provider where installed, else CPU; 'cpu'/'cuda' or a full name."""
    ort = onnxruntime()
    available = ort.get_available_providers()
    if provider in ("auto", None):
        return CUDA if CUDA in available else CPU
    full = {"cpu": CPU, "cuda": CUDA}.get(provider.lower(), provider)
    if full not in available:
        raise TrtlabError(f"ONNX Runtime provider '{full}' is not available here.",
                          hint=f"Available: {', '.join(available)}. Install onnxruntime-gpu for CUDA.")
    return full


def provider_label(provider: str) -> str:
    return {CPU: "ONNX Runtime CPU", CUDA: "ONNX Runtime CUDA"}.get(
        provider, f"ONNX Runtime {provider.replace('ExecutionProvider', '')}")


def session_options(threads: int | None = None, optimize: bool = True, spin: bool = True, mapped: bool = False,
                    timed: bool = False):
    """Sequential execution with one intra-op pool sized to the cores: many small sessions in
    a row then cost no more thread start-up or oversubscription than one big session.

    `mapped` (a large model, its weights mapped from a file): kernels read the weights where
    they are mapped instead of packing a copy of each (which would double them, and stay with
    the C allocator after the session goes), and nodes run in priority order, which runs a Cast
    of a weight (ONNX Runtime adds them where the CPU has no fp16 kernel) just before its
    reader instead of all of them first, each cast copy alive until its reader runs; optimised,
    it stops at the extended level (the last level turns every such Cast into an fp32 copy of
    its weight, all held by the session). A session that is `timed` is configured as ONNX
    Runtime is by default even then: a latency is ONNX Runtime's own, the packed copies alive
    only while that session is."""
    ort = onnxruntime()
    so = ort.SessionOptions()
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    level = ort.GraphOptimizationLevel
    so.graph_optimization_level = level.ORT_ENABLE_ALL if optimize else level.ORT_DISABLE_ALL
    so.intra_op_num_threads = threads or usable_cores()
    so.inter_op_num_threads = 1
    if not spin:
        # Several sessions take turns: pool threads spin while their run lasts (fast hand-offs
        # between kernels) but stop when it ends, so they don't burn the cores the next one needs.
        so.add_session_config_entry("session.force_spinning_stop", "1")
    so.log_severity_level = 4  # failures are raised, not logged
    if mapped and not timed:
        so.add_session_config_entry("session.disable_prepacking", "1")
        so.execution_order = ort.ExecutionOrder.PRIORITY_BASED
        if optimize:
            so.graph_optimization_level = level.ORT_ENABLE_EXTENDED
    return so


@contextlib.contextmanager
def loadable(model: onnx.ModelProto | bytes) -> Iterator[str | bytes]:
    """What ONNX Runtime should load `model` from: its bytes, or for a large proto a temporary
    model file whose weights lie in a file of their own. From bytes, the bytes and ONNX Runtime's
    copy of the weights are alive together; from the files, written one weight at a time
    (`trtlab.model_files`), ONNX Runtime maps the weights instead of copying them. A model whose
    weights are references to a `WeightStore` is written into the store's folder, where ONNX
    Runtime maps them from the store's own file. The files go when the caller's `with` ends: a
    session keeps its mapping of them."""
    from .model_files import write_model
    from .weight_store import stores_in
    from .weights import is_large

    stores = set() if isinstance(model, bytes) else stores_in(model)
    if not stores and (isinstance(model, bytes) or not is_large(model)):
        yield model if isinstance(model, bytes) else model.SerializeToString()
        return
    if len(stores) == 1:
        folder, name = next(iter(stores)).folder, f"model-{uuid.uuid4().hex[:12]}"
        path = folder / f"{name}.onnx"
        try:
            yield str(write_model(model, path, external_data=f"{name}.weights"))
        finally:
            for leftover in (path, folder / f"{name}.weights"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        return
    with tempfile.TemporaryDirectory(prefix="ort-", dir=scratch.folder(), ignore_cleanup_errors=True) as folder:
        yield str(write_model(model, os.path.join(folder, "model.onnx"), external_data="model.weights"))


def make_session(proto: onnx.ModelProto | bytes, provider: str = "auto", threads: int | None = None,
                 spin: bool = True, timed: bool = False):
    """A session for `proto`; `timed`: one whose latency is reported (see `session_options`)."""
    provider = pick_provider(provider)
    with loadable(proto) as data:
        return _new_session(data, provider, threads, spin, timed)


# ONNX Runtime's rewrite rules that change what a model computes, skipped in every session:
# ReluQuantRewrite drops a Relu before a QuantizeLinear, right only where the quantized type
# cannot hold negatives (int8 with zero point -128); before a float8 QuantizeLinear (zero point 0)
# the negatives then pass (ResNet-18 in float8 Q/DQ: cosine 0.61 against fp32 with it, 0.997
# without; onnxruntime 1.32).
WRONG_REWRITES = ["ReluQuantRewrite"]


def _new_session(data: str | bytes, provider: str, threads: int | None, spin: bool, timed: bool):
    ort = onnxruntime()
    providers = [provider] if provider == CPU else [provider, CPU]
    mapped = not isinstance(data, bytes)  # a large model, from files (see `loadable`)
    try:
        return ort.InferenceSession(data, sess_options=session_options(threads, spin=spin, mapped=mapped,
                                                                       timed=timed),
                                    providers=providers, disabled_optimizers=WRONG_REWRITES)
    except Exception as exc:
        # A cut whose every node folds to a constant (shape arithmetic on static shapes) makes
        # ONNX Runtime's optimiser leave an empty graph it then refuses; unoptimised it runs.
        try:
            return ort.InferenceSession(data, sess_options=session_options(threads, optimize=False, spin=spin,
                                                                           mapped=mapped, timed=timed),
                                        providers=providers, disabled_optimizers=WRONG_REWRITES)
        except Exception:
            pass
        first = one_line(exc, first=True, limit=None)
        raise TrtlabError(f"ONNX Runtime cannot load the model: {first}",
                          hint="Check the model with onnx.checker.check_model.") from None


def usable_cores() -> int:
    """The CPUs this process may run on (its affinity), not every CPU of the machine."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_onnxruntime(model, feeds: Mapping[str, Any], provider: str = "auto",
                    outputs: list[str] | None = None) -> dict[str, np.ndarray]:
    """Run a whole model (a `Model` or an ONNX proto) in one ONNX Runtime session: the
    reference a hybrid run is held to."""
    from .feeds import check_feeds

    if isinstance(model, onnx.ModelProto):
        proto = model
    else:  # a trtlab Model (not imported here: the model module runs sessions itself)
        proto, feeds = model.proto, check_feeds(model, feeds)
    session = make_session(proto, provider)
    names = outputs or [o.name for o in session.get_outputs()]
    try:
        return dict(zip(names, session.run(names, dict(feeds))))
    except Exception as exc:
        raise TrtlabError(f"ONNX Runtime failed to run the model: {one_line(exc, first=True, limit=None)}") from None
