"""Bad specs and bad config values: clear messages naming the path, the value and the range."""

from __future__ import annotations

import pytest

from app.configs import ConfigException
from app.sim import SpecError, parse_spec, run_scenario
from app.sim.config import resolve_producer


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"topic": {"partitions": "six"}}, "topic.partitions: must be an integer >= 1, got 'six'"),
        ({"topic": {"partitions": 0}}, "topic.partitions: must be an integer >= 1, got 0"),
        ({"kafka_version": "5.0"}, "kafka_version: must be one of '2.8', '3.x', '4.0', got '5.0'"),
        ({"cluster": {"brokers": 2}, "topic": {"replication.factor": 3}},
         "topic.replication.factor: Unable to replicate the partition 3 time(s): The target replication factor of 3 "
         "cannot be reached because only 2 broker(s) are registered."),
        ({"workload": {"value": "xml"}}, "workload.value: must be one of json, logs, random, text, got 'xml'"),
        ({"workload": {"records_per_sec": -5}}, "workload.records_per_sec: must be a number >= 0, got -5"),
        ({"faults": [{"at_ms": 10, "kill_broker": 7}]}, "faults[0].kill_broker: must be a broker id from 0 to 2, got 7"),
        ({"faults": [{"at_ms": 10}]}, "faults[0]: must have exactly one action of:"),
        ({"duraton_ms": 5}, "duraton_ms: unknown key; expected one of:"),
        ({"producer": {"partitioner": "random"}},
         "producer.partitioner: must be one of 'round-robin', 'sticky', 'uniform-sticky', got 'random'"),
    ],
)
def test_bad_spec_values_name_the_path(change, message):
    spec = {"cluster": {"brokers": 3}, "topic": {"partitions": 3}}
    for key, value in change.items():
        spec[key] = {**spec[key], **value} if isinstance(value, dict) and isinstance(spec.get(key), dict) else value
    with pytest.raises(SpecError) as err:
        parse_spec(spec)
    assert str(err.value).startswith(message)


@pytest.mark.parametrize(
    ("producer", "path", "fragment"),
    [
        ({"linger.ms": -1}, "producer.linger.ms", "Invalid value -1 for configuration linger.ms: Value must be at least 0"),
        ({"acks": "2"}, "producer.acks", "acks"),
        ({"compression.type": "brotli"}, "producer.compression.type", "brotli"),
        ({"lingerms": 5}, "producer.lingerms", "Unknown producer config"),
        ({"acks": "1", "enable.idempotence": True}, "producer.acks",
         "Must set acks to all in order to use the idempotent producer"),
        ({"retries": 0, "enable.idempotence": True}, "producer.retries", "Must set retries to non-zero"),
        ({"max.in.flight.requests.per.connection": 6}, "producer.max.in.flight.requests.per.connection",
         "must be set to at most 5. Current value is 6."),
        ({"delivery.timeout.ms": 1000, "request.timeout.ms": 30000}, "producer.delivery.timeout.ms",
         "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms"),
    ],
)
def test_bad_config_values_are_config_exceptions_named_by_path(producer, path, fragment):
    with pytest.raises(SpecError) as err:
        run_scenario({"producer": producer})
    assert err.value.path == path
    assert fragment in str(err.value)
    assert isinstance(err.value.__cause__, ConfigException)


def test_topic_and_broker_configs_are_checked_too():
    with pytest.raises(SpecError, match=r"^topic\.min\.insync\.replicas: Invalid value 0"):
        parse_spec({"topic": {"min.insync.replicas": 0}})
    with pytest.raises(SpecError, match=r"^cluster\.num\.io\.threads: Invalid value 0"):
        parse_spec({"cluster": {"num.io.threads": 0}})


def test_idempotence_is_silently_disabled_when_only_defaulted():
    # Kafka 3.0+: enable.idempotence defaults to true; acks=1 or retries=0 quietly turn it off.
    assert resolve_producer({"acks": "1"}, "4.0")["enable.idempotence"] is False
    assert resolve_producer({"retries": 0}, "4.0")["enable.idempotence"] is False
    assert resolve_producer({}, "4.0")["enable.idempotence"] is True
    assert resolve_producer({}, "2.8")["enable.idempotence"] is False


def test_defaulted_delivery_timeout_is_raised_silently():
    cfg = resolve_producer({"request.timeout.ms": 200000}, "4.0")
    assert cfg["delivery.timeout.ms"] == 200005


def test_version_defaults():
    assert resolve_producer({}, "2.8")["acks"] == 1
    assert resolve_producer({}, "3.x")["acks"] == -1
    assert resolve_producer({}, "3.x")["linger.ms"] == 0
    assert resolve_producer({}, "4.0")["linger.ms"] == 5


def test_spec_errors_are_not_tracebacks_from_deep_inside():
    with pytest.raises(SpecError):
        run_scenario("not a dict")
    with pytest.raises(SpecError, match=r"^topic: must be an object"):
        run_scenario({"topic": 3})
