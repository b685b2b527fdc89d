"""The classic protocol's client-side partition assignors, by ``partition.assignment.strategy`` name.

``assign_partitions`` runs what the group leader's ``ConsumerCoordinator.onLeaderElected``
runs: Kafka's ``RangeAssignor`` ("range"), ``RoundRobinAssignor`` ("roundrobin"),
``StickyAssignor`` ("sticky") or ``CooperativeStickyAssignor`` ("cooperative-sticky").
For cooperative-sticky it returns the target; ``cooperative_first_round`` gives what
Kafka's assignor actually sends in the first rebalance (KIP-429), and
``partitions_to_revoke`` what each member gives up on receiving it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from app.sim.consumer.range_roundrobin import range_assignor, roundrobin_assignor
from app.sim.consumer.sticky import sticky_assign
from app.sim.consumer.subscription import (
    Assignment, GroupInput, GroupOptions, TopicPartition, build_input, sorted_assignment,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "STRATEGIES", "assign_partitions", "cooperative_sticky_assign", "cooperative_first_round",
    "partitions_transferring_ownership", "partitions_to_revoke",
]

STRATEGIES = ("range", "roundrobin", "sticky", "cooperative-sticky")


def assign_partitions(
    strategy: str,
    members: Mapping[str, Iterable[str]],
    partitions: Mapping[str, int],
    owned: Mapping[str, Sequence[TopicPartition]] | None = None,
    **options: Unpack[GroupOptions],
) -> Assignment:
    """Assign ``partitions`` (topic -> partition count) to ``members`` (member id -> subscribed topics).

    ``owned``: each member's previous partitions (sticky's userData, cooperative-sticky's
    ownedPartitions); ``generations``: each member's generationId (default -1), which decides
    who keeps a partition two members claim; ``instance_ids``: group.instance.id of static
    members (KIP-345); ``member_racks``: client.rack; ``partition_racks``: for each topic, each
    partition's replica racks (KIP-881, used by range and both sticky assignors).

    Returns every member, each with its partitions sorted by (topic, partition).  Topics that
    no member subscribes to, or that are missing from ``partitions``, are skipped as Kafka skips
    topics without metadata.  Raises ValueError on an unknown strategy or bad input.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"partition.assignment.strategy {strategy!r} is not one of {', '.join(STRATEGIES)}")
    group = build_input(members, partitions, owned, **options)
    if strategy == "range":
        return range_assignor(group)
    if strategy == "roundrobin":
        return roundrobin_assignor(group)
    target, _ = sticky_assign(group)
    return _complete(group, target)


def _complete(group: GroupInput, assignment: Assignment) -> Assignment:
    return sorted_assignment({m: assignment.get(m, []) for m in group.topics})


def partitions_transferring_ownership(owned: Mapping[str, Iterable[TopicPartition]],
                                      target: Mapping[str, Iterable[TopicPartition]]) -> dict[TopicPartition, str]:
    """``CooperativeStickyAssignor.computePartitionsTransferringOwnership``: partition -> its new owner,
    for partitions that a member gains while another member that owned them loses them."""
    added: dict[TopicPartition, str] = {}
    revoked: set[TopicPartition] = set()
    for member, assigned in target.items():
        mine, now = set(owned.get(member, ())), set(assigned)
        added.update((tp, member) for tp in now - mine)
        revoked.update(mine - now)
    return {tp: member for tp, member in added.items() if tp in revoked}


def cooperative_first_round(owned: Mapping[str, Iterable[TopicPartition]],
                            target: Mapping[str, Iterable[TopicPartition]]) -> Assignment:
    """``CooperativeStickyAssignor.adjustAssignment``: the target without the partitions still owned
    elsewhere.  Their owners revoke them and rejoin; the next rebalance hands them out (KIP-429)."""
    moving = partitions_transferring_ownership(owned, target)
    return sorted_assignment({m: [tp for tp in tps if moving.get(tp) != m] for m, tps in target.items()})


def partitions_to_revoke(owned: Mapping[str, Iterable[TopicPartition]],
                         assignment: Mapping[str, Iterable[TopicPartition]]) -> Assignment:
    """``ConsumerCoordinator.onJoinComplete`` (cooperative): each member revokes what it owned and was
    not assigned; a member that revoked anything requests another rebalance."""
    return {m: sorted(set(owned.get(m, ())) - set(tps)) for m, tps in assignment.items()}


def cooperative_sticky_assign(
    members: Mapping[str, Iterable[str]],
    partitions: Mapping[str, int],
    owned: Mapping[str, Sequence[TopicPartition]] | None = None,
    **options: Unpack[GroupOptions],
) -> tuple[Assignment, Assignment]:
    """``CooperativeStickyAssignor.assignPartitions``: (target, what the leader sends this round).

    Same as ``cooperative_first_round(owned, target)`` except in one case Kafka's constrained
    builder treats specially: a partition two members claimed in the same generation is held
    back from whoever gets it, even a previous claimant.
    """
    group = build_input(members, partitions, owned, **options)
    target, transferring = sticky_assign(group)
    target = _complete(group, target)
    if transferring is None:
        return target, cooperative_first_round(group.owned, target)
    return target, sorted_assignment({m: [tp for tp in tps if transferring.get(tp) != m]
                                      for m, tps in target.items()})
