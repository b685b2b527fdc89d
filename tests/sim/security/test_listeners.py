"""Listener configs as KafkaConfig checks them, and mismatched clients as both ends see them."""

from __future__ import annotations

import pytest

from app.sim.security.connection import connect
from app.sim.security.listeners import ListenerConfigError, parse_listeners

MAP = {"listener.security.protocol.map": "SSL:SSL,CONTROLLER:PLAINTEXT"}
BASE = {"controller.listener.names": "CONTROLLER", "listener.security.protocol.map":
        "CONTROLLER:PLAINTEXT,INTERNAL:SASL_SSL,EXTERNAL:SSL,PLAINTEXT:PLAINTEXT"}


def test_defaults() -> None:
    cfg = parse_listeners({})
    assert [e.connection_string() for e in cfg.listeners] == ["PLAINTEXT://:9092"]
    assert cfg.inter_broker_listener == "PLAINTEXT" and cfg.protocol_map["CONTROLLER"] == "PLAINTEXT"


def test_named_listeners() -> None:
    cfg = parse_listeners(BASE | {"listeners": "INTERNAL://:9093,EXTERNAL://broker1.example.com:9094",
                                  "inter.broker.listener.name": "internal"})
    assert cfg.inter_broker_listener == "INTERNAL" and cfg.inter_broker_protocol == "SASL_SSL"
    external = cfg.listener("EXTERNAL")
    assert external.uses_tls and not external.uses_sasl and external.config_prefix == "listener.name.external."


@pytest.mark.parametrize("config, kind, message", [
    ({"listeners": "FOO://:9092"}, "IllegalArgumentException",
     "Error creating broker listeners from 'FOO://:9092': No security protocol defined for listener FOO"),
    ({"listeners": "PLAINTEXT:9092"}, "IllegalArgumentException",
     "Error creating broker listeners from 'PLAINTEXT:9092': Unable to parse PLAINTEXT:9092 to a broker endpoint"),
    ({"listeners": "PLAINTEXT://:9092,SSL://:9092"}, "IllegalArgumentException",
     "requirement failed: Each listener must have a different port, listeners: PLAINTEXT://:9092,SSL://:9092"),
    ({"listeners": "PLAINTEXT://:9092,PLAINTEXT://:9093"}, "IllegalArgumentException",
     "requirement failed: Each listener must have a different name"),
    ({"listener.security.protocol.map": "INTERNAL:TLS", "listeners": "INTERNAL://:9093"}, "ConfigException",
     "Invalid security protocol `TLS` defined in listener.security.protocol.map"),
    ({"listeners": "SSL://:9093", "inter.broker.listener.name": "SSL", "security.inter.broker.protocol": "SSL"} | MAP,
     "ConfigException", "Only one of inter.broker.listener.name and security.inter.broker.protocol should be set."),
    ({"listeners": "SSL://:9093", "inter.broker.listener.name": "REPLICATION",
      "listener.security.protocol.map": "SSL:SSL,CONTROLLER:PLAINTEXT"}, "ConfigException",
     "Listener with name REPLICATION defined in inter.broker.listener.name not found in "
     "listener.security.protocol.map."),
    ({"listeners": "SSL://:9093"} | MAP, "IllegalArgumentException",
     "requirement failed: inter.broker.listener.name must be a listener name defined in advertised.listeners. "
     "The valid options based on currently configured listeners are SSL"),
    ({"listeners": "SSL://:9093", "security.inter.broker.protocol": "SSL", "advertised.listeners": "SSL://0.0.0.0:9093"} | MAP,
     "IllegalArgumentException", "advertised.listeners cannot use the nonroutable meta-address 0.0.0.0"),
    ({"listeners": "PLAINTEXT://:9092,CONTROLLER://:9093"}, "IllegalArgumentException",
     "controller.listener.names must not contain a value appearing in the 'listeners' configuration"),
    ({"security.inter.broker.protocol": "TLS"}, "ConfigException",
     "Invalid security protocol `TLS` defined in security.inter.broker.protocol"),
])
def test_kafka_config_errors(config: dict[str, str], kind: str, message: str) -> None:
    with pytest.raises(ListenerConfigError) as info:
        parse_listeners(config)
    assert info.value.kind == kind
    assert message in str(info.value)


def test_ssl_in_listeners_drops_the_implicit_controller_mapping() -> None:
    # With SSL in use and no explicit map, CONTROLLER gets no implicit PLAINTEXT mapping (effectiveListenerSecurityProtocolMap).
    with pytest.raises(ListenerConfigError, match="Controller listener with name CONTROLLER defined in "
                                                  "controller.listener.names not found"):
        parse_listeners({"listeners": "SSL://:9093", "security.inter.broker.protocol": "SSL"})


def test_matching_protocols_connect() -> None:
    out = connect("SASL_SSL", "SASL_SSL", client_mechanism="SCRAM-SHA-512", enabled_mechanisms=["SCRAM-SHA-512"])
    assert out.ok and out.steps[0] == "TLS handshake"


def test_wrong_mechanism() -> None:
    out = connect("SASL_SSL", "SASL_SSL", client_mechanism="PLAIN", enabled_mechanisms=["SCRAM-SHA-256", "SCRAM-SHA-512"])
    assert not out.ok and out.error_code == 33
    assert out.client_exception == "UnsupportedSaslMechanismException"
    assert out.client_message == ("Client SASL mechanism 'PLAIN' not enabled in the server, enabled mechanisms are "
                                  "[SCRAM-SHA-256, SCRAM-SHA-512]")
    assert out.client_log == ("ERROR Connection to node -1 (localhost/127.0.0.1:9092) failed authentication due to: "
                              + out.client_message)


def test_sasl_client_to_plaintext_listener() -> None:
    out = connect("SASL_PLAINTEXT", "PLAINTEXT", client_mechanism="PLAIN")
    assert out.error_code == 34 and out.client_exception == "IllegalSaslStateException"
    assert out.client_message == "Unexpected handshake request with client mechanism PLAIN, enabled mechanisms are []"


def test_plaintext_client_to_ssl_listener() -> None:
    out = connect("PLAINTEXT", "SSL", port=9093)
    assert not out.ok and out.retries and out.client_exception is None
    assert out.broker_log is not None and out.broker_log.endswith("(SSL handshake failed)")
    assert out.client_log == "WARN Bootstrap broker localhost:9093 (id: -1 rack: null) disconnected"
    assert any("352518912 bytes" in s for s in out.steps)


def test_plaintext_client_to_sasl_listener() -> None:
    out = connect("PLAINTEXT", "SASL_PLAINTEXT")
    assert out.broker_log is not None and "Unexpected Kafka request of type METADATA during SASL handshake." in \
        out.broker_log


def test_tls_client_to_sasl_plaintext_listener_hits_the_sasl_receive_limit() -> None:
    hello = bytes.fromhex("16030102") + bytes(10)
    out = connect("SASL_SSL", "SASL_PLAINTEXT", client_hello=hello)
    assert "Invalid receive (size = 369295618 larger than 524288)" in " ".join(out.steps)
    assert out.broker_log is not None and "Failing SASL authentication due to invalid receive size" in out.broker_log


def test_unknown_protocol() -> None:
    with pytest.raises(ValueError, match="security.protocol: unknown value 'TLS'; valid values are PLAINTEXT, SSL"):
        connect("TLS", "SSL")
