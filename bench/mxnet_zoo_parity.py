"""Every Gluon model zoo architecture that builds offline: trtlab's ONNX conversion run in ONNX
Runtime against MXNet's own forward pass, on seeded random weights and BatchNorm statistics.

    python bench/mxnet_zoo_parity.py            # all architectures, a table on stdout
    python bench/mxnet_zoo_parity.py resnet18_v1 densenet121 --json parity.json

Passes when max|onnx - mxnet| / max|mxnet| <= 1e-4 for every model; exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

TOLERANCE = 1e-4


def architectures(vision) -> list[str]:
    """The names `vision.get_model` accepts (read from its error message, so new releases count)."""
    try:
        vision.get_model("?")
    except ValueError as exc:
        names = [line.strip() for line in str(exc).splitlines()[1:] if line.strip()]
    keep = ("resnet", "mobilenet", "vgg", "alexnet", "densenet", "squeezenet", "inceptionv3")
    return [n for n in names if n.startswith(keep)]


def main(argv: list[str] | None = None) -> int:
    from trtlab._optional import mxnet
    from trtlab.loaders.mxnet.parity import check_block, randomize

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", help="architecture names (default: all)")
    parser.add_argument("--size", type=int, default=224, help="input height and width (inceptionv3 uses 299)")
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)

    mx = mxnet()
    from mxnet.gluon.model_zoo import vision

    names = args.models or architectures(vision)
    rows, failed = [], []
    print(f"{'model':<22} {'input':<14} {'nodes':>5} {'rel. error':>11} {'mxnet s':>8} {'convert s':>9} {'ort s':>7}  result")
    for name in names:
        size = 299 if name.startswith("inception") else args.size
        start = time.perf_counter()
        try:
            net = vision.get_model(name, pretrained=False)
            randomize(net, seed=0)
            r = check_block(net, (1, 3, size, size), name=name)
        except Exception as exc:  # report and go on with the next architecture
            failed.append(name)
            print(f"{name:<22} {'':<14} {'':>5} {'':>11} {'':>8} {'':>9} {'':>7}  ERROR {type(exc).__name__}: {exc}")
            continue
        ok = r.error <= TOLERANCE
        if not ok:
            failed.append(name)
        rows.append({**r.to_dict(), "ok": ok, "total_s": time.perf_counter() - start})
        shape = "x".join(map(str, r.input_shape))
        print(f"{name:<22} {shape:<14} {r.nodes:>5} {r.error:>11.2e} {r.mxnet_s:>8.3f} {r.convert_s:>9.3f} "
              f"{r.onnxruntime_s:>7.3f}  {'ok' if ok else 'FAIL'}", flush=True)
        del net
        mx.nd.waitall()
    print(f"\n{len(rows) - len([r for r in rows if not r['ok']])}/{len(names)} within {TOLERANCE:g}"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    if args.json:
        from trtlab._io import atomic_write_text

        atomic_write_text(args.json, json.dumps({"tolerance": TOLERANCE, "results": rows, "failed": failed}, indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
