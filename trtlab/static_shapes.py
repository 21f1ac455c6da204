"""Concrete shapes for the tensors ONNX shape inference leaves open once the inputs are fixed
(the sizes to suggest for dynamic inputs are `shape_hints`'s).

Each step is tried only for what the one before left open: ONNX shape inference (done by
`Model.from_proto`); two runs of the model in ONNX Runtime on random inputs of the given shapes
that read the real shapes of the open tensors; where the model does not run, ONNX Runtime's
symbolic shape inference. A dimension that truly follows from the values of the data (after a
NonZero, a Unique, a Loop with a computed trip count, or one that differs between the two runs)
is marked data-dependent: it keeps a symbol ending in "?" (``N?``), and
`TensorInfo.data_dependent` is true."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import logging
import os

import onnx

# `model` below is a trtlab.Model (not imported: model.py imports this module).

# Ops whose output size is decided by the values they read, not by shapes.
DATA_DEPENDENT_OPS = frozenset({"NonZero", "Unique", "NonMaxSuppression", "Compress", "StringSplit"})
DATA_DEPENDENT_MARK = "?"
_LETTERS = "NMKLPQRST"

Dims = list  # of int (concrete) or str (a symbol)


def is_static(shape: Sequence) -> bool:
    """Whether every dimension of `shape` is a known size."""
    return all(isinstance(d, int) and d >= 0 for d in shape)


def is_data_dependent_dim(dim: object) -> bool:
    return isinstance(dim, str) and len(dim) > 1 and dim.endswith(DATA_DEPENDENT_MARK)


def complete_shapes(model) -> onnx.ModelProto | None:
    """The model's proto, given a shape for every tensor ONNX inference left open (written into
    it: the model is the one `Model.from_proto` is making, so no copy of the weights is made),
    or None when nothing was open or nothing more could be learnt."""
    open_tensors = _open_tensors(model)
    if not open_tensors:
        return None
    # The run first: it is the truth for these input shapes, where symbolic inference can be
    # wrong (a ReduceMean whose axes are computed keeps the reduced dimension there).
    # A second run, on other values, only where a shape can follow from input values at all.
    ran = _run_shapes(model, open_tensors, seeds=(0, 1) if _shapes_read_values(model) else (0,))
    tainted = _downstream_of_data_dependent(model) if ran else set()
    symbols = _Symbols()
    found: dict[str, tuple[int, Dims]] = {}
    for name, shapes in ran.items():
        elem, first = shapes[0]
        known = _known_dims(model, name, len(first))
        dims: Dims = []
        for i, size in enumerate(first):
            varies = any(len(s) != len(first) or s[i] != size for _, s in shapes[1:])
            if isinstance(known[i], int):
                dims.append(known[i])
            elif varies or name in tainted:
                dims.append(symbols.get(known[i] or f"{name}:{i}"))
            else:
                dims.append(size)
        found[name] = (elem, dims)
    rest = [t for t in open_tensors if t not in found]
    if rest:  # the model does not run here (custom ops, inputs random values don't suit)
        for name, (elem, dims) in _symbolic_shapes(model.proto, rest).items():
            if all(isinstance(d, int) and d >= 0 for d in dims):
                found[name] = (elem, dims)
    return _with_shapes(model.proto, found) if found else None


# -------------------------------------------------------------------- what is open
def _open_tensors(model) -> list[str]:
    """Tensor outputs of the main graph's nodes (and the graph outputs) without a static shape.
    Read from `model.tensor_types`, which the model keeps: on a model where nothing is open (the
    usual case) the value infos are parsed once, not here and again there."""
    types = model.tensor_types
    static = {}  # shape -> whether it is static: 100,000 tensors have a few shapes
    for _, shape, _ in types.values():
        if shape not in static:
            static[shape] = is_static(shape)
    out = [t for outs in model.node_table.outputs for t in outs
           if t and not (t in types and static[types[t][1]])]
    if out:  # sequences and maps are left as they are
        typed = model.value_infos
        out = [t for t in out if t not in typed or typed[t].type.WhichOneof("value") == "tensor_type"]
    return list(dict.fromkeys(out))


def _downstream_of_data_dependent(model) -> set[str]:
    """Tensors whose shape may follow from data values: outputs of the ops above, and of Loops
    whose trip count is computed, and everything computed from them."""
    start = []
    for node in model.nodes:
        if node.op_type in DATA_DEPENDENT_OPS or (node.op_type == "Loop" and not _constant_trip_count(model, node)):
            start.extend(o for o in node.output if o)
    seen = set(start)
    while start:
        t = start.pop()
        for consumer in model.consumers.get(t, ()):
            for o in model.node_by_name[consumer].output:
                if o and o not in seen:
                    seen.add(o)
                    start.append(o)
    return seen


# Inputs that set an output's shape from their values, per op (None: all inputs).
_SHAPE_INPUTS = {"Reshape": (1,), "Expand": (1,), "Tile": (1,), "Range": None, "ConstantOfShape": (0,),
                 "Slice": (1, 2, 3, 4), "Resize": (1, 2, 3), "Upsample": (1,), "TopK": (1,), "Pad": (1, 2, 3),
                 "OneHot": (1,), "If": (0,), "Loop": (0, 1), "Split": (1,), "Squeeze": (1,),
                 "Unsqueeze": (1,), "CenterCropPad": (1,)}


def _shapes_read_values(model) -> bool:
    """Whether some op takes a shape from values computed from the graph inputs' values (not
    from their shapes, which Shape and Size read)."""
    tainted = set(model.inputs)
    for node in model.nodes:  # topological order
        if node.op_type in ("Shape", "Size"):
            continue
        reads = model.node_inputs(node)
        if not any(t in tainted for t in reads):
            continue
        which = _SHAPE_INPUTS.get(node.op_type, ())
        if which is None or any(i < len(node.input) and node.input[i] in tainted for i in which):
            return True
        tainted.update(o for o in node.output if o)
    return False


def _constant_trip_count(model, node: onnx.NodeProto) -> bool:
    if not node.input or not node.input[0]:
        return False
    trip = node.input[0]
    producer = model.producer.get(trip)
    return trip in model.initializer_names or (
        producer is not None and model.node_by_name[producer].op_type == "Constant")


def _known_dims(model, name: str, rank: int) -> list:
    """Per dimension: the size ONNX inference found (int), its symbol (str), or None."""
    vi = model.value_infos.get(name)
    if vi is not None and vi.type.HasField("tensor_type") and vi.type.tensor_type.HasField("shape"):
        dims = vi.type.tensor_type.shape.dim
        if len(dims) == rank:
            return [d.dim_value if d.HasField("dim_value") and d.dim_value >= 0 else (d.dim_param or None)
                    for d in dims]
    return [None] * rank


class _Symbols:
    """Short names for data-dependent sizes: the same unknown gets the same letter."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def get(self, key: str) -> str:
        if key not in self.names:
            n = len(self.names)
            letter = _LETTERS[n % len(_LETTERS)] + (str(n // len(_LETTERS) + 1) if n >= len(_LETTERS) else "")
            self.names[key] = letter + DATA_DEPENDENT_MARK
        return self.names[key]


# -------------------------------------------------------------------- the two sources
def _symbolic_shapes(proto: onnx.ModelProto, wanted: list[str]) -> dict[str, tuple[int, Dims]]:
    """ONNX Runtime's symbolic shape inference; {} when it is missing or gives up (it asserts
    on some graphs, e.g. If branches of different shapes)."""
    module = _symbolic_module()
    if module is None:
        return {}
    SymbolicShapeInference = module.SymbolicShapeInference
    log = logging.getLogger(module.__name__)
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            out = SymbolicShapeInference.infer_shapes(proto, int_max=2**31 - 1, auto_merge=True,
                                                      guess_output_rank=False, verbose=0)
    except Exception:
        return {}
    finally:
        log.setLevel(level)
    if out is None:
        return {}
    want = set(wanted)
    found = {}
    for vi in list(out.graph.value_info) + list(out.graph.output):
        if vi.name in want and vi.type.HasField("tensor_type") and vi.type.tensor_type.HasField("shape"):
            tt = vi.type.tensor_type
            dims = [d.dim_value if d.HasField("dim_value") else (d.dim_param or None) for d in tt.shape.dim]
            if all(d is not None for d in dims):
                found[vi.name] = (tt.elem_type, dims)
    return found


@functools.lru_cache(maxsize=1)
def _symbolic_module():
    """onnxruntime.tools.symbolic_shape_infer, read on its own: the package's __init__ imports
    torch when installed, which would add seconds to loading any model."""
    try:
        spec = importlib.util.find_spec("onnxruntime")
        if spec is None or not spec.submodule_search_locations:
            return None
        path = os.path.join(list(spec.submodule_search_locations)[0], "tools", "symbolic_shape_infer.py")
        name = "trtlab._ort_symbolic_shape_infer"
        file_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(file_spec)
        file_spec.loader.exec_module(module)
        module.onnx = _OnnxThatSavesNothing()
        return module
    except Exception:
        return None


class _OnnxThatSavesNothing:
    """`onnx` for trtlab's copy of the symbolic inference, which otherwise writes the model it
    gave up on to sym_shape_infer_temp.onnx in the user's current folder."""

    def __getattr__(self, name: str):
        return getattr(onnx, name)

    @staticmethod
    def save_model(*args, **kwargs) -> None:
        return None


def _run_shapes(model, tensors: list[str], seeds: tuple[int, ...] = (0, 1)) -> dict[str, list]:
    """{tensor: [(elem type, shape) per run]} from running the model with `tensors` exposed as
    outputs; {} when ONNX Runtime is missing or the model does not run on random inputs."""
    from .feeds import random_feeds

    # The open tensors become outputs for one serialisation of the model's own graph, and are
    # taken off again: no second copy of the weights in memory.
    infos = model.value_infos
    infos = {t: infos[t] for t in tensors if t in infos}
    g = model.proto.graph
    declared = len(g.output)
    outputs = {o.name for o in g.output}
    from .ort import loadable

    try:
        for t in tensors:
            if t in outputs:
                continue
            vi = g.output.add()
            vi.name = t
            if t in infos and infos[t].type.HasField("tensor_type"):
                vi.type.tensor_type.elem_type = infos[t].type.tensor_type.elem_type
        with loadable(model.proto) as source:
            session = _session(source)
    except Exception:
        return {}
    finally:
        del g.output[declared:]
    try:
        names = [o.name for o in session.get_outputs()]
        elem = {o.name: _elem_type(o.type) for o in session.get_outputs()}
        runs = [dict(zip(names, session.run(None, random_feeds(model, seed)))) for seed in seeds]
    except Exception:
        return {}
    return {t: [(elem.get(t, 0), list(r[t].shape)) for r in runs] for t in tensors if all(t in r for r in runs)}


def _session(data: str | bytes):
    """A CPU session, unoptimised where the optimiser rejects the model (it fails on some If
    branches whose shapes it folds)."""
    from ._optional import onnxruntime

    ort = onnxruntime()
    for level in (ort.GraphOptimizationLevel.ORT_ENABLE_ALL, ort.GraphOptimizationLevel.ORT_DISABLE_ALL):
        options = ort.SessionOptions()
        options.graph_optimization_level = level
        options.log_severity_level = 4  # failures are handled by the caller
        try:
            return ort.InferenceSession(data, sess_options=options, providers=["CPUExecutionProvider"])
        except Exception:
            if level == ort.GraphOptimizationLevel.ORT_DISABLE_ALL:
                raise
    raise AssertionError("unreachable")


def _elem_type(ort_type: str) -> int:
    """"tensor(float)" -> TensorProto.FLOAT; 0 (undefined) for what ONNX does not name."""
    from .dtypes import elem_type

    return elem_type(ort_type) or 0


# -------------------------------------------------------------------- writing them down
def _with_shapes(out: onnx.ModelProto, found: dict[str, tuple[int, Dims]]) -> onnx.ModelProto:
    g = out.graph
    by_name = {vi.name: vi for vi in g.output}
    by_name.update({vi.name: vi for vi in g.value_info if vi.name not in by_name})
    for name, (elem, dims) in found.items():
        vi = by_name.get(name)
        if vi is None:
            vi = g.value_info.add()
            vi.name = name
        tt = vi.type.tensor_type
        if elem and not tt.elem_type:
            tt.elem_type = elem
        tt.shape.Clear()
        tt.ClearField("shape")
        shape = tt.shape
        shape.SetInParent()
        for d in dims:
            dim = shape.dim.add()
            if isinstance(d, int):
                dim.dim_value = d
            else:
                dim.dim_param = d
    return out
