"""The precision registry: one object per precision, read by every part that offers or builds one,
and an unknown precision is one clear error wherever it is given."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

from trtlab import precision_registry as registry
from trtlab.errors import TrtlabError
from trtlab.installed_tensorrt import TensorRT

from tests.models import INPUT_SHAPE, conv_model, tiny_cnn


def test_each_precision_is_one_whole_object():
    assert registry.NAMES == tuple(p.name for p in registry.PRECISIONS)
    assert len(set(registry.NAMES)) == len(registry.NAMES)
    assert len({p.colour for p in registry.PRECISIONS}) == len(registry.PRECISIONS)
    assert registry.REFERENCE.name == "fp32" and not registry.REFERENCE.reduced
    for p in registry.PRECISIONS:
        assert registry.get(p.name) is p and registry.get(p) is p and registry.check_precision(p) == p.name
        assert p.transform in (registry.AS_IS, registry.FP16_CAST, registry.BF16_CAST, registry.QDQ)
        assert p.calibrated == (p.quant_type is not None)
        assert not p.max_scaled or p.calibrated  # amax scales are Q/DQ scales
        assert p.kernel_types and all(registry.by_kernel_type(k) is p for k in p.kernel_types)
        assert registry.by_onnx_type(p.onnx_type) is p
        # A narrower type gets a looser bar, never a tighter one.
        assert p.atol >= registry.REFERENCE.atol and p.min_cosine <= registry.REFERENCE.min_cosine


@pytest.mark.parametrize("bad", ["fp9", "FP16", "", None, 16])
def test_an_unknown_precision_names_the_ones_there_are(bad):
    with pytest.raises(TrtlabError) as info:
        registry.get(bad)
    assert "Unknown precision" in str(info.value)
    assert all(name in info.value.hint for name in registry.NAMES)


def test_an_unknown_precision_is_refused_everywhere(tmp_path, capsys):
    from trtlab.check import CheckSettings, check
    from trtlab.coverage import coverage
    from trtlab.cli import main
    from trtlab.fusion import engine_precision
    from trtlab.precision import convert_precision

    model = conv_model()
    for call in (lambda: convert_precision(model, "fp9"), lambda: check(model, ["fp32", "fp9"]),
                 lambda: CheckSettings(precisions=("fp9",)), lambda: coverage(model, precision="fp9"),
                 lambda: engine_precision([], model, "fp9")):
        with pytest.raises(TrtlabError, match="Unknown precision 'fp9'"):
            call()
    path = tmp_path / "cnn.onnx"
    model.save(path)
    assert main(["check", str(path), "--precision", "fp9", "--no-timing", "-q"]) == 2
    assert "Unknown precision 'fp9'" in capsys.readouterr().err


def test_the_lab_offers_exactly_the_registry_and_refuses_others():
    pytest.importorskip("ipywidgets", reason="needs ipywidgets (pip install 'trtlab[lab]')")
    from trtlab.lab import Lab

    lab = Lab(conv_model())
    assert list(lab.precision.options) == list(registry.NAMES)
    with pytest.raises(TrtlabError, match="Unknown precision 'fp9'"):
        Lab(conv_model(), precision="fp9")


def test_the_tables_elsewhere_come_from_the_registry():
    from trtlab.accuracy import DEFAULT_TOLERANCES
    from trtlab.fusion.engine_layers import DATATYPES
    from trtlab.timing import TORCH_PRECISIONS
    from trtlab.views.overlays.precision import PRECISION_FILL

    assert set(DEFAULT_TOLERANCES) == set(registry.NAMES)
    for p in registry.PRECISIONS:
        assert (DEFAULT_TOLERANCES[p.name].atol, DEFAULT_TOLERANCES[p.name].min_cosine) == (p.atol, p.min_cosine)
        assert PRECISION_FILL[p.name] == p.colour
        assert all(DATATYPES[k] == (p.name, p.bits) for k in p.kernel_types)
        assert (p.name in TORCH_PRECISIONS) == (p.torch_type is not None)


def _tensorrt_10():
    """TensorRT 10's description (weakly typed: it has BuilderFlag.FP16). TensorRT 10 cannot be
    installed here, and only its flag names are read."""
    module = SimpleNamespace(__name__="tensorrt", BuilderFlag=SimpleNamespace(FP16=0, BF16=1, INT8=2))
    return TensorRT("tensorrt", "tensorrt", "10.13.0", module)


def test_builder_flags_and_what_is_built_follow_the_registry():
    from trtlab.engines.build import BuildOptions, new_job, transformed_precision

    weak = _tensorrt_10()
    strong = TensorRT("tensorrt", "tensorrt", "11.0.0",
                      SimpleNamespace(__name__="tensorrt", BuilderFlag=SimpleNamespace()))

    def key_fields(trt, precision):
        return new_job("m", b"onnx", precision, trt, BuildOptions(), prepared=True).key_fields()

    for p in registry.PRECISIONS:
        settings = key_fields(weak, p.name)
        assert settings["network"] == "weakly-typed" and settings["builder_flags"] == list(p.weak_flags)
        assert transformed_precision(weak, p.name) == ("fp32" if p.flags_on_fp32 else p.name)
        assert key_fields(strong, p.name)["builder_flags"] == []
        assert transformed_precision(strong, p.name) == p.name


def test_a_transform_trtlab_lacks_is_an_error_not_fp32():
    from trtlab.precision import convert_precision

    odd = dataclasses.replace(registry.FP16, name="fp16x", transform="dither")
    with pytest.raises(TrtlabError, match="transform trtlab does not have"):
        convert_precision(tiny_cnn(), odd)


@pytest.mark.parametrize("precision", registry.NAMES)
def test_each_precision_converts_to_its_own_types(precision):
    from trtlab.precision import convert_precision

    spec = registry.get(precision)
    rng = np.random.default_rng(0)
    calibration = [{"x": rng.standard_normal(INPUT_SHAPE).astype(np.float32)} for _ in range(4)]
    done = convert_precision(tiny_cnn(), precision, calibration=calibration if spec.calibrated else None)
    types = {t.data_type for t in done.model.graph.initializer}
    assert spec.onnx_type in types
    assert done.precision == precision and done.validated.startswith("the onnx checker")



# Where a precision's name may appear as a string: the registry, its transforms (which name their
# own kinds), and the engine inspector's words for TensorRT's own types ("Half", "FP8").
NAMED_HERE = {"precision_registry.py", "precision", "fusion/engine_layers.py"}
# The same words meaning an element type, not a precision.
ELEMENT_TYPES = {("coverage/table.py", "int8"),  # numpy's int8 -> the operator table's INT8
                 ("fusion/units.py", "fp8")}  # every float8 variant's label (e5m2 as well as e4m3)


def test_no_module_outside_the_registry_names_a_precision():
    import ast
    from pathlib import Path

    import trtlab

    root = Path(trtlab.__file__).parent
    names = set(registry.NAMES) - {registry.REFERENCE.name}
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in NAMED_HERE or rel.split("/")[0] in NAMED_HERE:
            continue
        tree = ast.parse(path.read_text())
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        found += [f"{rel}:{n.lineno} {n.value!r}" for n in ast.walk(tree)
                  if isinstance(n, ast.Constant) and n.value in names and id(n) not in docs
                  and (rel, n.value) not in ELEMENT_TYPES]
    assert not found, "precisions named outside the registry (ask trtlab.precision_registry instead):\n" + \
        "\n".join(found)


def test_the_precision_says_whether_its_scales_are_amax_over_its_largest_value():
    # fp8 is scaled as TensorRT calibrates it (amax / 448); int8 keeps ONNX Runtime's MinMax scales.
    # The quantizer asks the registry, not the element type (no FLOAT8E4M3FN test in the transform).
    from pathlib import Path

    import trtlab

    assert [p.name for p in registry.PRECISIONS if p.max_scaled] == ["fp8"]
    assert "FLOAT8E4M3FN" not in (Path(trtlab.__file__).parent / "precision" / "qdq.py").read_text()
