"""A large model's weights kept out of the protobuf messages made from it.

A protobuf message owns its bytes: every cut of a model, every folded or converted copy of a
cut, holds its own copy of the weights it names, and a part of a message keeps the whole
message alive. A check of a 500 MB model would hold several copies at once.

A `WeightStore` writes each large weight of a model once, to a file of its own (each weight at
an offset aligned for memory mapping), and hands out *references*: TensorProtos with the weight's
name, type and shape whose data lies in that file (ONNX's external data). A cut or a converted
copy made of references holds no weights. What reads a reference:
- ONNX Runtime and the TensorRT parser get a model file written in the store's folder
  (`ort.loadable`, `model_files.write_model`), and map or read the weights from there;
- the precision transforms read one weight at a time (`array`);
- `model_files.write_model` writes a referenced weight's bytes wherever else a model goes;
- the engine cache hashes a reference by the digest of its bytes, taken when it was stored.
While a check runs, the model itself lends its weights to the check's store (`WeightStore.lend`):
it holds references too, and its own weights again, byte for byte, when the check ends.
A reference outlives its store only as a name: reading it afterwards is a clear error.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import shutil
import sys
import tempfile
import threading
import uuid
import weakref
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import numpy as np
import onnx
from onnx import helper, numpy_helper

from . import scratch
from .errors import TrtlabError
from .memory import release_memory
from .weights import INLINE_ELEMENTS  # smaller initializers stay in the messages (shape arithmetic reads them)

ALIGN = 64 * 1024  # the allocation granularity a memory map's offset needs on every platform
_PIECE = 8 << 20  # bytes copied at a time
_PREFIX, _SUFFIX = "trtlab-weight-store-", ".bin"  # a store's file name (ONNX's external data location)

_OPEN: "weakref.WeakValueDictionary[str, WeightStore]" = weakref.WeakValueDictionary()
_LOCK = threading.Lock()
_UNRETURNED: "list[WeightStore]" = []  # stores a lent model still refers to (see `WeightStore.lend`)


class WeightStore:
    """The weights of `proto` of more than INLINE_ELEMENTS elements, in one temporary file."""

    def __init__(self, proto: onnx.ModelProto, *, folder: str | os.PathLike | None = None):
        self.folder = Path(tempfile.mkdtemp(prefix="weights-", dir=folder if folder is not None else scratch.folder()))
        self.location = f"{_PREFIX}{uuid.uuid4().hex[:12]}{_SUFFIX}"  # unique: it names the store
        self._refs: dict[str, onnx.TensorProto] = {}
        self._digests: dict[int, bytes] = {}  # offset -> sha256 of the bytes stored there
        # offset -> the data_location its tensor had set (onnx's loader sets DEFAULT), else None
        self._locations: dict[int, int | None] = {}
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.folder), True)
        try:
            with open(self.folder / self.location, "wb") as f:
                for t in proto.graph.initializer:
                    if math.prod(t.dims) <= INLINE_ELEMENTS:
                        continue
                    if t.HasField("raw_data"):
                        self._refs[t.name] = self._write(f, t)
                    elif (other := store_of(t)) is not None:  # a model lent to another store
                        self._refs[t.name] = self._copy(f, t, other)
        except OSError as exc:
            self.close()
            raise TrtlabError(f"The model's weights could not be written to a temporary file ({exc}).",
                              hint="Free some disk space in the temporary folder (TMPDIR).") from None
        with _LOCK:
            _OPEN[self.location] = self

    def _write(self, f, t: onnx.TensorProto) -> onnx.TensorProto:
        data = t.raw_data  # one weight's bytes, copied once
        offset = aligned_end(f)
        f.write(data)
        self._digests[offset] = hashlib.sha256(data).digest()
        self._locations[offset] = t.data_location if t.HasField("data_location") else None
        return reference(t, self.location, offset, len(data))

    def _copy(self, f, t: onnx.TensorProto, other: "WeightStore") -> onnx.TensorProto:
        """Reference `t` to store `other`, its bytes copied into this store."""
        offset = aligned_end(f)
        other.copy_to(t, f)
        self._digests[offset], self._locations[offset] = other.digest(t), other._locations[_offset(t)]
        return reference(t, self.location, offset, other.length(t))

    @property
    def path(self) -> Path:
        return self.folder / self.location

    @property
    def names(self) -> list[str]:
        return list(self._refs)

    def reachable_from(self, folder: Path) -> bool:
        """Whether a model file in `folder` reaches this store's file by its location."""
        try:
            return os.path.samefile(Path(folder) / self.location, self.path)
        except OSError:
            return False

    def link_into(self, folder: Path) -> bool:
        """Make this store's file reachable from `folder` (a hard link, else a symbolic one);
        False where neither can be made (models written there then carry the bytes)."""
        if self.reachable_from(folder):
            return True
        for link in (os.link, os.symlink):
            try:
                link(self.path, Path(folder) / self.location)
                return True
            except OSError:
                continue
        return False

    def ref(self, name: str) -> onnx.TensorProto | None:
        """The reference that stands for initializer `name`, or None if it is not stored."""
        return self._refs.get(name)

    def referring(self, proto: onnx.ModelProto) -> onnx.ModelProto:
        """A copy of `proto` (the model this store was made from) whose stored weights are
        references: a message of a few megabytes however large the model."""
        out = _without_initializers(proto)
        for t in proto.graph.initializer:
            out.graph.initializer.add().CopyFrom(self._refs.get(t.name, t))
        return out

    def keep(self, proto: onnx.ModelProto) -> onnx.ModelProto:
        """A copy of `proto` (one made from this store's model: a converted cut, say) whose
        large weights held in the message are added to the store and referred to. The caller
        drops `proto`: its weights then leave memory."""
        out = _without_initializers(proto)
        try:
            with open(self.path, "ab") as f:
                for t in proto.graph.initializer:
                    big = t.HasField("raw_data") and math.prod(t.dims) > INLINE_ELEMENTS
                    out.graph.initializer.add().CopyFrom(self._write(f, t) if big else t)
        except OSError as exc:
            raise TrtlabError(f"Weights could not be added to a temporary file ({exc}).",
                              hint="Free some disk space in the temporary folder (TMPDIR).") from None
        return out

    def digest(self, t: onnx.TensorProto) -> bytes:
        """The sha256 of the bytes reference `t` stands for."""
        return self._digests[_offset(t)]

    def length(self, t: onnx.TensorProto) -> int:
        return int(_external(t)["length"])

    def read(self, t: onnx.TensorProto) -> bytes:
        """The bytes reference `t` stands for (one weight, read in one piece)."""
        info = _external(t)
        try:
            with open(self.path, "rb") as f:
                f.seek(int(info["offset"]))
                data = f.read(int(info["length"]))
        except OSError as exc:
            raise _gone(t, exc) from None
        if len(data) != int(info["length"]):
            raise _gone(t, "the file is shorter than the reference")
        return data

    def copy_to(self, t: onnx.TensorProto, out: BinaryIO) -> None:
        """Write the bytes reference `t` stands for to `out`, a piece at a time."""
        info = _external(t)
        left = int(info["length"])
        try:
            with open(self.path, "rb") as f:
                f.seek(int(info["offset"]))
                while left:
                    piece = f.read(min(left, _PIECE))
                    if not piece:
                        raise _gone(t, "the file is shorter than the reference")
                    out.write(piece)
                    left -= len(piece)
        except OSError as exc:
            raise _gone(t, exc) from None

    @contextlib.contextmanager
    def lend(self, model: Any) -> Iterator[None]:
        """While the `with` lasts, `model` (a trtlab Model, the one this store was made from)
        holds references to this store in place of its large weights, and its weights leave
        memory where nothing else holds its proto or a part of it (a protobuf message's bytes
        live as long as any part of the message does, so they cannot be cleared in place: the
        Model gets a new proto). When the `with` ends, however it ends, the Model gets a proto
        holding the weights again, byte for byte the one it had."""
        model.replace_proto(self.referring(model.proto))
        release_memory()
        try:
            yield
        finally:
            try:
                model.replace_proto(with_bytes(model.proto))
            except BaseException:
                # Interrupted while reading the weights back (a second Ctrl-C, a failing disk): the
                # model still refers to this store, which then stays open, its file too, as long
                # as this process lives, so that the model keeps working.
                _UNRETURNED.append(self)
                raise

    def close(self) -> None:
        """Delete the file (a session that maps it keeps its mapping); not that of a store a
        model still refers to because its weights could not be put back (see `lend`)."""
        if any(s is self for s in _UNRETURNED):
            return
        with _LOCK:
            if _OPEN.get(self.location) is self:
                del _OPEN[self.location]
        self._finalizer()

    def __enter__(self) -> "WeightStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def reference(t: onnx.TensorProto, location: str, offset: int, length: int) -> onnx.TensorProto:
    """`t` without its data, saying that its bytes lie in `location` at `offset`."""
    ref = _copy_except(t, ("raw_data", "external_data", "data_location"))
    ref.data_location = onnx.TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", str(offset)), ("length", str(length))):
        entry = ref.external_data.add()
        entry.key, entry.value = key, value
    return ref


