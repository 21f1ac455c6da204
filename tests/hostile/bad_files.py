"""Bad files that are not ONNX graphs: special files, MXNet checkpoints, numpy arrays."""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from pathlib import Path

import numpy as np

from .writes import mkdir, put, writing

V2_MAGIC = 0xF993FAC9


def fifo(path: Path) -> Path:
    if writing():
        os.mkfifo(path)
    return path


def symlink(path: Path, target: str | Path) -> Path:
    if writing():
        os.symlink(target, path)
    return path


def params_bytes(arrays: list[tuple[str, tuple, int, bytes]], *, count: int | None = None,
                 names: list[bytes] | None = None, magic: int = 0x112) -> bytes:
    """An MXNet .params file: (name, dims, dtype flag, raw data) per array, written as given."""
    out = [struct.pack("<QQQ", magic, 0, len(arrays) if count is None else count)]
    for _name, dims, flag, data in arrays:
        out.append(struct.pack("<Iii", V2_MAGIC, 0, len(dims)))
        out.append(struct.pack(f"<{len(dims)}q", *dims))
        out.append(struct.pack("<iii", 1, 0, flag) + data)
    names = names if names is not None else [n.encode() for n, *_ in arrays]
    out.append(struct.pack("<Q", len(names)))
    out += [struct.pack("<Q", len(n)) + n for n in names]
    return b"".join(out)


def fc_symbol(op: str = "FullyConnected") -> dict:
    return {"nodes": [{"op": "null", "name": "data", "inputs": []},
                      {"op": "null", "name": "fc0_weight", "inputs": []},
                      {"op": "null", "name": "fc0_bias", "inputs": []},
                      {"op": op, "name": "fc0", "attrs": {"num_hidden": "4"},
                       "inputs": [[0, 0, 0], [1, 0, 0], [2, 0, 0]]}],
            "arg_nodes": [0, 1, 2], "node_row_ptr": [0, 1, 2, 3, 4], "heads": [[3, 0, 0]],
            "attrs": {"mxnet_version": ["int", 10901]}}


def good_params() -> bytes:
    w = np.ones((4, 4), np.float32).tobytes()
    b = np.zeros(4, np.float32).tobytes()
    return params_bytes([("arg:fc0_weight", (4, 4), 0, w), ("arg:fc0_bias", (4,), 0, b)])


def mxnet_cases(root: Path) -> dict[str, tuple[Path, Path]]:
    """name -> (symbol .json, .params) for a bad MXNet checkpoint."""
    mkdir(root, parents=True, exist_ok=True)
    out = {}

    def pair(name: str, symbol: bytes | None, params: bytes | None):
        sym, par = root / f"{name}-symbol.json", root / f"{name}-0000.params"
        if symbol is not None:
            put(sym, symbol)
        if params is not None:
            put(par, params)
        out[name] = (sym, par)
        return sym, par

    good_sym = json.dumps(fc_symbol()).encode()
    w, b = np.ones((4, 4), np.float32).tobytes(), np.zeros(4, np.float32).tobytes()
    pair("symbol_garbage", b"{not json at all", good_params())
    pair("symbol_is_a_list", b"[1, 2, 3]", good_params())
    pair("symbol_no_nodes", json.dumps({"heads": [[0, 0, 0]]}).encode(), good_params())
    pair("symbol_unknown_op", json.dumps(fc_symbol("NoSuchMxOp")).encode(), good_params())
    s = fc_symbol(); s["heads"] = [[42, 0, 0]]
    pair("symbol_head_out_of_range", json.dumps(s).encode(), good_params())
    s = fc_symbol(); s["nodes"][3]["inputs"][0] = [3, 0, 0]
    pair("symbol_cycle", json.dumps(s).encode(), good_params())
    s = fc_symbol(); s["nodes"][3]["attrs"]["num_hidden"] = "-7"
    pair("symbol_negative_hidden", json.dumps(s).encode(), good_params())
    pair("symbol_non_utf8", good_sym.replace(b"fc0_bias", b"\xff\xfe0_bias"), good_params())
    sym, par = pair("symbol_fifo", None, good_params()); fifo(sym)
    pair("params_truncated", good_sym, good_params()[:40])
    pair("params_random", good_sym, np.random.default_rng(1).bytes(300))
    pair("params_empty", good_sym, b"")
    pair("params_dims_overflow_int64", good_sym,
         params_bytes([("arg:fc0_weight", (2**32, 2**32), 0, b""), ("arg:fc0_bias", (4,), 0, b)]))
    pair("params_dims_overflow_to_zero", good_sym,
         params_bytes([("arg:fc0_weight", (2**62, 4), 0, b""), ("arg:fc0_bias", (4,), 0, b)]))
    pair("params_negative_dims", good_sym,
         params_bytes([("arg:fc0_weight", (-4, 4), 0, w), ("arg:fc0_bias", (4,), 0, b)]))
    pair("params_huge_count", good_sym, params_bytes([], count=2**60))
    pair("params_bad_dtype_flag", good_sym,
         params_bytes([("arg:fc0_weight", (4, 4), 77, w), ("arg:fc0_bias", (4,), 0, b)]))
    pair("params_wrong_shape", good_sym,
         params_bytes([("arg:fc0_weight", (3, 5), 0, np.ones(15, np.float32).tobytes()),
                       ("arg:fc0_bias", (4,), 0, b)]))
    pair("params_non_utf8_names", good_sym,
         params_bytes([("w", (4, 4), 0, w), ("b", (4,), 0, b)], names=[b"arg:\xff\xfe", b"arg:\x80"]))
    pair("params_bad_magic", good_sym, params_bytes([], magic=0xDEAD))
    sym, par = pair("params_fifo", good_sym, None); fifo(par)
    sym, par = pair("params_dev_zero", good_sym, None); symlink(par, "/dev/zero")
    pair("params_missing", good_sym, None)
    return out


