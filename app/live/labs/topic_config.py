"""The topic-configuration lab: a six-broker cluster in three racks, driven from its Kafka terminal.

The learner creates topics with kafka-topics and changes them with kafka-configs, and the picture
shows what each setting does: replicas placed across racks, min.insync.replicas refusing writes
with a broker down (NOT_ENOUGH_REPLICAS), max.message.bytes refusing a large record
(MESSAGE_TOO_LARGE), segments rolling and retention deleting the oldest (the log start offset
moving), compaction keeping the latest value per key, and where each config's value comes from
(kafka-configs --describe --all). A topic ``orders`` with a slow producer and a consumer group
``billing`` is there from the start, so a change shows on live traffic.

Timings are shortened so each point shows within seconds at real-time speed: retention is
checked every 5 s (log.retention.check.interval.ms; Kafka's 5 minutes), the log cleaner looks
for work every 2 s (log.cleaner.backoff.ms; 15 s), and a broker that stops is fenced after 2 s
(broker.session.timeout.ms, heartbeats every 500 ms) and dropped from the ISR after 5 s
(replica.lag.time.max.ms). The lesson's last section lists them beside Kafka's defaults.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from app.live.labs import Lab
from app.sim.topic import INTERNAL_TOPICS

if TYPE_CHECKING:
    from app.sim.scenario import Scenario

_BROKERS = 6
_RACKS = ["az-a", "az-b", "az-c"]


class TopicView:
    """``frame["lab"]``: every broker with its rack, every user topic with its settings and, per partition, the
    leader, replicas, ISR and each replica's log (start offset, end offset, high watermark, segments)."""

    def __init__(self, sc: "Scenario") -> None:
        self.sc = sc

    def __call__(self, exact: bool = False) -> dict[str, Any]:
        c = self.sc.cluster
        topics = []
        for name, topic in sorted(c.controller.topics.items()):
            if name in INTERNAL_TOPICS:
                continue
            parts = []
            for s in topic.partitions:
                logs = {}
                for b in s.replicas:
                    rep = c.brokers[b].replicas.get(s.tp)
                    if rep is None:
                        continue
                    log = rep.log
                    logs[str(b)] = {"start": log.log_start_offset, "leo": log.log_end_offset, "hw": log.high_watermark,
                                    "segments": len(log.segments), "bytes": log.size_bytes}
                parts.append({"partition": s.partition, "leader": s.leader, "replicas": list(s.replicas),
                              "isr": list(s.isr), "logs": logs})
            topics.append({"name": name, "id": topic.topic_id, "replication_factor": topic.replication_factor,
                           "overrides": {k: _text(v) for k, v in sorted(topic.overrides.items())},
                           "min_isr": topic.configs.get("min.insync.replicas"),
                           "cleanup_policy": _text(topic.configs.get("cleanup.policy")), "partitions": parts})
        return {"brokers": [{"broker": b, "rack": br.rack, "alive": br.alive, "fenced": br.fenced}
                            for b, br in sorted(c.brokers.items())], "topics": topics}


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class TopicConfigLab(Lab):
    """No settings of its own: the terminal is the control. Its spec names topics and producers as lists."""

    def build_spec(self, values: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy(self.base_spec)


TOPIC_CONFIG = TopicConfigLab(
    name="topic-config",
    title="Topic configurations, from the Kafka terminal",
    base_spec={
        "kafka_version": "4.0",
        "cluster": {"brokers": _BROKERS, "racks": _RACKS, "broker.session.timeout.ms": 2000,
                    "broker.heartbeat.interval.ms": 500, "replica.lag.time.max.ms": 5000,
                    "log.retention.check.interval.ms": 5000, "log.cleaner.backoff.ms": 2000,
                    "offsets.topic.num.partitions": 5, "log.segment.bytes": 1073741824},
        "topics": [{"name": "orders", "partitions": 3, "replication.factor": 3}],
        "producers": [{"topic": "orders", "linger.ms": 5,
                       "workload": {"records_per_sec": 4, "keys": 8, "value": "json", "value_bytes": 80}}],
        "consumer_groups": [{"group.id": "billing", "topics": ["orders"], "members": 1}],
        "duration_ms": 3_600_000,
        "settle_ms": 0,
    },
    settings=(),
    preset={},
    seed=11,
    faults=("kill_broker", "restart_broker", "controlled_shutdown"),
    speed=1.0,
    view=TopicView,
    terminal_open=True,
    terminal_deletes_lab_topics=True,
)
