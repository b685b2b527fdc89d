"""The idempotence lab: lost responses, retries, and a broker that recognises them.

One partition (replication factor 3). The fault button loses the leader's next
response: the batch is in the log, the producer never hears, waits
request.timeout.ms (1000 ms here; Kafka's default is 30000, shortened so the retry
comes within a second) and retries it, together with the requests that shared the
closed connection. Without idempotence each retry is appended again: the log holds
duplicates. With it the batch carries a producer id, an epoch and sequence numbers;
the broker finds it among the last five batches it remembers for that producer and
answers with the first copy's offsets (``duplicate.rejected``).

12 records a second with linger.ms=200 make about four batches a second, so fewer
than five batches follow a lost one before its retry and the broker still remembers
it: the answer carries the original offset rather than DUPLICATE_SEQUENCE_NUMBER
with offset -1. The view is the retries lab's ``LogWatch`` (``frame["lab"]``).
"""

from __future__ import annotations

from app.live.labs import Lab, Scope, Setting
from app.live.labs.retries import LogWatch

IDEMPOTENCE = Lab(
    name="idempotence",
    title="the idempotent producer: lost responses without duplicates",
    base_spec={
        "cluster": {"brokers": 3, "latency_ms": 5.0},
        "network": {"links": [{"from": "producer", "to": b, "latency_ms": 20.0} for b in range(3)]},
        "topic": {"name": "orders", "partitions": 1, "replication.factor": 3},
        "producer": {"acks": "all", "linger.ms": 200, "request.timeout.ms": 1000},
        "workload": {"records_per_sec": 12, "keys": 6, "value": "json", "value_bytes": 40},
        "duration_ms": 600_000,
        "settle_ms": 0,
    },
    settings=(
        Setting("enable.idempotence", Scope.PRODUCER, "enable.idempotence", choices=("false", "true")),
        Setting("max.in.flight.requests.per.connection", Scope.PRODUCER, "max.in.flight.requests.per.connection", low=1, high=5),
    ),
    preset={"enable.idempotence": "true", "max.in.flight.requests.per.connection": 5},
    seed=5,
    faults=("drop_responses",),
    speed=0.1,
    view=LogWatch,
)
