"""Real models trtlab did not write: ONNX files that ship inside PyPI packages, and Hugging Face
architectures built from their configs with random weights. No download: each comes from a
package installed here (`pip install 'trtlab[corpus]'` or the packages named below).

    from trtlab import corpus
    corpus.names()                      # what is known
    model, feeds = corpus.load("ppocr-det")

They are the floor trtlab's transforms and verdicts are tried on (`bench/real_models.py`).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from .errors import MissingDependency, TrtlabError


@dataclass(frozen=True)
class Entry:
    name: str
    package: str  # the import name of the package that ships or builds it
    pip: str  # what to install
    what: str
    path: str | None = None  # the .onnx file inside the package
    inputs: Mapping[str, tuple] = field(default_factory=dict)
    feeds: Callable[[], dict] | None = None  # real values for inputs random ones would break
    build: Callable[[], tuple] | None = None  # (torch module, example kwargs) for built models
    small: bool = True  # quick enough for the test suite on 2 cores
    profile: Mapping | list | None = None  # the optimisation profile(s) it is checked over ({input: {min, opt, max}})


def _silero_feeds() -> dict:
    rng = np.random.default_rng(0)
    return {"input": (rng.standard_normal((1, 512)) * 0.1).astype(np.float32),
            "state": np.zeros((2, 1, 128), np.float32), "sr": np.array(16000, np.int64)}


def _silero_half_feeds() -> dict:
    feeds = _silero_feeds()
    del feeds["sr"]
    return feeds


def _t5_merged_inputs() -> dict:
    """Optimum's T5 merged decoder one step on: 1 new token after 8, over 16 encoder positions."""
    shapes = {"encoder_attention_mask": (1, 16), "input_ids": (1, 1), "encoder_hidden_states": (1, 16, 32)}
    for layer in (0, 1):
        for part, length in (("decoder", 8), ("encoder", 16)):
            shapes.update({f"past_key_values.{layer}.{part}.{kv}": (1, 2, length, 16) for kv in ("key", "value")})
    return shapes


def _t5_merged_feeds() -> dict:
    """Random values, but the branch is the decoder with past (random would pick one by chance)."""
    rng = np.random.default_rng(0)
    feeds = {k: (rng.standard_normal(s) * 0.5).astype(np.float32) for k, s in _t5_merged_inputs().items()}
    feeds.update(encoder_attention_mask=np.ones((1, 16), np.int64), input_ids=np.array([[7]], np.int64),
                 use_cache_branch=np.array([True]))
    return feeds


def _gpt2_past_inputs() -> dict:
    shapes = {"input_ids": (1, 4), "attention_mask": (1, 12), "position_ids": (1, 4)}
    shapes.update({f"past_key_values.{layer}.{kv}": (1, 2, 8, 16) for layer in (0, 1) for kv in ("key", "value")})
    return shapes


_BERT_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _bert_profile(lo: tuple, opt: tuple, hi: tuple) -> dict:
    """One optimisation profile of (batch, sequence) for each of BERT's three inputs."""
    return {n: {"min": list(lo), "opt": list(opt), "max": list(hi)} for n in _BERT_INPUTS}


def _gpt2_merged_inputs() -> dict:
    """GPT-2 merged as Optimum merges it: its mask is named like the new tokens, but the branch
    with past reads past + new (Optimum's merge keeps the no-past decoder's input names)."""
    shapes = {"input_ids": (1, 1), "attention_mask": (1, 9), "position_ids": (1, 1)}
    shapes.update({f"past_key_values.{layer}.{kv}": (1, 2, 8, 16) for layer in (0, 1) for kv in ("key", "value")})
    return shapes


def _gpt2_merged_feeds() -> dict:
    rng = np.random.default_rng(0)
    feeds = {k: (rng.standard_normal(s) * 0.5).astype(np.float32) for k, s in _gpt2_merged_inputs().items()}
    feeds.update(input_ids=np.array([[7]], np.int64), attention_mask=np.ones((1, 9), np.int64),
                 position_ids=np.array([[8]], np.int64), use_cache_branch=np.array([True]))
    return feeds


def _hf(config_name: str, model_name: str, inputs: Callable[[], dict], **config) -> Callable[[], tuple]:
    def build():
        import torch
        import transformers

        torch.manual_seed(0)
        cfg = getattr(transformers, config_name)(**config)
        module = getattr(transformers, model_name)(cfg).eval()
        return module, inputs()
    return build


def _token_inputs(seq: int = 16) -> dict:
    import torch

    ids = torch.randint(0, 1000, (1, seq), generator=torch.Generator().manual_seed(0))
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}


def _pixels() -> dict:
    import torch

    return {"pixel_values": torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(0))}


