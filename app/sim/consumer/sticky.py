"""The sticky assignors' shared front and their constrained (equal subscriptions) builder.

Models ``org.apache.kafka.clients.consumer.internals.AbstractStickyAssignor``
(Kafka 4.0): ``allSubscriptionsEqual`` (which also settles partitions claimed by
two members, by generation), ``RackInfo`` (KIP-881) and the
``ConstrainedAssignmentBuilder``; the general builder is in ``sticky_general``.
``StickyAssignor`` (eager) and ``CooperativeStickyAssignor`` share all of it: the
eager one reads the previous assignment from its userData, the cooperative one
from ``ownedPartitions``; both come in here as ``GroupInput.owned``.
"""

from __future__ import annotations

from app.sim.consumer.javaorder import hashmap_order, java_string_hash, java_string_key
from app.sim.consumer.range_roundrobin import use_rack_aware_assignment
from app.sim.consumer.sticky_general import GeneralAssignmentBuilder
from app.sim.consumer.subscription import DEFAULT_GENERATION, Assignment, GroupInput, TopicPartition

__all__ = ["RackInfo", "OwnedPartitions", "sticky_assign", "member_iteration_order"]


def member_iteration_order(members: list[str]) -> list[str]:
    """The order of ``ConsumerCoordinator.onLeaderElected``'s subscriptions HashMap (see javaorder)."""
    return hashmap_order(sorted(members, key=java_string_key), java_string_hash)


def _remove_first(items: list[TopicPartition], tp: TopicPartition) -> None:
    """``List.remove(Object)``: the first occurrence, if any."""
    if tp in items:
        items.remove(tp)


class OwnedPartitions:
    """``allSubscriptionsEqual``: each member's still-valid owned partitions, and whether subscriptions match.

    Two members claiming one partition: the higher generation keeps it; in the same
    generation neither does and it is remembered in ``multiple_previous_owners``.
    """

    def __init__(self, group: GroupInput, order: list[str]) -> None:
        self.all_equal = True
        self.max_generation = DEFAULT_GENERATION
        self.by_member: dict[str, list[TopicPartition]] = {}
        self.multiple_previous_owners: set[TopicPartition] = set()
        subscribed: set[str] = set()
        previous_owner: dict[TopicPartition, str] = {}
        for consumer in order:
            topics = group.topics[consumer]
            if not subscribed:  # Kafka's "first subscription" is the first non-empty one
                subscribed.update(topics)
            elif self.all_equal and not (len(topics) == len(subscribed) and subscribed.issuperset(topics)):
                self.all_equal = False
            generation = group.generations[consumer]
            self.max_generation = max(self.max_generation, generation)
            owned: list[TopicPartition] = []
            self.by_member[consumer] = owned
            for tp in group.owned[consumer]:
                if tp[0] not in group.partitions_per_topic:
                    continue
                other = previous_owner.get(tp)
                if other is None:
                    owned.append(tp)
                    previous_owner[tp] = consumer
                elif generation == group.generations[other]:
                    self.multiple_previous_owners.add(tp)
                    _remove_first(self.by_member[other], tp)
                    previous_owner[tp] = consumer
                elif generation > group.generations[other]:
                    owned.append(tp)
                    _remove_first(self.by_member[other], tp)
                    previous_owner[tp] = consumer


