"""A cluster's security from its configs: the ACL authoriser, the listeners clients connect to, and each client's side.

- ``make_authorizer``: ``authorizer.class.name``, ``super.users``, ``allow.everyone.if.no.acl.found``.
- ``make_listeners``: ``listeners``, ``listener.security.protocol.map``, ``inter.broker.listener.name``
  (or ``security.inter.broker.protocol``), ``controller.listener.names``, checked as KafkaConfig checks
  them (app/sim/security/listeners.py), with the configs each listener applies: ``sasl.enabled.mechanisms``,
  ``ssl.client.auth``, ``ssl.principal.mapping.rules``, ``ssl.enabled.protocols``,
  ``connections.max.reauth.ms``, and the users the brokers know (PLAIN's JAAS ``user_<name>`` entries
  and the SCRAM credentials ``kafka-configs --alter --add-config 'SCRAM-SHA-512=[password=...]'`` stores).
  Per-listener overrides (``listener.name.<name>.<config>``) are left out: every listener takes the
  broker-wide value.
- ``client_security``: a client's ``security.protocol``, ``sasl.mechanism`` and ``sasl.jaas.config``
  (read as JaasConfig reads it), and the certificate its keystore holds.
"""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any

from app.configs import ConfigException
from app.sim.security.handshake import Certificate, ClientSecurity, ListenerSecurity
from app.sim.security.jaas import JaasConfigError, missing_jaas_message, parse_jaas_config
from app.sim.security.listeners import BrokerListeners, ListenerConfigError, parse_listeners
from app.sim.security.scram import MECHANISMS as SCRAM_MECHANISMS
from app.sim.security.scram import ScramCredential, kafka_nonce, make_credential

#: The authoriser classes a cluster may name, by version: AclAuthorizer (ZooKeeper) until 4.0 removed it
#: (KAFKA-17614); StandardAuthorizer (KRaft) from 3.2 (KIP-801). Both follow the same rules here.
AUTHORIZERS = {"org.apache.kafka.metadata.authorizer.StandardAuthorizer": ("3.x", "4.0"),
               "kafka.security.authorizer.AclAuthorizer": ("2.8", "3.x")}
#: The mechanisms the simulator runs for real (GSSAPI needs a KDC: docs/security.md explains it instead).
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER")
_LISTENER_KEYS = ("listeners", "advertised.listeners", "listener.security.protocol.map", "inter.broker.listener.name",
                  "security.inter.broker.protocol", "controller.listener.names")


def make_authorizer(cfg: dict[str, Any], version: str) -> Any:
    """The cluster's authoriser from its broker configs, or None (``authorizer.class.name`` empty)."""
    name = cfg.get("authorizer.class.name") or ""
    if not name:
        return None
    if version not in AUTHORIZERS.get(name, ()):
        known = ", ".join(f"{n} ({'/'.join(v)})" for n, v in AUTHORIZERS.items())
        raise ConfigException("authorizer.class.name", name, f"Kafka {version} has no such authorizer; known: {known}")
    from app.sim.security.authorizer import Authorizer

    users = [u.strip() for u in (cfg.get("super.users") or "").split(";") if u.strip()]
    return Authorizer(super_users=users, allow_everyone_if_no_acl_found=bool(cfg.get("allow.everyone.if.no.acl.found")))


def listeners_set(cfg: Any) -> bool:
    """Whether the spec's cluster names its listeners: then connections carry their security (app/sim/channel.py)."""
    return "listeners" in getattr(cfg, "explicit", ())


def parse_cluster_listeners(cfg: dict[str, Any]) -> BrokerListeners:
    """The brokers' listeners; ConfigException naming the config and Kafka's message if a broker would not start."""
    values = {k: str(cfg[k]) for k in _LISTENER_KEYS if cfg.get(k) is not None and k in getattr(cfg, "explicit", cfg)}
    try:
        return parse_listeners(values)
    except ListenerConfigError as exc:
        key = next((k for k in _LISTENER_KEYS if k in str(exc)), "listeners")
        raise ConfigException(key, values.get(key), f"{exc.kind}: {exc}") from None


def client_listener(parsed: BrokerListeners) -> str:
    """The listener clients use when they name none: the first that is not the brokers' own, else the first."""
    others = [e.name for e in parsed.listeners if e.name != parsed.inter_broker_listener]
    return others[0] if others else parsed.listeners[0].name


