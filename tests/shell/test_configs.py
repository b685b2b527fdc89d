"""kafka-configs: ConfigCommand's describe lines with sources and synonyms, alters, and its refusals."""

from __future__ import annotations

import pytest

from app.shell.configs import parse_configs_to_add
from tests.shell.conftest import Term

ALTER = "kafka-configs --bootstrap-server localhost:9092 --entity-type topics --entity-name t --alter"
DESCRIBE = "kafka-configs --bootstrap-server localhost:9092 --entity-type topics --entity-name t --describe"


def test_alter_then_describe_a_topics_overrides(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t")
    assert term.run(f"{ALTER} --add-config min.insync.replicas=2") == "Completed updating config for topic t.\n"
    assert term.run(DESCRIBE) == (
        "Dynamic configs for topic t are:\n"
        "  min.insync.replicas=2 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:min.insync.replicas=2, "
        "DEFAULT_CONFIG:min.insync.replicas=1}\n")
    assert term.run(f"{ALTER} --delete-config min.insync.replicas") == "Completed updating config for topic t.\n"
    assert term.run(DESCRIBE) == "Dynamic configs for topic t are:\n"


def test_square_brackets_keep_a_list_value_together(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t")
    term.run(f"{ALTER} --add-config cleanup.policy=[compact,delete],retention.ms=1000")
    assert term.sc.cluster.controller.topics["t"].overrides == {"cleanup.policy": ["compact", "delete"],
                                                                 "retention.ms": 1000}


def test_describe_all_shows_where_each_value_comes_from(term: Term) -> None:
    """A topic override (DYNAMIC_TOPIC_CONFIG), a dynamic broker default (DYNAMIC_DEFAULT_BROKER_CONFIG),
    server.properties (STATIC_BROKER_CONFIG) and Kafka's default (DEFAULT_CONFIG)."""
    term.kafka("kafka-topics", "--create --topic t --config min.insync.replicas=2")
    assert term.run("kafka-configs --bootstrap-server localhost:9092 --entity-type brokers --entity-default --alter "
                    "--add-config log.retention.ms=3600000") == "Completed updating default config for brokers in the cluster.\n"
    lines = term.run(f"{DESCRIBE} --all").splitlines()
    assert lines[0] == "All configs for topic t are:"
    assert "  min.insync.replicas=2 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:min.insync.replicas=2, " \
           "DEFAULT_CONFIG:min.insync.replicas=1}" in lines
    assert ("  retention.ms=3600000 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.retention.ms=3600000, "
            "DEFAULT_CONFIG:log.retention.hours=168}") in lines
    assert "  segment.bytes=1073741824 sensitive=false synonyms={STATIC_BROKER_CONFIG:log.segment.bytes=1073741824, " \
           "DEFAULT_CONFIG:log.segment.bytes=1073741824}" in lines
    assert "  compression.type=producer sensitive=false synonyms={DEFAULT_CONFIG:compression.type=producer}" in lines
    assert [line.split("=")[0] for line in lines[1:]] == sorted(line.split("=")[0] for line in lines[1:])


def test_broker_default_entity_described(term: Term) -> None:
    term.run("kafka-configs --bootstrap-server localhost:9092 --entity-type brokers --entity-default --alter "
             "--add-config min.insync.replicas=2")
    assert term.run("kafka-configs --bootstrap-server localhost:9092 --entity-type brokers --entity-default --describe") \
        == ("Default configs for brokers in the cluster are:\n"
            "  min.insync.replicas=2 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas=2}\n")
    assert term.run("kafka-configs --bootstrap-server localhost:9092 --broker-defaults --describe").startswith(
        "Default configs for brokers in the cluster are:\n")


def test_refusals_print_their_message_alone(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t")
    assert term.streams(f"{ALTER} --delete-config retention.ms")["err"] == "Invalid config(s): retention.ms\n"
    assert term.streams("kafka-configs --bootstrap-server localhost:9092 --entity-type topics --alter "
                        "--add-config a=b")["err"] == "An entity name must be specified with --alter of topics\n"
    assert term.streams("kafka-configs --bootstrap-server localhost:9092 --entity-type topics --entity-name t "
                        "--alter")["err"] == ("At least one of --add-config, --add-config-file, or --delete-config must "
                                              "be specified with --alter\n")
    # without a connection option the entity types are the --zookeeper ones, checked first (and Kafka's typo kept)
    assert term.streams("kafka-configs --entity-type topics --entity-name t --describe")["err"] == (
        "Invalid entity type topics, the entity type must be one of users, brokers with a --zookeeper argument\n")
    assert term.streams("kafka-configs --entity-type brokers --entity-default --describe")["err"] == (
        "One of the required --bootstrap-server, --boostrap-controller, or --zookeeper arguments must be specified\n")
    assert term.streams("kafka-configs --bootstrap-server localhost:9092 --entity-type brokers --entity-name x "
                        "--describe")["err"] == ("The entity name for brokers must be a valid integer broker id, but it "
                                                 "is: x\n")
    assert term.streams(f"{ALTER} --add-config 'a b=1'")["err"] == "Invalid character found for config key: a b\n"


def test_errors_from_the_brokers_print_the_command_line_and_the_exception(term: Term) -> None:
    out = term.streams("kafka-configs --bootstrap-server localhost:9092 --entity-type brokers --entity-name 0 --alter "
                       "--add-config log.retention.hours=1")
    assert out["err"] == (
        "Error while executing config command with args '--bootstrap-server localhost:9092 --entity-type brokers "
        "--entity-name 0 --alter --add-config log.retention.hours=1'\n"
        "java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.InvalidRequestException: Cannot update "
        "these configs dynamically: Set(log.retention.hours)\n"
        "Caused by: org.apache.kafka.common.errors.InvalidRequestException: Cannot update these configs dynamically: "
        "Set(log.retention.hours)\n")
    described = term.streams("kafka-configs --bootstrap-server localhost:9092 --entity-type topics --entity-name nope "
                             "--describe")
    assert described["out"] == "Dynamic configs for topic nope are:\n"
    assert "UnknownTopicOrPartitionException: This server does not host this topic-partition." in described["err"]


def test_zookeeper_is_not_an_option_in_4_0_and_waits_for_nothing_in_3_x(make_term) -> None:
    out = make_term().streams("kafka-configs --zookeeper localhost:2181 --entity-type topics --describe")
    assert out["err"] == "zookeeper is not a recognized option\n"
    assert "kept it until 4.0" in out["note"] and "--bootstrap-server localhost:9092" in out["note"]
    three = make_term(version="3.x")
    out = three.streams("kafka-configs --zookeeper localhost:2181 --entity-type brokers --entity-default --describe")
    assert out["out"] == ("Warning: --zookeeper is deprecated and will be removed in a future version of Kafka.\n"
                          "Use --bootstrap-server instead to specify a broker to connect to.\n")
    assert three.session.job is not None
    three.wait(30_000)
    assert three.take().endswith("kafka.zookeeper.ZooKeeperClientTimeoutException: Timed out waiting for connection "
                                 "while in state: CONNECTING\n")
    assert three.session.job is None


def test_parse_configs_to_add_as_config_command_test() -> None:
    """ConfigCommandTest.testArgumentParse: empty values, '.', '_' and '-' in keys, and the two refusals."""
    assert parse_configs_to_add("a=b,c=,d=e,f=") == {"a": "b", "c": "", "d": "e", "f": ""}
    assert parse_configs_to_add("a._-c=b,c=,d=e,f=")["a._-c"] == "b"
    # shouldSupportCommaSeparatedValuesUsingZookeeper: brackets keep a list together and are dropped
    assert parse_configs_to_add("a=b,c=[d,e ,f],g=[h,i]") == {"a": "b", "c": "d,e ,f", "g": "h,i"}
    with pytest.raises(Exception, match="^Invalid character found for config key: a;c$"):
        parse_configs_to_add("a;c=b")
    with pytest.raises(Exception, match="^requirement failed: Invalid entity config"):
        parse_configs_to_add("a,=b")
