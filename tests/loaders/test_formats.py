"""Model formats as a registry: a format registered from one module is what `trtlab.load` reads
(by suffix, object type or scheme), its keywords are checked, and every registered format's module
has its mirror test."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from onnx import helper, parser

import trtlab
from trtlab.errors import TrtlabError
from trtlab.loaders import format_of, model_formats
from trtlab.loaders.formats import ModelFormat, register, unregister
from trtlab.model import Model

TESTS = Path(__file__).resolve().parents[1]

ONNX_TEXT = """
<ir_version: 8, opset_import: ["" : 18]>
doubled (float[1, 4] x) => (float[1, 4] y) {
    two = Add(x, x)
    y = Relu(two)
}
"""


def _load_onnx_text(path: Path, *, inputs=None, name=None, to_opset: int | None = None) -> Model:
    proto = parser.parse_model(Path(path).read_text())
    if to_opset is not None:
        proto = onnx.version_converter.convert_version(proto, to_opset)
    return Model.from_proto(proto, name=name or Path(path).stem, source=str(path), inputs=inputs)


@pytest.fixture
def onnx_text_format():
    """A format made up here, as a contributor would add one: ONNX's text syntax."""
    fmt = register(ModelFormat("onnx text (test)", _load_onnx_text, "an ONNX syntax .onnxsyntax file",
                               suffixes=(".onnxsyntax",), options=("to_opset",)))
    yield fmt
    unregister(fmt.name)


def test_a_registered_format_is_what_load_reads(onnx_text_format, tmp_path):
    path = tmp_path / "doubled.onnxsyntax"
    path.write_text(ONNX_TEXT)
    assert format_of(path) is onnx_text_format and onnx_text_format in model_formats()
    model = trtlab.load(path, to_opset=17)
    assert [n.op_type for n in model.nodes] == ["Add", "Relu"] and model.name == "doubled"
    assert model.source == str(path) and model.origin is None and model.proto.opset_import[0].version == 17
    # Its keyword belongs to it alone: another format's model given it is one clear error.
    with pytest.raises(TrtlabError, match=r"to_opset= goes with an ONNX syntax \.onnxsyntax file only"):
        trtlab.load("zoo:tiny", to_opset=17)
    unregister(onnx_text_format.name)
    assert format_of(path).name == "onnx"  # unclaimed files are read as ONNX again


def test_an_object_format_and_a_scheme_register_the_same_way(tmp_path):
    class Recipe:  # a model described by an object of the user's own type
        def __init__(self, ops):
            self.ops = ops

    def from_recipe(recipe, *, inputs=None, name=None):
        nodes, x = [], "x"
        for i, op in enumerate(recipe.ops):
            nodes.append(helper.make_node(op, [x], [f"t{i}"], name=f"n{i}"))
            x = f"t{i}"
        graph = helper.make_graph(nodes, "recipe", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [2])],
                                  [helper.make_tensor_value_info(x, onnx.TensorProto.FLOAT, [2])])
        return Model.from_proto(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)]),
                                name=name or "recipe", source="recipe", inputs=inputs)

    register(ModelFormat("recipe (test)", from_recipe, "a Recipe", types=(Recipe,)))
    register(ModelFormat("recipes (test)", lambda spec, **kw: from_recipe(Recipe(spec.split(",")), **kw),
                         "'recipe:OP,OP'", scheme="recipe"))
    try:
        assert [n.op_type for n in trtlab.load(Recipe(["Relu", "Neg"])).nodes] == ["Relu", "Neg"]
        assert [n.op_type for n in trtlab.load("recipe:Abs,Relu", name="r").nodes] == ["Abs", "Relu"]
    finally:
        unregister("recipe (test)")
        unregister("recipes (test)")
    with pytest.raises(TrtlabError, match="Don't know how to load"):
        trtlab.load(Recipe(["Relu"]))


def test_keywords_of_other_formats_are_one_clear_error(tmp_path):
    path = tmp_path / "m.onnx"
    trtlab.load("zoo:tiny").save(path)
    with pytest.raises(TrtlabError, match=r"params= goes with an MXNet symbol \.json file only"):
        trtlab.load(path, params="x-0000.params")
    with pytest.raises(TrtlabError, match=r"example_kwargs= goes with a torch\.nn\.Module only"):
        trtlab.load("zoo:tiny", example_kwargs={"x": 1})
    with pytest.raises(TrtlabError, match=r"load\(\) takes no batch= for an .onnx path"):
        trtlab.load(path, batch=2)
    assert trtlab.load(path, params=None).name == "m"  # None is not given


def test_a_file_no_format_claims_is_read_as_onnx(tmp_path):
    path = tmp_path / "model.bin"
    trtlab.load("zoo:tiny").save(path)
    assert format_of(path).name == "onnx" and len(trtlab.load(path).nodes) == 10


def test_every_format_says_what_it_reads_and_its_module_has_a_mirror_test():
    formats = model_formats()
    assert {"onnx", "mxnet symbol", "mxnet", "torch", "zoo"} <= {f.name for f in formats}
    missing = []
    for f in formats:
        assert f.described and (f.suffixes or f.types or f.frameworks or f.scheme), f.name
        parts = f.module.split(".")[1:]
        package = (Path(trtlab.__file__).parent.joinpath(*parts) / "__init__.py").exists()
        mirror = TESTS.joinpath(*parts, f"test_{parts[-1]}.py") if package else \
            TESTS.joinpath(*parts[:-1], f"test_{parts[-1]}.py")
        if not mirror.exists():
            missing.append(f"{f.name} ({f.module}): {mirror.relative_to(TESTS.parent)}")
    assert missing == [], "formats without a mirror test: " + "; ".join(missing)
