"""Peak memory of loading and checking a model of ~100 MB of weights, each in a fresh process
(ru_maxrss sees what numpy, onnx and ONNX Runtime allocate, which tracemalloc does not)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("onnxruntime", reason="needs onnxruntime")

CHAIN = """
import json, resource, sys
import numpy as np, onnx
from onnx import helper, numpy_helper
import onnxruntime, onnx_graphsurgeon, trtlab
from trtlab.check import check

path, precisions = sys.argv[1], sys.argv[2].split(",")
n, size = 8, 1792  # 8 x 12.8 MB of fp32 weights
rng = np.random.default_rng(0)
nodes, weights, x = [], [], "x"
for i in range(n):
    weights.append(numpy_helper.from_array((rng.standard_normal((size, size)) / size ** 0.5)
                                           .astype(np.float32), f"w{i}"))
    nodes += [helper.make_node("MatMul", [x, f"w{i}"], [f"m{i}"]),
              helper.make_node("Relu", [f"m{i}"], [f"h{i}" if i < n - 1 else "y"])]
    x = f"h{i}"
graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [4, size])],
                          [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [4, size])], weights)
onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
del graph, weights, nodes
with open("/proc/self/status") as f:
    before = next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024
result = check(trtlab.load(path), precisions, timing=False, cache_dir=False)
print(json.dumps({"before_mb": before, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "verdicts": {p: result.verdict(p).status for p in precisions}}))
"""


def _peak(tmp_path, precisions: list[str]) -> tuple[float, float, float, dict]:
    path = tmp_path / "chain.onnx"
    out = subprocess.run([sys.executable, "-c", CHAIN, str(path), ",".join(precisions)],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    r = json.loads(out.stdout.strip().splitlines()[-1])
    return path.stat().st_size / 1024**2, r["before_mb"], r["peak_mb"], r["verdicts"]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux (/proc/self/status)")
def test_check_of_a_100_mb_model_stays_under_14x_its_file(tmp_path):
    pytest.importorskip("onnx_graphsurgeon", reason="needs onnx-graphsurgeon")
    file_mb, before_mb, peak_mb, verdicts = _peak(tmp_path, ["fp32", "fp16"])
    assert file_mb > 90
    assert verdicts == {"fp32": "pass", "fp16": "pass"}
    # What loading and checking add on top of the process as it was before (Python, numpy, onnx
    # imported): measured at 11.4x the file, 20.3x before copies of the weights were cut. The
    # aim is 3x; what still holds copies at once is listed in bench/bench_memory.py.
    assert peak_mb - before_mb < 14 * file_mb, (file_mb, before_mb, peak_mb)
