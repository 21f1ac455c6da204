"""Hybrid runner overhead: the model split into 1-5 TensorRT subgraphs (run by ONNX Runtime
stand-ins on CPU) plus fallback nodes, against the whole model in one ONNX Runtime session.

    python bench/bench_hybrid.py [--models resnet18 mobilenetv2] [--seconds 2]

Both sides use the same session options; runs alternate between the two in rounds, and the
overhead is the median of the rounds' ratios, so that load from other programs hits both alike. Also prints the timing harness's own cost per iteration.
"""

from __future__ import annotations

import argparse

import numpy as np

import trtlab
from trtlab.hybrid import HybridRunner
from trtlab.ort import make_session
from trtlab.feeds import random_feeds
from trtlab.timing import harness_overhead_ms, time_calls

CHEAP_OPS = ("Relu", "Add", "Clip", "Mul", "Sigmoid", "Softmax", "Transpose", "Reshape", "Flatten")


def split_points(model: trtlab.Model, pieces: int) -> list[str]:
    """pieces-1 cheap nodes spread evenly through the graph: excluding them gives `pieces` subgraphs."""
    cheap = [n.name for n in model.nodes if n.op_type in CHEAP_OPS]
    if pieces <= 1 or not cheap:
        return []
    idx = np.linspace(0, len(cheap) - 1, pieces + 1)[1:-1].round().astype(int)
    return [cheap[i] for i in sorted(set(idx))]


def interleaved(a, b, seconds: float, rounds: int = 9) -> tuple[float, float, float]:
    """Median ms of a and of b, and the median over rounds of b's median over a's, measured in
    alternating rounds: the ratio of each round is taken side by side, so a slow spell of the
    machine moves both of its figures together."""
    sa, sb, ratios = [], [], []
    for _ in range(rounds):
        ra = time_calls(a, warmup_ms=30, iterations=5, seconds=seconds / rounds / 2)[0]
        rb = time_calls(b, warmup_ms=30, iterations=5, seconds=seconds / rounds / 2)[0]
        sa += ra
        sb += rb
        ratios.append(np.median(rb) / np.median(ra))
    return float(np.median(sa)), float(np.median(sb)), float(np.median(ratios))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=["resnet18", "mobilenetv2", "transformer"])
    ap.add_argument("--seconds", type=float, default=4.0)
    args = ap.parse_args()
    print(f"timing harness overhead: {harness_overhead_ms() * 1000:.2f} us per iteration")
    for name in args.models:
        model = trtlab.load(f"zoo:{name}")
        feeds = random_feeds(model)
        session = make_session(model.proto, "cpu")
        outs = [o.name for o in session.get_outputs()]
        whole = lambda: session.run(outs, feeds)  # noqa: E731
        single = make_session(model.proto, "cpu", threads=1)
        one, two, ratio = interleaved(lambda: single.run(outs, feeds), whole, args.seconds / 2)
        print(f"{name}: whole model on one thread {one:.3f} ms, on the usual pool {two:.3f} ms "
              f"(the pool's gain: x{1 / ratio:.2f}; small segments run on one thread)")
        del single
        for pieces in (1, 2, 3, 5):
            plan = trtlab.partition(model, exclude_nodes=split_points(model, pieces))
            runner = HybridRunner(plan, provider="cpu")
            base, hybrid, ratio = interleaved(whole, lambda: runner.run(feeds), args.seconds)
            print(f"{name}: {plan.engine_count} subgraphs, {len(runner.segments)} segments: whole model "
                  f"{base:.3f} ms, hybrid {hybrid:.3f} ms, overhead {100 * (ratio - 1):+.1f}% "
                  f"(target: at most +10%)")


if __name__ == "__main__":
    main()
