"""Models written one weight at a time: the same bytes as protobuf's own serializer, or weights in
a file of their own that ONNX Runtime maps, and the same answers either way."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper

from trtlab.model_files import write_model
from trtlab.weight_store import ALIGN

from .models import tiny_cnn, wide_mlp


def _with_metadata(proto: onnx.ModelProto) -> onnx.ModelProto:
    proto.doc_string = "a model"
    proto.metadata_props.add(key="k", value="v")
    proto.graph.doc_string = "its graph"
    return proto


@pytest.mark.parametrize("make", [wide_mlp, tiny_cnn])
def test_inline_is_byte_for_byte_what_protobuf_writes(tmp_path, make):
    proto = _with_metadata(make())
    path = write_model(proto, tmp_path / "m.onnx")
    assert path.read_bytes() == proto.SerializeToString()


def test_external_weights_are_aligned_and_run_the_same(tmp_path):
    import onnxruntime as ort
    proto = wide_mlp(width=256)
    small = numpy_helper.from_array(np.ones(4, np.float32), "tiny")  # stays inline
    proto.graph.initializer.append(small)
    path = write_model(proto, tmp_path / "m.onnx", external_data="m.weights")
    written = onnx.load(str(path), load_external_data=False)
    by_name = {t.name: t for t in written.graph.initializer}
    assert by_name["w"].data_location == onnx.TensorProto.EXTERNAL
    where = {e.key: e.value for e in by_name["w"].external_data}
    assert where["location"] == "m.weights" and int(where["offset"]) % ALIGN == 0
    assert by_name["tiny"].data_location != onnx.TensorProto.EXTERNAL and by_name["tiny"].raw_data
    x = np.random.default_rng(0).standard_normal((1, 256)).astype(np.float32)
    want = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    got = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    np.testing.assert_array_equal(want[0], got[0])
    # onnx reads it back whole, equal to the model given, which was not changed.
    back = onnx.load(str(path))
    assert numpy_helper.to_array(back.graph.initializer[0]).tobytes() == proto.graph.initializer[0].raw_data
    assert proto.graph.initializer[0].HasField("raw_data")


def test_large_models_reach_onnxruntime_through_mapped_files(monkeypatch):
    from trtlab import ort as trtlab_ort
    from trtlab import weights

    monkeypatch.setattr(weights, "LARGE_MODEL_BYTES", 1024)
    proto = wide_mlp(width=128)
    with trtlab_ort.loadable(proto) as source:
        assert isinstance(source, str)
        head = onnx.load(source, load_external_data=False)
        assert head.graph.initializer[0].data_location == onnx.TensorProto.EXTERNAL
        session = trtlab_ort.make_session(proto, "cpu")
    x = np.ones((1, 128), np.float32)
    w = numpy_helper.to_array(proto.graph.initializer[0])
    np.testing.assert_allclose(session.run(None, {"x": x})[0], np.maximum(x @ w, 0), rtol=1e-5, atol=1e-6)


def test_a_graph_without_weights_and_an_empty_model(tmp_path):
    x = helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1])
    proto = helper.make_model(helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [x],
                                                [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1])]))
    assert write_model(proto, tmp_path / "a.onnx", external_data="a.w").read_bytes() == proto.SerializeToString()
    assert write_model(onnx.ModelProto(), tmp_path / "b.onnx").read_bytes() == onnx.ModelProto().SerializeToString()


def test_strings_that_are_not_utf8_are_written_as_they_were_read(tmp_path):
    # ONNX is proto2: a doc string or name of any bytes loads, and protobuf hands it over as bytes.
    model = tiny_cnn()
    model.graph.MergeFromString(b"\x52\x05\xff\xfe\x80ok")  # doc_string (field 10): 5 bytes, not UTF-8
    model.MergeFromString(b"\x32\x02\xc3\x28")  # the model's doc_string (field 6)
    assert isinstance(onnx.load_from_string(model.SerializeToString()).graph.doc_string, bytes)
    path = write_model(model, tmp_path / "m.onnx")
    assert path.read_bytes() == model.SerializeToString()
