"""`EngineCache`: built engines kept on disk, so the same subgraph is never built twice.

An entry is `<key>.engine` plus a `<key>.json` sidecar (key, size, checksum, what built it, the
builder's layer list). The key is a digest of what the engine is made from (the ONNX bytes built,
or the fp32 model together with the precision transform that makes them: see `build_engines`),
the build settings, which TensorRT (full or RTX) and its version, and the target (see
`target.build_target`). Both files are written
atomically, the engine first, so a sidecar only ever describes a complete engine. A hit is served
only once the engine's bytes match the sidecar's checksum (a SHA-256 over the SHA-256 of each
8 MiB piece), whether or not the caller keeps them. An entry whose sidecar is unreadable or names
another key, whose engine file is missing, not the size the sidecar says or fails the checksum,
or where either file is anything but a regular file (a symlink, a FIFO, a device: never opened),
is deleted and rebuilt, with a note. Past `max_bytes`, the least recently used entries go first;
a hit counts as a use. The cache trusts no link: its subfolders must be real folders owned by
this user (else the cache is not used, and a warning names the path), and an engine left without
its sidecar is removed when the cache is next opened.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from .._io import atomic_copy, atomic_write_bytes, atomic_write_text
from .digests import checksum, checksum_read, fingerprint
from .safe_files import NotRegularFile, open_regular_file, read_regular_file, regular_size
from .target import build_target

DEFAULT_MAX_BYTES = 2 * 1024**3
FORMAT = 2


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


def default_cache_dir() -> Path:
    """$TRTLAB_CACHE_DIR, else ~/.cache/trtlab; where HOME is empty, relative, the root or not a
    writable folder, a private folder of this user's in the temporary folder, with a warning."""
    if os.environ.get("TRTLAB_CACHE_DIR"):
        return Path(os.environ["TRTLAB_CACHE_DIR"])
    home = os.environ.get("HOME", "")
    if os.path.isabs(home) and Path(home).resolve() != Path("/") and os.path.isdir(home) \
            and os.access(home, os.W_OK | os.X_OK):
        return Path(home) / ".cache" / "trtlab"
    import tempfile

    fallback = Path(tempfile.gettempdir()) / f"trtlab-cache-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    warnings.warn(f"HOME ({home!r}) is not a usable folder: the engine cache is in {fallback}, which the "
                  "system may clear. Set TRTLAB_CACHE_DIR to keep engines elsewhere.", RuntimeWarning, stacklevel=2)
    return fallback


def _is_fallback(folder: Path) -> bool:
    return folder.name.startswith("trtlab-cache-") and folder.parent == Path(__import__("tempfile").gettempdir())


def folder_problem(folder: Path, *, private: bool = True) -> str | None:
    """Why `folder` can't hold cache files, None if it can (made, private, where missing). With
    `private`, it must be a real folder, not a link, owned by this user and not writable by others:
    a planted link or folder in a shared cache would redirect or swap every engine."""
    if not _exists(folder):
        try:
            folder.mkdir(mode=0o700, parents=True)
        except OSError:
            return None  # a read-only place: writes fail later and the cache goes on read-only
    try:
        st = os.lstat(folder) if private else os.stat(folder)
    except OSError as exc:
        return f"{folder} can't be read ({exc.strerror or exc})"
    if stat.S_ISLNK(st.st_mode):
        return f"{folder} is a symbolic link (to {os.readlink(folder)}), not a folder"
    if not stat.S_ISDIR(st.st_mode):
        return f"{folder} is not a folder"
    if private and hasattr(os, "getuid") and st.st_uid != os.getuid():
        return f"{folder} belongs to another user (uid {st.st_uid})"
    if private and st.st_mode & 0o022:
        return f"{folder} is writable by other users"
    return None


def _remove_orphans(folder: Path, older_than_s: float = 60.0) -> None:
    """Remove engines whose sidecar never came (a full disk, a kill between the two writes); a
    young one may be a concurrent build's, between its two files."""
    try:
        names = set(os.listdir(folder))
    except OSError:
        return
    now = time.time()
    for name in names:
        if name.endswith(".engine") and name[:-len(".engine")] + ".json" not in names:
            path = folder / name
            try:
                if now - os.lstat(path).st_mtime > older_than_s:
                    path.unlink()
            except OSError:
                pass


@dataclass(frozen=True)
class CacheEntry:
    key: str
    name: str
    bytes: int
    last_used: float  # seconds since the epoch


