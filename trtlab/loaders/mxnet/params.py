"""MXNet `.params` files (the NDArray list format of `mx.nd.save`), read and written with numpy.

Layout, all little-endian: u64 magic 0x112, u64 reserved, u64 array count, the arrays, u64 name
count, the names (u64 length + UTF-8 bytes). Each dense array: u32 magic (V1/V2/V3), i32 storage
type (V2/V3), the shape (i32 ndim, then i64 dims; legacy files: u32 ndim + u32 dims), i32 device
type, i32 device id, i32 dtype flag, then the raw data. Names carry "arg:" or "aux:" prefixes.
"""

from __future__ import annotations

import math
import os
import struct
from pathlib import Path
from typing import Mapping

import numpy as np

from ...errors import TrtlabError

LIST_MAGIC = 0x112
V1_MAGIC, V2_MAGIC, V3_MAGIC = 0xF993FAC8, 0xF993FAC9, 0xF993FACA

# mshadow type flags.
DTYPES = {0: np.float32, 1: np.float64, 2: np.float16, 3: np.uint8, 4: np.int32, 5: np.int8,
          6: np.int64, 7: np.bool_, 8: np.int16, 9: np.uint16, 10: np.uint32, 11: np.uint64}
FLAGS = {np.dtype(v): k for k, v in DTYPES.items()}


class _Truncated(Exception):
    pass


class _Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise _Truncated
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt: str):
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))


def read_params(source: str | os.PathLike | bytes) -> dict[str, np.ndarray]:
    """Read an MXNet .params file into {name: array}, keeping the "arg:"/"aux:" prefixes."""
    if isinstance(source, (bytes, bytearray)):
        data, where = bytes(source), "the params data"
    else:
        path = Path(source)
        if not path.is_file():
            raise TrtlabError(f"No such params file: {path}.",
                              hint="Pass the .params file saved with the symbol (e.g. model-0000.params).")
        try:
            data, where = path.read_bytes(), str(path)
        except OSError as exc:  # EIO, EACCES: a file that is there but can't be read
            raise TrtlabError(f"Can't read params file {path}: {exc.strerror or exc}.",
                              hint="Check the file's permissions and the disk it is on.") from None
    try:
        return _parse(_Reader(data), where)
    except _Truncated:
        raise TrtlabError(f"{where} ends early: it is truncated or not an MXNet .params file.",
                          hint="Save it again with mx.nd.save / block.export, or copy the whole file.") from None


def _parse(r: _Reader, where: str) -> dict[str, np.ndarray]:
    magic, _reserved = r.unpack("QQ")
    if magic != LIST_MAGIC:
        raise TrtlabError(f"{where} is not an MXNet .params file (magic {magic:#x}, expected 0x112).",
                          hint="Pass the .params file written by MXNet's save / export.")
    (count,) = r.unpack("Q")
    if count > len(r.data):
        raise _Truncated
    arrays = [_read_array(r, where, i) for i in range(count)]
    (nnames,) = r.unpack("Q")
    if nnames not in (0, count):
        raise TrtlabError(f"{where} holds {count} arrays but {nnames} names.",
                          hint="The file is damaged; save it again.")
    names = []
    for _ in range(nnames):
        (length,) = r.unpack("Q")
        names.append(r.take(length).decode("utf-8", errors="replace"))
    if not names:
        names = [str(i) for i in range(count)]
    return dict(zip(names, arrays))


def _read_array(r: _Reader, where: str, index: int) -> np.ndarray:
    (magic,) = r.unpack("I")
    if magic in (V2_MAGIC, V3_MAGIC):
        (stype,) = r.unpack("i")
        if stype != 0:
            raise TrtlabError(f"{where}: array {index} is sparse (storage type {stype}).",
                              hint="Convert sparse parameters to dense (.tostype('default')) and save again.")
        (ndim,) = r.unpack("i")
        shape = r.unpack(f"{max(ndim, 0)}q")
        if ndim <= 0 and not (magic == V3_MAGIC and ndim == 0):
            return np.zeros((0,), np.float32)  # a "none" array: no data follows
    elif magic == V1_MAGIC:
        (ndim,) = r.unpack("I")
        shape = r.unpack(f"{ndim}q")
        if ndim == 0:
            return np.zeros((0,), np.float32)
    else:
        # Legacy arrays start directly with a u32 ndim and u32 dims.
        ndim = magic
        if ndim > 32:
            raise TrtlabError(f"{where}: array {index} has an unknown header ({magic:#x}).",
                              hint="The file is damaged or not an MXNet .params file.")
        shape = r.unpack(f"{ndim}I")
        if ndim == 0:
            return np.zeros((0,), np.float32)
    _dev_type, _dev_id, flag = r.unpack("iii")
    if flag not in DTYPES:
        raise TrtlabError(f"{where}: array {index} has an unsupported data type (flag {flag}).",
                          hint="Cast the parameters to float32 and save again.")
    dtype = np.dtype(DTYPES[flag])
    size = math.prod(shape) if all(d >= 0 for d in shape) else -1  # Python ints: no int64 overflow
    raw = r.take(size * dtype.itemsize)
    return np.frombuffer(raw, dtype=dtype.newbyteorder("<")).reshape(shape).copy()


def write_params(path: str | os.PathLike, arrays: dict[str, np.ndarray]) -> Path:
    """Write {name: array} in the format `mx.nd.load` reads (V2 dense arrays on CPU)."""
    from ..._io import atomic_write_bytes

    out = [struct.pack("<QQQ", LIST_MAGIC, 0, len(arrays))]
    for name, value in arrays.items():
        a = np.ascontiguousarray(value)
        if a.dtype not in FLAGS:
            raise TrtlabError(f"Parameter '{name}' has type {a.dtype}, which MXNet can't store.",
                              hint="Cast it to float32.")
        out.append(struct.pack("<Iii", V2_MAGIC, 0, a.ndim))
        out.append(struct.pack(f"<{a.ndim}q", *a.shape))
        out.append(struct.pack("<iii", 1, 0, FLAGS[a.dtype]))
        out.append(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes())
    out.append(struct.pack("<Q", len(arrays)))
    for name in arrays:
        encoded = name.encode("utf-8")
        out.append(struct.pack("<Q", len(encoded)) + encoded)
    return atomic_write_bytes(path, b"".join(out))


def split_params(params: Mapping[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """{"arg:w": ..., "aux:m": ...} -> ({"w": ...}, {"m": ...}); unprefixed names count as args."""
    args, aux = {}, {}
    for key, value in params.items():
        if key.startswith("aux:"):
            aux[key[4:]] = value
        else:
            args[key[4:] if key.startswith("arg:") else key] = value
    return args, aux