@lru_cache(maxsize=64)
def _credential(mechanism: str, user: str, password: str) -> ScramCredential:
    """The stored credential, with a salt drawn from the user's name so every run has the same one."""
    salt = kafka_nonce(random.Random(f"{mechanism}:{user}")).encode("ascii")
    return make_credential(mechanism, password, salt=salt)


def make_listeners(cfg: dict[str, Any], users: dict[str, str]) -> tuple[dict[str, ListenerSecurity], str, str]:
    """Each listener with its configs (host "": each broker's own), the clients' default listener, the brokers' own."""
    parsed = parse_cluster_listeners(cfg)
    mechanisms = tuple(cfg["sasl.enabled.mechanisms"])
    plain_users = dict(users) if "PLAIN" in mechanisms else {}
    scram = {(m, u): _credential(m, u, p) for m in mechanisms if m in SCRAM_MECHANISMS for u, p in sorted(users.items())}
    advertised = {e.name: e for e in parsed.advertised}
    out: dict[str, ListenerSecurity] = {}
    for ep in parsed.listeners:
        out[ep.name] = ListenerSecurity(
            ep.name, ep.security_protocol, host=advertised.get(ep.name, ep).host or "", port=ep.port,
            enabled_mechanisms=mechanisms, client_auth=cfg["ssl.client.auth"],
            principal_rules=cfg["ssl.principal.mapping.rules"], max_reauth_ms=int(cfg["connections.max.reauth.ms"]),
            tls_versions=tuple(cfg["ssl.enabled.protocols"]), plain_users=plain_users, scram=scram)
    return out, client_listener(parsed), parsed.inter_broker_listener


def client_security(cfg: dict[str, Any], certificate: Any = None) -> ClientSecurity:
    """What a client brings to its connections, from its configs; ConfigException for what Kafka's client refuses."""
    protocol = str(cfg.get("security.protocol", "PLAINTEXT")).upper()
    mechanism = str(cfg.get("sasl.mechanism", "GSSAPI"))
    cert = _certificate(certificate)
    if not protocol.startswith("SASL_"):
        return ClientSecurity(protocol, mechanism, certificate=cert)
    if mechanism not in SASL_MECHANISMS:
        raise ConfigException("sasl.mechanism", mechanism, f"the simulator runs {', '.join(SASL_MECHANISMS)}"
                              + ("; GSSAPI (Kerberos) needs a KDC and keytabs, explained step by step in docs/security.md"
                                 if mechanism == "GSSAPI" else ""))
    text = cfg.get("sasl.jaas.config")
    if not text:
        raise ConfigException("sasl.jaas.config", None, missing_jaas_message())
    try:
        entry = parse_jaas_config(str(text))
    except JaasConfigError as exc:
        raise ConfigException("sasl.jaas.config", "[hidden]", str(exc)) from None
    if mechanism == "OAUTHBEARER":
        sub = entry.options.get("unsecuredLoginStringClaim_sub")
        if not sub:
            raise ConfigException("sasl.jaas.config", "[hidden]", "the unsecured OAUTHBEARER login module needs the "
                                  "option unsecuredLoginStringClaim_sub (the token's subject)")
        lifetime = int(entry.options.get("unsecuredLoginLifetimeSeconds", 3600))
        return ClientSecurity(protocol, mechanism, oauth_sub=sub, oauth_lifetime_s=lifetime, certificate=cert)
    return ClientSecurity(protocol, mechanism, entry.username, entry.password, certificate=cert)


def _certificate(value: Any) -> Certificate | None:
    """A spec's ``certificate``: a subject DN (issued by the cluster's CA), or {"subject": DN, "issuer": "ca" | "self"}."""
    if value is None:
        return None
    if isinstance(value, str) and value:
        return Certificate(value)
    if isinstance(value, dict) and isinstance(value.get("subject"), str) and value.get("issuer", "ca") in ("ca", "self") \
            and set(value) <= {"subject", "issuer"}:
        return Certificate(value["subject"], trusted=value.get("issuer", "ca") == "ca")
    raise ValueError("must be a subject DN (\"CN=alice,OU=finance,O=Example\", issued by the cluster's CA) or "
                     f"{{\"subject\": DN, \"issuer\": \"ca\" or \"self\"}}, got {value!r}")
