"""Where a measurement runs, in words: the CPU's model and cores, the visible GPU (found without CUDA)."""

from __future__ import annotations

import stat

from trtlab.timing.device import Gpu, cpu_name, gpu_name, visible_gpu


def test_cpu_name_says_cpu_model_and_usable_cores():
    from trtlab.ort import usable_cores

    name = cpu_name()
    assert name.startswith("CPU: ") and name.endswith(f"({usable_cores()} cores)")
    assert len(name) > len("CPU:  (1 cores)")


def test_gpu_in_words_names_its_compute_capability():
    assert str(Gpu("NVIDIA H100 80GB HBM3", "9.0")) == "NVIDIA H100 80GB HBM3 (sm 9.0)"
    gpu = visible_gpu()
    assert gpu_name() == (f"GPU: {gpu}" if gpu else None)


def _visible_gpu_with(monkeypatch, folder, smi_script: str | None, cuda_visible: str | None = None):
    """visible_gpu() with PATH holding only `folder`, where a stand-in nvidia-smi prints `smi_script`."""
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    if cuda_visible is not None:
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", cuda_visible)
    if smi_script is not None:
        smi = folder / "nvidia-smi"
        smi.write_text("#!/bin/sh\n" + smi_script)
        smi.chmod(smi.stat().st_mode | stat.S_IEXEC)
    visible_gpu.cache_clear()
    try:
        return visible_gpu()
    finally:
        visible_gpu.cache_clear()


def test_visible_gpu_reads_nvidia_smi_and_respects_cuda_visible_devices(monkeypatch, tmp_path):
    # nvidia-smi's output format, printed by a script (there is no GPU here): the parsing is what is tested.
    two = "echo 'NVIDIA H100 80GB HBM3, 9.0'; echo 'NVIDIA A10, 8.6'\n"
    assert _visible_gpu_with(monkeypatch, tmp_path, two) == Gpu("NVIDIA H100 80GB HBM3", "9.0")
    assert _visible_gpu_with(monkeypatch, tmp_path, two, cuda_visible="-1") is None
    assert _visible_gpu_with(monkeypatch, tmp_path, "echo 'No devices were found'; exit 6\n") is None
    (tmp_path / "nvidia-smi").unlink()
    assert _visible_gpu_with(monkeypatch, tmp_path, None) is None
