"""Peak resident memory of loading and checking a large model, against the size of its file.

    python bench/bench_memory.py [--models gpt2 gpt2-4 matmul-chain] [--steps torch file fp32 fp32+fp16 ...]

Each model is built from code (GPT-2 124M from its config with random weights, a 4-layer GPT-2,
a chain of large MatMuls), saved once as an .onnx file, then every step runs in a fresh process
of its own: (a) `trtlab.load` of the torch module, (b) `trtlab.load` of the .onnx file, (c) a
`check` in fp32, (d) a `check` in fp32 and fp16 (timing off, no engine cache), (e) the same
with timing on ("fp32+fp16/timed": the check's default). Columns: the
file's size, the process's peak resident memory (ru_maxrss), its ratio to the file, the
resident memory the process had before the step (Python and the imported packages), the peak
of its largest child process (the TensorRT builder, which holds the network it builds), and
the check's verdicts.

What a check holds, step by step: the `Model` itself (the weights once), and for a large model
a store its weights are written to once (a temporary file), which every cut, folded, converted
and validated copy refers to instead of holding the weights; ONNX Runtime maps them from that
file for each run, one session at a time; the build worker's parser reads them from it too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

MODELS = {"gpt2": "GPT-2 124M (12 layers)", "gpt2-4": "GPT-2, 4 layers", "matmul-chain": "8 MatMuls 1536x1536"}

SAVE = """
import sys
name, path = sys.argv[1], sys.argv[2]
if name.startswith("gpt2"):
    import torch, trtlab
    from transformers import GPT2Config, GPT2Model
    layers = 12 if name == "gpt2" else int(name.split("-")[1])
    torch.manual_seed(0)
    module = GPT2Model(GPT2Config(use_cache=False, n_layer=layers)).eval()
    trtlab.load(module, example_kwargs={"input_ids": torch.ones(1, 16, dtype=torch.long)}).save(path)
else:
    import numpy as np, onnx
    from onnx import helper, numpy_helper
    n, size = 8, 1536
    rng = np.random.default_rng(0)
    weights = [numpy_helper.from_array((rng.standard_normal((size, size)) / size ** 0.5).astype(np.float32), f"w{i}")
               for i in range(n)]
    nodes = [helper.make_node("MatMul", ["x" if i == 0 else f"h{i}", f"w{i}"], [f"m{i}"]) for i in range(n)]
    nodes = [x for i, node in enumerate(nodes) for x in
             (node, helper.make_node("Relu", [f"m{i}"], [f"h{i + 1}" if i < n - 1 else "y"]))]
    graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [4, size])],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [4, size])], weights)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
"""

STEP = """
import json, resource, sys
step, name, path = sys.argv[1], sys.argv[2], sys.argv[3]
import trtlab
verdicts = ""
if step == "torch":
    import torch
    from transformers import GPT2Config, GPT2Model
    layers = 12 if name == "gpt2" else int(name.split("-")[1])
    module = GPT2Model(GPT2Config(use_cache=False, n_layer=layers)).eval()
def rss_mb():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024
before = rss_mb()
if step == "torch":
    trtlab.load(module, example_kwargs={"input_ids": torch.ones(1, 16, dtype=torch.long)})
else:
    model = trtlab.load(path)
    if step != "file":
        from trtlab.check import check
        precisions, _, mode = step.partition("/")
        result = check(model, precisions.split("+"), timing=mode == "timed", cache_dir=False)
        verdicts = " ".join(f"{p}:{result.verdict(p).status}" for p in precisions.split("+"))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"peak_mb": peak, "before_mb": before, "child_mb": child, "verdicts": verdicts}))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    ap.add_argument("--steps", nargs="+", default=["torch", "file", "fp32", "fp32+fp16", "fp32+fp16/timed"])
    args = ap.parse_args()
    head = (f"{'model':14} {'step':10} {'file MB':>8} {'peak MB':>8} {'x file':>7} {'before MB':>10} "
            f"{'builder MB':>10}  verdicts")
    print(head)
    print("-" * len(head))
    with tempfile.TemporaryDirectory() as folder:
        for name in args.models:
            path = os.path.join(folder, f"{name}.onnx")
            made = subprocess.run([sys.executable, "-c", SAVE, name, path], capture_output=True, text=True)
            if made.returncode != 0:
                print(f"{name:14} could not be built: {(made.stderr.strip().splitlines() or ['?'])[-1][:120]}")
                continue
            file_mb = os.path.getsize(path) / 1024**2
            for step in args.steps:
                if step == "torch" and not name.startswith("gpt2"):
                    continue
                out = subprocess.run([sys.executable, "-c", STEP, step, name, path], capture_output=True, text=True)
                if out.returncode != 0:
                    print(f"{name:14} {step:10} failed: {(out.stderr.strip().splitlines() or ['?'])[-1][:120]}")
                    continue
                r = json.loads(out.stdout.strip().splitlines()[-1])
                print(f"{name:14} {step:10} {file_mb:>8.0f} {r['peak_mb']:>8.0f} {r['peak_mb'] / file_mb:>7.2f} "
                      f"{r['before_mb']:>10.0f} {r['child_mb']:>10.0f}  {r['verdicts']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
