"""Partition speed on large synthetic graphs: time per size and growth from 1,000 nodes.

A ResNet-like stack of residual blocks (Conv -> Relu -> Conv -> Add) with an op TensorRT can't
take (MaxRoiPool, excluded as the zoo's mixed model does) every `gap` blocks. Prints figures;
the target is under 200 ms at 10,000 nodes, growing close to linearly.

    python bench/bench_partition.py
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import trtlab
from trtlab.coverage import coverage


def residual_stack(n_nodes: int, gap: int = 25) -> trtlab.Model:
    c = 4
    w = numpy_helper.from_array(np.zeros((c, c, 1, 1), np.float32), "w")
    nodes, prev, i = [], "x", 0
    block = 0
    while len(nodes) < n_nodes:
        b = f"b{block}"
        nodes += [
            helper.make_node("Conv", [prev, "w"], [f"{b}.c1"], name=f"{b}.conv1"),
            helper.make_node("Relu", [f"{b}.c1"], [f"{b}.r"], name=f"{b}.relu"),
            helper.make_node("Conv", [f"{b}.r", "w"], [f"{b}.c2"], name=f"{b}.conv2"),
            helper.make_node("Add", [f"{b}.c2", prev], [f"{b}.out"], name=f"{b}.add"),
        ]
        prev = f"{b}.out"
        if block % gap == gap - 1:
            nodes.append(helper.make_node("Det", [prev], [f"{b}.det"], name=f"{b}.unsupported"))
            nodes.append(helper.make_node("Unsqueeze", [f"{b}.det", "axes"], [f"{b}.u"], name=f"{b}.unsq"))
            nodes.append(helper.make_node("Add", [prev, f"{b}.u"], [f"{b}.join"], name=f"{b}.join"))
            prev = f"{b}.join"
        block += 1
    axes = numpy_helper.from_array(np.array([0, 1], np.int64), "axes")
    g = helper.make_graph(nodes, "stack", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, 2, 2])],
                          [helper.make_tensor_value_info(prev, TensorProto.FLOAT, None)], [w, axes])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    return trtlab.load(m, name=f"stack{n_nodes}")


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    sizes = [1000, 2000, 5000, 10000]
    print(f"{'nodes':>7} {'engines':>8} {'partition ms':>13} {'ms / 1k nodes':>14}")
    rows = []
    for n in sizes:
        model = residual_stack(n)
        report = coverage(model, "tensorrt")
        model.edges  # built once per model, like the notebook does after loading
        plan = trtlab.partition(model, report)
        t = best_of(lambda: trtlab.partition(model, report))
        rows.append((len(model.nodes), t))
        print(f"{len(model.nodes):>7} {plan.engine_count:>8} {t * 1e3:>13.1f} {t * 1e6 / len(model.nodes):>14.2f}")
    (n0, t0), (n1, t1) = rows[0], rows[-1]
    print(f"\ngrowth 1k -> 10k: time x{t1 / t0:.1f} for nodes x{n1 / n0:.1f} "
          f"(linear would be x{n1 / n0:.1f}); 10k target < 200 ms: {'met' if t1 < 0.2 else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
