"""Files a user names: atomic writes (a reader sees the old file or the new one, never half of
either), output paths checked before work starts, and input files read without hanging on a
FIFO or a device, or allocating what a damaged header promises."""

from __future__ import annotations

import contextlib
import errno
import math
import os
import stat
import tempfile
from pathlib import Path


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    return _atomic_write(path, lambda f: f.write(data))


def atomic_copy(source: str | os.PathLike, path: str | os.PathLike) -> Path:
    """Copy file `source` to `path` atomically, a piece at a time."""
    import shutil

    def copy(f) -> None:
        with open(source, "rb") as src:
            shutil.copyfileobj(src, f, 8 << 20)

    return _atomic_write(path, copy)


def _atomic_write(path: str | os.PathLike, write) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private; give it the mode a plain open() would have.
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


# ---------------------------------------------------------------------- reading user files
def require_regular_file(path: str | os.PathLike, what: str = "file", *, hint: str | None = None) -> Path:
    """`path` as a Path, if it names a regular file (through symlinks). A FIFO would block the read,
    a device such as /dev/zero never ends and a folder can't be read: each is a TrtlabError,
    raised before anything is opened."""
    from .errors import TrtlabError

    path = Path(path)
    if not str(path):
        raise TrtlabError(f"No {what} given (the path is empty).", hint=hint)
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise TrtlabError(f"{what.capitalize()} {path} is a symlink to a missing file.", hint=hint) from None
        raise TrtlabError(f"No such file: {path}.", hint=hint) from None
    except OSError as exc:  # a symlink loop, a name too long, a parent that is a file
        raise TrtlabError(f"Can't read {what} {path}: {exc.strerror or exc}.", hint=hint) from None
    if stat.S_ISDIR(st.st_mode):
        raise TrtlabError(f"{path} is a folder, not a {what}.", hint=hint or "Point at the file inside it.")
    if not stat.S_ISREG(st.st_mode):
        raise TrtlabError(f"{path} is a {_kind(st.st_mode)}, not a regular file: trtlab reads {what}s "
                          "only from regular files.", hint=hint or "Copy the data to a file first.")
    return path


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "named pipe (FIFO)"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"


_READ_BYTES = 1 << 24


def load_arrays(path: str | os.PathLike, what: str = "array file", expect=None) -> dict[str, "np.ndarray"]:
    """The arrays of an .npz file ({name: array}) or of one .npy file ({"": array}), read safely:
    a regular file only, no pickled objects, numbers or fixed-width text only (no records or objects), each
    array's header read and checked before any of its bytes are decompressed: `expect(name, shape,
    dtype)` may refuse it (a name the model does not take, another type or shape: a bomb declares
    4 GiB), and the file must hold what the header declares. Each array takes its own size in
    memory, allocated once. Every failure is a TrtlabError."""
    from .errors import TrtlabError

    out = {}
    with _reading(path, what):
        for name, member, size, where in _npy_members(path, what):
            shape, fortran, dtype = _npy_header(member, where)
            if expect is not None:
                expect(name, shape, dtype)
            out[name] = _npy_data(member, shape, fortran, dtype, size, where)
    if not out:
        raise TrtlabError(f"{path} holds no arrays.", hint="Save arrays with numpy.savez.")
    return out


def array_headers(path: str | os.PathLike, what: str = "array file") -> dict[str, tuple[tuple[int, ...], "np.dtype"]]:
    """Name -> (shape, dtype) of each array of an .npy or .npz file, from the headers alone."""
    with _reading(path, what):
        return {name: _npy_header(member, where)[::2] for name, member, _, where in _npy_members(path, what)}


@contextlib.contextmanager
def _reading(path, what: str):
    """Errors of reading an array file (a bad header, a damaged zip or deflate stream) as one TrtlabError."""
    import zipfile
    import zlib

    from .errors import TrtlabError

    try:
        yield
    except TrtlabError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError,
            SyntaxError) as exc:
        raise TrtlabError(f"Can't read {what} {path}: it is truncated or damaged ({exc}).",
                          hint="Save it again with numpy.save / numpy.savez.") from None


