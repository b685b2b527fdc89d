"""Validation reads like Kafka's ConfigException: key, value and the valid range."""

from __future__ import annotations

import pytest

from app.configs import ConfigException, registry

REGISTRY = registry()


def _error(scope: str, name: str, value: object) -> str:
    with pytest.raises(ConfigException) as info:
        REGISTRY.get(scope, name).parse(value)
    assert info.value.name == name
    return str(info.value)


def test_below_minimum() -> None:
    assert _error("producer", "linger.ms", -1) == "Invalid value -1 for configuration linger.ms: Value must be at least 0"


def test_above_maximum() -> None:
    assert _error("producer", "compression.lz4.level", 18) == (
        "Invalid value 18 for configuration compression.lz4.level: Value must be no more than 17"
    )


def test_value_not_in_list() -> None:
    assert _error("producer", "acks", "2") == "Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1"


def test_not_a_number_names_the_range() -> None:
    assert _error("producer", "batch.size", "abc") == (
        "Invalid value abc for configuration batch.size: Not a number of type INT (valid values: [0,...])"
    )


def test_not_a_boolean() -> None:
    assert _error("producer", "enable.idempotence", "yes") == (
        "Invalid value yes for configuration enable.idempotence: Expected value to be either true or false"
    )


def test_int_overflow() -> None:
    assert "Not a number of type INT" in _error("producer", "batch.size", 2**31)


def test_gzip_level_zero_is_refused_but_minus_one_is_not() -> None:
    gzip = REGISTRY.get("producer", "compression.gzip.level")
    assert gzip.parse(-1) == -1
    assert gzip.parse("9") == 9
    assert "Value must be one of: -1, 1, 2" in _error("producer", "compression.gzip.level", 0)


def test_list_values_are_checked_one_by_one() -> None:
    policy = REGISTRY.get("topic", "cleanup.policy")
    assert policy.parse("compact, delete") == ["compact", "delete"]
    assert _error("topic", "cleanup.policy", "compact,shred") == (
        "Invalid value compact,shred for configuration cleanup.policy: String must be one of: compact, delete"
    )


def test_null_only_where_the_default_is_null() -> None:
    assert REGISTRY.get("producer", "transactional.id").parse(None) is None
    assert "Value must be non-null" in _error("producer", "batch.size", None)


def test_strings_are_converted_like_properties_files() -> None:
    assert REGISTRY.get("producer", "linger.ms").parse(" 20 ") == 20
    assert REGISTRY.get("producer", "enable.idempotence").parse("FALSE") is False
    assert REGISTRY.get("broker", "process.roles").parse("broker,controller") == ["broker", "controller"]


def test_validate_refuses_unknown_keys_naming_them() -> None:
    with pytest.raises(ConfigException) as info:
        REGISTRY.validate("producer", {"linger.ms": 10, "lingr.ms": 10})
    message = str(info.value)
    assert message.startswith("Invalid value 10 for configuration lingr.ms: Unknown producer config")
    assert "linger.ms" in message  # the known names are listed, so the typo is easy to spot


def test_validate_refuses_a_config_of_another_scope() -> None:
    with pytest.raises(ConfigException, match="configuration retention.ms: Unknown producer config"):
        REGISTRY.validate("producer", {"retention.ms": 1000})


def test_validate_refuses_a_config_the_version_lacks() -> None:
    with pytest.raises(ConfigException, match="zookeeper.connect: Not a broker config in Kafka 4.0; it exists in 2.8, 3.x"):
        REGISTRY.validate("broker", {"zookeeper.connect": "localhost:2181"}, version="4.0")
    resolved = REGISTRY.validate("broker", {"zookeeper.connect": "localhost:2181"}, version="2.8")
    assert resolved["zookeeper.connect"] == "localhost:2181"
    assert "zookeeper.connect" not in REGISTRY.validate("broker", {})
    assert "retry.backoff.max.ms" not in REGISTRY.validate("producer", {}, version="2.8")


def test_validate_overlays_parsed_values_on_the_version_defaults() -> None:
    resolved = REGISTRY.validate("producer", {"linger.ms": "20"}, version="2.8")
    assert resolved["linger.ms"] == 20
    assert resolved["acks"] == "1"
    assert resolved["batch.size"] == 16384


def test_validate_refuses_unknown_versions() -> None:
    with pytest.raises(ValueError, match="Unknown Kafka version '5.0'"):
        REGISTRY.validate("producer", {}, version="5.0")
