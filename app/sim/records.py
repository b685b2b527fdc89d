"""Kafka's v2 record batch (magic 2): exact bytes, sizes and the producer's size estimate.

Models ``DefaultRecordBatch``/``DefaultRecord`` (layout, CRC-32C, varints),
``MemoryRecordsBuilder`` (:class:`BatchBuilder`: the "does the next record fit"
rule and the compression ratio it reports) and
``AbstractRecords.estimateSizeInBytesUpperBound``.  Leaves out the legacy
formats (magic 0 and 1), control-record payloads and log-append-time rewriting.

Batch header, 61 bytes, big-endian::

    0  baseOffset            int64   \\ outside the CRC: the broker rewrites
    8  batchLength           int32    | these two on append without
    12 partitionLeaderEpoch  int32   /  recomputing it
    16 magic                 int8 = 2
    17 crc                   uint32  CRC-32C of bytes 21..end
    21 attributes            int16   codec (bits 0-2), timestamp type (3),
                                     transactional (4), control (5)
    23 lastOffsetDelta       int32
    27 baseTimestamp         int64   the first record's timestamp
    35 maxTimestamp          int64
    43 producerId            int64
    51 producerEpoch         int16
    53 baseSequence          int32
    57 recordsCount          int32
    61 records               (compressed as one block when a codec is set)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Final, NamedTuple, Sequence

from crc32c import crc32c

from app.sim.compression import (
    CODEC_BY_ID,
    CODEC_IDS,
    compress,
    decompress,
    to_float32,
    validate_level,
)
from app.sim.varint import VARINT_SIZES, VARINT_TABLE_MAX, VARINTS, decode_varint, encode_varint, varint_size

__all__ = [
    "RECORD_BATCH_OVERHEAD",
    "MAX_RECORD_OVERHEAD",
    "NO_TIMESTAMP",
    "NO_PRODUCER_ID",
    "NO_PRODUCER_EPOCH",
    "NO_SEQUENCE",
    "NO_PARTITION_LEADER_EPOCH",
    "CorruptRecordException",
    "BatchHeader",
    "Record",
    "RecordBatch",
    "BatchBuilder",
    "encode_batch",
    "decode_batch",
    "decode_batches",
    "read_batch_header",
    "with_base_offset",
    "record_size_in_bytes",
    "estimate_size_upper_bound",
]

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

_TIMESTAMP_TYPE_MASK: Final = 0x08
_TRANSACTIONAL_MASK: Final = 0x10
_CONTROL_MASK: Final = 0x20
_CRC_OFFSET: Final = 17
_ATTRIBUTES_OFFSET: Final = 21
# Java's float 1.05f, as MemoryRecordsBuilder.COMPRESSION_RATE_ESTIMATION_FACTOR.
_ESTIMATION_FACTOR: Final = to_float32(1.05)

_HEADER: Final = struct.Struct(">qiibIhiqqqhii")
_PREFIX: Final = struct.Struct(">qiibI")  # baseOffset .. crc
_CRC_COVERED: Final = struct.Struct(">hiqqqhii")  # attributes .. recordsCount
_pack_int64: Final = struct.Struct(">q").pack
_pack_int32: Final = struct.Struct(">i").pack
assert _HEADER.size == RECORD_BATCH_OVERHEAD

Header = tuple[str, "bytes | None"]


class CorruptRecordException(ValueError):
    """Kafka's CorruptRecordException: the bytes are not a valid v2 batch."""


# --- header ---------------------------------------------------------------


