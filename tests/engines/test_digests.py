from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import trtlab
from trtlab.engines import fingerprint
from trtlab.engines.digests import PIECE, calibration_digest, checksum, checksum_read, transform_id

from tests.models import tiny_cnn


def big_model(scale: float = 1.0) -> onnx.ModelProto:
    """A MatMul whose weight spans several hashing pieces, so they are hashed on several threads."""
    rows = 2 * PIECE // (4 * 64) + 7
    w = np.full((rows, 64), scale, np.float32)
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "big",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, rows])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64])],
                              [numpy_helper.from_array(w, "w")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def with_weight(proto: onnx.ModelProto, name: str, array: np.ndarray) -> onnx.ModelProto:
    out = onnx.ModelProto()
    out.CopyFrom(proto)
    for t in out.graph.initializer:
        if t.name == name:
            t.CopyFrom(numpy_helper.from_array(array, name))
    return out


def test_equal_models_have_equal_fingerprints():
    a, b = tiny_cnn(), tiny_cnn()
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a).startswith("onnx-sha256:")
    assert fingerprint(trtlab.load(a, name="cnn")) == fingerprint(trtlab.load(b, name="cnn"))
    assert fingerprint(a.SerializeToString()).startswith("sha256:")


def test_any_change_changes_the_fingerprint():
    base = tiny_cnn()
    seen = {fingerprint(base)}
    w = numpy_helper.to_array(next(t for t in base.graph.initializer if t.name == "conv.w")).copy()
    w.flat[17] += 1e-6
    changed = [with_weight(base, "conv.w", w), tiny_cnn(seed=1)]
    attr = onnx.ModelProto()
    attr.CopyFrom(base)
    attr.graph.node[0].attribute[0].ints[0] = 0  # pads
    renamed = onnx.ModelProto()
    renamed.CopyFrom(base)
    renamed.graph.node[2].name = "relu2"
    shape = onnx.ModelProto()
    shape.CopyFrom(base)
    shape.graph.input[0].type.tensor_type.shape.dim[0].dim_value = 4
    for m in changed + [attr, renamed, shape]:
        seen.add(fingerprint(m))
    assert len(seen) == 6


def test_weights_across_pieces_are_all_covered():
    base = big_model()
    w = numpy_helper.to_array(base.graph.initializer[0]).copy()
    assert w.nbytes > 2 * PIECE
    w.flat[-1] = 2.0  # in the last piece
    assert fingerprint(base) == fingerprint(big_model())
    assert fingerprint(base) != fingerprint(with_weight(base, "w", w))


def test_value_info_order_does_not_matter_but_its_content_does():
    proto = onnx.shape_inference.infer_shapes(tiny_cnn())
    assert len(proto.graph.value_info) > 2
    reordered = onnx.ModelProto()
    reordered.CopyFrom(proto)
    infos = list(reordered.graph.value_info)[::-1]
    del reordered.graph.value_info[:]
    reordered.graph.value_info.extend(infos)
    assert fingerprint(reordered) == fingerprint(proto)
    reordered.graph.value_info[0].name = "other"
    assert fingerprint(reordered) != fingerprint(proto)


def test_fingerprint_is_the_same_in_another_process():
    code = ("from tests.models import tiny_cnn\n"
            "from trtlab.engines import fingerprint\n"
            "print(fingerprint(tiny_cnn()))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2], env=dict(os.environ, PYTHONHASHSEED="123"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == fingerprint(tiny_cnn())


def test_calibration_digest_follows_the_data(tmp_path):
    rng = np.random.default_rng(0)
    samples = [{"x": rng.standard_normal((2, 3)).astype(np.float32)} for _ in range(3)]
    same = [{"x": s["x"].copy()} for s in samples]
    assert calibration_digest(samples) == calibration_digest(same)
    same[2]["x"][1, 1] += 1
    assert calibration_digest(samples) != calibration_digest(same)
    assert calibration_digest(samples[:2]) != calibration_digest(samples)
    assert calibration_digest(None) == "synthetic"
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        for i, s in enumerate(samples):
            np.save(tmp_path / d / f"{i}.npy", s["x"])
    assert calibration_digest(tmp_path / "a") == calibration_digest(str(tmp_path / "b"))
    np.save(tmp_path / "b" / "0.npy", samples[0]["x"] + 1)
    assert calibration_digest(tmp_path / "a") != calibration_digest(tmp_path / "b")


def test_transform_id_names_the_transform_code():
    assert transform_id().startswith("sha256:") and transform_id() == transform_id()


def test_checksum_covers_every_piece():
    data = bytes(range(256)) * (3 * PIECE // 256 + 5)
    assert checksum(data) == checksum(bytearray(data)) and checksum(data).startswith("sha256-pieces:")
    for at in (0, PIECE - 1, PIECE, len(data) - 1):
        flipped = bytearray(data)
        flipped[at] ^= 1
        assert checksum(bytes(flipped)) != checksum(data)
    assert checksum(data[:-1]) != checksum(data)


def test_checksum_read_matches_checksum_kept_or_not():
    import io

    import pytest

    for size in (0, 5, PIECE + 3):
        data = os.urandom(size)
        for keep in (True, False):
            digest, got = checksum_read(io.BytesIO(data + b"more"), size, keep=keep)
            assert digest == checksum(data) and got == (data if keep else None)
        if size:
            with pytest.raises(EOFError):
                checksum_read(io.BytesIO(data[:-1]), size, keep=False)


def test_pieces_are_hashed_here_when_the_thread_pool_takes_no_work():
    """At interpreter exit concurrent.futures refuses new work; a check still running then (a Lab's
    thread being stopped) hashes on its own thread and gets the same digests."""
    import hashlib

    from trtlab.engines.digests import PIECE, _Pieces

    data = np.arange(3 * PIECE // 4, dtype=np.int32).tobytes()  # three pieces, each hashed in parallel
    with _Pieces() as usual:
        usual.add(data)
    refused = _Pieces()
    refused._pool.shutdown()  # as after concurrent.futures' exit hook: submit raises RuntimeError
    with refused:
        refused.add(data)
    expected = [hashlib.sha256(data[i:i + PIECE]).digest() for i in range(0, len(data), PIECE)]
    assert usual.digests == refused.digests == expected and len(expected) == 3
