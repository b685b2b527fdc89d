"""Connections with their security in a run: the set-up on the timeline, the principal from the connection, failures."""

from __future__ import annotations

from typing import Any

import pytest

from app.sim import SpecError, run_scenario
from app.sim.channel import RECONNECT_BACKOFF_MAX_MS

STANDARD = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
USERS = {"alice": "alice-secret", "bob": "bob-secret", "admin": "admin-secret"}


def jaas(user: str, password: str, module: str = "scram.ScramLoginModule") -> str:
    return f'org.apache.kafka.common.security.{module} required username="{user}" password="{password}";'


def sasl(user: str, password: str, mechanism: str = "SCRAM-SHA-512", protocol: str = "SASL_SSL") -> dict[str, Any]:
    module = "plain.PlainLoginModule" if mechanism == "PLAIN" else "scram.ScramLoginModule"
    return {"security.protocol": protocol, "sasl.mechanism": mechanism, "sasl.jaas.config": jaas(user, password, module)}


def cluster(protocol: str, **extra: Any) -> dict[str, Any]:
    return {"brokers": 3, "offsets.topic.num.partitions": 3, "latency_ms": 5.0,
            "listeners": "CLIENT://:9094,REPLICATION://:9095",
            "listener.security.protocol.map": f"CLIENT:{protocol},REPLICATION:SSL,CONTROLLER:SSL",
            "inter.broker.listener.name": "REPLICATION", "sasl.enabled.mechanisms": "SCRAM-SHA-512,PLAIN", **extra}


def spec(protocol: str, producer: dict[str, Any], groups: list[dict[str, Any]] = (), acls: list[dict[str, Any]] = (),
         duration_ms: float = 3000, faults: list[dict[str, Any]] = (), **extra: Any) -> dict[str, Any]:
    cl = cluster(protocol, **extra)
    if acls:
        cl |= {"authorizer.class.name": STANDARD, "super.users": "User:admin"}
    return {"cluster": cl, "users": USERS,
            "topics": [{"name": "finance", "partitions": 2}, {"name": "trucks", "partitions": 1}],
            "producers": [{"topic": "finance", **producer, "workload": {"records_per_sec": 50, "keys": 5}}],
            "consumer_groups": list(groups), "acls": list(acls), "faults": list(faults), "duration_ms": duration_ms,
            "trace": {"records": False, "wire": True}}


def group(name: str, topic: str, security: dict[str, Any]) -> dict[str, Any]:
    return {"group.id": name, "topics": [topic], "auto.offset.reset": "earliest", **security}


def acl(principal: str, operation: str, rtype: str, name: str, pattern: str = "LITERAL") -> dict[str, Any]:
    return {"principal": principal, "operation": operation, "resource_type": rtype, "name": name, "pattern": pattern}


def events(result: Any, kind: str, **match: Any) -> list[dict[str, Any]]:
    return [e for e in result.trace if e["kind"] == kind and all(e.get(k) == v for k, v in match.items())]


@pytest.mark.parametrize("protocol, security, round_trips", [
    ("PLAINTEXT", {}, 2),  # TCP, ApiVersions
    ("SSL", {"security.protocol": "SSL"}, 3),  # + TLS 1.3
    ("SASL_PLAINTEXT", sasl("admin", "admin-secret", "PLAIN", "SASL_PLAINTEXT"), 5),  # + ApiVersions v0, SaslHandshake, PLAIN
    ("SASL_SSL", sasl("admin", "admin-secret"), 7),  # + TLS, + two SCRAM round trips
])
def test_the_set_up_takes_its_round_trips_before_the_first_request(protocol: str, security: dict[str, Any],
                                                                    round_trips: int) -> None:
    result = run_scenario(spec(protocol, security), seed=1)
    ready = events(result, "channel.ready", client="producer-1")
    assert ready and all(e["security_protocol"] == protocol for e in ready)
    # 5 ms each way; the bytes themselves take microseconds at 1000 Mbit/s.
    assert all(round_trips * 10 <= e["setup_ms"] < round_trips * 10 + 0.5 for e in ready), [e["setup_ms"] for e in ready]
    first = ready[0]
    produce = next(e for e in events(result, "request.sent") if e["broker"] == first["broker"])
    assert round(produce["send_ms"], 3) >= first["t"]  # nothing was sent before the connection was ready
    # Every message of the set-up is on the wire, in order, with its size.
    setup = [e for e in events(result, "message.sent") if e.get("channel") == first["channel"]]
    assert setup[0]["type"] == "tcp" and setup[-1]["type"] == "api_versions.response"
    assert sum(e["bytes"] for e in setup) == first["setup_bytes"]
    assert result.ledger["acked"] == result.ledger["sent"] > 0


