"""The admin API's topic calls on a running scenario: CreateTopics, DeleteTopics, CreatePartitions,
ListTopics, DescribeTopics, with Kafka's errors word for word (KRaft on 3.x/4.0, ZooKeeper on 2.8)."""

from __future__ import annotations

from typing import Any

import pytest

from app.sim import Scenario
from app.sim.admin import AdminClient, NewPartitions, NewTopic, TopicPartitionInfo
from app.sim.admin.errors import (
    BrokerNotAvailableException, InvalidConfigurationException, InvalidPartitionsException,
    InvalidReplicaAssignmentException, InvalidReplicationFactorException, InvalidRequestException, InvalidTopicException,
    KafkaAdminError, TopicExistsException, UnknownTopicOrPartitionException,
)
from app.sim.errors import Errors
from tests.sim.conftest import small_spec


def running(version: str = "4.0", at_ms: float = 300, **overrides: Any) -> tuple[Scenario, AdminClient]:
    sc = Scenario(small_spec(kafka_version=version, **overrides), seed=5)
    sc.run(at_ms)
    return sc, AdminClient(sc)


def error_of(result: Any, key: Any) -> KafkaAdminError:
    error = result.values[key].exception
    assert error is not None, f"{key} succeeded"
    return error


def create_error(admin: AdminClient, topic: NewTopic) -> KafkaAdminError:
    return error_of(admin.create_topics([topic]), topic.name)


# -- CreateTopics ------------------------------------------------------------------------------
def test_a_created_topic_is_placed_led_and_takes_writes_at_once() -> None:
    sc, admin = running()
    created = admin.create_topics([NewTopic("audit", 6, 3, configs={"min.insync.replicas": "2"})]).all()["audit"]
    assert (created.num_partitions, created.replication_factor) == (6, 3)
    topic = sc.cluster.controller.topics["audit"]
    assert created.topic_id == topic.topic_id and len(topic.topic_id) == 22
    assert created.config.get("min.insync.replicas").value == "2"
    desc = admin.describe_topics(["audit"]).all()["audit"]
    assert [p.partition for p in desc.partitions] == list(range(6))
    for p in desc.partitions:
        assert len(set(p.replicas)) == 3 and p.leader == p.replicas[0] and p.isr == p.replicas
        # rack-aware: one replica in each of racks a, b, c
        assert {sc.cluster.brokers[b].rack for b in p.replicas} == {"a", "b", "c"}
    # Every replica exists on its broker and the followers fetch from the leader.
    sc.run(600)
    for s in topic.partitions:
        assert all(s.tp in sc.cluster.brokers[b].replicas for b in s.replicas)
    assert [e for e in sc.trace.events if e["kind"] == "topic.created"][0]["topic"] == "audit"


def test_minus_one_takes_the_brokers_num_partitions_and_default_replication_factor() -> None:
    # The cluster section is server.properties: these are static broker configs.
    _, admin = running(cluster={"num.partitions": 4, "default.replication.factor": 2})
    created = admin.create_topics([NewTopic("logs")]).all()["logs"]
    assert (created.num_partitions, created.replication_factor) == (4, 2)


def test_a_manual_assignment_is_used_as_given() -> None:
    sc, admin = running()
    admin.create_topics([NewTopic("pinned", replicas_assignments={0: [2, 0], 1: [1, 2]})]).all()
    assert [(s.replicas, s.leader) for s in sc.cluster.controller.topics["pinned"].partitions] == [([2, 0], 2), ([1, 2], 1)]


def test_validate_only_creates_nothing_and_draws_nothing_from_the_run() -> None:
    sc, admin = running()
    state = sc.sim.rng.getstate()
    created = admin.create_topics([NewTopic("dry", 3, 3)], validate_only=True).all()["dry"]
    assert created.topic_id == "AAAAAAAAAAAAAAAAAAAAAA" and created.num_partitions == 3
    assert "dry" not in sc.cluster.controller.topics
    assert sc.sim.rng.getstate() == state


