"""The security lab: one cluster, the notes' cast of clients and an eavesdropper, and the layers a learner switches on.

Three brokers in three zones and two topics: ``finance`` (two partitions; admin writes two JSON
payments a second, amounts one can read) and ``trucks`` (one partition). The cast, each a real
client of the simulator with its own security configs (app/sim/channel.py):

- ``admin`` writes finance; ``User:admin`` is in super.users;
- ``alice`` reads finance in group ``finance-reports`` ("alice can read topic finance");
- ``bob`` reads trucks in group ``fleet`` ("bob cannot read topic trucks"), and can try to delete it
  (the ``delete_topics`` fault: his application's admin client, as his principal);
- ``anonymous`` reads finance with no credentials at all (``security.protocol=PLAINTEXT``, always);
- ``mallory`` claims to be alice: alice's user name with a guessed password (under mTLS, a certificate
  for CN=alice she signed herself; under unsecured OAUTHBEARER, a token that just says sub=alice).

An eavesdropper on the clients' network keeps what it captures (``SecurityWatch.captures``), which
the page's byte view shows as the real bytes (app/live/labs/security_bytes.py).

The four switches are start settings (a listener's security is in server.properties: brokers restart
with it, clients with their new security.protocol): ``encryption`` (off, TLSv1.3, TLSv1.2),
``authentication`` (none, PLAIN, SCRAM-SHA-512, mTLS, OAUTHBEARER unsecured), ``authorisation``
(off, ACLs) and ``all together`` (on: SASL_SSL with SCRAM-SHA-512 over TLS 1.3 and ACLs, the lesson's
configuration, whatever the other three say). ACLs: alice READ on topic finance and on groups
prefixed ``finance-``; bob READ on group fleet.

Shortened to be watchable, each stated in the lesson's lab table: 10 ms one way between any two
hosts (a set-up's round trips can be followed), ``connections.max.reauth.ms`` 10 s (0: sessions never
expire), ``group.initial.rebalance.delay.ms`` 500 ms (3 s), ``offsets.topic.num.partitions`` 3 (50).
"""

from __future__ import annotations

import copy
from typing import Any

from app.live.labs import Lab, Scope, Setting
from app.live.labs.security_cast import CLAIMS, PASSWORDS, PRODUCED_TOPIC, PRODUCER, READERS
from app.live.labs.security_watch import SecurityWatch
from app.live.protocol import ProtocolError

STANDARD = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
#: The lesson's mapping of a certificate's DN to its CN (kafka-security-authentication, -together).
CN_RULE = "RULE:^CN=(.*?),.*$/$1/,DEFAULT"
ENCRYPTION = ("off", "TLSv1.3", "TLSv1.2")
AUTHENTICATION = ("none", "PLAIN", "SCRAM-SHA-512", "mTLS", "OAUTHBEARER unsecured")
TOGETHER = {"encryption": "TLSv1.3", "authentication": "SCRAM-SHA-512", "authorisation": "ACLs"}
_MODULES = {"PLAIN": "plain.PlainLoginModule", "SCRAM-SHA-512": "scram.ScramLoginModule",
            "OAUTHBEARER": "oauthbearer.OAuthBearerLoginModule"}
BASE_SPEC: dict[str, Any] = {
    "kafka_version": "4.0",
    "cluster": {"brokers": 3, "racks": ["az-a", "az-b", "az-c"], "latency_ms": 10.0, "offsets.topic.num.partitions": 3,
                "group.initial.rebalance.delay.ms": 500, "connections.max.reauth.ms": 10000},
    "topics": [{"name": "finance", "partitions": 2, "replication.factor": 3},
               {"name": "trucks", "partitions": 1, "replication.factor": 3}],
    "producers": [{"topic": PRODUCED_TOPIC, "client.id": PRODUCER, "linger.ms": 5,
                   "workload": {"records_per_sec": 2, "keys": 4, "value": "json", "value_bytes": 110}}],
    "consumer_groups": [{"group.id": group, "topics": [topic], "client.id": name, "auto.offset.reset": "earliest",
                         "process_ms": 5} for name, (group, topic) in READERS.items()],
    "users": PASSWORDS,
    "duration_ms": 600_000,
    "settle_ms": 0,
    "trace": {"records": False},
}
ACLS = [{"principal": "User:alice", "operation": "READ", "resource_type": "TOPIC", "name": "finance"},
        {"principal": "User:alice", "operation": "READ", "resource_type": "GROUP", "name": "finance-",
         "pattern": "PREFIXED"},
        {"principal": "User:bob", "operation": "READ", "resource_type": "GROUP", "name": "fleet"}]