def test_tls_makes_every_request_bigger_by_its_records_overhead() -> None:
    plain = run_scenario(spec("PLAINTEXT", {}), seed=1)
    tls = run_scenario(spec("SSL", {"security.protocol": "SSL"}), seed=1)
    p_sizes = sorted(e["bytes"] for e in events(plain, "request.sent"))
    t_sizes = sorted(e["bytes"] for e in events(tls, "request.sent"))
    assert len(p_sizes) == len(t_sizes) > 0
    assert [t - p for p, t in zip(p_sizes, t_sizes)] == [22] * len(p_sizes)  # one TLS 1.3 record each


def test_the_principal_comes_from_the_connection() -> None:
    groups = [group("finance-reports", "finance", sasl("alice", "alice-secret")),
              group("fleet", "trucks", sasl("bob", "bob-secret"))]
    acls = [acl("User:alice", "READ", "TOPIC", "finance"), acl("User:alice", "READ", "GROUP", "finance-", "PREFIXED"),
            acl("User:bob", "READ", "GROUP", "fleet")]
    result = run_scenario(spec("SASL_SSL", sasl("admin", "admin-secret"), groups, acls), seed=1)
    principals = {e["client"]: e["principal"] for e in events(result, "channel.ready")}
    assert principals == {"producer-1": "User:admin", "consumer-finance-reports-1": "User:alice",
                          "consumer-fleet-1": "User:bob"}
    assert result.groups["finance-reports"]["consumed"] > 0
    [denied] = events(result, "acl.denied", resource="trucks")
    assert denied["principal"] == "User:bob" and denied["log"].startswith("Principal = User:bob is Denied operation = DESCRIBE")
    [failed] = events(result, "consumer.failed")
    assert failed["member"] == "fleet-0" and failed["error"] == "TOPIC_AUTHORIZATION_FAILED"


def test_plaintext_and_tls_without_a_certificate_are_anonymous_so_acls_for_users_never_match() -> None:
    groups = [group("finance-reports", "finance", {"security.protocol": "SSL"})]
    acls = [acl("User:alice", "READ", "TOPIC", "finance"), acl("User:alice", "READ", "GROUP", "finance-reports")]
    result = run_scenario(spec("SSL", {"security.protocol": "SSL"}, groups, acls), seed=1)
    assert {e["principal"] for e in events(result, "channel.ready")} == {"User:ANONYMOUS"}
    assert result.ledger["acked"] == 0  # the producer, admin by intent, is anonymous too: denied
    assert {e["principal"] for e in events(result, "acl.denied")} == {"User:ANONYMOUS"}


def test_mtls_maps_the_certificate_to_the_principal() -> None:
    rules = "RULE:^CN=(.*?),.*$/$1/,DEFAULT"
    producer = {"security.protocol": "SSL", "certificate": "CN=admin,OU=ops,O=Example"}
    groups = [group("finance-reports", "finance", {"security.protocol": "SSL", "certificate": "CN=alice,OU=finance,O=Example"}),
              group("finance-copy", "finance", {"security.protocol": "SSL",
                                                "certificate": {"subject": "CN=alice,OU=finance,O=Example", "issuer": "self"}})]
    result = run_scenario(spec("SSL", producer, groups, **{"ssl.client.auth": "required", "ssl.principal.mapping.rules": rules}),
                          seed=1)
    principals = {e["client"]: e["principal"] for e in events(result, "channel.ready")}
    assert principals == {"producer-1": "User:admin", "consumer-finance-reports-1": "User:alice"}
    [failed] = events(result, "consumer.failed", member="finance-copy-0")
    assert (failed["error"], failed["message"]) == ("SslAuthenticationException", "SslAuthenticationException: SSL handshake failed")


def test_a_wrong_password_is_fatal_and_says_so() -> None:
    groups = [group("finance-copy", "finance", sasl("alice", "guess"))]
    result = run_scenario(spec("SASL_SSL", sasl("admin", "nope"), groups), seed=1)
    message = "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512"
    [failed] = events(result, "consumer.failed")
    assert failed["message"] == f"SaslAuthenticationException: {message}"
    assert result.ledger["failed"] == {"SaslAuthenticationException": result.ledger["sent"]}
    refusal = events(result, "channel.failed", client="producer-1")[0]
    assert refusal["client_log"].endswith(f"failed authentication due to: {message}")
    assert not refusal["retriable"]


def test_a_client_without_tls_keeps_reconnecting_with_a_growing_backoff_and_its_records_expire() -> None:
    producer = {"delivery.timeout.ms": 2000, "request.timeout.ms": 1500, "linger.ms": 5}
    result = run_scenario(spec("SASL_SSL", producer, duration_ms=2500), seed=1)
    failures = events(result, "channel.failed", client="producer-1", broker=0)
    assert len(failures) >= 4 and all(e["retriable"] and e["stage"] == "tls" for e in failures)
    backoffs = [e["backoff_ms"] for e in failures]
    assert backoffs[0] < 60 and max(backoffs) <= RECONNECT_BACKOFF_MAX_MS and backoffs[3] > backoffs[0] * 4
    assert failures[0]["client_log"].startswith("WARN Bootstrap broker kafka-0.internal:9094")
    assert set(result.ledger["failed"]) == {"TimeoutException"} and result.ledger["acked"] == 0


