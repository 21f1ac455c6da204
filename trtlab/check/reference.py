"""The fp32 reference, run once: the whole model in ONNX Runtime on one set of inputs gives the
outputs every precision is compared with, the inputs of each TensorRT subgraph (to time an
engine alone) and, where asked, every intermediate tensor (to find where error enters)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping

import numpy as np
import onnx

from ..errors import TrtlabError, one_line
from ..limits import run_with_time_limit
from ..ort import make_session
from ..plan import Plan

if TYPE_CHECKING:
    from ..weight_store import WeightStore


@dataclass
class Reference:
    outputs: dict[str, np.ndarray]  # the model's outputs
    values: dict[str, np.ndarray]  # every tensor this run kept: inputs, outputs, intermediates asked for

    def nonfinite(self) -> list[str]:
        """Outputs holding NaN or infinity."""
        return [k for k, v in self.outputs.items() if _has_nonfinite(v)]


def _has_nonfinite(a: np.ndarray) -> bool:
    return isinstance(a, np.ndarray) and a.dtype.kind in "fc" and not bool(np.isfinite(a).all())


def exposing(proto: onnx.ModelProto, names: Iterable[str]):
    """`proto` itself, for a `with` block, with `names` added to its graph outputs (typed from
    shape inference: the loaded model types every tensor it can, a subgraph input always)."""
    from ..weights import outputs_added

    infos = {vi.name: vi for vi in proto.graph.value_info}
    return outputs_added(proto, [infos[n] for n in dict.fromkeys(names) if n in infos])


def subgraph_inputs(plan: Plan) -> list[str]:
    """Tensors the TensorRT subgraphs read that are not model inputs."""
    m = plan.model
    return [t for t in dict.fromkeys(t for s in plan.subgraphs for t in s.inputs) if t not in m.inputs]


def run_reference(plan: Plan, feeds: Mapping[str, np.ndarray], provider: str = "auto", *,
                  every_tensor: bool = False, timeout_s: float | None = None,
                  store: "WeightStore | None" = None) -> Reference:
    """One ONNX Runtime run of the whole fp32 model, keeping what the rest of a check reads
    (with `store`, a `WeightStore` of the model, ONNX Runtime maps the weights from its file)."""
    m = plan.model
    wanted = subgraph_inputs(plan)
    if every_tensor:
        wanted += [t for n in m.nodes for t in n.output if t and t not in m.outputs]
    with exposing(_whole(m, store), wanted) as exposed:
        session = make_session(exposed, provider)
    names = [o.name for o in session.get_outputs()]
    try:
        got = dict(zip(names, run_with_time_limit(session, names, {k: feeds[k] for k in m.inputs}, seconds=timeout_s)))
    except Exception as exc:
        raise TrtlabError(f"ONNX Runtime failed to run the fp32 model: {one_line(exc)}") from None
    values = {**{k: np.asarray(v) for k, v in feeds.items()}, **got}
    return Reference({k: got[k] for k in m.outputs}, values)


def _whole(m, store: "WeightStore | None") -> onnx.ModelProto:
    """The model's proto, or with `store` the same model referring to the store's weights."""
    return store.referring(m.proto) if store is not None else m.proto


def calibration_samples(plan: Plan, calibration, store: "WeightStore | None" = None
                        ) -> tuple[dict[str, list[dict]], bool]:
    """Calibration samples (the Q/DQ precisions) per TensorRT subgraph ({engine name: [{input: array}, ...]}), made
    from whole-model samples run through the fp32 model, and whether they were random.
    Raises TrtlabError (those precisions then go unmeasured) for unusable data."""
    from ..precision.calibration import input_specs, samples, synthetic

    m = plan.model
    random = calibration is None
    if random:
        data = synthetic(input_specs(m.proto))
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = samples(m.proto, calibration)
    for i, sample in enumerate(data):
        bad = [k for k, v in sample.items() if _has_nonfinite(np.asarray(v))]
        if bad:
            raise TrtlabError(f"calibration sample {i} has NaN or infinite values in {', '.join(bad)}",
                              hint="Calibrate on real, finite inputs.")
    wanted = subgraph_inputs(plan)
    if wanted:
        with exposing(_whole(m, store), wanted) as exposed:
            session = make_session(exposed, "cpu")
        for d in data:
            d.update(zip(wanted, session.run(wanted, {k: d[k] for k in m.inputs})))
    return {s.name: [{t: d[t] for t in s.inputs} for d in data] for s in plan.subgraphs}, random
