"""Per-API operations (KafkaApis/ControllerApis/AuthHelper) and kafka-acls --producer/--consumer (AclCommand)."""

from __future__ import annotations

import pytest

from app.sim.security import AclBinding, Authorizer
from app.sim.security.acl_command import acl_command_bindings, acl_command_output
from app.sim.security.operations import (
    REQUIRED_OPERATIONS, check_api, metadata_topic_entry, rules_for,
)

HOST = "10.0.0.7"


def grant(auth: Authorizer, op: str, rtype: str, name: str, principal: str = "User:alice") -> None:
    auth.add(AclBinding(principal=principal, host="*", operation=op, permission="ALLOW", resource_type=rtype,
                        name=name))


def test_table_has_every_api_the_brief_names() -> None:
    for api in ["Produce", "Fetch", "InitProducerId", "OffsetCommit", "JoinGroup", "SyncGroup", "Heartbeat",
                "CreateTopics", "DeleteTopics", "DescribeConfigs", "AlterConfigs", "IncrementalAlterConfigs",
                "Metadata", "ListGroups", "DescribeGroups", "CreateAcls", "DeleteAcls"]:
        assert api in REQUIRED_OPERATIONS


def test_produce_denied_topic_gets_topic_authorization_failed() -> None:
    auth = Authorizer()
    grant(auth, "WRITE", "TOPIC", "orders")
    result = check_api(auth, "Produce", "User:alice", HOST, topics=["orders", "finance"])
    assert result.denied_topics == ["finance"]
    assert result.client_exception == "TopicAuthorizationException"
    assert result.client_message == "Not authorized to access topics: [finance]"
    assert [d.allowed for _, _, d in result.decisions] == [True, False]  # type: ignore[union-attr]


def test_idempotent_init_producer_id_kip_679() -> None:
    auth = Authorizer()
    grant(auth, "WRITE", "TOPIC", "orders")
    assert check_api(auth, "InitProducerId", "User:alice", HOST, idempotent=True).allowed  # 2.8+: WRITE on a topic
    old = check_api(auth, "InitProducerId", "User:alice", HOST, idempotent=True, kafka_version="2.7")
    assert old.error is not None and old.error.name == "CLUSTER_AUTHORIZATION_FAILED" and old.error.code == 31
    assert old.client_message == "Cluster authorization failed."
    grant(auth, "IDEMPOTENT_WRITE", "CLUSTER", "kafka-cluster")
    assert check_api(auth, "InitProducerId", "User:alice", HOST, idempotent=True, kafka_version="2.7").allowed
    assert not check_api(Authorizer(), "InitProducerId", "User:bob", HOST, idempotent=True).allowed


def test_fetch_consumer_and_follower() -> None:
    auth = Authorizer()
    grant(auth, "READ", "TOPIC", "orders")
    assert check_api(auth, "Fetch", "User:alice", HOST, topics=["orders"]).allowed
    follower = check_api(auth, "Fetch", "User:alice", HOST, topics=["orders"], follower=True)
    assert follower.denied_topics == ["orders"]  # no CLUSTER_ACTION: every partition fails
    grant(auth, "CLUSTER_ACTION", "CLUSTER", "kafka-cluster", principal="User:broker")
    assert check_api(auth, "Fetch", "User:broker", HOST, topics=["orders"], follower=True).allowed


def test_group_apis_and_offset_commit() -> None:
    auth = Authorizer()
    grant(auth, "READ", "TOPIC", "orders")
    for api in ["JoinGroup", "SyncGroup", "Heartbeat"]:
        result = check_api(auth, api, "User:alice", HOST, group="payments")
        assert result.error is not None and result.error.code == 30
        assert result.client_message == "Not authorized to access group: payments"
    grant(auth, "READ", "GROUP", "payments")
    assert check_api(auth, "OffsetCommit", "User:alice", HOST, group="payments", topics=["orders"]).allowed
    denied = check_api(auth, "OffsetCommit", "User:alice", HOST, group="payments", topics=["finance"])
    assert denied.denied_topics == ["finance"]


