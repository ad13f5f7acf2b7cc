"""Decompression bombs for tests and benchmarks, written in milliseconds whatever their size.

:func:`write_gzip_tar_bomb` writes a ``model.tar.gz`` whose one member declares (and really
holds, once decompressed) ``expanded_bytes`` of zeros. Compressing that many zeros would take
seconds per gigabyte, so the deflate stream is assembled instead: one megabyte of zeros is
compressed once, from a fresh compressor and with a full flush, which makes it a
self-contained, byte-aligned run of deflate blocks that can be repeated as often as needed.
The result is a valid gzip file (CRC and length included) that any tar reader accepts.
"""

from __future__ import annotations

import struct
import tarfile
import zlib
from pathlib import Path

_CHUNK = 1024 * 1024
_RAW_DEFLATE = -15  # no zlib header: the gzip wrapper is written by hand
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def _deflated(data: bytes, final: bool) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, _RAW_DEFLATE)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def write_gzip_tar_bomb(
    path: str | Path, expanded_bytes: int, member_name: str = "model.safetensors"
) -> Path:
    """Write a gzipped tar at ``path`` holding one member of ``expanded_bytes`` zeros; return ``path``."""
    path = Path(path)
    info = tarfile.TarInfo(member_name)
    info.size = expanded_bytes
    header = info.tobuf(format=tarfile.GNU_FORMAT)
    # After the header the whole stream is zeros: the data, its padding to 512 bytes, and the
    # two zero blocks that end a tar archive.
    zeros = expanded_bytes + (-expanded_bytes) % tarfile.BLOCKSIZE + 2 * tarfile.BLOCKSIZE
    full_chunks, rest = divmod(zeros, _CHUNK)
    zero_chunk = bytes(_CHUNK)
    deflated_chunk = _deflated(zero_chunk, final=False)
    crc = zlib.crc32(header)
    with path.open("wb") as out:
        out.write(_GZIP_HEADER)
        out.write(_deflated(header, final=False))
        for _ in range(full_chunks):
            out.write(deflated_chunk)
            crc = zlib.crc32(zero_chunk, crc)
        out.write(_deflated(bytes(rest), final=True))
        crc = zlib.crc32(bytes(rest), crc)
        out.write(struct.pack("<II", crc & 0xFFFFFFFF, (len(header) + zeros) & 0xFFFFFFFF))
    return path