class _BatchFields:
    """Derived views shared by :class:`BatchHeader` and :class:`RecordBatch`."""

    __slots__ = ()
    attributes: int
    base_offset: int
    last_offset_delta: int
    batch_length: int

    @property
    def compression_type(self) -> str:
        return CODEC_BY_ID.get(self.attributes & 0x07, f"unknown({self.attributes & 0x07})")

    @property
    def timestamp_type(self) -> str:
        return "LogAppendTime" if self.attributes & _TIMESTAMP_TYPE_MASK else "CreateTime"

    @property
    def is_transactional(self) -> bool:
        return bool(self.attributes & _TRANSACTIONAL_MASK)

    @property
    def is_control(self) -> bool:
        return bool(self.attributes & _CONTROL_MASK)

    @property
    def last_offset(self) -> int:
        return self.base_offset + self.last_offset_delta

    @property
    def next_offset(self) -> int:
        return self.last_offset + 1

    @property
    def size_in_bytes(self) -> int:
        return self.batch_length + LOG_OVERHEAD


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


class BatchHeader(_HeaderTuple, _BatchFields):
    """The 61-byte header of a v2 batch, unpacked without checking the CRC."""

    __slots__ = ()


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


# --- sizes ----------------------------------------------------------------


def _headers_size(headers: Sequence[Header]) -> int:
    size = varint_size(len(headers))
    for key, value in headers:
        if key is None:
            raise ValueError("Invalid null header key found in headers")
        n = len(key.encode("utf-8"))
        size += varint_size(n) + n
        size += 1 if value is None else varint_size(len(value)) + len(value)
    return size


def _key_value_headers_size(key: bytes | None, value: bytes | None, headers: Sequence[Header]) -> int:
    size = 1 if key is None else varint_size(len(key)) + len(key)
    size += 1 if value is None else varint_size(len(value)) + len(value)
    return size + (_headers_size(headers) if headers else 1)


def record_size_in_bytes(
    offset_delta: int,
    timestamp_delta: int,
    key: bytes | None,
    value: bytes | None,
    headers: Sequence[Header] = (),
) -> int:
    """DefaultRecord.sizeInBytes: the whole record, its own length varint included."""
    body = 1 + varint_size(offset_delta) + varint_size(timestamp_delta)
    body += _key_value_headers_size(key, value, headers)
    return varint_size(body) + body


def estimate_size_upper_bound(key: bytes | None, value: bytes | None, headers: Sequence[Header] = ()) -> int:
    """AbstractRecords.estimateSizeInBytesUpperBound for v2: 61 + 21 + key, value, headers.

    The accumulator allocates max(batch.size, this) for a new batch, so one
    record bigger than batch.size still gets a batch of its own.
    """
    return RECORD_BATCH_OVERHEAD + MAX_RECORD_OVERHEAD + _key_value_headers_size(key, value, headers)


def _body_size(
    ts_delta: int,
    offset_delta: int,
    key: bytes | None,
    value: bytes | None,
    headers: Sequence[Header],
    sizes: list[int] = VARINT_SIZES,
    top: int = VARINT_TABLE_MAX,
) -> int:
    """DefaultRecord.sizeOfBodyInBytes with table lookups: runs once per produced record."""
    body = 1 + (sizes[ts_delta + 1] if -1 <= ts_delta <= top else varint_size(ts_delta))
    body += sizes[offset_delta + 1] if offset_delta <= top else varint_size(offset_delta)
    if key is None:
        body += 1
    else:
        n = len(key)
        body += (sizes[n + 1] if n <= top else varint_size(n)) + n
    if value is None:
        body += 1
    else:
        n = len(value)
        body += (sizes[n + 1] if n <= top else varint_size(n)) + n
    return body + (_headers_size(headers) if headers else 1)


def _with_length(body: int, sizes: list[int] = VARINT_SIZES, top: int = VARINT_TABLE_MAX) -> int:
    """A record's size from its body's: the length varint comes on top."""
    return (sizes[body + 1] if body <= top else varint_size(body)) + body


# --- encoding -------------------------------------------------------------


def _encode_headers(headers: Sequence[Header]) -> bytes:
    parts = [encode_varint(len(headers))]
    for key, value in headers:
        if key is None:
            raise ValueError("Invalid null header key found in headers")
        raw = key.encode("utf-8")
        parts.append(encode_varint(len(raw)))
        parts.append(raw)
        if value is None:
            parts.append(b"\x01")
        else:
            parts.append(encode_varint(len(value)))
            parts.append(value)
    return b"".join(parts)


