"""A client's requests to brokers: connections, in-flight requests, timeouts, disconnects.

Models the part of ``org.apache.kafka.clients.NetworkClient`` (and the consumer's
``ConsumerNetworkClient``) that consumers and admin clients rely on: one connection per
broker and purpose (the consumer talks to its group coordinator on a connection of its own,
as ``AbstractCoordinator`` does by giving the coordinator the node id MAX_VALUE - id), any
number of requests in flight on it, answered in order because the broker reads a
connection's next request only once the previous one is answered, ``request.timeout.ms``
per request, and a broken connection failing everything on it. The producer's own path
(``producer/sender.py``) is older and specialised; it follows the same rules.

A request's ``api`` is Kafka's ApiKeys name in lower case (``fetch``, ``join_group``, ...);
its payload and the answer are plain dicts (``error`` holds an ``Errors``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable

from app.sim.access import Identity
from app.sim.errors import Errors
from app.sim.events import Timer

if TYPE_CHECKING:
    from app.sim.cluster import Cluster

#: NetworkClient's reconnect.backoff.ms default.
RECONNECT_BACKOFF_MS = 50.0
#: Every request and response carries a header and framing beyond its payload.
HEADER_BYTES = 40


class Purpose(str, Enum):
    """Which connection to a broker a request goes on."""

    DATA = "data"
    COORDINATOR = "coordinator"


class Connection:
    """One TCP connection from a client to a broker; ``open`` turns False once it is closed."""

    __slots__ = ("client", "node", "purpose", "open", "channel", "pending")

    def __init__(self, client: "NetworkClient", node: int, purpose: Purpose) -> None:
        self.client = client
        self.node = node
        self.purpose = purpose
        self.open = True
        #: its security (app/sim/channel.py) when the run's connections carry it, else None
        self.channel: Any = None
        #: requests waiting for the channel to be ready (ConsumerNetworkClient's unsent requests)
        self.pending: list[ClientRequest] = []


@dataclass(eq=False)
class ClientRequest:
    """A request on its way or waiting for its answer. ``sender`` is what the broker answers (this client)."""

    request_id: int
    api: str
    node: int
    payload: dict[str, Any]
    size: int
    callback: Callable[["ClientRequest", dict[str, Any]], None]
    conn: Connection
    send_ms: float
    sender: "NetworkClient"
    timeout_ms: float
    arrive_ms: float = -1.0
    timer: Timer | None = None
    done: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class NetworkClient:
    """The network side of one client (``node``: its client.id on the network)."""

    def __init__(self, cluster: "Cluster", node: str, request_timeout_ms: float, identity: Identity = Identity(),
                 connector: Any = None) -> None:
        self.cluster = cluster
        #: who this client is to the brokers (principal and address), for their ACL checks
        self.identity = identity
        #: its security configs and listener (app/sim/channel.py), when the run's connections carry security
        self.connector = connector
        #: called with the failed channel when a connection fails authentication (the owner's bound method)
        self.on_fatal: Callable[[Any], None] | None = None
        self.sim = cluster.sim
        self.network = cluster.network
        self.node = node
        self.request_timeout_ms = request_timeout_ms
        self.connections: dict[tuple[int, Purpose], Connection] = {}
        self.in_flight: dict[int, ClientRequest] = {}
        #: node -> until when a refused node is left alone (reconnect.backoff.ms)
        self.blocked_until: dict[int, float] = {}
        self.closed = False
        self._next_id = 0

    # -- sending -----------------------------------------------------------------------------------
    def ready(self, node: int) -> bool:
        """A request to ``node`` may go now (not backing off after a refused connection)."""
        return not self.closed and self.blocked_until.get(node, -1.0) <= self.sim.now

    def send(self, api: str, node: int, payload: dict[str, Any], size: int,
             callback: Callable[[ClientRequest, dict[str, Any]], None], purpose: Purpose = Purpose.DATA) -> ClientRequest:
        """Send now; ``callback(request, answer)`` runs when the answer arrives or the request fails
        (then the answer is ``{"error": Errors.NETWORK_EXCEPTION | REQUEST_TIMED_OUT, "reason": ...}``)."""
        key = (node, purpose)
        conn = self.connections.get(key)
        if conn is None or not conn.open:
            conn = self.connections[key] = Connection(self, node, purpose)
            if self.connector is not None:
                conn.channel = self.cluster.channels.open(self.node, node, self.connector.security, self.connector.listener,
                                                          self._channel_up, self._channel_down)
        self._next_id += 1
        now = self.sim.now
        size += HEADER_BYTES
        req = ClientRequest(self._next_id, api, node, payload, size, callback, conn, now, self, self.request_timeout_ms)
        self.in_flight[req.request_id] = req
        req.timer = Timer(self.sim, now + req.timeout_ms, self._on_timeout, req)
        if conn.channel is not None and not conn.channel.ready:
            conn.pending.append(req)  # sent once the connection's set-up is done (``_channel_up``)
            return req
        self._transmit(req)
        return req

    def _transmit(self, req: ClientRequest) -> None:
        trace = self.cluster.trace
        message = (req.api, {"client": self.node, "request": req.request_id, **_describe(req.api, req.payload)}
                   ) if trace.wire else None
        size = req.size if req.conn.channel is None else req.conn.channel.wire_bytes(req.size)
        broker = self.cluster.brokers[req.node]
        _, req.arrive_ms = self.network.transfer(self.node, req.node, size, broker.receive_request, req, message=message)

    # -- connections with their security (app/sim/channel.py) ----------------------------------------
    def _connection_of(self, channel: Any) -> Connection | None:
        return next((c for c in self.connections.values() if c.channel is channel), None)

    def _channel_up(self, channel: Any) -> None:
        """The set-up is done (or a re-authentication): what waited goes now, in order."""
        conn = self._connection_of(channel)
        if conn is None or self.closed:
            return
        waiting, conn.pending = conn.pending, []
        for req in waiting:
            if not req.done:
                self._transmit(req)

    def _channel_down(self, channel: Any) -> None:
        """The set-up failed: retriable, the requests fail as on a broken connection and the node is left alone for
        the backoff; an authentication failure is fatal to the client (its poll() throws)."""
        conn = self._connection_of(channel)
        if conn is None:
            return
        failure = channel.failure
        waiting, conn.pending = conn.pending, []
        if not failure.retriable:
            conn.open = False
            del self.connections[(conn.node, conn.purpose)]
            for req in waiting:
                self._finish(req)
            if self.on_fatal is not None and not self.closed:
                self.on_fatal(channel)
            return
        if waiting:
            self.on_disconnect(waiting[0], f"connection failed during its set-up ({failure.stage})")
        else:
            conn.open = False
            del self.connections[(conn.node, conn.purpose)]
        self.blocked_until[conn.node] = self.sim.now + channel.backoff_ms

    # -- answers ---------------------------------------------------------------------------------
    def _finish(self, req: ClientRequest) -> bool:
        if req.done:
            return False
        req.done = True
        if req.timer is not None:
            req.timer.cancel()
        self.in_flight.pop(req.request_id, None)
        return True

    def on_response(self, req: ClientRequest, answer: dict[str, Any]) -> None:
        """The broker's answer arrived (the broker calls this through the network)."""
        if self._finish(req) and not self.closed:
            req.callback(req, answer)

    def on_disconnect(self, req: ClientRequest, reason: str) -> None:
        """The connection broke (refused, reset, timed out): every request on it fails."""
        conn = req.conn
        conn.open = False
        conn.pending = []
        if conn.channel is not None:
            self.cluster.channels.close(conn.channel)
        if self.connections.get((conn.node, conn.purpose)) is conn:
            del self.connections[(conn.node, conn.purpose)]
        self.blocked_until[conn.node] = self.sim.now + RECONNECT_BACKOFF_MS
        failed = [r for r in list(self.in_flight.values()) if r.conn is conn]
        if req not in failed:
            failed.append(req)
        error = Errors.REQUEST_TIMED_OUT if reason == "request timeout" else Errors.NETWORK_EXCEPTION
        for r in failed:
            if self._finish(r) and not self.closed:
                r.callback(r, {"error": error, "reason": reason})

    def _on_timeout(self, req: ClientRequest) -> None:
        if not req.done:
            self.on_disconnect(req, "request timeout")

    def on_broker_down(self, broker: int) -> None:
        """The broker's process died: its sockets reset; each request on them fails one latency later."""
        for req in list(self.in_flight.values()):
            if req.node == broker:
                self.sim.after(self.network.latency(broker, self.node), self.on_disconnect, req, "broker down")

    def close(self) -> None:
        """Nothing more is sent or heard; answers still on their way are ignored."""
        self.closed = True
        for req in list(self.in_flight.values()):
            self._finish(req)


def _describe(api: str, payload: dict[str, Any]) -> dict[str, Any]:
    """What a request's ``message.sent`` says of it: its group, member and partitions, never live objects."""
    out: dict[str, Any] = {}
    for key in ("group", "member", "generation", "member_epoch"):
        if key in payload:
            out[key] = payload[key]
    parts = payload.get("partitions")
    if isinstance(parts, dict):
        out["partitions"] = [[tp[0], tp[1], offset] for tp, offset in parts.items()]
    elif parts is not None:  # OffsetFetch asks for partitions, no offsets
        out["partitions"] = [[tp[0], tp[1]] for tp in parts]
    return out
