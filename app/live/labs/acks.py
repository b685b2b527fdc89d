"""The acks lab: acks, min.insync.replicas and replication factor against brokers that die.

Three brokers, two partitions. Followers sit 150 ms from their leader while the
producer is 5 ms from every broker, so with acks=1 a leader acknowledges records
that no follower has yet: kill it and those records are lost. The controller fences
a silent broker broker.session.timeout.ms = 1000 ms after its last heartbeat (Kafka's
defaults: 9000, with a heartbeat every broker.heartbeat.interval.ms = 2000; here 250),
so the ISR shrinks on screen in seconds rather than minutes.
"""

from __future__ import annotations

from app.live.labs import Lab, Scope, Setting

_BROKERS = 3
_LINKS = [{"from": a, "to": b, "latency_ms": 150.0} for a in range(_BROKERS) for b in range(_BROKERS) if a != b]

ACKS = Lab(
    name="acks",
    title="acks, min.insync.replicas and failing brokers",
    base_spec={
        "cluster": {"brokers": _BROKERS, "latency_ms": 5.0, "broker.session.timeout.ms": 1000,
                    "broker.heartbeat.interval.ms": 250, "replica.lag.time.max.ms": 1500},
        "network": {"links": _LINKS},
        "topic": {"name": "orders", "partitions": 2},
        "producer": {"linger.ms": 5, "delivery.timeout.ms": 30000, "request.timeout.ms": 5000},
        "workload": {"records_per_sec": 40, "keys": 12, "value": "json", "value_bytes": 60},
        "duration_ms": 300_000,
        "settle_ms": 0,
    },
    settings=(
        Setting("acks", Scope.PRODUCER, "acks", choices=("0", "1", "all")),
        Setting("min.insync.replicas", Scope.TOPIC, "min.insync.replicas", low=1, high=_BROKERS),
        Setting("replication.factor", Scope.CREATION, "replication factor", low=1, high=_BROKERS),
    ),
    preset={"acks": "all", "min.insync.replicas": 2, "replication.factor": 3},
    seed=7,
    faults=("kill_broker", "restart_broker", "isolate_broker", "heal"),
    speed=0.1,
)
