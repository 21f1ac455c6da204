"""GPU baselines through `trtlab.check` on a CUDA GPU: a PyTorch CNN and a Hugging Face ViT built
from a config (random weights, nothing downloaded), in fp32 and fp16, each timed on the GPU by
the one CUDA-event harness, eager and replayed as a CUDA graph.

    python bench/bench_gpu.py [--seconds 2] [--json results.json]

Prints each figure with its H2D / compute / D2H split and checks that
- the parts, read from CUDA events, add up to the run's total within 5%; the total here is the
  host's own clock around each run (perf_counter, up to the wait for the last event), so the
  GPU's clock is held to an independent one, and
- figures replayed as CUDA graphs are stable: coefficient of variation under 2.5%.
Exits 1 when a check fails, 2 without a CUDA GPU.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import trtlab
from trtlab.check import check
from trtlab.check.timing import speedup_not_measured
from trtlab.report.charts import like_with_like, pick_baseline
from trtlab.timing import UNSTABLE_CV, TimingResult

PARTS_WITHIN = 0.05


def torch_cnn(torch, batch: int):
    from trtlab.zoo.torch_models import build_torch_cnn

    module, _ = build_torch_cnn({"x": (batch, 3, 128, 128)})
    return "torch_cnn (trtlab zoo)", module, (torch.randn(batch, 3, 128, 128),)


def vit(torch, batch: int):
    from transformers import ViTConfig, ViTModel

    # SDPA attention: transformers' eager attention builds its mask from a CPU tensor, which a
    # CUDA graph cannot capture.
    config = ViTConfig(hidden_size=384, num_hidden_layers=6, num_attention_heads=6, intermediate_size=1536,
                       image_size=224, patch_size=16, attn_implementation="sdpa")
    torch.manual_seed(0)

    class Encoder(torch.nn.Module):  # one tensor out: the last hidden state
        def __init__(self):
            super().__init__()
            self.vit = ViTModel(config, add_pooling_layer=False).eval()

        def forward(self, pixel_values):
            return self.vit(pixel_values=pixel_values).last_hidden_state

    return "ViT-S/16 (transformers, from a config)", Encoder().eval(), (torch.randn(batch, 3, 224, 224),)


def machine(torch) -> str:
    driver = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                            capture_output=True, text=True).stdout.strip()
    return (f"device: {torch.cuda.get_device_name(0)} (sm {'.'.join(map(str, torch.cuda.get_device_capability(0)))}); "
            f"nvidia-smi: {driver}; torch {torch.__version__} (CUDA {torch.version.cuda}); "
            f"trtlab {trtlab.__version__}; Python {sys.version.split()[0]}")


def row(t: TimingResult) -> tuple[str, list[str]]:
    """One figure as a line, and what failed of the two checks."""
    line = (f"  {t.backend[:44]:44s} {t.precision:5s} {t.device.split(' (')[0][:22]:22s} b{t.batch:<3d} "
            f"mean {t.mean_ms:8.3f}  p50 {t.p50_ms:8.3f}  p99 {t.p99_ms:8.3f} ms  cv {t.cv:6.2%}  n {t.iterations}")
    failed = []
    if t.compute_ms is not None:
        parts = t.h2d_ms + t.compute_ms + t.d2h_ms
        off = abs(parts - t.host_ms) / t.host_ms
        line += (f"\n  {'':44s} H2D {t.h2d_ms:.3f} + compute {t.compute_ms:.3f} + D2H {t.d2h_ms:.3f} = "
                 f"{parts:.3f} ms; host clock {t.host_ms:.3f} ms per run ({off:.2%} off)")
        if off > PARTS_WITHIN:
            failed.append(f"{t.backend} {t.precision}: parts are {off:.1%} off the host's total")
        if "CUDA graph" in t.backend and t.cv >= UNSTABLE_CV:
            failed.append(f"{t.backend} {t.precision}: cv {t.cv:.2%} with a CUDA graph")
    return line, failed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=2.0, help="timed seconds per figure")
    ap.add_argument("--cnn-batch", type=int, default=64)
    ap.add_argument("--vit-batch", type=int, default=8)
    ap.add_argument("--json", help="write every result (samples included) here")
    args = ap.parse_args()
    import torch

    if not torch.cuda.is_available():
        print("needs a CUDA GPU (torch.cuda.is_available() is False)")
        return 2
    print(machine(torch), flush=True)
    options = {"warmup_ms": 500.0, "iterations": 100, "seconds": args.seconds}
    failures, saved = [], {}
    for build, batch in ((torch_cnn, args.cnn_batch), (vit, args.vit_batch)):
        name, module, example = build(torch, batch)
        start = time.perf_counter()
        model = trtlab.load(module, example_inputs=example, name=name.split()[0])
        result = check(model, ["fp32", "fp16"], timing_options=options)
        print(f"\n{name}: {len(model.proto.graph.node)} ONNX nodes, "
              f"batch {batch}, check took {time.perf_counter() - start:.1f} s", flush=True)
        for v in (result.verdict(p) for p in result.precisions):
            print(f"  verdict {v.text()}")
        for t in result.timing:
            line, failed = row(t)
            print(line)
            failures += [f"{name}: {f}" for f in failed]
        for group in like_with_like(result.timing):
            base = pick_baseline(group)
            others = [t for t in group if t is not base and not t.stand_in]
            if base is not None and others:
                print(f"  speed-up over {base.backend} ({base.precision}), same device and batch: "
                      + ", ".join(f"{t.backend} ({t.precision}) {base.mean_ms / t.mean_ms:.2f}x" for t in others))
        for line in result.not_done:
            if line.startswith("PyTorch"):
                print(f"  not done: {line}")
        sentence = speedup_not_measured(result)
        if sentence:
            print(f"  {sentence}")
        saved[name] = result.to_dict()
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"machine": machine(torch), "results": saved}, f, indent=1)
    print("\nchecks: parts add up to the host's total within 5%; CUDA-graph figures cv < 2.5%: "
          + ("all passed" if not failures else f"{len(failures)} FAILED"))
    for f in failures:
        print(f"  FAILED {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
