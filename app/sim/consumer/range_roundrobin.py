"""The classic protocol's range and round-robin assignors.

``range`` models ``org.apache.kafka.clients.consumer.RangeAssignor`` with its
rack-aware pass (KIP-881, 3.5+); ``roundrobin`` models ``RoundRobinAssignor``.
Neither reads the previous assignment.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from app.sim.consumer.subscription import Assignment, GroupInput, TopicPartition, member_info_key, sorted_assignment

__all__ = ["range_assignor", "roundrobin_assignor", "use_rack_aware_assignment"]


def use_rack_aware_assignment(
    consumer_racks: Collection[str],
    partition_racks: Collection[str],
    racks_per_partition: dict[TopicPartition, frozenset[str]],
) -> bool:
    """``AbstractPartitionAssignor.useRackAwareAssignment``.

    Only when some consumer's rack holds replicas, and not every partition has a
    replica in every rack (then any consumer is as close as any other).
    """
    if not consumer_racks or not set(consumer_racks) & set(partition_racks):
        return False
    all_racks = frozenset(partition_racks)
    return not all(racks == all_racks for racks in racks_per_partition.values())


class _TopicAssignmentState:
    """``RangeAssignor.TopicAssignmentState``: one topic's quota bookkeeping."""

    def __init__(self, topic: str, num_partitions: int, group: GroupInput) -> None:
        self.topic = topic
        subscribed = [m for m in group.topics if topic in group.topics[m]]
        subscribed.sort(key=lambda m: member_info_key(m, group.instance_ids[m]))
        self.consumers: dict[str, str | None] = {m: group.member_racks.get(m) for m in subscribed}
        self.unassigned: dict[TopicPartition, None] = {(topic, p): None for p in range(num_partitions)}
        self.num_assigned = dict.fromkeys(self.consumers, 0)
        self.per_consumer = num_partitions // len(subscribed)
        self.remaining_with_extra = num_partitions % len(subscribed)
        consumer_racks = {r for r in self.consumers.values() if r is not None}
        self.partition_racks: dict[TopicPartition, frozenset[str]] = {}
        if consumer_racks:
            self.partition_racks = {tp: group.partition_racks.get(tp, frozenset()) for tp in self.unassigned}
        all_partition_racks = {r for racks in self.partition_racks.values() for r in racks}
        self.needs_rack_aware = use_rack_aware_assignment(consumer_racks, all_partition_racks, self.partition_racks)

    def racks_match(self, consumer: str, tp: TopicPartition) -> bool:
        rack = self.consumers[consumer]
        return rack is None or rack in self.partition_racks.get(tp, frozenset())

    def max_assignable(self, consumer: str) -> int:
        quota = self.per_consumer + (1 if self.remaining_with_extra > 0 else 0)
        return max(0, quota - self.num_assigned[consumer])

    def on_assigned(self, consumer: str, tps: list[TopicPartition]) -> None:
        self.num_assigned[consumer] += len(tps)
        # Kafka decrements once per call that leaves the consumer above the minimum quota.
        if self.num_assigned[consumer] > self.per_consumer:
            self.remaining_with_extra -= 1
        for tp in tps:
            del self.unassigned[tp]


def _assign(consumer: str, tps: list[TopicPartition], state: _TopicAssignmentState, out: Assignment) -> None:
    out[consumer].extend(tps)
    state.on_assigned(consumer, tps)


def _assign_ranges(state: _TopicAssignmentState, may_assign: Callable[[str, TopicPartition], bool],
                   out: Assignment) -> None:
    for consumer in state.consumers:
        if not state.unassigned:
            break
        limit = state.max_assignable(consumer)
        assignable = [tp for tp in state.unassigned if may_assign(consumer, tp)][:limit]
        if assignable:
            _assign(consumer, assignable, state, out)


def _assign_co_partitioned(consumers: list[str], num_partitions: int, states: list[_TopicAssignmentState],
                           out: Assignment) -> None:
    """``assignCoPartitionedWithRackMatching``: partition p of every topic goes to the same rack-local consumer."""
    remaining = list(consumers)
    for p in range(num_partitions):
        match = next((c for c in remaining
                      if all(s.racks_match(c, (s.topic, p)) and s.max_assignable(c) > 0 for s in states)), None)
        if match is None:
            continue
        for s in states:
            _assign(match, [(s.topic, p)], s, out)
        if not any(s.max_assignable(match) > 0 for s in states):
            remaining.remove(match)
            if not remaining:
                break


def range_assignor(group: GroupInput) -> Assignment:
    """``RangeAssignor.assignPartitions``: per topic, contiguous ranges to members in MemberInfo order."""
    out: Assignment = {m: [] for m in group.topics}
    states = [_TopicAssignmentState(t, n, group) for t, n in sorted(group.partitions_per_topic.items())]
    if any(s.needs_rack_aware for s in states):
        # Topics with the same consumers (and racks) and the same partition count are co-partitioned:
        # Kafka keeps partition p of all of them on one consumer even when matching racks.
        groups: dict[tuple[tuple[str, str | None], ...], dict[int, list[_TopicAssignmentState]]] = {}
        for s in states:
            groups.setdefault(tuple(s.consumers.items()), {}).setdefault(len(s.partition_racks), []).append(s)
        for consumers, by_count in groups.items():
            for num_partitions, co_partitioned in by_count.items():
                if len(co_partitioned) > 1:
                    _assign_co_partitioned([c for c, _ in consumers], num_partitions, co_partitioned, out)
                elif co_partitioned[0].needs_rack_aware:
                    _assign_ranges(co_partitioned[0], co_partitioned[0].racks_match, out)
    for s in states:
        _assign_ranges(s, lambda _c, _tp: True, out)
    return sorted_assignment(out)


def roundrobin_assignor(group: GroupInput) -> Assignment:
    """``RoundRobinAssignor.assign``: all partitions sorted by topic, dealt in turn to sorted members.

    A member not subscribed to a partition's topic is skipped (and loses its turn for that partition).
    """
    out: Assignment = {m: [] for m in group.topics}
    ring = sorted(group.topics, key=lambda m: member_info_key(m, group.instance_ids[m]))
    if not ring:
        return out
    position = 0
    for topic in sorted(group.partitions_per_topic):
        for partition in range(group.partitions_per_topic[topic]):
            while topic not in group.topics[ring[position]]:
                position = (position + 1) % len(ring)
            out[ring[position]].append((topic, partition))
            position = (position + 1) % len(ring)
    return sorted_assignment(out)
