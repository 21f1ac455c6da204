"""scikit-learn pipelines as skl2onnx converts them, through `inspect` and `check`: ONNX-ML ops
fall back with their reason, string inputs and sequence-of-map outputs stay out of TensorRT, a
ZipMap's values are compared, and nothing ends in a traceback."""

from __future__ import annotations

import json

import numpy as np
import pytest

from trtlab.check import check
from trtlab.cli import main

skl2onnx = pytest.importorskip("skl2onnx", reason="needs skl2onnx and scikit-learn (pip install 'trtlab[sklearn]')")


def _iris():
    from sklearn.datasets import load_iris

    x, y = load_iris(return_X_y=True)
    return x.astype(np.float32), y


def _pipeline(kind: str):
    """(ONNX model, its input's name) of one fitted pipeline."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from skl2onnx.common.data_types import StringTensorType

    x, y = _iris()
    if kind == "scaler-logreg-zipmap":
        return skl2onnx.to_onnx(make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(x, y), x[:1])
    if kind == "scaler-logreg":
        pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(x, y)
        return skl2onnx.to_onnx(pipe, x[:1], options={id(pipe.steps[-1][1]): {"zipmap": False}})
    if kind == "forest-zipmap":
        return skl2onnx.to_onnx(RandomForestClassifier(n_estimators=4, max_depth=3, random_state=0).fit(x, y), x[:1])
    if kind == "forest-regressor":
        return skl2onnx.to_onnx(RandomForestRegressor(n_estimators=4, max_depth=3, random_state=0).fit(x, x[:, 0]),
                                x[:1])
    colours = np.array(["red", "green", "blue"] * 50).reshape(-1, 1)
    pipe = make_pipeline(ColumnTransformer([("colour", OneHotEncoder(handle_unknown="ignore"), [0])]),
                         LogisticRegression(max_iter=200)).fit(colours, y)
    return skl2onnx.convert_sklearn(pipe, initial_types=[("colour", StringTensorType([None, 1]))])


KINDS = ["scaler-logreg-zipmap", "scaler-logreg", "forest-zipmap", "forest-regressor", "onehot-string"]


@pytest.fixture(params=KINDS)
def converted(request, tmp_path):
    import onnx

    path = tmp_path / f"{request.param}.onnx"
    onnx.save(_pipeline(request.param), path)
    name = onnx.load(path).graph.input[0].name
    return request.param, str(path), f"{name}:1x{1 if request.param == 'onehot-string' else 4}"


def test_inspect_names_why_each_onnx_ml_op_falls_back(converted, capsys):
    kind, path, shape = converted
    assert main(["inspect", path, "--input", shape, "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    fallback = {n["op"]: n["reason"] for n in plan["partition"]["fallback_nodes"]}
    ml = {"LinearClassifier", "Scaler", "Normalizer", "ZipMap", "TreeEnsembleClassifier", "TreeEnsembleRegressor",
          "OneHotEncoder"}
    assert fallback and all("ONNX-ML op" in why for op, why in fallback.items() if op in ml), fallback
    if kind == "onehot-string":  # the string input's reader too: TensorRT has no string type
        assert any("string tensor" in why for why in fallback.values()), fallback


def test_check_compares_what_is_comparable_and_says_what_ran(converted, tmp_path, capsys):
    kind, path, shape = converted
    code = main(["check", path, "--input", shape, "--precision", "fp32", "fp16", "int8", "--json", "--no-timing",
                 "--cache-dir", str(tmp_path / "cache")])
    out = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    statuses = {v["precision"]: v["status"] for v in out["verdicts"]}
    assert list(statuses) == ["fp32", "fp16", "int8"]
    if not out["partition"]["subgraphs"]:  # all of it ONNX-ML: nothing for TensorRT, said so
        assert set(statuses.values()) == {"not measured"}
        assert all("no TensorRT subgraph" in v["reason"] for v in out["verdicts"])
        return
    compared = {(a["precision"], a["output"]) for a in out["accuracy"]}
    if "zipmap" in kind or kind == "onehot-string":  # a sequence of maps: compared by its values
        assert ("fp32", "output_probability") in compared, compared
        rows = [a for a in out["accuracy"] if a["output"] == "output_probability"]
        assert all(a["max_abs"] == 0 for a in rows)  # ONNX Runtime ran every ONNX-ML op, in fp32


def test_a_string_input_gets_random_values_from_the_encoders_categories():
    import onnx

    import trtlab
    from trtlab.feeds import random_feeds

    model = trtlab.load(onnx.ModelProto.FromString(_pipeline("onehot-string").SerializeToString()),
                        inputs={"colour": (3, 1)})
    feeds = random_feeds(model)
    assert feeds["colour"].shape == (3, 1) and set(feeds["colour"].ravel()) <= {"red", "green", "blue"}
    result = check(model, ["fp32"], timing=False, cache_dir=None)
    assert result.verdict("fp32").status in ("pass", "not measured"), result.verdict("fp32")


def test_a_feeds_file_may_hold_text_for_a_string_input(tmp_path, capsys):
    import onnx

    path = tmp_path / "colour.onnx"
    onnx.save(_pipeline("onehot-string"), path)
    np.savez(tmp_path / "feeds.npz", colour=np.array([["green"], ["blue"]]))
    code = main(["check", str(path), "--feeds", str(tmp_path / "feeds.npz"), "--precision", "fp32", "--json",
                 "--no-timing", "--cache-dir", str(tmp_path / "cache")])
    out = json.loads(capsys.readouterr().out)
    assert code in (0, 1) and out["verdicts"][0]["status"] in ("pass", "not measured")
    assert {a["output"] for a in out["accuracy"]} >= {"output_label", "output_probability"}
