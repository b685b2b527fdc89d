"""What a classic-protocol group leader hands its assignor, checked and normalised.

Models the inputs of ``ConsumerPartitionAssignor.assign(Cluster, GroupSubscription)``:
each member's ``Subscription`` (topics, ownedPartitions, generationId, rackId,
groupInstanceId) and the partition counts and replica racks from the leader's
metadata.  As ``AbstractPartitionAssignor.assign`` does, only topics that some
member subscribes to and that have partitions in the metadata are kept: a
subscription to a topic the metadata lacks is skipped, not an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from app.sim.consumer.javaorder import java_string_key

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["TopicPartition", "Assignment", "GroupOptions", "GroupInput", "build_input", "member_info_key", "sorted_assignment"]

TopicPartition = tuple[str, int]
Assignment = dict[str, list[TopicPartition]]

DEFAULT_GENERATION = -1  # AbstractStickyAssignor.DEFAULT_GENERATION


class GroupOptions(TypedDict, total=False):
    """The optional parts of each member's Subscription, and the replica racks."""

    generations: Mapping[str, int]                              # generationId
    instance_ids: Mapping[str, str]                             # group.instance.id
    member_racks: Mapping[str, str | None]                      # client.rack
    partition_racks: Mapping[str, Sequence[Iterable[str | None]]]  # per topic, each partition's replica racks


@dataclass(frozen=True)
class GroupInput:
    """One rebalance's input, normalised (every member has an entry in every map)."""

    topics: dict[str, tuple[str, ...]]              # member -> subscribed topics, duplicates dropped
    partitions_per_topic: dict[str, int]            # subscribed topics with metadata only
    owned: dict[str, list[TopicPartition]]          # member -> ownedPartitions / userData's previous assignment
    generations: dict[str, int]                     # member -> generationId (DEFAULT_GENERATION if unknown)
    instance_ids: dict[str, str | None]             # member -> group.instance.id
    member_racks: dict[str, str]                    # member -> client.rack, members with a rack only
    partition_racks: dict[TopicPartition, frozenset[str]]  # replica racks; empty when no racks are known


def member_info_key(member_id: str, instance_id: str | None) -> tuple[int, bytes]:
    """``AbstractPartitionAssignor.MemberInfo.compareTo`` (KIP-345): static members first, by instance id."""
    if instance_id is not None:
        return (0, java_string_key(instance_id))
    return (1, java_string_key(member_id))


def sorted_assignment(assignment: Mapping[str, Iterable[TopicPartition]]) -> Assignment:
    """Each member's partitions sorted by (topic, partition); Kafka's own list order is a HashMap's."""
    return {member: sorted(tps) for member, tps in assignment.items()}


def _check_member(kind: str, member: str, members: Mapping[str, object]) -> None:
    if member not in members:
        raise ValueError(f"{kind} names member {member!r}, which is not in members {sorted(members)}")


def _check_partition(kind: str, tp: object, counts: Mapping[str, int]) -> TopicPartition:
    if not (isinstance(tp, tuple) and len(tp) == 2 and isinstance(tp[0], str) and isinstance(tp[1], int)):
        raise ValueError(f"{kind}: {tp!r} is not a (topic, partition) pair")
    topic, partition = tp
    count = counts.get(topic)
    if count is not None and not 0 <= partition < count:
        raise ValueError(f"{kind}: partition {topic}-{partition} does not exist; {topic} has partitions 0..{count - 1}")
    return (topic, partition)


def build_input(
    members: Mapping[str, Iterable[str]],
    partitions: Mapping[str, int],
    owned: Mapping[str, Sequence[TopicPartition]] | None = None,
    **options: Unpack[GroupOptions],
) -> GroupInput:
    """Validate the caller's maps and put them in the shape the assignors read."""
    unknown = sorted(set(options) - set(GroupOptions.__annotations__))
    if unknown:
        raise TypeError(f"unexpected keyword arguments {unknown}; valid ones: {sorted(GroupOptions.__annotations__)}")
    generations = options.get("generations") or {}
    instance_ids = options.get("instance_ids") or {}
    member_racks = options.get("member_racks") or {}
    for topic, count in partitions.items():
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"partition count of topic {topic!r} must be an integer >= 0, got {count!r}")
    topics: dict[str, tuple[str, ...]] = {}
    for member, subscribed in members.items():
        if isinstance(subscribed, str):
            raise ValueError(f"subscription of member {member!r} must be a list of topics, got the string {subscribed!r}")
        topics[member] = tuple(dict.fromkeys(subscribed))
    subscribed_topics = {t for ts in topics.values() for t in ts}
    # AbstractPartitionAssignor.assign: "Skipping assignment for topic {} since no metadata is available".
    per_topic = {t: partitions[t] for t in subscribed_topics if partitions.get(t, 0) > 0}

    owned_lists: dict[str, list[TopicPartition]] = {m: [] for m in topics}
    for member, tps in (owned or {}).items():
        _check_member("owned", member, topics)
        owned_lists[member] = [_check_partition(f"owned[{member!r}]", tp, partitions) for tp in tps]
    for kind, given in (("generations", generations), ("instance_ids", instance_ids), ("member_racks", member_racks)):
        for member in given:
            _check_member(kind, member, topics)

    racks: dict[TopicPartition, frozenset[str]] = {}
    for topic, replica_racks in (options.get("partition_racks") or {}).items():
        count = partitions.get(topic)
        if count is None:
            raise ValueError(f"partition_racks names topic {topic!r}, which is not in partitions {sorted(partitions)}")
        if len(replica_racks) != count:
            raise ValueError(f"partition_racks[{topic!r}] must list {count} partitions' racks, got {len(replica_racks)}")
        for partition, rack_ids in enumerate(replica_racks):
            racks[(topic, partition)] = frozenset(r for r in rack_ids if r is not None)

    return GroupInput(
        topics=topics,
        partitions_per_topic=per_topic,
        owned=owned_lists,
        generations={m: generations.get(m, DEFAULT_GENERATION) for m in topics},
        instance_ids={m: instance_ids.get(m) for m in topics},
        # RangeAssignor.consumerRacks / AbstractStickyAssignor.RackInfo drop empty rack ids.
        member_racks={m: r for m, r in member_racks.items() if r},
        partition_racks=racks,
    )
