"""The producer's I/O loop: ready, drain, send, and handle responses, retries and timeouts.

Models ``org.apache.kafka.clients.producer.internals.Sender`` with the part of
``NetworkClient`` it relies on (in-flight limits per connection, request
timeouts, disconnects, reconnect backoff); each pass starts with the idempotent
producer's sequence bookkeeping (app/sim/producer/transaction_manager.py). Leaves out
transactions and batch splitting on MESSAGE_TOO_LARGE.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.sim.errors import Errors
from app.sim.events import Timer
from app.sim.producer.batch import FinalState, ProducerBatch

if TYPE_CHECKING:
    from app.sim.producer.producer import KafkaProducer

#: NetworkClient's reconnect.backoff.ms default: how long a refused node is left alone.
RECONNECT_BACKOFF_MS = 50.0
#: Errors after which the client refreshes metadata (they mean "ask who leads now").
_INVALIDATES_METADATA = {Errors.NOT_LEADER_OR_FOLLOWER, Errors.UNKNOWN_TOPIC_OR_PARTITION, Errors.NETWORK_EXCEPTION,
                         Errors.REQUEST_TIMED_OUT}


class Connection:
    """The producer's connection to one broker (NetworkClient keeps one per node).

    A broker reads a connection's next request only once it has sent the answer to the
    previous one (SocketServer mutes the channel meanwhile), so one connection's requests
    are handled one at a time, in order, even with several in flight. ``open`` turns False
    when the client closes it; ``broken``: an answer on it was lost, and as the answers
    come in order, none after it reaches the client either.
    """

    __slots__ = ("node", "open", "broken", "channel")

    def __init__(self, node: int) -> None:
        self.node = node
        self.open = True
        self.broken = False
        #: its security (app/sim/channel.py) when the run's connections carry it, else None
        self.channel: Any = None


@dataclass(eq=False, slots=True)
class ProduceRequest:
    """A request in flight; it carries its send and receive times for the trace.

    ``oldest_created_ms`` is the earliest creation time of its batches: no batch in it can
    reach delivery.timeout.ms before that one does, so most passes skip the batch loop.
    """

    request_id: int
    node: int
    acks: int
    batches: list[ProducerBatch]
    send_ms: float
    arrive_ms: float = -1.0
    size: int = 0
    timer: Timer | None = None
    done: bool = False
    oldest_created_ms: float = math.inf
    conn: Connection | None = None
    #: the producer's Sender, which the broker answers (the request carries its client)
    sender: "Sender" = None  # type: ignore[assignment]
    #: the request's timeoutMs: the producer's request.timeout.ms, how long an acks=all request may wait
    timeout_ms: float = 30_000.0


class Sender:
    """One per producer; ``wakeup(at)`` asks for a pass at time ``at``."""

    def __init__(self, producer: "KafkaProducer") -> None:
        self.p = producer
        self.node = producer.client_id
        self.sim = producer.sim
        cfg = producer.cfg
        self.max_in_flight: int = cfg["max.in.flight.requests.per.connection"]
        self.request_timeout_ms: float = cfg["request.timeout.ms"]
        self.max_request_size: int = cfg["max.request.size"]
        self.retries: int = cfg["retries"]
        self.backoff_ms: float = cfg["retry.backoff.ms"]
        self.backoff_max_ms: float = cfg["retry.backoff.max.ms"]
        self.delivery_timeout_ms: float = cfg["delivery.timeout.ms"]
        self.acks: int = cfg["acks"]
        # max.in.flight 1 guarantees order by muting a partition while its batch is out.
        self.guarantee_order = self.max_in_flight == 1
        self.in_flight: dict[int, dict[int, ProduceRequest]] = {}
        self.blocked_until: dict[int, float] = {}
        self.connections: dict[int, Connection] = {}
        self._next_request_id = 0
        self._wake_at = math.inf
        self._wake: Timer | None = None

    # -- scheduling --------------------------------------------------------------------------
    def wakeup(self, at: float | None = None) -> None:
        now = self.sim.now
        if at is None or at < now:
            at = now
        if at < self._wake_at:
            # One pending wake-up: an earlier one replaces a later one, which is cancelled (and so
            # cleared from the heap) instead of lingering there, up to delivery.timeout.ms ahead.
            if self._wake is not None:
                self._wake.cancel()
            self._wake_at = at
            self._wake = Timer(self.sim, at, self._on_wake)

    def _on_wake(self) -> None:
        self._wake_at = math.inf
        self._wake = None
        self.run_once()

    # -- one pass: Sender.sendProducerData ------------------------------------------------------
    def run_once(self) -> None:
        now = self.sim.now
        p = self.p
        if p.txn is not None:
            p.txn.maybe_resolve_sequences()
            p.txn.bump_if_needed()
        acc = p.accumulator
        for batch in acc.expired_batches(now):
            p.fail_batch(batch, "TimeoutException", now, expired=True)
        self._expire_in_flight(now)
        # The leader list's own item lookup: no Python-level call per partition.
        ready, next_delay, unknown_leader = acc.ready(now, p.metadata.leaders.__getitem__)
        if unknown_leader:
            p.metadata.request_update()
        again = False
        for node, entries in ready.items():
            if self.blocked_until.get(node, -1.0) > now:
                next_delay = min(next_delay, self.blocked_until[node] - now)
                continue
            if p.connector is not None and not self._channel_ready(node):
                continue  # NetworkClient.ready: the connection is being set up; its channel wakes us when ready
            if len(self.in_flight.get(node, ())) >= self.max_in_flight:
                continue  # a response will wake us
            for batch, reason in entries:
                if not batch.reported_ready:
                    batch.reported_ready = True
                    p.trace.emit(now, "batch.ready", partition=batch.partition, batch=batch.batch_id, reason=reason,
                                 records=len(batch.record_ids), attempt=batch.attempts)
            batches = p.drain(node, now)
            if batches:
                self._send(node, batches, now)
                if not again:
                    queues = acc.batches
                    again = any(queues[q] for q in p.metadata.partitions_by_leader.get(node, ()))
        if again:
            # Sender.sendProducerData polls with timeout 0 when a node had data ready: ready()
            # ran before the drain, so a batch now at the head of one of the node's queues
            # (behind one just sent, or left out by max.request.size) has no wake-up of its
            # own yet. Only after a send, so a pass that can send nothing (in-flight limit, a
            # partition held back, a blocked node) falls through to the timed wake-up below.
            self.wakeup(now)
            return
        # Wake for the next linger/backoff expiry or the next delivery timeout.
        wake = now + max(next_delay, 1e-3)
        deadline = self._earliest_deadline()
        if now < deadline < wake:
            wake = deadline
        if wake != math.inf:
            self.wakeup(wake)

    def _earliest_deadline(self) -> float:
        best = math.inf
        for dq in self.p.accumulator.batches:
            if dq and dq[0].created_ms < best:
                best = dq[0].created_ms
        for reqs in self.in_flight.values():
            for req in reqs.values():
                if req.oldest_created_ms < best:  # otherwise none of its batches is older than best
                    for b in req.batches:
                        if b.created_ms < best and b.state is FinalState.PENDING:
                            best = b.created_ms
        return best + self.delivery_timeout_ms

    def _expire_in_flight(self, now: float) -> None:
        """Batches in flight past delivery.timeout.ms fail now; a late answer is ignored (Sender.getExpiredInflightBatches)."""
        limit = self.delivery_timeout_ms
        for reqs in self.in_flight.values():
            for req in reqs.values():
                if now - req.oldest_created_ms < limit:
                    continue  # not even its oldest batch has expired
                for b in req.batches:
                    if b.state is FinalState.PENDING and now - b.created_ms >= limit:
                        self.p.fail_batch(b, "TimeoutException", now, expired=True)

    def _send(self, node: int, batches: list[ProducerBatch], now: float) -> None:
        p = self.p
        self._next_request_id += 1
        size = 60  # request header + topic/partition framing
        oldest = math.inf
        for b in batches:
            b.in_flight = True
            size += b.size_bytes
            if b.created_ms < oldest:
                oldest = b.created_ms
            if self.guarantee_order:
                p.accumulator.muted.add(b.partition)
        conn = self.connections.get(node)
        if conn is None:
            conn = self.connections[node] = Connection(node)
        if conn.channel is not None:
            size = conn.channel.wire_bytes(size)
        req = ProduceRequest(self._next_request_id, node, self.acks, batches, now, size=size, oldest_created_ms=oldest,
                             conn=conn, sender=self, timeout_ms=self.request_timeout_ms)
        message = ("produce", {"client": self.node, "request": req.request_id, "acks": self.acks,
                               "batches": [[b.partition, b.batch_id, b.record_count, b.size_bytes] for b in batches]}
                   ) if p.trace.wire else None
        send_ms, arrive_ms = p.network.transfer(self.node, node, size, p.cluster.brokers[node].receive_produce, req,
                                                message=message)
        req.arrive_ms = arrive_ms
        p.metrics.on_request(req, now)
        p.trace.emit(now, "request.sent", request=req.request_id, broker=node, send_ms=send_ms, arrive_ms=arrive_ms,
                     bytes=size, acks=self.acks, batches=[[b.partition, b.batch_id, b.record_count] for b in batches])
        if self.acks == 0:
            # acks=0: nothing comes back; the batch is done once written to the socket, offset -1.
            for b in batches:
                p.complete_batch(b, -1, now)
            return
        self.in_flight.setdefault(node, {})[req.request_id] = req
        req.timer = Timer(self.sim, now + self.request_timeout_ms, self._on_request_timeout, req)

    # -- answers ---------------------------------------------------------------------------
    def _finish(self, req: ProduceRequest) -> bool:
        if req.done:
            return False
        req.done = True
        if req.timer is not None:
            req.timer.cancel()
        self.in_flight.get(req.node, {}).pop(req.request_id, None)
        if self.guarantee_order:
            for b in req.batches:
                self.p.accumulator.muted.discard(b.partition)
        return True

    def on_response(self, req: ProduceRequest, results: list[tuple[Errors, int]]) -> None:
        """The broker's answer arrived: one (error, base offset) per batch, in request order."""
        if not self._finish(req):
            return
        now = self.sim.now
        p = self.p
        p.metrics.on_response(req, now)
        p.trace.emit(now, "ack.received", request=req.request_id, broker=req.node, send_ms=req.send_ms, receive_ms=now,
                     results=[[b.partition, b.batch_id, e.name, off] for b, (e, off) in zip(req.batches, results)])
        for batch, (error, base_offset) in zip(req.batches, results):
            self._complete(batch, error, base_offset, now)
        self.wakeup()

    def on_disconnect(self, req: ProduceRequest, reason: str) -> None:
        """The connection broke (refused, or closed on a request timeout): every request on it fails."""
        now = self.sim.now
        node = req.node
        reqs = list(self.in_flight.get(node, {}).values())
        if req not in reqs:
            reqs.append(req)
        self.blocked_until[node] = now + RECONNECT_BACKOFF_MS
        conn = self.connections.pop(node, None)
        if conn is not None:
            conn.open = False  # the next request opens a new connection
            if conn.channel is not None:
                self.p.cluster.channels.close(conn.channel)
        for r in reqs:
            if self._finish(r):
                self.p.trace.emit(now, "request.disconnected", request=r.request_id, broker=node, reason=reason,
                                  send_ms=r.send_ms, receive_ms=now)
                for b in r.batches:
                    self._complete(b, Errors.NETWORK_EXCEPTION, -1, now)
        self.p.metadata.request_update()
        self.wakeup()

    # -- connections with their security (app/sim/channel.py) -------------------------------------------
    def _channel_ready(self, node: int) -> bool:
        """Whether the connection to ``node`` may carry a request now; opens one (its handshake starts) if none."""
        conn = self.connections.get(node)
        if conn is None or not conn.open:
            conn = self.connections[node] = Connection(node)
            connector = self.p.connector
            conn.channel = self.p.cluster.channels.open(self.node, node, connector.security, connector.listener,
                                                        self._channel_up, self._channel_down)
        return conn.channel.ready

    def _channel_up(self, channel: Any) -> None:
        self.p.connection_ready(channel)
        self.wakeup()

    def _channel_down(self, channel: Any) -> None:
        """The set-up failed: a retriable failure backs off and reconnects; an authentication failure is fatal."""
        conn = self.connections.get(channel.broker)
        if conn is not None and conn.channel is channel:
            del self.connections[channel.broker]
            conn.open = False
        if not channel.failure.retriable:
            self.p.authentication_failed(channel.failure.exception)
            return
        now = self.sim.now
        self.blocked_until[channel.broker] = now + channel.backoff_ms
        self.wakeup(now + channel.backoff_ms)

    def on_broker_down(self, broker: int) -> None:
        """The broker's process died: its sockets reset, and each request on them fails one latency later."""
        for req in list(self.in_flight.get(broker, {}).values()):
            self.sim.after(self.p.network.latency(broker, self.node), self.on_disconnect, req, "broker down")

    def _on_request_timeout(self, req: ProduceRequest) -> None:
        if not req.done:
            self.p.trace.emit(self.sim.now, "request.timeout", request=req.request_id, broker=req.node,
                              send_ms=req.send_ms, timeout_ms=self.request_timeout_ms)
            self.on_disconnect(req, "request timeout")

    def _complete(self, batch: ProducerBatch, error: Errors, base_offset: int, now: float) -> None:
        """Sender.completeBatch: succeed, retry, or fail one batch."""
        if batch.state is not FinalState.PENDING:
            return  # expired while in flight
        p = self.p
        batch.in_flight = False
        if error is Errors.NONE or error is Errors.DUPLICATE_SEQUENCE_NUMBER:
            p.complete_batch(batch, base_offset, now)
            return
        p.trace.emit(now, "produce.error", partition=batch.partition, batch=batch.batch_id, error=error.name,
                     code=error.code, attempt=batch.attempts)
        if error in _INVALIDATES_METADATA:
            p.metadata.request_update()
        if self._can_retry(batch, error, now):
            backoff = self._backoff(batch.attempts)
            p.trace.emit(now, "record.retried", partition=batch.partition, batch=batch.batch_id, records=len(batch.record_ids),
                         error=error.name, attempt=batch.attempts + 1, backoff_ms=round(backoff, 3))
            p.metrics.record_retries += len(batch.record_ids)
            p.accumulator.reenqueue(batch, now, backoff, p.idempotent)
            self.wakeup(now + backoff)
        else:
            p.fail_batch(batch, error.name, now)

    def _can_retry(self, batch: ProducerBatch, error: Errors, now: float) -> bool:
        if now - batch.created_ms >= self.delivery_timeout_ms or batch.attempts >= self.retries:
            return False
        txn = self.p.txn
        if error is Errors.OUT_OF_ORDER_SEQUENCE_NUMBER and txn is not None:
            return txn.can_retry_out_of_order(batch)
        return error.retriable

    def _backoff(self, attempts: int) -> float:
        """ExponentialBackoff(retry.backoff.ms, 2, retry.backoff.max.ms, 0.2).backoff(attempts) (KIP-580).

        Jitter first, then the cap, in whole ms. A max at or below retry.backoff.ms gives a
        constant backoff of the max, without jitter (2.8 sets max = retry.backoff.ms).
        """
        high = self.backoff_max_ms
        initial = min(high, self.backoff_ms)
        if high <= initial:
            return float(initial)  # expMax == 0
        exp_max = math.log(high / max(initial, 1)) / math.log(2)
        term = initial * 2.0 ** min(attempts, exp_max)
        value = int((0.8 + 0.4 * self.sim.rng.random()) * term)  # Java's (long) cast
        return float(min(value, high))

    def in_flight_count(self) -> int:
        return sum(len(r) for r in self.in_flight.values())
