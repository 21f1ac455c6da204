"""The symbol JSON read as plain data, and typed access to MXNet's string attributes."""

from __future__ import annotations

import json

import pytest

from trtlab.errors import TrtlabError
from trtlab.loaders.mxnet import load_symbol_json
from trtlab.loaders.mxnet.symbol import Attrs, SymNode, parse_value

TWO_NODES = {"nodes": [{"op": "null", "name": "data", "inputs": []},
                       {"op": "Activation", "name": "relu0", "attrs": {"act_type": "relu"}, "inputs": [[0, 0, 0]]}],
             "arg_nodes": [0], "heads": [[1, 0, 0]]}


@pytest.mark.parametrize("doc", ['{"nodes": [1, 2]}', '{"name": "config", "layers": []}', "[1, 2, 3]"])
def test_json_that_is_not_a_symbol(doc):
    with pytest.raises(TrtlabError, match="not an MXNet symbol"):
        load_symbol_json(doc)


def test_reads_a_path_a_string_and_a_dict_alike(tmp_path):
    path = tmp_path / "m-symbol.json"
    path.write_text(json.dumps(TWO_NODES))
    for source in (path, str(path), json.dumps(TWO_NODES), TWO_NODES):
        graph = load_symbol_json(source)
        assert [(n.op, n.name, n.inputs) for n in graph.nodes] == [("null", "data", []), ("Activation", "relu0", [(0, 0)])]
        assert graph.heads == [(1, 0)] and graph.variables == ["data"]
        assert graph.nodes[1].attrs == {"act_type": "relu"}


def test_older_attribute_keys_are_read():
    doc = json.loads(json.dumps(TWO_NODES))
    doc["nodes"][1]["param"] = doc["nodes"][1].pop("attrs")
    assert load_symbol_json(doc).nodes[1].attrs == {"act_type": "relu"}


def test_damaged_symbols_name_what_is_wrong(tmp_path):
    forward = json.loads(json.dumps(TWO_NODES))
    forward["nodes"][1]["inputs"] = [[1, 0, 0]]
    with pytest.raises(TrtlabError, match="'relu0' reads node 1, which does not come before it"):
        load_symbol_json(forward)
    no_head = dict(TWO_NODES, heads=[[5, 0, 0]])
    with pytest.raises(TrtlabError, match="heads point at nodes that don't exist"):
        load_symbol_json(no_head)
    with pytest.raises(TrtlabError, match="No such file"):
        load_symbol_json(tmp_path / "absent-symbol.json")
    broken = tmp_path / "broken-symbol.json"
    broken.write_text('{"nodes": [')
    with pytest.raises(TrtlabError, match="is not valid JSON"):
        load_symbol_json(broken)


def test_attribute_values_are_python_literals():
    assert parse_value("(3, 3)") == (3, 3)
    assert parse_value("True") is True
    assert parse_value("1e-05") == 1e-05
    assert parse_value("relu") == "relu"


def test_attrs_give_typed_values_and_mxnet_defaults():
    node = SymNode(0, "Convolution", "c0", {"kernel": "(3, 3)", "num_filter": "8", "no_bias": "False",
                                             "eps": "1e-3", "pad": "None", "stride": "2", "dilate": "(1, None)"})
    a = Attrs(node)
    assert a.ints("kernel") == (3, 3) and a.ints("stride") == (2,) and a.ints("dilate") == (1, -1)
    assert a.ints("pad", (0, 0)) == (0, 0)  # "None" is absent
    assert a.int("num_filter") == 8 and a.float("eps") == 1e-3
    assert a.bool("no_bias", True) is False and a.bool("flatten", True) is True
    assert a.str("layout", "NCHW") == "NCHW" and not a.has("pad")


def test_a_bad_attribute_names_node_and_key():
    a = Attrs(SymNode(0, "Pooling", "pool1", {"kernel": "three", "stride": "x"}))
    with pytest.raises(TrtlabError, match=r"Node 'pool1' \(Pooling\): attribute kernel='three' is not a tuple"):
        a.ints("kernel")
    with pytest.raises(TrtlabError, match="is not an integer"):
        a.int("stride")
