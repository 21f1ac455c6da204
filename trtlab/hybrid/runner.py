"""`HybridRunner`: run a partition plan the way a TensorRT integration would.

The model runs as a chain of segments in a topological order: each TensorRT subgraph is one
segment (its engine, or an ONNX Runtime session of its cut model standing in for the engine
where no engine can run), and each maximal run of fallback nodes between them is one ONNX
Runtime session. Everything that can be prepared is prepared in the constructor. Where every
segment runs in ONNX Runtime on CPU with static shapes, the hand-overs are bound once (see
`bound`); otherwise `run` hands numpy arrays from one step to the next and drops each tensor
after its last reader.
"""

from __future__ import annotations

import heapq
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

import numpy as np
import onnx

from .. import weight_store
from ..cut import boundary, cut_nodes, cut_subgraph
from ..errors import TrtlabError
from ..plan import Plan
from ..words import counted, printable
from .bound import BoundChain
from .cost import macs
from ..feeds import check_feeds, numpy_dtype
from ..ort import CPU, make_session, pick_provider, provider_label

if TYPE_CHECKING:
    from ..weight_store import WeightStore


SMALL_SEGMENT_MACS = 10_000_000  # multiply-adds: below this, one thread beats a pool (measured on 2 cores)


@dataclass
class Segment:
    """One step of a hybrid run."""

    index: int
    kind: str  # "tensorrt" or "fallback"
    subgraph: int | None  # TensorRT subgraph id, None for fallback nodes
    nodes: list[str]
    inputs: list[str]
    outputs: list[str]
    backend: str = ""  # what actually runs it, in words
    release: list[str] = field(default_factory=list, repr=False)  # tensors dead after this step

    def to_dict(self) -> dict:
        return {"index": self.index, "kind": self.kind, "subgraph": self.subgraph,
                "nodes": list(self.nodes), "inputs": list(self.inputs),
                "outputs": list(self.outputs), "backend": self.backend}


