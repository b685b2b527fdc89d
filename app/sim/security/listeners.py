"""Broker listener configs, parsed and checked as KafkaConfig checks them (Kafka 4.0, KRaft).

``listeners`` (``NAME://host:port`` a listener, default ``PLAINTEXT://:9092``),
``advertised.listeners``, ``listener.security.protocol.map`` (default: each protocol maps
to itself), ``inter.broker.listener.name`` or ``security.inter.broker.protocol`` (default
PLAINTEXT), ``controller.listener.names``. Errors carry Kafka's text: ConfigException
messages as KafkaConfig writes them, Scala ``require`` failures as
``requirement failed: ...``, and listener parse errors as CoreUtils.listenerListToEndPoints
wraps them (SocketServerConfigs.listenerListToEndPoints, Csv.parseCsvMap).

Models a KRaft broker (``process.roles=broker``) and a combined node
(``broker,controller``); leaves out ZooKeeper mode, control.plane.listener.name and the
IPv4/IPv6 same-port exception.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["SECURITY_PROTOCOLS", "Endpoint", "BrokerListeners", "ListenerConfigError", "parse_listeners",
           "DEFAULT_PROTOCOL_MAP"]

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
# SocketServerConfigs.LISTENER_SECURITY_PROTOCOL_MAP_DEFAULT, in the order Kafka's docs print it.
DEFAULT_PROTOCOL_MAP = "SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT"
_URI = re.compile(r"^(.*)://\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)")  # SocketServerConfigs.URI_PARSE_REGEXP


class ListenerConfigError(ValueError):
    """A config the broker refuses at start-up; ``kind`` is the Java exception Kafka throws."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


