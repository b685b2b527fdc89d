"""Writing records and batches: the records part, the header, the CRC (``DefaultRecord.writeTo``,
``DefaultRecordBatch.writeHeader``)."""

from __future__ import annotations

from typing import Final, Sequence

from crc32c import crc32c

from app.sim.records.header import (
    CRC_COVERED,
    LOG_OVERHEAD,
    MAGIC,
    PREFIX,
    RECORD_BATCH_OVERHEAD,
    Header,
)
from app.sim.varint import VARINT_TABLE_MAX, VARINTS, encode_varint


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


class RecordSections:
    """Encoded pieces of one producer's recent records, reused from batch to batch.

    Key sections (the key's length varint and bytes) and value tails (the value's length
    varint, the value, and the header count 0).  A workload sends a fixed set of keys and
    cycles through a pool of at most 1024 values (app/sim/payloads.py), so most records find
    both here and are written as five pieces instead of seven, a third faster.  Only
    ``bytes`` keys and values up to MAX_BYTES long are kept, and a table is emptied when it
    reaches MAX_ENTRIES: with the value itself as the key and its tail as the entry, a table
    holds at most about 16 MiB, and usually well under 1 MiB.  Each producer (each lab
    session) has its own, so runs neither share nor crowd out each other's entries.
    """

    __slots__ = ("keys", "values")
    MAX_ENTRIES: Final = 2048
    MAX_BYTES: Final = 4096

    def __init__(self) -> None:
        self.keys: dict[bytes | None, bytes] = {}
        self.values: dict[bytes | None, bytes] = {}

    def key_section(self, key: bytes | None) -> bytes:
        section = b"\x01" if key is None else encode_varint(len(key)) + key  # a null key: length -1
        self._keep(self.keys, key, section)
        return section

    def value_tail(self, value: bytes | None) -> bytes:
        tail = b"\x01\x00" if value is None else b"".join((encode_varint(len(value)), value, b"\x00"))
        self._keep(self.values, value, tail)
        return tail

    def _keep(self, table: dict[bytes | None, bytes], raw: bytes | None, encoded: bytes) -> None:
        # Only bytes (and None): a bytearray cannot be a key, and a memoryview would keep its buffer alive.
        if raw is None or (type(raw) is bytes and len(raw) <= self.MAX_BYTES):
            if len(table) >= self.MAX_ENTRIES:
                table.clear()
            table[raw] = encoded


def encode_records(
    keys: list[bytes | None],
    values: list[bytes | None],
    ts_deltas: list[int],
    headers: dict[int, Sequence[Header]],
    sections: RecordSections,
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
    key_sections = sections.keys
    value_tails = sections.values
    # Per distinct timestamp delta: b"\x00" (record attributes, unused) and the delta's varint.
    ts_parts: dict[int, bytes] = {}
    for offset_delta, (key, value, ts_delta) in enumerate(zip(keys, values, ts_deltas)):
        key_part = key_sections.get(key)
        if key_part is None:
            key_part = sections.key_section(key)
        if headers and offset_delta in headers:
            value_part = b"".join((b"\x01" if value is None else encode_varint(len(value)) + value,
                                   _encode_headers(headers[offset_delta])))
        else:
            value_part = value_tails.get(value)
            if value_part is None:
                value_part = sections.value_tail(value)
        ts_part = ts_parts.get(ts_delta)
        if ts_part is None:
            ts_part = ts_parts[ts_delta] = b"\x00" + encode_varint(ts_delta)
        od = table[offset_delta + 1] if offset_delta <= top else encode_varint(offset_delta)
        body = len(ts_part) + len(od) + len(key_part) + len(value_part)
        extend((table[body + 1] if body <= top else encode_varint(body), ts_part, od, key_part, value_part))
    return b"".join(parts)


def assemble_batch(
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
    covered = CRC_COVERED.pack(
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
    prefix = PREFIX.pack(base_offset, batch_length, partition_leader_epoch, MAGIC, crc)
    return b"".join((prefix, covered, records_part))
