"""What a KIP-848 consumer group is made of, built only by replaying its records.

Models ``org.apache.kafka.coordinator.group.modern.consumer.ConsumerGroup`` (with its
``ModernGroup`` base) and the consumer-group ``replay`` methods of ``GroupMetadataManager``:
the coordinator never changes a group directly; it writes records to ``__consumer_offsets``
and replays them, so a coordinator that takes the partition over rebuilds the same group
from the log (app/sim/coordinator/group_coordinator.py, ``on_elected``). Left out: the
timeline snapshots (reads of committed state) and the classic-protocol members of
a consumer group.

The records, keyed by ``(kind, group id[, member id])`` as Kafka's ``*Key`` schemas are
(a value of None is a tombstone):

| kind | Kafka record | value |
|---|---|---|
| ``consumer_group_metadata`` | ConsumerGroupMetadata | ``{"epoch"}``: the group epoch |
| ``consumer_group_partition_metadata`` | ConsumerGroupPartitionMetadata | topic name -> ``[topic id, partitions]`` |
| ``consumer_group_member_metadata`` | ConsumerGroupMemberMetadata | the member's subscription and client |
| ``consumer_group_target_assignment_member`` | ConsumerGroupTargetAssignmentMember | topic id -> partitions |
| ``consumer_group_target_assignment_metadata`` | ConsumerGroupTargetAssignmentMetadata | ``{"assignment_epoch"}`` |
| ``consumer_group_current_member_assignment`` | ConsumerGroupCurrentMemberAssignment | epochs, state, partitions |
"""

from __future__ import annotations

from dataclasses import replace
from enum import Enum
from typing import Any

from app.sim.coordinator.current_assignment import (
    LEAVE_GROUP_MEMBER_EPOCH, Assignment, ConsumerGroupMember, MemberState, assignment,
)

GROUP_METADATA = "consumer_group_metadata"
PARTITION_METADATA = "consumer_group_partition_metadata"
MEMBER_METADATA = "consumer_group_member_metadata"
TARGET_MEMBER = "consumer_group_target_assignment_member"
TARGET_METADATA = "consumer_group_target_assignment_metadata"
CURRENT_MEMBER = "consumer_group_current_member_assignment"
RECORD_KINDS = frozenset({GROUP_METADATA, PARTITION_METADATA, MEMBER_METADATA, TARGET_MEMBER, TARGET_METADATA,
                          CURRENT_MEMBER})

Record = tuple[tuple, Any]
#: topic name -> (topic id, partitions): ``TopicMetadata`` of the subscribed topics that exist
SubscriptionMetadata = dict[str, tuple[str, int]]


class ConsumerGroupState(str, Enum):
    EMPTY = "Empty"
    ASSIGNING = "Assigning"
    RECONCILING = "Reconciling"
    STABLE = "Stable"
    DEAD = "Dead"


def _parts(a: Assignment) -> dict[str, list[int]]:
    return {t: sorted(ps) for t, ps in sorted(a.items())}


# -- the records (GroupCoordinatorRecordHelpers) --------------------------------------------------
def member_metadata_record(group_id: str, m: ConsumerGroupMember) -> Record:
    return ((MEMBER_METADATA, group_id, m.member_id),
            {"instance_id": m.instance_id, "rack_id": m.rack_id, "client_id": m.client_id, "client_host": m.client_host,
             "topics": sorted(m.subscribed_topic_names), "rebalance_timeout_ms": m.rebalance_timeout_ms,
             "server_assignor": m.server_assignor})


def current_assignment_record(group_id: str, m: ConsumerGroupMember) -> Record:
    return ((CURRENT_MEMBER, group_id, m.member_id),
            {"member_epoch": m.member_epoch, "previous_member_epoch": m.previous_member_epoch, "state": m.state.value,
             "assigned": _parts(m.assigned), "pending_revocation": _parts(m.pending_revocation)})


def target_assignment_record(group_id: str, member_id: str, a: Assignment) -> Record:
    return ((TARGET_MEMBER, group_id, member_id), _parts(a))


def group_epoch_record(group_id: str, epoch: int) -> Record:
    return ((GROUP_METADATA, group_id), {"epoch": epoch})


def target_epoch_record(group_id: str, epoch: int) -> Record:
    return ((TARGET_METADATA, group_id), {"assignment_epoch": epoch})


def subscription_metadata_record(group_id: str, metadata: SubscriptionMetadata) -> Record:
    return ((PARTITION_METADATA, group_id), {name: [tid, n] for name, (tid, n) in sorted(metadata.items())})


