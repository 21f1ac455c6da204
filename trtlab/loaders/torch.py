"""PyTorch modules in, through torch's own ONNX exporter (TorchScript-based, opset 17).

The TorchScript exporter runs offline and names nodes by module path ("/layer1/layer1.0/conv1/Conv");
those names are shortened to the module path ("layer1.0.conv1") where that stays unique.
"""

from __future__ import annotations

import io
import re
import warnings
from collections import Counter
from typing import Any, Mapping, Sequence

import onnx

from ..errors import TrtlabError, first_line
from ..model import Model

OPSET = 17


def load_torch_module(module: Any, *, example_inputs: Sequence[Any] | None = None,
                      inputs: Mapping[str, Sequence[int]] | None = None, name: str | None = None,
                      input_names: Sequence[str] | None = None, output_names: Sequence[str] | None = None,
                      opset: int = OPSET) -> Model:
    """Export `module` in eval mode with `example_inputs` (a tuple of tensors), or with random
    float32 tensors of the shapes in `inputs` ({"x": (1, 3, 224, 224)})."""
    from .._optional import torch as _torch

    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise TrtlabError(f"Expected a torch.nn.Module, got {type(module).__name__}.",
                          hint="Pass the model object, e.g. trtlab.load(model, example_inputs=(x,)).")
    if example_inputs is None:
        if not inputs:
            raise TrtlabError("Exporting a PyTorch module needs example inputs.",
                              hint="Pass example_inputs=(torch.randn(1, 3, 224, 224),) or inputs={'x': (1, 3, 224, 224)}.")
        gen = torch.Generator().manual_seed(0)
        example_inputs = tuple(torch.randn(*shape, generator=gen) for shape in inputs.values())
        input_names = input_names or list(inputs)
    elif isinstance(example_inputs, torch.Tensor):
        example_inputs = (example_inputs,)
    example_inputs = tuple(example_inputs)
    if input_names is None:
        input_names = list(inputs) if inputs and len(inputs) == len(example_inputs) else \
            ["input"] if len(example_inputs) == 1 else [f"input{i}" for i in range(len(example_inputs))]
    model_name = name or type(module).__name__
    was_training = module.training
    module.eval()
    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(module, example_inputs, buffer, dynamo=False, opset_version=opset,
                              input_names=list(input_names), output_names=list(output_names) if output_names else None,
                              do_constant_folding=True)
    except TrtlabError:
        raise
    except Exception as exc:
        first = first_line(exc)
        raise TrtlabError(f"torch.onnx.export failed for {model_name}: {first}",
                          hint="Check that the module runs on example_inputs and uses ops ONNX can express.") from None
    finally:
        module.train(was_training)
    proto = onnx.load_from_string(buffer.getvalue())
    readable_names(proto.graph)
    shapes = {n: tuple(t.shape) for n, t in zip(input_names, example_inputs) if hasattr(t, "shape")}
    return Model.from_proto(proto, name=model_name, source=f"torch {type(module).__name__}", inputs=shapes)


_SCOPE = re.compile(r"^/(.*)/([A-Za-z]+)(_\d+)?$")


def readable_names(graph: onnx.GraphProto) -> None:
    """'/layer1/layer1.0/conv1/Conv' -> 'layer1.0.conv1' when that module made only that node;
    otherwise the op is kept: 'layer1.0/Add', 'se/Mul'; '/Relu_1' -> 'Relu_1'."""
    def module_path(scope: str) -> str:
        path, prev = "", ""
        for part in scope.split("/"):
            # TorchScript scopes repeat the parent's name: layer1 / layer1.0 / conv1, down / down.0.
            if prev and part.startswith(prev + "."):
                path = path[:len(path) - len(prev)] + part
            else:
                path = f"{path}.{part}" if path else part
            prev = part
        return path

    parsed = {}
    for n in graph.node:
        m = _SCOPE.match(n.name)
        if m:
            parsed[n.name] = (module_path(m.group(1)), m.group(2) + (m.group(3) or ""))
    per_module = Counter(path for path, _ in parsed.values())
    # A module whose submodules also made nodes (a residual block's Add) keeps the op in the name.
    parents = {path.rsplit(".", i)[0] for path in per_module for i in range(1, path.count(".") + 1)}
    wanted = []
    for n in graph.node:
        if n.name in parsed:
            path, op = parsed[n.name]
            wanted.append(path if per_module[path] == 1 and path not in parents else f"{path}/{op}")
        else:
            wanted.append(n.name.lstrip("/") or n.op_type)
    counts = Counter(wanted)
    for n, new in zip(graph.node, wanted):
        if counts[new] == 1:
            n.name = new
