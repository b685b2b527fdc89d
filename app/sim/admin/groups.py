"""Consumer groups through the admin client: list, describe, offsets, reset, delete.

Models ``KafkaAdminClient``'s ``listConsumerGroups`` (ListGroups to every broker),
``describeConsumerGroups`` (DescribeGroups / ConsumerGroupDescribe to the coordinator),
``listConsumerGroupOffsets`` (OffsetFetch), ``alterConsumerGroupOffsets`` (OffsetCommit with no
member: only an empty group takes it), ``deleteConsumerGroups`` (an empty group only) and
``listOffsets`` (ListOffsets: the earliest, or the latest readable offset, the high watermark),
what ``kafka-consumer-groups`` is made of. As every admin call here, applied at the scenario's
current virtual time; an offset reset is in force at once and its record is written to
``__consumer_offsets`` as the coordinator writes every commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Iterable

from app.sim.admin.errors import KafkaAdminError, UnknownTopicOrPartitionException
from app.sim.admin.future import Results, completed, failed
from app.sim.errors import Errors
from app.sim.partition import TopicPartition
from app.sim.topic import CONSUMER_OFFSETS

if TYPE_CHECKING:
    from app.sim.cluster import Cluster
    from app.sim.coordinator.group_coordinator import GroupCoordinator


class GroupIdNotFoundException(KafkaAdminError):
    error = Errors.GROUP_ID_NOT_FOUND
    default_message = "The group id does not exist."


class GroupNotEmptyException(KafkaAdminError):
    error = Errors.NON_EMPTY_GROUP
    default_message = "The group is not empty."


class UnknownMemberIdException(KafkaAdminError):
    error = Errors.UNKNOWN_MEMBER_ID
    default_message = "The coordinator is not aware of this member."


class CoordinatorNotAvailableException(KafkaAdminError):
    error = Errors.COORDINATOR_NOT_AVAILABLE
    default_message = "The coordinator is not available."


class OffsetSpec(Enum):
    """``OffsetSpec.earliest()`` / ``latest()``."""

    EARLIEST = -2
    LATEST = -1


@dataclass(frozen=True)
class MemberDescription:
    member_id: str
    group_instance_id: str | None
    client_id: str
    host: str
    assignment: list[TopicPartition]


@dataclass(frozen=True)
class ConsumerGroupDescription:
    group_id: str
    is_simple_consumer_group: bool
    members: list[MemberDescription]
    partition_assignor: str
    type: str
    state: str
    coordinator: int
    epoch: int = -1


@dataclass(frozen=True)
class ConsumerGroupListing:
    group_id: str
    state: str
    type: str
    is_simple_consumer_group: bool = False


@dataclass(frozen=True)
class ListOffsetsResultInfo:
    offset: int
    leader_epoch: int = -1


@dataclass
class _Located:
    coordinator: "GroupCoordinator"
    node: int
    group: Any = field(default=None)


def _locate(cluster: "Cluster", group_id: str) -> _Located:
    """The group's coordinator (the leader of its __consumer_offsets partition), as FindCoordinator answers."""
    controller = cluster.controller
    any_broker = next((b for b in cluster.brokers.values() if b.alive), None)
    if any_broker is None or CONSUMER_OFFSETS not in controller.topics:
        raise GroupIdNotFoundException(f"Group {group_id} not found.") if any_broker else CoordinatorNotAvailableException()
    tp = any_broker.apis.coordinator.partition_for(group_id)
    s = controller.partition(CONSUMER_OFFSETS, tp.partition)
    if s is None or s.leader < 0 or not cluster.brokers[s.leader].alive:
        raise CoordinatorNotAvailableException()
    coordinator = cluster.brokers[s.leader].apis.coordinator
    return _Located(coordinator, s.leader, coordinator.group(group_id))


def list_consumer_groups(cluster: "Cluster") -> list[ConsumerGroupListing]:
    out = []
    for broker in cluster.brokers.values():
        if not broker.alive:
            continue
        for groups in broker.apis.coordinator.partitions.values():
            for group_id, group in groups.items():
                d = group.describe()
                out.append(ConsumerGroupListing(group_id, d["state"], d["protocol"]))
    return sorted(out, key=lambda g: g.group_id)


