"""--bootstrap-server must name a broker: port 2181, other ports, unknown hosts and --zookeeper, as real clients fail."""

from __future__ import annotations

from tests.shell.conftest import Term, cluster


def test_2181_waits_default_api_timeout_then_fails_as_kafka_topics_does(term: Term) -> None:
    out = term.streams("kafka-topics --bootstrap-server localhost:2181 --list")
    assert "Port 2181 is ZooKeeper's client port, not a Kafka listener" in out["note"]
    assert "Kafka 4.0 removed ZooKeeper (KIP-833)" in out["note"]
    assert out["err"] == ("[2023-11-14 22:13:20,000] WARN [AdminClient clientId=adminclient-1] Connection to node -1 "
                          "(localhost/127.0.0.1:2181) could not be established. Node may not be available. "
                          "(org.apache.kafka.clients.NetworkClient)\n")
    assert term.session.job is not None and term.session.prompt == ""
    term.wait(59_999)
    before = term.take()
    assert "Error while executing topic command" not in before
    term.wait(1)
    text = before + term.take()
    assert text.endswith("Error while executing topic command : Timed out waiting for a node assignment. Call: listTopics\n"
                         "[2023-11-14 22:14:20,000] ERROR org.apache.kafka.common.errors.TimeoutException: Timed out "
                         "waiting for a node assignment. Call: listTopics\n (org.apache.kafka.tools.TopicCommand)\n")
    # after the first attempt (printed with the command) the reconnect backoff is 50 ms, doubling to 1 s: attempts at
    # 50, 150, 350, 750 ms, then 1550, 2550, ... 59550 ms
    assert text.count("could not be established") == 4 + 59
    assert term.session.job is None


def test_ctrl_c_stops_the_wait(term: Term) -> None:
    term.run("kafka-topics --bootstrap-server localhost:2181 --list")
    term.session.signal("interrupt")
    assert term.session.job is None and term.session.prompt == "$ "
    term.wait(70_000)
    assert "Timed out" not in term.take()


def test_zookeeper_on_2181_of_a_2_8_cluster_takes_the_connection_silently() -> None:
    term = Term(cluster(version="2.8"))
    out = term.streams("kafka-topics --bootstrap-server localhost:2181 --list")
    assert "This 2.8 cluster does run ZooKeeper there" in out["note"] and "err" not in out
    term.wait(60_000)
    assert term.take().startswith("Error while executing topic command : Timed out waiting for a node assignment.")


def test_zookeeper_flag_is_not_recognized_from_3_0(term: Term) -> None:
    out = term.streams("kafka-topics --zookeeper localhost:2181 --list")
    assert out["err"].startswith("zookeeper is not a recognized option\njoptsimple.UnrecognizedOptionException: "
                                 "zookeeper is not a recognized option\n\tat joptsimple.OptionException."
                                 "unrecognizedOption(OptionException.java:108)\n")
    assert out["note"] == ("[brokerlab] --zookeeper is gone: kafka-topics lost it in Kafka 3.0 (KIP-604), and Kafka 4.0 "
                           "has no ZooKeeper at all (KIP-833; KRaft controllers keep the metadata). Name a broker "
                           "instead: --bootstrap-server localhost:9092,localhost:9093,localhost:9094.\n")
    three = Term(cluster(version="3.x"))
    assert three.streams("kafka-topics --zookeeper localhost:2181 --list")["err"].startswith(
        "zookeeper is not a recognized option\n")


def test_2_8_still_takes_zookeeper_for_kafka_topics() -> None:
    term = Term(cluster(version="2.8"))
    out = term.streams("kafka-topics --zookeeper localhost:2181 --create --topic t")
    assert out["out"] == "Created topic t.\n" and "--zookeeper is deprecated in 2.8" in out["note"]


def test_an_unknown_host_does_not_resolve(term: Term) -> None:
    out = term.streams("kafka-topics --bootstrap-server kafka:9092 --list")
    assert out["err"].startswith("Failed to create new KafkaAdminClient\norg.apache.kafka.common.KafkaException: Failed "
                                 "to create new KafkaAdminClient\n")
    assert out["err"].endswith("Caused by: org.apache.kafka.common.config.ConfigException: No resolvable bootstrap urls "
                               "given in bootstrap.servers\n")


def test_any_broker_of_the_lab_is_a_bootstrap_server(term: Term) -> None:
    assert term.run("kafka-topics --bootstrap-server 127.0.0.1:9094 --create --topic t") == "Created topic t.\n"
    assert term.run("kafka-topics --bootstrap-server localhost:9999,localhost:9093 --list") == "t\n"


def test_a_console_producer_without_a_broker_waits_for_metadata(term: Term) -> None:
    term.run("kafka-console-producer --bootstrap-server localhost:2181 --topic t")
    term.run("hello")
    term.wait(60_000)
    assert term.take().endswith("org.apache.kafka.common.errors.TimeoutException: Topic t not present in metadata after "
                                "60000 ms.\n")
    assert term.session.job is None