# Encoded pieces of recent records, shared by every batch: key sections (the key's length
# varint and bytes) and value tails (the value's length varint, the value, and the header
# count 0).  A workload sends a fixed set of keys and cycles through a pool of values
# (app/sim/payloads.py), so most records find both here and are written as five pieces
# instead of seven, a third faster.  Only values up to _CACHED_VALUE_MAX bytes are kept, and
# each table is emptied when it reaches _CACHED_SECTIONS entries: at most about 8 MiB.
_KEY_SECTIONS: dict[bytes | None, bytes] = {}
_VALUE_TAILS: dict[bytes | None, bytes] = {}
_CACHED_SECTIONS: Final = 2048
_CACHED_VALUE_MAX: Final = 4096


def _key_section(key: bytes | None) -> bytes:
    if len(_KEY_SECTIONS) >= _CACHED_SECTIONS:
        _KEY_SECTIONS.clear()
    section = _KEY_SECTIONS[key] = b"\x01" if key is None else encode_varint(len(key)) + key
    return section


def _value_tail(value: bytes | None) -> bytes:
    """The value section and an empty header count; kept for small values."""
    if value is None:
        return b"\x01\x00"
    tail = b"".join((encode_varint(len(value)), value, b"\x00"))
    if len(value) <= _CACHED_VALUE_MAX:
        if len(_VALUE_TAILS) >= _CACHED_SECTIONS:
            _VALUE_TAILS.clear()
        _VALUE_TAILS[value] = tail
    return tail


def _encode_records(
    keys: list[bytes | None],
    values: list[bytes | None],
    ts_deltas: list[int],
    headers: dict[int, Sequence[Header]],
) -> bytes:
    """Records part of a batch: one pass, one join.

    The builder keeps keys, values and timestamp deltas in parallel lists (no
    object per record); the offset delta is the position.  A record is its
    body's length varint, then attributes (0) with the timestamp delta, the
    offset delta, the key section and the value tail, and its body size comes
    from those pieces' lengths, as DefaultRecord.writeTo computes it.
    Example: key b"key-7" (5 bytes) and a 100-byte value at offset delta 3,
    timestamp delta 0 give a body of 2 + 1 + (1 + 5) + (2 + 100 + 1) = 112
    bytes, written after its two-byte length varint.
    """
    parts: list[bytes] = []
    extend = parts.extend
    table = VARINTS
    top = VARINT_TABLE_MAX
    key_sections = _KEY_SECTIONS
    value_tails = _VALUE_TAILS
    # Per distinct timestamp delta: b"\x00" (record attributes, unused) and the delta's varint.
    ts_parts: dict[int, bytes] = {}
    for offset_delta, (key, value, ts_delta) in enumerate(zip(keys, values, ts_deltas)):
        key_part = key_sections.get(key)
        if key_part is None:
            key_part = _key_section(key)
        if headers and offset_delta in headers:
            value_part = b"".join((b"\x01" if value is None else encode_varint(len(value)) + value,
                                   _encode_headers(headers[offset_delta])))
        else:
            value_part = value_tails.get(value)  # type: ignore[arg-type]
            if value_part is None:
                value_part = _value_tail(value)
        ts_part = ts_parts.get(ts_delta)
        if ts_part is None:
            ts_part = ts_parts[ts_delta] = b"\x00" + encode_varint(ts_delta)
        od = table[offset_delta + 1] if offset_delta <= top else encode_varint(offset_delta)
        body = len(ts_part) + len(od) + len(key_part) + len(value_part)
        extend((table[body + 1] if body <= top else encode_varint(body), ts_part, od, key_part, value_part))
    return b"".join(parts)


