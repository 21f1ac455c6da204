"""The second round of hostile cases: names that drive a terminal, decompression bombs, links and
planted folders in the engine cache, signals mid-build, unreadable MXNet files and symbols MXNet
rejects, external-data and nesting refusals that keep onnx's reason, sizes past the process's
limit, and node counts in the tens of thousands."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import numpy as np
from onnx import TensorProto, helper

from . import bad_files, bad_models, scale
from .bombs import npz_bomb
from .writes import mkdir, put, writing

GIB4 = (1, 1023, 1024, 1024)  # float32: 4 GiB less 4 MiB
CHECK = ["check", "-q", "--no-timing", "--no-build", "--no-cache"]
# What a terminal acts on, one class per case.
EVIL = {"esc_clear_screen": "\x1b[2J\x1b[H", "osc_window_title": "\x1b]0;owned\x07", "bel": "\x07",
        "cr_fake_line": "\rall checks passed", "newline_fake_line": "\ntrtlab: all checks passed",
        "c1_csi": "\x9b2J", "del": "\x7f", "bidi_override": "\u202eexe.txt", "bidi_isolate": "\u2066x\u2069"}


def cases(root: Path, *, with_tensorrt: bool) -> list:
    from .corpus import Case

    mkdir(root, parents=True)
    tiny = root / "tiny.onnx"
    put(tiny, bad_models.relu().SerializeToString())
    out = _terminal(root / "terminal", Case, tiny) + _bombs(root / "bombs", Case, tiny)
    out += _mxnet(root / "mxnet", Case) + _onnx_reasons(root / "onnx", Case) + _limits(root / "limits", Case)
    out += _scale(root / "scale", Case)
    if with_tensorrt:
        out += _cache(root / "cache", Case, tiny) + _signals(root / "signals", Case)
    return out


# ---------------------------------------------------------------------- terminal escapes
def _evil_model(evil: str, missing: bool = False) -> bytes:
    first = ("missing" if missing else "t") + evil
    nodes = [helper.make_node("Relu", ["x" + evil], ["t" + evil], name="relu" + evil),
             helper.make_node("Foo", [first], ["y"], name="foo" + evil, domain="my.domain")]
    graph = helper.make_graph(nodes, "g" + evil, [helper.make_tensor_value_info("x" + evil, TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                   helper.make_opsetid("my.domain", 1)]).SerializeToString()


def _terminal(root: Path, Case, tiny: Path) -> list:
    from .corpus import CLEAN, OK

    mkdir(root)
    out = []
    for kind, evil in EVIL.items():
        p = root / f"{kind}.onnx"
        put(p, _evil_model(evil))
        out.append(Case(f"term_{kind}_inspect", "terminal", ["inspect", str(p)], expect=OK))
        m = root / f"{kind}_missing.onnx"
        put(m, _evil_model(evil, missing=True))
        out.append(Case(f"term_{kind}_error_line", "terminal", ["inspect", str(m)]))
        out.append(Case(f"term_{kind}_option", "terminal", ["inspect", str(tiny), "--input", f"x{evil}:1x4"]))
    evil = EVIL["esc_clear_screen"] + EVIL["osc_window_title"]
    out.append(Case("term_check_summary", "terminal", ["check", "-q", "--no-timing", "--no-build", "--no-cache",
                                                        str(root / "esc_clear_screen.onnx")], expect=CLEAN))
    out.append(Case("term_missing_path", "terminal", ["inspect", str(root / f"no{evil}.onnx")]))
    named = root / f"named{evil}.onnx"
    put(named, bad_models.relu().SerializeToString())  # the same bytes as `tiny`
    out.append(Case("term_model_path", "terminal", ["inspect", str(named)], expect=OK))
    feeds = root / "feeds.npz"
    if writing():
        np.savez(feeds, **{f"x{evil}": np.zeros((1, 4), np.float32)})
    out.append(Case("term_feeds_member_name", "terminal", [*CHECK, str(tiny), "--feeds", str(feeds)]))
    sym = bad_files.fc_symbol("NoSuch" + evil)
    sym["nodes"][3]["name"] = "fc0" + evil
    put(root / "evil-symbol.json", json.dumps(sym))
    put(root / "evil-0000.params", bad_files.good_params())
    out.append(Case("term_mxnet_node_name", "terminal", ["inspect", str(root / "evil-symbol.json"), "--params",
                                                         str(root / "evil-0000.params"), "--input", "data:1x4"]))
    return out


# ---------------------------------------------------------------------- decompression bombs
def _bombs(root: Path, Case, tiny: Path) -> list:
    mkdir(root)
    dynamic = root / "dynamic.onnx"
    put(dynamic, bad_models.relu(shape=("n", 4)).SerializeToString())
    quick = {"max_seconds": 20.0, "max_rss_mb": 400.0}
    bombs = {"not_taken": [("zz", GIB4, "float32")], "wrong_shape": [("x", GIB4, "float32")],
             "wrong_type": [("x", GIB4, "float16")],
             "many_members": [(f"m{i}", (1 << 20,), "float32") for i in range(200)],
             "taken_then_not": [("x", (1, 4), "float32"), ("zz", GIB4, "float32")]}
    out = []
    for name, members in bombs.items():
        p = npz_bomb(root / f"{name}.npz", members)
        out.append(Case(f"bomb_{name}_check", "bombs", [*CHECK, str(tiny), "--feeds", str(p)], **quick))
        out.append(Case(f"bomb_{name}_inspect", "bombs", ["inspect", str(tiny), "--feeds", str(p)], **quick))
    p = root / "not_taken.npz"
    out.append(Case("bomb_dynamic_input_not_taken", "bombs", [*CHECK, str(dynamic), "--feeds", str(p)], **quick))
    out.append(Case("bomb_dynamic_input_inspect", "bombs",
                    ["inspect", str(dynamic), "--feeds", str(npz_bomb(root / "dyn.npz", [("x", (1023 * 1024 * 256, 4), "float32")]))],
                    expect="clean", **quick))
    npy = root / "header_only.npy"
    put(npy, bad_files.npy_header_claiming(GIB4))
    out.append(Case("bomb_npy_header_only", "bombs", [*CHECK, str(tiny), "--feeds", str(npy)], **quick))
    cal = root / "calibration"
    mkdir(cal)
    npz_bomb(cal / "0.npz", [("zz", GIB4, "float32")])
    out.append(Case("bomb_calibration", "bombs", [*CHECK, str(tiny), "--precision", "int8", "--calibration",
                                                  str(cal)], expect="clean", **quick))
    cal2 = root / "calibration_shape"
    mkdir(cal2)
    npz_bomb(cal2 / "0.npz", [("x", GIB4, "float32")])
    out.append(Case("bomb_calibration_shape", "bombs", [*CHECK, str(tiny), "--precision", "int8", "--calibration",
                                                        str(cal2)], expect="clean", **quick))
    return out


# ---------------------------------------------------------------------- MXNet files
def _mxnet(root: Path, Case) -> list:
    from .corpus import CLEAN

    mkdir(root)
    good_sym, good_par = json.dumps(bad_files.fc_symbol()), bad_files.good_params()
    out = []
    for name, target in (("eio", "/proc/self/mem"), ("eacces", "/proc/1/mem")):
        if not os.path.exists(target):
            continue
        put(root / f"{name}p-symbol.json", good_sym)
        bad_files.symlink(root / f"{name}p-0000.params", target)
        bad_files.symlink(root / f"{name}s-symbol.json", target)
        put(root / f"{name}s-0000.params", good_par)
        for which, what in (("p", "params"), ("s", "symbol")):
            out.append(Case(f"mxnet_{what}_{name}", "mxnet_io",
                            ["inspect", str(root / f"{name}{which}-symbol.json"), "--params",
                             str(root / f"{name}{which}-0000.params"), "--input", "data:1x4"],
                            error_has=f"Can't read {what} file"))
    for name, attr, value in (("hidden_4_5", "num_hidden", "4.5"), ("no_bias_maybe", "no_bias", "maybe")):
        sym = bad_files.fc_symbol()
        sym["nodes"][3]["attrs"][attr] = value
        put(root / f"{name}-symbol.json", json.dumps(sym))
        put(root / f"{name}-0000.params", good_par)
        out.append(Case(f"mxnet_rejects_{name}", "mxnet_io",
                        ["check", "--no-build", "--no-cache", "--json", str(root / f"{name}-symbol.json"),
                         "--params", str(root / f"{name}-0000.params"), "--input", "data:1x4"], expect=CLEAN))
    return out


# ---------------------------------------------------------------------- onnx's reasons
def _nested_bytes(depth: int) -> bytes:
    """A model whose If nodes nest `depth` deep, encoded by hand (protobuf refuses to build it)."""
    def field(number: int, payload: bytes) -> bytes:
        return _varint(number << 3 | 2) + _varint(len(payload)) + payload

    out_vi = field(1, b"o") + field(2, field(1, _varint(1 << 3) + _varint(TensorProto.BOOL)))
    graph = field(1, field(1, b"c") + field(2, b"o") + field(4, b"Identity")) + field(2, b"leaf") + field(12, out_vi)
    for i in range(depth):
        attr = field(1, b"then_branch") + _varint(20 << 3) + _varint(5) + field(6, graph)
        node = field(1, b"c") + field(2, b"o") + field(4, b"If") + field(5, attr)
        graph = field(1, node) + field(2, f"g{i}".encode()) + field(12, out_vi)
    in_vi = field(1, b"c") + field(2, field(1, _varint(1 << 3) + _varint(TensorProto.BOOL)))
    graph += field(11, in_vi)
    return _varint(1 << 3) + _varint(8) + field(7, graph) + field(8, field(2, _varint(2 << 3) + _varint(17)))


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _onnx_reasons(root: Path, Case) -> list:
    from .corpus import CLEAN, OK

    mkdir(root)
    out = []
    for name, location, says in (("traversal", "../../etc/passwd", "points outside"),
                                 ("absolute", "/etc/passwd", "absolute path")):
        p = root / f"{name}.onnx"
        put(p, bad_models.relu_with_external_weight(location).SerializeToString())
        out.append(Case(f"onnx_external_{name}_reason", "onnx_reasons", ["inspect", str(p)], error_has=says))
    for depth in (40, 200):
        p = root / f"nested_{depth}.onnx"
        put(p, _nested_bytes(depth))
        out.append(Case(f"onnx_nested_{depth}", "onnx_reasons", ["inspect", str(p)], error_has="nests graphs deeper"))
    data, elsewhere = root / "data", root / "elsewhere"
    mkdir(data)
    mkdir(elsewhere)
    put(data / "model.onnx", bad_models.relu_with_external_weight("weights.bin").SerializeToString())
    put(data / "weights.bin", np.ones(4, np.float32).tobytes())
    bad_files.symlink(elsewhere / "link.onnx", data / "model.onnx")
    out.append(Case("onnx_link_into_data_folder", "onnx_reasons", ["inspect", str(elsewhere / "link.onnx")], expect=OK))
    out.append(Case("onnx_link_into_data_folder_check", "onnx_reasons", [*CHECK, str(elsewhere / "link.onnx")],
                    expect=CLEAN))
    put(data / "escape.onnx", bad_models.relu_with_external_weight("../elsewhere/w.bin").SerializeToString())
    put(elsewhere / "w.bin", np.ones(4, np.float32).tobytes())
    out.append(Case("onnx_external_sibling_folder", "onnx_reasons", ["inspect", str(data / "escape.onnx")],
                    error_has="points outside"))
    out.append(Case("ort_quiet_home_unwritable", "onnx_reasons", [*CHECK, str(data / "model.onnx")], expect=CLEAN,
                    env={"HOME": "/proc/unwritable-home"}))
    return out


# ---------------------------------------------------------------------- sizes and scale
def _limits(root: Path, Case) -> list:
    from onnx import numpy_helper

    mkdir(root)
    rng = np.random.default_rng(0)
    w1 = numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "w1")
    w2 = numpy_helper.from_array(rng.standard_normal((8, 8, 3, 3)).astype(np.float32), "w2")
    nodes = [helper.make_node("Conv", ["x", "w1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
             helper.make_node("Conv", ["r1", "w2"], ["y"], name="conv2", pads=[1, 1, 1, 1])]
    conv = root / "fully_convolutional.onnx"
    put(conv, bad_models.model(nodes, [bad_models.vi("x", ["n", 3, "h", "w"])],
                               [bad_models.vi("y", ["n", 8, "h", "w"])], [w1, w2]).SerializeToString())
    quick = {"max_seconds": 30.0, "max_rss_mb": 600.0}
    # Under a 16 GiB address space: at 1x3x12000x12000 each tensor alone (at most 4.6 GB) fits half
    # of it, the three alive at once do not (unless free memory is lower still).
    return [Case(f"limit_conv_{shape}", "limits", [*CHECK, str(conv), "--input", f"x:{shape}"],
                 address_space=16 << 30, error_has="needs", **quick)
            for shape in ("1x3x12000x12000", "8x3x12000x12000")]


def _scale(root: Path, Case) -> list:
    from .corpus import OK

    mkdir(root)
    wide = root / "independent_10000.onnx"
    put(wide, scale.independent_nodes(10_000))
    return [Case("scale_independent_10000_inspect", "scale", ["inspect", str(wide), "--json"], expect=OK,
                 max_seconds=60.0)]


# ---------------------------------------------------------------------- cache and signals
def _cache(root: Path, Case, tiny: Path) -> list:
    from .corpus import CLEAN

    mkdir(root)
    run = ["check", "-q", "--no-timing", "--json", str(tiny), "--cache-dir"]
    out = []
    elsewhere = root / "elsewhere"
    mkdir(elsewhere)
    for name, plant in (("engines_link", lambda d: bad_files.symlink(d / "engines", elsewhere)),
                        ("timing_link", lambda d: bad_files.symlink(d / "timing", elsewhere)),
                        ("engines_file", lambda d: (d / "engines").write_bytes(b"x")),
                        ("engines_world_writable", lambda d: ((d / "engines").mkdir(), os.chmod(d / "engines", 0o777))),
                        ("engines_link_to_root", lambda d: bad_files.symlink(d / "engines", "/"))):
        d = root / name
        mkdir(d)
        if writing():
            plant(d)
        out.append(Case(f"cache_{name}", "cache_links", [*run, str(d)], expect=CLEAN, stays_empty=[elsewhere]))
    d = root / "orphan"
    mkdir(d / "engines", parents=True, mode=0o700)
    orphan = d / "engines" / ("ab" * 32 + ".engine")
    put(orphan, b"half an entry")
    if writing():
        os.utime(orphan, (1, 1))
    out.append(Case("cache_orphan_engine", "cache_links", [*run, str(d)], expect=CLEAN, must_not_exist=[orphan]))
    check = ["check", "-q", "--no-timing", "--json", str(tiny)]
    for name, home in (("empty", ""), ("root", "/"), ("unwritable", "/proc/unwritable-home")):
        out.append(Case(f"cache_home_{name}", "cache_links", check, expect=CLEAN,
                        env={"HOME": home, "TRTLAB_CACHE_DIR": None},
                        must_not_exist=[] if os.path.lexists("/.cache/trtlab") else [Path("/.cache/trtlab")]))
    return out


def _signals(root: Path, Case) -> list:
    mkdir(root)
    deep = root / "chain_2500.onnx"
    put(deep, scale.chain(2500))
    marker = "trtlab-run-*/build-*/*.onnx"
    return [Case(f"signal_{sig.name}_mid_build", "signals",
                 ["check", "--no-timing", "--no-cache", str(deep)], signal=(int(sig), marker))
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)]
