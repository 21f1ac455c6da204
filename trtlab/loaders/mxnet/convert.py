"""MXNet symbol + parameters -> ONNX ModelProto, one registered converter per MXNet op."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ...errors import TrtlabError
from .context import Context, view
from .params import split_params
from .registry import lookup, supported_ops
from .symbol import SymbolGraph

DEFAULT_OPSET = 17

# Ops whose extra outputs exist only for training; inference returns output 0.
_HIDDEN_OUTPUTS = {"LeakyReLU", "BatchNorm", "Dropout"}

# Parameter names MXNet layers create; an argument named like this with no value is a missing
# parameter, not a data input that needs a shape.
_PARAM_SUFFIXES = ("_weight", "_bias", "_gamma", "_beta", "_running_mean", "_running_var",
                   "_moving_mean", "_moving_var", "_alpha")


def convert(
    symbol: SymbolGraph,
    params: Mapping[str, np.ndarray],
    inputs: Mapping[str, Sequence[int]],
    *,
    opset: int = DEFAULT_OPSET,
    name: str = "mxnet",
    dtype=np.float32,
) -> onnx.ModelProto:
    """Convert a parsed symbol. `params` maps names (with or without "arg:"/"aux:") to arrays;
    `inputs` gives the shape of every data input (variables that are not parameters)."""
    args, aux = split_params(params)
    params = {k: np.asarray(v) for k, v in {**args, **aux}.items()}
    shapes = {k: tuple(int(d) for d in v) for k, v in (inputs or {}).items()}
    variables = set(symbol.variables)
    unknown = [k for k in shapes if k not in variables]
    if unknown:
        data_inputs = [v for v in symbol.variables if v not in params]
        raise TrtlabError(f"The symbol has no input named {', '.join(repr(u) for u in unknown)}.",
                          hint=f"Its inputs are: {', '.join(data_inputs) or '(none)'}.")

    ctx = Context(opset)
    needed = _needed_nodes(symbol)
    _check_converters(symbol, needed, opset)
    labels = _label_variables(symbol)
    tensors: dict[tuple[int, int], str] = {}
    out_count = _output_counts(symbol)
    elem = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))

    for node in symbol.nodes:
        if node.index not in needed:
            continue
        if node.op == "null":
            tensors[(node.index, 0)] = node.name
            if node.name in params:
                ctx.set_constant(node.name, params[node.name])
            elif node.name in shapes:
                ctx.set_input(node.name, elem, shapes[node.name])
            elif node.name not in labels:
                _missing(node.name, symbol, params)
            continue
        ins = []
        for e in node.inputs:
            if e not in tensors:
                raise TrtlabError(f"Node '{node.name}' reads output {e[1]} of '{symbol.nodes[e[0]].name}', "
                                  "which the conversion does not produce.", hint="Use only that node's first output.")
            ins.append(tensors[e])
        n_out = out_count.get(node.index, 1)
        outs = [f"{node.name}_output"] + [f"{node.name}_output{i}" for i in range(1, n_out)]
        nv = view(node, ins, outs)
        start = len(ctx.nodes)
        ctx.begin(nv)
        lookup(node.op, opset)(ctx, nv)
        ctx.finish()
        made = {o for n in ctx.nodes[start:] for o in n.output}
        for i, o in enumerate(outs):
            if i == 0 or o in made:
                tensors[(node.index, i)] = o

    used = {t for n in ctx.nodes for t in n.input}
    graph_inputs = [helper.make_tensor_value_info(v, elem, shapes[v])
                    for v in symbol.variables if v in shapes and v in used]
    graph_outputs = []
    nodes = list(ctx.nodes)
    produced = {o for n in ctx.nodes for o in n.output} | set(shapes) | set(ctx.constants)
    for h in symbol.heads:
        t = tensors.get(h)
        if t not in produced:
            if h[1] > 0 and symbol.nodes[h[0]].op in _HIDDEN_OUTPUTS:
                continue  # a training-only output (a mask, batch statistics) MXNet does not return
            raise TrtlabError(f"Output {h[1]} of node '{symbol.nodes[h[0]].name}' has no ONNX equivalent.",
                              hint="Use only the node's first output.")
        if t in {vi.name for vi in graph_inputs}:
            # A head that is a data input: give the graph a distinct output tensor.
            nodes.append(helper.make_node("Identity", [t], [f"{t}_output"], name=f"{t}_passthrough"))
            t = f"{t}_output"
            ctx.types[t] = ctx.types[tensors[h]]
        e, shape = ctx.types.get(t, (elem, None))
        graph_outputs.append(helper.make_tensor_value_info(t, e, shape))
    initializers = [numpy_helper.from_array(a, n) for n, a in ctx.constants.items() if n in used]
    graph = helper.make_graph(nodes, name, graph_inputs, graph_outputs, initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="trtlab.loaders.mxnet")
    # The oldest IR version that carries this opset: older TensorRT parsers reject newer IRs.
    model.ir_version = helper.find_min_ir_version_for(list(model.opset_import))
    return model


def _needed_nodes(symbol: SymbolGraph) -> set[int]:
    """Nodes the heads depend on (a symbol may carry unused variables)."""
    seen: set[int] = set()
    stack = [h for h, _ in symbol.heads]
    while stack:
        i = stack.pop()
        if i in seen:
            continue
        seen.add(i)
        stack.extend(src for src, _ in symbol.nodes[i].inputs)
    return seen


def _check_converters(symbol: SymbolGraph, needed: set[int], opset: int) -> None:
    for node in symbol.nodes:
        if node.index in needed and node.op != "null" and lookup(node.op, opset) is None:
            raise TrtlabError(
                f"MXNet op '{node.op}' (node '{node.name}') has no ONNX converter in trtlab.",
                hint=f"Supported ops: {', '.join(supported_ops(opset))}. Replace the op in the model, "
                     "or export that part to ONNX another way.")


def _output_counts(symbol: SymbolGraph) -> dict[int, int]:
    counts: dict[int, int] = {}
    for node in symbol.nodes:
        for src, idx in node.inputs:
            counts[src] = max(counts.get(src, 1), idx + 1)
    for src, idx in symbol.heads:
        counts[src] = max(counts.get(src, 1), idx + 1)
    return counts


def _label_variables(symbol: SymbolGraph) -> set[str]:
    """Variables read only as the label of a loss output: inference does not need them."""
    label_ops = {"SoftmaxOutput", "LinearRegressionOutput", "LogisticRegressionOutput", "MAERegressionOutput"}
    readers: dict[int, set[tuple[str, int]]] = {}
    for node in symbol.nodes:
        for pos, (src, _) in enumerate(node.inputs):
            readers.setdefault(src, set()).add((node.op, pos))
    return {symbol.nodes[i].name for i, r in readers.items()
            if symbol.nodes[i].op == "null" and r and all(op in label_ops and pos == 1 for op, pos in r)}


def _missing(variable: str, symbol: SymbolGraph, params: Mapping[str, np.ndarray]) -> None:
    if variable.endswith(_PARAM_SUFFIXES) and params:
        raise TrtlabError(f"The parameters have no value for '{variable}'.",
                          hint="Check that the .params file (or arg_params/aux_params) belongs to this symbol.")
    example = ", ".join(f"'{v}': (1, 3, 224, 224)" for v in symbol.variables
                        if v not in params and not v.endswith(_PARAM_SUFFIXES))
    raise TrtlabError(f"No shape given for the input '{variable}'.",
                      hint=f"Pass inputs={{{example or repr(variable) + ': (...)'}}} "
                           f"(on the command line: --input {variable}:1x3x224x224).")
