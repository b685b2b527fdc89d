"""``UniformHeterogeneousAssignmentBuilder`` (Kafka 4.0, KAFKA-17710's rework): members on different topics.

Members are numbered in ``GroupSpec.memberIds()`` order; ties between equally loaded
members go to the lower number.  Steps: drop owned partitions of topics a member no
longer subscribes to; hand out the unowned partitions topic by topic (most partitions
per subscriber first) to the least-loaded subscribers; then, up to 16 rounds over the
topics, move partitions from a topic's most-loaded subscribers to its least-loaded
ones until no topic's subscribers differ by more than one.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from app.sim.coordinator.topic_ids import uuid_sort_key

if TYPE_CHECKING:
    from app.sim.coordinator.assignors import GroupSpec

__all__ = ["uniform_heterogeneous"]

MAX_ITERATION_COUNT = 16  # UniformHeterogeneousAssignmentBuilder.MAX_ITERATION_COUNT


class _MemberAssignmentBalancer:
    """``MemberAssignmentBalancer``: walks the least-loaded range up and the most-loaded range down.

    Members are sorted by load; [0, least_end) all had ``least_count`` partitions when the
    range was last widened and receive one each in turn; the most-loaded range does the
    same from the top.  Balanced once the two counts differ by at most one.
    """

    def __init__(self, sizes: list[int]) -> None:
        self.sizes = sizes
        self.members: list[int] = []
        self.least_end = self.least_count = self.next_least = 0
        self.most_start = self.most_end = self.most_count = self.next_most = 0

    def initialize(self, members: list[int]) -> int:
        self.members = sorted(members, key=lambda i: (self.sizes[i], i))
        self.least_end, self.next_least = 0, 0
        self.least_count = self.sizes[self.members[0]] - 1
        self.most_start = self.most_end = len(self.members)
        self.most_count = self.sizes[self.members[-1]] + 1
        self.next_most = len(self.members) - 1
        return self.sizes[self.members[-1]] - self.sizes[self.members[0]]

    def next_least_loaded(self) -> int:
        if self.next_least >= self.least_end:
            self.least_count += 1
            while self.least_end < len(self.members) and self.sizes[self.members[self.least_end]] == self.least_count:
                self.least_end += 1
            self.next_least = 0
        member = self.members[self.next_least]
        self.next_least += 1
        return member

    def next_most_loaded(self) -> int:
        if self.next_most < self.most_start:
            if self.most_end <= self.most_start and self.most_start > 0:
                # Emptied by exclude_most_loaded(): restart the count so the range widens below.
                self.most_count = self.sizes[self.members[self.most_start - 1]]
            else:
                self.most_count -= 1
            while self.most_start > 0 and self.sizes[self.members[self.most_start - 1]] == self.most_count:
                self.most_start -= 1
            self.next_most = self.most_end - 1
        if self.next_most < 0:
            return -1
        member = self.members[self.next_most]
        self.next_most -= 1
        return member

    def exclude_most_loaded(self) -> None:
        """Swap the member last returned by next_most_loaded() out past the end of the range."""
        i, j = self.next_most + 1, self.most_end - 1
        self.members[i], self.members[j] = self.members[j], self.members[i]
        self.most_end -= 1

    def is_balanced(self) -> bool:
        return self.most_count - self.least_count <= 1


class _Builder:
    def __init__(self, spec: GroupSpec) -> None:
        self.spec = spec
        self.member_ids = list(spec.member_ids)
        self.topic_subscribers: dict[str, list[int]] = {}
        for index, member in enumerate(self.member_ids):
            for topic_id in sorted(spec.subscriptions[member], key=uuid_sort_key):
                self.topic_subscribers.setdefault(topic_id, []).append(index)
        self.sizes = [0] * len(self.member_ids)
        self.owners = {t: [-1] * spec.partitions[t] for t in self.topic_subscribers}
        self.target: dict[str, dict[str, set[int]]] = {}

    def _topic_key(self, topic_id: str) -> tuple[Fraction, int, tuple[int, int]]:
        # Partitions per subscriber descending, then subscriber count ascending, then topic id.
        subscribers = len(self.topic_subscribers[topic_id])
        return (-Fraction(self.spec.partitions[topic_id], subscribers), subscribers, uuid_sort_key(topic_id))

    def build(self) -> dict[str, dict[str, set[int]]]:
        if not self.topic_subscribers:
            return {}
        for index, member in enumerate(self.member_ids):
            kept = {}
            for topic_id, parts in self.spec.assignments[member].items():
                if topic_id in self.spec.subscriptions[member]:
                    kept[topic_id] = set(parts)
                    self.sizes[index] += len(parts)
                    for p in parts:
                        self.owners[topic_id][p] = index
            self.target[member] = kept
        balancer = _MemberAssignmentBalancer(self.sizes)
        for topic_id in sorted(self.topic_subscribers, key=self._topic_key):
            unassigned = [p for p, owner in enumerate(self.owners[topic_id]) if owner == -1]
            if unassigned:
                balancer.initialize(self.topic_subscribers[topic_id])
                for p in unassigned:
                    self._assign(topic_id, p, balancer.next_least_loaded())
        movable = sorted((t for t, s in self.topic_subscribers.items() if len(s) >= 2), key=self._topic_key)
        if movable:
            self._balance_topics(movable, balancer)
        return self.target

    def _balance_topics(self, topics: list[str], balancer: _MemberAssignmentBalancer) -> None:
        last_rebalanced = -1
        for _ in range(MAX_ITERATION_COUNT):
            for index, topic_id in enumerate(topics):
                if index == last_rebalanced:
                    return  # a whole lap without a move
                moved = self._balance_topic(topic_id, balancer)
                if moved > 0 or last_rebalanced == -1:
                    last_rebalanced = index

    def _balance_topic(self, topic_id: str, balancer: _MemberAssignmentBalancer) -> int:
        moved = 0
        if balancer.initialize(self.topic_subscribers[topic_id]) <= 1:
            return moved
        owners = self.owners[topic_id]
        # Partitions grouped by owner; each member gives up the highest-numbered of its partitions first.
        partitions = sorted(range(len(owners)), key=lambda p: (owners[p], p))
        start: dict[int, int] = {}
        end: dict[int, int] = {}
        for i, p in enumerate(partitions):
            start.setdefault(owners[p], i)
            end[owners[p]] = i + 1
        while not balancer.is_balanced():
            most = balancer.next_most_loaded()
            while most != -1 and (most not in end or end[most] - start[most] <= 0):
                balancer.exclude_most_loaded()
                most = balancer.next_most_loaded()
            if most == -1:
                break
            end[most] -= 1
            partition = partitions[end[most]]
            least = balancer.next_least_loaded()
            if balancer.is_balanced():
                break
            self._assign(topic_id, partition, least)
            moved += 1
        return moved

    def _assign(self, topic_id: str, partition: int, member_index: int) -> None:
        old = self.owners[topic_id][partition]
        if old != -1:
            parts = self.target[self.member_ids[old]].get(topic_id)
            if parts is not None:
                parts.discard(partition)
                if not parts:
                    del self.target[self.member_ids[old]][topic_id]
            self.sizes[old] -= 1
        self.target[self.member_ids[member_index]].setdefault(topic_id, set()).add(partition)
        self.owners[topic_id][partition] = member_index
        self.sizes[member_index] += 1


def uniform_heterogeneous(spec: GroupSpec) -> dict[str, dict[str, set[int]]]:
    """The heterogeneous target assignment (member id -> topic id -> partitions)."""
    return _Builder(spec).build()
