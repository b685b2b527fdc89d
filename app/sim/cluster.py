"""The cluster: brokers, the controller, the network, and the faults a scenario can inject.

Models a KRaft cluster's broker lifecycle (registration, a heartbeat every
``broker.heartbeat.interval.ms``, fencing ``broker.session.timeout.ms`` after the last
heartbeat the controller received, re-registration on restart); leaves out the controller
quorum. A 2.8 cluster (ZooKeeper mode) is run the
same way, with the timeout taken from ``zookeeper.session.timeout.ms`` unless the spec sets
broker.session.timeout.ms (see ``config.resolve_broker``), counted from the crash: ZooKeeper's
own pings and tick rounding are left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from app.sim import elr
from app.sim.broker import Broker
from app.sim.cluster_security import make_authorizer
from app.sim.controller import Controller
from app.sim.events import Simulation
from app.sim.lifecycle import BrokerState
from app.sim.network import Network, NodeKind
from app.sim.trace import Trace

if TYPE_CHECKING:
    from app.sim.metrics import BrokerMetrics
    from app.sim.partition import PartitionState


#: How soon a broker in controlled shutdown heartbeats again after its first controlled-shutdown
#: answer (BrokerLifecycleManager: 50 ms, "to speed things up a little bit").
CONTROLLED_SHUTDOWN_HEARTBEAT_MS = 50.0


class Client(Protocol):
    """A client of the cluster (a producer, a consumer, an admin client) as the cluster sees it:
    its node on the network, and what it does when a broker's process dies under its connections."""

    node: str

    def on_broker_down(self, broker: int) -> None: ...


