"""Who a client is, and whether the brokers let it do what it asks (ACLs), checked as KafkaApis checks them.

Not a Kafka class: the seam between the simulator's request handling and the authoriser of
app/sim/security (``Authorizer``, with StandardAuthorizer's rules, and
``operations.check_api``, the table of what each API needs). A cluster without an authoriser
(``authorizer.class.name`` unset, the default) allows everything, as Kafka does. With one, each
request is checked for its client's principal and host, in the API's order; a denial is an
``acl.denied`` event carrying the authoriser's own log line (``kafka.authorizer.logger``), and
the error the client gets: TOPIC_AUTHORIZATION_FAILED per partition, GROUP_AUTHORIZATION_FAILED
or CLUSTER_AUTHORIZATION_FAILED for the call. Brokers talk to each other as super users, the
usual set-up (``super.users=User:broker``), so replication is never denied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from app.sim.errors import Errors

if TYPE_CHECKING:
    from app.sim.cluster import Cluster
    from app.sim.security.authorizer import Authorizer

#: A client's principal when nothing authenticated it (a PLAINTEXT listener): Kafka's KafkaPrincipal.ANONYMOUS.
ANONYMOUS = "User:ANONYMOUS"
_ERRORS = {"TOPIC_AUTHORIZATION_FAILED": Errors.TOPIC_AUTHORIZATION_FAILED,
           "GROUP_AUTHORIZATION_FAILED": Errors.GROUP_AUTHORIZATION_FAILED,
           "CLUSTER_AUTHORIZATION_FAILED": Errors.CLUSTER_AUTHORIZATION_FAILED}


@dataclass(frozen=True)
class Identity:
    """What the broker knows of a connection's client: its principal (from SASL or the TLS certificate) and address."""

    principal: str = ANONYMOUS
    host: str = "127.0.0.1"


@dataclass
class Verdict:
    """One request's authorisation: the call's error (or NONE) and the topics denied."""

    error: Errors = Errors.NONE
    denied_topics: frozenset[str] = frozenset()
    message: str | None = None

    @property
    def allowed(self) -> bool:
        return self.error is Errors.NONE and not self.denied_topics


ALLOWED = Verdict()


def check(cluster: "Cluster", api: str, who: Identity, *, topics: Sequence[str] = (), group: str | None = None,
          idempotent: bool = False) -> Verdict:
    """Authorise ``api`` for ``who``; every decision that denies is traced with the authoriser's log line."""
    authorizer: Authorizer | None = cluster.authorizer
    if authorizer is None:
        return ALLOWED
    from app.sim.security.operations import check_api

    version = cluster.kafka_version
    result = check_api(authorizer, api, who.principal, who.host, topics=list(topics), group=group, idempotent=idempotent,
                       kafka_version=version)
    if result.allowed:
        return ALLOWED
    now = cluster.sim.now
    for chk, name, decision in result.decisions:
        if not isinstance(decision, bool) and not decision.allowed:
            cluster.trace.emit(now, "acl.denied", api=api, principal=who.principal, host=who.host,
                               operation=chk.operation.name, resource_type=chk.resource_type.name, resource=name,
                               rule=decision.reason, log=decision.log_line, level=decision.log_level)
    error = _ERRORS.get(result.error.name, Errors.CLUSTER_AUTHORIZATION_FAILED) if result.error is not None else Errors.NONE
    return Verdict(error, frozenset(result.denied_topics), result.client_message)


def identity_of(conn: Any, client: Identity) -> Identity:
    """Who the broker takes a request's sender for: the principal its connection authenticated as
    (app/sim/channel.py) when connections carry security, else the client's own (a spec's ``principal``)."""
    channel = getattr(conn, "channel", None)
    return client if channel is None else Identity(channel.principal or ANONYMOUS, client.host)


def client_identity(configs: dict[str, Any], host: str | None) -> Identity:
    """The identity a client's configs give it: its ``principal`` (the simulator's stand-in for what SASL or
    the certificate would prove, app/sim/security does the real exchanges) and its host address."""
    return Identity(configs.get("principal") or ANONYMOUS, host or "127.0.0.1")
