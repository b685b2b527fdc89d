"""``--bootstrap-server``: which of the lab's brokers an address reaches, and what a client does when none answers.

Models the client side of ``bootstrap.servers`` (``ClientUtils.parseAndValidateAddresses``,
``NetworkClient``'s reconnects): broker ``b`` of the lab listens on ``localhost:9092 + b``
(app/sim/admin/model.py, ``LISTENER_PORT``). A host other than localhost does not resolve
("No resolvable bootstrap urls given in bootstrap.servers", at once). An address nobody
answers on in Kafka's language leaves the client trying again (``reconnect.backoff.ms`` 50 ms,
doubling to ``reconnect.backoff.max.ms`` 1000 ms; Kafka adds ±20% jitter, left out here so the
lines stay the same from run to run) until its timeout, then the tool fails with what Kafka
prints. Where nothing listens, each attempt logs "Connection to node -1 ... could not be
established"; ZooKeeper on 2181 (a 2.8 cluster has one) takes the connection and drops the
Kafka request without a word, so the client waits silently. Port 2181 and ``--zookeeper`` get
Brokerlab's note: that is ZooKeeper's port, and Kafka 4 has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from app.shell.tool import Context, Job
from app.sim.admin.model import LISTENER_PORT
from app.sim.events import Timer

#: ZooKeeper's client port
ZOOKEEPER_PORT = 2181
LOCAL_HOSTS = {"localhost": "127.0.0.1", "127.0.0.1": "127.0.0.1", "[::1]": "0:0:0:0:0:0:0:1", "::1": "0:0:0:0:0:0:0:1"}
RECONNECT_BACKOFF_MS = 50.0
RECONNECT_BACKOFF_MAX_MS = 1000.0
#: ``default.api.timeout.ms``: how long an admin call waits for a node
DEFAULT_API_TIMEOUT_MS = 60_000.0

ZOOKEEPER_NOTE = ("Port 2181 is ZooKeeper's client port, not a Kafka listener. --bootstrap-server must name a broker: "
                  "here localhost:9092{more}. The admin client speaks Kafka's protocol and nothing on 2181 answers "
                  "in it, so it retries until default.api.timeout.ms (60 s of the run's time) and gives up, as it "
                  "would on a real cluster. {zk} Ctrl-C stops the wait.")

ZOOKEEPER_FLAG_NOTE = ("--zookeeper is gone: {tool} {lost}, and Kafka 4.0 has no ZooKeeper at all (KIP-833; KRaft "
                       "controllers keep the metadata). Name a broker instead: --bootstrap-server {servers}.")
#: When each tool lost --zookeeper (KIP-604 planned the removals for 3.0; kafka-configs kept it for SCRAM
#: credentials and for brokers that are down until ZooKeeper itself went)
LOST_ZOOKEEPER = {"kafka-topics": "lost it in Kafka 3.0 (KIP-604)",
                  "kafka-configs": "kept it until 4.0 (for SCRAM credentials and brokers that are down)",
                  "kafka-reassign-partitions": "lost it in Kafka 3.0 (KIP-604)",
                  "kafka-leader-election": "never took it (it came in 2.4 with --bootstrap-server only)",
                  "kafka-acls": "lost --authorizer-properties zookeeper.connect in Kafka 3.0"}


def zookeeper_flag_note(ctx: "Context") -> str:
    return ZOOKEEPER_FLAG_NOTE.format(tool=ctx.tool, lost=LOST_ZOOKEEPER.get(ctx.tool, "lost it in Kafka 3.0 (KIP-604)"),
                                      servers=listener_list(ctx))


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    @property
    def text(self) -> str:
        return f"{self.host}:{self.port}"


def parse_servers(text: str) -> list[Endpoint] | None:
    """``host:port[,host:port...]``, or None when one of them has no port (``Utils.getPort`` finds none)."""
    out = []
    for part in text.split(","):
        part = part.strip()
        host, sep, port = part.rpartition(":")
        if not sep or not host or not port.isdigit():
            return None
        out.append(Endpoint(host, int(port)))
    return out


def listeners(ctx: Context) -> dict[int, int]:
    """port -> broker id, for the brokers of the lab's cluster."""
    return {LISTENER_PORT + b: b for b in ctx.cluster.brokers}


def listener_list(ctx: Context) -> str:
    return ",".join(f"localhost:{port}" for port in sorted(listeners(ctx)))


