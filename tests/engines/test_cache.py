from __future__ import annotations

import os
import stat

import pytest

pytest.importorskip("tensorrt_rtx", reason="needs TensorRT-RTX (pip install 'trtlab[rtx]')")

from trtlab.engines import BuildOptions, EngineCache, build_engine, default_cache_dir  # noqa: E402
from trtlab.installed_tensorrt import require_tensorrt

from tests.models import tiny_cnn  # noqa: E402


@pytest.fixture(scope="module")
def onnx_bytes():
    return tiny_cnn(folded_weight=False).SerializeToString()


def build(onnx_bytes, cache, **kw):
    events = []
    result = build_engine(onnx_bytes, name="cnn", cache=cache, progress=events.append, options=BuildOptions(**kw))
    return result, events


def test_second_build_is_a_cache_hit(tmp_path, onnx_bytes):
    cache = EngineCache(tmp_path)
    first, events1 = build(onnx_bytes, cache)
    second, events2 = build(onnx_bytes, cache)
    assert first.built and not first.cache_hit and events1
    assert second.built and second.cache_hit and not events2  # nothing was built
    assert second.engine == first.engine and second.key == first.key
    (entry,) = cache.entries()
    assert entry.key == first.key and entry.bytes == first.bytes and entry.name == "cnn"
    # Different settings are a different entry.
    other, _ = build(onnx_bytes, cache, workspace=1 << 26)
    assert not other.cache_hit and other.key != first.key
    assert len(cache.entries()) == 2


def test_key_covers_model_settings_tensorrt_and_target(tmp_path, onnx_bytes):
    from trtlab.engines import new_job

    cache, f = EngineCache(tmp_path), require_tensorrt()

    def settings(precision="fp32", **options):
        return new_job("cnn", onnx_bytes, precision, f, BuildOptions(**options), prepared=True).key_fields()

    s = settings()
    base = cache.key(onnx_bytes, s, f, target="portable")
    assert base == cache.key(onnx_bytes, dict(s), f, target="portable")
    assert base != cache.key(onnx_bytes + b" ", s, f, target="portable")
    assert base != cache.key(onnx_bytes, settings("fp16"), f, target="portable")
    assert base != cache.key(onnx_bytes, settings(workspace=1 << 26), f, target="portable")
    profile = {"x": {"min": [1, 3, 8, 8], "opt": [2, 3, 8, 8], "max": [4, 3, 8, 8]}}
    wider = {"x": {"min": [1, 3, 8, 8], "opt": [2, 3, 8, 8], "max": [8, 3, 8, 8]}}
    assert base != cache.key(onnx_bytes, settings(profiles=profile), f, target="portable")
    assert (cache.key(onnx_bytes, settings(profiles=profile), f, target="portable")
            != cache.key(onnx_bytes, settings(profiles=wider), f, target="portable"))
    assert base != cache.key(onnx_bytes, s, f, target="NVIDIA RTX 4090 sm8.9")
    newer = type(f)(f.module, f.distribution, "99.0.0")
    assert base != cache.key(onnx_bytes, s, newer, target="portable")


