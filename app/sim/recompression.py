"""The leader rebuilding a produce request's batch with its topic's codec (topic ``compression.type``).

Models what ``UnifiedLog.append`` asks of ``LogValidator`` for a v2 batch:

- ``BrokerCompressionType.targetCompression`` with ``LogConfig.getCompression``: a topic's
  ``compression.type`` of ``producer`` keeps the producer's codec; ``uncompressed``, ``gzip``,
  ``snappy``, ``lz4`` or ``zstd`` is the codec stored, at the topic's ``compression.gzip.level``,
  ``compression.lz4.level`` or ``compression.zstd.level`` (KIP-390, 3.8+; the codec's default
  level where the topic has none, as before 3.8). Snappy has no level.
- ``validateMessagesAndAssignOffsetsCompressed``: in-place assignment (the producer's bytes
  stored as they came, only offsets and the leader epoch written) is possible when the source
  codec is the target codec; otherwise ``buildRecordsAndAssignOffsets`` rebuilds the batch with
  ``MemoryRecords.builder``: one batch, the same records (keys, values, headers, timestamps,
  consecutive offsets), the producer id, epoch, base sequence and transactional bit kept, the
  base timestamp the first record's, the max timestamp recomputed, the records compressed
  with the target codec, and a new CRC. An uncompressed control batch stays as it is.
- The rebuilt batch's size is checked against ``max.message.bytes`` again (``UnifiedLog.append``:
  "re-validate message sizes ... due to re-compression"): RecordTooLargeException,
  MESSAGE_TOO_LARGE.
- ``RecordValidationStats.numRecordsConverted`` is the rebuilt batch's record count, which
  ``KafkaApis.updateRecordConversionStats`` marks on BrokerTopicStats'
  ``ProduceMessageConversionsPerSec``: Kafka counts a recompression as a message conversion
  (LogValidator's comment: "we have to rebuild the records (including recompression if
  enabled)"); it has no meter of its own for it.

Followers copy the leader's batch as it is (they append with ``validateAndAssignOffsets=false``),
so they never recompress.
"""

from __future__ import annotations

from typing import Any, Final, Mapping

from app.sim.compression import validate_level
from app.sim.records import decode_batch, encode_batch
from app.sim.records.header import BatchHeader

__all__ = ["target_compression", "needs_rebuild", "rebuild"]

#: BrokerCompressionType names -> the codec a batch is stored with (``producer``: none forced).
_STORED_CODEC: Final = {"uncompressed": "none", "gzip": "gzip", "snappy": "snappy", "lz4": "lz4", "zstd": "zstd"}
#: The topic configs holding each codec's level (LogConfig.getCompression, KIP-390).
_LEVEL_CONFIG: Final = {"gzip": "compression.gzip.level", "lz4": "compression.lz4.level",
                        "zstd": "compression.zstd.level"}


def target_compression(topic_cfg: Mapping[str, Any]) -> tuple[str, int | None] | None:
    """The (codec, level) a topic forces on what it stores, or None for ``producer``."""
    codec = _STORED_CODEC.get(topic_cfg.get("compression.type", "producer"))
    if codec is None:
        return None
    level_key = _LEVEL_CONFIG.get(codec)
    return codec, validate_level(codec, topic_cfg.get(level_key) if level_key else None)


def needs_rebuild(header: BatchHeader, target: tuple[str, int | None] | None) -> bool:
    """LogValidator's "no in-place assignment" situation 1: the source codec is not the target's.

    (Situations 2 and 3, another magic or magic v0, do not arise: every batch here is v2.)
    """
    if target is None:
        return False
    source = header.compression_type
    if source == "none" and header.is_control:
        return False  # "Do not compress control records unless they are written compressed"
    return source != target[0]


def rebuild(data: bytes, target: tuple[str, int | None]) -> tuple[bytes, int]:
    """``buildRecordsAndAssignOffsets``: the batch's records in one new batch of the target codec.

    Returns the new batch (base offset 0 and no leader epoch yet: the caller writes both, as for
    any appended batch) and its record count, what Kafka counts as converted.
    """
    batch = decode_batch(data)
    codec, level = target
    records = [(r.key, r.value, r.timestamp, r.headers) for r in batch.records]
    rebuilt = encode_batch(records, compression_type=codec, compression_level=level,
                           producer_id=batch.producer_id, producer_epoch=batch.producer_epoch,
                           base_sequence=batch.base_sequence, is_transactional=batch.is_transactional)
    return rebuilt, len(records)