class HybridRunner:
    """Run `plan`'s model: TensorRT subgraphs through `engines` where they can run, otherwise
    through ONNX Runtime sessions of their cut models (labelled as stand-ins), fallback nodes
    through ONNX Runtime.

    - ``engines``: subgraph id -> an object with ``run(feeds: dict) -> dict`` (an engine runner);
      subgraphs without one use the ONNX Runtime stand-in.
    - ``subgraph_models``: subgraph id -> ONNX model replacing the fp32 cut for the stand-in,
      e.g. the subgraph converted to fp16; its inputs and outputs must keep their names.
    - ``provider``: ONNX Runtime provider, "auto" picks CUDA where installed, else CPU.
    - ``store``: a `WeightStore` of the plan's model: its sessions map the weights from its file
      instead of holding copies (it must stay open while the runner is made).
    - ``timed``: its latency will be reported: sessions of a large model pack their weights
      as ONNX Runtime does by default (see `ort.session_options`).
    """

    def __init__(self, plan: Plan, engines: Mapping[int, Any] | None = None, provider: str = "auto",
                 *, subgraph_models: Mapping[int, onnx.ModelProto] | None = None,
                 threads: int | None = None, engine_label: str = "TensorRT engine",
                 store: "WeightStore | None" = None, timed: bool = False):
        self.plan = plan
        self.model = plan.model
        self.provider = pick_provider(provider)
        engines = dict(engines or {})
        self.engines = engines
        subgraph_models = dict(subgraph_models or {})
        self.segments = plan_segments(plan)
        # Several sessions take turns: spinning pool threads of one would slow the next
        # (see session_options); a single session keeps ONNX Runtime's default.
        spin = sum(s.kind == "fallback" or s.subgraph not in engines for s in self.segments) <= 1
        self._steps: list[tuple[Callable, list[str], list[str], list[str]]] = []
        ort_label = provider_label(self.provider)
        sessions = []
        for seg in self.segments:
            if seg.kind == "tensorrt" and seg.subgraph in engines:
                engine = engines[seg.subgraph]
                seg.backend = f"{engine_label} {seg.subgraph}"
                call = _engine_call(engine, seg.outputs)
            else:
                if seg.kind == "tensorrt":
                    proto = subgraph_models.get(seg.subgraph) or cut_subgraph(plan, seg.subgraph, store=store)
                    seg.backend = f"{ort_label} (stand-in for TensorRT engine {seg.subgraph})"
                else:
                    proto = cut_nodes(self.model, seg.nodes, inputs=seg.inputs, outputs=seg.outputs,
                                      name=f"{self.model.name}_fallback_{seg.index}", store=store)
                    seg.backend = f"{ort_label} (fallback nodes)"
                # Little work is done sooner on the calling thread than by waking pool threads.
                small = threads is None and not spin and macs(self.model, seg.nodes) < SMALL_SEGMENT_MACS
                n_threads = 1 if small else threads
                session = make_session(proto, self.provider, n_threads, spin=spin, timed=timed)
                sessions.append(session)
                call = _session_call(session, seg.outputs)
            self._steps.append((call, seg.inputs, seg.outputs, seg.release))
        graph_inputs = set(self.model.inputs)
        self._constants = {t: weight_store.array(self.model.initializers[t])
                           for t in self.model.outputs if t in self.model.initializer_names}
        self._unused_inputs = [t for t in graph_inputs
                               if not any(t in s.inputs for s in self.segments)
                               and t not in self.model.outputs]
        self._bound = None
        self._bound_lock = threading.Lock()
        self._expected = [(t, tuple(info.shape), numpy_dtype(info.dtype)) for t, info in self.model.inputs.items()]
        if self.provider == CPU and len(sessions) == len(self.segments) \
                and all(dtype is not None for _, _, dtype in self._expected):
            self._bound = BoundChain.build(sessions, [s.inputs for s in self.segments],
                                           [s.outputs for s in self.segments],
                                           list(self.model.inputs), self.model.outputs)

    # ------------------------------------------------------------ running
    def run(self, feeds: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Outputs of the model for `feeds` (input name -> array), by output name."""
        bound = self._bound
        bindable = bound is not None and self._bindable(feeds)  # implies what check_feeds checks
        if not bindable:
            feeds = check_feeds(self.model, feeds)  # says what is wrong, or converts
            bindable = bound is not None and self._bindable(feeds)
        if bindable and self._bound_lock.acquire(blocking=False):
            try:
                results = bound.run(feeds)
            except Exception:
                self._bound = None  # the plain path below then says what is wrong, if anything is
            else:
                if len(results) == len(self.model.outputs):
                    return results
                return {t: results[t] if t in results else self._constants.get(t, feeds.get(t))
                        for t in self.model.outputs}
            finally:
                self._bound_lock.release()
        env: dict[str, Any] = {t: feeds[t] for t in self.model.inputs}
        for t in self._unused_inputs:
            env.pop(t, None)
        for call, inputs, outputs, release in self._steps:
            results = call({t: env[t] for t in inputs})
            env.update(zip(outputs, results))
            for t in release:
                del env[t]
        env.update(self._constants)
        return {t: env[t] for t in self.model.outputs}

    def _bindable(self, feeds: Mapping[str, Any]) -> bool:
        """Every input present as a contiguous array of the model's shape and type."""
        for name, shape, dtype in self._expected:
            arr = feeds.get(name)
            if type(arr) is not np.ndarray or arr.shape != shape or arr.dtype != dtype \
                    or not arr.flags.c_contiguous:
                return False
        return True

    __call__ = run

    # ------------------------------------------------------------ description
    @property
    def backends(self) -> list[str]:
        return [s.backend for s in self.segments]

    @property
    def bound(self) -> bool:
        """Whether runs hand tensors over through buffers bound once (see `trtlab.hybrid.bound`)."""
        return self._bound is not None

    @property
    def stand_ins(self) -> list[int]:
        """Subgraph ids that run through ONNX Runtime instead of a TensorRT engine."""
        return [s.subgraph for s in self.segments if s.kind == "tensorrt" and s.subgraph not in self.engines]

    def describe(self) -> str:
        how = "; hand-overs bound once (ONNX Runtime I/O bindings)" if self.bound else ""
        lines = [f"Hybrid run of '{self.model.name}': {counted(len(self.segments), 'segment')}{how}"]
        for s in self.segments:
            what = f"TensorRT subgraph {s.subgraph}" if s.kind == "tensorrt" else "fallback nodes"
            lines.append(f"  {s.index}. {what}: {counted(len(s.nodes), 'node')} on {s.backend}; "
                         f"in {', '.join(s.inputs) or '-'}; out {', '.join(s.outputs) or '-'}")
        return "\n".join(map(printable, lines))

    def to_dict(self) -> dict:
        return {"model": self.model.name, "provider": self.provider,
                "segments": [s.to_dict() for s in self.segments]}

    def __repr__(self) -> str:
        return f"<trtlab.HybridRunner {self.model.name!r}: {counted(len(self.segments), 'segment')}>"

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.describe()}


