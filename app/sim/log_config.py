"""A topic's configs in force: its own setting, else the broker's default for it, else Kafka's default.

Models ``LogConfig.fromProps(KafkaConfig.extractLogConfigMap, topicOverrides)`` with the synonym
table of ``ServerTopicConfigSynonyms`` (a topic's ``retention.ms`` defaults to the broker's
``log.retention.ms``, then ``log.retention.minutes``, then ``log.retention.hours``). The broker
side has layers, highest first (``DynamicBrokerConfig``): the cluster-wide dynamic default (the
``""`` broker entity), server.properties (a spec's ``cluster`` section), Kafka's default.
A per-broker dynamic log config is left out of a topic's values: the simulator keeps one set of
configs per topic, which every broker reads.

The configs dict a topic holds is what brokers read on every request, so a change is written
into that very dict (``refresh``): a new dynamic default reaches every topic that does not set
the key itself at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.sim.config import TOPIC_CONFIG_SYNONYMS, config_defs

if TYPE_CHECKING:
    from app.sim.cluster import Cluster
    from app.sim.topic import Topic

HOURS, MINUTES = 3_600_000, 60_000

#: ``ServerTopicConfigSynonyms.ALL_TOPIC_CONFIG_SYNONYMS`` is app/sim/config.py's TOPIC_CONFIG_SYNONYMS.

#: Every topic config Kafka's LogConfig defines (``TopicConfig``): a name outside this set is
#: "Unknown topic config name"; one the simulator does not model is kept as given and changes nothing.
KAFKA_TOPIC_CONFIGS = frozenset(TOPIC_CONFIG_SYNONYMS) | {"remote.storage.enable", "remote.log.copy.disable",
                                                            "remote.log.delete.on.disable"}


def broker_synonyms(name: str) -> list[str]:
    """``DynamicBrokerConfig.brokerConfigSynonyms``: the broker configs that set the same thing."""
    for synonyms in (("log.roll.ms", "log.roll.hours"), ("log.roll.jitter.ms", "log.roll.jitter.hours"),
                     ("log.flush.interval.ms", "log.flush.scheduler.interval.ms"),
                     ("log.retention.ms", "log.retention.minutes", "log.retention.hours")):
        if name in synonyms:
            return list(synonyms)
    return [name]


def topic_config_names(version: str) -> list[str]:
    """The topic configs the simulator models in ``version`` (creation flags left out)."""
    return [n for n, d in config_defs("topic", version).items() if not d.creation_only]


def broker_default(cluster: "Cluster", name: str) -> Any:
    """The value a topic that does not set ``name`` takes from the brokers, or None when no broker
    config covers it: the cluster-wide dynamic default, else server.properties, else Kafka's default,
    trying the synonyms in order (log.retention.ms before log.retention.minutes before .hours)."""
    synonyms = TOPIC_CONFIG_SYNONYMS.get(name, ())
    defs = config_defs("broker", cluster.kafka_version)
    layers = (cluster.dynamic_configs.get("", {}), cluster.static_configs)
    for layer in layers:
        for broker_name, factor in synonyms:
            if broker_name in layer and broker_name in defs:
                return _scaled(defs[broker_name].parse(layer[broker_name]), factor)
    for broker_name, factor in synonyms:
        d = defs.get(broker_name)
        if d is not None and d.default_for(cluster.kafka_version) is not None:
            return _scaled(d.default_for(cluster.kafka_version), factor)
    return None


def _scaled(value: Any, factor: int) -> Any:
    return value * factor if factor != 1 and isinstance(value, int) and value >= 0 else value


def value_in_force(cluster: "Cluster", name: str, overrides: dict[str, Any]) -> Any:
    """A topic config's value in force: the topic's own, else the brokers', else the topic default."""
    if name in overrides:
        return overrides[name]
    value = broker_default(cluster, name)
    if value is None:
        d = config_defs("topic", cluster.kafka_version).get(name)
        value = d.default_for(cluster.kafka_version) if d is not None else None
    return value


def refresh(cluster: "Cluster", topic: "Topic") -> list[str]:
    """Write the values in force into the topic's own configs dict (brokers read that dict); the
    names whose value changed."""
    changed = []
    cfg = topic.configs
    for name in topic_config_names(cluster.kafka_version):
        value = value_in_force(cluster, name, topic.overrides)
        if cfg.get(name) != value:
            cfg[name] = value
            changed.append(name)
    for name, value in topic.overrides.items():  # a Kafka config the simulator does not model: kept as given
        if name not in cfg:
            cfg[name] = value
    for name in [n for n in cfg if n not in topic.overrides and n in KAFKA_TOPIC_CONFIGS
                 and n not in config_defs("topic", cluster.kafka_version)]:
        del cfg[name]  # an unmodelled override removed
    return changed