@pytest.mark.parametrize("damage", ["flip", "truncate", "sidecar", "engine-missing"])
def test_damaged_entry_is_rebuilt_never_loaded(tmp_path, onnx_bytes, damage):
    cache = EngineCache(tmp_path)
    first, _ = build(onnx_bytes, cache)
    engine_path = tmp_path / "engines" / f"{first.key}.engine"
    meta_path = engine_path.with_suffix(".json")
    data = engine_path.read_bytes()
    if damage == "flip":
        engine_path.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    elif damage == "truncate":
        engine_path.write_bytes(data[: len(data) // 2])
    elif damage == "sidecar":
        meta_path.write_text("{not json")
    else:
        engine_path.unlink()
    again, events = build(onnx_bytes, cache)
    assert again.built and not again.cache_hit and events  # really rebuilt
    assert any("discarded" in m and "rebuilding" in m for m in again.messages)
    assert engine_path.read_bytes() == again.engine  # and stored again, intact
    assert build(onnx_bytes, cache)[0].cache_hit


def test_least_recently_used_entries_are_evicted_under_the_cap(tmp_path):
    cache = EngineCache(tmp_path, max_bytes=2500)
    for key in "abc":
        assert cache.put(key * 64, bytes([ord(key)]) * 1000) is None
    # c pushed out a, the oldest.
    assert [e.key[0] for e in cache.entries()] == ["b", "c"]
    assert cache.get("b" * 64)[0] == b"b" * 1000  # touch b: c is now the oldest
    cache.put("d" * 64, b"d" * 1000)
    assert sorted(e.key[0] for e in cache.entries()) == ["b", "d"]
    assert cache.total_bytes() == 2000
    assert cache.get("a" * 64) == (None, None)
    note = cache.put("e" * 64, b"e" * 5000)
    assert "larger than the cache cap" in note and cache.get("e" * 64)[0] is None


def test_writes_are_atomic(tmp_path, monkeypatch):
    cache = EngineCache(tmp_path)
    key = "k" * 64
    cache.put(key, b"old engine")

    def crash(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.warns(RuntimeWarning, match="not writable"):
        cache.put(key, b"new engine, half written")
    monkeypatch.undo()
    assert cache.get(key) == (b"old engine", None)
    leftovers = [p.name for p in (tmp_path / "engines").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_unwritable_cache_warns_and_builds_anyway(tmp_path, onnx_bytes):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = EngineCache(blocker / "cache")
    with pytest.warns(RuntimeWarning, match="not writable.*building without caching"):
        result, _ = build(onnx_bytes, cache)
    assert result.built and not result.cache_hit
    assert not cache.writable
    again, _ = build(onnx_bytes, cache)  # no second warning, still builds
    assert again.built and not again.cache_hit


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root ignores directory permissions, so a read-only directory can't be made")
def test_read_only_cache_directory_warns(tmp_path, onnx_bytes):
    (tmp_path / "engines").mkdir()
    for d in (tmp_path / "engines", tmp_path):
        d.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        with pytest.warns(RuntimeWarning, match="not writable"):
            result, _ = build(onnx_bytes, EngineCache(tmp_path))
        assert result.built
    finally:
        for d in (tmp_path, tmp_path / "engines"):
            d.chmod(stat.S_IRWXU)


def test_default_directory_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRTLAB_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c" and EngineCache().dir == tmp_path / "c"
    monkeypatch.delenv("TRTLAB_CACHE_DIR")
    assert default_cache_dir().parts[-2:] == (".cache", "trtlab")


def test_timing_cache_is_per_builder_and_target(tmp_path, onnx_bytes):
    cache, f = EngineCache(tmp_path), require_tensorrt()
    path = cache.timing_cache_path(f, target="NVIDIA RTX 4090 sm8.9")
    assert path.parent == tmp_path / "timing" and f.version in path.name and " " not in path.name
    build(onnx_bytes, cache)
    if not f.timing_cache:  # TensorRT-RTX has no timing cache: nothing is written for it
        assert not (tmp_path / "timing").exists()
    else:
        assert cache.timing_cache_path(f).stat().st_size > 0


# ---------------------------------------------------------------- build_engines: keyed on the fp32 model
def test_a_hit_skips_the_precision_transform(tmp_path, monkeypatch):
    from trtlab.engines import build, build_engines

    cnn = tiny_cnn(folded_weight=False)
    (first,) = build_engines([("cnn", cnn)], "fp16", cache=tmp_path)
    assert first.built and not first.cache_hit

    def no_transform(*args, **kwargs):
        raise AssertionError("the precision transform ran on a cache hit")

    monkeypatch.setattr(build, "_transformed", no_transform)
    (second,) = build_engines([("cnn", cnn)], "fp16", cache=tmp_path)
    assert second.cache_hit and second.engine == first.engine and second.key == first.key
    # One entry per engine, nothing beside it.
    assert [e.key for e in EngineCache(tmp_path).entries()] == [first.key]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "timing") == ["engines"]


def test_the_key_covers_the_weights_and_the_transform(tmp_path):
    from trtlab.engines import build_engines
    from trtlab.precision import PrecisionPolicy

    cache = EngineCache(tmp_path)
    cnn = tiny_cnn(folded_weight=False)
    fp16 = build_engines([("cnn", cnn)], "fp16", cache=cache)[0]
    other_weights = build_engines([("cnn", tiny_cnn(seed=1, folded_weight=False))], "fp16", cache=cache)[0]
    policy = PrecisionPolicy()
    policy.keep_fp32_nodes.add("conv")
    other_policy = build_engines([("cnn", cnn)], "fp16", cache=cache, options=BuildOptions(policy=policy))[0]
    fp32 = build_engines([("cnn", cnn)], "fp32", cache=cache)[0]
    fp32_policy = build_engines([("cnn", cnn)], "fp32", cache=cache, options=BuildOptions(policy=policy))[0]
    assert not other_weights.cache_hit and not other_policy.cache_hit
    assert len({fp16.key, other_weights.key, other_policy.key, fp32.key}) == 4
    assert fp32_policy.cache_hit and fp32_policy.key == fp32.key  # a policy means nothing in fp32


def test_int8_key_covers_the_calibration_and_one_iterator_serves_every_model(tmp_path):
    from trtlab.engines import build_engines

    from tests.precision.support import inputs

    cache = EngineCache(tmp_path)
    models = [("a", tiny_cnn(folded_weight=False)), ("b", tiny_cnn(seed=2, folded_weight=False))]
    first = build_engines(models, "int8", cache=cache, options=BuildOptions(calibration=iter(inputs(count=3))))
    assert all(r.built for r in first), [r.error for r in first]
    again = build_engines(models, "int8", cache=cache, options=BuildOptions(calibration=(s for s in inputs(count=3))))
    assert all(r.cache_hit for r in again)
    other = build_engines(models[:1], "int8", cache=cache, options=BuildOptions(calibration=inputs(seed=5, count=3)))
    assert not other[0].cache_hit and other[0].key != first[0].key


def test_a_hit_left_on_disk_is_checked_all_the_same(tmp_path):
    from trtlab.engines import build_engines

    cnn = [("cnn", tiny_cnn(folded_weight=False))]
    (first,) = build_engines(cnn, "fp32", cache=tmp_path)
    (lazy,) = build_engines(cnn, "fp32", cache=tmp_path, options=BuildOptions(read_engines=False))
    assert lazy.built and lazy.cache_hit and lazy.engine is None and lazy.bytes == first.bytes
    engine_path = tmp_path / "engines" / f"{first.key}.engine"
    data = engine_path.read_bytes()
    # A flipped byte keeps the size: only the checksum sees it, and it is checked without read_engines too.
    engine_path.write_bytes(data[:100] + bytes([data[100] ^ 0xFF]) + data[101:])
    (again,) = build_engines(cnn, "fp32", cache=tmp_path, options=BuildOptions(read_engines=False))
    assert again.built and not again.cache_hit and any("checksum" in m for m in again.messages)
    stored, _ = EngineCache(tmp_path).get(first.key)  # rebuilt and stored intact (its checksum holds)
    assert stored is not None and len(stored) == again.bytes
    assert again.engine is None  # read_engines=False: a fresh build is not kept in memory either
