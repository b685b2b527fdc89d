"""IncrementalAlterConfigs (KIP-339): SET, DELETE, APPEND and SUBTRACT on topic and broker configs,
checked as Kafka checks them and in force at once.

Models the KRaft path (3.x, 4.0): ``ConfigAdminManager.preprocess`` on the broker (duplicate keys,
null values, ``DynamicBrokerConfig`` for broker resources, every ConfigException turned into an
InvalidRequestException) and ``ConfigurationControlManager.incrementalAlterConfigResource`` with
``ControllerConfigurationValidator`` on the controller (topic names, ``LogConfig.validate``,
then the resource's existence). A 2.8 cluster (``ZkAdminManager.incrementalAlterConfigs``)
checks a topic's existence first and words a refused value "Invalid config value for resource
ConfigResource(type=TOPIC, name='t'): ...".

In force at once: a topic's settings are written into the configs dict its brokers read
(app/sim/log_config.py); a broker default ("" entity) reaches every topic that does not set the
key itself; num.io.threads resizes the brokers' handler pools; with ELR on, a change of
min.insync.replicas clears the ELR (of the topic, or of every partition for the default).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.configs import ConfigException
from app.sim import log_config
from app.sim.admin.assignments import zookeeper
from app.sim.admin.config_model import AlterConfigOp, ConfigResource, ConfigResourceType, OpType
from app.sim.admin.describe_configs import to_string
from app.sim.admin.dynamic_broker import DynamicConfigError, check_change, known_broker_configs
from app.sim.admin.errors import (
    InvalidConfigurationException, InvalidRequestException, InvalidTopicException, UnknownTopicOrPartitionException,
    kafka_message,
)
from app.sim.admin.future import Results, each
from app.sim.admin.nodes import node_for
from app.sim.config import config_defs
from app.sim.topic import topic_name_problem

if TYPE_CHECKING:
    from app.sim.cluster import Cluster


def resource_str(resource: ConfigResource) -> str:
    """Java's ``ConfigResource.toString``."""
    return f"ConfigResource(type={resource.type.name}, name='{resource.name}')"


def parse_topic_configs(cluster: "Cluster", configs: dict[str, Any]) -> dict[str, Any]:
    """``LogConfig.validate``: every name a topic config, then every value valid; the values parsed
    (a Kafka topic config the simulator does not model is kept as given). Raises
    InvalidConfigurationException, or ConfigException for a bad value (the caller words it)."""
    defs = config_defs("topic", cluster.kafka_version)
    for name in configs:
        d = defs.get(name)
        if (d is None or d.creation_only) and name not in log_config.KAFKA_TOPIC_CONFIGS:
            raise InvalidConfigurationException(f"Unknown topic config name: {name}")
    return {name: defs[name].parse(value) if name in defs else value for name, value in configs.items()}


def incremental_alter_configs(cluster: "Cluster", changes: dict[ConfigResource, list[AlterConfigOp]],
                              validate_only: bool = False) -> Results[ConfigResource, None]:
    return each(changes.items(), lambda resource, ops: _alter(cluster, resource, list(ops), validate_only))


def _alter(cluster: "Cluster", resource: ConfigResource, ops: list[AlterConfigOp], validate_only: bool) -> None:
    zk = zookeeper(cluster)
    if resource.type is ConfigResourceType.BROKER and resource.name:
        node_for(cluster, resource.name, "incrementalAlterConfigs")
    names = [op.name for op in ops]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InvalidRequestException("Error due to duplicate config keys" + (f" : {','.join(duplicates)}" if zk else ""))
    nulls = [op for op in ops if op.value is None and op.op_type is not OpType.DELETE]
    if nulls:
        shown = ",".join(f"{op.op_type.name}:{op.name}" for op in nulls) if zk else ", ".join(op.name for op in nulls)
        raise InvalidRequestException(f"Null value not supported for : {shown}")
    if resource.type is ConfigResourceType.TOPIC:
        _alter_topic(cluster, resource, ops, validate_only)
    else:
        _alter_broker(cluster, resource, ops, validate_only)


def _apply(ops: list[AlterConfigOp], current: dict[str, Any], is_list: Any, default_of: Any, zk: bool,
           refuse: Any) -> dict[str, Any]:
    """The settings after ``ops`` (``prepareIncrementalConfigs`` / ``incrementalAlterConfigResource``)."""
    new = dict(current)
    for op in ops:
        if op.op_type is OpType.SET:
            new[op.name] = op.value
        elif op.op_type is OpType.DELETE:
            new.pop(op.name, None)
        else:
            if not is_list(op.name):
                refuse(op)
            old = to_string(new[op.name]) if op.name in new else to_string(default_of(op.name))
            parts = [p for p in (old or "").split(",") if p or zk]
            values = str(op.value).split(",")
            if op.op_type is OpType.APPEND:
                parts += values if zk else [v for v in values if v not in parts]
            else:
                parts = [p for p in parts if p not in values]
            new[op.name] = ",".join(parts)
    return new


