"""Writing records and batches: the records part, the header, the CRC (``DefaultRecord.writeTo``,
``DefaultRecordBatch.writeHeader``)."""

from __future__ import annotations

from typing import Final, Sequence

from crc32c import crc32c

from app.sim.records.header import (
    _CRC_COVERED,
    _PREFIX,
    LOG_OVERHEAD,
    MAGIC,
    NO_PRODUCER_EPOCH,
    NO_PRODUCER_ID,
    RECORD_BATCH_OVERHEAD,
    Header,
)
from app.sim.varint import VARINT_TABLE_MAX, VARINTS, encode_varint

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