def plan_segments(plan: Plan) -> list[Segment]:
    """Segments of a plan in an order that respects every data dependency.

    Each TensorRT subgraph is contracted to one unit; units are ordered topologically, taking
    the unit whose first node comes first in the model whenever there is a choice, and runs of
    consecutive fallback units are merged. Merging consecutive units of a topological order is
    always safe: a path leaving the run and coming back would need a unit inside the run.
    """
    model = plan.model
    placement = plan.placement()
    unit_of: dict[str, tuple] = {}
    members: dict[tuple, list[str]] = {}
    for node in model.nodes:
        sid = placement[node.name]
        key = ("tensorrt", sid) if sid is not None else ("fallback", node.name)
        unit_of[node.name] = key
        members.setdefault(key, []).append(node.name)
    first = {k: model.index[v[0]] for k, v in members.items()}
    deps: dict[tuple, set] = {k: set() for k in members}
    users: dict[tuple, set] = {k: set() for k in members}
    for src, dst, _ in model.edges:
        a, b = unit_of[src], unit_of[dst]
        if a != b and a not in deps[b]:
            deps[b].add(a)
            users[a].add(b)
    waiting = {k: len(v) for k, v in deps.items()}
    ready = [(first[k], k) for k, n in waiting.items() if n == 0]
    heapq.heapify(ready)
    order: list[tuple] = []
    while ready:
        _, k = heapq.heappop(ready)
        order.append(k)
        for u in users[k]:
            waiting[u] -= 1
            if waiting[u] == 0:
                heapq.heappush(ready, (first[u], u))
    if len(order) != len(members):
        raise TrtlabError("The plan's subgraphs depend on each other in a cycle.",
                          hint="Partition the model again with trtlab.partition.")

    segments: list[Segment] = []
    for key in order:
        if key[0] == "fallback" and segments and segments[-1].kind == "fallback":
            segments[-1].nodes.extend(members[key])
        elif key[0] == "fallback":
            segments.append(Segment(len(segments), "fallback", None, list(members[key]), [], []))
        else:
            sub = plan.subgraph(key[1])
            segments.append(Segment(len(segments), "tensorrt", sub.id, list(sub.nodes),
                                    list(sub.inputs), list(sub.outputs)))
    for seg in segments:
        if seg.kind == "fallback":
            seg.inputs, seg.outputs = boundary(model, seg.nodes)
    # Nodes whose results nobody reads (dead code) need not run.
    segments = [s for s in segments if s.outputs]
    for i, seg in enumerate(segments):
        seg.index = i
    _set_releases(segments, set(model.outputs))
    return segments


def _set_releases(segments: Sequence[Segment], keep: set[str]) -> None:
    """Free each tensor after the last segment that reads it; graph outputs stay."""
    last: dict[str, int] = {}
    for seg in segments:
        for t in seg.inputs:
            last[t] = seg.index
    for seg in segments:
        # Outputs nobody reads later (possible with explicit Subgraph.outputs) go at once.
        for t in seg.outputs:
            last.setdefault(t, seg.index)
    for t, i in last.items():
        if t not in keep:
            segments[i].release.append(t)


def _session_call(session, outputs: list[str]) -> Callable:
    run = session.run

    def call(feeds):
        return run(outputs, feeds)

    return call


def _engine_call(engine, outputs: list[str]) -> Callable:
    def call(feeds):
        result = engine.run(feeds)
        return [result[t] for t in outputs]

    return call
