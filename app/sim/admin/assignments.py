"""Checks on replica lists a user gives (topic creation, new partitions, reassignment), in Kafka's words.

Models ``ReplicationControlManager.validateManualPartitionAssignment`` (KRaft: 3.x and 4.0) and,
for a 2.8 cluster (ZooKeeper mode), ``AdminZkClient.validateTopicCreate`` /
``validateReplicaAssignment`` and ``AdminUtils.assignReplicasToBrokers``' checks, which word the
same problems differently. One function per check, each raising the exception Kafka raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.sim.admin.errors import (
    BrokerNotAvailableException, InvalidPartitionsException, InvalidReplicaAssignmentException,
    InvalidReplicationFactorException,
)
from app.sim.lifecycle import BrokerState

if TYPE_CHECKING:
    from app.sim.cluster import Cluster


def zookeeper(cluster: "Cluster") -> bool:
    """A 2.8 cluster runs on ZooKeeper: its admin requests are served by ZkAdminManager, not the KRaft controller."""
    return cluster.kafka_version == "2.8"


def check_manual(cluster: "Cluster", replicas: list[int], replication_factor: int | None) -> None:
    """``validateManualPartitionAssignment``: not empty, every broker registered, none twice, and as many
    replicas as the partitions before it."""
    if not replicas:
        raise InvalidReplicaAssignmentException("The manual partition assignment includes an empty replica list.")
    registered = set(cluster.controller.registered_brokers())
    previous = None
    for b in sorted(replicas):
        if b not in registered:
            raise InvalidReplicaAssignmentException(f"The manual partition assignment includes broker {b}, but no such "
                                                    "broker is registered.")
        if b == previous:
            raise InvalidReplicaAssignmentException(f"The manual partition assignment includes the broker {previous} more "
                                                    "than once.")
        previous = b
    if replication_factor is not None and len(replicas) != replication_factor:
        raise InvalidReplicaAssignmentException(f"The manual partition assignment includes a partition with {len(replicas)} "
                                                "replica(s), but this is not consistent with previous partitions, which "
                                                f"have {replication_factor} replica(s).")


def active_replicas(cluster: "Cluster", replicas: list[int], partition: int) -> list[int]:
    """The ISR a new partition starts with; InvalidReplicaAssignmentException when no replica is active."""
    isr = [b for b in replicas if cluster.controller.active(b)]
    if not isr:
        raise InvalidReplicaAssignmentException(f"All brokers specified in the manual partition assignment for partition "
                                                f"{partition} are fenced or in controlled shutdown.")
    return isr


def check_placeable(cluster: "Cluster", replication_factor: int, prefix: bool = True) -> None:
    """``StripedReplicaPlacer.place``'s checks before placing: some broker unfenced, enough registered.
    A topic's creation words them "Unable to replicate the partition N time(s): ..." (``prefix``)."""
    c = cluster.controller
    usable = [b for b in c.registered_brokers() if cluster.brokers[b].state is not BrokerState.SHUTTING_DOWN]
    lead = f"Unable to replicate the partition {replication_factor} time(s): " if prefix else ""
    if not [b for b in usable if not cluster.brokers[b].fenced]:
        raise InvalidReplicationFactorException(lead + "All brokers are currently fenced.")
    if replication_factor > len(usable):
        raise InvalidReplicationFactorException(f"{lead}The target replication factor of {replication_factor} cannot be "
                                                f"reached because only {len(usable)} broker(s) are registered.")


def check_some_active(cluster: "Cluster", placement: list[list[int]], replication_factor: int) -> None:
    """After placing: a partition whose replicas are all fenced or shutting down is refused."""
    for replicas in placement:
        if not [b for b in replicas if cluster.controller.active(b)]:
            raise InvalidReplicationFactorException(f"Unable to replicate the partition {replication_factor} time(s): All "
                                                    "brokers are currently fenced or in controlled shutdown.")


# -- 2.8 (ZooKeeper mode) --------------------------------------------------------------------
def zk_live_brokers(cluster: "Cluster") -> list[int]:
    """The brokers in a ZooKeeper cluster's metadata: those whose session has not expired."""
    return [b for b in cluster.controller.registered_brokers() if not cluster.brokers[b].fenced]


def zk_check_counts(cluster: "Cluster", partitions: int, replication_factor: int) -> None:
    """``AdminUtils.assignReplicasToBrokers``' checks."""
    if partitions <= 0:
        raise InvalidPartitionsException("Number of partitions must be larger than 0.")
    if replication_factor <= 0:
        raise InvalidReplicationFactorException("Replication factor must be larger than 0.")
    live = len(zk_live_brokers(cluster))
    if replication_factor > live:
        raise InvalidReplicationFactorException(f"Replication factor: {replication_factor} larger than available brokers: "
                                                f"{live}.")


def zk_check_create_assignment(assignment: dict[int, list[int]]) -> None:
    """``AdminZkClient.validateTopicCreate``'s checks of a manual assignment."""
    if len({len(r) for r in assignment.values()}) != 1:
        raise InvalidReplicaAssignmentException("All partitions should have the same number of replicas")
    for replicas in assignment.values():
        if len(replicas) != len(set(replicas)):
            shown = ", ".join(f"{p} -> ArrayBuffer({', '.join(map(str, r))})" for p, r in assignment.items())
            raise InvalidReplicaAssignmentException(f"Duplicate replica assignment found: HashMap({shown})")
    if sorted(assignment) != list(range(len(assignment))):
        raise InvalidReplicaAssignmentException("partitions should be a consecutive 0-based integer sequence")


def zk_check_new_partitions(cluster: "Cluster", assignment: dict[int, list[int]], replication_factor: int) -> None:
    """``AdminZkClient.validateReplicaAssignment`` for new partitions."""
    live = zk_live_brokers(cluster)
    for p, replicas in assignment.items():
        if not replicas:
            raise InvalidReplicaAssignmentException(f"Cannot have replication factor of 0 for partition id {p}.")
        if len(replicas) != len(set(replicas)):
            raise InvalidReplicaAssignmentException("Duplicate brokers not allowed in replica assignment: "
                                                    f"{', '.join(map(str, replicas))} for partition id {p}.")
        if not set(replicas) <= set(live):
            raise BrokerNotAvailableException(
                f"Some brokers specified for partition id {p} are not available. Specified brokers: "
                f"{', '.join(map(str, replicas))}, available brokers: {', '.join(map(str, live))}.")
    bad = sorted((p, len(r)) for p, r in assignment.items() if len(r) != replication_factor)
    if bad:
        raise InvalidReplicaAssignmentException(
            f"Inconsistent replication factor between partitions, partition 0 has {replication_factor} while partitions "
            f"[{', '.join(str(p) for p, _ in bad)}] have replication factors [{', '.join(str(n) for _, n in bad)}], "
            "respectively.")
