"""One batch of records for one partition, from creation to its final answer.

Models ``org.apache.kafka.clients.producer.internals.ProducerBatch``; leaves out
futures and callbacks (the ledger plays their part) and batch splitting on
MESSAGE_TOO_LARGE.
"""

from __future__ import annotations

from enum import Enum
from typing import Any


class FinalState(Enum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ProducerBatch:
    """Records appended through a BatchBuilder; closed to bytes when first drained, re-sent as-is on retry."""

    __slots__ = (
        "batch_id", "topic", "partition", "builder", "record_ids", "created_ms", "last_attempt_ms",
        "attempts", "backoff_ms", "data", "base_sequence", "producer_id", "producer_epoch",
        "buffer_size", "in_flight", "state", "drained_ms", "record_count", "size_bytes",
        "uncompressed_size", "compression_rate", "reported_ready", "write_limit", "sequence_reset", "restamp",
    )

    def __init__(self, batch_id: int, topic: str, partition: int, builder: Any, created_ms: float,
                 buffer_size: int, write_limit: int) -> None:
        self.batch_id = batch_id
        self.topic = topic
        self.partition = partition
        self.builder = builder
        self.record_ids: list[int] = []
        self.created_ms = created_ms
        self.last_attempt_ms = created_ms
        self.attempts = 0
        self.backoff_ms = 0.0
        self.data: bytes | None = None
        self.base_sequence = -1
        self.producer_id = -1
        self.producer_epoch = -1
        self.buffer_size = buffer_size
        self.in_flight = False
        self.state = FinalState.PENDING
        self.drained_ms = -1.0
        self.record_count = 0
        self.size_bytes = 0
        self.uncompressed_size = 0
        self.compression_rate = 1.0
        self.reported_ready = False
        self.write_limit = write_limit
        self.sequence_reset = False  # given a new epoch and sequence after an epoch bump
        self.restamp = False  # ... and its bytes still carry the old ones

    @property
    def closed(self) -> bool:
        return self.data is not None

    def is_full(self) -> bool:
        """MemoryRecordsBuilder.isFull: closed, or the estimate reached the write limit."""
        return self.data is not None or self.builder.is_full()

    @property
    def last_sequence(self) -> int:
        return self.base_sequence + self.record_count - 1

    def estimated_size(self) -> int:
        return len(self.data) if self.data is not None else self.builder.estimated_size_in_bytes()

    def close(self, producer_id: int, producer_epoch: int, base_sequence: int, keep_builder: bool = False) -> None:
        """Seal the records: encode, compress and checksum them once (ProducerBatch.close).

        An idempotent batch keeps its builder: after an epoch bump it is re-stamped with a
        new epoch and sequence without compressing again (KIP-360).
        """
        b = self.builder
        self.producer_id, self.producer_epoch, self.base_sequence = producer_id, producer_epoch, base_sequence
        self.record_count = b.record_count
        self.data = b.close(0, producer_id, producer_epoch, base_sequence, -1)
        self.size_bytes = len(self.data)
        self.compression_rate = b.compression_ratio
        self.uncompressed_size = b.uncompressed_bytes_written()
        if not keep_builder:
            self.builder = None

    def reset_producer_state(self, producer_epoch: int, base_sequence: int) -> None:
        """An epoch bump gave this batch a new epoch and sequence (ProducerBatch.resetProducerState).

        Its bytes change when it is next drained: a copy already on its way keeps the old ones.
        """
        self.producer_epoch, self.base_sequence = producer_epoch, base_sequence
        self.sequence_reset = self.restamp = True

    def restamp_header(self) -> None:
        """Write the new epoch and sequence into the batch before it is sent again."""
        self.close(self.producer_id, self.producer_epoch, self.base_sequence, keep_builder=True)
        self.restamp = False

    def __repr__(self) -> str:
        return f"ProducerBatch({self.topic}-{self.partition} #{self.batch_id}, {len(self.record_ids)} records)"