@pytest.mark.parametrize("topic, error, message", [
    (NewTopic("orders", 1, 1), TopicExistsException, "Topic 'orders' already exists."),
    (NewTopic("bad name", 1, 1), InvalidTopicException,
     "Topic name is invalid: 'bad name' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"),
    (NewTopic("..", 1, 1), InvalidTopicException, "Topic name is invalid: '..' is not allowed"),
    (NewTopic("", 1, 1), InvalidTopicException, "The given topic name '' cannot be represented in a request."),
    (NewTopic("__cluster_metadata", 1, 1), InvalidRequestException,
     "Creation of internal topic __cluster_metadata is prohibited."),
    (NewTopic("t", 1, 4), InvalidReplicationFactorException,
     "Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot be reached because only 3 "
     "broker(s) are registered."),
    (NewTopic("t", 1, 0), InvalidReplicationFactorException,
     "Replication factor must be larger than 0, or -1 to use the default value."),
    (NewTopic("t", 0, 1), InvalidPartitionsException, "Number of partitions was set to an invalid non-positive value."),
    (NewTopic("t", 1, 1, configs={"min.insync.replicas": "zero"}), InvalidConfigurationException,
     "Invalid value zero for configuration min.insync.replicas: Not a number of type INT"),
    (NewTopic("t", 1, 1, configs={"min.insync.replicas": "0"}), InvalidConfigurationException,
     "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1"),
    (NewTopic("t", 1, 1, configs={"retention.hours": "1"}), InvalidConfigurationException,
     "Unknown topic config name: retention.hours"),
    (NewTopic("t", 1, 1, configs={"retention.ms": None}), InvalidConfigurationException,  # type: ignore[dict-item]
     "Null value not supported for topic configs: retention.ms"),
    (NewTopic("t", 2, replicas_assignments={0: [0]}), InvalidRequestException,
     "A manual partition assignment was specified, but numPartitions was not set to -1."),
    (NewTopic("t", replication_factor=1, replicas_assignments={0: [0]}), InvalidRequestException,
     "A manual partition assignment was specified, but replication factor was not set to -1."),
    (NewTopic("t", replicas_assignments={0: [0, 7]}), InvalidReplicaAssignmentException,
     "The manual partition assignment includes broker 7, but no such broker is registered."),
    (NewTopic("t", replicas_assignments={0: [1, 1]}), InvalidReplicaAssignmentException,
     "The manual partition assignment includes the broker 1 more than once."),
    (NewTopic("t", replicas_assignments={0: [0, 1], 1: [2]}), InvalidReplicaAssignmentException,
     "The manual partition assignment includes a partition with 1 replica(s), but this is not consistent with previous "
     "partitions, which have 2 replica(s)."),
    (NewTopic("t", replicas_assignments={0: [0], 2: [1]}), InvalidReplicaAssignmentException,
     "partitions should be a consecutive 0-based integer sequence"),
])
def test_create_topic_errors_are_kafkas(topic: NewTopic, error: type, message: str) -> None:
    sc, admin = running()
    got = create_error(admin, topic)
    assert type(got) is error and str(got) == message
    assert got.error is error.error and "t" not in sc.cluster.controller.topics


def test_a_replication_factor_of_three_on_one_broker_is_refused_as_kraft_words_it() -> None:
    _, admin = running(cluster={"brokers": 1, "racks": ["a"]}, topic={"replication.factor": 1, "min.insync.replicas": 1})
    got = create_error(admin, NewTopic("t", 1, 3))
    assert type(got) is InvalidReplicationFactorException
    assert str(got) == ("Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be "
                        "reached because only 1 broker(s) are registered.")
    assert got.error is Errors.INVALID_REPLICATION_FACTOR and got.error.code == 38


def test_dots_and_underscores_collide() -> None:
    _, admin = running()
    admin.create_topics([NewTopic("metrics.cpu", 1, 1)]).all()
    got = create_error(admin, NewTopic("metrics_cpu", 1, 1))
    assert type(got) is InvalidTopicException and str(got) == "Topic 'metrics_cpu' collides with existing topic: metrics.cpu"


