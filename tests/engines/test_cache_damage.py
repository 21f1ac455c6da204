"""Every way a cache entry can be damaged or swapped is caught: the entry is rebuilt, never
served, and a FIFO, a device or a symlink in the cache is never opened."""

from __future__ import annotations

import os
import shutil
import stat
import threading

import pytest

pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")

from trtlab.engines import BuildOptions, EngineCache, build_engines  # noqa: E402

from tests.models import tiny_cnn  # noqa: E402

CNN = [("cnn", tiny_cnn(folded_weight=False))]


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A cache holding one good entry, built once; each test damages a copy."""
    root = tmp_path_factory.mktemp("filled")
    (first,) = build_engines(CNN, "fp32", cache=root)
    assert first.built and not first.cache_hit
    return root, first


@pytest.fixture
def cache_copy(filled, tmp_path):
    root, first = filled
    shutil.copytree(root, tmp_path / "cache")
    engine_path = tmp_path / "cache" / "engines" / f"{first.key}.engine"
    return tmp_path / "cache", engine_path, first


def bounded(fn, seconds=120):
    """fn() on a thread: a look-up that blocks (on a FIFO, say) fails the test instead of hanging it."""
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("value", fn()), daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"still blocked after {seconds} s")
    return out["value"]


def rebuilt(cache_dir, first, read_engines):
    (again,) = bounded(lambda: build_engines(CNN, "fp32", cache=cache_dir, options=BuildOptions(read_engines=read_engines)))
    assert again.built and not again.cache_hit, "a damaged entry was served"
    assert any("discarded" in m and "rebuilding" in m for m in again.messages), again.messages
    stored, _ = EngineCache(cache_dir).get(first.key)  # stored again, intact (its checksum holds)
    assert stored is not None and len(stored) == again.bytes
    assert (again.engine == stored) if read_engines else again.engine is None
    (hit,) = build_engines(CNN, "fp32", cache=cache_dir, options=BuildOptions(read_engines=read_engines))
    assert hit.cache_hit
    return again


def same_size(data: bytes, how: str) -> bytes:
    if how == "flipped":
        return data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
    if how == "last byte":
        return data[:-1] + bytes([data[-1] ^ 0x01])
    return bytes(len(data))  # zeros


@pytest.mark.parametrize("read_engines", [True, False], ids=["read", "not-read"])
@pytest.mark.parametrize("how", ["flipped", "last byte", "zeros"])
def test_same_size_overwrite_is_caught_by_the_checksum(cache_copy, how, read_engines):
    cache_dir, engine_path, first = cache_copy
    engine_path.write_bytes(same_size(engine_path.read_bytes(), how))
    again = rebuilt(cache_dir, first, read_engines)
    assert any("checksum" in m for m in again.messages)


@pytest.mark.parametrize("read_engines", [True, False], ids=["read", "not-read"])
@pytest.mark.parametrize("which", ["engine", "sidecar"])
def test_a_symlink_is_discarded_even_to_the_right_bytes(cache_copy, tmp_path, which, read_engines):
    cache_dir, engine_path, first = cache_copy
    path = engine_path if which == "engine" else engine_path.with_suffix(".json")
    outside = tmp_path / f"outside-{path.name}"
    shutil.copyfile(path, outside)  # the very bytes the entry should hold
    path.unlink()
    path.symlink_to(outside)
    again = rebuilt(cache_dir, first, read_engines)
    assert any("symlink" in m for m in again.messages)
    assert outside.read_bytes() and not outside.is_symlink()  # what the link pointed to is left alone
    assert not path.is_symlink()


@pytest.mark.parametrize("read_engines", [True, False], ids=["read", "not-read"])
@pytest.mark.parametrize("which", ["engine", "sidecar"])
def test_a_fifo_does_not_block(cache_copy, which, read_engines):
    cache_dir, engine_path, first = cache_copy
    path = engine_path if which == "engine" else engine_path.with_suffix(".json")
    path.unlink()
    os.mkfifo(path)
    again = rebuilt(cache_dir, first, read_engines)
    assert any("FIFO" in m for m in again.messages)
    assert stat.S_ISREG(os.lstat(path).st_mode)


def test_a_device_or_directory_in_place_of_the_engine(cache_copy):
    cache_dir, engine_path, first = cache_copy
    engine_path.unlink()
    try:
        os.mknod(engine_path, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # what /dev/zero is
    except (PermissionError, AttributeError):
        pytest.skip("making a device node needs root on Linux")
    again = rebuilt(cache_dir, first, False)
    assert any("device" in m for m in again.messages)
    engine_path.unlink()
    engine_path.mkdir()
    again = rebuilt(cache_dir, first, True)
    assert any("directory" in m for m in again.messages)


def test_entries_skip_special_files(cache_copy):
    cache_dir, engine_path, first = cache_copy
    os.mkfifo(engine_path.with_name("f" * 64 + ".json"))
    (engine_path.with_name("e" * 64 + ".json")).symlink_to(engine_path.with_suffix(".json"))
    entries = bounded(lambda: EngineCache(cache_dir).entries())
    assert [e.key for e in entries] == [first.key]
