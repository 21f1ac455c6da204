"""`BuildJob`: one engine build as a frozen object; what the cache keys on, what the worker receives."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from trtlab.engines.job import BuildJob, BuildOutcome, BuildSettings, Target, Transform, failed
from trtlab.precision.policy import PrecisionPolicy
from trtlab.profiles import Profile, ShapeRange

RTX = Target("tensorrt_rtx", "tensorrt-rtx", "1.7.1", "portable", weakly_typed=False)
TRT10 = Target("tensorrt", "tensorrt", "10.9.0", "no-gpu", weakly_typed=True)


def _job(**changes) -> BuildJob:
    return dataclasses.replace(BuildJob("cnn", "fp16", b"onnx bytes", "sha256:model", None, RTX), **changes)


def test_a_prepared_job_keys_on_precision_network_settings_and_profiles():
    job = _job()
    assert job.key_fields() == {"precision": "fp16", "workspace": None, "network": "strongly-typed",
                                "builder_flags": [], "transform": {"prepared": True}, "profiles": []}
    assert _job(target=TRT10, builder_flags=("FP16",)).key_fields()["network"] == "weakly-typed"
    # Only the workspace changes the engine; the time limit and whether bytes come back do not.
    assert _job(settings=BuildSettings(workspace=1 << 26)).key_fields() != job.key_fields()
    assert _job(settings=BuildSettings(timeout_s=5, keep_engine=False)).key_fields() == job.key_fields()
    profile = Profile.of({"x": ShapeRange((1, 3), (2, 3), (4, 3))})
    assert _job(profiles=(profile,)).key_fields()["profiles"] == [profile.to_dict()]
    assert _job(profiles=(profile,)).profiles_dict() == [profile.to_dict()]


def test_the_transform_keys_on_its_code_its_policy_and_its_calibration():
    fp16 = Transform("fp16").key_fields()
    assert fp16["to"] == "fp16" and fp16["code"].startswith("sha256:")
    assert fp16["policy"] == PrecisionPolicy().to_dict()  # no policy given: the default one
    kept = PrecisionPolicy()
    kept.keep_fp32_nodes.add("head")
    assert Transform("fp16", kept).key_fields()["policy"] != fp16["policy"]
    assert "policy" not in Transform("fp32").key_fields() and "calibration" not in Transform("fp32").key_fields()
    int8 = Transform("int8").key_fields()
    assert int8["calibration"] == "synthetic" and "policy" not in int8
    samples = [{"x": np.ones((1, 3), np.float32)}]
    other = [{"x": np.zeros((1, 3), np.float32)}]
    assert Transform("int8", calibration=samples).key_fields()["calibration"] != \
           Transform("int8", calibration=other).key_fields()["calibration"]
    # The calibration samples are not compared: two jobs differing only there are equal objects.
    assert Transform("int8", calibration=samples) == Transform("int8", calibration=other)


def test_the_worker_receives_no_model_and_no_transform():
    job = _job(transform=Transform("fp16"))
    sent = job.for_worker()
    assert sent.model is None and sent.transform is None
    assert (sent.name, sent.precision, sent.digest, sent.target) == (job.name, job.precision, job.digest, job.target)
    assert job.model == b"onnx bytes"  # the job itself is unchanged (and frozen)
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.precision = "fp32"


def test_a_failed_outcome_carries_its_reason():
    out = failed("out of memory", 1.5, "memory")
    assert out == BuildOutcome(built=False, error="out of memory", failure="memory", build_s=1.5)
    assert out.engine is None and out.log == []


def test_the_target_of_the_installed_tensorrt_rtx_is_portable():
    from trtlab.installed_tensorrt import find_tensorrt

    tensorrt = find_tensorrt()
    if tensorrt is None or tensorrt.distribution != "tensorrt-rtx":
        pytest.skip("needs TensorRT-RTX (pip install 'trtlab[rtx]')")
    target = Target.of(tensorrt)
    assert target == Target("tensorrt_rtx", "tensorrt-rtx", tensorrt.version, "portable", False)
    assert target.tensorrt() == tensorrt
