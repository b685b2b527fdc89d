"""AlterPartitionReassignments and ListPartitionReassignments (KIP-455), checked as the KRaft controller checks them.

Models ``ReplicationControlManager.alterPartitionReassignment`` (``changePartitionReassignment``,
``cancelPartitionReassignment``) and ``listPartitionReassignments`` with the admin client's own
checks; the replicas move as app/sim/reassignment.py runs them, through the network like any
follower's fetches. A 2.8 cluster's controller words some refusals differently; the KRaft words
are used on every version.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.sim import reassignment
from app.sim.admin.assignments import check_manual
from app.sim.admin.errors import (
    InvalidReplicaAssignmentException, InvalidTopicException, NoReassignmentInProgressException,
    UnknownTopicOrPartitionException,
)
from app.sim.admin.future import Results, each
from app.sim.admin.model import PartitionReassignment
from app.sim.partition import PartitionState, TopicPartition

if TYPE_CHECKING:
    from app.sim.cluster import Cluster


def client_check(tp: TopicPartition) -> InvalidTopicException | None:
    """The admin client's own check of a partition it is asked about."""
    if not (isinstance(tp.topic, str) and tp.topic):
        return InvalidTopicException(f"The given topic name '{tp.topic or ''}' cannot be represented in a request.")
    if tp.partition < 0:
        return InvalidTopicException(f"The given partition index {tp.partition} is not valid.")
    return None


def alter_partition_reassignments(cluster: "Cluster", reassignments: dict[Any, list[int] | None]) -> Results[TopicPartition, None]:
    """For each partition a target replica list (None cancels the reassignment in progress)."""
    return each(((TopicPartition(*key), target) for key, target in reassignments.items()),
                lambda tp, target: _alter(cluster, tp, target))


def _partition(cluster: "Cluster", tp: TopicPartition) -> PartitionState:
    topic = cluster.controller.topics.get(tp.topic)
    if topic is None:
        raise UnknownTopicOrPartitionException(f"Unable to find a topic named {tp.topic}.")
    if tp.partition >= len(topic.partitions):
        raise UnknownTopicOrPartitionException(f"Unable to find partition {tp.topic}:{tp.partition}.")
    return topic.partitions[tp.partition]


def _alter(cluster: "Cluster", tp: TopicPartition, target: list[int] | None) -> None:
    error = client_check(tp)
    if error is not None:
        raise error
    c = cluster.controller
    s = _partition(cluster, tp)
    if target is None:
        if not reassignment.in_progress(s):
            raise NoReassignmentInProgressException()
        if reassignment.reverting_is_unclean(s) and not c.topic_configs[s.topic].get("unclean.leader.election.enable"):
            raise InvalidReplicaAssignmentException(f"Unable to revert partition assignment for {tp.topic}:{tp.partition} "
                                                    "because it would require an unclean leader election.")
        reassignment.cancel(c, s)
        return
    check_manual(cluster, list(target), None)
    if list(target) == s.replicas and not reassignment.in_progress(s):
        return  # nothing to change: no record, no error
    reassignment.start(c, s, list(target))


def list_partition_reassignments(cluster: "Cluster", partitions: list[Any] | None = None) -> dict[TopicPartition, PartitionReassignment]:
    """The reassignments in progress, of every partition or of those asked about (unknown ones left out).
    A bad name or index fails the whole call, as in Kafka."""
    wanted = None if partitions is None else [TopicPartition(*p) for p in partitions]
    for tp in wanted or ():
        error = client_check(tp)
        if error is not None:
            raise error
    out = {}
    for s in cluster.controller.partitions:
        if reassignment.in_progress(s) and (wanted is None or s.tp in wanted):
            out[s.tp] = PartitionReassignment(list(s.replicas), list(s.adding_replicas), list(s.removing_replicas))
    return dict(sorted(out.items()))
