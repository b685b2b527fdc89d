"""The sticky assignors' general builder, for members with different subscriptions.

Models ``AbstractStickyAssignor.GeneralAssignmentBuilder`` and its
``PartitionMovements`` (Kafka 4.0): keep every valid owned partition, hand the
rest one by one to the least-loaded eligible member, then move partitions from
members with two or more above another eligible member until balanced, undoing
the moves if they did not improve the balance score.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from app.sim.consumer.javaorder import JavaHashSet, java_string_key, topic_partition_hash
from app.sim.consumer.subscription import Assignment, GroupInput, TopicPartition

if TYPE_CHECKING:
    from app.sim.consumer.sticky import OwnedPartitions, RackInfo

__all__ = ["GeneralAssignmentBuilder"]

ConsumerPair = tuple[str, str]  # (src, dst)


def _tp_hash(tp: TopicPartition) -> int:
    return topic_partition_hash(tp[0], tp[1])


class _PartitionMovements:
    """``PartitionMovements``: where each moved partition came from, to undo a move rather than chain it."""

    def __init__(self) -> None:
        self.by_topic: dict[str, dict[ConsumerPair, JavaHashSet[TopicPartition]]] = {}
        self.movements: dict[TopicPartition, ConsumerPair] = {}

    def _remove_record(self, tp: TopicPartition) -> ConsumerPair:
        pair = self.movements.pop(tp)
        for_topic = self.by_topic[tp[0]]
        for_topic[pair].remove(tp)
        if not len(for_topic[pair]):
            del for_topic[pair]
        if not for_topic:
            del self.by_topic[tp[0]]
        return pair

    def _add_record(self, tp: TopicPartition, pair: ConsumerPair) -> None:
        self.movements[tp] = pair
        self.by_topic.setdefault(tp[0], {}).setdefault(pair, JavaHashSet(_tp_hash)).add(tp)

    def move(self, tp: TopicPartition, old: str, new: str) -> None:
        if tp in self.movements:
            src, _ = self._remove_record(tp)
            if src != new:  # not moving back to where it was
                self._add_record(tp, (src, new))
        else:
            self._add_record(tp, (old, new))

    def actual_partition_to_move(self, tp: TopicPartition, old: str, new: str) -> TopicPartition:
        """If a partition of this topic already moved new -> old, move that one back instead."""
        for_topic = self.by_topic.get(tp[0])
        if for_topic is None:
            return tp
        if tp in self.movements:
            old = self.movements[tp][0]
        reverse = for_topic.get((new, old))
        return tp if reverse is None else reverse.first()


class _SortedMembers:
    """The ``TreeSet`` of members by (assigned partition count, member id); Kafka removes before resizing."""

    def __init__(self, assignment: Assignment) -> None:
        self._assignment = assignment
        self._entries: list[tuple[int, bytes, str]] = []
        self._keys: dict[str, tuple[int, bytes, str]] = {}

    def add(self, member: str) -> None:
        if member not in self._keys:
            entry = (len(self._assignment[member]), java_string_key(member), member)
            self._keys[member] = entry
            bisect.insort(self._entries, entry)

    def remove(self, member: str) -> None:
        entry = self._keys.pop(member, None)
        if entry is not None:
            del self._entries[bisect.bisect_left(self._entries, entry)]

    def first(self) -> str:
        return self._entries[0][2]

    def last(self) -> str:
        return self._entries[-1][2]

    def members(self) -> list[str]:
        return [entry[2] for entry in self._entries]


class GeneralAssignmentBuilder:
    """``GeneralAssignmentBuilder``: as balanced as the subscriptions allow, then as sticky as possible."""

    def __init__(self, group: GroupInput, racks: RackInfo, owned: OwnedPartitions, order: list[str]) -> None:
        self.group = group
        self.racks = racks
        self.owned = owned
        self.order = order
        per_topic = group.partitions_per_topic
        self.topic_consumers: dict[str, list[str]] = {t: [] for t in per_topic}
        self.consumer_topics: dict[str, set[str]] = {}
        for consumer in order:
            topics = [t for t in group.topics[consumer] if t in per_topic]
            self.consumer_topics[consumer] = set(topics)
            for t in topics:
                self.topic_consumers[t].append(consumer)
        self.current: Assignment = {c: list(owned.by_member[c]) for c in order}
        self.partition_consumer = {tp: c for c, tps in self.current.items() for tp in tps}
        topics_sorted = sorted(per_topic, key=lambda t: (len(self.topic_consumers[t]), t))
        self.sorted_all_partitions = [(t, p) for t in topics_sorted for p in range(per_topic[t])]
        self.sorted_members = _SortedMembers(self.current)
        self.movements = _PartitionMovements()
        self.revocation_required = False

    def build(self) -> Assignment:
        prev_assignment = self._prepopulate_current_assignments()
        assigned = self._assign_owned_partitions()
        unassigned = [tp for tp in self.sorted_all_partitions if tp not in assigned]
        for consumer in self.current:
            self.sorted_members.add(consumer)
        self._balance(prev_assignment, unassigned)
        return self.current

    def _prepopulate_current_assignments(self) -> dict[TopicPartition, tuple[str, int]]:
        """Owners from older generations: a partition may go back to one of them if that balances better."""
        prev: dict[TopicPartition, tuple[str, int]] = {}
        for consumer in self.order:
            generation = self.group.generations[consumer]
            if generation < self.owned.max_generation:
                for tp in self.group.owned[consumer]:
                    if tp not in prev or generation > prev[tp][1]:
                        prev[tp] = (consumer, generation)
        return prev

    def _assign_owned_partitions(self) -> set[TopicPartition]:
        assigned: set[TopicPartition] = set()
        for consumer, tps in self.current.items():
            kept = []
            for tp in tps:
                if tp[0] not in self.consumer_topics[consumer] or self.racks.racks_mismatch(consumer, tp):
                    self.revocation_required = True
                else:
                    kept.append(tp)
                    assigned.add(tp)
            tps[:] = kept
        return assigned

    def _max_assignment_size(self, consumer: str) -> int:
        return sum(self.group.partitions_per_topic[t] for t in self.consumer_topics[consumer])

    def _is_balanced(self) -> bool:
        sizes = {c: len(tps) for c, tps in self.current.items()}
        if sizes[self.sorted_members.first()] >= sizes[self.sorted_members.last()] - 1:
            return True
        owner = {tp: c for c, tps in self.current.items() for tp in tps}
        for consumer in self.sorted_members.members():
            count = sizes[consumer]
            if count == self._max_assignment_size(consumer):
                continue
            mine = set(self.current[consumer])
            for topic in self.consumer_topics[consumer]:
                for p in range(self.group.partitions_per_topic[topic]):
                    if (topic, p) not in mine and count + 1 < sizes[owner[(topic, p)]]:
                        return False
        return True

    @staticmethod
    def _balance_score(assignment: Assignment) -> int:
        sizes = [len(tps) for tps in assignment.values()]
        return sum(abs(a - b) for i, a in enumerate(sizes) for b in sizes[i + 1:])

    def _maybe_assign(self, partitions: list[TopicPartition], racks: RackInfo | None) -> list[TopicPartition]:
        """Give each partition to the least-loaded eligible member; returns those no member could take."""
        left = []
        for tp in partitions:
            target = next((c for c in self.sorted_members.members() if tp[0] in self.consumer_topics[c]
                           and (racks is None or not racks.racks_mismatch(c, tp))), None)
            if target is None:
                left.append(tp)
                continue
            self.sorted_members.remove(target)
            self.current[target].append(tp)
            self.partition_consumer[tp] = target
            self.sorted_members.add(target)
        return left

    def _can_consumer_participate(self, consumer: str) -> bool:
        if len(self.current[consumer]) < self._max_assignment_size(consumer):
            return True
        return any(len(self.topic_consumers[t]) >= 2 for t, _ in self.current[consumer])

    def _balance(self, prev_assignment: dict[TopicPartition, tuple[str, int]],
                 unassigned: list[TopicPartition]) -> None:
        initializing = not self.current[self.sorted_members.last()]
        to_assign = unassigned
        if self.racks.consumer_racks:
            to_assign = self._maybe_assign(unassigned, self.racks)
        self._maybe_assign(to_assign, None)

        fixed_partitions = {(t, p) for t, cs in self.topic_consumers.items() if len(cs) < 2
                            for p in range(self.group.partitions_per_topic[t])}
        self.sorted_all_partitions = [tp for tp in self.sorted_all_partitions if tp not in fixed_partitions]
        unassigned = [tp for tp in unassigned if tp not in fixed_partitions]
        fixed_assignments: Assignment = {}
        for consumer in self.order:
            if not self._can_consumer_participate(consumer):
                self.sorted_members.remove(consumer)
                fixed_assignments[consumer] = self.current.pop(consumer)

        pre_balance = {c: list(tps) for c, tps in self.current.items()}
        pre_balance_owners = dict(self.partition_consumer)
        if not self.revocation_required:
            self._perform_reassignments(unassigned, prev_assignment)
        performed = self._perform_reassignments(self.sorted_all_partitions, prev_assignment)
        if not initializing and performed and self._balance_score(self.current) >= self._balance_score(pre_balance):
            self.current.clear()
            self.current.update(pre_balance)
            self.partition_consumer = pre_balance_owners
        self.current.update(fixed_assignments)

    def _perform_reassignments(self, partitions: list[TopicPartition],
                               prev_assignment: dict[TopicPartition, tuple[str, int]]) -> bool:
        performed = False
        modified = True
        while modified:
            modified = False
            for tp in partitions:
                if self._is_balanced():
                    break
                consumer = self.partition_consumer[tp]
                size = len(self.current[consumer])
                prev = prev_assignment.get(tp)
                if prev is not None and prev[0] not in self.current:
                    # Kafka dereferences currentAssignment.get(previous owner), null for a member taken
                    # out of reassignment, and the leader's assignment fails with this exception.
                    raise RuntimeError(f"Kafka's sticky assignor fails with a NullPointerException here: {tp} was "
                                       f"owned in an older generation by {prev[0]!r}, which takes no part in "
                                       "reassignment")
                if prev is not None and size > len(self.current[prev[0]]) + 1:
                    self._reassign(tp, prev[0])
                    performed = modified = True
                    continue
                # A rack-local member is looked for first, but either way the partition goes to the
                # least-loaded eligible member (reassignPartition(partition) ignores racks).
                if any(size > len(self.current[other]) + 1 for other in self.topic_consumers[tp[0]]):
                    new_consumer = next(c for c in self.sorted_members.members() if tp[0] in self.consumer_topics[c])
                    self._reassign(tp, new_consumer)
                    performed = modified = True
        return performed

    def _reassign(self, tp: TopicPartition, new_consumer: str) -> None:
        tp = self.movements.actual_partition_to_move(tp, self.partition_consumer[tp], new_consumer)
        old_consumer = self.partition_consumer[tp]
        self.sorted_members.remove(old_consumer)
        self.sorted_members.remove(new_consumer)
        self.movements.move(tp, old_consumer, new_consumer)
        self.current[old_consumer].remove(tp)
        self.current[new_consumer].append(tp)
        self.partition_consumer[tp] = new_consumer
        self.sorted_members.add(new_consumer)
        self.sorted_members.add(old_consumer)
