"""The safe-producer lab: the pre-0.11 recipe against each version's defaults, on the same run and faults.

Four producers, each in its own simulated cluster built from the same spec and seed,
so they get the same records at the same times and the same broker ids:

- the recipe before Kafka 0.11 (acks=all, retries=2147483647, one request in flight,
  no idempotence; min.insync.replicas=2 on the topic), on a 2.8 client;
- Kafka 2.8 defaults (acks=1, no idempotence), 3.x defaults and 4.0 defaults
  (acks=all with idempotence, KIP-679), each with the spec's ``kafka_version``.

The session's own scenario is the 4.0 column; ``Comparison`` (``frame["lab"]``) runs the
other three to the same virtual time on every frame, and the lab's runtime
(``LockstepRuntime``) gives each fault to all four at the same moment, so replay, seek
and links repeat the faults too. Which defaults a version gives comes from the
config registry (``default_for(version)``); what each producer runs with is its
resolved config.

Chosen so the point shows in seconds: followers sit 100 ms from their leader (an
acks=1 leader acknowledges what no follower has, so killing it loses records),
broker.session.timeout.ms=1000 with a heartbeat every 250 ms (Kafka's defaults are 9000 and
2000) and request.timeout.ms=1000
(30000), so a lost response is retried within a second.
"""

from __future__ import annotations

import copy
from collections import deque
from typing import Any

from app.configs import registry
from app.live.labs import Lab
from app.live.runtime import LockstepRuntime
from app.sim import Scenario, control

_BROKERS = 3
_LINKS = [{"from": a, "to": b, "latency_ms": 100.0} for a in range(_BROKERS) for b in range(_BROKERS) if a != b]
BASE_SPEC: dict[str, Any] = {
    "kafka_version": "4.0",
    "cluster": {"brokers": _BROKERS, "latency_ms": 5.0, "broker.session.timeout.ms": 1000,
                "broker.heartbeat.interval.ms": 250, "replica.lag.time.max.ms": 1500},
    "network": {"links": _LINKS},
    "topic": {"name": "payments", "partitions": 1, "replication.factor": 3},
    "producer": {"request.timeout.ms": 1000},
    "workload": {"records_per_sec": 40, "keys": 6, "value": "json", "value_bytes": 60},
    "duration_ms": 600_000,
    "settle_ms": 0,
}
RECIPE = {"acks": "all", "retries": 2147483647, "max.in.flight.requests.per.connection": 1, "enable.idempotence": False}
#: (column id, title, kafka_version, producer configs beyond the base, topic configs)
VARIANTS: tuple[tuple[str, str, str, dict[str, Any], dict[str, Any]], ...] = (
    ("recipe", "The pre-0.11 recipe (on a 2.8 client)", "2.8", RECIPE, {"min.insync.replicas": 2}),
    ("2.8", "Kafka 2.8 defaults", "2.8", {}, {}),
    ("3.x", "Kafka 3.x defaults", "3.x", {}, {}),
    ("4.0", "Kafka 4.0 defaults", "4.0", {}, {}),
)
PRIMARY = "4.0"
#: The settings each column lists: what a version gives by default, and what this producer runs with.
SHOWN = (("producer", "acks"), ("producer", "enable.idempotence"), ("producer", "retries"),
         ("producer", "max.in.flight.requests.per.connection"), ("producer", "delivery.timeout.ms"),
         ("producer", "linger.ms"), ("topic", "min.insync.replicas"))
#: The ledger walks every record; a column's is refreshed at most every this many virtual ms.
LEDGER_EVERY_MS = 250.0
RECENT_MS = 5000.0


def variant_spec(version: str, producer: dict[str, Any], topic: dict[str, Any]) -> dict[str, Any]:
    spec = copy.deepcopy(BASE_SPEC)
    spec["kafka_version"] = version
    spec["producer"].update(producer)
    spec["topic"].update(topic)
    return spec


def _text(value: Any) -> str:
    if value is True or value is False:
        return str(value).lower()
    return {-1: "all"}.get(value, str(value)) if isinstance(value, int) else str(value)


class _Column:
    def __init__(self, key: str, title: str, version: str, producer: dict[str, Any], topic: dict[str, Any], sc: Scenario) -> None:
        self.key, self.title, self.version, self.overrides, self.topic_overrides = key, title, version, producer, topic
        self.sc = sc
        self.ledger: dict[str, Any] | None = None
        self.at = -1e18
        self.history: deque[tuple[float, int]] = deque()

    def settings(self) -> list[dict[str, Any]]:
        reg = registry()
        cfg = self.sc.producer.cfg
        topic = self.sc.cluster.controller.topic_configs[self.sc.spec["topic"]["name"]]
        out = []
        for scope, name in SHOWN:
            default = reg.get(scope, name).default_for(self.version)
            used = cfg[name] if scope == "producer" else topic[name]
            overridden = name in (self.overrides if scope == "producer" else self.topic_overrides)
            out.append({"scope": scope, "name": name, "default": _text(default), "value": _text(used), "set": overridden})
        return out

    def view(self, exact: bool) -> dict[str, Any]:
        sc = self.sc
        now = sc.now
        if self.ledger is None or (exact and now != self.at) or now - self.at >= LEDGER_EVERY_MS or now < self.at:
            self.ledger = sc.audit.summary()
            self.at = now
            self.history.append((now, self.ledger["acked"]))
            while len(self.history) > 1 and self.history[0][0] < now - RECENT_MS:
                self.history.popleft()
        ledger = self.ledger
        t0, a0 = self.history[0]
        recent = (ledger["acked"] - a0) * 1000.0 / (self.at - t0) if self.at > t0 else 0.0
        metrics = sc.producer_metrics.summary(sc.producer, max(now, 1.0))
        part = sc.partition_view()[0]
        return {"key": self.key, "title": self.title, "kafka_version": self.version, "ledger": ledger,
                "throughput": round(recent, 1), "throughput_avg": round(ledger["acked"] * 1000.0 / max(self.at, 1.0), 1),
                "latency_avg": metrics["request-latency-avg"], "retries": metrics["record-retry-total"],
                "leader": part["leader"], "isr": part["isr"], "settings": self.settings(),
                "producer_id": sc.producer.producer_id}


class Comparison:
    """The four columns: the session's scenario (4.0 defaults) and three more run in lockstep with it."""

    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.columns: list[_Column] = []
        for key, title, version, producer, topic in VARIANTS:
            own = sc if key == PRIMARY else Scenario(variant_spec(version, producer, topic), sc.seed,
                                                     trace_records=False, keep_log_bytes=sc.keep_log_bytes)
            self.columns.append(_Column(key, title, version, producer, topic, own))
        self.shadows = [c.sc for c in self.columns if c.sc is not sc]

    def __call__(self, exact: bool = False) -> dict[str, Any]:
        """The columns; ``exact``: the run stands still or jumped, so every ledger is taken now."""
        for shadow in self.shadows:
            control.run_until(shadow, self.sc.now)
            control.drain_events(shadow)
        return {"columns": [c.view(exact) for c in self.columns], "leader": self.sc.partition_view()[0]["leader"],
                "brokers": control.brokers_view(self.sc)}


SAFE_PRODUCER = Lab(
    name="safe-producer",
    title="the safe producer, then and now",
    base_spec=BASE_SPEC,
    settings=(),
    preset={},
    seed=13,
    faults=("kill_broker", "restart_broker", "drop_responses"),
    speed=0.1,
    view=Comparison,
    runtime=LockstepRuntime,
)