def _assemble(
    records_part: bytes,
    *,
    attributes: int,
    count: int,
    base_offset: int,
    partition_leader_epoch: int,
    base_timestamp: int,
    max_timestamp: int,
    producer_id: int,
    producer_epoch: int,
    base_sequence: int,
) -> bytes:
    covered = _CRC_COVERED.pack(
        attributes,
        count - 1,
        base_timestamp,
        max_timestamp,
        producer_id,
        producer_epoch,
        base_sequence,
        count,
    )
    crc = crc32c(records_part, crc32c(covered))
    batch_length = RECORD_BATCH_OVERHEAD - LOG_OVERHEAD + len(records_part)
    prefix = _PREFIX.pack(base_offset, batch_length, partition_leader_epoch, MAGIC, crc)
    return b"".join((prefix, covered, records_part))


def _validate_producer_state(
    producer_id: int, producer_epoch: int, base_sequence: int, is_transactional: bool
) -> None:
    # MemoryRecordsBuilder.validateProducerState, with its messages.
    if is_transactional and producer_id == NO_PRODUCER_ID:
        raise ValueError("Cannot write transactional messages without a valid producer ID")
    if producer_id != NO_PRODUCER_ID:
        if producer_epoch == NO_PRODUCER_EPOCH:
            raise ValueError("Invalid negative producer epoch")
        if base_sequence < 0:
            raise ValueError("Invalid negative sequence number used")


