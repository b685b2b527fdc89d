"""Kafka topic ids (``org.apache.kafka.common.Uuid``) as the KIP-848 assignors see them.

A topic id is 128 bits, written as 22 characters of URL-safe base64 without
padding (``Uuid.toString``).  The assignors sort topic ids by ``Uuid.compareTo``
(most significant 64 bits, then least, each as a signed long) and iterate them
in HashMap order by ``Uuid.hashCode`` (the two halves xored, folded to 32 bits).
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

__all__ = ["uuid_bits", "uuid_to_string", "uuid_sort_key", "uuid_hash"]


def _signed64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


@lru_cache(maxsize=4096)
def uuid_bits(topic_id: str) -> tuple[int, int]:
    """(mostSignificantBits, leastSignificantBits) as signed longs; ValueError if not a Kafka Uuid.

    Like ``Uuid.fromString``: URL-safe base64 of exactly 16 bytes, padding optional.
    """
    if not isinstance(topic_id, str) or len(topic_id) > 24:
        raise ValueError(f"topic id {topic_id!r} is not a Kafka Uuid (22 URL-safe base64 characters)")
    try:
        raw = base64.urlsafe_b64decode(topic_id + "=" * (-len(topic_id) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 16:
        raise ValueError(f"topic id {topic_id!r} is not a Kafka Uuid (22 URL-safe base64 characters)")
    return _signed64(int.from_bytes(raw[:8], "big")), _signed64(int.from_bytes(raw[8:], "big"))


def uuid_to_string(most: int, least: int) -> str:
    """``Uuid.toString`` of the two halves (signed or unsigned 64-bit values)."""
    raw = (most & (2**64 - 1)).to_bytes(8, "big") + (least & (2**64 - 1)).to_bytes(8, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def uuid_sort_key(topic_id: str) -> tuple[int, int]:
    """``Uuid.compareTo``."""
    return uuid_bits(topic_id)


def uuid_hash(topic_id: str) -> int:
    """``Uuid.hashCode``: (int) (xor >> 32) ^ (int) xor, xor = most ^ least."""
    most, least = uuid_bits(topic_id)
    xor = (most ^ least) & (2**64 - 1)
    h = ((xor >> 32) ^ xor) & 0xFFFFFFFF
    return h - (1 << 32) if h & 0x80000000 else h
