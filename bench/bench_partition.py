"""Partition speed on large synthetic graphs: time per size and growth from 1,000 nodes to 100,000;
then `trtlab inspect` of a 100,000-node chain beside onnx's own shape inference of the same file.

A ResNet-like stack of residual blocks (Conv -> Relu -> Conv -> Add) with an op TensorRT can't
take (MaxRoiPool, excluded as the zoo's mixed model does) every `gap` blocks. Prints figures;
the targets: under 200 ms at 10,000 nodes, growing close to linearly; the chain's inspect within
5x onnx's shape inference and under 1.5 GB peak memory (each measured in its own process, the two
in turn five times, with bytecode cached on both sides; the medians are reported).

    python bench/bench_partition.py [--quick | --full] [--chain-only]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import trtlab
from trtlab.coverage import coverage

ROOT = Path(__file__).resolve().parents[1]


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


def _peak_run(code: str, *args: str, env: dict | None = None) -> tuple[float, float, float]:
    """(Wall seconds, CPU seconds, peak resident MB) of a fresh interpreter running `code`. CPU
    time (user + system, interpreter start and imports included) is the steadier figure on a
    machine others share: it does not count the time spent waiting for a core."""
    import os
    import subprocess

    # VmHWM, not ru_maxrss: Linux carries the parent's peak over a fork and exec into ru_maxrss.
    wrapped = code + ("\nprint('PEAK', next(int(x.split()[1]) for x in open('/proc/self/status') "
                      "if x.startswith('VmHWM:')))\nimport time as _t; print('CPU', _t.process_time())")
    env = env or {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", wrapped, *args], capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - start
    peak = next(int(x.split()[1]) for x in out.stdout.splitlines() if x.startswith("PEAK"))
    cpu = next(float(x.split()[1]) for x in out.stdout.splitlines() if x.startswith("CPU"))
    return wall, cpu, peak / 1024


def chain_inspect(n: int = 100_000, runs: int = 5) -> None:
    """`trtlab inspect` of an n-node chain against onnx.load + infer_shapes of the same file, each
    `runs` times in turn; the medians and the median of the runs' ratios."""
    import os
    import tempfile

    sys.path.insert(0, str(ROOT))
    from tests.hostile.scale import chain

    onnx_code = "import onnx, sys; onnx.shape_inference.infer_shapes(onnx.load(sys.argv[1]))"
    ours_code = ("import contextlib, io, sys; from trtlab.cli import main\n"
                 "with contextlib.redirect_stdout(io.StringIO()):\n"
                 "    assert main(['inspect', sys.argv[1]]) == 0")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chain.onnx"
        path.write_bytes(chain(n))
        size_mb = path.stat().st_size / 1e6
        # Both sides with their bytecode cached, as an installed package has it (onnx's is, from its
        # install; a checkout run with PYTHONDONTWRITEBYTECODE would compile trtlab at every start):
        # cached in the temporary folder, not in the tree, after one run that writes it.
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               "PYTHONPYCACHEPREFIX": str(Path(folder) / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        _peak_run(ours_code, str(path), env=env)
        onnx_runs, ours_runs = [], []
        for _ in range(runs):
            onnx_runs.append(_peak_run(onnx_code, str(path), env=env))
            ours_runs.append(_peak_run(ours_code, str(path), env=env))
    onnx_s, onnx_cpu, onnx_mb = (statistics.median(r[i] for r in onnx_runs) for i in range(3))
    ours_s, ours_cpu, ours_mb = (statistics.median(r[i] for r in ours_runs) for i in range(3))
    ratio = statistics.median(o[0] / b[0] for o, b in zip(ours_runs, onnx_runs))
    cpu_ratio = statistics.median(o[1] / b[1] for o, b in zip(ours_runs, onnx_runs))
    peak = max(r[2] for r in ours_runs)
    print(f"\n{n:,}-node chain ({size_mb:.1f} MB file), each in a fresh process (interpreter start included), "
          f"medians of {runs} runs in turn:")
    print(f"  onnx.load + infer_shapes: {onnx_s:6.2f} s wall, {onnx_cpu:6.2f} s CPU, peak {onnx_mb:6.0f} MB")
    print(f"  trtlab inspect:           {ours_s:6.2f} s wall, {ours_cpu:6.2f} s CPU, peak {ours_mb:6.0f} MB")
    print(f"  CPU per run: onnx {' '.join(f'{r[1]:.2f}' for r in onnx_runs)}; "
          f"trtlab {' '.join(f'{r[1]:.2f}' for r in ours_runs)}")
    print(f"  ratio x{ratio:.1f} wall, x{cpu_ratio:.2f} CPU (target <= 5: {'met' if ratio <= 5 else 'NOT met'} "
          f"by wall, {'met' if cpu_ratio <= 5 else 'NOT met'} by CPU); "
          f"peak under 1.5 GB: {'met' if peak < 1536 else 'NOT met'} ({peak:.0f} MB at most)")


def main() -> None:
    quick = "--quick" in sys.argv
    if "--chain-only" not in sys.argv:
        partition_sizes(quick)
    chain_inspect(20_000 if quick else 100_000, runs=3 if quick else 5)


def partition_sizes(quick: bool) -> None:
    # The stack's 1,000 blockers make the partition's bitsets grow as n²: 100,000 nodes take
    # about 6 GB and 18 s, so only --full goes there.
    sizes = [1000, 2000, 5000, 10000] + ([] if quick else [20_000]) + ([100_000] if "--full" in sys.argv else [])
    print(f"{'nodes':>7} {'engines':>8} {'partition ms':>13} {'ms / 1k nodes':>14}")
    rows = []
    for n in sizes:
        model = residual_stack(n)
        report = coverage(model, "tensorrt")
        model.edges  # built once per model, like the notebook does after loading
        plan = trtlab.partition(model, report)
        t = best_of(lambda: trtlab.partition(model, report), repeat=5 if n <= 10000 else 1)
        rows.append((len(model.nodes), t))
        print(f"{len(model.nodes):>7} {plan.engine_count:>8} {t * 1e3:>13.1f} {t * 1e6 / len(model.nodes):>14.2f}")
    (n0, t0), (n1, t1) = rows[0], rows[-1]
    t10 = next(t for n, t in rows if n >= 10000)
    print(f"\ngrowth 1k -> {n1 // 1000}k: time x{t1 / t0:.1f} for nodes x{n1 / n0:.1f} "
          f"(linear would be x{n1 / n0:.1f}); 10k target < 200 ms: {'met' if t10 < 0.2 else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
