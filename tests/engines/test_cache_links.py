"""The engine cache trusts no link: a subfolder that is a link, someone else's or writable by
others refuses the cache (the path named); an engine left without its sidecar goes at the next
open; an unusable HOME puts the default cache in a private temporary folder, never at `/`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

from trtlab.engines.cache import EngineCache, default_cache_dir

ROOT = Path(__file__).resolve().parents[2]


class _TensorRT:
    distribution, version = "tensorrt-rtx", "1.0"


def _key(cache: EngineCache) -> str:
    return cache.key(b"model", {}, _TensorRT(), target="cpu")


def test_a_linked_engines_folder_is_refused_and_never_written(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "engines").symlink_to(elsewhere)
    cache = EngineCache(tmp_path / "cache")
    with pytest.warns(RuntimeWarning, match=r"Engine cache not used: .*cache/engines is a symbolic link"):
        assert not cache.open()
    key = _key(cache)
    assert "not cached" in cache.put(key, b"engine bytes")
    assert cache.lookup(key) == (None, None) and cache.entries() == []
    assert list(elsewhere.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to give a folder away")
def test_a_folder_of_another_user_is_refused(tmp_path):
    (tmp_path / "engines").mkdir(mode=0o700)
    os.chown(tmp_path / "engines", 12345, 12345)
    with pytest.warns(RuntimeWarning, match="belongs to another user"):
        assert not EngineCache(tmp_path).open()


def test_a_folder_others_can_write_is_refused(tmp_path):
    (tmp_path / "engines").mkdir()
    os.chmod(tmp_path / "engines", 0o777)
    with pytest.warns(RuntimeWarning, match="is writable by other users"):
        assert not EngineCache(tmp_path).open()


def test_an_engine_without_its_sidecar_is_removed_at_the_next_open(tmp_path):
    cache = EngineCache(tmp_path)
    key = _key(cache)
    assert cache.put(key, b"engine bytes") is None
    assert cache.engines_dir.stat().st_mode & 0o777 == 0o700
    (cache.engines_dir / f"{key}.json").unlink()  # the disk filled between the two files
    young = cache.engines_dir / ("0" * 64 + ".engine")  # a concurrent build between its two files
    young.write_bytes(b"x")
    old = time.time() - 3600
    os.utime(cache.engines_dir / f"{key}.engine", (old, old))
    EngineCache(tmp_path).open()
    assert not (cache.engines_dir / f"{key}.engine").exists()
    assert young.exists()


@pytest.mark.parametrize("home", ["", "/", "relative/home", "/nonexistent/home"])
def test_an_unusable_home_falls_back_to_a_private_temporary_cache(monkeypatch, tmp_path, home):
    monkeypatch.delenv("TRTLAB_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", home)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with pytest.warns(RuntimeWarning, match="is not a usable folder: the engine cache is in"):
        folder = default_cache_dir()
    assert folder.parent == tmp_path and folder.name.startswith("trtlab-cache-")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert EngineCache(folder).open()
    assert folder.stat().st_mode & 0o777 == 0o700


def test_a_planted_fallback_folder_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    planted = tmp_path / f"trtlab-cache-{os.getuid()}"
    planted.symlink_to(tmp_path)
    with pytest.warns(RuntimeWarning, match="is a symbolic link"):
        assert not EngineCache(planted).open()


def test_a_check_with_a_linked_engines_folder_builds_without_the_cache(tmp_path):
    pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    from tests.hostile import bad_models

    model = tmp_path / "tiny.onnx"
    model.write_bytes(bad_models.relu().SerializeToString())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "engines").symlink_to(elsewhere)
    out = subprocess.run([sys.executable, "-m", "trtlab", "check", "-q", "--no-timing", "--json", "--cache-dir",
                          str(tmp_path / "cache"), str(model)], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0 and not out.stderr.strip(), out.stderr
    result = json.loads(out.stdout)
    assert result["engines"][0]["built"] and not result["engines"][0]["cache_hit"]
    assert any("is a symbolic link" in w for w in result["warnings"]), result["warnings"]
    assert list(elsewhere.iterdir()) == []