def zookeeper_note(ctx: Context) -> str:
    more = f" (or any of {listener_list(ctx)})" if len(ctx.cluster.brokers) > 1 else ""
    zk = ("This 2.8 cluster does run ZooKeeper there: it takes the connection and drops the Kafka request."
          if not ctx.kraft else "This cluster runs in KRaft mode and has no ZooKeeper at all; Kafka 4.0 removed "
          "ZooKeeper (KIP-833) and the tools lost --zookeeper in 3.0 (KIP-604).")
    return ZOOKEEPER_NOTE.format(more=more, zk=zk)


@dataclass(frozen=True)
class Reach:
    """Where a client's bootstrap addresses lead: the brokers that answer, or why none does."""

    brokers: list[int]
    #: set when no address resolves: ConfigException's message
    unresolvable: str | None = None
    endpoints: tuple[Endpoint, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.brokers)


def reach(ctx: Context, text: str) -> Reach:
    """The live brokers behind ``text`` (a validated ``host:port`` list)."""
    endpoints = parse_servers(text) or []
    resolved = [e for e in endpoints if e.host in LOCAL_HOSTS]
    if not resolved:
        return Reach([], "No resolvable bootstrap urls given in bootstrap.servers", tuple(endpoints))
    ports = listeners(ctx)
    live = []
    for e in resolved:
        b = ports.get(e.port)
        if b is not None and ctx.cluster.brokers[b].alive and b not in ctx.cluster.network.isolated and b not in live:
            live.append(b)
    return Reach(live, None, tuple(resolved))


def note_zookeeper_port(ctx: Context, where: Reach) -> None:
    """When a client was pointed at 2181, say what that port is."""
    if any(e.port == ZOOKEEPER_PORT for e in where.endpoints):
        ctx.note(zookeeper_note(ctx))


def nothing_listens(ctx: Context, e: Endpoint) -> bool:
    """True where a connection is refused: no broker there, and no ZooKeeper (only a 2.8 cluster has one on 2181)."""
    return not (e.port == ZOOKEEPER_PORT and not ctx.kraft) and e.port not in listeners(ctx)


class WaitForNode(Job):
    """A client that reaches no broker: it tries its bootstrap addresses again and again, logging each refusal,
    until ``timeout_ms``; then ``give_up`` prints what the tool prints and the command ends."""

    kind = "wait"
    ends_by_itself = True

    def __init__(self, ctx: Context, endpoints: tuple[Endpoint, ...], client: str, timeout_ms: float,
                 give_up: Callable[[], None]) -> None:
        self.ctx = ctx
        self.endpoints = [e for e in endpoints if e.host in LOCAL_HOSTS]
        self.client = client
        self.give_up = give_up
        self.backoff = RECONNECT_BACKOFF_MS
        self.attempt = 0
        sim = ctx.scenario.sim
        self.deadline = sim.now + timeout_ms
        self.timer: Timer | None = None
        self.end_timer = Timer(sim, self.deadline, self._deadline)
        self._connect()

    def _connect(self) -> None:
        """One connection attempt to the next bootstrap address (NetworkClient picks them in turn)."""
        if self.done:
            return
        e = self.endpoints[self.attempt % len(self.endpoints)] if self.endpoints else None
        self.attempt += 1
        if e is not None and nothing_listens(self.ctx, e):
            ip = LOCAL_HOSTS.get(e.host, e.host)
            word = "Broker" if self.ctx.version == "2.8" else "Node"
            self.ctx.log("WARN", f"[{self.client}] Connection to node -1 ({e.host}/{ip}:{e.port}) could not be "
                         f"established. {word} may not be available.", "org.apache.kafka.clients.NetworkClient")
        self.timer = Timer(self.ctx.scenario.sim, self.ctx.now + self.backoff, self._connect)
        self.backoff = min(self.backoff * 2, RECONNECT_BACKOFF_MAX_MS)

    def _deadline(self) -> None:
        if self.done:
            return
        self._stop()
        self.give_up()
        self.ctx.session.job_ended(self)

    def _stop(self) -> None:
        self.done = True
        if self.timer is not None:
            self.timer.cancel()
        self.end_timer.cancel()

    def interrupt(self) -> None:
        """Ctrl-C: the JVM exits; the admin client's threads go with it."""
        self._stop()