def test_a_fenced_broker_leads_nothing_and_gets_a_replica_only_when_no_unfenced_one_is_left() -> None:
    sc, admin = running(at_ms=200)
    sc.cluster.kill_broker(2)
    sc.run(1200)  # fenced after broker.session.timeout.ms (500 ms here)
    assert sc.cluster.brokers[2].fenced
    admin.create_topics([NewTopic("after", 6, 3)]).all()
    for s in sc.cluster.controller.topics["after"].partitions:
        # StripedReplicaPlacer: the leader is unfenced; a fenced broker is used only when no other is left
        assert s.leader != 2 and 2 in s.replicas and 2 not in s.isr
    admin.create_topics([NewTopic("small", 6, 2)]).all()
    assert all(2 not in s.replicas for s in sc.cluster.controller.topics["small"].partitions)


def test_every_broker_fenced_is_refused() -> None:
    sc, admin = running(at_ms=200)
    for b in range(3):
        sc.cluster.isolate(b)
    sc.run(1200)
    got = create_error(admin, NewTopic("t", 1, 1))
    assert str(got) == "Unable to replicate the partition 1 time(s): All brokers are currently fenced."


# -- 2.8: ZooKeeper mode words the same problems its own way ----------------------------------------
@pytest.mark.parametrize("topic, error, message", [
    (NewTopic("t", 1, 4), InvalidReplicationFactorException, "Replication factor: 4 larger than available brokers: 3."),
    (NewTopic("t", 0, 1), InvalidPartitionsException, "Number of partitions must be larger than 0."),
    (NewTopic("t", 1, 0), InvalidReplicationFactorException, "Replication factor must be larger than 0."),
    (NewTopic("t", 1, replicas_assignments={0: [0]}), InvalidRequestException,
     "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time."),
    (NewTopic("t", replicas_assignments={0: [0, 1], 1: [2]}), InvalidReplicaAssignmentException,
     "All partitions should have the same number of replicas"),
    (NewTopic("t", replicas_assignments={0: [1, 1]}), InvalidReplicaAssignmentException,
     "Duplicate replica assignment found: HashMap(0 -> ArrayBuffer(1, 1))"),
    (NewTopic("t", 1, 1, configs={"retention.ms": None}), InvalidRequestException,  # type: ignore[dict-item]
     "Null value not supported for topic configs : retention.ms"),
])
def test_create_topic_errors_on_2_8(topic: NewTopic, error: type, message: str) -> None:
    _, admin = running("2.8")
    got = create_error(admin, topic)
    assert type(got) is error and str(got) == message


def test_collisions_on_2_8_name_every_colliding_topic() -> None:
    _, admin = running("2.8")
    admin.create_topics([NewTopic("a.b", 1, 1)]).all()
    assert str(create_error(admin, NewTopic("a_b", 1, 1))) == "Topic 'a_b' collides with existing topics: a.b"


# -- DeleteTopics ------------------------------------------------------------------------------
def test_deleting_a_topic_removes_every_replica_and_the_producer_is_told_unknown_topic() -> None:
    sc, admin = running(at_ms=500)
    topic = sc.cluster.controller.topics["orders"]
    assert admin.delete_topics(["orders"]).all() == {"orders": None}
    assert "orders" not in sc.cluster.controller.topics
    assert all(topic.partitions[0].tp not in b.replicas for b in sc.cluster.brokers.values())
    got = error_of(admin.delete_topics(["orders", ""]), "orders")
    assert type(got) is UnknownTopicOrPartitionException and str(got) == "This server does not host this topic-partition."
    sc.run(1500)
    assert sc.ledger.summary(sc.cluster)["failed"].get("UNKNOWN_TOPIC_OR_PARTITION", 0) == 0  # retried, not failed
    assert any(e["kind"] == "produce.error" and e["error"] == "UNKNOWN_TOPIC_OR_PARTITION" for e in sc.trace.events)


def test_an_internal_topic_can_be_listed_and_deleted_as_kafka_lets_it() -> None:
    _, admin = running()
    admin.create_topics([NewTopic("__consumer_offsets", 3, 3)]).all()
    assert list(admin.list_topics()) == ["orders"]
    listing = admin.list_topics(list_internal=True)
    assert list(listing) == ["__consumer_offsets", "orders"] and listing["__consumer_offsets"].is_internal
    assert admin.delete_topics(["__consumer_offsets"]).all() == {"__consumer_offsets": None}