def _alter_topic(cluster: "Cluster", resource: ConfigResource, ops: list[AlterConfigOp], validate_only: bool) -> None:
    zk = zookeeper(cluster)
    defs = config_defs("topic", cluster.kafka_version)
    topic = cluster.controller.topics.get(resource.name)

    def refuse(op: AlterConfigOp) -> None:
        if zk:
            if op.name not in defs:
                raise InvalidConfigurationException(f"Unknown topic config name: {op.name}")
            raise InvalidRequestException(f"Config value {op.op_type.name.lower()} is not allowed for config key: {op.name}")
        raise InvalidConfigurationException(f"Can't {op.op_type.name} to key {op.name} because its type is not LIST.")

    new = _apply(ops, topic.overrides if topic is not None else {},
                 lambda n: n in defs and defs[n].type == "list",
                 lambda n: defs[n].default_for(cluster.kafka_version), zk, refuse)
    if zk and topic is None:
        raise UnknownTopicOrPartitionException(f"The topic '{resource.name}' does not exist.")
    if not resource.name:
        raise InvalidRequestException("Default topic resources are not allowed.")
    problem = topic_name_problem(resource.name)
    if problem:
        raise InvalidTopicException(problem)
    try:
        parsed = parse_topic_configs(cluster, new)
    except ConfigException as exc:
        if zk:
            raise InvalidRequestException(f"Invalid config value for resource {resource_str(resource)}: "
                                          f"{kafka_message(exc)}") from None
        raise InvalidConfigurationException(kafka_message(exc)) from None
    if topic is None:
        raise UnknownTopicOrPartitionException(f"The topic '{resource.name}' does not exist.")
    if validate_only:
        return
    changed = sorted(k for k in set(parsed) | set(topic.overrides) if parsed.get(k) != topic.overrides.get(k)
                     or (k in parsed) != (k in topic.overrides))
    topic.overrides.clear()
    topic.overrides.update(parsed)
    log_config.refresh(cluster, topic)
    if "min.insync.replicas" in changed and cluster.controller.elr_enabled:
        cluster.controller.clear_elr(topic.name)
    cluster.trace.emit(cluster.sim.now, "config.altered", resource="topic", name=resource.name, changed=changed,
                       configs={k: to_string(v) for k, v in sorted(parsed.items())})


def _alter_broker(cluster: "Cluster", resource: ConfigResource, ops: list[AlterConfigOp], validate_only: bool) -> None:
    zk = zookeeper(cluster)
    known = known_broker_configs(cluster.kafka_version)
    entity = resource.name
    current = cluster.dynamic_configs.get(entity, {})

    def refuse(op: AlterConfigOp) -> None:
        verb = op.op_type.name.lower()
        if zk:
            raise InvalidRequestException(f"Config value {verb} is not allowed for config key: {op.name}")
        raise InvalidConfigurationException(f"Config value {verb} is not allowed for config key: {op.name}")

    new = _apply(ops, current, lambda n: n in known and known[n].type == "list",
                 lambda n: known[n].default_for(cluster.kafka_version), zk, refuse)
    new = {k: to_string(v) for k, v in new.items()}
    brokers = [int(entity)] if entity else sorted(cluster.brokers)
    threads = {"num.io.threads": cluster.broker_config(brokers[0], "num.io.threads")} if brokers else {}
    try:
        check_change(new, bool(entity), cluster.kafka_version, threads)
    except DynamicConfigError as exc:
        if zk:
            raise InvalidRequestException(f"Invalid config value for resource {resource_str(resource)}: {exc}") from None
        raise InvalidRequestException(str(exc)) from None
    if validate_only:
        return
    changed = sorted(k for k in set(new) | set(current) if new.get(k) != current.get(k))
    if new:
        cluster.dynamic_configs[entity] = new
    else:
        cluster.dynamic_configs.pop(entity, None)
    for topic in cluster.controller.topics.values():
        log_config.refresh(cluster, topic)
    for b in brokers:
        n = int(cluster.broker_config(b, "num.io.threads"))
        if n != cluster.brokers[b].threads:
            cluster.brokers[b].resize_handlers(n)
    if not entity and "min.insync.replicas" in changed and cluster.controller.elr_enabled:
        cluster.controller.clear_elr()
    cluster.trace.emit(cluster.sim.now, "config.altered", resource="broker", name=entity, changed=changed,
                       configs=dict(sorted(new.items())))

