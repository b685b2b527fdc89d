"""DescribeConfigs: every config of a topic or broker with its value, source and synonym chain.

Models ``ConfigHelper.describeConfigs`` (``createTopicConfigEntry``, ``createBrokerConfigEntry``,
``configSynonyms``): a value's synonyms are listed highest precedence first, per-broker dynamic
(DYNAMIC_BROKER_CONFIG), cluster-wide dynamic default (DYNAMIC_DEFAULT_BROKER_CONFIG),
server.properties (STATIC_BROKER_CONFIG), Kafka's default (DEFAULT_CONFIG), each over the
config's synonym names; the list then starts at the config's own name (Kafka's ``dropWhile``),
so a topic's ``retention.ms`` shows ``synonyms={}`` until log.retention.ms itself is set
somewhere: log.retention.hours=168 alone is not listed. A topic's own setting
(DYNAMIC_TOPIC_CONFIG) comes first. The source is the first synonym's, DEFAULT_CONFIG if none.
A topic's synonyms leave per-broker dynamic values out: the simulator's topic configs are one
set for the whole cluster (app/sim/log_config.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.configs.registry import ConfigDef
from app.sim.admin.config_model import Config, ConfigEntry, ConfigSource, ConfigSynonym
from app.sim.admin.dynamic_broker import known_broker_configs, read_only
from app.sim.config import config_defs
from app.sim.log_config import TOPIC_CONFIG_SYNONYMS, broker_synonyms, topic_config_names

if TYPE_CHECKING:
    from app.sim.cluster import Cluster

#: ``ConfigDef.Type`` -> ``ConfigEntry.ConfigType``
_TYPES = {"int": "INT", "long": "LONG", "double": "DOUBLE", "boolean": "BOOLEAN", "string": "STRING", "list": "LIST",
          "class": "CLASS", "password": "PASSWORD"}


def to_string(value: Any) -> str | None:
    """``ConfigDef.convertToString``: lists joined with commas, booleans lower case, null stays null."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(to_string(v) or "" for v in value)
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return str(value)


def per_broker_static(cluster: "Cluster", b: int) -> dict[str, Any]:
    """What broker ``b``'s own server.properties holds beyond the cluster's: its rack, and its node.id
    in a KRaft cluster (3.x, 4.0), where it is required."""
    out: dict[str, Any] = dict(cluster.static_configs)
    if cluster.kafka_version != "2.8":
        out["node.id"] = b
    rack = cluster.brokers[b].rack
    if rack is not None:
        out["broker.rack"] = rack
    return out


def config_synonyms(cluster: "Cluster", name: str, broker: int | None, sensitive: bool) -> list[ConfigSynonym]:
    """``ConfigHelper.configSynonyms``: the places ``name`` and its synonyms are set, highest precedence first."""
    names = broker_synonyms(name)
    defaults = {n: d.default_for(cluster.kafka_version) for n, d in known_broker_configs(cluster.kafka_version).items()}
    layers: list[tuple[ConfigSource, dict[str, Any]]] = []
    if broker is not None:
        layers.append((ConfigSource.DYNAMIC_BROKER_CONFIG, cluster.dynamic_configs.get(str(broker), {})))
    layers.append((ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, cluster.dynamic_configs.get("", {})))
    layers.append((ConfigSource.STATIC_BROKER_CONFIG,
                   per_broker_static(cluster, broker) if broker is not None else cluster.static_configs))
    layers.append((ConfigSource.DEFAULT_CONFIG, defaults))
    out = []
    for source, layer in layers:
        for n in names:
            value = layer.get(n)
            if value is not None:
                out.append(ConfigSynonym(n, None if sensitive else to_string(value), source))
    while out and out[0].name != name:  # dropWhile: e.g. listener overrides of another name
        out.pop(0)
    return out


def topic_config(cluster: "Cluster", overrides: dict[str, Any], values: dict[str, Any], include_synonyms: bool = True) -> Config:
    """``createTopicConfigEntry`` for every topic config, given the topic's own settings and values in force."""
    defs = config_defs("topic", cluster.kafka_version)
    entries = []
    for name in sorted(set(topic_config_names(cluster.kafka_version)) | set(overrides)):
        d = defs.get(name)
        sensitive = d is not None and d.type == "password"
        value = None if sensitive else to_string(values.get(name, overrides.get(name)))
        synonyms = []
        if name in overrides:
            synonyms.append(ConfigSynonym(name, value, ConfigSource.DYNAMIC_TOPIC_CONFIG))
        if name in TOPIC_CONFIG_SYNONYMS:
            synonyms += config_synonyms(cluster, TOPIC_CONFIG_SYNONYMS[name][0][0], None, sensitive)
        entries.append(_entry(name, value, synonyms, d, sensitive, False, include_synonyms))
    return Config(entries)


def broker_config(cluster: "Cluster", broker: int, include_synonyms: bool = True) -> Config:
    """``createBrokerConfigEntry`` for broker ``broker``: every broker config, its value in force there."""
    defs = known_broker_configs(cluster.kafka_version)
    names = set(defs) | set(cluster.dynamic_configs.get("", {})) | set(cluster.dynamic_configs.get(str(broker), {}))
    names |= set(per_broker_static(cluster, broker))
    entries = []
    for name in sorted(names):
        d = defs.get(name)
        sensitive = d is not None and d.type == "password"
        synonyms = config_synonyms(cluster, name, broker, sensitive)
        value = synonyms[0].value if synonyms and synonyms[0].name == name else None
        entries.append(_entry(name, value, synonyms, d, sensitive, read_only(name), include_synonyms))
    return Config(entries)


def default_broker_config(cluster: "Cluster", include_synonyms: bool = True) -> Config:
    """The cluster-wide default entity (broker ""): only what is set there, with synonyms of that source alone."""
    defs = known_broker_configs(cluster.kafka_version)
    entries = []
    for name, value in sorted(cluster.dynamic_configs.get("", {}).items()):
        d = defs.get(name)
        sensitive = d is not None and d.type == "password"
        synonyms = [s for s in config_synonyms(cluster, name, None, sensitive)
                    if s.source is ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG]
        entries.append(_entry(name, None if sensitive else value, synonyms, d, sensitive, read_only(name), include_synonyms))
    return Config(entries)


def _entry(name: str, value: str | None, synonyms: list[ConfigSynonym], d: ConfigDef | None, sensitive: bool,
           is_read_only: bool, include_synonyms: bool) -> ConfigEntry:
    source = synonyms[0].source if synonyms else ConfigSource.DEFAULT_CONFIG
    return ConfigEntry(name, value, source, sensitive, is_read_only, synonyms if include_synonyms else [],
                       _TYPES.get(d.type, "UNKNOWN") if d is not None else "UNKNOWN")
