"""DescribeConfigs and IncrementalAlterConfigs: values, sources and synonym chains as Kafka's ConfigHelper
reports them, changes in force at once, and Kafka's refusals word for word."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from app.sim import Scenario
from app.sim.admin import AdminClient, AlterConfigOp, ConfigResource, ConfigSource, OpType
from app.sim.admin.config_model import ConfigEntry
from app.sim.admin.errors import (
    InvalidConfigurationException, InvalidRequestException, InvalidTopicException, KafkaAdminError, TimeoutException,
    UnknownTopicOrPartitionException,
)
from tests.sim.conftest import small_spec

TOPIC = ConfigResource.topic("orders")
DEFAULT = ConfigResource.broker("")
S = ConfigSource


def running(version: str = "4.0", topic_min_isr: int | None = 2, **overrides: Any) -> tuple[Scenario, AdminClient]:
    spec = small_spec(kafka_version=version, **overrides)
    if topic_min_isr is None:
        del spec["topic"]["min.insync.replicas"]
    else:
        spec["topic"]["min.insync.replicas"] = topic_min_isr
    sc = Scenario(spec, seed=2)
    sc.run(200)
    return sc, AdminClient(sc)


def entry(admin: AdminClient, resource: ConfigResource, name: str) -> ConfigEntry:
    found = admin.describe_configs([resource], include_synonyms=True).all()[resource].get(name)
    assert found is not None, name
    return found


def chain(e: ConfigEntry) -> list[tuple[str, str, str | None]]:
    return [(s.source.value, s.name, s.value) for s in e.synonyms]


def alter(admin: AdminClient, resource: ConfigResource, *ops: AlterConfigOp, validate_only: bool = False) -> None:
    admin.incremental_alter_configs({resource: list(ops)}, validate_only).all()


def alter_error(admin: AdminClient, resource: ConfigResource, *ops: AlterConfigOp) -> KafkaAdminError:
    error = admin.incremental_alter_configs({resource: list(ops)}).values[resource].exception
    assert error is not None
    return error


# -- DescribeConfigs: the four sources and the synonym chain ------------------------------------
def test_a_topic_config_from_each_source_with_its_synonyms() -> None:
    # server.properties (the spec's cluster section) sets log.retention.hours and message.max.bytes
    sc, admin = running(cluster={"log.retention.hours": 24, "message.max.bytes": 2000000})
    alter(admin, DEFAULT, AlterConfigOp("log.segment.bytes", "536870912"))
    # a topic override
    e = entry(admin, TOPIC, "min.insync.replicas")
    assert (e.value, e.source, e.is_default) == ("2", S.DYNAMIC_TOPIC_CONFIG, False)
    assert chain(e) == [("DYNAMIC_TOPIC_CONFIG", "min.insync.replicas", "2"), ("DEFAULT_CONFIG", "min.insync.replicas", "1")]
    # a dynamic broker default
    e = entry(admin, TOPIC, "segment.bytes")
    assert (e.value, e.source) == ("536870912", S.DYNAMIC_DEFAULT_BROKER_CONFIG)
    assert chain(e) == [("DYNAMIC_DEFAULT_BROKER_CONFIG", "log.segment.bytes", "536870912"),
                        ("DEFAULT_CONFIG", "log.segment.bytes", "1073741824")]
    # a static broker config under another name
    e = entry(admin, TOPIC, "max.message.bytes")
    assert (e.value, e.source) == ("2000000", S.STATIC_BROKER_CONFIG)
    assert chain(e) == [("STATIC_BROKER_CONFIG", "message.max.bytes", "2000000"),
                        ("DEFAULT_CONFIG", "message.max.bytes", "1048588")]
    # a default
    e = entry(admin, TOPIC, "cleanup.policy")
    assert (e.value, e.source, e.is_default) == ("delete", S.DEFAULT_CONFIG, True)
    assert chain(e) == [("DEFAULT_CONFIG", "log.cleanup.policy", "delete")]
    assert sc.cluster.controller.topic_configs["orders"]["max.message.bytes"] == 2000000


def test_retention_ms_lists_no_synonym_until_log_retention_ms_itself_is_set() -> None:
    # ConfigHelper.configSynonyms drops the synonyms before the config's own name: log.retention.hours alone is not shown
    _, admin = running(cluster={"log.retention.hours": 24})
    e = entry(admin, TOPIC, "retention.ms")
    assert (e.value, e.source, chain(e)) == (str(24 * 3_600_000), S.DEFAULT_CONFIG, [])
    alter(admin, DEFAULT, AlterConfigOp("log.retention.ms", "7200000"))
    e = entry(admin, TOPIC, "retention.ms")
    assert (e.value, e.source) == ("7200000", S.DYNAMIC_DEFAULT_BROKER_CONFIG)
    assert chain(e) == [("DYNAMIC_DEFAULT_BROKER_CONFIG", "log.retention.ms", "7200000"),
                        ("STATIC_BROKER_CONFIG", "log.retention.hours", "24"), ("DEFAULT_CONFIG", "log.retention.hours", "168")]


def test_a_broker_describes_every_config_with_its_own_value_and_read_only_flag() -> None:
    _, admin = running(cluster={"num.io.threads": 4})
    alter(admin, ConfigResource.broker(1), AlterConfigOp("num.io.threads", "6"))
    e = entry(admin, ConfigResource.broker(1), "num.io.threads")
    assert (e.value, e.source, e.is_read_only) == ("6", S.DYNAMIC_BROKER_CONFIG, False)
    assert chain(e) == [("DYNAMIC_BROKER_CONFIG", "num.io.threads", "6"), ("STATIC_BROKER_CONFIG", "num.io.threads", "4"),
                        ("DEFAULT_CONFIG", "num.io.threads", "8")]
    assert entry(admin, ConfigResource.broker(0), "num.io.threads").value == "4"
    rack = entry(admin, ConfigResource.broker(1), "broker.rack")
    assert (rack.value, rack.source, rack.is_read_only) == ("b", S.STATIC_BROKER_CONFIG, True)
    node = entry(admin, ConfigResource.broker(2), "node.id")
    assert (node.value, node.source) == ("2", S.STATIC_BROKER_CONFIG)
    never_set = entry(admin, ConfigResource.broker(1), "log.retention.ms")
    assert (never_set.value, never_set.source, chain(never_set)) == (None, S.DEFAULT_CONFIG, [])
    assert entry(admin, ConfigResource.broker(1), "ssl.client.auth").is_read_only is False


def test_the_cluster_default_entity_lists_only_what_is_set_there() -> None:
    _, admin = running()
    assert admin.describe_configs([DEFAULT]).all()[DEFAULT].entries == []
    alter(admin, DEFAULT, AlterConfigOp("min.insync.replicas", "2"))
    entries = admin.describe_configs([DEFAULT], include_synonyms=True).all()[DEFAULT].entries
    assert [(e.name, e.value, e.source, chain(e)) for e in entries] == [
        ("min.insync.replicas", "2", S.DYNAMIC_DEFAULT_BROKER_CONFIG,
         [("DYNAMIC_DEFAULT_BROKER_CONFIG", "min.insync.replicas", "2")])]


def test_synonyms_are_left_out_unless_asked_for_as_in_describe_configs_options() -> None:
    _, admin = running()
    plain = admin.describe_configs([TOPIC]).all()[TOPIC].get("min.insync.replicas")
    assert plain is not None and plain.synonyms == [] and plain.source is S.DYNAMIC_TOPIC_CONFIG


def test_describe_errors() -> None:
    sc, admin = running()
    got = admin.describe_configs([ConfigResource.topic("nope"), ConfigResource.topic("bad name"), ConfigResource.broker(7)])
    assert type(got.values[ConfigResource.topic("nope")].exception) is UnknownTopicOrPartitionException
    assert type(got.values[ConfigResource.topic("bad name")].exception) is InvalidTopicException
    # The client waits for broker 7 to appear in the metadata until default.api.timeout.ms, then gives up.
    assert str(got.values[ConfigResource.broker(7)].exception) == "Timed out waiting for a node assignment. Call: describeConfigs"
    sc.cluster.kill_broker(2)
    assert type(admin.describe_configs([ConfigResource.broker(2)]).values[ConfigResource.broker(2)].exception) is \
        TimeoutException


# -- IncrementalAlterConfigs: in force at once ----------------------------------------------------
def test_a_topic_change_is_written_into_the_dict_brokers_read() -> None:
    sc, admin = running()
    configs = sc.cluster.controller.topic_configs["orders"]
    alter(admin, TOPIC, AlterConfigOp("min.insync.replicas", "3"), AlterConfigOp("cleanup.policy", "compact", OpType.APPEND))
    assert sc.cluster.controller.topic_configs["orders"] is configs
    assert configs["min.insync.replicas"] == 3 and configs["cleanup.policy"] == ["delete", "compact"]
    alter(admin, TOPIC, AlterConfigOp("cleanup.policy", "delete", OpType.SUBTRACT))
    assert configs["cleanup.policy"] == ["compact"]
    alter(admin, TOPIC, AlterConfigOp("min.insync.replicas", op_type=OpType.DELETE))
    assert configs["min.insync.replicas"] == 1
    e = entry(admin, TOPIC, "min.insync.replicas")
    assert e.source is S.DEFAULT_CONFIG
    assert [ev["changed"] for ev in sc.trace.events if ev["kind"] == "config.altered"] == [
        ["cleanup.policy", "min.insync.replicas"], ["cleanup.policy"], ["min.insync.replicas"]]


def test_validate_only_changes_nothing() -> None:
    sc, admin = running()
    alter(admin, TOPIC, AlterConfigOp("min.insync.replicas", "3"), validate_only=True)
    alter(admin, DEFAULT, AlterConfigOp("num.io.threads", "9"), validate_only=True)
    assert sc.cluster.controller.topic_configs["orders"]["min.insync.replicas"] == 2
    assert sc.cluster.dynamic_configs == {} and sc.cluster.brokers[0].threads == 8


def test_a_dynamic_broker_default_reaches_every_topic_that_does_not_set_it_and_the_brokers_act_on_it() -> None:
    sc, admin = running(topic_min_isr=None, producer={"acks": "all"}, duration_ms=4000)
    from app.sim.admin import NewTopic

    admin.create_topics([NewTopic("own", 1, 3, configs={"min.insync.replicas": "1"})]).all()
    alter(admin, DEFAULT, AlterConfigOp("min.insync.replicas", "3"))
    assert sc.cluster.controller.topic_configs["orders"]["min.insync.replicas"] == 3
    assert sc.cluster.controller.topic_configs["own"]["min.insync.replicas"] == 1
    # One broker down: acks=all writes to orders need three in-sync replicas now and are refused.
    sc.cluster.kill_broker(2)
    sc.run(1500)
    assert any(e["kind"] == "produce.error" and e["error"] == "NOT_ENOUGH_REPLICAS" for e in sc.trace.events)
    alter(admin, DEFAULT, AlterConfigOp("min.insync.replicas", op_type=OpType.DELETE))
    assert sc.cluster.controller.topic_configs["orders"]["min.insync.replicas"] == 1


def test_a_static_broker_config_is_the_default_of_topics_that_do_not_set_it() -> None:
    sc, admin = running(topic_min_isr=None, cluster={"min.insync.replicas": 2})
    assert sc.cluster.controller.topic_configs["orders"]["min.insync.replicas"] == 2
    assert entry(admin, TOPIC, "min.insync.replicas").source is S.STATIC_BROKER_CONFIG


def test_a_topic_that_sets_the_default_value_keeps_it_against_a_broker_default() -> None:
    sc, admin = running(topic_min_isr=1, cluster={"min.insync.replicas": 2})
    assert sc.cluster.controller.topic_configs["orders"]["min.insync.replicas"] == 1
    assert entry(admin, TOPIC, "min.insync.replicas").source is S.DYNAMIC_TOPIC_CONFIG


def test_num_io_threads_resizes_the_handler_pools() -> None:
    sc, admin = running()
    alter(admin, DEFAULT, AlterConfigOp("num.io.threads", "12"))
    assert [b.threads for b in sc.cluster.brokers.values()] == [12, 12, 12]
    alter(admin, ConfigResource.broker(1), AlterConfigOp("num.io.threads", "6"))
    assert [b.threads for b in sc.cluster.brokers.values()] == [12, 6, 12]
    assert len(sc.cluster.brokers[1]._handler_free) == 6
    new = sc.cluster.add_broker("d")
    assert sc.cluster.brokers[new].threads == 12
    sc.run(1500)
    assert sc.ledger.summary(sc.cluster)["failed"] == {}


def test_a_copy_of_the_run_copies_its_dynamic_configs() -> None:
    sc, admin = running()
    alter(admin, DEFAULT, AlterConfigOp("min.insync.replicas", "3"))
    twin = copy.deepcopy(sc)
    AdminClient(twin).incremental_alter_configs({DEFAULT: [AlterConfigOp("min.insync.replicas", "1")]}).all()
    assert sc.cluster.dynamic_configs[""] == {"min.insync.replicas": "3"}


# -- Kafka's refusals ------------------------------------------------------------------------------
@pytest.mark.parametrize("resource, ops, error, message", [
    (DEFAULT, [AlterConfigOp("broker.rack", "x")], InvalidRequestException,
     "Cannot update these configs dynamically: Set(broker.rack)"),
    (ConfigResource.broker(1), [AlterConfigOp("log.retention.hours", "1")], InvalidRequestException,
     "Cannot update these configs dynamically: Set(log.retention.hours)"),
    (DEFAULT, [AlterConfigOp("listeners", "PLAINTEXT://:9092")], InvalidRequestException,
     "Cannot update these configs at default cluster level, broker id must be specified: Set(listeners)"),
    (ConfigResource.broker(1), [AlterConfigOp("ssl.keystore.location", "/etc/k.jks")], InvalidRequestException,
     "These security configs can be dynamically updated only per-listener using the listener prefix: "
     "Set(ssl.keystore.location)"),
    (DEFAULT, [AlterConfigOp("num.io.threads", "0")], InvalidRequestException,
     "Invalid value 0 for configuration num.io.threads: Value must be at least 1"),
    (DEFAULT, [AlterConfigOp("num.io.threads", "eight")], InvalidRequestException,
     "Invalid value eight for configuration num.io.threads: Not a number of type INT"),
    # DynamicThreadPool: at most double, at least half the current count (8)
    (DEFAULT, [AlterConfigOp("num.io.threads", "17")], InvalidRequestException, "Invalid dynamic configuration"),
    (DEFAULT, [AlterConfigOp("num.io.threads", "9", OpType.APPEND)], InvalidConfigurationException,
     "Config value append is not allowed for config key: num.io.threads"),
    (DEFAULT, [AlterConfigOp("a", "1"), AlterConfigOp("a", "2")], InvalidRequestException, "Error due to duplicate config keys"),
    (DEFAULT, [AlterConfigOp("a", None), AlterConfigOp("b", None)], InvalidRequestException, "Null value not supported for : a, b"),
    (ConfigResource.broker(9), [AlterConfigOp("num.io.threads", "8")], TimeoutException,
     "Timed out waiting for a node assignment. Call: incrementalAlterConfigs"),
    (TOPIC, [AlterConfigOp("min.insync.replicas", "two")], InvalidConfigurationException,
     "Invalid value two for configuration min.insync.replicas: Not a number of type INT"),
    (TOPIC, [AlterConfigOp("compression.type", "brotli")], InvalidConfigurationException,
     "Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, "
     "gzip, producer"),
    (TOPIC, [AlterConfigOp("retention.hours", "1")], InvalidConfigurationException, "Unknown topic config name: retention.hours"),
    (TOPIC, [AlterConfigOp("retention.ms", "1", OpType.APPEND)], InvalidConfigurationException,
     "Can't APPEND to key retention.ms because its type is not LIST."),
    (ConfigResource.topic("nope"), [AlterConfigOp("retention.ms", "1")], UnknownTopicOrPartitionException,
     "The topic 'nope' does not exist."),
    (ConfigResource.topic(""), [AlterConfigOp("retention.ms", "1")], InvalidRequestException,
     "Default topic resources are not allowed."),
])
def test_alter_errors_are_kafkas(resource: ConfigResource, ops: list[AlterConfigOp], error: type, message: str) -> None:
    sc, admin = running()
    got = alter_error(admin, resource, *ops)
    assert type(got) is error and str(got) == message
    assert sc.cluster.dynamic_configs == {} and sc.cluster.controller.topic_configs["orders"]["min.insync.replicas"] == 2


def test_a_kafka_broker_config_the_simulator_does_not_know_is_kept_as_a_custom_config() -> None:
    sc, admin = running()
    alter(admin, DEFAULT, AlterConfigOp("log.cleaner.threads", "2"))
    assert sc.cluster.dynamic_configs[""] == {"log.cleaner.threads": "2"}
    e = entry(admin, ConfigResource.broker(0), "log.cleaner.threads")
    assert (e.value, e.source, e.is_read_only) == ("2", S.DYNAMIC_DEFAULT_BROKER_CONFIG, False)


@pytest.mark.parametrize("resource, ops, message", [
    (ConfigResource.broker(1), [AlterConfigOp("broker.rack", "x")],
     "Invalid config value for resource ConfigResource(type=BROKER, name='1'): Cannot update these configs dynamically: "
     "Set(broker.rack)"),
    (TOPIC, [AlterConfigOp("min.insync.replicas", "two")],
     "Invalid config value for resource ConfigResource(type=TOPIC, name='orders'): Invalid value two for configuration "
     "min.insync.replicas: Not a number of type INT"),
    (DEFAULT, [AlterConfigOp("a", "1"), AlterConfigOp("a", "2")], "Error due to duplicate config keys : a"),
    (DEFAULT, [AlterConfigOp("a", None)], "Null value not supported for : SET:a"),
])
def test_a_2_8_broker_words_refusals_its_own_way(resource: ConfigResource, ops: list[AlterConfigOp], message: str) -> None:
    _, admin = running("2.8")
    got = alter_error(admin, resource, *ops)
    assert type(got) is InvalidRequestException and str(got) == message