class BatchBuilder:
    """MemoryRecordsBuilder for one producer batch (v2, CreateTime, not control).

    ``append`` only stores the record and adds its exact uncompressed size;
    encoding and compression happen once, in ``close``.  Leaves out legacy
    magic, control records and log-append time.
    """

    __slots__ = (
        "compression_type",
        "compression_level",
        "write_limit",
        "estimated_compression_ratio",
        "record_count",
        "uncompressed_records_size",
        "first_timestamp",
        "max_timestamp",
        "compression_ratio",
        "size_in_bytes",
        "_codec_id",
        "_keys",
        "_values",
        "_ts_deltas",
        "_headers",
        "_append_closed",
        "_records_part",
        "_built",
        "_estimate_for",
        "_estimate",
        "_ratio_times_factor",
    )

    def __init__(
        self,
        compression_type: str = "none",
        compression_level: int | None = None,
        batch_size_limit: int = 16384,
        base_timestamp: int | None = None,
        estimated_compression_ratio: float = 1.0,
    ) -> None:
        # Raises for an unknown codec or a level out of range, naming the valid ones.
        self.compression_level = validate_level(compression_type, compression_level)
        self.compression_type = compression_type
        self.write_limit = batch_size_limit
        self.set_estimated_compression_ratio(estimated_compression_ratio)
        self.record_count = 0
        self.uncompressed_records_size = 0  # record bytes before compression, length varints included
        self.first_timestamp: int | None = base_timestamp
        self.max_timestamp = NO_TIMESTAMP
        self.compression_ratio = 1.0
        self.size_in_bytes = 0
        self._codec_id = CODEC_IDS[compression_type]
        # Parallel lists, one slot per record (no tuple per record); headers only where present.
        self._keys: list[bytes | None] = []
        self._values: list[bytes | None] = []
        self._ts_deltas: list[int] = []
        self._headers: dict[int, Sequence[Header]] = {}
        self._append_closed = False
        self._records_part: bytes | None = None
        self._built: bytes | None = None
        self._estimate_for = -1
        self._estimate = RECORD_BATCH_OVERHEAD

    def set_estimated_compression_ratio(self, ratio: float) -> None:
        """MemoryRecordsBuilder.setEstimatedCompressionRatio (a Java float)."""
        self.estimated_compression_ratio = to_float32(ratio)
        self._ratio_times_factor = self.estimated_compression_ratio * _ESTIMATION_FACTOR
        self._estimate_for = -1

    # -- filling --

    def append(
        self, timestamp: int, key: bytes | None, value: bytes | None, headers: Sequence[Header] = ()
    ) -> None:
        """Add a record at the next offset delta (MemoryRecordsBuilder.append)."""
        if self._append_closed:
            raise RuntimeError("Tried to append a record, but MemoryRecordsBuilder is closed for record appends")
        first = self.first_timestamp
        if first is None:
            first = self.first_timestamp = timestamp
        ts_delta = timestamp - first
        body = _body_size(ts_delta, self.record_count, key, value, headers)
        self._add(timestamp, ts_delta, key, value, headers, body)

    def try_append(
        self, timestamp: int, key: bytes | None, value: bytes | None, headers: Sequence[Header] = ()
    ) -> bool:
        """has_room_for and append in one (ProducerBatch.tryAppend): sizes the record once."""
        if self._append_closed:
            return False
        first = self.first_timestamp
        if first is None:
            first = self.first_timestamp = timestamp
        ts_delta = timestamp - first
        count = self.record_count
        body = _body_size(ts_delta, count, key, value, headers)
        if count and not self._fits(_with_length(body)):
            return False
        self._add(timestamp, ts_delta, key, value, headers, body)
        return True

    def _add(
        self,
        timestamp: int,
        ts_delta: int,
        key: bytes | None,
        value: bytes | None,
        headers: Sequence[Header],
        body: int,
    ) -> None:
        if headers:
            self._headers[self.record_count] = headers
        self._keys.append(key)
        self._values.append(value)
        self._ts_deltas.append(ts_delta)
        self.uncompressed_records_size += _with_length(body)
        self.record_count += 1
        if timestamp > self.max_timestamp:
            self.max_timestamp = timestamp

    def extend_sized(
        self, timestamp: int, keys: list[bytes | None], values: list[bytes | None], added_bytes: int
    ) -> None:
        """Append records (no headers) that the caller already sized and found to fit, all at ``timestamp``.

        For the producer's bulk path (KafkaProducer.send_run), which applies the
        same rule as ``try_append`` record by record (``fits_uncompressed`` on a
        near tie) and hands over a whole run at once; ``added_bytes`` is the sum
        of the records' sizes, length varints included.
        """
        n = len(keys)
        if not n:
            return
        first = self.first_timestamp
        if first is None:
            first = self.first_timestamp = timestamp
        self._keys.extend(keys)
        self._values.extend(values)
        self._ts_deltas.extend([timestamp - first] * n)
        self.uncompressed_records_size += added_bytes
        self.record_count += n
        if timestamp > self.max_timestamp:
            self.max_timestamp = timestamp

    def fits_uncompressed(self, size: int, uncompressed: int) -> bool:
        """The exact ``_fits`` rule for a record of ``size`` bytes after ``uncompressed`` record bytes."""
        room = self.write_limit - RECORD_BATCH_OVERHEAD - size
        if self._codec_id == 0:
            return room >= uncompressed
        scaled = to_float32(to_float32(uncompressed * self.estimated_compression_ratio) * _ESTIMATION_FACTOR)
        return room >= int(scaled)

    def bulk_state(self, timestamp: int) -> tuple[int, int, int, float, int] | None:
        """What a bulk appender needs to apply ``try_append``'s rule itself, or None once closed.

        (record_count, uncompressed_records_size, write limit - 61, estimated ratio *
        1.05 or 0.0 without a codec, the bytes every record at ``timestamp`` spends
        outside its key and value: attributes, timestamp delta varint, header count).
        """
        if self._append_closed:
            return None
        first = self.first_timestamp
        ts_delta = 0 if first is None else timestamp - first
        return (
            self.record_count,
            self.uncompressed_records_size,
            self.write_limit - RECORD_BATCH_OVERHEAD,
            self._ratio_times_factor if self._codec_id else 0.0,
            2 + varint_size(ts_delta),
        )

    def _estimated_bytes_written(self) -> int:
        uncompressed = self.uncompressed_records_size
        if self._codec_id == 0:
            return RECORD_BATCH_OVERHEAD + uncompressed
        if uncompressed != self._estimate_for:
            # (int) (uncompressed * ratio * 1.05f), each product rounded to a Java float.
            scaled = to_float32(to_float32(uncompressed * self.estimated_compression_ratio) * _ESTIMATION_FACTOR)
            self._estimate = RECORD_BATCH_OVERHEAD + int(scaled)
            self._estimate_for = uncompressed
        return self._estimate

    def is_full(self) -> bool:
        # The write limit only counts once a record is in: batch.size=0 still sends one-record batches.
        if self._append_closed:
            return True
        return self.record_count > 0 and self.write_limit <= self._estimated_bytes_written()

    def has_room_for(
        self, timestamp: int, key: bytes | None, value: bytes | None, headers: Sequence[Header] = ()
    ) -> bool:
        """MemoryRecordsBuilder.hasRoomFor: the first record always fits.

        Later ones fit while estimate + the new record's exact size stays
        within the write limit; the new record's own compression is ignored.
        Example (none, batch.size 16384, null key, 100-byte value): a record
        takes 109 bytes, 110 from offset delta 64 on (two-byte varint), so
        61 + 64 * 109 + 84 * 110 = 16277 bytes hold 148 records and the 149th
        would make 16387.
        """
        if self._append_closed:
            return False
        count = self.record_count
        if count == 0:
            return True
        first = self.first_timestamp
        ts_delta = 0 if first is None else timestamp - first
        return self._fits(_with_length(_body_size(ts_delta, count, key, value, headers)))

    def _fits(self, size: int) -> bool:
        # Kafka also checks isFull() first, but a record that fits implies the
        # batch was not full (size > 0), so one comparison decides both.
        room = self.write_limit - RECORD_BATCH_OVERHEAD - size
        uncompressed = self.uncompressed_records_size
        if self._codec_id == 0:
            return room >= uncompressed
        # Java rounds both products to a float; a double is within 2e-7
        # relative of that, so only a near tie needs the exact float path.
        approx = uncompressed * self._ratio_times_factor
        if approx < 16_000_000:
            if room - approx > 4:
                return True
            if room - approx < -4:
                return False
        return room + RECORD_BATCH_OVERHEAD >= self._estimated_bytes_written()

    def estimated_size_in_bytes(self) -> int:
        """Exact once closed or when not compressing; the estimate otherwise."""
        if self._built is not None:
            return len(self._built)
        return self._estimated_bytes_written()

    def uncompressed_bytes_written(self) -> int:
        return self.uncompressed_records_size + RECORD_BATCH_OVERHEAD

    def close_for_record_appends(self) -> None:
        self._append_closed = True

    # -- building --

    def close(
        self,
        base_offset: int = 0,
        producer_id: int = NO_PRODUCER_ID,
        producer_epoch: int = NO_PRODUCER_EPOCH,
        base_sequence: int = NO_SEQUENCE,
        partition_leader_epoch: int = NO_PARTITION_LEADER_EPOCH,
        is_transactional: bool = False,
    ) -> bytes:
        """Encode and compress for real; sets ``compression_ratio`` and ``size_in_bytes``.

        ``compression_ratio`` is MemoryRecordsBuilder's actualCompressionRatio:
        (batch size - 61) / uncompressed record bytes as a Java float, 1.0 for
        an empty builder.  Closing again (a retry with new producer state)
        reuses the compressed records and only rewrites the header.
        """
        _validate_producer_state(producer_id, producer_epoch, base_sequence, is_transactional)
        self._append_closed = True
        if self.record_count == 0:
            self._built = b""
            self.size_in_bytes = 0
            return b""
        if self._records_part is None:
            raw = _encode_records(self._keys, self._values, self._ts_deltas, self._headers)
            if self._codec_id:
                self._records_part = compress(self.compression_type, raw, self.compression_level)
            else:
                self._records_part = raw
            self.compression_ratio = to_float32(len(self._records_part) / self.uncompressed_records_size)
        attributes = self._codec_id | (_TRANSACTIONAL_MASK if is_transactional else 0)
        built = _assemble(
            self._records_part,
            attributes=attributes,
            count=self.record_count,
            base_offset=base_offset,
            partition_leader_epoch=partition_leader_epoch,
            base_timestamp=self.first_timestamp,  # type: ignore[arg-type]
            max_timestamp=self.max_timestamp,
            producer_id=producer_id,
            producer_epoch=producer_epoch,
            base_sequence=base_sequence,
        )
        self._built = built
        self.size_in_bytes = len(built)
        return built


