"""Reading v2 batches back: CRC check, decompression, records (``DefaultRecordBatch`` iteration)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from crc32c import crc32c

from app.sim.compression import CODEC_BY_ID, decompress
from app.sim.records.header import (
    ATTRIBUTES_OFFSET,
    LOG_OVERHEAD,
    MAGIC,
    RECORD_BATCH_OVERHEAD,
    TIMESTAMP_TYPE_MASK,
    BatchHeader,
    CorruptRecordException,
    Header,
    read_batch_header,
)
from app.sim.varint import decode_varint


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


class RecordBatch(BatchHeader):
    """A decoded, CRC-checked v2 batch (DefaultRecordBatch): its header's fields, and its records.

    The header's fields come from :class:`BatchHeader` (a named tuple, so equality and
    the repr cover the header); ``records`` is an attribute of its own.
    """

    records: list[Record]

    @classmethod
    def of(cls, header: BatchHeader, records: list[Record]) -> RecordBatch:
        batch = cls._make(header)
        batch.records = records
        return batch


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
    log_append_time = header.attributes & TIMESTAMP_TYPE_MASK
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
    computed = crc32c(view[start + ATTRIBUTES_OFFSET : start + total])
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
    batch = RecordBatch.of(header, _read_records(payload, header))
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
