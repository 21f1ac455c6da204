"""Digests: of what an engine is made from (the model, its calibration data, the precision
transform), and of the engine file itself.

The engine cache keys each engine on the first kind, so a warm look-up needs no precision
transform and no serialized model: only one pass over the weights, hashed where they lie, in
pieces, on every core. Engine files are checksummed the same way.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import onnx
from google.protobuf.message import Message

from ..model import Model
from ..weight_store import store_of

# Weights are hashed in pieces of at most this size, so one large tensor spreads over the cores;
# pieces below the second size are hashed at once, where a thread would cost more than it saves.
PIECE = 8 << 20
PARALLEL_MIN = 1 << 20


def fingerprint(model: onnx.ModelProto | Model | bytes) -> str:
    """A digest of a model's whole content: the same for equal models, different when anything
    differs (a node, an attribute, a name, one weight).

    ONNX bytes are hashed as they are ("sha256:..."); a ModelProto or a trtlab Model is hashed
    field by field, its weights in place ("onnx-sha256:..."), which is faster than serializing it.
    """
    if isinstance(model, (bytes, bytearray, memoryview)):
        return "sha256:" + hashlib.sha256(model).hexdigest()
    proto = model.proto if isinstance(model, Model) else model
    h = hashlib.sha256()
    _fields(h, proto, skip="graph")
    _fields(h, proto.graph, skip="initializer")
    with _Pieces() as weights:
        for tensor in proto.graph.initializer:
            h.update(b"initializer\0")
            store = store_of(tensor)
            for fd, value in tensor.ListFields():
                if fd.name == "raw_data":
                    h.update(b"raw_data\0" + len(value).to_bytes(8, "little"))
                    weights.add(value)
                elif store is not None and fd.name in ("external_data", "data_location"):
                    # A reference to a WeightStore (a temporary file) counts by the digest of its
                    # bytes, taken when they were stored: the same in every check.
                    if fd.name == "external_data":
                        h.update(b"stored\0")
                        weights.add_digest(store.digest(tensor))
                else:
                    _update(h, fd.name, value)
    for digest in weights.digests:
        h.update(digest)
    return "onnx-sha256:" + h.hexdigest()


def checksum(data: bytes) -> str:
    """The checksum of an engine file: sha256 over the sha256 of each piece, hashed in parallel."""
    with _Pieces() as pieces:
        pieces.add(data)
    return "sha256-pieces:" + hashlib.sha256(b"".join(pieces.digests)).hexdigest()


def checksum_read(f, size: int, *, keep: bool) -> tuple[str, bytes | None]:
    """`checksum` of the first `size` bytes read from the binary file `f`, and those bytes when
    `keep` (else None, and each piece is hashed while the next is read, never all held at once).
    EOFError if `f` ends sooner."""
    if keep:
        chunks, left = [], size
        while left:
            chunk = f.read(min(left, 1 << 30))  # one read returns at most about 2 GiB
            if not chunk:
                raise EOFError(f"the file ended after {size - left} of {size} bytes")
            chunks.append(chunk)
            left -= len(chunk)
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return checksum(data), data
    with _Pieces() as pieces:
        for start in range(0, size, PIECE):
            piece = memoryview(bytearray(min(PIECE, size - start)))
            done = 0
            while done < len(piece):
                n = f.readinto(piece[done:])
                if not n:
                    raise EOFError(f"the file ended after {start + done} of {size} bytes")
                done += n
            pieces.add(piece)
    return "sha256-pieces:" + hashlib.sha256(b"".join(pieces.digests)).hexdigest(), None


def calibration_digest(calibration) -> str:
    """A digest of calibration data (the Q/DQ precisions): None (synthetic samples), a directory of .npy/.npz
    files, or a list of {input: array} samples (not a one-shot iterator: it would be used up)."""
    if calibration is None:
        return "synthetic"
    h = hashlib.sha256()
    if isinstance(calibration, (str, os.PathLike)):
        path = Path(calibration)
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else []
        h.update(f"directory {path.resolve()}\0".encode() if not files else b"files\0")
        for f in files:
            _update(h, f.name, f.read_bytes())
        return "sha256:" + h.hexdigest()
    for sample in calibration:
        h.update(b"sample\0")
        for name in sorted(sample):
            value = np.ascontiguousarray(sample[name])
            h.update(f"{name}\0{value.dtype.str}\0{value.shape}\0".encode())
            h.update(value.data if value.size else b"")
    return "sha256:" + h.hexdigest()


@lru_cache(maxsize=1)
def transform_id() -> str:
    """The precision transform's identity: its source and the versions of the packages it calls.

    Engines are keyed on the fp32 model, before the transform, so a changed transform must change
    the key, or the cache would keep serving engines made by the old one.
    """
    from importlib import metadata

    from .. import precision, precision_registry

    h = hashlib.sha256()
    # The registry says which transform each precision takes and with which settings.
    for path in sorted(Path(precision.__file__).parent.glob("*.py")) + [Path(precision_registry.__file__)]:
        _update(h, path.name, path.read_bytes())
    for dist in ("onnx", "onnx-graphsurgeon", "onnxconverter-common", "onnxruntime", "onnxruntime-gpu"):
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            version = "-"
        _update(h, dist, version)
    return "sha256:" + h.hexdigest()


class _Pieces:
    """The sha256 of each piece of the buffers added, in order: pieces of at least PARALLEL_MIN
    bytes are hashed on worker threads (hashlib lets go of the GIL), the others at once."""

    def __init__(self):
        self._pool = ThreadPoolExecutor(_workers())
        self._out: list[Future | bytes] = []
        self.digests: list[bytes] = []

    def add(self, data) -> None:
        view = memoryview(data)
        for start in range(0, len(view), PIECE):
            piece = view[start:start + PIECE]
            self._out.append(self._submit(piece) if len(piece) >= PARALLEL_MIN else _sha256(piece))

    def _submit(self, piece) -> Future | bytes:
        try:
            return self._pool.submit(_sha256, piece)
        except RuntimeError:  # the interpreter is exiting: concurrent.futures takes no new work
            return _sha256(piece)

    def add_digest(self, digest: bytes) -> None:
        """A digest taken before, in its place among the pieces."""
        self._out.append(digest)

    def __enter__(self) -> "_Pieces":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self._pool.shutdown(wait=True)
        if exc_type is None:
            self.digests = [d.result() if isinstance(d, Future) else d for d in self._out]


def _sha256(data) -> bytes:
    return hashlib.sha256(data).digest()


def _workers() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, 8))


def _fields(h, message: Message, skip: str) -> None:
    for fd, value in message.ListFields():
        if fd.name == "value_info":
            # Shape annotations form a set: their order means nothing, and models cut alike
            # may list them in different orders.
            value = sorted(map(_encode, value))
        if fd.name != skip:
            _update(h, fd.name, value)


def _update(h, name: str, value) -> None:
    data = _encode(value)
    h.update(name.encode() + b"\0" + len(data).to_bytes(8, "little"))
    h.update(data)


def _encode(value) -> bytes:
    """Bytes that stand for one protobuf field's value, lengths included so nothing runs together."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, Message):
        return value.SerializeToString(deterministic=True)
    if isinstance(value, (bool, int, float)):
        return repr(value).encode()
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        return b"".join(len(e).to_bytes(8, "little") + e for e in map(_encode, value))
    raise TypeError(f"cannot fingerprint a field of type {type(value).__name__}")