def test_create_topics_cluster_or_topic() -> None:
    auth = Authorizer()
    grant(auth, "CREATE", "TOPIC", "orders")
    assert check_api(auth, "CreateTopics", "User:alice", HOST, topics=["orders"]).allowed
    assert check_api(auth, "CreateTopics", "User:alice", HOST, topics=["other"]).denied_topics == ["other"]
    grant(auth, "CREATE", "CLUSTER", "kafka-cluster")
    assert check_api(auth, "CreateTopics", "User:alice", HOST, topics=["other"]).allowed


def test_create_acls_needs_alter_on_cluster() -> None:
    auth = Authorizer(super_users=["User:admin"])
    assert check_api(auth, "CreateAcls", "User:admin", HOST).allowed
    result = check_api(auth, "CreateAcls", "User:alice", HOST)
    assert result.error is not None and result.error.name == "CLUSTER_AUTHORIZATION_FAILED"


def test_metadata_describe_and_unauthorised_entry() -> None:
    auth = Authorizer()
    grant(auth, "WRITE", "TOPIC", "orders")  # WRITE implies DESCRIBE
    assert check_api(auth, "Metadata", "User:alice", HOST, topics=["orders"]).allowed
    assert check_api(auth, "Metadata", "User:alice", HOST, topics=["finance"]).denied_topics == ["finance"]
    entry = metadata_topic_entry("finance", authorized=False)
    assert entry is not None and entry["error_code"] == 29 and entry["partitions"] == []
    assert metadata_topic_entry("finance", authorized=False, all_topics=True) is None


def test_list_groups_never_fails() -> None:
    result = check_api(Authorizer(), "ListGroups", "User:alice", HOST, group="payments")
    assert result.error is None


def test_unknown_api_and_version() -> None:
    with pytest.raises(ValueError, match="api: unknown value 'Produse'"):
        check_api(Authorizer(), "Produse", "User:a", HOST)
    with pytest.raises(ValueError, match="kafka_version: unknown value '1.0'"):
        rules_for("1.0")


def test_acl_command_producer_idempotent() -> None:
    bindings = acl_command_bindings(allow_principals=["User:alice"], producer=True, topics=["orders"], idempotent=True)
    assert {(b.resource_type.name, b.name, b.operation.name) for b in bindings} == {
        ("TOPIC", "orders", "WRITE"), ("TOPIC", "orders", "DESCRIBE"), ("TOPIC", "orders", "CREATE"),
        ("CLUSTER", "kafka-cluster", "IDEMPOTENT_WRITE")}
    assert all(b.host == "*" and b.permission.name == "ALLOW" for b in bindings)


def test_acl_command_consumer_and_output() -> None:
    bindings = acl_command_bindings(allow_principals=["User:bob"], consumer=True, topics=["orders"],
                                    groups=["payments"])
    assert [(b.resource_type.name, b.operation.name) for b in bindings] == [
        ("TOPIC", "READ"), ("TOPIC", "DESCRIBE"), ("GROUP", "READ")]
    out = acl_command_output(bindings)
    assert out.startswith("Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, "
                          "patternType=LITERAL)`: \n \t(principal=User:bob, host=*, operation=READ, "
                          "permissionType=ALLOW)\n\t(principal=User:bob, host=*, operation=DESCRIBE, ")


def test_acl_command_rules() -> None:
    with pytest.raises(ValueError, match="With --consumer you must specify a --topic and a --group"):
        acl_command_bindings(allow_principals=["User:bob"], consumer=True, topics=["orders"])
    with pytest.raises(ValueError, match="With --producer you must specify a --topic"):
        acl_command_bindings(allow_principals=["User:bob"], producer=True)
    with pytest.raises(ValueError, match="--idempotent option is only available if --producer is set"):
        acl_command_bindings(allow_principals=["User:bob"], idempotent=True, topics=["t"])
    plain = acl_command_bindings(allow_principals=["User:bob"], topics=["t"])
    assert [b.operation.name for b in plain] == ["ALL"]  # --operation defaults to All
