"""kafka-topics: the lines TopicCommand prints, its checks and errors, on 4.0, 3.x and 2.8.

Expected outputs follow TopicCommand.java (TopicDescription/PartitionDescription.printDescription,
printException, checkArgs) and the cases of Kafka's TopicCommandTest where it pins them.
"""

from __future__ import annotations

import pytest

from tests.shell.conftest import Term, cluster


def topic_id(term: Term, name: str) -> str:
    return term.sc.cluster.controller.topics[name].topic_id


def test_create_list_and_describe(term: Term) -> None:
    assert term.kafka("kafka-topics", "--create --topic orders --partitions 3 --replication-factor 3 "
                      "--config min.insync.replicas=2") == "Created topic orders.\n"
    assert term.kafka("kafka-topics", "--list") == "orders\n"
    tid = topic_id(term, "orders")
    assert term.kafka("kafka-topics", "--describe --topic orders") == (
        f"Topic: orders\tTopicId: {tid}\tPartitionCount: 3\tReplicationFactor: 3\t"
        "Configs: min.insync.replicas=2,segment.bytes=1073741824\n"
        "\tTopic: orders\tPartition: 0\tLeader: 0\tReplicas: 0,1,2\tIsr: 0,1,2\tElr: \tLastKnownElr: \n"
        "\tTopic: orders\tPartition: 1\tLeader: 1\tReplicas: 1,2,0\tIsr: 1,2,0\tElr: \tLastKnownElr: \n"
        "\tTopic: orders\tPartition: 2\tLeader: 2\tReplicas: 2,0,1\tIsr: 2,0,1\tElr: \tLastKnownElr: \n")


def test_the_script_forms_are_one_tool(term: Term) -> None:
    for form in ("kafka-topics.sh", "bin/kafka-topics.sh", "./bin/kafka-topics.sh", r".\bin\windows\kafka-topics.bat"):
        assert term.run(f"{form} --bootstrap-server localhost:9092 --create --topic t-{len(form)}") == \
            f"Created topic t-{len(form)}.\n"


def test_configs_come_in_the_order_of_javas_hashmap(term: Term) -> None:
    """``Configs:`` lists the entries whose source is not DEFAULT_CONFIG in the order of the admin Config's HashMap
    (64 buckets for Kafka's 30-odd topic configs): cleanup.policy falls in bucket 18, segment.bytes in 27,
    max.message.bytes in 37 (String.hashCode, spread by HashMap.hash)."""
    term.kafka("kafka-topics", "--create --topic c --config cleanup.policy=compact --config max.message.bytes=200")
    line = term.kafka("kafka-topics", "--describe --topic c").splitlines()[0]
    assert line.endswith("\tConfigs: cleanup.policy=compact,segment.bytes=1073741824,max.message.bytes=200")


def test_several_topics_are_described_in_hashmap_order(term: Term) -> None:
    for t in ("alpha", "beta", "gamma"):
        term.kafka("kafka-topics", f"--create --topic {t}")
    heads = [line.split("\t")[0] for line in term.kafka("kafka-topics", "--describe").splitlines()
             if line.startswith("Topic:")]
    # new HashMap<>(3): 4 buckets; after HashMap.hash's spread "beta" and "gamma" fall in bucket 2, "alpha" in 3
    assert heads == ["Topic: beta", "Topic: gamma", "Topic: alpha"]


