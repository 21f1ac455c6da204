"""A large model's weights written once to a store that cuts, converted copies, ONNX Runtime and the
TensorRT parser refer to: the same answers as the weights held in the messages, and no copies."""

from __future__ import annotations

import os

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper

import trtlab
from trtlab.cut import cut_subgraph
from trtlab.engines import fingerprint
from trtlab.errors import TrtlabError
from trtlab.model_files import write_model
from trtlab.partition import partition
from trtlab.weight_store import ALIGN, WeightStore, array, has_references, store_of, stores_in

from tests.check.support import needs_trt
from .models import wide_mlp


def wide_net(seed: int = 0) -> onnx.ModelProto:
    """Gemm(256x256) -> BatchNormalization -> Relu -> MatMul by a Transpose of a weight: two
    weights large enough to be stored, one read by BatchNormalization folding and one by
    constant folding."""
    rng = np.random.default_rng(seed)
    f32 = np.float32
    inits = [numpy_helper.from_array((rng.standard_normal((256, 256)) * 0.05).astype(f32), "w1"),
             numpy_helper.from_array((rng.standard_normal(256) * 0.1).astype(f32), "b1"),
             numpy_helper.from_array(rng.uniform(0.5, 1.5, 256).astype(f32), "bn.scale"),
             numpy_helper.from_array((rng.standard_normal(256) * 0.1).astype(f32), "bn.bias"),
             numpy_helper.from_array((rng.standard_normal(256) * 0.1).astype(f32), "bn.mean"),
             numpy_helper.from_array(rng.uniform(0.5, 1.5, 256).astype(f32), "bn.var"),
             numpy_helper.from_array((rng.standard_normal((128, 256)) * 0.05).astype(f32), "w2_t")]
    nodes = [helper.make_node("Gemm", ["x", "w1", "b1"], ["g"], name="fc1"),
             helper.make_node("BatchNormalization", ["g", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["bn"],
                              name="bn"),
             helper.make_node("Relu", ["bn"], ["r"], name="relu"),
             helper.make_node("Transpose", ["w2_t"], ["w2"], perm=[1, 0], name="w2.transpose"),
             helper.make_node("MatMul", ["r", "w2"], ["y"], name="fc2")]
    graph = helper.make_graph(nodes, "wide_net", [helper.make_tensor_value_info("x", 1, [2, 256])],
                              [helper.make_tensor_value_info("y", 1, [2, 128])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def _refs(proto: onnx.ModelProto) -> list[onnx.TensorProto]:
    return [t for t in proto.graph.initializer if store_of(t) is not None]


def test_large_weights_become_references_that_read_back_the_same():
    proto = wide_mlp(width=256)
    proto.graph.initializer.append(numpy_helper.from_array(np.arange(8, dtype=np.float32), "small"))
    with WeightStore(proto) as store:
        ref = store.ref("w")
        assert ref is not None and not ref.HasField("raw_data") and store.ref("small") is None
        where = {e.key: int(e.value) for e in ref.external_data if e.key != "location"}
        assert where["offset"] % ALIGN == 0 and where["length"] == 256 * 256 * 4
        np.testing.assert_array_equal(array(ref), numpy_helper.to_array(proto.graph.initializer[0]))
        light = store.referring(proto)
        assert light.ByteSize() < 2000 and [t.name for t in _refs(light)] == ["w"]
        assert light.graph.initializer[1].raw_data  # the small one stays in the message


def test_a_reference_outside_its_store_says_so():
    proto = wide_mlp(width=256)
    store = WeightStore(proto)
    ref = store.ref("w")
    folder = store.folder
    store.close()
    assert not folder.exists()
    with pytest.raises(TrtlabError, match="temporary file that can no longer be read"):
        array(ref)


def test_written_elsewhere_a_referring_model_carries_its_weights(tmp_path):
    proto = wide_net()
    with WeightStore(proto) as store:
        light = store.referring(proto)
        assert _refs(light)
        inline = write_model(light, tmp_path / "inline.onnx")
        back = onnx.load(str(inline))
        assert not has_references(back)
        assert back.SerializeToString() == proto.SerializeToString()  # same fields, same bytes
        split = write_model(light, tmp_path / "split.onnx", external_data="split.weights")
        again = onnx.load(str(split))  # onnx reads the new weights file next to it
        assert [t.name for t in again.graph.initializer] == [t.name for t in proto.graph.initializer]
        for t, u in zip(again.graph.initializer, proto.graph.initializer):
            np.testing.assert_array_equal(numpy_helper.to_array(t), numpy_helper.to_array(u))


def test_onnxruntime_maps_a_referring_model_and_answers_the_same():
    from trtlab.ort import loadable, make_session

    proto = wide_mlp(width=256)
    x = np.random.default_rng(0).standard_normal((1, 256)).astype(np.float32)
    want = make_session(proto, "cpu").run(None, {"x": x})[0]
    with WeightStore(proto) as store:
        light = store.referring(proto)
        with loadable(light) as source:
            assert isinstance(source, str) and os.path.dirname(source) == str(store.folder)
        # Mapped weights are read in place, not packed: the same sums, rounded in another order.
        np.testing.assert_allclose(make_session(light, "cpu").run(None, {"x": x})[0], want, rtol=0, atol=1e-5)
    assert not list(store.folder.parent.glob(store.folder.name))  # the model files went with it


def test_fingerprints_of_references_follow_the_bytes_not_the_file():
    proto = wide_mlp(width=256)
    with WeightStore(proto) as one, WeightStore(proto) as two:
        assert one.location != two.location
        assert fingerprint(one.referring(proto)) == fingerprint(two.referring(proto))
    changed = wide_mlp(width=256, seed=1)
    with WeightStore(proto) as one, WeightStore(changed) as other:
        assert fingerprint(one.referring(proto)) != fingerprint(other.referring(changed))


def test_cuts_refer_to_the_store_and_are_converted_like_copies():
    from trtlab.precision import convert_precision

    model = trtlab.load(wide_net())
    plan = partition(model)
    copy = cut_subgraph(plan, 0)
    with WeightStore(model.proto) as store:
        cut = cut_subgraph(plan, 0, store=store)
        assert _refs(cut) and cut.ByteSize() < copy.ByteSize() / 4
        for precision in ("fp32", "fp16"):
            want = convert_precision(copy, precision)
            got = convert_precision(cut, precision)
            assert got.validated == want.validated
            # Constant folding read the referred weights (a Transpose of one, BatchNormalization
            # into the Gemm before it): both fold to the same graph and the same weights.
            assert [n.op_type for n in got.model.graph.node] == [n.op_type for n in want.model.graph.node]
            for t in want.model.graph.initializer:
                g = next(u for u in got.model.graph.initializer if u.name == t.name)
                np.testing.assert_array_equal(array(g), numpy_helper.to_array(t))
            if precision == "fp16":  # the converted weights joined the store
                assert _refs(got.model) and got.model.ByteSize() < want.model.ByteSize() / 4


def _as_large(monkeypatch):
    from trtlab import weights

    monkeypatch.setattr(weights, "LARGE_MODEL_BYTES", 0)


def test_a_check_of_a_large_model_gives_the_same_verdicts_and_leaves_no_files(monkeypatch, tmp_path):
    from trtlab import weight_store
    from trtlab.check import check

    made = []
    real = weight_store.WeightStore.__init__

    def tracking(self, proto, **kw):
        real(self, proto, **kw)
        made.append(self.folder)

    model = trtlab.load(wide_net())
    want = check(model, ["fp32", "fp16", "int8"], timing=False, build=False)
    monkeypatch.setattr(weight_store.WeightStore, "__init__", tracking)
    _as_large(monkeypatch)
    got = check(model, ["fp32", "fp16", "int8"], timing=True, build=False)
    assert made and not any(folder.exists() for folder in made)
    for p in ("fp32", "fp16"):  # no engines built: not measured, though the transform alone would pass
        assert got.verdict(p).status == want.verdict(p).status == "not measured"
        assert ": would pass: " in got.verdict(p).reason
    # int8 calibrated through the store's weights: its transform ran, as without the store.
    assert got.verdict("int8").reason.split(": would ")[0] == want.verdict("int8").reason.split(": would ")[0]
    assert "int8" in {r.precision for r in got.accuracy}
    w = {r.precision: r.outputs[0].max_abs for r in want.accuracy}
    g = {r.precision: r.outputs[0].max_abs for r in got.accuracy}
    assert g == pytest.approx(w, abs=1e-6)
    assert any(t.stand_in for t in got.timing)  # the hybrid stand-in was made again and timed


def test_int8_quantizes_a_cut_that_refers_to_the_store():
    from trtlab.precision import convert_precision

    model = trtlab.load(wide_net())
    plan = partition(model)
    with WeightStore(model.proto) as store:
        got = convert_precision(cut_subgraph(plan, 0, store=store), "int8")
    assert any(n.op_type == "QuantizeLinear" for n in got.model.graph.node)


@needs_trt
def test_the_parser_reads_the_stores_file_beside_the_model(monkeypatch, tmp_path):
    from trtlab.check import check

    _as_large(monkeypatch)
    result = check(trtlab.load(wide_net()), ["fp32", "fp16"], timing=False, cache_dir=tmp_path)
    assert [e.built for e in result.engines] == [True] * len(result.engines) and result.engines
    again = check(trtlab.load(wide_net()), ["fp32", "fp16"], timing=False, cache_dir=tmp_path)
    assert all(e.cache_hit for e in again.engines)  # keyed on the bytes, not the temporary file


def test_a_large_bias_in_a_cut_of_a_small_model_is_not_stored():
    # Weights of at most 16384 elements stay in the messages: shape arithmetic reads them.
    x = helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 16384])
    b = numpy_helper.from_array(np.ones(16384, np.float32), "b")
    proto = helper.make_model(helper.make_graph([helper.make_node("Add", ["x", "b"], ["y"])], "g", [x],
                                                [helper.make_tensor_value_info("y", 1, [1, 16384])], [b]))
    with WeightStore(proto) as store:
        assert store.names == [] and not has_references(store.referring(proto))


def test_sessions_of_mapped_weights_hold_no_copies_unless_timed():
    from trtlab.ort import session_options

    import onnxruntime as ort
    checking = session_options(mapped=True)
    assert checking.get_session_config_entry("session.disable_prepacking") == "1"
    assert checking.execution_order == ort.ExecutionOrder.PRIORITY_BASED
    assert checking.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    for default in (session_options(mapped=True, timed=True), session_options()):
        # A timed session (and any session of a small model) is ONNX Runtime's default.
        assert default.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        assert default.execution_order == ort.ExecutionOrder.DEFAULT
        with pytest.raises(Exception):  # no such entry: prepacking on
            default.get_session_config_entry("session.disable_prepacking")


def _lendable() -> trtlab.Model:
    """A Model with two stored weights, one of them marked as onnx's loader leaves a weight it
    read from an external data file (data_location set, to DEFAULT), and a small one kept."""
    proto = wide_net()
    next(t for t in proto.graph.initializer if t.name == "w1").data_location = onnx.TensorProto.DEFAULT
    return trtlab.load(proto)


def test_a_lent_model_refers_to_the_store_and_gets_its_very_bytes_back_however_the_with_ends():
    model = _lendable()
    before, w1 = model.proto.SerializeToString(), numpy_helper.to_array(model.initializers["w1"])
    with WeightStore(model.proto) as store:
        with store.lend(model):
            assert {t.name for t in _refs(model.proto)} == {"w1", "w2_t"}
            assert store_of(model.initializers["b1"]) is None and model.initializers["b1"].raw_data  # small: kept
            np.testing.assert_array_equal(array(model.initializers["w1"]), w1)
            assert model.to_bytes() == before  # a lent model serialises with its weights
        assert model.proto.SerializeToString() == before and not has_references(model.proto)
        with pytest.raises(KeyError):
            with store.lend(model):
                raise KeyError("a step of the check failed")
        assert model.proto.SerializeToString() == before
    assert model.proto.SerializeToString() == before  # nothing of it refers to the closed store


def test_a_model_whose_weights_could_not_be_put_back_keeps_its_store_and_works(monkeypatch):
    # Ctrl-C a second time while the check reads the weights back: the model still refers to the
    # store, so the store's file stays (closing it would leave the user's Model unreadable).
    from trtlab import weight_store

    model = _lendable()
    before = model.proto.SerializeToString()
    store = WeightStore(model.proto)
    real = weight_store.with_bytes

    def interrupted(proto):
        raise KeyboardInterrupt

    monkeypatch.setattr(weight_store, "with_bytes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        with store.lend(model):
            pass
    monkeypatch.setattr(weight_store, "with_bytes", real)
    store.close()  # what the check does next: refused, the model needs the file
    assert stores_in(model.proto) == {store} and store.path.exists()
    assert model.to_bytes() == before  # its weights read from the store that stayed
    with WeightStore(model.proto) as again, again.lend(model):  # a later check of it
        pass
    assert model.proto.SerializeToString() == before and not has_references(model.proto)


def test_a_store_made_of_a_lent_model_copies_the_weights_so_either_may_end_first():
    model = _lendable()
    before = model.proto.SerializeToString()
    for first_ends in ("outer", "inner"):
        outer = WeightStore(model.proto)
        lent = outer.lend(model)
        lent.__enter__()
        inner = WeightStore(model.proto)  # a second check of the same model, on another thread
        assert inner.names == outer.names and not inner.reachable_from(outer.folder)
        with inner.lend(model):
            assert stores_in(model.proto) == {inner}
            if first_ends == "outer":
                lent.__exit__(None, None, None)
                outer.close()
            w1 = array(inner.ref("w1"))  # the inner check's references outlive the outer store
        if first_ends == "inner":
            lent.__exit__(None, None, None)
            outer.close()
        inner.close()
        assert model.proto.SerializeToString() == before and w1.shape == (256, 256)