def _npy_members(path: str | os.PathLike, what: str):
    """(name, stream at the start of its .npy, bytes the file holds for it, where) of each array."""
    import zipfile

    from .errors import TrtlabError

    path = require_regular_file(path, what)
    with open(path, "rb") as f:
        if f.read(6) == b"\x93NUMPY":
            f.seek(0)
            yield "", f, os.fstat(f.fileno()).st_size, f"{path}"
            return
    if not zipfile.is_zipfile(path):
        raise TrtlabError(f"{path} is not an .npy or .npz file.",
                          hint="Save arrays with numpy.save (.npy) or numpy.savez (.npz).")
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.filename.endswith(".npy"):
                with z.open(info) as member:
                    yield info.filename[:-4], member, info.file_size, f"{path} ({info.filename})"


def _npy_header(f, where: str):
    import numpy as np

    from .errors import TrtlabError

    fmt = np.lib.format
    version = fmt.read_magic(f)
    read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    shape, fortran, dtype = read_header(f, max_header_size=10_000)
    if dtype.hasobject:
        raise TrtlabError(f"{where} holds Python objects, which trtlab does not unpickle.",
                          hint="Save a numeric array (e.g. float32).")
    if dtype.names is not None or dtype.kind not in "biufU":  # U: text, for a model's string inputs
        raise TrtlabError(f"{where} holds {_dtype_words(dtype)}; model inputs are numbers or text.",
                          hint="Save a numeric array (e.g. float32), or numpy.str_ text for a string input.")
    return shape, fortran, dtype


def _npy_data(f, shape, fortran: bool, dtype, size: int, where: str) -> "np.ndarray":
    import numpy as np

    from .errors import TrtlabError

    needed = math.prod(shape) * dtype.itemsize
    if needed > size:
        raise TrtlabError(f"{where} is truncated: its header promises {human_bytes(needed)} "
                          f"({'x'.join(map(str, shape)) or 'scalar'} {dtype}) but the file holds {human_bytes(size)}.",
                          hint="Save it again with numpy.save.")
    array = np.empty(math.prod(shape), dtype=dtype)  # read into it: no second copy
    view, done = memoryview(array.view(np.uint8)), 0
    while done < needed:
        got = f.readinto(view[done:done + _READ_BYTES])  # a zip member's readinto reads a copy of the size asked
        if not got:
            raise TrtlabError(f"{where} ends early: it is truncated.", hint="Save it again with numpy.save.")
        done += got
    return array.reshape(shape, order="F" if fortran else "C")


def _dtype_words(dtype) -> str:
    if dtype.names is not None:
        return f"records with fields {', '.join(dtype.names)}"
    return {"U": "text strings", "S": "byte strings", "c": "complex numbers", "M": "dates",
            "m": "time spans", "V": "raw bytes"}.get(dtype.kind, f"values of type {dtype}")


def human_bytes(n: int | float) -> str:
    """4000000000000 -> '4.0 TB' (decimal units, as disks and memory are sold)."""
    n = float(n)
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB", "EB"):
        if abs(n) < 1000 or unit == "EB":
            return f"{int(n)} bytes" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} EB"  # pragma: no cover


# ---------------------------------------------------------------------- writing user files
def check_output_path(path: str | os.PathLike, option: str = "output") -> Path:
    """Fail before any work if `path` can't be written: it is a folder or a special file, or the
    nearest existing folder above it is a file or is not writable."""
    from .errors import TrtlabError

    path = Path(path)
    if not str(path):
        raise TrtlabError(f"{option}: no file name given.")
    try:
        st = path.stat() if os.path.lexists(path) else None
    except OSError as exc:
        raise TrtlabError(f"{option}: can't write {path}: {exc.strerror or exc}.") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise TrtlabError(f"{option}: {path} is a folder.", hint="Give a file name inside it.")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise TrtlabError(f"{option}: {path} is a {_kind(st.st_mode)}, not a regular file.",
                          hint="Write to a regular file.")
    parent = path.absolute().parent
    while not os.path.lexists(parent) and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise TrtlabError(f"{option}: can't write {path}: {parent} is a file, not a folder.",
                          hint="Choose another place for it.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise TrtlabError(f"{option}: can't write {path}: the folder {parent} is not writable.",
                          hint="Choose a folder you can write to.")
    return path


def write_failed(exc: OSError, path: str | os.PathLike, option: str = "output"):
    """A TrtlabError for a write that failed half way (a full disk, a lost mount)."""
    from .errors import TrtlabError

    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        reason += " (the disk is full or the file is over the size this process may write)"
    return TrtlabError(f"{option}: could not write {path}: {reason}. Nothing was written.",
                       hint="Free some space or choose another place.")