def test_sessions_are_re_authenticated_on_the_open_connection() -> None:
    result = run_scenario(spec("SASL_SSL", sasl("admin", "admin-secret"), duration_ms=6000,
                               **{"connections.max.reauth.ms": 2000}), seed=1)
    ready = events(result, "channel.ready", client="producer-1")
    assert all(e["session_lifetime_ms"] == 2000 and 0.85 * 2000 <= e["reauth_at"] - e["t"] <= 0.95 * 2000 for e in ready)
    again = events(result, "channel.reauthenticated", client="producer-1")
    assert len(again) >= 2 * len(ready) and {e["principal"] for e in again} == {"User:admin"}
    # SaslHandshake and two SCRAM round trips: 30 ms at 5 ms each way; no new TCP, TLS or ApiVersions.
    assert all(30 <= e["took_ms"] < 30.1 for e in again)
    assert len(events(result, "channel.ready")) == len(ready)
    assert result.ledger["acked"] == result.ledger["sent"]


def test_deleting_a_topic_is_authorised_as_the_applications_principal() -> None:
    groups = [group("fleet", "trucks", sasl("bob", "bob-secret"))]
    acls = [acl("User:bob", "READ", "GROUP", "fleet"), acl("User:bob", "READ", "TOPIC", "trucks")]
    base = spec("SASL_SSL", sasl("admin", "admin-secret"), groups, acls, duration_ms=2000)
    denied = run_scenario({**base, "faults": [{"at_ms": 1000, "delete_topics": "fleet-0"}]}, seed=1)
    [result] = events(denied, "admin.result")
    assert (result["exception"], result["message"], result["results"]) == (
        "TopicAuthorizationException", "Topic authorization failed.", {"trucks": "TOPIC_AUTHORIZATION_FAILED"})
    logged = events(denied, "acl.denied", operation="DELETE", resource="trucks", level="INFO")
    assert logged and logged[0]["log"].startswith("Principal = User:bob is Denied operation = DELETE from host = 127.0.0.1 "
                                                  "on resource = Topic:LITERAL:trucks for request = DeleteTopics")
    assert not events(denied, "topic.deleted")
    open_cluster = {**base, "acls": [], "cluster": {k: v for k, v in base["cluster"].items()
                                                    if k not in ("authorizer.class.name", "super.users")}}
    deleted = run_scenario({**open_cluster, "faults": [{"at_ms": 1000, "delete_topics": "fleet-0"}]}, seed=1)
    assert events(deleted, "admin.result")[0]["results"] == {"trucks": "NONE"}
    assert [e["topic"] for e in events(deleted, "topic.deleted")] == ["trucks"]


def test_a_secured_run_is_deterministic_and_a_spec_without_security_has_no_channels() -> None:
    s = spec("SASL_SSL", sasl("admin", "admin-secret"), [group("g", "finance", sasl("alice", "alice-secret"))],
             **{"connections.max.reauth.ms": 1000})
    assert run_scenario(s, seed=3).trace_json() == run_scenario(s, seed=3).trace_json()
    plain = run_scenario({"topic": {"name": "t"}, "duration_ms": 500}, seed=3)
    assert not [e for e in plain.trace if e["kind"].startswith("channel.")]


def test_a_broker_that_dies_during_the_set_up_refuses_the_connection() -> None:
    result = run_scenario(spec("SASL_SSL", sasl("admin", "admin-secret"), duration_ms=500,
                               faults=[{"at_ms": 3, "kill_broker": 0}]), seed=1)
    refused = events(result, "channel.failed", broker=0, stage="tcp")
    assert refused and refused[0]["retriable"] and "could not be established" in refused[0]["client_log"]


@pytest.mark.parametrize("change, path, words", [
    ({"producers": [{"topic": "finance", "principal": "User:alice"}]}, "producers[0].principal", "comes from its connection"),
    ({"producers": [{"topic": "finance", "listener": "EXTERNAL"}]}, "producers[0].listener", "CLIENT, REPLICATION"),
    ({"producers": [{"topic": "finance", "security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN"}]},
     "producers[0].sasl.jaas.config", "Could not find a 'KafkaClient' entry"),
    ({"producers": [{"topic": "finance", "security.protocol": "SASL_SSL"}]}, "producers[0].sasl.mechanism", "GSSAPI"),
    ({"producers": [{"topic": "finance", "security.protocol": "SSL", "certificate": 7}]}, "producers[0].certificate",
     "subject DN"),
    ({"cluster": {"listeners": "CLIENT://:9094", "listener.security.protocol.map": "CLIENT:SSL"}},
     "cluster.listener.security.protocol.map", "Controller listener with name CONTROLLER"),
])
def test_security_settings_are_checked(change: dict[str, Any], path: str, words: str) -> None:
    s = {**spec("SASL_SSL", {}), **change}
    with pytest.raises(SpecError) as info:
        run_scenario(s, seed=1)
    assert str(info.value).startswith(path) and words in str(info.value)
