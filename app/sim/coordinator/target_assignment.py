"""The target assignment of a KIP-848 group: the server-side assignor run over the members' subscriptions.

Models ``TargetAssignmentBuilder`` and the part of ``GroupMetadataManager.updateTargetAssignment``
that picks the assignor (``ConsumerGroup.computePreferredServerAssignor``: the assignor most
members ask for with ``group.remote.assignor``, else the first of ``group.consumer.assignors``).
The assignors are app/sim/coordinator/assignors.py; the result is written as one
ConsumerGroupTargetAssignmentMember record per member whose target changed, then the
ConsumerGroupTargetAssignmentMetadata record with the new epoch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from app.sim.consumer.javaorder import hashmap_order, java_string_hash
from app.sim.coordinator.assignors import range_assign, uniform_assign
from app.sim.coordinator.consumer_group_state import Record, target_assignment_record, target_epoch_record
from app.sim.coordinator.current_assignment import Assignment, ConsumerGroupMember, assignment

if TYPE_CHECKING:
    from app.sim.coordinator.consumer_group_state import ConsumerGroupData, SubscriptionMetadata

#: group.consumer.assignors names -> the assignor (UniformAssignor, RangeAssignor)
ASSIGNORS: dict[str, Callable[..., dict[str, dict[str, list[int]]]]] = {"uniform": uniform_assign, "range": range_assign}


class PartitionAssignorException(Exception):
    """The assignor could not assign (Kafka answers UNKNOWN_SERVER_ERROR with this message)."""


def preferred_assignor(group: "ConsumerGroupData", old: ConsumerGroupMember | None, new: ConsumerGroupMember | None,
                       default: str) -> str:
    """``computePreferredServerAssignor``: the most asked-for assignor with ``old`` replaced by ``new``.

    Ties go to the first in the HashMap's order (``Stream.max`` keeps the first of equals).
    """
    counts = dict(group.server_assignors)
    for m, step in ((old, -1), (new, +1)):
        if m is not None and m.server_assignor is not None:
            counts[m.server_assignor] = counts.get(m.server_assignor, 0) + step
    counts = {name: n for name, n in counts.items() if n > 0}
    if not counts:
        return default
    best = max(counts.values())
    return next(name for name in hashmap_order(sorted(counts), java_string_hash) if counts[name] == best)


def build_target(group: "ConsumerGroupData", epoch: int, assignor: str, updated: ConsumerGroupMember,
                 metadata: "SubscriptionMetadata", subscription_type: str) -> tuple[list[Record], Assignment]:
    """``TargetAssignmentBuilder.build`` with ``updated`` added (and the static member it replaces removed).

    Returns the records and ``updated``'s new target.
    """
    members = dict(group.members)
    members[updated.member_id] = updated
    replaced = group.static_members.get(updated.instance_id) if updated.instance_id is not None else None
    if replaced is not None and replaced != updated.member_id:
        members.pop(replaced, None)
    current: dict[str, Assignment] = {m: group.target_assignment.get(m, {}) for m in members}
    if replaced is not None and replaced != updated.member_id:
        # A static member that comes back under a new member id takes its predecessor's target.
        current[updated.member_id] = group.target_assignment.get(replaced, {})
    subscriptions = {m_id: [metadata[t][0] for t in m.subscribed_topic_names if t in metadata]
                     for m_id, m in members.items()}
    partitions = {topic_id: count for topic_id, count in metadata.values()}
    instance_ids = {m_id: m.instance_id for m_id, m in members.items() if m.instance_id is not None}
    try:
        result = ASSIGNORS[assignor](subscriptions, partitions,
                                     {m: {t: sorted(ps) for t, ps in a.items() if t in partitions}
                                      for m, a in current.items()},
                                     instance_ids=instance_ids, subscription_type=subscription_type)
    except (ValueError, RuntimeError) as exc:
        raise PartitionAssignorException(f"Failed to compute a new target assignment for epoch {epoch}: {exc}") from exc
    records: list[Record] = []
    for member_id, parts in result.items():
        new = assignment(parts)
        if new != group.target_assignment.get(member_id):
            records.append(target_assignment_record(group.group_id, member_id, new))
    records.append(target_epoch_record(group.group_id, epoch))
    return records, assignment(result.get(updated.member_id, {}))
