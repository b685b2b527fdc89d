"""Resolving producer, topic and broker configs: the registry's checks plus Kafka's cross-rules.

Models ``ProducerConfig.postProcessParsedConfig``,
``KafkaProducer.configureDeliveryTimeout`` and a topic's fallback to its broker's
configs (``ServerTopicConfigSynonyms``); leaves out the configs the simulator
does not use (security, serializers, interceptors, transactions).

Types, ranges and unknown keys are checked by ``app.configs.registry()``, the one
source of truth. ``_FALLBACK`` holds the defaults the simulator needs, so a key
the registry does not (yet) define still resolves, and an older version's
default differs where Kafka's did.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.configs import ConfigException, registry
from app.configs.registry import ConfigDef

# name -> (type, default for 4.0, {version: older default}, min, max)
_P = "producer"
_FALLBACK: dict[str, dict[str, tuple[str, Any, dict[str, Any], float | None, float | None]]] = {
    "producer": {
        "acks": ("string", "all", {"2.8": "1"}, None, None),
        "enable.idempotence": ("boolean", True, {"2.8": False}, None, None),
        "linger.ms": ("long", 5, {"2.8": 0, "3.x": 0}, 0, None),  # KIP-1030
        "batch.size": ("int", 16384, {}, 0, None),
        "buffer.memory": ("long", 33554432, {}, 0, None),
        "compression.type": ("string", "none", {}, None, None),
        "compression.gzip.level": ("int", -1, {}, -1, 9),
        "compression.lz4.level": ("int", 9, {}, 1, 17),
        "compression.zstd.level": ("int", 3, {}, -131072, 22),
        "max.in.flight.requests.per.connection": ("int", 5, {}, 1, None),
        "request.timeout.ms": ("int", 30000, {}, 0, None),
        "delivery.timeout.ms": ("int", 120000, {}, 0, None),
        "retries": ("int", 2147483647, {}, 0, 2147483647),
        "retry.backoff.ms": ("long", 100, {}, 0, None),
        # KIP-580 (3.7): exponential retry backoff; 2.8 backs off by a constant retry.backoff.ms.
        "retry.backoff.max.ms": ("long", 1000, {"2.8": 100}, 0, None),
        "max.block.ms": ("long", 60000, {}, 0, None),
        "max.request.size": ("int", 1048576, {}, 0, None),
        "partitioner.ignore.keys": ("boolean", False, {}, None, None),
        "partitioner.adaptive.partitioning.enable": ("boolean", True, {}, None, None),
        "partitioner.availability.timeout.ms": ("long", 0, {}, 0, None),
        "metadata.max.age.ms": ("long", 300000, {}, 0, None),
    },
    "consumer": {},
    "topic": {
        "min.insync.replicas": ("int", 1, {}, 1, None),
        "max.message.bytes": ("int", 1048588, {}, 0, None),
        "compression.type": ("string", "producer", {}, None, None),
        "cleanup.policy": ("list", ["delete"], {}, None, None),
        "unclean.leader.election.enable": ("boolean", False, {}, None, None),
        "retention.ms": ("long", 604800000, {}, -1, None),
        "retention.bytes": ("long", -1, {}, None, None),
        "segment.bytes": ("int", 1073741824, {}, 14, None),
        "segment.ms": ("long", 604800000, {}, 1, None),
        "delete.retention.ms": ("long", 86400000, {}, 0, None),
        "min.cleanable.dirty.ratio": ("double", 0.5, {}, 0, 1),
        "min.compaction.lag.ms": ("long", 0, {}, 0, None),
        "max.compaction.lag.ms": ("long", 2**63 - 1, {}, 1, None),
    },
    "broker": {
        "broker.rack": ("string", None, {}, None, None),
        "num.io.threads": ("int", 8, {}, 1, None),
        "num.network.threads": ("int", 3, {}, 1, None),
        "replica.lag.time.max.ms": ("long", 30000, {}, 0, None),
        "replica.fetch.wait.max.ms": ("int", 500, {}, 0, None),
        "replica.fetch.max.bytes": ("int", 1048576, {}, 0, None),
        "replica.fetch.min.bytes": ("int", 1, {}, 1, None),
        "broker.session.timeout.ms": ("int", 9000, {}, 1, None),
        "broker.heartbeat.interval.ms": ("int", 2000, {}, 1, None),
        "message.max.bytes": ("int", 1048588, {}, 0, None),
        "min.insync.replicas": ("int", 1, {}, 1, None),
        "unclean.leader.election.enable": ("boolean", False, {}, None, None),
        "default.replication.factor": ("int", 1, {}, 1, None),
        "num.partitions": ("int", 1, {}, 1, None),
        "log.retention.check.interval.ms": ("long", 300000, {}, 1, None),
        # Internal in Kafka (ServerLogConfigs.LOG_INITIAL_TASK_DELAY_MS_CONFIG, 30 s): when the retention check first runs.
        "log.initial.task.delay.ms": ("long", 30000, {}, 0, None),
        "log.cleaner.enable": ("boolean", True, {}, None, None),
        "log.cleaner.backoff.ms": ("long", 15000, {}, 0, None),
    },
}
_ENUMS = {
    ("producer", "compression.type"): ("none", "gzip", "snappy", "lz4", "zstd"),
    ("topic", "compression.type"): ("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"),
    ("producer", "acks"): ("all", "-1", "0", "1"),
}
#: Keys the topic section takes that are creation flags, not topic configs.
TOPIC_CREATION_KEYS = ("name", "partitions", "replication.factor", "replicas")
#: A registry minimum that an older version did not have yet: (scope, name) -> {version: minimum}.
#: log.segment.bytes went from 14 bytes (LegacyRecord.RECORD_OVERHEAD_V0) to 1 MiB in 4.0 (KIP-1030).
_MIN_BY_VERSION: dict[tuple[str, str], dict[str, int]] = {("broker", "log.segment.bytes"): {"2.8": 14, "3.x": 14}}
_HOUR_MS, _MINUTE_MS = 3_600_000, 60_000
#: ServerTopicConfigSynonyms.ALL_TOPIC_CONFIG_SYNONYMS: the broker configs a topic config falls back to
#: when the topic does not set it, the first one set winning, with the factor that makes it milliseconds.
TOPIC_CONFIG_SYNONYMS: dict[str, tuple[tuple[str, int], ...]] = {
    "segment.bytes": (("log.segment.bytes", 1),),
    "segment.ms": (("log.roll.ms", 1), ("log.roll.hours", _HOUR_MS)),
    "segment.jitter.ms": (("log.roll.jitter.ms", 1), ("log.roll.jitter.hours", _HOUR_MS)),
    "segment.index.bytes": (("log.index.size.max.bytes", 1),),
    "flush.messages": (("log.flush.interval.messages", 1),),
    "flush.ms": (("log.flush.interval.ms", 1), ("log.flush.scheduler.interval.ms", 1)),
    "retention.bytes": (("log.retention.bytes", 1),),
    "retention.ms": (("log.retention.ms", 1), ("log.retention.minutes", _MINUTE_MS), ("log.retention.hours", _HOUR_MS)),
    "max.message.bytes": (("message.max.bytes", 1),),
    "index.interval.bytes": (("log.index.interval.bytes", 1),),
    "delete.retention.ms": (("log.cleaner.delete.retention.ms", 1),),
    "min.compaction.lag.ms": (("log.cleaner.min.compaction.lag.ms", 1),),
    "max.compaction.lag.ms": (("log.cleaner.max.compaction.lag.ms", 1),),
    "file.delete.delay.ms": (("log.segment.delete.delay.ms", 1),),
    "min.cleanable.dirty.ratio": (("log.cleaner.min.cleanable.ratio", 1),),
    "cleanup.policy": (("log.cleanup.policy", 1),),
    "unclean.leader.election.enable": (("unclean.leader.election.enable", 1),),
    "min.insync.replicas": (("min.insync.replicas", 1),),
    "compression.type": (("compression.type", 1),),
    "compression.gzip.level": (("compression.gzip.level", 1),),
    "compression.lz4.level": (("compression.lz4.level", 1),),
    "compression.zstd.level": (("compression.zstd.level", 1),),
    "preallocate": (("log.preallocate", 1),),
    "message.format.version": (("log.message.format.version", 1),),
    "message.timestamp.type": (("log.message.timestamp.type", 1),),
    "message.timestamp.difference.max.ms": (("log.message.timestamp.difference.max.ms", 1),),
    "message.timestamp.before.max.ms": (("log.message.timestamp.before.max.ms", 1),),
    "message.timestamp.after.max.ms": (("log.message.timestamp.after.max.ms", 1),),
    "message.downconversion.enable": (("log.message.downconversion.enable", 1),),
    "local.retention.ms": (("log.local.retention.ms", 1),),
    "local.retention.bytes": (("log.local.retention.bytes", 1),),
}


class ResolvedConfigs(dict):  # type: ignore[type-arg]
    """Configs in force (every default filled in) that remember which keys were given (``explicit``).

    A spec's cluster section stands for server.properties and its topic keys for the topic's own
    settings: describe_configs must tell those (STATIC_BROKER_CONFIG, DYNAMIC_TOPIC_CONFIG) from
    Kafka's defaults even where the values are equal, and a broker default must not override a
    topic that set the same key to the default value. A plain dict in every other respect.
    """

    def __init__(self, values: dict[str, Any], explicit: Any = ()) -> None:
        super().__init__(values)
        self.explicit: frozenset[str] = frozenset(explicit)


def _fallback_def(scope: str, name: str) -> ConfigDef:
    kind, default, _, low, high = _FALLBACK[scope][name]
    return ConfigDef(name=name, scope=scope, type=kind, default=default, doc="", min=low, max=high,  # type: ignore[arg-type]
                     values=_ENUMS.get((scope, name), ()))


def _parse_fallback(scope: str, name: str, value: Any) -> Any:
    return _fallback_def(scope, name).parse(value)


def config_defs(scope: str, version: str) -> dict[str, ConfigDef]:
    """Every config of ``scope`` the simulator knows in ``version``, by name: the registry's, and the
    fallback's that the registry lacks (with the version's default)."""
    out = {d.name: d for d in registry().in_scope(scope) if d.exists_in(version)}
    for name, (_, default, by_version, _, _) in _FALLBACK[scope].items():
        if name not in out and all(d.name != name for d in registry().in_scope(scope)):
            d = _fallback_def(scope, name)
            out[name] = ConfigDef(name=d.name, scope=d.scope, type=d.type, default=by_version.get(version, default), doc="",
                                  min=d.min, max=d.max, values=d.values)
    return out


def resolve(scope: str, values: dict[str, Any], version: str) -> dict[str, Any]:
    """Defaults for ``version`` overlaid with ``values``, every value checked; ConfigException otherwise."""
    reg = registry()
    known = {d.name for d in reg.in_scope(scope)}
    fallback = _FALLBACK[scope]
    for_registry = {k: v for k, v in values.items() if k in known or k not in fallback}
    if scope == "producer" and "acks" in for_registry:
        # acks is a string config in Kafka; a spec may say 1 or -1 as a number.
        for_registry["acks"] = str(for_registry["acks"])
    older_minimum = {name: by_version[version] for (sc, name), by_version in _MIN_BY_VERSION.items()
                     if sc == scope and name in for_registry and version in by_version}
    own = {name: for_registry.pop(name) for name in older_minimum}
    resolved = reg.validate(scope, for_registry, version)
    for name, minimum in older_minimum.items():
        resolved[name] = replace(reg.get(scope, name), min=minimum).parse(own[name])
    for name, (_, default, by_version, _, _) in fallback.items():
        if name in values and name not in known:
            raw = str(values[name]) if name == "acks" else values[name]
            resolved[name] = _parse_fallback(scope, name, raw)
        elif name not in resolved:
            resolved[name] = by_version.get(version, default)
    for (sc, name), allowed in _ENUMS.items():
        if sc == scope and str(resolved.get(name)) not in allowed:
            raise ConfigException(name, values.get(name, resolved.get(name)), f"String must be one of: {', '.join(allowed)}")
    return resolved


def resolve_producer(values: dict[str, Any], version: str) -> dict[str, Any]:
    """The producer's effective configs, with Kafka's idempotence and delivery-timeout rules applied.

    Follows ProducerConfig.postProcessAndValidateIdempotenceConfigs (3.x/4.x): with
    idempotence on by default, acks != all or retries = 0 turn it off (with a log line in
    Kafka); set explicitly, they are ConfigExceptions. More than 5 in flight also turns a
    defaulted idempotence off in 3.x, and is refused in 4.x whenever idempotence is on.
    2.8 (idempotence off by default) follows _idempotence_28.
    """
    cfg = resolve("producer", values, version)
    acks = str(cfg["acks"]).strip().lower()
    cfg["acks"] = -1 if acks in ("all", "-1") else int(acks)
    user_idempotence = "enable.idempotence" in values
    if version == "2.8":
        _idempotence_28(cfg, values)
    elif cfg["enable.idempotence"]:
        # 3.x/4.x ProducerConfig.postProcessAndValidateIdempotenceConfigs: set explicitly, a
        # conflicting value is an error; only defaulted, idempotence is turned off instead.
        disable = False
        if cfg["retries"] == 0:
            if user_idempotence:
                raise ConfigException("retries", cfg["retries"], "Must set retries to non-zero when using the idempotent producer.")
            disable = True
        if cfg["acks"] != -1:
            if user_idempotence:
                raise ConfigException("acks", values.get("acks", cfg["acks"]),
                                      "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.")
            disable = True
        inflight = cfg["max.in.flight.requests.per.connection"]
        if inflight > 5:
            if version == "3.x":
                if user_idempotence:
                    raise ConfigException("max.in.flight.requests.per.connection", inflight,
                                          "Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.")
                disable = True  # 3.x logs "in v4.0.0 and onward, this will become an error"
            else:
                # 4.x: refused whenever idempotence is on, even when only defaulted and even
                # if acks or retries would have turned it off (the check ignores that).
                raise ConfigException("max.in.flight.requests.per.connection", inflight,
                                      f"To use the idempotent producer, max.in.flight.requests.per.connection must be set to at most 5. Current value is {inflight}.")
        if disable:
            cfg["enable.idempotence"] = False
    # KafkaProducer.configureDeliveryTimeout: an explicit too-small value is an error,
    # a defaulted one is raised silently to linger.ms + request.timeout.ms.
    floor = cfg["linger.ms"] + cfg["request.timeout.ms"]
    if cfg["delivery.timeout.ms"] < floor:
        if "delivery.timeout.ms" in values:
            raise ConfigException("delivery.timeout.ms", cfg["delivery.timeout.ms"],
                                  "delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms")
        cfg["delivery.timeout.ms"] = floor
    if version == "2.8":
        # No retry.backoff.max.ms before KIP-580 (3.7): every retry waits retry.backoff.ms.
        cfg["retry.backoff.max.ms"] = cfg["retry.backoff.ms"]
    # Otherwise a max below retry.backoff.ms stays as set: ExponentialBackoff then gives a
    # static backoff of the max (CommonClientConfigs.warnDisablingExponentialBackoff).
    return cfg


def _idempotence_28(cfg: dict[str, Any], values: dict[str, Any]) -> None:
    """2.8's ProducerConfig.maybeOverrideAcksAndRetries and KafkaProducer.configureInflightRequests.

    Idempotence is on only when set (default false). Then retries=0 is an error, acks set to
    anything but all is an error and acks left unset becomes all; more than 5 in flight is an error.
    """
    if not cfg["enable.idempotence"]:
        return
    if cfg["retries"] == 0:
        raise ConfigException("retries", cfg["retries"], "Must set retries to non-zero when using the idempotent producer.")
    if "acks" in values and cfg["acks"] != -1:
        raise ConfigException("acks", values["acks"],
                              "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.")
    cfg["acks"] = -1
    inflight = cfg["max.in.flight.requests.per.connection"]
    if inflight > 5:
        raise ConfigException("max.in.flight.requests.per.connection", inflight,
                              "Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.")


def resolve_consumer(values: dict[str, Any], version: str) -> dict[str, Any]:
    """The consumer's effective configs, with the checks KafkaConsumer makes at construction.

    ``ConsumerConfig``: group.remote.assignor only with group.protocol=consumer. ``Heartbeat``
    (classic): heartbeat.interval.ms below session.timeout.ms. The KIP-848 protocol is run on
    4.0 only: 3.7-3.9 had it as early access and preview behind a broker setting.
    """
    cfg = resolve("consumer", values, version)
    protocol = str(cfg.get("group.protocol", "classic")).lower()
    cfg["group.protocol"] = protocol
    if protocol == "consumer" and version != "4.0":
        raise ConfigException("group.protocol", values.get("group.protocol"),
                              f"the consumer protocol (KIP-848) is generally available from Kafka 4.0; in {version} it "
                              "was early access or a preview behind group.coordinator.rebalance.protocols, which the "
                              "simulator does not run")
    unsupported = [k for k in ("partition.assignment.strategy", "heartbeat.interval.ms", "session.timeout.ms") if k in values]
    if protocol == "consumer" and unsupported:
        # ConsumerConfig CONSUMER_PROTOCOL_UNSUPPORTED_CONFIGS (4.0): the broker assigns and keeps the session.
        raise ConfigException(unsupported[0], values[unsupported[0]],
                              f"{', '.join(unsupported)} cannot be set when group.protocol=CONSUMER")
    if protocol == "classic" and cfg.get("group.remote.assignor") is not None:
        raise ConfigException("group.remote.assignor", cfg["group.remote.assignor"],
                              "group.remote.assignor cannot be set when group.protocol=CLASSIC")
    if protocol == "classic" and cfg["heartbeat.interval.ms"] >= cfg["session.timeout.ms"]:
        raise ConfigException("heartbeat.interval.ms", cfg["heartbeat.interval.ms"],
                              "Heartbeat must be set lower than the session timeout")
    return cfg


def resolve_topic(values: dict[str, Any], version: str, broker: dict[str, Any] | None = None) -> dict[str, Any]:
    """A topic's configs in force: those it sets, else its broker's synonym (``broker``: the resolved
    broker configs; LogConfig's defaults come from the broker's log.* configs, so a cluster's
    log.retention.ms applies to every topic that does not set retention.ms), else Kafka's default."""
    cfg = resolve("topic", values, version)
    if broker is not None:
        for name, synonyms in TOPIC_CONFIG_SYNONYMS.items():
            if name in values or name not in cfg:
                continue
            for synonym, to_ms in synonyms:
                value = broker.get(synonym)
                if value is not None:
                    cfg[name] = list(value) if isinstance(value, list) else value * to_ms if to_ms != 1 else value
                    break
    if isinstance(cfg.get("cleanup.policy"), str):
        cfg["cleanup.policy"] = [cfg["cleanup.policy"]]
    return ResolvedConfigs(cfg, values)


