"""`EngineCache`: built engines kept on disk, so the same subgraph is never built twice.

An entry is `<key>.engine` plus a `<key>.json` sidecar (key, size, checksum, what built it). The
key is a digest of what the engine is made from (the ONNX bytes built, or the fp32 model together
with the precision transform that makes them: see `build_engines`), the build settings, the
TensorRT flavour and version, and the target (see `target.build_target`). Both files are written
atomically, the engine first, so a sidecar only ever describes a complete engine. An entry whose
sidecar is unreadable or names another key, or whose engine file is missing or not the size the
sidecar says, is deleted at look-up; one whose bytes do not match the sidecar's checksum is
deleted when its bytes are read. Either way it is rebuilt, never loaded. Past `max_bytes`, the
least recently used entries go first; a hit counts as a use.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from .._io import atomic_write_bytes, atomic_write_text
from .digests import checksum, fingerprint
from .target import build_target

DEFAULT_MAX_BYTES = 2 * 1024**3
FORMAT = 2


def default_cache_dir() -> Path:
    return Path(os.environ.get("TRTLAB_CACHE_DIR") or Path.home() / ".cache" / "trtlab")


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

    def __repr__(self) -> str:
        return f"EngineCache('{self.dir}', {len(self.entries())} entries, max_bytes={self.max_bytes})"

    @property
    def engines_dir(self) -> Path:
        return self.dir / "engines"

    # ------------------------------------------------------------------ keys
    def key(self, model: bytes | str, settings: dict, flavour, target: str | None = None) -> str:
        """The key of the engine built from `model`: the ONNX bytes built as they are, or a
        `fingerprint` of a model that `settings` says how to transform first."""
        fields = {
            "format": FORMAT,
            "model": model if isinstance(model, str) else fingerprint(model),
            "settings": settings,
            "flavour": flavour.flavour,
            "version": flavour.version,
            "target": target if target is not None else build_target(flavour),
        }
        return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.engines_dir / f"{key}.engine", self.engines_dir / f"{key}.json"

    # ------------------------------------------------------------------ entries
    def lookup(self, key: str) -> tuple[dict | None, str | None]:
        """The sidecar of a complete-looking entry, without reading its engine: (sidecar, None) on
        a hit, counted as a use; (None, note) where a bad entry was thrown away; else (None, None).
        The engine's checksum is verified by `get`, when its bytes are read."""
        engine_path, meta_path = self._paths(key)
        if not engine_path.exists() and not meta_path.exists():
            return None, None
        problem = None
        try:
            meta = json.loads(meta_path.read_text())
            size = engine_path.stat().st_size
            if meta.get("key") != key:
                problem = "its sidecar names another key"
            elif size != meta.get("bytes"):
                problem = f"the engine file has {size} bytes, the sidecar says {meta.get('bytes')}"
        except FileNotFoundError as exc:
            problem = f"{Path(exc.filename).name} is missing"
        except (OSError, ValueError, AttributeError) as exc:
            problem = f"it could not be read ({exc})"
        if problem:
            return None, self._discard(key, problem)
        self._touch(meta_path)
        return meta, None

    def get(self, key: str) -> tuple[bytes | None, str | None]:
        """(engine bytes, None) on a hit, checksum verified; (None, note) where a bad entry was
        thrown away; else (None, None)."""
        meta, note = self.lookup(key)
        if meta is None:
            return None, note
        engine_path, _ = self._paths(key)
        try:
            data = engine_path.read_bytes()
        except OSError as exc:
            return None, self._discard(key, f"the engine file could not be read ({exc.strerror or exc})")
        if len(data) != meta.get("bytes") or checksum(data) != meta.get("checksum"):
            return None, self._discard(key, "the engine file's checksum does not match")
        return data, None

    def put(self, key: str, engine: bytes, info: dict | None = None) -> str | None:
        """Store an engine; returns a note when it was not stored."""
        if len(engine) > self.max_bytes:
            return f"engine of {len(engine):,} bytes is larger than the cache cap ({self.max_bytes:,}); not cached"
        if not self.writable:
            return "engine cache not writable; not cached"
        engine_path, meta_path = self._paths(key)
        meta = dict(info or {}, key=key, bytes=len(engine), checksum=checksum(engine), format=FORMAT,
                    created=time.time())
        try:
            atomic_write_bytes(engine_path, engine)
            atomic_write_text(meta_path, json.dumps(meta, indent=1, sort_keys=True))
        except OSError as exc:
            self._not_writable(exc)
            return "engine cache not writable; not cached"
        self.evict(keep=key)
        return None

    def entries(self) -> list[CacheEntry]:
        """Complete entries, least recently used first."""
        out = []
        if not self.engines_dir.is_dir():
            return out
        for meta_path in self.engines_dir.glob("*.json"):
            try:
                meta = json.loads(meta_path.read_text())
                out.append(CacheEntry(meta_path.stem, meta.get("name", ""), int(meta["bytes"]),
                                      meta_path.stat().st_mtime_ns / 1e9))
            except (OSError, ValueError, KeyError, TypeError):
                continue
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
    def timing_cache_path(self, flavour, target: str | None = None) -> Path:
        target = target if target is not None else build_target(flavour)
        slug = re.sub(r"[^A-Za-z0-9.]+", "-", f"{flavour.flavour}-{flavour.version}-{target}").strip("-")
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
                p.unlink()
            except FileNotFoundError:
                pass
            except OSError:
                pass  # a read-only cache keeps its entries; they are checked again on the next read

    @staticmethod
    def _touch(path: Path) -> None:
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