def describe_consumer_groups(cluster: "Cluster", group_ids: Iterable[str]) -> Results[str, ConsumerGroupDescription]:
    values = {}
    for group_id in group_ids:
        try:
            where = _locate(cluster, group_id)
            if where.group is None:
                raise GroupIdNotFoundException(f"Group {group_id} not found.")
            d = where.group.describe()
            members = [MemberDescription(member_id, m.get("instance_id"), m["client_id"], f"/{m['client_id']}",
                                         [TopicPartition(t, p) for t, p in m["assignment"]])
                       for member_id, m in d["members"].items()]
            values[group_id] = completed(ConsumerGroupDescription(group_id, False, members, d.get("assignor") or "",
                                                                  d["protocol"], d["state"], where.node,
                                                                  d.get("generation", -1)))
        except KafkaAdminError as exc:
            values[group_id] = failed(exc)
    return Results(values)


def list_consumer_group_offsets(cluster: "Cluster", group_id: str,
                                partitions: Iterable[TopicPartition] | None = None) -> dict[TopicPartition, int]:
    """OffsetFetch: the group's committed offsets (every partition it has one for, or those asked)."""
    where = _locate(cluster, group_id)
    committed = where.coordinator.offsets.get(group_id, {})
    if partitions is None:
        return dict(sorted(committed.items()))
    return {tp: committed[tp] for tp in partitions if tp in committed}


def alter_consumer_group_offsets(cluster: "Cluster", group_id: str, offsets: dict[TopicPartition, int]) -> None:
    """OffsetCommit without a member (generation -1): refused while the group has members."""
    where = _locate(cluster, group_id)
    group = where.group
    if group is not None and group.describe()["members"]:
        raise UnknownMemberIdException()
    for tp in offsets:
        if cluster.controller.partition(tp.topic, tp.partition) is None:
            raise UnknownTopicOrPartitionException()
    records = [(("offset", group_id, tp.topic, tp.partition), offset) for tp, offset in offsets.items()]
    where.coordinator.offsets.setdefault(group_id, {}).update(offsets)
    where.coordinator.append(group_id, records, _written)


def delete_consumer_groups(cluster: "Cluster", group_ids: Iterable[str]) -> Results[str, None]:
    values = {}
    for group_id in group_ids:
        try:
            where = _locate(cluster, group_id)
            if where.group is None and group_id not in where.coordinator.offsets:
                raise GroupIdNotFoundException(f"Group {group_id} not found.")
            if where.group is not None and where.group.describe()["members"]:
                raise GroupNotEmptyException()
            tp = where.coordinator.partition_for(group_id)
            where.coordinator.partitions.get(tp, {}).pop(group_id, None)
            where.coordinator.offsets.pop(group_id, None)
            where.coordinator.append(group_id, [(("group", group_id), None)], _written)
            values[group_id] = completed(None)
        except KafkaAdminError as exc:
            values[group_id] = failed(exc)
    return Results(values)


def list_offsets(cluster: "Cluster", specs: dict[TopicPartition, OffsetSpec]) -> Results[TopicPartition, ListOffsetsResultInfo]:
    """ListOffsets from each partition's leader: the log start offset, or the high watermark (read_uncommitted)."""
    values = {}
    for tp, spec in specs.items():
        s = cluster.controller.partition(tp.topic, tp.partition)
        if s is None:
            values[tp] = failed(UnknownTopicOrPartitionException())
            continue
        if s.leader < 0:
            values[tp] = failed(KafkaAdminError("There is no leader for this topic-partition as we are in the middle of a "
                                                "leadership election."))
            continue
        log = cluster.brokers[s.leader].replicas[s.tp].log
        offset = getattr(log, "log_start_offset", 0) if spec is OffsetSpec.EARLIEST else log.high_watermark
        values[tp] = completed(ListOffsetsResultInfo(offset, s.leader_epoch))
    return Results(values)


def _written(error: Errors) -> None:
    """The record of an admin write was committed (or not): the call already answered."""