def resolve_broker(values: dict[str, Any], version: str) -> dict[str, Any]:
    """Broker configs; a 2.8 cluster runs on ZooKeeper, so a dead broker is noticed when its
    ZooKeeper session expires (zookeeper.session.timeout.ms, 18000) rather than after KRaft's
    broker.session.timeout.ms (9000). A spec that sets broker.session.timeout.ms keeps it."""
    cfg = resolve("broker", values, version)
    if version != "2.8":
        _check_consumer_group_configs(cfg, version)
    if version == "2.8":  # ZooKeeper mode: no broker heartbeats to the controller
        if "broker.session.timeout.ms" not in values:
            cfg["broker.session.timeout.ms"] = cfg.get("zookeeper.session.timeout.ms", 18000)
    elif 2 * cfg["broker.heartbeat.interval.ms"] > cfg["broker.session.timeout.ms"]:
        # KafkaConfig logs this as an error and starts anyway; a broker whose heartbeats cannot
        # keep its session alive is fenced over and over, so a spec that asks for it is refused.
        interval, timeout = cfg["broker.heartbeat.interval.ms"], cfg["broker.session.timeout.ms"]
        raise ConfigException("broker.heartbeat.interval.ms", interval,
                              f"broker.heartbeat.interval.ms ({interval} ms) must be less than or equal to half of "
                              f"the broker.session.timeout.ms ({timeout} ms). Please increase "
                              "broker.session.timeout.ms or decrease broker.heartbeat.interval.ms.")
    return ResolvedConfigs(cfg, values)


