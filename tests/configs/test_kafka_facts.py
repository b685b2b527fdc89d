"""Facts pinned to Kafka's own sources, so an edit to the registry cannot drift from them."""

from __future__ import annotations

import pytest

from app.configs import registry

REGISTRY = registry()


def _defaults(scope: str, name: str) -> tuple:
    config = REGISTRY.get(scope, name)
    return tuple(config.default_for(v) for v in ("2.8", "3.x", "4.0"))


def test_acks_default_by_version() -> None:
    # KIP-679: acks=all by default since 3.0; idempotence too, in force from 3.0.1/3.1.1/3.2.0 (KAFKA-13598).
    assert _defaults("producer", "acks") == ("1", "all", "all")


def test_enable_idempotence_default_by_version() -> None:
    assert _defaults("producer", "enable.idempotence") == (False, True, True)


def test_linger_ms_default_by_version() -> None:
    # KIP-1030: 0 -> 5 in 4.0.
    assert _defaults("producer", "linger.ms") == (0, 0, 5)


def test_retries_is_max_int_since_2_1() -> None:
    assert _defaults("producer", "retries") == (2147483647,) * 3
    assert any(line.startswith("2.1:") for line in REGISTRY.get("producer", "retries").history)


def test_replica_lag_time_max_ms() -> None:
    # KIP-537 raised it to 30000 in 2.5, so every version the course shows has 30000.
    assert _defaults("broker", "replica.lag.time.max.ms") == (30000,) * 3


@pytest.mark.parametrize(("scope", "name"), [("broker", "message.max.bytes"), ("topic", "max.message.bytes")])
def test_max_message_bytes(scope: str, name: str) -> None:
    # KAFKA-4203 (commit bd5a1c4, first tagged 2.5.0): KafkaConfig's MessageMaxBytes went from
    # 1000000 + LOG_OVERHEAD to 1024 * 1024 + LOG_OVERHEAD; 2.4.1 still has the old value.
    assert _defaults(scope, name) == (1048588,) * 3
    (change,) = [line for line in REGISTRY.get(scope, name).history if "KAFKA-4203" in line]
    assert change.startswith("2.5: default 1000012 -> 1048588")


def test_enable_idempotence_history_names_the_releases_that_really_turned_it_on() -> None:
    # KAFKA-13598: 3.0.0 and 3.1.0 ProducerConfig.idempotenceEnabled() still required an explicit
    # enable.idempotence; 3.0.1, 3.1.1 and 3.2.0 apply the default.
    (change,) = [line for line in REGISTRY.get("producer", "enable.idempotence").history if "KAFKA-13598" in line]
    assert all(release in change for release in ("3.0.1", "3.1.1", "3.2.0"))


def test_kraft_broker_session() -> None:
    # KafkaConfig (2.8, 3.0) and KRaftConfigs (4.0): BROKER_SESSION_TIMEOUT_MS_DEFAULT 9000,
    # BROKER_HEARTBEAT_INTERVAL_MS_DEFAULT 2000.
    assert _defaults("broker", "broker.session.timeout.ms") == (9000,) * 3
    assert _defaults("broker", "broker.heartbeat.interval.ms") == (2000,) * 3


@pytest.mark.parametrize(
    ("scope", "name", "default"),
    [
        ("producer", "batch.size", 16384),
        ("producer", "buffer.memory", 33554432),
        ("producer", "max.in.flight.requests.per.connection", 5),
        ("producer", "request.timeout.ms", 30000),
        ("producer", "delivery.timeout.ms", 120000),
        ("producer", "max.request.size", 1048576),
        ("producer", "max.block.ms", 60000),
        ("producer", "compression.zstd.level", 3),
        ("producer", "compression.lz4.level", 9),
        ("producer", "compression.gzip.level", -1),
        ("broker", "min.insync.replicas", 1),
        ("broker", "unclean.leader.election.enable", False),
        ("topic", "retention.ms", 604800000),
        ("topic", "segment.bytes", 1073741824),
        ("topic", "compression.type", "producer"),
    ],
)
def test_newest_defaults(scope: str, name: str, default: object) -> None:
    assert REGISTRY.get(scope, name).default_for("4.0") == default


def test_partitioner_class_default_by_version() -> None:
    assert _defaults("producer", "partitioner.class") == (
        "org.apache.kafka.clients.producer.internals.DefaultPartitioner",
        None,
        None,
    )


def test_zookeeper_connect_is_gone_in_4_0() -> None:
    zk = REGISTRY.get("broker", "zookeeper.connect")
    assert (zk.exists_in("2.8"), zk.exists_in("3.x"), zk.exists_in("4.0")) == (True, True, False)
    assert any(line.startswith("4.0:") and "removed" in line for line in zk.history)


def test_topic_creation_flags() -> None:
    for name in ("partitions", "replication.factor"):
        config = REGISTRY.get("topic", name)
        assert config.creation_only and config.min == 1 and config.default == 1
    assert not REGISTRY.get("topic", "retention.ms").creation_only


def test_compression_type_exists_in_three_scopes() -> None:
    assert [d.scope for d in REGISTRY.find("compression.type")] == ["broker", "producer", "topic"]


def test_segment_bytes_minimum() -> None:
    # KAFKA-16368 (KIP-1030) raised only the broker's log.segment.bytes to 1 MiB in 4.0;
    # the topic-level segment.bytes kept 14 bytes until 4.1 (KAFKA-19080).
    assert REGISTRY.get("broker", "log.segment.bytes").min == 1048576
    assert REGISTRY.get("topic", "segment.bytes").min == 14
