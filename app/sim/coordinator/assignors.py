"""The KIP-848 group coordinator's server-side assignors (``group.consumer.assignors``), as in Kafka 4.0.

``uniform_assign`` models ``org.apache.kafka.coordinator.group.assignor.UniformAssignor``
(the default): ``UniformHomogeneousAssignmentBuilder`` when every member subscribes to
the same topics, ``UniformHeterogeneousAssignmentBuilder`` otherwise.  ``range_assign``
models the server-side ``RangeAssignor``.  Kafka 4.0's server-side assignors ignore racks.

The arguments mirror the assignor interface: ``members`` (member id -> subscribed topic
ids) and ``current`` (member id -> its current target assignment, topic id -> partitions)
are ``GroupSpec``; ``partitions`` (topic id -> partition count) is the
``SubscribedTopicDescriber``; the result is ``GroupAssignment``: member id -> topic id ->
sorted partitions, every member present.  Topic ids are Kafka Uuid strings (topic_ids).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from app.sim.consumer.javaorder import hashmap_order, java_string_hash, java_string_key
from app.sim.coordinator.topic_ids import uuid_bits, uuid_hash, uuid_sort_key
from app.sim.coordinator.uniform_heterogeneous import uniform_heterogeneous

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["GroupAssignment", "GroupSpec", "SpecOptions", "SUBSCRIPTION_TYPES", "build_group_spec", "uniform_assign", "range_assign"]

GroupAssignment = dict[str, dict[str, list[int]]]
SUBSCRIPTION_TYPES = ("HOMOGENEOUS", "HETEROGENEOUS")


class SpecOptions(TypedDict, total=False):
    """Optional parts of the GroupSpec."""

    instance_ids: Mapping[str, str]  # member id -> group.instance.id (static members)
    subscription_type: str           # "HOMOGENEOUS" / "HETEROGENEOUS"; computed from the subscriptions if absent


@dataclass(frozen=True)
class GroupSpec:
    """``GroupSpecImpl`` plus the describer, checked; ``member_ids`` in Kafka's HashMap order."""

    member_ids: list[str]
    subscriptions: dict[str, frozenset[str]]
    assignments: dict[str, dict[str, tuple[int, ...]]]
    instance_ids: dict[str, str | None]
    partitions: dict[str, int]
    homogeneous: bool
    assigned: frozenset[tuple[str, int]]  # GroupSpec.isPartitionAssigned


def build_group_spec(
    members: Mapping[str, Iterable[str]],
    partitions: Mapping[str, int],
    current: Mapping[str, Mapping[str, Iterable[int]]] | None = None,
    **options: Unpack[SpecOptions],
) -> GroupSpec:
    """Validate and normalise; ValueError names the bad value, as PartitionAssignorException does."""
    unknown = sorted(set(options) - set(SpecOptions.__annotations__))
    if unknown:
        raise TypeError(f"unexpected keyword arguments {unknown}; valid ones: {sorted(SpecOptions.__annotations__)}")
    instance_ids = options.get("instance_ids") or {}
    subscription_type = options.get("subscription_type")
    for topic_id, count in partitions.items():
        uuid_bits(topic_id)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"partition count of topic {topic_id!r} must be an integer >= 0, got {count!r}")
    subscriptions: dict[str, frozenset[str]] = {}
    for member, topic_ids in members.items():
        if isinstance(topic_ids, str):
            raise ValueError(f"subscription of member {member!r} must be a collection of topic ids, got {topic_ids!r}")
        subscriptions[member] = frozenset(topic_ids)
        for topic_id in subscriptions[member]:
            if topic_id not in partitions:
                uuid_bits(topic_id)
                raise ValueError(f"Members are subscribed to topic {topic_id} which doesn't exist in the topic "
                                 f"metadata; known topic ids: {sorted(partitions)}")
    for member in list(current or {}) + list(instance_ids):
        if member not in subscriptions:
            raise ValueError(f"member {member!r} has an assignment or instance id but is not in members")
    assignments: dict[str, dict[str, tuple[int, ...]]] = {m: {} for m in subscriptions}
    owner: dict[tuple[str, int], str] = {}
    for member, by_topic in (current or {}).items():
        for topic_id, parts in by_topic.items():
            uuid_bits(topic_id)
            ordered = tuple(sorted(set(parts)))
            count = partitions.get(topic_id)
            for p in ordered:
                if count is not None and not 0 <= p < count:
                    raise ValueError(f"current[{member!r}] holds partition {p} of topic {topic_id}, "
                                     f"which has partitions 0..{count - 1}")
                if (topic_id, p) in owner:
                    raise ValueError(f"partition {topic_id}-{p} is in the current assignment of both "
                                     f"{owner[(topic_id, p)]!r} and {member!r}")
                owner[(topic_id, p)] = member
            if ordered:
                assignments[member][topic_id] = ordered
    if subscription_type is None:
        # ModernGroup.subscriptionType: homogeneous iff every subscribed topic has every member.
        every = list(subscriptions.values())
        homogeneous = all(s == every[0] for s in every)
    elif subscription_type in SUBSCRIPTION_TYPES:
        homogeneous = subscription_type == "HOMOGENEOUS"
    else:
        raise ValueError(f"subscription_type {subscription_type!r} is not one of {', '.join(SUBSCRIPTION_TYPES)}")
    # TargetAssignmentBuilder.build puts the members into a new HashMap; GroupSpec.memberIds() is its key set.
    member_ids = hashmap_order(sorted(subscriptions, key=java_string_key), java_string_hash)
    return GroupSpec(member_ids, subscriptions, assignments, {m: instance_ids.get(m) for m in subscriptions},
                     dict(partitions), homogeneous, frozenset(owner))


