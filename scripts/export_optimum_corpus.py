"""Write the Optimum exports of the corpus (`trtlab/corpus_data/optimum/`): tiny T5, GPT-2 and BERT
built from configs with seeded random weights, exported by Optimum's own exporter as a Hugging
Face user gets them (`optimum-cli export onnx --model DIR --task TASK OUT`), and GPT-2's two
decoders merged by Optimum's `merge_decoders`.

Optimum's exporter needs transformers < 4.58, so it runs in its own environment:

    python3 -m venv /tmp/optimum-venv
    /tmp/optimum-venv/bin/pip install torch==2.13.0 transformers==4.57.6 optimum==2.1.0 \
        optimum-onnx==0.1.0 onnxruntime==1.32.0 "numpy<2"
    /tmp/optimum-venv/bin/python scripts/export_optimum_corpus.py trtlab/corpus_data/optimum

Nothing is downloaded: each model is saved with `save_pretrained` from its config, then exported
from that folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# (file written, architecture, task, file Optimum writes for it, config)
EXPORTS = [
    ("t5_decoder_model_merged.onnx", "T5ForConditionalGeneration", "text2text-generation-with-past",
     "decoder_model_merged.onnx", ("T5Config", dict(num_layers=2, num_decoder_layers=2, d_model=32, d_kv=16,
                                                    d_ff=64, num_heads=2, vocab_size=100, decoder_start_token_id=0))),
    ("gpt2_with_past.onnx", "GPT2LMHeadModel", "text-generation-with-past", "model.onnx",
     ("GPT2Config", dict(n_layer=2, n_embd=32, n_head=2, vocab_size=100, n_positions=64))),
    ("bert.onnx", "BertModel", "feature-extraction", "model.onnx",
     ("BertConfig", dict(num_hidden_layers=2, hidden_size=32, num_attention_heads=2, intermediate_size=64,
                         vocab_size=100, max_position_embeddings=64))),
]


def gpt2_merged(target: Path) -> None:
    """GPT-2's decoder_model_merged.onnx: this Optimum exports GPT-2 with past as one model, so
    the two decoders are exported by its exporter with its own GPT-2 configs (past in the inputs
    or not) and merged by its `merge_decoders`, as older releases did by default."""
    import torch
    import transformers
    from optimum.exporters.onnx import export_models
    from optimum.exporters.tasks import TasksManager
    from optimum.onnx import merge_decoders

    torch.manual_seed(0)
    config = transformers.GPT2Config(n_layer=2, n_embd=32, n_head=2, vocab_size=100, n_positions=64)
    model = transformers.GPT2LMHeadModel(config).eval()
    make = TasksManager.get_exporter_config_constructor("onnx", model, task="text-generation-with-past",
                                                         library_name="transformers")
    with tempfile.TemporaryDirectory() as tmp:
        export_models(models_and_onnx_configs={
            "decoder_model": (model, make(config, task="text-generation", use_past=True, use_past_in_inputs=False)),
            "decoder_with_past_model": (model, make(config, task="text-generation", use_past=True,
                                                    use_past_in_inputs=True))}, output_dir=Path(tmp))
        merge_decoders(f"{tmp}/decoder_model.onnx", f"{tmp}/decoder_with_past_model.onnx",
                       save_path=str(target / "gpt2_decoder_model_merged.onnx"))
    print(f"gpt2_decoder_model_merged.onnx: {(target / 'gpt2_decoder_model_merged.onnx').stat().st_size / 1024:.0f} KB")


def main(out: str) -> int:
    import torch
    import transformers

    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cli = Path(sys.executable).with_name("optimum-cli")
    for name, architecture, task, written, (config_name, config) in EXPORTS:
        with tempfile.TemporaryDirectory() as tmp:
            torch.manual_seed(0)
            model = getattr(transformers, architecture)(getattr(transformers, config_name)(**config))
            model.save_pretrained(f"{tmp}/src")
            subprocess.run([str(cli), "export", "onnx", "--model", f"{tmp}/src", "--task", task, f"{tmp}/out"],
                           check=True, env=env, capture_output=True)
            shutil.copyfile(f"{tmp}/out/{written}", target / name)
        print(f"{name}: {(target / name).stat().st_size / 1024:.0f} KB ({architecture}, {task})")
    gpt2_merged(target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "trtlab/corpus_data/optimum"))