class EngineCache:
    """A persistent engine cache in `dir` (default: $TRTLAB_CACHE_DIR or ~/.cache/trtlab)."""

    def __init__(self, dir: str | os.PathLike | None = None, max_bytes: int = DEFAULT_MAX_BYTES):
        self.dir = Path(dir) if dir is not None else default_cache_dir()
        self.max_bytes = int(max_bytes)
        self.writable = True
        self.refused: str | None = None  # why the cache is not used at all (a folder that is a link)
        self._opened = False

    def __repr__(self) -> str:
        return f"EngineCache('{self.dir}', {len(self.entries())} entries, max_bytes={self.max_bytes})"

    @property
    def engines_dir(self) -> Path:
        return self.dir / "engines"

    # ------------------------------------------------------------------ keys
    def key(self, model: bytes | str, settings: dict, tensorrt, target: str | None = None) -> str:
        """The key of the engine built from `model`: the ONNX bytes built as they are, or a
        `fingerprint` of a model that `settings` says how to transform first."""
        fields = {
            "format": FORMAT,
            "model": model if isinstance(model, str) else fingerprint(model),
            "settings": settings,
            "distribution": tensorrt.distribution,
            "version": tensorrt.version,
            "target": target if target is not None else build_target(tensorrt),
        }
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()

    def _paths(self, key: str) -> tuple[Path, Path]:
        self.open()
        return self.engines_dir / f"{key}.engine", self.engines_dir / f"{key}.json"

    def open(self) -> bool:
        """Check the cache's folders once: its subfolders must be real folders (not links) owned by
        this user, made private where missing, else the cache is refused (`refused` says why, and
        a warning names the path); engines left without a sidecar (a disk that filled between the
        two files) are removed. Whether the cache can be used."""
        if self._opened:
            return self.refused is None
        self._opened = True
        for folder in (self.dir, self.engines_dir, self.dir / "timing"):
            if folder.name == "timing" and not _exists(folder):
                continue  # made when a timing cache is first saved (TensorRT-RTX has none)
            problem = folder_problem(folder, private=folder != self.dir or _is_fallback(self.dir))
            if problem:
                self.refused = problem
                self.writable = False
                warnings.warn(f"Engine cache not used: {problem}. Remove it or set TRTLAB_CACHE_DIR to a folder "
                              "of your own.", RuntimeWarning, stacklevel=3)
                return False
        _remove_orphans(self.engines_dir)
        return True

    # ------------------------------------------------------------------ entries
    def lookup(self, key: str) -> tuple[dict | None, str | None]:
        """The sidecar of a complete-looking entry, without reading its engine: (sidecar, None)
        when the sidecar names this key and the engine file is a regular file of the size it
        says; (None, note) where a bad entry was thrown away; else (None, None). Not a proof:
        only `fetch` and `get`, which check the engine's bytes, may serve a hit."""
        engine_path, meta_path = self._paths(key)
        if self.refused:
            return None, None
        problem = None
        try:
            meta = json.loads(read_regular_file(meta_path))
            size = regular_size(engine_path)
            if not isinstance(meta, dict) or meta.get("key") != key:
                problem = "its sidecar names another key"
            elif size != meta.get("bytes"):
                problem = f"the engine file has {size} bytes, the sidecar says {meta.get('bytes')}"
        except FileNotFoundError as exc:
            if not _exists(engine_path) and not _exists(meta_path):
                return None, None
            problem = f"{Path(exc.filename or engine_path).name} is missing"
        except NotRegularFile as exc:  # never opened
            problem = f"its {'sidecar' if exc.filename == str(meta_path) else 'engine file'} is {exc.kind}"
        except (OSError, ValueError, AttributeError) as exc:
            problem = f"it could not be read ({exc})"
        if problem:
            return None, self._discard(key, problem)
        return meta, None

    def fetch(self, key: str, *, keep: bool = True) -> tuple[dict | None, bytes | None, str | None]:
        """(sidecar, engine bytes, None) on a hit, counted as a use, once the bytes read match the
        sidecar's checksum; (None, None, note) where a bad entry was thrown away; else all None.
        keep=False checks the bytes just the same and returns None in their place."""
        meta, note = self.lookup(key)
        if meta is None:
            return None, None, note
        engine_path, meta_path = self._paths(key)
        try:
            with open_regular_file(engine_path, size=meta["bytes"]) as f:
                digest, data = checksum_read(f, meta["bytes"], keep=keep)
        except NotRegularFile as exc:  # swapped in since the look-up
            return None, None, self._discard(key, f"its engine file is {exc.kind}")
        except (OSError, ValueError, TypeError, EOFError) as exc:
            return None, None, self._discard(key, f"the engine file could not be read ({exc})")
        if digest != meta.get("checksum"):
            return None, None, self._discard(key, "the engine file's checksum does not match")
        self._touch(meta_path)
        return meta, data, None

    def get(self, key: str) -> tuple[bytes | None, str | None]:
        """(engine bytes, None) on a hit, checksum verified; (None, note) where a bad entry was
        thrown away; else (None, None)."""
        _, data, note = self.fetch(key)
        return data, note

    def put(self, key: str, engine: bytes, info: dict | None = None) -> str | None:
        """Store an engine; returns a note when it was not stored."""
        return self._put(key, len(engine), lambda: checksum(engine),
                         lambda path: atomic_write_bytes(path, engine), info)

    def put_file(self, key: str, engine: str | os.PathLike, info: dict | None = None) -> str | None:
        """Store the engine in file `engine` (copied, and hashed, a piece at a time: a large
        engine is never held in memory whole); returns a note when it was not stored."""
        size = os.stat(engine).st_size

        def digest() -> str:
            with open(engine, "rb") as f:
                return checksum_read(f, size, keep=False)[0]

        return self._put(key, size, digest, lambda path: atomic_copy(engine, path), info)

    def _put(self, key: str, size: int, digest, write, info: dict | None) -> str | None:
        if size > self.max_bytes:
            return f"engine of {size:,} bytes is larger than the cache cap ({self.max_bytes:,}); not cached"
        engine_path, meta_path = self._paths(key)
        if self.refused:
            return f"engine cache not used ({self.refused}); not cached"
        if not self.writable:
            return "engine cache not writable; not cached"
        try:
            meta = dict(info or {}, key=key, bytes=size, checksum=digest(), format=FORMAT, created=time.time())
            write(engine_path)
            atomic_write_text(meta_path, json.dumps(meta, indent=1, sort_keys=True))
        except OSError as exc:
            self._not_writable(exc)
            return "engine cache not writable; not cached"
        self.evict(keep=key)
        return None

    def entries(self) -> list[CacheEntry]:
        """Complete entries, least recently used first."""
        out = []
        if not self.open() or not self.engines_dir.is_dir():
            return out
        for meta_path in self.engines_dir.glob("*.json"):
            try:
                meta = json.loads(read_regular_file(meta_path))
                out.append(CacheEntry(meta_path.stem, meta.get("name", ""), int(meta["bytes"]),
                                      os.lstat(meta_path).st_mtime_ns / 1e9))
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                continue  # not an entry (or not a whole one): look-ups discard it
        return sorted(out, key=lambda e: e.last_used)

    def total_bytes(self) -> int:
        return sum(e.bytes for e in self.entries())

    def evict(self, keep: str | None = None) -> list[str]:
        """Remove least recently used entries until the cache fits in max_bytes."""
        entries = self.entries()
        total = sum(e.bytes for e in entries)
        removed = []
        for e in entries:
            if total <= self.max_bytes:
                break
            if e.key == keep:
                continue
            self._remove(e.key)
            total -= e.bytes
            removed.append(e.key)
        return removed

    def clear(self) -> None:
        for e in self.entries():
            self._remove(e.key)

    # ------------------------------------------------------------------ timing cache
    def timing_cache_path(self, tensorrt, target: str | None = None) -> Path | None:
        if not self.open():
            return None
        target = target if target is not None else build_target(tensorrt)
        slug = re.sub(r"[^A-Za-z0-9.]+", "-", f"{tensorrt.distribution}-{tensorrt.version}-{target}").strip("-")
        return self.dir / "timing" / f"{slug}.cache"

    def save_timing_cache(self, path: Path, data: bytes) -> None:
        if not self.writable:
            return
        try:
            atomic_write_bytes(path, data)
        except OSError as exc:
            self._not_writable(exc)

    # ------------------------------------------------------------------ helpers
    def _discard(self, key: str, problem: str) -> str:
        self._remove(key)
        return f"cache entry {key[:12]} was discarded because {problem}; rebuilding"

    def _remove(self, key: str) -> None:
        for p in self._paths(key):
            try:
                p.unlink()  # a symlink goes, never what it points to
            except FileNotFoundError:
                pass
            except OSError:
                try:
                    p.rmdir()  # an empty directory in an entry's place
                except OSError:
                    pass  # a read-only cache keeps its entries; they are checked again on the next read

    @staticmethod
    def _touch(path: Path) -> None:
        # Only ever called on a sidecar just read as a regular file.
        try:
            os.utime(path)
        except OSError:
            pass  # a read-only cache still serves hits; only the LRU order goes stale

    def _not_writable(self, exc: OSError) -> None:
        if self.writable:
            self.writable = False
            warnings.warn(f"Engine cache directory '{self.dir}' is not writable ({exc.strerror or exc}); "
                          "building without caching. Set TRTLAB_CACHE_DIR to a writable directory.",
                          RuntimeWarning, stacklevel=4)