class Cluster:
    def __init__(self, sim: Simulation, network: Network, trace: Trace, metrics: "BrokerMetrics",
                 broker_cfg: dict[str, Any], count: int, racks: list[str | None], kafka_version: str = "4.0",
                 seed: int = 0) -> None:
        self.sim, self.network, self.trace, self.metrics = sim, network, trace, metrics
        self.kafka_version = kafka_version
        self.broker_cfg = broker_cfg
        self.session_timeout_ms: float = broker_cfg["broker.session.timeout.ms"]
        self.heartbeat_interval_ms: float = broker_cfg["broker.heartbeat.interval.ms"]
        self.brokers: dict[int, Broker] = {}
        for b in range(count):
            rack = racks[b] if b < len(racks) else broker_cfg.get("broker.rack")
            self.brokers[b] = Broker(self, b, rack, broker_cfg)
            network.add_node(b, NodeKind.BROKER, rack)
        self.controller = Controller(self, seed)
        #: broker -> when the controller stops waiting for the heartbeats of a process that died
        self.session_expires: dict[int, float] = {}
        #: broker -> when it last registered: its heartbeats go out every interval from then
        self.registered_at: dict[int, float] = dict.fromkeys(self.brokers, 0.0)
        #: broker -> when its current isolation began (a heal ends it)
        self.isolated_since: dict[int, float] = {}
        #: client id -> client, every client connected now (a closed one leaves once it has no request left)
        self.clients: dict[str, Client] = {}
        #: how many clients of each kind were ever created: Kafka numbers default client ids per JVM
        #: (producer-1, producer-2, ...)
        self._client_seq: dict[str, int] = {}
        #: the topics whose logs keep each batch's size, not its bytes (Scenario's keep_log_bytes=False: the spec's
        #: topics; a topic created later, by an admin client or a terminal, keeps its bytes for its consumers)
        self.sizes_only: frozenset[str] = frozenset()
        self._next_producer_id = 1000
        #: The ACL authoriser (app/sim/security) when ``authorizer.class.name`` names one; None allows everything.
        self.authorizer = make_authorizer(broker_cfg, kafka_version)
        #: Client connections' security (app/sim/channel.py) when the spec names listeners; None: none modelled.
        self.channels: Any = None
        #: server.properties: the broker configs a spec's cluster section set (STATIC_BROKER_CONFIG)
        self.static_configs: dict[str, Any] = {k: broker_cfg[k] for k in getattr(broker_cfg, "explicit", ()) if k in broker_cfg}
        #: KIP-226 dynamic broker configs by entity, as stored: "" is the cluster-wide default, "1" broker 1's own
        self.dynamic_configs: dict[str, dict[str, str]] = {}
        #: finalized feature levels (KIP-584/KIP-1022): eligible.leader.replicas.version where the version has it
        self.features: dict[str, int] = ({elr.FEATURE: int(broker_cfg.get(elr.FEATURE, 0))}
                                         if kafka_version in elr.VERSIONS else {})
        #: brokers whose registration an UnregisterBroker removed (KIP-631); they register again on a restart
        self.unregistered: set[int] = set()
        #: brokers whose process last stopped in a controlled shutdown: they come back clean (for ELR)
        self.clean_shutdown: set[int] = set()

    @property
    def restarting(self) -> set[int]:
        """Brokers whose restarted process waits for its old session to expire before it registers."""
        return {b for b, broker in self.brokers.items() if broker.state is BrokerState.STARTING}

    def min_isr(self, s: "PartitionState") -> int:
        """min.insync.replicas as a leader applies it. Since 3.7 never more than the replication
        factor (Partition.effectiveMinIsr); a 2.8 broker takes the topic's value as it is, so
        min.insync.replicas 2 on a topic of one replica refuses every acks=all write."""
        value = self.controller.topic_configs[s.topic]["min.insync.replicas"]
        return value if self.kafka_version == "2.8" else min(value, len(s.replicas))

    def next_client_id(self, kind: str) -> str:
        """A default client.id as Kafka makes one: ``producer-1``, ``consumer-<group>-1``, ``adminclient-1``."""
        n = self._client_seq.get(kind, 0) + 1
        self._client_seq[kind] = n
        return f"{kind}-{n}"

    def connect(self, client: Client, rack: str | None = None, host: str | None = None) -> None:
        """A client joins: it has a node on the network and hears of broker deaths."""
        if client.node in self.clients:
            raise ValueError(f"client.id {client.node!r} is already connected: client ids must be unique here")
        self.clients[client.node] = client
        self.network.add_node(client.node, NodeKind.CLIENT, rack, host)

    def disconnect(self, client: Client) -> None:
        """A closed client leaves (once it has nothing left in flight)."""
        if self.clients.get(client.node) is client:
            del self.clients[client.node]
            self.network.remove_node(client.node)

    def init_producer_id(self) -> int:
        """InitProducerId: a fresh producer id from the controller."""
        self._next_producer_id += 1
        return self._next_producer_id

    # -- faults -----------------------------------------------------------------------------
    def kill_broker(self, b: int) -> None:
        """The broker process dies: its connections reset at once; the controller notices after the session timeout."""
        broker = self.brokers[b]
        if not broker.alive:
            return
        broker.crash()
        now = self.sim.now
        self.trace.emit(now, "broker.down", broker=b)
        # The OS resets the dead process's sockets: each client sees a disconnect one latency later.
        for client in list(self.clients.values()):
            client.on_broker_down(b)
        self.session_expires[b] = expires = self.session_deadline(b, now)
        self.sim.at(expires, self._maybe_fence, b, broker.incarnation)

    def session_deadline(self, b: int, now: float) -> float:
        """When the controller gives up on broker ``b`` if no heartbeat reaches it after ``now``.

        KRaft: the session runs from the last heartbeat received (BrokerHeartbeatManager), and
        heartbeats go out every broker.heartbeat.interval.ms from registration, so a crash is
        noticed between timeout - interval and timeout after it: 7 to 9 s by default.
        ZooKeeper (2.8): counted from ``now``.
        """
        now = min(now, self.isolated_since.get(b, now))  # an isolated broker's heartbeats stopped then
        if self.kafka_version == "2.8":
            return now + self.session_timeout_ms
        since = self.registered_at.get(b, 0.0)
        interval = self.heartbeat_interval_ms
        last_heartbeat = since + ((now - since) // interval) * interval
        return last_heartbeat + self.session_timeout_ms

    def restart_broker(self, b: int) -> None:
        """The broker starts again and registers: its old registration is fenced, then it rejoins as a follower.

        While the controller still holds the dead process's session (it has not missed
        broker.session.timeout.ms of heartbeats yet), it refuses the new registration
        (ClusterControlManager: DuplicateBrokerRegistrationException) and the process keeps
        retrying: the broker serves nothing until the old session expires.  A 2.8 broker
        started while its dead process's ephemeral node /brokers/ids/<id> is still in
        ZooKeeper fails its start-up and exits ("node already exists"); modelled as the
        supervisor (systemd, Kubernetes) starting it again until the node is gone, with the
        same outcome: the broker registers when the old session expires.
        """
        broker = self.brokers[b]
        if broker.alive or b in self.restarting:
            return
        now = self.sim.now
        expires = self.session_expires.get(b, now)
        if not broker.fenced and expires > now:
            broker.become(BrokerState.STARTING)
            self.trace.emit(now, "broker.restarting", broker=b, registers_at=round(expires, 3))
            self.sim.at(expires, self._register, b)
            return
        self._register(b)

    def _register(self, b: int) -> None:
        broker = self.brokers[b]
        if broker.alive:
            return
        self._maybe_fence(b, broker.incarnation)  # the old session ends now, if it has not yet
        broker.restart()
        self.registered_at[b] = self.sim.now
        self.unregistered.discard(b)
        self.trace.emit(self.sim.now, "broker.up", broker=b)
        self.controller.fence(b, "re-registered")
        clean = b in self.clean_shutdown
        self.clean_shutdown.discard(b)
        if not clean and self.controller.elr_enabled:
            # KAFKA-15586: a broker that did not shut down cleanly leaves every ISR and ELR as it registers.
            self.controller.unclean_shutdown(b)
        self.controller.unfence(b)

    def _maybe_fence(self, b: int, incarnation: int) -> None:
        broker = self.brokers[b]
        if (not broker.alive and broker.incarnation == incarnation) or (b in self.network.isolated and broker.alive):
            self.controller.fence(b, "session timeout")

    def isolate(self, b: int) -> None:
        """Cut the broker off from everyone: messages to and from it are lost; the controller fences it later."""
        now = self.sim.now
        self.network.isolated.add(b)
        self.isolated_since.setdefault(b, now)
        self.trace.emit(now, "network.isolated", broker=b)
        self.sim.at(self.session_deadline(b, now), self._maybe_fence_isolated, b, self.isolated_since[b])

    def _maybe_fence_isolated(self, b: int, since: float) -> None:
        # Only the isolation that set this deadline: one healed and begun again has its own.
        if self.isolated_since.get(b) == since and self.brokers[b].alive:
            self.controller.fence(b, "session timeout")

    def heal(self, b: int | None = None) -> None:
        """End isolation (of one broker, or of all); a fenced broker registers again and follows."""
        healed = [b] if b is not None else sorted(self.network.isolated)
        for x in healed:
            self.network.isolated.discard(x)
            self.isolated_since.pop(x, None)
            self.trace.emit(self.sim.now, "network.healed", broker=x)
            broker = self.brokers[x]
            # TCP retransmits what the partition swallowed, so fetches resume at once instead of
            # after replica.socket.timeout.ms: restart the fetchers to and from the healed broker.
            for other in self.brokers.values():
                if other.alive and other is not broker and other.fetcher.active.get(x):
                    other.fetcher.start(x)
            if broker.alive:
                for leader in list(broker.fetcher.active):
                    broker.fetcher.active[leader] = False
                if broker.fenced and x not in self.unregistered:
                    self.controller.unfence(x)
                else:
                    for tp, rep in list(broker.replicas.items()):
                        if rep.state.leader >= 0 and rep.state.leader != x:
                            broker.become_follower(tp)

    # -- brokers joining and leaving (operations next to the faults) --------------------------
    def add_broker(self, rack: str | None = None) -> int:
        """A new broker process starts with the next free node.id and registers: it holds no replica
        until a topic, new partitions or a reassignment place some on it. Its id."""
        b = max(self.brokers) + 1 if self.brokers else 0
        broker = Broker(self, b, rack, self.broker_cfg)
        self.brokers[b] = broker
        self.network.add_node(b, NodeKind.BROKER, rack)
        self.registered_at[b] = self.sim.now
        threads = self.broker_config(b, "num.io.threads")
        if threads != broker.threads:
            broker.resize_handlers(int(threads))
        self.trace.emit(self.sim.now, "broker.added", broker=b, rack=rack)
        return b

    def broker_config(self, b: int, name: str) -> Any:
        """A broker config in force on broker ``b``: its own dynamic value, else the cluster-wide dynamic
        default, else server.properties and Kafka's default (``broker_cfg``)."""
        from app.sim.config import config_defs

        for entity in (str(b), ""):
            layer = self.dynamic_configs.get(entity, {})
            if name in layer:
                d = config_defs("broker", self.kafka_version).get(name)
                return d.parse(layer[name]) if d is not None else layer[name]
        return self.broker_cfg.get(name)

    def controlled_shutdown(self, b: int) -> None:
        """The broker is stopped cleanly (SIGTERM): it asks the controller for a controlled shutdown,
        which moves its leaderships to other ISR members and takes it out of every ISR at once
        (``ReplicationControlManager.handleBrokerInControlledShutdown``); its next heartbeat, 50 ms
        later (``BrokerLifecycleManager``), finds it leading nothing and is answered SHUTDOWN_NOW: it
        is fenced and its process stops. Nothing acknowledged is lost; the partitions it led are
        unavailable only until producers learn the new leaders. A fenced broker stops at once
        (``BrokerHeartbeatManager``: "granted an immediate shutdown")."""
        broker = self.brokers[b]
        if not broker.alive or broker.state is BrokerState.SHUTTING_DOWN:
            return
        if broker.state is BrokerState.FENCED:
            self._shutdown_now(b, broker.incarnation)
            return
        broker.become(BrokerState.SHUTTING_DOWN)
        self.trace.emit(self.sim.now, "broker.shutting_down", broker=b)
        self.controller.leave(b, "controlled shutdown", "controlled shutdown")
        self.sim.after(CONTROLLED_SHUTDOWN_HEARTBEAT_MS, self._shutdown_now, b, broker.incarnation)

    def _shutdown_now(self, b: int, incarnation: int) -> None:
        broker = self.brokers[b]
        if not broker.alive or broker.incarnation != incarnation:
            return
        now = self.sim.now
        was_fenced = broker.fenced
        broker.shutdown()
        self.clean_shutdown.add(b)
        # Fenced as it stops (SHUTDOWN_NOW): a restart registers at once, no old session to wait for.
        self.session_expires.pop(b, None)
        if not was_fenced:
            self.trace.emit(now, "broker.fenced", broker=b, reason="controlled shutdown")
        self.trace.emit(now, "broker.down", broker=b, reason="controlled shutdown")
        # The process closes its sockets: each client sees the connection end.
        for client in list(self.clients.values()):
            client.on_broker_down(b)

    def unregister_broker(self, b: int) -> None:
        """UnregisterBroker (KIP-631), accepted: the registration is removed (the broker leaves every ISR
        it is in, as when it is fenced). Nothing is reassigned: its replicas stay in their partitions'
        replica lists. A broker still running is refused its heartbeats (StaleBrokerEpochException) and
        stays fenced until its process restarts and registers again."""
        self.controller.fence(b, "unregistered")
        self.unregistered.add(b)
        self.controller.leave(b, "unregistered", "unregistered")
        self.trace.emit(self.sim.now, "broker.unregistered", broker=b)

    def drop_responses(self, b: int, n: int) -> None:
        self.network.drop_responses[b] = self.network.drop_responses.get(b, 0) + n
        self.trace.emit(self.sim.now, "network.drop_responses", broker=b, count=n)

    def add_latency(self, b: int, ms: float) -> None:
        self.network.extra_latency[b] = ms
        self.trace.emit(self.sim.now, "network.latency", broker=b, extra_ms=ms)
