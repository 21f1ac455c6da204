"""Precision transforms on the real models that ship inside PyPI packages, one row per model and
precision: did the transform succeed, what validated it, how many nodes stayed fp32, and how far
the converted model's first output is from the fp32 model's, both run in ONNX Runtime on CPU.

    python bench/precision_corpus.py [name ...]

Models: the packaged ONNX files of `trtlab.corpus` (PP-OCR det/rec/cls, YOLOv8n, magika, both
silero-vad models). A missing package is reported and its models skipped.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np

from trtlab import corpus
from trtlab.errors import MissingDependency, TrtlabError, one_line
from trtlab.feeds import random_feeds
from trtlab.ort import run_onnxruntime
from trtlab.precision import convert_precision

PRECISIONS = ("fp16", "bf16", "int8")


def load(name: str):
    """(Model, feeds) of a corpus model (`trtlab.corpus`), or (None, None) without its package."""
    try:
        model, fixed = corpus.load(name)
    except MissingDependency:
        return None, None
    feeds = random_feeds(model)
    feeds.update(fixed or {})
    if name == "magika":  # byte values, 256 = padding
        feeds["bytes"] = np.random.default_rng(0).integers(0, 257, feeds["bytes"].shape).astype(np.int32)
    if name.startswith("ppocr"):  # noise gives near-zero maps; a page with dark strokes gives text
        feeds["x"] = text_page(feeds["x"].shape)
    return model, feeds


def text_page(shape: tuple) -> np.ndarray:
    """A white page with lines of dark glyph-sized marks, normalised as PP-OCR expects."""
    rng = np.random.default_rng(0)
    n, c, h, w = shape
    page = np.ones((h, w), np.float32)
    glyph = max(4, h // 24)
    for top in range(glyph, h - 2 * glyph, 3 * glyph):
        x = int(rng.integers(2, glyph * 2))
        while x < w - 2 * glyph:
            gw = int(rng.integers(glyph // 2, glyph + 1))
            mark = rng.random((glyph * 3 // 2, gw)) < 0.6  # a stroke pattern, not a solid block
            page[top:top + mark.shape[0], x:x + gw][mark] = 0.05
            x += gw + int(rng.integers(1, glyph // 2 + 2)) + (glyph * 2 if rng.random() < 0.15 else 0)
    image = np.broadcast_to(page, (n, c, h, w))
    mean = np.array([0.485, 0.456, 0.406], np.float32).reshape(1, 3, 1, 1)
    std = np.array([0.229, 0.224, 0.225], np.float32).reshape(1, 3, 1, 1)
    return ((image - mean) / std).astype(np.float32)


def row(name: str, model, feeds, reference, precision: str) -> str:
    start = time.perf_counter()
    calibration = [feeds] if precision == "int8" else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = convert_precision(model, precision, feeds=feeds, calibration=calibration)
    except TrtlabError as exc:
        return f"{name:16} {precision:5} {'no':4} {'-':10} {'-':>5} {'-':>10} {'-':>10} {one_line(exc)[:150]}"
    try:
        got = run_onnxruntime(result.model, feeds, "cpu")
        key = next(iter(reference))
        r, g = reference[key].astype(np.float64).ravel(), got[key].astype(np.float64).ravel()
        max_abs = f"{np.abs(r - g).max():.3g}"
        denom = np.linalg.norm(r) * np.linalg.norm(g)
        cosine = f"{float(r @ g / denom):.6f}" if denom else "-"
    except TrtlabError as exc:
        max_abs, cosine = "-", f"does not run: {one_line(exc)[:80]}"
    validated = "ort" if "ONNX Runtime" in result.validated and "either" not in result.validated else "checker"
    notes = "; ".join(n if len(n) <= 90 else n[:87] + "..." for n in result.notes)
    return (f"{name:16} {precision:5} {'yes':4} {validated:10} {len(result.kept_fp32):5} {max_abs:>10} "
            f"{cosine:>10} {time.perf_counter() - start:5.1f}s {notes}")


def main(names: list[str]) -> int:
    print(f"{'model':16} {'prec':5} {'ok':4} {'validated':10} {'fp32':>5} {'max abs':>10} {'cosine':>10}")
    for name in names or [n for n in corpus.names() if corpus.ENTRIES[n].path]:
        model, feeds = load(name)
        if model is None:
            print(f"{name:16} skipped: needs the '{corpus.ENTRIES[name].pip}' package")
            continue
        reference = run_onnxruntime(model, feeds, "cpu")
        for precision in PRECISIONS:
            print(row(name, model, feeds, reference, precision), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
