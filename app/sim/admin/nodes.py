"""Which brokers an admin client can reach, and the node a call for one broker goes to.

Models the admin client's view of the cluster (``AdminMetadataManager``): the brokers in the
metadata (registered and unfenced, ``KRaftMetadataCache.getAliveBrokers``; a 2.8 cluster's brokers
with a live ZooKeeper session), and ``ConstantNodeIdProvider``: a call for broker 7's configs goes
to broker 7, and when broker 7 is not in the metadata or does not answer, the client waits until
default.api.timeout.ms and fails with a TimeoutException. The simulator answers at once, with
that exception.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.sim.admin.errors import InvalidRequestException, TimeoutException
from app.sim.admin.model import Node

if TYPE_CHECKING:
    from app.sim.cluster import Cluster


def metadata_brokers(cluster: "Cluster") -> list[int]:
    """The broker ids a metadata response lists: registered and not fenced (a crashed broker the
    controller has not fenced yet is still listed)."""
    return [b for b in cluster.controller.registered_brokers() if not cluster.brokers[b].fenced]


def nodes(cluster: "Cluster") -> list[Node]:
    return [Node.broker(b, cluster.brokers[b].rack) for b in metadata_brokers(cluster)]


def node_for(cluster: "Cluster", name: str, call: str) -> int:
    """The broker a per-broker call goes to (its resource name is the broker id), reachable now; else
    the exception the Java client ends with."""
    try:
        b = int(name)
    except ValueError:
        raise InvalidRequestException(f"Broker id must be an integer, but it is: {name}") from None
    if b not in metadata_brokers(cluster) or not cluster.brokers[b].alive:
        raise TimeoutException(f"Timed out waiting for a node assignment. Call: {call}")
    return b