def npy_bytes(array: np.ndarray, **kw) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, **kw)
    return buf.getvalue()


def npy_header_claiming(shape: tuple, dtype="<f4", body: bytes = b"") -> bytes:
    """A .npy file whose header promises `shape` but which holds only `body`."""
    header = repr({"descr": dtype, "fortran_order": False, "shape": shape}).encode()
    header += b" " * (-(len(header) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + body


def calibration_cases(root: Path, shape=(1, 4)) -> dict[str, Path]:
    """name -> a calibration directory for a one-input model taking float32 `shape`."""
    out = {}
    good = np.zeros(shape, np.float32)

    def folder(name: str, files: dict[str, bytes | None]) -> Path:
        d = root / name
        mkdir(d, parents=True)
        for fname, data in files.items():
            if data is not None:
                put(d / fname, data)
        out[name] = d
        return d

    folder("cal_empty_npy", {"a.npy": b""})
    folder("cal_strings_npy", {"a.npy": npy_bytes(np.array([["a", "b", "c", "d"]]))})
    folder("cal_structured_npy", {"a.npy": npy_bytes(np.zeros(shape, dtype=[("x", "f4"), ("y", "i4")]))})
    folder("cal_object_npy", {"a.npy": npy_bytes(np.array([[{"a": 1}] * 4], dtype=object), allow_pickle=True)})
    folder("cal_truncated_npy", {"a.npy": npy_bytes(good)[:-7]})
    folder("cal_header_claims_1e12", {"a.npy": npy_header_claiming((10**6, 10**6))})
    folder("cal_header_garbage", {"a.npy": b"\x93NUMPY\x01\x00\x10\x00{'descr': %%%%}\n"})
    folder("cal_random_bytes_npy", {"a.npy": np.random.default_rng(2).bytes(200)})
    folder("cal_nan_values", {"a.npy": npy_bytes(np.full(shape, np.nan, np.float32))})
    folder("cal_wrong_shape", {"a.npy": npy_bytes(np.zeros((2, 7), np.float32))})
    folder("cal_zero_size", {"a.npy": npy_bytes(np.zeros((0, 4), np.float32))})
    folder("cal_complex", {"a.npy": npy_bytes(np.zeros(shape, np.complex64))})
    folder("cal_npz_truncated", {"a.npz": _npz({"x": good})[:50]})
    folder("cal_npz_wrong_key", {"a.npz": _npz({"nope": good})})
    folder("cal_npz_object", {"a.npz": _npz({"x": np.array([[None] * 4], dtype=object)}, allow_pickle=True)})
    folder("cal_npz_is_zip_bomb_name", {"a.npz": _zip({"../../x.npy": npy_bytes(good)})})
    folder("cal_no_files", {"readme.txt": b"nothing"})
    fifo(folder("cal_fifo_npy", {}) / "a.npy")
    symlink(folder("cal_dev_zero_npy", {}) / "a.npy", "/dev/zero")
    mkdir((folder("cal_directory_npy", {}) / "a.npy"))
    symlink(folder("cal_dangling_link", {}) / "a.npy", root / "nowhere.npy")
    return out


def _npz(arrays: dict, allow_pickle=False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in arrays.items():
            z.writestr(f"{k}.npy", npy_bytes(v, allow_pickle=allow_pickle))
    return buf.getvalue()


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for k, v in files.items():
            z.writestr(k, v)
    return buf.getvalue()


def feeds_cases(root: Path, shape=(1, 4)) -> dict[str, Path]:
    """name -> a --feeds file for a one-input model taking float32 `shape` as 'x'."""
    mkdir(root, parents=True, exist_ok=True)
    out = {}
    good = np.zeros(shape, np.float32)
    for name, data in {
        "feeds_random_bytes": np.random.default_rng(3).bytes(500),
        "feeds_empty": b"",
        "feeds_wrong_name": _npz({"nope": good}),
        "feeds_wrong_shape": _npz({"x": np.zeros((3, 3), np.float32)}),
        "feeds_strings": _npz({"x": np.array([["a"] * 4])}),
        "feeds_object": _npz({"x": np.array([[None] * 4], dtype=object)}, allow_pickle=True),
        "feeds_structured": _npz({"x": np.zeros(shape, dtype=[("a", "f4")])}),
        "feeds_npy_for_one_input": npy_bytes(good),
        "feeds_header_claims_1e12": _zip({"x.npy": npy_header_claiming((10**6, 10**6))}),
    }.items():
        p = root / f"{name}.npz"
        put(p, data)
        out[name] = p
    out["feeds_fifo"] = fifo(root / "feeds_fifo.npz")
    out["feeds_dev_zero"] = symlink(root / "feeds_dev_zero.npz", "/dev/zero")
    out["feeds_missing"] = root / "feeds_missing.npz"
    return out
