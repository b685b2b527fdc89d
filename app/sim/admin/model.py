"""What admin calls take and return, with the Java admin client's names: plain, printable data.

Models ``NewTopic``, ``NewPartitions``, ``TopicListing``, ``TopicDescription``,
``TopicPartitionInfo``, ``Node``, ``DescribeClusterResult``, ``PartitionReassignment``,
``ElectionType``, ``QuorumInfo`` and ``FeatureMetadata`` of ``org.apache.kafka.clients.admin``.
Where Java hands out ``Node`` objects for a partition's leader and replicas, these hold broker
ids (``kafka-topics`` prints the ids); ``leader`` is None for a partition with no leader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from app.sim.admin.config_model import Config

#: The port of broker 0's listener; broker n listens on LISTENER_PORT + n (localhost:9092, 9093, ...),
#: as several brokers on one machine are usually set up. The simulator has no sockets: these name nodes.
LISTENER_PORT = 9092


@dataclass(frozen=True)
class Node:
    """``org.apache.kafka.common.Node``: a broker as clients see it."""

    id: int
    host: str = "localhost"
    port: int = LISTENER_PORT
    rack: str | None = None

    @classmethod
    def broker(cls, b: int, rack: str | None) -> "Node":
        return cls(b, "localhost", LISTENER_PORT + b, rack)


@dataclass(frozen=True)
class NewTopic:
    """A topic to create: a partition count and replication factor (-1: the brokers' num.partitions and
    default.replication.factor), or a replica assignment (partition -> broker ids), and configs."""

    name: str
    num_partitions: int = -1
    replication_factor: int = -1
    replicas_assignments: dict[int, list[int]] | None = None
    configs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CreatedTopic:
    """``CreateTopicsResult``'s per-topic answer: id, counts and the configs in force."""

    name: str
    topic_id: str
    num_partitions: int
    replication_factor: int
    config: Config


@dataclass(frozen=True)
class NewPartitions:
    """``NewPartitions.increaseTo(total_count, new_assignments)``: one broker-id list per new partition."""

    total_count: int
    new_assignments: list[list[int]] | None = None


@dataclass(frozen=True)
class TopicListing:
    name: str
    topic_id: str
    is_internal: bool


@dataclass(frozen=True)
class TopicPartitionInfo:
    """A partition as DescribeTopicPartitions reports it (the ELR fields from 3.8 on; empty without ELR)."""

    partition: int
    leader: int | None
    replicas: list[int]
    isr: list[int]
    elr: list[int] = field(default_factory=list)
    last_known_elr: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class TopicDescription:
    name: str
    internal: bool
    partitions: list[TopicPartitionInfo]
    topic_id: str


@dataclass(frozen=True)
class ClusterDescription:
    """``DescribeClusterResult``: the brokers clients see (registered and unfenced), the controller id a
    broker reports, and the cluster id."""

    cluster_id: str
    controller: Node | None
    nodes: list[Node]


@dataclass(frozen=True)
class PartitionReassignment:
    """A reassignment in progress: the replica list now (target first, then the replicas leaving)."""

    replicas: list[int]
    adding_replicas: list[int]
    removing_replicas: list[int]


class ElectionType(Enum):
    """``org.apache.kafka.common.ElectionType``."""

    PREFERRED = 0
    UNCLEAN = 1


@dataclass(frozen=True)
class ReplicaState:
    """``QuorumInfo.ReplicaState``: a voter's or observer's position in the metadata log."""

    replica_id: int
    log_end_offset: int
    last_fetch_timestamp: float | None = None
    last_caught_up_timestamp: float | None = None


@dataclass(frozen=True)
class QuorumInfo:
    """``DescribeMetadataQuorumResult``: what is true of the simulator's one controller (see describe_metadata_quorum)."""

    leader_id: int
    leader_epoch: int
    high_watermark: int
    voters: list[ReplicaState]
    observers: list[ReplicaState]


@dataclass(frozen=True)
class FeatureMetadata:
    """``FeatureMetadata``: finalized feature levels and the range each broker supports (name -> (min, max))."""

    finalized_features: dict[str, int]
    supported_features: dict[str, tuple[int, int]]


class UpgradeType(Enum):
    """``FeatureUpdate.UpgradeType``."""

    UPGRADE = 1
    SAFE_DOWNGRADE = 2
    UNSAFE_DOWNGRADE = 3


@dataclass(frozen=True)
class FeatureUpdate:
    """``FeatureUpdate``: the feature level wanted, and whether a lower one is allowed."""

    max_version_level: int
    upgrade_type: UpgradeType = UpgradeType.UPGRADE