def layers(values: dict[str, Any]) -> dict[str, Any]:
    """What is switched on: the four switches made into one answer (all together wins)."""
    chosen = {"encryption": "off", "authentication": "none", "authorisation": "off", "all together": "off", **values}
    if chosen.get("all together") == "on":
        chosen |= TOGETHER
    enc = chosen.get("encryption", "off")
    auth = chosen.get("authentication", "none")
    tls = enc if enc != "off" else None
    sasl = auth if auth in ("PLAIN", "SCRAM-SHA-512") else "OAUTHBEARER" if auth.startswith("OAUTHBEARER") else None
    protocol = ("SASL_" if sasl else "") + ("SSL" if tls else "PLAINTEXT")
    return {"tls": tls, "authentication": auth, "sasl": sasl, "mtls": auth == "mTLS", "protocol": protocol,
            "acls": chosen.get("authorisation") == "ACLs", "inter_broker": "SSL" if tls else "PLAINTEXT",
            "together": chosen.get("all together") == "on"}


def client_configs(name: str, on: dict[str, Any]) -> dict[str, Any]:
    """One client's security configs as its properties file would hold them (the anonymous client has none)."""
    if name == "anonymous":
        return {}
    out: dict[str, Any] = {"security.protocol": on["protocol"]}
    if on["sasl"]:
        user, password = CLAIMS[name]
        module = f"org.apache.kafka.common.security.{_MODULES[on['sasl']]}"
        out["sasl.mechanism"] = on["sasl"]
        out["sasl.jaas.config"] = (f'{module} required unsecuredLoginStringClaim_sub="{user}";' if on["sasl"] == "OAUTHBEARER"
                                   else f'{module} required username="{user}" password="{password}";')
    if on["mtls"]:
        subject = f"CN={CLAIMS[name][0]},OU={'ops' if name == 'admin' else 'apps'},O=Example"
        out["certificate"] = subject if name != "mallory" else {"subject": subject, "issuer": "self"}
    return out


def broker_configs(on: dict[str, Any]) -> dict[str, Any]:
    """The security part of every broker's server.properties."""
    out: dict[str, Any] = {
        "listeners": "CLIENT://:9094,REPLICATION://:9095",
        "listener.security.protocol.map": f"CLIENT:{on['protocol']},REPLICATION:{on['inter_broker']},"
                                          f"CONTROLLER:{on['inter_broker']}",
        "inter.broker.listener.name": "REPLICATION",
    }
    if on["sasl"]:
        out["sasl.enabled.mechanisms"] = on["sasl"]
    if on["mtls"]:
        out |= {"ssl.client.auth": "required", "ssl.principal.mapping.rules": CN_RULE}
    if on["tls"] == "TLSv1.2":
        out["ssl.enabled.protocols"] = "TLSv1.2"
    if on["acls"]:
        out |= {"authorizer.class.name": STANDARD, "super.users": "User:admin"}
    return out


class SecurityLab(Lab):
    """Its start settings are the layers: they shape every broker's listeners and every client's configs."""

    def check_start(self, values: dict[str, Any]) -> None:
        on = layers(values)
        if on["mtls"] and on["tls"] is None:
            raise ProtocolError("bad_value", "authentication=mTLS is TLS with client certificates: it needs encryption "
                                "on (TLSv1.3 or TLSv1.2)", "set_config")

    def build_spec(self, values: dict[str, Any]) -> dict[str, Any]:
        on = layers(values)
        spec = copy.deepcopy(self.base_spec)
        spec["cluster"] |= broker_configs(on)
        spec["producers"][0] |= client_configs("admin", on)
        for group in spec["consumer_groups"]:
            group |= client_configs(group["client.id"], on)
        if on["acls"]:
            spec["acls"] = copy.deepcopy(ACLS)
        return spec


_NOTE = ("The cluster started again with {what}: a listener's security is in each broker's server.properties, so "
         "brokers restart with it, and every client with its new security.protocol.")

SECURITY = SecurityLab(
    name="security",
    title="The security layers: encryption, authentication, authorisation",
    base_spec=BASE_SPEC,
    settings=(
        Setting("encryption", Scope.CREATION, "encryption (TLS on the listeners)", choices=ENCRYPTION),
        Setting("authentication", Scope.CREATION, "authentication", choices=AUTHENTICATION),
        Setting("authorisation", Scope.CREATION, "authorisation (StandardAuthorizer)", choices=("off", "ACLs")),
        Setting("all together", Scope.CREATION, "all together (SASL_SSL, SCRAM, ACLs)", choices=("off", "on")),
    ),
    preset={"encryption": "off", "authentication": "none", "authorisation": "off", "all together": "off"},
    seed=12,
    faults=("delete_topics",),
    speed=0.1,
    view=SecurityWatch,
    notes={"encryption": _NOTE.format(what="encryption={value}"),
           "authentication": _NOTE.format(what="authentication={value}"),
           "authorisation": "The cluster started again with authorisation={value}: authorizer.class.name is a broker "
                            "config, read at start-up.",
           "all together": _NOTE.format(what="all together={value} (SASL_SSL, SCRAM-SHA-512, TLS 1.3 and ACLs when on)")},
)
