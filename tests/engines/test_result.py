"""A build's result as data: its status in words, and JSON without the engine bytes or the log."""

from __future__ import annotations

import json

from trtlab.engines.job import BuildJob, Target
from trtlab.engines.result import BuildResult
from trtlab.profiles import Profile, ShapeRange


def test_status_and_repr_say_what_happened():
    built = BuildResult("trt_engine_0", "fp16", True, bytes=2_500_000, build_s=1.234, builder="TensorRT-RTX 1.7.1")
    assert built.status == "built in 1.23 s"
    assert repr(built) == "<BuildResult trt_engine_0 fp16 (TensorRT-RTX 1.7.1), 2.5 MB: built in 1.23 s>"
    hit = BuildResult("trt_engine_0", "fp16", True, cache_hit=True, builder="TensorRT-RTX 1.7.1")
    assert hit.status == "from cache"
    failed = BuildResult("trt_engine_1", "int8", False, error="parser: no importer for Det", failure="parser")
    assert failed.status == "failed: parser: no importer for Det" and "MB" not in repr(failed)


def test_json_leaves_out_the_engine_and_the_log_and_keeps_the_profiles():
    profile = Profile.of({"x": ShapeRange((1, 3), (2, 3), (4, 3))})
    job = BuildJob("e", "fp32", b"m", "d", None, Target("tensorrt_rtx", "tensorrt-rtx", "1.7.1", "portable", False),
                   profiles=(profile,))
    result = BuildResult("e", "fp32", True, bytes=3, engine=b"abc", log=[("INFO", "layer list")], job=job)
    d = json.loads(result.to_json())
    assert "engine" not in d and "log" not in d and "job" not in d
    assert d["profiles"] == [profile.to_dict()] == result.profiles and d["bytes"] == 3
    assert result.engine == b"abc" and result.log == [("INFO", "layer list")] and result.job is job  # kept
    assert BuildResult("e", "fp32", False).to_dict()["profiles"] == []
