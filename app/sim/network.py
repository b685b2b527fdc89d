"""The network between the producer and the brokers, and between brokers.

Models TCP links as latency plus serialisation at a bandwidth (not a Kafka
class); leaves out packet loss, congestion control and connection setup.
Faults: isolate/heal a broker, drop the next N responses a broker sends,
add latency to everything a broker sends or receives.

Nodes are typed: brokers are their ids (ints); clients are their client ids (strings,
``"producer-1"``), each on a host. A link joins two hosts: clients on one host share its
links (the single producer of a simple spec, and every producer that replaces it, is on
host ``"producer"``), and a link's latency set in the spec names hosts. Each node may have
a rack (``broker.rack``, ``client.rack``): bytes between racks are counted, as cross-AZ
traffic is billed.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any, Callable, Hashable

from app.sim.events import Simulation

if TYPE_CHECKING:
    from app.sim.trace import Trace

Node = Hashable


class NodeKind(str, Enum):
    BROKER = "broker"
    CLIENT = "client"
#: What a message is, for the trace: its type ("produce", "fetch.response", ...) and its fields.
Message = tuple[str, dict[str, Any]]


class Network:
    """Per-link latency (ms, one way) and bandwidth (bytes per ms), with faults per broker."""

    def __init__(self, sim: Simulation, latency_ms: float = 1.0, bandwidth_bytes_per_ms: float = 125_000.0) -> None:
        self.sim = sim
        self.latency_ms = latency_ms
        self.bandwidth = bandwidth_bytes_per_ms
        self._link_latency: dict[tuple[Node, Node], float] = {}
        self._link_free_at: dict[tuple[Node, Node], float] = {}
        self.extra_latency: dict[Node, float] = {}
        self.isolated: set[Node] = set()
        self.drop_responses: dict[Node, int] = {}
        self.bytes_sent = 0
        #: Set by the scenario: where ``message.sent`` and ``message.lost`` go when its ``wire`` is on.
        self.trace: "Trace | None" = None
        self._messages = 0
        #: client node -> the host it runs on (a broker is its own host)
        self.hosts: dict[Node, Node] = {}
        self.kinds: dict[Node, NodeKind] = {}
        self.racks: dict[Node, str | None] = {}
        #: bytes sent between nodes in different racks (both racks known)
        self.cross_rack_bytes = 0

    def add_node(self, node: Node, kind: NodeKind, rack: str | None = None, host: Node | None = None) -> None:
        """A broker or a client joins the network; a client runs on ``host`` (itself by default)."""
        self.kinds[node] = kind
        self.racks[node] = rack
        if kind is NodeKind.CLIENT and host is not None and host != node:
            self.hosts[node] = host

    def remove_node(self, node: Node) -> None:
        """A client is closed: it sends nothing more (what it sent still arrives)."""
        self.kinds.pop(node, None)
        self.racks.pop(node, None)
        self.hosts.pop(node, None)

    def kind(self, node: Node) -> NodeKind:
        return self.kinds.get(node, NodeKind.BROKER if isinstance(node, int) else NodeKind.CLIENT)

    def set_link_latency(self, src: Node, dst: Node, latency_ms: float) -> None:
        self._link_latency[(src, dst)] = latency_ms
        self._link_latency[(dst, src)] = latency_ms

    def latency(self, src: Node, dst: Node) -> float:
        hosts = self.hosts
        if hosts:
            src, dst = hosts.get(src, src), hosts.get(dst, dst)
        base = self._link_latency.get((src, dst), self.latency_ms)
        extra = self.extra_latency
        if extra:
            base += extra.get(src, 0.0) + extra.get(dst, 0.0)
        return base

    def reachable(self, src: Node, dst: Node) -> bool:
        iso = self.isolated
        return not iso or (src not in iso and dst not in iso)

    def transfer(self, src: Node, dst: Node, size: int, callback: Callable[..., Any], *args: Any,
                 message: Message | None = None) -> tuple[float, float]:
        """Send ``size`` bytes; ``callback(*args)`` runs at arrival. Returns (send_ms, arrive_ms).

        The link serialises: a message starts when the previous one on the same
        link has left, then takes size/bandwidth to leave and the latency to arrive.
        A message to or from an isolated node is lost (arrive_ms is -1).
        ``message``: what to record in the trace as ``message.sent`` (callers pass it only
        when ``trace.wire`` is on); it changes nothing else.
        """
        now = self.sim.now
        iso = self.isolated
        if iso and (src in iso or dst in iso):  # reachable(), inlined: every message passes here
            if message is not None:
                self.lost(self.record(message, src, dst, now, -1.0, size), "isolated")
            return now, -1.0
        hosts = self.hosts
        key = (hosts.get(src, src), hosts.get(dst, dst)) if hosts else (src, dst)
        free_at = self._link_free_at
        start = free_at.get(key, 0.0)
        if start < now:
            start = now
        leave = start + size / self.bandwidth
        free_at[key] = leave
        # latency(), inlined: the link's latency plus any extra latency of either end.
        latency = self._link_latency.get(key, self.latency_ms)
        extra = self.extra_latency
        if extra:
            latency += extra.get(src, 0.0) + extra.get(dst, 0.0)
        racks = self.racks
        if racks:
            a, b = racks.get(src), racks.get(dst)
            if a is not None and b is not None and a != b:
                self.cross_rack_bytes += size
        # Rounded to nanoseconds so that times stay readable and sums do not drift.
        arrive = round(leave + latency, 6)
        self.bytes_sent += size
        if message is not None:
            self.sim.at(arrive, self._deliver_message, src, dst, callback, args,
                        self.record(message, src, dst, now, arrive, size))
        else:
            self.sim.at(arrive, self._deliver, src, dst, callback, args)
        return now, arrive

    def record(self, message: Message, src: Node, dst: Node, send_ms: float, arrive_ms: float, size: int,
               lost: str | None = None) -> int:
        """``message.sent`` in the trace, with a message id new in this run; the id.

        ``lost``: the message is sent but never arrives, for that reason (a dropped response).
        """
        self._messages = mid = self._messages + 1
        kind, fields = message
        extra = {"lost": lost} if lost is not None else {}
        assert self.trace is not None
        self.trace.emit(send_ms, "message.sent", id=mid, type=kind, src=src, dst=dst, send_ms=send_ms,
                        arrive_ms=arrive_ms, bytes=size, **fields, **extra)
        return mid

    def lost(self, mid: int, reason: str) -> None:
        assert self.trace is not None
        self.trace.emit(self.sim.now, "message.lost", id=mid, reason=reason)

    def send_time(self, src: Node, dst: Node, size: int) -> float:
        """How long ``size`` bytes wait for and occupy the link before they leave."""
        key = (self.hosts.get(src, src), self.hosts.get(dst, dst))
        start = max(self._link_free_at.get(key, 0.0), self.sim.now)
        return start + size / self.bandwidth - self.sim.now

    def _deliver(self, src: Node, dst: Node, callback: Callable[..., Any], args: tuple) -> None:
        # A partition that starts while a message is on the wire loses it too.
        iso = self.isolated
        if not iso or (src not in iso and dst not in iso):  # reachable(), inlined
            callback(*args)

    def _deliver_message(self, src: Node, dst: Node, callback: Callable[..., Any], args: tuple, mid: int) -> None:
        iso = self.isolated
        if not iso or (src not in iso and dst not in iso):
            callback(*args)
        else:
            self.lost(mid, "isolated")

    def take_dropped_response(self, broker: Node) -> bool:
        """True (and one fewer to drop) when the next response from ``broker`` is to be lost."""
        n = self.drop_responses.get(broker, 0)
        if n <= 0:
            return False
        self.drop_responses[broker] = n - 1
        return True
