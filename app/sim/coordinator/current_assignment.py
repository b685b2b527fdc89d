"""A KIP-848 group member as its coordinator holds it, and the engine that moves it to its target assignment.

Models ``ConsumerGroupMember`` (immutable, rebuilt on every change), the coordinator's
``MemberState`` and ``CurrentAssignmentBuilder`` (Kafka 4.0, group-coordinator module
``modern/consumer``). A member owns ``assigned`` partitions at ``member_epoch``; when the
target assignment of a newer epoch takes some away, the member first stays in its epoch in
UNREVOKED_PARTITIONS until its heartbeat no longer reports them, and only then moves to the
new epoch; partitions it gains that another member still owns wait in UNRELEASED_PARTITIONS.
So a partition never has two owners. Leaves out the classic-protocol members of a consumer
group (KIP-848's online upgrade) and regular-expression subscriptions.

Assignments are ``{topic id: frozenset of partitions}``, topic ids being Kafka Uuid strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Callable, Iterable, Mapping

Assignment = dict[str, frozenset[int]]

#: ConsumerGroupHeartbeatRequest.JOIN_GROUP_MEMBER_EPOCH / LEAVE_GROUP_MEMBER_EPOCH / LEAVE_GROUP_STATIC_MEMBER_EPOCH
JOIN_GROUP_MEMBER_EPOCH = 0
LEAVE_GROUP_MEMBER_EPOCH = -1
LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2


class MemberState(Enum):
    """The coordinator's view of a member's reconciliation (values as in the CurrentMemberAssignment record)."""

    STABLE = 0
    UNREVOKED_PARTITIONS = 1
    UNRELEASED_PARTITIONS = 2
    UNKNOWN = 127


class FencedMemberEpoch(Exception):
    """``FencedMemberEpochException``: the member must give up its partitions and join again."""


@dataclass(frozen=True)
class ConsumerGroupMember:
    """One member; ``replace()`` makes the next version, as Kafka's ``ConsumerGroupMember.Builder`` does."""

    member_id: str
    member_epoch: int = 0
    previous_member_epoch: int = -1
    state: MemberState = MemberState.STABLE
    instance_id: str | None = None
    rack_id: str | None = None
    rebalance_timeout_ms: int = -1
    client_id: str = ""
    client_host: str = ""
    subscribed_topic_names: frozenset[str] = frozenset()
    server_assignor: str | None = None
    assigned: Assignment = field(default_factory=dict)
    pending_revocation: Assignment = field(default_factory=dict)

    def metadata(self) -> tuple:
        """What the ConsumerGroupMemberMetadata record holds: a change of it is written."""
        return (self.instance_id, self.rack_id, self.client_id, self.client_host, self.subscribed_topic_names,
                self.rebalance_timeout_ms, self.server_assignor)

    def is_reconciled_to(self, target_epoch: int) -> bool:
        """``ModernGroupMember.isReconciledTo``."""
        return self.state is MemberState.STABLE and self.member_epoch == target_epoch

    def with_epoch(self, epoch: int, **changes: object) -> "ConsumerGroupMember":
        """``Builder.updateMemberEpoch``: the epoch moves and the old one becomes the previous epoch."""
        return replace(self, member_epoch=epoch, previous_member_epoch=self.member_epoch, **changes)  # type: ignore[arg-type]


def assignment(parts: Mapping[str, Iterable[int]]) -> Assignment:
    """An assignment without empty topics, as Kafka's maps keep them."""
    return {t: frozenset(ps) for t, ps in parts.items() if ps}


def owns_any(owned: Iterable[tuple[str, Iterable[int]]] | None, revoking: Assignment) -> bool:
    """``ownsRevokedPartitions``: a heartbeat without its owned partitions (null) counts as still owning them."""
    if owned is None:
        return True
    return any(p in revoking.get(topic_id, ()) for topic_id, parts in owned for p in parts)


def next_assignment(member: ConsumerGroupMember, target_epoch: int, target: Assignment,
                    partition_epoch: Callable[[str, int], int],
                    owned: Iterable[tuple[str, Iterable[int]]] | None) -> ConsumerGroupMember:
    """``CurrentAssignmentBuilder.build``: the member's next state towards ``target`` (or the same member).

    ``partition_epoch(topic_id, partition)`` is the epoch of the partition's current owner, -1 when free;
    ``owned`` is what the member's heartbeat reported (None when it did not send it).
    """
    owned = None if owned is None else list(owned)
    if member.state is MemberState.STABLE:
        if member.member_epoch != target_epoch:
            return _compute(member, member.member_epoch, target_epoch, target, partition_epoch, owned)
        return member
    if member.state is MemberState.UNREVOKED_PARTITIONS:
        if owns_any(owned, member.pending_revocation):
            return member
        # Revoked: the member moves to the next epoch (current + 1) and on towards the latest target.
        return _compute(member, member.member_epoch + 1, target_epoch, target, partition_epoch, owned)
    if member.state is MemberState.UNRELEASED_PARTITIONS:
        return _compute(member, member.member_epoch, target_epoch, target, partition_epoch, owned)
    # UNKNOWN: only a newer coordinator's state; the member must start again without partitions.
    if owned is None or owned:
        raise FencedMemberEpoch("The consumer group member is in a unknown state. "
                                "The member must abandon all its partitions and rejoin.")
    return _compute(member, target_epoch, target_epoch, target, partition_epoch, owned)


def _compute(member: ConsumerGroupMember, epoch: int, target_epoch: int, target: Assignment,
             partition_epoch: Callable[[str, int], int],
             owned: list[tuple[str, Iterable[int]]] | None) -> ConsumerGroupMember:
    """``computeNextAssignment``: keep current ∩ target, revoke current - target, add target - current if free."""
    unreleased = False
    assigned: dict[str, frozenset[int]] = {}
    revoking: dict[str, frozenset[int]] = {}
    adding: dict[str, frozenset[int]] = {}
    for topic_id in set(target) | set(member.assigned):
        want = target.get(topic_id, frozenset())
        have = member.assigned.get(topic_id, frozenset())
        keep = have & want
        gone = have - keep
        new = want - keep
        free = frozenset(p for p in new if partition_epoch(topic_id, p) == -1)
        unreleased = unreleased or free != new
        if keep:
            assigned[topic_id] = keep
        if gone:
            revoking[topic_id] = gone
        if free:
            adding[topic_id] = free
    if revoking and owns_any(owned, revoking):
        # Partitions to give up first: the member stays in its epoch until it reports them gone.
        return member.with_epoch(epoch, state=MemberState.UNREVOKED_PARTITIONS, assigned=assigned,
                                 pending_revocation=revoking)
    for topic_id, parts in adding.items():
        assigned[topic_id] = assigned.get(topic_id, frozenset()) | parts
    state = MemberState.UNRELEASED_PARTITIONS if unreleased else MemberState.STABLE
    return member.with_epoch(target_epoch, state=state, assigned=assigned, pending_revocation={})
