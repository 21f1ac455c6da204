"""PyTorch modules in, through torch's own ONNX exporters, as users export today.

Two exporters: "dynamo" (torch.export based, torch's default since 2.9; takes keyword inputs
such as Hugging Face models' input_ids/attention_mask) and "torchscript" (the older tracer:
fast, offline, but Hugging Face models need their keyword inputs passed through a small wrapper,
made here). "auto" tries dynamo where it is installed, then TorchScript. What the exporters print
is captured, and a failure names the exporter, the operator it stopped at and the other one.
"""

from __future__ import annotations

import contextlib
import gc
import inspect
import io
import logging
import os
import re
import sys
import tempfile
import threading
import warnings
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import onnx

from ..errors import TrtlabError, one_line
from ..model import Model
from .formats import ModelFormat, register
from .torch_names import readable_dynamo_names, readable_names, strip_wrapper

EXPORTERS = ("auto", "dynamo", "torchscript")
OPSET = {"torchscript": 17, "dynamo": 18}
# The capture swaps the process's stdout/stderr descriptors: one export at a time.
_EXPORT_LOCK = threading.Lock()
_OPERATOR = re.compile(r"\b(?:aten|prim|quantized|torchvision)(?:::|\.)[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class TensorNames:
    """The ONNX names to give the exported model's inputs and outputs, in order (None: the
    exporter's or the forward's own names)."""
    inputs: Sequence[str] | None = None
    outputs: Sequence[str] | None = None


def load_torch_module(module: Any, *, example_inputs: Sequence[Any] | Mapping[str, Any] | None = None,
                      example_kwargs: Mapping[str, Any] | None = None,
                      inputs: Mapping[str, Sequence[int]] | None = None, name: str | None = None,
                      names: TensorNames | None = None, opset: int | None = None, exporter: str = "auto") -> Model:
    """Export `module` in eval mode and load the ONNX model.

    `example_inputs` is a tensor or a tuple of tensors passed positionally (a dict is taken as
    keyword inputs); `example_kwargs` are keyword inputs (``{"input_ids": ids, "attention_mask":
    mask}``). With neither, `inputs` gives shapes ({"x": (1, 3, 224, 224)}) and inputs are made:
    keyword ones when the names are parameters of `forward` (integer ids and masks for names such
    as input_ids and attention_mask, floats otherwise), else positional float32 tensors. Integer
    and boolean inputs keep their types. `names` (a `TensorNames`) renames the model's inputs and
    outputs. `exporter` is "auto", "dynamo" or "torchscript"."""
    from .._optional import torch as _torch

    torch = _torch()
    if exporter not in EXPORTERS:
        raise TrtlabError(f"Unknown exporter '{exporter}'.", hint=f"Use one of: {', '.join(EXPORTERS)}.")
    if not isinstance(module, torch.nn.Module):
        raise TrtlabError(f"Expected a torch.nn.Module, got {type(module).__name__}.",
                          hint="Pass the model object, e.g. trtlab.load(model, example_inputs=(x,)).")
    names = names or TensorNames()
    args, kwargs, input_names = _example_call(torch, module, example_inputs, example_kwargs, inputs, names.inputs)
    kwargs = _quiet_hugging_face_defaults(module, kwargs)
    model_name = name or type(module).__name__
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            try:
                outputs = module(*args, **kwargs)
            except Exception as exc:
                raise TrtlabError(f"{model_name} does not run on the example inputs: {one_line(exc, first=True, limit=None)}",
                                  hint="Check the example inputs' shapes and types against the module's forward.") \
                    from None
            output_names = list(names.outputs) if names.outputs else _output_names(torch, outputs)
            proto, used = _export(torch, module, args, kwargs, input_names, exporter, opset, model_name)
    finally:
        module.train(was_training)
    del outputs
    # The exporter's program and traced graphs hold the weights too; they go before the model
    # is normalised.
    gc.collect()
    _rename_outputs(proto.graph, output_names)
    shapes = {vi.name: tuple(d.dim_value for d in vi.type.tensor_type.shape.dim) for vi in proto.graph.input
              if all(d.HasField("dim_value") for d in vi.type.tensor_type.shape.dim)}
    return Model.from_proto(proto, name=model_name, source=f"torch {type(module).__name__} ({used})",
                            inputs=shapes, copy=False)


# -------------------------------------------------------------------- example inputs
def _example_call(torch, module, example_inputs, example_kwargs, inputs, input_names):
    """(positional tensors, keyword inputs, names of the positional ones)."""
    kwargs = dict(example_kwargs or {})
    if isinstance(example_inputs, Mapping):
        kwargs = {**dict(example_inputs), **kwargs}
        example_inputs = ()
    if example_inputs is None and not kwargs:
        if not inputs:
            raise TrtlabError("Exporting a PyTorch module needs example inputs.",
                              hint="Pass example_inputs=(torch.randn(1, 3, 224, 224),), example_kwargs="
                                   "{'input_ids': ids}, or inputs={'x': (1, 3, 224, 224)}.")
        params = inspect.signature(module.forward).parameters
        keyword = all(n in params and params[n].kind != inspect.Parameter.POSITIONAL_ONLY for n in inputs)
        made = _made_inputs(torch, module, inputs, keyword)
        if keyword:
            return (), made, []
        return tuple(made.values()), {}, list(input_names or inputs)
    if isinstance(example_inputs, torch.Tensor):
        example_inputs = (example_inputs,)
    args = tuple(example_inputs or ())
    if input_names is None:
        input_names = list(inputs) if inputs and len(inputs) == len(args) else _positional_names(module, len(args))
    return args, kwargs, list(input_names)


def _positional_names(module, count: int) -> list[str]:
    """The forward's own parameter names for a Hugging Face model ("pixel_values"); "input" or
    "input0", "input1"... for other modules."""
    if hasattr(module, "main_input_name"):
        params = [p for p in inspect.signature(module.forward).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if len(params) >= count:
            return [p.name for p in params[:count]]
    return ["input"] if count == 1 else [f"input{i}" for i in range(count)]


def _made_inputs(torch, module, shapes, keyword: bool) -> dict:
    """Seeded inputs of the given shapes; by name, when they are keyword inputs of a model:
    token ids small (valid for any vocabulary of 100 or more), type ids 0, masks 1."""
    gen = torch.Generator().manual_seed(0)
    config = getattr(module, "config", None)
    vocab = max(1, min(100, int(getattr(config, "vocab_size", 100) or 100)))
    out = {}
    for name, shape in shapes.items():
        shape = tuple(int(d) for d in shape)
        low = name.lower()
        if keyword and "mask" in low:
            out[name] = torch.ones(shape, dtype=torch.int64)
        elif keyword and low in ("token_type_ids", "segment_ids"):
            out[name] = torch.zeros(shape, dtype=torch.int64)
        elif keyword and low == "position_ids":
            out[name] = torch.arange(shape[-1]).expand(shape).contiguous()
        elif keyword and (low.endswith("_ids") or low == "ids" or low.endswith("_id")):
            out[name] = torch.randint(0, vocab, shape, generator=gen)
        else:
            out[name] = torch.randn(*shape, generator=gen)
    return out


def _quiet_hugging_face_defaults(module, kwargs: dict) -> dict:
    """No key/value cache in the export: it adds cache objects to the outputs that exporters
    can't take, and a model analysed for one pass has no use for it."""
    params = inspect.signature(module.forward).parameters
    if "use_cache" in params and "use_cache" not in kwargs:
        return {**kwargs, "use_cache": False}
    return kwargs


def _flatten(torch, value) -> list:
    """Tensors of a module's output in the order exporters flatten them (None left out)."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _flatten(torch, v)]
    if hasattr(value, "items"):
        return [t for _, v in value.items() if v is not None for t in _flatten(torch, v)]
    return []


def _output_names(torch, outputs) -> list[str]:
    """'last_hidden_state', 'pooler_output' for a dict-like output of tensors; 'output' or
    'output0', 'output1'... for tensors; [] (the exporter's names) for anything nested."""
    if hasattr(outputs, "items"):
        items = [(k, v) for k, v in outputs.items() if v is not None]
        if all(isinstance(v, torch.Tensor) for _, v in items):
            return [str(k) for k, _ in items]
        return []
    flat = _flatten(torch, outputs)
    return ["output"] if len(flat) == 1 else [f"output{i}" for i in range(len(flat))]


# -------------------------------------------------------------------- exporting
def _export(torch, module, args, kwargs, input_names, exporter, opset, model_name):
    """(ONNX model, exporter used)."""
    order = ["dynamo", "torchscript"] if exporter == "auto" else [exporter]
    if exporter == "auto" and not _dynamo_available():
        order = ["torchscript"]
    failures = []
    for which in order:
        log = io.StringIO()
        try:
            with _EXPORT_LOCK, _captured_output(log):
                if which == "dynamo":
                    proto = _export_dynamo(torch, module, args, kwargs, input_names, opset or OPSET[which])
                else:
                    proto = _export_torchscript(torch, module, args, kwargs, input_names, opset or OPSET[which])
            return proto, which
        except TrtlabError:
            raise
        except Exception as exc:
            failures.append((which, exc, log.getvalue()))
    raise _export_error(model_name, failures, tried_both=len(order) == 2)


def _dynamo_available() -> bool:
    from .._optional import available

    return available("onnxscript")


def _export_dynamo(torch, module, args, kwargs, input_names, opset) -> onnx.ModelProto:
    program = torch.onnx.export(module, args, kwargs=kwargs or None, dynamo=True, opset_version=opset,
                                input_names=list(input_names) or None, external_data=False,
                                verbose=False)
    proto = program.model_proto
    del program
    readable_dynamo_names(proto.graph)
    return proto


def _export_torchscript(torch, module, args, kwargs, input_names, opset) -> onnx.ModelProto:
    tensors = {k: v for k, v in kwargs.items() if isinstance(v, torch.Tensor)}
    target, strip = module, ""
    if kwargs:
        # The tracer passes keyword inputs in a way Hugging Face models reject ("got multiple
        # values for argument 'use_cache'"); a wrapper takes them positionally instead.
        target, strip = _KeywordCall(torch, module, len(args), list(tensors),
                                     {k: v for k, v in kwargs.items() if k not in tensors}), "inner."
    buffer = io.BytesIO()
    torch.onnx.export(target, tuple(args) + tuple(tensors.values()), buffer, dynamo=False,
                      opset_version=opset, input_names=list(input_names) + list(tensors),
                      do_constant_folding=True)
    proto = onnx.load_from_string(buffer.getvalue())
    readable_names(proto.graph, strip_prefix=strip)
    if strip:
        strip_wrapper(proto.graph, strip.rstrip("."))
    return proto


def _KeywordCall(torch, module, positional: int, names: list[str], constants: dict):
    class KeywordCall(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = module

        def forward(self, *tensors):
            out = self.inner(*tensors[:positional], **dict(zip(names, tensors[positional:])), **constants)
            flat = _flatten(torch, out)
            return flat[0] if len(flat) == 1 else tuple(flat)

    return KeywordCall()


def _export_error(model_name: str, failures: list, tried_both: bool) -> TrtlabError:
    parts = []
    for which, exc, log in failures:
        chain = _causes(exc)
        op = next((o for o in (_failing_operator(str(e)) for e in chain) if o), None) or _failing_operator(log)
        parts.append(f"the {which} exporter failed{f' at {op}' if op else ''}: {_plain(one_line(chain[-1], first=True, limit=None))}")
    message = f"Exporting {model_name} to ONNX failed: " + "; ".join(parts) + "."
    if tried_both:
        hint = ("Both exporters failed: rewrite the named operator with ones ONNX has, or export the module "
                "yourself and load the .onnx file.")
    else:
        other = "torchscript" if failures[0][0] == "dynamo" else "dynamo"
        hint = f"Try the other exporter: trtlab.load(module, ..., exporter='{other}')."
    error = TrtlabError(message, hint=hint)
    error.export_log = "\n".join(log for _, _, log in failures)  # what the exporters printed
    return error


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it, outermost first (the dynamo exporter wraps the real
    reason, "No ONNX function found for aten.x", in a generic step-3-of-3 error)."""
    chain = [exc]
    while chain[-1].__cause__ is not None and len(chain) < 10:
        chain.append(chain[-1].__cause__)
    return chain


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text).strip()


def _failing_operator(text: str) -> str | None:
    m = re.search(r"operator '([^']+)'", text) or _OPERATOR.search(text)
    if m is None:
        return None
    op = m.group(1) if m.re is not _OPERATOR else m.group(0)
    return op.replace(".", "::", 1) if op.count("::") == 0 and "." in op else op


@contextlib.contextmanager
def _captured_output(sink: io.StringIO):
    """What exporters print (progress lines, warnings, graph dumps from C++) goes to `sink`:
    Python's streams and warnings, logging, and the process's own stdout/stderr descriptors."""
    saved_disable = logging.root.manager.disable
    streams = []
    with tempfile.TemporaryFile(mode="w+b") as tmp, warnings.catch_warnings(), \
            contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        warnings.simplefilter("ignore")
        logging.disable(logging.ERROR)  # a failure is raised; its log lines are captured below
        for fd in (1, 2):
            try:
                for stream in (sys.__stdout__, sys.__stderr__):
                    if stream is not None:
                        stream.flush()
                streams.append((fd, os.dup(fd)))
                os.dup2(tmp.fileno(), fd)
            except OSError:
                pass  # no such descriptor (some embedded interpreters): Python-level capture only
        try:
            yield sink
        finally:
            for stream in (sys.__stdout__, sys.__stderr__):
                if stream is not None:
                    with contextlib.suppress(Exception):
                        stream.flush()
            for fd, saved in reversed(streams):
                os.dup2(saved, fd)
                os.close(saved)
            logging.disable(saved_disable)
            tmp.seek(0)
            sink.write(tmp.read().decode("utf-8", "replace"))


def _rename_outputs(graph: onnx.GraphProto, names: list[str]) -> None:
    """Name the graph outputs after the module's output fields, where they match one to one."""
    old = [o.name for o in graph.output]
    inputs = {i.name for i in graph.input} | {t.name for t in graph.initializer}
    if not names or len(names) != len(old) or len(set(old)) != len(old) or len(set(names)) != len(names):
        return
    if inputs & set(old):
        return  # an input or weight returned as is: renaming it would rename the input
    if any(a.HasField("g") or len(a.graphs) for n in graph.node for a in n.attribute):
        return  # subgraphs may read the outputs by name too; keep the exporter's names
    mapping = {o: n for o, n in zip(old, names) if o != n}
    if not mapping:
        return
    taken = {t for node in graph.node for t in (*node.input, *node.output)} - set(mapping)
    if taken & set(mapping.values()):
        return  # the name is already used inside the graph
    for node in graph.node:
        for i, t in enumerate(node.output):
            if t in mapping:
                node.output[i] = mapping[t]
        for i, t in enumerate(node.input):
            if t in mapping:
                node.input[i] = mapping[t]
    for vi in list(graph.output) + list(graph.value_info):
        if vi.name in mapping:
            vi.name = mapping[vi.name]


register(ModelFormat("torch", load_torch_module, "a torch.nn.Module", frameworks=("torch",),
                     options=("example_inputs", "example_kwargs", "exporter", "names", "opset"), extra="torch"))
