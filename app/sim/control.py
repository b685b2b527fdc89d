"""Mid-run control of a Scenario: a new producer, a topic config altered, a fault now, events drained.

Not a Kafka class: the levers an operator (or a lab) pulls while the cluster runs.
Everything here acts at ``scenario.now`` and reads no clock, so a run with the
same spec, seed and controls applied at the same virtual times is the same run.
"""

from __future__ import annotations

from typing import Any

from app.configs import ConfigException
from app.sim.config import resolve_producer, resolve_topic
from app.sim.errors import Errors
from app.sim.lifecycle import BrokerState
from app.sim.producer.producer import KafkaProducer
from app.sim.scenario import Scenario

#: The faults a lab may inject now, with the broker they act on (``heal`` takes None for every broker).
FAULTS = ("kill_broker", "restart_broker", "isolate_broker", "heal")
#: Produce-path faults on one broker, each acting on its next produce response or batch (``produce_fault``).
PRODUCE_FAULTS = ("drop_responses", "error_not_enough_replicas", "error_not_leader_or_follower")
#: A broker in trouble (a long GC pause, a saturated disk): ``slow_broker`` adds SLOW_BROKER_MS to every
#: message to and from it, so a produce request takes about 6 s there and back; ``restore_broker`` takes it away.
SLOW_FAULTS = ("slow_broker", "restore_broker")
SLOW_BROKER_MS = 3000.0


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
    new = KafkaProducer(sc.sim, sc.cluster, sc.network, cfg, sc.spec["topic"]["name"], sc.trace, sc.producer_metrics,
                        sc.ledger, sc.spec["partitioner"])
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
    sc.spec["topic"]["configs"][name] = resolved[name]
    return resolved[name]


def inject_fault(sc: Scenario, action: str, broker: int | None) -> None:
    """A fault now: ``kill_broker``, ``restart_broker``, ``isolate_broker`` or ``heal`` (None: every broker)."""
    c = sc.cluster
    if action == "flush":  # not a fault: the application calls producer.flush() (the batching lab's button)
        sc.producer.flush()
        return
    if action in PRODUCE_FAULTS and broker is not None:
        produce_fault(sc, action, broker)
        return
    if action in SLOW_FAULTS and broker in c.brokers:
        c.add_latency(broker, SLOW_BROKER_MS if action == "slow_broker" else 0.0)
        return
    if action not in FAULTS:
        raise ValueError(f"unknown fault {action!r}; expected one of: {', '.join(FAULTS)}")
    if broker is not None and broker not in c.brokers:
        raise ValueError(f"broker must be a broker id from 0 to {len(c.brokers) - 1}, got {broker}")
    if action == "heal":
        c.heal(broker)
        return
    if broker is None:
        raise ValueError(f"{action} needs a broker id from 0 to {len(c.brokers) - 1}")
    {"kill_broker": c.kill_broker, "restart_broker": c.restart_broker, "isolate_broker": c.isolate}[action](broker)


def produce_fault(sc: Scenario, action: str, broker: int, count: int | None = None) -> None:
    """A transient produce fault on ``broker`` for its next ``count`` produce responses (default 1) or batches (default 2).

    ``drop_responses``: the broker appends and answers, but the answer is lost on the way
    (the producer waits request.timeout.ms, then retries). ``error_not_enough_replicas`` /
    ``error_not_leader_or_follower``: the leader answers that retriable error for its next
    batch instead of appending it, as it does while its ISR is too small or leadership moves.
    """
    if broker not in sc.cluster.brokers:
        raise ValueError(f"broker must be a broker id from 0 to {len(sc.cluster.brokers) - 1}, got {broker}")
    if action == "drop_responses":
        sc.cluster.drop_responses(broker, 1 if count is None else count)
        return
    errors = {"error_not_enough_replicas": Errors.NOT_ENOUGH_REPLICAS,
              "error_not_leader_or_follower": Errors.NOT_LEADER_OR_FOLLOWER}
    if action not in errors:
        raise ValueError(f"unknown produce fault {action!r}; expected one of: {', '.join(PRODUCE_FAULTS)}")
    _rejections(sc.cluster.brokers[broker]).extend([errors[action]] * (2 if count is None else count))


class _RejectingAppend:
    """Stands in for ``broker._append``: the injected errors first, then the broker's own append.

    An object rather than a closure, so that a copy of the run (a lab's checkpoint) copies it too.
    """

    def __init__(self, broker: Any) -> None:
        self.broker = broker
        self.pending: list[Errors] = []
        self.append = broker._append

    def __call__(self, rep: Any, batch: Any, acks: int, now: float) -> tuple[Errors, int]:
        # Only a batch this broker would append (it leads the partition) gets the injected error.
        if self.pending and rep is not None and rep.state.leader == self.broker.broker_id:
            return self.pending.pop(0), -1
        return self.append(rep, batch, acks, now)


def _rejections(broker: Any) -> list[Errors]:
    """The errors ``broker`` answers its next batches with, in order (installed once per broker)."""
    wrapper = broker.__dict__.get("_append")
    if not isinstance(wrapper, _RejectingAppend):
        wrapper = broker._append = _RejectingAppend(broker)
    return wrapper.pending


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
    """The ledger's audit now: acked, failed, lost, duplicated, reordered (see app/sim/ledger.py)."""
    return sc.ledger.summary(sc.cluster)


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
        "topic": {"min.insync.replicas": sc.cluster.controller.topic_configs[sc.spec["topic"]["name"]]["min.insync.replicas"],
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


__all__ = ["FAULTS", "PRODUCE_FAULTS", "produce_fault", "ConfigException", "alter_topic_config", "brokers_view", "drain_events", "inject_fault", "ledger_now",
           "replace_producer", "run_until", "snapshot", "step_next", "SLOW_FAULTS", "SLOW_BROKER_MS", "buffer_view"]
