"""An admin client as an application runs one: its own process and connections, its own principal.

Models ``KafkaAdminClient`` sending ``deleteTopics`` over the network (what ``kafka-topics.sh --delete``
does), unlike app/sim/admin/client.py, which applies calls in one step as the cluster's operator.
Here the call goes on a connection of its own, set up with the security configs of the application
it belongs to (a consumer group's ``security.protocol``, ``sasl.jaas.config``, certificate: app/sim/channel.py),
so the broker authorises it as that principal (DELETE on the topic, or on the cluster:
ControllerApis.deleteTopics). A retriable failure is tried again every ``retry.backoff.ms`` until
``default.api.timeout.ms`` (60 s) has passed, then fails with the TimeoutException Kafka's admin client
gives. Each answer is an ``admin.result`` trace event. Only DeleteTopics is sent this way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.sim.access import ANONYMOUS, Identity
from app.sim.errors import Errors
from app.sim.network_client import ClientRequest, NetworkClient

if TYPE_CHECKING:
    from app.sim.cluster import Cluster
    from app.sim.trace import Trace

#: AdminClientConfig defaults: request.timeout.ms, retry.backoff.ms, default.api.timeout.ms.
REQUEST_TIMEOUT_MS = 30_000.0
RETRY_BACKOFF_MS = 100.0
DEFAULT_API_TIMEOUT_MS = 60_000.0
#: The exceptions the admin client's futures fail with, by error (Errors.exception), and their default messages.
_EXCEPTIONS = {Errors.TOPIC_AUTHORIZATION_FAILED: ("TopicAuthorizationException", "Topic authorization failed."),
               Errors.UNKNOWN_TOPIC_OR_PARTITION: ("UnknownTopicOrPartitionException",
                                                   "This server does not host this topic-partition."),
               Errors.CLUSTER_AUTHORIZATION_FAILED: ("ClusterAuthorizationException", "Cluster authorization failed.")}


class RemoteAdmin:
    """One admin client of an application (``owner``: the consumer it belongs to, for the page)."""

    def __init__(self, cluster: "Cluster", trace: "Trace", owner: str, host: str | None, connector: Any,
                 client_id: str | None = None) -> None:
        self.cluster = cluster
        self.sim = cluster.sim
        self.trace = trace
        self.owner = owner
        #: Kafka's default (adminclient-1) unless the application names it; a client.id is its name on the network
        self.client_id = self.node = client_id or cluster.next_client_id("adminclient")
        cluster.connect(self, None, host)
        self.net = NetworkClient(cluster, self.client_id, REQUEST_TIMEOUT_MS, Identity(ANONYMOUS, host or "127.0.0.1"),
                                 connector)
        self.net.on_fatal = self._authentication_failed
        #: the call in progress: (topics, when it started), or None
        self.call: tuple[list[str], float] | None = None

    def delete_topics(self, topics: list[str]) -> None:
        """``Admin.deleteTopics(topics)``: sent now to a live broker, answered per topic."""
        self.call = (list(topics), self.sim.now)
        self._send()

    def _send(self) -> None:
        if self.call is None:
            return
        topics, started = self.call
        if self.sim.now - started >= DEFAULT_API_TIMEOUT_MS:
            self._done({}, "TimeoutException", "Timed out waiting for a node assignment. Call: deleteTopics")
            return
        net = self.cluster.network
        node = next((b for b, broker in sorted(self.cluster.brokers.items())
                     if broker.alive and net.reachable(self.node, b) and self.net.ready(b)), None)
        if node is None:
            self.sim.after(RETRY_BACKOFF_MS, self._send)
            return
        self.net.send("delete_topics", node, {"topics": topics}, 20 + 20 * len(topics), self._answered)

    def _answered(self, req: ClientRequest, answer: dict[str, Any]) -> None:
        error = answer["error"]
        if error is not Errors.NONE:
            if error.retriable:
                self.sim.after(RETRY_BACKOFF_MS, self._send)
            else:
                self._done({}, error.name, None)
            return
        results = answer["topics"]
        failed = next((e for e in results.values() if e is not Errors.NONE), None)
        exception, message = _EXCEPTIONS.get(failed, (failed.name, None)) if failed is not None else (None, None)
        self._done({name: e.name for name, e in results.items()}, exception, message)

    def _authentication_failed(self, channel: Any) -> None:
        failure = channel.failure
        self._done({}, failure.exception, failure.message)

    def _done(self, results: dict[str, str], exception: str | None, message: str | None) -> None:
        if self.call is None:
            return
        topics, started = self.call
        self.call = None
        self.trace.emit(self.sim.now, "admin.result", client=self.client_id, owner=self.owner, api="DeleteTopics",
                        topics=topics, results=results, exception=exception, message=message,
                        took_ms=round(self.sim.now - started, 3))

    def on_broker_down(self, broker: int) -> None:
        self.net.on_broker_down(broker)
