"""Kafka's errors: protocol error codes with their retriable flags, and the client exceptions.

Models ``org.apache.kafka.common.protocol.Errors`` and the client exceptions the
producer raises; leaves out the error codes the simulator never produces.
"""

from __future__ import annotations

from enum import Enum

from app.configs import ConfigException

__all__ = [
    "Errors", "KafkaException", "BufferExhaustedException", "TimeoutException",
    "RecordTooLargeException", "ConfigException", "SpecError",
]


class Errors(Enum):
    """(code, retriable): the retriable flag is whether the exception extends RetriableException."""

    NONE = (0, False)
    CORRUPT_MESSAGE = (2, True)
    UNKNOWN_TOPIC_OR_PARTITION = (3, True)
    NOT_LEADER_OR_FOLLOWER = (6, True)
    REQUEST_TIMED_OUT = (7, True)
    MESSAGE_TOO_LARGE = (10, False)
    NETWORK_EXCEPTION = (13, True)
    NOT_ENOUGH_REPLICAS = (19, True)
    NOT_ENOUGH_REPLICAS_AFTER_APPEND = (20, True)
    RECORD_LIST_TOO_LARGE = (18, False)
    INVALID_REQUIRED_ACKS = (21, False)
    INVALID_PRODUCER_EPOCH = (47, False)
    TOPIC_AUTHORIZATION_FAILED = (29, False)
    GROUP_AUTHORIZATION_FAILED = (30, False)
    CLUSTER_AUTHORIZATION_FAILED = (31, False)
    OUT_OF_ORDER_SEQUENCE_NUMBER = (45, False)
    DUPLICATE_SEQUENCE_NUMBER = (46, False)
    UNKNOWN_PRODUCER_ID = (59, False)
    # -- consumers and groups (Errors.java; retriable: extends RetriableException) --
    OFFSET_OUT_OF_RANGE = (1, False)
    COORDINATOR_LOAD_IN_PROGRESS = (14, True)
    COORDINATOR_NOT_AVAILABLE = (15, True)
    NOT_COORDINATOR = (16, True)
    ILLEGAL_GENERATION = (22, False)
    INCONSISTENT_GROUP_PROTOCOL = (23, False)
    UNKNOWN_MEMBER_ID = (25, False)
    INVALID_SESSION_TIMEOUT = (26, False)
    REBALANCE_IN_PROGRESS = (27, False)
    NON_EMPTY_GROUP = (68, False)
    GROUP_ID_NOT_FOUND = (69, False)
    OFFSET_NOT_AVAILABLE = (78, True)
    MEMBER_ID_REQUIRED = (79, False)
    FENCED_INSTANCE_ID = (82, False)
    FENCED_MEMBER_EPOCH = (110, False)
    UNRELEASED_INSTANCE_ID = (111, False)
    STALE_MEMBER_EPOCH = (113, False)
    # The admin API's errors (app/sim/admin/errors.py raises them as Kafka's exceptions).
    UNKNOWN_SERVER_ERROR = (-1, False)
    BROKER_NOT_AVAILABLE = (8, False)
    INVALID_TOPIC_EXCEPTION = (17, False)
    UNSUPPORTED_VERSION = (35, False)
    TOPIC_ALREADY_EXISTS = (36, False)
    INVALID_PARTITIONS = (37, False)
    INVALID_REPLICATION_FACTOR = (38, False)
    INVALID_REPLICA_ASSIGNMENT = (39, False)
    INVALID_CONFIG = (40, False)
    INVALID_REQUEST = (42, False)
    REASSIGNMENT_IN_PROGRESS = (60, False)
    PREFERRED_LEADER_NOT_AVAILABLE = (80, True)
    ELIGIBLE_LEADERS_NOT_AVAILABLE = (83, True)
    ELECTION_NOT_NEEDED = (84, True)
    NO_REASSIGNMENT_IN_PROGRESS = (85, False)
    INVALID_UPDATE_VERSION = (95, False)
    UNKNOWN_TOPIC_ID = (100, True)
    BROKER_ID_NOT_REGISTERED = (102, False)
    UNSUPPORTED_ASSIGNOR = (112, False)
    INVALID_RECORD = (87, False)

    @property
    def code(self) -> int:
        return self.value[0]

    @property
    def retriable(self) -> bool:
        return self.value[1]


class KafkaException(Exception):
    """A client-side failure of a record, named as Kafka's client names it."""

    error_name = "KafkaException"


class BufferExhaustedException(KafkaException):
    """send() could not get buffer memory within max.block.ms (BufferPool.allocate)."""

    error_name = "BufferExhaustedException"

    def __init__(self, size: int, max_block_ms: int, total_memory: int, pool_available: int, poolable_size: int) -> None:
        # Kafka's own wording, BufferPool.allocate; poolableSize() is batch.size, not the request.
        super().__init__(
            f"Failed to allocate {size} bytes within the configured max blocking time {max_block_ms} ms. "
            f"Total memory: {total_memory} bytes. Available memory: {pool_available} bytes. "
            f"Poolable size: {poolable_size} bytes"
        )


class TimeoutException(KafkaException):
    """A batch expired: delivery.timeout.ms passed since its creation (KIP-91)."""

    error_name = "TimeoutException"


class RecordTooLargeException(KafkaException):
    """send() refused a record bigger than max.request.size or buffer.memory."""

    error_name = "RecordTooLargeException"


class SpecError(ValueError):
    """A scenario spec that cannot run; the message names the bad path and value."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)