def _result(spec: GroupSpec, assignment: Mapping[str, Mapping[str, Iterable[int]]]) -> GroupAssignment:
    """Every member, each topic's partitions sorted; topics with no partitions left out."""
    return {m: {t: sorted(ps) for t, ps in sorted(assignment.get(m, {}).items(), key=lambda e: uuid_sort_key(e[0]))
                if ps} for m in spec.member_ids}


def _sorted_member_ids(spec: GroupSpec) -> list[str]:
    """``RangeAssignor.sortMemberIds``: static members first by instance id, then the rest by member id."""
    def key(member: str) -> tuple[int, bytes]:
        instance = spec.instance_ids[member]
        return (0, java_string_key(instance)) if instance is not None else (1, java_string_key(member))
    return sorted(spec.member_ids, key=key)


def range_assign(
    members: Mapping[str, Iterable[str]],
    partitions: Mapping[str, int],
    current: Mapping[str, Mapping[str, Iterable[int]]] | None = None,
    **options: Unpack[SpecOptions],
) -> GroupAssignment:
    """Server-side ``RangeAssignor``: per topic, contiguous ranges to its subscribers in sorted order.

    Not sticky: ``current`` is checked but not read, as in Kafka.  With every member on the
    same topics and equal partition counts the ranges line up (co-partitioning).
    """
    spec = build_group_spec(members, partitions, current, **options)
    ordered = _sorted_member_ids(spec)
    subscribers: dict[str, int] = {}
    for member in ordered:
        for topic_id in spec.subscriptions[member]:
            subscribers[topic_id] = subscribers.get(topic_id, 0) + 1
    next_range = dict.fromkeys(subscribers, 0)
    extra = {t: spec.partitions[t] % n for t, n in subscribers.items()}
    out: dict[str, dict[str, range]] = {m: {} for m in ordered}
    for member in ordered:
        for topic_id in spec.subscriptions[member]:
            quota = spec.partitions[topic_id] // subscribers[topic_id]
            if extra[topic_id] > 0:
                quota += 1
                extra[topic_id] -= 1
            start = next_range[topic_id]
            end = min(start + quota, spec.partitions[topic_id])
            next_range[topic_id] = end
            out[member][topic_id] = range(start, end)
    return _result(spec, out)


def _hashset_copy_capacity(size: int) -> int:
    """Table length of ``new HashSet<>(collection)`` on JDK 17: tableSizeFor(max(size / .75f + 1, 16))."""
    wanted = max(size * 4 // 3 + 1, 16)
    return 1 << (wanted - 1).bit_length()


def _int_set_order(parts: tuple[int, ...]) -> list[int]:
    """Iteration order of a member's partitions of one topic, as the coordinator holds them.

    The coordinator replays its own ConsumerGroupTargetAssignmentMemberValue records
    (``Assignment.fromRecord``): ``new HashSet<>(partitions)``, so Integer.hashCode
    (the value) in a table of the copy constructor's size.
    """
    return hashmap_order(parts, lambda p: p, _hashset_copy_capacity(len(parts)))


def _uniform_homogeneous(spec: GroupSpec) -> dict[str, dict[str, list[int]]]:
    """``UniformHomogeneousAssignmentBuilder``: quotas by member order, keep owned up to quota, fill in order."""
    topics = sorted(spec.subscriptions[spec.member_ids[0]], key=uuid_sort_key)
    if not topics:
        return {}
    topics = hashmap_order(topics, uuid_hash, _hashset_copy_capacity(len(topics)))
    unassigned = [(t, p) for t in topics for p in range(spec.partitions[t]) if (t, p) not in spec.assigned]
    total = sum(spec.partitions[t] for t in topics)
    min_quota, extra = divmod(total, len(spec.member_ids))
    target: dict[str, dict[str, list[int]]] = {}
    unfilled: list[tuple[str, int]] = []
    for member in spec.member_ids:
        quota = min_quota + (1 if extra > 0 else 0)
        extra -= 1 if extra > 0 else 0
        old = spec.assignments[member]
        kept: dict[str, list[int]] = {}
        for topic_id in hashmap_order(sorted(old, key=uuid_sort_key), uuid_hash):
            if topic_id not in spec.subscriptions[member]:
                continue
            parts = _int_set_order(old[topic_id])
            if len(parts) <= quota:
                quota -= len(parts)
                kept[topic_id] = parts
                continue
            kept[topic_id] = parts[:max(quota, 0)]
            unassigned.extend((topic_id, p) for p in parts[max(quota, 0):])
            quota = 0
        if quota > 0:
            unfilled.append((member, quota))
        target[member] = kept
    index = 0
    for member, quota in unfilled:
        for topic_id, p in unassigned[index:index + quota]:
            target[member].setdefault(topic_id, []).append(p)
        index += min(quota, len(unassigned) - index)
    if index < len(unassigned):
        raise RuntimeError("Partitions were left unassigned")  # Kafka's PartitionAssignorException
    return target


def uniform_assign(
    members: Mapping[str, Iterable[str]],
    partitions: Mapping[str, int],
    current: Mapping[str, Mapping[str, Iterable[int]]] | None = None,
    **options: Unpack[SpecOptions],
) -> GroupAssignment:
    """``UniformAssignor.assign``: balanced (sizes differ by at most one where subscriptions allow), then sticky."""
    spec = build_group_spec(members, partitions, current, **options)
    if not spec.member_ids:
        return {}
    if spec.homogeneous:
        return _result(spec, _uniform_homogeneous(spec))
    return _result(spec, uniform_heterogeneous(spec))

