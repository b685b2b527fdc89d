"""The 61-byte v2 batch header: constants, layout, and the fields the broker rewrites.

Models ``DefaultRecordBatch``'s header (see the package docstring for the byte layout).
"""

from __future__ import annotations

import struct
from typing import Final, NamedTuple

from app.sim.compression import CODEC_BY_ID

RECORD_BATCH_OVERHEAD: Final = 61
# 5 bytes length + 1 attributes + 10 timestamp delta + 5 offset delta (DefaultRecord).
MAX_RECORD_OVERHEAD: Final = 21
LOG_OVERHEAD: Final = 12  # baseOffset + batchLength: not counted in batchLength
MAGIC: Final = 2
NO_TIMESTAMP: Final = -1
NO_PRODUCER_ID: Final = -1
NO_PRODUCER_EPOCH: Final = -1
NO_SEQUENCE: Final = -1
NO_PARTITION_LEADER_EPOCH: Final = -1

TIMESTAMP_TYPE_MASK: Final = 0x08
TRANSACTIONAL_MASK: Final = 0x10
CONTROL_MASK: Final = 0x20
CRC_OFFSET: Final = 17
ATTRIBUTES_OFFSET: Final = 21

_HEADER: Final = struct.Struct(">qiibIhiqqqhii")
PREFIX: Final = struct.Struct(">qiibI")  # baseOffset .. crc
CRC_COVERED: Final = struct.Struct(">hiqqqhii")  # attributes .. recordsCount
_pack_int64: Final = struct.Struct(">q").pack
_pack_int32: Final = struct.Struct(">i").pack
assert _HEADER.size == RECORD_BATCH_OVERHEAD

Header = tuple[str, "bytes | None"]


class CorruptRecordException(ValueError):
    """Kafka's CorruptRecordException: the bytes are not a valid v2 batch."""


class _HeaderTuple(NamedTuple):
    base_offset: int
    batch_length: int
    partition_leader_epoch: int
    magic: int
    crc: int
    attributes: int
    last_offset_delta: int
    base_timestamp: int
    max_timestamp: int
    producer_id: int
    producer_epoch: int
    base_sequence: int
    records_count: int


class BatchHeader(_HeaderTuple):
    """The 61-byte header of a v2 batch, unpacked without checking the CRC, and the values
    Kafka derives from it (DefaultRecordBatch's compressionType(), lastOffset(), ...)."""

    __slots__ = ()

    @property
    def compression_type(self) -> str:
        return CODEC_BY_ID.get(self.attributes & 0x07, f"unknown({self.attributes & 0x07})")

    @property
    def timestamp_type(self) -> str:
        return "LogAppendTime" if self.attributes & TIMESTAMP_TYPE_MASK else "CreateTime"

    @property
    def is_transactional(self) -> bool:
        return bool(self.attributes & TRANSACTIONAL_MASK)

    @property
    def is_control(self) -> bool:
        return bool(self.attributes & CONTROL_MASK)

    @property
    def last_offset(self) -> int:
        return self.base_offset + self.last_offset_delta

    @property
    def next_offset(self) -> int:
        return self.last_offset + 1

    @property
    def size_in_bytes(self) -> int:
        return self.batch_length + LOG_OVERHEAD


def read_batch_header(data: bytes | bytearray | memoryview) -> BatchHeader:
    """Unpack the first 61 bytes; cheap (one struct call), no CRC check."""
    if len(data) < RECORD_BATCH_OVERHEAD:
        raise CorruptRecordException(
            f"truncated: need {RECORD_BATCH_OVERHEAD} bytes for a batch header, have {len(data)}"
        )
    return BatchHeader._make(_HEADER.unpack_from(data))


def with_base_offset(data: bytes, base_offset: int, partition_leader_epoch: int | None = None) -> bytes:
    """The same batch with the broker's offsets (and leader epoch) filled in.

    Both fields sit before the CRC's range (it starts at attributes, byte 21),
    which is why DefaultRecordBatch placed them there: the leader assigns them
    on every append without recomputing the checksum.
    """
    # A memoryview of the rest: one copy of the batch (into the result), not two.
    if partition_leader_epoch is None:
        return b"".join((_pack_int64(base_offset), memoryview(data)[8:]))
    return b"".join((_pack_int64(base_offset), data[8:12], _pack_int32(partition_leader_epoch), memoryview(data)[16:]))