def encode_batch(
    records: Sequence[tuple[bytes | None, bytes | None, int, Sequence[Header]]],
    compression_type: str = "none",
    base_offset: int = 0,
    producer_id: int = NO_PRODUCER_ID,
    producer_epoch: int = NO_PRODUCER_EPOCH,
    base_sequence: int = NO_SEQUENCE,
    partition_leader_epoch: int = NO_PARTITION_LEADER_EPOCH,
    is_transactional: bool = False,
    compression_level: int | None = None,
    base_timestamp: int | None = None,
) -> bytes:
    """One v2 batch holding ``records``, each (key, value, timestamp_ms, headers).

    ``base_timestamp`` defaults to the first record's timestamp, as the Java
    builder sets it.  No records gives b"" (MemoryRecords.EMPTY).
    """
    builder = BatchBuilder(compression_type, compression_level, 0x7FFFFFFF, base_timestamp)
    append = builder.append
    for key, value, timestamp, headers in records:
        append(timestamp, key, value, headers)
    return builder.close(
        base_offset=base_offset,
        producer_id=producer_id,
        producer_epoch=producer_epoch,
        base_sequence=base_sequence,
        partition_leader_epoch=partition_leader_epoch,
        is_transactional=is_transactional,
    )


# --- decoding -------------------------------------------------------------


