"""Writing what the log cleaner keeps of a batch: a real v2 batch with the surviving records.

Models ``MemoryRecords.filterTo`` with ``buildRetainedRecordsInto`` and
``DefaultRecordBatch.writeEmptyHeader``: a batch keeps its base offset, its last offset
(``overrideLastOffset``, so the producer's last sequence survives), its producer id, epoch and
base sequence, its partition leader epoch, its codec (recompressed at the codec's default
level, as ``Compression.of(type).build()``) and its attribute bits; the surviving records keep
their offsets and timestamps, written as deltas from the new base timestamp. A batch holding a
tombstone gets the delete horizon (KIP-534): the base timestamp becomes the horizon and the
attributes say so (bit 6). A batch the cleaner must keep with no record left (the last batch
of a producer, or of the cleaning round) is written as the bare 61-byte header.

When the log keeps sizes only (``keep_log_bytes=False``) no bytes are written: the new size is
estimated from the kept records' sizes (uncompressed: their sum; compressed: the batch's own
compression ratio applied to them).
"""

from __future__ import annotations

from crc32c import crc32c

from app.sim.compression import CODEC_BY_ID, compress
from app.sim.log import LogEntry
from app.sim.record_index import RecordIndex
from app.sim.records import decode_batch
from app.sim.records.encode import _encode_headers
from app.sim.records.header import (
    CONTROL_MASK,
    CRC_COVERED,
    LOG_OVERHEAD,
    MAGIC,
    NO_TIMESTAMP,
    PREFIX,
    RECORD_BATCH_OVERHEAD,
    TIMESTAMP_TYPE_MASK,
    TRANSACTIONAL_MASK,
    read_batch_header,
)
from app.sim.varint import encode_varint

#: DefaultRecordBatch.DELETE_HORIZON_FLAG_MASK: the base timestamp is the delete horizon.
DELETE_HORIZON_MASK = 0x40
_KEPT_BITS = TIMESTAMP_TYPE_MASK | TRANSACTIONAL_MASK | CONTROL_MASK


def _encode_record(offset_delta: int, timestamp_delta: int, key: bytes | None, value: bytes | None,
                   headers: list) -> bytes:
    """DefaultRecord.writeTo: length, attributes (0), timestamp delta, offset delta, key, value, headers."""
    body = b"".join((
        b"\x00", encode_varint(timestamp_delta), encode_varint(offset_delta),
        b"\x01" if key is None else encode_varint(len(key)) + key,
        b"\x01" if value is None else encode_varint(len(value)) + value,
        _encode_headers(headers),
    ))
    return encode_varint(len(body)) + body


def _assemble(records_part: bytes, attributes: int, last_offset_delta: int, base_timestamp: int, max_timestamp: int,
              count: int, header) -> bytes:
    covered = CRC_COVERED.pack(attributes, last_offset_delta, base_timestamp, max_timestamp, header.producer_id,
                               header.producer_epoch, header.base_sequence, count)
    crc = crc32c(records_part, crc32c(covered))
    prefix = PREFIX.pack(header.base_offset, RECORD_BATCH_OVERHEAD - LOG_OVERHEAD + len(records_part),
                         header.partition_leader_epoch, MAGIC, crc)
    return b"".join((prefix, covered, records_part))


def rewrite(entry: LogEntry, index: RecordIndex, positions: list[int], delete_horizon: int) -> LogEntry:
    """The batch with only the records at ``positions`` (of ``index``), ``delete_horizon`` (or -1) stamped."""
    kept = index.subset(positions)
    max_timestamp = max(kept.timestamps)
    data = None
    if entry.data is not None:
        data = _rewrite_bytes(entry.data, set(kept.deltas), delete_horizon)
        size = len(data)
    else:
        size = _estimated_size(entry, index, kept)
    rids = entry.record_ids
    return LogEntry(entry.base_offset, entry.last_offset, entry.epoch, data, [rids[i] for i in positions],
                    entry.producer_id, entry.producer_epoch, entry.base_sequence, entry.append_ms, size, max_timestamp,
                    kept, delete_horizon)


def _rewrite_bytes(data: bytes, deltas: set[int], delete_horizon: int) -> bytes:
    batch = decode_batch(data)
    records = [r for r in batch.records if r.offset_delta in deltas]
    base_timestamp = delete_horizon if delete_horizon >= 0 else records[0].timestamp
    part = b"".join(_encode_record(r.offset_delta, r.timestamp - base_timestamp, r.key, r.value, r.headers)
                    for r in records)
    codec_id = batch.attributes & 0x07
    if codec_id:
        part = compress(CODEC_BY_ID[codec_id], part)  # the codec's default level
    attributes = codec_id | (batch.attributes & _KEPT_BITS) | (DELETE_HORIZON_MASK if delete_horizon >= 0 else 0)
    return _assemble(part, attributes, batch.last_offset_delta, base_timestamp, max(r.timestamp for r in records),
                     len(records), batch)


def _estimated_size(entry: LogEntry, index: RecordIndex, kept: RecordIndex) -> int:
    total = sum(index.sizes)
    if not total:
        return RECORD_BATCH_OVERHEAD
    ratio = (entry.size - RECORD_BATCH_OVERHEAD) / total
    return RECORD_BATCH_OVERHEAD + round(sum(kept.sizes) * ratio)


def empty(entry: LogEntry) -> LogEntry:
    """DefaultRecordBatch.writeEmptyHeader: the header alone, uncompressed, no base timestamp, 0 records."""
    data = None
    if entry.data is not None:
        header = read_batch_header(entry.data)
        data = _assemble(b"", header.attributes & _KEPT_BITS, header.last_offset_delta, NO_TIMESTAMP,
                         header.max_timestamp, 0, header)
    empty_index = RecordIndex((), (), (), frozenset(), ())
    return LogEntry(entry.base_offset, entry.last_offset, entry.epoch, data, [], entry.producer_id, entry.producer_epoch,
                    entry.base_sequence, entry.append_ms, RECORD_BATCH_OVERHEAD, entry.max_timestamp, empty_index, -1)
