"""Kafka's v2 record batch (magic 2): exact bytes, sizes and the producer's size estimate.

Models ``DefaultRecordBatch``/``DefaultRecord`` (layout, CRC-32C, varints),
``MemoryRecordsBuilder`` (:class:`BatchBuilder`: the "does the next record fit"
rule and the compression ratio it reports) and
``AbstractRecords.estimateSizeInBytesUpperBound``.  Leaves out the legacy
formats (magic 0 and 1), control-record payloads and log-append-time rewriting.

Modules: ``header`` (constants, the header below, the broker's offset rewrite),
``sizes`` (record sizes and the allocation bound), ``encode`` (record and batch
bytes, CRC), ``builder`` (BatchBuilder, encode_batch), ``decode`` (decode_batch).

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

from app.sim.records.builder import BatchBuilder, encode_batch
from app.sim.records.decode import Record, RecordBatch, decode_batch, decode_batches
from app.sim.records.header import (
    MAX_RECORD_OVERHEAD,
    NO_PARTITION_LEADER_EPOCH,
    NO_PRODUCER_EPOCH,
    NO_PRODUCER_ID,
    NO_SEQUENCE,
    NO_TIMESTAMP,
    RECORD_BATCH_OVERHEAD,
    BatchHeader,
    CorruptRecordException,
    read_batch_header,
    with_base_offset,
)
from app.sim.records.sizes import estimate_size_upper_bound, record_size_in_bytes

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