def _config_error(message: str) -> ListenerConfigError:
    return ListenerConfigError("ConfigException", message)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ListenerConfigError("IllegalArgumentException", "requirement failed: " + message)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One listener (EndPoint): name, security protocol, host (None: all interfaces), port."""

    name: str
    security_protocol: str
    host: str | None
    port: int

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def config_prefix(self) -> str:
        """ListenerName.configPrefix: per-listener overrides, e.g. ``listener.name.external.ssl.keystore.location``."""
        return f"listener.name.{self.name.lower()}."

    def connection_string(self) -> str:
        host = "" if self.host is None else (f"[{self.host}]" if ":" in self.host else self.host)
        return f"{self.name}://{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class BrokerListeners:
    listeners: tuple[Endpoint, ...]
    advertised: tuple[Endpoint, ...]
    protocol_map: dict[str, str]
    inter_broker_listener: str
    inter_broker_protocol: str
    controller_listener_names: tuple[str, ...]

    def listener(self, name: str) -> Endpoint:
        for ep in self.listeners:
            if ep.name == name.upper():
                return ep
        raise KeyError(name)


def _csv_list(value: str) -> list[str]:
    """Csv.parseCsvList: split on commas with surrounding blanks, drop empty items."""
    return [v for v in re.split(r"\s*,\s*", value) if v] if value else []


def _protocol_map(value: str) -> dict[str, str]:
    """Csv.parseCsvMap then getSecurityProtocol for each value; keys normalised to upper case."""
    result: dict[str, str] = {}
    if not value:
        return result
    for pair in re.split(r"\s*,\s*", value):
        if ":" not in pair:
            # Java's substring(0, -1) fails with StringIndexOutOfBoundsException; KafkaConfig.getMap wraps it.
            raise ListenerConfigError(
                "IllegalArgumentException", f"Error parsing configuration property 'listener.security.protocol.map': "
                f"begin 0, end -1, length {len(pair)}")
        key, protocol = pair[: pair.rindex(":")].strip(), pair[pair.rindex(":") + 1:].strip()
        result[_normalised(key)] = _security_protocol(protocol, "listener.security.protocol.map")
    return result


def _normalised(name: str) -> str:
    if not name.strip():
        raise _config_error("The provided listener name is null or empty string")
    return name.upper()


def _security_protocol(name: str, config: str) -> str:
    if name.upper() not in SECURITY_PROTOCOLS:
        raise _config_error(f"Invalid security protocol `{name}` defined in {config}")
    return name.upper()


def _endpoints(value: str, protocol_map: Mapping[str, str], distinct_ports: bool) -> tuple[Endpoint, ...]:
    """CoreUtils.listenerListToEndPoints (SocketServerConfigs.listenerListToEndPoints + its checks)."""
    endpoints = []
    for entry in _csv_list(value.strip()):
        m = _URI.match(entry)
        if m is None:
            raise ListenerConfigError("IllegalArgumentException", f"Error creating broker listeners from '{value}': "
                                      f"Unable to parse {entry} to a broker endpoint")
        name = _normalised(m.group(1))
        if name not in protocol_map:
            raise ListenerConfigError("IllegalArgumentException", f"Error creating broker listeners from '{value}': "
                                      f"No security protocol defined for listener {name}")
        endpoints.append(Endpoint(name, protocol_map[name], m.group(2) or None, int(m.group(3))))
    _require(len({e.name for e in endpoints}) == len(endpoints),
             f"Each listener must have a different name, listeners: {value}")
    if distinct_ports:
        ports = [e.port for e in endpoints if e.port != 0]
        _require(len(set(ports)) == len(ports), f"Each listener must have a different port, listeners: {value}")
    return tuple(endpoints)


def parse_listeners(config: Mapping[str, str], process_roles: str = "broker") -> BrokerListeners:
    """The broker's listeners from its configs; ListenerConfigError with Kafka's message if it would not start."""
    if process_roles not in ("broker", "broker,controller"):
        raise ValueError(f"process_roles: unknown value {process_roles!r}; valid values are broker, broker,controller")
    listeners_value = config.get("listeners", "PLAINTEXT://:9092")
    controller_names = tuple(config.get("controller.listener.names", "CONTROLLER").split(",")) \
        if config.get("controller.listener.names", "CONTROLLER") else ()
    protocol_map = _protocol_map(config.get("listener.security.protocol.map", DEFAULT_PROTOCOL_MAP))
    if "listener.security.protocol.map" not in config:
        # KafkaConfig.effectiveListenerSecurityProtocolMap: with the default map and no SSL or SASL anywhere,
        # controller listeners are taken to be PLAINTEXT.
        names = [entry.split(":", 1)[0].upper() for entry in _csv_list(listeners_value) if ":" in entry]
        if not any(n in ("SSL", "SASL_SSL", "SASL_PLAINTEXT") for n in [*names, *controller_names]):
            protocol_map |= {n: "PLAINTEXT" for n in controller_names if n != "PLAINTEXT"}
    listeners = _endpoints(listeners_value, protocol_map, distinct_ports=True)
    advertised = (_endpoints(config["advertised.listeners"], protocol_map, distinct_ports=False)
                  if config.get("advertised.listeners") else listeners)
    listener_names = {e.name for e in listeners}
    if process_roles == "broker":
        _require(bool(controller_names), "controller.listener.names must contain at least one value when running "
                 "KRaft with just the broker role")
        _require(not any(n in listener_names for n in controller_names),
                 "controller.listener.names must not contain a value appearing in the 'listeners' configuration "
                 "when running KRaft with just the broker role")
        for name in controller_names:
            if _normalised(name) not in protocol_map:
                raise _config_error(
                    f"Controller listener with name {name.upper()} defined in controller.listener.names not found in "
                    "listener.security.protocol.map  (an explicit security mapping for each controller listener is "
                    "required if listener.security.protocol.map is non-empty, or if there are security protocols "
                    "other than PLAINTEXT in use)")
    else:
        _require(all(n in listener_names for n in controller_names), "controller.listener.names must only contain "
                 "values appearing in the 'listeners' configuration when running the KRaft controller role")
    inter_name, inter_protocol = _inter_broker(config, protocol_map)
    broker_advertised = [e for e in advertised if e.name not in controller_names]
    advertised_names = {e.name for e in broker_advertised}
    _require(bool(broker_advertised), "There must be at least one broker advertised listener. Perhaps all listeners "
             "appear in controller.listener.names?")
    _require(inter_name in advertised_names, "inter.broker.listener.name must be a listener name defined in "
             "advertised.listeners. The valid options based on currently configured listeners are "
             + ",".join(e.name for e in broker_advertised))
    _require(advertised_names <= listener_names, "advertised.listeners listener names must be equal to or a subset "
             f"of the ones defined in listeners. Found {','.join(e.name for e in broker_advertised)}. The valid "
             f"options based on the current configuration are {','.join(e.name for e in listeners)}")
    _require(not any(e.host == "0.0.0.0" for e in advertised), "advertised.listeners cannot use the nonroutable "
             "meta-address 0.0.0.0. Use a routable IP address.")
    return BrokerListeners(listeners, advertised, protocol_map, inter_name, inter_protocol, controller_names)


def _inter_broker(config: Mapping[str, str], protocol_map: Mapping[str, str]) -> tuple[str, str]:
    """KafkaConfig.getInterBrokerListenerNameAndSecurityProtocol."""
    name = config.get("inter.broker.listener.name")
    if name is not None:
        if "security.inter.broker.protocol" in config:
            raise _config_error("Only one of inter.broker.listener.name and security.inter.broker.protocol "
                                "should be set.")
        listener = _normalised(name)
        if listener not in protocol_map:
            raise _config_error(f"Listener with name {listener} defined in inter.broker.listener.name not found in "
                                "listener.security.protocol.map.")
        return listener, protocol_map[listener]
    protocol = _security_protocol(config.get("security.inter.broker.protocol", "PLAINTEXT"),
                                  "security.inter.broker.protocol")
    return protocol, protocol
