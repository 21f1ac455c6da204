"""The installed TensorRT, described in one place: which one, whether its network is weakly typed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from trtlab.errors import TrtlabError
from trtlab.installed_tensorrt import TensorRT, describe, find_tensorrt

ROOT = Path(__file__).resolve().parents[1]


def _described(flags: bool, distribution: str = "tensorrt", version: str = "10.13.0") -> TensorRT:
    # Only the names are read: TensorRT 10 itself cannot be installed here.
    builder_flags = SimpleNamespace(FP16=0) if flags else SimpleNamespace()
    return TensorRT("tensorrt", distribution, version, SimpleNamespace(__name__="tensorrt", BuilderFlag=builder_flags))


def test_weak_typing_follows_the_builder_flags_and_the_distribution_decides_the_rest():
    ten, eleven = _described(True), _described(False, version="11.0.0")
    assert ten.weakly_typed_flags and not eleven.weakly_typed_flags
    assert ten.label == "TensorRT 10.13.0" and ten.timing_cache and not ten.portable
    rtx = TensorRT("tensorrt_rtx", "tensorrt-rtx", "1.7",
                   SimpleNamespace(__name__="tensorrt_rtx", BuilderFlag=SimpleNamespace()))
    assert rtx.portable and not rtx.timing_cache and rtx.label == "TensorRT-RTX 1.7"
    assert rtx.to_dict()["distribution"] == "tensorrt-rtx"


def test_a_bad_choice_of_package_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("TRTLAB_TENSORRT", "tensorflow")
    with pytest.raises(TrtlabError, match="TRTLAB_TENSORRT='tensorflow' is not a TensorRT package"):
        find_tensorrt()


def test_describe_says_what_is_installed():
    found = find_tensorrt()
    text = describe()
    assert (found.label in text) if found is not None else text == "no TensorRT installed"


def _run(code: str, *path: Path) -> str:
    env_path = ":".join([*map(str, path), str(ROOT)])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": env_path, "HOME": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_finding_tensorrt_rtx_does_not_import_it_and_knows_it_is_strongly_typed():
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    out = _run("import sys; from trtlab.installed_tensorrt import find_tensorrt; t = find_tensorrt(); "
               "print(t.label, t.weakly_typed_flags, 'tensorrt_rtx' in sys.modules); "
               "print(hasattr(t.module.BuilderFlag, 'FP16'), t.module.__version__ == t.version, t.weakly_typed_flags)")
    named, imported = out.splitlines()
    assert named.startswith("TensorRT-RTX ") and named.endswith(" False False")  # named, not imported
    assert imported == "False True False"  # what was said without importing it holds once imported


def test_a_package_that_fails_to_import_is_found_and_says_so_where_it_is_used(tmp_path):
    # An installed TensorRT-RTX whose library is missing: its metadata is there, its import fails.
    (tmp_path / "tensorrt_rtx").mkdir()
    (tmp_path / "tensorrt_rtx" / "__init__.py").write_text(
        'raise ImportError("libtensorrt_rtx.so.1: cannot open shared object file")\n')
    (tmp_path / "tensorrt_rtx-1.7.1.dist-info").mkdir()
    (tmp_path / "tensorrt_rtx-1.7.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: tensorrt_rtx\nVersion: 1.7.1\n")
    out = _run("import os; os.environ['TRTLAB_TENSORRT'] = 'tensorrt_rtx'\n"
               "from trtlab.installed_tensorrt import BrokenTensorRT, find_tensorrt\n"
               "t = find_tensorrt(); print(t.label)\n"
               "try:\n    t.module\nexcept BrokenTensorRT as exc:\n    print(exc)\n", tmp_path)
    label, error = out.splitlines()
    assert label == "TensorRT-RTX 1.7.1"
    assert error == ("The installed 'tensorrt_rtx' package fails to import: libtensorrt_rtx.so.1: cannot open "
                     "shared object file. Reinstall it (pip install --force-reinstall tensorrt_rtx).")
