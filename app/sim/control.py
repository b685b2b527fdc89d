"""Mid-run control of a Scenario: a new producer, a topic config altered, a fault now, events drained.

Not a Kafka class: the levers an operator (or a lab) pulls while the cluster runs.
Everything here acts at ``scenario.now`` and reads no clock, so a run with the
same spec, seed and controls applied at the same virtual times is the same run.
"""

from __future__ import annotations

from typing import Any

from app.configs import ConfigException
from app.sim.config import resolve_producer, resolve_topic
from app.sim import faults
from app.sim.lifecycle import BrokerState
from app.sim.producer.producer import KafkaProducer
from app.sim.scenario import Scenario

def replace_producer(sc: Scenario, configs: dict[str, Any]) -> KafkaProducer:
    """Close the producer and create a new one from ``configs`` (as a user writes them; defaults fill the rest).

    Kafka reads producer configs once, in the constructor: changing acks means a new
    KafkaProducer (with a new producer id when idempotent). The old one is closed as
    ``close()`` does: its queued batches are sent at once and it lives until they are answered.
    Raises ConfigException naming the bad key, value and range.
    """
    # The user's own configs, not the resolved ones: idempotence left at its default turns
    # itself off for acks=1, but an explicit enable.idempotence=true with acks=1 is an error.
    cfg = resolve_producer(dict(configs), sc.spec["kafka_version"])
    old = sc.producer
    # The same application: its principal and its connections' security stay with it.
    new = KafkaProducer(sc.sim, sc.cluster, sc.network, cfg, sc.spec["topic"]["name"], sc.trace, sc.producer_metrics,
                        sc.ledger, sc.spec["partitioner"], identity=old.identity, connector=old.connector)
    old.close()
    sc.producer = new
    sc.workload.producer = new
    sc.spec["producer"] = cfg
    return new


def alter_topic_config(sc: Scenario, name: str, value: Any) -> Any:
    """``kafka-configs --alter --entity-type topics``: a dynamic topic config, in force for the next request."""
    topic = sc.spec["topic"]["name"]
    current = sc.cluster.controller.topic_configs[topic]
    resolved = resolve_topic({name: value}, sc.spec["kafka_version"])
    current[name] = resolved[name]
    # The topic's own setting now (DYNAMIC_TOPIC_CONFIG): a later broker default must not replace it.
    sc.cluster.controller.topics[topic].overrides[name] = resolved[name]
    sc.spec["topic"]["configs"][name] = resolved[name]
    return resolved[name]


def inject_fault(sc: Scenario, action: str, target: Any, options: dict[str, Any] | None = None) -> None:
    """A fault now, from the table in app/sim/faults.py (FaultError for an unknown one or a bad target)."""
    faults.inject(sc, action, target, options)


def run_until(sc: Scenario, until: float) -> None:
    """Every event at or before ``until``; the clock then reads ``until`` (clamped to the run's end)."""
    sc.run(until)


def step_next(sc: Scenario) -> bool:
    """Every event at the next event time (one virtual instant); False when the run is over."""
    nxt = sc.sim.peek()
    if nxt is None or nxt > sc.end_ms:
        return False
    sc.run(nxt)
    return True


def drain_events(sc: Scenario) -> list[dict[str, Any]]:
    """The trace events since the last drain; the trace forgets them, so memory stays bounded."""
    events = sc.trace.events
    sc.trace.events = []
    return events


def ledger_now(sc: Scenario) -> dict[str, Any]:
    """The ledger's audit now: acked, failed, lost, duplicated, reordered (see app/sim/ledger.py), counted
    from what changed since the last call (app/sim/ledger_audit.py)."""
    return sc.audit.summary()


def brokers_view(sc: Scenario) -> list[dict[str, Any]]:
    """Per broker: its lifecycle state (and what it means: alive, fenced by the controller), cut off by the network, its rack."""
    c = sc.cluster
    return [{"broker": b, "state": br.state.value, "alive": br.alive, "fenced": br.fenced, "isolated": b in c.network.isolated,
             "restarting": br.state is BrokerState.STARTING, "rack": br.rack} for b, br in sorted(c.brokers.items())]


def snapshot(sc: Scenario) -> dict[str, Any]:
    """The state a lab draws: clock, brokers, partitions (leader, ISR, LEO/HW per replica), producer."""
    p = sc.producer
    return {
        "now": round(sc.now, 3),
        "end_ms": sc.end_ms,
        "brokers": brokers_view(sc),
        "partitions": sc.partition_view(),
        "producer": {"producer_id": p.producer_id, "acks": p.cfg["acks"], "idempotent": p.idempotent,
                     "in_flight": p.sender.in_flight_count()},
        # .get: a lab's terminal may have deleted the spec's topic (kafka-topics --delete), as Kafka would let it
        "topic": {"min.insync.replicas": sc.cluster.controller.topic_configs.get(sc.spec["topic"]["name"], {}).get(
                      "min.insync.replicas"),
                  "replication.factor": sc.spec["topic"]["replication.factor"]},
        "buffer": buffer_view(sc),
    }


def buffer_view(sc: Scenario) -> dict[str, Any]:
    """The producer's BufferPool: bytes free of buffer.memory, whether send() is blocked (since when), sends queued
    behind it, and per partition the batches holding buffers (queued in the accumulator, in flight) and each broker's
    extra latency."""
    p = sc.producer
    blocked = p.blocked
    return {
        "total": p.pool.total_memory, "available": p.pool.available, "batch_size": p.pool.poolable_size,
        "blocked_since": round(p._blocked_since, 3) if blocked is not None else None, "blocked_bytes": blocked[3] if blocked else 0,
        "waiting_sends": len(p.backlog) + (1 if blocked is not None else 0), "max_block_ms": p.max_block_ms,
        "partitions": [{"partition": i, "queued": len(dq), "in_flight": len(p.inflight_batches[i]),
                        "bytes": sum(b.buffer_size for b in dq) + sum(b.buffer_size for b in p.inflight_batches[i])}
                       for i, dq in enumerate(p.accumulator.batches)],
        "slow_brokers": {str(b): ms for b, ms in sorted(sc.network.extra_latency.items()) if ms},
    }


__all__ = ["ConfigException", "alter_topic_config", "brokers_view", "buffer_view", "drain_events", "inject_fault", "ledger_now",
           "replace_producer", "run_until", "snapshot", "step_next"]
