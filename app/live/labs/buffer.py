"""The buffer lab: buffer.memory, max.block.ms and batch.size against a broker that slows down.

One broker leads the three partitions of ``orders``, so slowing it slows every
partition (with more brokers the healthy ones keep handing buffers back and the
point is lost in the noise). The application sends 500 records a second of about
500 bytes, 250 KB/s. ``slow_broker`` adds 3000 ms each way (app.sim.control), so a
produce request takes about 6 s to be answered and at most five are in flight:
batches stop completing, each one keeps its whole batch.size buffer, and the
preset's 1 MiB pool (64 buffers of 16384 bytes; Kafka's default is 32 MiB) is
full about 3.5 s after the click. send() then blocks; the next buffer comes back
only with the next answer, about 3 s later, so with max.block.ms = 2000 (default
60000) a BufferExhaustedException follows 2 s into the block. Raise max.block.ms
to 5000 and send() still blocks, but every wait ends before the deadline.
"""

from __future__ import annotations

from app.live.labs import Lab, Scope, Setting

BUFFER = Lab(
    name="buffer",
    title="buffer.memory and max.block.ms: a slow broker fills the buffer",
    base_spec={
        "cluster": {"brokers": 1, "latency_ms": 5.0},
        "topic": {"name": "orders", "partitions": 3, "replication.factor": 1},
        "producer": {"linger.ms": 5},
        "workload": {"records_per_sec": 500, "keys": 30, "value": "json", "value_bytes": 500},
        "duration_ms": 180_000,
        "settle_ms": 0,
    },
    settings=(
        Setting("buffer.memory", Scope.PRODUCER, "buffer.memory (bytes)",
                choices=("262144", "524288", "1048576", "4194304", "33554432")),
        Setting("max.block.ms", Scope.PRODUCER, "max.block.ms", choices=("500", "1000", "2000", "5000", "10000", "60000")),
        Setting("batch.size", Scope.PRODUCER, "batch.size (bytes)", choices=("4096", "16384", "65536")),
    ),
    preset={"buffer.memory": "1048576", "max.block.ms": "2000", "batch.size": "16384"},
    seed=11,
    faults=("slow_broker", "restore_broker"),
    speed=0.5,
)
