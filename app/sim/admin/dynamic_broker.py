"""Which broker configs can change while brokers run (KIP-226), at which level, and how Kafka refuses the rest.

Models ``DynamicBrokerConfig`` (``AllDynamicConfigs``, ``PerBrokerConfigs``,
``validateConfigs``), ``DynamicLogConfig.ReconfigurableConfigs`` (the first broker synonym of
every topic config: ``log.retention.ms`` is dynamic, ``log.retention.hours`` is not),
``DynamicThreadPool.validateReconfiguration``. A refusal is a ``DynamicConfigError`` (Kafka's
ConfigException): the admin layer words it as the version's broker does (app/sim/admin/alter_configs.py).
A broker config name Kafka does not know is accepted and kept as a custom config, as Kafka
does (``customPropsAllowed``); so is a real Kafka config the simulator does not model.
"""

from __future__ import annotations

from typing import Any

from app.configs import ConfigException
from app.sim.admin.errors import kafka_message
from app.sim.config import config_defs
from app.sim.elr import FEATURE as ELR_FEATURE
from app.sim.log_config import TOPIC_CONFIG_SYNONYMS

#: ``SslConfigs.RECONFIGURABLE_CONFIGS``: dynamic only with a listener prefix (listener.name.x.ssl...)
SECURITY_CONFIGS = frozenset({
    "ssl.keystore.type", "ssl.keystore.location", "ssl.keystore.password", "ssl.key.password", "ssl.truststore.type",
    "ssl.truststore.location", "ssl.truststore.password", "ssl.keystore.certificate.chain", "ssl.keystore.key",
    "ssl.truststore.certificates"})
#: ``DynamicListenerConfig.ReconfigurableConfigs``
LISTENER_CONFIGS = frozenset({
    "advertised.listeners", "listeners", "listener.security.protocol.map", "principal.builder.class", "ssl.protocol",
    "ssl.provider", "ssl.cipher.suites", "ssl.enabled.protocols", "ssl.keystore.type", "ssl.keystore.location",
    "ssl.keystore.password", "ssl.key.password", "ssl.truststore.type", "ssl.truststore.location",
    "ssl.truststore.password", "ssl.keymanager.algorithm", "ssl.trustmanager.algorithm",
    "ssl.endpoint.identification.algorithm", "ssl.secure.random.implementation", "ssl.client.auth",
    "ssl.engine.factory.class", "sasl.mechanism.inter.broker.protocol", "sasl.jaas.config", "sasl.enabled.mechanisms",
    "sasl.kerberos.service.name", "sasl.kerberos.kinit.cmd", "sasl.kerberos.ticket.renew.window.factor",
    "sasl.kerberos.ticket.renew.jitter", "sasl.kerberos.min.time.before.relogin",
    "sasl.kerberos.principal.to.local.rules", "sasl.login.refresh.window.factor", "sasl.login.refresh.window.jitter",
    "sasl.login.refresh.min.period.seconds", "sasl.login.refresh.buffer.seconds", "max.connections",
    "max.connection.creation.rate", "num.network.threads"})
#: ``DynamicThreadPool.ReconfigurableConfigs``
THREAD_POOL_CONFIGS = frozenset({"num.io.threads", "num.replica.fetchers", "num.recovery.threads.per.data.dir",
                                 "background.threads"})
#: ``DynamicLogConfig.ReconfigurableConfigs``: message.format.version's synonym is the one left out
LOG_CONFIGS = frozenset(synonyms[0][0] for name, synonyms in TOPIC_CONFIG_SYNONYMS.items() if name != "message.format.version")
#: Every dynamic broker config (``DynamicBrokerConfig.AllDynamicConfigs``)
DYNAMIC_CONFIGS = (SECURITY_CONFIGS | LISTENER_CONFIGS | THREAD_POOL_CONFIGS | LOG_CONFIGS | frozenset({
    # LogCleaner, SocketServer, metric reporters, producer state, remote log manager
    "log.cleaner.threads", "log.cleaner.dedupe.buffer.size", "log.cleaner.io.buffer.load.factor",
    "log.cleaner.io.buffer.size", "message.max.bytes", "log.cleaner.io.max.bytes.per.second", "log.cleaner.backoff.ms",
    "max.connections.per.ip", "max.connections.per.ip.overrides", "max.connections", "max.connection.creation.rate",
    "metric.reporters", "producer.id.expiration.ms", "transaction.partition.verification.enable",
    "remote.log.index.file.cache.total.size.bytes", "remote.fetch.max.wait.ms",
    "remote.log.manager.copy.max.bytes.per.second", "remote.log.manager.fetch.max.bytes.per.second",
    "remote.list.offsets.request.timeout.ms"}))
#: ``DynamicBrokerConfig.PerBrokerConfigs``: not at the cluster-wide default
PER_BROKER_CONFIGS = (SECURITY_CONFIGS | LISTENER_CONFIGS) - {"max.connections", "max.connection.creation.rate",
                                                               "num.network.threads"}
#: Not configs: feature levels the registry carries for the spec (see kafka-features / update_features)
FEATURES = frozenset({ELR_FEATURE})


class DynamicConfigError(ValueError):
    """A broker config change Kafka's DynamicBrokerConfig refuses (a ConfigException there), in its words."""


def known_broker_configs(version: str) -> dict[str, Any]:
    """The broker configs (``KafkaConfig`` names) the simulator knows in ``version``, features left out."""
    return {n: d for n, d in config_defs("broker", version).items() if n not in FEATURES}


def read_only(name: str) -> bool:
    """``ConfigEntry.isReadOnly`` of a broker config: not dynamically updatable."""
    return name not in DYNAMIC_CONFIGS


def check_change(props: dict[str, str | None], per_broker: bool, version: str, current_threads: dict[str, int]) -> None:
    """``DynamicBrokerConfig.validateConfigs`` and the reconfigurables' checks of the broker configs a
    change leaves set (``props``; None: deleted); DynamicConfigError with Kafka's message."""
    known = known_broker_configs(version)
    names = [n for n, v in props.items() if v is not None]
    _refuse([n for n in names if n in known and read_only(n)], "Cannot update these configs dynamically")
    _refuse([n for n in names if n in SECURITY_CONFIGS],
            "These security configs can be dynamically updated only per-listener using the listener prefix")
    for n in names:
        if n in known:
            try:
                known[n].parse(props[n])
            except ConfigException as exc:
                raise DynamicConfigError(kafka_message(exc)) from None
    if not per_broker:
        _refuse([n for n in names if n in PER_BROKER_CONFIGS],
                "Cannot update these configs at default cluster level, broker id must be specified")
    for n in names:
        if n in THREAD_POOL_CONFIGS and n in known:
            new, old = int(known[n].parse(props[n])), current_threads.get(n)
            if old is not None and new != old and not old / 2 <= new <= old * 2:
                # DynamicThreadPool.validateReconfiguration's reason is logged; the client is told this.
                raise DynamicConfigError("Invalid dynamic configuration")


def _refuse(names: list[str], message: str) -> None:
    if names:
        # A Scala Set, as ConfigException prints it: Set(a, b)
        raise DynamicConfigError(f"{message}: Set({', '.join(sorted(names))})")
