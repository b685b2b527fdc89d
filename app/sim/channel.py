"""A client's connection to a broker's listener, with its security: the set-up on the wire, then the principal.

Models the part of Kafka's ``KafkaChannel`` (a transport layer and an authenticator) and
``ClusterConnectionStates`` that a secured cluster adds to a connection: before its first
request a new connection plays the messages of its handshake (TCP, TLS, SASL, ApiVersions:
app/sim/security/handshake.py) on the network, each leaving when the one it answers has
arrived, so they take the links' real time; then the channel is ready and carries the principal
it authenticated as. Requests wait until then. A refused attempt fails as a real client does:
retriable ones (a security.protocol mismatch, a refused TCP connection) reconnect after
``reconnect.backoff.ms`` growing to ``reconnect.backoff.max.ms`` (ExponentialBackoff, jitter 0.2);
an authentication failure is fatal to the client (its poll() or send() throws). With
``connections.max.reauth.ms`` (or an expiring OAUTHBEARER token) a SASL channel re-authenticates
on the open connection at 85-95% of its session (KIP-368, app/sim/security/reauth.py); requests
wait meanwhile. After TLS every message costs its records' bytes (handshake_bytes.tls_wire_bytes).

Only in a run whose spec names ``cluster.listeners`` (``Channels``); otherwise a connection is
ready at once, as the simulator always had it. Brokers' connections to each other are drawn
with their listener's protocol and not set up here (they connect once, at start).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING, Any, Callable

from app.sim.cluster_security import client_security, make_listeners
from app.sim.events import Timer
from app.sim.security.handshake import ClientSecurity, Failure, Handshake, ListenerSecurity, Step, plan, reauth_steps
from app.sim.security.handshake_bytes import tls_wire_bytes
from app.sim.security.reauth import reauth_schedule

if TYPE_CHECKING:
    from app.sim.cluster import Cluster

#: CommonClientConfigs defaults: reconnect.backoff.ms, reconnect.backoff.max.ms, socket.connection.setup.timeout.ms.
RECONNECT_BACKOFF_MS = 50.0
RECONNECT_BACKOFF_MAX_MS = 1000.0
SETUP_TIMEOUT_MS = 10_000.0


class ChannelState(str, Enum):
    CONNECTING = "connecting"
    READY = "ready"
    REAUTHENTICATING = "reauthenticating"
    FAILED = "failed"
    CLOSED = "closed"


class Channel:
    """One connection's security state. ``on_ready(channel)`` / ``on_failed(channel)`` are the owner's bound methods."""

    __slots__ = ("id", "client", "broker", "listener", "protocol", "state", "principal", "tls_version", "mechanism",
                 "started_ms", "ready_ms", "setup_bytes", "handshake", "security", "on_ready", "on_failed", "timer",
                 "reauth_at_ms", "expires_at_ms", "reauths", "backoff_ms", "failure", "_step", "_flights")

    def __init__(self, cid: int, client: str, broker: int, listener: ListenerSecurity, security: ClientSecurity,
                 on_ready: Callable[["Channel"], None], on_failed: Callable[["Channel"], None], now: float) -> None:
        self.id, self.client, self.broker, self.listener, self.security = cid, client, broker, listener, security
        self.protocol = listener.protocol
        self.state = ChannelState.CONNECTING
        self.principal: str | None = None
        self.tls_version: str | None = None
        self.mechanism: str | None = None
        self.started_ms, self.ready_ms = now, -1.0
        self.setup_bytes = 0
        self.handshake: Handshake | None = None
        self.on_ready, self.on_failed = on_ready, on_failed
        self.timer: Timer | None = None
        self.reauth_at_ms: float | None = None
        self.expires_at_ms: float | None = None
        self.reauths = 0
        #: after a failure: how it ended, and how long its client waits before the next attempt
        self.failure: Failure | None = None
        self.backoff_ms = 0.0
        self._step = 0
        self._flights: tuple[Step, ...] = ()

    @property
    def ready(self) -> bool:
        return self.state is ChannelState.READY

    def wire_bytes(self, size: int) -> int:
        """``size`` bytes of Kafka frames as they travel on this connection (TLS records add their overhead)."""
        return tls_wire_bytes(size, self.tls_version) if self.tls_version else size


@dataclass(frozen=True)
class Connector:
    """What a client brings to every connection it opens: its security configs and the listener it connects to
    (the one its bootstrap.servers names; None: the clients' default listener)."""

    security: ClientSecurity
    listener: str | None = None


def connector(cluster: "Cluster", configs: dict[str, Any], listener: str | None, certificate: Any) -> Connector | None:
    """A client's Connector, or None when the run's connections carry no security (no Channels)."""
    if cluster.channels is None:
        return None
    return Connector(client_security(configs, certificate), listener)


def make_channels(cluster: "Cluster", cfg: dict[str, Any], users: dict[str, str]) -> "Channels":
    listeners, client_default, inter = make_listeners(cfg, users)
    return Channels(cluster, listeners, client_default, inter)


class Channels:
    """The security of every client connection in a run: listeners by name, and the channels being set up."""

    def __init__(self, cluster: "Cluster", listeners: dict[str, ListenerSecurity], client_listener: str,
                 inter_broker: str) -> None:
        self.cluster = cluster
        self.sim = cluster.sim
        #: listener name -> its configs (each broker's host and address are filled in by ``side``)
        self.listeners = listeners
        self.client_listener = client_listener
        self.inter_broker = inter_broker
        self._next_id = 0
        #: (client node, broker) -> failed attempts in a row (ClusterConnectionStates.failedAttempts)
        self.failed_attempts: dict[tuple[str, int], int] = {}

    def side(self, listener: str | None, broker: int) -> ListenerSecurity:
        """``broker``'s side of a listener: the listener's configs at the broker's host and address."""
        template = self.listeners[listener or self.client_listener]
        return replace(template, host=template.host or f"kafka-{broker}.internal", ip=f"10.0.0.{10 + broker}")

    def protocol_of(self, listener: str | None) -> str:
        return self.listeners[listener or self.client_listener].protocol

    # -- opening -------------------------------------------------------------------------------
    def open(self, client: str, broker: int, security: ClientSecurity, listener: str | None,
             on_ready: Callable[[Channel], None], on_failed: Callable[[Channel], None]) -> Channel:
        """A new connection from ``client`` to ``broker``'s ``listener``: its handshake starts now."""
        self._next_id += 1
        side = self.side(listener, broker)
        now = self.sim.now
        ch = Channel(self._next_id, client, broker, side, security, on_ready, on_failed, now)
        ch.handshake = plan(security, side, client)
        ch.tls_version = ch.handshake.tls_version if ch.handshake.ok else None
        ch.mechanism = ch.handshake.mechanism
        self.cluster.trace.emit(now, "channel.connecting", client=client, broker=broker, listener=side.name,
                                security_protocol=side.protocol, client_protocol=security.protocol, channel=ch.id,
                                mechanism=security.mechanism if security.protocol.startswith("SASL_") else None)
        ch.timer = Timer(self.sim, now + SETUP_TIMEOUT_MS, self._setup_timeout, ch)
        self._play(ch, ch.handshake.steps, self._handshake_done)
        return ch

    def _play(self, ch: Channel, steps: tuple[Step, ...], done: Callable[[Channel], None]) -> None:
        ch._flights, ch._step = steps, 0
        self._next_flight(ch, done)

    def _next_flight(self, ch: Channel, done: Callable[[Channel], None]) -> None:
        """Send the next message; it is answered when it arrives, the last one completes the set-up."""
        if ch.state in (ChannelState.FAILED, ChannelState.CLOSED):
            return
        if ch._step >= len(ch._flights):
            done(ch)
            return
        step = ch._flights[ch._step]
        ch._step += 1
        self._send(ch, step, done)
        if step.waits:
            return  # the next message answers this one: it leaves when this one has arrived (``_arrived``)
        self._next_flight(ch, done)

    def _send(self, ch: Channel, step: Step, done: Callable[[Channel], None] | None) -> None:
        """One message on the network; ``done`` None: a reply nobody waits for."""
        src, dst = (ch.client, ch.broker) if step.sender == "client" else (ch.broker, ch.client)
        # Once TLS is up, the Kafka frames of the set-up travel inside its records too.
        tls = ch.handshake.tls_version if ch.handshake is not None else None
        encrypted = tls is not None and step.type not in ("tcp", "tls")
        size = tls_wire_bytes(step.bytes, tls) if encrypted and tls else step.bytes
        ch.setup_bytes += size
        message = (step.type, {"client": ch.client, "channel": ch.id, "label": step.label, "encrypted": encrypted,
                               "tls": tls}) if self.cluster.trace.wire else None
        self.cluster.network.transfer(src, dst, size, self._arrived, ch, step, done, message=message)

    def _arrived(self, ch: Channel, step: Step, done: Callable[[Channel], None] | None) -> None:
        if ch.state in (ChannelState.FAILED, ChannelState.CLOSED):
            return
        broker = self.cluster.brokers.get(ch.broker)
        if step.sender == "client" and (broker is None or not broker.alive):
            # Nobody listens any more: the client's next packet is answered with a reset.
            self._fail_refused(ch)
            return
        if step.reply is not None:
            self._send(ch, step.reply, None)
        if step.waits and done is not None:
            self._next_flight(ch, done)

    # -- outcomes ------------------------------------------------------------------------------
    def _handshake_done(self, ch: Channel) -> None:
        hs = ch.handshake
        assert hs is not None
        if hs.failure is not None:
            self._fail(ch, hs.failure.stage, hs.failure.retriable, hs.failure.exception, hs.failure.message,
                       hs.failure.client_log, hs.failure.broker_log)
            return
        now = self.sim.now
        ch.state = ChannelState.READY
        ch.principal = hs.principal
        ch.ready_ms = now
        if ch.timer is not None:
            ch.timer.cancel()
            ch.timer = None
        self.failed_attempts.pop((ch.client, ch.broker), None)
        lifetime = self._schedule_reauth(ch, now)
        self.cluster.trace.emit(now, "channel.ready", client=ch.client, broker=ch.broker, listener=ch.listener.name,
                                security_protocol=ch.protocol, principal=ch.principal, tls_version=ch.tls_version,
                                mechanism=ch.mechanism, channel=ch.id, setup_ms=round(now - ch.started_ms, 3),
                                setup_bytes=ch.setup_bytes, session_lifetime_ms=lifetime,
                                reauth_at=round(ch.reauth_at_ms, 3) if ch.reauth_at_ms is not None else None)
        ch.on_ready(ch)

    def _schedule_reauth(self, ch: Channel, now: float) -> int:
        """KIP-368: the broker's session lifetime, and the client's re-authentication at 85-95% of it."""
        if ch.mechanism is None or ch.handshake is None:
            return 0
        expiry = ch.handshake.credential_lifetime_ms
        schedule = reauth_schedule(0, self.sim.rng, ch.listener.max_reauth_ms, expiry)
        if schedule.client_reauth_at_ms is None:
            ch.reauth_at_ms = ch.expires_at_ms = None
            return schedule.session_lifetime_ms
        ch.reauth_at_ms = now + schedule.client_reauth_at_ms
        ch.expires_at_ms = now + (schedule.session_expires_at_ms or 0)
        ch.timer = Timer(self.sim, ch.reauth_at_ms, self._reauthenticate, ch)
        return schedule.session_lifetime_ms

    def _reauthenticate(self, ch: Channel) -> None:
        if ch.state is not ChannelState.READY:
            return
        ch.state = ChannelState.REAUTHENTICATING
        ch.started_ms = self.sim.now
        self.cluster.trace.emit(self.sim.now, "channel.reauthenticating", client=ch.client, broker=ch.broker,
                                channel=ch.id, principal=ch.principal)
        self._play(ch, reauth_steps(ch.security, ch.listener, ch.client), self._reauthenticated)

    def _reauthenticated(self, ch: Channel) -> None:
        now = self.sim.now
        ch.state = ChannelState.READY
        ch.reauths += 1
        lifetime = self._schedule_reauth(ch, now)
        self.cluster.trace.emit(now, "channel.reauthenticated", client=ch.client, broker=ch.broker, channel=ch.id,
                                principal=ch.principal, took_ms=round(now - ch.started_ms, 3),
                                session_lifetime_ms=lifetime,
                                reauth_at=round(ch.reauth_at_ms, 3) if ch.reauth_at_ms is not None else None)
        ch.on_ready(ch)

    def _fail_refused(self, ch: Channel) -> None:
        remote = f"{ch.listener.host}/{ch.listener.ip}:{ch.listener.port}"
        self.sim.after(self.cluster.network.latency(ch.broker, ch.client), self._fail, ch, "tcp", True, None, None,
                       f"WARN Connection to node {ch.broker} ({remote}) could not be established. Node may not be available.",
                       None)

    def _setup_timeout(self, ch: Channel) -> None:
        if ch.state is ChannelState.CONNECTING:
            remote = f"{ch.listener.host}/{ch.listener.ip}:{ch.listener.port}"
            self._fail(ch, "timeout", True, None, None,
                       f"INFO Disconnecting from node {ch.broker} due to socket connection setup timeout. The timeout value "
                       f"is {SETUP_TIMEOUT_MS:.0f} ms. ({remote})", None)

    def _fail(self, ch: Channel, stage: str, retriable: bool, exception: str | None, message: str | None,
              client_log: str | None, broker_log: str | None) -> None:
        if ch.state in (ChannelState.FAILED, ChannelState.CLOSED):
            return
        ch.state = ChannelState.FAILED
        ch.failure = Failure(stage, retriable, client_log, broker_log, exception, message)
        if ch.timer is not None:
            ch.timer.cancel()
            ch.timer = None
        key = (ch.client, ch.broker)
        attempts = self.failed_attempts.get(key, 0)
        backoff = self.backoff(attempts)
        # ClusterConnectionStates: a disconnect counts one failed attempt, an authentication failure a second.
        self.failed_attempts[key] = attempts + (1 if retriable else 2)
        self.cluster.trace.emit(self.sim.now, "channel.failed", client=ch.client, broker=ch.broker,
                                listener=ch.listener.name, security_protocol=ch.protocol,
                                client_protocol=ch.security.protocol, channel=ch.id, stage=stage, retriable=retriable,
                                exception=exception, message=message, client_log=client_log, broker_log=broker_log,
                                backoff_ms=backoff)
        ch.backoff_ms = backoff
        ch.on_failed(ch)

    def backoff(self, attempts: int) -> float:
        """ExponentialBackoff(reconnect.backoff.ms, 2, reconnect.backoff.max.ms, 0.2).backoff(attempts), whole ms."""
        exp_max = math.log(RECONNECT_BACKOFF_MAX_MS / RECONNECT_BACKOFF_MS) / math.log(2)
        term = RECONNECT_BACKOFF_MS * 2.0 ** min(attempts, exp_max)
        return float(min(int((0.8 + 0.4 * self.sim.rng.random()) * term), RECONNECT_BACKOFF_MAX_MS))

    def close(self, ch: Channel) -> None:
        """The connection is gone (closed by its client, reset by a dead broker): nothing more happens on it."""
        if ch.state is not ChannelState.FAILED:
            ch.state = ChannelState.CLOSED
        if ch.timer is not None:
            ch.timer.cancel()
            ch.timer = None