class RackInfo:
    """``AbstractStickyAssignor.RackInfo``: consumer and replica racks, empty unless rack-aware assignment applies."""

    def __init__(self, group: GroupInput, order: list[str]) -> None:
        consumers_by_rack: dict[str, list[str]] = {}
        for member in order:
            if member in group.member_racks:
                consumers_by_rack.setdefault(group.member_racks[member], []).append(member)
        partition_racks: dict[TopicPartition, frozenset[str]] = {}
        if consumers_by_rack:
            partition_racks = {(t, p): group.partition_racks.get((t, p), frozenset())
                               for t, n in group.partitions_per_topic.items() for p in range(n)}
        all_partition_racks = {r for racks in partition_racks.values() for r in racks}
        self.consumer_racks: dict[str, str] = {}
        self.partition_racks: dict[TopicPartition, frozenset[str]] = {}
        if use_rack_aware_assignment(consumers_by_rack.keys(), all_partition_racks, partition_racks):
            self.consumer_racks = {m: r for r, ms in consumers_by_rack.items() for m in ms}
            self.partition_racks = partition_racks
        # Kafka counts rack consumers from its local partitionRacks, so this is filled even when not rack-aware.
        self.num_consumers_by_partition = {
            tp: sum(len(consumers_by_rack.get(r, ())) for r in racks) for tp, racks in partition_racks.items()
        }

    def racks_mismatch(self, consumer: str, tp: TopicPartition) -> bool:
        rack = self.consumer_racks.get(consumer)
        return rack is not None and rack not in self.partition_racks.get(tp, frozenset())

    def sort_partitions_by_rack_consumers(self, partitions: list[TopicPartition]) -> list[TopicPartition]:
        if not self.num_consumers_by_partition:
            return partitions
        return sorted(partitions, key=lambda tp: self.num_consumers_by_partition.get(tp, 0))  # stable, as List.sort

    def next_rack_consumer(self, tp: TopicPartition, consumers: list[str], first_index: int) -> int:
        racks = self.partition_racks.get(tp)
        if not racks:
            return -1
        for i in range(len(consumers)):
            index = (first_index + i) % len(consumers)
            if self.consumer_racks.get(consumers[index]) in racks:
                return index
        return -1


class _ListIterator:
    """A Java list iterator: ``remove()`` drops the element last returned by ``next()``."""

    def __init__(self, items: list[str]) -> None:
        self.items = items
        self.cursor = 0
        self.last = -1

    def has_next(self) -> bool:
        return self.cursor < len(self.items)

    def next(self) -> str:
        self.last = self.cursor
        self.cursor += 1
        return self.items[self.last]

    def remove(self) -> None:
        if self.last < 0:
            raise RuntimeError("Java's Iterator.remove() would throw IllegalStateException here")
        del self.items[self.last]
        self.cursor = self.last
        self.last = -1