def member_tombstones(group_id: str, member_id: str) -> list[Record]:
    """``removeMember``: the order matters (the member record goes last, once it holds nothing)."""
    return [((CURRENT_MEMBER, group_id, member_id), None), ((TARGET_MEMBER, group_id, member_id), None),
            ((MEMBER_METADATA, group_id, member_id), None)]


class ConsumerGroupData:
    """The group's state; ``replay(key, value)`` is the only way it changes."""

    def __init__(self, group_id: str) -> None:
        self.group_id = group_id
        self.group_epoch = 0
        self.assignment_epoch = 0
        self.members: dict[str, ConsumerGroupMember] = {}
        #: group.instance.id -> member id
        self.static_members: dict[str, str] = {}
        self.target_assignment: dict[str, Assignment] = {}
        self.subscription_metadata: SubscriptionMetadata = {}
        #: topic name -> members subscribed to it
        self.subscribed_topic_names: dict[str, int] = {}
        #: topic id -> partition -> epoch of the member that owns it (or is revoking it)
        self.partition_epochs: dict[str, dict[int, int]] = {}
        #: server assignor name -> members asking for it (group.remote.assignor)
        self.server_assignors: dict[str, int] = {}
        #: False until a record created the group (getOrMaybeCreatePersistedConsumerGroup), False again once deleted
        self.exists = False

    # -- reads ------------------------------------------------------------------------------------
    @property
    def state(self) -> ConsumerGroupState:
        """``ConsumerGroup.maybeUpdateGroupState``."""
        if not self.exists:
            return ConsumerGroupState.DEAD
        if not self.members:
            return ConsumerGroupState.EMPTY
        if self.group_epoch > self.assignment_epoch:
            return ConsumerGroupState.ASSIGNING
        if any(not m.is_reconciled_to(self.assignment_epoch) for m in self.members.values()):
            return ConsumerGroupState.RECONCILING
        return ConsumerGroupState.STABLE

    def current_partition_epoch(self, topic_id: str, partition: int) -> int:
        return self.partition_epochs.get(topic_id, {}).get(partition, -1)

    def static_member(self, instance_id: str | None) -> ConsumerGroupMember | None:
        member_id = self.static_members.get(instance_id) if instance_id is not None else None
        return self.members.get(member_id) if member_id is not None else None

    def target_for(self, member_id: str, instance_id: str | None) -> Assignment:
        """``ConsumerGroup.targetAssignment(memberId, instanceId)``: a static member's by its instance id."""
        if instance_id is None:
            return self.target_assignment.get(member_id, {})
        previous = self.static_members.get(instance_id)
        return self.target_assignment.get(previous, {}) if previous is not None else {}

    def subscription_type(self, counts: dict[str, int], members: int) -> str:
        """``ModernGroup.subscriptionType``: homogeneous when every subscribed topic has every member."""
        return "HOMOGENEOUS" if all(n == members for n in counts.values()) else "HETEROGENEOUS"

    def subscribed_names_with(self, old: ConsumerGroupMember | None, new: ConsumerGroupMember | None) -> dict[str, int]:
        """``computeSubscribedTopicNames``: the counts with ``old`` replaced by ``new``."""
        counts = dict(self.subscribed_topic_names)
        _count(counts, old, -1)
        _count(counts, new, +1)
        return counts

    # -- replay (GroupMetadataManager.replay) --------------------------------------------------------
    def replay(self, key: tuple, value: Any) -> None:
        kind, member_id = key[0], (key[2] if len(key) > 2 else "")
        if value is not None and not self.exists:
            self.exists = True
            self._created()
        elif value is None and not self.exists:
            return  # a tombstone for a group that is not there
        if kind == GROUP_METADATA:
            if value is None:
                if self.members or self.target_assignment:
                    raise RuntimeError(f"Received a tombstone record to delete group {self.group_id} but the group "
                                       f"still has {len(self.members)} members.")
                self.exists = False
                self._deleted()
            else:
                self.group_epoch = value["epoch"]
        elif kind == PARTITION_METADATA:
            self.subscription_metadata = {} if value is None else {n: (tid, p) for n, (tid, p) in value.items()}
        elif kind == TARGET_METADATA:
            self.assignment_epoch = -1 if value is None else value["assignment_epoch"]
        elif kind == TARGET_MEMBER:
            if value is None:
                self.target_assignment.pop(member_id, None)
            else:
                self.target_assignment[member_id] = assignment(value)
        elif kind == MEMBER_METADATA:
            self._replay_member_metadata(member_id, value)
        elif kind == CURRENT_MEMBER:
            self._replay_current_assignment(member_id, value)
        else:
            raise ValueError(f"not a consumer group record: {key!r}; kinds: {', '.join(sorted(RECORD_KINDS))}")

    def _created(self) -> None:
        """The group exists now (ConsumerGroup registers itself with its coordinator)."""

    def _deleted(self) -> None:
        """The group's tombstone was replayed."""

    def _replay_member_metadata(self, member_id: str, value: dict[str, Any] | None) -> None:
        old = self.members.get(member_id)
        if value is None:
            if old is None:
                return
            if old.member_epoch != LEAVE_GROUP_MEMBER_EPOCH:
                raise RuntimeError(f"Received a tombstone record to delete member {member_id} but did not receive "
                                   "ConsumerGroupCurrentMemberAssignmentValue tombstone.")
            if member_id in self.target_assignment:
                raise RuntimeError(f"Received a tombstone record to delete member {member_id} but did not receive "
                                   "ConsumerGroupTargetAssignmentMetadataValue tombstone.")
            self._remove_member(old)
            return
        new = replace(old or ConsumerGroupMember(member_id), instance_id=value["instance_id"], rack_id=value["rack_id"],
                      client_id=value["client_id"], client_host=value["client_host"],
                      subscribed_topic_names=frozenset(value["topics"]),
                      rebalance_timeout_ms=value["rebalance_timeout_ms"], server_assignor=value["server_assignor"])
        self._update_member(old, new)

    def _replay_current_assignment(self, member_id: str, value: dict[str, Any] | None) -> None:
        old = self.members.get(member_id)
        if value is None:
            if old is None:
                return
            new = replace(old, member_epoch=LEAVE_GROUP_MEMBER_EPOCH, previous_member_epoch=LEAVE_GROUP_MEMBER_EPOCH,
                          assigned={}, pending_revocation={})
        else:
            new = replace(old or ConsumerGroupMember(member_id), member_epoch=value["member_epoch"],
                          previous_member_epoch=value["previous_member_epoch"], state=MemberState(value["state"]),
                          assigned=assignment(value["assigned"]), pending_revocation=assignment(value["pending_revocation"]))
        self._update_member(old, new)

    def _update_member(self, old: ConsumerGroupMember | None, new: ConsumerGroupMember) -> None:
        """``ConsumerGroup.updateMember``: subscriptions counted, assignors counted, partition epochs moved."""
        self.members[new.member_id] = new
        self._account(old, new)
        if new.instance_id is not None:
            self.static_members[new.instance_id] = new.member_id

    def _remove_member(self, old: ConsumerGroupMember) -> None:
        """``ConsumerGroup.removeMember``."""
        del self.members[old.member_id]
        self._account(old, None)
        if old.instance_id is not None and self.static_members.get(old.instance_id) == old.member_id:
            del self.static_members[old.instance_id]

    def _account(self, old: ConsumerGroupMember | None, new: ConsumerGroupMember | None) -> None:
        _count(self.subscribed_topic_names, old, -1)
        _count(self.subscribed_topic_names, new, +1)
        for m, step in ((old, -1), (new, +1)):
            if m is not None and m.server_assignor is not None:
                _add(self.server_assignors, m.server_assignor, step)
        if old is not None:
            self._move_epochs(old, remove=True)
        if new is not None:
            self._move_epochs(new, remove=False)

    def _move_epochs(self, m: ConsumerGroupMember, remove: bool) -> None:
        """``addPartitionEpochs`` / ``removePartitionEpochs``: a partition has one owner at a time."""
        for a in (m.assigned, m.pending_revocation):
            for topic_id, parts in a.items():
                epochs = self.partition_epochs.setdefault(topic_id, {})
                for p in parts:
                    if remove:
                        if epochs.pop(p, None) != m.member_epoch:
                            raise RuntimeError(f"Cannot remove the epoch {m.member_epoch} from {topic_id}-{p} because "
                                               "the partition is still owned at a different epoch")
                    elif p in epochs:
                        raise RuntimeError(f"Cannot set the epoch of {topic_id}-{p} to {m.member_epoch} because the "
                                           f"partition is still owned at epoch {epochs[p]}")
                    else:
                        epochs[p] = m.member_epoch
                if not epochs:
                    del self.partition_epochs[topic_id]


def _count(counts: dict[str, int], m: ConsumerGroupMember | None, step: int) -> None:
    if m is not None:
        for name in m.subscribed_topic_names:
            _add(counts, name, step)


def _add(counts: dict[str, int], key: str, step: int) -> None:
    """``Utils.incValue`` / ``decValue``: a count that reaches 0 leaves the map."""
    n = counts.get(key, 0) + step
    if n > 0:
        counts[key] = n
    else:
        counts.pop(key, None)
