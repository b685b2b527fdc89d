"""SASL/GSSAPI (Kerberos) step by step, as data: who holds what, and what crosses the wire.

No real Kerberos runs here: this is the sequence a Kafka client and broker go through
with a KDC (RFC 4120 tickets, RFC 4752 GSSAPI SASL), with Kafka's names:
``sasl.kerberos.service.name=kafka``, the broker's principal ``kafka/<broker host>@<REALM>``
in its keytab, the client's from its own keytab or ticket cache, and
``sasl.kerberos.principal.to.local.rules`` (default ``DEFAULT``: ``alice@REALM`` becomes
``User:alice``; ``kafka/broker1.example.com@REALM`` becomes ``User:kafka``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KerberosStep", "gssapi_steps"]


@dataclass(frozen=True, slots=True)
class KerberosStep:
    actor: str  # client | kdc | broker
    action: str
    holds: tuple[str, ...]  # what the actor holds after this step
    sends: str | None  # what crosses the network, if anything


def gssapi_steps(client: str = "alice", broker_host: str = "broker1.example.com", realm: str = "EXAMPLE.COM",
                 service_name: str = "kafka") -> list[KerberosStep]:
    """The GSSAPI login and SASL exchange of one Kafka connection."""
    client_principal = f"{client}@{realm}"
    service = f"{service_name}/{broker_host}@{realm}"
    return [
        KerberosStep("broker", f"at start-up, logs in as {service} with the key in its keytab (no KDC trip needed "
                     "to accept tickets)", ("keytab: key of " + service,), None),
        KerberosStep("client", f"logs in as {client_principal} (keytab or kinit): sends an AS-REQ to the KDC",
                     ("keytab or password of " + client_principal,), f"AS-REQ for krbtgt/{realm}@{realm}"),
        KerberosStep("kdc", "checks the client's pre-authentication and issues a ticket-granting ticket (TGT), "
                     "encrypted with the KDC's own key", ("database of principals and keys",),
                     "AS-REP: TGT + session key (encrypted with the client's key)"),
        KerberosStep("client", f"asks for a service ticket for {service} (sasl.kerberos.service.name + the broker's "
                     "host name as the client resolved it)", ("TGT", "TGS session key"), f"TGS-REQ for {service}"),
        KerberosStep("kdc", f"issues a service ticket for {service}, encrypted with the broker's key",
                     ("database of principals and keys",), "TGS-REP: service ticket + service session key"),
        KerberosStep("client", "opens the connection: ApiVersions, SaslHandshake(mechanism=GSSAPI), then "
                     "SaslAuthenticate carrying a GSS-API AP-REQ with the service ticket",
                     ("TGT", "service ticket for " + service),
                     "SaslAuthenticate: AP-REQ (service ticket + authenticator)"),
        KerberosStep("broker", "decrypts the ticket with its keytab key, checks the authenticator and answers with "
                     "AP-REP (mutual authentication)", ("keytab", "service session key"), "SaslAuthenticate: AP-REP"),
        KerberosStep("client", "RFC 4752 security-layer negotiation: Kafka asks for no security layer (auth only); "
                     "TLS (SASL_SSL) is what encrypts the traffic", ("service session key",),
                     "SaslAuthenticate: wrapped security-layer tokens"),
        KerberosStep("broker", f"maps {client_principal} with sasl.kerberos.principal.to.local.rules (DEFAULT) "
                     f"to User:{client}; ACLs are checked against that principal",
                     ("session principal User:" + client,), None),
    ]