@dataclass(slots=True)
class Record:
    """One record of a decoded batch (DefaultRecord), with absolute offset and timestamp."""

    offset: int
    timestamp: int
    key: bytes | None
    value: bytes | None
    headers: list[Header]
    offset_delta: int
    timestamp_delta: int
    attributes: int = 0


@dataclass(slots=True)
class RecordBatch(_BatchFields):
    """A decoded, CRC-checked v2 batch (DefaultRecordBatch) and its records."""

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
    records: list[Record] = field(default_factory=list)


# Zig-zag values of one-byte varints: most deltas and short lengths.
_ONE_BYTE: Final = [(b >> 1) ^ -(b & 1) for b in range(0x80)]


def _read_records(payload: bytes, header: BatchHeader) -> list[Record]:
    records: list[Record] = []
    append = records.append
    one = _ONE_BYTE
    read = decode_varint
    pos = 0
    end_of_payload = len(payload)
    base_offset = header.base_offset
    base_timestamp = header.base_timestamp
    log_append_time = header.attributes & _TIMESTAMP_TYPE_MASK
    for index in range(header.records_count):
        try:
            length, pos = read(payload, pos)
            end = pos + length
            if length < 0 or end > end_of_payload:
                raise CorruptRecordException(
                    f"truncated: record {index} needs {length} bytes, have {end_of_payload - pos}"
                )
            attributes = payload[pos]
            # One-byte varints inline (no call); longer ones through decode_varint.
            b = payload[pos + 1]
            if b < 0x80:
                ts_delta, pos = one[b], pos + 2
            else:
                ts_delta, pos = read(payload, pos + 1)
            b = payload[pos]
            if b < 0x80:
                offset_delta, pos = one[b], pos + 1
            else:
                offset_delta, pos = read(payload, pos)
            b = payload[pos]
            if b < 0x80:
                key_len, pos = one[b], pos + 1
            else:
                key_len, pos = read(payload, pos)
            key = None
            if key_len >= 0:
                key = payload[pos : pos + key_len]
                pos += key_len
            value_len, pos = read(payload, pos)
            value = None
            if value_len >= 0:
                value = payload[pos : pos + value_len]
                pos += value_len
            header_count = payload[pos]
            if header_count == 0:
                pos += 1
                headers: list[Header] = []
            else:
                header_count, pos = read(payload, pos)
                headers, pos = _read_headers(payload, pos, header_count, index)
        except (IndexError, ValueError) as exc:
            if isinstance(exc, CorruptRecordException):
                raise
            raise CorruptRecordException(f"record {index} is malformed: {exc}") from exc
        if pos != end:
            raise CorruptRecordException(
                f"record {index}: length field says {length} bytes but its fields use {length + pos - end}"
            )
        timestamp = header.max_timestamp if log_append_time else base_timestamp + ts_delta
        append(Record(base_offset + offset_delta, timestamp, key, value, headers, offset_delta, ts_delta, attributes))
    if pos != end_of_payload:
        raise CorruptRecordException(
            f"{end_of_payload - pos} bytes left over after the {header.records_count} records the header declares"
        )
    return records