class _ConstrainedAssignmentBuilder:
    """``ConstrainedAssignmentBuilder``: every member subscribes to the same topics.

    Members keep their owned partitions up to the quota (minQuota = floor(P / M),
    maxQuota = ceil(P / M), and only P mod M members may reach maxQuota: the first
    ones met in member iteration order), then the rest are dealt round-robin over
    the sorted unfilled members (rack-local first when rack-aware).
    """

    def __init__(self, group: GroupInput, racks: RackInfo, owned: OwnedPartitions) -> None:
        self.group = group
        self.racks = racks
        self.owned = owned
        total = sum(group.partitions_per_topic.values())
        members = len(owned.by_member)
        self.min_quota, self.max_quota = total // members, -(-total // members)
        self.expected_over_min = total % members
        self.current_over_min = 0
        self.assignment: Assignment = {m: [] for m in owned.by_member}
        self.maybe_revoked: dict[TopicPartition, str] = {}
        self.transferring: dict[TopicPartition, str] = {}
        self.under_min: list[str] = []
        self.exactly_min: list[str] = []

    def build(self) -> Assignment:
        assigned = self._assign_owned_partitions()
        unassigned = [(t, p) for t in sorted(self.group.partitions_per_topic)
                      for p in range(self.group.partitions_per_topic[t]) if (t, p) not in assigned]
        self.under_min.sort(key=java_string_key)
        self.exactly_min.sort(key=java_string_key)
        unassigned = self.racks.sort_partitions_by_rack_consumers(unassigned)
        unassigned = self._assign_rack_aware_round_robin(unassigned)
        self._assign_round_robin(unassigned)
        if self.under_min and (self.current_over_min != self.expected_over_min
                               or any(len(self.assignment[m]) != self.min_quota for m in self.under_min)):
            raise RuntimeError(f"Kafka's verifyUnfilledMembers would fail for {self.under_min}")
        return self.assignment

    def _keep(self, consumer: str, tps: list[TopicPartition], assigned: set[TopicPartition]) -> None:
        self.assignment[consumer].extend(tps)
        assigned.update(tps)

    def _assign_owned_partitions(self) -> set[TopicPartition]:
        assigned: set[TopicPartition] = set()
        for consumer, owned_list in self.owned.by_member.items():
            owned = []
            for tp in owned_list:
                if self.racks.racks_mismatch(consumer, tp):
                    self.maybe_revoked[tp] = consumer
                else:
                    owned.append(tp)
            owned.sort(key=lambda tp: (tp[1], tp[0]))  # by partition, then topic
            owned = [tp for tp in owned if tp not in self.owned.multiple_previous_owners]
            if len(owned) < self.min_quota:
                self._keep(consumer, owned, assigned)
                self.under_min.append(consumer)
            elif len(owned) >= self.max_quota and self.current_over_min < self.expected_over_min:
                self.current_over_min += 1
                if self.current_over_min == self.expected_over_min:
                    self.exactly_min.clear()
                self._keep(consumer, owned[:self.max_quota], assigned)
                self.maybe_revoked.update((tp, consumer) for tp in owned[self.max_quota:])
            else:
                self._keep(consumer, owned[:self.min_quota], assigned)
                self.maybe_revoked.update((tp, consumer) for tp in owned[self.min_quota:])
                if self.current_over_min < self.expected_over_min:
                    self.exactly_min.append(consumer)
        return assigned

    def _assign_rack_aware_round_robin(self, unassigned: list[TopicPartition]) -> list[TopicPartition]:
        if not self.racks.consumer_racks:
            return unassigned
        left: list[TopicPartition] = []
        next_index = 0
        for tp in unassigned:
            consumer = None
            index = self.racks.next_rack_consumer(tp, self.under_min, next_index)
            if index >= 0:
                consumer = self.under_min[index]
                count = len(self.assignment[consumer]) + 1
                if count >= self.min_quota:
                    self.under_min.remove(consumer)
                    if count < self.max_quota and self.current_over_min < self.expected_over_min:
                        self.exactly_min.append(consumer)
                else:
                    index += 1
                next_index = index % len(self.under_min) if self.under_min else 0
            elif self.exactly_min:
                first = self.racks.next_rack_consumer(tp, self.exactly_min, 0)
                if first >= 0:
                    consumer = self.exactly_min[first]
                    if len(self.assignment[consumer]) + 1 == self.max_quota:
                        del self.exactly_min[first]
                        self.current_over_min += 1
                        if self.current_over_min == self.expected_over_min:
                            self.exactly_min.clear()
            if consumer is None:
                left.append(tp)
            else:
                self._assign_new_partition(tp, consumer)
        return left

    def _assign_round_robin(self, unassigned: list[TopicPartition]) -> None:
        it = _ListIterator(self.under_min)
        for tp in unassigned:
            if it.has_next():
                consumer = it.next()
            elif not self.under_min and not self.exactly_min:
                raise RuntimeError("Kafka's ConstrainedAssignmentBuilder: no more unfilled consumers to be assigned")
            elif not self.under_min:
                consumer = self.exactly_min.pop(0)
            else:
                it = _ListIterator(self.under_min)
                consumer = it.next()
            count = self._assign_new_partition(tp, consumer)
            if count == self.min_quota:
                it.remove()
                self.exactly_min.append(consumer)
            elif count == self.max_quota:
                self.current_over_min += 1

    def _assign_new_partition(self, tp: TopicPartition, consumer: str) -> int:
        self.assignment[consumer].append(tp)
        previous = self.maybe_revoked.get(tp)
        if (previous is not None and previous != consumer) or tp in self.owned.multiple_previous_owners:
            self.transferring[tp] = consumer
        return len(self.assignment[consumer])


def sticky_assign(group: GroupInput) -> tuple[Assignment, dict[TopicPartition, str] | None]:
    """``AbstractStickyAssignor.assignPartitions``: the assignment, and the constrained builder's
    ``partitionsTransferringOwnership`` (None from the general builder, as in Kafka)."""
    if not group.topics:
        return {}, {}
    order = member_iteration_order(list(group.topics))
    racks = RackInfo(group, order)
    owned = OwnedPartitions(group, order)
    if owned.all_equal:
        builder = _ConstrainedAssignmentBuilder(group, racks, owned)
        return builder.build(), builder.transferring
    return GeneralAssignmentBuilder(group, racks, owned, order).build(), None
