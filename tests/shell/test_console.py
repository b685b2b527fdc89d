"""kafka-console-producer and kafka-console-consumer: lines in, records out, with the tools' settings and words."""

from __future__ import annotations

from app.sim.ledger import ACKED
from tests.shell.conftest import Term

PRODUCER = "kafka-console-producer --bootstrap-server localhost:9092 --topic t"
CONSUMER = "kafka-console-consumer --bootstrap-server localhost:9092 --topic t"


def produce(term: Term, *lines: str, options: str = "") -> None:
    term.run(f"{PRODUCER} {options}")
    for line in lines:
        term.run(line)
    term.session.signal("eof")
    term.wait(3000)


def test_lines_become_records_with_the_consoles_settings(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t --partitions 1 --replication-factor 3")
    term.run(PRODUCER)
    producer = term.session.job.producer
    assert producer.client_id == "console-producer"
    assert producer.cfg["acks"] == -1 and producer.cfg["linger.ms"] == 1000 and producer.cfg["retries"] == 3
    assert producer.cfg["request.timeout.ms"] == 1500 and producer.cfg["compression.type"] == "none"
    assert term.session.prompt == ">"
    term.run("one")
    term.run("two")
    term.session.signal("eof")
    term.wait(3000)
    assert term.session.job is None
    ledger = term.sc.ledger
    assert [ledger.state[r] for r in range(len(ledger.state))] == [ACKED, ACKED]
    log = term.sc.cluster.brokers[term.sc.cluster.controller.topics["t"].partitions[0].leader].replicas[("t", 0)].log
    assert log.log_end_offset == 2 and len(log.entries) == 1  # one batch: linger.ms 1000 held both lines


def test_compression_codec_wins_over_a_producer_property(term: Term) -> None:
    """ConsoleProducer sets compression.type after --producer-property: a codec given there is replaced."""
    term.kafka("kafka-topics", "--create --topic t")
    term.run(f"{PRODUCER} --producer-property compression.type=lz4")
    assert term.session.job.producer.cfg["compression.type"] == "none"
    term.session.signal("eof")
    term.run(f"{PRODUCER} --compression-codec")
    assert term.session.job.producer.cfg["compression.type"] == "gzip"
    term.session.signal("eof")
    term.run(f"{PRODUCER} --compression-codec zstd --producer-property acks=1 --producer-property linger.ms=5")
    cfg = term.session.job.producer.cfg
    assert cfg["compression.type"] == "zstd" and cfg["acks"] == 1 and cfg["linger.ms"] == 5


def test_keys_with_a_separator_and_the_readers_error(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t")
    term.run(f"{PRODUCER} --property parse.key=true --property key.separator=:")
    term.run("k1:v1")
    assert term.sc.ledger.keys == [b"k1"]
    assert term.run("no separator") == ("org.apache.kafka.common.KafkaException: No key separator found on line number 2: "
                                        "'no separator'\n")


def test_a_record_larger_than_max_message_bytes_is_refused(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t --config max.message.bytes=100")
    produce(term, "x" * 200)
    text = term.take()
    assert text.split("\n")[0].endswith("] ERROR Error when sending message to topic t with key: null, value: 200 bytes "
                                        "with error: (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)")
    assert text.split("\n")[1] == ("org.apache.kafka.common.errors.RecordTooLargeException: The request included a "
                                   "message larger than the max message size the server will accept.")


def test_not_enough_replicas_with_acks_all(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t --replication-factor 2 --config min.insync.replicas=2")
    s = term.sc.cluster.controller.topics["t"].partitions[0]
    follower = next(b for b in s.replicas if b != s.leader)
    term.sc.cluster.kill_broker(follower)
    term.wait(40_000)
    produce(term, "hello")
    term.wait(10_000)
    assert "org.apache.kafka.common.errors.NotEnoughReplicasException: Messages are rejected since there are fewer " \
           "in-sync replicas than required." in term.take()


def test_the_consumer_prints_what_the_formatter_asks_for(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t --partitions 1")
    produce(term, "k:a", "k:b", options="--property parse.key=true --property key.separator=:")
    out = term.run(f"{CONSUMER} --from-beginning --property print.key=true --property print.offset=true "
                   "--property print.partition=true --property print.timestamp=true --max-messages 2", then_ms=5000)
    lines = out.splitlines()
    assert lines[0].startswith("CreateTime:17000000") and lines[0].endswith("\tPartition:0\tOffset:0\tk\ta")
    assert lines[1].endswith("\tPartition:0\tOffset:1\tk\tb")
    assert lines[2] == "Processed a total of 2 messages"
    assert term.session.job is None


def test_max_messages_seeks_back_before_the_group_commits(term: Term) -> None:
    """ConsumerWrapper.cleanup: the records polled but not printed are read again by the group's next consumer."""
    term.kafka("kafka-topics", "--create --topic t --partitions 1")
    produce(term, "a", "b", "c")
    assert term.run(f"{CONSUMER} --group g --from-beginning --max-messages 1", then_ms=6000) == \
        "a\nProcessed a total of 1 messages\n"
    term.wait(2000)
    assert term.run(f"{CONSUMER} --group g --max-messages 2", then_ms=6000) == "b\nc\nProcessed a total of 2 messages\n"


def test_partition_and_offset_read_without_a_group(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t --partitions 1")
    produce(term, "a", "b", "c")
    assert term.run(f"{CONSUMER} --partition 0 --offset 1 --max-messages 2", then_ms=2000) == \
        "b\nc\nProcessed a total of 2 messages\n"
    assert term.sc.cluster.clients == {}  # closed, no group joined
    assert [g.group_id for g in __import__("app.sim.admin", fromlist=["AdminClient"]).AdminClient(term.sc)
            .list_consumer_groups()] == []


def test_ctrl_c_and_timeout_end_the_consumer(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t")
    term.run(f"{CONSUMER} --from-beginning", then_ms=5000)
    term.session.signal("interrupt")
    assert term.take() == "Processed a total of 0 messages\n"
    out = term.run(f"{CONSUMER} --timeout-ms 2000", then_ms=2500)
    assert out.split("\n")[0].endswith("] ERROR Error processing message, terminating consumer process:  "
                                       "(org.apache.kafka.tools.consumer.ConsoleConsumer)")
    assert out.split("\n")[1:] == ["org.apache.kafka.common.errors.TimeoutException", "Processed a total of 0 messages", ""]


def test_consumer_usage_errors(term: Term) -> None:
    for args, message in [
        ("", "Exactly one of --include/--topic is required. "),
        ("--topic t --offset 3", "The partition is required when offset is specified."),
        ("--topic t --partition 0 --from-beginning --offset 3", "Options from-beginning and offset cannot be specified "
                                                                "together."),
        ("--topic t --partition 0 --group g", "Options group and partition cannot be specified together."),
        ("--topic t --partition 0 --offset x", "The provided offset value 'x' is incorrect. Valid values are "
                                               "'earliest', 'latest', or a non-negative long."),
    ]:
        out = term.streams(f"kafka-console-consumer --bootstrap-server localhost:9092 {args}")
        assert out["err"].startswith(message + "\nOption "), args


def test_without_a_group_the_consumer_draws_one(term: Term) -> None:
    term.kafka("kafka-topics", "--create --topic t")
    term.run(CONSUMER)
    group = term.session.job.consumer.group_id
    assert group.startswith("console-consumer-") and 0 <= int(group.rsplit("-", 1)[1]) < 100000
    assert term.session.job.consumer.cfg["enable.auto.commit"] is False


def test_auto_creation_of_a_missing_topic(term: Term) -> None:
    out = term.streams(f"{PRODUCER}")
    assert out["err"].endswith("] WARN [Producer clientId=console-producer] The metadata response from the cluster "
                               "reported a recoverable issue with correlation id 1 : {t=UNKNOWN_TOPIC_OR_PARTITION} "
                               "(org.apache.kafka.clients.NetworkClient)\n")
    assert term.sc.cluster.controller.topics["t"].replication_factor == 1