def _read_headers(payload: bytes, pos: int, count: int, index: int) -> tuple[list[Header], int]:
    """The headers of record ``index`` and the position after them."""
    if count < 0:
        raise CorruptRecordException(f"record {index}: invalid number of record headers {count}")
    headers: list[Header] = []
    for _ in range(count):
        key_len, pos = decode_varint(payload, pos)
        if key_len < 0:
            raise CorruptRecordException(f"record {index}: null header key")
        key = payload[pos : pos + key_len].decode("utf-8")
        pos += key_len
        value_len, pos = decode_varint(payload, pos)
        value = None
        if value_len >= 0:
            value = payload[pos : pos + value_len]
            pos += value_len
        headers.append((key, value))
    return headers, pos


def _decode_one(data: bytes | memoryview, start: int) -> tuple[RecordBatch, int]:
    available = len(data) - start
    header = read_batch_header(data[start : start + RECORD_BATCH_OVERHEAD])
    if header.magic != MAGIC:
        raise CorruptRecordException(f"unsupported magic {header.magic}: only v2 batches (magic 2) are supported")
    total = header.batch_length + LOG_OVERHEAD
    if total < RECORD_BATCH_OVERHEAD:
        raise CorruptRecordException(
            f"batch length {header.batch_length} is smaller than the header's "
            f"{RECORD_BATCH_OVERHEAD - LOG_OVERHEAD}"
        )
    if available < total:
        raise CorruptRecordException(f"truncated: need {total} bytes, have {available}")
    view = memoryview(data)
    computed = crc32c(view[start + _ATTRIBUTES_OFFSET : start + total])
    if computed != header.crc:
        raise CorruptRecordException(f"CRC mismatch: stored {header.crc}, computed {computed}")
    codec_id = header.attributes & 0x07
    if codec_id not in CODEC_BY_ID:
        raise CorruptRecordException(f"unknown compression codec id {codec_id}; valid ids are 0..4")
    payload = bytes(view[start + RECORD_BATCH_OVERHEAD : start + total])
    if codec_id:
        try:
            payload = decompress(CODEC_BY_ID[codec_id], payload)
        except Exception as exc:  # every codec library raises its own error type
            raise CorruptRecordException(f"cannot decompress {CODEC_BY_ID[codec_id]} records: {exc}") from exc
    batch = RecordBatch(*header, records=_read_records(payload, header))
    return batch, start + total


def decode_batch(data: bytes | bytearray | memoryview) -> RecordBatch:
    """Decode and CRC-check the batch at the start of ``data`` (extra bytes after it are ignored)."""
    return _decode_one(data, 0)[0]


def decode_batches(data: bytes | bytearray | memoryview) -> list[RecordBatch]:
    """Decode back-to-back batches (a log segment or a fetched partition's records)."""
    batches = []
    pos = 0
    while pos < len(data):
        batch, pos = _decode_one(data, pos)
        batches.append(batch)
    return batches