def _check_consumer_group_configs(cfg: dict[str, Any], version: str) -> None:
    """``GroupCoordinatorConfig``'s checks of the KIP-848 session timeout and heartbeat interval (the last
    one, interval below session timeout, from 4.0: KAFKA-17618)."""
    interval, session = "group.consumer.heartbeat.interval.ms", "group.consumer.session.timeout.ms"
    rules = [
        ("group.consumer.max.heartbeat.interval.ms", ">=", "group.consumer.min.heartbeat.interval.ms"),
        (interval, ">=", "group.consumer.min.heartbeat.interval.ms"),
        (interval, "<=", "group.consumer.max.heartbeat.interval.ms"),
        ("group.consumer.max.session.timeout.ms", ">=", "group.consumer.min.session.timeout.ms"),
        (session, ">=", "group.consumer.min.session.timeout.ms"),
        (session, "<=", "group.consumer.max.session.timeout.ms"),
        (interval, "<", session),
    ][:None if version == "4.0" else -1]
    words = {">=": "greater than or equal to", "<=": "less than or equal to", "<": "less than"}
    for left, op, right in rules:
        a, b = cfg[left], cfg[right]
        if not (a >= b if op == ">=" else a <= b if op == "<=" else a < b):
            raise ConfigException(left, a, f"{left} must be {words[op]} {right} ({b})")