def test_a_topic_that_exists_already(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t")
    out = term.streams("kafka-topics --bootstrap-server localhost:9092 --create --topic t")
    assert out["out"] == "Error while executing topic command : Topic 't' already exists.\n"
    assert out["err"].endswith("] ERROR org.apache.kafka.common.errors.TopicExistsException: Topic 't' already exists.\n"
                               " (org.apache.kafka.tools.TopicCommand)\n")
    assert term.kafka("kafka-topics", "--create --topic t --if-not-exists") == ""


def test_replication_factor_larger_than_the_brokers(term: Term) -> None:
    out = term.streams("kafka-topics --bootstrap-server localhost:9092 --create --topic t --replication-factor 4")
    assert out["out"] == ("Error while executing topic command : Unable to replicate the partition 4 time(s): The target "
                          "replication factor of 4 cannot be reached because only 3 broker(s) are registered.\n")
    assert "ERROR org.apache.kafka.common.errors.InvalidReplicationFactorException: Unable to replicate" in out["err"]


@pytest.mark.parametrize("args, message", [
    ("--replication-factor 0", "The replication factor must be between 1 and 32767 inclusive"),
    ("--replication-factor 40000", "The replication factor must be between 1 and 32767 inclusive"),
    ("--partitions 0", "The partitions must be greater than 0"),
    ("--replica-assignment 5:5", "Partition replica lists may not contain duplicate entries: 5"),
    ("--replica-assignment 5:4:3,2:1", "Partition 1 has different replication factor: [2, 1]"),
    ("--config foo=1", "Unknown topic config name: foo"),
    ("--config retention.ms", 'requirement failed: Invalid topic config: all configs to be added must be in the format '
                              '"key=val".'),
    ("--partitions x", "Cannot parse argument 'x' of option partitions"),
])
def test_create_refusals(term: Term, args: str, message: str) -> None:
    """TopicCommandTest: parseReplicaAssignment("5:5") and ("5:4:3,2:1"), invalid replication factors and partitions."""
    out = term.streams(f"kafka-topics --bootstrap-server localhost:9092 --create --topic t {args}")
    assert out["out"] == f"Error while executing topic command : {message}\n"
    assert term.session.status == 1 and "t" not in term.sc.cluster.controller.topics


def test_a_topic_that_does_not_exist_prints_javas_optional(term: Term) -> None:
    """ensureTopicExists formats an Optional<String>: Kafka 3.7+ prints Optional[name]."""
    out = term.streams("kafka-topics --bootstrap-server localhost:9092 --describe --topic nope")
    assert out["out"] == "Error while executing topic command : Topic 'Optional[nope]' does not exist as expected\n"
    assert ("ERROR java.lang.IllegalArgumentException: Topic 'Optional[nope]' does not exist as expected\n"
            "\tat org.apache.kafka.tools.TopicCommand.ensureTopicExists(TopicCommand.java:218)\n"
            "\tat org.apache.kafka.tools.TopicCommand$TopicService.describeTopic(TopicCommand.java:578)\n") in out["err"]
    assert term.kafka("kafka-topics", "--describe --topic nope --if-exists") == ""
    assert term.streams("kafka-topics --bootstrap-server localhost:9092 --delete --topic nope")["out"] == \
        "Error while executing topic command : Topic 'Optional[nope]' does not exist as expected\n"


def test_2_8_prints_the_name_and_no_elr_columns(make_term) -> None:
    term = make_term(version="2.8")
    term.kafka("kafka-topics", "--create --topic t")
    lines = term.kafka("kafka-topics", "--describe --topic t").splitlines()
    b = term.sc.cluster.controller.topics["t"].partitions[0].leader
    assert lines[1] == f"\tTopic: t\tPartition: 0\tLeader: {b}\tReplicas: {b}\tIsr: {b}"
    assert term.streams("kafka-topics --bootstrap-server localhost:9092 --describe --topic x")["out"] == \
        "Error while executing topic command : Topic 'x' does not exist as expected\n"


def test_alter_partitions(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t --partitions 2 --replication-factor 2")
    assert term.kafka("kafka-topics", "--alter --topic t --partitions 4") == ""
    assert "PartitionCount: 4" in term.kafka("kafka-topics", "--describe --topic t")
    assert term.streams("kafka-topics --bootstrap-server localhost:9092 --alter --topic t --partitions 3")["out"] == \
        "Error while executing topic command : The topic t currently has 4 partition(s); 3 would not be an increase.\n"


def test_delete(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t")
    assert term.kafka("kafka-topics", "--delete --topic t") == ""
    assert term.kafka("kafka-topics", "--list") == "\n"


def test_describe_reports_under_replicated_unavailable_and_under_min_isr(term: Term) -> None:
    """PartitionDescription's filters; TopicCommandTest: no under-replicated partition prints nothing."""
    term.kafka("kafka-topics", "--create --topic t --partitions 3 --replication-factor 3 --config min.insync.replicas=3")
    term.kafka("kafka-topics", "--create --topic solo --replica-assignment 0")
    assert term.kafka("kafka-topics", "--describe --under-replicated-partitions") == ""
    term.sc.cluster.kill_broker(0)
    term.wait(40_000)  # fenced, out of every ISR
    describe = "kafka-topics --bootstrap-server localhost:9093 --describe"  # broker 0 (9092) is down
    under = term.run(f"{describe} --under-replicated-partitions")
    assert [line.split("\t")[2] for line in under.splitlines()] == ["Partition: 0", "Partition: 1", "Partition: 2"]
    assert term.run(f"{describe} --unavailable-partitions").startswith(
        "\tTopic: solo\tPartition: 0\tLeader: none\tReplicas: 0\tIsr: 0")
    assert len(term.run(f"{describe} --topic t --under-min-isr-partitions").splitlines()) == 3


def test_usage_errors_print_the_message_and_the_options(term: Term) -> None:
    out = term.streams("kafka-topics --bootstrap-server localhost:9092 --create")
    assert out["err"].startswith('Missing required argument "[topic]"\nOption                                   '
                                 "Description")
    assert "--bootstrap-server <String: server to    REQUIRED: The Kafka server to connect" in out["err"]
    assert term.streams("kafka-topics --bootstrap-server localhost:9092")["err"].startswith(
        "Command must include exactly one action: --list, --describe, --create, --alter or --delete\n")
    assert term.streams("kafka-topics")["err"].startswith("Create, delete, describe, or change a topic.\n")
    assert term.streams("kafka-topics --bootstrap-server localhost:9092 --alter --topic t --config a=b")["err"] \
        .startswith('Option combination "[bootstrap-server, config]" can\'t be used with option "[alter]" (To alter topic '
                    "configurations, the kafka-configs tool can be used.)\n")
    assert term.streams("kafka-topics --bootstrap-server localhost:9092 --list --partitions 3")["err"].startswith(
        'Option "[partitions]" can\'t be used with option "[list]"\n')


def test_without_bootstrap_server_the_exception_and_its_stack(term: Term) -> None:
    out = term.streams("kafka-topics --list")
    assert out["err"].startswith("--bootstrap-server must be specified\njava.lang.IllegalArgumentException: "
                                 "--bootstrap-server must be specified\n\tat org.apache.kafka.tools.TopicCommand$"
                                 "TopicCommandOptions.checkRequiredArgs(TopicCommand.java:980)\n")


def test_version_prints_the_release(make_term) -> None:
    assert make_term(version="3.x").run("kafka-topics --version") == "3.9.0\n"
    assert make_term().run("kafka-topics --version") == "4.0.0\n"


def test_a_topic_name_with_a_dot_warns_of_collisions(term: Term) -> None:
    assert term.kafka("kafka-topics", "--create --topic a.b") == (
        "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To "
        "avoid issues it is best to use either, but not both.\nCreated topic a.b.\n")


def test_rack_aware_placement_shows_in_describe() -> None:
    term = Term(cluster(brokers=6, racks=["az-a", "az-b", "az-c"]))
    term.kafka("kafka-topics", "--create --topic t --partitions 6 --replication-factor 3")
    racks = {b: term.sc.cluster.brokers[b].rack for b in term.sc.cluster.brokers}
    for line in term.kafka("kafka-topics", "--describe --topic t").splitlines()[1:]:
        replicas = [int(b) for b in line.split("\tReplicas: ")[1].split("\t")[0].split(",")]
        assert len({racks[b] for b in replicas}) == 3, line
