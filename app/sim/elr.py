"""Eligible leader replicas (KIP-966 part 1): replicas that left the ISR while it was below
min.insync.replicas, and may therefore lead without losing a committed record.

Models the ELR rules of ``PartitionChangeBuilder`` (``maybePopulateTargetElr``,
``maybeUpdateLastKnownLeader``, ``isValidNewLeader``) and ``ReplicationControlManager``
(``handleBrokerUncleanShutdown``, the ClearElrRecord on a min.insync.replicas change), with
``useLastKnownLeaderInBalancedRecovery`` at its default (on): LastKnownElr then holds only the
last leader, kept from the moment the ISR becomes empty.

Why a replica in the ELR is safe: since 3.7 the high watermark does not move while the ISR is
below min.insync.replicas (KAFKA-15583), so every committed record was on every replica that
was in the ISR when it shrank below that size. Such a replica may lead once the ISR is empty,
unless its own shutdown was unclean (a crash can lose what was not yet flushed), which takes
it out of the ELR when it registers again.

Kafka 4.0 has this as a preview, off unless the ``eligible.leader.replicas.version`` feature is
1 (KIP-1022 features; on for new clusters from 4.1). With ELR on, the ISR may become empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.sim.cluster import Cluster
    from app.sim.partition import PartitionState

FEATURE = "eligible.leader.replicas.version"
#: The Kafka versions that have the feature (the simulator's "4.0"; 2.8 and 3.x do not).
VERSIONS = ("4.0",)


def enabled(cluster: "Cluster") -> bool:
    return cluster.features.get(FEATURE, 0) >= 1


def track(s: "PartitionState", old_isr: list[int], min_isr: int, unclean_shutdown: tuple[int, ...] = ()) -> None:
    """``maybePopulateTargetElr``: the ISR changed from ``old_isr`` to ``s.isr``. At or above
    min.insync.replicas the ELR is cleared; below it, everyone that was in the ISR or the ELR and
    is not in the ISR now joins it (bar a replica whose shutdown was unclean)."""
    if len(s.isr) >= min_isr:
        s.elr = []
        return
    s.elr = sorted((set(s.elr) | set(old_isr)) - set(s.isr) - set(unclean_shutdown))


def note_leader(s: "PartitionState", previous_leader: int, isr_emptied: bool) -> None:
    """``maybeUpdateLastKnownLeader``: the leader of the moment the ISR became empty is kept as
    LastKnownElr; a partition that has a leader again forgets it."""
    if isr_emptied and previous_leader >= 0 and s.last_known_elr != [previous_leader]:
        s.last_known_elr = [previous_leader]
    elif s.leader >= 0 and s.last_known_elr:
        s.last_known_elr = []


def valid_leader(s: "PartitionState", b: int) -> bool:
    """``isValidNewLeader`` (usability aside): in the ISR, or in the ELR when the ISR is empty."""
    return b in s.isr or (not s.isr and b in s.elr)


def last_known_leader(s: "PartitionState") -> int:
    """The last known leader a leaderless partition may elect when its ISR and ELR are empty, or -1."""
    if not s.isr and not s.elr and len(s.last_known_elr) == 1:
        return s.last_known_elr[0]
    return -1


def clear(s: "PartitionState") -> None:
    """An unclean election, or min.insync.replicas changed (ClearElrRecord): ELR and LastKnownElr go."""
    s.elr = []
    s.last_known_elr = []


def fields(cluster: "Cluster", s: "PartitionState") -> dict[str, Any]:
    """The ELR fields a trace event carries when ELR is on (none otherwise: a run without ELR
    keeps its trace as it was)."""
    if not enabled(cluster):
        return {}
    return {"elr": list(s.elr), "last_known_elr": list(s.last_known_elr)}
