"""ElectLeaders (KIP-460): a preferred or an unclean election for chosen partitions, or for all.

Models ``ReplicationControlManager.electLeaders`` / ``electLeader``: a PREFERRED election is not
needed when the first replica leads (ElectionNotNeededException), an UNCLEAN one when the
partition has a leader; otherwise the controller runs ``PartitionChangeBuilder`` with that
election and, if the leader would not change, answers PreferredLeaderNotAvailableException or
EligibleLeadersNotAvailableException. Asked for every partition (``partitions=None``), the
answer leaves out the partitions whose election was not needed. An UNCLEAN election may pick a
replica outside the ISR, which then truncates the log to its own: the records only the old
ISR had are gone, and the ledger counts them lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.sim.admin.errors import (
    ElectionNotNeededException, EligibleLeadersNotAvailableException, KafkaAdminError,
    PreferredLeaderNotAvailableException, UnknownTopicOrPartitionException,
)
from app.sim.admin.future import KafkaFuture, Results, completed, each, failed
from app.sim.admin.model import ElectionType
from app.sim.admin.reassignments import client_check
from app.sim.partition import TopicPartition

if TYPE_CHECKING:
    from app.sim.cluster import Cluster


def elect_leaders(cluster: "Cluster", election_type: ElectionType, partitions: list[Any] | None = None) -> Results[TopicPartition, None]:
    out: dict[TopicPartition, KafkaFuture[None]] = {}
    if partitions is None:
        for s in list(cluster.controller.partitions):
            try:
                _elect(cluster, s.tp, election_type)
                out[s.tp] = completed(None)
            except ElectionNotNeededException:
                continue
            except KafkaAdminError as exc:
                out[s.tp] = failed(exc)
        return Results(out)
    return each(((TopicPartition(*key), None) for key in partitions), lambda tp, _: _elect(cluster, tp, election_type))


def _elect(cluster: "Cluster", tp: TopicPartition, election_type: ElectionType) -> None:
    error = client_check(tp)
    if error is not None:
        raise error
    c = cluster.controller
    topic = c.topics.get(tp.topic)
    if topic is None:
        raise UnknownTopicOrPartitionException(f"No such topic as {tp.topic}")
    if tp.partition >= len(topic.partitions):
        raise UnknownTopicOrPartitionException(f"No such partition as {tp.topic}-{tp.partition}")
    s = topic.partitions[tp.partition]
    preferred = election_type is ElectionType.PREFERRED
    if (preferred and s.replicas and s.leader == s.replicas[0]) or (not preferred and s.leader >= 0):
        raise ElectionNotNeededException()
    if not c.elect(s, "preferred election" if preferred else "unclean election", "preferred" if preferred else "unclean"):
        raise PreferredLeaderNotAvailableException() if preferred else EligibleLeadersNotAvailableException()
