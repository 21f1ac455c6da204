"""Peak memory of checking a model, for the whole process tree (the check and its TensorRT build
worker), against the size of the model's file.

    python bench/bench_memory.py [--models resnet18 gpt2] [--steps file fp32 fp16 bf16 int8 fp8]
                                 [--no-timing] [--interval 0.02] [--folder DIR]

Each model is built from code (ResNet-18 of the zoo, 45 MiB; GPT-2 124M from its config with
random weights, 475 MiB; a 4-layer GPT-2; a chain of large MatMuls) and saved once as an .onnx
file, or is a packaged model of `trtlab.corpus` from 10 MB up (YOLOv8n, PP-OCRv4 recognition),
its own file loaded with its feeds as the corpus gives them. Then every step runs in a fresh process of its own: `file` is `trtlab.load` of the file,
a precision is `check` of the file in that precision as `trtlab check FILE --precision P` runs it
(engines built by the installed TensorRT in its worker process, a fresh engine cache, timing on
unless --no-timing). This process samples the step's process and all its descendants from
outside every --interval seconds (`trtlab.memory.TreeMemory`). Columns:

- `main`, `worker`: each process's own peak resident memory (VmHWM from /proc, exact; not
  ru_maxrss, which Linux carries over fork and exec from the parent's peak);
- `tree`: the largest sum of the processes' resident memory (VmRSS) seen at one sample, and
  `x file` its ratio to the file. A page both processes map (Python's and numpy's libraries)
  counts twice, so this is an upper bound. Not the proportional set size
  (PSS), which splits a shared page with every process that maps it, those of other users of
  the machine too, so it depends on what else runs;
- `base`: the fixed cost, which does not grow with the model: the tree's peak for the same step
  on `zoo:tiny` (a 10-node CNN of 14 kB: Python, the packages imported and ONNX Runtime in the
  check's process, TensorRT's library and its builder's own memory in the worker);
- `over base`: the tree's peak less the fixed cost, and its ratio to the file (`x file`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from trtlab.memory import run_measured  # noqa: E402

MODELS = {"resnet18": "ResNet-18 (zoo)", "gpt2": "GPT-2 124M (12 layers)", "gpt2-4": "GPT-2, 4 layers",
          "matmul-chain": "8 MatMuls 1536x1536"}
# Packaged models of `trtlab.corpus` from 10 MB (their own files, checked as the corpus loads them).
CORPUS = {"yolov8n": "YOLOv8n (11.6 MB)", "ppocr-rec": "PP-OCRv4 recognition (10.4 MB)"}
PRECISIONS = ("fp32", "fp16", "bf16", "int8", "fp8")

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
elif name in ("resnet18", "tiny"):
    import trtlab
    trtlab.load(f"zoo:{name}").save(path)
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
import json, sys
step, path, cache, timing, corpus = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1", sys.argv[5]
import trtlab, trtlab.corpus
from trtlab.check import check
verdict = ""
model, feeds = trtlab.corpus.load(corpus) if corpus else (trtlab.load(path), None)
if step != "file":
    result = check(model, [step], timing=timing, cache_dir=cache, feeds=feeds)
    v = result.verdict(step)
    verdict = f"{v.status}" + (f" ({v.reason[:60]})" if v.status == "not measured" else "")
    verdict += "" if result.engines else " [no engine built]"
print(json.dumps({"verdict": verdict}))
"""


def model_file(name: str, folder: str) -> str | None:
    """The model's .onnx file in `folder`, built there unless it is there already."""
    if name in CORPUS:
        from trtlab import corpus

        try:
            return str(corpus.path(name))
        except Exception as exc:  # its package is not installed
            print(f"{name:10} not measured: {exc}")
            return None
    path = os.path.join(folder, f"{name}.onnx")
    if os.path.exists(path):
        return path
    made = subprocess.run([sys.executable, "-c", SAVE, name, path], capture_output=True, text=True)
    if made.returncode != 0:
        print(f"{name:10} could not be built: {(made.stderr.strip().splitlines() or ['?'])[-1][:120]}")
        return None
    return path


def measure(step: str, path: str, timing: bool, interval: float, corpus: str = "") -> dict:
    """Run one step in a fresh process and sample its tree; its figures and verdict. `corpus`:
    the name of a packaged model, loaded with its feeds as `trtlab.corpus.load` gives them."""
    with tempfile.TemporaryDirectory() as cache:
        done, peak = run_measured([sys.executable, "-c", STEP, step, path, cache, "1" if timing else "0", corpus],
                                  interval)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:120]}
    return {"main": peak.root_mb, "worker": peak.descendants_mb, "tree": peak.tree_mb,
            "verdict": json.loads(done.stdout.strip().splitlines()[-1])["verdict"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["resnet18", "gpt2"], choices=[*MODELS, *CORPUS])
    ap.add_argument("--steps", nargs="+", default=list(PRECISIONS), choices=["file", *PRECISIONS])
    ap.add_argument("--no-timing", action="store_true", help="checks without their timing step")
    ap.add_argument("--interval", type=float, default=0.02, help="seconds between samples of the tree")
    ap.add_argument("--folder", help="keep the model files here and use those already there (default: a "
                                     "temporary folder)")
    args = ap.parse_args()
    print(f"timing {'off' if args.no_timing else 'on'}; tree sampled every {args.interval * 1000:.0f} ms; "
          f"base: the same step on zoo:tiny")
    head = (f"{'model':10} {'step':5} {'file MB':>8} {'main MB':>8} {'worker MB':>9} {'tree MB':>8} {'x file':>7} "
            f"{'base MB':>8} {'over base':>9} {'x file':>7}  verdict")
    print(head)
    print("-" * len(head))
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.folder or temporary
        paths = {name: made for name in ["tiny", *args.models] if (made := model_file(name, folder))}
        bases = {step: measure(step, paths["tiny"], not args.no_timing, args.interval) for step in args.steps}
        for name in args.models:
            if name not in paths:
                continue
            file_mb = os.path.getsize(paths[name]) / 1024**2
            for step in args.steps:
                r = measure(step, paths[name], not args.no_timing, args.interval, name if name in CORPUS else "")
                base = bases[step]
                if "error" in r or "error" in base:
                    print(f"{name:10} {step:5} failed: {r.get('error') or base['error']}", flush=True)
                    continue
                over = r["tree"] - base["tree"]
                print(f"{name:10} {step:5} {file_mb:>8.0f} {r['main']:>8.0f} {r['worker']:>9.0f} {r['tree']:>8.0f} "
                      f"{r['tree'] / file_mb:>7.2f} {base['tree']:>8.0f} {over:>9.0f} {over / file_mb:>7.2f}  "
                      f"{r['verdict']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
