"""ACLs the brokers enforce: the notes' examples, run, with the authoriser's own words for each denial."""

from __future__ import annotations

from typing import Any

from app.sim import run_scenario

STANDARD = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"


def acl(principal: str, operation: str, resource_type: str, name: str, permission: str = "ALLOW",
        pattern: str = "LITERAL") -> dict[str, Any]:
    return {"principal": principal, "host": "*", "operation": operation, "permission": permission,
            "resource_type": resource_type, "name": name, "pattern": pattern}


def secured(acls: list[dict[str, Any]], producer: dict[str, Any] | None = None,
            groups: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "cluster": {"brokers": 3, "offsets.topic.num.partitions": 3, "authorizer.class.name": STANDARD,
                    "super.users": "User:admin"},
        "topics": [{"name": "finance", "partitions": 2}, {"name": "trucks", "partitions": 2}],
        "producers": [{"topic": "finance", "principal": "User:admin", **(producer or {}),
                       "workload": {"records_per_sec": 100, "keys": 5}}],
        "consumer_groups": groups or [],
        "acls": acls,
        "duration_ms": 12000,
        "trace": {"records": False},
    }


def group(name: str, principal: str, topic: str) -> dict[str, Any]:
    return {"group.id": name, "topics": [topic], "members": 1, "principal": principal, "auto.offset.reset": "earliest"}


def test_alice_can_read_topic_finance_with_read_on_the_topic_and_the_group():
    spec = secured([acl("User:alice", "READ", "TOPIC", "finance"), acl("User:alice", "READ", "GROUP", "reports")],
                   groups=[group("reports", "User:alice", "finance")])
    result = run_scenario(spec, seed=1)
    assert result.groups["reports"]["consumed"] > 0 and result.groups["reports"]["members"]["reports-0"] == "consuming"
    assert not [e for e in result.trace if e["kind"] == "acl.denied"]


def test_bob_cannot_read_topic_trucks_and_the_authoriser_says_which_rule_decided():
    spec = secured([acl("User:bob", "READ", "GROUP", "fleet"), acl("User:alice", "READ", "TOPIC", "trucks")],
                   groups=[group("fleet", "User:bob", "trucks")])
    result = run_scenario(spec, seed=1)
    [failed] = [e for e in result.trace if e["kind"] == "consumer.failed"]
    assert failed["error"] == "TOPIC_AUTHORIZATION_FAILED"
    assert failed["message"] == "TopicAuthorizationException: Not authorized to access topics: [trucks]"
    denial = next(e for e in result.trace if e["kind"] == "acl.denied")
    assert (denial["principal"], denial["operation"], denial["resource"]) == ("User:bob", "DESCRIBE", "trucks")
    assert denial["log"].startswith("Principal = User:bob is Denied operation = DESCRIBE from host = 127.0.0.1 on resource = "
                                    "Topic:LITERAL:trucks")
    assert result.groups["fleet"]["consumed"] == 0


def test_a_producer_without_write_gets_topic_authorization_failed_and_nothing_is_written():
    spec = secured([], producer={"principal": "User:carol", "enable.idempotence": False, "acks": "all"})
    result = run_scenario(spec, seed=1)
    assert result.ledger["acked"] == 0 and result.ledger["in_log"] == 0
    assert result.ledger["failed"] == {"TOPIC_AUTHORIZATION_FAILED": result.ledger["sent"]}


def test_an_idempotent_producer_needs_idempotent_write_or_write_on_a_topic():
    refused = run_scenario(secured([], producer={"principal": "User:carol"}), seed=1)
    assert refused.ledger["failed"] == {"ClusterAuthorizationException": refused.ledger["sent"]}
    allowed = run_scenario(secured([acl("User:carol", "WRITE", "TOPIC", "finance")], producer={"principal": "User:carol"}),
                           seed=1)
    assert allowed.ledger["acked"] == allowed.ledger["sent"] > 0


def test_a_group_without_read_on_the_group_fails_with_group_authorization_failed():
    spec = secured([acl("User:alice", "READ", "TOPIC", "finance")], groups=[group("reports", "User:alice", "finance")])
    result = run_scenario(spec, seed=1)
    [failed] = [e for e in result.trace if e["kind"] == "consumer.failed"]
    assert failed["error"] == "GROUP_AUTHORIZATION_FAILED" and "reports" in failed["message"]