# -- CreatePartitions --------------------------------------------------------------------------
def test_new_partitions_are_placed_and_led() -> None:
    sc, admin = running()
    assert admin.create_partitions({"orders": NewPartitions(5)}).all() == {"orders": None}
    parts = sc.cluster.controller.topics["orders"].partitions
    assert len(parts) == 5 and all(len(s.replicas) == 3 and s.leader == s.replicas[0] for s in parts[3:])
    admin.create_partitions({"orders": NewPartitions(6, [[2, 1, 0]])}).all()
    assert parts[5].replicas == [2, 1, 0]


@pytest.mark.parametrize("version, count, assignments, error, message", [
    ("4.0", 2, None, InvalidPartitionsException, "The topic orders currently has 3 partition(s); 2 would not be an increase."),
    ("4.0", 3, None, InvalidPartitionsException, "Topic already has 3 partition(s)."),
    ("4.0", 5, [[0, 1, 2]], InvalidReplicaAssignmentException,
     "Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified."),
    ("4.0", 4, [[0, 1]], InvalidReplicaAssignmentException,
     "The manual partition assignment includes a partition with 2 replica(s), but this is not consistent with previous "
     "partitions, which have 3 replica(s)."),
    ("2.8", 2, None, InvalidPartitionsException, "Topic currently has 3 partitions, which is higher than the requested 2."),
    ("2.8", 3, None, InvalidPartitionsException, "Topic already has 3 partitions."),
    ("2.8", 5, [[0, 1, 2]], InvalidReplicaAssignmentException, "Increasing the number of partitions by 2 but 1 assignments "
     "provided."),
    ("2.8", 4, [[0, 1, 7]], InvalidReplicaAssignmentException, "Unknown broker(s) in replica assignment: 7."),
    ("2.8", 4, [[0, 1]], InvalidReplicaAssignmentException, "Inconsistent replication factor between partitions, "
     "partition 0 has 3 while partitions [3] have replication factors [2], respectively."),
])
def test_create_partitions_errors_are_kafkas(version: str, count: int, assignments: list[list[int]] | None, error: type,
                                             message: str) -> None:
    _, admin = running(version)
    got = error_of(admin.create_partitions({"orders": NewPartitions(count, assignments)}), "orders")
    assert type(got) is error and str(got) == message


def test_create_partitions_on_an_unknown_topic() -> None:
    _, admin = running()
    assert str(error_of(admin.create_partitions({"nope": NewPartitions(2)}), "nope")) == \
        "This server does not host this topic-partition."
    _, admin = running("2.8")
    assert str(error_of(admin.create_partitions({"nope": NewPartitions(2)}), "nope")) == "The topic 'nope' does not exist."


def test_a_new_partition_on_a_dead_brokers_only_is_refused_on_2_8_as_not_available() -> None:
    sc, admin = running("2.8", at_ms=100)
    sc.cluster.kill_broker(2)
    sc.run(800)
    got = error_of(admin.create_partitions({"orders": NewPartitions(4, [[0, 1, 2]])}), "orders")
    assert type(got) is BrokerNotAvailableException
    assert str(got) == ("Some brokers specified for partition id 3 are not available. Specified brokers: 0, 1, 2, "
                        "available brokers: 0, 1.")


# -- DescribeTopics ----------------------------------------------------------------------------
def test_describe_shows_an_offline_leader_as_none() -> None:
    sc, admin = running(topic={"partitions": 1, "replication.factor": 1, "min.insync.replicas": 1}, at_ms=100)
    leader = sc.cluster.controller.topics["orders"].partitions[0].leader
    sc.cluster.kill_broker(leader)
    sc.run(800)
    desc = admin.describe_topics(["orders", "nope"])
    assert desc.values["orders"].get().partitions == [TopicPartitionInfo(0, None, [leader], [leader])]
    assert type(desc.values["nope"].exception) is UnknownTopicOrPartitionException
