"""Zig-zag varints as Kafka's ByteUtils writes them (writeVarint/writeVarlong).

Every length and delta in a v2 record is zig-zag encoded, -1 included: 0..63
take one byte, 64..8191 two, 8192..1048575 three.  Encodings of small values
are precomputed because the record encoder asks for them a dozen times per
record; a list index is several times cheaper than building the bytes.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "encode_varint",
    "varint_size",
    "decode_varint",
    "VARINT_TABLE_MIN",
    "VARINT_TABLE_MAX",
    "VARINTS",
    "VARINT_SIZES",
]


def _encode_unsigned(z: int) -> bytes:
    out = bytearray()
    while z >= 0x80:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


def _zigzag(value: int) -> int:
    return (value << 1) if value >= 0 else ((-value) << 1) - 1


# Table covers -1 (null lengths) .. 32766: every length in a 16 KiB batch and
# every offset delta below 32767.  VARINTS[v + 1] is the encoding of v.
VARINT_TABLE_MIN: Final = -1
VARINT_TABLE_MAX: Final = 32766
VARINTS: Final[list[bytes]] = [
    _encode_unsigned(_zigzag(v)) for v in range(VARINT_TABLE_MIN, VARINT_TABLE_MAX + 1)
]
VARINT_SIZES: Final[list[int]] = [len(b) for b in VARINTS]


def encode_varint(value: int) -> bytes:
    """Zig-zag varint (or varlong: the encoding is the same) of ``value``."""
    if -1 <= value <= VARINT_TABLE_MAX:
        return VARINTS[value + 1]
    return _encode_unsigned(_zigzag(value))


def varint_size(value: int) -> int:
    """Bytes the zig-zag varint of ``value`` takes (ByteUtils.sizeOfVarint/Varlong)."""
    if -1 <= value <= VARINT_TABLE_MAX:
        return VARINT_SIZES[value + 1]
    z = _zigzag(value)
    return max(1, (z.bit_length() + 6) // 7)


def decode_varint(data: bytes | memoryview, pos: int) -> tuple[int, int]:
    """Read one zig-zag varint at ``pos``; returns (value, next position).

    Raises IndexError past the end of ``data`` and ValueError for more than
    10 bytes (longer than any varlong), which callers turn into corruption errors.
    """
    b = data[pos]
    if b < 0x80:
        return (b >> 1) ^ -(b & 1), pos + 1
    z = b & 0x7F
    shift = 7
    pos += 1
    while True:
        b = data[pos]
        pos += 1
        z |= (b & 0x7F) << shift
        if b < 0x80:
            return (z >> 1) ^ -(z & 1), pos
        shift += 7
        if shift > 63:
            raise ValueError("varint longer than 10 bytes")