def store_of(t: onnx.TensorProto) -> WeightStore | None:
    """The open store reference `t` points into, or None (inline data, or not a store's)."""
    if t.data_location != onnx.TensorProto.EXTERNAL:
        return None
    location = _external(t).get("location", "")
    store = _OPEN.get(location)
    if store is None and location.startswith(_PREFIX) and location.endswith(_SUFFIX):
        raise _gone(t, "its store was closed")
    return store


def stores_in(proto: onnx.ModelProto) -> set[WeightStore]:
    """The stores `proto`'s initializers refer to (none for a model that holds its weights)."""
    return {s for t in proto.graph.initializer if (s := store_of(t)) is not None}


def has_references(proto: onnx.ModelProto) -> bool:
    return any(t.data_location == onnx.TensorProto.EXTERNAL for t in proto.graph.initializer)


def hold_bytes(t: onnx.TensorProto) -> None:
    """Make `t`, a reference to a store, hold its weight's bytes itself (in place), as the
    tensor the reference was made from held them."""
    store = store_of(t)
    data, location = store.read(t), store._locations.get(_offset(t))
    del t.external_data[:]
    t.ClearField("data_location")
    t.raw_data = data
    if location is not None:
        t.data_location = location


def with_bytes(proto: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of `proto` whose references to open stores hold their weights' bytes again: that
    of a model a store was made from serialises to the very bytes of that model."""
    out = _without_initializers(proto)
    for t in proto.graph.initializer:
        held = out.graph.initializer.add()
        held.CopyFrom(t)
        if store_of(t) is not None:
            hold_bytes(held)
    return out


def array(t: onnx.TensorProto) -> np.ndarray:
    """The values of initializer `t`, read from its store where it is a reference."""
    store = store_of(t)
    if store is None:
        return numpy_helper.to_array(t)
    data = store.read(t)
    dtype = np.dtype(helper.tensor_dtype_to_np_dtype(t.data_type))
    if dtype.kind in "fiub" and sys.byteorder == "little" and dtype.itemsize * math.prod(t.dims) == len(data):
        return np.frombuffer(data, dtype).reshape(tuple(t.dims))  # read-only, like to_array's
    inline = _copy_except(t, ("external_data", "data_location"))  # packed and exotic types: onnx unpacks them
    inline.raw_data = data
    return numpy_helper.to_array(inline)


def aligned_end(f) -> int:
    """Pad file `f` to the next multiple of ALIGN; the offset its next bytes go to."""
    offset = f.seek(0, os.SEEK_END)
    if offset % ALIGN:
        f.write(b"\0" * (ALIGN - offset % ALIGN))
        offset = f.tell()
    return offset


def _external(t: onnx.TensorProto) -> dict[str, str]:
    return {e.key: e.value for e in t.external_data}


def _offset(t: onnx.TensorProto) -> int:
    return int(_external(t)["offset"])


def _gone(t: onnx.TensorProto, why) -> TrtlabError:
    return TrtlabError(f"The weight '{t.name}' lay in a temporary file that can no longer be read ({why}).",
                       hint="Its model was handed out by a check that has ended; cut the model again "
                            "from the loaded Model (trtlab.cut.cut_subgraph).")


def _without_initializers(proto: onnx.ModelProto) -> onnx.ModelProto:
    out = onnx.ModelProto()
    for fd, value in proto.ListFields():
        if fd.name != "graph":
            set_field(out, fd, value)
    for fd, value in proto.graph.ListFields():
        if fd.name != "initializer":
            set_field(out.graph, fd, value)
    return out


def _copy_except(t: onnx.TensorProto, skip: tuple[str, ...]) -> onnx.TensorProto:
    """A new TensorProto with `t`'s fields but `skip`, which are not even read (reading `raw_data`
    would copy a weight's bytes)."""
    out = onnx.TensorProto()
    for fd in t.DESCRIPTOR.fields:
        if fd.name in skip:
            continue
        if fd.is_repeated:
            if len(getattr(t, fd.name)):
                getattr(out, fd.name).extend(getattr(t, fd.name))
        elif t.HasField(fd.name):
            set_field(out, fd, getattr(t, fd.name))
    return out


def set_field(out, fd, value) -> None:
    """Set protobuf field `fd` of `out` to `value` (a repeated field extended, a message copied)."""
    if fd.is_repeated:
        getattr(out, fd.name).extend(value)
    elif fd.message_type is not None:
        getattr(out, fd.name).CopyFrom(value)
    elif fd.type == fd.TYPE_STRING and isinstance(value, bytes):
        # A string that is not UTF-8 (ONNX's proto2 keeps it as read): protobuf hands it over as
        # bytes and won't set a string from them, so it goes in as it was encoded.
        out.MergeFromString(length_delimited_tag(fd.number) + varint(len(value)) + value)
    else:
        setattr(out, fd.name, value)


def length_delimited_tag(number: int) -> bytes:
    """Protobuf's key for field `number` holding bytes, a string or a message."""
    return varint(number << 3 | 2)


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)