ENTRIES = {e.name: e for e in [
    Entry("ppocr-det", "rapidocr_onnxruntime", "rapidocr-onnxruntime", "PP-OCRv4 text detection (opset 12)",
          "models/ch_PP-OCRv4_det_infer.onnx", {"x": (1, 3, 320, 320)}),
    Entry("ppocr-rec", "rapidocr_onnxruntime", "rapidocr-onnxruntime", "PP-OCRv4 text recognition (opset 12)",
          "models/ch_PP-OCRv4_rec_infer.onnx", {"x": (1, 3, 48, 320)}),
    Entry("ppocr-rec-range", "rapidocr_onnxruntime", "rapidocr-onnxruntime",
          "PP-OCRv4 text recognition over a range: batch 1-4, line width 160-640",
          "models/ch_PP-OCRv4_rec_infer.onnx", {"x": (1, 3, 48, 320)},
          profile={"x": {"min": [1, 3, 48, 160], "opt": [1, 3, 48, 320], "max": [4, 3, 48, 640]}}, small=False),
    Entry("ppocr-cls", "rapidocr_onnxruntime", "rapidocr-onnxruntime", "PP-OCR text direction (opset 11)",
          "models/ch_ppocr_mobile_v2.0_cls_infer.onnx", {"x": (1, 3, 48, 192)}),
    Entry("yolov8n", "nudenet", "nudenet", "YOLOv8n detector of NudeNet (opset 17)", "320n.onnx",
          {"images": (1, 3, 320, 320)}),
    Entry("magika", "magika", "magika", "Magika file-type classifier (opset 15, int32 bytes in)",
          "models/standard_v3_3/model.onnx", {"bytes": (1, 2048)}),
    Entry("silero-vad", "silero_vad", "silero-vad", "Silero VAD with If control flow (opset 16)",
          "data/silero_vad.onnx", {"input": (1, 512), "state": (2, 1, 128)}, _silero_feeds),
    Entry("silero-vad-half", "silero_vad", "silero-vad", "Silero VAD, half-precision export (opset 16)",
          "data/silero_vad_half.onnx", {"input": (1, 512), "state": (2, 1, 128)}, _silero_half_feeds),
    # Exported by Optimum's own exporter (scripts/export_optimum_corpus.py), shipped with trtlab.
    Entry("optimum-t5-merged", "trtlab", "trtlab", "T5 decoder_model_merged.onnx of Optimum: both decoders "
          "under an If on use_cache_branch (opset 18)", "corpus_data/optimum/t5_decoder_model_merged.onnx",
          _t5_merged_inputs(), _t5_merged_feeds),
    Entry("optimum-gpt2-merged", "trtlab", "trtlab", "GPT-2 decoder_model_merged.onnx: Optimum's two decoders "
          "merged by its merge_decoders (opset 18)", "corpus_data/optimum/gpt2_decoder_model_merged.onnx",
          _gpt2_merged_inputs(), _gpt2_merged_feeds),
    Entry("optimum-gpt2", "trtlab", "trtlab", "GPT-2 of Optimum, text-generation-with-past (opset 18)",
          "corpus_data/optimum/gpt2_with_past.onnx", _gpt2_past_inputs()),
    Entry("optimum-bert", "trtlab", "trtlab", "BERT of Optimum, feature-extraction (opset 18)",
          "corpus_data/optimum/bert.onnx", {k: (1, 16) for k in ("input_ids", "attention_mask", "token_type_ids")}),
    Entry("optimum-bert-range", "trtlab", "trtlab", "BERT of Optimum over two profiles: batch 1-2 and "
          "sequence 8-32, batch 1-4 and sequence 32-64 (its position table's end)", "corpus_data/optimum/bert.onnx",
          {k: (1, 16) for k in _BERT_INPUTS}, profile=[_bert_profile((1, 8), (1, 16), (2, 32)),
                                                       _bert_profile((1, 32), (4, 48), (4, 64))], small=False),
    Entry("bert", "transformers", "transformers", "BERT from BertConfig, 2 layers, random weights",
          build=_hf("BertConfig", "BertModel", _token_inputs, num_hidden_layers=2, hidden_size=128,
                    num_attention_heads=2, intermediate_size=256, vocab_size=1000), small=False),
    Entry("gpt2", "transformers", "transformers", "GPT-2 from GPT2Config, 2 layers, random weights",
          build=_hf("GPT2Config", "GPT2Model", _token_inputs, n_layer=2, n_embd=128, n_head=2, vocab_size=1000,
                    use_cache=False), small=False),
    Entry("vit", "transformers", "transformers", "ViT from ViTConfig, 2 layers, random weights",
          build=_hf("ViTConfig", "ViTModel", _pixels, num_hidden_layers=2, hidden_size=128,
                    num_attention_heads=2, intermediate_size=256), small=False),
]}


def names(*, available: bool = False) -> list[str]:
    """The corpus's names; with available=True, only those whose package is installed."""
    return [n for n, e in ENTRIES.items() if not available or importlib.util.find_spec(e.package) is not None]


def path(name: str) -> Path:
    """The .onnx file of a packaged model."""
    e = _entry(name)
    if e.path is None:
        raise TrtlabError(f"'{name}' is built from a config, not shipped as a file.")
    root = Path(importlib.util.find_spec(e.package).origin).parent
    return root / e.path


def load(name: str):
    """(Model, feeds or None): the model loaded as `trtlab.load` would, with real values for the
    inputs that random ones would break (None where random inputs are fine)."""
    from .loaders import load as load_model

    e = _entry(name)
    if e.build is not None:
        module, kwargs = e.build()
        return load_model(module, example_kwargs=kwargs, name=name), None
    return load_model(path(name), inputs=dict(e.inputs), name=name), (e.feeds() if e.feeds else None)


def profiles(name: str) -> list:
    """The optimisation profiles `name` is checked over (none for most): `check(..., profiles=)`."""
    e = _entry(name)
    if not e.profile:
        return []
    return [dict(p) for p in e.profile] if isinstance(e.profile, list) else [dict(e.profile)]


def _entry(name: str) -> Entry:
    if name not in ENTRIES:
        raise TrtlabError(f"No corpus model named {name!r}.", hint=f"Choose one of: {', '.join(ENTRIES)}.")
    e = ENTRIES[name]
    if importlib.util.find_spec(e.package) is None:
        raise MissingDependency(e.pip, None, f"The corpus model '{name}'")
    return e
