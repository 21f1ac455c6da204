"""`MappedWeights`: the pages of a model's weight files that TensorRT's parser maps, given back
while the engine is built.

TensorRT-RTX's ONNX parser maps a model's external weights read-only from their files, and the
builder copies them into the engine's own layout. Once copied, the mapped pages only take room
beside the copy (for GPT-2, 475 MB of a 1.7 GB build). They are given back with
`madvise(MADV_PAGEOUT)`, which asks the kernel to reclaim them and never changes what the memory
holds: a clean page of a file mapping is dropped and read from the file again if touched, and
anything else is at most paged out (so a mapping changed since, or unmapped and reused meanwhile,
keeps its contents). The build worker gives them back at the end of each builder phase and
before the engine is copied out.

Only read-only mappings of the files in the model's own folder (the build worker's private one)
are asked for. Linux 5.4 and newer (/proc/self/maps, MADV_PAGEOUT); elsewhere, and where the
kernel refuses the advice, `give_back` does nothing.
"""

from __future__ import annotations

import os
import sys
import time
from functools import lru_cache

_MADV_PAGEOUT = 21  # linux/mman.h, since Linux 5.4


class MappedWeights:
    """The files of the folder holding a model for the parser (the model and its weights)."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = os.fspath(folder)
        self.given_back = 0  # bytes of mappings given back, over all calls
        self._last = 0.0

    def files(self) -> set[str]:
        """The real paths of the folder's files (a linked weight file maps as its target)."""
        try:
            return {os.path.realpath(e.path) for e in os.scandir(self.folder) if e.is_file()}
        except OSError:
            return set()

    def give_back(self, every_s: float = 0.0) -> int:
        """Give back the mapped pages of the folder's files; the bytes of the mappings given
        back. With `every_s`, at most once in that many seconds (phases can end by hundreds)."""
        now = time.monotonic()
        if every_s and now - self._last < every_s:
            return 0
        self._last = now
        advise = _madvise()
        if advise is None:
            return 0
        files, done = self.files(), 0
        for start, end in read_only_mappings(files):
            if advise(start, end - start, _MADV_PAGEOUT) == 0:
                done += end - start
        self.given_back += done
        return done


def read_only_mappings(files: set[str]) -> list[tuple[int, int]]:
    """(start, end) of this process's mappings of `files` that cannot be written."""
    out = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                fields = line.split(None, 5)
                if len(fields) < 6 or "w" in fields[1] or fields[5].rstrip("\n") not in files:
                    continue
                start, end = (int(x, 16) for x in fields[0].split("-"))
                out.append((start, end))
    except OSError:
        return []
    return out


@lru_cache(maxsize=1)
def _madvise():
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        advise = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return None
    advise.argtypes, advise.restype = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int], ctypes.c_int
    return advise
